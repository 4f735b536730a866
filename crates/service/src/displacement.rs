//! Displacement: before a facility is redesignated or one of its units is commandeered (the
//! dialysis rooms of the field reports), the coordinator sees every patient the change would
//! displace and where each would go instead, and the change is applied only with that
//! re-placement, or with an explicit acknowledgement naming every patient it leaves unplaced.
//!
//! Who is displaced, by the change:
//! - a commandeered unit: every patient placed in that unit (offered, accepted, admitted);
//! - a virus designation: every patient there not known to be infected;
//! - lifting a virus designation (to a non-virus one): every confirmed or suspected patient;
//! - closing to new patients: the offers still waiting for an answer.
//!
//! The re-placement is a batch plan (`carebridge_engines::placement::batch`) over the
//! displaced, without the facility they leave, under the same hard constraints as every
//! placement (clinical fit, the travel rule of the patient's region, designation, beds): a
//! dialysis patient is re-placed within their per-session travel limit and province, or left
//! unplaced `too_far` for the coordinator to see and acknowledge — never quietly sent hours
//! away. A dialysis patient keeps their weekday pattern where a place on it exists, and no
//! pattern is offered that would leave them longer without a session than the clinical limit. Applying writes, in one transaction: the designation order
//! (or the facility no longer offering the commandeered unit's services, from now), every
//! displaced referral back to waiting with a `displaced` event on its timeline (which the
//! patient and their clinician read), the plan's offers, and the escalation of those left
//! unplaced to the region's coordinators.
//!
//! | action | who |
//! | --- | --- |
//! | preview, read, apply | a coordinator governing the facility |

use crate::context::{actor_of, Carebridge, RequestMeta};
use crate::error::ServiceError;
use crate::plans::{
    planned_placements, planned_unplaced, view_of, PlannedPlacement, PlannedUnplaced, PLAN_FRESH_FOR_MS,
};
use crate::referrals::{event, TOO_FAR};
use crate::scope;
use carebridge_domain::capacity::Unit;
use carebridge_domain::clock::Timestamp;
use carebridge_domain::designation::{Designation, DesignationOrder, DesignationOrderDraft};
use carebridge_domain::ids::{FacilityId, OrderId, PlanId, ReferralId, UserId};
use carebridge_domain::referral::{local_day, unit_for, Offer, OfferStatus, Referral, ReferralStatus, WeekdayPattern};
use carebridge_domain::service_kind::ServiceKind;
use carebridge_domain::text;
use carebridge_domain::user::Principal;
use carebridge_engines::placement::batch;
use carebridge_store::plans::{self as store_plans, StoredPlan};
use carebridge_store::referrals::{self as store};
use carebridge_store::{designations, facilities, Visibility};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The change to a facility whose displacement is previewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum FacilityChange {
    /// A designation order taking effect at `effective_at`.
    Designation { designation: Designation },
    /// A unit taken for other use (e.g. dialysis rooms turned into isolation wards): from the
    /// apply, the facility no longer offers the services that use it.
    CommandeerUnit { unit: Unit },
}

/// What a coordinator asks to preview.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisplacementRequest {
    pub facility_id: FacilityId,
    pub change: FacilityChange,
    /// When the change takes effect (sessions before it still happen where they are).
    pub effective_at: Timestamp,
    /// Why, as the order records it.
    #[schema(schema_with = carebridge_domain::text::schemas::reason)]
    pub reason: String,
    /// The order's document number: required for a designation change.
    #[serde(default)]
    #[schema(schema_with = carebridge_domain::text::schemas::optional_order_number_or_null)]
    pub order_number: Option<String>,
}

/// One patient the change displaces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DisplacedPatient {
    pub referral_id: ReferralId,
    /// Where the referral stands at the facility now: offered, accepted or admitted.
    pub status: ReferralStatus,
    pub need: ServiceKind,
    pub unit: Unit,
    /// `unit_commandeered`, `not_infected_in_virus_designated`, `infected_after_virus_designation`
    /// or `closed_to_new`.
    pub why: String,
    /// A recurring patient's weekdays at the facility.
    pub pattern: Option<WeekdayPattern>,
    /// A recurring patient's first session due on or after the effective time (local day,
    /// as the midnight that starts it).
    pub next_session: Option<Timestamp>,
}

