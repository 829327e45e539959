//! The store's staff API tokens.

use crate::StoreResult;
use crate::model::ApiToken;
use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

/// Staff API tokens.
#[async_trait]
pub trait ApiTokens: Send {
    /// Stores an API token.
    async fn insert_api_token(&mut self, token: &ApiToken) -> StoreResult<()>;

    /// The API token whose secret hashes to this.
    async fn api_token_by_hash(&mut self, token_hash: &[u8]) -> StoreResult<Option<ApiToken>>;

    /// Every API token, newest first.
    async fn list_api_tokens(&mut self) -> StoreResult<Vec<ApiToken>>;

    /// Revokes a token; answers whether it was live.
    async fn revoke_api_token(&mut self, id: Uuid, now: OffsetDateTime) -> StoreResult<bool>;

    /// Records that a token was used now.
    async fn touch_api_token(&mut self, id: Uuid, now: OffsetDateTime) -> StoreResult<()>;
}
