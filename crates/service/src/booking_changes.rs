//! When a change stops a booked service: a closure a desk declares, a designation order that
//! makes a facility the virus's, or a unit commandeered from it. In the change's own
//! transaction (so the order and its cost to patients commit together, or neither), the
//! service's open slots from the change on are cancelled, so nobody books them again, every
//! confirmed booking of them is cancelled and its place released, each patient is told why
//! (a notice; for a walk-in without an account, the desk reads it and telephones), with the
//! nearest equivalent free slots, and waitlist offers held on those slots go back to waiting.
//!
//! "Nearest equivalent" is stated, not tuned: the same service, at a facility that still
//! takes it (open to new patients, and not designated for the virus unless the service is the
//! virus's own), starting no earlier than the cancelled booking (or now) and at most
//! [`ALTERNATIVE_DAYS`] days later, within [`ALTERNATIVE_RADIUS_KM`] of the facility; ranked by
//! hours of delay plus kilometres of distance (one kilometre weighs as an hour: a patient
//! would rather wait an hour than cross town), the first [`ALTERNATIVES`] offered.

use crate::booking::virus_service;
use crate::context::{actor_of, Carebridge, RequestMeta};
use crate::error::ServiceError;
use crate::scope;
use carebridge_domain::audit::Actor;
use carebridge_domain::booking::{Alternative, BookingNotice, ChangeCause, LocalDay, NoticeKind, DAY_MS};
use carebridge_domain::clock::Timestamp;
use carebridge_domain::designation::Designation;
use carebridge_domain::facility::Facility;
use carebridge_domain::ids::{BookingId, ClosureId, FacilityId, NoticeId, SlotId};
use carebridge_domain::service_kind::ServiceKind;
use carebridge_domain::user::{Principal, Role};
use carebridge_domain::ValidationErrors;
use carebridge_engines::placement::online;
use carebridge_store::booking::{self as store, SlotQuery, StoredClosure};
use carebridge_store::{facilities, waitlist, Tx, Visibility};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};

/// How many alternatives a cancelled patient is offered.
pub const ALTERNATIVES: usize = 3;
/// How far from the facility alternatives are sought, km.
pub const ALTERNATIVE_RADIUS_KM: f64 = 50.0;
/// How many days after the cancelled booking alternatives are sought.
pub const ALTERNATIVE_DAYS: i64 = 7;
/// The longest closure one request declares, days.
const MAX_CLOSURE_DAYS: i64 = 366;

/// A closure request: a facility's service (or all of them) closed on local days.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClosureDraft {
    /// The service closed; absent or null for every service of the facility.
    #[serde(default)]
    pub service: Option<ServiceKind>,
    /// First closed local day, `YYYY-MM-DD` (China Standard Time); today or later.
    #[schema(format = Date)]
    pub from: String,
    /// Last closed local day, inclusive; at most 366 days after `from`.
    #[schema(format = Date)]
    pub until: String,
    /// Why: patients read it in their notice.
    #[schema(schema_with = carebridge_domain::text::schemas::reason)]
    pub reason: String,
}

/// A closure as stored and answered.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClosureView {
    pub id: ClosureId,
    pub facility_id: FacilityId,
    pub service: Option<ServiceKind>,
    pub from: String,
    pub until: String,
    pub reason: String,
    pub created_at: Timestamp,
}

impl From<StoredClosure> for ClosureView {
    fn from(c: StoredClosure) -> Self {
        Self {
            id: c.id,
            facility_id: c.facility_id,
            service: c.service,
            from: c.from.to_string(),
            until: c.until.to_string(),
            reason: c.reason,
            created_at: c.created_at,
        }
    }
}

/// One booking a change cancelled, and what its patient was offered instead.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CancelledBooking {
    pub booking_id: BookingId,
    pub patient_pseudonym: String,
    /// A walk-in without an account: the desk tells them.
    pub walk_in: bool,
    pub service: ServiceKind,
    pub starts_at: Timestamp,
    pub alternatives: Vec<Alternative>,
}

