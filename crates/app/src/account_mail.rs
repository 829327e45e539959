//! Mail to an account, and the single-use links it carries (activation,
//! password reset, invitation): what the portal's own flows and staff's
//! actions both send.
//!
//! Invariants owned here:
//! - Every link token is 256 random bits stored hashed, single-use and
//!   expiring; issuing one voids the older unused ones of its purpose.
//! - Mail is queued in the caller's transaction, in the account's language.

use gatehouse_domain::{Event, decide};
use gatehouse_store::{Account, LinkPurpose, LinkToken, Site, Tx};
use time::{Duration, OffsetDateTime};

use crate::mail::{self, MailKey, MailVars};
use crate::{App, AppResult, secrets};

/// The portal page a link of this purpose opens, and how long it works.
fn link_target(site: &Site, purpose: LinkPurpose) -> (&'static str, u32) {
    let s = &site.settings;
    match purpose {
        LinkPurpose::Activation => ("activate", s.activation_link_ttl_seconds),
        LinkPurpose::PasswordReset => ("reset-password", s.reset_link_ttl_seconds),
        LinkPurpose::Invitation => ("reset-password", s.invitation_link_ttl_seconds),
        LinkPurpose::TwoStepReset => ("two-step-reset", s.reset_link_ttl_seconds),
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
#[tracing::instrument(name = "app.account_mail.issue_link", level = "debug", skip_all)]
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
#[tracing::instrument(name = "app.account_mail.send_invitation", level = "debug", skip_all)]
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
#[tracing::instrument(name = "app.account_mail.send_link", level = "debug", skip_all)]
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
    mail_link(app, tx, site, account, kind, now).await?;
    Ok(true)
}

/// Voids older links of the kind and mails a new one, whatever the
/// lifecycle says (the caller has asked it).
pub(crate) async fn mail_link(
    app: &App,
    tx: &mut dyn Tx,
    site: &Site,
    account: &Account,
    kind: LinkMail,
    now: OffsetDateTime,
) -> AppResult<()> {
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
    .await
}

/// Queues a message to an account in its language.
#[tracing::instrument(name = "app.account_mail.mail_account", level = "debug", skip_all)]
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
