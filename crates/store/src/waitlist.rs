//! Waitlists: patients queue for a service at a facility in joining order; a freed place is
//! offered to the first and held for them (the slot's `booked` counts an `offered` entry, see
//! [`crate::booking::booked_mismatches`]) until the offer expires.

use crate::backend::{Backend, Store, Tx};
use crate::error::StoreError;
use crate::rows;
use crate::sql::{Arg, SqlBuilder};
use carebridge_domain::booking::{WaitlistEntry, WaitlistStatus};
use carebridge_domain::clock::Timestamp;
use carebridge_domain::ids::{BookingId, FacilityId, SlotId, UserId, WaitlistId};
use carebridge_domain::service_kind::ServiceKind;
use sqlx::any::AnyRow;
use sqlx::Row;

const COLUMNS: &str = "id, patient_id, patient_pseudonym, facility_id, service, status, joined_at, offered_slot_id, \
                       offer_expires_at, booking_id, closed_at";

fn entry_from_row(row: &AnyRow) -> Result<WaitlistEntry, StoreError> {
    const T: &str = "waitlist";
    let opt = |c: &str| row.try_get::<Option<String>, _>(c);
    Ok(WaitlistEntry {
        id: rows::parse(T, &row.try_get::<String, _>("id")?)?,
        patient_id: rows::parse(T, &row.try_get::<String, _>("patient_id")?)?,
        patient_pseudonym: row.try_get("patient_pseudonym")?,
        facility_id: rows::parse(T, &row.try_get::<String, _>("facility_id")?)?,
        service: rows::vocab(T, &row.try_get::<String, _>("service")?, ServiceKind::parse)?,
        status: rows::vocab(T, &row.try_get::<String, _>("status")?, WaitlistStatus::parse)?,
        joined_at: Timestamp::from_millis(row.try_get("joined_at")?),
        offered_slot_id: opt("offered_slot_id")?.map(|s| rows::parse(T, &s)).transpose()?,
        offer_expires_at: row.try_get::<Option<i64>, _>("offer_expires_at")?.map(Timestamp::from_millis),
        booking_id: opt("booking_id")?.map(|s| rows::parse(T, &s)).transpose()?,
        closed_at: row.try_get::<Option<i64>, _>("closed_at")?.map(Timestamp::from_millis),
    })
}

pub async fn insert(tx: &mut Tx, e: &WaitlistEntry) -> Result<(), StoreError> {
    let mut q = SqlBuilder::new(&format!("INSERT INTO waitlist ({COLUMNS}) VALUES ("));
    q.bind_text(e.id.to_string()).push(", ");
    q.bind_text(e.patient_id.to_string()).push(", ");
    q.bind_text(e.patient_pseudonym.clone()).push(", ");
    q.bind_text(e.facility_id.to_string()).push(", ");
    q.bind_text(e.service.as_str()).push(", ");
    q.bind_text(e.status.as_str()).push(", ");
    q.bind_i64(e.joined_at.millis()).push(", NULL, ");
    q.bind(Arg::NullInt).push(", NULL, ");
    q.bind(Arg::NullInt).push(")");
    q.query().execute(&mut *tx.inner).await?;
    Ok(())
}

pub async fn get(store: &Store, id: WaitlistId) -> Result<WaitlistEntry, StoreError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM waitlist WHERE id = $1"))
        .bind(id.to_string())
        .fetch_optional(store.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
    entry_from_row(&row)
}

/// The entry inside a write transaction, locked on PostgreSQL.
pub async fn get_for_update(tx: &mut Tx, id: WaitlistId) -> Result<WaitlistEntry, StoreError> {
    let lock = if tx.backend() == Backend::Postgres { " FOR UPDATE" } else { "" };
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM waitlist WHERE id = $1{lock}"))
        .bind(id.to_string())
        .fetch_optional(&mut *tx.inner)
        .await?
        .ok_or(StoreError::NotFound)?;
    entry_from_row(&row)
}

/// The patient's open entry (waiting or offered) for the service at the facility, if any.
pub async fn open_entry(
    tx: &mut Tx,
    patient: UserId,
    facility: FacilityId,
    service: ServiceKind,
) -> Result<Option<WaitlistEntry>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM waitlist WHERE patient_id = $1 AND facility_id = $2 AND service = $3 \
         AND status IN ('waiting', 'offered')"
    ))
    .bind(patient.to_string())
    .bind(facility.to_string())
    .bind(service.as_str())
    .fetch_optional(&mut *tx.inner)
    .await?;
    row.as_ref().map(entry_from_row).transpose()
}

