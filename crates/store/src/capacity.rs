//! Capacity reports: append-only history (one row per unit), a current-state table kept in the
//! same transaction, and the rollups and time series read from them.
//!
//! The current state is the latest report per facility and unit by as-of time: a report older
//! than the one standing is stored as history but replaces nothing. Keeping the current state as
//! its own small table (facilities × units rows) is what lets a national rollup read 216,000 rows
//! rather than 12 million.

use crate::backend::{Store, Tx};
use crate::error::StoreError;
use crate::facilities::{designation_sql, designation_sql_for};
use crate::rows;
use crate::settings::stale_after_case;
use crate::sql::{Arg, SqlBuilder};
use crate::visibility::Visibility;
use carebridge_domain::capacity::{CapacityReportDraft, Totals, Unit, UnitCounts, UnitReport};
use carebridge_domain::clock::Timestamp;
use carebridge_domain::designation::Designation;
use carebridge_domain::ids::{FacilityId, ReportId, UserId};
use carebridge_domain::region::RegionCode;
use sqlx::Row;
use std::collections::HashMap;

/// Store one report; returns whether it became the current state of at least one unit. Four
/// statements whatever the number of units: the facility's region path, the history rows, the
/// current-state upsert (the caller adds the audit row).
pub async fn insert_report(
    tx: &mut Tx,
    id: ReportId,
    draft: &CapacityReportDraft,
    reported_by: Option<UserId>,
    received_at: Timestamp,
) -> Result<bool, StoreError> {
    if draft.units.is_empty() {
        return Ok(false);
    }
    let paths = region_paths(tx, std::iter::once(draft.facility_id)).await?;
    let rows: Vec<UnitRow<'_>> = draft.units.iter().map(|u| (&id, draft, u)).collect();
    let reporter = reported_by.map(|u| u.to_string());
    history_insert(&rows, received_at, reporter.as_deref()).query().execute(&mut *tx.inner).await?;
    // Rows whose `WHERE` fails (an older report) are not counted as affected.
    let done = current_upsert(&rows, &paths)?.query().execute(&mut *tx.inner).await?;
    Ok(done.rows_affected() > 0)
}

/// One unit of one report, as written.
type UnitRow<'a> = (&'a ReportId, &'a CapacityReportDraft, &'a UnitReport);

