//! Online consultations: facilities' online care (open or not) and patients' requests, with the
//! queue a facility's clinicians take from.

use crate::backend::{Backend, Store, Tx};
use crate::error::StoreError;
use crate::rows;
use crate::sql::SqlBuilder;
use crate::visibility::Visibility;
use carebridge_domain::clock::Timestamp;
use carebridge_domain::consultation::{Consultation, ConsultationStatus, SuggestedMedicine};
use carebridge_domain::facility::GeoPoint;
use carebridge_domain::ids::{BookingId, ConsultationId, FacilityId, ReferralId, UserId};
use carebridge_domain::referral::AgeBand;
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::HashMap;

const T: &str = "consultations";
const COLUMNS: &str = "c.id, c.facility_id, c.patient_id, c.patient_pseudonym, c.complaint, c.age_band, \
     c.region_code, c.lon, c.lat, c.status, c.requested_at, c.taken_by, c.taken_at, c.answer, c.medicines, \
     c.closed_at, c.referral_id, c.booking_id";

fn from_row(row: &AnyRow) -> Result<Consultation, StoreError> {
    let opt_id = |c: &str| -> Result<Option<String>, StoreError> { Ok(row.try_get::<Option<String>, _>(c)?) };
    let lon: Option<f64> = row.try_get("lon")?;
    let lat: Option<f64> = row.try_get("lat")?;
    let medicines: String = row.try_get("medicines")?;
    Ok(Consultation {
        id: rows::parse(T, &row.try_get::<String, _>("id")?)?,
        facility_id: rows::parse(T, &row.try_get::<String, _>("facility_id")?)?,
        patient_id: rows::parse(T, &row.try_get::<String, _>("patient_id")?)?,
        patient_pseudonym: row.try_get("patient_pseudonym")?,
        complaint: row.try_get("complaint")?,
        age_band: rows::vocab(T, &row.try_get::<String, _>("age_band")?, AgeBand::parse)?,
        region_code: rows::region(T, &row.try_get::<String, _>("region_code")?)?,
        location: lon.zip(lat).map(|(lon, lat)| GeoPoint { lon, lat }),
        status: rows::vocab(T, &row.try_get::<String, _>("status")?, ConsultationStatus::parse)?,
        requested_at: Timestamp::from_millis(row.try_get("requested_at")?),
        taken_by: opt_id("taken_by")?.map(|s| rows::parse::<UserId>(T, &s)).transpose()?,
        taken_at: row.try_get::<Option<i64>, _>("taken_at")?.map(Timestamp::from_millis),
        answer: row.try_get("answer")?,
        medicines: serde_json::from_str::<Vec<SuggestedMedicine>>(&medicines)
            .map_err(|e| StoreError::corrupt(T, e.to_string()))?,
        closed_at: row.try_get::<Option<i64>, _>("closed_at")?.map(Timestamp::from_millis),
        referral_id: opt_id("referral_id")?.map(|s| rows::parse::<ReferralId>(T, &s)).transpose()?,
        booking_id: opt_id("booking_id")?.map(|s| rows::parse::<BookingId>(T, &s)).transpose()?,
    })
}

pub async fn insert(tx: &mut Tx, c: &Consultation) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO consultations (id, facility_id, patient_id, patient_pseudonym, complaint, age_band, region_code, \
         lon, lat, status, requested_at, medicines) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(c.id.to_string())
    .bind(c.facility_id.to_string())
    .bind(c.patient_id.to_string())
    .bind(c.patient_pseudonym.as_str())
    .bind(c.complaint.as_str())
    .bind(c.age_band.as_str())
    .bind(c.region_code.to_string())
    .bind(c.location.map(|p| p.lon))
    .bind(c.location.map(|p| p.lat))
    .bind(c.status.as_str())
    .bind(c.requested_at.millis())
    .bind(serde_json::to_string(&c.medicines).map_err(|e| StoreError::corrupt(T, e.to_string()))?)
    .execute(&mut *tx.inner)
    .await?;
    Ok(())
}

/// One consultation.
pub async fn get(store: &Store, id: ConsultationId) -> Result<Consultation, StoreError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM consultations c WHERE c.id = $1"))
        .bind(id.to_string())
        .fetch_optional(store.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
    from_row(&row)
}

