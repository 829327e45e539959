//! The customer self-service use cases of a portal site:
//! register, activate, sign in and out, sessions, forgotten and changed
//! passwords, profile. The web layer's pages and JSON API both call these, so
//! they behave identically.
//!
//! Invariants owned here:
//! - No answer reveals whether a login ID or address exists: unknown and
//!   known addresses get the same result from register, resend and forgot
//!   password; sign-in names a reason only after the right password.
//! - Every link token is 256 random bits stored hashed, single-use, expiring;
//!   issuing a new one voids the older ones of its purpose.
//! - Every mail is queued in the transaction of the change that causes it.

pub mod activate;
pub mod password;
pub mod profile;
pub mod register;
pub mod reset;
pub mod sessions;
pub mod sign_in;
pub mod team;

use gatehouse_domain::{Email, Event, Lock, SiteSettings, decide};
use gatehouse_store::{Account, Actor, LinkPurpose, LinkToken, Site, Tx};
use serde_json::json;
use time::{Duration, OffsetDateTime};

use crate::mail::{self, MailKey, MailVars};
use crate::{App, AppError, AppResult, audit, secrets};

/// Who is asking, for sessions and the audit trail.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    /// Client address.
    pub ip: Option<String>,
    /// Browser.
    pub user_agent: Option<String>,
}

/// The site with this key, or not found.
pub async fn load_site(tx: &mut dyn Tx, key: &str) -> AppResult<Site> {
    tx.site_by_key(key)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("site '{key}'")))
}

/// The account as the audit trail names it.
pub fn customer_actor(account: &Account) -> Actor {
    Actor {
        kind: "customer".into(),
        id: Some(account.id),
        label: account.login_id.clone(),
        ip: None,
    }
}

/// The portal page a link of this purpose opens, and how long it works.
fn link_target(site: &Site, purpose: LinkPurpose) -> (&'static str, u32) {
    let s = &site.settings;
    match purpose {
        LinkPurpose::Activation => ("activate", s.activation_link_ttl_seconds),
        LinkPurpose::PasswordReset => ("reset-password", s.reset_link_ttl_seconds),
        LinkPurpose::Invitation => ("reset-password", s.invitation_link_ttl_seconds),
        LinkPurpose::StaffSetup | LinkPurpose::Impersonation => ("", 0),
    }
}

/// A link just issued.
#[derive(Debug)]
pub struct IssuedLink {
    /// The address to put in mail.
    pub url: String,
    /// How long it works.
    pub ttl_seconds: u32,
}

/// Issues a new link token for an account (voiding older ones of the same
/// purpose) and answers the link to put in mail.
pub async fn issue_link(
    app: &App,
    tx: &mut dyn Tx,
    site: &Site,
    account: &Account,
    purpose: LinkPurpose,
    now: OffsetDateTime,
) -> AppResult<IssuedLink> {
    let (page, ttl_seconds) = link_target(site, purpose);
    tx.void_link_tokens(Some(account.id), purpose, now).await?;
    let token = secrets::new_token("");
    tx.insert_link_token(&LinkToken {
        token_hash: secrets::token_hash(&token),
        purpose,
        account_id: Some(account.id),
        staff_id: None,
        created_at: now,
        expires_at: now + Duration::seconds(i64::from(ttl_seconds)),
    })
    .await?;
    Ok(IssuedLink {
        url: app.links.site_page(site, &format!("{page}?token={token}")),
        ttl_seconds,
    })
}

/// Voids older invitations and mails a new one: the welcome mail with a
/// single-use link to choose a password (accounts made by staff, or by a
/// customer manager for a colleague).
pub async fn send_invitation(
    app: &App,
    tx: &mut dyn Tx,
    site: &Site,
    account: &Account,
    now: OffsetDateTime,
) -> AppResult<()> {
    let link = issue_link(app, tx, site, account, LinkPurpose::Invitation, now).await?;
    mail_account(
        tx,
        site,
        account,
        MailKey::Welcome,
        Some(link.url),
        Some(link.ttl_seconds),
        now,
    )
    .await
}

/// A link mailed to a customer: the lifecycle event that must allow it, what
/// the link does, and the mail that carries it.
#[derive(Debug, Clone, Copy)]
pub struct LinkMail {
    /// The event the lifecycle must allow on the account.
    pub event: Event,
    /// What the link does.
    pub purpose: LinkPurpose,
    /// The mail that carries it.
    pub mail: MailKey,
}

impl LinkMail {
    /// A new activation link (the account is unverified).
    pub const ACTIVATION: LinkMail = LinkMail {
        event: Event::ResendActivation,
        purpose: LinkPurpose::Activation,
        mail: MailKey::Activation,
    };
    /// A password reset link.
    pub const PASSWORD_RESET: LinkMail = LinkMail {
        event: Event::PasswordReset,
        purpose: LinkPurpose::PasswordReset,
        mail: MailKey::PasswordReset,
    };
}

