//! Activation: the landing of the link in the activation mail, and sending a
//! new link (older ones void). Verification moves the account on as the site's
//! settings say: active, or pending for approval or customer assignment.

use gatehouse_domain::{Effect, Event, Status, decide};
use gatehouse_store::{Account, Customer, CustomerFields, LinkPurpose, Tx};
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{LinkMail, customer_actor, load_site, mail_link_by_address};
use crate::{App, AppError, AppResult, audit, secrets};

/// Creates the customer record from the registration and assigns it, when
/// the decision says so.
pub(crate) async fn create_customer_from(
    tx: &mut dyn Tx,
    account: &mut Account,
    now: OffsetDateTime,
) -> AppResult<()> {
    let customer = Customer {
        id: Uuid::now_v7(),
        fields: CustomerFields {
            first_name: account.first_name.clone(),
            last_name: account.last_name.clone(),
            email: Some(account.email.clone()),
            // The company typed at registration stays on the account for
            // staff to see; joining a company (and its manager's team) is
            // staff's decision, never the registrant's.
            company: None,
            language: account.language.clone(),
            notifications: true,
            ..CustomerFields::default()
        },
        created_at: now,
        updated_at: now,
    };
    tx.insert_customer(&customer).await?;
    account.customer_id = Some(customer.id);
    Ok(())
}

/// Applies a verification (the activation link, or a reset link of an
/// unverified account) to a loaded account.
pub(crate) async fn apply_effects(
    tx: &mut dyn Tx,
    account: &mut Account,
    effects: &[Effect],
    now: OffsetDateTime,
) -> AppResult<()> {
    for effect in effects {
        if *effect == Effect::CreateCustomer && account.customer_id.is_none() {
            create_customer_from(tx, account, now).await?;
        }
    }
    Ok(())
}

/// Follows an activation link; answers the status the account has now.
pub async fn activate(app: &App, site_key: &str, token: &str) -> AppResult<Status> {
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    let site = load_site(tx.as_mut(), site_key).await?;
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
    let decision = decide(&account.state, Event::Verify, &site.settings, now)?;
    account.state = decision.state;
    apply_effects(tx.as_mut(), &mut account, &decision.effects, now).await?;
    account.verified_at = Some(now);
    let status = account.state.status(now);
    if status == Status::Active {
        account.approved_at = Some(now);
    }
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
pub async fn used_activation(app: &App, site_key: &str, token: &str) -> AppResult<Option<Status>> {
    let now = app.clock.now();
    let mut tx = app.store.read().await?;
    let site = load_site(tx.as_mut(), site_key).await?;
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
pub async fn resend_activation(app: &App, site_key: &str, email: &str) -> AppResult<()> {
    mail_link_by_address(app, site_key, email, LinkMail::ACTIVATION, |_| Ok(())).await
}
