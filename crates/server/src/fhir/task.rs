//! `Task`: an offer, a bed held at one facility for one referral until the hold runs out. The
//! id is the offer id; `focus` is the referral's ServiceRequest.
//!
//! An offer is readable by whoever may read its referral (see `service_request`), with the
//! same answers: 401 without a token, 404 out of scope, 403 for roles that read no referrals.
//!
//! Search: `focus` (`ServiceRequest/{id}` or a bare referral id) gives the offers of that
//! referral, oldest first; a referral out of scope gives an empty searchset. Without it, the
//! offers of every referral the caller may read: referrals newest first, each one's offers
//! oldest first. `_count` counts offers, so one referral's offers may straddle two pages (the
//! token is a [`ChildToken`] over the referral cursor, as HealthcareService's is over
//! facilities).

use super::measure_report::FhirCaller;
use super::params::bad_page_token;
use super::response::{Fhir, FhirProblem, FhirResult};
use super::search;
use super::searchset::{ChildToken, FhirRequest, Flatten, Source};
use crate::state::AppState;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use carebridge_domain::ids::{OfferId, ReferralId};
use carebridge_domain::page::{encode_cursor, Page, MAX_PAGE_SIZE};
use carebridge_domain::referral::{Offer, Referral, Urgency};
use carebridge_domain::user::Principal;
use carebridge_interop::fhir::task;
use carebridge_service::{Carebridge, ServiceError};

const TYPE: &str = "Task";

/// The most offers one referral can have, bounding a token's skip. Far above what placement
/// makes (each offer goes to another facility), so no real token is refused.
const MAX_OFFERS_PER_REFERRAL: usize = 10_000;

/// Referrals fetched per page without `focus`: at least this many, since most referrals have
/// few offers (or none yet).
const MIN_REFERRALS_PER_FETCH: u32 = 50;

/// `GET /fhir/Task/{id}`.
pub async fn read(
    State(s): State<AppState>,
    FhirCaller(principal): FhirCaller,
    path: Result<Path<String>, PathRejection>,
    req: FhirRequest,
) -> FhirResult {
    req.read(&[])?;
    let Ok(Path(id)) = path else { return Err(FhirProblem::not_found(TYPE, "?")) };
    let offer: OfferId = id.parse().map_err(|_| FhirProblem::not_found(TYPE, &id))?;
    let (offer, referral) = s.cb.fhir_offer(&principal, offer).await.map_err(|e| FhirProblem::of_read(e, TYPE, &id))?;
    Ok(Fhir(task(&offer, Some(referral.draft.urgency))))
}

/// The offers of the referrals a caller may read.
struct Offers<'a> {
    cb: &'a Carebridge,
    principal: &'a Principal,
    /// `focus`: `None` for every referral, `Some(None)` for a reference that cannot match.
    focus: Option<Option<ReferralId>>,
}

fn offers_of((referral, offers): &(Referral, Vec<Offer>)) -> Vec<(Offer, Urgency)> {
    offers.iter().map(|o| (o.clone(), referral.draft.urgency)).collect()
}

fn key((referral, _): &(Referral, Vec<Offer>)) -> String {
    encode_cursor(&referral.id.to_string())
}

impl Source for Offers<'_> {
    type Item = (Offer, Urgency);

    async fn page(&self, token: Option<&str>, limit: u32) -> Result<Page<Self::Item>, FhirProblem> {
        let start = token.map(|t| ChildToken::parse(t, MAX_OFFERS_PER_REFERRAL)).transpose()?.unwrap_or_default();
        let mut flat = Flatten::new(start, limit);
        let fetch = limit.clamp(MIN_REFERRALS_PER_FETCH, MAX_PAGE_SIZE);
        while let Some(cursor) = flat.wants().map(|c| c.map(str::to_owned)) {
            let referrals = match self.focus {
                None => self.cb.fhir_referral_offers(self.principal, cursor.as_deref(), Some(fetch)).await?,
                // One referral: its page has no cursor, so a token naming one is not ours.
                Some(_) if cursor.is_some() => return Err(bad_page_token()),
                Some(None) => Page { items: Vec::new(), next_cursor: None },
                Some(Some(id)) => match self.cb.fhir_referral(self.principal, id).await {
                    Ok(r) => Page { items: vec![(r.referral, r.offers)], next_cursor: None },
                    Err(ServiceError::NotFound) => Page { items: Vec::new(), next_cursor: None },
                    Err(e) => return Err(e.into()),
                },
            };
            flat.feed(referrals, key, offers_of);
        }
        Ok(flat.finish())
    }

    fn render(&self, (offer, urgency): &Self::Item) -> String {
        task(offer, Some(*urgency))
    }
}

/// `GET /fhir/Task?…`: the offers of one referral (`focus`) or of every referral in scope.
pub async fn search(State(s): State<AppState>, FhirCaller(principal): FhirCaller, req: FhirRequest) -> FhirResult {
    let search = req.search(TYPE)?;
    let focus = search.params().get("focus");
    let focus = focus.map(|v| search::reference::<ReferralId>("focus", v, "ServiceRequest")).transpose()?;
    if focus == Some(None) {
        // A focus that names no referral matches nothing; still refuse roles that read no
        // referrals, as every other Task search does (reading one referral refuses them).
        s.cb.fhir_referral_offers(&principal, None, Some(1)).await?;
    }
    search.run(&Offers { cb: &s.cb, principal: &principal, focus }).await
}
