//! A customer's connected apps: the apps they allowed (consents) or are
//! signed in to (live grants), and disconnecting one.
//!
//! Invariants owned here:
//! - Only the customer disconnects (not staff impersonating them, whom the
//!   audit trail would name as the customer).
//! - Disconnecting withdraws the consent and revokes every grant the
//!   account gave the app, in one transaction that re-checks the portal
//!   session; the app is sent a back-channel logout if it held a grant, so
//!   the next use of the app asks again (or, for the business's own apps,
//!   signs in again).

use std::collections::BTreeMap;

use gatehouse_store::Client;
use serde::Serialize;
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::portal::customer_actor;
use crate::portal::sessions::{Current, still_signed_in};
use crate::{App, AppError, AppResult, audit};

/// One connected app as the customer sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ConnectedApp {
    /// The app's `client_id`.
    pub client_id: String,
    /// Its name.
    pub name: String,
    /// One of the business's own apps (no consent asked).
    pub first_party: bool,
    /// What it may see: the scopes consented to, or else those of its
    /// sign-ins.
    pub scopes: Vec<String>,
    /// When the customer allowed it (third-party apps).
    #[serde(with = "time::serde::rfc3339::option")]
    pub allowed_at: Option<OffsetDateTime>,
    /// When the customer last signed in to it, if a sign-in is still live.
    #[serde(with = "time::serde::rfc3339::option")]
    pub signed_in_at: Option<OffsetDateTime>,
}

/// The customer's connected apps on this site, by name.
#[tracing::instrument(name = "app.oidc.connected.list", level = "debug", skip_all)]
pub async fn list(app: &App, current: &Current) -> AppResult<Vec<ConnectedApp>> {
    let account = current.account.id;
    let mut tx = app.store.read().await?;
    let consents = tx.account_consents(account).await?;
    let grants = tx.live_account_grants(account).await?;
    let mut by_client: BTreeMap<Uuid, ConnectedApp> = BTreeMap::new();
    let mut clients: BTreeMap<Uuid, Option<Client>> = BTreeMap::new();
    for id in consents
        .iter()
        .map(|c| c.client_id)
        .chain(grants.iter().map(|g| g.client_id))
    {
        if let std::collections::btree_map::Entry::Vacant(slot) = clients.entry(id) {
            let client = tx
                .client_by_id(id)
                .await?
                .filter(|c| c.site_id == current.site.id);
            slot.insert(client);
        }
    }
    let entry = |by_client: &mut BTreeMap<Uuid, ConnectedApp>, client: &Client| {
        by_client
            .entry(client.id)
            .or_insert_with(|| ConnectedApp {
                client_id: client.client_id.clone(),
                name: client.name.clone(),
                first_party: client.first_party,
                scopes: Vec::new(),
                allowed_at: None,
                signed_in_at: None,
            })
            .clone()
    };
    for consent in &consents {
        if let Some(Some(client)) = clients.get(&consent.client_id) {
            let mut item = entry(&mut by_client, client);
            item.scopes = consent.scopes.clone();
            item.allowed_at = Some(consent.granted_at);
            by_client.insert(client.id, item);
        }
    }
    // Grants come newest first: the first one of an app is its last sign-in.
    for grant in &grants {
        if let Some(Some(client)) = clients.get(&grant.client_id) {
            let mut item = entry(&mut by_client, client);
            if item.signed_in_at.is_none() {
                item.signed_in_at = Some(grant.created_at);
                if item.allowed_at.is_none() {
                    item.scopes = grant.scopes.clone();
                }
            }
            by_client.insert(client.id, item);
        }
    }
    let mut out: Vec<ConnectedApp> = by_client.into_values().collect();
    out.sort_by_key(|a| a.name.to_lowercase());
    Ok(out)
}

/// Disconnects an app: the consent is withdrawn, its sign-ins end and it is
/// told by back-channel logout. An app that is not connected is not found.
#[tracing::instrument(name = "app.oidc.connected.disconnect", level = "debug", skip_all)]
pub async fn disconnect(app: &App, current: &Current, client_id: &str) -> AppResult<()> {
    // The audit trail names the customer as the one who disconnected.
    if current.session.impersonator_id.is_some() {
        return Err(AppError::Forbidden {
            code: "impersonating",
            message: "apps cannot be disconnected while impersonating a customer".into(),
        });
    }
    let now = app.clock.now();
    let account = current.account.id;
    let mut tx = app.store.begin().await?;
    still_signed_in(tx.as_mut(), current, now).await?;
    let client = tx
        .client_by_client_id(client_id)
        .await?
        .filter(|c| c.site_id == current.site.id)
        .ok_or_else(|| AppError::NotFound("app".into()))?;
    let withdrawn = tx.delete_consent(account, client.id).await?;
    let ended = tx.revoke_app_grants(account, client.id, now).await?;
    if !withdrawn && ended.is_empty() {
        return Err(AppError::NotFound("app".into()));
    }
    super::backchannel::queue(tx.as_mut(), &ended, now).await?;
    tx.append_audit(&audit::event(
        now,
        &customer_actor(&current.account),
        "oauth.disconnect",
        Some(("account", account)),
        Some(current.site.id),
        json!({"client_id": client.client_id, "app": client.name, "consent_withdrawn": withdrawn, "sign_ins_ended": ended.len()}),
    ))
    .await?;
    tx.commit().await?;
    Ok(())
}
