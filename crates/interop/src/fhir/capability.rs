//! The server's CapabilityStatement (`GET /fhir/metadata`): which resources and searches the
//! read-only FHIR facade answers, and how to authenticate, so generic FHIR clients can
//! discover it.
//!
//! The statement is built from one table, [`RESOURCES`] (and [`COMMON_SEARCH_PARAMS`] for the
//! result parameters every search takes), which the server also reads to decide which query
//! parameters a search knows: what is declared here is exactly what is accepted, so the two
//! cannot drift apart. Every resource parameter points at its definition in the R4
//! specification (its type and meaning), and says in `documentation` how we match it.
//!
//! The common parameters are declared once, in `rest.searchParam` ("search parameters for
//! all resources"), rather than repeated per resource: they work on every search.

use super::common::{coding, concept, render};
use super::FHIR_VERSION;
use fhirbolt::model::r4::resources::{
    CapabilityStatement, CapabilityStatementImplementation, CapabilityStatementRest, CapabilityStatementRestResource,
    CapabilityStatementRestResourceInteraction, CapabilityStatementRestResourceOperation,
    CapabilityStatementRestResourceSearchParam, CapabilityStatementRestSecurity, CapabilityStatementSoftware,
};
use fhirbolt::model::r4::Resource;

/// When the statement's content last changed (`CapabilityStatement.date`, required by FHIR).
///
/// A constant rather than "now": the statement describes this build, and a fixed date keeps
/// the output deterministic. Bump it whenever [`RESOURCES`] or the statement changes.
pub const CAPABILITY_STATEMENT_DATE: &str = "2026-12-08";

/// One search parameter the facade supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchParam {
    /// The query parameter name.
    pub name: &'static str,
    /// Its FHIR search type (`string`, `token`, `reference`, `number`, `date`). A `date`
    /// parameter may be given more than once (`ge…&le…`, a range); the others may not.
    pub kind: &'static str,
    /// The id of its R4 `SearchParameter` (`Organization-name`); `None` for the result
    /// parameters, which the specification defines without a SearchParameter resource.
    pub definition: Option<&'static str>,
    /// How this server matches it (`searchParam.documentation`).
    pub documentation: &'static str,
}

/// One resource type the facade serves (`read` and `search-type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResourceCapability {
    pub resource_type: &'static str,
    /// Whether reading it needs a bearer token (the directory types are public).
    pub needs_token: bool,
    /// Its own search parameters, beyond [`COMMON_SEARCH_PARAMS`].
    pub search_params: &'static [SearchParam],
}

const fn param(
    name: &'static str,
    kind: &'static str,
    definition: &'static str,
    documentation: &'static str,
) -> SearchParam {
    SearchParam { name, kind, definition: Some(definition), documentation }
}

const NAME_DOC: &str = "Case-insensitive substring of the Chinese or the English name (`name` or `alias`): \
                        contains, a superset of FHIR's default starts-with.";
const CITY_DOC: &str = "A GB/T 2260 code (that region's subtree) or a prefecture-level city name, exact or by \
                        prefix; an ambiguous or unknown name is a 400.";
const STATE_DOC: &str = "A GB/T 2260 code (that region's subtree) or a province name, exact or by prefix; an \
                         ambiguous or unknown name is a 400.";
/// The documentation of a `date` parameter: what it matches, then how values are read.
macro_rules! date_doc {
    ($what:literal) => {
        concat!(
            $what,
            " `YYYY-MM-DD` (a local day, China Standard Time) or an instant with its offset, prefixed `eq` \
             (the default), `ge`, `gt`, `le` or `lt`; give the parameter twice for a range \
             (`ge2022-12-05` and `lt2022-12-07`). Other prefixes and partial dates are a 400."
        )
    };
}

const SERVICE_TYPE_DOC: &str = "A Carebridge service code (`dialysis`), optionally as `system|code` in \
                                https://carebridge.example/fhir/CodeSystem/service; codes of other systems match \
                                nothing.";
const ORGANIZATION_DOC: &str = "`Organization/{id}`, a bare id or an absolute URL ending so.";

/// The result parameters every search accepts, declared in `rest.searchParam`.
pub const COMMON_SEARCH_PARAMS: &[SearchParam] = &[
    SearchParam {
        name: "_count",
        kind: "number",
        definition: None,
        documentation: "Page size, default 50, at most 500 (more is served as 500); follow the `next` link for \
                        the rest. `0` answers the count only, as `_summary=count` does.",
    },
    SearchParam {
        name: "_summary",
        kind: "token",
        definition: None,
        documentation: "`count`: a Bundle with `total` and no entries; `false`: the normal answer. `true`, `text` \
                        and `data` are not supported: a 400 with `Prefer: handling=strict`, else ignored and \
                        reported in an OperationOutcome entry.",
    },
];

