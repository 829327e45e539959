//! The customer self-service use cases of a portal site:
//! register, activate, sign in and out, sessions, forgotten and changed
//! passwords, profile. The web layer's pages and JSON API both call these, so
//! they behave identically.
//!
//! Invariants owned here:
//! - No answer reveals whether a login ID or address exists: unknown and
//!   known addresses get the same result from register, resend and forgot
//!   password; sign-in names a reason only after the right password.
//! - Links and mail to an account come from `crate::account_mail`, lifecycle
//!   changes from `crate::lifecycle`, as for staff's actions.
//! - Every mail is queued in the transaction of the change that causes it.

pub mod activate;
pub mod passkeys;
pub mod password;
pub mod profile;
pub mod register;
pub mod reset;
pub mod sessions;
pub mod sign_in;
pub mod team;
pub mod two_step;

use gatehouse_domain::{Email, Event, Lock, SiteSettings};
use gatehouse_store::{Account, Actor, Site, Tx};
use serde_json::json;
use time::OffsetDateTime;

use crate::account_mail::{LinkMail, send_link};
use crate::{App, AppResult, audit};

/// Who is asking, for sessions and the audit trail.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    /// Client address.
    pub ip: Option<String>,
    /// Browser.
    pub user_agent: Option<String>,
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

/// Mails a link of the kind to the account with this address, if there is
/// one the lifecycle allows it. `offered` refuses first when the site does
/// not offer the link at all; past that, the answer is `Ok` whatever the
/// address, so that nobody learns which exist.
pub(crate) async fn mail_link_by_address(
    app: &App,
    site: &Site,
    email: &str,
    kind: LinkMail,
    offered: fn(&SiteSettings) -> AppResult<()>,
) -> AppResult<()> {
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    offered(&site.settings)?;
    let Ok(email) = Email::parse(email) else {
        return Ok(());
    };
    let Some(account) = tx.account_by_email(site.id, email.as_str()).await? else {
        return Ok(());
    };
    if send_link(app, tx.as_mut(), site, &account, kind, now).await? {
        tx.commit().await?;
    }
    Ok(())
}

/// Stores a new password hash on an account loaded in this transaction,
/// with what every new password entails: the lifecycle's `event`
/// (`PasswordReset` by a link, or `PasswordChanged` by the signed-in
/// customer: the expiry cleared, every session ended, the customer told by
/// mail) and the audit trail's record of it. The account is saved.
pub(crate) async fn record_new_password(
    app: &App,
    tx: &mut dyn Tx,
    site: &Site,
    account: &mut Account,
    password_hash: String,
    event: Event,
    now: OffsetDateTime,
) -> AppResult<()> {
    let action = match event {
        Event::PasswordChanged => "account.password_change",
        _ => "account.password_reset",
    };
    crate::lifecycle::apply(app, tx, site, account, event, now).await?;
    account.password_hash = Some(password_hash);
    account.version = tx.save_account(account).await?;
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

/// [`count_failed_attempt`] in a transaction of its own, committed: what a
/// refused credential (a wrong password, code or passkey) leaves behind
/// while everything else of the refused request rolls back.
pub(crate) async fn count_refused_attempt(
    app: &App,
    site: &Site,
    account_id: uuid::Uuid,
) -> AppResult<()> {
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    count_failed_attempt(app, tx.as_mut(), site, account_id, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Counts one failed attempt against an account (wrong password, repeated
/// registration) atomically in the database, and locks it when the count
/// reaches the site's maximum, mailing the customer. Accounts that are
/// already locked, blocked or deleted are left as they are.
pub(crate) async fn count_failed_attempt(
    app: &App,
    tx: &mut dyn Tx,
    site: &Site,
    account_id: uuid::Uuid,
    now: OffsetDateTime,
) -> AppResult<()> {
    use crate::lifecycle::apply;
    use gatehouse_domain::{Status, lock_after_failures};
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
        apply(app, tx, site, &mut account, Event::ExpireLock, now).await?;
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
        apply(
            app,
            tx,
            site,
            &mut fresh,
            Event::FailuresCounted { count },
            now,
        )
        .await?;
        tx.save_account(&fresh).await?;
        tx.append_audit(&audit::event(
            now,
            &Actor::system("failed attempts"),
            "account.lock",
            Some(("account", fresh.id)),
            Some(site.id),
            json!({"failed_attempts": count, "permanent": lock == Lock::Permanent}),
        ))
        .await?;
    }
    Ok(())
}
