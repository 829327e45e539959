//! Companies: list (search, pages, CSV), add, read (with its customers and
//! their accounts), change, delete (refused while customers belong to it).

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::csv::{csv_lines, csv_response};
use crate::error::ApiError;
use crate::extract::ApiCaller;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/companies",
            get(list_companies).post(create_company),
        )
        .route("/api/v1/companies.csv", get(companies_csv))
        .route(
            "/api/v1/companies/{id}",
            get(get_company)
                .patch(update_company)
                .delete(delete_company),
        )
}

/// The companies list's parameters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct CompaniesQuery {
    /// Name or external ID containing this (any case).
    pub(crate) q: Option<String>,
    /// Page, from 1.
    #[param(minimum = 1)]
    pub(crate) page: Option<i64>,
    /// Rows per page (1–500, default 50).
    #[param(minimum = 1, maximum = 500)]
    pub(crate) per_page: Option<i64>,
}

impl CompaniesQuery {
    /// (limit, offset) of the page asked for.
    pub(crate) fn window(&self) -> Result<(i64, i64), gatehouse_app::AppError> {
        let per_page = self.per_page.unwrap_or(50);
        if !(1..=500).contains(&per_page) {
            return Err(gatehouse_app::AppError::invalid(
                "per_page",
                "per_page must be 1 to 500",
            ));
        }
        let page = self.page.unwrap_or(1);
        if page < 1 {
            return Err(gatehouse_app::AppError::invalid(
                "page",
                "page must be 1 or more",
            ));
        }
        Ok((per_page, (page - 1).saturating_mul(per_page)))
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/companies",
    tag = "companies",
    summary = "Companies, by name, with how many customers and accounts each has",
    params(CompaniesQuery),
    responses((status = 200, description = "One page of companies with the total", body = gatehouse_app::companies::CompanyPage)),
    security(("bearer" = []))
)]
pub(crate) async fn list_companies(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiQuery(q): ApiQuery<CompaniesQuery>,
) -> Result<Response, ApiError> {
    let (limit, offset) = q.window()?;
    let page =
        gatehouse_app::companies::list(&state.app, &caller, q.q.as_deref(), limit, offset).await?;
    Ok(Json(page).into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/companies.csv",
    tag = "companies",
    summary = "Every company matching the search, as CSV",
    params(("q" = Option<String>, Query, description = "Name or external ID containing this")),
    responses((status = 200, description = "name, external_id, address, notes, customers, accounts, id", content_type = "text/csv")),
    security(("bearer" = []))
)]
pub(crate) async fn companies_csv(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiQuery(q): ApiQuery<CompaniesQuery>,
) -> Result<Response, ApiError> {
    const CHUNK: i64 = 1000;
    let mut rows: Vec<Vec<String>> = vec![
        [
            "name",
            "external_id",
            "address",
            "notes",
            "customers",
            "accounts",
            "id",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
    ];
    let mut offset = 0;
    loop {
        let page =
            gatehouse_app::companies::list(&state.app, &caller, q.q.as_deref(), CHUNK, offset)
                .await?;
        let n = page.items.len() as i64;
        for c in page.items {
            rows.push(vec![
                c.company.name,
                c.company.external_id.unwrap_or_default(),
                c.company.address.unwrap_or_default(),
                c.company.notes,
                c.customers.to_string(),
                c.accounts.to_string(),
                c.company.id.to_string(),
            ]);
        }
        if n < CHUNK {
            break;
        }
        offset += CHUNK;
    }
    let body = csv_lines(rows)
        .map_err(|e| ApiError::from(gatehouse_app::AppError::Internal(e.to_string())))?;
    Ok(csv_response("companies.csv", body.into()))
}

#[utoipa::path(
    post,
    path = "/api/v1/companies",
    tag = "companies",
    summary = "Add a company (a name another company has, case, spaces and a trailing full stop aside, is refused naming that company)",
    request_body = gatehouse_app::companies::CompanyInput,
    responses(
        (status = 201, description = "The company", body = gatehouse_app::wire::Company),
        (status = 409, description = "Another company has this name or external ID; the field says which (and the name's message names that company)", body = crate::error::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn create_company(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiJson(body): ApiJson<gatehouse_app::companies::CompanyInput>,
) -> Result<Response, ApiError> {
    let company = gatehouse_app::companies::create(&state.app, &caller, &body).await?;
    let company = gatehouse_app::wire::Company::from(company);
    Ok((axum::http::StatusCode::CREATED, Json(company)).into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/companies/{id}",
    tag = "companies",
    summary = "A company with its customers and their portal accounts",
    params(("id" = Uuid, Path, description = "The company's ID")),
    responses((status = 200, description = "The company", body = gatehouse_app::companies::CompanyDetail)),
    security(("bearer" = []))
)]
pub(crate) async fn get_company(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Response, ApiError> {
    Ok(Json(gatehouse_app::companies::get(&state.app, &caller, id).await?).into_response())
}

#[utoipa::path(
    patch,
    path = "/api/v1/companies/{id}",
    tag = "companies",
    summary = "Change a company (a new name is written into its customers' records)",
    params(("id" = Uuid, Path, description = "The company's ID")),
    request_body = gatehouse_app::companies::CompanyPatch,
    responses(
        (status = 200, description = "The company", body = gatehouse_app::wire::Company),
        (status = 409, description = "Another company has this name or external ID", body = crate::error::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn update_company(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<gatehouse_app::companies::CompanyPatch>,
) -> Result<Response, ApiError> {
    let company = gatehouse_app::companies::update(&state.app, &caller, id, &body).await?;
    Ok(Json(gatehouse_app::wire::Company::from(company)).into_response())
}

#[utoipa::path(
    delete,
    path = "/api/v1/companies/{id}",
    tag = "companies",
    summary = "Delete a company (refused while customers belong to it)",
    params(("id" = Uuid, Path, description = "The company's ID")),
    responses((status = 204, description = "Deleted")),
    security(("bearer" = []))
)]
pub(crate) async fn delete_company(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Response, ApiError> {
    gatehouse_app::companies::delete(&state.app, &caller, id).await?;
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}
