//! Carebridge's engines: placement, booking, staffing, supplies, forecast and simulation, each a
//! pure function `solve(&Snapshot, &Params) -> Plan` over domain types.
//!
//! The registry issue laid the crate out and fixed its boundary: no I/O, no wall clock, no
//! unseeded randomness (`tests/tidy.rs` refuses I/O dependencies here). The first piece of the
//! placement issue is [`mcf`], an exact integer minimum-cost-flow solver with an optimality
//! certificate; [`placement::online`] ranks
//! facilities for one referral with the reasons for every exclusion; [`booking::slots`] turns a
//! schedule's weekly templates and closures into the slots of a horizon; [`fever`] estimates a
//! fever clinic's wait from its queue and recent service, with the seeded queue simulation that
//! measures the estimate's error.

pub mod booking;
pub mod fever;
pub mod mcf;
pub mod placement;