/// What a change did to bookings.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ChangeCancellation {
    /// Open slots that can no longer be booked.
    pub slots_cancelled: u64,
    pub bookings_cancelled: Vec<CancelledBooking>,
    /// Waitlist offers held on those slots, put back to waiting (first in line).
    pub offers_withdrawn: u64,
}

/// A closure and what it did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClosureResult {
    pub closure: ClosureView,
    #[serde(flatten)]
    pub effect: ChangeCancellation,
}

/// The services a change stops, at one facility, from a time.
pub(crate) struct ServiceStop<'a> {
    pub facility: &'a Facility,
    pub stops: &'a (dyn Fn(ServiceKind) -> bool + Sync),
    pub from: Timestamp,
    pub until: Option<Timestamp>,
    pub cause: ChangeCause,
    pub reason: &'a str,
}

/// What a designation does to bookings: the virus's designation stops every other service.
pub(crate) fn designation_stops(designation: Designation) -> Option<fn(ServiceKind) -> bool> {
    (designation == Designation::VirusDesignated).then_some(|s: ServiceKind| !virus_service(s))
}

impl Carebridge {
    /// Close a facility's service (or all its services) on some local days: the facility's
    /// desk, or a coordinator over it. The closure and its cancellations are one transaction.
    pub async fn close_service(
        &self,
        p: &Principal,
        facility_id: FacilityId,
        draft: ClosureDraft,
        meta: &RequestMeta,
    ) -> Result<ClosureResult, ServiceError> {
        if !(p.role == Role::FacilityDesk || p.role.is_coordinator()) {
            return Err(ServiceError::Forbidden(format!("a {} cannot close services", p.role)));
        }
        let vis = scope::capacity_writer(&self.regions, p)?;
        let facility = self.visible_facility(vis, facility_id).await?;
        let today = self.today();
        let mut errors = ValidationErrors::default();
        carebridge_domain::text::rules::REASON.check(&mut errors, "/reason", &draft.reason);
        let from = LocalDay::parse(&draft.from).map_err(|e| errors.push("/from", e)).ok();
        let until = LocalDay::parse(&draft.until).map_err(|e| errors.push("/until", e)).ok();
        if from.is_some_and(|f| f < today) {
            errors.push("/from", "must be today or later");
        }
        if let (Some(f), Some(u)) = (from, until) {
            if u < f {
                errors.push("/until", "must not be before `from`");
            } else if u.0 - f.0 >= MAX_CLOSURE_DAYS {
                errors.push("/until", format!("a closure spans at most {MAX_CLOSURE_DAYS} days"));
            }
        }
        if let Some(s) = draft.service {
            if !facility.draft.services.contains(&s) {
                errors.push("/service", format!("{} does not offer {s}", facility.draft.name_en));
            }
        }
        let (from, until) = errors.finish((from, until))?;
        let (Some(from), Some(until)) = (from, until) else {
            return Err(ServiceError::Internal("closure days checked but absent".into()));
        };
        let now = self.now();
        let closure = StoredClosure {
            id: ClosureId::new_v7(),
            facility_id,
            service: draft.service,
            from,
            until,
            reason: draft.reason.trim().to_string(),
            created_by: p.user_id,
            created_at: now,
        };
        let mut tx = self.store.begin().await?;
        store::insert_closure(&mut tx, &closure).await?;
        let only = draft.service;
        let stop = ServiceStop {
            facility: &facility,
            stops: &move |s| only.is_none_or(|o| o == s),
            from: from.start().max(now),
            until: Some(until.next().start()),
            cause: ChangeCause::Closure,
            reason: &closure.reason,
        };
        let effect = self.stop_service(&mut tx, &stop, &actor_of(p), meta).await?;
        let change = serde_json::json!({
            "closure": { "service": closure.service, "from": closure.from.to_string(),
                "until": closure.until.to_string(), "reason": closure.reason },
            "slots_cancelled": effect.slots_cancelled, "bookings_cancelled": effect.bookings_cancelled.len(),
        });
        self.audit(&mut tx, &actor_of(p), meta, "facility.close_service", "facility", &facility_id.to_string(), change)
            .await?;
        tx.commit().await?;
        Ok(ClosureResult { closure: closure.into(), effect })
    }

