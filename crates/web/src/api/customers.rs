//! Customers: the list (search, filters, sort, pages) and its CSV, streamed;
//! one customer (add, read, change, delete); an action on several.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::csv::{csv_lines, csv_response};
use std::borrow::Cow;

use gatehouse_app::customer_fields;
use gatehouse_app::customers::CustomerPatch;

use crate::error::ApiError;
use crate::extract::ApiCaller;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/customers",
            get(list_customers).post(create_customer),
        )
        .route("/api/v1/customers.csv", get(customers_csv))
        .route("/api/v1/customers/actions", post(customers_action))
        .route(
            "/api/v1/customers/{id}",
            get(get_customer)
                .patch(update_customer)
                .delete(delete_customer),
        )
}

#[utoipa::path(
    get,
    path = "/api/v1/customers",
    tag = "customers",
    summary = "The customer list: search, filters, sort, pages",
    params(gatehouse_app::customers::ListQuery),
    responses((status = 200, description = "One page of customers with the total", body = gatehouse_app::accounts::Page<gatehouse_app::wire::Customer>)),
    security(("bearer" = []))
)]
pub(crate) async fn list_customers(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiQuery(q): ApiQuery<gatehouse_app::customers::ListQuery>,
) -> Result<Response, ApiError> {
    let page = gatehouse_app::customers::list(&state.app, &caller, &q).await?;
    Ok(Json(page.map(gatehouse_app::wire::Customer::from)).into_response())
}

#[utoipa::path(
    post,
    path = "/api/v1/customers",
    tag = "customers",
    summary = "Add a customer, optionally with a portal account and a welcome mail",
    request_body = NewCustomer,
    responses((status = 201, description = "The customer and their accounts", body = gatehouse_app::customers::CustomerDetail)),
    security(("bearer" = []))
)]
pub(crate) async fn create_customer(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiJson(mut body): ApiJson<serde_json::Map<String, serde_json::Value>>,
) -> Result<Response, ApiError> {
    let account = match body.remove("account") {
        None | Some(serde_json::Value::Null) => None,
        Some(v) => Some(
            serde_json::from_value::<gatehouse_app::customers::NewAccount>(v)
                .map_err(|e| gatehouse_app::AppError::invalid("account", e.to_string()))?,
        ),
    };
    let patch = CustomerPatch::from_json(&body);
    let made =
        gatehouse_app::customers::create(&state.app, &caller, &patch, account.as_ref()).await?;
    Ok((axum::http::StatusCode::CREATED, Json(made)).into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/customers/{id}",
    tag = "customers",
    summary = "A customer",
    params(("id" = Uuid, Path, description = "The customer's ID")),
    responses((status = 200, description = "The customer and their accounts", body = gatehouse_app::customers::CustomerDetail)),
    security(("bearer" = []))
)]
pub(crate) async fn get_customer(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Response, ApiError> {
    Ok(Json(gatehouse_app::customers::get(&state.app, &caller, id).await?).into_response())
}

#[utoipa::path(
    patch,
    path = "/api/v1/customers/{id}",
    tag = "customers",
    summary = "Change a customer (absent fields stay)",
    params(("id" = Uuid, Path, description = "The customer's ID")),
    request_body = gatehouse_app::customers::CustomerPatch,
    responses((status = 200, description = "The customer after the change", body = gatehouse_app::customers::CustomerDetail)),
    security(("bearer" = []))
)]
pub(crate) async fn update_customer(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<serde_json::Map<String, serde_json::Value>>,
) -> Result<Response, ApiError> {
    let patch = CustomerPatch::from_json(&body);
    Ok(
        Json(gatehouse_app::customers::update(&state.app, &caller, id, &patch).await?)
            .into_response(),
    )
}

#[utoipa::path(
    delete,
    path = "/api/v1/customers/{id}",
    tag = "customers",
    summary = "Delete a customer",
    params(("id" = Uuid, Path, description = "The customer's ID")),
    responses((status = 204, description = "Deleted")),
    security(("bearer" = []))
)]
pub(crate) async fn delete_customer(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Response, ApiError> {
    gatehouse_app::customers::delete(&state.app, &caller, id).await?;
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}

/// The actions on customers (`set_group` with `group_id`, or none to take
/// them out of their group).
#[derive(Debug, ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)] // Documents the action's words, read as text.
pub(crate) enum CustomerActionName {
    SetGroup,
    Delete,
}

/// A bulk action on customers, as posted.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CustomersAction {
    #[schema(value_type = CustomerActionName)]
    action: String,
    #[schema(min_items = 1, max_items = 500)]
    ids: Vec<Uuid>,
    #[serde(default)]
    group_id: Option<String>,
}

