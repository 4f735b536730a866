//! Batch placement plans: a coordinator places every waiting patient of a region at once.
//!
//! A plan is first a preview: the exact minimum-cost assignment of every pending or escalated
//! referral in the region (the batch engine, `carebridge_engines::placement::batch`), with its
//! total cost and, for each patient left out, why. It is stored, so that applying it applies
//! what the coordinator saw: the apply makes every offer in one transaction, re-checking each
//! referral (still waiting?) and each bed (still free, under the unit's lock). If anything has
//! changed since the preview, nothing is applied and the answer says to preview again.
//!
//! | action | who |
//! | --- | --- |
//! | preview, read, apply | a coordinator governing the plan's region |
//! | list | a coordinator: the plans of the regions they govern |

use crate::context::{actor_of, Carebridge, RequestMeta};
use crate::error::ServiceError;
use crate::referrals::{engine_actor, event};
use crate::scope;
use carebridge_domain::capacity::Unit;
use carebridge_domain::clock::Timestamp;
use carebridge_domain::ids::{FacilityId, PlanId, ReferralId, UserId};
use carebridge_domain::referral::{Offer, OfferStatus, Referral, ReferralStatus, Urgency, WeekdayPattern};
use carebridge_domain::region::RegionCode;
use carebridge_domain::service_kind::ServiceKind;
use carebridge_domain::user::Principal;
use carebridge_engines::placement::batch::{self, Patient};
use carebridge_store::plans::{self as store_plans, StoredPlan};
use carebridge_store::referrals::{self as store, ReferralFilter, ReferralScope};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Instant;

/// The most referrals one plan takes (a province in a surge); beyond it, plan a smaller region.
pub const MAX_PLAN_REFERRALS: usize = 20_000;

/// How long a preview may be applied: after that the beds it counted are too old to trust.
pub const PLAN_FRESH_FOR_MS: i64 = 15 * 60_000;

/// What a coordinator asks to plan.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanRequest {
    /// The region whose waiting referrals (by the patient's region) the plan places.
    pub region_code: RegionCode,
}

/// One patient's place in a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlannedPlacement {
    pub referral_id: ReferralId,
    pub need: ServiceKind,
    pub urgency: Urgency,
    #[schema(value_type = String)]
    pub facility_id: FacilityId,
    pub unit: Unit,
    /// For a recurring patient, the weekdays of their sessions.
    pub pattern: Option<WeekdayPattern>,
    /// For a displaced recurring patient: days from their last session where they were to
    /// their first at the new place (never more than the schedule's clinical limit).
    pub gap_days: Option<i64>,
    pub distance_km: f64,
    /// One-way, minutes (per session for recurring care): never beyond the region's limit.
    pub travel_minutes: i64,
    /// The facility is in another province (only where the patient's region allows it).
    #[serde(default)]
    pub cross_province: bool,
    /// The placement's cost in minutes (travel — the week's for recurring care — crowding,
    /// load, designation misfit).
    pub cost: i64,
}

/// A patient the plan leaves out, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlannedUnplaced {
    pub referral_id: ReferralId,
    pub need: ServiceKind,
    pub urgency: Urgency,
    /// `no_feasible_facility`, `too_far` (places exist only beyond the travel limit: the
    /// patient is stranded by distance, and never placed there) or `beds_taken_by_others`.
    pub why: String,
    pub feasible_facilities: usize,
    /// Facilities that would take the patient but for the travel rule.
    #[serde(default)]
    pub beyond_travel_limit: usize,
    /// Facilities excluded, by the first hard constraint each failed.
    pub excluded: BTreeMap<String, usize>,
}

/// A plan as its coordinator sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlanView {
    pub id: PlanId,
    pub region_code: RegionCode,
    /// `preview` until applied, then `applied`.
    pub status: String,
    pub created_by: UserId,
    pub created_at: Timestamp,
    /// Until when the preview may be applied.
    pub apply_before: Timestamp,
    pub applied_by: Option<UserId>,
    pub applied_at: Option<Timestamp>,
    /// Referrals waiting when the plan was made.
    pub waiting: usize,
    pub placements: Vec<PlannedPlacement>,
    pub unplaced: Vec<PlannedUnplaced>,
    /// Sum of the placements' costs, minutes.
    pub placed_cost: i64,
    /// The proven optimum, the unplaced patients' penalties included.
    pub total_cost: i64,
    pub network_nodes: usize,
    pub network_arcs: usize,
    pub solve_ms: f64,
}

