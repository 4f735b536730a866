//! Seeded generators for Carebridge: the demo scenario a reviewer clicks through, and
//! national-size instances the benchmarks run on.
//!
//! Why a crate of its own: the demo, the end-to-end tests and the benchmarks must all see the
//! same world, and that world must be reproducible. Everything here is pure — no I/O, no wall
//! clock, no unseeded randomness — so the same `seed` and `now` always give the same facilities,
//! orders, users and capacity history, down to the last bed. Loading the result into a store is
//! the service layer's job, not ours.
//!
//! - [`demo`] builds the scenario the field reports describe: Wuhan in February 2020 (46
//!   virus-designated hospitals with about 19,000 beds, 6 hospitals for critical non-virus
//!   patients, 15 for non-virus emergencies, converted stadiums and exhibition halls), Beijing in
//!   December 2022, Shanghai, the provinces that sent staff, and the users who act on them.
//! - [`national`] spreads about 36,000 hospitals over the 31 mainland provinces by population and
//!   streams their capacity reports lazily, for `carebridge bench registry`.

mod demo;
pub mod national;
mod seeded;

use carebridge_domain::capacity::CapacityReportDraft;
use carebridge_domain::clock::Timestamp;
use carebridge_domain::designation::Designation;
use carebridge_domain::facility::FacilityDraft;
use carebridge_domain::ids::FacilityId;
use carebridge_domain::region::RegionCode;
use carebridge_domain::user::Role;

pub use demo::demo;
pub use demo::stories;

/// The password every demo user shares; the service hashes it when it loads the users.
pub const DEMO_PASSWORD: &str = "carebridge-demo";

/// The seed `carebridge demo` uses unless told otherwise: the README's walkthrough and the
/// browser tests that replay it (`tests/browser/walkthrough.rs`) see this demo.
pub const DEMO_DEFAULT_SEED: u64 = 2020;

/// The key of Wuhan Union Hospital (华中科技大学同济医学院附属协和医院), the facility the demo's
/// desk and clinician users work at.
pub const WUHAN_UNION_KEY: &str = "wuhan-union";

/// A whole demo world: facilities with their designation orders, users, and capacity history.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    pub facilities: Vec<ScenarioFacility>,
    pub users: Vec<ScenarioUser>,
    /// Every capacity report, oldest first (ties in catalogue order), so loading them in order
    /// makes each one current when it arrives.
    pub reports: Vec<CapacityReportDraft>,
}

impl Scenario {
    /// The facility with this stable key.
    pub fn facility(&self, key: &str) -> Option<&ScenarioFacility> {
        self.facilities.iter().find(|f| f.key == key)
    }

    /// The id the scenario gave the facility with this key (users scoped to a facility name it
    /// by key).
    pub fn facility_id(&self, key: &str) -> Option<FacilityId> {
        self.facility(key).map(|f| f.id)
    }
}

/// One facility of the demo.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioFacility {
    /// A stable, human handle such as `"wuhan-union"`; unique within the scenario and the same
    /// for every seed.
    pub key: &'static str,
    /// Derived from the seed and the key: the same seed gives the same id.
    pub id: FacilityId,
    /// Already normalised (services sorted, no repeats), so `FacilityDraft::validate` accepts
    /// it unchanged.
    pub draft: FacilityDraft,
    /// Orders in effective order (oldest first); empty for facilities never designated, whose
    /// designation is therefore `general`.
    pub designations: Vec<DesignationSpec>,
    /// When a site built or converted during the window opened (its first report is not
    /// earlier); `None` for facilities that stood throughout.
    pub opens_at: Option<Timestamp>,
}

impl ScenarioFacility {
    /// The designation in force at `at`: the latest spec already effective, `general` if none.
    pub fn designation_at(&self, at: Timestamp) -> Designation {
        self.designations
            .iter()
            .filter(|d| d.effective_at <= at)
            .max_by_key(|d| d.effective_at)
            .map(|d| d.designation)
            .unwrap_or(Designation::General)
    }
}

/// A designation order as the scenario records it; the loader turns it into a
/// `DesignationOrderDraft` for the facility's id, issued by the user named in `ordered_by`.
#[derive(Debug, Clone, PartialEq)]
pub struct DesignationSpec {
    pub designation: Designation,
    pub effective_at: Timestamp,
    /// Bilingual: Chinese, then English.
    pub reason: String,
    /// The authority's document number, e.g. "武防指〔2020〕12号".
    pub order_number: String,
    /// Username of the ordering coordinator (one of [`Scenario::users`]), e.g. `"wuhan"`.
    pub ordered_by: &'static str,
}

/// A user of the demo; all share [`DEMO_PASSWORD`].
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioUser {
    pub username: &'static str,
    pub role: Role,
    pub scope: ScenarioScope,
    pub display_name: String,
}

/// A user's scope before facility keys are resolved to ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScenarioScope {
    Nation,
    Region(RegionCode),
    /// A facility, by its scenario key.
    Facility(&'static str),
    Own,
}
