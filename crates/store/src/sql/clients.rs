//! The SQL behind [`Clients`], one body for both engines.

use super::*;
use crate::tx::Clients;

#[async_trait]
impl Clients for SqlTx {
    #[tracing::instrument(name = "store.clients.insert_client", level = "debug", skip_all)]
    async fn insert_client(&mut self, c: &Client) -> StoreResult<()> {
        let _timer = crate::metrics::Timer::start("clients.insert_client");
        self.announce_site_change();
        exec!(self, sqlx::query(
            "INSERT INTO oauth_clients (id, site_id, client_id, name, client_type, secret_hash, redirect_uris, \
             post_logout_redirect_uris, first_party, backchannel_logout_uri, scopes, signing_alg, created_at, updated_at, \
             grant_types, resources, backchannel_logout_session_required, require_two_steps) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)")
            .bind(c.id).bind(c.site_id).bind(&c.client_id).bind(&c.name).bind(c.client_type.as_str())
            .bind(&c.secret_hash).bind(list_json(&c.redirect_uris)).bind(list_json(&c.post_logout_redirect_uris))
            .bind(c.first_party).bind(&c.backchannel_logout_uri).bind(list_json(&c.scopes))
            .bind(c.signing_alg.as_str()).bind(to_ms(c.created_at)).bind(to_ms(c.updated_at))
            .bind(grant_types_json(&c.grant_types)).bind(list_json(&c.resources))
            .bind(c.backchannel_logout_session_required).bind(c.require_two_steps))?;
        Ok(())
    }

    #[tracing::instrument(name = "store.clients.client_by_client_id", level = "debug", skip_all)]
    async fn client_by_client_id(&mut self, client_id: &str) -> StoreResult<Option<Client>> {
        let _timer = crate::metrics::Timer::start("clients.client_by_client_id");
        fetch_optional!(
            self,
            ClientRow,
            sqlx::query_as("SELECT * FROM oauth_clients WHERE client_id = $1").bind(client_id)
        )
    }

    #[tracing::instrument(name = "store.clients.client_by_id", level = "debug", skip_all, fields(id = ?id))]
    async fn client_by_id(&mut self, id: Uuid) -> StoreResult<Option<Client>> {
        let _timer = crate::metrics::Timer::start("clients.client_by_id");
        fetch_optional!(
            self,
            ClientRow,
            sqlx::query_as("SELECT * FROM oauth_clients WHERE id = $1").bind(id)
        )
    }

    #[tracing::instrument(name = "store.clients.list_clients", level = "debug", skip_all, fields(site_id = ?site_id))]
    async fn list_clients(&mut self, site_id: Uuid) -> StoreResult<Vec<Client>> {
        let _timer = crate::metrics::Timer::start("clients.list_clients");
        fetch_all!(
            self,
            ClientRow,
            sqlx::query_as(
                "SELECT * FROM oauth_clients WHERE site_id = $1 ORDER BY lower(name), id"
            )
            .bind(site_id)
        )
    }

    #[tracing::instrument(name = "store.clients.update_client", level = "debug", skip_all)]
    async fn update_client(&mut self, c: &Client) -> StoreResult<()> {
        let _timer = crate::metrics::Timer::start("clients.update_client");
        // What an app's token may read changes: copies on other nodes go.
        self.announce_site_change();
        let done = exec!(self, sqlx::query(
            "UPDATE oauth_clients SET name = $2, client_type = $3, secret_hash = $4, redirect_uris = $5, \
             post_logout_redirect_uris = $6, first_party = $7, backchannel_logout_uri = $8, scopes = $9, \
             signing_alg = $10, updated_at = $11, grant_types = $12, resources = $13, \
             backchannel_logout_session_required = $14, require_two_steps = $15 WHERE id = $1")
            .bind(c.id).bind(&c.name).bind(c.client_type.as_str()).bind(&c.secret_hash)
            .bind(list_json(&c.redirect_uris)).bind(list_json(&c.post_logout_redirect_uris))
            .bind(c.first_party).bind(&c.backchannel_logout_uri).bind(list_json(&c.scopes))
            .bind(c.signing_alg.as_str()).bind(to_ms(c.updated_at))
            .bind(grant_types_json(&c.grant_types)).bind(list_json(&c.resources))
            .bind(c.backchannel_logout_session_required).bind(c.require_two_steps))?;
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    #[tracing::instrument(name = "store.clients.delete_client", level = "debug", skip_all, fields(id = ?id))]
    async fn delete_client(&mut self, id: Uuid) -> StoreResult<bool> {
        let _timer = crate::metrics::Timer::start("clients.delete_client");
        // What an app's token may read changes: copies on other nodes go.
        self.announce_site_change();
        let done = exec!(
            self,
            sqlx::query("DELETE FROM oauth_clients WHERE id = $1").bind(id)
        )?;
        Ok(done > 0)
    }
}
