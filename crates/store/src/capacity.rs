//! Capacity reports: append-only history (a row per report and a row per unit of it), a
//! current-state table kept in the same transaction, and the rollups and time series read from
//! them.
//!
//! The current state is the latest report per facility and unit by as-of time: a report older
//! than the one standing is stored as history but replaces nothing. It is its own small table,
//! `capacity_now`, one row per facility with each unit's numbers as columns (see
//! `migrations/*/0002_capacity_now.sql`): a report rewrites one row and no secondary index, and
//! a national rollup reads 36,000 rows rather than 12 million.

use crate::backend::{Backend, Store, Tx};
use crate::error::StoreError;
use crate::facilities::{designation_sql, designation_sql_for};
use crate::json_rows::{insert_from_json, json_rows, Col, JsonRows};
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

/// A report to store: validated, with its id and who sent it.
#[derive(Debug, Clone, Copy)]
pub struct NewReport<'a> {
    pub id: ReportId,
    pub draft: &'a CapacityReportDraft,
    pub reported_by: Option<UserId>,
    pub received_at: Timestamp,
}

/// Store reports in `tx` and return, per report, whether it became the current state of at
/// least one unit. The same four statements whatever the number of reports — allocate their
/// sequence numbers, insert the reports, insert their units, upsert the current state — each
/// reading its rows from one JSON array bound as a single parameter, so a batch of a hundred
/// thousand rows costs one round trip per table and the row loop runs inside the database.
///
/// Only the latest report per facility and unit within the call is offered to the current
/// state (PostgreSQL refuses one upsert touching a row twice); ties go to the later report.
/// Every facility must exist (the foreign key refuses the whole call otherwise).
pub async fn insert_reports(tx: &mut Tx, all: &[NewReport<'_>]) -> Result<Vec<bool>, StoreError> {
    // A report without units stores nothing and becomes nothing; the answer still has one
    // entry per report passed in, so callers can zip it with theirs.
    let mut became_current = vec![false; all.len()];
    let (positions, reports): (Vec<usize>, Vec<&NewReport<'_>>) =
        all.iter().enumerate().filter(|(_, r)| !r.draft.units.is_empty()).unzip();
    if reports.is_empty() {
        return Ok(became_current);
    }
    let backend = tx.backend();
    if reports.len() > 1_000 {
        tx.touch_all();
    } else {
        for r in &reports {
            tx.touch(r.draft.facility_id);
        }
    }
    let seqs = allocate_seqs(tx, reports.len()).await?;

    let mut report_rows = JsonRows::with_capacity(reports.len() * 280);
    for (r, seq) in reports.iter().zip(&seqs) {
        report_rows.row(|w| {
            w.int(*seq);
            w.text(&r.id.to_string());
            w.text(&r.draft.facility_id.to_string());
            w.int(r.draft.as_of.millis());
            w.int(r.received_at.millis());
            w.opt_text(r.reported_by.map(|u| u.to_string()).as_deref());
            for cells in report_cells(r.draft) {
                match cells {
                    Some(cells) => cells.iter().for_each(|c| w.int(*c)),
                    None => (0..REPORT_UNIT_FIELDS.len()).for_each(|_| w.null()),
                }
            }
        });
    }
    let reports: Vec<NewReport<'_>> = reports.into_iter().copied().collect();
    let latest = latest_per_unit(&reports);

    sqlx::query(insert_reports_sql(backend)).bind(report_rows.finish()).execute(&mut *tx.inner).await?;

    // The current state: per facility, each unit's latest report within the call; a unit the
    // call does not mention goes in as NULL and leaves the standing numbers alone.
    let facilities = facilities_of(&latest);
    let mut current_rows = JsonRows::with_capacity(facilities.len() * (40 + Unit::ALL.len() * 48));
    for facility in &facilities {
        current_rows.row(|w| {
            w.text(&facility.to_string());
            for cells in standing_cells(&reports, &latest, *facility, |i| Some(seqs[i])) {
                match cells {
                    Some(cells) => cells.iter().for_each(|c| w.int(*c)),
                    None => (0..UNIT_FIELDS.len()).for_each(|_| w.null()),
                }
            }
        });
    }
    let updated = sqlx::query(upsert_now_sql(backend)).bind(current_rows.finish()).fetch_all(&mut *tx.inner).await?;

    // A unit became current where the row now stands from this call's report for it.
    for row in updated {
        let facility: FacilityId = rows::parse("capacity_now", &row.try_get::<String, _>("facility_id")?)?;
        let standing = Unit::ALL
            .iter()
            .map(|unit| row.try_get::<Option<i64>, _>(format!("{}_seq", unit.as_str()).as_str()))
            .collect::<Result<Vec<_>, _>>()?;
        for i in now_current(&latest, facility, &standing, |i| Some(seqs[i])) {
            became_current[positions[i]] = true;
        }
    }
    Ok(became_current)
}

/// (facility, unit) → the index in `reports` of the latest report for it (ties go to the later
/// report): the one a call offers to the current state.
pub(crate) fn latest_per_unit(reports: &[NewReport<'_>]) -> HashMap<(FacilityId, Unit), usize> {
    let mut latest: HashMap<(FacilityId, Unit), usize> = HashMap::new();
    for (i, r) in reports.iter().enumerate() {
        for u in &r.draft.units {
            let entry = latest.entry((r.draft.facility_id, u.unit)).or_insert(i);
            if r.draft.as_of >= reports[*entry].draft.as_of {
                *entry = i;
            }
        }
    }
    latest
}

/// The facilities in `latest`, sorted, each once.
pub(crate) fn facilities_of(latest: &HashMap<(FacilityId, Unit), usize>) -> Vec<FacilityId> {
    let mut facilities: Vec<FacilityId> = latest.keys().map(|(f, _)| *f).collect();
    facilities.sort_unstable();
    facilities.dedup();
    facilities
}

/// The upsert's cells for `facility`, per unit in [`Unit::ALL`] order: the [`UNIT_FIELDS`] of
/// the unit's latest report in the call (`seq_of` gives a report's sequence number), or `None`
/// for a unit the call does not mention.
pub(crate) fn standing_cells(
    reports: &[NewReport<'_>],
    latest: &HashMap<(FacilityId, Unit), usize>,
    facility: FacilityId,
    seq_of: impl Fn(usize) -> Option<i64>,
) -> Vec<Option<[i64; 5]>> {
    Unit::ALL
        .iter()
        .map(|unit| {
            let i = *latest.get(&(facility, *unit))?;
            let r = &reports[i];
            let u = r.draft.units.iter().rev().find(|u| u.unit == *unit)?;
            Some([r.draft.as_of.millis(), u.counts.physical(), u.counts.staffed(), u.counts.occupied(), seq_of(i)?])
        })
        .collect()
}

/// The reports (indices into the call's reports) that `facility`'s row now stands from, given
/// the `<unit>_seq` the upsert answered, in [`Unit::ALL`] order.
pub(crate) fn now_current<'a>(
    latest: &'a HashMap<(FacilityId, Unit), usize>,
    facility: FacilityId,
    standing: &'a [Option<i64>],
    seq_of: impl Fn(usize) -> Option<i64> + 'a,
) -> impl Iterator<Item = usize> + 'a {
    Unit::ALL.iter().zip(standing).filter_map(move |(unit, standing)| {
        let i = *latest.get(&(facility, *unit))?;
        (standing.is_some() && *standing == seq_of(i)).then_some(i)
    })
}

/// The per-unit columns of `capacity_now`, after the unit's name: `icu_as_of`, `icu_physical`, …
pub(crate) const UNIT_FIELDS: [&str; 5] = ["as_of", "physical", "staffed", "occupied", "seq"];

/// `<unit>_<field>` for every unit and field, in column order.
pub(crate) fn unit_columns() -> impl Iterator<Item = String> {
    Unit::ALL.iter().flat_map(|u| UNIT_FIELDS.iter().map(move |f| format!("{}_{f}", u.as_str())))
}

/// The per-unit columns of `capacity_reports`, after the unit's name: `icu_physical`, …
pub(crate) const REPORT_UNIT_FIELDS: [&str; 3] = ["physical", "staffed", "occupied"];

/// `<unit>_<field>` of a stored report for every unit and field, in column order.
pub(crate) fn report_unit_columns() -> impl Iterator<Item = String> {
    Unit::ALL.iter().flat_map(|u| REPORT_UNIT_FIELDS.iter().map(move |f| format!("{}_{f}", u.as_str())))
}

/// Every column of a `capacity_reports` row, in order: what both writers insert.
pub(crate) fn report_columns() -> impl Iterator<Item = String> {
    ["seq", "report_id", "facility_id", "as_of", "received_at", "reported_by"]
        .into_iter()
        .map(String::from)
        .chain(report_unit_columns())
}

/// A report's cells for [`report_unit_columns`]: per unit in [`Unit::ALL`] order its physical,
/// staffed and occupied counts, or `None` for a unit it does not mention.
pub(crate) fn report_cells(draft: &CapacityReportDraft) -> [Option<[i64; 3]>; Unit::ALL.len()] {
    let mut cells = [None; Unit::ALL.len()];
    for u in &draft.units {
        if let Some(k) = Unit::ALL.iter().position(|x| *x == u.unit) {
            cells[k] = Some([u.counts.physical(), u.counts.staffed(), u.counts.occupied()]);
        }
    }
    cells
}

/// The report insert of the `sqlx` path: every row of the JSON array at `$1`, in
/// [`report_columns`] order. Built once per backend.
fn insert_reports_sql(backend: Backend) -> &'static str {
    fn build(backend: Backend) -> String {
        let names: Vec<String> = report_columns().collect();
        let columns: Vec<(&str, Col)> = names
            .iter()
            .map(|c| {
                (
                    c.as_str(),
                    if matches!(c.as_str(), "report_id" | "facility_id" | "reported_by") {
                        Col::Text
                    } else {
                        Col::Int
                    },
                )
            })
            .collect();
        insert_from_json(backend, "capacity_reports", &columns)
    }
    static SQLITE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    static POSTGRES: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    match backend {
        Backend::Sqlite => SQLITE.get_or_init(|| build(Backend::Sqlite)),
        Backend::Postgres => POSTGRES.get_or_init(|| build(Backend::Postgres)),
    }
}

/// The current-state upsert: one row per facility from the JSON array at `$1` (the facility id,
/// then five cells per unit, NULL for a unit not reported). Built once per backend.
fn upsert_now_sql(backend: Backend) -> &'static str {
    fn build(backend: Backend) -> String {
        let unit_cols: Vec<String> = unit_columns().collect();
        let mut json_cols: Vec<(&str, Col)> = vec![("facility_id", Col::Text)];
        json_cols.extend(unit_cols.iter().map(|c| (c.as_str(), Col::Int)));
        let source = json_rows(backend, "$1", &json_cols);
        let picked = unit_cols.iter().map(|c| format!("x.{c}")).collect::<Vec<_>>().join(", ");
        // `WHERE true` keeps SQLite from reading `ON CONFLICT` as part of the join.
        upsert_now_from(&format!(
            "SELECT x.facility_id, f.province_code, f.city_code, f.region_code, {picked} \
             FROM {source} JOIN facilities f ON f.id = x.facility_id WHERE true"
        ))
    }
    static SQLITE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    static POSTGRES: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    match backend {
        Backend::Sqlite => SQLITE.get_or_init(|| build(Backend::Sqlite)),
        Backend::Postgres => POSTGRES.get_or_init(|| build(Backend::Postgres)),
    }
}

