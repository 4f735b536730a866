//! Many rows as one parameter: a JSON array of arrays, unpacked by the database itself.
//!
//! A multi-row `VALUES` list costs a bind per cell and a statement per few hundred rows, and
//! through `sqlx::Any` each bind is converted twice. Bulk writes instead bind one text parameter
//! holding `[[a, b, …], …]` and select from it with `json_each` (SQLite) or
//! `jsonb_array_elements` (PostgreSQL): one round trip per table whatever the row count, and the
//! per-row loop runs in C inside the database. Both backends parse JSON numbers as exact 64-bit
//! integers, so counts and millisecond times pass through unchanged.

use crate::backend::Backend;
use std::fmt::Write as _;

/// The SQL type a JSON cell is read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Col {
    Int,
    Text,
}

/// A `FROM` item (aliased `x`) yielding one row per array element of the JSON text bound at
/// `param`, with the given column names and types, in element order.
pub(crate) fn json_rows(backend: Backend, param: &str, columns: &[(&str, Col)]) -> String {
    let mut select = String::new();
    for (i, (name, col)) in columns.iter().enumerate() {
        if i > 0 {
            select.push_str(", ");
        }
        match (backend, col) {
            // `->>` gives SQLite's own value: INTEGER for a JSON integer, TEXT for a string.
            (Backend::Sqlite, _) => write!(select, "j.value ->> {i} AS {name}"),
            (Backend::Postgres, Col::Int) => write!(select, "(j.value ->> {i})::BIGINT AS {name}"),
            (Backend::Postgres, Col::Text) => write!(select, "j.value ->> {i} AS {name}"),
        }
        .expect("writing to a String cannot fail");
    }
    match backend {
        Backend::Sqlite => format!("(SELECT {select} FROM json_each({param}) AS j) AS x"),
        // `jsonb`, not `json`: `->>` on `json` re-parses the element's text for every cell (24
        // cells of a report row: 1.1 s per 20,000 rows), on `jsonb` it indexes the parsed
        // array (0.27 s).
        Backend::Postgres => format!("(SELECT {select} FROM jsonb_array_elements({param}::jsonb) AS j) AS x"),
    }
}

/// `INSERT INTO table (columns) SELECT columns FROM …`: every element of the JSON array bound
/// at `$1` becomes one row, its cells in `columns` order.
pub(crate) fn insert_from_json(backend: Backend, table: &str, columns: &[(&str, Col)]) -> String {
    let names = columns.iter().map(|(name, _)| *name).collect::<Vec<_>>().join(", ");
    format!("INSERT INTO {table} ({names}) SELECT {names} FROM {}", json_rows(backend, "$1", columns))
}

/// Builds the JSON text: `[[…], […]]`.
#[derive(Debug)]
pub(crate) struct JsonRows {
    out: String,
    rows: usize,
}

/// Writes the cells of one row.
#[derive(Debug)]
pub(crate) struct RowWriter<'a> {
    out: &'a mut String,
    cells: usize,
}

impl JsonRows {
    pub fn with_capacity(bytes: usize) -> Self {
        let mut out = String::with_capacity(bytes + 2);
        out.push('[');
        Self { out, rows: 0 }
    }

    /// Append one row; `cells` writes its values in column order.
    pub fn row(&mut self, cells: impl FnOnce(&mut RowWriter<'_>)) {
        if self.rows > 0 {
            self.out.push(',');
        }
        self.out.push('[');
        cells(&mut RowWriter { out: &mut self.out, cells: 0 });
        self.out.push(']');
        self.rows += 1;
    }

    pub fn finish(mut self) -> String {
        self.out.push(']');
        self.out
    }
}

impl RowWriter<'_> {
    fn separator(&mut self) {
        if self.cells > 0 {
            self.out.push(',');
        }
        self.cells += 1;
    }

    pub fn int(&mut self, v: i64) {
        self.separator();
        write!(self.out, "{v}").expect("writing to a String cannot fail");
    }

    /// A string, escaped as JSON requires.
    pub fn text(&mut self, s: &str) {
        self.separator();
        self.out.push('"');
        for c in s.chars() {
            match c {
                '"' => self.out.push_str("\\\""),
                '\\' => self.out.push_str("\\\\"),
                '\n' => self.out.push_str("\\n"),
                '\r' => self.out.push_str("\\r"),
                '\t' => self.out.push_str("\\t"),
                c if (c as u32) < 0x20 => write!(self.out, "\\u{:04x}", c as u32).expect("writing to a String"),
                c => self.out.push(c),
            }
        }
        self.out.push('"');
    }

    pub fn opt_text(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.text(s),
            None => self.null(),
        }
    }

    pub fn null(&mut self) {
        self.separator();
        self.out.push_str("null");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_valid_json_with_escapes() {
        let mut rows = JsonRows::with_capacity(0);
        rows.row(|w| {
            w.int(-42);
            w.text("a\"b\\c\nd\u{1}é");
            w.null();
        });
        rows.row(|w| w.opt_text(Some("x")));
        let text = rows.finish();
        let parsed: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(parsed, serde_json::json!([[-42, "a\"b\\c\nd\u{1}é", null], ["x"]]));
    }

    #[test]
    fn the_empty_list_is_an_empty_array() {
        assert_eq!(JsonRows::with_capacity(0).finish(), "[]");
    }

    #[test]
    fn an_insert_names_each_column_once_in_order() {
        assert_eq!(
            insert_from_json(Backend::Sqlite, "t", &[("a", Col::Int), ("b", Col::Text)]),
            "INSERT INTO t (a, b) SELECT a, b FROM (SELECT j.value ->> 0 AS a, j.value ->> 1 AS b FROM json_each($1) AS j) AS x"
        );
    }

    #[test]
    fn postgres_casts_integers_and_sqlite_does_not() {
        let cols = [("a", Col::Int), ("b", Col::Text)];
        assert_eq!(
            json_rows(Backend::Postgres, "$1", &cols),
            "(SELECT (j.value ->> 0)::BIGINT AS a, j.value ->> 1 AS b FROM jsonb_array_elements($1::jsonb) AS j) AS x"
        );
        assert_eq!(
            json_rows(Backend::Sqlite, "$2", &cols),
            "(SELECT j.value ->> 0 AS a, j.value ->> 1 AS b FROM json_each($2) AS j) AS x"
        );
    }
}
