//! Capacity: physical, staffed and occupied counts per unit, reported by facility desks.
//!
//! Reports are append-only history; the latest by as-of time is the current state. A count that
//! exists obeys `0 ≤ staffed ≤ physical` and `0 ≤ occupied`; occupancy above staffed is allowed
//! and shown as overload, because that is what a surge looks like and hiding it helps no one.

use crate::clock::Timestamp;
use crate::designation::Designation;
use crate::error::ValidationErrors;
use crate::ids::{FacilityId, ReportId, UserId};
use crate::region::RegionCode;
use crate::service_kind::vocabulary;
use serde::{Deserialize, Serialize};

vocabulary!(
    /// A kind of bed or station counted in capacity reports.
    Unit {
        GeneralWard = "general_ward", "普通病床",
        Icu = "icu", "ICU床位",
        Isolation = "isolation", "隔离病床",
        DialysisStations = "dialysis_stations", "透析机位",
        Maternity = "maternity", "产科床位",
        Emergency = "emergency", "急诊床位",
    }
);

impl Unit {
    pub fn label_en(self) -> &'static str {
        match self {
            Self::GeneralWard => "General ward",
            Self::Icu => "ICU",
            Self::Isolation => "Isolation",
            Self::DialysisStations => "Dialysis stations",
            Self::Maternity => "Maternity",
            Self::Emergency => "Emergency",
        }
    }
}

/// The largest count one unit may report; far above any real ward, it catches typos and
/// keeps sums inside 64 bits.
pub const MAX_COUNT: i64 = 1_000_000;

/// How far a unit's occupancy may exceed its physical beds before a report is refused as
/// impossible: `occupied ≤ physical × factor`. Staffed and occupied above physical within the
/// factor are allowed: those are surge beds.
///
/// In a surge, patients lie on extra beds in corridors, day rooms and converted wards that
/// are not in the unit's physical count: the Wuhan and Beijing surges of February 2020 and
/// December 2022 filled wards and emergency departments past their listed beds by a fraction
/// of them (corridor beds, a second row of trolleys), not by multiples. Where Wuhan needed
/// multiples it opened new places — converted stadiums, offices and schools, thousands of beds
/// (`health-system-facts.md`, "Wuhan hospitals devoted to virus care") — and those report as
/// facilities of their own, with their own physical beds. The default, **1.5** (half as many
/// again as the physical beds), leaves room for a ward's corridor beds, while the typical slip
/// of a tired desk — a digit too many, a ward's number typed into the ICU line, `100`
/// occupied of `20` ICU beds or `500` of `98` (issue 20) — is five times over and refused. A
/// server-wide setting (`surge_factor_percent` in `carebridge.toml`, 100 to 1,000), not a
/// per-region one: it is a plausibility bound on one facility's own numbers, not a policy a
/// region decides, and the report is checked before the group writer reads the facility's
/// region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SurgeFactor {
    percent: u32,
}

impl SurgeFactor {
    /// Half as many again as the physical beds (see the type's doc for why).
    pub const DEFAULT: SurgeFactor = SurgeFactor { percent: 150 };
    /// The accepted settings: from 100 % (never above physical) to 1,000 %.
    pub const PERCENT_RANGE: std::ops::RangeInclusive<u32> = 100..=1000;

    pub fn from_percent(percent: u32) -> Result<Self, String> {
        if Self::PERCENT_RANGE.contains(&percent) {
            Ok(Self { percent })
        } else {
            Err(format!(
                "the surge factor must be between {} % and {} %",
                Self::PERCENT_RANGE.start(),
                Self::PERCENT_RANGE.end()
            ))
        }
    }

    pub fn percent(self) -> u32 {
        self.percent
    }

    /// The most patients a unit of `physical` beds may report.
    pub fn ceiling(self, physical: i64) -> i64 {
        physical.saturating_mul(i64::from(self.percent)) / 100
    }

    /// The factor as people say it ("2", "1.5").
    fn spoken(self) -> String {
        if self.percent.is_multiple_of(100) {
            (self.percent / 100).to_string()
        } else {
            format!("{}", f64::from(self.percent) / 100.0)
        }
    }