/// The multi-row INSERT of history rows.
fn history_insert(rows: &[UnitRow<'_>], received_at: Timestamp, reporter: Option<&str>) -> SqlBuilder {
    let mut q = SqlBuilder::new(
        "INSERT INTO capacity_reports (report_id, facility_id, unit, as_of, physical, staffed, occupied, received_at, reported_by) VALUES ",
    );
    for (i, (id, draft, u)) in rows.iter().enumerate() {
        q.push(if i == 0 { "(" } else { ", (" });
        q.bind_text(id.to_string()).push(", ");
        q.bind_text(draft.facility_id.to_string()).push(", ");
        q.bind_text(u.unit.as_str()).push(", ");
        q.bind_i64(draft.as_of.millis()).push(", ");
        q.bind_i64(u.counts.physical()).push(", ");
        q.bind_i64(u.counts.staffed()).push(", ");
        q.bind_i64(u.counts.occupied()).push(", ");
        q.bind_i64(received_at.millis()).push(", ");
        match reporter {
            Some(r) => q.bind_text(r),
            None => q.push("NULL"),
        };
        q.push(")");
    }
    q
}

/// The multi-row current-state upsert; each row's facility must be in `paths`.
fn current_upsert(
    rows: &[UnitRow<'_>],
    paths: &HashMap<FacilityId, (String, String, String)>,
) -> Result<SqlBuilder, StoreError> {
    let mut q = SqlBuilder::new(
        "INSERT INTO capacity_current (facility_id, unit, province_code, city_code, region_code, as_of, physical, \
         staffed, occupied, report_id) VALUES ",
    );
    for (i, (id, draft, u)) in rows.iter().enumerate() {
        let path = paths.get(&draft.facility_id).ok_or(StoreError::NotFound)?;
        q.push(if i == 0 { "(" } else { ", (" });
        q.bind_text(draft.facility_id.to_string()).push(", ");
        q.bind_text(u.unit.as_str()).push(", ");
        q.bind_text(path.0.clone()).push(", ");
        q.bind_text(path.1.clone()).push(", ");
        q.bind_text(path.2.clone()).push(", ");
        q.bind_i64(draft.as_of.millis()).push(", ");
        q.bind_i64(u.counts.physical()).push(", ");
        q.bind_i64(u.counts.staffed()).push(", ");
        q.bind_i64(u.counts.occupied()).push(", ");
        q.bind_text(id.to_string());
        q.push(")");
    }
    q.push(UPSERT_CURRENT_TAIL);
    Ok(q)
}

/// The conflict clause shared by every current-state upsert: only a report at least as new as
/// the standing one replaces it (ties go to the later arrival).
const UPSERT_CURRENT_TAIL: &str = " ON CONFLICT (facility_id, unit) DO UPDATE SET as_of = excluded.as_of, \
     physical = excluded.physical, staffed = excluded.staffed, occupied = excluded.occupied, \
     report_id = excluded.report_id WHERE excluded.as_of >= capacity_current.as_of";

/// Rows per multi-row INSERT in [`insert_batch`]: 100 rows × 9 columns stays far below both
/// backends' bind-parameter limits while amortising the per-statement cost.
const BATCH_ROWS: usize = 100;

/// Store many reports in one transaction with multi-row statements: the import path. Within the
/// batch only the latest report per facility and unit is offered to the current-state table
/// (PostgreSQL refuses one upsert touching a row twice).
pub async fn insert_batch(
    tx: &mut Tx,
    reports: &[(ReportId, CapacityReportDraft)],
    reported_by: Option<UserId>,
    received_at: Timestamp,
) -> Result<(), StoreError> {
    let reporter = reported_by.map(|u| u.to_string());
    let mut rows: Vec<UnitRow<'_>> = Vec::new();
    let mut latest: HashMap<(FacilityId, Unit), UnitRow<'_>> = HashMap::new();
    for (id, draft) in reports {
        for u in &draft.units {
            rows.push((id, draft, u));
            let entry = latest.entry((draft.facility_id, u.unit)).or_insert((id, draft, u));
            if draft.as_of >= entry.1.as_of {
                *entry = (id, draft, u);
            }
        }
    }
    for chunk in rows.chunks(BATCH_ROWS) {
        history_insert(chunk, received_at, reporter.as_deref()).query().execute(&mut *tx.inner).await?;
    }
    let latest: Vec<_> = latest.into_values().collect();
    let paths = region_paths(tx, latest.iter().map(|(_, d, _)| d.facility_id)).await?;
    for chunk in latest.chunks(BATCH_ROWS) {
        current_upsert(chunk, &paths)?.query().execute(&mut *tx.inner).await?;
    }
    Ok(())
}

/// Province, city and region codes of facilities, by id.
async fn region_paths(
    tx: &mut Tx,
    ids: impl Iterator<Item = FacilityId>,
) -> Result<HashMap<FacilityId, (String, String, String)>, StoreError> {
    let mut ids: Vec<FacilityId> = ids.collect();
    ids.sort();
    ids.dedup();
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let mut q = SqlBuilder::new("SELECT id, province_code, city_code, region_code FROM facilities WHERE id IN (");
        for (i, id) in chunk.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.bind_text(id.to_string());
        }
        q.push(")");
        for row in q.query().fetch_all(&mut *tx.inner).await? {
            let id: FacilityId = rows::parse("facilities", &row.try_get::<String, _>("id")?)?;
            out.insert(id, (row.try_get("province_code")?, row.try_get("city_code")?, row.try_get("region_code")?));
        }
    }
    Ok(out)
}

