//! `Schedule`: a published schedule, one service (and optionally one clinician or room) of one
//! facility over the days it runs. Public, as the slot search is. The id is the schedule id.
//!
//! Search: `actor` (`Location/{id}` or a bare facility id), `service-type`, `active`
//! (`true`/`false`) and `date` (the days it runs meet the date or range); in id order, paged
//! by `_count` and `_page_token`.

use super::response::{Fhir, FhirProblem, FhirResult};
use super::search::{self, ServiceMatch};
use super::searchset::{FhirRequest, Source};
use crate::state::AppState;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use carebridge_domain::ids::{FacilityId, ScheduleId};
use carebridge_domain::page::Page;
use carebridge_interop::fhir::{schedule, ScheduleFacts};
use carebridge_service::fhir_scheduling::ScheduleRecord;
use carebridge_service::Carebridge;
use carebridge_store::booking::ScheduleQuery;

const TYPE: &str = "Schedule";

/// The Schedule of a stored schedule.
pub fn document(r: &ScheduleRecord) -> String {
    let s = &r.schedule;
    schedule(&ScheduleFacts {
        id: s.id,
        facility: s.facility_id,
        facility_name: &r.facility_name,
        service: s.service,
        clinician: s.clinician.as_deref(),
        valid_from: s.valid_from,
        valid_until: s.valid_until,
        active: s.active,
    })
}

/// `GET /fhir/Schedule/{id}`.
pub async fn read(
    State(s): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    req: FhirRequest,
) -> FhirResult {
    req.read(&[])?;
    let Ok(Path(id)) = path else { return Err(FhirProblem::not_found(TYPE, "?")) };
    let schedule: ScheduleId = id.parse().map_err(|_| FhirProblem::not_found(TYPE, &id))?;
    let r = s.cb.fhir_schedule(schedule).await.map_err(|e| FhirProblem::of_read(e, TYPE, &id))?;
    Ok(Fhir(document(&r)))
}

struct Schedules<'a> {
    cb: &'a Carebridge,
    query: ScheduleQuery,
}

impl Source for Schedules<'_> {
    type Item = ScheduleRecord;

    async fn page(&self, token: Option<&str>, limit: u32) -> Result<Page<ScheduleRecord>, FhirProblem> {
        Ok(self.cb.fhir_schedules(&self.query, token, Some(limit)).await?)
    }

    fn render(&self, r: &ScheduleRecord) -> String {
        document(r)
    }
}

/// `GET /fhir/Schedule?…`: a searchset, paged by `_count` and `_page_token`.
pub async fn search(State(s): State<AppState>, req: FhirRequest) -> FhirResult {
    let search = req.search(TYPE)?;
    let params = search.params();
    let actor = params.get("actor").map(|v| search::reference::<FacilityId>("actor", v, "Location")).transpose()?;
    let service = search::service_type(params.single("service-type")?)?;
    let active = match params.single("active")? {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(other) => return Err(FhirProblem::bad_value("active", format!("`{other}` is not `true` or `false`"))),
    };
    let range = search::date_range(params, "date")?;
    let service = match service {
        ServiceMatch::Nothing => return search.nothing(),
        ServiceMatch::Any => None,
        ServiceMatch::Kind(k) => Some(k),
    };
    if actor == Some(None) || range.is_empty() {
        return search.nothing();
    }
    let (from, until) = range.days();
    let query = ScheduleQuery { facility: actor.flatten(), service, active, from, until, after: None, limit: 0 };
    search.run(&Schedules { cb: &s.cb, query }).await
}
