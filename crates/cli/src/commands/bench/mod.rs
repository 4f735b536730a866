//! `carebridge bench …`: benchmarks that build a seeded instance, measure it, and print their
//! figures (and, with `--json`, write them for comparison across runs).
//!
//! - [`registry`]: a national-size registry on SQLite and PostgreSQL — bulk import rate,
//!   rollups, and capacity-report ingestion over HTTP ([`ingest`]); [`report`] prints the table.
//! - [`placement`]: the exact batch-placement solver on transport-like instances, beside
//!   OR-Tools.
//! - [`online`]: online placement of single referrals against a national registry.
//! - [`offer_latency`]: how soon a freed bed is offered to a waiting patient in a full city.
//! - [`booking`]: durable bookings over HTTP from many clients racing for a limited set of slots.
//! - [`fever_wait`]: the fever-clinic wait estimate's error against simulated queues.

mod booking;
mod fever_wait;
mod ingest;
mod offer_latency;
mod online;
mod placement;
mod registry;
mod report;

pub use booking::{booking, BookingArgs};
pub use fever_wait::{fever_wait, FeverWaitArgs};
pub use offer_latency::{offer_latency, OfferLatencyArgs};
pub use online::{online, OnlineArgs};
pub use placement::{placement, PlacementArgs};
pub use registry::{registry, RegistryArgs};
