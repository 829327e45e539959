//! The store's personal data: what is held about a person, erasure, and the retention purge's reading.

use crate::model::{Account, OutboxMessage};
use crate::{Erased, Erasure, StoreResult};
use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

/// Personal data: what is held about a person, erasure, and the retention purge's reading.
#[async_trait]
pub trait Privacy: Send {
    /// The mail queued or sent to any of these addresses (any case),
    /// newest first, at most `limit`.
    async fn outbox_to(
        &mut self,
        addresses: &[String],
        limit: i64,
    ) -> StoreResult<Vec<OutboxMessage>>;

    /// Removes people for good: their accounts (and with them their
    /// sessions, links, app grants and consents), the customer records
    /// given, every mail to their addresses, every console import whose
    /// report names an address of theirs, and the personal data in audit
    /// events about them, by them, or naming an address of theirs (the
    /// events stay, their details emptied and the actor's name replaced by
    /// "erased").
    async fn erase_person(&mut self, erasure: &Erasure) -> StoreResult<Erased>;

    /// Deleted accounts on a site deleted before `before`, oldest first, at
    /// most `limit`.
    async fn deleted_accounts_before(
        &mut self,
        site_id: Uuid,
        before: OffsetDateTime,
        limit: i64,
    ) -> StoreResult<Vec<Account>>;
}
