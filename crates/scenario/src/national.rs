//! National-size instances for `carebridge bench registry`: about 36,000 hospitals over the 31
//! mainland provinces, and their six-hourly capacity reports, streamed.
//!
//! Facilities are spread by the 2020 census population of each province (`data/`, National
//! Bureau of Statistics), then within a province over its county-level divisions (a random city,
//! then a random county of it, so remote prefectures get hospitals too). The tier mix follows
//! the national one (about 3,000 of 36,000 tertiary): 8 % tertiary, 40 % secondary, the rest
//! primary. Every facility reports all six units, because the benchmark measures the registry
//! at its widest.
//!
//! Reports are generated lazily and statelessly: each is a pure function of (seed, facility,
//! step), hashed rather than drawn from a shared RNG, so the iterator holds no per-facility
//! state, allocates only each report's unit list, and 36,000 × 56 reports take well under a
//! second in release.

use crate::seeded::{counts, facility_id, jitter, mix64, point, stream, unit_f64, zh_number};
use carebridge_domain::capacity::{CapacityReportDraft, Unit, UnitReport};
use carebridge_domain::clock::Timestamp;
use carebridge_domain::facility::{FacilityDraft, FacilityLevel, GeoPoint};
use carebridge_domain::ids::FacilityId;
use carebridge_domain::region::{RegionCode, RegionLevel, Regions};
use carebridge_domain::service_kind::ServiceKind;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;
use std::iter::FusedIterator;

/// Resident population of the 31 mainland provinces, 7th national census (2020); see
/// `data/SOURCE.md`. Columns: `code,name_en,population_2020`.
pub const PROVINCE_POPULATION_CSV: &str = include_str!("../data/cn-province-population-2020.csv");

/// How many hospitals the country has (about 36,000): the default size of a national instance.
pub const NATIONAL_FACILITY_COUNT: usize = 36_000;

/// The time part of national facility ids (2020-01-01T00:00:00Z) plus the facility's index,
/// so ids sort in generation order and bulk inserts append to the index.
const ID_EPOCH_MS: i64 = 1_577_836_800_000;

/// One generated hospital.
#[derive(Debug, Clone, PartialEq)]
pub struct NationalFacility {
    pub id: FacilityId,
    pub draft: FacilityDraft,
    /// Its six units in `Unit::ALL` order, with physical and staffed counts and a typical
    /// occupancy; [`national_reports`] moves occupancy around this.
    pub baseline: [UnitReport; 6],
}

/// A province and its resident population.
#[derive(Debug, Clone, PartialEq)]
pub struct ProvincePopulation {
    pub code: RegionCode,
    pub name_en: &'static str,
    pub population: u64,
}

/// The committed census table, parsed. The table is fixed and tested, so a malformed line is a
/// bug, not an input error.
pub fn province_populations() -> Vec<ProvincePopulation> {
    PROVINCE_POPULATION_CSV
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let mut cols = line.split(',');
            let (code, name, pop) = (cols.next(), cols.next(), cols.next());
            ProvincePopulation {
                code: RegionCode::parse(code.unwrap_or_default()).expect("census table: six-digit code"),
                name_en: name.expect("census table: name column"),
                population: pop.and_then(|p| p.trim().parse().ok()).expect("census table: population"),
            }
        })
        .collect()
}

/// Split `count` over the provinces in proportion to population (largest remainder, ties to
/// the lower code), so the shares are exact and sum to `count`.
fn apportion(count: usize, provinces: &[ProvincePopulation]) -> Vec<usize> {
    let total: u128 = provinces.iter().map(|p| u128::from(p.population)).sum();
    if total == 0 {
        return vec![0; provinces.len()];
    }
    let quotas: Vec<(usize, u128)> = provinces
        .iter()
        .map(|p| {
            let q = count as u128 * u128::from(p.population);
            ((q / total) as usize, q % total)
        })
        .collect();
    let mut shares: Vec<usize> = quotas.iter().map(|(n, _)| *n).collect();
    let left = count - shares.iter().sum::<usize>();
    let mut order: Vec<usize> = (0..provinces.len()).collect();
    order.sort_by(|&a, &b| quotas[b].1.cmp(&quotas[a].1).then(a.cmp(&b)));
    for &i in order.iter().take(left) {
        shares[i] += 1;
    }
    shares
}

