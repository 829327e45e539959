//! Two-step sign-in for customers: the authenticator app's code (RFC 6238)
//! after the password, ten single-use recovery codes for a lost phone, and
//! the site's rule of who must have it ([`gatehouse_domain::second_step`]).
//!
//! Invariants owned here:
//! - A session exists only once every step was right: after the password
//!   a sign-in is only *half done* ([`PendingStep`], a short-lived token
//!   whose hash is kept in the database, so any node finishes it), and
//!   finishing it is single-use (of two concurrent finishes one wins).
//! - A wrong code counts toward the account's lock as a wrong password
//!   does, and a locked, blocked or deleted account cannot finish. Each
//!   app code is accepted once (RFC 6238 §5.2), each recovery code too.
//! - The secret being set up is made once and kept until a code confirms
//!   it: a reload or a wrong code shows the same QR code.
//! - Turning it off, or making new recovery codes, asks for the password
//!   and a current code; turning it off mails the customer. Every change is
//!   audited.

use gatehouse_domain::{SecondStep, SignInOutcome, Status, Words, sign_in_gate};
use gatehouse_store::{Account, SignInStep, Site, Tx};
use serde_json::json;
use time::{Duration, OffsetDateTime};

use super::sessions::{Amr, Browser, Current, Earned, NewSession, start_session};
use super::{RequestMeta, count_refused_attempt, customer_actor};
use crate::mail::MailKey;
use crate::{App, AppError, AppResult, audit, recovery_codes, secrets, totp};

/// How long a half-done sign-in waits for its second step.
pub const STEP_TTL: Duration = Duration::minutes(10);

/// A sign-in half done: the token goes into a short-lived cookie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingStep {
    /// The cookie's value.
    pub token: String,
    /// The account has no second step and must set one up now.
    pub set_up: bool,
    /// Seconds the cookie lives.
    pub max_age_seconds: u32,
}

/// Records a sign-in half done, in the caller's transaction.
pub(crate) async fn begin(
    tx: &mut dyn Tx,
    account: &Account,
    asked: SecondStep,
    now: OffsetDateTime,
) -> AppResult<PendingStep> {
    let token = secrets::new_token("");
    let set_up = asked == SecondStep::SetUp;
    tx.insert_sign_in_step(&SignInStep {
        token_hash: secrets::token_hash(&token),
        account_id: account.id,
        set_up,
        created_at: now,
        expires_at: now + STEP_TTL,
    })
    .await?;
    Ok(PendingStep {
        token,
        set_up,
        max_age_seconds: u32::try_from(STEP_TTL.whole_seconds()).unwrap_or(600),
    })
}

/// A second step for the signed-in customer, when an app asks for a
/// sign-in of two steps and their session had one (the password): a code,
/// or setting one up if they have none. The session this gives replaces
/// theirs (the same single sign-on session, for the apps it signed in).
#[tracing::instrument(name = "app.portal.two_step.step_up", level = "debug", skip_all)]
pub async fn step_up(app: &App, current: &Current) -> AppResult<PendingStep> {
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    let (account, _) = super::sessions::still_signed_in(tx.as_mut(), current, now).await?;
    let on = tx
        .second_step(account.id)
        .await?
        .is_some_and(|s| s.totp_secret.is_some());
    let asked = if on {
        SecondStep::Code
    } else {
        SecondStep::SetUp
    };
    let step = begin(tx.as_mut(), &account, asked, now).await?;
    tx.commit().await?;
    Ok(step)
}

/// What the second step's page shows.
#[derive(Debug, Clone)]
pub struct StepView {
    /// The login ID signing in.
    pub login_id: String,
    /// Setting up (else: asking for a code).
    pub set_up: bool,
    /// When setting up: the secret to scan or type.
    pub enrolment: Option<Enrolment>,
}

/// A secret being set up, as the page shows it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Enrolment {
    /// The secret (base32), to type into the app.
    pub secret: String,
    /// The `otpauth://` address (the QR code's content).
    pub otpauth_url: String,
}

/// The refusal of a step that is unknown, used or expired: sign in again.
fn step_gone() -> AppError {
    AppError::SignedOut
}

/// The half-done sign-in of a token and its account, on this site, if it
/// is still good.
async fn load_step(
    tx: &mut dyn Tx,
    site: &Site,
    token: &str,
    now: OffsetDateTime,
) -> AppResult<(SignInStep, Account)> {
    let step = tx
        .sign_in_step(&secrets::token_hash(token), now)
        .await?
        .ok_or_else(step_gone)?;
    let account = tx
        .account_by_id(step.account_id)
        .await?
        .filter(|a| a.site_id == site.id && a.state.status(now) != Status::Deleted)
        .ok_or_else(step_gone)?;
    Ok((step, account))
}

