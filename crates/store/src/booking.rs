//! Booking: schedules, closures, slots and bookings.
//!
//! Over-booking is impossible by construction: a booking takes its place with one conditional
//! `UPDATE slots SET booked = booked + 1 WHERE … booked < capacity` inside the transaction that
//! inserts it ([`take_place`]), and the table's `CHECK (booked <= capacity)` refuses anything
//! else on both backends. Slots are inserted with `ON CONFLICT (schedule_id, starts_at) DO
//! NOTHING`, so materialising a horizon twice adds only what is missing.

use crate::backend::{Backend, Store, Tx};
use crate::error::StoreError;
use crate::rows;
use crate::sql::SqlBuilder;
use crate::visibility::Visibility;
use carebridge_domain::booking::{
    Alternative, Booking, BookingNotice, BookingStatus, LocalDay, NoticeKind, Slot, SlotStatus, TemplateDraft,
};
use carebridge_domain::clock::Timestamp;
use carebridge_domain::facility::GeoPoint;
use carebridge_domain::ids::{BookingId, ClosureId, FacilityId, ScheduleId, SlotId, UserId};
use carebridge_domain::region::RegionCode;
use carebridge_domain::service_kind::ServiceKind;
use sqlx::any::AnyRow;
use sqlx::Row;

/// A published schedule as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSchedule {
    pub id: ScheduleId,
    pub facility_id: FacilityId,
    pub service: ServiceKind,
    pub clinician: Option<String>,
    pub valid_from: LocalDay,
    pub valid_until: Option<LocalDay>,
    /// The templates as the desk wrote them (checked before they were stored).
    pub templates: Vec<TemplateDraft>,
    pub active: bool,
    pub created_by: UserId,
    pub created_at: Timestamp,
}

pub async fn insert_schedule(tx: &mut Tx, s: &StoredSchedule) -> Result<(), StoreError> {
    let templates = serde_json::to_string(&s.templates).map_err(|e| StoreError::corrupt("schedules", e.to_string()))?;
    let mut q = SqlBuilder::new(
        "INSERT INTO schedules (id, facility_id, service, clinician, valid_from, valid_until, templates, status, \
         created_by, created_at) VALUES (",
    );
    q.bind_text(s.id.to_string()).push(", ");
    q.bind_text(s.facility_id.to_string()).push(", ");
    q.bind_text(s.service.as_str()).push(", ");
    q.bind(s.clinician.clone().map_or(crate::sql::Arg::NullText, crate::sql::Arg::Text)).push(", ");
    q.bind_i64(s.valid_from.0).push(", ");
    q.bind(s.valid_until.map_or(crate::sql::Arg::NullInt, |d| crate::sql::Arg::I64(d.0))).push(", ");
    q.bind_text(templates).push(", ");
    q.bind_text(if s.active { "active" } else { "retired" }).push(", ");
    q.bind_text(s.created_by.to_string()).push(", ");
    q.bind_i64(s.created_at.millis()).push(")");
    q.query().execute(&mut *tx.inner).await?;
    Ok(())
}

fn schedule_from_row(row: &AnyRow) -> Result<StoredSchedule, StoreError> {
    const T: &str = "schedules";
    let templates: String = row.try_get("templates")?;
    Ok(StoredSchedule {
        id: rows::parse(T, &row.try_get::<String, _>("id")?)?,
        facility_id: rows::parse(T, &row.try_get::<String, _>("facility_id")?)?,
        service: rows::vocab(T, &row.try_get::<String, _>("service")?, ServiceKind::parse)?,
        clinician: row.try_get("clinician")?,
        valid_from: LocalDay(row.try_get("valid_from")?),
        valid_until: row.try_get::<Option<i64>, _>("valid_until")?.map(LocalDay),
        templates: serde_json::from_str(&templates).map_err(|e| StoreError::corrupt(T, e.to_string()))?,
        active: row.try_get::<String, _>("status")? == "active",
        created_by: rows::parse(T, &row.try_get::<String, _>("created_by")?)?,
        created_at: Timestamp::from_millis(row.try_get("created_at")?),
    })
}

/// The active schedules of visible facilities, optionally of one facility, oldest first.
pub async fn active_schedules(
    store: &Store,
    visibility: Visibility,
    facility: Option<FacilityId>,
) -> Result<Vec<StoredSchedule>, StoreError> {
    let mut q = SqlBuilder::new(
        "SELECT s.* FROM schedules s JOIN facilities f ON f.id = s.facility_id WHERE s.status = 'active'",
    );
    visibility.push_condition(&mut q, "f", "id");
    if let Some(f) = facility {
        q.push(" AND s.facility_id = ").bind_text(f.to_string());
    }
    q.push(" ORDER BY s.id");
    q.query().fetch_all(store.pool()).await?.iter().map(schedule_from_row).collect()
}

