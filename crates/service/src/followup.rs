//! Offers follow capacity at once (issue 20, point 6): when beds come free — a capacity
//! report, a declined offer, an expired hold, a withdrawn one — placement re-runs right away
//! for the waiting referrals those beds can help, instead of waiting for the sweep's retry
//! (`referrals::Carebridge::sweep_referrals`, every few seconds, each referral at most once a
//! minute), which stays as the backstop.
//!
//! Which referrals a freed bed can help: pending or escalated ones whose unit is the freed
//! unit, whose need the facility offers (`need` mapped to its unit by
//! `referral::unit_for`), and whose patient lies within reach — a box around the facility as
//! wide as the farthest one-off travel limit in force at the facility's region — and whom the
//! facility may take under the engine's hard constraints, checked in memory (`online::fit`:
//! designation, age, the referral's own travel limit, a free bed still there). Most urgent
//! first, then the longest waiting. Each is offered through the one placement path
//! (`Carebridge::place`: rank, hold under the unit's lock, audit and timeline in one
//! transaction), so an event-driven offer is the offer the sweep would have made; the engine
//! may still send a patient elsewhere (a better place), or nowhere (this facility declined them
//! before), which costs an attempt.
//!
//! How much work one event does: it stops when the freed beds are taken (offers made equal
//! the beds freed) or after [`EXTRA_ATTEMPTS`] referrals beyond that found nothing for them
//! here; the rest is the sweep's. The work runs on its own task after the event's transaction
//! has committed ([`Carebridge::follow_freed_beds`]), so a desk's report is answered without
//! waiting for placement, and a failure is logged, never turned into an error of the step
//! that freed the beds; each finished follow-up is announced on [`Carebridge::watch_followups`]
//! (how `carebridge bench offer-latency` times report-to-offer). Isolation beds freed for an infected patient of another unit are left
//! to the sweep.

use crate::context::{Carebridge, RequestMeta};
use crate::error::ServiceError;
use carebridge_domain::capacity::{CapacityReportDraft, Unit};
use carebridge_domain::facility::GeoPoint;
use carebridge_domain::ids::FacilityId;
use carebridge_domain::referral::{unit_for, Urgency};
use carebridge_domain::service_kind::ServiceKind;
use carebridge_engines::placement::online::{self, Site};
use carebridge_store::referrals as store;
use carebridge_store::{facilities, Visibility};

/// Referrals tried beyond the beds freed before an event leaves the rest to the sweep.
pub const EXTRA_ATTEMPTS: usize = 20;

/// Candidates read for one event at most.
const CANDIDATES: u32 = 2_000;

/// Follow-ups a slow watcher may fall behind by before it misses some.
pub const WATCH_BACKLOG: usize = 4_096;

/// What one follow-up of freed beds did, announced when its offers have committed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowedUp {
    pub facility: FacilityId,
    /// Offers made (anywhere); `None` when the follow-up failed (logged; the sweep retries).
    pub offered: Option<usize>,
}

/// Beds that came free at one facility.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Freed {
    pub facility: FacilityId,
    /// Each unit with the number of beds freed (at least 1).
    pub units: Vec<(Unit, i64)>,
}

impl Freed {
    /// The units of a report with free beds (staffed − occupied, before holds), one bed at least
    /// each; `None` when the report frees nothing.
    pub fn by_report(draft: &CapacityReportDraft) -> Option<Freed> {
        let units: Vec<(Unit, i64)> = draft
            .units
            .iter()
            .map(|u| (u.unit, u.counts.staffed() - u.counts.occupied()))
            .filter(|(_, free)| *free > 0)
            .collect();
        (!units.is_empty()).then_some(Freed { facility: draft.facility_id, units })
    }

    /// One bed of `unit` released (a declined, expired or withdrawn offer).
    pub fn one(facility: FacilityId, unit: Unit) -> Freed {
        Freed { facility, units: vec![(unit, 1)] }
    }
}

