//! Online placement: one referral, the facilities around it, the best place now and why.
//!
//! Every facility passes the hard constraints or is excluded by the first one it fails, in a
//! fixed order ([`Exclusion::ALL`]), so the answer can say "312 facilities considered: 280 do
//! not offer neurosurgery, 1 is a children's hospital, 1 is too far, 25 are virus-designated, 6
//! have no staffed bed free" instead of silence. [`fit`] is the one place the constraints are
//! decided: ranking, the batch plan and displacement (through [`place`]) and a coordinator's
//! directed placement (through [`fit`] itself, which reports every constraint a facility
//! breaks, not just the first) all ask it.
//!
//! The constraints, in order, and why that order: first what the facility *is* (the service,
//! the population it takes: a children's hospital takes only children, a child goes only where
//! paediatrics is offered), then this referral's history (a facility that declined it), then
//! the travel rule (the trip's minutes against the region's limit for this kind of care — per
//! session for recurring care — and whether the region lets the patient cross a provincial
//! border), then orders (closed, virus designation vs infection status, isolation), and last
//! the beds, which change by the minute.
//!
//! The survivors are ranked by a cost in minutes: travel (for recurring care the week's travel,
//! `travel × 2 × sessions a week`, since the patient makes the round trip at every session), the
//! urgency-weighted wait a nearly full unit implies, load, and whether the facility is
//! designated for this kind of patient. Ties go to the facility id, so the answer is a function
//! of its input.

use carebridge_domain::designation::Designation;
use carebridge_domain::facility::GeoPoint;
use carebridge_domain::ids::FacilityId;
pub use carebridge_domain::placement::Exclusion;
use carebridge_domain::referral::{AgeBand, InfectionStatus, RecurringSchedule, Urgency};
use carebridge_domain::region::RegionCode;
use carebridge_domain::service_kind::ServiceKind;
use serde::Serialize;

/// How far the patient may be sent: the region's rule for this kind of care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TravelRule {
    /// The longest one-way trip, minutes of [`travel_minutes`] (for recurring care, of one
    /// session's trip).
    pub limit_minutes: i64,
    /// Whether a facility in another province than the patient's may take them.
    pub cross_province: bool,
}

/// What placement needs to know of the referral.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Need {
    pub service: ServiceKind,
    pub urgency: Urgency,
    pub infection: InfectionStatus,
    pub age_band: AgeBand,
    pub location: GeoPoint,
    /// The patient's province (of their region), for the cross-province rule.
    pub province: RegionCode,
    /// Recurring care (dialysis): its sessions a week weigh the travel in the cost.
    pub schedule: Option<RecurringSchedule>,
    pub travel: TravelRule,
}

/// One facility as the engine sees it (read by the service from the store at one instant).
#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    pub facility_id: FacilityId,
    pub location: GeoPoint,
    /// The facility's province.
    pub province: RegionCode,
    pub offers_service: bool,
    /// Whether it offers paediatric care (the `pediatrics` service): required for a child.
    pub offers_paediatrics: bool,
    /// A children's hospital: it takes only children.
    pub paediatric_only: bool,
    pub designation: Designation,
    pub takes_new_patients: bool,
    /// Staffed, occupied and held beds of the need's unit; `None` if never reported.
    pub beds: Option<Beds>,
    /// Free isolation beds, if the facility reports an isolation unit.
    pub isolation_free: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Beds {
    pub staffed: i64,
    pub occupied: i64,
    pub held: i64,
}

impl Beds {
    pub fn free(&self) -> i64 {
        self.staffed - self.occupied - self.held
    }
}

/// A set of [`Exclusion`]s: every hard constraint one facility fails, iterated in the fixed
/// order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Violations(u16);

impl Violations {
    pub fn insert(&mut self, e: Exclusion) {
        self.0 |= 1 << e as u16;
    }

    pub fn remove(&mut self, e: Exclusion) {
        self.0 &= !(1 << e as u16);
    }

