//! The demo scenario holds what the field reports say it should: Wuhan's 46 virus-designated
//! hospitals with about 19,000 beds, 6 for critical non-virus patients, 15 for non-virus
//! emergencies, shelter hospitals, 14 days of valid reports with a few stale facilities, and
//! users scoped as the story needs — identically for the same seed and `now`.

use carebridge_domain::capacity::{Totals, Unit, DEFAULT_STALE_AFTER_HOURS};
use carebridge_domain::clock::Timestamp;
use carebridge_domain::designation::{Designation, DesignationOrderDraft};
use carebridge_domain::facility::FacilityLevel;
use carebridge_domain::ids::FacilityId;
use carebridge_domain::region::{RegionCode, Regions};
use carebridge_domain::service_kind::ServiceKind;
use carebridge_domain::user::{validate_password, validate_username, Role};
use carebridge_scenario::{demo, Scenario, ScenarioFacility, ScenarioScope, DEMO_PASSWORD, WUHAN_UNION_KEY};
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

fn now() -> Timestamp {
    Timestamp::parse_rfc3339("2020-02-16T08:00:00+08:00").unwrap()
}

fn regions() -> &'static Regions {
    static R: OnceLock<Regions> = OnceLock::new();
    R.get_or_init(Regions::china)
}

fn scenario() -> &'static Scenario {
    static S: OnceLock<Scenario> = OnceLock::new();
    S.get_or_init(|| demo(2020, now(), regions()))
}

fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

const HOUR_MS: i64 = 3_600_000;

fn in_wuhan(f: &ScenarioFacility) -> bool {
    regions().contains(code("420100"), f.draft.region_code)
}

/// Each facility's latest report (the current state after loading).
fn latest(s: &Scenario) -> HashMap<FacilityId, &carebridge_domain::capacity::CapacityReportDraft> {
    let mut out = HashMap::new();
    for r in &s.reports {
        let e = out.entry(r.facility_id).or_insert(r);
        if r.as_of > e.as_of {
            *e = r;
        }
    }
    out
}

fn beds(r: &carebridge_domain::capacity::CapacityReportDraft) -> i64 {
    r.units
        .iter()
        .filter(|u| matches!(u.unit, Unit::GeneralWard | Unit::Isolation | Unit::Icu))
        .map(|u| u.counts.physical())
        .sum()
}

#[test]
fn same_seed_and_now_give_the_same_scenario() {
    let a = demo(7, now(), regions());
    let b = demo(7, now(), regions());
    assert_eq!(a, b);
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
}

#[test]
fn a_different_seed_gives_different_numbers_but_the_same_cast() {
    let a = demo(7, now(), regions());
    let b = demo(8, now(), regions());
    let keys = |s: &Scenario| s.facilities.iter().map(|f| f.key).collect::<Vec<_>>();
    assert_eq!(keys(&a), keys(&b));
    assert_ne!(a.facilities[0].id, b.facilities[0].id);
    let total = |s: &Scenario| latest(s).values().map(|r| beds(r)).sum::<i64>();
    assert_ne!(total(&a), total(&b));
    assert_ne!(a.reports, b.reports);
}

#[test]
fn ids_do_not_depend_on_now() {
    let later = demo(2020, now().plus_hours(30), regions());
    let ids = |s: &Scenario| s.facilities.iter().map(|f| f.id).collect::<Vec<_>>();
    assert_eq!(ids(scenario()), ids(&later));
}

#[test]
fn wuhan_has_46_virus_designated_hospitals_with_about_19000_beds() {
    let s = scenario();
    let latest = latest(s);
    let virus: Vec<_> = s
        .facilities
        .iter()
        .filter(|f| in_wuhan(f))
        .filter(|f| f.designation_at(now()) == Designation::VirusDesignated)
        .filter(|f| f.draft.level != FacilityLevel::Temporary)
        .collect();
    assert_eq!(virus.len(), 46);
    let total: i64 = virus.iter().map(|f| beds(latest[&f.id])).sum();
    assert!((17_000..=21_000).contains(&total), "{total} beds");
    for key in ["wuhan-jinyintan", "wuhan-huoshenshan", "wuhan-leishenshan"] {
        assert!(virus.iter().any(|f| f.key == key), "{key}");
    }
}

