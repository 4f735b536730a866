//! The region table, public: codes, names, levels and children.

use crate::context::Carebridge;
use crate::error::ServiceError;
use carebridge_domain::region::Region;

impl Carebridge {
    /// Provinces (no parent given) or the children of a region.
    pub fn list_regions(&self, parent: Option<&str>) -> Result<Vec<Region>, ServiceError> {
        let codes = match self.region_filter(parent, "/parent")? {
            None => self.regions.provinces().to_vec(),
            Some(p) => self.regions.children(p).to_vec(),
        };
        Ok(codes.into_iter().filter_map(|c| self.regions.get(c).cloned()).collect())
    }

    pub fn region(&self, code: &str) -> Result<Region, ServiceError> {
        self.regions.lookup(code).cloned().map_err(|_| ServiceError::NotFound)
    }
}
