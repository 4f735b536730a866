//! Reading a headed CSV table: check the header against a column spec, then hand out rows
//! whose fields are looked up by column name and decoded as UTF-8 one at a time.
//!
//! Decoding per field (from `csv::ByteRecord`) rather than per file is what lets an invalid
//! byte be reported with its line and column instead of as "the file is not UTF-8".
//! Spreadsheet quirks are absorbed here once: a UTF-8 byte-order mark (Excel writes one),
//! CRLF line ends, blank lines, and whitespace (including the full-width space) around
//! values.

use super::error::CsvError;
use csv::{ByteRecord, Reader, ReaderBuilder};
use std::io::Read;

/// The columns a file may have.
pub(crate) struct Spec {
    /// Must be present.
    pub required: &'static [&'static str],
    /// May be present.
    pub optional: &'static [&'static str],
    /// Recognised but refused, with the reason to show.
    pub refused: &'static [(&'static str, &'static str)],
}

/// A CSV file whose header has been checked.
pub(crate) struct Table<R> {
    reader: Reader<R>,
    /// Column name at each position.
    columns: Vec<&'static str>,
    record: ByteRecord,
    /// The line of the last record read, for errors that carry no position.
    last_line: u64,
}

impl<R: Read> Table<R> {
    /// Read and check the header: every name known, none repeated, none refused, every
    /// required one present.
    pub(crate) fn open(r: R, spec: &Spec) -> Result<Self, CsvError> {
        let mut reader = ReaderBuilder::new().has_headers(false).flexible(true).from_reader(r);
        let mut header = ByteRecord::new();
        let found = reader.read_byte_record(&mut header).map_err(|e| CsvError::io(1, &e))?;
        if !found {
            return Err(CsvError::line(1, "the file is empty: expected a header row"));
        }
        let line = header.position().map_or(1, csv::Position::line);
        let mut columns = Vec::with_capacity(header.len());
        for (i, raw) in header.iter().enumerate() {
            let raw = if i == 0 { raw.strip_prefix(super::UTF8_BOM).unwrap_or(raw) } else { raw };
            let name = std::str::from_utf8(raw)
                .map_err(|_| CsvError::line(line, format!("header field {} is not valid UTF-8", i + 1)))?
                .trim();
            if name.is_empty() {
                return Err(CsvError::line(line, format!("header field {} is blank", i + 1)));
            }
            if let Some((_, why)) = spec.refused.iter().find(|(refused, _)| *refused == name) {
                return Err(CsvError::at(line, name, *why));
            }
            let known = spec.required.iter().chain(spec.optional).find(|known| **known == name);
            let Some(&known) = known else {
                let all: Vec<_> = spec.optional.iter().chain(spec.required).copied().collect();
                return Err(CsvError::at(line, name, format!("unknown column; the columns are: {}", all.join(", "))));
            };
            if columns.contains(&known) {
                return Err(CsvError::at(line, known, "column appears twice in the header"));
            }
            columns.push(known);
        }
        if let Some(missing) = spec.required.iter().find(|name| !columns.contains(name)) {
            return Err(CsvError::at(line, missing, "required column is missing from the header"));
        }
        Ok(Self { reader, columns, record: ByteRecord::new(), last_line: line })
    }

    /// The next data row, or `None` at the end of the file. A row with more or fewer fields
    /// than the header is an error.
    pub(crate) fn next_row(&mut self) -> Result<Option<Row<'_>>, CsvError> {
        let found = self.reader.read_byte_record(&mut self.record).map_err(|e| CsvError::io(self.last_line + 1, &e))?;
        if !found {
            return Ok(None);
        }
        let line = self.record.position().map_or(self.last_line + 1, csv::Position::line);
        self.last_line = line;
        let (found, wanted) = (self.record.len(), self.columns.len());
        if found < wanted {
            // Name the first column the row does not reach.
            return Err(CsvError::at(
                line,
                self.columns[found],
                format!("is missing: the row has {found} fields but the header has {wanted}"),
            ));
        }
        if found > wanted {
            return Err(CsvError::line(line, format!("has {found} fields but the header has {wanted}")));
        }
        Ok(Some(Row { line, columns: &self.columns, record: &self.record }))
    }
}

/// One data row.
pub(crate) struct Row<'a> {
    /// 1-based line the record starts on.
    pub line: u64,
    columns: &'a [&'static str],
    record: &'a ByteRecord,
}

impl Row<'_> {
    /// The trimmed value of `column`, or `None` if the file has no such column.
    pub(crate) fn optional(&self, column: &str) -> Result<Option<&str>, CsvError> {
        let Some(i) = self.columns.iter().position(|c| *c == column) else {
            return Ok(None);
        };
        let raw = self.record.get(i).unwrap_or_default();
        match std::str::from_utf8(raw) {
            Ok(value) => Ok(Some(value.trim())),
            Err(e) => {
                Err(self
                    .error(column, format!("is not valid UTF-8 (bad byte at offset {} of the field)", e.valid_up_to())))
            }
        }
    }

    /// The trimmed value of a column the spec requires (empty if the header lacks it, which
    /// [`Table::open`] has already refused).
    pub(crate) fn text(&self, column: &str) -> Result<&str, CsvError> {
        Ok(self.optional(column)?.unwrap_or_default())
    }

    /// The trimmed value of `column`, refusing a blank one.
    pub(crate) fn non_empty(&self, column: &str) -> Result<&str, CsvError> {
        let value = self.text(column)?;
        if value.is_empty() {
            return Err(self.error(column, "must not be empty"));
        }
        Ok(value)
    }

    /// `column` parsed by `parse`, whose error message is shown after the quoted value.
    pub(crate) fn parse<T>(&self, column: &str, parse: impl FnOnce(&str) -> Result<T, String>) -> Result<T, CsvError> {
        let value = self.non_empty(column)?;
        parse(value).map_err(|why| self.error(column, why))
    }

    /// An error in `column` of this row.
    pub(crate) fn error(&self, column: &str, message: impl Into<String>) -> CsvError {
        CsvError::at(self.line, column, message)
    }
}
