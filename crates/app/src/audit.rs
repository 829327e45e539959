//! Building audit events: every staff action and security event is recorded
//! in the same transaction as the change it describes.

use gatehouse_store::{Actor, AuditEvent};
use serde_json::Value;
use time::OffsetDateTime;
use uuid::Uuid;

/// An audit event of `action` by `actor` at `at` on a target.
pub fn event(
    at: OffsetDateTime,
    actor: &Actor,
    action: &str,
    target: Option<(&str, Uuid)>,
    site_id: Option<Uuid>,
    details: Value,
) -> AuditEvent {
    AuditEvent {
        id: Uuid::now_v7(),
        at,
        actor: actor.clone(),
        action: action.to_string(),
        target_kind: target.map(|(kind, _)| kind.to_string()),
        target_id: target.map(|(_, id)| id),
        site_id,
        details,
        ip: actor.ip.clone(),
    }
}

/// The newest audit events matching a filter, for staff who may read the
/// audit trail.
pub async fn list(
    app: &crate::App,
    caller: &crate::staff_auth::StaffCaller,
    filter: &gatehouse_store::AuditFilter,
    limit: i64,
) -> crate::AppResult<Vec<AuditEvent>> {
    caller.require(gatehouse_domain::Permission::ViewAudit)?;
    let mut tx = app.store.read().await?;
    Ok(tx.search_audit(filter, limit.clamp(1, 10_000)).await?)
}
