//! Imports that run in the background (the console's upload), shown by
//! every node: the run is a row in the database that its node keeps up to
//! date, so that a page on any node shows its progress and its report.
//!
//! Invariants owned here:
//! - A run is recorded before its import starts. Its node writes the
//!   progress every [`HEARTBEAT`] and the outcome when the import ends, each
//!   in a transaction of its own, never the import's (which stays one
//!   transaction that writes everything or nothing).
//! - A run without an outcome whose node last wrote more than [`STALE`] ago
//!   has stopped: its node went away, and the import's transaction with it,
//!   so nothing of it was written. The node running a run knows it from its
//!   own memory ([`LIVE`]), whatever the database shows: on SQLite the
//!   import holds the write lock, and the heartbeat waits for it.
//! - The stored report lists at most [`KEPT_BAD_ROWS`] bad rows (and counts
//!   them all). Runs are kept [`KEPT`] (the retention purge removes older
//!   ones); an erasure removes a run whose report names the person.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use gatehouse_store::{Actor, ImportRun};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::import::{self, Mode, Options, Progress, Report};
use crate::{App, AppResult};

/// How often the running node writes the progress.
pub const HEARTBEAT: std::time::Duration = std::time::Duration::from_secs(2);
/// A run not written for this long, without an outcome, has stopped.
pub const STALE: time::Duration = time::Duration::seconds(30);
/// Bad rows a stored report lists at most.
pub const KEPT_BAD_ROWS: usize = 1000;
/// How long runs are kept.
pub const KEPT: time::Duration = time::Duration::days(7);

/// The runs this process is running, with their progress.
static LIVE: LazyLock<Mutex<HashMap<Uuid, Progress>>> = LazyLock::new(Default::default);

/// How an import ended, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// It read the file: its report (bad rows cut to [`KEPT_BAD_ROWS`]) and
    /// how many bad rows there were in all.
    Report { report: Report, bad_count: usize },
    /// It could not (the file's header, a database failure): why.
    Error(String),
}

/// Where a run stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// Its node is working on it.
    Running,
    /// Its node went away before it ended; nothing was written.
    Stopped,
    /// It ended.
    Ended(Outcome),
}

/// A run as a page shows it.
#[derive(Debug, Clone)]
pub struct Run {
    /// The uploaded file's name.
    pub file: String,
    pub dry_run: bool,
    pub mode: Mode,
    /// The file's size in bytes.
    pub size: u64,
    pub progress: Progress,
    pub state: State,
}

fn live_progress(id: Uuid) -> Option<Progress> {
    LIVE.lock().ok().and_then(|live| live.get(&id).copied())
}

fn set_live(id: Uuid, progress: Option<Progress>) {
    if let Ok(mut live) = LIVE.lock() {
        match progress {
            Some(p) => live.insert(id, p),
            None => live.remove(&id),
        };
    }
}

fn as_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Records a run of `file` (named `name`) and starts its import in the
/// background, as `actor` (the caller has checked that they may); answers
/// the run's ID.
#[tracing::instrument(name = "app.transfer.runs.start", level = "debug", skip_all)]
pub async fn start<F: AsRef<[u8]> + Send + 'static>(
    app: &App,
    actor: Actor,
    name: String,
    file: F,
    options: Options,
) -> AppResult<Uuid> {
    let now = app.clock.now();
    let run = ImportRun {
        id: Uuid::now_v7(),
        file: name,
        dry_run: options.dry_run,
        skip_bad_rows: options.mode == Mode::SkipBadRows,
        size: as_i64(file.as_ref().len() as u64),
        rows_read: 0,
        bytes_read: 0,
        outcome: None,
        created_at: now,
        updated_at: now,
    };
    let mut tx = app.store.begin().await?;
    tx.insert_import_run(&run).await?;
    tx.commit().await?;
    let id = run.id;
    set_live(id, Some(Progress::default()));
    let app = app.clone();
    tokio::spawn(async move {
        let heartbeat = tokio::spawn(beat(app.clone(), id));
        let outcome = match import::import(
            &app,
            &actor,
            std::io::Cursor::new(file),
            &options,
            move |p| set_live(id, Some(p)),
        )
        .await
        {
            Ok(mut report) => {
                let bad_count = report.bad.len();
                report.bad.truncate(KEPT_BAD_ROWS);
                Outcome::Report { report, bad_count }
            }
            Err(e) => Outcome::Error(e.to_string()),
        };
        heartbeat.abort();
        let progress = live_progress(id).unwrap_or_default();
        if let Err(e) = finish(&app, id, progress, &outcome).await {
            tracing::warn!(error = %e, import = %id, "the import's outcome could not be recorded");
        }
        set_live(id, None);
    });
    Ok(id)
}

