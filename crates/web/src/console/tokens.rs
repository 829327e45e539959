//! API tokens in the console (`/admin/tokens`): the list, making one (its
//! secret is shown once) and revoking one.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use gatehouse_app::staff_auth::StaffCaller;
use gatehouse_app::{AppError, api_tokens, staff};
use minijinja::{Value, context};
use serde::Deserialize;
use uuid::Uuid;

use super::{Button, OnPage, PageResult, end_of_day, page};
use crate::extract::{ConsoleCaller, ConsoleForm, ConsolePath};
use crate::pages;
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/tokens", get(tokens_page).post(tokens_create))
        .route("/admin/tokens/{id}/revoke", post(tokens_revoke))
}

async fn tokens_view(
    state: &AppState,
    caller: &StaffCaller,
    status: StatusCode,
    created: Option<Value>,
    error: Option<String>,
) -> PageResult {
    let items = api_tokens::list(&state.app, caller).await.on_page(caller)?;
    let staff = staff::list(&state.app, caller).await.on_page(caller)?;
    let staff_names: std::collections::BTreeMap<String, String> = staff
        .iter()
        .map(|s| (s.id.to_string(), s.email.clone()))
        .collect();
    Ok(page(
        caller,
        status,
        "console/tokens.html",
        context! { items => pages::ser(items), staff_list => pages::ser(&staff), staff_names => pages::ser(staff_names), created, error, flash => None::<String> },
    ))
}

async fn tokens_page(
    State(state): State<AppState>,
    ConsoleCaller(caller): ConsoleCaller,
) -> PageResult {
    tokens_view(&state, &caller, StatusCode::OK, None, None).await
}

#[derive(Debug, Default, Deserialize)]
struct TokenForm {
    /// The staff user the token acts as (e-mail address).
    #[serde(default)]
    staff: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    scopes: Vec<String>,
    #[serde(default)]
    expires_on: String,
}

async fn tokens_create(
    State(state): State<AppState>,
    ConsoleForm { caller, form, .. }: ConsoleForm<TokenForm>,
) -> PageResult {
    let made = match end_of_day(&form.expires_on, "expires_on") {
        Ok(expires) => {
            api_tokens::create(
                &state.app,
                &caller,
                &form.staff,
                &form.name,
                &form.scopes,
                expires,
            )
            .await
        }
        Err(e) => Err(e),
    };
    match made {
        Ok(made) => {
            let created = context! { name => made.token.name.clone(), secret => made.secret };
            tokens_view(&state, &caller, StatusCode::CREATED, Some(created), None).await
        }
        Err(e @ (AppError::Invalid { .. } | AppError::NotFound(_))) => {
            let error = Some(e.to_string());
            tokens_view(
                &state,
                &caller,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                error,
            )
            .await
        }
        Err(e) => Err(e).on_page(&caller),
    }
}

async fn tokens_revoke(
    State(state): State<AppState>,
    ConsolePath(id): ConsolePath<Uuid>,
    ConsoleForm { caller, .. }: ConsoleForm<Button>,
) -> PageResult {
    api_tokens::revoke(&state.app, &caller, id)
        .await
        .on_page(&caller)?;
    tokens_view(&state, &caller, StatusCode::OK, None, None).await
}
