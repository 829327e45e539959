//! Sites: resolving one by its key, creating them, and the default site
//! `main` that a fresh installation starts with.
//!
//! Invariant owned here: a request resolves its site once ([`resolve`]) and
//! passes it down as a value; the copy it gets was read after the last
//! change to any site or app this node has seen
//! ([`gatehouse_store::Store::site_changes_seen`]) and is at most the recent
//! reads' time to live old. A write that depends on a site's settings reads
//! the site again in its own transaction ([`load`]).

use std::sync::Arc;

use gatehouse_domain::{SiteKey, SiteSettings};
use gatehouse_store::{Actor, Site, Tx};
use serde_json::json;
use uuid::Uuid;

use crate::{App, AppError, AppResult, audit};

/// The key of the site a fresh installation creates.
pub const DEFAULT_SITE_KEY: &str = "main";

/// The site with this key, read in the caller's transaction, or not found.
#[tracing::instrument(name = "app.sites.load", level = "debug", skip_all)]
pub async fn load(tx: &mut dyn Tx, key: &str) -> AppResult<Site> {
    tx.site_by_key(key)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("site '{key}'")))
}

/// The site with this key for a request, or not found: a recent copy while
/// no site or app changed since it was read (see [`crate::recent`]), shared
/// rather than copied.
#[tracing::instrument(name = "app.sites.resolve", level = "debug", skip_all)]
pub async fn resolve(app: &App, key: &str) -> AppResult<Arc<Site>> {
    let seen = app.store.site_changes_seen();
    if let Some(site) = app.recent.sites.get(&key.to_string(), seen) {
        return Ok(site);
    }
    let mut tx = app.store.read().await?;
    let site = Arc::new(load(tx.as_mut(), key).await?);
    drop(tx);
    app.recent
        .sites
        .put(site.key.clone(), seen, Arc::clone(&site));
    Ok(site)
}

/// Creates a site with default settings.
#[tracing::instrument(name = "app.sites.create_site", level = "debug", skip_all)]
pub async fn create_site(app: &App, actor: &Actor, key: &str, name: &str) -> AppResult<Site> {
    let key = SiteKey::parse(key).map_err(|e| AppError::policy("key", e))?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::invalid(
            "name",
            "the site name must be 1 to 100 characters",
        ));
    }
    let now = app.clock.now();
    let site = Site {
        id: Uuid::now_v7(),
        key: key.as_str().to_string(),
        name: name.to_string(),
        settings: SiteSettings::default(),
        created_at: now,
    };
    let mut tx = app.store.begin().await?;
    if tx.site_by_key(key.as_str()).await?.is_some() {
        return Err(AppError::Conflict(format!(
            "a site with the key '{key}' exists already"
        )));
    }
    tx.insert_site(&site).await?;
    tx.append_audit(&audit::event(
        now,
        actor,
        "site.create",
        Some(("site", site.id)),
        Some(site.id),
        json!({"key": site.key}),
    ))
    .await?;
    tx.commit().await?;
    Ok(site)
}