/// A displacement preview (or, once applied, its record).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DisplacementView {
    pub id: PlanId,
    #[schema(value_type = String)]
    pub facility_id: FacilityId,
    pub change: FacilityChange,
    pub effective_at: Timestamp,
    pub reason: String,
    pub order_number: Option<String>,
    /// `preview` until applied, then `applied`.
    pub status: String,
    pub created_by: UserId,
    pub created_at: Timestamp,
    pub apply_before: Timestamp,
    pub applied_by: Option<UserId>,
    pub applied_at: Option<Timestamp>,
    pub displaced: Vec<DisplacedPatient>,
    /// Where the re-placement plan sends them.
    pub placements: Vec<PlannedPlacement>,
    /// Who it cannot place, and why: applying needs these acknowledged by id.
    pub unplaced: Vec<PlannedUnplaced>,
    pub total_cost: i64,
    /// Confirmed bookings the change cancels (each patient is told why and offered the
    /// nearest equivalent free slots), counted at the preview.
    #[serde(default)]
    pub bookings_cancelled: u64,
}

/// The apply's acknowledgement.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisplacementApply {
    /// Every referral the plan leaves unplaced, by id: the coordinator has seen who will have
    /// no place. Must be exactly the preview's `unplaced`.
    #[serde(default)]
    pub acknowledge_unplaced: Vec<ReferralId>,
}

/// Why the patient of `referral`, placed in `offer`, must move if `change` happens; `None` if
/// they stay.
fn displaced_by(
    change: FacilityChange,
    current: Designation,
    referral: &Referral,
    offer: &Offer,
) -> Option<&'static str> {
    let infected = referral.draft.patient.infection.needs_isolation();
    match change {
        FacilityChange::CommandeerUnit { unit } => (offer.unit == unit).then_some("unit_commandeered"),
        FacilityChange::Designation { designation: Designation::VirusDesignated } => {
            (!infected).then_some("not_infected_in_virus_designated")
        }
        FacilityChange::Designation { designation: Designation::ClosedToNew } => {
            (offer.status == OfferStatus::Holding).then_some("closed_to_new")
        }
        FacilityChange::Designation { .. } => {
            (infected && current == Designation::VirusDesignated).then_some("infected_after_virus_designation")
        }
    }
}

/// Midnight (UTC+8) starting local day `day`.
fn day_start(day: i64) -> Timestamp {
    Timestamp::from_millis(day * 86_400_000 - 8 * 3_600_000)
}

impl Carebridge {
    /// Who `request` would displace and where the batch engine would place them; stored as a
    /// preview to apply.
    pub async fn preview_displacement(
        &self,
        p: &Principal,
        request: DisplacementRequest,
        meta: &RequestMeta,
    ) -> Result<DisplacementView, ServiceError> {
        let c = scope::coordinator(p)?;
        if let Some(problem) = text::rules::REASON.problem(&request.reason) {
            return Err(ServiceError::invalid("/reason", format!("{problem}: say why")));
        }
        if let Some(problem) =
            request.order_number.as_deref().and_then(|n| text::rules::OPTIONAL_ORDER_NUMBER.problem(n))
        {
            return Err(ServiceError::invalid("/order_number", problem));
        }
        let reason = request.reason.trim().to_string();
        let order_number = request.order_number.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        if matches!(request.change, FacilityChange::Designation { .. }) && order_number.is_none() {
            return Err(ServiceError::invalid("/order_number", "a designation order needs its document number"));
        }
        let now = self.now();
        let facility = facilities::get(&self.store, request.facility_id, c.visibility(&self.regions), now)
            .await
            .map_err(|_| ServiceError::invalid("/facility_id", "no such facility in the region you govern"))?;
        if let FacilityChange::CommandeerUnit { unit } = request.change {
            if !facility.draft.services.iter().any(|s| unit_for(*s) == unit) {
                return Err(ServiceError::invalid("/change/unit", "the facility offers no service in this unit"));
            }
        }
        let mut displaced = Vec::new();
        let mut referrals = Vec::new();
        let mut patients = Vec::new();
        for (stored, offer) in store::placed_at(&self.store, facility.id).await? {
            let r = stored.referral;
            let Some(why) = displaced_by(request.change, facility.designation, &r, &offer) else { continue };
            let keeps = offer.pattern.map(|pattern| (pattern, request.effective_at));
            let next_session = offer.pattern.map(|pt| day_start(pt.first_from(local_day(request.effective_at))));
            displaced.push(DisplacedPatient {
                referral_id: r.id,
                status: r.status,
                need: r.draft.need,
                unit: offer.unit,
                why: why.into(),
                pattern: offer.pattern,
                next_session,
            });
            patients.push(self.batch_patient(&r, now, keeps, Some(facility.id)).await?);
            referrals.push(r);
        }
        let plan = batch::plan(&patients).map_err(|e| ServiceError::Internal(e.to_string()))?;
        let bookings_cancelled =
            self.bookings_the_change_cancels(&facility, request.change, request.effective_at).await?;
        let view = DisplacementView {
            id: PlanId::new_v7(),
            facility_id: facility.id,
            change: request.change,
            effective_at: request.effective_at,
            reason,
            order_number,
            status: "preview".into(),
            created_by: p.user_id,
            created_at: now,
            apply_before: Timestamp::from_millis(now.millis() + PLAN_FRESH_FOR_MS),
            applied_by: None,
            applied_at: None,
            displaced,
            placements: planned_placements(&referrals, &plan),
            unplaced: planned_unplaced(&referrals, &plan),
            total_cost: plan.total_cost,
            bookings_cancelled,
        };
        let stored = StoredPlan {
            id: view.id,
            kind: "displacement".into(),
            region_code: facility.draft.region_code,
            applied: false,
            created_by: p.user_id,
            created_at: now,
            applied_by: None,
            applied_at: None,
            total_cost: view.total_cost,
            body: serde_json::to_value(&view).map_err(|e| ServiceError::Internal(e.to_string()))?,
        };
        let change = serde_json::json!({
            "facility_id": facility.id, "change": view.change, "effective_at": view.effective_at,
            "displaced": view.displaced.len(), "unplaced": view.unplaced.len(),
        });
        self.store_preview(p, meta, &stored, "displacement.preview", change).await?;
        Ok(view)
    }

