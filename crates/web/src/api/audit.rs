//! The audit log as JSON and CSV, with the filters the console's audit page
//! shares ([`AuditQuery`]).

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::Items;
use super::csv::{csv_lines, csv_response};
use crate::error::ApiError;
use crate::extract::ApiCaller;
use crate::extract::ApiQuery;
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/audit", get(list_audit))
        .route("/api/v1/audit.csv", get(audit_csv))
}

/// The audit log's filters, shared by the API, its CSV and the page.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct AuditQuery {
    limit: Option<i64>,
    target: Option<Uuid>,
    action: Option<String>,
    actor: Option<String>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    since: Option<time::OffsetDateTime>,
}

impl AuditQuery {
    pub(crate) fn filter(&self) -> gatehouse_store::AuditFilter {
        let text = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        gatehouse_store::AuditFilter {
            action: text(&self.action),
            actor: text(&self.actor),
            target_id: self.target,
            since: self.since,
        }
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/audit",
    tag = "audit",
    summary = "The audit log",
    params(AuditQuery),
    responses((status = 200, description = "Events, newest first", body = Items<gatehouse_app::wire::AuditEvent>)),
    security(("bearer" = []))
)]
pub(crate) async fn list_audit(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Response, ApiError> {
    let items =
        gatehouse_app::audit::list(&state.app, &caller, &q.filter(), q.limit.unwrap_or(100))
            .await?;
    let items: Vec<gatehouse_app::wire::AuditEvent> = items.into_iter().map(Into::into).collect();
    Ok(Json(Items { items }).into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/audit.csv",
    tag = "audit",
    summary = "The audit log as CSV",
    params(AuditQuery),
    responses((status = 200, description = "RFC 4180; cells a spreadsheet would run are neutralised", body = String, content_type = "text/csv")),
    security(("bearer" = []))
)]
pub(crate) async fn audit_csv(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Response, ApiError> {
    let items =
        gatehouse_app::audit::list(&state.app, &caller, &q.filter(), q.limit.unwrap_or(10_000))
            .await?;
    let header = [
        "at",
        "actor_kind",
        "actor",
        "action",
        "target_kind",
        "target_id",
        "site_id",
        "ip",
        "details",
    ];
    let rows = items.iter().map(|e| {
        vec![
            e.at.format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
            e.actor.kind.clone(),
            e.actor.label.clone(),
            e.action.clone(),
            e.target_kind.clone().unwrap_or_default(),
            e.target_id.map(|t| t.to_string()).unwrap_or_default(),
            e.site_id.map(|t| t.to_string()).unwrap_or_default(),
            e.ip.clone().unwrap_or_default(),
            e.details.to_string(),
        ]
    });
    let bytes =
        csv_lines(std::iter::once(header.iter().map(|h| h.to_string()).collect()).chain(rows))
            .map_err(|e| ApiError::from(gatehouse_app::AppError::Internal(e.to_string())))?;
    Ok(csv_response("audit.csv", axum::body::Body::from(bytes)))
}
