//! The reads behind the FHIR facade's Schedule, Slot and Appointment, and the SMART Scheduling
//! Links publisher: schedules and slots are public (a patient finds a slot before signing in,
//! as `GET /api/v1/slots` lets them); an appointment is a booking, read under the booking
//! rules of [`Carebridge::booking`]: a patient their own, a desk its facility's, a coordinator
//! those of the regions they govern. Anything out of scope is `NotFound` (or, in a search,
//! absent), and the scope is in the query's `WHERE`, never a filter after the read.
//!
//! Slot searches are the public slot search's query (`carebridge_store::booking::search_slots`)
//! with the schedule and state filters FHIR adds; pages resume after `(start, id)`.

use crate::context::Carebridge;
use crate::error::ServiceError;
use crate::scope;
use carebridge_domain::booking::{BookingStatus, Slot};
use carebridge_domain::clock::Timestamp;
use carebridge_domain::facility::Facility;
use carebridge_domain::ids::{BookingId, FacilityId, ScheduleId, SlotId, UserId};
use carebridge_domain::page::{decode_cursor, encode_cursor, page_size, Page};
use carebridge_domain::service_kind::ServiceKind;
use carebridge_domain::user::{Principal, Role};
use carebridge_store::booking::{
    self as store, BookedSlot, BookingQuery, ScheduleQuery, SlotQuery, SlotState, StoredSchedule,
};
use carebridge_store::{StoreError, Visibility};
use std::collections::HashMap;

/// A schedule and the name of its facility.
#[derive(Debug, Clone)]
pub struct ScheduleRecord {
    pub schedule: StoredSchedule,
    pub facility_name: String,
}

/// A slot and its facility's phone (the booking phone a slot finder shows).
#[derive(Debug, Clone)]
pub struct SlotRecord {
    pub slot: Slot,
    pub phone: String,
}

/// A booking with its slot's schedule and end, and the facility's name.
#[derive(Debug, Clone)]
pub struct AppointmentRecord {
    pub booked: BookedSlot,
    pub facility_name: String,
}

/// What a slot search asks for; every part optional, combined with AND.
#[derive(Debug, Clone, Default)]
pub struct SlotFilter {
    pub schedule: Option<ScheduleId>,
    pub facility: Option<FacilityId>,
    pub service: Option<ServiceKind>,
    /// Starting in `from..until`.
    pub from: Option<Timestamp>,
    pub until: Option<Timestamp>,
    pub state: Option<SlotState>,
}

/// What an appointment search asks for; every part optional, combined with AND.
#[derive(Debug, Clone, Default)]
pub struct AppointmentFilter {
    pub facility: Option<FacilityId>,
    pub service: Option<ServiceKind>,
    /// Any of these; empty = any.
    pub statuses: Vec<BookingStatus>,
    /// One patient account's bookings.
    pub patient: Option<UserId>,
    pub from: Option<Timestamp>,
    pub until: Option<Timestamp>,
}

/// `"<starts_at millis>_<id>"`, the key of start-ordered pages.
fn start_key(at: Timestamp, id: &impl ToString) -> String {
    encode_cursor(&format!("{}_{}", at.millis(), id.to_string()))
}

fn parse_start_key<T: std::str::FromStr>(cursor: Option<&str>) -> Result<Option<(Timestamp, T)>, ServiceError> {
    let Some(c) = cursor else { return Ok(None) };
    let bad = || ServiceError::invalid("/cursor", "is not a cursor this server issued");
    let key = decode_cursor(c).map_err(|_| bad())?;
    let (at, id) = key.split_once('_').ok_or_else(bad)?;
    Ok(Some((Timestamp::from_millis(at.parse().map_err(|_| bad())?), id.parse().map_err(|_| bad())?)))
}

impl Carebridge {
    /// The facilities of `ids`, each read once.
    async fn facilities_of(&self, ids: Vec<FacilityId>) -> Result<HashMap<FacilityId, Facility>, ServiceError> {
        let mut out = HashMap::new();
        for id in ids {
            if let std::collections::hash_map::Entry::Vacant(e) = out.entry(id) {
                e.insert(self.facility(id).await?);
            }
        }
        Ok(out)
    }

    async fn schedule_records(&self, schedules: Vec<StoredSchedule>) -> Result<Vec<ScheduleRecord>, ServiceError> {
        let facilities = self.facilities_of(schedules.iter().map(|s| s.facility_id).collect()).await?;
        Ok(schedules
            .into_iter()
            .map(|schedule| {
                let facility_name =
                    facilities.get(&schedule.facility_id).map(|f| f.draft.name_zh.clone()).unwrap_or_default();
                ScheduleRecord { schedule, facility_name }
            })
            .collect())
    }

    /// One schedule, active or retired (public).
    pub async fn fhir_schedule(&self, id: ScheduleId) -> Result<ScheduleRecord, ServiceError> {
        let schedule = store::schedule(&self.store, id).await?;
        Ok(self.schedule_records(vec![schedule]).await?.remove(0))
    }

    /// A page of schedules in id order (public); `query.after` and `query.limit` come from
    /// `cursor` and `limit`.
    pub async fn fhir_schedules(
        &self,
        query: &ScheduleQuery,
        cursor: Option<&str>,
        limit: Option<u32>,
    ) -> Result<Page<ScheduleRecord>, ServiceError> {
        let limit = page_size(limit).map_err(|e| ServiceError::invalid("/limit", e))?;
        let after = cursor
            .map(|c| decode_cursor(c).ok().and_then(|k| k.parse().ok()))
            .map(|a| a.ok_or_else(|| ServiceError::invalid("/cursor", "is not a cursor this server issued")))
            .transpose()?;
        let mut rows = store::schedules(&self.store, &ScheduleQuery { after, limit, ..query.clone() }).await?;
        let more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let next_cursor = more.then(|| rows.last().map(|s| encode_cursor(&s.id.to_string()))).flatten();
        Ok(Page { items: self.schedule_records(rows).await?, next_cursor })
    }

