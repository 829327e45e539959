//! Settings of the whole installation (not of one site), edited by admins:
//! whether admins must use a second factor, and whether support staff may
//! impersonate customers.

use gatehouse_domain::Permission;
use gatehouse_store::Tx;
use serde_json::json;

pub use gatehouse_domain::InstallationSettings;

use crate::caller::StaffCaller;
use crate::{App, AppError, AppResult, audit};

const KEY: &str = "installation";

/// The settings in force.
#[tracing::instrument(name = "app.installation.load", level = "debug", skip_all)]
pub async fn load(app: &App) -> AppResult<InstallationSettings> {
    let mut tx = app.store.read().await?;
    load_in(tx.as_mut()).await
}

/// The settings in force, read in a transaction the caller has open (staff
/// authentication reads them with the session, in one round of reads).
#[tracing::instrument(name = "app.installation.load_in", level = "debug", skip_all)]
pub async fn load_in(tx: &mut dyn Tx) -> AppResult<InstallationSettings> {
    Ok(match tx.installation_setting(KEY).await? {
        Some(json) => serde_json::from_str(&json).unwrap_or_default(),
        None => InstallationSettings::default(),
    })
}

/// Replaces the settings (admins only), audited with before and after.
#[tracing::instrument(name = "app.installation.save", level = "debug", skip_all)]
pub async fn save(
    app: &App,
    caller: &StaffCaller,
    settings: &InstallationSettings,
) -> AppResult<InstallationSettings> {
    caller.require(Permission::ManageSettings)?;
    let before = load(app).await?;
    let now = app.clock.now();
    let json = serde_json::to_string(settings).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut tx = app.store.begin().await?;
    tx.set_installation_setting(KEY, &json).await?;
    tx.append_audit(&audit::event(
        now,
        &caller.actor(),
        "installation.settings",
        None,
        None,
        json!({"before": before, "after": settings}),
    ))
    .await?;
    tx.commit().await?;
    Ok(*settings)
}