    pub fn contains(self, e: Exclusion) -> bool {
        self.0 & (1 << e as u16) != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The first failed constraint in [`Exclusion::ALL`] order: what the facility is counted
    /// under.
    pub fn first(self) -> Option<Exclusion> {
        (self.0 != 0).then(|| Exclusion::ALL[self.0.trailing_zeros() as usize])
    }

    pub fn iter(self) -> impl Iterator<Item = Exclusion> {
        Exclusion::ALL.iter().copied().filter(move |e| self.contains(*e))
    }

    /// Only the travel rule is broken: the facility would take the patient if they could be
    /// sent that far (or across that border).
    pub fn only_travel(self) -> bool {
        let mut rest = self;
        rest.remove(Exclusion::TooFar);
        rest.remove(Exclusion::CrossProvince);
        !self.is_empty() && rest.is_empty()
    }
}

/// How one facility fits one patient: the trip, and every hard constraint it breaks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    pub distance_km: f64,
    /// Estimated one-way travel, minutes ([`travel_minutes`]).
    pub travel_minutes: i64,
    /// In another province than the patient.
    pub cross_province: bool,
    pub violations: Violations,
}

/// A facility that passed, with its cost.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Ranked {
    #[schema(value_type = String)]
    pub facility_id: FacilityId,
    pub distance_km: f64,
    /// Estimated one-way travel, minutes (for recurring care, of one session's trip; never
    /// more than the region's limit).
    pub travel_minutes: i64,
    /// For recurring care: the week's travel, `travel_minutes × 2 × sessions a week`.
    pub weekly_travel_minutes: Option<i64>,
    /// The facility is in another province than the patient (the region allows it).
    pub cross_province: bool,
    pub free_beds: i64,
    /// Occupied + held over staffed, after this patient, in per mille.
    pub load_permille: i64,
    /// Whether the facility is designated for this kind of patient (a non-virus critical-care
    /// hospital for surgery, dialysis, ICU, maternity; an emergency one for emergencies).
    pub designation_fit: bool,
    /// travel (the week's, for recurring care) + urgency-weighted wait + load + designation
    /// misfit, in minutes of travel: the sum of `parts`.
    pub cost: i64,
    /// The terms of `cost`, each in minutes of travel (what the referral page shows).
    pub parts: CostParts,
}

/// The terms of a [`Ranked::cost`], in minutes of travel; `cost` is their sum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CostParts {
    /// One-way travel, or for recurring care the week's travel.
    pub travel: i64,
    /// The wait a crowded unit implies (none below 85 % load), weighted by urgency.
    pub crowding: i64,
    /// The small load term that spreads patients out (load per mille / 100).
    pub load: i64,
    /// The facility's designation is not meant for this kind of need.
    pub designation_misfit: i64,
}

impl CostParts {
    pub fn total(self) -> i64 {
        self.travel + self.crowding + self.load + self.designation_misfit
    }
}

/// How many facilities one constraint excluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Excluded {
    pub constraint: Exclusion,
    pub facilities: usize,
}

/// The answer for one referral.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Placement {
    /// How many facilities were looked at.
    pub considered: usize,
    /// Excluded facilities by the first constraint each failed, in [`Exclusion::ALL`] order,
    /// zero counts left out.
    pub excluded: Vec<Excluded>,
    /// The travel limit the ranking applied, minutes one way (per session for recurring care).
    pub travel_limit_minutes: i64,
    /// Facilities excluded by the travel rule alone (too far, or across a border the region
    /// keeps closed for this care) that would otherwise take the patient now: places exist,
    /// but beyond the limit.
    pub beyond_travel_limit: usize,
    /// The feasible facilities, best first (at most `keep`).
    pub ranked: Vec<Ranked>,
}

impl Placement {
    pub fn best(&self) -> Option<&Ranked> {
        self.ranked.first()
    }

    /// Add `n` facilities the caller excluded for `constraint` without passing them in (the
    /// store counts the ones that do not offer the service instead of reading them).
    pub fn count_excluded(&mut self, constraint: Exclusion, n: usize) {
        if n == 0 {
            return;
        }
        self.considered += n;
        match self.excluded.iter_mut().find(|e| e.constraint == constraint) {
            Some(e) => e.facilities += n,
            None => {
                self.excluded.push(Excluded { constraint, facilities: n });
                self.excluded.sort_by_key(|e| e.constraint);
            }
        }
    }

