//! The SQL behind [`Consents`], one body for both engines.

use super::*;
use crate::tx::Consents;

#[async_trait]
impl Consents for SqlTx {
    #[tracing::instrument(name = "store.consents.save_consent", level = "debug", skip_all)]
    async fn save_consent(&mut self, c: &Consent) -> StoreResult<()> {
        let _timer = crate::metrics::Timer::start("consents.save_consent");
        exec!(
            self,
            sqlx::query(
                "INSERT INTO oauth_consents (account_id, client_id, scopes, granted_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (account_id, client_id) DO UPDATE SET scopes = excluded.scopes, granted_at = excluded.granted_at"
            )
            .bind(c.account_id)
            .bind(c.client_id)
            .bind(list_json(&c.scopes))
            .bind(to_ms(c.granted_at))
        )?;
        Ok(())
    }

    #[tracing::instrument(name = "store.consents.consent", level = "debug", skip_all, fields(account_id = ?account_id))]
    async fn consent(&mut self, account_id: Uuid, client_id: Uuid) -> StoreResult<Option<Consent>> {
        let _timer = crate::metrics::Timer::start("consents.consent");
        fetch_optional!(
            self,
            Consent,
            sqlx::query_as("SELECT * FROM oauth_consents WHERE account_id = $1 AND client_id = $2")
                .bind(account_id)
                .bind(client_id)
        )
    }

    #[tracing::instrument(name = "store.consents.account_consents", level = "debug", skip_all, fields(account_id = ?account_id))]
    async fn account_consents(&mut self, account_id: Uuid) -> StoreResult<Vec<Consent>> {
        let _timer = crate::metrics::Timer::start("consents.account_consents");
        fetch_all!(
            self,
            Consent,
            sqlx::query_as(
                "SELECT * FROM oauth_consents WHERE account_id = $1 ORDER BY granted_at DESC, client_id"
            )
            .bind(account_id)
        )
    }

    #[tracing::instrument(name = "store.consents.delete_consent", level = "debug", skip_all, fields(account_id = ?account_id))]
    async fn delete_consent(&mut self, account_id: Uuid, client_id: Uuid) -> StoreResult<bool> {
        let _timer = crate::metrics::Timer::start("consents.delete_consent");
        let done = exec!(
            self,
            sqlx::query("DELETE FROM oauth_consents WHERE account_id = $1 AND client_id = $2")
                .bind(account_id)
                .bind(client_id)
        )?;
        Ok(done > 0)
    }
}
