//! The store's the provider's signing keys, rotated.

use crate::StoreResult;
use crate::oidc::SigningKey;
use async_trait::async_trait;
use time::OffsetDateTime;

/// The provider's signing keys, rotated.
#[async_trait]
pub trait SigningKeys: Send {
    /// Stores a signing key.
    async fn insert_signing_key(&mut self, key: &SigningKey) -> StoreResult<()>;

    /// Every signing key, newest first.
    async fn signing_keys(&mut self) -> StoreResult<Vec<SigningKey>>;

    /// Stops a key signing at `retired_at`; it leaves the JWKS at `expires_at`.
    async fn retire_signing_key(
        &mut self,
        kid: &str,
        retired_at: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> StoreResult<()>;

    /// Removes keys that have left the JWKS for good.
    async fn delete_expired_signing_keys(&mut self, now: OffsetDateTime) -> StoreResult<u64>;
}
