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

pub use crate::state::{Lifecycle, Phase};

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
