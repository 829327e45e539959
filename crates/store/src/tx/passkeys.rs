//! The store's passkeys of customers, and the ceremonies that add them and
//! sign in with them.

use crate::StoreResult;
use crate::model::{Ceremony, PasskeyRecord};
use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

/// Customers' passkeys.
#[async_trait]
pub trait Passkeys: Send {
    /// Adds a passkey; a credential ID stored already is a conflict.
    async fn insert_passkey(&mut self, passkey: &PasskeyRecord) -> StoreResult<()>;

    /// An account's passkeys, oldest first.
    async fn passkeys_of(&mut self, account_id: Uuid) -> StoreResult<Vec<PasskeyRecord>>;

    /// The passkey with this credential ID.
    async fn passkey_by_credential_id(
        &mut self,
        credential_id: &[u8],
    ) -> StoreResult<Option<PasskeyRecord>>;

    /// Records a sign-in with a passkey: its credential as it stands now
    /// (the counter moved on) and when.
    async fn passkey_used(
        &mut self,
        id: Uuid,
        credential: &str,
        now: OffsetDateTime,
    ) -> StoreResult<()>;

    /// Renames one of an account's passkeys; answers whether it was there.
    async fn rename_passkey(&mut self, account_id: Uuid, id: Uuid, name: &str)
    -> StoreResult<bool>;

    /// Removes one of an account's passkeys; answers whether it was there.
    async fn delete_passkey(&mut self, account_id: Uuid, id: Uuid) -> StoreResult<bool>;

    /// Stores a ceremony begun, forgetting those that expired by its start.
    async fn insert_ceremony(&mut self, ceremony: &Ceremony) -> StoreResult<()>;

    /// Takes a ceremony of this kind, once, if it has not expired at `now`
    /// (of two concurrent answers exactly one gets it).
    async fn take_ceremony(
        &mut self,
        token_hash: &[u8],
        kind: &str,
        now: OffsetDateTime,
    ) -> StoreResult<Option<Ceremony>>;
}