/// One consultation inside a write transaction, locked on PostgreSQL.
pub async fn for_update(tx: &mut Tx, id: ConsultationId) -> Result<Consultation, StoreError> {
    let lock = if tx.backend() == Backend::Postgres { " FOR UPDATE" } else { "" };
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM consultations c WHERE c.id = $1{lock}"))
        .bind(id.to_string())
        .fetch_optional(&mut *tx.inner)
        .await?
        .ok_or(StoreError::NotFound)?;
    from_row(&row)
}

/// Give the oldest waiting consultation of `facility` to `clinician`, in one statement: two
/// clinicians taking at once get two different consultations (PostgreSQL skips the row the
/// other holds; SQLite runs one writer at a time). `None` when nobody waits.
pub async fn take_next(
    tx: &mut Tx,
    facility: FacilityId,
    clinician: UserId,
    at: Timestamp,
) -> Result<Option<ConsultationId>, StoreError> {
    let lock = if tx.backend() == Backend::Postgres { " FOR UPDATE SKIP LOCKED" } else { "" };
    let row = sqlx::query(&format!(
        "UPDATE consultations SET status = 'taken', taken_by = $1, taken_at = $2 WHERE id = \
         (SELECT id FROM consultations WHERE facility_id = $3 AND status = 'waiting' \
          ORDER BY requested_at, id LIMIT 1{lock}) AND status = 'waiting' RETURNING id"
    ))
    .bind(clinician.to_string())
    .bind(at.millis())
    .bind(facility.to_string())
    .fetch_optional(&mut *tx.inner)
    .await?;
    row.map(|r| rows::parse(T, &r.try_get::<String, _>("id")?)).transpose()
}

/// How a consultation closes or moves, written by [`transition`].
#[derive(Debug, Clone, Default)]
pub struct Transition {
    pub answer: Option<String>,
    pub medicines: Vec<SuggestedMedicine>,
    pub referral_id: Option<ReferralId>,
    pub booking_id: Option<BookingId>,
}

/// Move `id` from `from` to `to` at `at`: back to waiting clears the clinician, a closing move
/// sets `closed_at` and what `t` carries. `Conflict` when it is not at `from` any more.
pub async fn transition(
    tx: &mut Tx,
    id: ConsultationId,
    from: ConsultationStatus,
    to: ConsultationStatus,
    at: Timestamp,
    t: &Transition,
) -> Result<(), StoreError> {
    let medicines = serde_json::to_string(&t.medicines).map_err(|e| StoreError::corrupt(T, e.to_string()))?;
    let q = if to == ConsultationStatus::Waiting {
        sqlx::query(
            "UPDATE consultations SET status = $1, taken_by = NULL, taken_at = NULL WHERE id = $2 AND status = $3",
        )
        .bind(to.as_str())
        .bind(id.to_string())
        .bind(from.as_str())
    } else {
        sqlx::query(
            "UPDATE consultations SET status = $1, closed_at = $2, answer = $3, medicines = $4, referral_id = $5, \
             booking_id = $6 WHERE id = $7 AND status = $8",
        )
        .bind(to.as_str())
        .bind(at.millis())
        .bind(t.answer.clone())
        .bind(medicines)
        .bind(t.referral_id.map(|r| r.to_string()))
        .bind(t.booking_id.map(|b| b.to_string()))
        .bind(id.to_string())
        .bind(from.as_str())
    };
    if q.execute(&mut *tx.inner).await?.rows_affected() == 1 {
        Ok(())
    } else {
        Err(StoreError::Conflict(format!("the consultation is not {from} any more")))
    }
}

/// How many consultations `patient` has open (waiting or taken).
pub async fn open_of_patient(tx: &mut Tx, patient: UserId) -> Result<i64, StoreError> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM consultations WHERE patient_id = $1 AND status IN ('waiting', 'taken')",
    )
    .bind(patient.to_string())
    .fetch_one(&mut *tx.inner)
    .await?;
    Ok(n)
}

/// A patient's consultations, newest first.
pub async fn of_patient(store: &Store, patient: UserId, limit: u32) -> Result<Vec<Consultation>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM consultations c WHERE c.patient_id = $1 ORDER BY c.requested_at DESC, c.id DESC \
         LIMIT {limit}"
    ))
    .bind(patient.to_string())
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(from_row).collect()
}