    /// Why nothing is ranked, or `None` when something is: [`TOO_FAR`] when places exist but
    /// only beyond the travel rule (the patient is stranded by distance: a coordinator must
    /// act), [`NO_FEASIBLE_FACILITY`] otherwise (`excluded` says by what).
    pub fn unplaced_reason(&self) -> Option<&'static str> {
        match (self.ranked.is_empty(), self.beyond_travel_limit) {
            (false, _) => None,
            (true, 0) => Some(NO_FEASIBLE_FACILITY),
            (true, _) => Some(TOO_FAR),
        }
    }
}

/// Why a patient has no place: every facility within reach is excluded (by what, the
/// exclusion counts say).
pub const NO_FEASIBLE_FACILITY: &str = "no_feasible_facility";

/// Why a patient has no place: facilities would take them, but only beyond the travel limit of
/// their region (or across a border it keeps closed).
pub const TOO_FAR: &str = "too_far";

/// Average road speed for the travel estimate, km/h, by urgency (an ambulance with lights is
/// faster than a patient's own trip).
fn speed_kmh(urgency: Urgency) -> f64 {
    match urgency {
        Urgency::Emergency => 50.0,
        _ => 40.0,
    }
}

/// Straight-line distance times this is the road distance estimate.
const ROAD_FACTOR: f64 = 1.3;

/// The travel estimate, minutes one way: straight-line km × [`ROAD_FACTOR`] at the urgency's
/// road speed (50 km/h for an emergency, 40 otherwise), rounded. The one estimate every
/// limit, cost and answer uses.
pub fn travel_minutes(distance_km: f64, urgency: Urgency) -> i64 {
    (distance_km * ROAD_FACTOR / speed_kmh(urgency) * 60.0).round() as i64
}

/// The straight-line km within which [`travel_minutes`] stays at most `minutes`: the radius the
/// service reads facilities from.
pub fn reach_km(minutes: i64, urgency: Urgency) -> f64 {
    // Rounded minutes ≤ m exactly when the unrounded ones are < m + ½.
    (minutes.max(0) as f64 + 0.5) / 60.0 * speed_kmh(urgency) / ROAD_FACTOR
}

/// What a misfit designation costs, in minutes of travel: a coordinator who keeps six hospitals
/// for non-virus critical care wants surgical patients there, not at the nearest hospital that
/// still has a bed and will need it for the patients it was kept for.
const DESIGNATION_MISFIT_MINUTES: i64 = 60;

/// The designations a surge keeps for this kind of need; empty when none is meant for it.
pub fn intended_designations(service: ServiceKind) -> &'static [Designation] {
    use ServiceKind::*;
    match service {
        Neurosurgery | OncologySurgery | GeneralSurgery | Cardiology | Icu | Dialysis | Maternity => {
            &[Designation::NonVirusCritical]
        }
        Emergency | FeverClinic => &[Designation::NonVirusEmergency, Designation::NonVirusCritical],
        _ => &[],
    }
}

