//! Who may come in: staff users, sessions (customers' and staff's), the
//! single-use links of every purpose, and API tokens; with their rows.

use super::*;

/// A person of the business using the console.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffUser {
    /// Identity.
    pub id: Uuid,
    /// E-mail address (unique without regard to case); the sign-in name.
    pub email: String,
    /// PHC string of the password hash.
    pub password_hash: String,
    /// Role.
    pub role: StaffRole,
    /// TOTP secret, when enrolled.
    pub totp_secret: Option<String>,
    /// May sign in.
    pub active: bool,
    /// Created at.
    pub created_at: OffsetDateTime,
    /// Last sign-in.
    pub last_login_at: Option<OffsetDateTime>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct StaffRow {
    id: Uuid,
    email: String,
    password_hash: String,
    role: String,
    totp_secret: Option<String>,
    active: bool,
    created_at: i64,
    last_login_at: Option<i64>,
}

impl TryFrom<StaffRow> for StaffUser {
    type Error = StoreError;
    fn try_from(r: StaffRow) -> StoreResult<StaffUser> {
        Ok(StaffUser {
            id: r.id,
            email: r.email,
            password_hash: r.password_hash,
            role: StaffRole::parse(&r.role).map_err(StoreError::Corrupt)?,
            totp_secret: r.totp_secret,
            active: r.active,
            created_at: from_ms(r.created_at)?,
            last_login_at: opt_from_ms(r.last_login_at)?,
        })
    }
}

/// Whose session it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionOwner {
    /// A customer's portal session.
    Account(Uuid),
    /// A staff user's console session.
    Staff(Uuid),
}

/// A browser session. Only the SHA-256 of its token is stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    /// SHA-256 of the cookie's token.
    pub token_hash: Vec<u8>,
    /// Whose it is.
    pub owner: SessionOwner,
    /// The staff user impersonating the account, if any.
    pub impersonator_id: Option<Uuid>,
    /// The CSRF token of its forms.
    pub csrf_token: String,
    /// Signed in at.
    pub created_at: OffsetDateTime,
    /// Last request.
    pub last_seen_at: OffsetDateTime,
    /// Ends when idle past this.
    pub idle_expires_at: OffsetDateTime,
    /// Ends at this whatever happens.
    pub absolute_expires_at: OffsetDateTime,
    /// Client address at sign-in.
    pub ip: Option<String>,
    /// Browser at sign-in.
    pub user_agent: Option<String>,
    /// The single sign-on session apps know it by (`sid`): kept when a
    /// sign-in of the same customer replaces the session. `None` for staff
    /// sessions and sessions stored before it was (then derived from the
    /// token hash).
    pub sid: Option<String>,
    /// How the customer signed in: RFC 8176 `amr` values, space-separated
    /// (`pwd`, `otp`, `mfa`). `None` for staff sessions and sessions
    /// stored before it was (a password).
    pub amr: Option<String>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct SessionRow {
    token_hash: Vec<u8>,
    account_id: Option<Uuid>,
    staff_id: Option<Uuid>,
    impersonator_id: Option<Uuid>,
    csrf_token: String,
    created_at: i64,
    last_seen_at: i64,
    idle_expires_at: i64,
    absolute_expires_at: i64,
    ip: Option<String>,
    user_agent: Option<String>,
    sid: Option<String>,
    amr: Option<String>,
}

impl TryFrom<SessionRow> for Session {
    type Error = StoreError;
    fn try_from(r: SessionRow) -> StoreResult<Session> {
        let owner = match (r.account_id, r.staff_id) {
            (Some(a), None) => SessionOwner::Account(a),
            (None, Some(s)) => SessionOwner::Staff(s),
            _ => return Err(StoreError::Corrupt("session owner".into())),
        };
        Ok(Session {
            token_hash: r.token_hash,
            owner,
            impersonator_id: r.impersonator_id,
            csrf_token: r.csrf_token,
            created_at: from_ms(r.created_at)?,
            last_seen_at: from_ms(r.last_seen_at)?,
            idle_expires_at: from_ms(r.idle_expires_at)?,
            absolute_expires_at: from_ms(r.absolute_expires_at)?,
            ip: r.ip,
            user_agent: r.user_agent,
            sid: r.sid,
            amr: r.amr,
        })
    }
}

/// What a single-use link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPurpose {
    /// Activation of a registration.
    Activation,
    /// Forgotten password.
    PasswordReset,
    /// Set the first password of an account staff created.
    Invitation,
    /// Create the first admin of a fresh installation.
    StaffSetup,
    /// A staff user opens the portal as the account.
    Impersonation,
    /// Turn two-step sign-in off: the phone and the recovery codes are
    /// lost (mailed after the right password).
    TwoStepReset,
}

impl LinkPurpose {
    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            LinkPurpose::Activation => "activation",
            LinkPurpose::PasswordReset => "password_reset",
            LinkPurpose::Invitation => "invitation",
            LinkPurpose::StaffSetup => "staff_setup",
            LinkPurpose::Impersonation => "impersonation",
            LinkPurpose::TwoStepReset => "two_step_reset",
        }
    }
}

