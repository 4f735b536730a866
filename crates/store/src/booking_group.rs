//! A group of bookings written in one transaction: the store's half of booking's group commit
//! (the service's writer collects the group, and answers each caller once the group is on
//! disk). Every check against the stored state runs here, inside the transaction, in the
//! group's order, so a request costs no read of its own before it joins the group: the slot
//! exists (and is the desk's facility's), is open and has not begun; its facility takes new
//! patients and, if designated for the virus, only the virus's own services; the patient holds
//! fewer future bookings of the service than their region allows; and a place is left, taken
//! with the conditional update of [`crate::booking::take_place`]. A refused booking has
//! written nothing, so its neighbours commit without it.
//!
//! On a SQLite file the group runs as one closure on the native writer thread with prepared
//! statements; elsewhere through `sqlx`. Both run the same statements and store the same rows.

use crate::backend::{Store, Tx};
use crate::booking as sql_booking;
use crate::capacity_group::append_audit_native;
use crate::durability::PendingSync;
use crate::error::StoreError;
use crate::{audit, rows};
use carebridge_domain::audit::Entry;
use carebridge_domain::booking::{virus_service, Booking, BookingStatus};
use carebridge_domain::clock::Timestamp;
use carebridge_domain::designation::Designation;
use carebridge_domain::ids::{BookingId, FacilityId, SlotId, UserId};
use carebridge_domain::region::RegionCode;
use carebridge_domain::service_kind::ServiceKind;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use sqlx::Row;
use std::sync::Arc;

/// The most future bookings of a service a patient of a facility in the region may hold.
pub type LimitOf = Arc<dyn Fn(RegionCode, ServiceKind) -> i64 + Send + Sync>;

/// One booking request of a group.
#[derive(Debug, Clone)]
pub struct GroupBooking {
    pub id: BookingId,
    pub slot_id: SlotId,
    /// The patient's own account; `None` for a desk's walk-in.
    pub patient_id: Option<UserId>,
    pub patient_pseudonym: String,
    pub booked_by: UserId,
    /// A desk books only its own facility's slots.
    pub facility_only: Option<FacilityId>,
    pub at: Timestamp,
    /// Its audit entry; the store sets the change to `{"booking": …}` once it is made.
    pub audit: Entry,
}

/// What became of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BookingOutcome {
    Booked(Box<Booking>),
    /// No such slot (or, for a desk, not its facility's).
    NoSlot,
    Cancelled,
    Begun,
    ClosedToNew {
        facility: String,
    },
    VirusDesignated {
        facility: String,
        service: ServiceKind,
    },
    /// The patient held `held` future bookings of the service already, `limit` the most.
    OverLimit {
        held: i64,
        limit: i64,
    },
    /// No place was left when its turn came.
    Full,
}

/// The slot and its facility as a booking checks them.
struct SlotState {
    facility_id: FacilityId,
    service: ServiceKind,
    starts_at: Timestamp,
    open: bool,
    region: RegionCode,
    facility_name: String,
    takes_new: bool,
    designation: Designation,
}

/// Check a request against its slot; `Err` is the refusal, `Ok` the booking to write.
fn check(g: &GroupBooking, slot: Option<SlotState>) -> Result<(Booking, RegionCode), BookingOutcome> {
    let Some(s) = slot else { return Err(BookingOutcome::NoSlot) };
    if g.facility_only.is_some_and(|f| f != s.facility_id) {
        return Err(BookingOutcome::NoSlot);
    }
    if !s.open {
        return Err(BookingOutcome::Cancelled);
    }
    if s.starts_at <= g.at {
        return Err(BookingOutcome::Begun);
    }
    if !s.takes_new || s.designation == Designation::ClosedToNew {
        return Err(BookingOutcome::ClosedToNew { facility: s.facility_name });
    }
    if s.designation == Designation::VirusDesignated && !virus_service(s.service) {
        return Err(BookingOutcome::VirusDesignated { facility: s.facility_name, service: s.service });
    }
    let booking = Booking {
        id: g.id,
        slot_id: g.slot_id,
        facility_id: s.facility_id,
        service: s.service,
        starts_at: s.starts_at,
        patient_id: g.patient_id,
        patient_pseudonym: g.patient_pseudonym.clone(),
        booked_by: g.booked_by,
        status: BookingStatus::Confirmed,
        created_at: g.at,
        cancelled_at: None,
        cancel_reason: None,
        rescheduled_from: None,
    };
    Ok((booking, s.region))
}

fn audited(g: &GroupBooking, booking: &Booking) -> Entry {
    let mut entry = g.audit.clone();
    entry.change = serde_json::json!({ "booking": booking });
    entry
}

/// Check and write `group` in one transaction and commit it. The outcomes (one per request, in
/// order) hold only once the returned sync has completed.
pub async fn write_group(
    store: &Store,
    group: Vec<GroupBooking>,
    limit_of: LimitOf,
) -> Result<(Vec<BookingOutcome>, PendingSync), StoreError> {
    match store.native() {
        Some(native) => {
            let outcomes = native.run(move |conn| write_native(conn, &group, &limit_of)).await??;
            Ok((outcomes, store.pending_sync()))
        }
        None => write_with_sqlx(store, group, limit_of).await,
    }
}

