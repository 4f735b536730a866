//! The placement index: every facility's location, services, designation orders, beds and live
//! offers, in memory, on a grid of half-degree cells, so one referral is ranked without reading
//! thousands of rows (`carebridge bench online`: 40–170 ms a referral read from the database).
//!
//! Exactness. The store records which facilities each committed transaction touched
//! ([`carebridge_store::changes`]); before answering, the index takes those marks and re-reads
//! just those facilities. "Designation now" and "held now" are evaluated at the caller's `now`
//! from the orders and offers kept, so the index stays right as time passes. Reads and the
//! re-reads they trigger are serialised by one async lock, so an older read never overwrites a
//! newer one. Writes by other processes (servers sharing one PostgreSQL, a `carebridge import`
//! beside a server) are not marked here: [`PlacementIndex::refresh_if_older`], called by the
//! sweep, reloads everything every [`FULL_RELOAD_AFTER`] (five minutes). A hold is always taken against the
//! database under the unit's lock (`store::referrals::lock_unit`), so an index behind by a
//! few seconds can only rank, never over-commit.

use carebridge_domain::capacity::Unit;
use carebridge_domain::clock::Timestamp;
use carebridge_domain::designation::Designation;
use carebridge_domain::facility::GeoPoint;
use carebridge_domain::ids::FacilityId;
use carebridge_domain::region::RegionCode;
use carebridge_domain::service_kind::ServiceKind;
use carebridge_engines::placement::online::{Beds, Site};
use carebridge_store::placement::{site_records, DesignationAt, LiveOffer, SiteRecord, UnitBeds};
use carebridge_store::{Store, StoreError};
use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};

/// How often the whole index is re-read, for writes made by other processes. A full read of a
/// national registry (36,000 facilities) takes 1.5–3 s of one core through `sqlx::Any`, so it
/// is not done often; this process's own writes are taken in before every answer regardless.
pub const FULL_RELOAD_AFTER: Duration = Duration::from_secs(300);

/// Grid cell size in degrees (about 55 km north–south).
const CELL_DEG: f64 = 0.5;

/// A facility as the index keeps it.
#[derive(Debug, Clone)]
struct Entry {
    facility_id: FacilityId,
    location: GeoPoint,
    province: RegionCode,
    /// Bit `i` set when the facility offers `ServiceKind::ALL[i]`.
    services: u64,
    takes_new_patients: bool,
    paediatric_only: bool,
    /// Newest first by (effective_at, ordered_at).
    designations: Vec<DesignationAt>,
    units: Vec<Option<UnitBeds>>,
    offers: Vec<LiveOffer>,
}

fn service_bit(s: ServiceKind) -> u64 {
    let i = ServiceKind::ALL.iter().position(|x| *x == s).unwrap_or(63);
    1u64 << i.min(63)
}

fn unit_index(u: Unit) -> usize {
    Unit::ALL.iter().position(|x| *x == u).unwrap_or(0)
}

impl Entry {
    fn from_record(r: SiteRecord) -> Self {
        let mut designations = r.designations;
        designations.sort_by_key(|d| std::cmp::Reverse((d.effective_at, d.ordered_at)));
        Self {
            facility_id: r.facility_id,
            location: r.location,
            province: r.province,
            services: r.services.iter().fold(0, |m, s| m | service_bit(*s)),
            takes_new_patients: r.takes_new_patients,
            paediatric_only: r.paediatric_only,
            designations,
            units: r.units,
            offers: r.offers,
        }
    }

    fn designation(&self, now: Timestamp) -> Designation {
        self.designations.iter().find(|d| d.effective_at <= now).map_or(Designation::General, |d| d.designation)
    }

    fn held(&self, unit: Unit, now: Timestamp) -> i64 {
        let n = self.offers.iter().filter(|o| o.unit == unit && o.until.is_none_or(|until| until > now)).count();
        i64::try_from(n).unwrap_or(i64::MAX)
    }

    fn beds(&self, unit: Unit, now: Timestamp) -> Option<Beds> {
        self.units[unit_index(unit)].map(|b| Beds {
            staffed: b.staffed,
            occupied: b.occupied,
            held: self.held(unit, now),
        })
    }

    fn site(&self, service: ServiceKind, unit: Unit, now: Timestamp) -> Site {
        Site {
            facility_id: self.facility_id,
            location: self.location,
            province: self.province,
            offers_service: self.services & service_bit(service) != 0,
            offers_paediatrics: self.services & service_bit(ServiceKind::Pediatrics) != 0,
            paediatric_only: self.paediatric_only,
            designation: self.designation(now),
            takes_new_patients: self.takes_new_patients,
            beds: self.beds(unit, now),
            isolation_free: self.beds(Unit::Isolation, now).map(|b| b.free()),
        }
    }
}

type Cell = (i32, i32);

fn cell_of(p: GeoPoint) -> Cell {
    ((p.lon / CELL_DEG).floor() as i32, (p.lat / CELL_DEG).floor() as i32)
}

/// The entries and the grid over them.
#[derive(Debug, Default)]
struct Snapshot {
    entries: Vec<Entry>,
    by_id: HashMap<FacilityId, usize>,
    grid: HashMap<Cell, Vec<u32>>,
}

impl Snapshot {
    fn build(records: Vec<SiteRecord>) -> Self {
        let mut s = Snapshot::default();
        for r in records {
            s.upsert(Entry::from_record(r));
        }
        s
    }

