//! Staff authentication: console sessions (e-mail and password, and the
//! authenticator app's code or a single-use recovery code when it is on;
//! sessions of their own, never interchangeable with customer sessions) and
//! API tokens (bearer, scoped). Either yields a [`StaffCaller`], whose
//! [`StaffCaller::require`] is the one check of the permission table. Also
//! what a staff user changes of their own sign-in: the password (the staff
//! password rule lives here, once), the authenticator app (its secret kept
//! until confirmed) and the recovery codes (stored as SHA-256 only).

use gatehouse_domain::{NewPassword, Scope, Words};
use gatehouse_store::{Actor, Session, SessionOwner, StaffUser};
use serde_json::json;
use time::{Duration, OffsetDateTime};

pub use crate::caller::{StaffCaller, Via};
use crate::installation;
use crate::portal::RequestMeta;
use crate::{App, AppError, AppResult, audit, recovery_codes, secrets};

/// Staff passwords guard every customer's data: longer than customers'.
pub const STAFF_PASSWORD_MIN_LENGTH: u32 = 12;

/// The stored hash of a staff user's new password, once it passes the staff
/// policy (refused as `field`): the one place that rule is applied.
pub(crate) async fn password_hash(
    app: &App,
    email: &str,
    password: &str,
    field: &str,
) -> AppResult<String> {
    let password = NewPassword::parse(password, STAFF_PASSWORD_MIN_LENGTH, &[email])
        .map_err(|e| AppError::policy(field, e))?;
    app.hasher.hash(password.expose()).await
}

/// A console session ends after this long without a request.
pub const IDLE: Duration = Duration::minutes(30);
/// A console session ends this long after sign-in, whatever happens.
pub const ABSOLUTE: Duration = Duration::hours(8);

/// A console session just made.
#[derive(Debug, Clone)]
pub struct NewStaffSession {
    /// The cookie's value.
    pub token: String,
    /// Seconds until it ends whatever happens.
    pub max_age_seconds: u32,
}

/// Signs a staff user in to the console. Unknown addresses, wrong passwords
/// and deactivated staff get the same answer after the same work.
/// A staff user with a TOTP secret must also give the current code; the
/// answer to a wrong or missing code is the same as to a wrong password.
#[tracing::instrument(name = "app.staff_auth.sign_in", level = "debug", skip_all)]
pub async fn sign_in(
    app: &App,
    email: &str,
    password: &str,
    code: Option<&str>,
    meta: &RequestMeta,
) -> AppResult<NewStaffSession> {
    let mut tx = app.store.read().await?;
    let staff = tx.staff_by_email(email.trim()).await?;
    drop(tx);
    let hash = staff.as_ref().map(|s| s.password_hash.as_str());
    let right = password.chars().count() <= gatehouse_domain::policy::PASSWORD_MAX_CHARS
        && app.hasher.verify(password, hash).await?;
    let now = app.clock.now();
    let unix = u64::try_from(now.unix_timestamp()).unwrap_or(0);
    // The second step: the app's code, or one of the recovery codes (used
    // up in the transaction that makes the session).
    let recovery = code.and_then(recovery_codes::hash_of);
    let second_factor_ok = |s: &StaffUser| match &s.totp_secret {
        None => true,
        Some(secret) => {
            code.is_some_and(|c| crate::totp::check(secret, c, unix)) || recovery.is_some()
        }
    };
    let signed_in = match staff.filter(|s| right && s.active && second_factor_ok(s)) {
        Some(staff) => start_session(app, staff, code, recovery.as_deref(), meta, now).await?,
        None => None,
    };
    let Some(session) = signed_in else {
        let mut tx = app.store.begin().await?;
        tx.append_audit(&audit::event(
            now,
            &Actor::system("console sign-in"),
            "staff.sign_in_failed",
            None,
            None,
            json!({"email": email.trim()}),
        ))
        .await?;
        tx.commit().await?;
        return Err(gatehouse_domain::SignInRefusal::InvalidCredentials.into());
    };
    Ok(session)
}

