//! The HTTP service: the JSON API (`/api/v1`), the FHIR R4 facade (`/fhir`), the web pages,
//! authentication and region-scoped authorisation. A thin shell over `carebridge-service`:
//! handlers parse, call one use case, and shape the answer.

// `Problem` is the error of every handler and is turned into a response at once; boxing it
// would only add an allocation on the error path.
#![allow(clippy::result_large_err)]

pub mod api;
pub mod auth;
pub mod body_limit;
pub mod extract;
pub mod fhir;
mod health;
pub mod idempotency;
pub mod problem;
pub mod startup;
pub mod state;
pub mod web;

pub use startup::{Application, ServerConfig};