/// Where hospitals of one province may stand: its county-level divisions grouped by city
/// (a municipality's districts form one group under the province).
struct Counties {
    groups: Vec<Vec<RegionCode>>,
}

impl Counties {
    fn of(province: RegionCode, regions: &Regions) -> Self {
        let mut groups: Vec<(RegionCode, Vec<RegionCode>)> = Vec::new();
        for code in regions.subtree(province) {
            let Some(r) = regions.get(code) else { continue };
            // "市辖区" is a statistical placeholder for a city's urban core, not a place.
            if r.level != RegionLevel::County || r.name == "市辖区" {
                continue;
            }
            let parent = r.parent.unwrap_or(province);
            match groups.iter_mut().find(|(p, _)| *p == parent) {
                Some((_, g)) => g.push(code),
                None => groups.push((parent, vec![code])),
            }
        }
        if groups.is_empty() {
            // No county-level divisions known: the province itself stands in.
            groups.push((province, vec![province]));
        }
        Self { groups: groups.into_iter().map(|(_, g)| g).collect() }
    }

    fn pick(&self, rng: &mut ChaCha8Rng) -> RegionCode {
        let group = &self.groups[rng.gen_range(0..self.groups.len())];
        group[rng.gen_range(0..group.len())]
    }
}

/// Generate `count` hospitals spread over the 31 mainland provinces by population. Same seed,
/// same hospitals (ids included).
pub fn national_facilities(seed: u64, count: usize, regions: &Regions) -> Vec<NationalFacility> {
    let provinces = province_populations();
    let shares = apportion(count, &provinces);
    let mut out = Vec::with_capacity(count);
    for (province, share) in provinces.iter().zip(shares) {
        // One stream per province: a province's hospitals do not depend on another's.
        let mut rng = stream(seed, &format!("national:{}", province.code));
        let counties = Counties::of(province.code, regions);
        let mut numbers: HashMap<RegionCode, u32> = HashMap::new();
        for _ in 0..share {
            let county = counties.pick(&mut rng);
            let n = numbers.entry(county).or_insert(0);
            *n += 1;
            let id = facility_id(ID_EPOCH_MS + out.len() as i64, &mut rng);
            out.push(facility(id, county, *n, province, regions, &mut rng));
        }
    }
    out
}

fn facility(
    id: FacilityId,
    county: RegionCode,
    n: u32,
    province: &ProvincePopulation,
    regions: &Regions,
    rng: &mut ChaCha8Rng,
) -> NationalFacility {
    let name = |c: RegionCode| regions.get(c).map(|r| r.name.as_str()).unwrap_or("");
    let county_name = name(county);
    let path = regions.path(county);
    let mut address = String::new();
    if let Some(p) = path {
        address.push_str(name(p.province));
        if p.city != p.province {
            address.push_str(name(p.city));
        }
        if p.region != p.city {
            address.push_str(county_name);
        }
    }

    let roll: f64 = rng.gen();
    let level = if roll < 0.08 {
        FacilityLevel::Tertiary
    } else if roll < 0.48 {
        FacilityLevel::Secondary
    } else {
        FacilityLevel::Primary
    };
    let location = locate(county, path.map(|p| p.city), province.code, regions, rng);
    let baseline = baseline(level, rng);
    let draft = FacilityDraft {
        name_zh: format!("{county_name}第{}人民医院", zh_number(n)),
        // The division table has no romanised names, so the county keeps its Chinese name.
        name_en: format!("No. {n} People's Hospital, {county_name}, {}", province.name_en),
        region_code: county,
        level,
        location,
        address,
        phone: String::new(),
        services: services(level).to_vec(),
        takes_new_patients: true,
        // The national instance's hospitals are general hospitals: every one takes children
        // (its tiers all offer paediatrics) and adults.
        paediatric_only: false,
    };
    NationalFacility { id, draft, baseline }
}

