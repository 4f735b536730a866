//! `/audit`: who did what, when, to which record (auditors and national coordinators).

use crate::auth::Caller;
use crate::extract::ApiQuery;
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use carebridge_domain::audit::Entry;
use carebridge_domain::clock::Timestamp;
use carebridge_domain::page::Page;
use carebridge_store::audit::AuditFilter;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Username (or `system:…`).
    pub actor: Option<String>,
    /// Entity kind, e.g. `facility`.
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    /// e.g. `designation.order`.
    pub action: Option<String>,
    /// From this time (inclusive, RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    pub from: Option<Timestamp>,
    /// Before this time (exclusive, RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    pub to: Option<Timestamp>,
    /// Where the previous page stopped: its `next_cursor`.
    #[param(pattern = "^(3[0-9]){1,18}$")]
    pub cursor: Option<String>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

/// Audit entries, newest first, filtered by actor, entity and time.
#[utoipa::path(get, path = "/audit", tag = "audit", security(("bearer" = [])), params(AuditQuery),
    responses((status = 200, body = Page<Entry>), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn list(
    State(s): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<Page<Entry>>> {
    let filter = AuditFilter {
        actor: q.actor,
        entity: q.entity,
        entity_id: q.entity_id,
        action: q.action,
        from: q.from,
        to: q.to,
    };
    Ok(Json(s.cb.audit_entries(&caller.principal, &filter, q.cursor.as_deref(), q.limit).await?))
}
