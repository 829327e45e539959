//! The SQL behind [`ApiTokens`], one body for both engines.

use super::*;
use crate::tx::ApiTokens;

#[async_trait]
impl ApiTokens for SqlTx {
    #[tracing::instrument(name = "store.api_tokens.insert_api_token", level = "debug", skip_all)]
    async fn insert_api_token(&mut self, t: &ApiToken) -> StoreResult<()> {
        let _timer = crate::metrics::Timer::start("api_tokens.insert_api_token");
        exec!(self, sqlx::query(
            "INSERT INTO api_tokens (id, staff_id, name, token_hash, scopes, created_at, expires_at, last_used_at, revoked_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
            .bind(t.id).bind(t.staff_id).bind(&t.name).bind(&t.token_hash).bind(&t.scopes).bind(to_ms(t.created_at))
            .bind(t.expires_at.map(to_ms)).bind(t.last_used_at.map(to_ms)).bind(t.revoked_at.map(to_ms)))?;
        Ok(())
    }

    #[tracing::instrument(name = "store.api_tokens.api_token_by_hash", level = "debug", skip_all)]
    async fn api_token_by_hash(&mut self, token_hash: &[u8]) -> StoreResult<Option<ApiToken>> {
        let _timer = crate::metrics::Timer::start("api_tokens.api_token_by_hash");
        fetch_optional!(
            self,
            ApiTokenRow,
            sqlx::query_as("SELECT * FROM api_tokens WHERE token_hash = $1").bind(token_hash)
        )
    }

    #[tracing::instrument(name = "store.api_tokens.list_api_tokens", level = "debug", skip_all)]
    async fn list_api_tokens(&mut self) -> StoreResult<Vec<ApiToken>> {
        let _timer = crate::metrics::Timer::start("api_tokens.list_api_tokens");
        fetch_all!(
            self,
            ApiTokenRow,
            sqlx::query_as("SELECT * FROM api_tokens ORDER BY created_at DESC, id DESC")
        )
    }

    #[tracing::instrument(name = "store.api_tokens.revoke_api_token", level = "debug", skip_all, fields(id = ?id))]
    async fn revoke_api_token(&mut self, id: Uuid, now: OffsetDateTime) -> StoreResult<bool> {
        let _timer = crate::metrics::Timer::start("api_tokens.revoke_api_token");
        let done = exec!(
            self,
            sqlx::query(
                "UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL"
            )
            .bind(id)
            .bind(to_ms(now))
        )?;
        Ok(done > 0)
    }

    #[tracing::instrument(name = "store.api_tokens.touch_api_token", level = "debug", skip_all, fields(id = ?id))]
    async fn touch_api_token(&mut self, id: Uuid, now: OffsetDateTime) -> StoreResult<()> {
        let _timer = crate::metrics::Timer::start("api_tokens.touch_api_token");
        exec!(
            self,
            sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1")
                .bind(id)
                .bind(to_ms(now))
        )?;
        Ok(())
    }
}
