//! Liveness and readiness. `/healthz` answers while the process serves;
//! `/readyz` also asks the database, so a load balancer stops sending traffic
//! to a node that lost it.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::AppState;
use crate::error::ApiError;

pub(crate) async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

pub(crate) async fn readyz(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let engine = state.app.store.engine().as_str();
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
