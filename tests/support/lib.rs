//! Shared test support: the real app on a random port over a fresh database (SQLite file or a
//! new PostgreSQL database, dropped afterwards), typed HTTP helpers, valid request bodies, and
//! the `carebridge` binary.

pub mod app;
pub mod binary;
pub mod browser;
pub mod fixtures;
