//! Booking's engines: [`slots`] turns a schedule's weekly templates and closures into the
//! slots of a horizon.

pub mod slots;
