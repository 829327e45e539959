//! Staff helping a customer who lost a way of signing in: what the account
//! page shows of their second step (never the secret), and removing a lost
//! phone or a lost passkey (audited; the customer is mailed). The
//! customer's own changes are `crate::portal::two_step` and
//! `crate::portal::passkeys`, whose removal these share.

use gatehouse_domain::Permission;
use gatehouse_store::Tx;
use serde::Serialize;
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

use super::load;
use crate::staff_auth::StaffCaller;
use crate::{App, AppError, AppResult, audit};

/// A customer's second step at sign-in as staff see it (never the secret).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TwoStepSummary {
    /// What it is: `totp`, the authenticator app's code.
    pub kind: &'static str,
    /// Turned on at.
    #[serde(with = "time::serde::rfc3339::option")]
    pub turned_on_at: Option<OffsetDateTime>,
    /// Last used to sign in.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_used_at: Option<OffsetDateTime>,
    /// Unused recovery codes left.
    pub recovery_codes_left: i64,
}

/// An account's second step as staff see it, when turned on.
pub(super) async fn two_step_of(tx: &mut dyn Tx, id: Uuid) -> AppResult<Option<TwoStepSummary>> {
    let Some(kept) = tx
        .second_step(id)
        .await?
        .filter(|s| s.totp_secret.is_some())
    else {
        return Ok(None);
    };
    Ok(Some(TwoStepSummary {
        kind: "totp",
        turned_on_at: kept.turned_on_at,
        last_used_at: kept.last_used_at,
        recovery_codes_left: tx.recovery_codes_left(id).await?,
    }))
}

/// Removes one of an account's passkeys (a lost device): it signs in no
/// more; the customer is mailed. Audited.
#[tracing::instrument(name = "app.accounts.remove_passkey", level = "debug", skip_all)]
pub async fn remove_passkey(
    app: &App,
    caller: &StaffCaller,
    id: Uuid,
    passkey: Uuid,
) -> AppResult<()> {
    caller.require(Permission::ManageAccounts)?;
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    let (account, site) = load(tx.as_mut(), id).await?;
    crate::portal::passkeys::remove_in(tx.as_mut(), &site, &account, &caller.actor(), passkey, now)
        .await?;
    crate::account_mail::mail_account(
        tx.as_mut(),
        &site,
        &account,
        crate::mail::MailKey::PasskeyRemoved,
        None,
        None,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Removes an account's second step at sign-in (a lost phone, with the
/// recovery codes gone too): the customer signs in with the password alone
/// (or, where the site requires a second step, sets up a new one at the
/// next sign-in), and is mailed. Audited; `NotFound` when it had none.
#[tracing::instrument(name = "app.accounts.remove_two_step", level = "debug", skip_all)]
pub async fn remove_two_step(app: &App, caller: &StaffCaller, id: Uuid) -> AppResult<()> {
    caller.require(Permission::ManageAccounts)?;
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    let (account, site) = load(tx.as_mut(), id).await?;
    if !crate::portal::two_step::remove(tx.as_mut(), &site, &account, now).await? {
        return Err(AppError::NotFound("two-step sign-in".into()));
    }
    tx.append_audit(&audit::event(
        now,
        &caller.actor(),
        "account.two_step_removed",
        Some(("account", id)),
        Some(site.id),
        json!({}),
    ))
    .await?;
    tx.commit().await?;
    Ok(())
}