/// One schedule by id, active or retired.
pub async fn schedule(store: &Store, id: ScheduleId) -> Result<StoredSchedule, StoreError> {
    let row = sqlx::query("SELECT * FROM schedules WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(store.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
    schedule_from_row(&row)
}

/// What a schedule search asks for; every part optional, combined with AND.
#[derive(Debug, Clone, Default)]
pub struct ScheduleQuery {
    pub facility: Option<FacilityId>,
    pub service: Option<ServiceKind>,
    /// Active (`true`) or retired (`false`) only.
    pub active: Option<bool>,
    /// Schedules whose days (`valid_from` to `valid_until`, open-ended without one) meet
    /// `from..=until`.
    pub from: Option<LocalDay>,
    pub until: Option<LocalDay>,
    /// Resume after this id.
    pub after: Option<ScheduleId>,
    pub limit: u32,
}

/// Schedules in id order, `limit + 1` at most so the caller knows whether more follow.
pub async fn schedules(store: &Store, query: &ScheduleQuery) -> Result<Vec<StoredSchedule>, StoreError> {
    let mut q = SqlBuilder::new("SELECT * FROM schedules WHERE 1 = 1");
    if let Some(f) = query.facility {
        q.push(" AND facility_id = ").bind_text(f.to_string());
    }
    if let Some(s) = query.service {
        q.push(" AND service = ").bind_text(s.as_str());
    }
    if let Some(active) = query.active {
        q.push(" AND status = ").bind_text(if active { "active" } else { "retired" });
    }
    if let Some(until) = query.until {
        q.push(" AND valid_from <= ").bind_i64(until.0);
    }
    if let Some(from) = query.from {
        let p = q.placeholder(crate::sql::Arg::I64(from.0));
        q.push(&format!(" AND (valid_until IS NULL OR valid_until >= {p})"));
    }
    if let Some(after) = query.after {
        q.push(" AND id > ").bind_text(after.to_string());
    }
    q.push(" ORDER BY id LIMIT ").bind_i64(i64::from(query.limit) + 1);
    q.query().fetch_all(store.pool()).await?.iter().map(schedule_from_row).collect()
}

/// A closure of a facility's service (every service for `None`) on local days, inclusive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredClosure {
    pub id: ClosureId,
    pub facility_id: FacilityId,
    pub service: Option<ServiceKind>,
    pub from: LocalDay,
    pub until: LocalDay,
    pub reason: String,
    pub created_by: UserId,
    pub created_at: Timestamp,
}

/// The closures of `facility` that end on or after `from`.
pub async fn closures(store: &Store, facility: FacilityId, from: LocalDay) -> Result<Vec<StoredClosure>, StoreError> {
    const T: &str = "schedule_closures";
    let rows = sqlx::query(
        "SELECT id, facility_id, service, from_day, until_day, reason, created_by, created_at FROM schedule_closures \
         WHERE facility_id = $1 AND until_day >= $2 ORDER BY from_day",
    )
    .bind(facility.to_string())
    .bind(from.0)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|row| {
            Ok(StoredClosure {
                id: rows::parse(T, &row.try_get::<String, _>("id")?)?,
                facility_id: rows::parse(T, &row.try_get::<String, _>("facility_id")?)?,
                service: row
                    .try_get::<Option<String>, _>("service")?
                    .map(|s| rows::vocab(T, &s, ServiceKind::parse))
                    .transpose()?,
                from: LocalDay(row.try_get("from_day")?),
                until: LocalDay(row.try_get("until_day")?),
                reason: row.try_get("reason")?,
                created_by: rows::parse(T, &row.try_get::<String, _>("created_by")?)?,
                created_at: Timestamp::from_millis(row.try_get("created_at")?),
            })
        })
        .collect()
}

pub async fn insert_closure(tx: &mut Tx, c: &StoredClosure) -> Result<(), StoreError> {
    let mut q = SqlBuilder::new(
        "INSERT INTO schedule_closures (id, facility_id, service, from_day, until_day, reason, created_by, created_at) \
         VALUES (",
    );
    q.bind_text(c.id.to_string()).push(", ");
    q.bind_text(c.facility_id.to_string()).push(", ");
    q.bind(c.service.map_or(crate::sql::Arg::NullText, |s| crate::sql::Arg::Text(s.as_str().into()))).push(", ");
    q.bind_i64(c.from.0).push(", ");
    q.bind_i64(c.until.0).push(", ");
    q.bind_text(c.reason.clone()).push(", ");
    q.bind_text(c.created_by.to_string()).push(", ");
    q.bind_i64(c.created_at.millis()).push(")");
    q.query().execute(&mut *tx.inner).await?;
    Ok(())
}

