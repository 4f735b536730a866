//! `ServiceRequest`: a referral, the order to place a pseudonymous patient. The id is the
//! referral id.
//!
//! Not public: a bearer token is required (401 without), and the referral read rules of the
//! JSON API apply unchanged: the filer, clinicians of the referring facility, desks it was
//! offered to and coordinators over the patient's region; patients see only their own. A
//! referral outside the caller's scope does not exist for them (404 on read, no entry in a
//! search); roles that read no referrals at all get 403.
//!
//! Search: `status` (a FHIR `request-status` code, or a comma-separated list of them:
//! `active` is pending, offered, accepted or escalated, `completed` admitted, `revoked`
//! cancelled); without it, every referral in scope, newest first, paged by `_count` and
//! `_page_token`.

use super::measure_report::FhirCaller;
use super::response::{Fhir, FhirProblem, FhirResult};
use super::searchset::{FhirRequest, Source};
use crate::state::AppState;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use carebridge_domain::ids::ReferralId;
use carebridge_domain::page::Page;
use carebridge_domain::referral::ReferralStatus;
use carebridge_domain::user::Principal;
use carebridge_interop::fhir::{referral_statuses_of, service_request};
use carebridge_service::fhir_reads::ReferralRecord;
use carebridge_service::Carebridge;
use carebridge_store::referrals::ReferralFilter;

const TYPE: &str = "ServiceRequest";

/// The system of the `status` codes, which a token search may name.
const REQUEST_STATUS_SYSTEM: &str = "http://hl7.org/fhir/request-status";

fn document(r: &ReferralRecord) -> String {
    service_request(&r.referral, &r.offers, r.referring_facility)
}

/// `GET /fhir/ServiceRequest/{id}`.
pub async fn read(
    State(s): State<AppState>,
    FhirCaller(principal): FhirCaller,
    path: Result<Path<String>, PathRejection>,
    req: FhirRequest,
) -> FhirResult {
    req.read(&[])?;
    let Ok(Path(id)) = path else { return Err(FhirProblem::not_found(TYPE, "?")) };
    let referral: ReferralId = id.parse().map_err(|_| FhirProblem::not_found(TYPE, &id))?;
    let r = s.cb.fhir_referral(&principal, referral).await.map_err(|e| FhirProblem::of_read(e, TYPE, &id))?;
    Ok(Fhir(document(&r)))
}

/// The referral statuses a `status` value asks for: the union of its codes (`system|code`
/// with the request-status system, or a bare code). Empty when no referral can match.
fn statuses(value: &str) -> Result<Vec<ReferralStatus>, FhirProblem> {
    let mut out: Vec<ReferralStatus> = Vec::new();
    for token in value.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        let code = match token.split_once('|') {
            Some((system, code)) if system.is_empty() || system == REQUEST_STATUS_SYSTEM => code,
            Some((system, _)) => {
                return Err(FhirProblem::bad_value(
                    "status",
                    format!("codes are in {REQUEST_STATUS_SYSTEM}, not `{system}`"),
                ))
            }
            None => token,
        };
        let found = referral_statuses_of(code).ok_or_else(|| {
            FhirProblem::bad_value(
                "status",
                format!("`{code}` is not a request-status code (active, completed, revoked, …)"),
            )
        })?;
        for s in found {
            if !out.contains(&s) {
                out.push(s);
            }
        }
    }
    Ok(out)
}

/// The referrals a caller may read, filtered by status.
struct Referrals<'a> {
    cb: &'a Carebridge,
    principal: &'a Principal,
    filter: ReferralFilter,
}

impl Source for Referrals<'_> {
    type Item = ReferralRecord;

    async fn page(&self, token: Option<&str>, limit: u32) -> Result<Page<ReferralRecord>, FhirProblem> {
        Ok(self.cb.fhir_referrals(self.principal, &self.filter, token, Some(limit)).await?)
    }

    fn render(&self, r: &ReferralRecord) -> String {
        document(r)
    }
}

/// `GET /fhir/ServiceRequest?…`: a searchset of the referrals the caller may read.
pub async fn search(State(s): State<AppState>, FhirCaller(principal): FhirCaller, req: FhirRequest) -> FhirResult {
    let search = req.search(TYPE)?;
    let filter = match search.params().get("status") {
        None => ReferralFilter::default(),
        Some(v) => {
            let statuses = statuses(v)?;
            if statuses.is_empty() {
                // An empty filter would mean "any status"; these codes match nothing. Still
                // refuse roles that read no referrals, as the unfiltered search would.
                s.cb.fhir_referrals(&principal, &ReferralFilter::default(), None, Some(1)).await?;
                return search.nothing();
            }
            ReferralFilter { statuses, ..ReferralFilter::default() }
        }
    };
    search.run(&Referrals { cb: &s.cb, principal: &principal, filter }).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_codes_union_and_unknown_ones_are_refused() {
        use ReferralStatus::*;
        assert_eq!(statuses("completed").unwrap(), [Admitted]);
        assert_eq!(statuses("http://hl7.org/fhir/request-status|revoked,completed").unwrap(), [Cancelled, Admitted]);
        assert_eq!(statuses("active,active").unwrap().len(), 4);
        assert!(statuses("on-hold").unwrap().is_empty());
        assert!(statuses("pending").is_err());
        assert!(statuses("http://example.org|active").is_err());
    }
}
