//! `carebridge bench …`: benchmarks that build a seeded instance, measure it, and print their
//! figures (and, with `--json`, write them for comparison across runs).
//!
//! - [`registry`]: a national-size registry on SQLite and PostgreSQL — bulk import rate,
//!   rollups, and capacity-report ingestion over HTTP ([`ingest`]); [`report`] prints the table.

mod ingest;
mod registry;
mod report;

pub use registry::{registry, RegistryArgs};
