//! Fever clinics: each runs a queue a desk keeps (check in, call, seen, left without being
//! seen); Carebridge estimates each clinic's wait from it (`carebridge_engines::fever`),
//! publishes the waits (public: a feverish patient chooses where to go before signing in),
//! recommends the clinic that minimises travel plus wait from a point, and alerts a region's
//! coordinators when a clinic's wait passes the region's threshold.
//!
//! | action | who |
//! | --- | --- |
//! | check a patient into the queue, move a visit on | the facility's desk |
//! | read a clinic's queue board | the facility's desk, a coordinator over it |
//! | read waits, the recommendation | anyone |
//! | read alerts | a coordinator, within the governed subtree |
//! | set a region's threshold | a coordinator governing the region |

use crate::context::{actor_of, Carebridge, RequestMeta};
use crate::error::ServiceError;
use crate::scope;
use carebridge_domain::clock::Timestamp;
use carebridge_domain::facility::{Facility, GeoPoint};
use carebridge_domain::fever::{FeverVisit, FeverVisitStatus, DEFAULT_WAIT_ALERT_MINUTES};
use carebridge_domain::ids::{FacilityId, FeverVisitId};
use carebridge_domain::referral::Urgency;
use carebridge_domain::region::RegionCode;
use carebridge_domain::service_kind::ServiceKind;
use carebridge_domain::user::{Principal, Role};
use carebridge_domain::ValidationErrors;
use carebridge_engines::fever::{estimate_wait, EstimateParams, QueueNow, WaitEstimate};
use carebridge_engines::placement::online;
use carebridge_store::facilities::{self, FacilityFilter};
use carebridge_store::fever::{self as store, QueueFigures};
use carebridge_store::Visibility;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The widest search around a point for clinics, km.
const MAX_RADIUS_KM: f64 = 200.0;
/// Why a role other than a desk may not keep a fever queue.
const KEEPS_QUEUE: &str = "does not keep a fever queue";
/// Thresholds a region may set, minutes.
const THRESHOLD_MINUTES: std::ops::RangeInclusive<i64> = 10..=1_440;

/// A patient joining a clinic's queue.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeverArrival {
    #[schema(schema_with = carebridge_domain::text::schemas::pseudonym)]
    pub patient_pseudonym: String,
}

/// A visit moved on: `called`, `seen` or `left`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeverVisitMove {
    pub status: FeverVisitStatus,
}

/// One clinic's wait now.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClinicWait {
    pub facility_id: FacilityId,
    pub facility_name_zh: String,
    pub facility_name_en: String,
    #[schema(value_type = String)]
    pub region_code: RegionCode,
    pub location: GeoPoint,
    pub waiting: u32,
    pub in_service: u32,
    pub estimate: WaitEstimate,
    /// The wait past which the region is alerted, and whether this clinic is past it.
    pub threshold_minutes: i64,
    pub over_threshold: bool,
    /// From the point asked, when one was given: straight-line km, estimated travel minutes,
    /// and travel plus wait.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_km: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub travel_minutes: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_minutes: Option<i64>,
}

/// The city's fever clinics and, from a point, the one to go to.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FeverWaits {
    /// Shortest travel plus wait first when a point was given, else shortest wait first.
    pub clinics: Vec<ClinicWait>,
    /// The clinic that minimises travel plus expected wait from the point (when one was given).
    pub recommended: Option<FacilityId>,
    pub as_of: Timestamp,
}

/// A clinic's queue as its desk's board shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FeverBoard {
    #[serde(flatten)]
    pub wait: ClinicWait,
    /// In arrival order.
    pub waiting: Vec<FeverVisit>,
    pub in_service: Vec<FeverVisit>,
    pub as_of: Timestamp,
}

/// A region's threshold body.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ThresholdBody {
    /// Minutes, 10–1440; `null` drops the region's own setting (the region above's applies).
    #[schema(minimum = 10, maximum = 1440)]
    pub minutes: Option<i64>,
}

/// The threshold in force in a region and who set it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Threshold {
    pub minutes: i64,
    /// The region whose setting this is; `null` for the default.
    #[schema(value_type = Option<String>)]
    pub set_by: Option<RegionCode>,
}

