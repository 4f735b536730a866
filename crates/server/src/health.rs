//! `/healthz` (the process answers) and `/readyz` (the database answers too).

use crate::problem::Problem;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

pub async fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

pub async fn readyz(State(s): State<AppState>) -> Response {
    match s.cb.store.ping().await {
        Ok(()) => {
            Json(serde_json::json!({ "status": "ready", "database": s.cb.store.backend().name() })).into_response()
        }
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            Problem::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "Not ready", "The database does not answer.")
                .into_response()
        }
    }
}