/// How `site` fits the patient: the trip and every hard constraint it breaks (`declined`: the
/// facility declined this referral before). The one decision of the constraints; [`place`]
/// counts a facility under the first of them, a directed placement is refused for all of them.
pub fn fit(need: &Need, site: &Site, declined: bool) -> Fit {
    let distance_km = need.location.distance_km(site.location);
    let travel = travel_minutes(distance_km, need.urgency);
    let cross_province = site.province != need.province;
    let mut v = Violations::default();
    if !site.offers_service {
        v.insert(Exclusion::ServiceNotOffered);
    }
    let child = need.age_band == AgeBand::Child;
    if site.paediatric_only && !child {
        v.insert(Exclusion::ChildrenOnly);
    }
    if child && !site.offers_paediatrics {
        v.insert(Exclusion::NoPaediatricCare);
    }
    if declined {
        v.insert(Exclusion::AlreadyDeclined);
    }
    if travel > need.travel.limit_minutes {
        v.insert(Exclusion::TooFar);
    }
    if cross_province && !need.travel.cross_province {
        v.insert(Exclusion::CrossProvince);
    }
    if !site.takes_new_patients || site.designation == Designation::ClosedToNew {
        v.insert(Exclusion::NotTakingNewPatients);
    }
    let virus_site = site.designation == Designation::VirusDesignated;
    if need.infection.needs_isolation() {
        if !virus_site && site.isolation_free.unwrap_or(0) <= 0 {
            v.insert(Exclusion::NoIsolation);
        }
    } else if virus_site {
        v.insert(Exclusion::VirusDesignated);
    }
    if site.beds.is_none_or(|b| b.free() <= 0) {
        v.insert(Exclusion::NoStaffedBedFree);
    }
    Fit { distance_km, travel_minutes: travel, cross_province, violations: v }
}

/// Why `site` cannot take the patient (the first constraint it fails), or `None` if it can.
pub fn exclusion(need: &Need, site: &Site) -> Option<Exclusion> {
    fit(need, site, false).violations.first()
}

/// The cost of sending the patient to a feasible site: travel minutes (the week's for
/// recurring care), plus the wait a nearly full unit implies (a unit with one free bed of forty
/// is likely to make the patient wait in the corridor) weighted by urgency, plus a small load
/// term that spreads patients out.
fn cost(need: &Need, site: &Site, beds: Beds, fit: &Fit) -> Ranked {
    let staffed = beds.staffed.max(1);
    let load_permille = ((beds.occupied + beds.held + 1) * 1000 / staffed).min(10_000);
    // Expected extra wait in minutes: none below 85 % load, rising to 60 minutes at full.
    let crowding_wait = ((load_permille - 850).max(0) * 60 / 150).min(120);
    let intended = intended_designations(need.service);
    let designation_fit = intended.is_empty() || intended.contains(&site.designation);
    let misfit = if designation_fit { 0 } else { DESIGNATION_MISFIT_MINUTES };
    let weekly = need.schedule.map(|s| fit.travel_minutes * 2 * i64::from(s.sessions_per_week));
    let parts = CostParts {
        travel: weekly.unwrap_or(fit.travel_minutes),
        crowding: need.urgency.wait_weight() * crowding_wait,
        load: load_permille / 100,
        designation_misfit: misfit,
    };
    Ranked {
        facility_id: site.facility_id,
        distance_km: (fit.distance_km * 10.0).round() / 10.0,
        travel_minutes: fit.travel_minutes,
        weekly_travel_minutes: weekly,
        cross_province: fit.cross_province,
        free_beds: beds.free(),
        load_permille,
        designation_fit,
        cost: parts.total(),
        parts,
    }
}

/// Rank `sites` for `need`, skipping the facilities in `declined`; keep the best `keep`.
pub fn place(need: &Need, sites: &[Site], declined: &[FacilityId], keep: usize) -> Placement {
    let mut excluded = [0usize; Exclusion::ALL.len()];
    let mut beyond = 0;
    let mut ranked = Vec::new();
    for site in sites {
        let fit = fit(need, site, declined.contains(&site.facility_id));
        match (fit.violations.first(), site.beds) {
            (Some(e), _) => {
                excluded[e as usize] += 1;
                beyond += usize::from(fit.violations.only_travel());
            }
            (None, Some(beds)) => ranked.push(cost(need, site, beds, &fit)),
            (None, None) => excluded[Exclusion::NoStaffedBedFree as usize] += 1,
        }
    }
    let keep = keep.min(ranked.len());
    if keep > 0 && keep < ranked.len() {
        ranked.select_nth_unstable_by_key(keep - 1, |a| (a.cost, a.facility_id));
        ranked.truncate(keep);
    }
    ranked.sort_by_key(|a| (a.cost, a.facility_id));
    if keep == 0 {
        ranked.clear();
    }
    Placement {
        considered: sites.len(),
        excluded: Exclusion::ALL
            .iter()
            .zip(excluded)
            .filter(|(_, n)| *n > 0)
            .map(|(e, n)| Excluded { constraint: *e, facilities: n })
            .collect(),
        travel_limit_minutes: need.travel.limit_minutes,
        beyond_travel_limit: beyond,
        ranked,
    }
}