/// Creates the default site when there is no site at all; answers whether it
/// did. Safe when several nodes start at once: the key is unique.
#[tracing::instrument(name = "app.sites.ensure_default_site", level = "debug", skip_all)]
pub async fn ensure_default_site(app: &App) -> AppResult<bool> {
    let mut tx = app.store.read().await?;
    let empty = tx.list_sites().await?.is_empty();
    drop(tx);
    if !empty {
        return Ok(false);
    }
    match create_site(
        app,
        &Actor::system("first start"),
        DEFAULT_SITE_KEY,
        "Customer portal",
    )
    .await
    {
        Ok(_) => Ok(true),
        Err(AppError::Conflict(_))
        | Err(AppError::Store(gatehouse_store::StoreError::Conflict(_))) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Every site (staff who may read customers see them; sites are not secret).
#[tracing::instrument(name = "app.sites.list", level = "debug", skip_all)]
pub async fn list(app: &App, caller: &crate::staff_auth::StaffCaller) -> AppResult<Vec<Site>> {
    caller.require(gatehouse_domain::Permission::ViewCustomers)?;
    let mut tx = app.store.read().await?;
    Ok(tx.list_sites().await?)
}

/// Adds a site (admins only).
#[tracing::instrument(name = "app.sites.create", level = "debug", skip_all)]
pub async fn create(
    app: &App,
    caller: &crate::staff_auth::StaffCaller,
    key: &str,
    name: &str,
) -> AppResult<Site> {
    caller.require(gatehouse_domain::Permission::ManageSettings)?;
    create_site(app, &caller.actor(), key, name).await
}

/// One site with its settings (staff who may read customers).
#[tracing::instrument(name = "app.sites.get", level = "debug", skip_all)]
pub async fn get(app: &App, caller: &crate::staff_auth::StaffCaller, key: &str) -> AppResult<Site> {
    caller.require(gatehouse_domain::Permission::ViewCustomers)?;
    Ok(Site::clone(&*resolve(app, key).await?))
}

/// A site's settings.
#[tracing::instrument(name = "app.sites.settings", level = "debug", skip_all)]
pub async fn settings(
    app: &App,
    caller: &crate::staff_auth::StaffCaller,
    key: &str,
) -> AppResult<SiteSettings> {
    Ok(get(app, caller, key).await?.settings)
}

/// An address as issuers compare: without a trailing slash, lower-case.
fn issuer_key(address: &str) -> String {
    address.trim_end_matches('/').to_ascii_lowercase()
}

/// Changes some of a site's settings (admins only): every key checked, all or
/// nothing, audited with each key whose value changed, before and after. A
/// patch that changes nothing writes nothing.
#[tracing::instrument(name = "app.sites.patch_settings", level = "debug", skip_all)]
pub async fn patch_settings(
    app: &App,
    caller: &crate::staff_auth::StaffCaller,
    key: &str,
    patch: &serde_json::Map<String, serde_json::Value>,
) -> AppResult<SiteSettings> {
    caller.require(gatehouse_domain::Permission::ManageSettings)?;
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    let site = load(tx.as_mut(), key).await?;
    let changed = site
        .settings
        .patched(patch)
        .map_err(|e| AppError::Fields(e.errors))?;
    let old = serde_json::to_value(&site.settings).unwrap_or_default();
    let new = serde_json::to_value(&changed).unwrap_or_default();
    let (before, after): (serde_json::Map<_, _>, serde_json::Map<_, _>) = patch
        .keys()
        .filter(|k| old.get(*k) != new.get(*k))
        .map(|k| {
            let at = |v: &serde_json::Value| v.get(k).cloned().unwrap_or_default();
            ((k.clone(), at(&old)), (k.clone(), at(&new)))
        })
        .unzip();
    if after.is_empty() {
        return Ok(changed);
    }
    if after.contains_key("base_url") {
        // A site's portal address is its OpenID issuer: two sites with one
        // would accept each other's tokens.
        let mine = issuer_key(&app.links.site_base(&Site {
            settings: changed.clone(),
            ..site.clone()
        }));
        for other in tx.list_sites().await? {
            if other.id != site.id && issuer_key(&app.links.site_base(&other)) == mine {
                return Err(AppError::said(
                    "base_url",
                    gatehouse_domain::Words::id("field-address-taken").arg("site", &other.key),
                    format!(
                        "is the address of the site '{}' already; each site needs its own (it is the site's OpenID issuer)",
                        other.key
                    ),
                ));
            }
        }
    }
    tx.update_site_settings(site.id, &changed).await?;
    tx.append_audit(&audit::event(
        now,
        &caller.actor(),
        "site.settings",
        Some(("site", site.id)),
        Some(site.id),
        json!({"before": before, "after": after}),
    ))
    .await?;
    tx.commit().await?;
    Ok(changed)
}
