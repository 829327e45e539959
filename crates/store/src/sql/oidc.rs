//! The SQL behind [`OidcTx`], one body for both engines like the rest of
//! `sql.rs` (whose macros it uses).

use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Inner, SqlTx, convert_all};
use crate::model::to_ms;
use crate::oidc::{
    AuthCode, AuthCodeRow, Client, ClientRow, Consent, ConsentRow, Grant, GrantRow, OidcTx,
    RefreshToken, RefreshTokenRow, SigningKey, SigningKeyRow, list_json,
};
use crate::{StoreError, StoreResult, Tx};

#[async_trait]
impl OidcTx for SqlTx {
    async fn insert_client(&mut self, c: &Client) -> StoreResult<()> {
        exec!(self, sqlx::query(
            "INSERT INTO oauth_clients (id, site_id, client_id, name, client_type, secret_hash, redirect_uris, \
             post_logout_redirect_uris, first_party, backchannel_logout_uri, scopes, signing_alg, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)")
            .bind(c.id).bind(c.site_id).bind(&c.client_id).bind(&c.name).bind(&c.client_type)
            .bind(&c.secret_hash).bind(list_json(&c.redirect_uris)).bind(list_json(&c.post_logout_redirect_uris))
            .bind(c.first_party).bind(&c.backchannel_logout_uri).bind(list_json(&c.scopes))
            .bind(&c.signing_alg).bind(to_ms(c.created_at)).bind(to_ms(c.updated_at)))?;
        Ok(())
    }

    async fn client_by_client_id(&mut self, client_id: &str) -> StoreResult<Option<Client>> {
        fetch_optional!(
            self,
            ClientRow,
            sqlx::query_as("SELECT * FROM oauth_clients WHERE client_id = $1").bind(client_id)
        )
    }

    async fn client_by_id(&mut self, id: Uuid) -> StoreResult<Option<Client>> {
        fetch_optional!(
            self,
            ClientRow,
            sqlx::query_as("SELECT * FROM oauth_clients WHERE id = $1").bind(id)
        )
    }

    async fn list_clients(&mut self, site_id: Uuid) -> StoreResult<Vec<Client>> {
        fetch_all!(
            self,
            ClientRow,
            sqlx::query_as(
                "SELECT * FROM oauth_clients WHERE site_id = $1 ORDER BY lower(name), id"
            )
            .bind(site_id)
        )
    }