/// The console session of a staff user whose password was right: when the
/// second step was a recovery code (`recovery`, not the app's `code`), it
/// is used up first, and `None` answers a code already used.
async fn start_session(
    app: &App,
    staff: StaffUser,
    code: Option<&str>,
    recovery: Option<&[u8]>,
    meta: &RequestMeta,
    now: OffsetDateTime,
) -> AppResult<Option<NewStaffSession>> {
    let unix = u64::try_from(now.unix_timestamp()).unwrap_or(0);
    let app_step = match (&staff.totp_secret, code) {
        (Some(secret), Some(code)) => crate::totp::matched_step(secret, code, unix),
        _ => None,
    };
    let by_app = app_step.is_some();
    let mut tx = app.store.begin().await?;
    // Each code of the app is good once (RFC 6238 §5.2).
    if let Some(step) = app_step
        && !tx.use_staff_totp_step(staff.id, step).await?
    {
        return Ok(None);
    }
    let used_recovery = match (&staff.totp_secret, recovery) {
        (Some(_), Some(hash)) if !by_app => {
            if !tx.use_staff_recovery_code(staff.id, hash, now).await? {
                return Ok(None);
            }
            true
        }
        _ => false,
    };
    let token = secrets::new_token("");
    tx.insert_session(&Session {
        token_hash: secrets::token_hash(&token),
        owner: SessionOwner::Staff(staff.id),
        impersonator_id: None,
        csrf_token: secrets::new_token(""),
        created_at: now,
        last_seen_at: now,
        idle_expires_at: now + IDLE,
        absolute_expires_at: now + ABSOLUTE,
        ip: meta.ip.clone(),
        user_agent: meta
            .user_agent
            .as_deref()
            .map(|ua| ua.chars().take(200).collect()),
        sid: None,
        amr: None,
    })
    .await?;
    tx.record_staff_login(staff.id, now).await?;
    let actor = Actor {
        kind: "staff".into(),
        id: Some(staff.id),
        label: staff.email.clone(),
        ip: None,
    };
    tx.append_audit(&audit::event(
        now,
        &actor,
        "staff.sign_in",
        Some(("staff", staff.id)),
        None,
        json!({"ip": meta.ip, "recovery_code": used_recovery}),
    ))
    .await?;
    tx.commit().await?;
    Ok(Some(NewStaffSession {
        token,
        max_age_seconds: u32::try_from(ABSOLUTE.whole_seconds()).unwrap_or(28_800),
    }))
}

/// Audits a change a staff user made to their own sign-in (`action`), in
/// the caller's transaction.
async fn own_change(
    tx: &mut dyn gatehouse_store::Tx,
    caller: &StaffCaller,
    action: &str,
    now: OffsetDateTime,
) -> AppResult<()> {
    tx.append_audit(&audit::event(
        now,
        &caller.actor(),
        action,
        Some(("staff", caller.staff.id)),
        None,
        json!({}),
    ))
    .await?;
    Ok(())
}

/// Checks the caller's password and a current code of their authenticator
/// app (or an unused recovery code, used up here): what turning the app off
/// or making new recovery codes asks for.
async fn confirm_both(
    app: &App,
    tx: &mut dyn gatehouse_store::Tx,
    caller: &StaffCaller,
    password: &str,
    code: &str,
) -> AppResult<()> {
    let now = app.clock.now();
    let unix = u64::try_from(now.unix_timestamp()).unwrap_or(0);
    if !app
        .hasher
        .verify(password, Some(&caller.staff.password_hash))
        .await?
    {
        return Err(AppError::said(
            "password",
            Words::id("staff-current-password-wrong"),
            "the current password is not right",
        ));
    }
    let app_step = caller
        .staff
        .totp_secret
        .as_deref()
        .and_then(|s| crate::totp::matched_step(s, code.trim(), unix));
    let by_app = match app_step {
        Some(step) => tx.use_staff_totp_step(caller.staff.id, step).await?,
        None => false,
    };
    let by_recovery = match recovery_codes::hash_of(code) {
        Some(hash) if !by_app => {
            tx.use_staff_recovery_code(caller.staff.id, &hash, now)
                .await?
        }
        _ => false,
    };
    if by_app || by_recovery {
        Ok(())
    } else {
        Err(AppError::said(
            "code",
            Words::id("totp-wrong-code"),
            "that is not the code your app shows for this QR code now; enter the current six digits (they change every 30 seconds)",
        ))
    }
}

/// How many unused recovery codes the caller has.
#[tracing::instrument(name = "app.staff_auth.recovery_codes_left", level = "debug", skip_all)]
pub async fn recovery_codes_left(app: &App, caller: &StaffCaller) -> AppResult<i64> {
    let mut tx = app.store.read().await?;
    Ok(tx.staff_recovery_codes_left(caller.staff.id).await?)
}

