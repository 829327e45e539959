//! Activation: the landing of the link in the activation mail, and sending a
//! new link (older ones void). Verification moves the account on as the site's
//! settings say: active, or pending for approval or customer assignment.

use gatehouse_domain::{Event, Status};
use gatehouse_store::{LinkPurpose, Site};
use serde_json::json;

use super::{customer_actor, mail_link_by_address};
use crate::account_mail::LinkMail;
use crate::{App, AppError, AppResult, audit, secrets};

/// Follows an activation link; answers the status the account has now.
#[tracing::instrument(name = "app.portal.activate.activate", level = "debug", skip_all)]
pub async fn activate(app: &App, site: &Site, token: &str) -> AppResult<Status> {
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    let used = tx
        .consume_link_token(&secrets::token_hash(token), LinkPurpose::Activation, now)
        .await?
        .ok_or(AppError::LinkInvalid)?;
    let mut account = match used.account_id {
        Some(id) => tx.account_by_id(id).await?,
        None => None,
    }
    .filter(|a| a.site_id == site.id)
    .ok_or(AppError::LinkInvalid)?;
    crate::lifecycle::apply(app, tx.as_mut(), site, &mut account, Event::Verify, now).await?;
    let status = account.state.status(now);
    tx.save_account(&account).await?;
    tx.append_audit(&audit::event(
        now,
        &customer_actor(&account),
        "account.verify",
        Some(("account", account.id)),
        Some(site.id),
        json!({"status": status.as_str()}),
    ))
    .await?;
    tx.commit().await?;
    Ok(status)
}

/// The status of the account whose activation link this was, if the link
/// was used already and the account is activated since (someone following
/// their link a second time is told where they stand, not offered a new
/// link they do not need).
#[tracing::instrument(
    name = "app.portal.activate.used_activation",
    level = "debug",
    skip_all
)]
pub async fn used_activation(app: &App, site: &Site, token: &str) -> AppResult<Option<Status>> {
    let now = app.clock.now();
    let mut tx = app.store.read().await?;
    let Some(id) = tx
        .used_link_account(&secrets::token_hash(token), LinkPurpose::Activation)
        .await?
    else {
        return Ok(None);
    };
    Ok(tx
        .account_by_id(id)
        .await?
        .filter(|a| a.site_id == site.id)
        .map(|a| a.state.status(now))
        .filter(|s| matches!(s, Status::Active | Status::Pending)))
}

/// Sends a new activation link to an unverified account with this address.
/// Answers `Ok` whatever the address, so that nobody learns which exist.
#[tracing::instrument(
    name = "app.portal.activate.resend_activation",
    level = "debug",
    skip_all
)]
pub async fn resend_activation(app: &App, site: &Site, email: &str) -> AppResult<()> {
    mail_link_by_address(app, site, email, LinkMail::ACTIVATION, |_| Ok(())).await
}
