//! Authorisation: from a principal to what it may touch. Each check returns a capability (a
//! visibility for reads, a `Coordinator` for orders) so a use case cannot reach the store's
//! scoped functions without having passed the check.
//!
//! The matrix, in one place:
//!
//! | action | who |
//! | --- | --- |
//! | facility directory, regions | anyone, signed in or not |
//! | create facility, order designation, set region settings | coordinators whose region contains it |
//! | update facility | coordinators over it; the facility's own desk |
//! | report capacity | the facility's desk; coordinators over it |
//! | read capacity, designation history | coordinators (their subtree), desk and clinician (their facility), auditors (all) |
//! | rollups | coordinators (their subtree), auditors |
//! | users | coordinators (their subtree; create roles below their own), auditors read |
//! | audit log | auditors, national coordinators |
//!
//! Out-of-scope single resources answer "not found", never "forbidden", so scope leaks nothing.

use crate::error::ServiceError;
use carebridge_domain::region::{RegionCode, RegionLevel, Regions};
use carebridge_domain::user::{Principal, Role, Scope};
use carebridge_store::Visibility;

/// The visibility of a region subtree (`None` = the nation).
pub fn region_visibility(regions: &Regions, code: Option<RegionCode>) -> Visibility {
    match code.and_then(|c| regions.get(c)) {
        None => Visibility::All,
        Some(r) => match r.level {
            RegionLevel::Province => Visibility::Province(r.code),
            RegionLevel::City => Visibility::City(r.code),
            RegionLevel::County => Visibility::County(r.code),
        },
    }
}

/// What a principal's scope lets it see of facility-bound data.
pub fn visibility(regions: &Regions, p: &Principal) -> Visibility {
    match p.scope {
        Scope::Nation => Visibility::All,
        Scope::Region(c) => region_visibility(regions, Some(c)),
        Scope::Facility(f) => Visibility::Facility(f),
        Scope::Own => Visibility::None,
    }
}

/// Readers of capacity numbers and designation history.
pub fn capacity_reader(regions: &Regions, p: &Principal) -> Result<Visibility, ServiceError> {
    match p.role {
        Role::Patient => Err(ServiceError::Forbidden("patients do not see capacity numbers".into())),
        _ => Ok(visibility(regions, p)),
    }
}

/// A coordinator, proven by [`coordinator`], with the region it governs (`None` = the nation).
#[derive(Debug, Clone, Copy)]
pub struct Coordinator<'a> {
    pub principal: &'a Principal,
    pub region: Option<RegionCode>,
}

impl Coordinator<'_> {
    /// Whether `code` lies in the governed subtree.
    pub fn governs(&self, regions: &Regions, code: RegionCode) -> bool {
        match self.region {
            None => true,
            Some(r) => regions.contains(r, code),
        }
    }

    /// The visibility of the governed subtree.
    pub fn visibility(&self, regions: &Regions) -> Visibility {
        region_visibility(regions, self.region)
    }
}

/// Check that `p` is a coordinator.
pub fn coordinator(p: &Principal) -> Result<Coordinator<'_>, ServiceError> {
    if !p.role.is_coordinator() {
        return Err(ServiceError::Forbidden(format!("a {} cannot do this: coordinators only", p.role)));
    }
    let region = match p.scope {
        Scope::Nation => None,
        Scope::Region(c) => Some(c),
        _ => return Err(ServiceError::Forbidden("coordinator without a region".into())),
    };
    Ok(Coordinator { principal: p, region })
}

/// Readers of rollups: coordinators and auditors; returns the subtree they may roll up.
pub fn rollup_reader(p: &Principal) -> Result<Option<RegionCode>, ServiceError> {
    match p.role {
        Role::Auditor => Ok(None),
        _ => coordinator(p).map(|c| c.region),
    }
}

/// The facilities `p` may report capacity for: a desk its own, a coordinator those of the
/// governed subtree; other roles may not report at all.
pub fn capacity_writer(regions: &Regions, p: &Principal) -> Result<Visibility, ServiceError> {
    desk_or_coordinator(regions, p, "cannot report capacity")
}

/// The facilities a desk (its own) or a coordinator (the governed subtree) works on; any other
/// role is refused with "a <role> `refusal`".
pub fn desk_or_coordinator(regions: &Regions, p: &Principal, refusal: &str) -> Result<Visibility, ServiceError> {
    match p.role {
        Role::FacilityDesk => Ok(visibility(regions, p)),
        r if r.is_coordinator() => Ok(coordinator(p)?.visibility(regions)),
        _ => Err(ServiceError::Forbidden(format!("a {} {refusal}", p.role))),
    }
}

/// Only the facility's own desk: a desk of another facility finds no such facility (404);
/// any other role is refused with "a <role> `refusal`: desks only".
pub fn desk_of(p: &Principal, facility: carebridge_domain::ids::FacilityId, refusal: &str) -> Result<(), ServiceError> {
    match (p.role, p.scope) {
        (Role::FacilityDesk, Scope::Facility(f)) if f == facility => Ok(()),
        (Role::FacilityDesk, _) => Err(ServiceError::NotFound),
        (r, _) => Err(ServiceError::Forbidden(format!("a {r} {refusal}: desks only"))),
    }
}

/// Readers of the audit log.
pub fn audit_reader(p: &Principal) -> Result<(), ServiceError> {
    match p.role {
        Role::Auditor | Role::NationalCoordinator => Ok(()),
        _ => Err(ServiceError::Forbidden("auditors only".into())),
    }
}

/// Readers of users: coordinators (their subtree) and auditors (all).
pub fn user_reader(regions: &Regions, p: &Principal) -> Result<Visibility, ServiceError> {
    match p.role {
        Role::Auditor => Ok(Visibility::All),
        _ => Ok(coordinator(p)?.visibility(regions)),
    }
}
