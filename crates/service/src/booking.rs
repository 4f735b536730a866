//! Booking's use cases: a desk publishes a schedule (its slots are made for the rolling
//! horizon in the same transaction), anyone searches free slots, a patient books for themself
//! or a desk for a walk-in, and either cancels. Every write is audited in its transaction.
//!
//! What a booking checks, in order, each refusal naming its reason and changing nothing: the
//! slot exists (404); it is not cancelled, not past, and its facility takes new patients and is
//! not designated for the virus unless the service is the virus's own (fever clinic, isolation);
//! the patient holds fewer future bookings of the service than the limit; and a place is left,
//! taken with one conditional update (see `carebridge_store::booking`), so no concurrency can
//! over-book.

use crate::booking_writer::{write_alone, Job};
use crate::context::{actor_of, Carebridge, RequestMeta};
use crate::error::ServiceError;
use crate::scope;
use carebridge_domain::booking::{
    Booking, BookingNotice, BookingStatus, LocalDay, ScheduleDraft, Slot, SlotStatus, DEFAULT_HORIZON_DAYS,
};
use carebridge_domain::clock::Timestamp;
use carebridge_domain::designation::Designation;
use carebridge_domain::facility::GeoPoint;
use carebridge_domain::ids::{BookingId, FacilityId, ScheduleId, SlotId};
use carebridge_domain::page::{decode_cursor, encode_cursor, page_size, Page};
use carebridge_domain::service_kind::ServiceKind;
use carebridge_domain::user::{Principal, Role, Scope};
use carebridge_domain::ValidationErrors;
use carebridge_engines::booking::slots::{materialise, Closed};
use carebridge_engines::placement::online;
use carebridge_store::booking::{self as store, SlotQuery, StoredSchedule};
use carebridge_store::booking_group::GroupBooking;
use carebridge_store::Visibility;
use serde::Serialize;

/// The widest distance search, in km.
const MAX_RADIUS_KM: f64 = 500.0;
/// The longest date range one search may span, in days.
const MAX_SEARCH_DAYS: i64 = 90;

pub use carebridge_domain::booking::virus_service;

/// A published schedule and the slots its publication made.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublishedSchedule {
    pub id: ScheduleId,
    pub facility_id: FacilityId,
    pub service: ServiceKind,
    pub clinician: Option<String>,
    pub valid_from: String,
    pub valid_until: Option<String>,
    pub templates: Vec<carebridge_domain::booking::TemplateDraft>,
    /// Slots made for the horizon by this publication.
    pub slots_made: u64,
    /// The last day (inclusive) slots exist for.
    pub horizon_until: String,
}

/// A slot as a search answers it: the slot, where it is, and how far from the point asked.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SlotView {
    #[serde(flatten)]
    pub slot: Slot,
    /// Places still free.
    pub free: i64,
    pub facility_name_zh: String,
    pub facility_name_en: String,
    pub region_code: String,
    pub location: GeoPoint,
    /// From the point searched around, when one was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_km: Option<f64>,
}

/// A slot search.
#[derive(Debug, Clone, Default)]
pub struct SlotSearch {
    pub service: Option<ServiceKind>,
    pub region: Option<String>,
    pub facility: Option<FacilityId>,
    /// Around this point, within `radius_km` (default 20 km).
    pub near: Option<GeoPoint>,
    pub radius_km: Option<f64>,
    /// Local days, inclusive; today and the default horizon when absent.
    pub from: Option<String>,
    pub until: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

/// A booking request: the slot, and for a desk's walk-in the patient's pseudonym.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookingDraft {
    pub slot_id: SlotId,
    /// Required when a desk books for a walk-in; a patient books under their own account.
    #[serde(default)]
    #[schema(schema_with = carebridge_domain::text::schemas::pseudonym_or_null)]
    pub patient_pseudonym: Option<String>,
}

impl Carebridge {
    /// Today, local (China Standard Time).
    pub fn today(&self) -> LocalDay {
        LocalDay::of(self.now())
    }

