//! The SQL behind [`Sites`], one body for both engines.

use super::*;
use crate::tx::Sites;

#[async_trait]
impl Sites for SqlTx {
    #[tracing::instrument(name = "store.sites.insert_site", level = "debug", skip_all)]
    async fn insert_site(&mut self, site: &Site) -> StoreResult<()> {
        let _timer = crate::metrics::Timer::start("sites.insert_site");
        self.announce_site_change();
        let settings = settings_json(&site.settings)?;
        exec!(self, sqlx::query("INSERT INTO sites (id, key, name, settings, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(site.id).bind(&site.key).bind(&site.name).bind(&settings).bind(to_ms(site.created_at)))?;
        Ok(())
    }

    #[tracing::instrument(name = "store.sites.site_by_key", level = "debug", skip_all)]
    async fn site_by_key(&mut self, key: &str) -> StoreResult<Option<Site>> {
        let _timer = crate::metrics::Timer::start("sites.site_by_key");
        fetch_optional!(
            self,
            SiteRow,
            sqlx::query_as("SELECT * FROM sites WHERE key = $1").bind(key)
        )
    }

    #[tracing::instrument(name = "store.sites.site_by_id", level = "debug", skip_all, fields(id = ?id))]
    async fn site_by_id(&mut self, id: Uuid) -> StoreResult<Option<Site>> {
        let _timer = crate::metrics::Timer::start("sites.site_by_id");
        fetch_optional!(
            self,
            SiteRow,
            sqlx::query_as("SELECT * FROM sites WHERE id = $1").bind(id)
        )
    }

    #[tracing::instrument(name = "store.sites.list_sites", level = "debug", skip_all)]
    async fn list_sites(&mut self) -> StoreResult<Vec<Site>> {
        let _timer = crate::metrics::Timer::start("sites.list_sites");
        fetch_all!(
            self,
            SiteRow,
            sqlx::query_as("SELECT * FROM sites ORDER BY key")
        )
    }

    #[tracing::instrument(name = "store.sites.update_site_settings", level = "debug", skip_all, fields(id = ?id))]
    async fn update_site_settings(&mut self, id: Uuid, settings: &SiteSettings) -> StoreResult<()> {
        let _timer = crate::metrics::Timer::start("sites.update_site_settings");
        self.announce_site_change();
        let json = settings_json(settings)?;
        let done = exec!(
            self,
            sqlx::query("UPDATE sites SET settings = $2 WHERE id = $1")
                .bind(id)
                .bind(&json)
        )?;
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}