    async fn update_client(&mut self, c: &Client) -> StoreResult<()> {
        // What an app's token may read changes: copies on other nodes go.
        self.announce();
        let done = exec!(self, sqlx::query(
            "UPDATE oauth_clients SET name = $2, client_type = $3, secret_hash = $4, redirect_uris = $5, \
             post_logout_redirect_uris = $6, first_party = $7, backchannel_logout_uri = $8, scopes = $9, \
             signing_alg = $10, updated_at = $11 WHERE id = $1")
            .bind(c.id).bind(&c.name).bind(&c.client_type).bind(&c.secret_hash)
            .bind(list_json(&c.redirect_uris)).bind(list_json(&c.post_logout_redirect_uris))
            .bind(c.first_party).bind(&c.backchannel_logout_uri).bind(list_json(&c.scopes))
            .bind(&c.signing_alg).bind(to_ms(c.updated_at)))?;
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn delete_client(&mut self, id: Uuid) -> StoreResult<bool> {
        // What an app's token may read changes: copies on other nodes go.
        self.announce();
        let done = exec!(
            self,
            sqlx::query("DELETE FROM oauth_clients WHERE id = $1").bind(id)
        )?;
        Ok(done > 0)
    }

    async fn insert_signing_key(&mut self, k: &SigningKey) -> StoreResult<()> {
        exec!(self, sqlx::query(
            "INSERT INTO signing_keys (kid, alg, private_der, public_jwk, created_at, signs_from, retired_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(&k.kid).bind(&k.alg).bind(&k.private_der).bind(&k.public_jwk)
            .bind(to_ms(k.created_at)).bind(to_ms(k.signs_from))
            .bind(k.retired_at.map(to_ms)).bind(k.expires_at.map(to_ms)))?;
        Ok(())
    }

    async fn signing_keys(&mut self) -> StoreResult<Vec<SigningKey>> {
        fetch_all!(
            self,
            SigningKeyRow,
            sqlx::query_as("SELECT * FROM signing_keys ORDER BY created_at DESC, kid")
        )
    }

    async fn retire_signing_key(
        &mut self,
        kid: &str,
        retired_at: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> StoreResult<()> {
        exec!(
            self,
            sqlx::query(
                "UPDATE signing_keys SET retired_at = $2, expires_at = $3 WHERE kid = $1 AND retired_at IS NULL"
            )
            .bind(kid)
            .bind(to_ms(retired_at))
            .bind(to_ms(expires_at))
        )?;
        Ok(())
    }

    async fn delete_expired_signing_keys(&mut self, now: OffsetDateTime) -> StoreResult<u64> {
        Ok(exec!(
            self,
            sqlx::query(
                "DELETE FROM signing_keys WHERE expires_at IS NOT NULL AND expires_at <= $1"
            )
            .bind(to_ms(now))
        )?)
    }

    async fn insert_grant(&mut self, g: &Grant) -> StoreResult<()> {
        exec!(self, sqlx::query(
            "INSERT INTO oauth_grants (id, client_id, account_id, scopes, auth_time, created_at, revoked_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(g.id).bind(g.client_id).bind(g.account_id).bind(list_json(&g.scopes))
            .bind(to_ms(g.auth_time)).bind(to_ms(g.created_at)).bind(g.revoked_at.map(to_ms)))?;
        Ok(())
    }

    async fn grant_by_id(&mut self, id: Uuid) -> StoreResult<Option<Grant>> {
        fetch_optional!(
            self,
            GrantRow,
            sqlx::query_as("SELECT * FROM oauth_grants WHERE id = $1").bind(id)
        )
    }

    async fn revoke_grant(&mut self, id: Uuid, now: OffsetDateTime) -> StoreResult<bool> {
        // What an app's token may read changes: copies on other nodes go.
        self.announce();
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

    async fn revoke_account_grants(
        &mut self,
        account_id: Uuid,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<Uuid>> {
        self.announce();
        let rows: Vec<(Uuid,)> = on!(self, c => sqlx::query_as(
                "UPDATE oauth_grants SET revoked_at = $2 WHERE account_id = $1 AND revoked_at IS NULL \
                 RETURNING client_id"
            )
            .bind(account_id)
            .bind(to_ms(now))
            .fetch_all(&mut **c).await)?;
        let mut clients: Vec<Uuid> = rows.into_iter().map(|(c,)| c).collect();
        clients.sort_unstable();
        clients.dedup();
        Ok(clients)
    }

    async fn live_account_grants(&mut self, account_id: Uuid) -> StoreResult<Vec<Grant>> {
        fetch_all!(
            self,
            GrantRow,
            sqlx::query_as(
                "SELECT * FROM oauth_grants WHERE account_id = $1 AND revoked_at IS NULL \
                 ORDER BY created_at DESC, id"
            )
            .bind(account_id)
        )
    }

    async fn revoke_app_grants(
        &mut self,
        account_id: Uuid,
        client_id: Uuid,
        now: OffsetDateTime,
    ) -> StoreResult<u64> {
        self.announce();
        Ok(exec!(
            self,
            sqlx::query(
                "UPDATE oauth_grants SET revoked_at = $3 \
                 WHERE account_id = $1 AND client_id = $2 AND revoked_at IS NULL"
            )
            .bind(account_id)
            .bind(client_id)
            .bind(to_ms(now))
        )?)
    }

    async fn save_consent(&mut self, c: &Consent) -> StoreResult<()> {
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

    async fn consent(&mut self, account_id: Uuid, client_id: Uuid) -> StoreResult<Option<Consent>> {
        fetch_optional!(
            self,
            ConsentRow,
            sqlx::query_as("SELECT * FROM oauth_consents WHERE account_id = $1 AND client_id = $2")
                .bind(account_id)
                .bind(client_id)
        )
    }

    async fn account_consents(&mut self, account_id: Uuid) -> StoreResult<Vec<Consent>> {
        fetch_all!(
            self,
            ConsentRow,
            sqlx::query_as(
                "SELECT * FROM oauth_consents WHERE account_id = $1 ORDER BY granted_at DESC, client_id"
            )
            .bind(account_id)
        )
    }

    async fn delete_consent(&mut self, account_id: Uuid, client_id: Uuid) -> StoreResult<bool> {
        let done = exec!(
            self,
            sqlx::query("DELETE FROM oauth_consents WHERE account_id = $1 AND client_id = $2")
                .bind(account_id)
                .bind(client_id)
        )?;
        Ok(done > 0)
    }

    async fn insert_code(&mut self, c: &AuthCode) -> StoreResult<()> {
        exec!(self, sqlx::query(
            "INSERT INTO oauth_codes (code_hash, grant_id, redirect_uri, nonce, code_challenge, created_at, expires_at, used_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(&c.code_hash).bind(c.grant_id).bind(&c.redirect_uri).bind(&c.nonce).bind(&c.code_challenge)
            .bind(to_ms(c.created_at)).bind(to_ms(c.expires_at)).bind(c.used_at.map(to_ms)))?;
        Ok(())
    }

    async fn redeem_code(
        &mut self,
        code_hash: &[u8],
        now: OffsetDateTime,
    ) -> StoreResult<Option<AuthCode>> {
        let fresh: Option<AuthCode> = fetch_optional!(
            self,
            AuthCodeRow,
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
            AuthCodeRow,
            sqlx::query_as("SELECT * FROM oauth_codes WHERE code_hash = $1").bind(code_hash)
        )
    }

    async fn insert_refresh_token(&mut self, t: &RefreshToken) -> StoreResult<()> {
        exec!(self, sqlx::query(
            "INSERT INTO oauth_refresh_tokens (token_hash, grant_id, created_at, expires_at, rotated_at, successor_hash, successor_seal) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(&t.token_hash).bind(t.grant_id).bind(to_ms(t.created_at)).bind(to_ms(t.expires_at))
            .bind(t.rotated_at.map(to_ms)).bind(&t.successor_hash).bind(&t.successor_seal))?;
        Ok(())
    }

    async fn refresh_token_by_hash(
        &mut self,
        token_hash: &[u8],
    ) -> StoreResult<Option<RefreshToken>> {
        fetch_optional!(
            self,
            RefreshTokenRow,
            sqlx::query_as("SELECT * FROM oauth_refresh_tokens WHERE token_hash = $1")
                .bind(token_hash)
        )
    }

    async fn rotate_refresh_token(
        &mut self,
        token_hash: &[u8],
        now: OffsetDateTime,
        successor_hash: &[u8],
        successor_seal: &str,
    ) -> StoreResult<bool> {
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