/// A stored plan's view (a [`PlanView`] or a displacement's), as stored at its preview, with
/// where it stands now: its `status`, `applied_by` and `applied_at` come from the row.
pub(crate) fn view_of<T: serde::de::DeserializeOwned>(s: StoredPlan) -> Result<T, ServiceError> {
    let mut body = s.body;
    let Some(fields) = body.as_object_mut() else {
        return Err(ServiceError::Internal(format!("stored plan {} is not an object", s.id)));
    };
    fields.insert("status".into(), serde_json::json!(if s.applied { "applied" } else { "preview" }));
    fields.insert("applied_by".into(), serde_json::json!(s.applied_by));
    fields.insert("applied_at".into(), serde_json::json!(s.applied_at));
    serde_json::from_value(body)
        .map_err(|e| ServiceError::Internal(format!("stored plan {} does not read back: {e}", s.id)))
}

impl Carebridge {
    /// Plan every waiting referral of a region; stores the preview and returns it.
    pub async fn preview_plan(
        &self,
        p: &Principal,
        request: PlanRequest,
        meta: &RequestMeta,
    ) -> Result<PlanView, ServiceError> {
        let c = scope::coordinator(p)?;
        let region = request.region_code;
        if self.regions.get(region).is_none() {
            return Err(ServiceError::invalid("/region_code", "no such region"));
        }
        if !c.governs(&self.regions, region) {
            return Err(ServiceError::invalid("/region_code", "outside the region you govern"));
        }
        let visibility = scope::region_visibility(&self.regions, Some(region));
        let filter = ReferralFilter {
            statuses: vec![ReferralStatus::Pending, ReferralStatus::Escalated],
            overdue_at: None,
            escalated: false,
        };
        let mut waiting = Vec::new();
        let mut before: Option<String> = None;
        loop {
            let page =
                store::list(&self.store, ReferralScope::Region(visibility), &filter, before.as_deref(), 500).await?;
            let more = page.len() > 500;
            waiting.extend(page.into_iter().take(500).map(|s| s.referral));
            if waiting.len() > MAX_PLAN_REFERRALS {
                return Err(ServiceError::invalid(
                    "/region_code",
                    format!("more than {MAX_PLAN_REFERRALS} referrals wait here: plan a smaller region"),
                ));
            }
            if !more {
                break;
            }
            before = waiting.last().map(|r| r.id.to_string());
        }

        let now = self.now();
        let mut patients = Vec::with_capacity(waiting.len());
        for r in &waiting {
            patients.push(self.batch_patient(r, now, None, None).await?);
        }
        let t = Instant::now();
        let plan = batch::plan(&patients).map_err(|e| ServiceError::Internal(e.to_string()))?;
        let solve_ms = t.elapsed().as_secs_f64() * 1e3;

        let view = PlanView {
            id: PlanId::new_v7(),
            region_code: region,
            status: "preview".into(),
            created_by: p.user_id,
            created_at: now,
            apply_before: Timestamp::from_millis(now.millis() + PLAN_FRESH_FOR_MS),
            applied_by: None,
            applied_at: None,
            waiting: waiting.len(),
            placements: planned_placements(&waiting, &plan),
            unplaced: planned_unplaced(&waiting, &plan),
            placed_cost: plan.placed_cost,
            total_cost: plan.total_cost,
            network_nodes: plan.nodes,
            network_arcs: plan.arcs,
            solve_ms,
        };
        let body = serde_json::to_value(&view).map_err(|e| ServiceError::Internal(e.to_string()))?;
        let stored = StoredPlan {
            id: view.id,
            kind: "region".into(),
            region_code: region,
            applied: false,
            created_by: p.user_id,
            created_at: now,
            applied_by: None,
            applied_at: None,
            total_cost: view.total_cost,
            body,
        };
        let change = serde_json::json!({
            "region_code": region, "waiting": view.waiting, "placements": view.placements.len(),
            "unplaced": view.unplaced.len(), "total_cost": view.total_cost,
        });
        self.store_preview(p, meta, &stored, "plan.preview", change).await?;
        Ok(view)
    }