/// A facility's consultations with `status` (its queue: waiting oldest first; others newest
/// first).
pub async fn of_facility(
    store: &Store,
    facility: FacilityId,
    status: ConsultationStatus,
    limit: u32,
) -> Result<Vec<Consultation>, StoreError> {
    let order = if status == ConsultationStatus::Waiting { "ASC" } else { "DESC" };
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM consultations c WHERE c.facility_id = $1 AND c.status = $2 \
         ORDER BY c.requested_at {order}, c.id {order} LIMIT {limit}"
    ))
    .bind(facility.to_string())
    .bind(status.as_str())
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(from_row).collect()
}

/// Where a waiting consultation stands in its queue: 1 for the next to be taken.
pub async fn position(store: &Store, c: &Consultation) -> Result<i64, StoreError> {
    let ahead: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM consultations WHERE facility_id = $1 AND status = 'waiting' \
         AND (requested_at < $2 OR (requested_at = $2 AND id < $3))",
    )
    .bind(c.facility_id.to_string())
    .bind(c.requested_at.millis())
    .bind(c.id.to_string())
    .fetch_one(store.pool())
    .await?;
    Ok(ahead + 1)
}

/// Open or close a facility's online care.
pub async fn set_online_care(
    tx: &mut Tx,
    facility: FacilityId,
    open: bool,
    by: UserId,
    at: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO online_care (facility_id, is_open, set_by, set_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (facility_id) DO UPDATE SET is_open = excluded.is_open, set_by = excluded.set_by, \
         set_at = excluded.set_at",
    )
    .bind(facility.to_string())
    .bind(i64::from(open))
    .bind(by.to_string())
    .bind(at.millis())
    .execute(&mut *tx.inner)
    .await?;
    Ok(())
}

/// Whether `facility` offers online care now.
pub async fn offers_online_care(tx: &mut Tx, facility: FacilityId) -> Result<bool, StoreError> {
    let open: Option<i64> = sqlx::query_scalar("SELECT is_open FROM online_care WHERE facility_id = $1")
        .bind(facility.to_string())
        .fetch_optional(&mut *tx.inner)
        .await?;
    Ok(open == Some(1))
}

/// One facility offering online care, with its queue.
#[derive(Debug, Clone, PartialEq)]
pub struct OnlineCareRow {
    pub facility_id: FacilityId,
    pub waiting: i64,
    pub taken: i64,
    /// Consultations closed by a clinician (answered, referred, booked) in the window asked.
    pub closed_recently: i64,
}

/// Visible facilities with online care open, with their queue figures (closed counted since
/// `since`).
pub async fn online_care(
    store: &Store,
    visibility: Visibility,
    since: Timestamp,
) -> Result<Vec<OnlineCareRow>, StoreError> {
    let mut q = SqlBuilder::new(
        "SELECT o.facility_id FROM online_care o JOIN facilities f ON f.id = o.facility_id WHERE o.is_open = 1",
    );
    visibility.push_condition(&mut q, "f", "id");
    q.push(" ORDER BY o.facility_id");
    let ids: Vec<String> =
        q.query().fetch_all(store.pool()).await?.iter().map(|r| r.try_get("facility_id")).collect::<Result<_, _>>()?;
    let mut figures: HashMap<String, (i64, i64, i64)> = HashMap::new();
    let rows = sqlx::query(
        "SELECT c.facility_id, \
         SUM(CASE WHEN c.status = 'waiting' THEN 1 ELSE 0 END) AS waiting, \
         SUM(CASE WHEN c.status = 'taken' THEN 1 ELSE 0 END) AS taken, \
         SUM(CASE WHEN c.status IN ('answered', 'referred', 'booked') AND c.closed_at > $1 THEN 1 ELSE 0 END) AS closed \
         FROM consultations c JOIN online_care o ON o.facility_id = c.facility_id AND o.is_open = 1 \
         WHERE c.status IN ('waiting', 'taken') OR c.closed_at > $1 GROUP BY c.facility_id",
    )
    .bind(since.millis())
    .fetch_all(store.pool())
    .await?;
    for r in rows {
        figures.insert(r.try_get("facility_id")?, (r.try_get("waiting")?, r.try_get("taken")?, r.try_get("closed")?));
    }
    ids.into_iter()
        .map(|id| {
            let (waiting, taken, closed_recently) = figures.get(&id).copied().unwrap_or_default();
            Ok(OnlineCareRow { facility_id: rows::parse("online_care", &id)?, waiting, taken, closed_recently })
        })
        .collect()
}
