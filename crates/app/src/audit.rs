//! Building audit events: every staff action and security event is recorded
//! in the same transaction as the change it describes; reading them back,
//! with what their targets are called now.

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
#[tracing::instrument(name = "app.audit.list", level = "debug", skip_all)]
pub async fn list(
    app: &crate::App,
    caller: &crate::caller::StaffCaller,
    filter: &gatehouse_store::AuditFilter,
    limit: i64,
) -> crate::AppResult<Vec<AuditEvent>> {
    caller.require(gatehouse_domain::Permission::ViewAudit)?;
    let mut tx = app.store.read().await?;
    Ok(tx.search_audit(filter, limit.clamp(1, 10_000)).await?)
}

/// What the targets of some events are called now: an account by its login
/// ID, a customer by name (else company, else e-mail address), a site by its
/// key, a group by its name, a staff user by e-mail address. Targets that no
/// longer exist, and kinds without a name, are left out.
#[tracing::instrument(name = "app.audit.target_names", level = "debug", skip_all)]
pub async fn target_names(
    app: &crate::App,
    caller: &crate::caller::StaffCaller,
    events: &[AuditEvent],
) -> crate::AppResult<std::collections::BTreeMap<uuid::Uuid, String>> {
    caller.require(gatehouse_domain::Permission::ViewAudit)?;
    let mut wanted: Vec<(&str, uuid::Uuid)> = events
        .iter()
        .filter_map(|e| Some((e.target_kind.as_deref()?, e.target_id?)))
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    let mut tx = app.store.read().await?;
    let groups = if wanted.iter().any(|(k, _)| *k == "group") {
        tx.list_groups().await?
    } else {
        Vec::new()
    };
    let mut names = std::collections::BTreeMap::new();
    for (kind, id) in wanted {
        let name = match kind {
            "account" => tx.account_by_id(id).await?.map(|a| a.login_id),
            "customer" => tx.customer_by_id(id).await?.map(|c| {
                let f = &c.fields;
                let name = format!("{} {}", f.first_name, f.last_name)
                    .trim()
                    .to_string();
                [Some(name), f.company.clone(), f.email.clone()]
                    .into_iter()
                    .flatten()
                    .find(|n| !n.is_empty())
                    .unwrap_or_default()
            }),
            "site" => tx.site_by_id(id).await?.map(|s| s.key),
            "group" => groups.iter().find(|g| g.id == id).map(|g| g.name.clone()),
            "company" => tx.company_by_id(id).await?.map(|c| c.name),
            "staff" => tx.staff_by_id(id).await?.map(|s| s.email),
            _ => None,
        };
        if let Some(name) = name.filter(|n| !n.is_empty()) {
            names.insert(id, name);
        }
    }
    Ok(names)
}