/// The open slots of `facility` starting in `from..until` (no end: every later one), inside
/// a write transaction: the slots a change may stop.
pub async fn open_slots_from(
    tx: &mut Tx,
    facility: FacilityId,
    from: Timestamp,
    until: Option<Timestamp>,
) -> Result<Vec<Slot>, StoreError> {
    let mut q = SqlBuilder::new(&format!(
        "SELECT {SLOT_COLUMNS} FROM slots s JOIN facilities f ON f.id = s.facility_id WHERE s.facility_id = "
    ));
    q.bind_text(facility.to_string());
    q.push(" AND s.status = 'open' AND s.starts_at >= ").bind_i64(from.millis());
    if let Some(u) = until {
        q.push(" AND s.starts_at < ").bind_i64(u.millis());
    }
    q.push(" ORDER BY s.starts_at, s.id");
    q.query().fetch_all(&mut *tx.inner).await?.iter().map(|r| slot_from_row(r).map(|r| r.slot)).collect()
}

/// Cancel slots (a change stopped their service): nobody can book them any more.
pub async fn cancel_slots(tx: &mut Tx, ids: &[SlotId], reason: &str) -> Result<u64, StoreError> {
    let mut done = 0;
    for chunk in ids.chunks(500) {
        let mut q = SqlBuilder::new("UPDATE slots SET status = 'cancelled', cancel_reason = ");
        q.bind_text(reason).push(" WHERE status = 'open' AND id IN ").bind_text_list(chunk);
        done += q.query().execute(&mut *tx.inner).await?.rows_affected();
    }
    Ok(done)
}

/// The confirmed bookings of these slots, inside a write transaction.
pub async fn confirmed_bookings_of_slots(tx: &mut Tx, slots: &[SlotId]) -> Result<Vec<Booking>, StoreError> {
    let mut out = Vec::new();
    for chunk in slots.chunks(500) {
        let mut q = SqlBuilder::new(&format!(
            "SELECT {BOOKING_COLUMNS} FROM bookings WHERE status = 'confirmed' AND slot_id IN "
        ));
        q.bind_text_list(chunk);
        q.push(" ORDER BY starts_at, id");
        for row in q.query().fetch_all(&mut *tx.inner).await? {
            out.push(booking_from_row(&row)?);
        }
    }
    Ok(out)
}

/// The confirmed bookings at a facility starting in `from..until` (no end: every later one),
/// in start order.
pub async fn confirmed_bookings_at(
    store: &Store,
    facility: FacilityId,
    from: Timestamp,
    until: Option<Timestamp>,
) -> Result<Vec<Booking>, StoreError> {
    let mut q = SqlBuilder::new(&format!(
        "SELECT {BOOKING_COLUMNS} FROM bookings WHERE status = 'confirmed' AND facility_id = "
    ));
    q.bind_text(facility.to_string());
    q.push(" AND starts_at >= ").bind_i64(from.millis());
    if let Some(u) = until {
        q.push(" AND starts_at < ").bind_i64(u.millis());
    }
    q.push(" ORDER BY starts_at, id");
    q.query().fetch_all(store.pool()).await?.iter().map(booking_from_row).collect()
}

const NOTICE_COLUMNS: &str = "id, patient_id, patient_pseudonym, facility_id, booking_id, waitlist_id, kind, cause, \
                              reason, alternatives, created_at";

pub async fn insert_notice(tx: &mut Tx, n: &BookingNotice) -> Result<(), StoreError> {
    let alternatives =
        serde_json::to_string(&n.alternatives).map_err(|e| StoreError::corrupt("booking_notices", e.to_string()))?;
    let text = |v: Option<String>| v.map_or(crate::sql::Arg::NullText, crate::sql::Arg::Text);
    let mut q = SqlBuilder::new(&format!("INSERT INTO booking_notices ({NOTICE_COLUMNS}) VALUES ("));
    q.bind_text(n.id.to_string()).push(", ");
    q.bind(text(n.patient_id.map(|p| p.to_string()))).push(", ");
    q.bind_text(n.patient_pseudonym.clone()).push(", ");
    q.bind_text(n.facility_id.to_string()).push(", ");
    q.bind(text(n.booking_id.map(|b| b.to_string()))).push(", ");
    q.bind(text(n.waitlist_id.map(|w| w.to_string()))).push(", ");
    q.bind_text(n.kind.as_str()).push(", ");
    q.bind_text(n.cause.clone()).push(", ");
    q.bind_text(n.reason.clone()).push(", ");
    q.bind_text(alternatives).push(", ");
    q.bind_i64(n.created_at.millis()).push(")");
    q.query().execute(&mut *tx.inner).await?;
    Ok(())
}