/// Voids older links of the kind and mails a new one, if the lifecycle allows
/// the kind's event on this account; answers whether it did.
pub async fn send_link(
    app: &App,
    tx: &mut dyn Tx,
    site: &Site,
    account: &Account,
    kind: LinkMail,
    now: OffsetDateTime,
) -> AppResult<bool> {
    if decide(&account.state, kind.event, &site.settings, now).is_err() {
        return Ok(false);
    }
    let link = issue_link(app, tx, site, account, kind.purpose, now).await?;
    mail_account(
        tx,
        site,
        account,
        kind.mail,
        Some(link.url),
        Some(link.ttl_seconds),
        now,
    )
    .await?;
    Ok(true)
}

/// Mails a link of the kind to the account with this address, if there is
/// one the lifecycle allows it. `offered` refuses first when the site does
/// not offer the link at all; past that, the answer is `Ok` whatever the
/// address, so that nobody learns which exist.
pub(crate) async fn mail_link_by_address(
    app: &App,
    site_key: &str,
    email: &str,
    kind: LinkMail,
    offered: fn(&SiteSettings) -> AppResult<()>,
) -> AppResult<()> {
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    let site = load_site(tx.as_mut(), site_key).await?;
    offered(&site.settings)?;
    let Ok(email) = Email::parse(email) else {
        return Ok(());
    };
    let Some(account) = tx.account_by_email(site.id, email.as_str()).await? else {
        return Ok(());
    };
    if send_link(app, tx.as_mut(), &site, &account, kind, now).await? {
        tx.commit().await?;
    }
    Ok(())
}

/// Queues a message to an account in its language.
pub async fn mail_account(
    tx: &mut dyn Tx,
    site: &Site,
    account: &Account,
    key: MailKey,
    link: Option<String>,
    link_ttl_seconds: Option<u32>,
    now: OffsetDateTime,
) -> AppResult<()> {
    let vars = MailVars {
        first_name: Some(account.first_name.clone()),
        link,
        link_hours: link_ttl_seconds.map(|s| u64::from(s).div_ceil(3600)),
        login_id: Some(account.login_id.clone()),
    };
    let lang = mail::language_for(account.language.as_deref(), site);
    mail::queue(tx, site, &account.email, lang, key, &vars, now).await
}

/// Ends every session of an account but `keep` and revokes every grant its
/// apps hold: what "signed out everywhere" means, in the caller's
/// transaction. Answers how many portal sessions ended.
pub(crate) async fn sign_out_everywhere(
    tx: &mut dyn Tx,
    account_id: uuid::Uuid,
    keep: Option<&[u8]>,
    now: OffsetDateTime,
) -> AppResult<u64> {
    let ended = tx.delete_account_sessions(account_id, keep).await?;
    crate::oidc::end_grants(tx, account_id, now).await?;
    Ok(ended)
}

/// Stores a new password hash on an account loaded in this transaction and
/// does what every password change entails: the expiry is cleared, every
/// session ends, the customer is told by mail, the audit trail records it.
pub(crate) async fn record_new_password(
    tx: &mut dyn Tx,
    site: &Site,
    account: &mut Account,
    password_hash: String,
    action: &str,
    now: OffsetDateTime,
) -> AppResult<()> {
    account.password_hash = Some(password_hash);
    account.state.password_expires_at = None;
    account.version = tx.save_account(account).await?;
    sign_out_everywhere(tx, account.id, None, now).await?;
    mail_account(tx, site, account, MailKey::PasswordChanged, None, None, now).await?;
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

/// Counts one failed attempt against an account (wrong password, repeated
/// registration) atomically in the database, and locks it when the count
/// reaches the site's maximum, mailing the customer. Accounts that are
/// already locked, blocked or deleted are left as they are.
pub(crate) async fn count_failed_attempt(
    tx: &mut dyn Tx,
    site: &Site,
    account_id: uuid::Uuid,
    now: OffsetDateTime,
) -> AppResult<()> {
    use gatehouse_domain::{Event, Status, decide, lock_after_failures};
    let Some(mut account) = tx.account_by_id(account_id).await? else {
        return Ok(());
    };
    if !matches!(
        account.state.status(now),
        Status::Unverified | Status::Pending | Status::Active
    ) {
        return Ok(());
    }
    // A temporary lock that ran out is tidied first: counting starts afresh.
    if matches!(account.state.lock, Some(Lock::Temporary { until }) if until <= now) {
        account.state = decide(&account.state, Event::ExpireLock, &site.settings, now)?.state;
        account.version = tx.save_account(&account).await?;
    }
    let Some(count) = tx.record_failed_attempt(account.id).await? else {
        return Ok(());
    };
    if let Some(lock) = lock_after_failures(count, &site.settings, now) {
        let Some(mut fresh) = tx.account_by_id(account.id).await? else {
            return Ok(());
        };
        if fresh.state.is_locked(now) {
            return Ok(());
        }
        fresh.state.lock = Some(lock);
        tx.save_account(&fresh).await?;
        let temporary = matches!(lock, Lock::Temporary { .. });
        mail_account(
            tx,
            site,
            &fresh,
            MailKey::AccountLocked,
            None,
            temporary.then_some(site.settings.lock_duration_seconds),
            now,
        )
        .await?;
        tx.append_audit(&audit::event(
            now,
            &Actor::system("failed attempts"),
            "account.lock",
            Some(("account", fresh.id)),
            Some(site.id),
            json!({"failed_attempts": count, "permanent": !temporary}),
        ))
        .await?;
    }
    Ok(())
}