/// A single-use link token (stored hashed).
#[derive(Debug, Clone, PartialEq)]
pub struct LinkToken {
    /// SHA-256 of the token in the link.
    pub token_hash: Vec<u8>,
    /// What it is for.
    pub purpose: LinkPurpose,
    /// The account it acts on, if any.
    pub account_id: Option<Uuid>,
    /// The staff user it was made for, if any (impersonation).
    pub staff_id: Option<Uuid>,
    /// Made at.
    pub created_at: OffsetDateTime,
    /// Void after.
    pub expires_at: OffsetDateTime,
}

/// An API token of a staff user (stored hashed).
#[derive(Debug, Clone, PartialEq)]
pub struct ApiToken {
    /// Identity.
    pub id: Uuid,
    /// Whose it is; calls act as this staff user.
    pub staff_id: Uuid,
    /// A name to recognise it by.
    pub name: String,
    /// SHA-256 of the token.
    pub token_hash: Vec<u8>,
    /// Space-separated scopes (`read`, `write`, `admin`).
    pub scopes: String,
    /// Made at.
    pub created_at: OffsetDateTime,
    /// Void after, if set.
    pub expires_at: Option<OffsetDateTime>,
    /// Last call made with it.
    pub last_used_at: Option<OffsetDateTime>,
    /// Revoked at.
    pub revoked_at: Option<OffsetDateTime>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct ApiTokenRow {
    id: Uuid,
    staff_id: Uuid,
    name: String,
    token_hash: Vec<u8>,
    scopes: String,
    created_at: i64,
    expires_at: Option<i64>,
    last_used_at: Option<i64>,
    revoked_at: Option<i64>,
}

impl TryFrom<ApiTokenRow> for ApiToken {
    type Error = StoreError;
    fn try_from(r: ApiTokenRow) -> StoreResult<ApiToken> {
        Ok(ApiToken {
            id: r.id,
            staff_id: r.staff_id,
            name: r.name,
            token_hash: r.token_hash,
            scopes: r.scopes,
            created_at: from_ms(r.created_at)?,
            expires_at: opt_from_ms(r.expires_at)?,
            last_used_at: opt_from_ms(r.last_used_at)?,
            revoked_at: opt_from_ms(r.revoked_at)?,
        })
    }
}

/// A customer's second step at sign-in, as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct SecondStepRecord {
    /// The account.
    pub account_id: Uuid,
    /// The authenticator app's secret (base32), once a code confirmed it.
    pub totp_secret: Option<String>,
    /// The secret being set up, until a code confirms it.
    pub totp_pending: Option<String>,
    /// Turned on at.
    #[sqlx(try_from = "crate::model::MsOpt")]
    pub turned_on_at: Option<OffsetDateTime>,
    /// Last used to sign in.
    #[sqlx(try_from = "crate::model::MsOpt")]
    pub last_used_at: Option<OffsetDateTime>,
}

/// A sign-in half done: the password was right, the second step is still
/// to come.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct SignInStep {
    /// SHA-256 of the cookie's token.
    pub token_hash: Vec<u8>,
    /// The account signing in.
    pub account_id: Uuid,
    /// The account has no second step and must set one up now.
    pub set_up: bool,
    /// The password was right at.
    #[sqlx(try_from = "crate::model::Ms")]
    pub created_at: OffsetDateTime,
    /// Good until.
    #[sqlx(try_from = "crate::model::Ms")]
    pub expires_at: OffsetDateTime,
}

/// A customer's passkey, as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct PasskeyRecord {
    /// Identity.
    pub id: Uuid,
    /// The account it signs in.
    pub account_id: Uuid,
    /// The authenticator's credential ID (unique).
    pub credential_id: Vec<u8>,
    /// What the customer calls it ("iPhone", "YubiKey").
    pub name: String,
    /// The relying party's record of the credential, as JSON.
    pub credential: String,
    /// Added at.
    #[sqlx(try_from = "crate::model::Ms")]
    pub created_at: OffsetDateTime,
    /// Last used to sign in.
    #[sqlx(try_from = "crate::model::MsOpt")]
    pub last_used_at: Option<OffsetDateTime>,
}

/// A passkey ceremony begun, waiting for the browser's answer.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Ceremony {
    /// SHA-256 of the token the page holds.
    pub token_hash: Vec<u8>,
    /// The site.
    pub site_id: Uuid,
    /// The account adding a passkey; `None` for a sign-in (the passkey
    /// names the account).
    pub account_id: Option<Uuid>,
    /// `register` or `sign_in`.
    pub kind: String,
    /// The relying party's state, as JSON.
    pub state: String,
    /// Begun at.
    #[sqlx(try_from = "crate::model::Ms")]
    pub created_at: OffsetDateTime,
    /// Good until.
    #[sqlx(try_from = "crate::model::Ms")]
    pub expires_at: OffsetDateTime,
}
