//! Batch placement, exact: every waiting patient of a region placed at once by a minimum-cost
//! flow, so the last ICU bed goes to the patient who has no other, not to whoever asked first.
//!
//! The network: one node per patient (supply 1); for each patient the feasible facilities the
//! online engine ranks ([`online::place`], the same hard constraints — clinical fit, the travel
//! rule, designation, beds — and the same cost in minutes), at most [`CANDIDATES_PER_PATIENT`]
//! of them; so a patient beyond every facility's reach is unplaced `too_far`, never assigned
//! far away; one node per facility unit whose arc
//! to the sink carries its free beds. A recurring (dialysis) patient reaches the unit through
//! one node per weekday pattern their schedule allows ([`carebridge_domain::referral::RecurringSchedule::patterns`]), so the
//! plan also says which weekdays; a patient who already keeps a pattern (displaced from a
//! commandeered unit) is charged [`PATTERN_CHANGE_COST`] for another, and patterns that would
//! leave them longer than the clinical limit without a session ([`carebridge_domain::referral::RecurringSchedule::max_gap_days`])
//! are not offered at all. Each pattern node's arcs to its unit cost one more per patient
//! already on it, which spreads patients across the weekdays. Every patient also has an arc
//! straight to the sink at [`unplaced_cost`], large and urgency-weighted, so the flow always
//! exists and, when beds are short, emergencies are the last left out.
//!
//! The solver is the project's own exact network simplex; its certificate is checked on every
//! plan ([`mcf::certificate::check`]), so a plan that is not optimal is never returned.

use crate::mcf::{self, certificate, Network, NodeId};
use crate::placement::online::{self, Excluded, Need, Ranked, Site};
use carebridge_domain::capacity::Unit;
use carebridge_domain::clock::Timestamp;
use carebridge_domain::ids::FacilityId;
use carebridge_domain::referral::{Urgency, WeekdayPattern};
use serde::Serialize;
use std::collections::HashMap;

/// Feasible facilities kept per patient: a patient's thirty best places are enough choice for
/// the plan, and the network stays linear in the number of patients.
pub const CANDIDATES_PER_PATIENT: usize = 30;

/// What keeping a displaced dialysis patient off their weekdays costs, in minutes of travel.
pub const PATTERN_CHANGE_COST: i64 = 90;

/// Spreading patients across a unit's patterns: after this many patients on one pattern the
/// spreading cost stops growing.
const SPREAD_STEPS: i64 = 20;

/// Why a patient is left out though feasible places exist: more urgent or better-placed
/// patients fill them.
pub const BEDS_TAKEN_BY_OTHERS: &str = "beds_taken_by_others";

/// The cost of leaving a patient unplaced: more than any placement (a day of travel), and
/// weighted by urgency so that shortages fall on the least urgent.
pub fn unplaced_cost(urgency: Urgency) -> i64 {
    100_000 * urgency.wait_weight().max(1)
}

/// One waiting patient, with the facilities around them as the online engine sees them.
#[derive(Debug, Clone)]
pub struct Patient {
    /// The need; its `schedule` makes the patient recurring (weekday patterns, and the week's
    /// travel in the cost).
    pub need: Need,
    pub unit: Unit,
    /// The pattern a recurring patient keeps now and when the move takes effect (a displaced
    /// patient); `None` for a new patient.
    pub keeps: Option<(WeekdayPattern, Timestamp)>,
    /// Facilities that declined the patient before.
    pub declined: Vec<FacilityId>,
    pub sites: Vec<Site>,
    /// Facilities the caller excluded before passing `sites` (those not offering the service),
    /// counted into the explanation.
    pub not_offering: usize,
}

/// Where the plan sends one patient.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Assignment {
    /// Index into the patients passed in.
    pub patient: usize,
    #[schema(value_type = String)]
    pub facility_id: FacilityId,
    pub unit: Unit,
    pub pattern: Option<WeekdayPattern>,
    /// For a displaced recurring patient: days without a session the move implies.
    pub gap_days: Option<i64>,
    /// The online engine's ranking of this facility for the patient.
    pub ranked: Ranked,
}