    fn upsert(&mut self, e: Entry) {
        let cell = cell_of(e.location);
        match self.by_id.get(&e.facility_id) {
            Some(&i) => {
                let old = cell_of(self.entries[i].location);
                if old != cell {
                    if let Some(v) = self.grid.get_mut(&old) {
                        v.retain(|&j| j as usize != i);
                    }
                    self.grid.entry(cell).or_default().push(i as u32);
                }
                self.entries[i] = e;
            }
            None => {
                let i = self.entries.len();
                self.by_id.insert(e.facility_id, i);
                self.grid.entry(cell).or_default().push(i as u32);
                self.entries.push(e);
            }
        }
    }

    /// The facilities in the box `min..max` that offer `service`, as the engine's sites, and
    /// how many in the box do not.
    fn sites(
        &self,
        service: ServiceKind,
        unit: Unit,
        min: GeoPoint,
        max: GeoPoint,
        now: Timestamp,
    ) -> (Vec<Site>, usize) {
        let (lo, hi) = (cell_of(min), cell_of(max));
        let bit = service_bit(service);
        let mut sites = Vec::new();
        let mut not_offering = 0;
        for x in lo.0..=hi.0 {
            for y in lo.1..=hi.1 {
                let Some(cell) = self.grid.get(&(x, y)) else { continue };
                for &i in cell {
                    let e = &self.entries[i as usize];
                    let p = e.location;
                    if p.lon < min.lon || p.lon > max.lon || p.lat < min.lat || p.lat > max.lat {
                        continue;
                    }
                    if e.services & bit == 0 {
                        not_offering += 1;
                    } else {
                        sites.push(e.site(service, unit, now));
                    }
                }
            }
        }
        (sites, not_offering)
    }
}

/// The index; one per [`crate::Carebridge`] (shared by its clones).
#[derive(Debug, Default)]
pub(crate) struct PlacementIndex {
    snapshot: RwLock<Option<Snapshot>>,
    /// Serialises loads: an older read never lands after a newer one.
    loading: tokio::sync::Mutex<()>,
    state: Mutex<LoadState>,
}

#[derive(Debug, Default)]
struct LoadState {
    loaded_at: Option<Instant>,
    /// A load failed after taking the store's marks: reload everything next time.
    stale: bool,
    /// While a full reload reads without the lock: the facilities re-read meanwhile, to re-read
    /// again on top of the full read before it is installed.
    touched_during_reload: Option<HashSet<FacilityId>>,
}

impl PlacementIndex {
    fn state(&self) -> std::sync::MutexGuard<'_, LoadState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The sites for one referral's box, after taking in every committed change of this
    /// process.
    pub async fn sites(
        &self,
        store: &Store,
        service: ServiceKind,
        unit: Unit,
        min: GeoPoint,
        max: GeoPoint,
        now: Timestamp,
    ) -> Result<(Vec<Site>, usize), StoreError> {
        self.catch_up(store).await?;
        let guard = self.snapshot.read().unwrap_or_else(|p| p.into_inner());
        Ok(guard.as_ref().map(|s| s.sites(service, unit, min, max, now)).unwrap_or_default())
    }

    /// Take the store's marks and re-read those facilities (everything, the first time).
    async fn catch_up(&self, store: &Store) -> Result<(), StoreError> {
        let _one = self.loading.lock().await;
        let first = self.snapshot.read().unwrap_or_else(|p| p.into_inner()).is_none();
        let changes = store.take_changes();
        let stale = std::mem::take(&mut self.state().stale);
        if first || stale || changes.all {
            return self.load_all_locked(store).await;
        }
        if changes.facilities.is_empty() {
            return Ok(());
        }
        let ids: Vec<FacilityId> = changes.facilities.into_iter().collect();
        let records = match site_records(store, Some(&ids)).await {
            Ok(r) => r,
            Err(e) => {
                self.state().stale = true;
                return Err(e);
            }
        };
        if let Some(during) = self.state().touched_during_reload.as_mut() {
            during.extend(ids.iter().copied());
        }
        let mut guard = self.snapshot.write().unwrap_or_else(|p| p.into_inner());
        if let Some(s) = guard.as_mut() {
            for r in records {
                s.upsert(Entry::from_record(r));
            }
        }
        Ok(())
    }

    async fn load_all_locked(&self, store: &Store) -> Result<(), StoreError> {
        let records = site_records(store, None).await.inspect_err(|_| self.state().stale = true)?;
        *self.snapshot.write().unwrap_or_else(|p| p.into_inner()) = Some(Snapshot::build(records));
        self.state().loaded_at = Some(Instant::now());
        Ok(())
    }

    /// Reload everything if the last full load is older than `max_age` (for writes by other
    /// processes). The long read runs without the load lock, so rankings go on meanwhile; what
    /// they re-read in the meantime is re-read again on top before the new snapshot goes in.
    pub async fn refresh_if_older(&self, store: &Store, max_age: Duration) -> Result<bool, StoreError> {
        {
            let mut st = self.state();
            if st.loaded_at.is_some_and(|t| t.elapsed() < max_age) || st.touched_during_reload.is_some() {
                return Ok(false);
            }
            st.touched_during_reload = Some(HashSet::new());
        }
        let read = site_records(store, None).await;
        let _one = self.loading.lock().await;
        let during = self.state().touched_during_reload.take().unwrap_or_default();
        let mut fresh = Snapshot::build(read?);
        let changes = store.take_changes();
        if changes.all {
            self.load_all_locked(store).await?;
            return Ok(true);
        }
        let again: Vec<FacilityId> = during.into_iter().chain(changes.facilities).collect();
        match site_records(store, Some(&again)).await {
            Ok(records) => records.into_iter().for_each(|r| fresh.upsert(Entry::from_record(r))),
            Err(e) => {
                self.state().stale = true;
                return Err(e);
            }
        }
        *self.snapshot.write().unwrap_or_else(|p| p.into_inner()) = Some(fresh);
        self.state().loaded_at = Some(Instant::now());
        Ok(true)
    }
}