#[test]
fn wuhan_keeps_6_hospitals_for_critical_and_15_for_emergency_non_virus_care() {
    let s = scenario();
    let with = |d: Designation| -> Vec<&ScenarioFacility> {
        s.facilities.iter().filter(|f| in_wuhan(f) && f.designation_at(now()) == d).collect()
    };
    let critical = with(Designation::NonVirusCritical);
    assert_eq!(critical.len(), 6);
    assert!(critical.iter().any(|f| f.key == WUHAN_UNION_KEY));
    assert_eq!(with(Designation::NonVirusEmergency).len(), 15);

    let union = s.facility(WUHAN_UNION_KEY).unwrap();
    assert_eq!(union.draft.name_zh, "华中科技大学同济医学院附属协和医院");
    assert_eq!(union.draft.region_code, code("420103"));
    for service in [
        ServiceKind::Neurosurgery,
        ServiceKind::OncologySurgery,
        ServiceKind::Dialysis,
        ServiceKind::Icu,
        ServiceKind::Emergency,
        ServiceKind::Maternity,
        ServiceKind::Cardiology,
        ServiceKind::GeneralSurgery,
        ServiceKind::InternalMedicine,
    ] {
        assert!(union.draft.services.contains(&service), "{service}");
    }
}

#[test]
fn wuhan_has_shelter_hospitals_with_thousands_of_beds() {
    let s = scenario();
    let latest = latest(s);
    let shelters: Vec<_> =
        s.facilities.iter().filter(|f| in_wuhan(f) && f.draft.level == FacilityLevel::Temporary).collect();
    assert!(shelters.len() >= 5);
    for f in &shelters {
        assert_eq!(f.designation_at(now()), Designation::VirusDesignated, "{}", f.key);
        let opens = f.opens_at.expect("shelters open during the window");
        assert!(s.reports.iter().filter(|r| r.facility_id == f.id).all(|r| r.as_of >= opens));
    }
    let total: i64 = shelters.iter().map(|f| beds(latest[&f.id])).sum();
    assert!((3_000..=15_000).contains(&total), "{total}");
}

#[test]
fn every_region_is_known_and_every_facility_stands_in_its_city() {
    let s = scenario();
    let regions = regions();
    for f in &s.facilities {
        let path = regions.path(f.draft.region_code).unwrap_or_else(|| panic!("{}: unknown region", f.key));
        let [lon, lat] = regions.get(path.city).and_then(|r| r.centre).expect("demo cities have centres");
        let centre = carebridge_domain::facility::GeoPoint::new(lon, lat).unwrap();
        let d = f.draft.location.distance_km(centre);
        assert!(d < 80.0, "{} is {d:.0} km from its city centre", f.key);
    }
    let provinces: HashSet<_> = s.facilities.iter().map(|f| f.draft.region_code.province()).collect();
    for p in ["420000", "110000", "310000", "370000", "320000", "430000", "440000"] {
        assert!(provinces.contains(&code(p)), "{p}");
    }
    let hubei_cities: HashSet<_> = s
        .facilities
        .iter()
        .filter(|f| f.draft.region_code.province() == code("420000"))
        .map(|f| regions.path(f.draft.region_code).unwrap().city)
        .collect();
    assert!(hubei_cities.len() >= 4);
}

#[test]
fn drafts_keys_and_ids_are_valid_and_unique() {
    let s = scenario();
    let mut keys = HashSet::new();
    let mut ids = HashSet::new();
    for f in &s.facilities {
        assert!(keys.insert(f.key), "{}", f.key);
        assert!(ids.insert(f.id), "{}", f.key);
        assert_eq!(f.draft.clone().validate().as_ref(), Ok(&f.draft), "{}", f.key);
    }
    assert!(s.facilities.len() >= 170, "{}", s.facilities.len());
}

#[test]
fn designation_orders_are_valid_timed_and_issued_by_a_coordinator_in_scope() {
    let s = scenario();
    let users: HashMap<_, _> = s.users.iter().map(|u| (u.username, u)).collect();
    let mut orders = 0;
    for f in &s.facilities {
        for d in &f.designations {
            orders += 1;
            let draft = DesignationOrderDraft {
                facility_id: f.id,
                designation: d.designation,
                effective_at: d.effective_at,
                reason: d.reason.clone(),
                order_number: d.order_number.clone(),
            };
            assert!(draft.validate().is_ok(), "{}", f.key);
            let age_h = (now().millis() - d.effective_at.millis()) / HOUR_MS;
            if f.opens_at.is_none() {
                assert!((312..=336).contains(&age_h), "{}: {age_h} h", f.key);
            } else {
                assert!((0..=336).contains(&age_h), "{}: {age_h} h", f.key);
            }
            let by = users[d.ordered_by];
            assert!(by.role.is_coordinator());
            match by.scope {
                ScenarioScope::Nation => {}
                ScenarioScope::Region(r) => {
                    assert!(regions().contains(r, f.draft.region_code), "{}", f.key)
                }
                other => panic!("{}: coordinator with scope {other:?}", f.key),
            }
        }
        if in_wuhan(f) {
            assert!(f.designations.iter().all(|d| d.ordered_by == "wuhan"), "{}", f.key);
        }
    }
    assert!(orders >= 67 + 5);
    let beijing = s.facilities.iter().filter(|f| f.designations.iter().any(|d| d.ordered_by == "beijing")).count();
    assert!((2..=6).contains(&beijing), "{beijing}");
}