    /// A plan, for a coordinator governing its region.
    pub async fn plan(&self, p: &Principal, id: PlanId) -> Result<PlanView, ServiceError> {
        view_of(self.stored_plan(p, id, "region").await?)
    }

    /// The newest `limit` (at most 100) region plans of `region` and the regions below it (all
    /// the caller governs for `None`), newest first; for a coordinator, only in their regions.
    pub async fn plans(
        &self,
        p: &Principal,
        region: Option<RegionCode>,
        limit: usize,
    ) -> Result<Vec<store_plans::PlanSummary>, ServiceError> {
        let c = scope::coordinator(p)?;
        let root = match region {
            Some(r) if self.regions.get(r).is_none() => return Err(ServiceError::invalid("/region", "no such region")),
            Some(r) if !c.governs(&self.regions, r) => {
                return Err(ServiceError::invalid("/region", "outside the region you govern"))
            }
            Some(r) => Some(r),
            None => c.region,
        };
        let codes = root.map(|r| self.regions.subtree(r));
        let limit = i64::try_from(limit.clamp(1, 100)).unwrap_or(100);
        Ok(store_plans::list(&self.store, "region", codes.as_deref(), limit).await?)
    }

    /// Make every offer of a previewed plan in one transaction, or none.
    pub async fn apply_plan(&self, p: &Principal, id: PlanId, meta: &RequestMeta) -> Result<PlanView, ServiceError> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let view: PlanView = view_of(self.plan_to_apply(&mut tx, p, id, "region").await?)?;
        if now > view.apply_before {
            return Err(ServiceError::Conflict("the preview is more than 15 minutes old: preview again".into()));
        }
        self.make_planned_offers(&mut tx, &view.placements, view.id, p, meta, now).await?;
        store_plans::mark_applied(&mut tx, id, p.user_id, now).await?;
        let change = serde_json::json!({ "offers": view.placements.len(), "region_code": view.region_code });
        self.audit(&mut tx, &actor_of(p), meta, "plan.apply", "placement_plan", &id.to_string(), change).await?;
        tx.commit().await?;
        self.plan(p, id).await
    }

    /// Store a previewed plan (of either kind) with its audit entry.
    pub(crate) async fn store_preview(
        &self,
        p: &Principal,
        meta: &RequestMeta,
        stored: &StoredPlan,
        action: &str,
        change: serde_json::Value,
    ) -> Result<(), ServiceError> {
        let mut tx = self.store.begin().await?;
        store_plans::insert(&mut tx, stored).await?;
        self.audit(&mut tx, &actor_of(p), meta, action, "placement_plan", &stored.id.to_string(), change).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A stored plan of `kind` whose region `p` governs; otherwise not found.
    pub(crate) async fn stored_plan(&self, p: &Principal, id: PlanId, kind: &str) -> Result<StoredPlan, ServiceError> {
        let c = scope::coordinator(p)?;
        let stored = store_plans::get(&self.store, id).await?;
        if stored.kind != kind || !c.governs(&self.regions, stored.region_code) {
            return Err(ServiceError::NotFound);
        }
        Ok(stored)
    }

    /// A stored plan of `kind`, locked in `tx`, that `p` may apply: in their region and not
    /// applied yet.
    pub(crate) async fn plan_to_apply(
        &self,
        tx: &mut carebridge_store::Tx,
        p: &Principal,
        id: PlanId,
        kind: &str,
    ) -> Result<StoredPlan, ServiceError> {
        let c = scope::coordinator(p)?;
        let stored = store_plans::get_for_update(tx, id).await?;
        if stored.kind != kind || !c.governs(&self.regions, stored.region_code) {
            return Err(ServiceError::NotFound);
        }
        if stored.applied {
            return Err(ServiceError::Conflict(format!("the {kind} plan has been applied already")));
        }
        Ok(stored)
    }

    /// A waiting referral as the batch engine sees it: its need, the facilities around it
    /// (without `leaving`, the facility it is displaced from), those that declined it, and the
    /// weekday pattern it keeps, if any.
    pub(crate) async fn batch_patient(
        &self,
        r: &Referral,
        now: Timestamp,
        keeps: Option<(WeekdayPattern, Timestamp)>,
        leaving: Option<FacilityId>,
    ) -> Result<Patient, ServiceError> {
        let (need, (sw, ne)) = self.need_for(&r.draft).await?;
        let declined: Vec<FacilityId> = store::offers_of(&self.store, r.id)
            .await?
            .into_iter()
            .filter(|o| o.status != OfferStatus::Holding && Some(o.facility_id) != leaving)
            .map(|o| o.facility_id)
            .collect();
        let (mut sites, not_offering) =
            self.placement_index.sites(&self.store, r.draft.need, r.draft.unit(), sw, ne, now).await?;
        sites.retain(|s| Some(s.facility_id) != leaving);
        Ok(Patient { need, unit: r.draft.unit(), keeps, declined, sites, not_offering })
    }

    /// Make a plan's offers inside `tx`, re-checking that each referral still waits and each
    /// bed is still free; a `Conflict` (and the caller's rollback) otherwise.
    pub(crate) async fn make_planned_offers(
        &self,
        tx: &mut carebridge_store::Tx,
        placements: &[PlannedPlacement],
        plan: PlanId,
        p: &Principal,
        meta: &RequestMeta,
        now: Timestamp,
    ) -> Result<(), ServiceError> {
        for planned in placements {
            let current = store::get_for_update(tx, planned.referral_id).await?.referral;
            if !matches!(current.status, ReferralStatus::Pending | ReferralStatus::Escalated) {
                return Err(ServiceError::Conflict(format!(
                    "referral {} is {} now, not waiting: preview again",
                    current.id, current.status
                )));
            }
            let free = store::lock_unit(tx, planned.facility_id, planned.unit, now).await?.map_or(0, |a| a.free());
            if free <= 0 {
                return Err(ServiceError::Conflict(format!(
                    "facility {} has no free {} bed now: preview again",
                    planned.facility_id, planned.unit
                )));
            }
            let mut offer = Offer::holding(
                current.id,
                planned.facility_id,
                planned.unit,
                current.draft.urgency,
                now,
                false,
                planned.distance_km,
            );
            offer.pattern = planned.pattern;
            offer.travel_minutes = Some(planned.travel_minutes);
            offer.cross_province = planned.cross_province;
            offer.expires_at = self.hold_until(current.draft.patient.region_code, current.draft.urgency, now).await?;
            store::insert_offer(tx, &offer, Some(p.user_id)).await?;
            self.move_referral(tx, &current, ReferralStatus::Offered, current.failed_offers, None, now).await?;
            let detail = serde_json::json!({ "plan": plan, "chosen": planned, "offer": offer.id });
            store::append_event(
                tx,
                current.id,
                &event(now, "offered", ReferralStatus::Offered, Some(planned.facility_id), detail.clone()),
            )
            .await?;
            self.audit(tx, &engine_actor(), meta, "offer.make", "offer", &offer.id.to_string(), detail).await?;
        }
        Ok(())
    }
}

