//! The SQL behind [`Links`], one body for both engines.

use super::*;
use crate::tx::Links;

#[async_trait]
impl Links for SqlTx {
    #[tracing::instrument(name = "store.links.insert_link_token", level = "debug", skip_all)]
    async fn insert_link_token(&mut self, t: &LinkToken) -> StoreResult<()> {
        let _timer = crate::metrics::Timer::start("links.insert_link_token");
        exec!(self, sqlx::query(
            "INSERT INTO link_tokens (token_hash, purpose, account_id, created_at, expires_at, staff_id) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(&t.token_hash).bind(t.purpose.as_str()).bind(t.account_id).bind(to_ms(t.created_at))
            .bind(to_ms(t.expires_at)).bind(t.staff_id))?;
        Ok(())
    }

    #[tracing::instrument(name = "store.links.consume_link_token", level = "debug", skip_all)]
    async fn consume_link_token(
        &mut self,
        token_hash: &[u8],
        purpose: LinkPurpose,
        now: OffsetDateTime,
    ) -> StoreResult<Option<LinkToken>> {
        let _timer = crate::metrics::Timer::start("links.consume_link_token");
        let row: Option<(Option<Uuid>, i64, i64, Option<Uuid>)> = on!(self, c => sqlx::query_as(
            "UPDATE link_tokens SET used_at = $3 WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL \
             AND expires_at > $3 RETURNING account_id, created_at, expires_at, staff_id")
            .bind(token_hash).bind(purpose.as_str()).bind(to_ms(now)).fetch_optional(&mut **c).await)?;
        row.map(|r| link_token(token_hash, purpose, r)).transpose()
    }

    #[tracing::instrument(name = "store.links.peek_link_token", level = "debug", skip_all)]
    async fn peek_link_token(
        &mut self,
        token_hash: &[u8],
        purpose: LinkPurpose,
        now: OffsetDateTime,
    ) -> StoreResult<Option<LinkToken>> {
        let _timer = crate::metrics::Timer::start("links.peek_link_token");
        let row: Option<(Option<Uuid>, i64, i64, Option<Uuid>)> = on!(self, c => sqlx::query_as(
            "SELECT account_id, created_at, expires_at, staff_id FROM link_tokens WHERE token_hash = $1 AND purpose = $2 \
             AND used_at IS NULL AND expires_at > $3")
            .bind(token_hash).bind(purpose.as_str()).bind(to_ms(now)).fetch_optional(&mut **c).await)?;
        row.map(|r| link_token(token_hash, purpose, r)).transpose()
    }

    #[tracing::instrument(name = "store.links.used_link_account", level = "debug", skip_all)]
    async fn used_link_account(
        &mut self,
        token_hash: &[u8],
        purpose: LinkPurpose,
    ) -> StoreResult<Option<Uuid>> {
        let _timer = crate::metrics::Timer::start("links.used_link_account");
        let row: Option<(Option<Uuid>,)> = on!(self, c => sqlx::query_as(
            "SELECT account_id FROM link_tokens WHERE token_hash = $1 AND purpose = $2 AND used_at IS NOT NULL")
            .bind(token_hash).bind(purpose.as_str()).fetch_optional(&mut **c).await)?;
        Ok(row.and_then(|(a,)| a))
    }

    #[tracing::instrument(name = "store.links.void_link_tokens", level = "debug", skip_all)]
    async fn void_link_tokens(
        &mut self,
        account_id: Option<Uuid>,
        purpose: LinkPurpose,
        now: OffsetDateTime,
    ) -> StoreResult<u64> {
        let _timer = crate::metrics::Timer::start("links.void_link_tokens");
        let done = exec!(
            self,
            sqlx::query(
                "UPDATE link_tokens SET used_at = $3 WHERE purpose = $2 AND used_at IS NULL \
             AND (account_id = $1 OR ($1 IS NULL AND account_id IS NULL))"
            )
            .bind(account_id)
            .bind(purpose.as_str())
            .bind(to_ms(now))
        )?;
        Ok(done)
    }

    #[tracing::instrument(name = "store.links.void_staff_link_tokens", level = "debug", skip_all, fields(staff_id = ?staff_id))]
    async fn void_staff_link_tokens(
        &mut self,
        staff_id: Uuid,
        purpose: LinkPurpose,
        now: OffsetDateTime,
    ) -> StoreResult<u64> {
        let _timer = crate::metrics::Timer::start("links.void_staff_link_tokens");
        let done = exec!(
            self,
            sqlx::query(
                "UPDATE link_tokens SET used_at = $3 WHERE purpose = $2 AND used_at IS NULL AND staff_id = $1"
            )
            .bind(staff_id)
            .bind(purpose.as_str())
            .bind(to_ms(now))
        )?;
        Ok(done)
    }
}
