//! Round-trips the official HL7 FHIR R4 (4.0.1) examples of the resource types Carebridge
//! serves through fhirbolt, the model our mappings are built on.
//!
//! If fhirbolt lost or changed an element of a spec example, our own resources could lose it
//! too without any golden file noticing; this pins the model itself to the specification.
//! The examples and where they come from are in `fixtures/r4-examples/SOURCE.md`.

use fhirbolt::model::r4::Resource;
use std::path::Path;

/// Each example with the resource type it must parse as. None is skipped; the one R4 type we
/// serve without an example here (HealthcareService) is explained in SOURCE.md.
const EXAMPLES: &[(&str, &str)] = &[
    ("Organization-2.16.840.1.113883.19.5.json", "Organization"),
    ("Location-amb.json", "Location"),
    ("MeasureReport-hiv-indicators.json", "MeasureReport"),
    ("CapabilityStatement-example.json", "CapabilityStatement"),
    ("OperationOutcome-101.json", "OperationOutcome"),
];

fn variant(resource: &Resource) -> &'static str {
    match resource {
        Resource::Organization(_) => "Organization",
        Resource::Location(_) => "Location",
        Resource::MeasureReport(_) => "MeasureReport",
        Resource::CapabilityStatement(_) => "CapabilityStatement",
        Resource::OperationOutcome(_) => "OperationOutcome",
        _ => "other",
    }
}

#[test]
fn official_r4_examples_round_trip_through_fhirbolt() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/r4-examples");
    for (file, expected_type) in EXAMPLES {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let original: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(original["resourceType"], *expected_type, "{file}");

        let resource: Resource = fhirbolt::json::from_str(&text, None)
            .unwrap_or_else(|e| panic!("{file}: fhirbolt refused an official example: {e}"));
        assert_eq!(variant(&resource), *expected_type, "{file}");

        let written = fhirbolt::json::to_string(&resource, None).unwrap();
        let round_tripped: serde_json::Value = serde_json::from_str(&written).unwrap();
        // Decimals compare by their text (serde_json's arbitrary_precision, which fhirbolt
        // enables), so `0` stays `0`; no normalisation was needed for these examples.
        assert_eq!(round_tripped, original, "{file} changed in the round trip");
    }
}
