//! The demo scenario: the world of the field reports, generated from a seed and a `now`.
//!
//! The cast (which hospitals, where, designated by which order) is fixed data in
//! [`catalogue`], so every seed tells the same story and the stable keys (`"wuhan-union"`) mean
//! the same facility everywhere. The seed decides the numbers: bed counts within a few percent
//! of nominal, positions near a district's centre, staffing, the occupancy curves, how long
//! the stale facilities have been silent. `now` anchors all times: orders take effect 13–14
//! days before it, the 14 days of six-hourly reports end at it.

mod catalogue;
mod history;
pub mod stories;

use crate::seeded::{facility_id, jitter, point, stream};
use crate::{DesignationSpec, Scenario, ScenarioFacility, ScenarioScope, ScenarioUser};
use carebridge_domain::capacity::Unit;
use carebridge_domain::clock::Timestamp;
use carebridge_domain::designation::Designation;
use carebridge_domain::facility::{FacilityDraft, FacilityLevel, GeoPoint};
use carebridge_domain::region::{RegionCode, Regions};
use carebridge_domain::service_kind::ServiceKind;
use carebridge_domain::user::Role;
use catalogue::{Load, Profile, Site};
use history::{History, UnitModel};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// The time part of the demo's version-7 facility ids (2020-01-23T00:00:00Z, the day Wuhan
/// closed its outbound routes), plus the facility's position, so ids sort in catalogue order
/// and do not depend on `now`.
const ID_EPOCH_MS: i64 = 1_579_737_600_000;

/// Total beds (general + isolation + ICU) the 46 virus-designated Wuhan hospitals hold between
/// them: "nearly 19,000".
const WUHAN_VIRUS_BEDS: std::ops::RangeInclusive<f64> = 18_400.0..=19_200.0;

/// Build the demo scenario. Same `seed` and `now`, same scenario; see the crate docs for what it
/// holds. `regions` supplies centre points and the names in addresses; every code the
/// catalogue uses exists in [`Regions::china`].
pub fn demo(seed: u64, now: Timestamp, regions: &Regions) -> Scenario {
    let sites: Vec<&'static Site> = [
        catalogue::WUHAN_VIRUS,
        catalogue::WUHAN_CRITICAL_SITES,
        catalogue::WUHAN_EMERGENCY_SITES,
        catalogue::WUHAN_SHELTERS,
        catalogue::HUBEI_OTHER,
        catalogue::BEIJING,
        catalogue::SHANGHAI,
        catalogue::SENDING_PROVINCES,
    ]
    .into_iter()
    .flatten()
    .collect();

    // Each site's own stream: its numbers depend on the seed and its key only.
    let mut rngs: Vec<ChaCha8Rng> = sites.iter().map(|s| stream(seed, s.key)).collect();
    let mut beds: Vec<f64> =
        sites.iter().zip(&mut rngs).map(|(s, rng)| f64::from(s.beds) * rng.gen_range(0.92..1.08)).collect();
    // Scale the Wuhan virus-designated hospitals so their total lands near 19,000.
    let wuhan_virus = catalogue::WUHAN_VIRUS.len();
    let target = stream(seed, "wuhan-virus-beds").gen_range(WUHAN_VIRUS_BEDS);
    let total: f64 = beds[..wuhan_virus].iter().sum();
    for b in &mut beds[..wuhan_virus] {
        *b *= target / total;
    }

    let mut facilities = Vec::with_capacity(sites.len());
    let mut reports = Vec::new();
    for (index, ((site, mut rng), beds)) in sites.into_iter().zip(rngs).zip(beds).enumerate() {
        let (facility, history) = build(site, index, beds.round() as i64, seed, now, regions, &mut rng);
        history.reports(now, &mut rng, &mut reports);
        facilities.push(facility);
    }
    // Oldest first; within one instant, catalogue order (ids sort the same way).
    reports.sort_by_key(|r| (r.as_of, r.facility_id));

    Scenario { facilities, users: users(), reports }
}

fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).expect("catalogue region codes are six digits")
}