    /// `None` when the counts are plausible, else the detail for the `occupied` field.
    pub fn check(self, counts: &UnitCounts) -> Option<String> {
        let ceiling = self.ceiling(counts.physical);
        (counts.occupied > ceiling).then(|| {
            format!(
                "{} occupied is more than {} times the {} physical beds (at most {ceiling}): check the numbers",
                counts.occupied,
                self.spoken(),
                counts.physical
            )
        })
    }
}

impl Default for SurgeFactor {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Counts of one unit that satisfy the invariants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "RawUnitCounts")]
pub struct UnitCounts {
    #[schema(minimum = 0, maximum = 1000000)]
    physical: i64,
    /// At most `physical`.
    #[schema(minimum = 0, maximum = 1000000)]
    staffed: i64,
    #[schema(minimum = 0, maximum = 1000000)]
    occupied: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUnitCounts {
    physical: i64,
    staffed: i64,
    occupied: i64,
}

impl TryFrom<RawUnitCounts> for UnitCounts {
    type Error = ValidationErrors;
    fn try_from(r: RawUnitCounts) -> Result<Self, ValidationErrors> {
        UnitCounts::new(r.physical, r.staffed, r.occupied)
    }
}

impl UnitCounts {
    pub fn new(physical: i64, staffed: i64, occupied: i64) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        for (pointer, v) in [("/physical", physical), ("/staffed", staffed), ("/occupied", occupied)] {
            if v < 0 {
                errors.push(pointer, "must not be negative");
            } else if v > MAX_COUNT {
                errors.push(pointer, format!("must be at most {MAX_COUNT}"));
            }
        }
        if errors.is_empty() && staffed > physical {
            errors.push("/staffed", format!("staffed ({staffed}) must not exceed physical ({physical})"));
        }
        errors.finish(Self { physical, staffed, occupied })
    }
    pub fn physical(&self) -> i64 {
        self.physical
    }
    pub fn staffed(&self) -> i64 {
        self.staffed
    }
    pub fn occupied(&self) -> i64 {
        self.occupied
    }
    /// Staffed beds free now; negative when occupancy is above staffed (overload).
    pub fn available(&self) -> i64 {
        self.staffed - self.occupied
    }
    pub fn overloaded(&self) -> bool {
        self.occupied > self.staffed
    }
}

/// One unit's line in a report: `{"unit", "physical", "staffed", "occupied"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "RawUnitReport")]
pub struct UnitReport {
    pub unit: Unit,
    #[serde(flatten)]
    pub counts: UnitCounts,
}

// serde cannot combine `flatten` with `deny_unknown_fields`, so the wire form is spelled out.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUnitReport {
    unit: Unit,
    physical: i64,
    staffed: i64,
    occupied: i64,
}

impl TryFrom<RawUnitReport> for UnitReport {
    type Error = ValidationErrors;
    fn try_from(r: RawUnitReport) -> Result<Self, ValidationErrors> {
        Ok(UnitReport { unit: r.unit, counts: UnitCounts::new(r.physical, r.staffed, r.occupied)? })
    }
}

/// A report as a desk submits it: all or some units of one facility at one as-of time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CapacityReportDraft {
    pub facility_id: FacilityId,
    /// When the numbers were true; at most 5 minutes ahead of the server's clock.
    pub as_of: Timestamp,
    /// One line per unit reported (each unit at most once).
    #[schema(min_items = 1, max_items = 6)]
    pub units: Vec<UnitReport>,
}

impl CapacityReportDraft {
    /// At least one unit, each unit once, as-of not in the future beyond a small clock skew,
    /// no unit occupied beyond the default [`SurgeFactor`].
    pub fn validate(self, now: Timestamp) -> Result<Self, ValidationErrors> {
        self.validate_with(now, SurgeFactor::DEFAULT)
    }

