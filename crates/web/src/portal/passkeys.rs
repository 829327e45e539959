//! The signed-in customer's passkeys page: the list (with the last use), a
//! name changed and one removed by plain forms; adding one needs the
//! browser's WebAuthn API (`assets/passkeys.js`, through the JSON calls of
//! `crate::api::passkeys`).

use axum::Form;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use gatehouse_app::AppError;
use gatehouse_app::portal::passkeys;
use gatehouse_app::portal::sessions::Current;
use minijinja::{Value, context};
use serde::Deserialize;
use uuid::Uuid;

use crate::extract::visit::*;

async fn page(v: Visit, current: &Current, status: StatusCode, error: Option<String>) -> Response {
    let list = match passkeys::list(&v.state.app, current).await {
        Ok(list) => list,
        Err(e) => return v.fail(e).into_response(),
    };
    let when = |t| crate::i18n::when(v.lang, t);
    let rows: Vec<Value> = list
        .iter()
        .map(|p| {
            context! {
                id => p.id.to_string(), name => p.name.clone(),
                created_at => when(p.created_at),
                last_used_at => p.last_used_at.map(when),
            }
        })
        .collect();
    let available = passkeys::available(&v.state.app, &v.site);
    let impersonating = current.session.impersonator_id.is_some();
    v.page(
        status,
        "portal/passkeys.html",
        context! { passkeys => rows, available, impersonating, error, max => passkeys::NAME_MAX_CHARS },
    )
}

pub(super) async fn passkeys_page(SignedIn { visit: v, current }: SignedIn<false>) -> Response {
    page(v, &current, StatusCode::OK, None).await
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct RenameForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
}

/// A change refused for something the customer can put right: the page
/// again, saying what.
async fn after(
    v: Visit,
    current: &Current,
    result: Result<(), AppError>,
    notice: &str,
) -> Response {
    match result {
        Ok(()) => {
            let to = format!("{}?notice={notice}", v.path("passkeys"));
            v.redirect(&to)
        }
        Err(
            e @ (AppError::Invalid { .. } | AppError::NotFound(_) | AppError::Forbidden { .. }),
        ) => {
            let (status, said) = match e {
                AppError::NotFound(_) => (StatusCode::NOT_FOUND, v.tr("passkey_gone")),
                e => refusal_line(&v, &e),
            };
            page(v, current, status, Some(said)).await
        }
        Err(e) => v.fail(e).into_response(),
    }
}

pub(super) async fn rename(
    SignedIn { visit: v, current }: SignedIn<false>,
    Path((_, id)): Path<(String, Uuid)>,
    Form(form): Form<RenameForm>,
) -> Response {
    if !v.csrf_ok(&form.csrf) {
        return v.csrf_refused();
    }
    let result = passkeys::rename(&v.state.app, &current, id, &form.name).await;
    after(v, &current, result, "passkey_renamed").await
}

pub(super) async fn remove(
    SignedIn { visit: v, current }: SignedIn<false>,
    Path((_, id)): Path<(String, Uuid)>,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !v.csrf_ok(&form.csrf) {
        return v.csrf_refused();
    }
    let result = passkeys::remove(&v.state.app, &current, id).await;
    after(v, &current, result, "passkey_removed").await
}
