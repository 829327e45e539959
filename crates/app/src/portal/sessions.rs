//! Customer sessions: made at sign-in (a new token every time) once every
//! step was right ([`start_session`], which the password sign-in and the
//! second step share), found by the hash of the cookie's token, ended by
//! idle time, absolute time, sign-out, or any change that revokes them
//! (password, block, delete). A session records how it was earned
//! ([`Amr`]), for the ID tokens of the apps it signs in.
//!
//! Invariant owned here: a read may use a recent copy of its session
//! ([`crate::recent`]); a write checks it again inside its own transaction
//! (`still_signed_in`), so a session ended a moment ago on any node can
//! change nothing.

use gatehouse_domain::{Event, SignInOutcome, sign_in_gate};
use gatehouse_store::{Account, Session, SessionOwner, Site, Tx};
use time::{Duration, OffsetDateTime};

use std::sync::Arc;

use super::RequestMeta;
use crate::recent::SessionRead;
use crate::{App, AppError, AppResult, secrets};

/// A session just made: the token goes into the cookie and nowhere else.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// The cookie's value.
    pub token: String,
    /// The CSRF token of its forms.
    pub csrf_token: String,
    /// The password must be changed before anything else.
    pub must_change_password: bool,
    /// Seconds until the session ends whatever happens (the cookie's age).
    pub max_age_seconds: u32,
}

/// A signed-in customer, as a request sees it (shared with the recent-reads
/// cache: nothing here is copied per request).
#[derive(Debug, Clone)]
pub struct Current {
    /// The site.
    pub site: Arc<Site>,
    /// The account.
    pub account: Arc<Account>,
    /// The session.
    pub session: Arc<Session>,
    /// Only changing the password is allowed until it is done.
    pub must_change_password: bool,
}

/// How a customer signed in, as ID tokens say it (RFC 8176 `amr`) and as
/// the session keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Amr {
    /// The password alone.
    Password,
    /// The password and a one-time code (the authenticator app's, or a
    /// recovery code).
    PasswordAndCode,
    /// A passkey: a key kept by a device, unlocked by the customer (both
    /// steps in one).
    Passkey,
}

impl Amr {
    /// The stored words, space-separated: `amr`'s values.
    pub fn as_str(self) -> &'static str {
        match self {
            Amr::Password => "pwd",
            Amr::PasswordAndCode => "pwd otp mfa",
            Amr::Passkey => "hwk mfa",
        }
    }

    /// How the session was signed in to (a session stored before this was
    /// recorded, or a staff user's view of the portal: the password).
    pub fn of(session: &Session) -> Amr {
        Amr::parse(session.amr.as_deref())
    }

    /// The stored words read back; anything unknown is the password alone,
    /// which claims the least.
    pub fn parse(stored: Option<&str>) -> Amr {
        [Amr::PasswordAndCode, Amr::Passkey]
            .into_iter()
            .find(|a| stored == Some(a.as_str()))
            .unwrap_or(Amr::Password)
    }

    /// The assurance level ID tokens carry as `acr`: `1` for one factor,
    /// `2` for two.
    pub fn acr(self) -> &'static str {
        match self {
            Amr::Password => "1",
            Amr::PasswordAndCode | Amr::Passkey => "2",
        }
    }
}

/// How a new session was earned: the steps the customer took, and whether
/// the password must be changed before anything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Earned {
    /// The steps.
    pub amr: Amr,
    /// Only changing the password is allowed until it is done.
    pub must_change_password: bool,
}

/// Activity more frequent than this does not move the idle expiry again: it
/// saves a write per request.
const TOUCH_EVERY: Duration = Duration::seconds(30);

