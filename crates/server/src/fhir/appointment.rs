//! `Appointment`: a booking, a pseudonymous patient holding a place in a slot. The id is the
//! booking id; the patient is a contained Patient carrying only the pseudonym they booked under.
//!
//! Not public: a bearer token is required (401 without), and the booking read rules of the
//! JSON API apply unchanged: a patient reads their own bookings, a facility desk its
//! facility's, a coordinator those of the regions they govern. A booking outside the caller's
//! scope does not exist for them (404 on read, no entry in a search); roles that read no
//! bookings get 403.
//!
//! Search: `date` (its start on the date or in the range), `status` (appointmentstatus codes,
//! any of), `location` (`Location/{id}` or a bare facility id), `service-type`, and `patient`
//! (`Patient/{account id}`: a patient finds only their own; another's id finds nothing); in
//! start order, paged by `_count` and `_page_token`.

use super::measure_report::FhirCaller;
use super::response::{Fhir, FhirProblem, FhirResult};
use super::search::{self, ServiceMatch};
use super::searchset::{FhirRequest, Source};
use crate::state::AppState;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use carebridge_domain::booking::BookingStatus;
use carebridge_domain::ids::{BookingId, FacilityId, UserId};
use carebridge_domain::page::Page;
use carebridge_domain::user::Principal;
use carebridge_interop::fhir::{appointment, booking_statuses_of};
use carebridge_service::fhir_scheduling::{AppointmentFilter, AppointmentRecord};
use carebridge_service::Carebridge;

const TYPE: &str = "Appointment";

/// The system of the `status` codes, which a token search may name.
const APPOINTMENT_STATUS_SYSTEM: &str = "http://hl7.org/fhir/appointmentstatus";

fn document(r: &AppointmentRecord) -> String {
    appointment(&r.booked.booking, r.booked.ends_at, Some(&r.facility_name))
}

/// `GET /fhir/Appointment/{id}`.
pub async fn read(
    State(s): State<AppState>,
    FhirCaller(principal): FhirCaller,
    path: Result<Path<String>, PathRejection>,
    req: FhirRequest,
) -> FhirResult {
    req.read(&[])?;
    let Ok(Path(id)) = path else { return Err(FhirProblem::not_found(TYPE, "?")) };
    let booking: BookingId = id.parse().map_err(|_| FhirProblem::not_found(TYPE, &id))?;
    let r = s.cb.fhir_appointment(&principal, booking).await.map_err(|e| FhirProblem::of_read(e, TYPE, &id))?;
    Ok(Fhir(document(&r)))
}

/// The booking statuses a `status` value asks for (the union of its codes); empty when no
/// booking can match.
fn statuses(value: &str) -> Result<Vec<BookingStatus>, FhirProblem> {
    let mut out: Vec<BookingStatus> = Vec::new();
    for code in search::codes("status", value, APPOINTMENT_STATUS_SYSTEM)? {
        let found = booking_statuses_of(code).ok_or_else(|| {
            FhirProblem::bad_value(
                "status",
                format!("`{code}` is not an appointmentstatus code (booked, cancelled, checked-in, noshow, …)"),
            )
        })?;
        out.extend(found.into_iter().filter(|s| !out.contains(s)).collect::<Vec<_>>());
    }
    Ok(out)
}

struct Appointments<'a> {
    cb: &'a Carebridge,
    principal: &'a Principal,
    filter: AppointmentFilter,
}

impl Source for Appointments<'_> {
    type Item = AppointmentRecord;

    async fn page(&self, token: Option<&str>, limit: u32) -> Result<Page<AppointmentRecord>, FhirProblem> {
        Ok(self.cb.fhir_appointments(self.principal, &self.filter, token, Some(limit)).await?)
    }

    fn render(&self, r: &AppointmentRecord) -> String {
        document(r)
    }
}

/// `GET /fhir/Appointment?…`: a searchset of the bookings the caller may read.
pub async fn search(State(s): State<AppState>, FhirCaller(principal): FhirCaller, req: FhirRequest) -> FhirResult {
    let search = req.search(TYPE)?;
    let params = search.params();
    let range = search::date_range(params, "date")?;
    let statuses = params.get("status").map(statuses).transpose()?;
    let location =
        params.get("location").map(|v| search::reference::<FacilityId>("location", v, "Location")).transpose()?;
    let service = search::service_type(params.single("service-type")?)?;
    let patient = params.get("patient").map(|v| search::reference::<UserId>("patient", v, "Patient")).transpose()?;
    let nothing = matches!(service, ServiceMatch::Nothing)
        || range.is_empty()
        || statuses.as_ref().is_some_and(Vec::is_empty)
        || location == Some(None)
        || patient == Some(None);
    if nothing {
        // Still refuse roles that read no bookings, as every other Appointment search does.
        s.cb.fhir_appointments(&principal, &AppointmentFilter::default(), None, Some(1)).await?;
        return search.nothing();
    }
    let filter = AppointmentFilter {
        facility: location.flatten(),
        service: match service {
            ServiceMatch::Kind(k) => Some(k),
            _ => None,
        },
        statuses: statuses.unwrap_or_default(),
        patient: patient.flatten(),
        from: range.from,
        until: range.until,
    };
    search.run(&Appointments { cb: &s.cb, principal: &principal, filter }).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_codes_union_and_unknown_ones_are_refused() {
        use BookingStatus::*;
        assert_eq!(statuses("booked").unwrap(), [Confirmed]);
        assert_eq!(statuses("http://hl7.org/fhir/appointmentstatus|noshow,cancelled").unwrap(), [NoShow, Cancelled]);
        assert_eq!(statuses("booked,booked").unwrap(), [Confirmed]);
        assert!(statuses("waitlist").unwrap().is_empty());
        assert!(statuses("confirmed").is_err());
        assert!(statuses("http://example.org|booked").is_err());
    }
}
