//! The store's the append-only audit trail.

use crate::StoreResult;
use crate::model::{AuditEvent, AuditFilter};
use async_trait::async_trait;
use uuid::Uuid;

/// The append-only audit trail.
#[async_trait]
pub trait Audit: Send {
    /// Appends an audit event.
    async fn append_audit(&mut self, event: &AuditEvent) -> StoreResult<()>;

    /// The newest audit events, newest first.
    async fn list_audit(&mut self, limit: i64) -> StoreResult<Vec<AuditEvent>>;

    /// Audit events matching a filter, newest first.
    async fn search_audit(
        &mut self,
        filter: &AuditFilter,
        limit: i64,
    ) -> StoreResult<Vec<AuditEvent>>;

    /// The audit events of one target (an account, a staff user, …), newest first.
    async fn audit_of(&mut self, target_id: Uuid, limit: i64) -> StoreResult<Vec<AuditEvent>>;
}
