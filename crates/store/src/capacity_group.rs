//! A group of capacity reports written in one transaction, each authorised inside it: the
//! store's half of the group commit (the service's writer collects the group and answers the
//! callers).
//!
//! Two paths, one rule. On a SQLite file the whole group runs as one closure on the native
//! writer thread (see [`crate::native`]) with one prepared statement per row; elsewhere
//! (PostgreSQL, an in-memory SQLite) it runs through `sqlx` with the set-based statements of
//! [`capacity::insert_reports`]. Both store the same rows: the same sequence numbers, the same
//! current-state upsert ([`capacity::upsert_now_from`]), the same audit entries; the shared
//! end-to-end suite runs every report through both.

use crate::backend::Store;
use crate::capacity::{self, unit_columns, NewReport};
use crate::changes::Changed;
use crate::durability::PendingSync;
use crate::error::StoreError;
use crate::{audit, facilities, Visibility};
use carebridge_domain::audit::Entry;
use carebridge_domain::capacity::{CapacityReportDraft, Unit};
use carebridge_domain::clock::Timestamp;
use carebridge_domain::ids::{FacilityId, ReportId, UserId};
use carebridge_domain::region::RegionPath;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use std::collections::HashMap;

/// One report of a group, validated, with its id and its audit entry.
#[derive(Debug, Clone)]
pub struct GroupReport {
    pub id: ReportId,
    pub draft: CapacityReportDraft,
    pub reported_by: Option<UserId>,
    pub received_at: Timestamp,
    /// The facilities its sender may report for, checked against where the facility sits in
    /// the transaction that writes the report: a request costs no read of its own.
    pub visibility: Visibility,
    /// Its audit entry. The store adds `"became_current": true|false` to the change (an
    /// object) once it knows, inside the same transaction.
    pub audit: Entry,
}

/// What became of one report of a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupOutcome {
    /// Stored; `became_current` if it is now the standing report of at least one unit.
    Stored { became_current: bool },
    /// Not stored: the facility does not exist or its sender may not report for it.
    OutOfScope,
}

/// Write `group` in one transaction and commit it. The outcomes (one per report, in order)
/// hold only once the returned sync has completed.
pub async fn write_group(
    store: &Store,
    group: Vec<GroupReport>,
) -> Result<(Vec<GroupOutcome>, PendingSync), StoreError> {
    match store.native() {
        Some(native) => {
            let touched = Changed { all: false, facilities: group.iter().map(|r| r.draft.facility_id).collect() };
            let mut group = group;
            let outcomes = native.run(move |conn| write_native(conn, &mut group)).await??;
            store.record_changes(touched);
            Ok((outcomes, store.pending_sync()))
        }
        None => write_with_sqlx(store, group).await,
    }
}

/// Record in a report's audit entry whether it became current.
fn note_became_current(entry: &mut Entry, became_current: bool) {
    if let Some(change) = entry.change.as_object_mut() {
        change.insert("became_current".into(), serde_json::Value::Bool(became_current));
    }
}

/// Per report, whether its facility exists (is in `paths`) and its sender may report for it.
fn admit(group: &[GroupReport], paths: &HashMap<FacilityId, RegionPath>) -> Vec<bool> {
    group
        .iter()
        .map(|r| paths.get(&r.draft.facility_id).is_some_and(|p| r.visibility.admits(r.draft.facility_id, p)))
        .collect()
}

/// Outcomes in group order from which reports were admitted and, for those, in order, whether
/// each became current.
fn outcomes(admitted: &[bool], became_current: impl IntoIterator<Item = bool>) -> Vec<GroupOutcome> {
    let mut became_current = became_current.into_iter();
    admitted
        .iter()
        .map(|ok| match ok {
            true => GroupOutcome::Stored { became_current: became_current.next().unwrap_or(false) },
            false => GroupOutcome::OutOfScope,
        })
        .collect()
}

async fn write_with_sqlx(
    store: &Store,
    group: Vec<GroupReport>,
) -> Result<(Vec<GroupOutcome>, PendingSync), StoreError> {
    let mut tx = store.begin().await?;
    let ids: Vec<FacilityId> = group.iter().map(|r| r.draft.facility_id).collect();
    let admitted = admit(&group, &facilities::paths(&mut tx, &ids).await?);
    let rows: Vec<NewReport<'_>> = group
        .iter()
        .zip(&admitted)
        .filter(|(_, ok)| **ok)
        .map(|(r, _)| NewReport { id: r.id, draft: &r.draft, reported_by: r.reported_by, received_at: r.received_at })
        .collect();
    let became_current = capacity::insert_reports(&mut tx, &rows).await?;
    let entries: Vec<Entry> = group
        .into_iter()
        .zip(&admitted)
        .filter(|(_, ok)| **ok)
        .zip(&became_current)
        .map(|((mut report, _), became)| {
            note_became_current(&mut report.audit, *became);
            report.audit
        })
        .collect();
    audit::append_many(&mut tx, &entries).await?;
    let pending = tx.commit_deferred().await?;
    Ok((outcomes(&admitted, became_current), pending))
}

