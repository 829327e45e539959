//! The set-password page of a single-use link (`/admin/setup/{token}`): the
//! first admin's, which a fresh installation prints at start, or an invited
//! staff user's; the page and its answer say which.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use gatehouse_app::{AppError, setup};
use serde::Deserialize;

use crate::AppState;
use crate::pages;

fn link_gone() -> Response {
    pages::message(
        StatusCode::NOT_FOUND,
        "This setup link does not work any more",
        &[
            "It was used already, it expired, or an admin exists already.",
            "Restart the server for a new link while no staff user exists, or run `gatehouse staff add` on the server.",
        ],
    )
}

pub(crate) async fn form(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    match setup::setup_token_valid(&state.app, &token).await {
        Ok(true) => {
            let invited = setup::invited_email(&state.app, &token)
                .await
                .ok()
                .flatten();
            pages::render(
                StatusCode::OK,
                "setup.html",
                minijinja::context! { token, error => None::<String>, field => None::<String>, email => invited.clone(), invited => invited.is_some() },
            )
        }
        Ok(false) => link_gone(),
        Err(e) => crate::error::page_error(e),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct SetupForm {
    email: String,
    password: String,
    password_confirm: String,
}

pub(crate) async fn submit(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Form(input): Form<SetupForm>,
) -> Response {
    // An invited staff user's link, or the first admin's: the page and the
    // answer say which, before and after a refusal.
    let invited = setup::invited_email(&state.app, &token)
        .await
        .ok()
        .flatten()
        .is_some();
    let again = |status: StatusCode, error: String, field: &str| {
        pages::render(
            status,
            "setup.html",
            minijinja::context! { token => token.clone(), error, field, email => input.email.clone(), invited },
        )
    };
    if input.password != input.password_confirm {
        return again(
            StatusCode::UNPROCESSABLE_ENTITY,
            "The two passwords are not the same.".into(),
            "password",
        );
    }
    match setup::complete_setup(&state.app, &token, &input.email, &input.password).await {
        Ok(admin) => pages::message(
            StatusCode::CREATED,
            if invited {
                "Your password is set"
            } else {
                "The first admin exists"
            },
            &[
                &format!(
                    "{} can sign in to the console now, as {}.",
                    admin.email, admin.role
                ),
                "This link no longer works. Sign in at /admin/login.",
            ],
        ),
        Err(AppError::Invalid { field, .. }) if field.as_deref() == Some("token") => link_gone(),
        Err(AppError::Invalid { field, message, .. }) => again(
            StatusCode::UNPROCESSABLE_ENTITY,
            capitalise(&message),
            field.as_deref().unwrap_or(""),
        ),
        Err(e) => crate::error::page_error(e),
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect::<String>() + ".")
        .unwrap_or_default()
}
