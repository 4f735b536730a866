//! Online placement: one referral, the facilities around it, the best place now and why.
//!
//! Every facility passes the hard constraints or is excluded by the first one it fails, in a
//! fixed order, so the answer can say "312 facilities considered: 280 do not offer
//! neurosurgery, 1 is too far, 25 are virus-designated, 6 have no staffed bed free" instead of
//! silence. The survivors are ranked by a cost in minutes: travel time, the urgency-weighted
//! wait a nearly full unit implies, load, and whether the facility is designated for this kind
//! of patient. Ties go to the facility id, so the answer is a function of its input.

use carebridge_domain::designation::Designation;
use carebridge_domain::facility::GeoPoint;
use carebridge_domain::ids::FacilityId;
use carebridge_domain::referral::{InfectionStatus, Urgency};
use carebridge_domain::service_kind::ServiceKind;
use serde::Serialize;

/// What placement needs to know of the referral.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Need {
    pub service: ServiceKind,
    pub urgency: Urgency,
    pub infection: InfectionStatus,
    pub location: GeoPoint,
    /// The region's travel limit for this urgency, km.
    pub travel_limit_km: f64,
}

/// One facility as the engine sees it (read by the service from the store at one instant).
#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    pub facility_id: FacilityId,
    pub location: GeoPoint,
    pub offers_service: bool,
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

/// The hard constraints, in the order they are tested.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Exclusion {
    /// The service is not offered (first: the store leaves these out of the snapshot and
    /// only counts them, [`Placement::count_excluded`]).
    ServiceNotOffered,
    /// The facility is excluded by the caller (it declined this referral before).
    AlreadyDeclined,
    /// Farther than the travel limit for the urgency.
    TooFar,
    /// Closed to new patients by order or by the facility's own flag.
    NotTakingNewPatients,
    /// A patient not known to be infected is never sent into a virus-designated facility.
    VirusDesignated,
    /// A confirmed or suspected patient needs isolation: a virus-designated facility or a free
    /// isolation bed.
    NoIsolation,
    /// The unit has never been reported, or has no staffed bed free after holds.
    NoStaffedBedFree,
}

impl Exclusion {
    pub const ALL: [Exclusion; 7] = [
        Exclusion::ServiceNotOffered,
        Exclusion::AlreadyDeclined,
        Exclusion::TooFar,
        Exclusion::NotTakingNewPatients,
        Exclusion::VirusDesignated,
        Exclusion::NoIsolation,
        Exclusion::NoStaffedBedFree,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::AlreadyDeclined => "already_declined",
            Self::TooFar => "too_far",
            Self::ServiceNotOffered => "service_not_offered",
            Self::NotTakingNewPatients => "not_taking_new_patients",
            Self::VirusDesignated => "virus_designated",
            Self::NoIsolation => "no_isolation",
            Self::NoStaffedBedFree => "no_staffed_bed_free",
        }
    }
}

/// A facility that passed, with its cost.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Ranked {
    #[schema(value_type = String)]
    pub facility_id: FacilityId,
    pub distance_km: f64,
    /// Estimated travel, minutes.
    pub travel_minutes: i64,
    pub free_beds: i64,
    /// Occupied + held over staffed, after this patient, in per mille.
    pub load_permille: i64,
    /// Whether the facility is designated for this kind of patient (a non-virus critical-care
    /// hospital for surgery, dialysis, ICU, maternity; an emergency one for emergencies).
    pub designation_fit: bool,
    /// travel + urgency-weighted wait + load + designation misfit, in minutes of travel.
    pub cost: i64,
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
                self.excluded.sort_by_key(|e| Exclusion::ALL.iter().position(|c| *c == e.constraint));
            }
        }
    }
}

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

/// Why `site` cannot take the patient, or `None` if it can.
pub fn exclusion(need: &Need, site: &Site, distance_km: f64) -> Option<Exclusion> {
    if !site.offers_service {
        return Some(Exclusion::ServiceNotOffered);
    }
    if distance_km > need.travel_limit_km {
        return Some(Exclusion::TooFar);
    }
    if !site.takes_new_patients || site.designation == Designation::ClosedToNew {
        return Some(Exclusion::NotTakingNewPatients);
    }
    let virus_site = site.designation == Designation::VirusDesignated;
    if need.infection.needs_isolation() {
        if !virus_site && site.isolation_free.unwrap_or(0) <= 0 {
            return Some(Exclusion::NoIsolation);
        }
    } else if virus_site {
        return Some(Exclusion::VirusDesignated);
    }
    match site.beds {
        Some(b) if b.free() > 0 => None,
        _ => Some(Exclusion::NoStaffedBedFree),
    }
}

/// The cost of sending the patient to a feasible site: travel minutes, plus the wait a nearly
/// full unit implies (a unit with one free bed of forty is likely to make the patient wait in
/// the corridor) weighted by urgency, plus a small load term that spreads patients out.
fn cost(need: &Need, site: &Site, beds: Beds, distance_km: f64) -> Ranked {
    let travel_minutes = (distance_km * ROAD_FACTOR / speed_kmh(need.urgency) * 60.0).round() as i64;
    let staffed = beds.staffed.max(1);
    let load_permille = ((beds.occupied + beds.held + 1) * 1000 / staffed).min(10_000);
    // Expected extra wait in minutes: none below 85 % load, rising to 60 minutes at full.
    let crowding_wait = ((load_permille - 850).max(0) * 60 / 150).min(120);
    let intended = intended_designations(need.service);
    let designation_fit = intended.is_empty() || intended.contains(&site.designation);
    let misfit = if designation_fit { 0 } else { DESIGNATION_MISFIT_MINUTES };
    Ranked {
        facility_id: site.facility_id,
        distance_km: (distance_km * 10.0).round() / 10.0,
        travel_minutes,
        free_beds: beds.free(),
        load_permille,
        designation_fit,
        cost: travel_minutes + need.urgency.wait_weight() * crowding_wait + load_permille / 100 + misfit,
    }
}

/// Rank `sites` for `need`, skipping the facilities in `declined`; keep the best `keep`.
pub fn place(need: &Need, sites: &[Site], declined: &[FacilityId], keep: usize) -> Placement {
    let mut excluded = [0usize; Exclusion::ALL.len()];
    let mut ranked = Vec::new();
    for site in sites {
        let distance_km = need.location.distance_km(site.location);
        let why = if !site.offers_service {
            Some(Exclusion::ServiceNotOffered)
        } else if declined.contains(&site.facility_id) {
            Some(Exclusion::AlreadyDeclined)
        } else {
            exclusion(need, site, distance_km)
        };
        match (why, site.beds) {
            (Some(e), _) => excluded[e as usize] += 1,
            (None, Some(beds)) => ranked.push(cost(need, site, beds, distance_km)),
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

    fn site(n: u128, lon: f64, designation: Designation, free: i64) -> Site {
        Site {
            facility_id: FacilityId(uuid::Uuid::from_u128(n)),
            location: GeoPoint { lon, lat: 30.6 },
            offers_service: true,
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
            location: GeoPoint { lon: 114.30, lat: 30.6 },
            travel_limit_km: 50.0,
        }
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
