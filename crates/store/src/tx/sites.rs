//! The store's portal sites and their settings.

use crate::StoreResult;
use crate::model::Site;
use async_trait::async_trait;
use gatehouse_domain::SiteSettings;
use uuid::Uuid;

/// Portal sites and their settings.
#[async_trait]
pub trait Sites: Send {
    /// Adds a site; a taken key is a conflict.
    async fn insert_site(&mut self, site: &Site) -> StoreResult<()>;

    /// The site with this key.
    async fn site_by_key(&mut self, key: &str) -> StoreResult<Option<Site>>;

    /// The site with this ID.
    async fn site_by_id(&mut self, id: Uuid) -> StoreResult<Option<Site>>;

    /// Every site, by key.
    async fn list_sites(&mut self) -> StoreResult<Vec<Site>>;

    /// Replaces a site's settings.
    async fn update_site_settings(&mut self, id: Uuid, settings: &SiteSettings) -> StoreResult<()>;
}
