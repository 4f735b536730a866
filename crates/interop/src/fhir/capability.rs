//! The server's CapabilityStatement (`GET /fhir/metadata`): which resources and searches the
//! read-only FHIR facade answers, so generic FHIR clients can discover it.
//!
//! The list here must match what the server routes; it is one table, [`RESOURCES`], so a new
//! search parameter is one line in one place. Every parameter points at its definition in the
//! R4 specification, which tells clients its type and meaning.

use super::common::render;
use super::FHIR_VERSION;
use fhirbolt::model::r4::resources::{
    CapabilityStatement, CapabilityStatementImplementation, CapabilityStatementRest, CapabilityStatementRestResource,
    CapabilityStatementRestResourceInteraction, CapabilityStatementRestResourceSearchParam,
    CapabilityStatementSoftware,
};
use fhirbolt::model::r4::Resource;

/// When the statement's content last changed (`CapabilityStatement.date`, required by FHIR).
///
/// A constant rather than "now": the statement describes this build, and a fixed date keeps
/// the output deterministic. Bump it whenever [`RESOURCES`] or the statement changes.
pub const CAPABILITY_STATEMENT_DATE: &str = "2026-12-03";

/// A search parameter: its name, FHIR search type, and the id of its R4 definition.
struct Param(&'static str, &'static str, &'static str);

/// The resources the facade serves, with their search parameters.
const RESOURCES: &[(&str, &[Param])] = &[
    (
        "Organization",
        &[
            Param("name", "string", "Organization-name"),
            Param("address-city", "string", "Organization-address-city"),
            Param("address-state", "string", "Organization-address-state"),
            Param("_id", "token", "Resource-id"),
        ],
    ),
    (
        "Location",
        &[
            Param("name", "string", "Location-name"),
            Param("address-city", "string", "Location-address-city"),
            Param("address-state", "string", "Location-address-state"),
            Param("organization", "reference", "Location-organization"),
        ],
    ),
    (
        "HealthcareService",
        &[
            Param("organization", "reference", "HealthcareService-organization"),
            Param("service-type", "token", "HealthcareService-service-type"),
        ],
    ),
    ("MeasureReport", &[Param("subject", "reference", "MeasureReport-subject")]),
    ("ServiceRequest", &[Param("status", "token", "ServiceRequest-status")]),
    ("Task", &[Param("focus", "reference", "Task-focus")]),
];

/// The CapabilityStatement (JSON) of a server at `base_url` running Carebridge
/// `software_version`: status `active`, kind `instance`, FHIR 4.0.1, JSON only, one `server`
/// rest entry listing Organization, Location, HealthcareService, MeasureReport,
/// ServiceRequest (referrals) and Task (their offers) with `read` and `search-type`.
pub fn capability_statement(base_url: &str, software_version: &str) -> String {
    render(&Resource::CapabilityStatement(Box::new(build(base_url, software_version))))
}

fn build(base_url: &str, software_version: &str) -> CapabilityStatement {
    CapabilityStatement {
        id: Some("carebridge".into()),
        name: Some("CarebridgeFhirFacade".into()),
        title: Some("Carebridge read-only FHIR facade".into()),
        status: "active".into(),
        date: CAPABILITY_STATEMENT_DATE.into(),
        publisher: Some("Carebridge".into()),
        description: Some(
            "Read-only FHIR R4 view of the Carebridge registry: facilities as Organization, \
             Location and HealthcareService, current bed capacity as SANER-style MeasureReport, \
             referrals as ServiceRequest and their bed offers as Task."
                .into(),
        ),
        kind: "instance".into(),
        software: Some(CapabilityStatementSoftware {
            name: "Carebridge".into(),
            version: Some(software_version.into()),
            ..Default::default()
        }),
        implementation: Some(CapabilityStatementImplementation {
            description: "Carebridge surge coordination service".into(),
            url: Some(base_url.into()),
            ..Default::default()
        }),
        fhir_version: FHIR_VERSION.into(),
        format: vec!["json".into()],
        rest: vec![CapabilityStatementRest {
            mode: "server".into(),
            resource: RESOURCES.iter().map(|(ty, params)| resource(ty, params)).collect(),
            ..Default::default()
        }],
        ..Default::default()
    }
}

fn resource(ty: &str, params: &[Param]) -> CapabilityStatementRestResource {
    CapabilityStatementRestResource {
        r#type: ty.into(),
        interaction: ["read", "search-type"]
            .into_iter()
            .map(|code| CapabilityStatementRestResourceInteraction { code: code.into(), ..Default::default() })
            .collect(),
        search_param: params
            .iter()
            .map(|Param(name, ty, definition)| CapabilityStatementRestResourceSearchParam {
                name: (*name).into(),
                definition: Some(format!("http://hl7.org/fhir/SearchParameter/{definition}").into()),
                r#type: (*ty).into(),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}
