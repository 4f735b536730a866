//! Batch placement plans: stored when previewed, so that what a coordinator applies is exactly
//! what they saw (the plan's body is the service's JSON, opaque here).

use crate::backend::{Backend, Store, Tx};
use crate::error::StoreError;
use crate::rows;
use crate::sql::SqlBuilder;
use carebridge_domain::clock::Timestamp;
use carebridge_domain::ids::{PlanId, UserId};
use carebridge_domain::region::RegionCode;
use sqlx::any::AnyRow;
use sqlx::Row;

/// A stored plan.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredPlan {
    pub id: PlanId,
    /// `region` or `displacement`.
    pub kind: String,
    pub region_code: RegionCode,
    pub applied: bool,
    pub created_by: UserId,
    pub created_at: Timestamp,
    pub applied_by: Option<UserId>,
    pub applied_at: Option<Timestamp>,
    pub total_cost: i64,
    pub body: serde_json::Value,
}

const COLUMNS: &str = "id, kind, region_code, status, created_by, created_at, applied_by, applied_at, total_cost, plan";

fn from_row(row: &AnyRow) -> Result<StoredPlan, StoreError> {
    const T: &str = "placement_plans";
    let body: String = row.try_get("plan")?;
    Ok(StoredPlan {
        id: rows::parse(T, &row.try_get::<String, _>("id")?)?,
        kind: row.try_get("kind")?,
        region_code: rows::region(T, &row.try_get::<String, _>("region_code")?)?,
        applied: row.try_get::<String, _>("status")? == "applied",
        created_by: rows::parse(T, &row.try_get::<String, _>("created_by")?)?,
        created_at: Timestamp::from_millis(row.try_get("created_at")?),
        applied_by: row.try_get::<Option<String>, _>("applied_by")?.map(|s| rows::parse(T, &s)).transpose()?,
        applied_at: row.try_get::<Option<i64>, _>("applied_at")?.map(Timestamp::from_millis),
        total_cost: row.try_get("total_cost")?,
        body: serde_json::from_str(&body).map_err(|e| StoreError::corrupt(T, e.to_string()))?,
    })
}

pub async fn insert(tx: &mut Tx, plan: &StoredPlan) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO placement_plans (id, kind, region_code, status, created_by, created_at, total_cost, plan) \
         VALUES ($1, $2, $3, 'preview', $4, $5, $6, $7)",
    )
    .bind(plan.id.to_string())
    .bind(plan.kind.as_str())
    .bind(plan.region_code.to_string())
    .bind(plan.created_by.to_string())
    .bind(plan.created_at.millis())
    .bind(plan.total_cost)
    .bind(plan.body.to_string())
    .execute(&mut *tx.inner)
    .await?;
    Ok(())
}

pub async fn get(store: &Store, id: PlanId) -> Result<StoredPlan, StoreError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM placement_plans WHERE id = $1"))
        .bind(id.to_string())
        .fetch_optional(store.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
    from_row(&row)
}

/// The plan inside a write transaction, locked on PostgreSQL (SQLite's writer is one).
pub async fn get_for_update(tx: &mut Tx, id: PlanId) -> Result<StoredPlan, StoreError> {
    let lock = if tx.backend() == Backend::Postgres { " FOR UPDATE" } else { "" };
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM placement_plans WHERE id = $1{lock}"))
        .bind(id.to_string())
        .fetch_optional(&mut *tx.inner)
        .await?
        .ok_or(StoreError::NotFound)?;
    from_row(&row)
}

/// Mark a previewed plan applied; `Conflict` if it was applied already.
pub async fn mark_applied(tx: &mut Tx, id: PlanId, by: UserId, at: Timestamp) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE placement_plans SET status = 'applied', applied_by = $1, applied_at = $2 \
         WHERE id = $3 AND status = 'preview'",
    )
    .bind(by.to_string())
    .bind(at.millis())
    .bind(id.to_string())
    .execute(&mut *tx.inner)
    .await?
    .rows_affected();
    if done == 1 {
        Ok(())
    } else {
        Err(StoreError::Conflict("the plan has been applied already".into()))
    }
}

/// A stored plan without its body, for lists.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanSummary {
    pub id: PlanId,
    pub region_code: RegionCode,
    pub applied: bool,
    pub created_by: UserId,
    pub created_at: Timestamp,
    pub applied_at: Option<Timestamp>,
    pub total_cost: i64,
}

/// The newest `limit` plans of `kind` whose region is one of `regions` (every region for
/// `None`), newest first. Scope is the caller's: `regions` is the subtree they govern.
pub async fn list(
    store: &Store,
    kind: &str,
    regions: Option<&[RegionCode]>,
    limit: i64,
) -> Result<Vec<PlanSummary>, StoreError> {
    const T: &str = "placement_plans";
    let mut q = SqlBuilder::new(
        "SELECT id, region_code, status, created_by, created_at, applied_at, total_cost FROM placement_plans \
         WHERE kind = ",
    );
    q.bind_text(kind);
    if let Some(codes) = regions {
        if codes.is_empty() {
            return Ok(Vec::new());
        }
        q.push(" AND region_code IN ").bind_text_list(codes.iter());
    }
    q.push(" ORDER BY created_at DESC, id DESC LIMIT ").bind_i64(limit);
    let rows = q.query().fetch_all(store.pool()).await?;
    rows.iter()
        .map(|row| {
            Ok(PlanSummary {
                id: rows::parse(T, &row.try_get::<String, _>("id")?)?,
                region_code: rows::region(T, &row.try_get::<String, _>("region_code")?)?,
                applied: row.try_get::<String, _>("status")? == "applied",
                created_by: rows::parse(T, &row.try_get::<String, _>("created_by")?)?,
                created_at: Timestamp::from_millis(row.try_get("created_at")?),
                applied_at: row.try_get::<Option<i64>, _>("applied_at")?.map(Timestamp::from_millis),
                total_cost: row.try_get("total_cost")?,
            })
        })
        .collect()
}