    /// How many confirmed bookings `change` at `facility` would cancel from `effective_at` on.
    async fn bookings_the_change_cancels(
        &self,
        facility: &carebridge_domain::facility::Facility,
        change: FacilityChange,
        effective_at: Timestamp,
    ) -> Result<u64, ServiceError> {
        let from = effective_at.max(self.now());
        let unit_stops;
        let designation_stops;
        let stops: &(dyn Fn(ServiceKind) -> bool + Sync) = match change {
            FacilityChange::Designation { designation } => {
                match crate::booking_changes::designation_stops(designation) {
                    Some(f) => {
                        designation_stops = f;
                        &designation_stops
                    }
                    None => return Ok(0),
                }
            }
            FacilityChange::CommandeerUnit { unit } => {
                unit_stops = move |s: ServiceKind| unit_for(s) == unit;
                &unit_stops
            }
        };
        let stop = crate::booking_changes::ServiceStop {
            facility,
            stops,
            from,
            until: None,
            cause: carebridge_domain::booking::ChangeCause::Designation,
            reason: "",
        };
        self.bookings_a_stop_cancels(&stop).await
    }

    /// A displacement preview or record, for a coordinator governing its facility.
    pub async fn displacement(&self, p: &Principal, id: PlanId) -> Result<DisplacementView, ServiceError> {
        view_of(self.stored_plan(p, id, "displacement").await?)
    }

    /// Apply the change with its re-placement, in one transaction, or nothing.
    pub async fn apply_displacement(
        &self,
        p: &Principal,
        id: PlanId,
        ack: DisplacementApply,
        meta: &RequestMeta,
    ) -> Result<DisplacementView, ServiceError> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let view: DisplacementView = view_of(self.plan_to_apply(&mut tx, p, id, "displacement").await?)?;
        if now > view.apply_before {
            return Err(ServiceError::Conflict("the preview is more than 15 minutes old: preview again".into()));
        }
        let unplaced: BTreeSet<ReferralId> = view.unplaced.iter().map(|u| u.referral_id).collect();
        let acknowledged: BTreeSet<ReferralId> = ack.acknowledge_unplaced.iter().copied().collect();
        if unplaced != acknowledged {
            return Err(ServiceError::invalid(
                "/acknowledge_unplaced",
                format!(
                    "must list exactly the {} patient(s) the plan leaves unplaced: {}",
                    unplaced.len(),
                    unplaced.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
                ),
            ));
        }