impl Carebridge {
    /// Run [`Self::place_for_freed`] on its own task, after the caller's step committed.
    pub(crate) fn follow_freed_beds(&self, freed: Freed) {
        let cb = self.clone();
        tokio::spawn(async move {
            let offered = match cb.place_for_freed(&freed).await {
                Ok(n) => Some(n),
                Err(e) => {
                    tracing::warn!(facility = %freed.facility, error = %e, "placement after freed beds failed; the sweep will retry");
                    None
                }
            };
            // No watcher is the usual case, not an error.
            let _ = cb.followups.send(FollowedUp { facility: freed.facility, offered });
        });
    }

    /// Every follow-up of freed beds from now on, as it finishes: a report's, a decline's, an
    /// expiry's or a withdrawn hold's.
    pub fn watch_followups(&self) -> tokio::sync::broadcast::Receiver<FollowedUp> {
        self.followups.subscribe()
    }

    /// Offer the freed beds to the waiting referrals they can help (see the module doc).
    /// Answers how many offers were made (anywhere: the engine ranks every facility in reach).
    pub async fn place_for_freed(&self, freed: &Freed) -> Result<usize, ServiceError> {
        let now = self.now();
        let facility = match facilities::get(&self.store, freed.facility, Visibility::All, now).await {
            Ok(f) => f,
            Err(carebridge_store::StoreError::NotFound) => return Ok(0),
            Err(e) => return Err(e.into()),
        };
        let units: Vec<Unit> = freed.units.iter().map(|(u, _)| *u).collect();
        let services: Vec<ServiceKind> =
            facility.draft.services.iter().copied().filter(|s| units.contains(&unit_for(*s))).collect();
        if services.is_empty() {
            return Ok(0);
        }
        // As far as any patient could travel here for one-off care under the region's limits.
        let mut reach_km: f64 = 0.0;
        for urgency in Urgency::ALL {
            let (limit, _) = self.limit_for(facility.draft.region_code, *urgency).await?;
            reach_km = reach_km.max(online::reach_km(limit.travel_limit_minutes, *urgency));
        }
        let (min, max) = online::bounding_box(facility.draft.location, reach_km);
        let waiting = store::waiting_for(&self.store, &units, &services, min, max, CANDIDATES).await?;
        let beds: i64 = freed.units.iter().map(|(_, n)| *n).sum();
        let beds = usize::try_from(beds).unwrap_or(usize::MAX);
        let meta = RequestMeta { request_id: Some(format!("freed:{}", freed.facility)) };
        let (mut offered, mut missed) = (0, 0);
        let at = facility.draft.location;
        for referral in waiting {
            if offered >= beds || missed >= EXTRA_ATTEMPTS {
                break;
            }
            // Only a patient this facility may take now is an attempt: the engine's own hard
            // constraints (designation, a children's hospital, the travel limit, a free bed
            // still there), checked in memory against the index. Without this, a bed freed at
            // a virus-designated hospital would spend its attempts on patients who tested
            // negative and leave the one confirmed patient to the sweep.
            let (need, _) = self.need_for(&referral.draft).await?;
            let Some(site) = self.site_here(freed.facility, at, referral.draft.need, referral.draft.unit()).await?
            else {
                continue;
            };
            if !online::fit(&need, &site, false).violations.is_empty() {
                continue;
            }
            if self.place(referral.id, &meta).await? {
                self.placement_backoff.lock().unwrap_or_else(|p| p.into_inner()).remove(&referral.id);
                offered += 1;
            } else {
                missed += 1;
            }
        }
        Ok(offered)
    }

    /// The facility at `at` as the engine sees it for `service` now, from the placement index
    /// (`None`: it does not offer the service).
    async fn site_here(
        &self,
        facility: FacilityId,
        at: GeoPoint,
        service: ServiceKind,
        unit: Unit,
    ) -> Result<Option<Site>, ServiceError> {
        const AROUND: f64 = 1e-4;
        let min = GeoPoint { lon: at.lon - AROUND, lat: at.lat - AROUND };
        let max = GeoPoint { lon: at.lon + AROUND, lat: at.lat + AROUND };
        let (sites, _) = self.placement_index.sites(&self.store, service, unit, min, max, self.now()).await?;
        Ok(sites.into_iter().find(|s| s.facility_id == facility))
    }
}
