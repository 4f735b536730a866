//! The engine's ranking of one referral with its reasons facility by facility: what the referral
//! page shows a clinician or coordinator, and what the directed-placement form shows beside each
//! facility a coordinator may choose.
//!
//! [`Carebridge::explain_referral`] answers with counts (how many facilities each hard
//! constraint excluded); this answers with the facilities themselves: the feasible ones in the
//! engine's order (untruncated, with cost, free beds and travel), and every excluded one with
//! *every* constraint it breaks (not just the first it is counted under), from the same
//! [`online::fit`] the engine and directed placement decide with, on the same snapshot
//! (the placement index). Writes nothing.
//!
//! Who may ask: a coordinator over the patient's region, and the clinicians of the referring
//! facility (they filed it and follow it). Patients, desks and auditors read the recorded
//! reasons on the timeline instead: the ranking shows other facilities' free beds, which a
//! patient's page never does.

use crate::context::Carebridge;
use crate::error::ServiceError;
use carebridge_domain::designation::Designation;
use carebridge_domain::facility::GeoPoint;
use carebridge_domain::ids::{FacilityId, ReferralId};
use carebridge_domain::referral::OfferStatus;
use carebridge_domain::user::{Principal, Role};
pub use carebridge_engines::placement::online::CostParts;
use carebridge_engines::placement::online::{self, Exclusion, Placement};

/// How one facility fits the referral's patient.
#[derive(Debug, Clone, PartialEq)]
pub struct FacilityFit {
    pub facility_id: FacilityId,
    /// Its designation now.
    pub designation: Designation,
    /// Free staffed beds of the need's unit after holds; `None` when the unit was never
    /// reported.
    pub free_beds: Option<i64>,
    /// Straight-line km, one decimal.
    pub distance_km: f64,
    /// The travel estimate, minutes one way (per session for recurring care).
    pub travel_minutes: i64,
    /// For recurring care, the week's travel: `travel_minutes × 2 × sessions a week`.
    pub weekly_travel_minutes: Option<i64>,
    pub cross_province: bool,
    /// The facility declined this referral before (or let its offer lapse).
    pub declined: bool,
    /// Every hard constraint it breaks, in the engine's order (empty: feasible).
    pub violations: Vec<Exclusion>,
    /// Its place in the engine's ranking (1 = best), when feasible.
    pub rank: Option<usize>,
    /// The engine's cost, when feasible.
    pub cost: Option<i64>,
    /// The terms of that cost.
    pub parts: Option<CostParts>,
}

impl FacilityFit {
    /// The first constraint broken: what the engine counts the facility under.
    pub fn first(&self) -> Option<Exclusion> {
        self.violations.first().copied()
    }
}

/// The ranking of one referral now.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranking {
    /// The engine's answer (counts by first constraint, every feasible facility ranked).
    pub placement: Placement,
    /// Every facility within the referral's reach that offers the care (and those asked for
    /// by `also`): the feasible ones in rank order, then the excluded by their first
    /// constraint and travel.
    pub fits: Vec<FacilityFit>,
}

impl Carebridge {
    /// The engine's ranking of referral `id` now, facility by facility; `also`: facilities
    /// (with their location) to judge as well even beyond the referral's reach (the choices of
    /// a directed placement). Only coordinators over the patient's region and clinicians of the
    /// referring facility may ask.
    pub async fn referral_ranking(
        &self,
        p: &Principal,
        id: ReferralId,
        also: &[(FacilityId, GeoPoint)],
    ) -> Result<Ranking, ServiceError> {
        if !(p.role.is_coordinator() || p.role == Role::Clinician) {
            return Err(ServiceError::Forbidden(format!("a {} does not read the engine's ranking", p.role)));
        }
        // The scope check of reading the referral itself.
        let d = self.referral(p, id).await?;
        let draft = &d.referral.draft;
        let declined: Vec<FacilityId> =
            d.offers.iter().filter(|o| o.status != OfferStatus::Holding).map(|o| o.facility_id).collect();
        let (need, (sw, ne)) = self.need_for(draft).await?;
        // One read of the snapshot over the box holding the reach and every extra facility.
        let (mut lo, mut hi) = (sw, ne);
        for (_, at) in also {
            lo = GeoPoint { lon: lo.lon.min(at.lon), lat: lo.lat.min(at.lat) };
            hi = GeoPoint { lon: hi.lon.max(at.lon), lat: hi.lat.max(at.lat) };
        }
        let now = self.now();
        let (sites, _) = self.placement_index.sites(&self.store, draft.need, draft.unit(), lo, hi, now).await?;
        let inside = |g: GeoPoint| g.lon >= sw.lon && g.lon <= ne.lon && g.lat >= sw.lat && g.lat <= ne.lat;
        let reach: Vec<online::Site> = sites.iter().filter(|s| inside(s.location)).cloned().collect();
        // The engine's answer on the reach alone, as placement itself would rank it.
        let (_, not_offering) = self.placement_index.sites(&self.store, draft.need, draft.unit(), sw, ne, now).await?;
        let mut placement = online::place(&need, &reach, &declined, reach.len());
        placement.count_excluded(Exclusion::ServiceNotOffered, not_offering);
        let wanted = |f: FacilityId| also.iter().any(|(a, _)| *a == f);
        let mut fits: Vec<FacilityFit> = sites
            .iter()
            .filter(|s| inside(s.location) || wanted(s.facility_id))
            .map(|site| {
                let was_declined = declined.contains(&site.facility_id);
                let fit = online::fit(&need, site, was_declined);
                let rank = placement.ranked.iter().position(|r| r.facility_id == site.facility_id);
                FacilityFit {
                    facility_id: site.facility_id,
                    designation: site.designation,
                    free_beds: site.beds.map(|b| b.free()),
                    distance_km: (fit.distance_km * 10.0).round() / 10.0,
                    travel_minutes: fit.travel_minutes,
                    weekly_travel_minutes: draft
                        .schedule
                        .map(|s| fit.travel_minutes * 2 * i64::from(s.sessions_per_week)),
                    cross_province: fit.cross_province,
                    declined: was_declined,
                    violations: fit.violations.iter().collect(),
                    rank: rank.map(|i| i + 1),
                    cost: rank.map(|i| placement.ranked[i].cost),
                    parts: rank.map(|i| placement.ranked[i].parts),
                }
            })
            .collect();
        fits.sort_by(|a, b| {
            let key = |f: &FacilityFit| (f.rank.is_none(), f.rank.unwrap_or(0), f.first());
            key(a).cmp(&key(b)).then(a.travel_minutes.cmp(&b.travel_minutes)).then(a.facility_id.cmp(&b.facility_id))
        });
        Ok(Ranking { placement, fits })
    }
}