/// Makes a session for an account in the caller's transaction.
///
/// The session is known to apps by `sid` when given (a sign-in of the same
/// customer continuing the single sign-on session it replaces), else by a
/// new one.
pub(crate) async fn create(
    tx: &mut dyn Tx,
    site: &Site,
    account: &Account,
    earned: Earned,
    meta: &RequestMeta,
    now: OffsetDateTime,
    sid: Option<String>,
) -> AppResult<NewSession> {
    let token = secrets::new_token("");
    let token_hash = secrets::token_hash(&token);
    let sid = sid.unwrap_or_else(|| crate::oidc::derived_sid(&token_hash));
    let csrf_token = secrets::new_token("");
    let settings = &site.settings;
    let absolute = now + Duration::seconds(i64::from(settings.session_absolute_seconds));
    let idle = (now + Duration::seconds(i64::from(settings.session_idle_seconds))).min(absolute);
    tx.insert_session(&Session {
        token_hash,
        owner: SessionOwner::Account(account.id),
        impersonator_id: None,
        csrf_token: csrf_token.clone(),
        created_at: now,
        last_seen_at: now,
        idle_expires_at: idle,
        absolute_expires_at: absolute,
        ip: meta.ip.clone(),
        user_agent: meta
            .user_agent
            .as_deref()
            .map(|ua| ua.chars().take(200).collect()),
        sid: Some(sid),
        amr: Some(earned.amr.as_str().to_string()),
    })
    .await?;
    Ok(NewSession {
        token,
        csrf_token,
        must_change_password: earned.must_change_password,
        max_age_seconds: settings.session_absolute_seconds,
    })
}

/// Saves what a sign-in changed of an account; one changed in between
/// (another sign-in, staff) keeps its own, as the password was right and
/// only the bookkeeping is skipped.
pub(crate) async fn save_bookkeeping(tx: &mut dyn Tx, account: &Account) -> AppResult<()> {
    match tx.save_account(account).await {
        Err(gatehouse_store::StoreError::Stale) => Ok(()),
        other => other.map(|_| ()).map_err(AppError::from),
    }
}

/// The browser signing in: who asks, and the session it has, if any.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Browser<'a> {
    /// Address and browser, for the session.
    pub(crate) meta: &'a RequestMeta,
    /// The session this browser had, ended (or continued, for the same
    /// customer) when the new one starts.
    pub(crate) replacing: Option<&'a Current>,
}

/// Starts the session of an account whose every step was right, in the
/// caller's transaction: the sign-in is recorded by the lifecycle, and the
/// browser's old session ends, or is continued when it was the same
/// customer's.
pub(crate) async fn start_session(
    app: &App,
    tx: &mut dyn Tx,
    site: &Site,
    mut account: Account,
    earned: Earned,
    browser: Browser<'_>,
    now: OffsetDateTime,
) -> AppResult<NewSession> {
    crate::lifecycle::apply(app, tx, site, &mut account, Event::SignedIn, now).await?;
    save_bookkeeping(tx, &account).await?;
    let mut continued = None;
    if let Some(old) = browser.replacing {
        let same = old.account.id == account.id && old.session.impersonator_id.is_none();
        if same {
            tx.delete_session(&old.session.token_hash).await?;
            continued = Some(crate::oidc::session_sid(&old.session));
        } else {
            end(tx, &old.session.token_hash, now).await?;
        }
    }
    create(tx, site, &account, earned, browser.meta, now, continued).await
}

/// The signed-in customer of a session token on a site, or `None` when the
/// token is unknown, expired, of another site, or its account may no longer
/// sign in (such a session is ended on the spot).
#[tracing::instrument(name = "app.portal.sessions.authenticate", level = "debug", skip_all)]
pub async fn authenticate(app: &App, site_key: &str, token: &str) -> AppResult<Option<Current>> {
    let Some(read) = read_session(app, token).await? else {
        return Ok(None);
    };
    if read.site.key != site_key {
        return Ok(None);
    }
    check(app, &read).await
}