    /// [`Self::validate`] with the server's surge factor.
    pub fn validate_with(self, now: Timestamp, surge: SurgeFactor) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        for (i, u) in self.units.iter().enumerate() {
            if let Some(detail) = surge.check(&u.counts) {
                errors.push(format!("/units/{i}/occupied"), detail);
            }
        }
        if self.units.is_empty() {
            errors.push("/units", "must list at least one unit");
        }
        let mut seen = Vec::new();
        for (i, u) in self.units.iter().enumerate() {
            if seen.contains(&u.unit) {
                errors.push(format!("/units/{i}/unit"), format!("`{}` is reported twice", u.unit));
            }
            seen.push(u.unit);
        }
        if self.as_of.millis() > now.millis() + 5 * 60_000 {
            errors.push("/as_of", "must not be more than 5 minutes in the future");
        }
        errors.finish(self)
    }
}

/// A stored report.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CapacityReport {
    pub id: ReportId,
    #[serde(flatten)]
    pub draft: CapacityReportDraft,
    pub reported_by: Option<UserId>,
    pub received_at: Timestamp,
    /// False when a newer report already stood when this one arrived: kept as history only.
    pub became_current: bool,
}

/// Hours after which a facility's capacity is stale unless its region sets otherwise.
pub const DEFAULT_STALE_AFTER_HOURS: i64 = 12;

/// One facility's current capacity, with its age.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct FacilityCapacity {
    pub facility_id: FacilityId,
    pub facility_name_zh: String,
    pub facility_name_en: String,
    pub region_code: RegionCode,
    pub designation: Designation,
    /// As-of time of the oldest standing unit: the facility is as stale as its stalest number.
    /// `null` when the facility has never reported (then `units` is empty and it is stale).
    pub as_of: Option<Timestamp>,
    /// Age of the oldest standing unit (`as_of`), in seconds.
    pub age_seconds: Option<i64>,
    pub stale: bool,
    pub units: Vec<UnitReport>,
    /// As-of time of the newest standing unit: when the facility last reported anything. A
    /// partial report (some units only) moves this and leaves `as_of` with the oldest unit.
    pub newest_as_of: Option<Timestamp>,
    /// Each standing unit's own as-of time, age and staleness, in the order of `units`.
    pub unit_ages: Vec<UnitAge>,
}

/// How old one unit's standing numbers are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct UnitAge {
    pub unit: Unit,
    pub as_of: Timestamp,
    pub age_seconds: i64,
    pub stale: bool,
}

/// Sums over a set of facilities.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Totals {
    pub physical: i64,
    pub staffed: i64,
    pub occupied: i64,
    /// staffed − occupied; negative when the set is overloaded.
    pub available: i64,
}

impl Totals {
    pub fn add(&mut self, c: &UnitCounts) {
        self.physical += c.physical();
        self.staffed += c.staffed();
        self.occupied += c.occupied();
        self.available = self.staffed - self.occupied;
    }
    pub fn from_sums(physical: i64, staffed: i64, occupied: i64) -> Self {
        Self { physical, staffed, occupied, available: staffed - occupied }
    }
}

/// One line of a rollup: a region (and optionally a unit and designation) with its sums.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RollupRow {
    pub region_code: RegionCode,
    pub region_name: String,
    pub unit: Unit,
    /// Present when the rollup is broken down by designation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub designation: Option<Designation>,
    #[serde(flatten)]
    pub totals: Totals,
    /// Facilities whose current report contributes to this row.
    pub facilities: i64,
    /// How many of those are stale: their numbers are in the sum but may be out of date.
    pub stale_facilities: i64,
}

