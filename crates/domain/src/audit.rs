//! The audit log: who did what, when, to which record. Every write appends one entry in the same
//! transaction as the change, so a change without its audit record cannot exist.

use crate::clock::Timestamp;
use crate::ids::{AuditId, UserId};
use crate::user::Role;
use serde::{Deserialize, Serialize};

/// Who acted: a signed-in user, or the system itself (imports by an operator at the console,
/// demo seeding, migrations).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Actor {
    pub user_id: Option<UserId>,
    /// Username, or `system:<what>` for console work.
    pub name: String,
    pub role: Option<Role>,
}

impl Actor {
    pub fn system(what: &str) -> Self {
        Self { user_id: None, name: format!("system:{what}"), role: None }
    }
}

/// One audit record.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Entry {
    pub id: AuditId,
    pub at: Timestamp,
    pub actor: Actor,
    /// Verb, e.g. `facility.create`, `designation.order`, `capacity.report`.
    pub action: String,
    /// Entity kind, e.g. `facility`.
    pub entity: String,
    pub entity_id: String,
    /// The request that caused it, for correlating with logs.
    pub request_id: Option<String>,
    /// What changed, as JSON (new values; secrets never appear here).
    #[schema(value_type = Object)]
    pub change: serde_json::Value,
}