/// The county's centre if published, else its city's, else its province's, with jitter
/// that grows as the reference point gets coarser.
fn locate(
    county: RegionCode,
    city: Option<RegionCode>,
    province: RegionCode,
    regions: &Regions,
    rng: &mut ChaCha8Rng,
) -> GeoPoint {
    let centre = |c: RegionCode| regions.get(c).and_then(|r| r.centre).map(|[lon, lat]| (lon, lat));
    if let Some(c) = centre(county) {
        jitter(rng, c, 5.0)
    } else if let Some(c) = city.and_then(centre) {
        jitter(rng, c, 20.0)
    } else if let Some(c) = centre(province) {
        jitter(rng, c, 60.0)
    } else {
        point(0.0, 0.0)
    }
}

/// Services by tier, each list in `ServiceKind` order (sorted, as `FacilityDraft::validate`
/// leaves them). Every tier offers what its six units need.
fn services(level: FacilityLevel) -> &'static [ServiceKind] {
    use ServiceKind::*;
    match level {
        FacilityLevel::Tertiary | FacilityLevel::Temporary => ServiceKind::ALL,
        FacilityLevel::Secondary => &[
            Emergency,
            Icu,
            FeverClinic,
            Maternity,
            Dialysis,
            GeneralSurgery,
            Cardiology,
            InternalMedicine,
            IsolationWard,
            Pediatrics,
            Respiratory,
            Orthopedics,
        ],
        FacilityLevel::Primary => &[
            Emergency,
            Icu,
            FeverClinic,
            Maternity,
            Dialysis,
            GeneralSurgery,
            InternalMedicine,
            IsolationWard,
            Pediatrics,
        ],
    }
}

/// Six units sized by tier (about 270 beds per hospital on average, near the national 6.5 per
/// 1,000 residents over 36,000 hospitals), staffed at 85–100 %, typically 60–85 % occupied.
fn baseline(level: FacilityLevel, rng: &mut ChaCha8Rng) -> [UnitReport; 6] {
    // (general, icu share of general, isolation, dialysis, maternity, emergency) ranges.
    let general = match level {
        FacilityLevel::Tertiary | FacilityLevel::Temporary => rng.gen_range(600..=1800),
        FacilityLevel::Secondary => rng.gen_range(100..=400),
        FacilityLevel::Primary => rng.gen_range(20..=80),
    };
    let (icu, isolation, dialysis, maternity, emergency) = match level {
        FacilityLevel::Tertiary | FacilityLevel::Temporary => (
            (general as f64 * rng.gen_range(0.02..0.04)).round() as i64,
            rng.gen_range(20..=60),
            rng.gen_range(30..=100),
            rng.gen_range(40..=120),
            rng.gen_range(30..=80),
        ),
        FacilityLevel::Secondary => (
            ((general as f64 * rng.gen_range(0.01..0.025)).round() as i64).max(2),
            rng.gen_range(6..=20),
            rng.gen_range(10..=30),
            rng.gen_range(15..=50),
            rng.gen_range(8..=25),
        ),
        FacilityLevel::Primary => (
            rng.gen_range(1..=3),
            rng.gen_range(2..=6),
            rng.gen_range(2..=8),
            rng.gen_range(4..=12),
            rng.gen_range(2..=6),
        ),
    };
    let physical = |unit: Unit| match unit {
        Unit::GeneralWard => general,
        Unit::Icu => icu,
        Unit::Isolation => isolation,
        Unit::DialysisStations => dialysis,
        Unit::Maternity => maternity,
        Unit::Emergency => emergency,
    };
    let mut unit_report = |unit: Unit| {
        let p = physical(unit);
        let staffed = (p as f64 * rng.gen_range(0.85..=1.0)).round() as i64;
        let occupied = (staffed as f64 * rng.gen_range(0.60..0.85)).round() as i64;
        UnitReport { unit, counts: counts(p, staffed, occupied) }
    };
    [
        unit_report(Unit::GeneralWard),
        unit_report(Unit::Icu),
        unit_report(Unit::Isolation),
        unit_report(Unit::DialysisStations),
        unit_report(Unit::Maternity),
        unit_report(Unit::Emergency),
    ]
}