/// [`authenticate`] for a caller that has loaded the site already (a portal
/// page has it for its look and language).
#[tracing::instrument(
    name = "app.portal.sessions.authenticate_on",
    level = "debug",
    skip_all
)]
pub async fn authenticate_on(app: &App, site: &Site, token: &str) -> AppResult<Option<Current>> {
    let Some(read) = read_session(app, token).await? else {
        return Ok(None);
    };
    if read.site.id != site.id {
        return Ok(None);
    }
    check(app, &read).await
}

/// The session of a token with its account and the account's site, in one
/// read (or a recent copy of it: see [`crate::recent`]); the read keeps a
/// copy of the customer's profile fields too.
async fn read_session(app: &App, token: &str) -> AppResult<Option<Arc<SessionRead>>> {
    let hash = secrets::token_hash(token);
    let writes = app.store.changes_seen();
    if let Some(hit) = app.recent.sessions.get_unchanged(&hash, app.store.as_ref()) {
        return Ok(Some(hit));
    }
    let mut tx = app.store.read().await?;
    let Some(session) = tx.session_by_hash(&hash).await? else {
        return Ok(None);
    };
    let SessionOwner::Account(account_id) = session.owner else {
        return Ok(None);
    };
    let Some(account) = tx.account_by_id(account_id).await? else {
        return Ok(None);
    };
    let Some(site) = tx.site_by_id(account.site_id).await? else {
        return Ok(None);
    };
    // The customer's profile fields in the same read: most signed-in pages
    // and calls show them next (`profile`), and they then cost no second
    // transaction.
    let customer = match account.customer_id {
        Some(id) => tx.customer_by_id(id).await?,
        None => None,
    };
    drop(tx);
    if let Some(customer) = customer {
        app.recent.fields.put_about(
            customer.id,
            writes,
            vec![customer.id],
            Arc::new(customer.fields),
        );
    }
    // What the copy holds changes with the session, its account, or the
    // account's customer (a deleted customer takes the account with it).
    let mut subjects = vec![gatehouse_store::session_subject(&hash), account.id];
    subjects.extend(account.customer_id);
    let read = Arc::new(SessionRead {
        site: Arc::new(site),
        session: Arc::new(session),
        account: Arc::new(account),
    });
    app.recent
        .sessions
        .put_about(hash, writes, subjects, Arc::clone(&read));
    Ok(Some(read))
}

/// Whether a session of this account holds at `now`: not expired, and the
/// account may still sign in. `None` when it does not; else whether the
/// password must be changed first (never for staff looking at the portal
/// as the customer: they may not change it, so they are not held at that
/// page). The one rule of [`check`] and [`still_signed_in`].
fn holds(session: &Session, account: &Account, now: OffsetDateTime) -> Option<bool> {
    let expired = now >= session.idle_expires_at || now >= session.absolute_expires_at;
    let gate = sign_in_gate(&account.state, now).ok()?;
    (!expired)
        .then_some(gate == SignInOutcome::MustChangePassword && session.impersonator_id.is_none())
}

/// The account of `current` as it stands inside a write's own transaction,
/// with whether its password must be changed first. A session that ended or
/// expired, or an account that may no longer sign in, refuses the write
/// ([`AppError::SignedOut`]) whatever a copy of an earlier read said: a
/// block, sign-out or password change a moment ago on another node stops
/// every later write, on every node.
pub(crate) async fn still_signed_in(
    tx: &mut dyn Tx,
    current: &Current,
    now: OffsetDateTime,
) -> AppResult<(Account, bool)> {
    let session = tx
        .session_by_hash(&current.session.token_hash)
        .await?
        .ok_or(AppError::SignedOut)?;
    if session.owner != SessionOwner::Account(current.account.id) {
        return Err(AppError::SignedOut);
    }
    let account = tx
        .account_by_id(current.account.id)
        .await?
        .ok_or(AppError::SignedOut)?;
    let must_change = holds(&session, &account, now).ok_or(AppError::SignedOut)?;
    Ok((account, must_change))
}