/// A public search of waits.
#[derive(Debug, Clone, Default)]
pub struct FeverWaitSearch {
    pub region: Option<String>,
    pub near: Option<GeoPoint>,
    pub radius_km: Option<f64>,
}

impl Carebridge {
    /// Check a patient into a fever clinic's queue (its desk).
    pub async fn fever_arrive(
        &self,
        p: &Principal,
        facility_id: FacilityId,
        arrival: FeverArrival,
        meta: &RequestMeta,
    ) -> Result<FeverVisit, ServiceError> {
        scope::desk_of(p, facility_id, KEEPS_QUEUE)?;
        let mut errors = ValidationErrors::default();
        carebridge_domain::text::rules::PSEUDONYM.check(&mut errors, "/patient_pseudonym", &arrival.patient_pseudonym);
        errors.finish(())?;
        let facility = self.visible_facility(Visibility::All, facility_id).await?;
        if !facility.draft.services.contains(&ServiceKind::FeverClinic) {
            return Err(ServiceError::Conflict(format!("{} runs no fever clinic", facility.draft.name_en)));
        }
        let mut tx = self.store.begin().await?;
        let visit = self.enqueue_fever(&mut tx, p, facility_id, arrival.patient_pseudonym.trim(), meta).await?;
        tx.commit().await?;
        Ok(visit)
    }

    /// Add a visit inside the caller's transaction, audited (a check-in for the fever clinic
    /// joins the queue this way too).
    pub(crate) async fn enqueue_fever(
        &self,
        tx: &mut carebridge_store::Tx,
        p: &Principal,
        facility_id: FacilityId,
        pseudonym: &str,
        meta: &RequestMeta,
    ) -> Result<FeverVisit, ServiceError> {
        let visit = FeverVisit {
            id: FeverVisitId::new_v7(),
            facility_id,
            patient_pseudonym: pseudonym.to_string(),
            status: FeverVisitStatus::Waiting,
            arrived_at: self.now(),
            called_at: None,
            finished_at: None,
            checked_in_by: p.user_id,
        };
        store::insert_visit(tx, &visit).await?;
        let change = serde_json::json!({ "visit": visit });
        self.audit(tx, &actor_of(p), meta, "fever.arrive", "fever_visit", &visit.id.to_string(), change).await?;
        Ok(visit)
    }