    /// Publish a schedule (a facility's desk, or a coordinator over the facility) and make its
    /// slots for the rolling horizon, in one transaction.
    pub async fn publish_schedule(
        &self,
        p: &Principal,
        draft: ScheduleDraft,
        meta: &RequestMeta,
    ) -> Result<PublishedSchedule, ServiceError> {
        let today = self.today();
        if !(p.role == Role::FacilityDesk || p.role.is_coordinator()) {
            return Err(ServiceError::Forbidden(format!("a {} cannot publish schedules", p.role)));
        }
        let checked = draft.check(today)?;
        let vis = scope::capacity_writer(&self.regions, p)?;
        // A facility named in the body but out of scope is a bad reference, named like one.
        let facility = match self.visible_facility(vis, checked.facility_id).await {
            Err(ServiceError::NotFound) => {
                return Err(ServiceError::invalid("/facility_id", "no such facility in your scope"))
            }
            other => other?,
        };
        let mut errors = ValidationErrors::default();
        if !facility.draft.services.contains(&checked.service) {
            errors.push("/service", format!("{} does not offer {}", facility.draft.name_en, checked.service));
        } else if facility.designation == Designation::VirusDesignated && !virus_service(checked.service) {
            errors.push(
                "/service",
                format!(
                    "{} is designated for the virus and takes no {} patients",
                    facility.draft.name_en, checked.service
                ),
            );
        }
        // One clinician (or room) cannot be in two schedules of a service at once.
        for other in store::active_schedules(&self.store, Visibility::All, Some(checked.facility_id)).await? {
            if other.service != checked.service || other.clinician != checked.clinician {
                continue;
            }
            let days_meet = other.valid_until.is_none_or(|u| u >= checked.valid_from)
                && checked.valid_until.is_none_or(|u| u >= other.valid_from);
            let Ok(theirs) = recheck(&other) else { continue };
            for (i, t) in checked.templates.iter().enumerate() {
                if days_meet && theirs.templates.iter().any(|o| o.overlaps(t)) {
                    errors.push(format!("/templates/{i}"), format!("overlaps the published schedule {}", other.id));
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let now = self.now();
        let stored = StoredSchedule {
            id: ScheduleId::new_v7(),
            facility_id: checked.facility_id,
            service: checked.service,
            clinician: checked.clinician.clone(),
            valid_from: checked.valid_from,
            valid_until: checked.valid_until,
            templates: draft.templates.clone(),
            active: true,
            created_by: p.user_id,
            created_at: now,
        };
        let until = LocalDay(today.0 + DEFAULT_HORIZON_DAYS);
        let closed = self.closed_days(checked.facility_id, checked.service, today).await?;
        let slots = slots_of(&stored, &checked, &closed, today, until, now);
        let mut tx = self.store.begin().await?;
        store::insert_schedule(&mut tx, &stored).await?;
        let made = store::insert_slots(&mut tx, &stored, &slots).await?;
        let change = serde_json::json!({ "schedule": {
            "facility_id": stored.facility_id, "service": stored.service, "clinician": stored.clinician,
            "valid_from": stored.valid_from.to_string(), "valid_until": stored.valid_until.map(|d| d.to_string()),
            "templates": stored.templates }, "slots_made": made });
        self.audit(&mut tx, &actor_of(p), meta, "schedule.publish", "schedule", &stored.id.to_string(), change).await?;
        tx.commit().await?;
        Ok(PublishedSchedule {
            id: stored.id,
            facility_id: stored.facility_id,
            service: stored.service,
            clinician: stored.clinician,
            valid_from: stored.valid_from.to_string(),
            valid_until: stored.valid_until.map(|d| d.to_string()),
            templates: stored.templates,
            slots_made: made,
            horizon_until: LocalDay(until.0 - 1).to_string(),
        })
    }

    /// Keep every active schedule's slots [`DEFAULT_HORIZON_DAYS`] ahead: once a day (the
    /// first call on a new local day does the work; later calls that day return at once), make
    /// the slots that came into the horizon, each schedule's in its own audited transaction.
    /// Answers the slots made.
    pub async fn extend_slot_horizon(&self) -> Result<u64, ServiceError> {
        use std::sync::atomic::Ordering;
        let today = self.today();
        if self.slot_horizon_day.swap(today.0, Ordering::SeqCst) == today.0 {
            return Ok(0);
        }
        let result = self.extend_slot_horizon_now(today).await;
        if result.is_err() {
            // Try again at the next call.
            self.slot_horizon_day.store(i64::MIN, Ordering::SeqCst);
        }
        result
    }

    async fn extend_slot_horizon_now(&self, today: LocalDay) -> Result<u64, ServiceError> {
        let now = self.now();
        let until = LocalDay(today.0 + DEFAULT_HORIZON_DAYS);
        let meta = RequestMeta { request_id: Some("slot-horizon".into()) };
        let mut made = 0;
        let mut facilities = std::collections::HashMap::new();
        for schedule in store::active_schedules(&self.store, Visibility::All, None).await? {
            if let std::collections::hash_map::Entry::Vacant(slot) = facilities.entry(schedule.facility_id) {
                slot.insert(self.visible_facility(Visibility::All, schedule.facility_id).await?);
            }
            // A service the facility stopped (a commandeered unit, the virus's designation) gets
            // no new slots until it runs again.
            let runs = facilities.get(&schedule.facility_id).is_some_and(|f| {
                f.draft.services.contains(&schedule.service)
                    && (f.designation != Designation::VirusDesignated || virus_service(schedule.service))
            });
            if !runs {
                continue;
            }
            let checked = recheck(&schedule).map_err(|e| {
                ServiceError::Internal(format!("stored schedule {} no longer checks: {e:?}", schedule.id))
            })?;
            let closed = self.closed_days(schedule.facility_id, schedule.service, today).await?;
            let slots = slots_of(&schedule, &checked, &closed, today, until, now);
            if slots.is_empty() {
                continue;
            }
            let mut tx = self.store.begin().await?;
            let added = store::insert_slots(&mut tx, &schedule, &slots).await?;
            if added > 0 {
                let change =
                    serde_json::json!({ "slots_made": added, "horizon_until": LocalDay(until.0 - 1).to_string() });
                self.audit(
                    &mut tx,
                    &carebridge_domain::audit::Actor::system("slot-horizon"),
                    &meta,
                    "schedule.extend",
                    "schedule",
                    &schedule.id.to_string(),
                    change,
                )
                .await?;
            }
            tx.commit().await?;
            made += added;
        }
        Ok(made)
    }

    /// The closures that stop `service` at `facility` from `from` on.
    async fn closed_days(
        &self,
        facility: FacilityId,
        service: ServiceKind,
        from: LocalDay,
    ) -> Result<Vec<Closed>, ServiceError> {
        Ok(store::closures(&self.store, facility, from)
            .await?
            .into_iter()
            .filter(|c| c.service.is_none_or(|s| s == service))
            .map(|c| Closed { from: c.from, until: c.until })
            .collect())
    }

    /// Free slots (public: a patient finds a slot before signing in), in start order.
    pub async fn search_slots(&self, q: &SlotSearch) -> Result<Page<SlotView>, ServiceError> {
        let mut errors = ValidationErrors::default();
        let limit = page_size(q.limit).map_err(|e| errors.push("/limit", e)).ok();
        let region = match self.region_filter(q.region.as_deref(), "/region") {
            Ok(r) => r,
            Err(ServiceError::Invalid(v)) => {
                errors.0.extend(v.0);
                None
            }
            Err(e) => return Err(e),
        };
        let day = |pointer: &str, v: &Option<String>, errors: &mut ValidationErrors| {
            v.as_deref().map(|s| LocalDay::parse(s).map_err(|e| errors.push(pointer, e)).ok()).unwrap_or(None)
        };
        let today = self.today();
        let from = day("/from", &q.from, &mut errors).unwrap_or(today).max(today);
        let until = day("/until", &q.until, &mut errors).unwrap_or(LocalDay(today.0 + DEFAULT_HORIZON_DAYS - 1));
        if until < from {
            errors.push("/until", "must not be before the first day");
        } else if until.0 - from.0 > MAX_SEARCH_DAYS {
            errors.push("/until", format!("a search spans at most {MAX_SEARCH_DAYS} days"));
        }
        let radius = q.radius_km.unwrap_or(20.0);
        if !(radius > 0.0 && radius <= MAX_RADIUS_KM) {
            errors.push("/radius_km", format!("must be more than 0 and at most {MAX_RADIUS_KM} km"));
        }
        if let Some(p) = q.near {
            if !(-180.0..=180.0).contains(&p.lon) || !(-90.0..=90.0).contains(&p.lat) {
                errors.push("/near", "is not a longitude,latitude on Earth");
            }
        }
        let after = match q.cursor.as_deref() {
            None => None,
            Some(c) => match decode_cursor(c).ok().and_then(|k| parse_slot_cursor(&k)) {
                Some(a) => Some(a),
                None => {
                    errors.push("/cursor", "is not a cursor this server issued");
                    None
                }
            },
        };
        let limit = errors.finish(limit)?.unwrap_or(50);
        let query = SlotQuery {
            service: q.service,
            visibility: scope::region_visibility(&self.regions, region),
            facility: q.facility,
            within: q.near.map(|p| online::bounding_box(p, radius)),
            from: from.start().max(self.now()),
            until: until.next().start(),
            free_only: true,
            schedule: None,
            state: None,
            after,
            limit,
        };
        let mut rows = store::search_slots(&self.store, &query).await?;
        let more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let next_cursor = more
            .then(|| rows.last().map(|r| encode_cursor(&format!("{}_{}", r.slot.starts_at.millis(), r.slot.id))))
            .flatten();
        let items = rows
            .into_iter()
            .filter_map(|r| {
                let distance_km = q.near.map(|p| p.distance_km(r.location));
                if distance_km.is_some_and(|d| d > radius) {
                    return None;
                }
                Some(SlotView {
                    free: r.slot.free(),
                    slot: r.slot,
                    facility_name_zh: r.facility_name_zh,
                    facility_name_en: r.facility_name_en,
                    region_code: r.region_code.to_string(),
                    location: r.location,
                    distance_km: distance_km.map(|d| (d * 10.0).round() / 10.0),
                })
            })
            .collect();
        Ok(Page { items, next_cursor })
    }

    /// Book a slot: a patient for themself, a desk for a walk-in at its own facility.
    pub async fn book(&self, p: &Principal, draft: BookingDraft, meta: &RequestMeta) -> Result<Booking, ServiceError> {
        let now = self.now();
        let (patient_id, pseudonym) = match p.role {
            Role::Patient => (Some(p.user_id), p.username.clone()),
            Role::FacilityDesk => {
                let Some(name) = draft.patient_pseudonym.as_deref() else {
                    return Err(ServiceError::invalid("/patient_pseudonym", "name the walk-in patient (a pseudonym)"));
                };
                let mut errors = ValidationErrors::default();
                carebridge_domain::text::rules::PSEUDONYM.check(&mut errors, "/patient_pseudonym", name);
                errors.finish(())?;
                (None, name.trim().to_string())
            }
            r => return Err(ServiceError::Forbidden(format!("a {r} cannot book slots"))),
        };
        let id = BookingId::new_v7();
        let group = GroupBooking {
            id,
            slot_id: draft.slot_id,
            patient_id,
            patient_pseudonym: pseudonym,
            booked_by: p.user_id,
            facility_only: match (p.role, p.scope) {
                (Role::FacilityDesk, Scope::Facility(f)) => Some(f),
                _ => None,
            },
            at: now,
            // The store writes the booking into the change once it has made it.
            audit: self.audit_entry(
                &actor_of(p),
                meta,
                "booking.create",
                "booking",
                &id.to_string(),
                serde_json::Value::Null,
            ),
        };
        // Durable before the caller hears of it: on SQLite through the group commit (one log
        // sync for every booking waiting), on PostgreSQL in a transaction of its own.
        if self.store.backend() == carebridge_store::Backend::Sqlite {
            let (reply, answer) = tokio::sync::oneshot::channel();
            return match self.booking_writer().submit(Job { group, reply }).await {
                Ok(()) => answer.await.map_err(|_| ServiceError::Internal("the booking writer stopped".into()))?,
                // The writer's runtime is gone (e.g. a test runtime ended): write directly.
                Err(job) => write_alone(self, &job.group).await,
            };
        }
        write_alone(self, &group).await
    }

    /// Why a slot cannot be booked now, if it cannot.
    pub(crate) async fn bookable(&self, slot: &Slot, now: Timestamp) -> Result<(), ServiceError> {
        if slot.status == SlotStatus::Cancelled {
            return Err(ServiceError::Conflict("the slot was cancelled".into()));
        }
        if slot.starts_at <= now {
            return Err(ServiceError::Conflict("the slot has already started".into()));
        }
        let facility = self.visible_facility(Visibility::All, slot.facility_id).await?;
        if !facility.draft.takes_new_patients || facility.designation == Designation::ClosedToNew {
            return Err(ServiceError::Conflict(format!("{} is closed to new patients", facility.draft.name_en)));
        }
        if facility.designation == Designation::VirusDesignated && !virus_service(slot.service) {
            return Err(ServiceError::Conflict(format!(
                "{} is designated for the virus and takes no {} patients",
                facility.draft.name_en, slot.service
            )));
        }
        Ok(())
    }

    /// One booking: the patient's own, a desk's of its facility, a coordinator's in scope.
    pub async fn booking(&self, p: &Principal, id: BookingId) -> Result<Booking, ServiceError> {
        if !(matches!(p.role, Role::Patient | Role::FacilityDesk) || p.role.is_coordinator()) {
            return Err(ServiceError::Forbidden(format!("a {} does not read bookings", p.role)));
        }
        let b = store::booking(&self.store, id).await?;
        self.may_see(p, &b).await?;
        Ok(b)
    }

    pub(crate) async fn may_see(&self, p: &Principal, b: &Booking) -> Result<(), ServiceError> {
        let ok = match (p.role, p.scope) {
            (Role::Patient, _) => b.patient_id == Some(p.user_id),
            (Role::FacilityDesk, Scope::Facility(f)) => f == b.facility_id,
            (r, _) if r.is_coordinator() => {
                let vis = scope::coordinator(p)?.visibility(&self.regions);
                self.visible_facility(vis, b.facility_id).await.is_ok()
            }
            _ => false,
        };
        if ok {
            Ok(())
        } else {
            Err(ServiceError::NotFound)
        }
    }

    /// Cancel a confirmed booking (the patient, or the facility's desk): its place is free again.
    pub async fn cancel_booking(
        &self,
        p: &Principal,
        id: BookingId,
        reason: &str,
        meta: &RequestMeta,
    ) -> Result<Booking, ServiceError> {
        let mut errors = ValidationErrors::default();
        carebridge_domain::text::rules::REASON.check(&mut errors, "/reason", reason);
        errors.finish(())?;
        let reason = reason.trim();
        if !matches!(p.role, Role::Patient | Role::FacilityDesk) {
            return Err(ServiceError::Forbidden(format!("a {} does not cancel bookings", p.role)));
        }
        let before = store::booking(&self.store, id).await?;
        self.may_see(p, &before).await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let current = store::booking_for_update(&mut tx, id).await?;
        if current.status != BookingStatus::Confirmed {
            return Err(ServiceError::Conflict(format!("the booking is {} already", current.status)));
        }
        store::cancel_booking(&mut tx, id, now, reason).await?;
        store::release_place(&mut tx, current.slot_id).await?;
        let offered = self.offer_freed_place(&mut tx, current.slot_id, meta).await?;
        let change =
            serde_json::json!({ "booking": id, "slot": current.slot_id, "reason": reason, "offered_to": offered });
        self.audit(&mut tx, &actor_of(p), meta, "booking.cancel", "booking", &id.to_string(), change).await?;
        tx.commit().await?;
        Ok(Booking {
            status: BookingStatus::Cancelled,
            cancelled_at: Some(now),
            cancel_reason: Some(reason.into()),
            ..current
        })
    }

    /// The caller's bookings: a patient's own, a desk's facility's; newest slot first.
    pub async fn my_bookings(&self, p: &Principal, limit: Option<u32>) -> Result<Vec<Booking>, ServiceError> {
        let limit = page_size(limit).map_err(|e| ServiceError::invalid("/limit", e))?;
        match (p.role, p.scope) {
            (Role::Patient, _) => Ok(store::bookings_of(&self.store, Some(p.user_id), None, limit).await?),
            (Role::FacilityDesk, Scope::Facility(f)) => {
                Ok(store::bookings_of(&self.store, None, Some(f), limit).await?)
            }
            (r, _) => Err(ServiceError::Forbidden(format!("a {r} has no bookings of its own"))),
        }
    }
}

impl Carebridge {
    /// Move a confirmed booking to another slot of the same service, in one transaction: the
    /// new place is taken before the old is released, so a patient is never left with neither
    /// (a full new slot changes nothing). The patient, or the facility's desk within its own
    /// facility. The freed place goes to the waitlist.
    pub async fn reschedule_booking(
        &self,
        p: &Principal,
        id: BookingId,
        to: SlotId,
        meta: &RequestMeta,
    ) -> Result<Booking, ServiceError> {
        if !matches!(p.role, Role::Patient | Role::FacilityDesk) {
            return Err(ServiceError::Forbidden(format!("a {} does not reschedule bookings", p.role)));
        }
        let before = store::booking(&self.store, id).await?;
        self.may_see(p, &before).await?;
        let row = match store::slot(&self.store, to).await {
            Err(carebridge_store::StoreError::NotFound) => {
                return Err(ServiceError::invalid("/slot_id", "no such slot"))
            }
            other => other?,
        };
        if let (Role::FacilityDesk, Scope::Facility(f)) = (p.role, p.scope) {
            if f != row.slot.facility_id {
                return Err(ServiceError::invalid("/slot_id", "no such slot at your facility"));
            }
        }
        if row.slot.service != before.service {
            return Err(ServiceError::invalid("/slot_id", format!("is not a slot of {}", before.service)));
        }
        if row.slot.id == before.slot_id {
            return Err(ServiceError::invalid("/slot_id", "is the slot the booking holds already"));
        }
        let now = self.now();
        self.bookable(&row.slot, now).await?;
        let mut tx = self.store.begin().await?;
        let current = store::booking_for_update(&mut tx, id).await?;
        if current.status != BookingStatus::Confirmed {
            return Err(ServiceError::Conflict(format!("the booking is {} already", current.status)));
        }
        store::take_place(&mut tx, row.slot.id).await.map_err(|e| match e {
            carebridge_store::StoreError::Conflict(_) => ServiceError::Conflict("the slot is full".into()),
            e => e.into(),
        })?;
        let moved = Booking {
            id: BookingId::new_v7(),
            slot_id: row.slot.id,
            facility_id: row.slot.facility_id,
            starts_at: row.slot.starts_at,
            booked_by: p.user_id,
            status: BookingStatus::Confirmed,
            created_at: now,
            cancelled_at: None,
            cancel_reason: None,
            rescheduled_from: Some(current.id),
            ..current.clone()
        };
        store::insert_booking(&mut tx, &moved).await?;
        store::cancel_booking(&mut tx, current.id, now, &format!("rescheduled to {}", moved.id)).await?;
        store::release_place(&mut tx, current.slot_id).await?;
        let offered = self.offer_freed_place(&mut tx, current.slot_id, meta).await?;
        let change = serde_json::json!({
            "from": { "booking": current.id, "slot": current.slot_id },
            "to": { "booking": moved.id, "slot": moved.slot_id }, "offered_to": offered,
        });
        self.audit(&mut tx, &actor_of(p), meta, "booking.reschedule", "booking", &moved.id.to_string(), change).await?;
        tx.commit().await?;
        Ok(moved)
    }

    /// What the caller was told about bookings and waitlist places, newest first: a patient's
    /// own notices; a desk's facility's (it telephones walk-ins without an account).
    pub async fn booking_notices(&self, p: &Principal, limit: Option<u32>) -> Result<Vec<BookingNotice>, ServiceError> {
        let limit = page_size(limit).map_err(|e| ServiceError::invalid("/limit", e))?;
        match (p.role, p.scope) {
            (Role::Patient, _) => Ok(store::notices_of(&self.store, Some(p.user_id), None, limit).await?),
            (Role::FacilityDesk, Scope::Facility(f)) => Ok(store::notices_of(&self.store, None, Some(f), limit).await?),
            (r, _) => Err(ServiceError::Forbidden(format!("a {r} has no notices of its own"))),
        }
    }
}

/// A stored schedule checked again, as the engine takes it (it was checked when published).
fn recheck(stored: &StoredSchedule) -> Result<carebridge_domain::booking::CheckedSchedule, ValidationErrors> {
    ScheduleDraft {
        facility_id: stored.facility_id,
        service: stored.service,
        clinician: stored.clinician.clone(),
        valid_from: Some(stored.valid_from.to_string()),
        valid_until: stored.valid_until.map(|d| d.to_string()),
        templates: stored.templates.clone(),
    }
    .check(stored.valid_from)
}

/// The slots of a stored schedule on the local days `from..until` that have not begun, with
/// fresh ids (the store keeps the first of each schedule and start).
fn slots_of(
    schedule: &StoredSchedule,
    checked: &carebridge_domain::booking::CheckedSchedule,
    closed: &[Closed],
    from: LocalDay,
    until: LocalDay,
    now: Timestamp,
) -> Vec<Slot> {
    materialise(checked, closed, from, until)
        .into_iter()
        .filter(|s| s.starts_at > now)
        .map(|s| Slot {
            id: SlotId::new_v7(),
            schedule_id: schedule.id,
            facility_id: schedule.facility_id,
            service: schedule.service,
            starts_at: s.starts_at,
            ends_at: s.ends_at,
            capacity: s.capacity,
            booked: 0,
            status: SlotStatus::Open,
        })
        .collect()
}

/// `"<starts_at millis>_<slot id>"` back to its parts.
fn parse_slot_cursor(key: &str) -> Option<(Timestamp, SlotId)> {
    let (at, id) = key.split_once('_')?;
    Some((Timestamp::from_millis(at.parse().ok()?), id.parse().ok()?))
}
