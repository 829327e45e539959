//! The SQL behind [`Installation`], one body for both engines.

use super::*;
use crate::tx::Installation;

#[async_trait]
impl Installation for SqlTx {
    #[tracing::instrument(
        name = "store.installation.installation_setting",
        level = "debug",
        skip_all
    )]
    async fn installation_setting(&mut self, key: &str) -> StoreResult<Option<String>> {
        let _timer = crate::metrics::Timer::start("installation.installation_setting");
        Ok(
            on!(self, c => sqlx::query_scalar("SELECT value FROM installation_settings WHERE key = $1")
            .bind(key).fetch_optional(&mut **c).await)?,
        )
    }

    #[tracing::instrument(
        name = "store.installation.set_installation_setting",
        level = "debug",
        skip_all
    )]
    async fn set_installation_setting(&mut self, key: &str, value: &str) -> StoreResult<()> {
        let _timer = crate::metrics::Timer::start("installation.set_installation_setting");
        exec!(
            self,
            sqlx::query(
                "INSERT INTO installation_settings (key, value) VALUES ($1, $2) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value"
            )
            .bind(key)
            .bind(value)
        )?;
        Ok(())
    }

    #[tracing::instrument(name = "store.installation.claim_job", level = "debug", skip_all)]
    async fn claim_job(
        &mut self,
        name: &str,
        holder: &str,
        now: OffsetDateTime,
        until: OffsetDateTime,
    ) -> StoreResult<bool> {
        let _timer = crate::metrics::Timer::start("installation.claim_job");
        let claimed: Option<String> = on!(self, c => sqlx::query_scalar(
            "INSERT INTO job_leases (name, holder, until_ms) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until_ms = excluded.until_ms \
             WHERE job_leases.until_ms < $4 OR job_leases.holder = excluded.holder RETURNING name")
            .bind(name).bind(holder).bind(to_ms(until)).bind(to_ms(now))
            .fetch_optional(&mut **c).await)?;
        Ok(claimed.is_some())
    }
}