    /// Move a visit on (its clinic's desk): call the waiting, finish the called, record a
    /// patient who left. Any other move is a 409 naming where the visit stands.
    pub async fn move_fever_visit(
        &self,
        p: &Principal,
        id: FeverVisitId,
        to: FeverVisitStatus,
        meta: &RequestMeta,
    ) -> Result<FeverVisit, ServiceError> {
        if p.role != Role::FacilityDesk {
            return Err(ServiceError::Forbidden(format!("a {} {KEEPS_QUEUE}: desks only", p.role)));
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let visit = store::visit_for_update(&mut tx, id).await?;
        scope::desk_of(p, visit.facility_id, KEEPS_QUEUE)?;
        if !visit.status.may_become(to) {
            return Err(ServiceError::Conflict(format!("a visit that is {} cannot become {to}", visit.status)));
        }
        // A move that lost a race is the store's `Conflict`, a 409.
        store::move_visit(&mut tx, id, visit.status, to, now).await?;
        let moved = FeverVisit {
            status: to,
            called_at: if to == FeverVisitStatus::Called { Some(now) } else { visit.called_at },
            finished_at: if to == FeverVisitStatus::Called { None } else { Some(now) },
            ..visit.clone()
        };
        let change = serde_json::json!({ "from": visit.status, "to": to });
        self.audit(&mut tx, &actor_of(p), meta, "fever.move", "fever_visit", &id.to_string(), change).await?;
        tx.commit().await?;
        Ok(moved)
    }

    /// A clinic's board: its wait and its open visits (its desk, or a coordinator over it).
    pub async fn fever_board(&self, p: &Principal, facility_id: FacilityId) -> Result<FeverBoard, ServiceError> {
        let vis = scope::desk_or_coordinator(&self.regions, p, "does not read fever queues")?;
        let facility = self.visible_facility(vis, facility_id).await?;
        if !facility.draft.services.contains(&ServiceKind::FeverClinic) {
            return Err(ServiceError::NotFound);
        }
        let now = self.now();
        let figures = self.figures(Visibility::All, Some(facility_id), now).await?;
        let thresholds = store::all_thresholds(&self.store).await?;
        let wait =
            self.clinic_wait(&facility, figures.get(&facility_id).copied().unwrap_or_default(), &thresholds, now, None);
        let (waiting, in_service) = store::open_visits(&self.store, facility_id)
            .await?
            .into_iter()
            .partition(|v| v.status == FeverVisitStatus::Waiting);
        Ok(FeverBoard { wait, waiting, in_service, as_of: now })
    }

    /// Every fever clinic's wait in a region (public), and from a point the recommended one.
    pub async fn fever_waits(&self, q: &FeverWaitSearch) -> Result<FeverWaits, ServiceError> {
        let mut errors = ValidationErrors::default();
        let region = match self.region_filter(q.region.as_deref(), "/region") {
            Ok(r) => r,
            Err(ServiceError::Invalid(v)) => {
                errors.0.extend(v.0);
                None
            }
            Err(e) => return Err(e),
        };
        let radius = q.radius_km.unwrap_or(30.0);
        if !(radius > 0.0 && radius <= MAX_RADIUS_KM) {
            errors.push("/radius_km", format!("must be more than 0 and at most {MAX_RADIUS_KM} km"));
        }
        if let Some(p) = q.near {
            if !(-180.0..=180.0).contains(&p.lon) || !(-90.0..=90.0).contains(&p.lat) {
                errors.push("/near", "is not a longitude,latitude on Earth");
            }
        }
        if region.is_none() && q.near.is_none() {
            errors.push("/region", "give a region or a point (lon, lat) to search around");
        }
        errors.finish(())?;
        let vis = scope::region_visibility(&self.regions, region);
        let now = self.now();
        let mut clinics = self.clinic_waits(vis, q.near.map(|p| (p, radius)), now).await?;
        clinics.sort_by_key(|c| (c.total_minutes.unwrap_or(c.estimate.minutes), c.estimate.minutes, c.facility_id));
        let recommended = q.near.and_then(|_| clinics.first().map(|c| c.facility_id));
        Ok(FeverWaits { clinics, recommended, as_of: now })
    }

    /// Clinics in the coordinator's subtree (or a region within it) whose wait is past the
    /// region's threshold, or stalled; longest first.
    pub async fn fever_alerts(&self, p: &Principal, region: Option<&str>) -> Result<Vec<ClinicWait>, ServiceError> {
        let c = scope::coordinator(p)?;
        let region = self.region_filter(region, "/region")?;
        if region.is_some_and(|r| !c.governs(&self.regions, r)) {
            return Err(ServiceError::invalid("/region", "is not a region you govern"));
        }
        let vis = match region {
            Some(r) => scope::region_visibility(&self.regions, Some(r)),
            None => c.visibility(&self.regions),
        };
        // A clinic with no open visit waits 0 minutes and has not stalled: never an alert.
        let mut alerts: Vec<ClinicWait> = self
            .clinic_waits(vis, None, self.now())
            .await?
            .into_iter()
            .filter(|w| w.over_threshold || w.estimate.stalled)
            .collect();
        alerts.sort_by_key(|w| std::cmp::Reverse(w.estimate.minutes));
        Ok(alerts)
    }

    /// The threshold in force in a region (anyone signed in).
    pub async fn fever_threshold(&self, region: RegionCode) -> Result<Threshold, ServiceError> {
        if self.regions.get(region).is_none() {
            return Err(ServiceError::NotFound);
        }
        let thresholds = store::all_thresholds(&self.store).await?;
        Ok(self.threshold_in(region, &thresholds))
    }

    /// Set a region's own threshold (its coordinators).
    pub async fn set_fever_threshold(
        &self,
        p: &Principal,
        region: RegionCode,
        body: ThresholdBody,
        meta: &RequestMeta,
    ) -> Result<Threshold, ServiceError> {
        let c = scope::coordinator(p)?;
        if self.regions.get(region).is_none() || !c.governs(&self.regions, region) {
            return Err(ServiceError::NotFound);
        }
        if body.minutes.is_some_and(|m| !THRESHOLD_MINUTES.contains(&m)) {
            return Err(ServiceError::invalid("/minutes", "must be 10 to 1440 minutes"));
        }
        let mut tx = self.store.begin().await?;
        store::set_threshold(&mut tx, region, body.minutes, p.user_id, self.now()).await?;
        let change = serde_json::json!({ "minutes": body.minutes });
        self.audit(&mut tx, &actor_of(p), meta, "fever.threshold", "region", &region.to_string(), change).await?;
        tx.commit().await?;
        self.fever_threshold(region).await
    }

    fn threshold_in(&self, region: RegionCode, thresholds: &HashMap<RegionCode, i64>) -> Threshold {
        match crate::limits::inherited_in(&self.regions, region, |code| thresholds.get(&code).copied()) {
            Some((minutes, code)) => Threshold { minutes, set_by: Some(code) },
            None => Threshold { minutes: DEFAULT_WAIT_ALERT_MINUTES, set_by: None },
        }
    }

    async fn figures(
        &self,
        vis: Visibility,
        facility: Option<FacilityId>,
        now: Timestamp,
    ) -> Result<HashMap<FacilityId, QueueFigures>, ServiceError> {
        let window = EstimateParams::default().window_minutes as i64;
        Ok(store::queue_figures(&self.store, vis, facility, Timestamp::from_millis(now.millis() - window * 60_000))
            .await?)
    }

    /// Every fever clinic's wait in scope; with `near` (a point and a radius, km), only those
    /// within the radius, with the travel from the point.
    async fn clinic_waits(
        &self,
        vis: Visibility,
        near: Option<(GeoPoint, f64)>,
        now: Timestamp,
    ) -> Result<Vec<ClinicWait>, ServiceError> {
        let figures = self.figures(vis, None, now).await?;
        let thresholds = store::all_thresholds(&self.store).await?;
        Ok(self
            .fever_clinics(vis)
            .await?
            .iter()
            .filter_map(|f| {
                let distance = near.map(|(p, _)| p.distance_km(f.draft.location));
                if near.zip(distance).is_some_and(|((_, radius), d)| d > radius) {
                    return None;
                }
                let figs = figures.get(&f.id).copied().unwrap_or_default();
                Some(self.clinic_wait(f, figs, &thresholds, now, distance))
            })
            .collect())
    }

    /// Facilities with a fever clinic that take new patients, in scope.
    async fn fever_clinics(&self, vis: Visibility) -> Result<Vec<Facility>, ServiceError> {
        let filter = FacilityFilter {
            service: Some(ServiceKind::FeverClinic),
            takes_new_patients: Some(true),
            ..Default::default()
        };
        let mut out = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page = facilities::list(&self.store, vis, &filter, after.as_deref(), 500, self.now()).await?;
            let more = page.len() > 500;
            out.extend(page.into_iter().take(500));
            if !more {
                return Ok(out);
            }
            after = out.last().map(|f| f.id.to_string());
        }
    }