#[test]
fn reports_are_valid_cover_14_days_and_some_facilities_are_stale() {
    let s = scenario();
    let now = now();
    let known: HashSet<_> = s.facilities.iter().map(|f| f.id).collect();
    assert!(s.reports.windows(2).all(|w| w[0].as_of <= w[1].as_of), "oldest first");
    let mut per_facility: HashMap<FacilityId, Vec<Timestamp>> = HashMap::new();
    for r in &s.reports {
        assert!(known.contains(&r.facility_id));
        assert!(r.as_of <= now);
        let checked = r.clone().validate(now).expect("every report validates (each unit once)");
        let units: HashSet<_> = checked.units.iter().map(|u| u.unit).collect();
        assert_eq!(units.len(), r.units.len());
        per_facility.entry(r.facility_id).or_default().push(r.as_of);
    }
    assert_eq!(per_facility.len(), s.facilities.len(), "every facility reports");

    let oldest = s.reports.first().unwrap().as_of;
    assert!(now.millis() - oldest.millis() >= 14 * 24 * HOUR_MS);
    assert!(now.millis() - oldest.millis() <= 15 * 24 * HOUR_MS);

    let stale_ms = DEFAULT_STALE_AFTER_HOURS * HOUR_MS;
    let mut stale = 0;
    for f in &s.facilities {
        let times = &per_facility[&f.id];
        let newest = *times.iter().max().unwrap();
        let age = now.millis() - newest.millis();
        if age > stale_ms {
            stale += 1;
            assert!(age <= 41 * HOUR_MS, "{} silent for {} h", f.key, age / HOUR_MS);
        } else if f.opens_at.is_none() {
            // Reported throughout: every 6 hours for 14 days.
            assert_eq!(times.len(), 57, "{}", f.key);
        }
        // Six-hourly: consecutive reports are 6 hours apart.
        let mut sorted = times.clone();
        sorted.sort();
        assert!(sorted.windows(2).all(|w| w[1].millis() - w[0].millis() == 6 * HOUR_MS), "{}", f.key);
    }
    assert!((3..=5).contains(&stale), "{stale} stale facilities");
}

#[test]
fn occupancy_tells_the_story() {
    let s = scenario();
    let latest = latest(s);
    let totals = |pred: &dyn Fn(&ScenarioFacility) -> bool, unit: Option<Unit>| {
        let mut t = Totals::default();
        for f in s.facilities.iter().filter(|f| pred(f)) {
            for u in latest[&f.id].units.iter().filter(|u| unit.is_none_or(|x| x == u.unit)) {
                t.add(&u.counts);
            }
        }
        t
    };
    let ratio = |t: Totals| t.occupied as f64 / t.staffed as f64;
    let wuhan_virus = |f: &ScenarioFacility| {
        in_wuhan(f)
            && f.designation_at(now()) == Designation::VirusDesignated
            && f.draft.level != FacilityLevel::Temporary
    };
    let v = ratio(totals(&wuhan_virus, Some(Unit::Isolation)));
    assert!(v >= 0.95, "Wuhan virus isolation occupancy {v:.2}");
    let icu = ratio(totals(&wuhan_virus, Some(Unit::Icu)));
    assert!(icu > 1.0, "Wuhan virus ICU overloaded, got {icu:.2}");
    let strained = |f: &ScenarioFacility| {
        in_wuhan(f) && matches!(f.designation_at(now()), Designation::NonVirusCritical | Designation::NonVirusEmergency)
    };
    let er = ratio(totals(&strained, Some(Unit::Emergency)));
    assert!(er > 1.0, "non-virus emergency rooms overloaded, got {er:.2}");
    let calm = |f: &ScenarioFacility| {
        ["310000", "370000", "320000", "430000", "440000"]
            .contains(&f.draft.region_code.province().to_string().as_str())
    };
    let c = ratio(totals(&calm, None));
    assert!((0.55..=0.9).contains(&c), "elsewhere {c:.2}");
    // Staffed never exceeds physical (the type guarantees it) and physical is positive.
    for r in latest.values() {
        assert!(r.units.iter().all(|u| u.counts.physical() > 0));
    }
}

