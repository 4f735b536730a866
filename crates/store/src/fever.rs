//! Fever-clinic queues: visits, the figures the wait estimate reads, and regions' alert
//! thresholds.

use crate::backend::{Backend, Store, Tx};
use crate::error::StoreError;
use crate::rows;
use crate::sql::{Arg, SqlBuilder};
use crate::visibility::Visibility;
use carebridge_domain::clock::Timestamp;
use carebridge_domain::fever::{FeverVisit, FeverVisitStatus};
use carebridge_domain::ids::{FacilityId, FeverVisitId, UserId};
use carebridge_domain::region::RegionCode;
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::HashMap;

const COLUMNS: &str = "id, facility_id, patient_pseudonym, status, arrived_at, called_at, finished_at, checked_in_by";

fn visit_from_row(row: &AnyRow) -> Result<FeverVisit, StoreError> {
    const T: &str = "fever_visits";
    Ok(FeverVisit {
        id: rows::parse(T, &row.try_get::<String, _>("id")?)?,
        facility_id: rows::parse(T, &row.try_get::<String, _>("facility_id")?)?,
        patient_pseudonym: row.try_get("patient_pseudonym")?,
        status: rows::vocab(T, &row.try_get::<String, _>("status")?, FeverVisitStatus::parse)?,
        arrived_at: Timestamp::from_millis(row.try_get("arrived_at")?),
        called_at: row.try_get::<Option<i64>, _>("called_at")?.map(Timestamp::from_millis),
        finished_at: row.try_get::<Option<i64>, _>("finished_at")?.map(Timestamp::from_millis),
        checked_in_by: rows::parse::<UserId>(T, &row.try_get::<String, _>("checked_in_by")?)?,
    })
}

pub async fn insert_visit(tx: &mut Tx, v: &FeverVisit) -> Result<(), StoreError> {
    let mut q = SqlBuilder::new(&format!("INSERT INTO fever_visits ({COLUMNS}) VALUES ("));
    q.bind_text(v.id.to_string()).push(", ");
    q.bind_text(v.facility_id.to_string()).push(", ");
    q.bind_text(v.patient_pseudonym.clone()).push(", ");
    q.bind_text(v.status.as_str()).push(", ");
    q.bind_i64(v.arrived_at.millis()).push(", ");
    q.bind(v.called_at.map_or(Arg::NullInt, |t| Arg::I64(t.millis()))).push(", ");
    q.bind(v.finished_at.map_or(Arg::NullInt, |t| Arg::I64(t.millis()))).push(", ");
    q.bind_text(v.checked_in_by.to_string()).push(")");
    q.query().execute(&mut *tx.inner).await?;
    Ok(())
}

/// One visit inside a write transaction, locked on PostgreSQL.
pub async fn visit_for_update(tx: &mut Tx, id: FeverVisitId) -> Result<FeverVisit, StoreError> {
    let lock = if tx.backend() == Backend::Postgres { " FOR UPDATE" } else { "" };
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM fever_visits WHERE id = $1{lock}"))
        .bind(id.to_string())
        .fetch_optional(&mut *tx.inner)
        .await?
        .ok_or(StoreError::NotFound)?;
    visit_from_row(&row)
}

/// Move a visit from `from` to `to` at `at` (calling sets `called_at`, the rest
/// `finished_at`); `Conflict` when it is not at `from` any more.
pub async fn move_visit(
    tx: &mut Tx,
    id: FeverVisitId,
    from: FeverVisitStatus,
    to: FeverVisitStatus,
    at: Timestamp,
) -> Result<(), StoreError> {
    let column = if to == FeverVisitStatus::Called { "called_at" } else { "finished_at" };
    let done =
        sqlx::query(&format!("UPDATE fever_visits SET status = $1, {column} = $2 WHERE id = $3 AND status = $4"))
            .bind(to.as_str())
            .bind(at.millis())
            .bind(id.to_string())
            .bind(from.as_str())
            .execute(&mut *tx.inner)
            .await?
            .rows_affected();
    if done == 1 {
        Ok(())
    } else {
        Err(StoreError::Conflict(format!("the visit is not {from} any more")))
    }
}

