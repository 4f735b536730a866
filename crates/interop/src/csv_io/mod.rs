//! CSV import and export for the spreadsheets hospitals use today: a facilities registry and
//! capacity counts.
//!
//! Files are UTF-8, comma separated, with a header row naming the columns (in any order).
//! Reading checks the whole file and returns the first problem with its line and column, so
//! an import is all-or-nothing in the caller's transaction; writing produces exactly what
//! reading accepts, so exports round-trip. Exports start with a UTF-8 byte-order mark, which
//! is what makes Excel (the program these files are opened in) read Chinese text as UTF-8;
//! imports accept files with or without one.

mod capacity;
mod error;
mod facilities;
mod table;

pub use capacity::{read_capacity, read_capacity_with, write_capacity, CapacityRow, CAPACITY_COLUMNS};
pub use error::CsvError;
pub use facilities::{read_facilities, write_facilities, FacilityRow, FACILITY_COLUMNS};

/// The media type to serve exports with (UTF-8 declared, as spreadsheet programs otherwise
/// guess a legacy encoding for Chinese text).
pub const CSV_CONTENT_TYPE: &str = "text/csv; charset=utf-8";

/// The UTF-8 byte-order mark exports start with.
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Write the byte-order mark that starts every export.
fn write_bom<W: std::io::Write>(w: &mut W) -> Result<(), CsvError> {
    w.write_all(UTF8_BOM).map_err(|e| CsvError { line: 1, column: None, message: format!("could not be written: {e}") })
}