#[test]
fn users_are_the_story_s_actors() {
    let s = scenario();
    assert!(validate_password(DEMO_PASSWORD).is_ok());
    let want = [
        ("nhc", Role::NationalCoordinator, ScenarioScope::Nation),
        ("hubei", Role::ProvincialCoordinator, ScenarioScope::Region(code("420000"))),
        ("wuhan", Role::CityCoordinator, ScenarioScope::Region(code("420100"))),
        ("beijing", Role::CityCoordinator, ScenarioScope::Region(code("110000"))),
        ("shanghai", Role::CityCoordinator, ScenarioScope::Region(code("310000"))),
        ("desk-union", Role::FacilityDesk, ScenarioScope::Facility(WUHAN_UNION_KEY)),
        ("desk-tongji", Role::FacilityDesk, ScenarioScope::Facility("wuhan-tongji")),
        ("desk-renmin", Role::FacilityDesk, ScenarioScope::Facility("wuhan-renmin")),
        ("desk-central", Role::FacilityDesk, ScenarioScope::Facility("wuhan-central")),
        ("desk-puai", Role::FacilityDesk, ScenarioScope::Facility("wuhan-puai")),
        ("desk-asia-general", Role::FacilityDesk, ScenarioScope::Facility("wuhan-asia-general")),
        ("desk-pumch", Role::FacilityDesk, ScenarioScope::Facility("beijing-pumch")),
        ("dr-union", Role::Clinician, ScenarioScope::Facility(WUHAN_UNION_KEY)),
        ("auditor", Role::Auditor, ScenarioScope::Nation),
        ("patient-demo", Role::Patient, ScenarioScope::Own),
    ];
    assert_eq!(s.users.len(), want.len());
    for (u, (name, role, scope)) in s.users.iter().zip(want) {
        assert_eq!((u.username, u.role, u.scope), (name, role, scope));
        assert!(validate_username(u.username).is_ok());
        assert!(!u.display_name.is_empty());
        if let ScenarioScope::Facility(key) = u.scope {
            assert!(s.facility_id(key).is_some());
        }
        if let ScenarioScope::Region(r) = u.scope {
            assert!(regions().get(r).is_some());
        }
    }
}

#[test]
fn every_facility_has_a_phone_number_marked_as_demo_data() {
    let s = scenario();
    let mut seen = std::collections::HashSet::new();
    for f in &s.facilities {
        let phone = &f.draft.phone;
        assert!(phone.ends_with("（演示号码 demo）"), "{}: {phone} is not marked as demo data", f.key);
        assert!(phone.contains("-0000-"), "{}: {phone} must use the 0000 exchange no real number has", f.key);
        assert!(seen.insert(phone.clone()), "{}: {phone} is shared", f.key);
    }
    let union = s.facility(WUHAN_UNION_KEY).unwrap();
    assert!(union.draft.phone.starts_with("027-"), "Wuhan numbers carry Wuhan's area code: {}", union.draft.phone);
}

#[test]
fn the_childrens_hospitals_take_only_children_and_every_other_facility_takes_adults() {
    let s = scenario();
    let childrens: Vec<&str> = s.facilities.iter().filter(|f| f.draft.paediatric_only).map(|f| f.key).collect();
    assert_eq!(childrens, ["wuhan-childrens", "beijing-childrens", "changsha-hunan-childrens"]);
    for f in s.facilities.iter().filter(|f| f.draft.paediatric_only) {
        assert!(f.draft.services.contains(&ServiceKind::Pediatrics), "{} treats children", f.key);
        assert!(f.draft.name_en.contains("Children"), "{}", f.key);
    }
    // A child in Wuhan has somewhere besides the children's hospital: the general hospitals
    // offer paediatrics.
    let wuhan_paediatrics = s
        .facilities
        .iter()
        .filter(|f| in_wuhan(f) && !f.draft.paediatric_only && f.draft.services.contains(&ServiceKind::Pediatrics))
        .count();
    assert!(wuhan_paediatrics >= 10, "{wuhan_paediatrics}");
}
