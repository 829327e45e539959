//! The SQL behind [`Grants`], one body for both engines.

use super::*;
use crate::tx::Grants;

#[async_trait]
impl Grants for SqlTx {
    #[tracing::instrument(name = "store.grants.insert_grant", level = "debug", skip_all)]
    async fn insert_grant(&mut self, g: &Grant) -> StoreResult<()> {
        let _timer = crate::metrics::Timer::start("grants.insert_grant");
        exec!(self, sqlx::query(
            "INSERT INTO oauth_grants (id, client_id, account_id, scopes, auth_time, created_at, revoked_at, sid, amr) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
            .bind(g.id).bind(g.client_id).bind(g.account_id).bind(list_json(&g.scopes))
            .bind(to_ms(g.auth_time)).bind(to_ms(g.created_at)).bind(g.revoked_at.map(to_ms)).bind(&g.sid).bind(&g.amr))?;
        Ok(())
    }

    #[tracing::instrument(name = "store.grants.grant_by_id", level = "debug", skip_all, fields(id = ?id))]
    async fn grant_by_id(&mut self, id: Uuid) -> StoreResult<Option<Grant>> {
        let _timer = crate::metrics::Timer::start("grants.grant_by_id");
        fetch_optional!(
            self,
            Grant,
            sqlx::query_as("SELECT * FROM oauth_grants WHERE id = $1").bind(id)
        )
    }

    #[tracing::instrument(name = "store.grants.revoke_grant", level = "debug", skip_all, fields(id = ?id))]
    async fn revoke_grant(&mut self, id: Uuid, now: OffsetDateTime) -> StoreResult<bool> {
        let _timer = crate::metrics::Timer::start("grants.revoke_grant");
        // What an app's token may read changes: copies go, here and on
        // other nodes.
        self.announce_about(id);
        let done = exec!(
            self,
            sqlx::query(
                "UPDATE oauth_grants SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL"
            )
            .bind(id)
            .bind(to_ms(now))
        )?;
        Ok(done > 0)
    }

    #[tracing::instrument(name = "store.grants.revoke_account_grants", level = "debug", skip_all, fields(account_id = ?account_id))]
    async fn revoke_account_grants(
        &mut self,
        account_id: Uuid,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<Grant>> {
        let _timer = crate::metrics::Timer::start("grants.revoke_account_grants");
        self.announce_about(account_id);
        fetch_all!(
            self,
            Grant,
            sqlx::query_as(
                "UPDATE oauth_grants SET revoked_at = $2 WHERE account_id = $1 AND revoked_at IS NULL \
                 RETURNING *"
            )
            .bind(account_id)
            .bind(to_ms(now))
        )
    }

    #[tracing::instrument(name = "store.grants.live_session_grants", level = "debug", skip_all)]
    async fn live_session_grants(&mut self, sid: &str) -> StoreResult<Vec<Grant>> {
        let _timer = crate::metrics::Timer::start("grants.live_session_grants");
        fetch_all!(
            self,
            Grant,
            sqlx::query_as(
                "SELECT * FROM oauth_grants WHERE sid = $1 AND revoked_at IS NULL ORDER BY created_at, id"
            )
            .bind(sid)
        )
    }

    #[tracing::instrument(name = "store.grants.live_account_grants", level = "debug", skip_all, fields(account_id = ?account_id))]
    async fn live_account_grants(&mut self, account_id: Uuid) -> StoreResult<Vec<Grant>> {
        let _timer = crate::metrics::Timer::start("grants.live_account_grants");
        fetch_all!(
            self,
            Grant,
            sqlx::query_as(
                "SELECT * FROM oauth_grants WHERE account_id = $1 AND revoked_at IS NULL \
                 ORDER BY created_at DESC, id"
            )
            .bind(account_id)
        )
    }

    #[tracing::instrument(name = "store.grants.revoke_app_grants", level = "debug", skip_all, fields(account_id = ?account_id))]
    async fn revoke_app_grants(
        &mut self,
        account_id: Uuid,
        client_id: Uuid,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<Grant>> {
        let _timer = crate::metrics::Timer::start("grants.revoke_app_grants");
        self.announce();
        fetch_all!(
            self,
            Grant,
            sqlx::query_as(
                "UPDATE oauth_grants SET revoked_at = $3 \
                 WHERE account_id = $1 AND client_id = $2 AND revoked_at IS NULL RETURNING *"
            )
            .bind(account_id)
            .bind(client_id)
            .bind(to_ms(now))
        )
    }

    #[tracing::instrument(name = "store.grants.forget_ended_grants", level = "debug", skip_all)]
    async fn forget_ended_grants(
        &mut self,
        codes_before: OffsetDateTime,
        revoked_before: OffsetDateTime,
        made_before: OffsetDateTime,
        now: OffsetDateTime,
    ) -> StoreResult<u64> {
        let _timer = crate::metrics::Timer::start("grants.forget_ended_grants");
        let codes = exec!(
            self,
            sqlx::query("DELETE FROM oauth_codes WHERE expires_at < $1").bind(to_ms(codes_before))
        )?;
        let tokens = exec!(
            self,
            sqlx::query("DELETE FROM oauth_refresh_tokens WHERE expires_at < $1").bind(to_ms(now))
        )?;
        let revoked = exec!(
            self,
            sqlx::query(
                "DELETE FROM oauth_grants WHERE revoked_at IS NOT NULL AND revoked_at < $1"
            )
            .bind(to_ms(revoked_before))
        )?;
        let unused = exec!(
            self,
            sqlx::query(
                "DELETE FROM oauth_grants WHERE revoked_at IS NULL AND created_at < $1 \
                 AND NOT EXISTS (SELECT 1 FROM oauth_refresh_tokens r WHERE r.grant_id = oauth_grants.id)"
            )
            .bind(to_ms(made_before))
        )?;
        Ok(codes + tokens + revoked + unused)
    }

    #[tracing::instrument(name = "store.grants.insert_code", level = "debug", skip_all)]
    async fn insert_code(&mut self, c: &AuthCode) -> StoreResult<()> {
        let _timer = crate::metrics::Timer::start("grants.insert_code");
        exec!(self, sqlx::query(
            "INSERT INTO oauth_codes (code_hash, grant_id, redirect_uri, nonce, code_challenge, created_at, expires_at, used_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(&c.code_hash).bind(c.grant_id).bind(&c.redirect_uri).bind(&c.nonce).bind(&c.code_challenge)
            .bind(to_ms(c.created_at)).bind(to_ms(c.expires_at)).bind(c.used_at.map(to_ms)))?;
        Ok(())
    }

    #[tracing::instrument(name = "store.grants.redeem_code", level = "debug", skip_all)]
    async fn redeem_code(
        &mut self,
        code_hash: &[u8],
        now: OffsetDateTime,
    ) -> StoreResult<Option<AuthCode>> {
        let _timer = crate::metrics::Timer::start("grants.redeem_code");
        let fresh: Option<AuthCode> = fetch_optional!(
            self,
            AuthCode,
            sqlx::query_as(
                "UPDATE oauth_codes SET used_at = $2 WHERE code_hash = $1 AND used_at IS NULL RETURNING *"
            )
            .bind(code_hash)
            .bind(to_ms(now))
        )?;
        if let Some(mut code) = fresh {
            // Answered as it was before this call: unused.
            code.used_at = None;
            return Ok(Some(code));
        }
        fetch_optional!(
            self,
            AuthCode,
            sqlx::query_as("SELECT * FROM oauth_codes WHERE code_hash = $1").bind(code_hash)
        )
    }

    #[tracing::instrument(name = "store.grants.insert_refresh_token", level = "debug", skip_all)]
    async fn insert_refresh_token(&mut self, t: &RefreshToken) -> StoreResult<()> {
        let _timer = crate::metrics::Timer::start("grants.insert_refresh_token");
        exec!(self, sqlx::query(
            "INSERT INTO oauth_refresh_tokens (token_hash, grant_id, created_at, expires_at, rotated_at, successor_hash, successor_seal) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(&t.token_hash).bind(t.grant_id).bind(to_ms(t.created_at)).bind(to_ms(t.expires_at))
            .bind(t.rotated_at.map(to_ms)).bind(&t.successor_hash).bind(&t.successor_seal))?;
        Ok(())
    }

    #[tracing::instrument(name = "store.grants.refresh_token_by_hash", level = "debug", skip_all)]
    async fn refresh_token_by_hash(
        &mut self,
        token_hash: &[u8],
    ) -> StoreResult<Option<RefreshToken>> {
        let _timer = crate::metrics::Timer::start("grants.refresh_token_by_hash");
        fetch_optional!(
            self,
            RefreshToken,
            sqlx::query_as("SELECT * FROM oauth_refresh_tokens WHERE token_hash = $1")
                .bind(token_hash)
        )
    }

    #[tracing::instrument(name = "store.grants.rotate_refresh_token", level = "debug", skip_all)]
    async fn rotate_refresh_token(
        &mut self,
        token_hash: &[u8],
        now: OffsetDateTime,
        successor_hash: &[u8],
        successor_seal: &str,
    ) -> StoreResult<bool> {
        let _timer = crate::metrics::Timer::start("grants.rotate_refresh_token");
        let done = exec!(
            self,
            sqlx::query(
                "UPDATE oauth_refresh_tokens SET rotated_at = $2, successor_hash = $3, successor_seal = $4 \
                 WHERE token_hash = $1 AND rotated_at IS NULL"
            )
            .bind(token_hash)
            .bind(to_ms(now))
            .bind(successor_hash)
            .bind(successor_seal)
        )?;
        Ok(done > 0)
    }
}
