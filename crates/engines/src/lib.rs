//! Carebridge's engines: placement, booking, staffing, supplies, forecast and simulation, each a
//! pure function `solve(&Snapshot, &Params) -> Plan` over domain types.
//!
//! The registry issue lays the crate out and fixes its boundary: no I/O, no wall clock, no
//! unseeded randomness (`tests/tidy.rs` refuses I/O dependencies here). The first engine,
//! placement with its exact min-cost flow, arrives with the placement issue.