/// The current-state upsert of the rows `source` selects: the facility id, its province, city
/// and county codes, then the [`unit_columns`] (NULL for a unit not reported). Each unit takes
/// the new numbers only if they are at least as new as the standing ones (ties go to the later
/// arrival); all `SET` expressions read the row as it stood, so `as_of` can be compared and
/// replaced at once. Answers the facility and each unit's standing report (`<unit>_seq`, in
/// [`Unit::ALL`] order). The one rule for both the `sqlx` path and the native SQLite writer.
pub(crate) fn upsert_now_from(source: &str) -> String {
    let seqs = Unit::ALL.iter().map(|u| format!("{}_seq", u.as_str())).collect::<Vec<_>>().join(", ");
    format!("{} RETURNING facility_id, {seqs}", upsert_now_without_returning(source))
}

/// [`upsert_now_from`] without its `RETURNING` clause, for a writer that works out beforehand
/// which units will take the new numbers ([`takes_new`]): on SQLite a `RETURNING` statement
/// buffers its rows in an ephemeral table, opened and torn down on every execution.
pub(crate) fn upsert_now_without_returning(source: &str) -> String {
    let names = unit_columns().collect::<Vec<_>>().join(", ");
    let mut set = Vec::with_capacity(Unit::ALL.len() * UNIT_FIELDS.len());
    for unit in Unit::ALL {
        let u = unit.as_str();
        let newer = format!("excluded.{u}_as_of >= COALESCE(capacity_now.{u}_as_of, excluded.{u}_as_of)");
        for field in UNIT_FIELDS {
            set.push(format!(
                "{u}_{field} = CASE WHEN {newer} THEN excluded.{u}_{field} ELSE capacity_now.{u}_{field} END"
            ));
        }
    }
    format!(
        "INSERT INTO capacity_now (facility_id, province_code, city_code, region_code, {names}) {source} \
         ON CONFLICT (facility_id) DO UPDATE SET {}",
        set.join(", ")
    )
}