fn notice_from_row(row: &AnyRow) -> Result<BookingNotice, StoreError> {
    const T: &str = "booking_notices";
    let opt = |c: &str| row.try_get::<Option<String>, _>(c);
    let alternatives: String = row.try_get("alternatives")?;
    Ok(BookingNotice {
        id: rows::parse(T, &row.try_get::<String, _>("id")?)?,
        patient_id: opt("patient_id")?.map(|s| rows::parse(T, &s)).transpose()?,
        patient_pseudonym: row.try_get("patient_pseudonym")?,
        facility_id: rows::parse(T, &row.try_get::<String, _>("facility_id")?)?,
        booking_id: opt("booking_id")?.map(|s| rows::parse(T, &s)).transpose()?,
        waitlist_id: opt("waitlist_id")?.map(|s| rows::parse(T, &s)).transpose()?,
        kind: rows::vocab(T, &row.try_get::<String, _>("kind")?, NoticeKind::parse)?,
        cause: row.try_get("cause")?,
        reason: row.try_get("reason")?,
        alternatives: serde_json::from_str::<Vec<Alternative>>(&alternatives)
            .map_err(|e| StoreError::corrupt(T, e.to_string()))?,
        created_at: Timestamp::from_millis(row.try_get("created_at")?),
    })
}

/// A patient's notices (or, for a desk, its facility's), newest first.
pub async fn notices_of(
    store: &Store,
    patient: Option<UserId>,
    facility: Option<FacilityId>,
    limit: u32,
) -> Result<Vec<BookingNotice>, StoreError> {
    let mut q = SqlBuilder::new(&format!("SELECT {NOTICE_COLUMNS} FROM booking_notices WHERE 1 = 1"));
    if let Some(p) = patient {
        q.push(" AND patient_id = ").bind_text(p.to_string());
    }
    if let Some(f) = facility {
        q.push(" AND facility_id = ").bind_text(f.to_string());
    }
    q.push(" ORDER BY created_at DESC, id DESC LIMIT ").bind_i64(i64::from(limit));
    q.query().fetch_all(store.pool()).await?.iter().map(notice_from_row).collect()
}

/// Insert the slots of a schedule that do not exist yet (same schedule and start); answers how
/// many were added.
pub async fn insert_slots(tx: &mut Tx, schedule: &StoredSchedule, slots: &[Slot]) -> Result<u64, StoreError> {
    let mut added = 0;
    for chunk in slots.chunks(200) {
        let mut q = SqlBuilder::new(
            "INSERT INTO slots (id, schedule_id, facility_id, service, starts_at, ends_at, capacity, booked, status) VALUES ",
        );
        for (i, s) in chunk.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.push("(");
            q.bind_text(s.id.to_string()).push(", ");
            q.bind_text(schedule.id.to_string()).push(", ");
            q.bind_text(schedule.facility_id.to_string()).push(", ");
            q.bind_text(schedule.service.as_str()).push(", ");
            q.bind_i64(s.starts_at.millis()).push(", ");
            q.bind_i64(s.ends_at.millis()).push(", ");
            q.bind_i64(s.capacity).push(", 0, 'open')");
        }
        q.push(" ON CONFLICT (schedule_id, starts_at) DO NOTHING");
        added += q.query().execute(&mut *tx.inner).await?.rows_affected();
    }
    Ok(added)
}

const SLOT_COLUMNS: &str =
    "s.id, s.schedule_id, s.facility_id, s.service, s.starts_at, s.ends_at, s.capacity, s.booked, \
                            s.status, f.name_zh, f.name_en, f.region_code, f.lon, f.lat";

/// A slot with where it is, as a search answers it.
#[derive(Debug, Clone, PartialEq)]
pub struct SlotRow {
    pub slot: Slot,
    pub facility_name_zh: String,
    pub facility_name_en: String,
    pub region_code: RegionCode,
    pub location: GeoPoint,
}

fn slot_from_row(row: &AnyRow) -> Result<SlotRow, StoreError> {
    const T: &str = "slots";
    Ok(SlotRow {
        slot: Slot {
            id: rows::parse(T, &row.try_get::<String, _>("id")?)?,
            schedule_id: rows::parse(T, &row.try_get::<String, _>("schedule_id")?)?,
            facility_id: rows::parse(T, &row.try_get::<String, _>("facility_id")?)?,
            service: rows::vocab(T, &row.try_get::<String, _>("service")?, ServiceKind::parse)?,
            starts_at: Timestamp::from_millis(row.try_get("starts_at")?),
            ends_at: Timestamp::from_millis(row.try_get("ends_at")?),
            capacity: row.try_get("capacity")?,
            booked: row.try_get("booked")?,
            status: rows::vocab(T, &row.try_get::<String, _>("status")?, SlotStatus::parse)?,
        },
        facility_name_zh: row.try_get("name_zh")?,
        facility_name_en: row.try_get("name_en")?,
        region_code: rows::region(T, &row.try_get::<String, _>("region_code")?)?,
        location: GeoPoint { lon: row.try_get("lon")?, lat: row.try_get("lat")? },
    })
}

