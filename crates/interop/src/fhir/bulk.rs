//! The SMART Scheduling Links manifest (`$bulk-publish`): when the data set was read, the URL
//! asked, and one output per NDJSON file with its resource type and the provinces it covers.
//! Not a FHIR resource: plain JSON, as the specification (after FHIR Bulk Data) defines it.

use carebridge_domain::clock::Timestamp;
use serde_json::json;

/// One file of the data set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkOutput {
    /// `Location`, `Schedule` or `Slot`.
    pub resource_type: &'static str,
    /// Absolute URL of the NDJSON file.
    pub url: String,
    /// The provinces its data lie in (GB/T 2260 codes), the specification's `state` hint.
    /// Empty: no hint.
    pub states: Vec<String>,
}

/// The manifest (JSON): `transactionTime`, `request`, `output` and an empty `error`.
pub fn bulk_manifest(transaction_time: Timestamp, request: &str, outputs: &[BulkOutput]) -> String {
    let output: Vec<_> = outputs
        .iter()
        .map(|o| {
            let mut entry = json!({ "type": o.resource_type, "url": o.url });
            if !o.states.is_empty() {
                entry["extension"] = json!({ "state": o.states });
            }
            entry
        })
        .collect();
    json!({
        "transactionTime": transaction_time.to_rfc3339(),
        "request": request,
        "output": output,
        "error": [],
    })
    .to_string()
}
