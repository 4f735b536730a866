//! The capacity spreadsheet: bed counts per facility, unit and as-of time, one unit per row,
//! which is how desks that report to several systems already tabulate them.
//!
//! Consecutive rows with the same facility and as-of time form one report (all or some of a
//! facility's units at one moment), matching the API's `CapacityReportDraft`. A report's
//! rows must stay together: the same facility and time appearing again further down is
//! refused rather than silently filed as a second report.

use super::error::CsvError;
use super::table::{Row, Spec, Table};
use carebridge_domain::capacity::{CapacityReportDraft, SurgeFactor, Unit, UnitCounts, UnitReport};
use carebridge_domain::clock::Timestamp;
use carebridge_domain::ids::FacilityId;
use std::collections::HashMap;
use std::io::{Read, Write};

/// The columns, in the order export writes them. All are required.
pub const CAPACITY_COLUMNS: &[&str] = &["facility_id", "as_of", "unit", "physical", "staffed", "occupied"];

const SPEC: Spec = Spec { required: CAPACITY_COLUMNS, optional: &[], refused: &[] };

/// One imported report.
#[derive(Debug, Clone, PartialEq)]
pub struct CapacityRow {
    /// 1-based line of the report's first row.
    pub first_line: u64,
    /// The report, validated by `CapacityReportDraft::validate` against the `now` given to
    /// [`read_capacity`].
    pub draft: CapacityReportDraft,
}

/// The report being assembled from consecutive rows.
struct Open {
    first_line: u64,
    draft: CapacityReportDraft,
    /// Line of each unit's row, for "reported twice" messages.
    unit_lines: Vec<(Unit, u64)>,
}

/// Read a capacity file (UTF-8, comma separated, header row). `now` bounds `as_of`: reports
/// more than five minutes in the future are refused, as through the API.
///
/// The whole file is checked and the first problem, in file order, is returned with its
/// line and column; nothing is returned unless every row is valid.
pub fn read_capacity<R: Read>(r: R, now: Timestamp) -> Result<Vec<CapacityRow>, CsvError> {
    read_capacity_with(r, now, SurgeFactor::DEFAULT)
}

/// [`read_capacity`] with the server's surge factor: a row whose `occupied` exceeds its
/// `physical` × the factor is refused at its own line, column `occupied`.
pub fn read_capacity_with<R: Read>(r: R, now: Timestamp, surge: SurgeFactor) -> Result<Vec<CapacityRow>, CsvError> {
    let mut table = Table::open(r, &SPEC)?;
    let mut reports = Vec::new();
    let mut first_lines: HashMap<(FacilityId, Timestamp), u64> = HashMap::new();
    let mut open: Option<Open> = None;
    while let Some(row) = table.next_row()? {
        let (facility_id, as_of, unit) = parse_row(&row, surge)?;
        match open.as_mut() {
            Some(o) if (o.draft.facility_id, o.draft.as_of) == (facility_id, as_of) => {
                if let Some((_, first)) = o.unit_lines.iter().find(|(u, _)| *u == unit.unit) {
                    return Err(row
                        .error("unit", format!("`{}` is already reported at line {first} in this report", unit.unit)));
                }
                o.unit_lines.push((unit.unit, row.line));
                o.draft.units.push(unit);
            }
            _ => {
                if let Some(done) = open.take() {
                    reports.push(finish(done, now, surge)?);
                }
                if let Some(first) = first_lines.insert((facility_id, as_of), row.line) {
                    return Err(row.error(
                        "as_of",
                        format!(
                            "this facility's report at this time already started at line \
                             {first}; keep a report's rows together"
                        ),
                    ));
                }
                let draft = CapacityReportDraft { facility_id, as_of, units: vec![unit] }
                    .validate_with(now, surge)
                    .map_err(|e| CsvError::from_validation(row.line, &e))?;
                open = Some(Open { first_line: row.line, draft, unit_lines: vec![(unit.unit, row.line)] });
            }
        }
    }
    if let Some(done) = open {
        reports.push(finish(done, now, surge)?);
    }
    Ok(reports)
}

fn parse_row(row: &Row<'_>, surge: SurgeFactor) -> Result<(FacilityId, Timestamp, UnitReport), CsvError> {
    let facility_id = row.parse("facility_id", |s| s.parse().map_err(|_| format!("`{s}` is not a UUID")))?;
    let as_of = row.parse("as_of", |s| Timestamp::parse_rfc3339(s).map_err(|why| format!("`{s}` {why}")))?;
    let unit = row.parse("unit", Unit::parse)?;
    let physical = row.parse("physical", count)?;
    let staffed = row.parse("staffed", count)?;
    let occupied = row.parse("occupied", count)?;
    let counts = UnitCounts::new(physical, staffed, occupied).map_err(|e| CsvError::from_validation(row.line, &e))?;
    if let Some(detail) = surge.check(&counts) {
        return Err(row.error("occupied", detail));
    }
    Ok((facility_id, as_of, UnitReport { unit, counts }))
}

/// A whole number (sign allowed, so a negative count gets the domain's own message).
fn count(s: &str) -> Result<i64, String> {
    s.parse().map_err(|_| format!("`{s}` is not a whole number"))
}

/// Re-check the assembled report with the domain's rules, errors placed on its first line.
fn finish(open: Open, now: Timestamp, surge: SurgeFactor) -> Result<CapacityRow, CsvError> {
    let draft = open.draft.validate_with(now, surge).map_err(|e| CsvError::from_validation(open.first_line, &e))?;
    Ok(CapacityRow { first_line: open.first_line, draft })
}

/// Write reports as a file [`read_capacity`] reads back to the same reports: one row per
/// unit, a report's rows together, times in RFC 3339 UTC.
pub fn write_capacity<W: Write>(mut w: W, reports: &[CapacityReportDraft]) -> Result<(), CsvError> {
    super::write_bom(&mut w)?;
    let mut out = csv::Writer::from_writer(w);
    out.write_record(CAPACITY_COLUMNS).map_err(|e| CsvError::io(1, &e))?;
    let mut line: u64 = 1;
    for report in reports {
        let facility_id = report.facility_id.to_string();
        let as_of = report.as_of.to_rfc3339();
        for u in &report.units {
            line = line.saturating_add(1);
            let record = [
                facility_id.as_str(),
                as_of.as_str(),
                u.unit.as_str(),
                &u.counts.physical().to_string(),
                &u.counts.staffed().to_string(),
                &u.counts.occupied().to_string(),
            ];
            out.write_record(record).map_err(|e| CsvError::io(line, &e))?;
        }
    }
    out.flush().map_err(|e| CsvError::line(line, format!("could not be written: {e}")))
}
