//! Carebridge's use cases. Each one authorises the caller, reads what it needs through the
//! caller's visibility, decides (with the engines, pure), and writes the decision and its audit
//! record in one transaction. The HTTP server and the CLI are thin shells over this crate, so a
//! rule lives in exactly one place.

pub mod audit_log;
pub mod auth;
pub mod booking;
pub mod booking_changes;
mod booking_writer;
pub mod capacity;
mod capacity_writer;
pub mod consultations;
mod context;
pub mod demo_booking;
pub mod designations;
pub mod displacement;
mod error;
pub mod facilities;
pub mod fever;
pub mod fhir_reads;
pub mod fhir_scheduling;
pub mod followup;
pub mod imports;
pub mod limits;
mod placement_index;
pub mod plans;
pub mod protected;
pub mod ranking;
pub mod referrals;
pub mod regions;
pub mod registration;
pub mod scope;
mod seed;
pub mod sign_up;
mod token_cache;
pub mod users;
pub mod waitlist;

pub use carebridge_store::{Backend, Store, StoreError};
pub use context::{Carebridge, RequestMeta};
pub use error::ServiceError;