/// Which slots a search keeps by their places and status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotState {
    /// Open with a place left.
    Free,
    /// Open with every place taken.
    Full,
    /// Open, full or not.
    Open,
    Cancelled,
}

/// What a slot search asks for.
#[derive(Debug, Clone)]
pub struct SlotQuery {
    pub service: Option<ServiceKind>,
    /// The region subtree (or one facility) the slots' facilities lie in.
    pub visibility: Visibility,
    pub facility: Option<FacilityId>,
    /// Inside this box (min, max), when searching by distance.
    pub within: Option<(GeoPoint, GeoPoint)>,
    pub from: Timestamp,
    pub until: Timestamp,
    /// Only slots with a free place.
    pub free_only: bool,
    /// Only slots of this schedule.
    pub schedule: Option<ScheduleId>,
    /// Only slots in this state.
    pub state: Option<SlotState>,
    /// Resume after this (starts_at, id).
    pub after: Option<(Timestamp, SlotId)>,
    pub limit: u32,
}

/// Slots in start order (then id), `limit + 1` at most so the caller knows whether more follow.
pub async fn search_slots(store: &Store, query: &SlotQuery) -> Result<Vec<SlotRow>, StoreError> {
    slot_search(query).query().fetch_all(store.pool()).await?.iter().map(slot_from_row).collect()
}

/// [`search_slots`] inside a write transaction, seeing what it changed (slots it cancelled).
pub async fn search_slots_tx(tx: &mut Tx, query: &SlotQuery) -> Result<Vec<SlotRow>, StoreError> {
    slot_search(query).query().fetch_all(&mut *tx.inner).await?.iter().map(slot_from_row).collect()
}

fn slot_search(query: &SlotQuery) -> SqlBuilder {
    let mut q = SqlBuilder::new(&format!(
        "SELECT {SLOT_COLUMNS} FROM slots s JOIN facilities f ON f.id = s.facility_id WHERE s.starts_at >= "
    ));
    q.bind_i64(query.from.millis());
    q.push(" AND s.starts_at < ").bind_i64(query.until.millis());
    if let Some(service) = query.service {
        q.push(" AND s.service = ").bind_text(service.as_str());
    }
    if query.free_only {
        q.push(" AND s.status = 'open' AND s.booked < s.capacity");
    }
    match query.state {
        None => {}
        Some(SlotState::Free) => {
            q.push(" AND s.status = 'open' AND s.booked < s.capacity");
        }
        Some(SlotState::Full) => {
            q.push(" AND s.status = 'open' AND s.booked >= s.capacity");
        }
        Some(SlotState::Open) => {
            q.push(" AND s.status = 'open'");
        }
        Some(SlotState::Cancelled) => {
            q.push(" AND s.status = 'cancelled'");
        }
    }
    if let Some(schedule) = query.schedule {
        q.push(" AND s.schedule_id = ").bind_text(schedule.to_string());
    }
    query.visibility.push_condition(&mut q, "f", "id");
    if let Some(f) = query.facility {
        q.push(" AND s.facility_id = ").bind_text(f.to_string());
    }
    if let Some((min, max)) = query.within {
        q.push(" AND f.lon >= ").bind(crate::sql::Arg::F64(min.lon));
        q.push(" AND f.lon <= ").bind(crate::sql::Arg::F64(max.lon));
        q.push(" AND f.lat >= ").bind(crate::sql::Arg::F64(min.lat));
        q.push(" AND f.lat <= ").bind(crate::sql::Arg::F64(max.lat));
    }
    if let Some((at, id)) = query.after {
        let at_p = q.placeholder(crate::sql::Arg::I64(at.millis()));
        let id_p = q.placeholder(crate::sql::Arg::Text(id.to_string()));
        q.push(&format!(" AND (s.starts_at > {at_p} OR (s.starts_at = {at_p} AND s.id > {id_p}))"));
    }
    q.push(" ORDER BY s.starts_at, s.id LIMIT ").bind_i64(i64::from(query.limit) + 1);
    q
}

/// One slot with where it is.
pub async fn slot(store: &Store, id: SlotId) -> Result<SlotRow, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {SLOT_COLUMNS} FROM slots s JOIN facilities f ON f.id = s.facility_id WHERE s.id = $1"
    ))
    .bind(id.to_string())
    .fetch_optional(store.pool())
    .await?
    .ok_or(StoreError::NotFound)?;
    slot_from_row(&row)
}

