//! Who is calling: the RFC 6750 layer that judges every request's bearer token, and the
//! extractors that hand the principal to handlers (API and FHIR: a bearer token; pages: the
//! same token in an HttpOnly session cookie). The handler's signature states the role it needs.

pub mod bearer;
mod extract;

pub use extract::{Caller, SESSION_COOKIE};
