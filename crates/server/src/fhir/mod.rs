//! The FHIR R4 facade at `/fhir`: a read-only view of the registry for systems that speak
//! FHIR rather than our JSON API.
//!
//! | route | resource | who |
//! | --- | --- | --- |
//! | `GET /metadata` | CapabilityStatement | anyone |
//! | `GET /Organization[/{id}]` | the facility as an organisation | anyone (public directory) |
//! | `GET /Location[/{id}]` | the facility as a place, with its position | anyone |
//! | `GET /HealthcareService[/{id}]` | one service a facility offers | anyone |
//! | `GET /MeasureReport[/{id}]` | current bed capacity (SANER shape) | bearer token, capacity scope |
//! | `GET /ServiceRequest[/{id}]` | a referral (pseudonymous patient, contained) | bearer token, referral read scope |
//! | `GET /Task[/{id}]` | an offer: a bed held for a referral (by `focus`, or all in scope) | bearer token, its referral's read scope |
//! | `GET /Schedule[/{id}]` | a published schedule: one service of a facility over its days | anyone |
//! | `GET /Slot[/{id}]` | a bookable time, `free` / `busy`, with a booking deep link when free | anyone |
//! | `GET /Appointment[/{id}]` | a booking (pseudonymous patient, contained) | bearer token: the patient's own, a desk its facility's, coordinators their regions' |
//! | `GET /$bulk-publish` | the SMART Scheduling Links manifest (JSON) | anyone |
//! | `GET /$bulk-publish/{file}` | its NDJSON files: Locations, Schedules, one Slot file per facility (`bulk`) | anyone |
//!
//! The documents themselves are built by `carebridge_interop::fhir`; the handlers here only
//! parse the request, call one use case and pick the status. Every answer, errors included, is
//! `application/fhir+json` (but the bulk manifest, JSON, and its NDJSON files); an error is an
//! OperationOutcome, never problem+json.
//!
//! Searches follow FHIR's `Prefer: handling` rule (`params`): under lenient handling, the
//! default, a parameter we do not know is ignored, left out of the `self` link and named in
//! an OperationOutcome entry of the searchset (`search.mode` = `outcome`), so a client that
//! checks either can tell it was not applied; `Prefer: handling=strict` makes it a 400. A
//! known parameter with a bad value, a modifier or a repeat is a 400 either way: a filter we
//! misread must not hand back unfiltered data. The parameters a type knows are the ones the
//! CapabilityStatement declares (one table, in `carebridge_interop::fhir::RESOURCES`), and a
//! declared one that no handler reads is a 500, never silently dropped.
//!
//! Every search goes through `searchset`: `_count` pages with `next` links, `_summary=count`
//! (or `_count=0`) answers the total alone, and every entry's `fullUrl` is absolute,
//! `{public_url}/fhir/{type}/{id}`, as are the links.

mod appointment;
mod bulk;
mod directory;
mod healthcare_service;
mod location;
mod measure_report;
mod metadata;
mod organization;
mod params;
mod response;
mod schedule;
mod search;
mod searchset;
mod service_request;
mod slot;
mod task;

use crate::state::AppState;
use axum::routing::get;
use axum::{middleware, Router};

pub use response::{FhirProblem, FHIR_JSON};

/// The `/fhir` routes, to be nested at `/fhir`.
pub fn router() -> Router<AppState> {
    // The bulk publication answers JSON and NDJSON, so it is outside the FHIR-JSON negotiation.
    let bulk = Router::new()
        .route(bulk::MANIFEST, get(bulk::manifest))
        .route(&format!("{}/{{file}}", bulk::MANIFEST), get(bulk::file));
    let facade = Router::new()
        .route("/metadata", get(metadata::read))
        .route("/Organization", get(organization::search))
        .route("/Organization/{id}", get(organization::read))
        .route("/Location", get(location::search))
        .route("/Location/{id}", get(location::read))
        .route("/HealthcareService", get(healthcare_service::search))
        .route("/HealthcareService/{id}", get(healthcare_service::read))
        .route("/MeasureReport", get(measure_report::search))
        .route("/MeasureReport/{id}", get(measure_report::read))
        .route("/ServiceRequest", get(service_request::search))
        .route("/ServiceRequest/{id}", get(service_request::read))
        .route("/Task", get(task::search))
        .route("/Task/{id}", get(task::read))
        .route("/Schedule", get(schedule::search))
        .route("/Schedule/{id}", get(schedule::read))
        .route("/Slot", get(slot::search))
        .route("/Slot/{id}", get(slot::read))
        .route("/Appointment", get(appointment::search))
        .route("/Appointment/{id}", get(appointment::read))
        .fallback(response::unknown_route)
        .method_not_allowed_fallback(response::method_not_allowed)
        .layer(middleware::from_fn(response::negotiate));
    bulk.method_not_allowed_fallback(response::method_not_allowed).merge(facade)
}