/// A clinic's open visits (waiting and being seen), in arrival order.
pub async fn open_visits(store: &Store, facility: FacilityId) -> Result<Vec<FeverVisit>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM fever_visits WHERE facility_id = $1 AND status IN ('waiting', 'called') \
         ORDER BY arrived_at, id"
    ))
    .bind(facility.to_string())
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(visit_from_row).collect()
}

/// What one clinic's queue shows now: the inputs of the wait estimate.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct QueueFigures {
    pub waiting: u32,
    pub in_service: u32,
    pub calls_in_window: u32,
    pub finished_in_window: u32,
    pub finished_minutes: f64,
    /// The earliest arrival among the open visits and the window's, if any.
    pub first_arrival: Option<Timestamp>,
}

/// [`QueueFigures`] per visible facility with any open visit or any activity since `since`.
pub async fn queue_figures(
    store: &Store,
    visibility: Visibility,
    facility: Option<FacilityId>,
    since: Timestamp,
) -> Result<HashMap<FacilityId, QueueFigures>, StoreError> {
    let mut q = SqlBuilder::new(
        "SELECT v.facility_id, \
         SUM(CASE WHEN v.status = 'waiting' THEN 1 ELSE 0 END) AS waiting, \
         SUM(CASE WHEN v.status = 'called' THEN 1 ELSE 0 END) AS in_service, ",
    );
    let s = q.placeholder(Arg::I64(since.millis()));
    q.push(&format!(
        "SUM(CASE WHEN v.called_at > {s} THEN 1 ELSE 0 END) AS calls, \
         SUM(CASE WHEN v.status = 'seen' AND v.finished_at > {s} THEN 1 ELSE 0 END) AS finished, \
         CAST(SUM(CASE WHEN v.status = 'seen' AND v.finished_at > {s} THEN v.finished_at - v.called_at ELSE 0 END) AS BIGINT) AS finished_ms, \
         MIN(v.arrived_at) AS first_arrival \
         FROM fever_visits v JOIN facilities f ON f.id = v.facility_id \
         WHERE (v.status IN ('waiting', 'called') OR v.finished_at > {s} OR v.called_at > {s})"
    ));
    visibility.push_condition(&mut q, "f", "id");
    if let Some(f) = facility {
        q.push(" AND v.facility_id = ").bind_text(f.to_string());
    }
    q.push(" GROUP BY v.facility_id");
    let mut out = HashMap::new();
    for row in q.query().fetch_all(store.pool()).await? {
        let n = |c: &str| -> Result<u32, StoreError> { Ok(row.try_get::<i64, _>(c)?.max(0) as u32) };
        out.insert(
            rows::parse("fever_visits", &row.try_get::<String, _>("facility_id")?)?,
            QueueFigures {
                waiting: n("waiting")?,
                in_service: n("in_service")?,
                calls_in_window: n("calls")?,
                finished_in_window: n("finished")?,
                finished_minutes: row.try_get::<i64, _>("finished_ms")? as f64 / 60_000.0,
                first_arrival: row.try_get::<Option<i64>, _>("first_arrival")?.map(Timestamp::from_millis),
            },
        );
    }
    Ok(out)
}

/// Every region's own alert threshold, minutes.
pub async fn all_thresholds(store: &Store) -> Result<HashMap<RegionCode, i64>, StoreError> {
    let mut out = HashMap::new();
    for row in sqlx::query("SELECT region_code, minutes FROM fever_wait_thresholds").fetch_all(store.pool()).await? {
        let code: String = row.try_get("region_code")?;
        out.insert(rows::vocab("fever_wait_thresholds", &code, RegionCode::parse)?, row.try_get("minutes")?);
    }
    Ok(out)
}

/// Set (or with `None` drop) a region's own threshold.
pub async fn set_threshold(
    tx: &mut Tx,
    region: RegionCode,
    minutes: Option<i64>,
    by: UserId,
    at: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM fever_wait_thresholds WHERE region_code = $1")
        .bind(region.to_string())
        .execute(&mut *tx.inner)
        .await?;
    if let Some(m) = minutes {
        sqlx::query("INSERT INTO fever_wait_thresholds (region_code, minutes, set_by, set_at) VALUES ($1, $2, $3, $4)")
            .bind(region.to_string())
            .bind(m)
            .bind(by.to_string())
            .bind(at.millis())
            .execute(&mut *tx.inner)
            .await?;
    }
    Ok(())
}