/// Lazily yields reports: for each time step (oldest first) every facility's report with all
/// six units, or with [`NationalReports::by_facility`] each facility's whole history in turn.
/// Step `s` is as of `start + s × step_hours`. Physical and staffed counts are the
/// facility's baseline; occupancy moves around its baseline with a daily wave, a two-week wave
/// and noise, and may exceed staffed (overload), as real reports do. A report's content depends
/// on its facility and step only, never on the order it is yielded in.
pub fn national_reports(
    seed: u64,
    facilities: &[NationalFacility],
    start: Timestamp,
    steps: usize,
    step_hours: i64,
) -> NationalReports<'_> {
    NationalReports { seed, facilities, start, steps, step_hours, position: 0, by_facility: false }
}

/// The iterator [`national_reports`] returns; its length is exact (facilities × steps).
#[derive(Debug, Clone)]
pub struct NationalReports<'a> {
    seed: u64,
    facilities: &'a [NationalFacility],
    start: Timestamp,
    steps: usize,
    step_hours: i64,
    /// Reports yielded so far.
    position: usize,
    by_facility: bool,
}

impl NationalReports<'_> {
    /// Yield facility by facility, each one's steps oldest first: the order of a history
    /// backfilled from each hospital's own records (and of `carebridge export capacity`).
    pub fn by_facility(mut self) -> Self {
        self.by_facility = true;
        self
    }

    fn report(&self, step: usize, index: usize) -> CapacityReportDraft {
        let f = &self.facilities[index];
        let hours = step as i64 * self.step_hours;
        let t = hours as f64;
        let key = mix64(self.seed ^ (index as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
        // The facility's slow wave (a two-week cycle) is shared by its units.
        let slow = 0.06 * (std::f64::consts::TAU * (t / 336.0 + unit_f64(key))).sin();
        let noise_key = mix64(key ^ (step as u64).wrapping_mul(0xd6e8_feb8_6659_fd93));
        let mut units = Vec::with_capacity(6);
        for (j, b) in f.baseline.iter().enumerate() {
            let c = b.counts;
            let staffed = c.staffed();
            let base = if staffed > 0 { c.occupied() as f64 / staffed as f64 } else { 0.0 };
            let unit_key = mix64(key ^ j as u64);
            let daily = 0.03 * (std::f64::consts::TAU * (t / 24.0 + unit_f64(unit_key))).sin();
            let noise = (unit_f64(mix64(noise_key ^ j as u64)) - 0.5) * 0.08;
            let occupied = (staffed as f64 * (base + slow + daily + noise).max(0.0)).round() as i64;
            units.push(UnitReport { unit: b.unit, counts: counts(c.physical(), staffed, occupied) });
        }
        CapacityReportDraft {
            facility_id: f.id,
            as_of: Timestamp::from_millis(self.start.millis() + hours * 3_600_000),
            units,
        }
    }

    fn total(&self) -> usize {
        self.steps * self.facilities.len()
    }
}

impl Iterator for NationalReports<'_> {
    type Item = CapacityReportDraft;

    fn next(&mut self) -> Option<CapacityReportDraft> {
        if self.position >= self.total() {
            return None;
        }
        let (step, index) = if self.by_facility {
            (self.position % self.steps, self.position / self.steps)
        } else {
            (self.position / self.facilities.len(), self.position % self.facilities.len())
        };
        self.position += 1;
        Some(self.report(step, index))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.total() - self.position;
        (n, Some(n))
    }
}

impl ExactSizeIterator for NationalReports<'_> {}
impl FusedIterator for NationalReports<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_census_table_has_the_31_mainland_provinces() {
        let p = province_populations();
        assert_eq!(p.len(), 31);
        let total: u64 = p.iter().map(|p| p.population).sum();
        // 1,411,778,724 residents of the mainland provinces (without active servicemen).
        assert!((1_400_000_000..1_420_000_000).contains(&total), "{total}");
    }

    #[test]
    fn apportionment_is_exact_and_proportional() {
        let p = province_populations();
        for count in [0, 1, 31, 1000, 36_000] {
            assert_eq!(apportion(count, &p).iter().sum::<usize>(), count);
        }
    }

    #[test]
    fn service_lists_are_sorted() {
        for level in FacilityLevel::ALL {
            let s = services(*level);
            assert!(s.windows(2).all(|w| w[0] < w[1]), "{level}");
        }
    }
}
