//! Reports: the dashboard's figures and a site's registrations report
//! (JSON and CSV).

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::IntoParams;

use super::Items;
use super::SiteQuery;
use super::csv::{csv_lines, csv_response};
use crate::error::ApiError;
use crate::extract::ApiCaller;
use crate::extract::ApiQuery;
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/reports/dashboard", get(dashboard))
        .route("/api/v1/reports/registrations", get(registrations_report))
        .route(
            "/api/v1/reports/registrations.csv",
            get(registrations_report_csv),
        )
}

#[utoipa::path(
    get,
    path = "/api/v1/reports/dashboard",
    tag = "reports",
    summary = "Counts per status per site, registrations per day",
    params(SiteQuery),
    responses((status = 200, description = "The dashboard", body = gatehouse_app::reports::Dashboard)),
    security(("bearer" = []))
)]
pub(crate) async fn dashboard(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiQuery(q): ApiQuery<SiteQuery>,
) -> Result<Response, ApiError> {
    let site = q.site.as_deref().filter(|s| !s.is_empty());
    Ok(Json(gatehouse_app::reports::dashboard(&state.app, &caller, site).await?).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ReportQuery {
    site: Option<String>,
    limit: Option<i64>,
}

async fn registrations_rows(
    state: &AppState,
    caller: &gatehouse_app::staff_auth::StaffCaller,
    q: &ReportQuery,
) -> Result<Vec<gatehouse_app::reports::RegistrationRow>, ApiError> {
    let site = q.site.as_deref().unwrap_or("main");
    Ok(
        gatehouse_app::reports::registrations(&state.app, caller, site, q.limit.unwrap_or(10_000))
            .await?,
    )
}

#[utoipa::path(
    get,
    path = "/api/v1/reports/registrations",
    tag = "reports",
    summary = "Registrations report of a site",
    params(ReportQuery),
    responses((status = 200, description = "A row per account", body = Items<gatehouse_app::reports::RegistrationRow>)),
    security(("bearer" = []))
)]
pub(crate) async fn registrations_report(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> Result<Response, ApiError> {
    let rows = registrations_rows(&state, &caller, &q).await?;
    Ok(Json(Items { items: rows }).into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/reports/registrations.csv",
    tag = "reports",
    summary = "Registrations report of a site as CSV",
    params(ReportQuery),
    responses((status = 200, description = "A row per account", body = String, content_type = "text/csv")),
    security(("bearer" = []))
)]
pub(crate) async fn registrations_report_csv(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> Result<Response, ApiError> {
    let rows = registrations_rows(&state, &caller, &q).await?;
    let time = |t: Option<time::OffsetDateTime>| {
        t.and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
    };
    let header = [
        "id",
        "login_id",
        "email",
        "status",
        "role",
        "company",
        "company_id",
        "registered_at",
        "verified_at",
        "approved_at",
        "last_login_at",
        "access_expires_at",
        "password_expires_at",
    ];
    let records = rows.iter().map(|r| {
        vec![
            r.id.to_string(),
            r.login_id.clone(),
            r.email.clone(),
            r.status.clone(),
            r.role.clone(),
            r.company.clone().unwrap_or_default(),
            r.company_id.map(|c| c.to_string()).unwrap_or_default(),
            time(Some(r.registered_at)),
            time(r.verified_at),
            time(r.approved_at),
            time(r.last_login_at),
            time(r.access_expires_at),
            time(r.password_expires_at),
        ]
    });
    let bytes =
        csv_lines(std::iter::once(header.iter().map(|h| h.to_string()).collect()).chain(records))
            .map_err(|e| ApiError::from(gatehouse_app::AppError::Internal(e.to_string())))?;
    Ok(csv_response(
        "registrations.csv",
        axum::body::Body::from(bytes),
    ))
}