/// One facility's current capacity as stored.
#[derive(Debug, Clone)]
pub struct CurrentRow {
    pub facility_id: FacilityId,
    pub name_zh: String,
    pub name_en: String,
    pub region_code: RegionCode,
    pub designation: Designation,
    pub lon: f64,
    pub lat: f64,
    pub stale_after_ms: i64,
    /// Each unit with the as-of time of the report it stands from: units may stand from
    /// different reports when a desk reported only some of them.
    pub units: Vec<CurrentUnit>,
}

/// One unit's standing numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CurrentUnit {
    pub as_of: Timestamp,
    pub report: UnitReport,
}

impl CurrentRow {
    /// The as-of time of the oldest standing unit: a facility is as stale as its stalest number.
    pub fn oldest_as_of(&self) -> Option<Timestamp> {
        self.units.iter().map(|u| u.as_of).min()
    }
}

/// Current capacity of visible facilities, ordered by facility id, after `after`, at most
/// `limit` facilities (plus one, to signal another page).
pub async fn current(
    store: &Store,
    visibility: Visibility,
    after: Option<&str>,
    limit: u32,
    now: Timestamp,
) -> Result<Vec<CurrentRow>, StoreError> {
    const T: &str = "capacity_current";
    // Page over facilities first, then fetch their units.
    let stale_after = stale_after_case(store, "f").await?;
    let mut q = SqlBuilder::new("SELECT f.id, f.name_zh, f.name_en, f.region_code, f.lon, f.lat, ");
    let now_p = q.placeholder(Arg::I64(now.millis()));
    q.push(&designation_sql(&now_p));
    q.push(" AS designation, CAST(").push(&stale_after).push(" AS BIGINT) AS stale_after_ms FROM facilities f");
    q.push(" WHERE EXISTS (SELECT 1 FROM capacity_current c WHERE c.facility_id = f.id)");
    visibility.push_condition(&mut q, "f", "id");
    if let Some(after) = after {
        q.push(" AND f.id > ").bind_text(after);
    }
    q.push(" ORDER BY f.id LIMIT ").bind_i64(i64::from(limit) + 1);
    let facilities = q.query().fetch_all(store.pool()).await?;
    let mut out = Vec::with_capacity(facilities.len());
    let mut index = HashMap::new();
    for row in &facilities {
        let id: String = row.try_get("id")?;
        index.insert(id.clone(), out.len());
        out.push(CurrentRow {
            facility_id: rows::parse(T, &id)?,
            name_zh: row.try_get("name_zh")?,
            name_en: row.try_get("name_en")?,
            region_code: rows::region(T, &row.try_get::<String, _>("region_code")?)?,
            designation: rows::vocab(T, &row.try_get::<String, _>("designation")?, Designation::parse)?,
            lon: row.try_get("lon")?,
            lat: row.try_get("lat")?,
            stale_after_ms: row.try_get("stale_after_ms")?,
            units: Vec::new(),
        });
    }
    if out.is_empty() {
        return Ok(out);
    }
    let mut q = SqlBuilder::new(
        "SELECT facility_id, unit, as_of, physical, staffed, occupied FROM capacity_current WHERE facility_id IN (",
    );
    for (i, f) in out.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.bind_text(f.facility_id.to_string());
    }
    q.push(") ORDER BY facility_id, unit");
    for row in q.query().fetch_all(store.pool()).await? {
        let fid: String = row.try_get("facility_id")?;
        let Some(&i) = index.get(&fid) else { continue };
        let counts = UnitCounts::new(row.try_get("physical")?, row.try_get("staffed")?, row.try_get("occupied")?)
            .map_err(|e| StoreError::corrupt(T, e))?;
        let as_of = Timestamp::from_millis(row.try_get("as_of")?);
        let unit = rows::vocab(T, &row.try_get::<String, _>("unit")?, Unit::parse)?;
        out[i].units.push(CurrentUnit { as_of, report: UnitReport { unit, counts } });
    }
    Ok(out)
}

/// How a rollup groups facilities.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    Province,
    City,
    County,
}

