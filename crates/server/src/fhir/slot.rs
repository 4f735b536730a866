//! `Slot`: one bookable time of a schedule, `free` while a place is left, `busy` when full,
//! `busy-unavailable` once cancelled; free slots carry the SMART Scheduling Links booking deep
//! link, the facility's phone and, for sessions, the places left. Public, as `GET
//! /api/v1/slots` is. The id is the slot id.
//!
//! Search: `schedule` (`Schedule/{id}` or a bare id), `service-type`, `start` (a date or
//! range, `ge`/`gt`/`le`/`lt`) and `status`; in start order, past slots included unless
//! `start` excludes them, paged by `_count` and `_page_token`.

use super::response::{Fhir, FhirProblem, FhirResult};
use super::search::{self, ServiceMatch};
use super::searchset::{FhirRequest, Source};
use crate::state::AppState;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use carebridge_domain::ids::{ScheduleId, SlotId};
use carebridge_domain::page::Page;
use carebridge_interop::fhir::slot;
use carebridge_service::fhir_scheduling::{SlotFilter, SlotRecord};
use carebridge_service::Carebridge;
use carebridge_store::booking::SlotState;

const TYPE: &str = "Slot";

/// The system of the `status` codes, which a token search may name.
const SLOT_STATUS_SYSTEM: &str = "http://hl7.org/fhir/slotstatus";

/// Where a slot finder sends a patient to book `slot`: the patient booking page.
pub fn deep_link(public_url: &str, slot: SlotId) -> String {
    format!("{public_url}/book?slot={slot}")
}

/// The Slot of a slot, with its deep link under `public_url`.
pub fn document(public_url: &str, r: &SlotRecord) -> String {
    slot(&r.slot, &deep_link(public_url, r.slot.id), &r.phone)
}

/// `GET /fhir/Slot/{id}`.
pub async fn read(
    State(s): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    req: FhirRequest,
) -> FhirResult {
    req.read(&[])?;
    let Ok(Path(id)) = path else { return Err(FhirProblem::not_found(TYPE, "?")) };
    let slot: SlotId = id.parse().map_err(|_| FhirProblem::not_found(TYPE, &id))?;
    let r = s.cb.fhir_slot(slot).await.map_err(|e| FhirProblem::of_read(e, TYPE, &id))?;
    Ok(Fhir(document(&s.public_url, &r)))
}

/// The slot states a `status` value asks for; `None` inside: a code no slot has.
fn state(value: Option<&str>) -> Result<Option<Option<SlotState>>, FhirProblem> {
    let Some(value) = value else { return Ok(None) };
    let codes = search::codes("status", value, SLOT_STATUS_SYSTEM)?;
    match codes.as_slice() {
        ["free"] => Ok(Some(Some(SlotState::Free))),
        ["busy"] => Ok(Some(Some(SlotState::Full))),
        ["busy-unavailable"] => Ok(Some(Some(SlotState::Cancelled))),
        ["busy-tentative" | "entered-in-error"] => Ok(Some(None)),
        [other] => Err(FhirProblem::bad_value(
            "status",
            format!("`{other}` is not a slotstatus code (free, busy, busy-unavailable, …)"),
        )),
        _ => Ok(None),
    }
}

/// The slots a filter finds; shared with the bulk publication's Slot files.
pub struct Slots<'a> {
    pub cb: &'a Carebridge,
    pub public_url: &'a str,
    pub filter: SlotFilter,
}

impl Source for Slots<'_> {
    type Item = SlotRecord;

    async fn page(&self, token: Option<&str>, limit: u32) -> Result<Page<SlotRecord>, FhirProblem> {
        Ok(self.cb.fhir_slots(&self.filter, token, Some(limit)).await?)
    }

    fn render(&self, r: &SlotRecord) -> String {
        document(self.public_url, r)
    }
}

/// `GET /fhir/Slot?…`: a searchset, paged by `_count` and `_page_token`.
pub async fn search(State(s): State<AppState>, req: FhirRequest) -> FhirResult {
    let search = req.search(TYPE)?;
    let params = search.params();
    let schedule =
        params.get("schedule").map(|v| search::reference::<ScheduleId>("schedule", v, "Schedule")).transpose()?;
    let service = search::service_type(params.single("service-type")?)?;
    let range = search::date_range(params, "start")?;
    let state = state(params.single("status")?)?;
    let service = match service {
        ServiceMatch::Nothing => return search.nothing(),
        ServiceMatch::Any => None,
        ServiceMatch::Kind(k) => Some(k),
    };
    if schedule == Some(None) || state == Some(None) || range.is_empty() {
        return search.nothing();
    }
    let filter = SlotFilter {
        schedule: schedule.flatten(),
        facility: None,
        service,
        from: range.from,
        until: range.until,
        state: state.flatten(),
    };
    search.run(&Slots { cb: &s.cb, public_url: &s.public_url, filter }).await
}
