//! Persistence behind one interface, two real backends from one code base.
//!
//! The URL picks the backend (`sqlite://…` embedded, `postgres://…` shared). Both speak the same
//! SQL through `sqlx::Any`: `$n` placeholders, INTEGER/TEXT/REAL columns, times as UTC
//! milliseconds, booleans as 0/1. Each backend keeps its own migrations (`migrations/sqlite`,
//! `migrations/postgres`) so each can use its own types and indexes, and the shared end-to-end
//! suite proves every query on both.
//!
//! Writes go through [`Tx`]: one transaction per use case, into which the service appends the
//! audit record, so a change without its audit row cannot be committed. Reads take a
//! [`Visibility`] that becomes part of the `WHERE` clause: out-of-scope rows are never loaded.

pub mod audit;
mod backend;
pub mod booking;
pub mod booking_group;
pub mod capacity;
pub mod capacity_group;
pub mod changes;
pub mod consultations;
pub mod designations;
mod durability;
mod error;
pub mod facilities;
pub mod fever;
pub mod idempotency;
mod json_rows;
pub mod migrate;
mod native;
pub mod placement;
pub mod plans;
pub mod referrals;
pub mod registration;
mod rows;
pub mod settings;
mod sql;
pub mod users;
mod visibility;
pub mod waitlist;

pub use backend::{redact, Backend, Store, Tx};
pub use durability::PendingSync;
pub use error::StoreError;
pub use visibility::Visibility;
