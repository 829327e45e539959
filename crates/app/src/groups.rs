//! Customer groups: named sets of customers with a description and an active
//! flag (inactive groups are hidden from pickers). A group with members
//! cannot be deleted.

use gatehouse_domain::Permission;
use gatehouse_store::{Group, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::staff_auth::StaffCaller;
use crate::{App, AppError, AppResult, audit};

/// A group and how many customers it has.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GroupView {
    /// The group.
    #[serde(flatten)]
    pub group: crate::wire::Group,
    /// Customers in it.
    pub members: i64,
}

/// What staff type for a group.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupInput {
    /// Name (unique without regard to case).
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "[^\\t-\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]"
    )]
    pub name: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Shown in pickers.
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

fn check(input: &GroupInput) -> AppResult<(String, String)> {
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::invalid(
            "name",
            "a group name must be 1 to 100 characters",
        ));
    }
    let description = input.description.trim();
    if description.chars().count() > 1000 {
        return Err(AppError::invalid(
            "description",
            "a description must be at most 1000 characters",
        ));
    }
    Ok((name.to_string(), description.to_string()))
}

/// Every group with its size; inactive ones too when `all`.
#[tracing::instrument(name = "app.groups.list", level = "debug", skip_all)]
pub async fn list(app: &App, caller: &StaffCaller, all: bool) -> AppResult<Vec<GroupView>> {
    caller.require(Permission::ViewCustomers)?;
    let mut tx = app.store.read().await?;
    let mut out = Vec::new();
    for group in tx.list_groups().await? {
        if all || group.active {
            let members = tx.group_size(group.id).await?;
            out.push(GroupView {
                group: group.into(),
                members,
            });
        }
    }
    Ok(out)
}

fn taken(name: &str) -> AppError {
    AppError::Conflict(format!("a group named '{name}' exists already"))
}

/// Adds a group.
#[tracing::instrument(name = "app.groups.create", level = "debug", skip_all)]
pub async fn create(app: &App, caller: &StaffCaller, input: &GroupInput) -> AppResult<Group> {
    caller.require(Permission::ManageAccounts)?;
    let (name, description) = check(input)?;
    let now = app.clock.now();
    let group = Group {
        id: Uuid::now_v7(),
        name,
        description,
        active: input.active,
        created_at: now,
    };
    let mut tx = app.store.begin().await?;
    match tx.insert_group(&group).await {
        Err(StoreError::Conflict(_)) => return Err(taken(&group.name)),
        other => other?,
    }
    tx.append_audit(&audit::event(
        now,
        &caller.actor(),
        "group.create",
        Some(("group", group.id)),
        None,
        json!({"name": group.name}),
    ))
    .await?;
    tx.commit().await?;
    Ok(group)
}

/// Changes a group.
#[tracing::instrument(name = "app.groups.update", level = "debug", skip_all)]
pub async fn update(
    app: &App,
    caller: &StaffCaller,
    id: Uuid,
    input: &GroupInput,
) -> AppResult<Group> {
    caller.require(Permission::ManageAccounts)?;
    let (name, description) = check(input)?;
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    let before = tx
        .list_groups()
        .await?
        .into_iter()
        .find(|g| g.id == id)
        .ok_or_else(|| AppError::NotFound("group".into()))?;
    let group = Group {
        name,
        description,
        active: input.active,
        ..before.clone()
    };
    match tx.update_group(&group).await {
        Err(StoreError::Conflict(_)) => return Err(taken(&group.name)),
        other => other?,
    }
    tx.append_audit(&audit::event(
        now,
        &caller.actor(),
        "group.update",
        Some(("group", id)),
        None,
        json!({
            "before": crate::wire::Group::from(before),
            "after": crate::wire::Group::from(group.clone()),
        }),
    ))
    .await?;
    tx.commit().await?;
    Ok(group)
}

/// Removes an empty group; one with members is refused and says how many.
#[tracing::instrument(name = "app.groups.delete", level = "debug", skip_all)]
pub async fn delete(app: &App, caller: &StaffCaller, id: Uuid) -> AppResult<()> {
    caller.require(Permission::ManageAccounts)?;
    let now = app.clock.now();
    let mut tx = app.store.begin().await?;
    let members = tx.group_size(id).await?;
    if members > 0 {
        return Err(AppError::Conflict(format!(
            "the group still has {members} customer{}; move them to another group first",
            if members == 1 { "" } else { "s" }
        )));
    }
    match tx.delete_group(id).await {
        Err(StoreError::NotFound) => return Err(AppError::NotFound("group".into())),
        other => other?,
    }
    tx.append_audit(&audit::event(
        now,
        &caller.actor(),
        "group.delete",
        Some(("group", id)),
        None,
        json!({}),
    ))
    .await?;
    tx.commit().await?;
    Ok(())
}
