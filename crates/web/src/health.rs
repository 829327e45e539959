//! Liveness and readiness. `/healthz` answers while the process serves;
//! `/readyz` answers 200 only while the server is ready: not while it is
//! starting (the database being migrated), not once it is stopping, and not
//! while the database cannot be reached, so that a load balancer sends
//! traffic only where it can be served.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::state::AppState;

/// Where a server is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Phase {
    /// Listening while the database is prepared: only health answers.
    Starting = 0,
    /// Serving.
    Ready = 1,
    /// Told to stop: still finishing (and, for the stop delay, serving), but
    /// `/readyz` fails and no job claims new work.
    Stopping = 2,
}

/// A server's phase: read on every request (one atomic load), and watched
/// by the background jobs (which start when it is ready and stop when it
/// is stopping).
#[derive(Debug)]
pub struct Lifecycle {
    now: std::sync::atomic::AtomicU8,
    changes: tokio::sync::watch::Sender<Phase>,
}

impl Lifecycle {
    /// A lifecycle in `first`.
    pub fn new(first: Phase) -> Lifecycle {
        Lifecycle {
            now: std::sync::atomic::AtomicU8::new(first as u8),
            changes: tokio::sync::watch::channel(first).0,
        }
    }

    /// The phase now.
    pub fn get(&self) -> Phase {
        match self.now.load(std::sync::atomic::Ordering::Acquire) {
            0 => Phase::Starting,
            1 => Phase::Ready,
            _ => Phase::Stopping,
        }
    }

    /// Moves to `phase`.
    pub fn set(&self, phase: Phase) {
        self.now
            .store(phase as u8, std::sync::atomic::Ordering::Release);
        self.changes.send_replace(phase);
    }

    /// Follows the changes.
    pub fn watch(&self) -> tokio::sync::watch::Receiver<Phase> {
        self.changes.subscribe()
    }
}

/// The paths that answer in every phase.
const ALWAYS: [&str; 3] = ["/healthz", "/readyz", "/metrics"];

/// The refusal of a request that came before the server was ready.
pub(crate) fn not_yet(state: &AppState, request: &axum::extract::Request) -> Option<Response> {
    if state.phase.get() != Phase::Starting || ALWAYS.contains(&request.uri().path()) {
        return None;
    }
    let mut refused = ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "starting",
        "the server is starting (preparing its database); try again in a moment",
    );
    refused.retry_after = Some(1);
    Some(refused.into_response())
}

pub(crate) async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

pub(crate) async fn readyz(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let engine = state.app.store.engine().as_str();
    let phase = state.phase.get();
    match phase {
        Phase::Starting => {
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "starting",
                format!("the server is preparing its {engine} database"),
            ));
        }
        Phase::Stopping => {
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "stopping",
                "the server is stopping",
            ));
        }
        Phase::Ready => {}
    }
    match state.app.store.ping().await {
        Ok(()) => Ok(Json(json!({"status": "ready", "database": engine}))),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check: database unreachable");
            Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "database_unavailable",
                format!("the {engine} database cannot be reached"),
            ))
        }
    }
}