/// One facility and the model of its history.
fn build(
    site: &'static Site,
    index: usize,
    beds: i64,
    seed: u64,
    now: Timestamp,
    regions: &Regions,
    rng: &mut ChaCha8Rng,
) -> (ScenarioFacility, History) {
    let id = facility_id(ID_EPOCH_MS + index as i64, rng);
    let region_code = code(site.region);
    let order = site.order;
    let designation = order.map(|o| o.designation).unwrap_or(Designation::General);
    let virus = designation == Designation::VirusDesignated;

    let mut services = site.profile.services().to_vec();
    if virus {
        services.extend([ServiceKind::IsolationWard, ServiceKind::Respiratory]);
        if profile_treats_severe(site.profile) {
            services.push(ServiceKind::Icu);
        }
    }
    services.sort();
    services.dedup();
    let offers = |s: ServiceKind| services.binary_search(&s).is_ok();

    let location = match site.at {
        Some((lon, lat)) => point(lon, lat),
        None => locate(region_code, regions, rng),
    };
    let draft = FacilityDraft {
        name_zh: site.zh.to_string(),
        name_en: site.en.to_string(),
        region_code,
        level: site.level,
        location,
        address: address(region_code, site.street, regions),
        phone: demo_phone(region_code, index),
        services: services.clone(),
        takes_new_patients: true,
        // Children's hospitals (武汉儿童医院, 北京儿童医院, 湖南省儿童医院) take only children.
        paediatric_only: site.profile == Profile::Children,
    };

    let hours = |h: i64| Timestamp::from_millis(now.millis() - h * 3_600_000);
    let designations = order
        .map(|o| DesignationSpec {
            designation: o.designation,
            effective_at: hours(o.hours_before),
            reason: o.reason.to_string(),
            order_number: o.number.to_string(),
            ordered_by: o.by,
        })
        .into_iter()
        .collect();
    let opens = order.filter(|o| o.opens).map(|o| o.hours_before);

    // Units: beds split into general, isolation and ICU; service units sized on top.
    let profile = site.profile;
    let icu = if offers(ServiceKind::Icu) { ((beds as f64 * profile.icu_share()).round() as i64).max(4) } else { 0 };
    let has_isolation = offers(ServiceKind::IsolationWard);
    let (general, isolation) = if profile.has_general_ward() {
        let isolation =
            if has_isolation { ((beds as f64 * profile.isolation_share()).round() as i64).max(4) } else { 0 };
        (beds - icu - isolation, isolation)
    } else {
        (0, beds - icu)
    };
    let converts_share = match (virus && opens.is_none(), site.load) {
        (false, _) => 0.0,
        (true, Load::WuhanVirus) => 0.8,
        (true, Load::HubeiVirus) => 0.7,
        (true, Load::BeijingSurge) => 0.5,
        (true, _) => 0.3,
    };
    let mut tier_size = |tertiary: f64, secondary: f64, per_beds: f64| -> i64 {
        let base = if site.level == FacilityLevel::Tertiary { tertiary } else { secondary };
        ((base + beds as f64 / per_beds) * rng.gen_range(0.8..1.2)).round() as i64
    };
    let dialysis = tier_size(40.0, 15.0, 40.0);
    let maternity = if profile == Profile::MaternalChild {
        (beds as f64 * 0.35).round() as i64
    } else {
        tier_size(30.0, 15.0, 80.0)
    };
    let emergency = tier_size(40.0, 15.0, 50.0);

    let mut units = Vec::with_capacity(6);
    for unit in Unit::ALL.iter().copied() {
        let physical = match unit {
            Unit::GeneralWard if profile.has_general_ward() => general,
            Unit::Icu if icu > 0 => icu,
            Unit::Isolation if has_isolation => isolation,
            Unit::DialysisStations if offers(ServiceKind::Dialysis) => dialysis,
            Unit::Maternity if offers(ServiceKind::Maternity) => maternity,
            Unit::Emergency if offers(ServiceKind::Emergency) => emergency,
            _ => continue,
        };
        let (base, staff) = unit_params(site.load, unit, rng);
        units.push(UnitModel { unit, physical, base, staff, phase: rng.gen_range(0.0..std::f64::consts::TAU) });
    }

    let plateau = match site.load {
        Load::WuhanVirus => rng.gen_range(1.00..1.12),
        Load::WuhanShelter => rng.gen_range(0.82..0.98),
        Load::WuhanStrained => rng.gen_range(0.98..1.08),
        Load::HubeiVirus => rng.gen_range(0.92..1.02),
        Load::BeijingSurge => rng.gen_range(0.92..1.02),
        Load::HubeiBusy | Load::Normal => 0.0,
    };
    let silent_for = if catalogue::STALE_KEYS.contains(&site.key) {
        // Its own stream, so the silence does not shift the facility's other numbers.
        stream(seed, &format!("stale:{}", site.key)).gen_range(13.0..40.0)
    } else {
        0.0
    };
    let history = History {
        facility: id,
        load: site.load,
        designated: order.map(|o| o.hours_before as f64),
        opens: opens.map(|h| h as f64),
        silent_for,
        offset_minutes: rng.gen_range(0..45),
        converts: (general as f64 * converts_share).round() as i64,
        plateau,
        units,
    };
    let facility = ScenarioFacility { key: site.key, id, draft, designations, opens_at: opens.map(hours) };
    (facility, history)
}