        // The change itself.
        let facility = facilities::get(&self.store, view.facility_id, Visibility::All, now).await?;
        match view.change {
            FacilityChange::Designation { designation } => {
                let draft = DesignationOrderDraft {
                    facility_id: facility.id,
                    designation,
                    effective_at: view.effective_at,
                    reason: view.reason.clone(),
                    order_number: view.order_number.clone().unwrap_or_default(),
                }
                .validate()?;
                let order = DesignationOrder { id: OrderId::new_v7(), draft, ordered_by: p.user_id, ordered_at: now };
                designations::insert(&mut tx, &order).await?;
                let cancelled = self.designation_cancels_bookings(&mut tx, &facility, &order, p, meta).await?;
                let change = serde_json::json!({ "order": order, "previous_designation": facility.designation,
                    "displacement": id, "bookings_cancelled": cancelled });
                self.audit(
                    &mut tx,
                    &actor_of(p),
                    meta,
                    "designation.order",
                    "facility",
                    &facility.id.to_string(),
                    change,
                )
                .await?;
            }
            FacilityChange::CommandeerUnit { unit } => {
                let mut draft = facility.draft.clone();
                draft.services.retain(|s| unit_for(*s) != unit);
                let path = self
                    .regions
                    .path(draft.region_code)
                    .ok_or_else(|| ServiceError::Internal("the facility's region is unknown".into()))?;
                facilities::update(&mut tx, facility.id, &draft, path, None, Visibility::All, now).await?;
                let stops = move |s: ServiceKind| unit_for(s) == unit;
                let stop = crate::booking_changes::ServiceStop {
                    facility: &facility,
                    stops: &stops,
                    from: view.effective_at.max(now),
                    until: None,
                    cause: carebridge_domain::booking::ChangeCause::CommandeeredUnit,
                    reason: &view.reason,
                };
                let cancelled = self.stop_service(&mut tx, &stop, &actor_of(p), meta).await?.bookings_cancelled.len();
                let change = serde_json::json!({ "unit": unit, "services": draft.services, "reason": view.reason,
                    "displacement": id, "bookings_cancelled": cancelled });
                self.audit(
                    &mut tx,
                    &actor_of(p),
                    meta,
                    "facility.commandeer_unit",
                    "facility",
                    &facility.id.to_string(),
                    change,
                )
                .await?;
            }
        }

        // Every displaced patient back to waiting, told why.
        for d in &view.displaced {
            let current = store::get_for_update(&mut tx, d.referral_id).await?.referral;
            if current.status != d.status {
                return Err(ServiceError::Conflict(format!(
                    "referral {} is {} now, not {}: preview again",
                    current.id, current.status, d.status
                )));
            }
            if current.status == ReferralStatus::Offered {
                let holding = store::offers_of_tx(&mut tx, current.id)
                    .await?
                    .into_iter()
                    .find(|o| o.status == OfferStatus::Holding);
                if let Some(o) = holding {
                    store::close_offer(&mut tx, o.id, OfferStatus::Withdrawn, now, Some(p.user_id), None).await?;
                }
            }
            self.move_referral(&mut tx, &current, ReferralStatus::Pending, current.failed_offers, None, now).await?;
            let detail = serde_json::json!({
                "displacement": id, "change": view.change, "effective_at": view.effective_at, "reason": view.reason,
                "why": d.why, "pattern": d.pattern, "next_session": d.next_session,
            });
            store::append_event(
                &mut tx,
                current.id,
                &event(now, "displaced", ReferralStatus::Pending, Some(facility.id), detail.clone()),
            )
            .await?;
            self.audit(&mut tx, &actor_of(p), meta, "referral.displace", "referral", &current.id.to_string(), detail)
                .await?;
        }
        self.make_planned_offers(&mut tx, &view.placements, id, p, meta, now).await?;
        for u in &view.unplaced {
            let current = store::get_for_update(&mut tx, u.referral_id).await?.referral;
            if current.escalated_at.is_none() {
                // Stranded by distance says so: the coordinators see why no place was found.
                let why = if u.why == TOO_FAR { TOO_FAR } else { "displaced_unplaced" };
                self.escalate(&mut tx, &current, ReferralStatus::Escalated, why, now).await?;
            }
        }
        store_plans::mark_applied(&mut tx, id, p.user_id, now).await?;
        let change = serde_json::json!({
            "facility_id": facility.id, "change": view.change, "displaced": view.displaced.len(),
            "offers": view.placements.len(), "unplaced_acknowledged": view.unplaced.len(),
        });
        self.audit(&mut tx, &actor_of(p), meta, "displacement.apply", "placement_plan", &id.to_string(), change)
            .await?;
        tx.commit().await?;
        self.displacement(p, id).await
    }
}