/// New recovery codes for the caller (the old ones stop working), shown
/// once; asks for the password and a current code. Audited.
#[tracing::instrument(
    name = "app.staff_auth.renew_recovery_codes",
    level = "debug",
    skip_all
)]
pub async fn renew_recovery_codes(
    app: &App,
    caller: &StaffCaller,
    password: &str,
    code: &str,
) -> AppResult<Vec<String>> {
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    confirm_both(app, tx.as_mut(), caller, password, code).await?;
    let codes =
        fresh_recovery_codes(tx.as_mut(), caller, "staff.recovery_codes_renewed", now).await?;
    tx.commit().await?;
    Ok(codes)
}

/// New recovery codes for the caller in the caller's transaction (the old
/// ones go), audited as `action`; answers them, to show once.
async fn fresh_recovery_codes(
    tx: &mut dyn gatehouse_store::Tx,
    caller: &StaffCaller,
    action: &str,
    now: OffsetDateTime,
) -> AppResult<Vec<String>> {
    let (codes, hashes) = recovery_codes::new();
    tx.replace_staff_recovery_codes(caller.staff.id, &hashes, now)
        .await?;
    own_change(tx, caller, action, now).await?;
    Ok(codes)
}

/// Turns the caller's authenticator app off (to move to a new phone, or
/// for good): asks for the password and a current code; the recovery codes
/// go with it. Audited.
#[tracing::instrument(name = "app.staff_auth.turn_off_totp", level = "debug", skip_all)]
pub async fn turn_off_totp(
    app: &App,
    caller: &StaffCaller,
    password: &str,
    code: &str,
) -> AppResult<()> {
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    confirm_both(app, tx.as_mut(), caller, password, code).await?;
    tx.set_staff_totp(caller.staff.id, None).await?;
    tx.replace_staff_recovery_codes(caller.staff.id, &[], now)
        .await?;
    own_change(tx.as_mut(), caller, "staff.totp_off", now).await?;
    tx.commit().await?;
    Ok(())
}

/// The staff user of a console session token, if it is valid.
#[tracing::instrument(name = "app.staff_auth.by_session", level = "debug", skip_all)]
pub async fn by_session(app: &App, token: &str) -> AppResult<Option<StaffCaller>> {
    let now = app.clock.now();
    let hash = secrets::token_hash(token);
    let mut tx = app.store.read().await?;
    let Some(session) = tx.session_by_hash(&hash).await? else {
        return Ok(None);
    };
    let SessionOwner::Staff(staff_id) = session.owner else {
        return Ok(None);
    };
    let staff = tx.staff_by_id(staff_id).await?;
    let settings = installation::load_in(tx.as_mut()).await?;
    drop(tx);
    let live = now < session.idle_expires_at && now < session.absolute_expires_at;
    let Some(staff) = staff.filter(|s| s.active && live) else {
        let mut tx = app.store.begin().await?;
        tx.delete_session(&hash).await?;
        tx.commit().await?;
        return Ok(None);
    };
    if now - session.last_seen_at >= Duration::seconds(30) {
        let mut tx = app.store.begin().await?;
        tx.touch_session(&hash, now, (now + IDLE).min(session.absolute_expires_at))
            .await?;
        tx.commit().await?;
    }
    Ok(Some(StaffCaller {
        staff,
        via: Via::Session(hash, session.csrf_token),
        settings,
        ip: None,
    }))
}

/// The staff user of an API token, if it is valid (not revoked, not
/// expired, its owner active). Records its use.
#[tracing::instrument(name = "app.staff_auth.by_token", level = "debug", skip_all)]
pub async fn by_token(app: &App, secret: &str) -> AppResult<Option<StaffCaller>> {
    let now: OffsetDateTime = app.clock.now();
    let mut tx = app.store.read().await?;
    let Some(token) = tx.api_token_by_hash(&secrets::token_hash(secret)).await? else {
        return Ok(None);
    };
    if token.revoked_at.is_some() || token.expires_at.is_some_and(|t| t <= now) {
        return Ok(None);
    }
    let Some(staff) = tx.staff_by_id(token.staff_id).await?.filter(|s| s.active) else {
        return Ok(None);
    };
    let settings = installation::load_in(tx.as_mut()).await?;
    drop(tx);
    if token
        .last_used_at
        .is_none_or(|t| now - t >= Duration::minutes(1))
    {
        let mut tx = app.store.begin().await?;
        tx.touch_api_token(token.id, now).await?;
        tx.commit().await?;
    }
    let scopes = token
        .scopes
        .split_whitespace()
        .filter_map(|s| match s {
            "read" => Some(Scope::Read),
            "write" => Some(Scope::Write),
            "admin" => Some(Scope::Admin),
            _ => None,
        })
        .collect();
    Ok(Some(StaffCaller {
        staff,
        via: Via::Token(scopes),
        settings,
        ip: None,
    }))
}

