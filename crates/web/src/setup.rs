//! The set-password page of a single-use link (`/admin/setup/{token}`): the
//! first admin's, which a fresh installation prints at start, an invited
//! staff user's, or a new password for a staff user who lost theirs
//! (`gatehouse staff reset`); the page and its answer say which, in the
//! visitor's language.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use gatehouse_app::{AppError, setup};
use gatehouse_domain::Language;
use serde::Deserialize;

use crate::i18n;
use crate::pages;
use crate::state::AppState;

fn link_gone(lang: Language) -> Response {
    pages::said(
        StatusCode::NOT_FOUND,
        lang,
        "setup-gone-title",
        &[
            i18n::word(lang, "setup-gone-why"),
            i18n::word(lang, "setup-gone-then"),
        ],
    )
}

pub(crate) async fn form(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let lang = pages::visitor_lang(&headers);
    match setup::setup_token_valid(&state.app, &token).await {
        Ok(true) => {
            let holder = setup::link_holder(&state.app, &token).await.ok().flatten();
            let reset = holder.as_ref().is_some_and(|h| h.reset);
            pages::render(
                StatusCode::OK,
                "setup.html",
                minijinja::context! { lang => lang.as_str(), token, error => None::<String>, field => None::<String>,
                email => holder.as_ref().map(|h| h.email.clone()), invited => holder.is_some(), reset },
            )
        }
        Ok(false) => link_gone(lang),
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
    headers: HeaderMap,
    Form(input): Form<SetupForm>,
) -> Response {
    let lang = pages::visitor_lang(&headers);
    // An invited staff user's link, or the first admin's: the page and the
    // answer say which, before and after a refusal.
    let holder = setup::link_holder(&state.app, &token).await.ok().flatten();
    let (invited, reset) = (holder.is_some(), holder.is_some_and(|h| h.reset));
    let again = |status: StatusCode, error: String, field: &str| {
        pages::render(
            status,
            "setup.html",
            minijinja::context! { lang => lang.as_str(), token => token.clone(), error, field, email => input.email.clone(), invited, reset },
        )
    };
    if input.password != input.password_confirm {
        return again(
            StatusCode::UNPROCESSABLE_ENTITY,
            i18n::word(lang, "setup-mismatch"),
            "password",
        );
    }
    match setup::complete_setup(&state.app, &token, &input.email, &input.password).await {
        Ok(admin) => pages::said(
            StatusCode::CREATED,
            lang,
            if reset {
                "setup-done-reset"
            } else if invited {
                "setup-done-invited"
            } else {
                "setup-done-first"
            },
            &[
                i18n::text(
                    lang,
                    "setup-done-who",
                    &[
                        ("email", admin.email.clone()),
                        ("role", admin.role.as_str().to_string()),
                    ],
                ),
                i18n::word(lang, "setup-done-next"),
            ],
        ),
        Err(AppError::Invalid { field, .. }) if field.as_deref() == Some("token") => {
            link_gone(lang)
        }
        Err(AppError::Invalid {
            field,
            message,
            words,
        }) => again(
            StatusCode::UNPROCESSABLE_ENTITY,
            capitalise(&i18n::refusal(lang, &message, words.as_ref())),
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
