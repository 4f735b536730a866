//! The national instance: 36,000 hospitals spread over the 31 mainland provinces by
//! population, every one in a known county-level region, and a report stream of exactly
//! facilities × steps valid reports.

use carebridge_domain::capacity::Unit;
use carebridge_domain::clock::Timestamp;
use carebridge_domain::facility::FacilityLevel;
use carebridge_domain::region::{RegionCode, RegionLevel, Regions};
use carebridge_scenario::national::{
    national_facilities, national_reports, province_populations, NationalFacility, NATIONAL_FACILITY_COUNT,
};
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

fn regions() -> &'static Regions {
    static R: OnceLock<Regions> = OnceLock::new();
    R.get_or_init(Regions::china)
}

fn national() -> &'static [NationalFacility] {
    static N: OnceLock<Vec<NationalFacility>> = OnceLock::new();
    N.get_or_init(|| national_facilities(42, NATIONAL_FACILITY_COUNT, regions()))
}

fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

fn start() -> Timestamp {
    Timestamp::parse_rfc3339("2022-12-01T00:00:00Z").unwrap()
}

#[test]
fn facilities_spread_over_the_31_provinces_by_population() {
    let all = national();
    assert_eq!(all.len(), 36_000);
    let mut per_province: HashMap<RegionCode, usize> = HashMap::new();
    for f in all {
        *per_province.entry(f.draft.region_code.province()).or_default() += 1;
    }
    assert_eq!(per_province.len(), 31);
    let pop: HashMap<_, _> = province_populations().into_iter().map(|p| (p.code, p.population)).collect();
    let (gd, tibet) = (per_province[&code("440000")], per_province[&code("540000")]);
    let want = pop[&code("440000")] as f64 / pop[&code("540000")] as f64;
    let got = gd as f64 / tibet as f64;
    assert!((got / want - 1.0).abs() < 0.05, "Guangdong/Tibet {got:.1}, population ratio {want:.1}");
    for (p, n) in &per_province {
        let expected = 36_000.0 * pop[p] as f64 / pop.values().sum::<u64>() as f64;
        assert!((*n as f64 - expected).abs() <= 1.0, "{p}: {n} vs {expected:.1}");
    }
}

#[test]
fn every_facility_is_a_valid_draft_in_a_known_county() {
    let regions = regions();
    let mut ids = HashSet::new();
    let mut names = HashSet::new();
    let mut counties = HashSet::new();
    let mut levels: HashMap<FacilityLevel, usize> = HashMap::new();
    for f in national() {
        assert!(ids.insert(f.id));
        assert!(names.insert((f.draft.region_code, f.draft.name_zh.clone())), "{}", f.draft.name_zh);
        let region = regions.get(f.draft.region_code).expect("known region");
        assert_eq!(region.level, RegionLevel::County);
        assert_ne!(region.name, "市辖区");
        counties.insert(f.draft.region_code);
        assert_eq!(f.draft.clone().validate().as_ref(), Ok(&f.draft));
        assert!(f.draft.name_zh.starts_with(&region.name) && f.draft.name_zh.ends_with("人民医院"));
        let units: Vec<_> = f.baseline.iter().map(|u| u.unit).collect();
        assert_eq!(units, Unit::ALL);
        *levels.entry(f.draft.level).or_default() += 1;
        // Near the province: within 1,500 km of its centre (Xinjiang and Tibet are vast).
        let [lon, lat] = regions.get(f.draft.region_code.province()).unwrap().centre.unwrap();
        let d = f.draft.location.distance_km(carebridge_domain::facility::GeoPoint::new(lon, lat).unwrap());
        assert!(d < 1_500.0, "{} is {d:.0} km from its province centre", f.draft.name_zh);
    }
    assert!(counties.len() > 2_500, "{} counties", counties.len());
    let share = |l| levels.get(&l).copied().unwrap_or(0) as f64 / 36_000.0;
    assert!((0.07..0.09).contains(&share(FacilityLevel::Tertiary)));
    assert!((0.38..0.42).contains(&share(FacilityLevel::Secondary)));
    assert!((0.50..0.54).contains(&share(FacilityLevel::Primary)));
    let beds: i64 = national().iter().map(|f| f.baseline.iter().map(|u| u.counts.physical()).sum::<i64>()).sum();
    // About 6.5 beds per 1,000 of 1.41 billion residents: 9.2 million.
    assert!((7_000_000..12_000_000).contains(&beds), "{beds}");
}

#[test]
fn the_same_seed_gives_the_same_facilities() {
    let a = national_facilities(42, 500, regions());
    let b = national_facilities(42, 500, regions());
    let c = national_facilities(43, 500, regions());
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn report_count_is_facilities_times_steps() {
    let all = national();
    let reports = national_reports(1, all, start(), 2, 6);
    assert_eq!(reports.len(), all.len() * 2);
    assert_eq!(reports.count(), all.len() * 2);
    assert_eq!(national_reports(1, &[], start(), 56, 6).count(), 0);
    assert_eq!(national_reports(1, all, start(), 0, 6).count(), 0);
}

#[test]
fn reports_are_valid_ordered_and_reproducible() {
    let some = &national()[..300];
    let steps = 56;
    let mut n = 0;
    let mut last = Timestamp::from_millis(i64::MIN);
    let end = start().plus_hours(6 * (steps as i64 - 1));
    for (i, r) in national_reports(9, some, start(), steps, 6).enumerate() {
        n += 1;
        assert_eq!(r.facility_id, some[i % some.len()].id);
        assert_eq!(r.as_of, start().plus_hours(6 * (i / some.len()) as i64));
        assert!(r.as_of >= last);
        last = r.as_of;
        let r = r.validate(end).expect("valid report");
        assert_eq!(r.units.len(), 6);
        let base = &some[i % some.len()].baseline;
        for (u, b) in r.units.iter().zip(base) {
            assert_eq!(u.unit, b.unit);
            assert_eq!((u.counts.physical(), u.counts.staffed()), (b.counts.physical(), b.counts.staffed()));
        }
    }
    assert_eq!(n, some.len() * steps);
    let a: Vec<_> = national_reports(9, some, start(), 3, 6).collect();
    let b: Vec<_> = national_reports(9, some, start(), 3, 6).collect();
    let c: Vec<_> = national_reports(10, some, start(), 3, 6).collect();
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn facility_order_yields_the_same_reports_facility_by_facility() {
    let some = &national()[..50];
    let steps = 7;
    let by_time: Vec<_> = national_reports(3, some, start(), steps, 6).collect();
    let by_facility: Vec<_> = national_reports(3, some, start(), steps, 6).by_facility().collect();
    assert_eq!(by_facility.len(), by_time.len());
    for (i, r) in by_facility.iter().enumerate() {
        let (facility, step) = (i / steps, i % steps);
        assert_eq!(r.facility_id, some[facility].id);
        assert_eq!(r.as_of, start().plus_hours(6 * step as i64));
        assert_eq!(r, &by_time[step * some.len() + facility], "report {i} differs from its time-order twin");
    }
    let mut it = national_reports(3, some, start(), steps, 6).by_facility();
    it.next();
    assert_eq!(it.len(), some.len() * steps - 1);
}
