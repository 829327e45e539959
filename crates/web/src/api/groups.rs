//! Customer groups: list, add, change, delete (refused while it has
//! members).

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch};
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::Items;
use crate::error::ApiError;
use crate::extract::ApiCaller;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/groups", get(list_groups).post(create_group))
        .route(
            "/api/v1/groups/{id}",
            patch(update_group).delete(delete_group),
        )
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct GroupsQuery {
    #[serde(default)]
    all: bool,
}

#[utoipa::path(
    get,
    path = "/api/v1/groups",
    tag = "groups",
    summary = "Customer groups",
    params(GroupsQuery),
    responses((status = 200, description = "Groups with their member counts", body = Items<gatehouse_app::groups::GroupView>)),
    security(("bearer" = []))
)]
pub(crate) async fn list_groups(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiQuery(q): ApiQuery<GroupsQuery>,
) -> Result<Response, ApiError> {
    Ok(Json(Items {
        items: gatehouse_app::groups::list(&state.app, &caller, q.all).await?,
    })
    .into_response())
}

#[utoipa::path(
    post,
    path = "/api/v1/groups",
    tag = "groups",
    summary = "Add a group",
    request_body = gatehouse_app::groups::GroupInput,
    responses((status = 201, description = "The group", body = gatehouse_app::wire::Group)),
    security(("bearer" = []))
)]
pub(crate) async fn create_group(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiJson(body): ApiJson<gatehouse_app::groups::GroupInput>,
) -> Result<Response, ApiError> {
    let group = gatehouse_app::groups::create(&state.app, &caller, &body).await?;
    let group = gatehouse_app::wire::Group::from(group);
    Ok((axum::http::StatusCode::CREATED, Json(group)).into_response())
}

#[utoipa::path(
    patch,
    path = "/api/v1/groups/{id}",
    tag = "groups",
    summary = "Change a group",
    params(("id" = Uuid, Path, description = "The group's ID")),
    request_body = gatehouse_app::groups::GroupInput,
    responses((status = 200, description = "The group", body = gatehouse_app::wire::Group)),
    security(("bearer" = []))
)]
pub(crate) async fn update_group(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<gatehouse_app::groups::GroupInput>,
) -> Result<Response, ApiError> {
    let group = gatehouse_app::groups::update(&state.app, &caller, id, &body).await?;
    Ok(Json(gatehouse_app::wire::Group::from(group)).into_response())
}

#[utoipa::path(
    delete,
    path = "/api/v1/groups/{id}",
    tag = "groups",
    summary = "Delete a group (refused while it has members)",
    params(("id" = Uuid, Path, description = "The group's ID")),
    responses((status = 204, description = "Deleted")),
    security(("bearer" = []))
)]
pub(crate) async fn delete_group(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Response, ApiError> {
    gatehouse_app::groups::delete(&state.app, &caller, id).await?;
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}