/// Why a patient is left out of the plan.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Unplaced {
    pub patient: usize,
    /// `no_feasible_facility` (every facility excluded, `excluded` says by what), `too_far`
    /// (facilities would take the patient, but only beyond the travel rule of their region:
    /// never quietly placed there) or `beds_taken_by_others` (feasible places exist, but more
    /// urgent or better-placed patients fill them).
    pub why: String,
    pub feasible_facilities: usize,
    /// Facilities excluded by the travel rule alone (see `Placement::beyond_travel_limit`).
    pub beyond_travel_limit: usize,
    pub excluded: Vec<Excluded>,
}

/// The plan: every patient either assigned or unplaced with a reason.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Plan {
    pub assignments: Vec<Assignment>,
    pub unplaced: Vec<Unplaced>,
    /// The sum of the assignments' costs, minutes.
    pub placed_cost: i64,
    /// The optimum the solver proved, unplaced penalties included.
    pub total_cost: i64,
    /// Network size, for the record.
    pub nodes: usize,
    pub arcs: usize,
}

/// What became of an arc from a patient.
#[derive(Debug, Clone, Copy)]
enum Choice {
    Place { candidate: usize, pattern: Option<WeekdayPattern>, gap: Option<i64> },
    Unplaced,
}

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("the solver failed: {0}")]
    Solver(#[from] mcf::SolveError),
    #[error("the plan's network is too large: {0}")]
    Network(#[from] mcf::NetworkError),
    #[error("the plan failed its optimality certificate: {0}")]
    Certificate(String),
}

/// The network as it is built: nodes with supplies, arcs, then handed to [`Network`].
#[derive(Debug, Default)]
struct Builder {
    supplies: Vec<i64>,
    arcs: Vec<(u32, u32, i64, i64)>,
}

impl Builder {
    fn node(&mut self, supply: i64) -> u32 {
        self.supplies.push(supply);
        (self.supplies.len() - 1) as u32
    }

    /// Add an arc; answers its index.
    fn arc(&mut self, from: u32, to: u32, cap: i64, cost: i64) -> usize {
        self.arcs.push((from, to, cap, cost));
        self.arcs.len() - 1
    }

    fn network(&self) -> Result<Network, mcf::NetworkError> {
        let mut net = Network::new(self.supplies.len())?;
        for (i, &s) in self.supplies.iter().enumerate() {
            net.add_node_supply(NodeId::new(i as u32), s)?;
        }
        net.reserve_arcs(self.arcs.len());
        for &(from, to, cap, cost) in &self.arcs {
            net.add_arc(NodeId::new(from), NodeId::new(to), 0, cap, cost)?;
        }
        Ok(net)
    }
}

/// Plan every patient at once; exact over each patient's [`CANDIDATES_PER_PATIENT`] best
/// feasible places.
pub fn plan(patients: &[Patient]) -> Result<Plan, PlanError> {
    let mut b = Builder::default();
    let sink = b.node(-(patients.len() as i64));
    // (facility, unit) → (node, free beds); (facility, unit, pattern) → node.
    let mut units: HashMap<(FacilityId, Unit), (u32, i64)> = HashMap::new();
    let mut patterns: HashMap<(FacilityId, Unit, WeekdayPattern), u32> = HashMap::new();
    // Per arc out of a patient: whose, and what it means.
    let mut choices: Vec<(usize, usize, Choice)> = Vec::new();
    let mut rankings = Vec::with_capacity(patients.len());
    for (i, p) in patients.iter().enumerate() {
        let mut placement = online::place(&p.need, &p.sites, &p.declined, CANDIDATES_PER_PATIENT);
        placement.count_excluded(online::Exclusion::ServiceNotOffered, p.not_offering);
        let node = b.node(1);
        for (c, r) in placement.ranked.iter().enumerate() {
            let free = r.free_beds;
            let unit_node = match units.get(&(r.facility_id, p.unit)) {
                Some(&(n, _)) => n,
                None => {
                    let n = b.node(0);
                    units.insert((r.facility_id, p.unit), (n, free));
                    n
                }
            };
            match p.need.schedule {
                None => {
                    let arc = b.arc(node, unit_node, 1, r.cost);
                    choices.push((arc, i, Choice::Place { candidate: c, pattern: None, gap: None }));
                }
                Some(schedule) => {
                    for &pattern in schedule.patterns() {
                        let gap = p.keeps.map(|(kept, from)| kept.gap_days_moving_to(pattern, from));
                        if gap.is_some_and(|g| g > schedule.max_gap_days()) {
                            continue;
                        }
                        let change = match p.keeps {
                            Some((kept, _)) if kept != pattern => PATTERN_CHANGE_COST,
                            _ => 0,
                        };
                        let pattern_node = match patterns.get(&(r.facility_id, p.unit, pattern)) {
                            Some(&n) => n,
                            None => {
                                let n = b.node(0);
                                for step in 0..SPREAD_STEPS.min(free) {
                                    b.arc(n, unit_node, 1, step);
                                }
                                if free > SPREAD_STEPS {
                                    b.arc(n, unit_node, free - SPREAD_STEPS, SPREAD_STEPS);
                                }
                                patterns.insert((r.facility_id, p.unit, pattern), n);
                                n
                            }
                        };
                        let arc = b.arc(node, pattern_node, 1, r.cost + change);
                        choices.push((arc, i, Choice::Place { candidate: c, pattern: Some(pattern), gap }));
                    }
                }
            }
        }
        let arc = b.arc(node, sink, 1, unplaced_cost(p.need.urgency));
        choices.push((arc, i, Choice::Unplaced));
        rankings.push(placement);
    }
    let mut unit_arcs: Vec<(u32, i64)> = units.values().copied().collect();
    unit_arcs.sort_unstable();
    for (node, free) in unit_arcs {
        b.arc(node, sink, free.max(0), 0);
    }

    let net = b.network()?;
    let solution = net.solve()?;
    certificate::check(&net, &solution).map_err(|v| PlanError::Certificate(format!("{v:?}")))?;

    let mut out = Plan {
        assignments: Vec::new(),
        unplaced: Vec::new(),
        placed_cost: 0,
        total_cost: solution.cost,
        nodes: net.node_count(),
        arcs: net.arc_count(),
    };
    for &(arc, i, choice) in &choices {
        if solution.flows[arc] == 0 {
            continue;
        }
        match choice {
            Choice::Place { candidate, pattern, gap } => {
                let ranked = rankings[i].ranked[candidate];
                out.placed_cost += ranked.cost;
                out.assignments.push(Assignment {
                    patient: i,
                    facility_id: ranked.facility_id,
                    unit: patients[i].unit,
                    pattern,
                    gap_days: gap,
                    ranked,
                });
            }
            Choice::Unplaced => {
                let ranking = &rankings[i];
                out.unplaced.push(Unplaced {
                    patient: i,
                    why: ranking.unplaced_reason().unwrap_or(BEDS_TAKEN_BY_OTHERS).into(),
                    feasible_facilities: ranking.ranked.len(),
                    beyond_travel_limit: ranking.beyond_travel_limit,
                    excluded: ranking.excluded.clone(),
                });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::placement::online::Beds;
    use crate::placement::online::TravelRule;
    use carebridge_domain::designation::Designation;
    use carebridge_domain::facility::GeoPoint;
    use carebridge_domain::referral::{AgeBand, InfectionStatus, RecurringSchedule};
    use carebridge_domain::region::RegionCode;
    use carebridge_domain::service_kind::ServiceKind;
    use proptest::prelude::*;

    fn hubei() -> RegionCode {
        RegionCode::parse("420000").expect("Hubei")
    }

    fn site(n: u128, lon: f64, free: i64) -> Site {
        Site {
            facility_id: FacilityId(uuid::Uuid::from_u128(n)),
            location: GeoPoint { lon, lat: 30.6 },
            province: hubei(),
            offers_service: true,
            offers_paediatrics: true,
            paediatric_only: false,
            designation: Designation::NonVirusCritical,
            takes_new_patients: true,
            beds: Some(Beds { staffed: 40, occupied: 40 - free, held: 0 }),
            isolation_free: None,
        }
    }

    fn patient(lon: f64, urgency: Urgency, service: ServiceKind, sites: Vec<Site>) -> Patient {
        Patient {
            need: Need {
                service,
                urgency,
                infection: InfectionStatus::Negative,
                age_band: AgeBand::Adult,
                location: GeoPoint { lon, lat: 30.6 },
                province: hubei(),
                schedule: None,
                travel: TravelRule { limit_minutes: 600, cross_province: true },
            },
            unit: Unit::Icu,
            keeps: None,
            declined: Vec::new(),
            sites,
            not_offering: 0,
        }
    }

    #[test]
    fn the_last_bed_goes_to_the_emergency_and_the_routine_patient_is_told_why() {
        let sites = vec![site(1, 114.30, 1)];
        let patients = [
            patient(114.30, Urgency::Routine, ServiceKind::Icu, sites.clone()),
            patient(114.60, Urgency::Emergency, ServiceKind::Icu, sites.clone()),
        ];
        let plan = plan(&patients).unwrap();
        assert_eq!(plan.assignments.len(), 1);
        assert_eq!(plan.assignments[0].patient, 1, "the emergency, though farther");
        assert_eq!(plan.unplaced.len(), 1);
        assert_eq!(plan.unplaced[0].why, "beds_taken_by_others");
        assert_eq!(plan.total_cost, plan.placed_cost + unplaced_cost(Urgency::Routine));
    }

    #[test]
    fn a_patient_with_nowhere_to_go_says_which_constraints_excluded_every_facility() {
        let mut full = site(1, 114.30, 0);
        full.beds = Some(Beds { staffed: 10, occupied: 10, held: 0 });
        let mut p = patient(114.30, Urgency::Urgent, ServiceKind::Icu, vec![full, site(2, 120.0, 5)]);
        p.not_offering = 7;
        let plan = plan(&[p.clone()]).unwrap();
        assert!(plan.assignments.is_empty());
        let u = &plan.unplaced[0];
        assert_eq!(u.why, "too_far", "the far facility has a bed: the patient is stranded by distance");
        assert_eq!(u.beyond_travel_limit, 1);
        let counts: Vec<(&str, usize)> = u.excluded.iter().map(|e| (e.constraint.as_str(), e.facilities)).collect();
        assert_eq!(counts, vec![("service_not_offered", 7), ("too_far", 1), ("no_staffed_bed_free", 1)]);

        // The far one full too: no place anywhere.
        p.sites[1].beds = Some(Beds { staffed: 5, occupied: 5, held: 0 });
        let plan = super::plan(&[p]).unwrap();
        assert_eq!(plan.unplaced[0].why, "no_feasible_facility");
        assert_eq!(plan.unplaced[0].beyond_travel_limit, 0);
    }

    #[test]
    fn a_displaced_dialysis_patient_beyond_every_session_limit_is_unplaced_too_far_never_sent_far() {
        // The Union story: the only free stations are 175 km away (about 341 minutes), the
        // session limit is 60 minutes.
        let monday = Timestamp::from_millis(1_580_695_200_000);
        let mut p = patient(114.31, Urgency::Soon, ServiceKind::Dialysis, vec![site(1, 114.32, 0), site(2, 112.6, 9)]);
        p.unit = Unit::DialysisStations;
        p.need.schedule = Some(RecurringSchedule { sessions_per_week: 3 });
        p.need.travel = TravelRule { limit_minutes: 60, cross_province: false };
        p.keeps = Some((WeekdayPattern::MonWedFri, monday));
        let patients = vec![p.clone(), p.clone(), p];
        let plan = plan(&patients).unwrap();
        assert!(plan.assignments.is_empty(), "{:?}", plan.assignments);
        assert_eq!(plan.unplaced.len(), 3);
        assert!(plan.unplaced.iter().all(|u| u.why == "too_far"), "{:?}", plan.unplaced);
    }

    #[test]
    fn a_displaced_dialysis_patient_keeps_their_weekdays_and_never_lapses_past_the_limit() {
        // Monday 2020-02-03, 10:00 local: the patient dialysed Mon/Thu and moves today.
        let monday = Timestamp::from_millis(1_580_695_200_000);
        let sites = vec![site(1, 114.30, 3), site(2, 114.35, 3)];
        let mut p = patient(114.30, Urgency::Soon, ServiceKind::Dialysis, sites);
        p.unit = Unit::DialysisStations;
        p.need.schedule = Some(RecurringSchedule { sessions_per_week: 2 });
        p.keeps = Some((WeekdayPattern::MonThu, monday));
        let plan = plan(&[p.clone()]).unwrap();
        let a = &plan.assignments[0];
        assert_eq!(a.pattern, Some(WeekdayPattern::MonThu));
        assert_eq!(a.gap_days, Some(4));

        // Moving on a Wednesday from Mon/Thu: Tue/Fri would start Friday (4 days after
        // Monday), Wed/Sat today; both within the limit, Mon/Thu is kept anyway.
        let wednesday = Timestamp::from_millis(monday.millis() + 2 * 86_400_000);
        p.keeps = Some((WeekdayPattern::MonThu, wednesday));
        let plan2 = super::plan(&[p.clone()]).unwrap();
        assert_eq!(plan2.assignments[0].pattern, Some(WeekdayPattern::MonThu));

        // Every plan for every day of the week and every kept pattern stays within the limit.
        for day in 0..7 {
            for kept in (RecurringSchedule { sessions_per_week: 2 }).patterns() {
                p.keeps = Some((*kept, Timestamp::from_millis(monday.millis() + day * 86_400_000)));
                let plan = super::plan(&[p.clone()]).unwrap();
                let a = &plan.assignments[0];
                assert!(a.gap_days.unwrap() <= 4, "{kept} on day {day}: {a:?}");
            }
        }
    }

    #[test]
    fn dialysis_patients_are_spread_across_the_weekday_patterns() {
        let sites = vec![site(1, 114.30, 6)];
        let patients: Vec<Patient> = (0..6)
            .map(|_| {
                let mut p = patient(114.30, Urgency::Routine, ServiceKind::Dialysis, sites.clone());
                p.unit = Unit::DialysisStations;
                p.need.schedule = Some(RecurringSchedule { sessions_per_week: 2 });
                p
            })
            .collect();
        let plan = plan(&patients).unwrap();
        assert_eq!(plan.assignments.len(), 6);
        for pattern in [WeekdayPattern::MonThu, WeekdayPattern::TueFri, WeekdayPattern::WedSat] {
            assert_eq!(plan.assignments.iter().filter(|a| a.pattern == Some(pattern)).count(), 2, "{pattern}");
        }
    }

    /// The optimum by enumeration: each patient at one of its ranked places or unplaced,
    /// within every unit's free beds.
    fn brute_force(patients: &[Patient]) -> i64 {
        let options: Vec<Vec<(Option<FacilityId>, i64, i64)>> = patients
            .iter()
            .map(|p| {
                let placement = online::place(&p.need, &p.sites, &p.declined, CANDIDATES_PER_PATIENT);
                let mut o: Vec<_> =
                    placement.ranked.iter().map(|r| (Some(r.facility_id), r.cost, r.free_beds)).collect();
                o.push((None, unplaced_cost(p.need.urgency), 0));
                o
            })
            .collect();
        fn go(options: &[Vec<(Option<FacilityId>, i64, i64)>], used: &mut HashMap<FacilityId, i64>, i: usize) -> i64 {
            if i == options.len() {
                return 0;
            }
            let mut best = i64::MAX;
            for &(f, cost, free) in &options[i] {
                if let Some(f) = f {
                    if *used.get(&f).unwrap_or(&0) >= free {
                        continue;
                    }
                    *used.entry(f).or_default() += 1;
                    best = best.min(cost + go(options, used, i + 1));
                    *used.get_mut(&f).unwrap() -= 1;
                } else {
                    best = best.min(cost + go(options, used, i + 1));
                }
            }
            best
        }
        go(&options, &mut HashMap::new(), 0)
    }

    proptest! {
        #[test]
        fn the_plan_is_the_brute_force_optimum(
            frees in proptest::collection::vec(0i64..3, 1..4),
            people in proptest::collection::vec((114.0f64..114.8, 0usize..4), 1..7),
        ) {
            let sites: Vec<Site> =
                frees.iter().enumerate().map(|(i, &f)| site(i as u128 + 1, 114.0 + 0.3 * i as f64, f)).collect();
            let urgencies = [Urgency::Emergency, Urgency::Urgent, Urgency::Soon, Urgency::Routine];
            let patients: Vec<Patient> =
                people.iter().map(|&(lon, u)| patient(lon, urgencies[u], ServiceKind::Icu, sites.clone())).collect();
            let plan = plan(&patients).unwrap();
            prop_assert_eq!(plan.total_cost, brute_force(&patients));
            prop_assert_eq!(plan.assignments.len() + plan.unplaced.len(), patients.len());
            for (i, s) in sites.iter().enumerate() {
                let taken = plan.assignments.iter().filter(|a| a.facility_id == s.facility_id).count() as i64;
                prop_assert!(taken <= frees[i]);
            }
        }
    }
}