/// Whether a virus-designated site of this profile takes severe cases (and so runs an ICU);
/// shelter hospitals take mild cases only.
fn profile_treats_severe(profile: Profile) -> bool {
    profile != Profile::Shelter
}

/// (occupancy before the story moves it, share of physical staffed) for one unit.
fn unit_params(load: Load, unit: Unit, rng: &mut ChaCha8Rng) -> (f64, f64) {
    match load {
        Load::Normal => (rng.gen_range(0.60..0.85), rng.gen_range(0.90..1.0)),
        Load::HubeiBusy => (rng.gen_range(0.85..0.95), rng.gen_range(0.88..0.96)),
        Load::WuhanVirus | Load::WuhanShelter | Load::HubeiVirus => {
            let base = match unit {
                Unit::Isolation => 0.5,
                Unit::Icu => 0.85,
                _ => 0.82,
            };
            let staff = match unit {
                Unit::DialysisStations => 0.95,
                _ => 0.9,
            };
            (base + rng.gen_range(-0.04..0.04), staff)
        }
        Load::WuhanStrained => {
            let base = match unit {
                Unit::Icu => 0.9,
                Unit::Isolation => 0.7,
                _ => 0.85,
            };
            (base + rng.gen_range(-0.03..0.03), rng.gen_range(0.86..0.94))
        }
        Load::BeijingSurge => {
            let base = match unit {
                Unit::GeneralWard => 0.72,
                Unit::Icu | Unit::Emergency => 0.8,
                Unit::Isolation => 0.6,
                Unit::DialysisStations => 0.85,
                Unit::Maternity => 0.75,
            };
            (base + rng.gen_range(-0.04..0.04), rng.gen_range(0.90..0.96))
        }
    }
}

/// A point a few kilometres from the centre of the district, else of its city.
fn locate(code: RegionCode, regions: &Regions, rng: &mut ChaCha8Rng) -> GeoPoint {
    let published = regions.get(code).and_then(|r| r.centre).map(|[lon, lat]| (lon, lat));
    let known = || {
        catalogue::DISTRICT_CENTRES
            .iter()
            .find(|(c, _, _)| RegionCode::parse(c).ok() == Some(code))
            .map(|(_, lon, lat)| (*lon, *lat))
    };
    if let Some(centre) = published.or_else(known) {
        return jitter(rng, centre, 2.5);
    }
    let city = regions.path(code).and_then(|p| regions.get(p.city)).and_then(|r| r.centre);
    match city {
        Some([lon, lat]) => jitter(rng, (lon, lat), 5.0),
        // Unknown to this table: the region's province centre is unknown too; stay at 0,0
        // rather than panic (the catalogue test proves this never happens with `china()`).
        None => point(0.0, 0.0),
    }
}

/// "湖北省武汉市江汉区解放大道1277号": the region names from the table, then the street.
fn address(code: RegionCode, street: &str, regions: &Regions) -> String {
    let name = |c: RegionCode| regions.get(c).map(|r| r.name.as_str()).unwrap_or("");
    let mut out = String::new();
    if let Some(path) = regions.path(code) {
        out.push_str(name(path.province));
        if path.city != path.province {
            out.push_str(name(path.city));
        }
        if path.region != path.city {
            out.push_str(name(path.region));
        }
    }
    out.push_str(street);
    out
}

/// A demo phone number, marked as such in the number itself so that no page, export or FHIR
/// resource can pass it off as the hospital's real switchboard: the city's real area code (so a
/// reader sees which city it belongs to), then an exchange of `0000`, which no Chinese local
/// number starts with, and the facility's catalogue position.
fn demo_phone(region: RegionCode, index: usize) -> String {
    let digits = region.to_string();
    let area = match &digits[..4] {
        "4201" => "027",
        "4202" => "0714",
        "4205" => "0717",
        "4206" => "0710",
        "4209" => "0712",
        "4210" => "0716",
        "4211" => "0713",
        "4212" => "0715",
        "4213" => "0722",
        "3201" => "025",
        "3702" => "0532",
        "3701" => "0531",
        "4301" => "0731",
        "4401" => "020",
        "4403" => "0755",
        _ => match &digits[..2] {
            "11" => "010",
            "31" => "021",
            "42" => "027",
            "32" => "025",
            "37" => "0531",
            "43" => "0731",
            "44" => "020",
            _ => "000",
        },
    };
    format!("{area}-0000-{:04}（演示号码 demo）", index + 1)
}