    /// A facility's closures that have not ended: its desk, or a coordinator over it.
    pub async fn closures(&self, p: &Principal, facility_id: FacilityId) -> Result<Vec<ClosureView>, ServiceError> {
        let vis = scope::capacity_reader(&self.regions, p)?;
        self.visible_facility(vis, facility_id).await?;
        Ok(store::closures(&self.store, facility_id, self.today()).await?.into_iter().map(Into::into).collect())
    }

    /// Stop services at a facility inside the change's transaction: cancel their open slots
    /// from the change on, cancel and tell every booking of them (with alternatives), and put
    /// waitlist offers held on them back to waiting. Each cancelled booking is audited.
    pub(crate) async fn stop_service(
        &self,
        tx: &mut Tx,
        stop: &ServiceStop<'_>,
        actor: &Actor,
        meta: &RequestMeta,
    ) -> Result<ChangeCancellation, ServiceError> {
        let now = self.now();
        let slots: Vec<_> = store::open_slots_from(tx, stop.facility.id, stop.from, stop.until)
            .await?
            .into_iter()
            .filter(|s| (stop.stops)(s.service))
            .collect();
        if slots.is_empty() {
            return Ok(ChangeCancellation::default());
        }
        let ids: Vec<SlotId> = slots.iter().map(|s| s.id).collect();
        let bookings = store::confirmed_bookings_of_slots(tx, &ids).await?;
        let offers = waitlist::offers_on_slots(tx, &ids).await?;
        let slots_cancelled = store::cancel_slots(tx, &ids, stop.reason).await?;
        let why = format!("{}: {}", stop.cause, stop.reason);
        for b in &bookings {
            store::cancel_booking(tx, b.id, now, &why).await?;
            store::release_place(tx, b.slot_id).await?;
        }
        for o in &offers {
            waitlist::withdraw_offer(tx, o.id).await?;
            if let Some(slot) = o.offered_slot_id {
                store::release_place(tx, slot).await?;
            }
        }
        let mut finder = AlternativeFinder::new(stop.facility);
        let mut cancelled = Vec::with_capacity(bookings.len());
        for b in &bookings {
            let alternatives = finder.find(self, tx, b.service, b.starts_at.max(now)).await?;
            let notice = BookingNotice {
                id: NoticeId::new_v7(),
                patient_id: b.patient_id,
                patient_pseudonym: b.patient_pseudonym.clone(),
                facility_id: b.facility_id,
                booking_id: Some(b.id),
                waitlist_id: None,
                kind: NoticeKind::Cancelled,
                cause: stop.cause.as_str().into(),
                reason: stop.reason.into(),
                alternatives: alternatives.clone(),
                created_at: now,
            };
            store::insert_notice(tx, &notice).await?;
            let change = serde_json::json!({
                "booking": b.id, "slot": b.slot_id, "cause": stop.cause, "reason": stop.reason,
                "alternatives": alternatives.iter().map(|a| a.slot_id).collect::<Vec<_>>(),
            });
            self.audit(tx, actor, meta, "booking.cancel_by_change", "booking", &b.id.to_string(), change).await?;
            cancelled.push(CancelledBooking {
                booking_id: b.id,
                patient_pseudonym: b.patient_pseudonym.clone(),
                walk_in: b.patient_id.is_none(),
                service: b.service,
                starts_at: b.starts_at,
                alternatives,
            });
        }
        Ok(ChangeCancellation { slots_cancelled, bookings_cancelled: cancelled, offers_withdrawn: offers.len() as u64 })
    }