/// Writes the run's progress every [`HEARTBEAT`] until aborted; a write
/// that fails (the database busy) is tried again at the next beat.
async fn beat(app: App, id: Uuid) {
    let mut every = tokio::time::interval(HEARTBEAT);
    loop {
        every.tick().await;
        let Some(p) = live_progress(id) else {
            return;
        };
        let now = app.clock.now();
        let written = async {
            let mut tx = app.store.begin().await?;
            tx.record_import_progress(id, as_i64(p.rows), as_i64(p.bytes), now)
                .await?;
            tx.commit().await
        }
        .await;
        if let Err(e) = written {
            tracing::debug!(error = %e, import = %id, "the import's progress waits");
        }
    }
}

async fn finish(app: &App, id: Uuid, p: Progress, outcome: &Outcome) -> AppResult<()> {
    let json = serde_json::to_string(outcome)
        .map_err(|e| crate::AppError::Internal(format!("the import's outcome: {e}")))?;
    let mut tx = app.store.begin().await?;
    tx.finish_import_run(id, as_i64(p.rows), as_i64(p.bytes), &json, app.clock.now())
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The run with this ID, if it is kept, as of now.
#[tracing::instrument(name = "app.transfer.runs.find", level = "debug", skip_all)]
pub async fn find(app: &App, id: Uuid) -> AppResult<Option<Run>> {
    let mut tx = app.store.read().await?;
    let Some(run) = tx.import_run(id).await? else {
        return Ok(None);
    };
    drop(tx);
    Ok(Some(view(run, live_progress(id), app.clock.now())))
}

/// What a stored run says, given this process's own progress of it (if it
/// runs it) and the time.
fn view(run: ImportRun, live: Option<Progress>, now: OffsetDateTime) -> Run {
    let stored = Progress {
        rows: u64::try_from(run.rows_read).unwrap_or(0),
        bytes: u64::try_from(run.bytes_read).unwrap_or(0),
    };
    let outcome = run.outcome.as_deref().map(|json| {
        serde_json::from_str(json)
            .unwrap_or_else(|e| Outcome::Error(format!("the stored report cannot be read: {e}")))
    });
    let state = match (outcome, live) {
        (Some(outcome), _) => State::Ended(outcome),
        (None, Some(_)) => State::Running,
        (None, None) if now - run.updated_at > STALE => State::Stopped,
        (None, None) => State::Running,
    };
    Run {
        file: run.file,
        dry_run: run.dry_run,
        mode: if run.skip_bad_rows {
            Mode::SkipBadRows
        } else {
            Mode::AllOrNothing
        },
        size: u64::try_from(run.size).unwrap_or(0),
        progress: live.unwrap_or(stored),
        state,
    }
}

/// Removes the runs older than [`KEPT`]; answers how many.
#[tracing::instrument(name = "app.transfer.runs.forget_old", level = "debug", skip_all)]
pub async fn forget_old(app: &App) -> AppResult<u64> {
    let mut tx = app.store.begin().await?;
    let gone = tx.delete_import_runs_before(app.clock.now() - KEPT).await?;
    tx.commit().await?;
    Ok(gone)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(outcome: Option<&Outcome>, updated: OffsetDateTime) -> ImportRun {
        ImportRun {
            id: Uuid::now_v7(),
            file: "old.csv".into(),
            dry_run: false,
            skip_bad_rows: true,
            size: 100,
            rows_read: 7,
            bytes_read: 50,
            outcome: outcome.map(|o| serde_json::to_string(o).unwrap()),
            created_at: updated,
            updated_at: updated,
        }
    }

    #[test]
    fn a_run_is_running_ended_or_stopped() {
        let t = OffsetDateTime::UNIX_EPOCH + time::Duration::days(20_000);
        let recent = t - time::Duration::seconds(5);
        let old = t - STALE - time::Duration::seconds(1);
        let ended = Outcome::Error("no header".into());
        let mine = Progress { rows: 9, bytes: 80 };
        let cases = [
            (None, recent, None, State::Running, 7),
            (None, old, None, State::Stopped, 7),
            // This process runs it: running, however old the row.
            (None, old, Some(mine), State::Running, 9),
            (Some(&ended), old, None, State::Ended(ended.clone()), 7),
            (
                Some(&ended),
                recent,
                Some(mine),
                State::Ended(ended.clone()),
                9,
            ),
        ];
        for (outcome, updated, live, state, rows) in cases {
            let run = view(stored(outcome, updated), live, t);
            assert_eq!((run.state, run.progress.rows), (state, rows));
            assert_eq!(run.mode, Mode::SkipBadRows);
        }
    }
}