/// The slot and its facility, with the designation in force at `$2`.
const SLOT_STATE: &str = "SELECT s.facility_id, s.service, s.starts_at, s.status, f.region_code, f.name_en, \
     f.takes_new_patients, COALESCE((SELECT d.designation FROM designation_orders d WHERE d.facility_id = s.facility_id \
     AND d.effective_at <= $2 ORDER BY d.effective_at DESC, d.ordered_at DESC LIMIT 1), 'general') AS designation \
     FROM slots s JOIN facilities f ON f.id = s.facility_id WHERE s.id = $1";

type RawState = (String, String, i64, String, String, String, i64, String);

fn slot_state(raw: RawState) -> Result<SlotState, StoreError> {
    const T: &str = "slots";
    let (facility, service, starts_at, status, region, name, takes_new, designation) = raw;
    Ok(SlotState {
        facility_id: rows::parse(T, &facility)?,
        service: rows::vocab(T, &service, ServiceKind::parse)?,
        starts_at: Timestamp::from_millis(starts_at),
        open: status == "open",
        region: rows::region(T, &region)?,
        facility_name: name,
        takes_new: takes_new != 0,
        designation: rows::vocab(T, &designation, Designation::parse)?,
    })
}

async fn slot_state_sqlx(tx: &mut Tx, slot: SlotId, at: Timestamp) -> Result<Option<SlotState>, StoreError> {
    let row = sqlx::query(SLOT_STATE).bind(slot.to_string()).bind(at.millis()).fetch_optional(&mut *tx.inner).await?;
    let Some(r) = row else { return Ok(None) };
    let raw: RawState = (
        r.try_get("facility_id")?,
        r.try_get("service")?,
        r.try_get("starts_at")?,
        r.try_get("status")?,
        r.try_get("region_code")?,
        r.try_get("name_en")?,
        r.try_get::<i64, _>("takes_new_patients")?,
        r.try_get("designation")?,
    );
    slot_state(raw).map(Some)
}

async fn write_with_sqlx(
    store: &Store,
    group: Vec<GroupBooking>,
    limit_of: LimitOf,
) -> Result<(Vec<BookingOutcome>, PendingSync), StoreError> {
    let mut tx = store.begin().await?;
    let mut outcomes = Vec::with_capacity(group.len());
    let mut entries = Vec::with_capacity(group.len());
    for g in &group {
        let (booking, region) = match check(g, slot_state_sqlx(&mut tx, g.slot_id, g.at).await?) {
            Ok(b) => b,
            Err(refused) => {
                outcomes.push(refused);
                continue;
            }
        };
        if let Some(patient) = g.patient_id {
            sql_booking::lock_patient(&mut tx, patient).await?;
            let limit = limit_of(region, booking.service);
            let held = sql_booking::future_bookings(&mut tx, patient, booking.service, g.at).await?;
            if held >= limit {
                outcomes.push(BookingOutcome::OverLimit { held, limit });
                continue;
            }
        }
        match sql_booking::take_place(&mut tx, g.slot_id).await {
            Ok(()) => {}
            Err(StoreError::Conflict(_)) => {
                outcomes.push(BookingOutcome::Full);
                continue;
            }
            Err(e) => return Err(e),
        }
        sql_booking::insert_booking(&mut tx, &booking).await?;
        entries.push(audited(g, &booking));
        outcomes.push(BookingOutcome::Booked(Box::new(booking)));
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

/// [`SLOT_STATE`] with SQLite's numbered parameters (`$n` would be numbered by first
/// appearance, and `$2` appears first).
fn slot_state_native_sql() -> &'static str {
    static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SQL.get_or_init(|| SLOT_STATE.replace("$1", "?1").replace("$2", "?2"))
}

/// The group on the native writer connection: `BEGIN IMMEDIATE`, prepared statements, `COMMIT`.
/// Any error rolls the whole group back (the transaction is dropped uncommitted).
fn write_native(
    conn: &mut Connection,
    group: &[GroupBooking],
    limit_of: &LimitOf,
) -> Result<Vec<BookingOutcome>, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut outcomes = Vec::with_capacity(group.len());
    let mut written = Vec::with_capacity(group.len());
    {
        let mut state = tx.prepare_cached(slot_state_native_sql())?;
        let mut count = tx.prepare_cached(COUNT_FUTURE)?;
        let mut take = tx.prepare_cached(TAKE_PLACE)?;
        let mut insert = tx.prepare_cached(INSERT_BOOKING)?;
        for g in group {
            let raw: Option<RawState> = state
                .query_row(rusqlite::params![g.slot_id.to_string(), g.at.millis()], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?))
                })
                .optional()?;
            let (b, region) = match check(g, raw.map(slot_state).transpose()?) {
                Ok(b) => b,
                Err(refused) => {
                    outcomes.push(refused);
                    continue;
                }
            };
            if let Some(patient) = b.patient_id {
                let limit = limit_of(region, b.service);
                let held: i64 = count
                    .query_row(rusqlite::params![patient.to_string(), b.service.as_str(), g.at.millis()], |row| {
                        row.get(0)
                    })?;
                if held >= limit {
                    outcomes.push(BookingOutcome::OverLimit { held, limit });
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
            written.push(audited(g, &b));
            outcomes.push(BookingOutcome::Booked(Box::new(b)));
        }
    }
    append_audit_native(&tx, written.iter())?;
    tx.commit()?;
    Ok(outcomes)
}
