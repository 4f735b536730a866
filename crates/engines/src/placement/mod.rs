//! Placement: where each referred patient should go. [`online`] answers one referral at a time
//! as it is filed or re-offered; the batch plan (a minimum-cost flow over every pending
//! referral of a region, solved by [`crate::mcf`]) builds on the same constraints.

pub mod batch;
pub mod online;