#[utoipa::path(
    post,
    path = "/api/v1/customers/actions",
    tag = "customers",
    summary = "An action on several customers",
    request_body = CustomersAction,
    responses((status = 200, description = "A result per customer", body = CustomersReply)),
    security(("bearer" = []))
)]
pub(crate) async fn customers_action(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiJson(body): ApiJson<CustomersAction>,
) -> Result<Response, ApiError> {
    use gatehouse_app::customers;
    let action = customers::CustomerAction::parse(&body.action, body.group_id.as_deref())?;
    let results = customers::bulk(&state.app, &caller, action, &body.ids).await?;
    let summary = customers::bulk_summary(action, &results);
    Ok(Json(CustomersReply { summary, results }).into_response())
}

/// The CSV columns: the ID, every customer field by its stable name, and
/// the record's times.
fn customer_columns() -> Vec<&'static str> {
    std::iter::once("id")
        .chain(CustomerPatch::FIELDS.iter().map(|f| f.name))
        .chain(["created_at", "updated_at"])
        .collect()
}

/// A customer's CSV cells, borrowed where the text is stored as it is shown
/// (an export writes a million of these).
fn customer_record(c: &gatehouse_store::Customer) -> Vec<Cow<'_, str>> {
    let time = |t: time::OffsetDateTime| {
        Cow::Owned(
            t.format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
        )
    };
    let mut cells = Vec::with_capacity(CustomerPatch::FIELDS.len() + 3);
    cells.push(Cow::Owned(c.id.to_string()));
    cells.extend(customer_fields::cells(&c.fields));
    cells.push(time(c.created_at));
    cells.push(time(c.updated_at));
    cells
}

/// The filtered customer list as CSV, streamed a chunk at a time (constant
/// memory whatever its length), in ID order (the order they were added).
#[utoipa::path(
    get,
    path = "/api/v1/customers.csv",
    tag = "customers",
    summary = "The filtered customer list as CSV, streamed",
    params(gatehouse_app::customers::ListQuery),
    responses((status = 200, description = "Every customer the filter matches (RFC 4180; formulas neutralised)", body = String, content_type = "text/csv")),
    security(("bearer" = []))
)]
pub(crate) async fn customers_csv(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiQuery(q): ApiQuery<gatehouse_app::customers::ListQuery>,
) -> Result<Response, ApiError> {
    const CHUNK: i64 = 1000;
    let filter = gatehouse_app::customers::filter_of(&state.app, &q).await?;
    // The file is in the order customers were added; a sort is still
    // checked (and a count), so that a mistyped one is refused as it is on
    // the list.
    gatehouse_app::customers::sort_of(&q)?;
    gatehouse_app::customers::count_of(&q)?;
    // Refuse before the first byte when the caller may not read customers.
    gatehouse_app::customers::export_chunk(&state.app, &caller, &filter, None, 1).await?;
    let header = csv_lines([customer_columns()])
        .map_err(|e| ApiError::from(gatehouse_app::AppError::Internal(e.to_string())))?;
    let app = state.app.clone();
    let rows = futures_util::stream::unfold(Some(None::<Uuid>), move |cursor| {
        let app = app.clone();
        let caller = caller.clone();
        let filter = filter.clone();
        async move {
            let after = cursor?;
            match gatehouse_app::customers::export_chunk(&app, &caller, &filter, after, CHUNK).await
            {
                Ok(chunk) if chunk.is_empty() => None,
                Ok(chunk) => {
                    let next = if (chunk.len() as i64) < CHUNK {
                        None
                    } else {
                        chunk.last().map(|c| Some(c.id))
                    };
                    let bytes =
                        csv_lines(chunk.iter().map(customer_record)).map_err(std::io::Error::other);
                    Some((bytes.map(axum::body::Bytes::from), next))
                }
                Err(e) => Some((Err(std::io::Error::other(e.to_string())), None)),
            }
        }
    });
    let head = futures_util::stream::once(async move {
        Ok::<_, std::io::Error>(axum::body::Bytes::from(header))
    });
    let body = axum::body::Body::from_stream(futures_util::StreamExt::chain(head, rows));
    Ok(csv_response("customers.csv", body))
}

/// What a bulk action on customers did.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CustomersReply {
    /// One sentence for a person.
    summary: String,
    /// One per customer, in the order given.
    results: Vec<gatehouse_app::customers::CustomerResult>,
}

/// A customer to add: the customer's fields (`first_name` and `last_name`,
/// or `company`, needed) and optionally a portal account to make with them.
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // The shape of a JSON body, read in two parts.
pub(crate) struct NewCustomer {
    #[serde(flatten)]
    fields: CustomerPatch,
    /// A portal account to make with the customer.
    account: Option<gatehouse_app::customers::NewAccount>,
}
