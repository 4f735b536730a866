//! The SMART Scheduling Links publisher: `GET /fhir/$bulk-publish` answers the manifest, and
//! each file it lists is NDJSON (`application/fhir+ndjson`, one minified R4 resource a line):
//!
//! | file | lines |
//! | --- | --- |
//! | `$bulk-publish/Location.ndjson` | every facility with an active schedule, as `GET /fhir/Location` renders it |
//! | `$bulk-publish/Schedule.ndjson` | every active schedule |
//! | `$bulk-publish/Slot-{facility}.ndjson` | that facility's open slots from now on, in start order, `free` or `busy` |
//!
//! Everything is public (no token), as the specification asks of appointment availability and
//! as the slot search already is. Slot files are one per facility so each stays bounded (a
//! facility's schedules over the 14-day horizon) and a client can fetch only the provinces it
//! serves: every output names its provinces (GB/T 2260 codes) in `extension.state`. A Slot
//! file is streamed page by page from the slot search's query, never built whole in memory;
//! cancelled slots are left out (nobody can book them, and they are no longer capacity).
//!
//! The manifest costs one read of the active schedules and their facilities, and says
//! `Cache-Control: max-age=60` (the specification's polling hint). `transactionTime` is when
//! it was read; the files are read when fetched, so they are as new or newer. `_since` is
//! accepted and ignored, as the specification allows: every answer is the whole data set.
//!
//! These routes sit outside the facade's FHIR-JSON negotiation: the manifest is plain JSON
//! (answered whatever the `Accept`), the files NDJSON. Errors are OperationOutcomes still.

use super::response::FhirProblem;
use super::searchset::Source;
use super::slot::Slots;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use carebridge_domain::booking::DAY_MS;
use carebridge_domain::facility::Facility;
use carebridge_domain::ids::FacilityId;
use carebridge_domain::page::MAX_PAGE_SIZE;
use carebridge_interop::fhir::{bulk_manifest, location, BulkOutput, FHIR_NDJSON_CONTENT_TYPE};
use carebridge_service::fhir_scheduling::SlotFilter;
use carebridge_store::booking::SlotState;
use futures::StreamExt;

/// The manifest's path under `/fhir`.
pub const MANIFEST: &str = "/$bulk-publish";

/// How long a client should wait before polling again (the `Cache-Control` hint), seconds.
const MAX_AGE_SECONDS: u32 = 60;

/// How far ahead a Slot file reaches: past the rolling horizon, so a slot made today is in.
const SLOT_FILE_DAYS: i64 = 400;

const LOCATIONS: &str = "Location.ndjson";
const SCHEDULES: &str = "Schedule.ndjson";

fn slot_file(facility: FacilityId) -> String {
    format!("Slot-{facility}.ndjson")
}

fn cache_control() -> (header::HeaderName, HeaderValue) {
    let value = HeaderValue::from_str(&format!("public, max-age={MAX_AGE_SECONDS}")).expect("an ASCII header");
    (header::CACHE_CONTROL, value)
}

/// The province (GB/T 2260 code) of a facility, for `extension.state`.
fn province(s: &AppState, f: &Facility) -> Option<String> {
    s.cb.regions.path(f.draft.region_code).map(|p| p.province.to_string())
}

/// `GET /fhir/$bulk-publish`: the manifest (JSON).
pub async fn manifest(State(s): State<AppState>) -> Result<Response, FhirProblem> {
    let at = s.cb.now();
    let (_, facilities) = s.cb.published_schedules().await?;
    let base = format!("{}{MANIFEST}", s.fhir_base());
    let mut states: Vec<String> = facilities.iter().filter_map(|f| province(&s, f)).collect();
    states.sort();
    states.dedup();
    let mut outputs = vec![
        BulkOutput { resource_type: "Location", url: format!("{base}/{LOCATIONS}"), states: states.clone() },
        BulkOutput { resource_type: "Schedule", url: format!("{base}/{SCHEDULES}"), states },
    ];
    outputs.extend(facilities.iter().map(|f| BulkOutput {
        resource_type: "Slot",
        url: format!("{base}/{}", slot_file(f.id)),
        states: province(&s, f).into_iter().collect(),
    }));
    let body = bulk_manifest(at, &base, &outputs);
    let content_type = (header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Ok((StatusCode::OK, [content_type, cache_control()], body).into_response())
}

fn ndjson(body: Body) -> Response {
    let content_type = (header::CONTENT_TYPE, HeaderValue::from_static(FHIR_NDJSON_CONTENT_TYPE));
    (StatusCode::OK, [content_type, cache_control()], body).into_response()
}

fn lines(documents: impl IntoIterator<Item = String>) -> String {
    let mut out = String::new();
    for d in documents {
        out.push_str(&d);
        out.push('\n');
    }
    out
}

fn no_such_file(file: &str) -> FhirProblem {
    FhirProblem::new(
        StatusCode::NOT_FOUND,
        carebridge_interop::fhir::IssueType::NotFound,
        format!("`{file}` is not a file of this publication; read the manifest at {MANIFEST}"),
    )
}

/// `GET /fhir/$bulk-publish/{file}`: one NDJSON file of the manifest.
pub async fn file(State(s): State<AppState>, Path(file): Path<String>) -> Result<Response, FhirProblem> {
    match file.as_str() {
        LOCATIONS => {
            let (_, facilities) = s.cb.published_schedules().await?;
            Ok(ndjson(Body::from(lines(facilities.iter().map(|f| location(f, &s.cb.regions))))))
        }
        SCHEDULES => {
            let (schedules, _) = s.cb.published_schedules().await?;
            Ok(ndjson(Body::from(lines(schedules.iter().map(super::schedule::document)))))
        }
        _ => {
            let id = file.strip_prefix("Slot-").and_then(|r| r.strip_suffix(".ndjson"));
            let facility: FacilityId = id.and_then(|id| id.parse().ok()).ok_or_else(|| no_such_file(&file))?;
            let (_, facilities) = s.cb.published_schedules().await?;
            if !facilities.iter().any(|f| f.id == facility) {
                return Err(no_such_file(&file));
            }
            Ok(ndjson(slot_stream(s, facility)))
        }
    }
}

/// A facility's open slots from now on, streamed a page of the slot search at a time.
fn slot_stream(s: AppState, facility: FacilityId) -> Body {
    let now = s.cb.now();
    let filter = SlotFilter {
        facility: Some(facility),
        from: Some(now),
        until: Some(carebridge_domain::clock::Timestamp::from_millis(now.millis() + SLOT_FILE_DAYS * DAY_MS)),
        state: Some(SlotState::Open),
        ..SlotFilter::default()
    };
    // (state, the next page's token; `None` once the last page was sent)
    let start: Option<Option<String>> = Some(None);
    let pages = futures::stream::unfold((s, filter, start), move |(s, filter, token)| async move {
        let token = token?;
        let slots = Slots { cb: &s.cb, public_url: &s.public_url, filter: filter.clone() };
        match slots.page(token.as_deref(), MAX_PAGE_SIZE).await {
            Ok(page) => {
                let chunk = lines(page.items.iter().map(|r| slots.render(r)));
                let next = page.next_cursor.map(Some);
                Some((Ok::<_, std::io::Error>(bytes::Bytes::from(chunk)), (s, filter, next)))
            }
            Err(e) => {
                tracing::error!(error = %e.diagnostics, %facility, "a Slot file stopped part way");
                Some((Err(std::io::Error::other("the slot file could not be read to its end")), (s, filter, None)))
            }
        }
    });
    Body::from_stream(pages.boxed())
}