/// The first waiting entry for the service at the facility, locked on PostgreSQL (skipping
/// rows another transaction is offering to, so two freed places go to two patients).
pub async fn next_waiting(
    tx: &mut Tx,
    facility: FacilityId,
    service: ServiceKind,
) -> Result<Option<WaitlistEntry>, StoreError> {
    let lock = if tx.backend() == Backend::Postgres { " FOR UPDATE SKIP LOCKED" } else { "" };
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM waitlist WHERE facility_id = $1 AND service = $2 AND status = 'waiting' \
         ORDER BY joined_at, id LIMIT 1{lock}"
    ))
    .bind(facility.to_string())
    .bind(service.as_str())
    .fetch_optional(&mut *tx.inner)
    .await?;
    row.as_ref().map(entry_from_row).transpose()
}

/// How many wait ahead of an entry that joined at `joined_at`.
pub async fn ahead_of(store: &Store, e: &WaitlistEntry) -> Result<i64, StoreError> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM waitlist WHERE facility_id = $1 AND service = $2 AND status = 'waiting' \
         AND (joined_at < $3 OR (joined_at = $3 AND id < $4))",
    )
    .bind(e.facility_id.to_string())
    .bind(e.service.as_str())
    .bind(e.joined_at.millis())
    .bind(e.id.to_string())
    .fetch_one(store.pool())
    .await?;
    Ok(row.try_get("n")?)
}

/// Offer a held place of `slot` to a waiting entry until `expires`.
pub async fn offer(tx: &mut Tx, id: WaitlistId, slot: SlotId, expires: Timestamp) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE waitlist SET status = 'offered', offered_slot_id = $1, offer_expires_at = $2 \
         WHERE id = $3 AND status = 'waiting'",
    )
    .bind(slot.to_string())
    .bind(expires.millis())
    .bind(id.to_string())
    .execute(&mut *tx.inner)
    .await?
    .rows_affected();
    if done == 1 {
        Ok(())
    } else {
        Err(StoreError::Conflict("the entry is not waiting any more".into()))
    }
}

/// Close an entry that is `from` (waiting or offered): booked (with the booking), lapsed or
/// left. `Conflict` when it is not `from` any more.
pub async fn close(
    tx: &mut Tx,
    id: WaitlistId,
    from: WaitlistStatus,
    to: WaitlistStatus,
    booking: Option<BookingId>,
    at: Timestamp,
) -> Result<(), StoreError> {
    let mut q = SqlBuilder::new("UPDATE waitlist SET status = ");
    q.bind_text(to.as_str());
    q.push(", booking_id = ").bind(booking.map_or(Arg::NullText, |b| Arg::Text(b.to_string())));
    q.push(", closed_at = ").bind_i64(at.millis());
    q.push(" WHERE id = ").bind_text(id.to_string());
    q.push(" AND status = ").bind_text(from.as_str());
    if q.query().execute(&mut *tx.inner).await?.rows_affected() == 1 {
        Ok(())
    } else {
        Err(StoreError::Conflict(format!("the waitlist place is not {from} any more")))
    }
}

/// Put an offered entry back to waiting, first in line as it was (its slot was cancelled under
/// it: not the patient's doing).
pub async fn withdraw_offer(tx: &mut Tx, id: WaitlistId) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE waitlist SET status = 'waiting', offered_slot_id = NULL, offer_expires_at = NULL \
         WHERE id = $1 AND status = 'offered'",
    )
    .bind(id.to_string())
    .execute(&mut *tx.inner)
    .await?;
    Ok(())
}

/// Offers holding a place of these slots.
pub async fn offers_on_slots(tx: &mut Tx, slots: &[SlotId]) -> Result<Vec<WaitlistEntry>, StoreError> {
    let mut out = Vec::new();
    for chunk in slots.chunks(500) {
        let mut q = SqlBuilder::new(&format!(
            "SELECT {COLUMNS} FROM waitlist WHERE status = 'offered' AND offered_slot_id IN "
        ));
        q.bind_text_list(chunk);
        for row in q.query().fetch_all(&mut *tx.inner).await? {
            out.push(entry_from_row(&row)?);
        }
    }
    Ok(out)
}

/// Offers whose claim time ran out by `now`, oldest first.
pub async fn expired_offers(store: &Store, now: Timestamp, limit: u32) -> Result<Vec<WaitlistEntry>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM waitlist WHERE status = 'offered' AND offer_expires_at <= $1 \
         ORDER BY offer_expires_at, id LIMIT $2"
    ))
    .bind(now.millis())
    .bind(i64::from(limit))
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(entry_from_row).collect()
}

/// A patient's entries, newest first.
pub async fn entries_of(store: &Store, patient: UserId, limit: u32) -> Result<Vec<WaitlistEntry>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM waitlist WHERE patient_id = $1 ORDER BY joined_at DESC, id DESC LIMIT $2"
    ))
    .bind(patient.to_string())
    .bind(i64::from(limit))
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(entry_from_row).collect()
}