/// One slot inside a write transaction, seeing its changes.
pub async fn slot_tx(tx: &mut Tx, id: SlotId) -> Result<SlotRow, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {SLOT_COLUMNS} FROM slots s JOIN facilities f ON f.id = s.facility_id WHERE s.id = $1"
    ))
    .bind(id.to_string())
    .fetch_optional(&mut *tx.inner)
    .await?
    .ok_or(StoreError::NotFound)?;
    slot_from_row(&row)
}

/// Take one place of an open slot; `Conflict` when none is left (or the slot was cancelled)
/// by the time the write runs.
pub async fn take_place(tx: &mut Tx, slot: SlotId) -> Result<(), StoreError> {
    let done =
        sqlx::query("UPDATE slots SET booked = booked + 1 WHERE id = $1 AND status = 'open' AND booked < capacity")
            .bind(slot.to_string())
            .execute(&mut *tx.inner)
            .await?
            .rows_affected();
    if done == 1 {
        Ok(())
    } else {
        Err(StoreError::Conflict("the slot is full".into()))
    }
}

/// Give one place of a slot back (a cancelled booking).
pub async fn release_place(tx: &mut Tx, slot: SlotId) -> Result<(), StoreError> {
    sqlx::query("UPDATE slots SET booked = booked - 1 WHERE id = $1 AND booked > 0")
        .bind(slot.to_string())
        .execute(&mut *tx.inner)
        .await?;
    Ok(())
}

pub(crate) const BOOKING_COLUMNS: &str =
    "id, slot_id, facility_id, service, starts_at, patient_id, patient_pseudonym, booked_by, \
                               status, created_at, cancelled_at, cancel_reason, rescheduled_from";

pub async fn insert_booking(tx: &mut Tx, b: &Booking) -> Result<(), StoreError> {
    let mut q = SqlBuilder::new(&format!("INSERT INTO bookings ({BOOKING_COLUMNS}) VALUES ("));
    q.bind_text(b.id.to_string()).push(", ");
    q.bind_text(b.slot_id.to_string()).push(", ");
    q.bind_text(b.facility_id.to_string()).push(", ");
    q.bind_text(b.service.as_str()).push(", ");
    q.bind_i64(b.starts_at.millis()).push(", ");
    q.bind(b.patient_id.map_or(crate::sql::Arg::NullText, |p| crate::sql::Arg::Text(p.to_string()))).push(", ");
    q.bind_text(b.patient_pseudonym.clone()).push(", ");
    q.bind_text(b.booked_by.to_string()).push(", ");
    q.bind_text(b.status.as_str()).push(", ");
    q.bind_i64(b.created_at.millis()).push(", ");
    q.bind(b.cancelled_at.map_or(crate::sql::Arg::NullInt, |t| crate::sql::Arg::I64(t.millis()))).push(", ");
    q.bind(b.cancel_reason.clone().map_or(crate::sql::Arg::NullText, crate::sql::Arg::Text)).push(", ");
    q.bind(b.rescheduled_from.map_or(crate::sql::Arg::NullText, |r| crate::sql::Arg::Text(r.to_string()))).push(")");
    q.query().execute(&mut *tx.inner).await?;
    Ok(())
}

pub(crate) fn booking_from_row(row: &AnyRow) -> Result<Booking, StoreError> {
    const T: &str = "bookings";
    Ok(Booking {
        id: rows::parse(T, &row.try_get::<String, _>("id")?)?,
        slot_id: rows::parse(T, &row.try_get::<String, _>("slot_id")?)?,
        facility_id: rows::parse(T, &row.try_get::<String, _>("facility_id")?)?,
        service: rows::vocab(T, &row.try_get::<String, _>("service")?, ServiceKind::parse)?,
        starts_at: Timestamp::from_millis(row.try_get("starts_at")?),
        patient_id: row.try_get::<Option<String>, _>("patient_id")?.map(|s| rows::parse(T, &s)).transpose()?,
        patient_pseudonym: row.try_get("patient_pseudonym")?,
        booked_by: rows::parse(T, &row.try_get::<String, _>("booked_by")?)?,
        status: rows::vocab(T, &row.try_get::<String, _>("status")?, BookingStatus::parse)?,
        created_at: Timestamp::from_millis(row.try_get("created_at")?),
        cancelled_at: row.try_get::<Option<i64>, _>("cancelled_at")?.map(Timestamp::from_millis),
        cancel_reason: row.try_get("cancel_reason")?,
        rescheduled_from: row
            .try_get::<Option<String>, _>("rescheduled_from")?
            .map(|s| rows::parse(T, &s))
            .transpose()?,
    })
}