/// The current-state upsert for one facility with its values bound: `?1` the facility id, then
/// the [`unit_columns`] as `?2 …`.
fn upsert_one_sql() -> &'static str {
    static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SQL.get_or_init(|| {
        let values = (0..unit_columns().count()).map(|i| format!("?{}", i + 2)).collect::<Vec<_>>().join(", ");
        capacity::upsert_now_without_returning(&format!(
            "SELECT ?1, f.province_code, f.city_code, f.region_code, {values} FROM facilities f WHERE f.id = ?1"
        ))
    })
}

/// A facility's standing as-of time per unit, in [`Unit::ALL`] order.
fn standing_as_of_sql() -> &'static str {
    static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SQL.get_or_init(|| {
        let columns = Unit::ALL.iter().map(|u| format!("{}_as_of", u.as_str())).collect::<Vec<_>>().join(", ");
        format!("SELECT {columns} FROM capacity_now WHERE facility_id = ?1")
    })
}

const SELECT_PATH: &str = "SELECT province_code, city_code, region_code FROM facilities WHERE id = ?1";
/// The report insert of the native path, its values bound in [`capacity::report_columns`] order.
fn insert_report_sql() -> &'static str {
    static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SQL.get_or_init(|| {
        let names: Vec<String> = capacity::report_columns().collect();
        let values = (1..=names.len()).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ");
        format!("INSERT INTO capacity_reports ({}) VALUES ({values})", names.join(", "))
    })
}
const INSERT_AUDIT: &str = "INSERT INTO audit_log \
     (id, at, actor_id, actor_name, actor_role, action, entity, entity_id, request_id, change) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";

/// The group on the native writer connection: `BEGIN IMMEDIATE`, a prepared statement per row,
/// `COMMIT`. Any error rolls the whole group back (the transaction is dropped uncommitted).
fn write_native(conn: &mut Connection, group: &mut [GroupReport]) -> Result<Vec<GroupOutcome>, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let admitted = admit(group, &paths_native(&tx, group)?);
    let written: Vec<usize> = (0..group.len()).filter(|&i| admitted[i]).collect();
    let rows: Vec<NewReport<'_>> = written
        .iter()
        .map(|&i| {
            let r = &group[i];
            NewReport { id: r.id, draft: &r.draft, reported_by: r.reported_by, received_at: r.received_at }
        })
        .collect();
    let became_current = insert_reports_native(&tx, &rows)?;
    for (&i, became) in written.iter().zip(&became_current) {
        note_became_current(&mut group[i].audit, *became);
    }
    append_audit_native(&tx, written.iter().map(|&i| &group[i].audit))?;
    tx.commit()?;
    Ok(outcomes(&admitted, became_current))
}

/// A batch of reports already checked (an import) and its one audit entry, in one transaction,
/// committed. Durable once the returned sync has completed.
pub async fn import_batch(
    store: &Store,
    reports: Vec<(ReportId, CapacityReportDraft)>,
    reported_by: Option<UserId>,
    received_at: Timestamp,
    audit_entry: Entry,
) -> Result<PendingSync, StoreError> {
    fn rows(
        reports: &[(ReportId, CapacityReportDraft)],
        reported_by: Option<UserId>,
        received_at: Timestamp,
    ) -> Vec<NewReport<'_>> {
        reports.iter().map(|(id, draft)| NewReport { id: *id, draft, reported_by, received_at }).collect()
    }
    match store.native() {
        Some(native) => {
            native
                .run(move |conn| -> Result<(), StoreError> {
                    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                    insert_reports_native(&tx, &rows(&reports, reported_by, received_at))?;
                    append_audit_native(&tx, std::iter::once(&audit_entry))?;
                    tx.commit()?;
                    Ok(())
                })
                .await??;
            store.record_changes(Changed { all: true, facilities: Default::default() });
            Ok(store.pending_sync())
        }
        None => {
            let mut tx = store.begin().await?;
            capacity::insert_reports(&mut tx, &rows(&reports, reported_by, received_at)).await?;
            audit::append(&mut tx, &audit_entry).await?;
            tx.commit_deferred().await
        }
    }
}

