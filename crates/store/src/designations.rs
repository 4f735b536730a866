//! Designation orders: append-only; the current designation is derived from them.

use crate::backend::{Store, Tx};
use crate::error::StoreError;
use crate::rows;
use crate::sql::SqlBuilder;
use crate::visibility::Visibility;
use carebridge_domain::clock::Timestamp;
use carebridge_domain::designation::{Designation, DesignationOrder, DesignationOrderDraft};
use carebridge_domain::ids::{OrderId, UserId};
use sqlx::any::AnyRow;
use sqlx::Row;

pub async fn insert(tx: &mut Tx, order: &DesignationOrder) -> Result<(), StoreError> {
    tx.touch(order.draft.facility_id);
    sqlx::query(
        "INSERT INTO designation_orders (id, facility_id, designation, effective_at, reason, order_number, ordered_by, ordered_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(order.id.to_string())
    .bind(order.draft.facility_id.to_string())
    .bind(order.draft.designation.as_str())
    .bind(order.draft.effective_at.millis())
    .bind(order.draft.reason.as_str())
    .bind(order.draft.order_number.as_str())
    .bind(order.ordered_by.to_string())
    .bind(order.ordered_at.millis())
    .execute(&mut *tx.inner)
    .await?;
    Ok(())
}

fn from_row(row: &AnyRow) -> Result<DesignationOrder, StoreError> {
    const T: &str = "designation_orders";
    Ok(DesignationOrder {
        id: rows::parse::<OrderId>(T, &row.try_get::<String, _>("id")?)?,
        draft: DesignationOrderDraft {
            facility_id: rows::parse(T, &row.try_get::<String, _>("facility_id")?)?,
            designation: rows::vocab(T, &row.try_get::<String, _>("designation")?, Designation::parse)?,
            effective_at: Timestamp::from_millis(row.try_get("effective_at")?),
            reason: row.try_get("reason")?,
            order_number: row.try_get("order_number")?,
        },
        ordered_by: rows::parse::<UserId>(T, &row.try_get::<String, _>("ordered_by")?)?,
        ordered_at: Timestamp::from_millis(row.try_get("ordered_at")?),
    })
}

/// Orders on visible facilities, newest first (by id, which is time-ordered), optionally for
/// one facility; `limit + 1` rows at most.
pub async fn list(
    store: &Store,
    visibility: Visibility,
    facility: Option<carebridge_domain::ids::FacilityId>,
    before: Option<&str>,
    limit: u32,
) -> Result<Vec<DesignationOrder>, StoreError> {
    let mut q =
        SqlBuilder::new("SELECT d.* FROM designation_orders d JOIN facilities f ON f.id = d.facility_id WHERE 1 = 1");
    visibility.push_condition(&mut q, "f", "id");
    if let Some(id) = facility {
        q.push(" AND d.facility_id = ").bind_text(id.to_string());
    }
    if let Some(before) = before {
        q.push(" AND d.id < ").bind_text(before);
    }
    q.push(" ORDER BY d.id DESC LIMIT ").bind_i64(i64::from(limit) + 1);
    q.query().fetch_all(store.pool()).await?.iter().map(from_row).collect()
}

/// One order, if its facility is visible.
pub async fn get(store: &Store, id: OrderId, visibility: Visibility) -> Result<DesignationOrder, StoreError> {
    let mut q =
        SqlBuilder::new("SELECT d.* FROM designation_orders d JOIN facilities f ON f.id = d.facility_id WHERE d.id = ");
    q.bind_text(id.to_string());
    visibility.push_condition(&mut q, "f", "id");
    let row = q.query().fetch_optional(store.pool()).await?.ok_or(StoreError::NotFound)?;
    from_row(&row)
}