    /// Every active schedule and the facilities they belong to (the bulk publication).
    pub async fn published_schedules(&self) -> Result<(Vec<ScheduleRecord>, Vec<Facility>), ServiceError> {
        let schedules = store::active_schedules(&self.store, Visibility::All, None).await?;
        let mut facilities: Vec<Facility> =
            self.facilities_of(schedules.iter().map(|s| s.facility_id).collect()).await?.into_values().collect();
        facilities.sort_by_key(|f| f.id);
        Ok((self.schedule_records(schedules).await?, facilities))
    }

    async fn slot_records(&self, slots: Vec<Slot>) -> Result<Vec<SlotRecord>, ServiceError> {
        let facilities = self.facilities_of(slots.iter().map(|s| s.facility_id).collect()).await?;
        Ok(slots
            .into_iter()
            .map(|slot| {
                let phone = facilities.get(&slot.facility_id).map(|f| f.draft.phone.clone()).unwrap_or_default();
                SlotRecord { slot, phone }
            })
            .collect())
    }

    /// One slot, whatever its state (public).
    pub async fn fhir_slot(&self, id: SlotId) -> Result<SlotRecord, ServiceError> {
        let row = store::slot(&self.store, id).await?;
        Ok(self.slot_records(vec![row.slot]).await?.remove(0))
    }

    /// A page of slots in start order (public), past ones included unless `from` says not.
    pub async fn fhir_slots(
        &self,
        f: &SlotFilter,
        cursor: Option<&str>,
        limit: Option<u32>,
    ) -> Result<Page<SlotRecord>, ServiceError> {
        let limit = page_size(limit).map_err(|e| ServiceError::invalid("/limit", e))?;
        let query = SlotQuery {
            service: f.service,
            visibility: Visibility::All,
            facility: f.facility,
            within: None,
            from: f.from.unwrap_or(Timestamp::from_millis(0)),
            until: f.until.unwrap_or(Timestamp::from_millis(i64::MAX)),
            free_only: false,
            schedule: f.schedule,
            state: f.state,
            after: parse_start_key::<SlotId>(cursor)?,
            limit,
        };
        let mut rows = store::search_slots(&self.store, &query).await?;
        let more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let next_cursor = more.then(|| rows.last().map(|r| start_key(r.slot.starts_at, &r.slot.id))).flatten();
        let slots = rows.into_iter().map(|r| r.slot).collect();
        Ok(Page { items: self.slot_records(slots).await?, next_cursor })
    }

    async fn appointment_records(&self, rows: Vec<BookedSlot>) -> Result<Vec<AppointmentRecord>, ServiceError> {
        let facilities = self.facilities_of(rows.iter().map(|r| r.booking.facility_id).collect()).await?;
        Ok(rows
            .into_iter()
            .map(|booked| {
                let facility_name =
                    facilities.get(&booked.booking.facility_id).map(|f| f.draft.name_zh.clone()).unwrap_or_default();
                AppointmentRecord { booked, facility_name }
            })
            .collect())
    }

    /// One booking as an appointment, if `p` may read it (see [`Carebridge::booking`]).
    pub async fn fhir_appointment(&self, p: &Principal, id: BookingId) -> Result<AppointmentRecord, ServiceError> {
        self.booking(p, id).await?;
        let booked = match store::booked_slot(&self.store, id).await {
            Err(StoreError::NotFound) => return Err(ServiceError::NotFound),
            other => other?,
        };
        Ok(self.appointment_records(vec![booked]).await?.remove(0))
    }

    /// A page of the bookings `p` may read, in start order: a patient's own (naming another
    /// patient finds nothing), a desk's facility's, a coordinator's governed regions'.
    pub async fn fhir_appointments(
        &self,
        p: &Principal,
        f: &AppointmentFilter,
        cursor: Option<&str>,
        limit: Option<u32>,
    ) -> Result<Page<AppointmentRecord>, ServiceError> {
        let (visibility, patient) = match p.role {
            Role::Patient => match f.patient {
                Some(other) if other != p.user_id => return Ok(Page { items: Vec::new(), next_cursor: None }),
                _ => (Visibility::All, Some(p.user_id)),
            },
            Role::FacilityDesk => (scope::visibility(&self.regions, p), f.patient),
            r if r.is_coordinator() => (scope::coordinator(p)?.visibility(&self.regions), f.patient),
            r => return Err(ServiceError::Forbidden(format!("a {r} does not read bookings"))),
        };
        let limit = page_size(limit).map_err(|e| ServiceError::invalid("/limit", e))?;
        let query = BookingQuery {
            visibility,
            patient,
            facility: f.facility,
            service: f.service,
            statuses: f.statuses.clone(),
            from: f.from,
            until: f.until,
            after: parse_start_key::<BookingId>(cursor)?,
            limit,
        };
        let mut rows = store::search_bookings(&self.store, &query).await?;
        let more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let next_cursor = more.then(|| rows.last().map(|r| start_key(r.booking.starts_at, &r.booking.id))).flatten();
        Ok(Page { items: self.appointment_records(rows).await?, next_cursor })
    }
}