/// The box (south-west, north-east corners) that holds every point within `km` of `centre`:
/// what the service reads from the store before measuring true distances.
pub fn bounding_box(centre: GeoPoint, km: f64) -> (GeoPoint, GeoPoint) {
    let dlat = km / 111.0;
    let cos = centre.lat.to_radians().cos().abs().max(0.01);
    let dlon = (km / (111.32 * cos)).min(180.0);
    (
        GeoPoint { lon: (centre.lon - dlon).max(-180.0), lat: (centre.lat - dlat).max(-90.0) },
        GeoPoint { lon: (centre.lon + dlon).min(180.0), lat: (centre.lat + dlat).min(90.0) },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const HUBEI: u32 = 420000;

    fn province(code: u32) -> RegionCode {
        RegionCode::parse(&code.to_string()).expect("a province code")
    }

    fn site(n: u128, lon: f64, designation: Designation, free: i64) -> Site {
        Site {
            facility_id: FacilityId(uuid::Uuid::from_u128(n)),
            location: GeoPoint { lon, lat: 30.6 },
            province: province(HUBEI),
            offers_service: true,
            offers_paediatrics: true,
            paediatric_only: false,
            designation,
            takes_new_patients: true,
            beds: Some(Beds { staffed: 40, occupied: 40 - free, held: 0 }),
            isolation_free: None,
        }
    }

    fn counts(p: &Placement) -> Vec<(Exclusion, usize)> {
        p.excluded.iter().map(|e| (e.constraint, e.facilities)).collect()
    }

    fn need(infection: InfectionStatus) -> Need {
        Need {
            service: ServiceKind::Neurosurgery,
            urgency: Urgency::Urgent,
            infection,
            age_band: AgeBand::Adult,
            location: GeoPoint { lon: 114.30, lat: 30.6 },
            province: province(HUBEI),
            schedule: None,
            travel: TravelRule { limit_minutes: 100, cross_province: true },
        }
    }

    /// Dialysis twice or three times a week, within `limit` minutes a session, not across the
    /// border.
    fn dialysis(sessions: u8, limit: i64) -> Need {
        Need {
            service: ServiceKind::Dialysis,
            urgency: Urgency::Routine,
            schedule: Some(RecurringSchedule { sessions_per_week: sessions }),
            travel: TravelRule { limit_minutes: limit, cross_province: false },
            ..need(InfectionStatus::Negative)
        }
    }

    /// A site `minutes` of travel east of the patient of [`need`] (40 km/h).
    fn site_at_minutes(n: u128, minutes: f64, free: i64) -> Site {
        let km = minutes / 60.0 * 40.0 / ROAD_FACTOR;
        let dlon = km / (111.195 * 30.6f64.to_radians().cos());
        site(n, 114.30 + dlon, Designation::NonVirusCritical, free)
    }

    #[test]
    fn a_negative_patient_never_goes_to_a_virus_designated_hospital_even_the_nearest() {
        let sites =
            [site(1, 114.30, Designation::VirusDesignated, 30), site(2, 114.40, Designation::NonVirusCritical, 5)];
        let p = place(&need(InfectionStatus::Negative), &sites, &[], 5);
        assert_eq!(p.best().map(|r| r.facility_id), Some(sites[1].facility_id));
        assert_eq!(counts(&p), vec![(Exclusion::VirusDesignated, 1)]);
    }

    #[test]
    fn every_excluded_facility_is_counted_once_under_its_first_failed_constraint() {
        let mut far = site(1, 116.0, Designation::General, 5);
        far.offers_service = false; // also too far, but the service comes first
        let far_with_service = site(7, 116.0, Designation::General, 5);
        let mut no_service = site(2, 114.31, Designation::General, 5);
        no_service.offers_service = false;
        let full = site(3, 114.32, Designation::General, 0);
        let mut closed = site(4, 114.33, Designation::ClosedToNew, 5);
        closed.takes_new_patients = true;
        let ok = site(5, 114.35, Designation::General, 3);
        let declined = site(6, 114.30, Designation::General, 9);
        let sites = [far, far_with_service, no_service, full, closed, ok, declined.clone()];
        let mut p = place(&need(InfectionStatus::Negative), &sites, &[declined.facility_id], 5);
        assert_eq!(p.considered, 7);
        assert_eq!(
            counts(&p),
            vec![
                (Exclusion::ServiceNotOffered, 2),
                (Exclusion::AlreadyDeclined, 1),
                (Exclusion::TooFar, 1),
                (Exclusion::NotTakingNewPatients, 1),
                (Exclusion::NoStaffedBedFree, 1),
            ]
        );
        assert_eq!(p.ranked.len(), 1);
        let total: usize = p.excluded.iter().map(|e| e.facilities).sum::<usize>() + p.ranked.len();
        assert_eq!(total, p.considered);
        p.count_excluded(Exclusion::ServiceNotOffered, 10);
        p.count_excluded(Exclusion::NoIsolation, 1);
        assert_eq!(p.considered, 18);
        assert_eq!(counts(&p)[0], (Exclusion::ServiceNotOffered, 12));
        assert_eq!(counts(&p)[4], (Exclusion::NoIsolation, 1), "kept in constraint order: {:?}", counts(&p));
    }

    #[test]
    fn each_constraint_counts_before_every_later_one_in_the_fixed_order() {
        // One site per constraint that fails it and every constraint after it: each is
        // counted under its own, and `fit` lists them all in order.
        let n = need(InfectionStatus::Negative);
        let mut fails_all = site(99, 116.0, Designation::VirusDesignated, 0);
        fails_all.province = province(430000);
        fails_all.offers_service = false;
        fails_all.paediatric_only = true;
        fails_all.takes_new_patients = false;
        let strict = Need { travel: TravelRule { limit_minutes: 100, cross_province: false }, ..n };
        let all = fit(&strict, &fails_all, true).violations;
        let listed: Vec<Exclusion> = all.iter().collect();
        let expected: Vec<Exclusion> = Exclusion::ALL
            .iter()
            .copied()
            .filter(|e| !matches!(e, Exclusion::NoPaediatricCare | Exclusion::NoIsolation))
            .collect();
        assert_eq!(listed, expected, "every broken constraint, in order");
        assert_eq!(all.first(), Some(Exclusion::ServiceNotOffered));

        let mut sites = Vec::new();
        let mut declined = Vec::new();
        for (i, _) in expected.iter().enumerate() {
            let mut s = fails_all.clone();
            s.facility_id = FacilityId(uuid::Uuid::from_u128(i as u128 + 1));
            // Mend every constraint before the i-th.
            for earlier in &expected[..i] {
                match earlier {
                    Exclusion::ServiceNotOffered => s.offers_service = true,
                    Exclusion::ChildrenOnly => s.paediatric_only = false,
                    Exclusion::TooFar => s.location = n.location,
                    Exclusion::CrossProvince => s.province = n.province,
                    Exclusion::NotTakingNewPatients => s.takes_new_patients = true,
                    Exclusion::VirusDesignated => s.designation = Designation::General,
                    _ => {}
                }
            }
            if i <= expected.iter().position(|e| *e == Exclusion::AlreadyDeclined).unwrap_or(0) {
                declined.push(s.facility_id);
            }
            sites.push(s);
        }
        let p = place(&strict, &sites, &declined, 5);
        assert_eq!(counts(&p), expected.iter().map(|e| (*e, 1)).collect::<Vec<_>>());
        assert!(p.ranked.is_empty());
    }

    #[test]
    fn a_childrens_hospital_takes_only_children_and_a_child_goes_only_where_paediatrics_is() {
        let mut childrens = site(1, 114.30, Designation::NonVirusCritical, 20);
        childrens.paediatric_only = true;
        let mut adults_only = site(2, 114.31, Designation::NonVirusCritical, 20);
        adults_only.offers_paediatrics = false;
        let general = site(3, 114.45, Designation::NonVirusCritical, 20);
        let sites = [childrens.clone(), adults_only.clone(), general.clone()];

        let adult = need(InfectionStatus::Negative);
        let p = place(&adult, &sites, &[], 5);
        assert_eq!(counts(&p), vec![(Exclusion::ChildrenOnly, 1)], "the nearest, but a children's hospital");
        assert_eq!(p.best().map(|r| r.facility_id), Some(adults_only.facility_id));
        assert!(p.ranked.iter().all(|r| r.facility_id != childrens.facility_id));

        let child = Need { age_band: AgeBand::Child, ..adult };
        let p = place(&child, &sites, &[], 5);
        assert_eq!(counts(&p), vec![(Exclusion::NoPaediatricCare, 1)]);
        assert_eq!(p.best().map(|r| r.facility_id), Some(childrens.facility_id), "the child goes to the nearest");
        assert_eq!(exclusion(&child, &adults_only), Some(Exclusion::NoPaediatricCare));
        assert_eq!(exclusion(&adult, &childrens), Some(Exclusion::ChildrenOnly));
        assert_eq!(exclusion(&adult, &general), None);
    }

    #[test]
    fn a_dialysis_patient_is_never_ranked_beyond_the_session_limit_and_is_told_places_exist_farther() {
        let n = dialysis(2, 60);
        let near_full = site_at_minutes(1, 30.0, 0);
        let within = site_at_minutes(2, 59.0, 3);
        let beyond = site_at_minutes(3, 62.0, 3);
        let beyond_full = site_at_minutes(4, 90.0, 0);
        let p = place(&n, &[near_full.clone(), within.clone(), beyond.clone(), beyond_full.clone()], &[], 5);
        assert_eq!(p.ranked.len(), 1);
        assert_eq!(p.best().map(|r| r.facility_id), Some(within.facility_id));
        assert!(p.ranked.iter().all(|r| r.travel_minutes <= 60), "{:?}", p.ranked);
        assert_eq!(counts(&p), vec![(Exclusion::TooFar, 2), (Exclusion::NoStaffedBedFree, 1)]);
        assert_eq!(p.beyond_travel_limit, 1, "the far one with a station free; not the far full one");
        assert_eq!(p.travel_limit_minutes, 60);
        assert_eq!(p.unplaced_reason(), None);

        // Without the one within reach: stranded by distance, not "no place at all".
        let p = place(&n, &[near_full.clone(), beyond, beyond_full.clone()], &[], 5);
        assert!(p.ranked.is_empty());
        assert_eq!(p.unplaced_reason(), Some(TOO_FAR));
        let p = place(&n, &[near_full, beyond_full], &[], 5);
        assert_eq!(p.unplaced_reason(), Some(NO_FEASIBLE_FACILITY), "nothing free anywhere");
    }

    #[test]
    fn another_province_only_where_the_region_allows_and_the_ranking_says_so() {
        let mut hunan = site_at_minutes(1, 20.0, 5);
        hunan.province = province(430000);
        let home = site_at_minutes(2, 50.0, 5);
        let closed = dialysis(3, 60);
        let p = place(&closed, &[hunan.clone(), home.clone()], &[], 5);
        assert_eq!(counts(&p), vec![(Exclusion::CrossProvince, 1)]);
        assert_eq!(p.beyond_travel_limit, 1);
        assert_eq!(p.best().map(|r| (r.facility_id, r.cross_province)), Some((home.facility_id, false)));

        let open = Need { travel: TravelRule { limit_minutes: 60, cross_province: true }, ..closed };
        let p = place(&open, &[hunan.clone(), home], &[], 5);
        assert!(p.excluded.is_empty());
        assert_eq!(p.best().map(|r| (r.facility_id, r.cross_province)), Some((hunan.facility_id, true)));
    }

    #[test]
    fn recurring_care_weighs_the_weeks_travel_so_a_near_crowded_unit_beats_a_far_empty_one() {
        // Near: 10 minutes, 2 stations free of 40 (crowded); far: 25 minutes, empty.
        let near = site_at_minutes(1, 10.0, 2);
        let far = site_at_minutes(2, 25.0, 40);
        let one_off = Need { schedule: None, ..dialysis(3, 60) };
        let p = place(&one_off, &[near.clone(), far.clone()], &[], 5);
        assert_eq!(p.best().map(|r| r.facility_id), Some(far.facility_id), "one trip: the emptier unit");
        assert_eq!(p.best().and_then(|r| r.weekly_travel_minutes), None);

        let p = place(&dialysis(3, 60), &[near.clone(), far], &[], 5);
        let best = p.best().expect("a place");
        assert_eq!(best.facility_id, near.facility_id, "six trips a week: the nearer unit");
        assert_eq!(best.weekly_travel_minutes, Some(best.travel_minutes * 2 * 3));
        assert!(best.cost >= best.travel_minutes * 6, "{best:?}");
    }

    #[test]
    fn the_travel_estimate_and_the_reach_agree_at_the_limit() {
        let centre = GeoPoint { lon: 114.3, lat: 30.6 };
        for urgency in Urgency::ALL {
            for minutes in [5, 60, 75, 300, 960] {
                let km = reach_km(minutes, *urgency);
                assert!(travel_minutes(km * 0.999, *urgency) <= minutes, "{urgency} {minutes}");
                assert!(travel_minutes(km * 1.001, *urgency) > minutes, "{urgency} {minutes}");
                let (sw, ne) = bounding_box(centre, km);
                assert!(ne.lon > centre.lon && sw.lat < centre.lat);
            }
        }
        assert_eq!(travel_minutes(175.0, Urgency::Soon), 341, "the Union patients' trip to Yueyang");
    }

    #[test]
    fn a_suspected_patient_needs_isolation_and_nearer_and_emptier_is_cheaper() {
        let mut with_isolation = site(1, 114.40, Designation::General, 10);
        with_isolation.isolation_free = Some(2);
        let without = site(2, 114.31, Designation::General, 10);
        let p = place(&need(InfectionStatus::Suspected), &[with_isolation.clone(), without], &[], 5);
        assert_eq!(counts(&p), vec![(Exclusion::NoIsolation, 1)]);
        assert_eq!(p.best().map(|r| r.facility_id), Some(with_isolation.facility_id));

        let near_full = site(3, 114.31, Designation::General, 1);
        let far_empty = site(4, 114.36, Designation::General, 30);
        let p = place(&need(InfectionStatus::Negative), &[near_full, far_empty.clone()], &[], 5);
        assert_eq!(p.best().map(|r| r.facility_id), Some(far_empty.facility_id), "a crowded unit costs waiting");
    }

    #[test]
    fn surgery_goes_to_the_hospital_kept_for_non_virus_critical_care_over_a_nearer_emergency_one() {
        let emergency = site(1, 114.31, Designation::NonVirusEmergency, 10);
        let critical = site(2, 114.38, Designation::NonVirusCritical, 10);
        let p = place(&need(InfectionStatus::Negative), &[emergency, critical.clone()], &[], 5);
        assert_eq!(p.best().map(|r| (r.facility_id, r.designation_fit)), Some((critical.facility_id, true)));
        assert!(!p.ranked[1].designation_fit);
    }

    #[test]
    fn the_box_holds_the_circle() {
        let centre = GeoPoint { lon: 114.3, lat: 30.6 };
        let (sw, ne) = bounding_box(centre, 50.0);
        for bearing in 0..36 {
            let a = f64::from(bearing) * 10f64.to_radians();
            let p = GeoPoint { lon: centre.lon + a.cos() * 0.5, lat: centre.lat + a.sin() * 0.44 };
            if centre.distance_km(p) <= 50.0 {
                assert!(p.lon >= sw.lon && p.lon <= ne.lon && p.lat >= sw.lat && p.lat <= ne.lat, "{p:?}");
            }
        }
    }
}
