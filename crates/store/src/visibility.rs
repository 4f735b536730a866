//! Visibility: a principal's scope in the form a query needs, so scope is enforced in the
//! `WHERE` clause and out-of-scope rows are never read.

use crate::sql::SqlBuilder;
use carebridge_domain::ids::FacilityId;
use carebridge_domain::region::{RegionCode, RegionPath};

/// Which facilities a read may touch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    All,
    Province(RegionCode),
    City(RegionCode),
    County(RegionCode),
    Facility(FacilityId),
    /// No facility at all (patients reading capacity).
    None,
}

impl Visibility {
    /// Whether the facility `id` at `path` is visible: the same rule as [`Self::push_condition`],
    /// for rows already read.
    pub fn admits(&self, id: FacilityId, path: &RegionPath) -> bool {
        match self {
            Visibility::All => true,
            Visibility::Province(c) => path.province == *c,
            Visibility::City(c) => path.city == *c,
            Visibility::County(c) => path.region == *c,
            Visibility::Facility(f) => *f == id,
            Visibility::None => false,
        }
    }

    /// Append `AND <condition on alias>` to a query; `facility_column` names the column holding
    /// the facility id (`id` on facilities, `facility_id` elsewhere).
    pub(crate) fn push_condition(&self, q: &mut SqlBuilder, alias: &str, facility_column: &str) {
        match self {
            Visibility::All => {}
            Visibility::Province(c) => {
                q.push(&format!(" AND {alias}.province_code = ")).bind_text(c.to_string());
            }
            Visibility::City(c) => {
                q.push(&format!(" AND {alias}.city_code = ")).bind_text(c.to_string());
            }
            Visibility::County(c) => {
                q.push(&format!(" AND {alias}.region_code = ")).bind_text(c.to_string());
            }
            Visibility::Facility(id) => {
                q.push(&format!(" AND {alias}.{facility_column} = ")).bind_text(id.to_string());
            }
            Visibility::None => {
                q.push(" AND 1 = 0");
            }
        }
    }
}
