//! The FHIR R4 facade at `/fhir` (read-only).

use crate::state::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
}