/// A region's rollup.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Rollup {
    /// The region rolled up; absent for the nation.
    pub region_code: Option<RegionCode>,
    pub as_of: Timestamp,
    pub rows: Vec<RollupRow>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Whatever numbers arrive, a `UnitCounts` that exists obeys the invariants, and the
        /// constructor refuses exactly the inputs that break them.
        #[test]
        fn counts_exist_only_when_invariants_hold(p in -5i64..2_000_100, s in -5i64..2_000_100, o in -5i64..2_000_100) {
            let valid = (0..=MAX_COUNT).contains(&p) && (0..=MAX_COUNT).contains(&s)
                && (0..=MAX_COUNT).contains(&o) && s <= p;
            match UnitCounts::new(p, s, o) {
                Ok(c) => {
                    prop_assert!(valid);
                    prop_assert!(c.staffed() <= c.physical());
                    prop_assert!(c.occupied() >= 0 && c.staffed() >= 0);
                    prop_assert_eq!(c.available(), s - o);
                    prop_assert_eq!(c.overloaded(), o > s);
                }
                Err(e) => { prop_assert!(!valid); prop_assert!(!e.is_empty()); }
            }
        }

        /// Deserialisation goes through the same gate: JSON cannot smuggle in staffed > physical.
        #[test]
        fn json_cannot_bypass_the_invariants(p in 0i64..100, s in 0i64..200, o in 0i64..100) {
            let json = format!(r#"{{"unit":"icu","physical":{p},"staffed":{s},"occupied":{o}}}"#);
            let parsed: Result<UnitReport, _> = serde_json::from_str(&json);
            prop_assert_eq!(parsed.is_ok(), s <= p);
        }

        /// Totals equal the unit sums and available = staffed − occupied.
        #[test]
        fn totals_add_up(units in proptest::collection::vec((0i64..1000, 0i64..1000, 0i64..1500), 0..20)) {
            let mut t = Totals::default();
            let (mut sp, mut ss, mut so) = (0, 0, 0);
            for (p, s, o) in units {
                let s = s.min(p);
                t.add(&UnitCounts::new(p, s, o).unwrap());
                sp += p; ss += s; so += o;
            }
            prop_assert_eq!(t, Totals::from_sums(sp, ss, so));
        }
    }

    #[test]
    fn occupancy_beyond_the_surge_factor_is_refused_naming_the_unit() {
        let now = Timestamp::from_millis(10_000_000);
        let line = |unit, p, s, o| UnitReport { unit, counts: UnitCounts::new(p, s, o).unwrap() };
        let draft = |units| CapacityReportDraft { facility_id: FacilityId(uuid::Uuid::nil()), as_of: now, units };
        // Corridor beds: 30 of 20 passes at the default factor 1.5, 31 does not.
        assert!(draft(vec![line(Unit::Icu, 20, 18, 30)]).validate(now).is_ok());
        assert!(draft(vec![line(Unit::Icu, 20, 18, 31)]).validate(now).is_err());
        let errors =
            draft(vec![line(Unit::GeneralWard, 98, 90, 120), line(Unit::Icu, 20, 20, 100)]).validate(now).unwrap_err();
        assert_eq!(errors.0.len(), 1);
        assert_eq!(errors.0[0].pointer, "/units/1/occupied");
        assert_eq!(
            errors.0[0].detail,
            "100 occupied is more than 1.5 times the 20 physical beds (at most 30): check the numbers"
        );
        // Both impossible lines are named at once.
        let errors =
            draft(vec![line(Unit::GeneralWard, 98, 90, 500), line(Unit::Icu, 20, 20, 100)]).validate(now).unwrap_err();
        let pointers: Vec<&str> = errors.0.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(pointers, ["/units/0/occupied", "/units/1/occupied"]);
        // A looser server: 2 × 20 = 40.
        let loose = SurgeFactor::from_percent(200).unwrap();
        let errors = draft(vec![line(Unit::Icu, 20, 20, 41)]).validate_with(now, loose).unwrap_err();
        assert!(errors.0[0].detail.contains("more than 2 times"), "{}", errors.0[0].detail);
        assert!(draft(vec![line(Unit::Icu, 20, 20, 40)]).validate_with(now, loose).is_ok());
        // No beds, no patients.
        assert!(draft(vec![line(Unit::Maternity, 0, 0, 1)]).validate(now).is_err());
        assert!(SurgeFactor::from_percent(99).is_err() && SurgeFactor::from_percent(1001).is_err());
    }

    #[test]
    fn a_report_lists_each_unit_once_and_not_from_the_future() {
        let now = Timestamp::from_millis(10_000_000);
        let u = UnitReport { unit: Unit::Icu, counts: UnitCounts::new(10, 8, 9).unwrap() };
        let draft = CapacityReportDraft {
            facility_id: FacilityId(uuid::Uuid::nil()),
            as_of: now.plus_hours(1),
            units: vec![u, u],
        };
        let errors = draft.validate(now).unwrap_err();
        let pointers: Vec<_> = errors.0.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(pointers, ["/units/1/unit", "/as_of"]);
        assert!(u.counts.overloaded());
    }
}
