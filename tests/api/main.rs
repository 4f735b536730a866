//! The end-to-end HTTP suite: the real server on a random port, driven over HTTP, each test on
//! SQLite and on PostgreSQL (`CAREBRIDGE_TEST_DATABASE_URL`; without it the PostgreSQL variants
//! print `SKIPPED` and return). One file per area; `authz_matrix` checks every route × role ×
//! scope against the table written out in it.

mod audit;
mod auth;
mod authz_matrix;
mod bearer;
mod body_limit;
mod booking;
mod booking_changes;
mod capacity;
mod consultations;
mod demo_stories;
mod designations;
mod displacement;
mod errors;
mod facilities;
mod fever;
mod fhir_referrals;
mod fhir_scheduling;
mod health;
mod placement_safety;
mod plans;
mod protected;
mod referrals;
mod registration;
mod regression;
mod report_time;
mod rollups;
mod sanity;
mod scope;
mod users;
