//! The store's apps (OAuth 2.0 clients) registered on a site.

use crate::StoreResult;
use crate::oidc::Client;
use async_trait::async_trait;
use uuid::Uuid;

/// Apps (OAuth 2.0 clients) registered on a site.
#[async_trait]
pub trait Clients: Send {
    /// Registers a client; a taken `client_id` is a conflict.
    async fn insert_client(&mut self, client: &Client) -> StoreResult<()>;

    /// The client with this public `client_id`.
    async fn client_by_client_id(&mut self, client_id: &str) -> StoreResult<Option<Client>>;

    /// The client with this ID.
    async fn client_by_id(&mut self, id: Uuid) -> StoreResult<Option<Client>>;

    /// The clients of a site, by name.
    async fn list_clients(&mut self, site_id: Uuid) -> StoreResult<Vec<Client>>;

    /// Replaces everything of a client but its identity and site.
    async fn update_client(&mut self, client: &Client) -> StoreResult<()>;

    /// Removes a client with its grants, codes, tokens and consents;
    /// answers whether it existed.
    async fn delete_client(&mut self, id: Uuid) -> StoreResult<bool>;
}
