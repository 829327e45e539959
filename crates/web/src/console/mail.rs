//! Mail in the console: the outbox (`/admin/outbox`, each message opened
//! with its bodies, a retry for a failed one) and each site's e-mail templates with a live preview
//! (`/admin/sites/{site}/templates/…`). A template that does not render is
//! refused and shown again as typed, with the error.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use gatehouse_app::mail::Parts;
use gatehouse_app::staff_auth::StaffCaller;
use gatehouse_app::{AppError, outbox, templates};
use minijinja::{Value, context};
use serde::Deserialize;
use uuid::Uuid;

use super::{Button, OnPage, PageResult, page, redirect};
use crate::extract::{ConsoleCaller, ConsoleForm, ConsolePath, ConsoleQuery};
use crate::pages;
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/outbox", get(outbox_page))
        .route("/admin/outbox/{id}", get(outbox_message))
        .route("/admin/outbox/{id}/retry", post(outbox_retry))
        .route("/admin/sites/{site}/templates", get(templates_page))
        .route(
            "/admin/sites/{site}/templates/{key}/{lang}",
            get(template_form).post(template_submit),
        )
}

#[derive(Debug, Default, Deserialize)]
struct OutboxQuery {
    status: Option<String>,
    retried: Option<String>,
}

async fn outbox_page(
    State(state): State<AppState>,
    ConsoleCaller(caller): ConsoleCaller,
    ConsoleQuery(q): ConsoleQuery<OutboxQuery>,
) -> PageResult {
    let status = q.status.filter(|s| !s.is_empty());
    let items = outbox::list(&state.app, &caller, status.as_deref(), 200)
        .await
        .on_page(&caller)?;
    let flash = q.retried.map(|_| "c-message-queued".to_string());
    Ok(page(
        &caller,
        StatusCode::OK,
        "console/outbox.html",
        context! { items => pages::ser(items), status, statuses => outbox::STATUSES, flash, error => None::<String> },
    ))
}

async fn outbox_message(
    State(state): State<AppState>,
    ConsoleCaller(caller): ConsoleCaller,
    ConsolePath(id): ConsolePath<Uuid>,
) -> PageResult {
    let m = outbox::get(&state.app, &caller, id)
        .await
        .on_page(&caller)?;
    Ok(page(
        &caller,
        StatusCode::OK,
        "console/outbox_message.html",
        context! { m => pages::ser(&m), flash => None::<String>, error => None::<String> },
    ))
}

async fn outbox_retry(
    State(state): State<AppState>,
    ConsolePath(id): ConsolePath<Uuid>,
    ConsoleForm { caller, .. }: ConsoleForm<Button>,
) -> PageResult {
    outbox::retry(&state.app, &caller, id)
        .await
        .on_page(&caller)?;
    Ok(redirect("/admin/outbox?retried=1"))
}

async fn templates_page(
    State(state): State<AppState>,
    ConsoleCaller(caller): ConsoleCaller,
    ConsolePath(site): ConsolePath<String>,
) -> PageResult {
    let items = templates::list(&state.app, &caller, &site)
        .await
        .on_page(&caller)?;
    Ok(page(
        &caller,
        StatusCode::OK,
        "console/templates.html",
        context! { site, items => pages::ser(items), flash => None::<String>, error => None::<String> },
    ))
}

/// What the template page shows besides the template.
#[derive(Default)]
struct Shown {
    preview: Option<Value>,
    flash: Option<&'static str>,
    error: Option<String>,
    field: Option<String>,
}

fn edit_page(
    caller: &StaffCaller,
    status: StatusCode,
    site: &str,
    view: &templates::TemplateView,
    shown: Shown,
) -> Response {
    page(
        caller,
        status,
        "console/template_edit.html",
        context! {
            site, key => view.key.clone(), language => view.language.clone(), custom => view.custom,
            parts => pages::ser(&view.parts),
            preview => shown.preview, flash => shown.flash, error => shown.error, field => shown.field,
        },
    )
}

async fn template_form(
    State(state): State<AppState>,
    ConsoleCaller(caller): ConsoleCaller,
    ConsolePath((site, key, lang)): ConsolePath<(String, String, String)>,
) -> PageResult {
    let view = templates::get(&state.app, &caller, &site, &key, &lang)
        .await
        .on_page(&caller)?;
    Ok(edit_page(
        &caller,
        StatusCode::OK,
        &site,
        &view,
        Shown::default(),
    ))
}

#[derive(Debug, Default, Deserialize)]
struct TemplateForm {
    /// `save`, `reset`, or anything else for a preview.
    #[serde(default)]
    action: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    html: String,
}

async fn template_submit(
    State(state): State<AppState>,
    ConsolePath((site, key, lang)): ConsolePath<(String, String, String)>,
    ConsoleForm { caller, form, .. }: ConsoleForm<TemplateForm>,
) -> PageResult {
    let parts = Parts {
        subject: form.subject,
        text: form.text,
        html: form.html,
    };
    let current = templates::get(&state.app, &caller, &site, &key, &lang)
        .await
        .on_page(&caller)?;
    let typed = templates::TemplateView {
        parts: parts.clone(),
        ..current
    };
    let app = &state.app;
    let done = match form.action.as_str() {
        "save" => templates::save(app, &caller, &site, &key, &lang, &parts)
            .await
            .map(|view| (view, "c-saved", None)),
        "reset" => templates::reset(app, &caller, &site, &key, &lang)
            .await
            .map(|view| (view, "c-default-applies", None)),
        _ => templates::preview(app, &caller, &site, &key, &lang, &parts)
            .await
            .map(|r| {
                let preview = context! { subject => r.subject, text => r.text, html => r.html };
                (typed.clone(), "", Some(preview))
            }),
    };
    Ok(match done {
        Ok((view, flash, preview)) => {
            let shown = Shown {
                preview,
                flash: Some(flash).filter(|f| !f.is_empty()),
                ..Shown::default()
            };
            edit_page(&caller, StatusCode::OK, &site, &view, shown)
        }
        Err(e) => {
            // Shown again as typed, with what was wrong.
            let (field, error) = match e {
                AppError::Invalid { field, message, .. } => (field, message),
                other => (None, other.to_string()),
            };
            let shown = Shown {
                error: Some(error),
                field,
                ..Shown::default()
            };
            edit_page(
                &caller,
                StatusCode::UNPROCESSABLE_ENTITY,
                &site,
                &typed,
                shown,
            )
        }
    })
}
