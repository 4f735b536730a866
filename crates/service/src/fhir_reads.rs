//! The reads behind the FHIR facade's ServiceRequest and Task: a referral with what its
//! mapping needs beyond [`ReferralDetail`](crate::referrals::ReferralDetail) (the referring
//! facility), the offers of a page of referrals, and an offer found by its own id.
//!
//! Authorisation is the referral reads' own: every function goes through
//! [`Carebridge::referral`] or [`Carebridge::referrals`], so an offer is readable exactly by
//! whoever may read its referral, and anything out of scope is `NotFound`.

use crate::context::Carebridge;
use crate::error::ServiceError;
use carebridge_domain::ids::{FacilityId, OfferId, ReferralId};
use carebridge_domain::page::Page;
use carebridge_domain::referral::{Offer, Referral, ReferralStatus};
use carebridge_domain::user::Principal;
use carebridge_store::referrals::{self as store, ReferralFilter, ReferralScope};
use carebridge_store::{StoreError, Visibility};

/// A referral as the ServiceRequest mapping reads it.
#[derive(Debug, Clone)]
pub struct ReferralRecord {
    pub referral: Referral,
    /// Its offers, oldest first. In a search, only for referrals that can hold a bed now
    /// (offered, escalated): the others have no performer to find among them.
    pub offers: Vec<Offer>,
    /// The facility of the clinician who filed it (none when a coordinator or the patient did).
    pub referring_facility: Option<FacilityId>,
}

impl Carebridge {
    async fn referring_facility(&self, id: ReferralId) -> Result<Option<FacilityId>, ServiceError> {
        Ok(store::get(&self.store, id, ReferralScope::Region(Visibility::All)).await?.referring_facility)
    }

    /// One referral, if `p` may read it.
    pub async fn fhir_referral(&self, p: &Principal, id: ReferralId) -> Result<ReferralRecord, ServiceError> {
        let detail = self.referral(p, id).await?;
        let referring_facility = self.referring_facility(id).await?;
        Ok(ReferralRecord { referral: detail.referral, offers: detail.offers, referring_facility })
    }

    /// A page of the referrals `p` may read, newest first (as [`Carebridge::referrals`]).
    pub async fn fhir_referrals(
        &self,
        p: &Principal,
        filter: &ReferralFilter,
        cursor: Option<&str>,
        limit: Option<u32>,
    ) -> Result<Page<ReferralRecord>, ServiceError> {
        let page = self.referrals(p, filter, cursor, limit).await?;
        let mut items = Vec::with_capacity(page.items.len());
        for referral in page.items {
            let offers = if matches!(referral.status, ReferralStatus::Offered | ReferralStatus::Escalated) {
                store::offers_of(&self.store, referral.id).await?
            } else {
                Vec::new()
            };
            let referring_facility = self.referring_facility(referral.id).await?;
            items.push(ReferralRecord { referral, offers, referring_facility });
        }
        Ok(Page { items, next_cursor: page.next_cursor })
    }

    /// A page of the referrals `p` may read, newest first (as [`Carebridge::referrals`]),
    /// each with all its offers, oldest first: the Task search over every referral in scope.
    pub async fn fhir_referral_offers(
        &self,
        p: &Principal,
        cursor: Option<&str>,
        limit: Option<u32>,
    ) -> Result<Page<(Referral, Vec<Offer>)>, ServiceError> {
        let page = self.referrals(p, &ReferralFilter::default(), cursor, limit).await?;
        let mut items = Vec::with_capacity(page.items.len());
        for referral in page.items {
            let offers = store::offers_of(&self.store, referral.id).await?;
            items.push((referral, offers));
        }
        Ok(Page { items, next_cursor: page.next_cursor })
    }

    /// One offer and its referral, if `p` may read the referral.
    pub async fn fhir_offer(&self, p: &Principal, id: OfferId) -> Result<(Offer, Referral), ServiceError> {
        let referral_id = match store::offer(&self.store, id).await {
            Ok(o) => o.referral_id,
            Err(StoreError::NotFound) => return Err(ServiceError::NotFound),
            Err(e) => return Err(e.into()),
        };
        let detail = self.referral(p, referral_id).await?;
        let offer = detail.offers.into_iter().find(|o| o.id == id).ok_or(ServiceError::NotFound)?;
        Ok((offer, detail.referral))
    }
}
