//! The registrations queue (`/admin/registrations`): accounts by status in
//! tabs with their counts, a search, and one action on a selection or on
//! every account shown. Only actions that some account shown allows are
//! offered, none is chosen beforehand, and an action is asked about first,
//! naming how many accounts it touches. The action's result comes back on
//! the list the staff user was looking at.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use gatehouse_app::links::query_value;
use gatehouse_app::staff_auth::StaffCaller;
use gatehouse_app::{AppError, accounts};
use gatehouse_domain::Permission;
use minijinja::{Value, context};
use serde::Deserialize;
use uuid::Uuid;

use super::{OnPage, PageResult, page, site_keys, word, word_with};
use crate::extract::{ConsoleCaller, ConsoleForm, ConsoleQuery};
use crate::pages;
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/registrations", get(registrations))
        .route("/admin/registrations/actions", post(registrations_action))
}

/// The queue's tabs, in order (each named by its status's word).
const TABS: [&str; 6] = [
    "unverified",
    "pending",
    "locked",
    "blocked",
    "deleted",
    "active",
];

async fn registrations_page(
    caller: &StaffCaller,
    state: &AppState,
    q: &accounts::ListQuery,
    flash: Option<String>,
    error: Option<String>,
) -> PageResult {
    let status = q
        .status
        .clone()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "pending".into());
    let query = accounts::ListQuery {
        status: Some(status.clone()),
        ..q.clone()
    };
    let (list, offered) = accounts::list_offering(&state.app, caller, &query)
        .await
        .on_page(caller)?;
    let site_filter = q.site.as_deref().filter(|s| !s.is_empty());
    let counts = accounts::counts(&state.app, caller, site_filter)
        .await
        .on_page(caller)?;
    let tabs: Vec<Value> = TABS
        .iter()
        .map(|s| {
            let count = counts
                .iter()
                .find(|(st, _)| st.as_str() == *s)
                .map_or(0, |(_, n)| *n);
            context! { status => *s, count }
        })
        .collect();
    let site = q.site.clone().unwrap_or_default();
    let search = q.q.clone().unwrap_or_default();
    let back = format!(
        "/admin/registrations?status={status}&site={}&q={}",
        query_value(&site),
        query_value(&search)
    );
    let pages = (list.total + list.per_page - 1) / list.per_page;
    let actions: Vec<&str> = offered.iter().map(|a| a.as_str()).collect();
    Ok(page(
        caller,
        StatusCode::OK,
        "console/registrations.html",
        context! {
            items => pages::ser(&list.items), total => list.total, page => list.page, pages, tabs, status,
            sites => site_keys(state).await, site,
            q => search, back, actions, may_manage => caller.may(Permission::ManageAccounts), flash, error,
            may_audit => caller.may(Permission::ViewAudit),
        },
    ))
}

async fn registrations(
    State(state): State<AppState>,
    ConsoleCaller(caller): ConsoleCaller,
    ConsoleQuery(q): ConsoleQuery<accounts::ListQuery>,
) -> PageResult {
    registrations_page(&caller, &state, &q, None, None).await
}

/// The queue's action form.
#[derive(Debug, Default, Deserialize)]
struct ActionForm {
    #[serde(default)]
    action: String,
    /// The ticked accounts.
    #[serde(default)]
    ids: Vec<Uuid>,
    /// Every account shown, for "apply to all shown".
    #[serde(default)]
    page_ids: Vec<Uuid>,
    /// `page` for every account shown.
    #[serde(default)]
    scope: String,
    /// The select-all box: every account shown.
    all: Option<String>,
    /// Present once the staff user has confirmed.
    confirm: Option<String>,
    reason: Option<String>,
    notify: Option<String>,
    /// The list address the form was on.
    back: Option<String>,
}

async fn registrations_action(
    State(state): State<AppState>,
    ConsoleForm { caller, form, .. }: ConsoleForm<ActionForm>,
) -> PageResult {
    let ids = if form.scope == "page" || super::checked(&form.all) {
        &form.page_ids
    } else {
        &form.ids
    };
    let back = form.back.as_deref().unwrap_or("/admin/registrations");
    let query = back_query(back);
    let reason = form.reason.as_deref().filter(|r| !r.trim().is_empty());
    let outcome = match accounts::BulkAction::parse(&form.action) {
        Ok(action) if !ids.is_empty() && !super::checked(&form.confirm) => {
            return Ok(confirm_page(&caller, action, ids, reason, &form, back));
        }
        Ok(action) if !ids.is_empty() => accounts::bulk(
            &state.app,
            &caller,
            action,
            ids,
            reason,
            super::checked(&form.notify),
        )
        .await
        .map(|results| crate::api::accounts::bulk_summary(action, &results)),
        Ok(_) => Err(AppError::invalid("ids", "select at least one account")),
        Err(e) => Err(e),
    };
    match outcome {
        Ok(summary) => registrations_page(&caller, &state, &query, Some(summary), None).await,
        Err(e @ (AppError::Invalid { .. } | AppError::Forbidden { .. })) => {
            registrations_page(&caller, &state, &query, None, Some(e.to_string())).await
        }
        Err(e) => Err(e.into()),
    }
}

/// "Approve 37 accounts?": the chosen action, the count, and the same form
/// again with `confirm` set.
fn confirm_page(
    caller: &StaffCaller,
    action: accounts::BulkAction,
    ids: &[Uuid],
    reason: Option<&str>,
    form: &ActionForm,
    back: &str,
) -> axum::response::Response {
    let count = ids.len().to_string();
    let name = action.as_str();
    let mut hidden: Vec<(&str, String)> = vec![
        ("action", name.to_string()),
        ("back", back.to_string()),
        ("scope", "selected".into()),
    ];
    hidden.extend(ids.iter().map(|id| ("ids", id.to_string())));
    let mut lines = Vec::new();
    if let Some(reason) = reason {
        hidden.push(("reason", reason.to_string()));
        lines.push(word_with(
            "c-bulk-reason",
            &[("reason", reason.to_string())],
        ));
    }
    if super::checked(&form.notify) {
        hidden.push(("notify", "1".into()));
        lines.push(word("c-bulk-notify"));
    }
    let back = if back.starts_with("/admin/registrations") {
        back
    } else {
        "/admin/registrations"
    };
    page(
        caller,
        StatusCode::OK,
        "console/confirm.html",
        context! {
            heading => word_with(&format!("c-bulk-ask-{name}"), &[("count", count.clone())]),
            lines,
            yes => word_with(&format!("c-bulk-yes-{name}"), &[("count", count)]),
            hidden,
            calm => !matches!(action, accounts::BulkAction::Delete | accounts::BulkAction::Block | accounts::BulkAction::Disapprove),
            action => "/admin/registrations/actions",
            back,
            flash => None::<String>, error => None::<String>,
        },
    )
}

/// The filters of the queue address a form came back from.
fn back_query(back: &str) -> accounts::ListQuery {
    #[derive(Deserialize)]
    struct Back {
        status: Option<String>,
        site: Option<String>,
        q: Option<String>,
        page: Option<String>,
    }
    let query = back.split_once('?').map_or("", |(_, q)| q);
    let Ok(b) = crate::extract::parse_form::<Back>(query.as_bytes()) else {
        return accounts::ListQuery::default();
    };
    let text = |v: Option<String>| v.filter(|v| !v.is_empty());
    accounts::ListQuery {
        status: text(b.status),
        site: text(b.site),
        q: text(b.q),
        page: b.page.and_then(|p| p.parse().ok()),
        per_page: None,
    }
}
