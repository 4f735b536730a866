//! designations
