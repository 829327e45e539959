//! The console's import (`/admin/import`, admins): a CSV file uploaded with
//! a column mapping, checked (a dry run) or imported (all rows or none, or
//! the good rows), run in the background on this node while its page shows
//! the progress, then the report with every bad row's line.
//!
//! Invariants: the upload is the only route with a body over the server's
//! usual limit ([`MAX_UPLOAD_BYTES`]); its CSRF token is checked before the
//! file is read into an import; a run is shown to staff who may import, and
//! it is kept in this node's memory only (its report is also in the audit
//! trail when it wrote anything).

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use gatehouse_app::transfer::import;
use gatehouse_app::{AppError, staff_auth::StaffCaller};
use gatehouse_domain::Permission;
use minijinja::context;
use uuid::Uuid;

use super::{ConsoleError, OnPage, PageResult, page};
use crate::AppState;
use crate::extract::{ConsoleCaller, ConsolePath};

/// The largest file the page takes.
pub(crate) const MAX_UPLOAD_BYTES: usize = 64 * 1024 * 1024;

/// Runs kept at most (the oldest finished go first).
const KEPT: usize = 20;

/// The upload's routes, with their own body limit.
pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/import", get(form).post(upload))
        .route("/admin/import/{id}", get(run_page))
}

/// One import run on this node.
#[derive(Debug)]
struct Run {
    file: String,
    dry_run: bool,
    mode: import::Mode,
    size: u64,
    progress: import::Progress,
    outcome: Option<Result<import::Report, String>>,
}

/// This node's import runs.
#[derive(Debug, Default)]
pub(crate) struct Runs(Mutex<Vec<(Uuid, Arc<Mutex<Run>>)>>);

impl Runs {
    fn add(&self, run: Run) -> (Uuid, Arc<Mutex<Run>>) {
        let id = Uuid::now_v7();
        let run = Arc::new(Mutex::new(run));
        if let Ok(mut runs) = self.0.lock() {
            if runs.len() >= KEPT
                && let Some(i) = runs
                    .iter()
                    .position(|(_, r)| r.lock().map(|r| r.outcome.is_some()).unwrap_or(true))
            {
                runs.remove(i);
            }
            runs.push((id, Arc::clone(&run)));
        }
        (id, run)
    }

    fn get(&self, id: Uuid) -> Option<Arc<Mutex<Run>>> {
        self.0
            .lock()
            .ok()?
            .iter()
            .find(|(i, _)| *i == id)
            .map(|(_, r)| Arc::clone(r))
    }
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
    let (id, run) = state.imports.add(Run {
        file: name,
        dry_run: options.dry_run,
        mode: options.mode,
        size: file.len() as u64,
        progress: import::Progress::default(),
        outcome: None,
    });
    let app = state.app.clone();
    let actor = caller.actor();
    tokio::spawn(async move {
        let progress_run = Arc::clone(&run);
        let outcome = import::import(
            &app,
            &actor,
            std::io::Cursor::new(file),
            &options,
            move |p| {
                if let Ok(mut r) = progress_run.lock() {
                    r.progress = p;
                }
            },
        )
        .await
        .map_err(|e: AppError| e.to_string());
        if let Ok(mut r) = run.lock() {
            r.outcome = Some(outcome);
        }
    });
    Ok(Redirect::to(&format!("/admin/import/{id}")).into_response())
}

/// Bad rows the page lists at most (the report's count is whole).
const SHOWN: usize = 1000;

async fn run_page(
    State(state): State<AppState>,
    ConsoleCaller(caller): ConsoleCaller,
    ConsolePath(id): ConsolePath<Uuid>,
) -> PageResult {
    caller
        .require(Permission::ImportCustomers)
        .on_page(&caller)?;
    let Some(run) = state.imports.get(id) else {
        // Kept in the memory of the node that received the upload: another
        // node, or the same one after a restart, does not know it.
        return Ok(super::refusal_page(
            &caller,
            StatusCode::NOT_FOUND,
            super::word("c-import-not-here"),
        ));
    };
    let (file, dry_run, mode, size, progress, outcome) = match run.lock() {
        Ok(r) => (
            r.file.clone(),
            r.dry_run,
            r.mode,
            r.size,
            r.progress,
            r.outcome.clone(),
        ),
        Err(_) => {
            return Err(AppError::Internal("the import's record is broken".into()))
                .on_page(&caller);
        }
    };
    let (summary, bad, bad_count, error, written) = match &outcome {
        Some(Ok(report)) => (
            Some(report.summary(dry_run)),
            report
                .bad
                .iter()
                .take(SHOWN)
                .map(|b| context! { line => b.line, problems => b.problems.clone() })
                .collect(),
            report.bad.len(),
            None,
            report.written,
        ),
        Some(Err(e)) => (None, Vec::new(), 0, Some(e.clone()), false),
        None => (None, Vec::new(), 0, None, false),
    };
    let status = if matches!(outcome, Some(Err(_))) {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(page(
        &caller,
        status,
        "console/import_run.html",
        context! {
            file, dry_run, size, written,
            skip_bad_rows => mode == import::Mode::SkipBadRows,
            bytes => progress.bytes, rows => progress.rows,
            running => outcome.is_none(),
            summary, bad, bad_count, shown => SHOWN,
            flash => None::<String>, error,
        },
    ))
}