/// [`capacity::insert_reports`] on the native writer: the same rows, one prepared statement per
/// row instead of one JSON parameter per table. Answers, per report, whether it became the
/// current state of at least one unit.
fn insert_reports_native(tx: &rusqlite::Transaction<'_>, reports: &[NewReport<'_>]) -> Result<Vec<bool>, StoreError> {
    // The write lock is ours: the sequence numbers after the largest stored one are free.
    let top: i64 = tx.query_row("SELECT COALESCE(MAX(seq), 0) FROM capacity_reports", [], |r| r.get(0))?;
    // Per report, its sequence number (none for a report without units, which stores nothing
    // and becomes nothing, as in `insert_reports`).
    let mut seqs: Vec<Option<i64>> = vec![None; reports.len()];
    {
        let mut insert_report = tx.prepare_cached(insert_report_sql())?;
        let mut values: Vec<Value> = Vec::with_capacity(6 + Unit::ALL.len() * capacity::REPORT_UNIT_FIELDS.len());
        let mut next = top;
        for (i, r) in reports.iter().enumerate() {
            if r.draft.units.is_empty() {
                continue;
            }
            next += 1;
            seqs[i] = Some(next);
            values.clear();
            values.extend([
                Value::Integer(next),
                Value::Text(r.id.to_string()),
                Value::Text(r.draft.facility_id.to_string()),
                Value::Integer(r.draft.as_of.millis()),
                Value::Integer(r.received_at.millis()),
                r.reported_by.map_or(Value::Null, |u| Value::Text(u.to_string())),
            ]);
            for cells in capacity::report_cells(r.draft) {
                match cells {
                    Some(cells) => values.extend(cells.map(Value::Integer)),
                    None => values.extend(std::iter::repeat_n(Value::Null, capacity::REPORT_UNIT_FIELDS.len())),
                }
            }
            insert_report.execute(rusqlite::params_from_iter(values.iter()))?;
        }
    }

    let latest = capacity::latest_per_unit(reports);
    let mut became_current = vec![false; reports.len()];
    let mut upsert = tx.prepare_cached(upsert_one_sql())?;
    let mut standing_times = tx.prepare_cached(standing_as_of_sql())?;
    let mut values: Vec<Value> = Vec::with_capacity(1 + Unit::ALL.len() * capacity::UNIT_FIELDS.len());
    for facility in capacity::facilities_of(&latest) {
        values.clear();
        values.push(Value::Text(facility.to_string()));
        // The standing as-of times first: which units take the new numbers follows from them
        // by the upsert's own rule, so the upsert needs no `RETURNING`.
        let before: Vec<Option<i64>> = standing_times
            .query_row([facility.to_string()], |row| (0..Unit::ALL.len()).map(|k| row.get(k)).collect())
            .optional()?
            .unwrap_or_else(|| vec![None; Unit::ALL.len()]);
        let mut standing: Vec<Option<i64>> = vec![None; Unit::ALL.len()];
        let cells = capacity::standing_cells(reports, &latest, facility, |i| seqs[i]);
        for (k, cells) in cells.into_iter().enumerate() {
            match cells {
                Some(cells) => {
                    let [as_of, .., seq] = cells;
                    if capacity::takes_new(as_of, before[k]) {
                        standing[k] = Some(seq);
                    }
                    values.extend(cells.map(Value::Integer));
                }
                None => values.extend(std::iter::repeat_n(Value::Null, capacity::UNIT_FIELDS.len())),
            }
        }
        upsert.execute(rusqlite::params_from_iter(values.iter()))?;
        for i in capacity::now_current(&latest, facility, &standing, |i| seqs[i]) {
            became_current[i] = true;
        }
    }
    Ok(became_current)
}

/// [`audit::append`] on the native writer, one prepared insert per entry.
pub(crate) fn append_audit_native<'e>(
    tx: &rusqlite::Transaction<'_>,
    entries: impl IntoIterator<Item = &'e Entry>,
) -> Result<(), StoreError> {
    let mut insert = tx.prepare_cached(INSERT_AUDIT)?;
    for entry in entries {
        insert.execute(rusqlite::params![
            entry.id.to_string(),
            entry.at.millis(),
            entry.actor.user_id.map(|u| u.to_string()),
            entry.actor.name.as_str(),
            entry.actor.role.map(|r| r.as_str()),
            entry.action.as_str(),
            entry.entity.as_str(),
            entry.entity_id.as_str(),
            entry.request_id.as_deref(),
            entry.change.to_string(),
        ])?;
    }
    Ok(())
}

/// The region paths of the group's facilities that exist, on the native writer connection; one
/// lookup per distinct facility.
fn paths_native(
    tx: &rusqlite::Transaction<'_>,
    group: &[GroupReport],
) -> Result<HashMap<FacilityId, RegionPath>, StoreError> {
    let mut select = tx.prepare_cached(SELECT_PATH)?;
    let mut paths = HashMap::with_capacity(group.len());
    for r in group {
        let id = r.draft.facility_id;
        if paths.contains_key(&id) {
            continue;
        }
        let found: Option<(String, String, String)> =
            select.query_row([id.to_string()], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?))).optional()?;
        if let Some((province, city, region)) = found {
            paths.insert(id, facilities::region_path(&province, &city, &region)?);
        }
    }
    Ok(paths)
}
