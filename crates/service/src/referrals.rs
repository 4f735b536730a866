//! Referrals: file once, and Carebridge finds the place, holds it, and keeps at it.
//!
//! Who may do what:
//!
//! | action | who |
//! | --- | --- |
//! | file | a clinician (patients of their facility's province), a coordinator (patients in their region), a patient (for themself) |
//! | read, timeline | the filer; clinicians of the referring facility; desks of a facility it was offered to; coordinators over the patient's region |
//! | accept, decline an offer; mark admitted | the desk of the offered facility |
//! | direct a placement | a coordinator over the patient's region, to a facility in that region |
//! | cancel | the filer, a clinician of the referring facility, a coordinator over the region |
//!
//! Placement runs after every change that frees or needs a bed (a filing, a decline, an expiry,
//! a cancelled hold, a capacity report: see `followup.rs` for the referrals a freed bed is
//! offered to) and from the [`sweep`](Carebridge::sweep_referrals) that a server runs
//! every few seconds: it expires holds whose time ran out, escalates referrals past their
//! maximum wait, and retries referrals still waiting for a bed. Every step is its own
//! transaction with its audit entry and its timeline event, so a crash between an offer and
//! its answer loses nothing: the hold is in the database and either still holds or expires at
//! the next sweep and goes out again.

use crate::context::{actor_of, Carebridge, RequestMeta};
use crate::error::ServiceError;
use crate::followup::Freed;
use crate::scope;
use carebridge_domain::audit::Actor;
use carebridge_domain::clock::Timestamp;
use carebridge_domain::facility::GeoPoint;
use carebridge_domain::ids::{FacilityId, OfferId, ReferralId};
use carebridge_domain::page::{decode_cursor, encode_cursor, page_size, Page};
use carebridge_domain::placement::ConstraintOverride;
use carebridge_domain::referral::{
    DeclineReason, Offer, OfferStatus, Referral, ReferralDraft, ReferralStatus, WeekdayPattern,
};
use carebridge_domain::region::RegionCode;
use carebridge_domain::service_kind::ServiceKind;
use carebridge_domain::text;
use carebridge_domain::user::{Principal, Role, Scope};
use carebridge_domain::{FieldError, ValidationErrors};
use carebridge_engines::placement::online::{self, Beds, Need, Site};
pub use carebridge_engines::placement::online::{Excluded, Exclusion, Placement, Ranked, TOO_FAR};
use carebridge_store::referrals::{
    self as store, Candidate, ReferralEvent, ReferralFilter, ReferralScope, StatusChange,
};
use carebridge_store::{facilities, StoreError, Visibility};
use serde::Serialize;

/// Declined or expired offers after which a referral escalates (the 75-year-old of the field
/// reports was refused by five hospitals).
pub const ESCALATE_AFTER_FAILED_OFFERS: i64 = 5;

/// How many ranked facilities a placement tries to hold, best first, before giving up for now
/// (a facility's last bed may be taken between the read and the hold).
const HOLD_ATTEMPTS: usize = 5;

/// Referrals waiting for a bed that one sweep retries at most.
pub const RETRIES_PER_SWEEP: usize = 100;

/// How long a waiting referral rests after a retry found no bed.
const RETRY_AFTER_MS: i64 = 60_000;

/// The engine's system actor, for steps no person took (expiries, escalations, automatic offers).
pub(crate) fn engine_actor() -> Actor {
    Actor { user_id: None, name: "system:placement".into(), role: None }
}

/// A referral as its readers see it: where it stands, its offers and its timeline.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReferralDetail {
    #[serde(flatten)]
    pub referral: Referral,
    /// The offer holding a bed now, if any.
    pub current_offer: Option<Offer>,
    pub offers: Vec<Offer>,
    pub events: Vec<EventView>,
    /// The ETag version.
    #[serde(skip)]
    pub version: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EventView {
    pub at: Timestamp,
    pub kind: String,
    pub status: ReferralStatus,
    #[schema(value_type = Option<String>)]
    pub facility_id: Option<FacilityId>,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

impl From<ReferralEvent> for EventView {
    fn from(e: ReferralEvent) -> Self {
        Self { at: e.at, kind: e.kind, status: e.status, facility_id: e.facility_id, detail: e.detail }
    }
}

/// A desk's answer to an offer.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, tag = "answer", rename_all = "snake_case")]
pub enum OfferAnswer {
    Accept,
    Decline {
        reason: DeclineReason,
        #[serde(default)]
        #[schema(schema_with = carebridge_domain::text::schemas::note_or_null)]
        note: Option<String>,
    },
}

/// A coordinator's directed placement. The facility must pass the patient's hard constraints
/// (every one the engine ranks by, but `already_declined`: the order is the answer to the
/// declines), or the placement is refused with 409 naming those it breaks, unless `override`
/// names every one of them with a reason.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DirectedPlacement {
    pub facility_id: FacilityId,
    /// Why this facility: required.
    #[schema(schema_with = carebridge_domain::text::schemas::reason)]
    pub note: String,
    /// The hard constraints the coordinator knowingly overrides, and why; audited, on the
    /// timeline and on the offer the desk reads.
    #[serde(default, rename = "override")]
    pub constraint_override: Option<ConstraintOverride>,
}

