//! The facilities spreadsheet: one facility per row, as hospitals and health commissions keep
//! their registries today, imported into and exported from Carebridge.
//!
//! Export writes exactly the import columns, so a file exported, edited and imported again
//! updates the same facilities. Designations are deliberately absent: they are numbered
//! orders with reasons and effective times, not a field anyone may overwrite from a
//! spreadsheet, so a `designation` column is refused with that explanation.

use super::error::CsvError;
use super::table::{Row, Spec, Table};
use carebridge_domain::facility::{Facility, FacilityDraft, FacilityLevel, GeoPoint};
use carebridge_domain::ids::FacilityId;
use carebridge_domain::region::Regions;
use carebridge_domain::service_kind::ServiceKind;
use std::collections::HashMap;
use std::io::{Read, Write};

/// The columns, in the order export writes them. `id` and `paediatric_only` may be left out
/// (a file of before the column: no children's hospital in it).
pub const FACILITY_COLUMNS: &[&str] = &[
    "id",
    "name_zh",
    "name_en",
    "region_code",
    "level",
    "lon",
    "lat",
    "address",
    "phone",
    "services",
    "takes_new_patients",
    "paediatric_only",
];

const SPEC: Spec = Spec {
    // Everything but `id` and `paediatric_only`.
    required: FACILITY_COLUMNS.split_at(1).1.split_at(FACILITY_COLUMNS.len() - 2).0,
    optional: &["id", "paediatric_only"],
    refused: &[(
        "designation",
        "designations are orders, not fields: remove this column and issue a designation \
         order (with its number, reason and effective time) instead",
    )],
};

/// One imported facility: new when `id` is `None`, an update of that facility otherwise.
#[derive(Debug, Clone, PartialEq)]
pub struct FacilityRow {
    /// 1-based line of the row in the file.
    pub line: u64,
    /// The facility to update; `None` (blank or no `id` column) creates one.
    pub id: Option<FacilityId>,
    /// The facility's fields, validated by `FacilityDraft::validate` and with a region code
    /// that exists in the region table.
    pub draft: FacilityDraft,
}

/// Read a facilities file (UTF-8, comma separated, header row).
///
/// The whole file is checked and the first problem, in file order, is returned with its
/// line and column; nothing is returned unless every row is valid, so the caller can import
/// all rows in one transaction. An id repeated within the file is refused.
pub fn read_facilities<R: Read>(r: R, regions: &Regions) -> Result<Vec<FacilityRow>, CsvError> {
    let mut table = Table::open(r, &SPEC)?;
    let mut rows = Vec::new();
    let mut lines_by_id: HashMap<FacilityId, u64> = HashMap::new();
    while let Some(row) = table.next_row()? {
        let parsed = parse_row(&row, regions)?;
        if let Some(id) = parsed.id {
            if let Some(first) = lines_by_id.insert(id, row.line) {
                return Err(row.error("id", format!("facility {id} already appears at line {first}")));
            }
        }
        rows.push(parsed);
    }
    Ok(rows)
}

fn parse_row(row: &Row<'_>, regions: &Regions) -> Result<FacilityRow, CsvError> {
    let id = match row.optional("id")? {
        None | Some("") => None,
        Some(s) => Some(s.parse().map_err(|_| row.error("id", format!("`{s}` is not a UUID")))?),
    };
    let name_zh = row.text("name_zh")?.to_owned();
    let name_en = row.text("name_en")?.to_owned();
    let region_code = row.parse("region_code", |s| regions.lookup(s).map(|r| r.code))?;
    let level = row.parse("level", FacilityLevel::parse)?;
    let lon = row.parse("lon", number)?;
    let lat = row.parse("lat", number)?;
    let address = row.text("address")?.to_owned();
    let phone = row.text("phone")?.to_owned();
    let services = services(row)?;
    let takes_new_patients = row.parse("takes_new_patients", yes_no)?;
    let paediatric_only = match row.optional("paediatric_only")? {
        None | Some("") => false,
        Some(s) => yes_no(s).map_err(|why| row.error("paediatric_only", why))?,
    };
    let draft = FacilityDraft {
        name_zh,
        name_en,
        region_code,
        level,
        location: GeoPoint { lon, lat },
        address,
        phone,
        services,
        takes_new_patients,
        paediatric_only,
    }
    .validate()
    .map_err(|e| CsvError::from_validation(row.line, &e))?;
    Ok(FacilityRow { line: row.line, id, draft })
}

/// A finite decimal number (Rust also reads `NaN` and `inf`, which are not coordinates).
fn number(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(format!("`{s}` is not a number")),
    }
}

/// Service codes separated by `;`; blank means none.
fn services(row: &Row<'_>) -> Result<Vec<ServiceKind>, CsvError> {
    row.text("services")?
        .split(';')
        .map(str::trim)
        .filter(|code| !code.is_empty())
        .map(|code| ServiceKind::parse(code).map_err(|why| row.error("services", why)))
        .collect()
}

/// The yes/no spellings spreadsheets use, in any letter case.
fn yes_no(s: &str) -> Result<bool, String> {
    match s.to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" => Ok(true),
        "false" | "no" | "0" => Ok(false),
        _ => Err(format!("`{s}` is not one of: true, false, yes, no, 1, 0")),
    }
}

/// Write facilities as a file [`read_facilities`] reads back to the same ids and drafts.
///
/// Coordinates are written with the shortest digits that read back to the same value;
/// services are joined with `;`; the designation is not written (see the module docs).
pub fn write_facilities<W: Write>(mut w: W, facilities: &[Facility]) -> Result<(), CsvError> {
    super::write_bom(&mut w)?;
    let mut out = csv::Writer::from_writer(w);
    out.write_record(FACILITY_COLUMNS).map_err(|e| CsvError::io(1, &e))?;
    for (i, f) in facilities.iter().enumerate() {
        let d = &f.draft;
        let services: Vec<&str> = d.services.iter().map(|s| s.as_str()).collect();
        let record = [
            f.id.to_string(),
            d.name_zh.clone(),
            d.name_en.clone(),
            d.region_code.to_string(),
            d.level.as_str().to_owned(),
            d.location.lon.to_string(),
            d.location.lat.to_string(),
            d.address.clone(),
            d.phone.clone(),
            services.join(";"),
            d.takes_new_patients.to_string(),
            d.paediatric_only.to_string(),
        ];
        out.write_record(&record).map_err(|e| CsvError::io(line_of(i), &e))?;
    }
    out.flush().map_err(|e| CsvError::line(line_of(facilities.len()), format!("could not be written: {e}")))
}

/// Where the `i`-th data row goes, counting the header as 1, for write errors (exact unless
/// an earlier field held a line break).
fn line_of(i: usize) -> u64 {
    u64::try_from(i).map_or(u64::MAX, |i| i.saturating_add(2))
}