/// Ends a console session.
#[tracing::instrument(name = "app.staff_auth.sign_out", level = "debug", skip_all)]
pub async fn sign_out(app: &App, token: &str) -> AppResult<()> {
    let mut tx = app.store.begin().await?;
    tx.delete_session(&secrets::token_hash(token)).await?;
    tx.commit().await?;
    Ok(())
}

/// Changes the caller's own password: the current one is asked for, the
/// new one must differ and pass the staff policy. Every console session of
/// theirs ends (this one too: they sign in with the new password), and the
/// change is audited.
#[tracing::instrument(name = "app.staff_auth.change_password", level = "debug", skip_all)]
pub async fn change_password(
    app: &App,
    caller: &StaffCaller,
    current: &str,
    new: &str,
) -> AppResult<()> {
    if !app
        .hasher
        .verify(current, Some(&caller.staff.password_hash))
        .await?
    {
        return Err(AppError::said(
            "current_password",
            Words::id("staff-current-password-wrong"),
            "the current password is not right",
        ));
    }
    if current == new {
        return Err(AppError::said(
            "new_password",
            Words::id("password-must-differ"),
            "the new password must differ from the current one",
        ));
    }
    let hash = password_hash(app, &caller.staff.email, new, "new_password").await?;
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    tx.set_staff_password(caller.staff.id, &hash).await?;
    tx.delete_staff_sessions(caller.staff.id).await?;
    own_change(tx.as_mut(), caller, "staff.password_change", now).await?;
    tx.commit().await?;
    Ok(())
}

/// The authenticator secret a staff user sets up: the one kept since the
/// set-up page first showed it (a reload or a wrong code shows the same QR
/// code), or a new one, kept until a code confirms it.
#[tracing::instrument(name = "app.staff_auth.enrolment_secret", level = "debug", skip_all)]
pub async fn enrolment_secret(app: &App, caller: &StaffCaller) -> AppResult<String> {
    let mut tx = app.store.begin().await?;
    if let Some(kept) = tx.staff_totp_pending(caller.staff.id).await? {
        return Ok(kept);
    }
    let secret = crate::totp::new_secret();
    tx.set_staff_totp_pending(caller.staff.id, Some(&secret))
        .await?;
    tx.commit().await?;
    Ok(secret)
}

/// Enrols the caller's second factor: the secret kept for them, proven by a
/// code from their authenticator. A wrong code changes nothing (the same QR
/// code stays on the page).
#[tracing::instrument(name = "app.staff_auth.enrol_totp", level = "debug", skip_all)]
pub async fn enrol_totp(app: &App, caller: &StaffCaller, code: &str) -> AppResult<Vec<String>> {
    let now = app.clock.now();
    let unix = u64::try_from(now.unix_timestamp()).unwrap_or(0);
    let mut tx = app.store.begin().await?;
    let Some(secret) = tx.staff_totp_pending(caller.staff.id).await? else {
        return Err(AppError::said(
            "code",
            Words::id("totp-not-started"),
            "open the set-up page again to get a code to scan",
        ));
    };
    let Some(step) = crate::totp::matched_step(&secret, code.trim(), unix) else {
        return Err(AppError::said(
            "code",
            Words::id("totp-wrong-code"),
            "that is not the code your app shows for this QR code now; enter the current six digits (they change every 30 seconds)",
        ));
    };
    tx.set_staff_totp(caller.staff.id, Some(&secret)).await?;
    tx.use_staff_totp_step(caller.staff.id, step).await?;
    let codes = fresh_recovery_codes(tx.as_mut(), caller, "staff.totp_enrol", now).await?;
    tx.commit().await?;
    Ok(codes)
}