    fn clinic_wait(
        &self,
        f: &Facility,
        figs: QueueFigures,
        thresholds: &HashMap<RegionCode, i64>,
        now: Timestamp,
        distance_km: Option<f64>,
    ) -> ClinicWait {
        let params = EstimateParams::default();
        let observed = figs.first_arrival.map_or(0.0, |t| (now.millis() - t.millis()) as f64 / 60_000.0);
        let estimate = estimate_wait(
            QueueNow {
                waiting: figs.waiting,
                in_service: figs.in_service,
                calls_in_window: figs.calls_in_window,
                finished_in_window: figs.finished_in_window,
                finished_minutes: figs.finished_minutes,
                observed_minutes: observed.min(params.window_minutes),
            },
            &params,
        );
        let threshold = self.threshold_in(f.draft.region_code, thresholds).minutes;
        let travel = distance_km.map(|d| online::travel_minutes(d, Urgency::Routine));
        ClinicWait {
            facility_id: f.id,
            facility_name_zh: f.draft.name_zh.clone(),
            facility_name_en: f.draft.name_en.clone(),
            region_code: f.draft.region_code,
            location: f.draft.location,
            waiting: figs.waiting,
            in_service: figs.in_service,
            over_threshold: estimate.minutes > threshold,
            estimate,
            threshold_minutes: threshold,
            distance_km: distance_km.map(|d| (d * 10.0).round() / 10.0),
            travel_minutes: travel,
            total_minutes: travel.map(|t| t + estimate.minutes),
        }
    }
}
