//! Carebridge's edges to other systems: FHIR R4 resources and the CSV spreadsheets hospitals
//! already keep.
//!
//! Everything here is a pure function over domain types and `std::io::Read`/`Write`: no
//! network, no database, no clock (times arrive as arguments). That keeps the generated FHIR
//! serde code in a crate of its own, so editing the server does not rebuild it, and lets the
//! mappings be tested byte for byte against golden files and the official HL7 examples.

pub mod csv_io;
pub mod fhir;