/// The resources the facade serves, in the order the statement lists them.
pub const RESOURCES: &[ResourceCapability] = &[
    ResourceCapability {
        resource_type: "Organization",
        needs_token: false,
        search_params: &[
            param("name", "string", "Organization-name", NAME_DOC),
            param("address-city", "string", "Organization-address-city", CITY_DOC),
            param("address-state", "string", "Organization-address-state", STATE_DOC),
            param("_id", "token", "Resource-id", "One id or a comma-separated list of at most 100."),
        ],
    },
    ResourceCapability {
        resource_type: "Location",
        needs_token: false,
        search_params: &[
            param("name", "string", "Location-name", NAME_DOC),
            param("address-city", "string", "Location-address-city", CITY_DOC),
            param("address-state", "string", "Location-address-state", STATE_DOC),
            param("organization", "reference", "Location-organization", ORGANIZATION_DOC),
        ],
    },
    ResourceCapability {
        resource_type: "HealthcareService",
        needs_token: false,
        search_params: &[
            param(
                "name",
                "string",
                "HealthcareService-name",
                "Case-insensitive substring of the service's `name` (the facility's Chinese name and the \
                 service's label): contains, a superset of FHIR's default starts-with.",
            ),
            param("organization", "reference", "HealthcareService-organization", ORGANIZATION_DOC),
            param(
                "service-type",
                "token",
                "HealthcareService-service-type",
                "A Carebridge service code (`dialysis`), optionally as `system|code` in \
                 https://carebridge.example/fhir/CodeSystem/service; codes of other systems match nothing.",
            ),
        ],
    },
    ResourceCapability {
        resource_type: "MeasureReport",
        needs_token: true,
        search_params: &[param(
            "subject",
            "reference",
            "MeasureReport-subject",
            "`Location/{id}`, a bare id or an absolute URL ending so: that facility's current report.",
        )],
    },
    ResourceCapability {
        resource_type: "ServiceRequest",
        needs_token: true,
        search_params: &[param(
            "status",
            "token",
            "ServiceRequest-status",
            "A request-status code or a comma-separated list of them (any of).",
        )],
    },
    ResourceCapability {
        resource_type: "Task",
        needs_token: true,
        search_params: &[param(
            "focus",
            "reference",
            "Task-focus",
            "`ServiceRequest/{id}` or a bare referral id: that referral's offers. Without it, the offers of \
             every referral the caller may read.",
        )],
    },
    ResourceCapability {
        resource_type: "Schedule",
        needs_token: false,
        search_params: &[
            param(
                "actor",
                "reference",
                "Schedule-actor",
                "`Location/{id}`, a bare id or an absolute URL ending so: that facility's schedules.",
            ),
            param("service-type", "token", "Schedule-service-type", SERVICE_TYPE_DOC),
            param("active", "token", "Schedule-active", "`true` (published) or `false` (retired)."),
            param(
                "date",
                "date",
                "Schedule-date",
                date_doc!(
                    "Schedules whose `planningHorizon` (the days it runs, open-ended without an end) meets the date \
                 or range."
                ),
            ),
        ],
    },
    ResourceCapability {
        resource_type: "Slot",
        needs_token: false,
        search_params: &[
            param(
                "schedule",
                "reference",
                "Slot-schedule",
                "`Schedule/{id}`, a bare id or an absolute URL ending so: that schedule's slots.",
            ),
            param("service-type", "token", "Slot-service-type", SERVICE_TYPE_DOC),
            param("start", "date", "Slot-start", date_doc!("Slots starting on the date or within the range.")),
            param(
                "status",
                "token",
                "Slot-status",
                "`free` (open with a place left), `busy` (open and full) or `busy-unavailable` (cancelled); \
                 `busy-tentative` and `entered-in-error` match nothing.",
            ),
        ],
    },
    ResourceCapability {
        resource_type: "Appointment",
        needs_token: true,
        search_params: &[
            param(
                "date",
                "date",
                "Appointment-date",
                date_doc!("Appointments starting on the date or within the range."),
            ),
            param(
                "status",
                "token",
                "Appointment-status",
                "An appointmentstatus code or a comma-separated list of them (any of): `booked`, `cancelled`, \
                 `checked-in`, `noshow`; the value set's other codes match nothing.",
            ),
            param(
                "location",
                "reference",
                "Appointment-location",
                "`Location/{id}`, a bare id or an absolute URL ending so: bookings at that facility.",
            ),
            param("service-type", "token", "Appointment-service-type", SERVICE_TYPE_DOC),
            param(
                "patient",
                "reference",
                "Appointment-patient",
                "`Patient/{id}` with a patient's account id: their bookings, within the caller's scope. A \
                 patient sees only their own whatever they name: another patient's id matches nothing.",
            ),
        ],
    },
];

/// The declaration of a resource type, if the facade serves it.
pub fn resource_capability(resource_type: &str) -> Option<&'static ResourceCapability> {
    RESOURCES.iter().find(|r| r.resource_type == resource_type)
}

