//! Sites: creating them, and the default site `main` that a fresh
//! installation starts with.

use gatehouse_domain::{SiteKey, SiteSettings};
use gatehouse_store::{Actor, Site};
use serde_json::json;
use uuid::Uuid;

use crate::{App, AppError, AppResult, audit};

/// The key of the site a fresh installation creates.
pub const DEFAULT_SITE_KEY: &str = "main";

/// Creates a site with default settings.
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
