//! Carebridge's domain: the plain types and rules every other crate speaks.
//!
//! Nothing here does I/O, reads the wall clock or draws random numbers: a value that exists is
//! valid (parse, don't validate), so the checks run once, at the edge, and engines built on these
//! types stay pure and replayable.

pub mod audit;
pub mod booking;
pub mod boundaries;
pub mod capacity;
pub mod clock;
pub mod consultation;
pub mod designation;
pub mod error;
pub mod facility;
pub mod fever;
pub mod ids;
pub mod page;
pub mod placement;
pub mod referral;
pub mod region;
pub mod registration;
pub mod service_kind;
pub mod text;
pub mod user;

pub use error::{FieldError, ValidationErrors};
