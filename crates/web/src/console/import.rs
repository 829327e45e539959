//! The console's import (`/admin/import`, admins): a CSV file uploaded with
//! a column mapping, checked (a dry run) or imported (all rows or none, or
//! the good rows), run in the background while its page shows the progress,
//! then the report with every bad row's line.
//!
//! Invariants: the upload is the only route with a body over the server's
//! usual limit ([`MAX_UPLOAD_BYTES`]); its CSRF token is checked before the
//! file is read into an import; a run is shown to staff who may import, on
//! any node (`transfer::runs` keeps it in the database).

use axum::Router;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use gatehouse_app::staff_auth::StaffCaller;
use gatehouse_app::transfer::{import, runs};
use gatehouse_domain::Permission;
use minijinja::context;
use uuid::Uuid;

use super::{ConsoleError, OnPage, PageResult, page};
use crate::extract::{ConsoleCaller, ConsolePath};
use crate::state::AppState;

/// The largest file the page takes.
pub(crate) const MAX_UPLOAD_BYTES: usize = 64 * 1024 * 1024;

/// The upload's routes, with their own body limit.
pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/import", get(form).post(upload))
        .route("/admin/import/{id}", get(run_page))
}

async fn form(State(_): State<AppState>, ConsoleCaller(caller): ConsoleCaller) -> PageResult {
    caller
        .require(Permission::ImportCustomers)
        .on_page(&caller)?;
    Ok(form_page(&caller, StatusCode::OK, None, &Typed::default()))
}

/// What the form had, shown again after a refusal.
#[derive(Debug, Default)]
struct Typed {
    mapping: String,
    skip_bad_rows: bool,
    dry_run: bool,
    send_invitations: bool,
}

fn form_page(
    caller: &StaffCaller,
    status: StatusCode,
    error: Option<String>,
    typed: &Typed,
) -> Response {
    page(
        caller,
        status,
        "console/import.html",
        context! {
            columns => gatehouse_app::transfer::import_columns(),
            mapping => typed.mapping.clone(),
            skip_bad_rows => typed.skip_bad_rows,
            dry_run => typed.dry_run || error.is_none(),
            send_invitations => typed.send_invitations,
            flash => None::<String>,
            error,
        },
    )
}

async fn upload(
    State(state): State<AppState>,
    ConsoleCaller(caller): ConsoleCaller,
    mut multipart: Multipart,
) -> Result<Response, ConsoleError> {
    caller
        .require(Permission::ImportCustomers)
        .on_page(&caller)?;
    let mut typed = Typed::default();
    let mut csrf = String::new();
    let mut file = None;
    let mut name = String::new();
    // An upload cut off or over the limit: the form again, saying so.
    let unreadable = |e: axum::extract::multipart::MultipartError, typed: &Typed| {
        let why = super::word_with("c-import-unreadable", &[("why", e.body_text())]);
        form_page(&caller, StatusCode::PAYLOAD_TOO_LARGE, Some(why), typed)
    };
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => return Ok(unreadable(e, &typed)),
        };
        let key = field.name().unwrap_or_default().to_string();
        if key == "file" {
            name = field.file_name().unwrap_or("upload.csv").to_string();
        }
        let bytes = match field.bytes().await {
            Ok(b) => b,
            Err(e) => return Ok(unreadable(e, &typed)),
        };
        let text = || String::from_utf8_lossy(&bytes).into_owned();
        match key.as_str() {
            "csrf" => csrf = text(),
            "mapping" => typed.mapping = text(),
            "mode" => typed.skip_bad_rows = text() == "skip_bad_rows",
            "dry_run" => typed.dry_run = true,
            "send_invitations" => typed.send_invitations = true,
            "file" => file = Some(bytes),
            _ => {}
        }
    }
    if !crate::csrf::same(caller.csrf_token().unwrap_or(""), &csrf) {
        return Err(ConsoleError::Expired(Box::new(caller)));
    }
    let Some(file) = file.filter(|f| !f.is_empty()) else {
        return Ok(form_page(
            &caller,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(super::word("c-import-no-file")),
            &typed,
        ));
    };
    let options = match import::Options::chosen(
        typed.skip_bad_rows,
        typed.dry_run,
        typed.send_invitations,
        typed.mapping.lines(),
    ) {
        Ok(options) => options,
        Err(line) => {
            let error = super::word_with("c-import-bad-mapping", &[("line", line)]);
            return Ok(form_page(
                &caller,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(error),
                &typed,
            ));
        }
    };
    let id = runs::start(&state.app, caller.actor(), name, file, options)
        .await
        .on_page(&caller)?;
    Ok(Redirect::to(&format!("/admin/import/{id}")).into_response())
}

async fn run_page(
    State(state): State<AppState>,
    ConsoleCaller(caller): ConsoleCaller,
    ConsolePath(id): ConsolePath<Uuid>,
) -> PageResult {
    caller
        .require(Permission::ImportCustomers)
        .on_page(&caller)?;
    let Some(run) = runs::find(&state.app, id).await.on_page(&caller)? else {
        // Runs are kept a week (or until an erasure of someone they name).
        return Ok(super::refusal_page(
            &caller,
            StatusCode::NOT_FOUND,
            super::word("c-import-not-kept"),
        ));
    };
    let (mut summary, mut bad, mut bad_count, mut error, mut written) =
        (None, Vec::new(), 0, None, false);
    match &run.state {
        runs::State::Ended(runs::Outcome::Report {
            report,
            bad_count: all,
        }) => {
            summary = Some(report.summary(run.dry_run));
            bad = report
                .bad
                .iter()
                .map(|b| context! { line => b.line, problems => b.problems.clone() })
                .collect();
            bad_count = *all;
            written = report.written;
        }
        runs::State::Ended(runs::Outcome::Error(e)) => error = Some(e.clone()),
        runs::State::Stopped => error = Some(super::word("c-import-stopped")),
        runs::State::Running => {}
    }
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(page(
        &caller,
        status,
        "console/import_run.html",
        context! {
            file => run.file, dry_run => run.dry_run, size => run.size, written,
            skip_bad_rows => run.mode == import::Mode::SkipBadRows,
            bytes => run.progress.bytes, rows => run.progress.rows,
            running => run.state == runs::State::Running,
            summary, bad, bad_count, shown => runs::KEPT_BAD_ROWS,
            flash => None::<String>, error,
        },
    ))
}