pub async fn booking(store: &Store, id: BookingId) -> Result<Booking, StoreError> {
    let row = sqlx::query(&format!("SELECT {BOOKING_COLUMNS} FROM bookings WHERE id = $1"))
        .bind(id.to_string())
        .fetch_optional(store.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
    booking_from_row(&row)
}

/// The booking inside a write transaction, locked on PostgreSQL.
pub async fn booking_for_update(tx: &mut Tx, id: BookingId) -> Result<Booking, StoreError> {
    let lock = if tx.backend() == Backend::Postgres { " FOR UPDATE" } else { "" };
    let row = sqlx::query(&format!("SELECT {BOOKING_COLUMNS} FROM bookings WHERE id = $1{lock}"))
        .bind(id.to_string())
        .fetch_optional(&mut *tx.inner)
        .await?
        .ok_or(StoreError::NotFound)?;
    booking_from_row(&row)
}

/// Cancel a confirmed booking; `Conflict` if it is not confirmed any more.
pub async fn cancel_booking(tx: &mut Tx, id: BookingId, at: Timestamp, reason: &str) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE bookings SET status = 'cancelled', cancelled_at = $1, cancel_reason = $2 \
         WHERE id = $3 AND status = 'confirmed'",
    )
    .bind(at.millis())
    .bind(reason)
    .bind(id.to_string())
    .execute(&mut *tx.inner)
    .await?
    .rows_affected();
    if done == 1 {
        Ok(())
    } else {
        Err(StoreError::Conflict("the booking is not confirmed any more".into()))
    }
}

/// A patient's confirmed bookings of `service` that start at or after `now`, inside the
/// transaction that is about to add one (so two concurrent bookings cannot both pass a limit:
/// SQLite has one writer; PostgreSQL callers lock the patient's row first, see
/// [`lock_patient`]).
pub async fn future_bookings(
    tx: &mut Tx,
    patient: UserId,
    service: ServiceKind,
    now: Timestamp,
) -> Result<i64, StoreError> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM bookings WHERE patient_id = $1 AND service = $2 AND status = 'confirmed' \
         AND starts_at >= $3",
    )
    .bind(patient.to_string())
    .bind(service.as_str())
    .bind(now.millis())
    .fetch_one(&mut *tx.inner)
    .await?;
    Ok(row.try_get("n")?)
}

/// Serialise one patient's bookings on PostgreSQL (their user row, locked); nothing on SQLite,
/// whose single writer already does.
pub async fn lock_patient(tx: &mut Tx, patient: UserId) -> Result<(), StoreError> {
    if tx.backend() == Backend::Postgres {
        sqlx::query("SELECT id FROM users WHERE id = $1 FOR UPDATE")
            .bind(patient.to_string())
            .fetch_optional(&mut *tx.inner)
            .await?;
    }
    Ok(())
}

/// A patient's bookings (or, for a desk, a facility's), newest slot first.
pub async fn bookings_of(
    store: &Store,
    patient: Option<UserId>,
    facility: Option<FacilityId>,
    limit: u32,
) -> Result<Vec<Booking>, StoreError> {
    let mut q = SqlBuilder::new(&format!("SELECT {BOOKING_COLUMNS} FROM bookings WHERE 1 = 1"));
    if let Some(p) = patient {
        q.push(" AND patient_id = ").bind_text(p.to_string());
    }
    if let Some(f) = facility {
        q.push(" AND facility_id = ").bind_text(f.to_string());
    }
    q.push(" ORDER BY starts_at DESC, id DESC LIMIT ").bind_i64(i64::from(limit));
    q.query().fetch_all(store.pool()).await?.iter().map(booking_from_row).collect()
}

/// Slots whose `booked` is not the places held (confirmed and checked-in bookings, and
/// waitlist offers), or whose held places exceed the capacity: the invariant the tests and the
/// crash campaign check.
pub async fn booked_mismatches(store: &Store) -> Result<Vec<(SlotId, i64, i64)>, StoreError> {
    let rows = sqlx::query(
        "SELECT s.id, s.booked, s.capacity, \
         (SELECT COUNT(*) FROM bookings b WHERE b.slot_id = s.id AND b.status IN ('confirmed', 'checked_in')) \
         + (SELECT COUNT(*) FROM waitlist w WHERE w.offered_slot_id = s.id AND w.status = 'offered') AS held \
         FROM slots s",
    )
    .fetch_all(store.pool())
    .await?;
    let mut out = Vec::new();
    for row in &rows {
        let (booked, capacity, held): (i64, i64, i64) =
            (row.try_get("booked")?, row.try_get("capacity")?, row.try_get("held")?);
        if booked != held || held > capacity {
            out.push((rows::parse("slots", &row.try_get::<String, _>("id")?)?, booked, held));
        }
    }
    Ok(out)
}

