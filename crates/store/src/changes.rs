//! Which facilities committed writes have touched, for the caches that mirror them.
//!
//! Placement ranks against an in-memory mirror of the registry (the service's placement index):
//! reading 2,600 facilities with their beds and holds from the database per referral cost
//! 40–170 ms. The mirror stays exact for this process because every store function that writes
//! a row placement reads (a facility, its current capacity, its designation orders, its offers)
//! marks the facility on its transaction, and the marks reach this log only when the transaction
//! commits: a rolled-back write marks nothing, and a reader that takes the marks and then reads
//! the rows sees at least what was committed when they were marked. Writes by other processes
//! (several servers on one PostgreSQL) are not seen here; the index also reloads in full on a
//! timer for them.

use carebridge_domain::ids::FacilityId;
use std::collections::HashSet;
use std::sync::Mutex;

/// Facilities written since the last [`ChangeLog::take`].
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Changed {
    /// Too many to list (a bulk import): reload everything.
    pub all: bool,
    pub facilities: HashSet<FacilityId>,
}

impl Changed {
    pub fn is_empty(&self) -> bool {
        !self.all && self.facilities.is_empty()
    }

    fn merge(&mut self, other: Changed) {
        self.all |= other.all;
        if !self.all {
            self.facilities.extend(other.facilities);
        } else {
            self.facilities.clear();
        }
    }
}

/// Above this many facilities a change is recorded as "all" (reloading everything is then
/// cheaper than a query per batch of ids).
const LIST_AT_MOST: usize = 5_000;

/// The store's log of committed changes, shared by its clones.
#[derive(Debug, Default)]
pub(crate) struct ChangeLog(Mutex<Changed>);

impl ChangeLog {
    pub fn record(&self, changed: Changed) {
        if changed.is_empty() {
            return;
        }
        let mut log = self.0.lock().unwrap_or_else(|p| p.into_inner());
        log.merge(changed);
        if log.facilities.len() > LIST_AT_MOST {
            log.all = true;
            log.facilities.clear();
        }
    }

    pub fn take(&self) -> Changed {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_accumulate_until_taken_and_many_become_all() {
        let log = ChangeLog::default();
        let a = FacilityId::new_v7();
        log.record(Changed { all: false, facilities: [a].into() });
        log.record(Changed::default());
        assert_eq!(log.take().facilities, [a].into());
        assert!(log.take().is_empty());
        log.record(Changed { all: false, facilities: (0..=LIST_AT_MOST).map(|_| FacilityId::new_v7()).collect() });
        let taken = log.take();
        assert!(taken.all && taken.facilities.is_empty());
        log.record(Changed { all: true, facilities: HashSet::new() });
        log.record(Changed { all: false, facilities: [a].into() });
        assert_eq!(log.take(), Changed { all: true, facilities: HashSet::new() });
    }
}
