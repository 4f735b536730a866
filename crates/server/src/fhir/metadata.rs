//! `GET /fhir/metadata`: the CapabilityStatement generic FHIR clients read first.

use super::response::{Fhir, FhirResult};
use super::search::{base_url, Params};
use axum::extract::RawQuery;
use axum::http::HeaderMap;
use carebridge_interop::fhir::capability_statement;

/// The statement of this server; `mode` (`full`, `normative`, `terminology`) is accepted and
/// answered with the full statement.
pub async fn read(headers: HeaderMap, RawQuery(query): RawQuery) -> FhirResult {
    Params::read(query.as_deref(), &["mode"])?;
    Ok(Fhir(capability_statement(&base_url(&headers), env!("CARGO_PKG_VERSION"))))
}