/// How many of `ids` exist as bookings (the crash campaign and the benchmark check that every
/// booking a client saw confirmed is stored).
pub async fn bookings_found(store: &Store, ids: &[BookingId]) -> Result<u64, StoreError> {
    let mut found = 0;
    for chunk in ids.chunks(500) {
        let mut q = SqlBuilder::new("SELECT COUNT(*) AS n FROM bookings WHERE id IN ");
        q.bind_text_list(chunk);
        found += q.query().fetch_one(store.pool()).await?.try_get::<i64, _>("n")? as u64;
    }
    Ok(found)
}

/// Every booking stored, and how many of them hold a place (confirmed or checked in).
pub async fn booking_counts(store: &Store) -> Result<(u64, u64), StoreError> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN status IN ('confirmed', 'checked_in') THEN 1 ELSE 0 END), 0) AS held \
         FROM bookings",
    )
    .fetch_one(store.pool())
    .await?;
    Ok((row.try_get::<i64, _>("n")? as u64, row.try_get::<i64, _>("held")? as u64))
}

/// A booking with what an Appointment says of its slot: the schedule and the end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookedSlot {
    pub booking: Booking,
    pub schedule_id: ScheduleId,
    pub ends_at: Timestamp,
}

/// What a search of bookings asks for; every part optional, combined with AND.
#[derive(Debug, Clone)]
pub struct BookingQuery {
    /// The facilities whose bookings may be read.
    pub visibility: Visibility,
    /// One patient's own bookings.
    pub patient: Option<UserId>,
    pub facility: Option<FacilityId>,
    pub service: Option<ServiceKind>,
    /// Any of these statuses; empty = any.
    pub statuses: Vec<BookingStatus>,
    /// Starting in `from..until`.
    pub from: Option<Timestamp>,
    pub until: Option<Timestamp>,
    /// Resume after this (starts_at, id).
    pub after: Option<(Timestamp, BookingId)>,
    pub limit: u32,
}

fn booked_slot_from_row(row: &AnyRow) -> Result<BookedSlot, StoreError> {
    Ok(BookedSlot {
        booking: booking_from_row(row)?,
        schedule_id: rows::parse("slots", &row.try_get::<String, _>("schedule_id")?)?,
        ends_at: Timestamp::from_millis(row.try_get("ends_at")?),
    })
}

const BOOKED_SLOT_COLUMNS: &str = "b.id, b.slot_id, b.facility_id, b.service, b.starts_at, b.patient_id, \
                                   b.patient_pseudonym, b.booked_by, b.status, b.created_at, b.cancelled_at, \
                                   b.cancel_reason, b.rescheduled_from, s.schedule_id, s.ends_at";

/// One booking with its slot's schedule and end.
pub async fn booked_slot(store: &Store, id: BookingId) -> Result<BookedSlot, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {BOOKED_SLOT_COLUMNS} FROM bookings b JOIN slots s ON s.id = b.slot_id WHERE b.id = $1"
    ))
    .bind(id.to_string())
    .fetch_optional(store.pool())
    .await?
    .ok_or(StoreError::NotFound)?;
    booked_slot_from_row(&row)
}

/// Bookings in start order (then id), scoped in the query, `limit + 1` at most.
pub async fn search_bookings(store: &Store, query: &BookingQuery) -> Result<Vec<BookedSlot>, StoreError> {
    let mut q = SqlBuilder::new(&format!(
        "SELECT {BOOKED_SLOT_COLUMNS} FROM bookings b JOIN slots s ON s.id = b.slot_id \
         JOIN facilities f ON f.id = b.facility_id WHERE 1 = 1"
    ));
    query.visibility.push_condition(&mut q, "f", "id");
    if let Some(p) = query.patient {
        q.push(" AND b.patient_id = ").bind_text(p.to_string());
    }
    if let Some(f) = query.facility {
        q.push(" AND b.facility_id = ").bind_text(f.to_string());
    }
    if let Some(s) = query.service {
        q.push(" AND b.service = ").bind_text(s.as_str());
    }
    if !query.statuses.is_empty() {
        q.push(" AND b.status IN ").bind_text_list(query.statuses.iter().map(|s| s.as_str()));
    }
    if let Some(from) = query.from {
        q.push(" AND b.starts_at >= ").bind_i64(from.millis());
    }
    if let Some(until) = query.until {
        q.push(" AND b.starts_at < ").bind_i64(until.millis());
    }
    if let Some((at, id)) = query.after {
        let at_p = q.placeholder(crate::sql::Arg::I64(at.millis()));
        let id_p = q.placeholder(crate::sql::Arg::Text(id.to_string()));
        q.push(&format!(" AND (b.starts_at > {at_p} OR (b.starts_at = {at_p} AND b.id > {id_p}))"));
    }
    q.push(" ORDER BY b.starts_at, b.id LIMIT ").bind_i64(i64::from(query.limit) + 1);
    q.query().fetch_all(store.pool()).await?.iter().map(booked_slot_from_row).collect()
}
