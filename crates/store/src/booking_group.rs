//! A group of bookings written in one transaction: the store's half of booking's group commit
//! (the service's writer collects the group, and answers each caller once the group is on
//! disk). Each booking is checked inside the transaction against the state the bookings before
//! it in the group left: the patient's future bookings against their limit, then a place taken
//! with the conditional update of [`crate::booking::take_place`]. A booking refused there has
//! written nothing, so its neighbours commit without it.
//!
//! On a SQLite file the group runs as one closure on the native writer thread with prepared
//! statements; elsewhere through `sqlx` with the statements of [`crate::booking`]. Both store
//! the same rows.

use crate::audit;
use crate::backend::Store;
use crate::booking as sql_booking;
use crate::capacity_group::append_audit_native;
use crate::durability::PendingSync;
use crate::error::StoreError;
use carebridge_domain::audit::Entry;
use carebridge_domain::booking::Booking;
use rusqlite::{Connection, TransactionBehavior};

/// One booking of a group, checked as far as it can be outside the transaction.
#[derive(Debug, Clone)]
pub struct GroupBooking {
    pub booking: Booking,
    /// For a patient's own booking, the most future bookings of the service they may hold.
    pub limit: Option<i64>,
    pub audit: Entry,
}

/// What became of one booking of a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookingOutcome {
    Booked,
    /// No place was left (or the slot was cancelled) when its turn came.
    Full,
    /// The patient held `held` future bookings of the service already, the most allowed.
    OverLimit {
        held: i64,
    },
}

/// Write `group` in one transaction and commit it. The outcomes (one per booking, in order)
/// hold only once the returned sync has completed.
pub async fn write_group(
    store: &Store,
    group: Vec<GroupBooking>,
) -> Result<(Vec<BookingOutcome>, PendingSync), StoreError> {
    match store.native() {
        Some(native) => {
            let outcomes = native.run(move |conn| write_native(conn, &group)).await??;
            Ok((outcomes, store.pending_sync()))
        }
        None => write_with_sqlx(store, group).await,
    }
}

async fn write_with_sqlx(
    store: &Store,
    group: Vec<GroupBooking>,
) -> Result<(Vec<BookingOutcome>, PendingSync), StoreError> {
    let mut tx = store.begin().await?;
    let mut outcomes = Vec::with_capacity(group.len());
    let mut entries = Vec::with_capacity(group.len());
    for g in &group {
        let b = &g.booking;
        if let (Some(patient), Some(limit)) = (b.patient_id, g.limit) {
            sql_booking::lock_patient(&mut tx, patient).await?;
            let held = sql_booking::future_bookings(&mut tx, patient, b.service, b.created_at).await?;
            if held >= limit {
                outcomes.push(BookingOutcome::OverLimit { held });
                continue;
            }
        }
        match sql_booking::take_place(&mut tx, b.slot_id).await {
            Ok(()) => {}
            Err(StoreError::Conflict(_)) => {
                outcomes.push(BookingOutcome::Full);
                continue;
            }
            Err(e) => return Err(e),
        }
        sql_booking::insert_booking(&mut tx, b).await?;
        entries.push(g.audit.clone());
        outcomes.push(BookingOutcome::Booked);
    }
    audit::append_many(&mut tx, &entries).await?;
    let pending = tx.commit_deferred().await?;
    Ok((outcomes, pending))
}

const COUNT_FUTURE: &str = "SELECT COUNT(*) FROM bookings WHERE patient_id = ?1 AND service = ?2 \
                            AND status = 'confirmed' AND starts_at >= ?3";
const TAKE_PLACE: &str = "UPDATE slots SET booked = booked + 1 WHERE id = ?1 AND status = 'open' AND booked < capacity";
const INSERT_BOOKING: &str = "INSERT INTO bookings (id, slot_id, facility_id, service, starts_at, patient_id, \
     patient_pseudonym, booked_by, status, created_at, cancelled_at, cancel_reason, rescheduled_from) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";

/// The group on the native writer connection: `BEGIN IMMEDIATE`, prepared statements, `COMMIT`.
/// Any error rolls the whole group back (the transaction is dropped uncommitted).
fn write_native(conn: &mut Connection, group: &[GroupBooking]) -> Result<Vec<BookingOutcome>, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut outcomes = Vec::with_capacity(group.len());
    let mut written = Vec::with_capacity(group.len());
    {
        let mut count = tx.prepare_cached(COUNT_FUTURE)?;
        let mut take = tx.prepare_cached(TAKE_PLACE)?;
        let mut insert = tx.prepare_cached(INSERT_BOOKING)?;
        for g in group {
            let b = &g.booking;
            if let (Some(patient), Some(limit)) = (b.patient_id, g.limit) {
                let held: i64 = count.query_row(
                    rusqlite::params![patient.to_string(), b.service.as_str(), b.created_at.millis()],
                    |row| row.get(0),
                )?;
                if held >= limit {
                    outcomes.push(BookingOutcome::OverLimit { held });
                    continue;
                }
            }
            if take.execute([b.slot_id.to_string()])? == 0 {
                outcomes.push(BookingOutcome::Full);
                continue;
            }
            insert.execute(rusqlite::params![
                b.id.to_string(),
                b.slot_id.to_string(),
                b.facility_id.to_string(),
                b.service.as_str(),
                b.starts_at.millis(),
                b.patient_id.map(|p| p.to_string()),
                b.patient_pseudonym.as_str(),
                b.booked_by.to_string(),
                b.status.as_str(),
                b.created_at.millis(),
                b.cancelled_at.map(|t| t.millis()),
                b.cancel_reason.as_deref(),
                b.rescheduled_from.map(|r| r.to_string()),
            ])?;
            written.push(&g.audit);
            outcomes.push(BookingOutcome::Booked);
        }
    }
    append_audit_native(&tx, written)?;
    tx.commit()?;
    Ok(outcomes)
}