/// The name of the site's entry in the authenticator app.
fn issuer(site: &Site) -> &str {
    site.settings.brand_name.as_deref().unwrap_or(&site.name)
}

/// The secret an account sets up: the one kept since it was first shown,
/// or a new one, kept until a code confirms it.
async fn kept_secret(
    tx: &mut dyn Tx,
    site: &Site,
    account: &Account,
) -> AppResult<(Enrolment, bool)> {
    let kept = tx.second_step(account.id).await?;
    let (secret, made) = match kept.and_then(|k| k.totp_pending) {
        Some(secret) => (secret, false),
        None => {
            let secret = totp::new_secret();
            tx.set_totp_pending(account.id, Some(&secret)).await?;
            (secret, true)
        }
    };
    let otpauth_url = totp::otpauth_url(&secret, issuer(site), &account.login_id)?;
    Ok((
        Enrolment {
            secret,
            otpauth_url,
        },
        made,
    ))
}

/// What the second step's page shows for a half-done sign-in (a new
/// secret to set up is kept from here on).
#[tracing::instrument(name = "app.portal.two_step.step", level = "debug", skip_all)]
pub async fn step(app: &App, site: &Site, token: &str) -> AppResult<StepView> {
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    let (step, account) = load_step(tx.as_mut(), site, token, now).await?;
    let enrolment = if step.set_up {
        let (enrolment, made) = kept_secret(tx.as_mut(), site, &account).await?;
        if made {
            tx.commit().await?;
        }
        Some(enrolment)
    } else {
        None
    };
    Ok(StepView {
        login_id: account.login_id,
        set_up: step.set_up,
        enrolment,
    })
}

/// A sign-in finished.
#[derive(Debug)]
pub struct Finished {
    /// The new session.
    pub session: NewSession,
    /// Recovery codes made now (the second step was just set up), shown
    /// once; else empty.
    pub recovery_codes: Vec<String>,
}

/// The words of a wrong code, at sign-in and on the profile.
fn wrong_code() -> AppError {
    AppError::said(
        "code",
        Words::id("two-step-wrong-code"),
        "that code is not right: enter the six digits your authenticator app shows now, or one of your recovery codes",
    )
}

/// How a typed code proved the second step.
enum Proof {
    /// The app's current code.
    App,
    /// A recovery code, used up in the transaction.
    Recovery,
}

/// Checks a typed code against the account's secret, or uses up one of its
/// recovery codes, in the caller's transaction; `None` when it is neither.
async fn prove(
    tx: &mut dyn Tx,
    account_id: uuid::Uuid,
    secret: &str,
    typed: &str,
    now: OffsetDateTime,
) -> AppResult<Option<Proof>> {
    let unix = u64::try_from(now.unix_timestamp()).unwrap_or(0);
    if let Some(step) = totp::matched_step(secret, typed, unix) {
        // Each code is good once: one used already is refused as wrong.
        let fresh = tx.use_totp_step(account_id, step).await?;
        return Ok(fresh.then_some(Proof::App));
    }
    if let Some(hash) = recovery_codes::hash_of(typed)
        && tx.use_recovery_code(account_id, &hash, now).await?
    {
        return Ok(Some(Proof::Recovery));
    }
    Ok(None)
}

/// Counts a wrong code toward the account's lock and answers the refusal.
async fn count_wrong_code(app: &App, site: &Site, account: &Account) -> AppResult<AppError> {
    count_refused_attempt(app, site, account.id).await?;
    Ok(wrong_code())
}