/// The CapabilityStatement (JSON) of a server whose FHIR base is `base_url`, running
/// Carebridge `software_version`: status `active`, kind `instance`, FHIR 4.0.1, JSON only,
/// one `server` rest entry listing [`RESOURCES`] with `read` and `search-type`, their search
/// parameters, the common ones, and bearer-token security.
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
             referrals as ServiceRequest and their bed offers as Task, bookable time as Schedule and Slot, \
             bookings as Appointment, and a SMART Scheduling Links publisher ($bulk-publish)."
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
            documentation: Some(
                "Searches follow `Prefer: handling`: lenient (the default) ignores a parameter this server \
                 does not know, leaves it out of the `self` link and names it in an OperationOutcome entry \
                 (`search.mode` = `outcome`); `handling=strict` answers 400 instead. A known parameter with \
                 a value we cannot use, a modifier or a repeat is a 400 either way."
                    .into(),
            ),
            security: Some(security()),
            resource: RESOURCES.iter().map(resource).collect(),
            operation: vec![bulk_publish()],
            search_param: COMMON_SEARCH_PARAMS.iter().map(search_param).collect(),
            ..Default::default()
        }],
        ..Default::default()
    }
}

/// Bearer tokens (RFC 6750) from the JSON API's sign-in; no SMART on FHIR, no CORS.
fn security() -> CapabilityStatementRestSecurity {
    let protected: Vec<&str> = RESOURCES.iter().filter(|r| r.needs_token).map(|r| r.resource_type).collect();
    let oauth = coding("http://terminology.hl7.org/CodeSystem/restful-security-service", "OAuth", "OAuth");
    CapabilityStatementRestSecurity {
        cors: Some(false.into()),
        service: vec![concept(oauth, "Bearer token (RFC 6750); SMART on FHIR is not supported")],
        description: Some(
            format!(
                "{} need `Authorization: Bearer <token>`, the `access_token` of `POST /api/v1/auth/token` \
                 (JSON `username`, `password`); without one they answer 401. The other resources are the \
                 public directory. SMART on FHIR (launch, scopes, .well-known/smart-configuration) is not \
                 supported.",
                protected.join(", ")
            )
            .into(),
        ),
        ..Default::default()
    }
}

/// The canonical URL of the `$bulk-publish` operation's definition.
pub const BULK_PUBLISH_DEFINITION: &str = "https://carebridge.example/fhir/OperationDefinition/bulk-publish";

/// `GET [base]/$bulk-publish`: the SMART Scheduling Links manifest.
fn bulk_publish() -> CapabilityStatementRestResourceOperation {
    CapabilityStatementRestResourceOperation {
        name: "bulk-publish".into(),
        definition: BULK_PUBLISH_DEFINITION.into(),
        documentation: Some(
            "SMART Scheduling Links (https://github.com/smart-on-fhir/smart-scheduling-links): `GET \
             [base]/$bulk-publish` answers the manifest (JSON: `transactionTime`, `request`, `output`) whose \
             outputs are NDJSON files (`application/fhir+ndjson`) of every Location with a published \
             schedule, every active Schedule, and, one file per facility, every open Slot from now to the \
             horizon, `free` or `busy`, free ones with a booking deep link. Public, no token. `_since` is \
             accepted and ignored: each answer is the whole data set."
                .into(),
        ),
        ..Default::default()
    }
}

fn resource(r: &ResourceCapability) -> CapabilityStatementRestResource {
    let access = if r.needs_token { "Needs a bearer token (see `rest.security`)." } else { "Public." };
    CapabilityStatementRestResource {
        r#type: r.resource_type.into(),
        documentation: Some(access.into()),
        interaction: ["read", "search-type"]
            .into_iter()
            .map(|code| CapabilityStatementRestResourceInteraction { code: code.into(), ..Default::default() })
            .collect(),
        search_param: r.search_params.iter().map(search_param).collect(),
        ..Default::default()
    }
}

fn search_param(p: &SearchParam) -> CapabilityStatementRestResourceSearchParam {
    CapabilityStatementRestResourceSearchParam {
        name: p.name.into(),
        definition: p.definition.map(|d| format!("http://hl7.org/fhir/SearchParameter/{d}").into()),
        r#type: p.kind.into(),
        documentation: Some(p.documentation.into()),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameter_names_are_unique_per_resource_and_apart_from_the_common_ones() {
        for r in RESOURCES {
            let mut names: Vec<&str> = r.search_params.iter().chain(COMMON_SEARCH_PARAMS).map(|p| p.name).collect();
            let all = names.len();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), all, "{} declares a name twice", r.resource_type);
        }
        assert_eq!(resource_capability("Task").map(|r| r.needs_token), Some(true));
        assert!(resource_capability("Patient").is_none());
    }
}