impl GroupBy {
    fn column(self) -> &'static str {
        match self {
            GroupBy::Province => "c.province_code",
            GroupBy::City => "c.city_code",
            GroupBy::County => "c.region_code",
        }
    }
}

/// One aggregated line.
#[derive(Debug, Clone, PartialEq)]
pub struct RollupLine {
    pub region_code: RegionCode,
    pub unit: Unit,
    pub designation: Option<Designation>,
    pub totals: Totals,
    pub facilities: i64,
    pub stale_facilities: i64,
}

/// Sum current capacity of visible facilities by region (and designation, if asked), per unit.
/// A unit whose report is older than its region's threshold counts as stale.
pub async fn rollup(
    store: &Store,
    visibility: Visibility,
    group: GroupBy,
    by_designation: bool,
    now: Timestamp,
) -> Result<Vec<RollupLine>, StoreError> {
    const T: &str = "capacity_current";
    let stale_after = stale_after_case(store, "c").await?;
    let mut q = SqlBuilder::new("SELECT ");
    let now_p = q.placeholder(Arg::I64(now.millis()));
    q.push(group.column()).push(" AS region, c.unit AS unit, ");
    if by_designation {
        q.push(&designation_sql_for("c.facility_id", &now_p)).push(" AS designation, ");
    }
    q.push(
        "CAST(SUM(c.physical) AS BIGINT) AS physical, CAST(SUM(c.staffed) AS BIGINT) AS staffed, \
         CAST(SUM(c.occupied) AS BIGINT) AS occupied, COUNT(*) AS facilities, \
         CAST(SUM(CASE WHEN c.as_of < ",
    );
    q.push(&now_p).push(" - ").push(&stale_after);
    q.push(" THEN 1 ELSE 0 END) AS BIGINT) AS stale FROM capacity_current c WHERE 1 = 1");
    visibility.push_condition(&mut q, "c", "facility_id");
    q.push(" GROUP BY ").push(group.column()).push(", c.unit");
    if by_designation {
        q.push(", designation");
    }
    q.push(" ORDER BY 1, 2");
    if by_designation {
        q.push(", 3");
    }
    let mut out = Vec::new();
    for row in q.query().fetch_all(store.pool()).await? {
        let designation = if by_designation {
            Some(rows::vocab(T, &row.try_get::<String, _>("designation")?, Designation::parse)?)
        } else {
            None
        };
        out.push(RollupLine {
            region_code: rows::region(T, &row.try_get::<String, _>("region")?)?,
            unit: rows::vocab(T, &row.try_get::<String, _>("unit")?, Unit::parse)?,
            designation,
            totals: Totals::from_sums(row.try_get("physical")?, row.try_get("staffed")?, row.try_get("occupied")?),
            facilities: row.try_get("facilities")?,
            stale_facilities: row.try_get("stale")?,
        });
    }
    Ok(out)
}

/// One point of the occupancy time series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeriesPoint {
    pub bucket_start: Timestamp,
    pub unit: Unit,
    pub totals: Totals,
    pub facilities: i64,
}