/// The demo's users: one per role, scoped as the field reports' actors were, and a desk for each
/// hospital the seed stories touch (README "Walkthrough"): the critical-care hospitals a
/// spinal-tumour patient and a 75-year-old needing abdominal surgery are sent between, and the
/// hospitals that take Union Hospital's dialysis patients when its rooms are commandeered.
fn users() -> Vec<ScenarioUser> {
    let user = |username, role, scope, display_name: &str| ScenarioUser {
        username,
        role,
        scope,
        display_name: display_name.to_string(),
    };
    vec![
        user("nhc", Role::NationalCoordinator, ScenarioScope::Nation, "国家卫健委值班协调员 · NHC duty coordinator"),
        user(
            "hubei",
            Role::ProvincialCoordinator,
            ScenarioScope::Region(code("420000")),
            "湖北省疫情防控指挥部 · Hubei provincial coordinator",
        ),
        user(
            "wuhan",
            Role::CityCoordinator,
            ScenarioScope::Region(code("420100")),
            "武汉市疫情防控指挥部 · Wuhan city coordinator",
        ),
        user(
            "beijing",
            Role::CityCoordinator,
            ScenarioScope::Region(code("110000")),
            "北京市疫情防控工作领导小组 · Beijing city coordinator",
        ),
        user(
            "shanghai",
            Role::CityCoordinator,
            ScenarioScope::Region(code("310000")),
            "上海市卫生健康委员会 · Shanghai city coordinator",
        ),
        user(
            "desk-union",
            Role::FacilityDesk,
            ScenarioScope::Facility(crate::WUHAN_UNION_KEY),
            "协和医院总值班室 · Union Hospital duty desk",
        ),
        user(
            "desk-tongji",
            Role::FacilityDesk,
            ScenarioScope::Facility("wuhan-tongji"),
            "同济医院总值班室 · Tongji Hospital duty desk",
        ),
        user(
            "desk-renmin",
            Role::FacilityDesk,
            ScenarioScope::Facility("wuhan-renmin"),
            "湖北省人民医院总值班室 · Hubei General Hospital duty desk",
        ),
        user(
            "desk-central",
            Role::FacilityDesk,
            ScenarioScope::Facility("wuhan-central"),
            "武汉市中心医院总值班室 · Wuhan Central Hospital duty desk",
        ),
        user(
            "desk-puai",
            Role::FacilityDesk,
            ScenarioScope::Facility("wuhan-puai"),
            "普爱医院总值班室 · Puai Hospital duty desk",
        ),
        user(
            "desk-asia-general",
            Role::FacilityDesk,
            ScenarioScope::Facility("wuhan-asia-general"),
            "亚心总医院总值班室 · Asia General Hospital duty desk",
        ),
        user(
            "desk-pumch",
            Role::FacilityDesk,
            ScenarioScope::Facility("beijing-pumch"),
            "北京协和医院门诊服务台 · Peking Union outpatient desk",
        ),
        user(
            "dr-union",
            Role::Clinician,
            ScenarioScope::Facility(crate::WUHAN_UNION_KEY),
            "王医生（神经外科）· Dr Wang, neurosurgery",
        ),
        user("auditor", Role::Auditor, ScenarioScope::Nation, "审计员 · Auditor"),
        user("patient-demo", Role::Patient, ScenarioScope::Own, "李先生（演示患者）· Mr Li (demo patient)"),
    ]
}

#[cfg(test)]
mod tests {
    use super::catalogue::*;
    use carebridge_domain::region::Regions;
    use std::collections::HashSet;

    fn all() -> impl Iterator<Item = &'static Site> {
        [
            WUHAN_VIRUS,
            WUHAN_CRITICAL_SITES,
            WUHAN_EMERGENCY_SITES,
            WUHAN_SHELTERS,
            HUBEI_OTHER,
            BEIJING,
            SHANGHAI,
            SENDING_PROVINCES,
        ]
        .into_iter()
        .flatten()
    }

    #[test]
    fn the_catalogue_is_consistent() {
        let regions = Regions::china();
        let mut keys = HashSet::new();
        for s in all() {
            assert!(keys.insert(s.key), "duplicate key {}", s.key);
            assert!(regions.lookup(s.region).is_ok(), "{}: unknown region {}", s.key, s.region);
            let has_centre = regions.lookup(s.region).unwrap().centre.is_some()
                || DISTRICT_CENTRES.iter().any(|(c, _, _)| *c == s.region);
            assert!(has_centre || s.at.is_some(), "{}: no centre for {}", s.key, s.region);
        }
        for k in STALE_KEYS {
            assert!(keys.contains(k), "stale key {k} is not in the catalogue");
        }
        assert_eq!(WUHAN_VIRUS.len(), 46);
        assert_eq!(WUHAN_CRITICAL_SITES.len(), 6);
        assert_eq!(WUHAN_EMERGENCY_SITES.len(), 15);
    }
}
