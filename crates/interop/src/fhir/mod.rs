//! FHIR R4 (4.0.1) views of the registry: facilities as Organization, Location and
//! HealthcareService, current capacity as a SANER-style MeasureReport, referrals as
//! ServiceRequest and their offers as Task, bookable time as Schedule and Slot and bookings as
//! Appointment, plus the server's CapabilityStatement, searchset Bundles, OperationOutcomes and
//! the SMART Scheduling Links manifest.
//!
//! Resources are built as fhirbolt's typed R4 model and serialised by fhirbolt, never by hand,
//! so every document we emit is one fhirbolt (and so the R4 JSON rules) accepts. The public
//! functions take domain types and return JSON strings, which keeps fhirbolt out of the
//! server's dependencies. Serve them as [`FHIR_JSON_CONTENT_TYPE`].

mod appointment;
mod bulk;
mod bundle;
mod capability;
mod common;
mod healthcare_service;
mod location;
mod measure_report;
mod organization;
mod outcome;
mod schedule;
mod service_request;
mod slot;
mod task;

pub use appointment::{appointment, appointment_status, booking_statuses_of};
pub use bulk::{bulk_manifest, BulkOutput};
pub use bundle::{searchset_bundle, Searchset};
pub use capability::{
    capability_statement, resource_capability, ResourceCapability, SearchParam, BULK_PUBLISH_DEFINITION,
    CAPABILITY_STATEMENT_DATE, COMMON_SEARCH_PARAMS, RESOURCES,
};
pub use healthcare_service::{
    healthcare_service, healthcare_service_id, healthcare_service_name, parse_healthcare_service_id,
};
pub use location::location;
pub use measure_report::{measure_report, SANER_BED_CAPACITY_MEASURE};
pub use organization::organization;
pub use outcome::{operation_outcome, IssueSeverity, IssueType};
pub use schedule::{schedule, ScheduleFacts};
pub use service_request::{referral_statuses_of, request_priority, service_request, service_request_status};
pub use slot::{
    slot, slot_status, BOOKING_DEEP_LINK_EXTENSION_URL, BOOKING_PHONE_EXTENSION_URL, SLOT_CAPACITY_EXTENSION_URL,
};
pub use task::{task, task_status};

/// The media type of the SMART Scheduling Links files (one minified resource a line).
pub const FHIR_NDJSON_CONTENT_TYPE: &str = "application/fhir+ndjson";

/// The media type of every document this module produces (FHIR R4 JSON format).
pub const FHIR_JSON_CONTENT_TYPE: &str = "application/fhir+json";

/// The FHIR release these mappings implement.
pub const FHIR_VERSION: &str = "4.0.1";

/// Identifier system for Carebridge facility ids (UUIDs) on Organization and Location.
pub const FACILITY_IDENTIFIER_SYSTEM: &str = "urn:carebridge:facility";

/// Extension on Organization carrying the designation in force (`valueCode`, a
/// `Designation` code such as `virus_designated`).
pub const DESIGNATION_EXTENSION_URL: &str = "https://carebridge.example/fhir/StructureDefinition/designation";

/// Extension on Organization saying whether the facility accepts new patients (`valueBoolean`).
pub const TAKES_NEW_PATIENTS_EXTENSION_URL: &str =
    "https://carebridge.example/fhir/StructureDefinition/takes-new-patients";

/// Code system of Carebridge service kinds (`ServiceKind::as_str`), used in
/// `HealthcareService.type`.
pub const SERVICE_CODE_SYSTEM: &str = "https://carebridge.example/fhir/CodeSystem/service";

/// Code system of capacity units (`Unit::as_str`), used in `MeasureReport.group.code`.
pub const UNIT_CODE_SYSTEM: &str = "https://carebridge.example/fhir/CodeSystem/unit";

/// Code system of facility levels (`FacilityLevel::as_str`), used in `Organization.type`.
pub const FACILITY_LEVEL_CODE_SYSTEM: &str = "https://carebridge.example/fhir/CodeSystem/facility-level";

/// Identifier system of patient pseudonyms on the Patient contained in a ServiceRequest: the
/// identifier the referrer keeps, never a name or ID number (unique only to its referrer).
pub const PATIENT_PSEUDONYM_SYSTEM: &str = "urn:carebridge:patient-pseudonym";

/// Extension on ServiceRequest carrying the patient's infection status (`valueCode`, an
/// `InfectionStatus` code: `confirmed`, `suspected`, `negative`, `unknown`).
pub const INFECTION_STATUS_EXTENSION_URL: &str = "https://carebridge.example/fhir/StructureDefinition/infection-status";

/// Extension on ServiceRequest carrying the patient's age band (`valueCode`, an `AgeBand`
/// code such as `senior`, 65–79).
pub const AGE_BAND_EXTENSION_URL: &str = "https://carebridge.example/fhir/StructureDefinition/age-band";

/// Code system of offer statuses (`OfferStatus::as_str`), used in `Task.businessStatus` and
/// for the `expired` and `withdrawn` reasons of a cancelled Task.
pub const OFFER_STATUS_CODE_SYSTEM: &str = "https://carebridge.example/fhir/CodeSystem/offer-status";

/// Code system of decline reasons (`DeclineReason::as_str`), used in `Task.statusReason`.
pub const DECLINE_REASON_CODE_SYSTEM: &str = "https://carebridge.example/fhir/CodeSystem/decline-reason";

/// Code system of dialysis weekday patterns (`WeekdayPattern::as_str`), a Task input.
pub const WEEKDAY_PATTERN_CODE_SYSTEM: &str = "https://carebridge.example/fhir/CodeSystem/weekday-pattern";

/// Code system of the Task input types of an offer: `unit`, `weekday-pattern`, `directed`.
pub const OFFER_INPUT_CODE_SYSTEM: &str = "https://carebridge.example/fhir/CodeSystem/offer-input";

/// A FHIR document we were given could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FhirError {
    /// The text is not FHIR R4 JSON that fhirbolt accepts (strict mode: unknown elements are
    /// refused, as the server must not silently drop data).
    #[error("resource {index} is not a valid FHIR R4 JSON resource: {reason}")]
    Parse {
        /// Position of the offending document in the input list (0-based).
        index: usize,
        /// fhirbolt's explanation.
        reason: String,
    },
    /// The resource parsed but has no `id`, so it cannot be addressed in a Bundle.
    #[error("resource {index} ({resource_type}) has no id")]
    MissingId {
        /// Position of the offending document in the input list (0-based).
        index: usize,
        /// Its `resourceType`.
        resource_type: String,
    },
}