/// Finishes a half-done sign-in with the code typed: the app's current
/// code or a recovery code when asked for one; when setting up, the code
/// of the secret shown, which turns two-step sign-in on and makes the
/// recovery codes. Then the session starts as after a password
/// ([`super::sign_in::sign_in`] says how `replacing` is treated).
#[tracing::instrument(name = "app.portal.two_step.finish", level = "debug", skip_all)]
pub async fn finish(
    app: &App,
    site: &Site,
    token: &str,
    code: &str,
    meta: &RequestMeta,
    replacing: Option<&Current>,
) -> AppResult<Finished> {
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    let (step, account) = load_step(tx.as_mut(), site, token, now).await?;
    // Locked by wrong codes a moment ago, or blocked by staff since the
    // password: the reason is named, as after a right password.
    let outcome = sign_in_gate(&account.state, now)?;
    let kept = tx.second_step(account.id).await?;
    let mut recovery = Vec::new();
    let used_recovery = if step.set_up {
        let pending = kept.and_then(|k| k.totp_pending).ok_or_else(step_gone)?;
        let unix = u64::try_from(now.unix_timestamp()).unwrap_or(0);
        let Some(step) = totp::matched_step(&pending, code, unix) else {
            drop(tx);
            return Err(count_wrong_code(app, site, &account).await?);
        };
        tx.turn_on_totp(account.id, &pending, now).await?;
        tx.use_totp_step(account.id, step).await?;
        recovery = fresh_recovery_codes(tx.as_mut(), &account, now).await?;
        false
    } else {
        // Turned off (by staff) since the password: begin again.
        let secret = kept.and_then(|k| k.totp_secret).ok_or_else(step_gone)?;
        match prove(tx.as_mut(), account.id, &secret, code, now).await? {
            Some(proof) => matches!(proof, Proof::Recovery),
            None => {
                drop(tx);
                return Err(count_wrong_code(app, site, &account).await?);
            }
        }
    };
    if !tx.delete_sign_in_step(&step.token_hash).await? {
        return Err(step_gone());
    }
    tx.touch_second_step(account.id, now).await?;
    let action = if step.set_up {
        Some("account.two_step_on")
    } else if used_recovery {
        Some("account.recovery_code_used")
    } else {
        None
    };
    if let Some(action) = action {
        audit_own(tx.as_mut(), site, &account, action, now).await?;
    }
    let earned = Earned {
        amr: Amr::PasswordAndCode,
        must_change_password: outcome == SignInOutcome::MustChangePassword,
    };
    let browser = Browser { meta, replacing };
    let session = start_session(app, tx.as_mut(), site, account, earned, browser, now).await?;
    tx.commit().await?;
    Ok(Finished {
        session,
        recovery_codes: recovery,
    })
}

/// Audits a change a customer made to their own sign-in.
async fn audit_own(
    tx: &mut dyn Tx,
    site: &Site,
    account: &Account,
    action: &str,
    now: OffsetDateTime,
) -> AppResult<()> {
    tx.append_audit(&audit::event(
        now,
        &customer_actor(account),
        action,
        Some(("account", account.id)),
        Some(site.id),
        json!({}),
    ))
    .await?;
    Ok(())
}

/// New recovery codes for the account (the old ones stop working), in the
/// caller's transaction; answers them, to show once.
async fn fresh_recovery_codes(
    tx: &mut dyn Tx,
    account: &Account,
    now: OffsetDateTime,
) -> AppResult<Vec<String>> {
    let (codes, hashes) = recovery_codes::new();
    tx.replace_recovery_codes(account.id, &hashes, now).await?;
    Ok(codes)
}

/// Mails the customer of a half-done sign-in (the password was right) a
/// single-use link that turns two-step sign-in off: the phone and the
/// recovery codes are lost, and the mail proves the address. The sign-in
/// itself stays half done. Audited.
#[tracing::instrument(
    name = "app.portal.two_step.mail_lost_phone_link",
    level = "debug",
    skip_all
)]
pub async fn mail_lost_phone_link(app: &App, site: &Site, token: &str) -> AppResult<()> {
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    let (step, account) = load_step(tx.as_mut(), site, token, now).await?;
    if step.set_up {
        // Nothing to lose: it is being set up.
        return Err(step_gone());
    }
    let link = crate::account_mail::issue_link(
        app,
        tx.as_mut(),
        site,
        &account,
        gatehouse_store::LinkPurpose::TwoStepReset,
        now,
    )
    .await?;
    crate::account_mail::mail_account(
        tx.as_mut(),
        site,
        &account,
        MailKey::TwoStepReset,
        Some(link.url),
        Some(link.ttl_seconds),
        now,
    )
    .await?;
    audit_own(
        tx.as_mut(),
        site,
        &account,
        "account.two_step_reset_asked",
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Whether a lost-phone link can still be used (for showing its page).
#[tracing::instrument(
    name = "app.portal.two_step.lost_phone_link_valid",
    level = "debug",
    skip_all
)]
pub async fn lost_phone_link_valid(app: &App, token: &str) -> AppResult<bool> {
    let mut tx = app.store.read().await?;
    let found = tx
        .peek_link_token(
            &secrets::token_hash(token),
            gatehouse_store::LinkPurpose::TwoStepReset,
            app.clock.now(),
        )
        .await?;
    Ok(found.is_some())
}

