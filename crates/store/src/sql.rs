//! A tiny SQL builder for the dynamic `WHERE` clauses of list queries.
//!
//! `sqlx::QueryBuilder` cannot be used over `Any` with one placeholder syntax for both backends,
//! so this numbers `$n` itself and binds in order.

use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::Any;

/// A value to bind.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    I64(i64),
    F64(f64),
    Text(String),
    /// SQL NULL for a text column.
    NullText,
    /// SQL NULL for an integer column (PostgreSQL types the parameter, so the two differ).
    NullInt,
}

/// SQL text with its arguments.
#[derive(Debug, Default)]
pub(crate) struct SqlBuilder {
    pub sql: String,
    args: Vec<Arg>,
}

impl SqlBuilder {
    pub fn new(sql: &str) -> Self {
        Self { sql: sql.to_string(), args: Vec::new() }
    }

    pub fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    /// Append a placeholder for `arg`.
    pub fn bind(&mut self, arg: Arg) -> &mut Self {
        self.args.push(arg);
        self.sql.push('$');
        self.sql.push_str(&self.args.len().to_string());
        self
    }

    /// Register `arg` and return its placeholder without writing it, for SQL assembled out of
    /// order (a placeholder may appear several times; both backends bind `$n` by number).
    pub fn placeholder(&mut self, arg: Arg) -> String {
        self.args.push(arg);
        format!("${}", self.args.len())
    }

    pub fn bind_text(&mut self, s: impl Into<String>) -> &mut Self {
        self.bind(Arg::Text(s.into()))
    }

    pub fn bind_i64(&mut self, v: i64) -> &mut Self {
        self.bind(Arg::I64(v))
    }

    /// Append `(p1, p2, …)` binding each text: the right-hand side of an `IN`.
    pub fn bind_text_list<T: ToString>(&mut self, items: impl IntoIterator<Item = T>) -> &mut Self {
        self.sql.push('(');
        for (i, item) in items.into_iter().enumerate() {
            if i > 0 {
                self.sql.push_str(", ");
            }
            self.bind_text(item.to_string());
        }
        self.sql.push(')');
        self
    }

    pub fn query(&self) -> Query<'_, Any, AnyArguments<'_>> {
        let mut q = sqlx::query(&self.sql);
        for a in &self.args {
            q = match a {
                Arg::I64(v) => q.bind(*v),
                Arg::F64(v) => q.bind(*v),
                Arg::Text(v) => q.bind(v.as_str()),
                Arg::NullText => q.bind(Option::<String>::None),
                Arg::NullInt => q.bind(Option::<i64>::None),
            };
        }
        q
    }
}