/// Whether a unit's new numbers as of `new_as_of` replace the standing ones as of
/// `standing_as_of`: the upsert's rule ([`upsert_now_from`]), for rows read before it.
pub(crate) fn takes_new(new_as_of: i64, standing_as_of: Option<i64>) -> bool {
    standing_as_of.is_none_or(|standing| new_as_of >= standing)
}

/// Reserve `n` report sequence numbers. On SQLite the transaction holds the database's write
/// lock (`BEGIN IMMEDIATE`), so the numbers after the largest stored one are ours; PostgreSQL
/// hands out a block from its sequence, safe beside concurrent writers.
async fn allocate_seqs(tx: &mut Tx, n: usize) -> Result<Vec<i64>, StoreError> {
    let n = i64::try_from(n).unwrap_or(i64::MAX);
    match tx.backend() {
        Backend::Sqlite => {
            let row = sqlx::query("SELECT CAST(COALESCE(MAX(seq), 0) AS BIGINT) AS top FROM capacity_reports")
                .fetch_one(&mut *tx.inner)
                .await?;
            let top: i64 = row.try_get("top")?;
            Ok((1..=n).map(|i| top + i).collect())
        }
        Backend::Postgres => {
            let rows = sqlx::query("SELECT nextval('capacity_report_seq') AS seq FROM generate_series(1, $1)")
                .bind(n)
                .fetch_all(&mut *tx.inner)
                .await?;
            rows.iter().map(|r| r.try_get::<i64, _>("seq").map_err(StoreError::from)).collect()
        }
    }
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
    const T: &str = "capacity_now";
    let stale_after = stale_after_case(store, "f").await?;
    let mut q = SqlBuilder::new("SELECT f.id, f.name_zh, f.name_en, f.region_code, f.lon, f.lat, ");
    let now_p = q.placeholder(Arg::I64(now.millis()));
    q.push(&designation_sql(&now_p));
    q.push(" AS designation, CAST(").push(&stale_after).push(" AS BIGINT) AS stale_after_ms");
    for column in unit_columns() {
        q.push(", c.").push(&column);
    }
    q.push(" FROM facilities f JOIN capacity_now c ON c.facility_id = f.id WHERE 1 = 1");
    visibility.push_condition(&mut q, "f", "id");
    if let Some(after) = after {
        q.push(" AND f.id > ").bind_text(after);
    }
    q.push(" ORDER BY f.id LIMIT ").bind_i64(i64::from(limit) + 1);
    let mut out = Vec::new();
    for row in q.query().fetch_all(store.pool()).await? {
        let mut units = Vec::with_capacity(Unit::ALL.len());
        for unit in Unit::ALL {
            let u = unit.as_str();
            let Some(as_of) = row.try_get::<Option<i64>, _>(format!("{u}_as_of").as_str())? else { continue };
            let count = |field: &str| -> Result<i64, StoreError> {
                let v: Option<i64> = row.try_get(format!("{u}_{field}").as_str())?;
                v.ok_or_else(|| StoreError::corrupt(T, format!("{u}_{field} is NULL beside {u}_as_of")))
            };
            let counts = UnitCounts::new(count("physical")?, count("staffed")?, count("occupied")?)
                .map_err(|e| StoreError::corrupt(T, e))?;
            units
                .push(CurrentUnit { as_of: Timestamp::from_millis(as_of), report: UnitReport { unit: *unit, counts } });
        }
        units.sort_by_key(|u| u.report.unit.as_str());
        out.push(CurrentRow {
            facility_id: rows::parse(T, &row.try_get::<String, _>("id")?)?,
            name_zh: row.try_get("name_zh")?,
            name_en: row.try_get("name_en")?,
            region_code: rows::region(T, &row.try_get::<String, _>("region_code")?)?,
            designation: rows::vocab(T, &row.try_get::<String, _>("designation")?, Designation::parse)?,
            lon: row.try_get("lon")?,
            lat: row.try_get("lat")?,
            stale_after_ms: row.try_get("stale_after_ms")?,
            units,
        });
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
/// A unit whose report is older than its region's threshold counts as stale. One pass over the
/// visible rows of `capacity_now`, every unit's sums side by side; a unit no facility in a group
/// has reported gives no line for that group.
pub async fn rollup(
    store: &Store,
    visibility: Visibility,
    group: GroupBy,
    by_designation: bool,
    now: Timestamp,
) -> Result<Vec<RollupLine>, StoreError> {
    const T: &str = "capacity_now";
    let stale_after = stale_after_case(store, "c").await?;
    let mut q = SqlBuilder::new("SELECT ");
    let now_p = q.placeholder(Arg::I64(now.millis()));
    q.push(group.column()).push(" AS region");
    if by_designation {
        q.push(", ").push(&designation_sql_for("c.facility_id", &now_p)).push(" AS designation");
    }
    for unit in Unit::ALL {
        let u = unit.as_str();
        q.push(&format!(
            ", CAST(COALESCE(SUM(c.{u}_physical), 0) AS BIGINT) AS {u}_physical, \
             CAST(COALESCE(SUM(c.{u}_staffed), 0) AS BIGINT) AS {u}_staffed, \
             CAST(COALESCE(SUM(c.{u}_occupied), 0) AS BIGINT) AS {u}_occupied, \
             COUNT(c.{u}_as_of) AS {u}_facilities, CAST(SUM(CASE WHEN c.{u}_as_of < {now_p} - {stale_after} \
             THEN 1 ELSE 0 END) AS BIGINT) AS {u}_stale"
        ));
    }
    q.push(" FROM capacity_now c WHERE 1 = 1");
    visibility.push_condition(&mut q, "c", "facility_id");
    q.push(" GROUP BY ").push(group.column());
    if by_designation {
        q.push(", designation");
    }
    let mut out = Vec::new();
    for row in q.query().fetch_all(store.pool()).await? {
        let region_code = rows::region(T, &row.try_get::<String, _>("region")?)?;
        let designation = if by_designation {
            Some(rows::vocab(T, &row.try_get::<String, _>("designation")?, Designation::parse)?)
        } else {
            None
        };
        for unit in Unit::ALL {
            let u = unit.as_str();
            let facilities: i64 = row.try_get(format!("{u}_facilities").as_str())?;
            if facilities == 0 {
                continue;
            }
            let sum = |field: &str| row.try_get::<i64, _>(format!("{u}_{field}").as_str());
            out.push(RollupLine {
                region_code,
                unit: *unit,
                designation,
                totals: Totals::from_sums(sum("physical")?, sum("staffed")?, sum("occupied")?),
                facilities,
                stale_facilities: sum("stale")?,
            });
        }
    }
    // The order the lines have always come in: region, then unit and designation by name.
    out.sort_by(|a, b| {
        (a.region_code, a.unit.as_str(), a.designation.map(|d| d.as_str())).cmp(&(
            b.region_code,
            b.unit.as_str(),
            b.designation.map(|d| d.as_str()),
        ))
    });
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
    // One row per report and unit it mentions: the reports crossed with the unit names, each
    // unit's columns picked by name.
    let pick = |field: &str| {
        let arms: String = Unit::ALL.iter().map(|u| format!(" WHEN '{0}' THEN r.{0}_{field}", u.as_str())).collect();
        format!("CASE k.unit{arms} END")
    };
    let units =
        Unit::ALL.iter().map(|u| format!("SELECT '{}' AS unit", u.as_str())).collect::<Vec<_>>().join(" UNION ALL ");
    let mut q = SqlBuilder::new("SELECT bucket, unit, CAST(SUM(physical) AS BIGINT) AS physical, \
         CAST(SUM(staffed) AS BIGINT) AS staffed, CAST(SUM(occupied) AS BIGINT) AS occupied, COUNT(*) AS n FROM (SELECT ");
    let b = q.placeholder(Arg::I64(bucket_ms.max(1)));
    q.push(&format!(
        "(r.as_of / {b}) * {b} AS bucket, k.unit, {} AS physical, {} AS staffed, {} AS occupied, \
         ROW_NUMBER() OVER (PARTITION BY r.facility_id, k.unit, r.as_of / {b} ORDER BY r.as_of DESC, r.seq DESC) AS rn \
         FROM capacity_reports r JOIN facilities f ON f.id = r.facility_id CROSS JOIN ({units}) k \
         WHERE {} IS NOT NULL AND r.as_of >= ",
        pick("physical"),
        pick("staffed"),
        pick("occupied"),
        pick("physical"),
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

/// A facility's report history, newest first: at most `limit` reports before `before_seq`, and
/// the sequence number to continue from if there are more.
pub async fn history(
    store: &Store,
    facility: FacilityId,
    visibility: Visibility,
    before_seq: Option<i64>,
    limit: u32,
) -> Result<(Vec<StoredReport>, Option<i64>), StoreError> {
    const T: &str = "capacity_reports";
    let mut q = SqlBuilder::new("SELECT r.seq, r.report_id, r.as_of, r.received_at, r.reported_by");
    for column in report_unit_columns() {
        q.push(", r.").push(&column);
    }
    q.push(" FROM capacity_reports r JOIN facilities f ON f.id = r.facility_id WHERE r.facility_id = ");
    q.bind_text(facility.to_string());
    visibility.push_condition(&mut q, "f", "id");
    if let Some(b) = before_seq {
        q.push(" AND r.seq < ").bind_i64(b);
    }
    q.push(" ORDER BY r.seq DESC LIMIT ").bind_i64(i64::from(limit) + 1);
    let report_rows = q.query().fetch_all(store.pool()).await?;
    let more = report_rows.len() > limit as usize;
    let mut out: Vec<StoredReport> = Vec::with_capacity(report_rows.len().min(limit as usize));
    let mut last_seq = None;
    for row in report_rows.iter().take(limit as usize) {
        last_seq = Some(row.try_get::<i64, _>("seq")?);
        let reported_by: Option<String> = row.try_get("reported_by")?;
        // In `Unit::ALL` order, which is the units' order.
        let mut units = Vec::with_capacity(Unit::ALL.len());
        for unit in Unit::ALL {
            let u = unit.as_str();
            let cell = |field: &str| row.try_get::<Option<i64>, _>(format!("{u}_{field}").as_str());
            match (cell("physical")?, cell("staffed")?, cell("occupied")?) {
                (None, None, None) => {}
                (Some(p), Some(s), Some(o)) => units.push(UnitReport {
                    unit: *unit,
                    counts: UnitCounts::new(p, s, o).map_err(|e| StoreError::corrupt(T, e))?,
                }),
                _ => return Err(StoreError::corrupt(T, format!("{u}: some of its counts are NULL"))),
            }
        }
        out.push(StoredReport {
            id: rows::parse(T, &row.try_get::<String, _>("report_id")?)?,
            draft: CapacityReportDraft {
                facility_id: facility,
                as_of: Timestamp::from_millis(row.try_get("as_of")?),
                units,
            },
            received_at: Timestamp::from_millis(row.try_get("received_at")?),
            reported_by: reported_by.map(|s| rows::parse(T, &s)).transpose()?,
        });
    }
    let next = if more { last_seq } else { None };
    Ok((out, next))
}

/// Number of stored unit reports (a report's units each count: the bench's "reports").
pub async fn count_rows(store: &Store) -> Result<i64, StoreError> {
    let counts = Unit::ALL.iter().map(|u| format!("COUNT({}_physical)", u.as_str())).collect::<Vec<_>>().join(" + ");
    let row = sqlx::query(&format!("SELECT CAST({counts} AS BIGINT) AS n FROM capacity_reports"))
        .fetch_one(store.pool())
        .await?;
    Ok(row.try_get("n")?)
}