/// Follows a lost-phone link (once): two-step sign-in is turned off, its
/// recovery codes go, and the customer is mailed; they sign in with the
/// password (and, where the site requires two steps, set up a new phone
/// before anything else). Audited.
#[tracing::instrument(name = "app.portal.two_step.reset_by_link", level = "debug", skip_all)]
pub async fn reset_by_link(app: &App, site: &Site, token: &str) -> AppResult<()> {
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    let used = tx
        .consume_link_token(
            &secrets::token_hash(token),
            gatehouse_store::LinkPurpose::TwoStepReset,
            now,
        )
        .await?
        .ok_or(AppError::LinkInvalid)?;
    let account = match used.account_id {
        Some(id) => tx.account_by_id(id).await?,
        None => None,
    }
    .filter(|a| a.site_id == site.id)
    .ok_or(AppError::LinkInvalid)?;
    remove(tx.as_mut(), site, &account, now).await?;
    audit_own(
        tx.as_mut(),
        site,
        &account,
        "account.two_step_reset_by_mail",
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Where a signed-in customer's two-step sign-in stands.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TwoStepStatus {
    /// Turned on.
    pub on: bool,
    /// Unused recovery codes left.
    pub recovery_codes_left: i64,
    /// Last used to sign in.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_used_at: Option<OffsetDateTime>,
    /// The site offers it (when off, it cannot be turned on).
    pub offered: bool,
    /// The site requires it of this customer: turned off, it is set up
    /// again at the next sign-in.
    pub required: bool,
}

/// Where the signed-in customer's two-step sign-in stands.
#[tracing::instrument(name = "app.portal.two_step.status", level = "debug", skip_all)]
pub async fn status(app: &App, current: &Current) -> AppResult<TwoStepStatus> {
    let mut tx = app.store.read().await?;
    let kept = tx.second_step(current.account.id).await?;
    let left = tx.recovery_codes_left(current.account.id).await?;
    let rule = current.site.settings.two_step;
    let on = kept.as_ref().is_some_and(|k| k.totp_secret.is_some());
    Ok(TwoStepStatus {
        on,
        recovery_codes_left: if on { left } else { 0 },
        last_used_at: kept.and_then(|k| k.last_used_at),
        offered: rule.offered() || on,
        required: rule.requires(current.account.role),
    })
}

/// The refusal of a change to two-step sign-in that the site does not
/// offer, or that staff looking at the portal as the customer try.
fn may_change(current: &Current, turning_on: bool) -> AppResult<()> {
    if current.session.impersonator_id.is_some() {
        return Err(AppError::Forbidden {
            code: "impersonating",
            message: "two-step sign-in cannot be changed while impersonating a customer".into(),
        });
    }
    if turning_on && !current.site.settings.two_step.offered() {
        return Err(AppError::Forbidden {
            code: "two_step_not_offered",
            message: "this site does not offer two-step sign-in".into(),
        });
    }
    Ok(())
}

/// The secret the signed-in customer sets up (kept until a code confirms
/// it, so a reload shows the same QR code).
#[tracing::instrument(name = "app.portal.two_step.enrolment", level = "debug", skip_all)]
pub async fn enrolment(app: &App, current: &Current) -> AppResult<Enrolment> {
    may_change(current, true)?;
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    let (account, _) = super::sessions::still_signed_in(tx.as_mut(), current, now).await?;
    let (enrolment, made) = kept_secret(tx.as_mut(), &current.site, &account).await?;
    if made {
        tx.commit().await?;
    }
    Ok(enrolment)
}

/// Turns two-step sign-in on for the signed-in customer with a code of the
/// secret shown; answers the recovery codes, to show once. A wrong code
/// changes nothing (the same QR code stays).
#[tracing::instrument(name = "app.portal.two_step.turn_on", level = "debug", skip_all)]
pub async fn turn_on(app: &App, current: &Current, code: &str) -> AppResult<Vec<String>> {
    may_change(current, true)?;
    let now = app.clock.now();
    let unix = u64::try_from(now.unix_timestamp()).unwrap_or(0);
    let mut tx = app.store.begin().await?;
    let (account, _) = super::sessions::still_signed_in(tx.as_mut(), current, now).await?;
    let kept = tx.second_step(account.id).await?;
    if kept.as_ref().is_some_and(|k| k.totp_secret.is_some()) {
        return Err(AppError::Conflict(
            "two-step sign-in is on already".to_string(),
        ));
    }
    let Some(pending) = kept.and_then(|k| k.totp_pending) else {
        return Err(AppError::said(
            "code",
            Words::id("totp-not-started"),
            "open the set-up page again to get a code to scan",
        ));
    };
    let Some(step) = totp::matched_step(&pending, code, unix) else {
        return Err(AppError::said(
            "code",
            Words::id("totp-wrong-code"),
            "that is not the code your app shows for this QR code now; enter the current six digits (they change every 30 seconds)",
        ));
    };
    tx.turn_on_totp(account.id, &pending, now).await?;
    tx.use_totp_step(account.id, step).await?;
    let codes = fresh_recovery_codes(tx.as_mut(), &account, now).await?;
    audit_own(
        tx.as_mut(),
        &current.site,
        &account,
        "account.two_step_on",
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(codes)
}

/// Checks the signed-in customer's password and a current code (or a
/// recovery code, used up here), in the caller's transaction: what turning
/// two-step sign-in off or making new recovery codes asks for. Wrong
/// answers count toward the lock.
async fn confirm_both(
    app: &App,
    tx: &mut dyn Tx,
    current: &Current,
    password: &str,
    code: &str,
    now: OffsetDateTime,
) -> AppResult<Account> {
    let (account, _) = super::sessions::still_signed_in(tx, current, now).await?;
    let secret = tx
        .second_step(account.id)
        .await?
        .and_then(|k| k.totp_secret)
        .ok_or_else(|| AppError::Conflict("two-step sign-in is off".to_string()))?;
    let password_right = password.chars().count() <= gatehouse_domain::policy::PASSWORD_MAX_CHARS
        && app
            .hasher
            .verify(password, account.password_hash.as_deref())
            .await?;
    if !password_right {
        return Err(AppError::said(
            "password",
            Words::id("password-current-wrong"),
            "the current password is not right",
        ));
    }
    if prove(tx, account.id, &secret, code, now).await?.is_none() {
        return Err(wrong_code());
    }
    Ok(account)
}

/// Runs `confirm_both` in a new transaction, answered with the account
/// when both were right; a wrong answer counts toward the lock (once that
/// transaction is over: SQLite has one writer at a time).
async fn confirmed(
    app: &App,
    current: &Current,
    password: &str,
    code: &str,
    now: OffsetDateTime,
) -> AppResult<(Box<dyn Tx>, Account)> {
    let mut tx = app.store.begin().await?;
    match confirm_both(app, tx.as_mut(), current, password, code, now).await {
        Ok(account) => Ok((tx, account)),
        Err(e @ AppError::Invalid { .. }) => {
            drop(tx);
            count_refused_attempt(app, &current.site, current.account.id).await?;
            Err(e)
        }
        Err(e) => Err(e),
    }
}

/// New recovery codes for the signed-in customer (the old ones stop
/// working), shown once; asks for the password and a current code.
#[tracing::instrument(
    name = "app.portal.two_step.renew_recovery_codes",
    level = "debug",
    skip_all
)]
pub async fn renew_recovery_codes(
    app: &App,
    current: &Current,
    password: &str,
    code: &str,
) -> AppResult<Vec<String>> {
    may_change(current, false)?;
    let now = app.clock.now();
    let (mut tx, account) = confirmed(app, current, password, code, now).await?;
    let codes = fresh_recovery_codes(tx.as_mut(), &account, now).await?;
    audit_own(
        tx.as_mut(),
        &current.site,
        &account,
        "account.recovery_codes_renewed",
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(codes)
}

/// Turns two-step sign-in off for the signed-in customer (to move to a new
/// phone, or for good): asks for the password and a current code; the
/// recovery codes go with it, and the customer is mailed.
#[tracing::instrument(name = "app.portal.two_step.turn_off", level = "debug", skip_all)]
pub async fn turn_off(app: &App, current: &Current, password: &str, code: &str) -> AppResult<()> {
    may_change(current, false)?;
    let now = app.clock.now();
    let (mut tx, account) = confirmed(app, current, password, code, now).await?;
    remove(tx.as_mut(), &current.site, &account, now).await?;
    audit_own(
        tx.as_mut(),
        &current.site,
        &account,
        "account.two_step_off",
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Removes an account's second step and recovery codes, mailing the
/// customer when there was one, in the caller's transaction: what the
/// customer's own turning off and staff's removal for a lost phone share.
/// Answers whether there was one.
pub(crate) async fn remove(
    tx: &mut dyn Tx,
    site: &Site,
    account: &Account,
    now: OffsetDateTime,
) -> AppResult<bool> {
    let was_on = tx.turn_off_second_step(account.id).await?;
    if was_on {
        crate::account_mail::mail_account(tx, site, account, MailKey::TwoStepOff, None, None, now)
            .await?;
    }
    Ok(was_on)
}