/// A referral checked and built by `prepare_referral`, for `record_referral` to write.
#[derive(Debug, Clone)]
pub(crate) struct PreparedReferral {
    pub referral: Referral,
    pub path: carebridge_domain::region::RegionPath,
    pub referring_facility: Option<FacilityId>,
}

/// What one sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SweepOutcome {
    pub expired: usize,
    pub escalated: usize,
    pub offered: usize,
}

/// What the engine weighed, as the timeline tells it: how many facilities, what excluded the
/// rest, the travel limit applied and how many places lie beyond it; with `why` when nothing
/// fits (`no_feasible_facility` or `too_far`).
fn unplaced_detail(p: &Placement) -> serde_json::Value {
    let excluded: serde_json::Map<String, serde_json::Value> =
        p.excluded.iter().map(|e| (e.constraint.as_str().to_string(), serde_json::json!(e.facilities))).collect();
    let mut detail = serde_json::json!({
        "considered": p.considered, "excluded": excluded,
        "travel_limit_minutes": p.travel_limit_minutes, "beyond_travel_limit": p.beyond_travel_limit,
    });
    if let Some(why) = p.unplaced_reason() {
        detail["why"] = serde_json::json!(why);
    }
    detail
}

impl Carebridge {
    fn backoff(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<ReferralId, Timestamp>> {
        self.placement_backoff.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Which referrals `p` may read.
    fn referral_scope(&self, p: &Principal) -> ReferralScope {
        match (p.role, p.scope) {
            (r, _) if r.is_coordinator() => match scope::coordinator(p) {
                Ok(c) => ReferralScope::Region(c.visibility(&self.regions)),
                Err(_) => ReferralScope::None,
            },
            (Role::Clinician, Scope::Facility(f)) => ReferralScope::ReferringFacility(f),
            (Role::FacilityDesk, Scope::Facility(f)) => ReferralScope::OfferedTo(f),
            (Role::Patient, _) => ReferralScope::FiledBy(p.user_id),
            _ => ReferralScope::None,
        }
    }

    /// The patient's location must lie in the region named, or within
    /// `boundaries::LOCATION_TOLERANCE_KM` of its deepest shipped boundary (see
    /// `carebridge_domain::boundaries`): a wrong coordinate or a wrong region code would
    /// otherwise rank facilities around the wrong place. Where only an ancestor's boundary is
    /// shipped (a district of a province without city outlines), the ancestor's is checked, and
    /// the detail says so.
    fn check_patient_location(&self, region: RegionCode, location: GeoPoint) -> Result<(), FieldError> {
        let index = carebridge_domain::boundaries::BoundaryIndex::shipped();
        index.check_location(&self.regions, region, location).map_err(|outside| {
            let name = |c| self.regions.get(c).map(|r| r.name.clone()).unwrap_or_default();
            let mut checked = format!("{} ({})", name(outside.checked), outside.checked);
            if outside.checked != region {
                checked = format!(
                    "{} ({}; {} {region} has no boundary of its own)",
                    name(outside.checked),
                    outside.checked,
                    name(region)
                );
            }
            FieldError::new(
                "/patient/location",
                format!(
                    "the location is {} km outside {checked}: check the coordinates and the region code",
                    outside.km.round() as i64
                ),
            )
        })
    }

    /// Every check of a referral's content that needs no principal: the domain's
    /// (`ReferralDraft::validate`), the region code's existence and the location in that
    /// region, all collected at once (a form shows them together).
    pub fn check_referral_draft(&self, draft: ReferralDraft) -> Result<ReferralDraft, ValidationErrors> {
        let region = draft.patient.region_code;
        let location = draft.patient.location;
        let (mut errors, draft) = match draft.clone().validate() {
            Ok(d) => (ValidationErrors::default(), d),
            Err(e) => (e, draft),
        };
        let location_ok = !errors.0.iter().any(|e| e.pointer.starts_with("/patient/location"));
        if self.regions.path(region).is_none() {
            errors.push("/patient/region_code", "no such region");
        } else if location_ok {
            if let Err(e) = self.check_patient_location(region, location) {
                errors.0.push(e);
            }
        }
        errors.finish(draft)
    }

    /// File a referral and make its first offer at once.
    pub async fn file_referral(
        &self,
        p: &Principal,
        draft: ReferralDraft,
        meta: &RequestMeta,
    ) -> Result<ReferralDetail, ServiceError> {
        let prepared = self.prepare_referral(p, draft).await?;
        let mut tx = self.store.begin().await?;
        self.record_referral(&mut tx, p, &prepared, meta).await?;
        tx.commit().await?;
        self.place_best_effort(prepared.referral.id, meta).await;
        self.referral_detail(prepared.referral.id).await
    }

    /// A referral checked and built, not yet written: every complaint about its content at
    /// once, then whether this filer may name the region.
    pub(crate) async fn prepare_referral(
        &self,
        p: &Principal,
        draft: ReferralDraft,
    ) -> Result<PreparedReferral, ServiceError> {
        let region = draft.patient.region_code;
        let (mut errors, draft) = match self.check_referral_draft(draft.clone()) {
            Ok(d) => (ValidationErrors::default(), d),
            Err(e) => (e, draft),
        };
        let referring_facility = match (p.role, p.scope) {
            (Role::Clinician, Scope::Facility(f)) => {
                let facility = facilities::get(&self.store, f, Visibility::Facility(f), self.now()).await?;
                if self.regions.path(region).is_some()
                    && !self.regions.contains(facility.draft.region_code.province(), region)
                {
                    errors.push(
                        "/patient/region_code",
                        "outside your facility's province: ask a coordinator to refer across provinces",
                    );
                }
                Some(f)
            }
            (r, _) if r.is_coordinator() => {
                if self.regions.path(region).is_some() && !scope::coordinator(p)?.governs(&self.regions, region) {
                    errors.push("/patient/region_code", "outside the region you govern");
                }
                None
            }
            (Role::Patient, _) => None,
            _ => return Err(ServiceError::Forbidden(format!("a {} cannot file referrals", p.role))),
        };
        let draft = errors.finish(draft)?;
        let path =
            self.regions.path(region).ok_or_else(|| ServiceError::invalid("/patient/region_code", "no such region"))?;
        let now = self.now();
        let (limit, _) = self.limit_for(region, draft.urgency).await?;
        let referral = Referral {
            id: ReferralId::new_v7(),
            wait_deadline: Timestamp::from_millis(now.millis() + limit.max_wait_minutes * 60_000),
            draft,
            status: ReferralStatus::Pending,
            filed_by: p.user_id,
            filed_at: now,
            failed_offers: 0,
            placed_at: None,
            escalated_at: None,
            updated_at: now,
        };
        Ok(PreparedReferral { referral, path, referring_facility })
    }

    /// Write a prepared referral, its `filed` event and its audit entry inside the caller's
    /// transaction (an online consultation becomes a referral this way, in one step). The
    /// caller places it once committed (`place_best_effort`).
    pub(crate) async fn record_referral(
        &self,
        tx: &mut carebridge_store::Tx,
        p: &Principal,
        prepared: &PreparedReferral,
        meta: &RequestMeta,
    ) -> Result<(), ServiceError> {
        let PreparedReferral { referral, path, referring_facility } = prepared;
        store::insert(tx, referral, path, *referring_facility).await?;
        let event = ReferralEvent {
            at: referral.filed_at,
            kind: "filed".into(),
            status: ReferralStatus::Pending,
            facility_id: *referring_facility,
            detail: serde_json::json!({ "need": referral.draft.need, "urgency": referral.draft.urgency }),
        };
        store::append_event(tx, referral.id, &event).await?;
        let change = serde_json::json!({ "referral": referral });
        self.audit(tx, &actor_of(p), meta, "referral.file", "referral", &referral.id.to_string(), change).await?;
        Ok(())
    }

    /// One referral with its offers and timeline, if `p` may see it.
    pub async fn referral(&self, p: &Principal, id: ReferralId) -> Result<ReferralDetail, ServiceError> {
        let scope = self.referral_scope(p);
        if scope == ReferralScope::None {
            return Err(ServiceError::Forbidden(format!("a {} does not read referrals", p.role)));
        }
        store::get(&self.store, id, scope).await?;
        self.referral_detail(id).await
    }

    pub(crate) async fn referral_detail(&self, id: ReferralId) -> Result<ReferralDetail, ServiceError> {
        let stored = store::get(&self.store, id, ReferralScope::Region(Visibility::All)).await?;
        let offers = store::offers_of(&self.store, id).await?;
        let events = store::events(&self.store, id).await?;
        Ok(ReferralDetail {
            current_offer: offers.iter().find(|o| o.status == OfferStatus::Holding).cloned(),
            referral: stored.referral,
            offers,
            events: events.into_iter().map(EventView::from).collect(),
            version: stored.version,
        })
    }

    /// Referrals `p` may read, newest first.
    pub async fn referrals(
        &self,
        p: &Principal,
        filter: &ReferralFilter,
        cursor: Option<&str>,
        limit: Option<u32>,
    ) -> Result<Page<Referral>, ServiceError> {
        let scope = self.referral_scope(p);
        if scope == ReferralScope::None {
            return Err(ServiceError::Forbidden(format!("a {} does not read referrals", p.role)));
        }
        let limit = page_size(limit).map_err(|e| ServiceError::invalid("/limit", e))?;
        let before = cursor.map(decode_cursor).transpose().map_err(|e| ServiceError::invalid("/cursor", e))?;
        let mut items: Vec<Referral> = store::list(&self.store, scope, filter, before.as_deref(), limit)
            .await?
            .into_iter()
            .map(|s| s.referral)
            .collect();
        let next = if items.len() > limit as usize {
            items.truncate(limit as usize);
            items.last().map(|r| encode_cursor(&r.id.to_string()))
        } else {
            None
        };
        Ok(Page { items, next_cursor: next })
    }

    /// The offers made to a desk's facility, newest first (its inbox).
    pub async fn offer_inbox(&self, p: &Principal, status: Option<OfferStatus>) -> Result<Vec<Offer>, ServiceError> {
        let facility = desk_facility(p)?;
        Ok(store::offers_to(&self.store, facility, status, 200).await?)
    }

    /// The desk answers an offer. A decline names its reason; the bed is released and the next
    /// offer goes out at once. A directed placement cannot be declined.
    pub async fn answer_offer(
        &self,
        p: &Principal,
        offer_id: OfferId,
        answer: OfferAnswer,
        meta: &RequestMeta,
    ) -> Result<ReferralDetail, ServiceError> {
        let facility = desk_facility(p)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let offer = store::offer_for_update(&mut tx, offer_id).await?;
        if offer.facility_id != facility {
            return Err(ServiceError::NotFound);
        }
        if offer.status != OfferStatus::Holding || offer.expires_at <= now {
            return Err(ServiceError::Conflict(format!(
                "the offer is {} and can no longer be answered",
                if offer.status == OfferStatus::Holding { "expired" } else { offer.status.as_str() }
            )));
        }
        let referral = store::get_for_update(&mut tx, offer.referral_id).await?.referral;
        let (action, replace) = match answer {
            OfferAnswer::Accept => {
                store::close_offer(&mut tx, offer.id, OfferStatus::Accepted, now, Some(p.user_id), None).await?;
                self.move_referral(
                    &mut tx,
                    &referral,
                    ReferralStatus::Accepted,
                    referral.failed_offers,
                    Some(facility),
                    now,
                )
                .await?;
                let event = event(now, "accepted", ReferralStatus::Accepted, Some(facility), serde_json::json!({}));
                store::append_event(&mut tx, referral.id, &event).await?;
                ("offer.accept", false)
            }
            OfferAnswer::Decline { reason, note } => {
                if offer.directed {
                    return Err(ServiceError::Conflict(
                        "a directed placement is an order: the facility must accept it".into(),
                    ));
                }
                if let Some(problem) = note.as_deref().and_then(|n| text::rules::NOTE.problem(n)) {
                    return Err(ServiceError::invalid("/note", problem));
                }
                let note = note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
                store::close_offer(
                    &mut tx,
                    offer.id,
                    OfferStatus::Declined,
                    now,
                    Some(p.user_id),
                    Some((reason, note.clone())),
                )
                .await?;
                let detail = serde_json::json!({ "reason": reason, "note": note });
                self.after_failed_offer(&mut tx, &referral, &offer, "declined", detail, now).await?;
                ("offer.decline", true)
            }
        };
        let change = serde_json::json!({ "offer": offer.id, "referral": referral.id, "answer": action });
        self.audit(&mut tx, &actor_of(p), meta, action, "offer", &offer.id.to_string(), change).await?;
        tx.commit().await?;
        if replace {
            // The declined patient first (the facility that declined is left out of their
            // ranking), then the bed it released, for whoever it can help.
            self.place_best_effort(referral.id, meta).await;
            self.follow_freed_beds(Freed::one(offer.facility_id, offer.unit));
        }
        self.referral_detail(referral.id).await
    }

    /// The desk of the facility the patient was accepted at marks them admitted.
    pub async fn admit_referral(
        &self,
        p: &Principal,
        id: ReferralId,
        meta: &RequestMeta,
    ) -> Result<ReferralDetail, ServiceError> {
        let facility = desk_facility(p)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let referral = store::get_for_update(&mut tx, id).await?.referral;
        if referral.placed_at != Some(facility) {
            return Err(ServiceError::NotFound);
        }
        self.move_referral(&mut tx, &referral, ReferralStatus::Admitted, referral.failed_offers, Some(facility), now)
            .await?;
        store::append_event(
            &mut tx,
            id,
            &event(now, "admitted", ReferralStatus::Admitted, Some(facility), serde_json::json!({})),
        )
        .await?;
        let change = serde_json::json!({ "referral": id, "facility": facility });
        self.audit(&mut tx, &actor_of(p), meta, "referral.admit", "referral", &id.to_string(), change).await?;
        tx.commit().await?;
        self.referral_detail(id).await
    }

    /// Cancel an open referral (its holding offer, if any, is withdrawn and the bed released).
    pub async fn cancel_referral(
        &self,
        p: &Principal,
        id: ReferralId,
        reason: &str,
        meta: &RequestMeta,
    ) -> Result<ReferralDetail, ServiceError> {
        let scope = match self.referral_scope(p) {
            ReferralScope::OfferedTo(_) | ReferralScope::None => {
                return Err(ServiceError::Forbidden(format!("a {} cannot cancel referrals", p.role)))
            }
            s => s,
        };
        if let Some(problem) = text::rules::REASON.problem(reason) {
            return Err(ServiceError::invalid("/reason", format!("{problem}: say why")));
        }
        let reason = reason.trim();
        store::get(&self.store, id, scope).await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let referral = store::get_for_update(&mut tx, id).await?.referral;
        let freed = withdraw_holding(&mut tx, id, p, now).await?;
        self.move_referral(
            &mut tx,
            &referral,
            ReferralStatus::Cancelled,
            referral.failed_offers,
            referral.placed_at,
            now,
        )
        .await?;
        let detail = serde_json::json!({ "reason": reason });
        store::append_event(&mut tx, id, &event(now, "cancelled", ReferralStatus::Cancelled, None, detail.clone()))
            .await?;
        self.audit(&mut tx, &actor_of(p), meta, "referral.cancel", "referral", &id.to_string(), detail).await?;
        tx.commit().await?;
        if let Some(freed) = freed {
            self.follow_freed_beds(freed);
        }
        self.referral_detail(id).await
    }

    /// A coordinator directs the patient to a facility of their region: an offer the facility
    /// must accept, recorded as directed. A holding offer elsewhere is withdrawn.
    ///
    /// The facility is checked against the patient's hard constraints by the engine's own
    /// [`online::fit`] on the database's numbers, under the unit's lock: a facility that
    /// breaks any (no bed free, virus-designated for a negative patient, too far, …) is refused
    /// with every broken constraint named, unless the coordinator's `override` names each of
    /// them with a reason. An override is audited in the same transaction, is a
    /// `constraints_overridden` step on the timeline, and travels on the offer to the desk.
    pub async fn direct_placement(
        &self,
        p: &Principal,
        id: ReferralId,
        directed: DirectedPlacement,
        meta: &RequestMeta,
    ) -> Result<ReferralDetail, ServiceError> {
        let c = scope::coordinator(p)?;
        let visibility = c.visibility(&self.regions);
        let stored = store::get(&self.store, id, ReferralScope::Region(visibility)).await?;
        if let Some(problem) = text::rules::REASON.problem(&directed.note) {
            return Err(ServiceError::invalid("/note", format!("{problem}: say why this facility")));
        }
        let note = directed.note.trim().to_string();
        let named = directed.constraint_override.map(|o| o.validate("/override")).transpose()?;
        let facility = facilities::get(&self.store, directed.facility_id, visibility, self.now())
            .await
            .map_err(|_| ServiceError::invalid("/facility_id", "no such facility in the region you govern"))?;
        // The draft never changes after filing: its need is read before the transaction.
        let (need, _) = self.need_for(&stored.referral.draft).await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let referral = store::get_for_update(&mut tx, id).await?.referral;
        if !referral.status.is_open() {
            return Err(ServiceError::Conflict(format!("the referral is {}", referral.status)));
        }
        let unit = referral.draft.unit();
        let seen = store::lock_unit(&mut tx, facility.id, unit, now).await?;
        let candidate = store::candidate(&mut tx, facility.id, unit, now).await?.ok_or(ServiceError::NotFound)?;
        // The coordinator's order answers the declines: `already_declined` is not checked.
        let fit = online::fit(&need, &site_of(&candidate, referral.draft.need), false);
        let missing: Vec<FieldError> = fit
            .violations
            .iter()
            .filter(|e| !named.as_ref().is_some_and(|o| o.constraints.contains(e)))
            .map(|e| FieldError::constraint("/facility_id", e))
            .collect();
        if !missing.is_empty() {
            return Err(ServiceError::ConstraintsBroken(missing));
        }
        let overridden =
            named.map(|o| ConstraintOverride { constraints: fit.violations.iter().collect(), reason: o.reason });
        let overridden = overridden.filter(|o| !o.constraints.is_empty());
        let freed = withdraw_holding(&mut tx, id, p, now).await?;
        let distance_km = (fit.distance_km * 10.0).round() / 10.0;
        let mut offer = Offer::holding(id, facility.id, unit, referral.draft.urgency, now, true, distance_km);
        offer.pattern = pick_pattern(&mut tx, &referral, facility.id).await?;
        offer.expires_at = self.hold_until(referral.draft.patient.region_code, referral.draft.urgency, now).await?;
        offer.travel_minutes = Some(fit.travel_minutes);
        offer.cross_province = fit.cross_province;
        offer.constraint_override = overridden.clone();
        store::insert_offer(&mut tx, &offer, Some(p.user_id)).await?;
        self.move_referral(&mut tx, &referral, ReferralStatus::Offered, referral.failed_offers, None, now).await?;
        let detail = serde_json::json!({
            "note": note, "free_beds_seen": seen.map(|s| s.free()), "offer": offer.id,
            "travel_minutes": fit.travel_minutes, "cross_province": fit.cross_province,
            "override": overridden,
        });
        store::append_event(
            &mut tx,
            id,
            &event(now, "directed", ReferralStatus::Offered, Some(facility.id), detail.clone()),
        )
        .await?;
        self.audit(&mut tx, &actor_of(p), meta, "referral.direct", "referral", &id.to_string(), detail).await?;
        if let Some(o) = &overridden {
            let detail = serde_json::json!({
                "constraints": o.constraints, "reason": o.reason, "offer": offer.id, "facility_id": facility.id,
            });
            store::append_event(
                &mut tx,
                id,
                &event(now, "constraints_overridden", ReferralStatus::Offered, Some(facility.id), detail.clone()),
            )
            .await?;
            self.audit(
                &mut tx,
                &actor_of(p),
                meta,
                "referral.override_constraints",
                "referral",
                &id.to_string(),
                detail,
            )
            .await?;
        }
        tx.commit().await?;
        if let Some(freed) = freed {
            self.follow_freed_beds(freed);
        }
        self.referral_detail(id).await
    }

    /// Expire holds whose time ran out, escalate referrals past their maximum wait, and retry
    /// referrals waiting for a bed. Safe to run from several processes at once: every step
    /// re-reads its rows under the write lock and skips what another already did.
    pub async fn sweep_referrals(&self) -> Result<SweepOutcome, ServiceError> {
        let meta = RequestMeta { request_id: Some("sweep".into()) };
        let mut outcome = SweepOutcome::default();
        let now = self.now();
        // For writes by other processes, which the store's change marks do not see.
        self.placement_index.refresh_if_older(&self.store, crate::placement_index::FULL_RELOAD_AFTER).await?;
        for offer in store::expired_holds(&self.store, now, 500).await? {
            let mut tx = self.store.begin().await?;
            match store::close_offer(&mut tx, offer.id, OfferStatus::Expired, now, None, None).await {
                Ok(()) => {}
                Err(StoreError::Conflict(_)) => continue,
                Err(e) => return Err(e.into()),
            }
            let referral = store::get_for_update(&mut tx, offer.referral_id).await?.referral;
            let detail = serde_json::json!({ "offered_at": offer.offered_at, "expires_at": offer.expires_at });
            self.after_failed_offer(&mut tx, &referral, &offer, "expired", detail, now).await?;
            let change = serde_json::json!({ "offer": offer.id, "referral": referral.id });
            self.audit(&mut tx, &engine_actor(), &meta, "offer.expire", "offer", &offer.id.to_string(), change).await?;
            tx.commit().await?;
            outcome.expired += 1;
            // The patient whose hold ran out goes out again now, and the released bed to
            // whoever it can help (not at the next retry interval).
            match self.place(referral.id, &meta).await {
                Ok(true) => outcome.offered += 1,
                Ok(false) => {}
                Err(e) => tracing::warn!(referral = %referral.id, error = %e, "placement after an expiry failed"),
            }
            self.follow_freed_beds(Freed::one(offer.facility_id, offer.unit));
        }
        for id in store::overdue(&self.store, now, 500).await? {
            let mut tx = self.store.begin().await?;
            let referral = store::get_for_update(&mut tx, id).await?.referral;
            if referral.escalated_at.is_some() || !referral.status.is_open() {
                continue;
            }
            let status = if referral.status == ReferralStatus::Offered {
                ReferralStatus::Offered
            } else {
                ReferralStatus::Escalated
            };
            self.escalate(&mut tx, &referral, status, "max_wait_passed", now).await?;
            tx.commit().await?;
            outcome.escalated += 1;
        }
        // Retry referrals still waiting for a bed, a bounded number per sweep, each at most
        // once per retry interval (a routine referral's placement reads every facility within
        // 500 km).
        self.backoff().retain(|_, at| *at > now);
        let mut attempts = 0;
        for id in store::waiting(&self.store, 2_000).await? {
            if attempts >= RETRIES_PER_SWEEP {
                break;
            }
            let due = self.backoff().get(&id).is_none_or(|at| *at <= now);
            if !due {
                continue;
            }
            attempts += 1;
            if self.place(id, &meta).await? {
                self.backoff().remove(&id);
                outcome.offered += 1;
            } else {
                self.backoff().insert(id, Timestamp::from_millis(now.millis() + RETRY_AFTER_MS));
            }
        }
        Ok(outcome)
    }

    /// After a decline or an expiry: count it, escalate at the limit, else back to pending.
    async fn after_failed_offer(
        &self,
        tx: &mut carebridge_store::Tx,
        referral: &Referral,
        offer: &Offer,
        kind: &str,
        detail: serde_json::Value,
        now: Timestamp,
    ) -> Result<(), ServiceError> {
        let failed = referral.failed_offers + 1;
        let back_to = if referral.escalated_at.is_some() { ReferralStatus::Escalated } else { ReferralStatus::Pending };
        self.move_referral(tx, referral, back_to, failed, None, now).await?;
        store::append_event(tx, referral.id, &event(now, kind, back_to, Some(offer.facility_id), detail)).await?;
        if failed >= ESCALATE_AFTER_FAILED_OFFERS && referral.escalated_at.is_none() {
            let moved = Referral { status: back_to, failed_offers: failed, ..referral.clone() };
            self.escalate(tx, &moved, ReferralStatus::Escalated, "offers_failed", now).await?;
        }
        Ok(())
    }

    /// Escalate to the region's coordinators: the referral is flagged, its timeline says why
    /// (with every decline reason so far), and the audit log records the alert.
    pub(crate) async fn escalate(
        &self,
        tx: &mut carebridge_store::Tx,
        referral: &Referral,
        status: ReferralStatus,
        why: &str,
        now: Timestamp,
    ) -> Result<(), ServiceError> {
        let declines: Vec<serde_json::Value> = store::offers_of_tx(tx, referral.id)
            .await?
            .into_iter()
            .filter(|o| o.status == OfferStatus::Declined || o.status == OfferStatus::Expired)
            .map(|o| serde_json::json!({ "facility_id": o.facility_id, "status": o.status, "reason": o.decline_reason, "note": o.decline_note }))
            .collect();
        let escalated = Referral { escalated_at: Some(now), ..referral.clone() };
        if status != referral.status && !referral.status.can_become(status) {
            return Err(ServiceError::Conflict(format!("a {} referral cannot escalate", referral.status)));
        }
        store::set_status(
            tx,
            referral.id,
            StatusChange {
                status,
                failed_offers: referral.failed_offers,
                placed_at: None,
                escalated_at: Some(now),
                at: now,
            },
        )
        .await?;
        let detail = serde_json::json!({ "why": why, "failed_offers": referral.failed_offers, "declines": declines });
        store::append_event(tx, referral.id, &event(now, "escalated", status, None, detail.clone())).await?;
        let entry = self.audit_entry(
            &engine_actor(),
            &RequestMeta::default(),
            "referral.escalate",
            "referral",
            &escalated.id.to_string(),
            detail,
        );
        carebridge_store::audit::append(tx, &entry).await?;
        Ok(())
    }

    /// Check and write a status change.
    pub(crate) async fn move_referral(
        &self,
        tx: &mut carebridge_store::Tx,
        referral: &Referral,
        to: ReferralStatus,
        failed_offers: i64,
        placed_at: Option<FacilityId>,
        now: Timestamp,
    ) -> Result<(), ServiceError> {
        if referral.status != to && !referral.status.can_become(to) {
            return Err(ServiceError::Conflict(format!("a {} referral cannot become {to}", referral.status)));
        }
        let change =
            StatusChange { status: to, failed_offers, placed_at, escalated_at: referral.escalated_at, at: now };
        Ok(store::set_status(tx, referral.id, change).await?)
    }

    /// [`Self::place`] right after a step the caller has committed (a filing, a decline): its
    /// failure must not turn the committed step into an error answer, which a client would
    /// retry (and the idempotency layer lets a 5xx be retried), filing twice. The sweep tries
    /// again within seconds.
    pub(crate) async fn place_best_effort(&self, id: ReferralId, meta: &RequestMeta) {
        if let Err(e) = self.place(id, meta).await {
            tracing::warn!(referral = %id, error = %e, "placement after the step failed; the sweep will retry");
        }
    }

    /// Rank facilities for the referral and hold the best free bed: an offer. Answers whether
    /// an offer was made. Does nothing for a referral that is closed or already holds a bed.
    pub(crate) async fn place(&self, id: ReferralId, meta: &RequestMeta) -> Result<bool, ServiceError> {
        let stored = store::get(&self.store, id, ReferralScope::Region(Visibility::All)).await?;
        let referral = stored.referral;
        if !matches!(referral.status, ReferralStatus::Pending | ReferralStatus::Escalated) {
            return Ok(false);
        }
        let now = self.now();
        let placement = self.rank(&referral, now).await?;
        for ranked in placement.ranked.iter().take(HOLD_ATTEMPTS) {
            let mut tx = self.store.begin().await?;
            let current = store::get_for_update(&mut tx, id).await?.referral;
            if !matches!(current.status, ReferralStatus::Pending | ReferralStatus::Escalated) {
                return Ok(false);
            }
            let unit = current.draft.unit();
            let free = store::lock_unit(&mut tx, ranked.facility_id, unit, now).await?.map_or(0, |a| a.free());
            if free <= 0 {
                continue; // taken since the read: try the next one
            }
            let mut offer =
                Offer::holding(id, ranked.facility_id, unit, current.draft.urgency, now, false, ranked.distance_km);
            offer.travel_minutes = Some(ranked.travel_minutes);
            offer.cross_province = ranked.cross_province;
            offer.pattern = pick_pattern(&mut tx, &current, ranked.facility_id).await?;
            offer.expires_at = self.hold_until(current.draft.patient.region_code, current.draft.urgency, now).await?;
            store::insert_offer(&mut tx, &offer, None).await?;
            self.move_referral(&mut tx, &current, ReferralStatus::Offered, current.failed_offers, None, now).await?;
            let mut detail = unplaced_detail(&placement);
            detail["chosen"] = serde_json::json!(ranked);
            detail["offer"] = serde_json::json!(offer.id);
            store::append_event(
                &mut tx,
                id,
                &event(now, "offered", ReferralStatus::Offered, Some(ranked.facility_id), detail.clone()),
            )
            .await?;
            self.audit(&mut tx, &engine_actor(), meta, "offer.make", "offer", &offer.id.to_string(), detail).await?;
            tx.commit().await?;
            return Ok(true);
        }
        // No offer now: say why once (the sweep retries; the same explanation is not repeated).
        // A patient who could be placed only beyond their travel limit is stranded by
        // distance: never sent farther, escalated to the region's coordinators at once.
        let detail = unplaced_detail(&placement);
        let stranded = placement.ranked.is_empty() && placement.unplaced_reason() == Some(TOO_FAR);
        // An escalation does not change why nothing fits: the explanation before it still
        // stands, and a retry after it must not repeat it.
        let last = store::events(&self.store, id).await?.into_iter().rev().find(|e| e.kind != "escalated");
        let told = last.as_ref().is_some_and(|e| e.kind == "unplaced" && e.detail == detail);
        if told && !(stranded && referral.escalated_at.is_none()) {
            return Ok(false);
        }
        let mut tx = self.store.begin().await?;
        let current = store::get_for_update(&mut tx, id).await?.referral;
        if !matches!(current.status, ReferralStatus::Pending | ReferralStatus::Escalated) {
            return Ok(false);
        }
        if !told {
            store::append_event(&mut tx, id, &event(now, "unplaced", current.status, None, detail)).await?;
        }
        if stranded && current.escalated_at.is_none() {
            self.escalate(&mut tx, &current, ReferralStatus::Escalated, TOO_FAR, now).await?;
        }
        tx.commit().await?;
        Ok(false)
    }

    /// The engine's answer for a referral now, from the facilities within its travel limit,
    /// leaving out those its earlier offers went to.
    async fn rank(&self, referral: &Referral, now: Timestamp) -> Result<Placement, ServiceError> {
        let declined: Vec<FacilityId> = store::offers_of(&self.store, referral.id)
            .await?
            .into_iter()
            .filter(|o| o.status != OfferStatus::Holding)
            .map(|o| o.facility_id)
            .collect();
        self.rank_need(&referral.draft, &declined, now).await
    }

    /// What the engine would answer for this need now, writing nothing: the snapshot read (the
    /// facilities within the urgency's travel limit, with beds net of holds) and the ranking.
    /// The online-placement benchmark times this (`carebridge bench online`).
    pub async fn rank_need(
        &self,
        d: &ReferralDraft,
        declined: &[FacilityId],
        now: Timestamp,
    ) -> Result<Placement, ServiceError> {
        let (need, (sw, ne)) = self.need_for(d).await?;
        let (sites, not_offering) = self.placement_index.sites(&self.store, d.need, d.unit(), sw, ne, now).await?;
        let mut placement = online::place(&need, &sites, declined, HOLD_ATTEMPTS);
        placement.count_excluded(Exclusion::ServiceNotOffered, not_offering);
        Ok(placement)
    }

    /// [`Self::rank_need`] read from the database instead of the placement index: the
    /// reference the index is tested against, and the online benchmark's peer.
    pub async fn rank_need_from_database(
        &self,
        d: &ReferralDraft,
        declined: &[FacilityId],
        now: Timestamp,
    ) -> Result<Placement, ServiceError> {
        let (need, (sw, ne)) = self.need_for(d).await?;
        let (candidates, not_offering) = store::candidates(&self.store, d.need, d.unit(), sw, ne, now).await?;
        let sites: Vec<Site> = candidates.iter().map(|c| site_of(c, d.need)).collect();
        let mut placement = online::place(&need, &sites, declined, HOLD_ATTEMPTS);
        placement.count_excluded(Exclusion::ServiceNotOffered, not_offering);
        Ok(placement)
    }

    /// What placement needs to know of a referral, with its region's travel rule, and the box
    /// to read facilities from: as far as the urgency's one-off limit (farther than a recurring
    /// patient's session limit, so that a patient beyond it learns places exist farther away).
    pub(crate) async fn need_for(&self, d: &ReferralDraft) -> Result<(Need, (GeoPoint, GeoPoint)), ServiceError> {
        let region = d.patient.region_code;
        let (travel, reach_minutes) = self.travel_rule(region, d.urgency, d.schedule).await?;
        let need = Need {
            service: d.need,
            urgency: d.urgency,
            infection: d.patient.infection,
            age_band: d.patient.age_band,
            location: d.patient.location,
            province: region.province(),
            schedule: d.schedule,
            travel,
        };
        let reach_km = online::reach_km(reach_minutes, d.urgency);
        Ok((need, online::bounding_box(need.location, reach_km)))
    }

    /// The engine's ranking for a referral without making an offer: a coordinator's "why not".
    pub async fn explain_referral(&self, p: &Principal, id: ReferralId) -> Result<Placement, ServiceError> {
        let c = scope::coordinator(p)?;
        let stored = store::get(&self.store, id, ReferralScope::Region(c.visibility(&self.regions))).await?;
        self.rank(&stored.referral, self.now()).await
    }
}

/// A facility read from the database as the engine sees it for a need of `service`: the same
/// mapping the placement index makes from its own copy.
fn site_of(c: &Candidate, service: ServiceKind) -> Site {
    Site {
        facility_id: c.facility_id,
        location: c.location,
        province: c.province,
        offers_service: c.services.contains(&service),
        offers_paediatrics: c.services.contains(&ServiceKind::Pediatrics),
        paediatric_only: c.paediatric_only,
        designation: c.designation,
        takes_new_patients: c.takes_new_patients,
        beds: c.unit.map(|u| Beds { staffed: u.staffed, occupied: u.occupied, held: u.held }),
        isolation_free: c.isolation_free,
    }
}

/// The least-loaded weekday pattern of the referral's schedule at `facility` (ties: the
/// first); `None` for a patient without a recurring schedule.
async fn pick_pattern(
    tx: &mut carebridge_store::Tx,
    referral: &Referral,
    facility: FacilityId,
) -> Result<Option<WeekdayPattern>, ServiceError> {
    let Some(schedule) = referral.draft.schedule else { return Ok(None) };
    let loads = store::pattern_loads(tx, facility, referral.draft.unit()).await?;
    let load = |p: &WeekdayPattern| loads.iter().find(|(q, _)| q == p).map_or(0, |(_, n)| *n);
    Ok(schedule.patterns().iter().copied().min_by_key(load))
}

/// Withdraw the referral's holding offer, if it has one, releasing its bed (answered: the bed
/// freed, for [`Carebridge::follow_freed_beds`] once the caller committed).
async fn withdraw_holding(
    tx: &mut carebridge_store::Tx,
    referral: ReferralId,
    by: &Principal,
    now: Timestamp,
) -> Result<Option<Freed>, ServiceError> {
    let holding = store::offers_of_tx(tx, referral).await?.into_iter().find(|o| o.status == OfferStatus::Holding);
    if let Some(holding) = &holding {
        store::close_offer(tx, holding.id, OfferStatus::Withdrawn, now, Some(by.user_id), None).await?;
    }
    Ok(holding.map(|o| Freed::one(o.facility_id, o.unit)))
}

pub(crate) fn event(
    at: Timestamp,
    kind: &str,
    status: ReferralStatus,
    facility_id: Option<FacilityId>,
    detail: serde_json::Value,
) -> ReferralEvent {
    ReferralEvent { at, kind: kind.into(), status, facility_id, detail }
}

/// The facility of a desk, or 403.
fn desk_facility(p: &Principal) -> Result<FacilityId, ServiceError> {
    match (p.role, p.scope) {
        (Role::FacilityDesk, Scope::Facility(f)) => Ok(f),
        _ => Err(ServiceError::Forbidden("facility desks only".into())),
    }
}
