//! The store's the mail outbox: queued in the change's transaction, claimed by one node at a time.

use crate::StoreResult;
use crate::model::{NewMail, OutboxMessage};
use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

/// The mail outbox: queued in the change's transaction, claimed by one node at a time.
#[async_trait]
pub trait Outbox: Send {
    /// Queues a mail for delivery.
    async fn enqueue_mail(
        &mut self,
        id: Uuid,
        mail: &NewMail,
        now: OffsetDateTime,
    ) -> StoreResult<()>;

    /// Claims up to `limit` due mails for delivery until `lease_until`; a
    /// mail claimed by one node is skipped by the others until its lease ends.
    async fn claim_mail(
        &mut self,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        limit: i64,
    ) -> StoreResult<Vec<OutboxMessage>>;

    /// Gives back claimed mails that were not sent (a node stopping): they
    /// are due again at once for any node, and the claim is not counted as
    /// an attempt.
    async fn release_mail(&mut self, ids: &[Uuid]) -> StoreResult<u64>;

    /// Marks a mail delivered.
    async fn mark_mail_sent(&mut self, id: Uuid, now: OffsetDateTime) -> StoreResult<()>;

    /// Records a failed delivery: tried again at `retry_at`, or failed for
    /// good when `None`.
    async fn mark_mail_failed(
        &mut self,
        id: Uuid,
        error: &str,
        retry_at: Option<OffsetDateTime>,
    ) -> StoreResult<()>;

    /// The newest outbox messages, of one status when given.
    async fn list_outbox(
        &mut self,
        status: Option<&str>,
        limit: i64,
    ) -> StoreResult<Vec<OutboxMessage>>;

    /// One outbox message.
    async fn outbox_by_id(&mut self, id: Uuid) -> StoreResult<Option<OutboxMessage>>;

    /// Makes a failed or waiting message due now; answers whether it was one.
    async fn retry_mail(&mut self, id: Uuid, now: OffsetDateTime) -> StoreResult<bool>;
}