/// The plan's placements, by referral.
pub(crate) fn planned_placements(patients: &[Referral], plan: &batch::Plan) -> Vec<PlannedPlacement> {
    plan.assignments
        .iter()
        .map(|a| {
            let r = &patients[a.patient];
            PlannedPlacement {
                referral_id: r.id,
                need: r.draft.need,
                urgency: r.draft.urgency,
                facility_id: a.facility_id,
                unit: a.unit,
                pattern: a.pattern,
                gap_days: a.gap_days,
                distance_km: a.ranked.distance_km,
                travel_minutes: a.ranked.travel_minutes,
                cross_province: a.ranked.cross_province,
                cost: a.ranked.cost,
            }
        })
        .collect()
}

/// The plan's unplaced patients, by referral, with why.
pub(crate) fn planned_unplaced(patients: &[Referral], plan: &batch::Plan) -> Vec<PlannedUnplaced> {
    plan.unplaced
        .iter()
        .map(|u| {
            let r = &patients[u.patient];
            PlannedUnplaced {
                referral_id: r.id,
                need: r.draft.need,
                urgency: r.draft.urgency,
                why: u.why.clone(),
                feasible_facilities: u.feasible_facilities,
                beyond_travel_limit: u.beyond_travel_limit,
                excluded: u.excluded.iter().map(|e| (e.constraint.as_str().to_string(), e.facilities)).collect(),
            }
        })
        .collect()
}