/// Sums of reported capacity of visible facilities per time bucket since `since`; within a
/// bucket only each facility-unit's last report counts, so a facility reporting twice is not
/// counted twice.
pub async fn series(
    store: &Store,
    visibility: Visibility,
    since: Timestamp,
    bucket_ms: i64,
) -> Result<Vec<SeriesPoint>, StoreError> {
    const T: &str = "capacity_reports";
    let mut q = SqlBuilder::new("SELECT bucket, unit, CAST(SUM(physical) AS BIGINT) AS physical, \
         CAST(SUM(staffed) AS BIGINT) AS staffed, CAST(SUM(occupied) AS BIGINT) AS occupied, COUNT(*) AS n FROM (SELECT ");
    let b = q.placeholder(Arg::I64(bucket_ms.max(1)));
    q.push(&format!(
        "(r.as_of / {b}) * {b} AS bucket, r.unit, r.physical, r.staffed, r.occupied, \
         ROW_NUMBER() OVER (PARTITION BY r.facility_id, r.unit, r.as_of / {b} ORDER BY r.as_of DESC, r.seq DESC) AS rn \
         FROM capacity_reports r JOIN facilities f ON f.id = r.facility_id WHERE r.as_of >= "
    ));
    q.bind_i64(since.millis());
    visibility.push_condition(&mut q, "f", "id");
    q.push(") x WHERE rn = 1 GROUP BY bucket, unit ORDER BY bucket, unit");
    let mut out = Vec::new();
    for row in q.query().fetch_all(store.pool()).await? {
        out.push(SeriesPoint {
            bucket_start: Timestamp::from_millis(row.try_get("bucket")?),
            unit: rows::vocab(T, &row.try_get::<String, _>("unit")?, Unit::parse)?,
            totals: Totals::from_sums(row.try_get("physical")?, row.try_get("staffed")?, row.try_get("occupied")?),
            facilities: row.try_get("n")?,
        });
    }
    Ok(out)
}

/// A stored report read back (history of one facility).
#[derive(Debug, Clone)]
pub struct StoredReport {
    pub id: ReportId,
    pub draft: CapacityReportDraft,
    pub received_at: Timestamp,
    pub reported_by: Option<UserId>,
}

/// A facility's report history, newest first, at most `limit` reports before `before_seq`.
pub async fn history(
    store: &Store,
    facility: FacilityId,
    visibility: Visibility,
    before_seq: Option<i64>,
    limit: u32,
) -> Result<(Vec<StoredReport>, Option<i64>), StoreError> {
    const T: &str = "capacity_reports";
    let mut q = SqlBuilder::new(
        "SELECT r.seq, r.report_id, r.unit, r.as_of, r.physical, r.staffed, r.occupied, r.received_at, r.reported_by \
         FROM capacity_reports r JOIN facilities f ON f.id = r.facility_id WHERE r.facility_id = ",
    );
    q.bind_text(facility.to_string());
    visibility.push_condition(&mut q, "f", "id");
    if let Some(b) = before_seq {
        q.push(" AND r.seq < ").bind_i64(b);
    }
    // Units of one report are contiguous in seq; fetch generously and cut at a report boundary.
    q.push(" ORDER BY r.seq DESC LIMIT ").bind_i64(i64::from(limit) * 6 + 6);
    let rows_ = q.query().fetch_all(store.pool()).await?;
    let mut out: Vec<StoredReport> = Vec::new();
    let mut last_seq = None;
    for row in &rows_ {
        let id: ReportId = rows::parse(T, &row.try_get::<String, _>("report_id")?)?;
        let seq: i64 = row.try_get("seq")?;
        let counts = UnitCounts::new(row.try_get("physical")?, row.try_get("staffed")?, row.try_get("occupied")?)
            .map_err(|e| StoreError::corrupt(T, e))?;
        let unit = UnitReport { unit: rows::vocab(T, &row.try_get::<String, _>("unit")?, Unit::parse)?, counts };
        match out.last_mut() {
            Some(r) if r.id == id => r.draft.units.push(unit),
            _ => {
                if out.len() as u32 == limit {
                    return Ok((out, last_seq));
                }
                let reported_by: Option<String> = row.try_get("reported_by")?;
                out.push(StoredReport {
                    id,
                    draft: CapacityReportDraft {
                        facility_id: facility,
                        as_of: Timestamp::from_millis(row.try_get("as_of")?),
                        units: vec![unit],
                    },
                    received_at: Timestamp::from_millis(row.try_get("received_at")?),
                    reported_by: reported_by.map(|s| rows::parse(T, &s)).transpose()?,
                });
            }
        }
        last_seq = Some(seq);
    }
    Ok((out, None))
}

/// Number of stored unit rows (the bench's "reports").
pub async fn count_rows(store: &Store) -> Result<i64, StoreError> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM capacity_reports").fetch_one(store.pool()).await?;
    Ok(row.try_get("n")?)
}
