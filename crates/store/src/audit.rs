//! The audit log: appended inside every write transaction, read by auditors with filters.

use crate::backend::{Store, Tx};
use crate::error::StoreError;
use crate::json_rows::{insert_from_json, Col, JsonRows};
use crate::rows;
use crate::sql::SqlBuilder;
use carebridge_domain::audit::{Actor, Entry};
use carebridge_domain::clock::Timestamp;
use carebridge_domain::user::Role;
use sqlx::Row;

/// Append one entry. Called by the service inside the transaction of the change it records:
/// if this fails, the change is rolled back with it.
pub async fn append(tx: &mut Tx, entry: &Entry) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_log (id, at, actor_id, actor_name, actor_role, action, entity, entity_id, request_id, change) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(entry.id.to_string())
    .bind(entry.at.millis())
    .bind(entry.actor.user_id.map(|u| u.to_string()))
    .bind(entry.actor.name.as_str())
    .bind(entry.actor.role.map(|r| r.as_str()))
    .bind(entry.action.as_str())
    .bind(entry.entity.as_str())
    .bind(entry.entity_id.as_str())
    .bind(entry.request_id.as_deref())
    .bind(entry.change.to_string())
    .execute(&mut *tx.inner)
    .await?;
    Ok(())
}

/// Append many entries with one statement (a group commit's reports): the same rows as
/// [`append`] one by one, in order.
pub async fn append_many(tx: &mut Tx, entries: &[Entry]) -> Result<(), StoreError> {
    match entries {
        [] => return Ok(()),
        [one] => return append(tx, one).await,
        _ => {}
    }
    let mut rows = JsonRows::with_capacity(entries.len() * 512);
    for e in entries {
        rows.row(|w| {
            w.text(&e.id.to_string());
            w.int(e.at.millis());
            w.opt_text(e.actor.user_id.map(|u| u.to_string()).as_deref());
            w.text(&e.actor.name);
            w.opt_text(e.actor.role.map(|r| r.as_str()));
            w.text(&e.action);
            w.text(&e.entity);
            w.text(&e.entity_id);
            w.opt_text(e.request_id.as_deref());
            w.text(&e.change.to_string());
        });
    }
    let insert = insert_from_json(
        tx.backend(),
        "audit_log",
        &[
            ("id", Col::Text),
            ("at", Col::Int),
            ("actor_id", Col::Text),
            ("actor_name", Col::Text),
            ("actor_role", Col::Text),
            ("action", Col::Text),
            ("entity", Col::Text),
            ("entity_id", Col::Text),
            ("request_id", Col::Text),
            ("change", Col::Text),
        ],
    );
    sqlx::query(&insert).bind(rows.finish()).execute(&mut *tx.inner).await?;
    Ok(())
}

/// Audit filters; all optional.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub action: Option<String>,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
}

/// Entries matching `filter`, newest first, before sequence `before`; `limit + 1` at most.
/// Returns each entry with its sequence number (the cursor key).
pub async fn list(
    store: &Store,
    filter: &AuditFilter,
    before: Option<i64>,
    limit: u32,
) -> Result<Vec<(i64, Entry)>, StoreError> {
    const T: &str = "audit_log";
    let mut q = SqlBuilder::new("SELECT * FROM audit_log a WHERE 1 = 1");
    if let Some(v) = &filter.actor {
        q.push(" AND a.actor_name = ").bind_text(v.clone());
    }
    if let Some(v) = &filter.entity {
        q.push(" AND a.entity = ").bind_text(v.clone());
    }
    if let Some(v) = &filter.entity_id {
        q.push(" AND a.entity_id = ").bind_text(v.clone());
    }
    if let Some(v) = &filter.action {
        q.push(" AND a.action = ").bind_text(v.clone());
    }
    if let Some(v) = filter.from {
        q.push(" AND a.at >= ").bind_i64(v.millis());
    }
    if let Some(v) = filter.to {
        q.push(" AND a.at < ").bind_i64(v.millis());
    }
    if let Some(b) = before {
        q.push(" AND a.seq < ").bind_i64(b);
    }
    q.push(" ORDER BY a.seq DESC LIMIT ").bind_i64(i64::from(limit) + 1);
    let mut out = Vec::new();
    for row in q.query().fetch_all(store.pool()).await? {
        let change: String = row.try_get("change")?;
        let role: Option<String> = row.try_get("actor_role")?;
        let actor_id: Option<String> = row.try_get("actor_id")?;
        out.push((
            row.try_get("seq")?,
            Entry {
                id: rows::parse(T, &row.try_get::<String, _>("id")?)?,
                at: Timestamp::from_millis(row.try_get("at")?),
                actor: Actor {
                    user_id: actor_id.map(|s| rows::parse(T, &s)).transpose()?,
                    name: row.try_get("actor_name")?,
                    role: role.map(|r| rows::vocab(T, &r, Role::parse)).transpose()?,
                },
                action: row.try_get("action")?,
                entity: row.try_get("entity")?,
                entity_id: row.try_get("entity_id")?,
                request_id: row.try_get("request_id")?,
                change: serde_json::from_str(&change).map_err(|e| StoreError::corrupt(T, e))?,
            },
        ));
    }
    Ok(out)
}

/// Number of audit entries (for tests and the crash check).
pub async fn count(store: &Store) -> Result<i64, StoreError> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM audit_log").fetch_one(store.pool()).await?;
    Ok(row.try_get("n")?)
}
