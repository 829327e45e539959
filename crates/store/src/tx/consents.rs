//! The store's a customer's consents to third-party apps.

use crate::StoreResult;
use crate::oidc::Consent;
use async_trait::async_trait;
use uuid::Uuid;

/// A customer's consents to third-party apps.
#[async_trait]
pub trait Consents: Send {
    /// Records a consent, replacing the one the account gave the app before.
    async fn save_consent(&mut self, consent: &Consent) -> StoreResult<()>;

    /// The consent an account gave an app.
    async fn consent(&mut self, account_id: Uuid, client_id: Uuid) -> StoreResult<Option<Consent>>;

    /// Every consent an account gave, newest first.
    async fn account_consents(&mut self, account_id: Uuid) -> StoreResult<Vec<Consent>>;

    /// Withdraws a consent; answers whether there was one.
    async fn delete_consent(&mut self, account_id: Uuid, client_id: Uuid) -> StoreResult<bool>;
}
