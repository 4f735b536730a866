//! `GET /fhir/metadata`: the CapabilityStatement generic FHIR clients read first.

use super::response::{Fhir, FhirResult};
use super::searchset::FhirRequest;
use carebridge_interop::fhir::capability_statement;

/// The statement of this server; `mode` (`full`, `normative`, `terminology`) is accepted and
/// answered with the full statement.
pub async fn read(req: FhirRequest) -> FhirResult {
    req.read(&["mode"])?;
    Ok(Fhir(capability_statement(req.base(), env!("CARGO_PKG_VERSION"))))
}