    /// How many confirmed bookings a change would cancel, for a preview.
    pub(crate) async fn bookings_a_stop_cancels(&self, stop: &ServiceStop<'_>) -> Result<u64, ServiceError> {
        let bookings = store::confirmed_bookings_at(&self.store, stop.facility.id, stop.from, stop.until).await?;
        Ok(bookings.iter().filter(|b| (stop.stops)(b.service)).count() as u64)
    }
}

/// Finds alternatives for the bookings of one change, reading each candidate facility once.
struct AlternativeFinder<'a> {
    changed: &'a Facility,
    takes: HashMap<FacilityId, Option<Facility>>,
}

impl<'a> AlternativeFinder<'a> {
    fn new(changed: &'a Facility) -> Self {
        Self { changed, takes: HashMap::new() }
    }

    /// The nearest equivalent free slots of `service` from `from` on (see the module's rule).
    async fn find(
        &mut self,
        cb: &Carebridge,
        tx: &mut Tx,
        service: ServiceKind,
        from: Timestamp,
    ) -> Result<Vec<Alternative>, ServiceError> {
        let centre = self.changed.draft.location;
        let query = SlotQuery {
            service: Some(service),
            visibility: Visibility::All,
            facility: None,
            within: Some(online::bounding_box(centre, ALTERNATIVE_RADIUS_KM)),
            from,
            until: Timestamp::from_millis(from.millis() + ALTERNATIVE_DAYS * DAY_MS),
            free_only: true,
            schedule: None,
            state: None,
            after: None,
            limit: 200,
        };
        let rows = store::search_slots_tx(tx, &query).await?;
        let mut scored = Vec::new();
        let mut seen = BTreeSet::new();
        for r in rows {
            let distance_km = centre.distance_km(r.location);
            if distance_km > ALTERNATIVE_RADIUS_KM {
                continue;
            }
            if !self.still_takes(cb, r.slot.facility_id, service).await? {
                continue;
            }
            // One offer per facility and hour is enough choice; more of the same crowds out others.
            if !seen.insert((r.slot.facility_id, r.slot.starts_at.millis() / 3_600_000)) {
                continue;
            }
            let delay_h = (r.slot.starts_at.millis() - from.millis()).max(0) as f64 / 3_600_000.0;
            scored.push((
                delay_h + distance_km,
                Alternative {
                    slot_id: r.slot.id,
                    facility_id: r.slot.facility_id,
                    facility_name_zh: r.facility_name_zh,
                    facility_name_en: r.facility_name_en,
                    starts_at: r.slot.starts_at,
                    distance_km: (distance_km * 10.0).round() / 10.0,
                },
            ));
        }
        scored.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.starts_at.cmp(&b.1.starts_at)));
        Ok(scored.into_iter().take(ALTERNATIVES).map(|(_, a)| a).collect())
    }

    /// Whether a facility still takes new patients of `service` (read once per change).
    async fn still_takes(
        &mut self,
        cb: &Carebridge,
        id: FacilityId,
        service: ServiceKind,
    ) -> Result<bool, ServiceError> {
        if let std::collections::hash_map::Entry::Vacant(slot) = self.takes.entry(id) {
            slot.insert(match facilities::get(&cb.store, id, Visibility::All, cb.now()).await {
                Ok(f) => Some(f),
                Err(carebridge_store::StoreError::NotFound) => None,
                Err(e) => return Err(e.into()),
            });
        }
        Ok(match self.takes.get(&id).and_then(Option::as_ref) {
            None => false,
            Some(f) => {
                f.draft.takes_new_patients
                    && f.designation != Designation::ClosedToNew
                    && (f.designation != Designation::VirusDesignated || virus_service(service))
            }
        })
    }
}
