//! The one error CSV import and export return: which line, which column, and why, in words a
//! hospital clerk fixing the spreadsheet can act on.
//!
//! Lines are 1-based lines of the file as a text editor shows them (the header is line 1; a
//! record whose quoted field spans lines is reported at the line it starts on).

use carebridge_domain::error::ValidationErrors;
use std::fmt;

/// A CSV file could not be read or written.
///
/// Displays as `line 7, column "staffed": staffed (12) must not exceed physical (10)`, or
/// `line 7: …` when no single column is at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct CsvError {
    /// 1-based line in the file.
    pub line: u64,
    /// The header name of the offending column, when one is at fault.
    pub column: Option<String>,
    /// What is wrong, for a person.
    pub message: String,
}

impl fmt::Display for CsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(column) => write!(f, "line {}, column {column:?}: {}", self.line, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

impl CsvError {
    /// An error in one column of one line.
    pub(crate) fn at(line: u64, column: &str, message: impl Into<String>) -> Self {
        Self { line, column: Some(column.to_owned()), message: message.into() }
    }

    /// An error about a whole line.
    pub(crate) fn line(line: u64, message: impl Into<String>) -> Self {
        Self { line, column: None, message: message.into() }
    }

    /// The first of a domain validation's errors, placed on `line`. The column is the last
    /// segment of the field's JSON pointer (`/location/lon` → `lon`), which is how the CSV
    /// columns are named.
    pub(crate) fn from_validation(line: u64, errors: &ValidationErrors) -> Self {
        match errors.0.first() {
            Some(e) => {
                let column = e.pointer.rsplit('/').next().unwrap_or_default();
                Self::at(line, column, e.detail.clone())
            }
            None => Self::line(line, "is invalid"),
        }
    }

    /// A failure of the underlying reader or writer (I/O), placed where it happened.
    pub(crate) fn io(line: u64, e: &csv::Error) -> Self {
        let line = e.position().map_or(line, csv::Position::line);
        Self::line(line, format!("could not be processed: {e}"))
    }
}