/// Whether the session read is still good at this moment: ends it when it
/// expired or its account may no longer sign in; moves its idle expiry on.
async fn check(app: &App, read: &SessionRead) -> AppResult<Option<Current>> {
    let now = app.clock.now();
    let session = &read.session;
    let hash = &session.token_hash;
    let held = holds(session, &read.account, now);
    let Some(must_change_password) = held else {
        let mut tx = app.store.begin().await?;
        tx.delete_session(hash).await?;
        tx.commit().await?;
        return Ok(None);
    };
    if now - session.last_seen_at >= TOUCH_EVERY {
        let idle = (now + Duration::seconds(i64::from(read.site.settings.session_idle_seconds)))
            .min(session.absolute_expires_at);
        let mut tx = app.store.begin().await?;
        tx.touch_session(hash, now, idle).await?;
        tx.commit().await?;
    }
    Ok(Some(Current {
        site: Arc::clone(&read.site),
        account: Arc::clone(&read.account),
        session: Arc::clone(&read.session),
        must_change_password,
    }))
}

/// Ends the session of this token (signing out), and with it what the
/// session signed in to apps (single logout, keeping grants an app holds
/// for offline use); unknown tokens are fine.
#[tracing::instrument(name = "app.portal.sessions.sign_out", level = "debug", skip_all)]
pub async fn sign_out(app: &App, token: &str) -> AppResult<()> {
    let mut tx = app.store.begin().await?;
    end(tx.as_mut(), &secrets::token_hash(token), app.clock.now()).await?;
    tx.commit().await?;
    Ok(())
}

/// Ends the session of `token_hash` and what it signed in to apps (keeping
/// offline grants), in the caller's transaction.
pub(crate) async fn end(tx: &mut dyn Tx, token_hash: &[u8], now: OffsetDateTime) -> AppResult<()> {
    if let Some(session) = tx.session_by_hash(token_hash).await? {
        tx.delete_session(token_hash).await?;
        crate::oidc::end_session_grants(tx, &crate::oidc::session_sid(&session), true, now).await?;
    }
    Ok(())
}

/// A session as its owner sees it in the list of their sessions.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SessionView {
    /// Identifies the session for "sign out" (the hex of its stored hash;
    /// the token cannot be derived from it).
    pub id: String,
    /// Signed in at.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Last request.
    #[serde(with = "time::serde::rfc3339")]
    pub last_seen_at: OffsetDateTime,
    /// Client address at sign-in.
    pub ip: Option<String>,
    /// Browser at sign-in.
    pub user_agent: Option<String>,
    /// This is the session asking.
    pub current: bool,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The customer's sessions, newest first.
#[tracing::instrument(name = "app.portal.sessions.list", level = "debug", skip_all)]
pub async fn list(app: &App, current: &Current) -> AppResult<Vec<SessionView>> {
    let mut tx = app.store.read().await?;
    let now = app.clock.now();
    let sessions = tx.list_account_sessions(current.account.id).await?;
    Ok(sessions
        .into_iter()
        .filter(|s| now < s.idle_expires_at && now < s.absolute_expires_at)
        .map(|s| SessionView {
            id: hex(&s.token_hash),
            current: s.token_hash == current.session.token_hash,
            created_at: s.created_at,
            last_seen_at: s.last_seen_at,
            ip: s.ip,
            user_agent: s.user_agent,
        })
        .collect())
}

/// Ends every other session of the customer; answers how many.
#[tracing::instrument(
    name = "app.portal.sessions.sign_out_others",
    level = "debug",
    skip_all
)]
pub async fn sign_out_others(app: &App, current: &Current) -> AppResult<u64> {
    let mut tx = app.store.begin().await?;
    let now = app.clock.now();
    still_signed_in(tx.as_mut(), current, now).await?;
    let n = crate::lifecycle::sign_out_everywhere(
        tx.as_mut(),
        current.account.id,
        Some(&current.session.token_hash),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}
