//! Waitlists: a patient who found no slot queues for a service at a facility. When a place of
//! that service frees (a cancellation, a reschedule, an offer nobody claimed), it is offered to
//! the first in line in the same transaction that freed it and held for them for
//! [`CLAIM_MINUTES`] (never past the slot's start): the slot's `booked` counts the held place,
//! so nobody else can take it meanwhile. Claimed, it becomes their booking; unclaimed, the
//! entry lapses and the place passes to the next in line (the server's sweep does this), or
//! back to everyone when nobody waits. A place within [`MIN_LEAD_MINUTES`] of its start is not
//! offered: nobody could claim and travel in time.

use crate::context::{actor_of, Carebridge, RequestMeta};
use crate::error::ServiceError;
use carebridge_domain::audit::Actor;
use carebridge_domain::booking::{
    Booking, BookingNotice, BookingStatus, NoticeKind, SlotStatus, WaitlistEntry, WaitlistStatus,
};
use carebridge_domain::clock::Timestamp;
use carebridge_domain::designation::Designation;
use carebridge_domain::ids::{BookingId, FacilityId, NoticeId, SlotId, WaitlistId};
use carebridge_domain::page::page_size;
use carebridge_domain::service_kind::ServiceKind;
use carebridge_domain::user::{Principal, Role};
use carebridge_store::booking as bookings;
use carebridge_store::{waitlist as store, Tx, Visibility};
use serde::{Deserialize, Serialize};

/// How long a waitlist offer holds its place.
pub const CLAIM_MINUTES: i64 = 30;
/// A freed place this close to its start is not offered to the waitlist.
pub const MIN_LEAD_MINUTES: i64 = 60;

/// Joining a waitlist.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WaitlistDraft {
    pub facility_id: FacilityId,
    pub service: ServiceKind,
}

/// A waitlist place as its patient sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WaitlistView {
    #[serde(flatten)]
    pub entry: WaitlistEntry,
    /// Patients waiting ahead, while `waiting`.
    pub ahead: Option<i64>,
}

/// What the sweep did to waitlist offers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WaitlistSweep {
    /// Offers that ran out unclaimed.
    pub lapsed: u64,
    /// Of their places, those offered to the next in line.
    pub passed_on: u64,
}

impl Carebridge {
    /// Join the waitlist for a service at a facility (a patient, for themself).
    pub async fn join_waitlist(
        &self,
        p: &Principal,
        draft: WaitlistDraft,
        meta: &RequestMeta,
    ) -> Result<WaitlistView, ServiceError> {
        if p.role != Role::Patient {
            return Err(ServiceError::Forbidden("only a patient joins a waitlist, for themself".into()));
        }
        let facility = match self.visible_facility(Visibility::All, draft.facility_id).await {
            Err(ServiceError::NotFound) => return Err(ServiceError::invalid("/facility_id", "no such facility")),
            other => other?,
        };
        if !facility.draft.services.contains(&draft.service) {
            return Err(ServiceError::invalid(
                "/service",
                format!("{} does not offer {}", facility.draft.name_en, draft.service),
            ));
        }
        if !facility.draft.takes_new_patients
            || facility.designation == Designation::ClosedToNew
            || (facility.designation == Designation::VirusDesignated && !crate::booking::virus_service(draft.service))
        {
            return Err(ServiceError::Conflict(format!(
                "{} takes no new {} patients now",
                facility.draft.name_en, draft.service
            )));
        }
        let now = self.now();
        let entry = WaitlistEntry {
            id: WaitlistId::new_v7(),
            patient_id: p.user_id,
            patient_pseudonym: p.username.clone(),
            facility_id: draft.facility_id,
            service: draft.service,
            status: WaitlistStatus::Waiting,
            joined_at: now,
            offered_slot_id: None,
            offer_expires_at: None,
            booking_id: None,
            closed_at: None,
        };
        let mut tx = self.store.begin().await?;
        bookings::lock_patient(&mut tx, p.user_id).await?;
        if let Some(open) = store::open_entry(&mut tx, p.user_id, draft.facility_id, draft.service).await? {
            return Err(ServiceError::Conflict(format!(
                "you are on this waitlist already ({}, {})",
                open.id, open.status
            )));
        }
        store::insert(&mut tx, &entry).await?;
        let change = serde_json::json!({ "facility_id": entry.facility_id, "service": entry.service });
        self.audit(&mut tx, &actor_of(p), meta, "waitlist.join", "waitlist", &entry.id.to_string(), change).await?;
        tx.commit().await?;
        self.waitlist_entry(p, entry.id).await
    }

    /// One waitlist place: its patient's.
    pub async fn waitlist_entry(&self, p: &Principal, id: WaitlistId) -> Result<WaitlistView, ServiceError> {
        let entry = store::get(&self.store, id).await?;
        if p.role != Role::Patient || entry.patient_id != p.user_id {
            return Err(ServiceError::NotFound);
        }
        self.view(entry).await
    }

    async fn view(&self, entry: WaitlistEntry) -> Result<WaitlistView, ServiceError> {
        let ahead = match entry.status {
            WaitlistStatus::Waiting => Some(store::ahead_of(&self.store, &entry).await?),
            _ => None,
        };
        Ok(WaitlistView { entry, ahead })
    }

    /// A patient's waitlist places, newest first.
    pub async fn my_waitlist(&self, p: &Principal, limit: Option<u32>) -> Result<Vec<WaitlistView>, ServiceError> {
        if p.role != Role::Patient {
            return Err(ServiceError::Forbidden(format!("a {} has no waitlist places", p.role)));
        }
        let limit = page_size(limit).map_err(|e| ServiceError::invalid("/limit", e))?;
        let mut out = Vec::new();
        for e in store::entries_of(&self.store, p.user_id, limit).await? {
            out.push(self.view(e).await?);
        }
        Ok(out)
    }

    /// Claim the place a waitlist offer holds: it becomes the patient's booking.
    pub async fn claim_waitlist_offer(
        &self,
        p: &Principal,
        id: WaitlistId,
        meta: &RequestMeta,
    ) -> Result<Booking, ServiceError> {
        self.waitlist_entry(p, id).await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        bookings::lock_patient(&mut tx, p.user_id).await?;
        let entry = store::get_for_update(&mut tx, id).await?;
        let (Some(slot_id), Some(expires)) = (entry.offered_slot_id, entry.offer_expires_at) else {
            return Err(ServiceError::Conflict(format!("nothing is offered: the place is {}", entry.status)));
        };
        if entry.status != WaitlistStatus::Offered {
            return Err(ServiceError::Conflict(format!("nothing is offered: the place is {}", entry.status)));
        }
        if expires <= now {
            return Err(ServiceError::Conflict("the offer ran out: it passed to the next in line".into()));
        }
        let row = bookings::slot(&self.store, slot_id).await?;
        let (limit, _) = self.booking_limit_for(row.region_code, entry.service).await?;
        let held = bookings::future_bookings(&mut tx, p.user_id, entry.service, now).await?;
        if held >= limit {
            return Err(ServiceError::Conflict(format!(
                "you hold {held} future bookings of {} already, the most your region allows ({limit}): cancel one first",
                entry.service
            )));
        }
        let booking = Booking {
            id: BookingId::new_v7(),
            slot_id,
            facility_id: entry.facility_id,
            service: entry.service,
            starts_at: row.slot.starts_at,
            patient_id: Some(p.user_id),
            patient_pseudonym: entry.patient_pseudonym.clone(),
            booked_by: p.user_id,
            status: BookingStatus::Confirmed,
            created_at: now,
            cancelled_at: None,
            cancel_reason: None,
            rescheduled_from: None,
        };
        // The place is held for the offer already: the booking takes it over.
        bookings::insert_booking(&mut tx, &booking).await?;
        store::close(&mut tx, id, WaitlistStatus::Offered, WaitlistStatus::Booked, Some(booking.id), now).await?;
        let change = serde_json::json!({ "waitlist": id, "booking": booking });
        self.audit(&mut tx, &actor_of(p), meta, "booking.create", "booking", &booking.id.to_string(), change).await?;
        tx.commit().await?;
        Ok(booking)
    }

    /// Leave a waitlist; an offer held for the patient passes to the next in line.
    pub async fn leave_waitlist(
        &self,
        p: &Principal,
        id: WaitlistId,
        meta: &RequestMeta,
    ) -> Result<WaitlistView, ServiceError> {
        self.waitlist_entry(p, id).await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let entry = store::get_for_update(&mut tx, id).await?;
        if !matches!(entry.status, WaitlistStatus::Waiting | WaitlistStatus::Offered) {
            return Err(ServiceError::Conflict(format!("the place is {} already", entry.status)));
        }
        store::close(&mut tx, id, entry.status, WaitlistStatus::Left, None, now).await?;
        let mut offered = None;
        if let (WaitlistStatus::Offered, Some(slot)) = (entry.status, entry.offered_slot_id) {
            bookings::release_place(&mut tx, slot).await?;
            offered = self.offer_freed_place(&mut tx, slot, meta).await?;
        }
        let change = serde_json::json!({ "waitlist": id, "was": entry.status, "offered_to": offered });
        self.audit(&mut tx, &actor_of(p), meta, "waitlist.leave", "waitlist", &id.to_string(), change).await?;
        tx.commit().await?;
        self.waitlist_entry(p, id).await
    }

    /// Offer a place just freed on `slot` to the first in line for its service and facility,
    /// inside the transaction that freed it; answers the entry offered to, if any.
    pub(crate) async fn offer_freed_place(
        &self,
        tx: &mut Tx,
        slot: SlotId,
        meta: &RequestMeta,
    ) -> Result<Option<WaitlistId>, ServiceError> {
        let now = self.now();
        let row = bookings::slot_tx(tx, slot).await?;
        if row.slot.status != SlotStatus::Open
            || row.slot.starts_at.millis() <= now.millis() + MIN_LEAD_MINUTES * 60_000
            || row.slot.free() == 0
        {
            return Ok(None);
        }
        let Some(next) = store::next_waiting(tx, row.slot.facility_id, row.slot.service).await? else {
            return Ok(None);
        };
        bookings::take_place(tx, slot).await?;
        let expires = Timestamp::from_millis((now.millis() + CLAIM_MINUTES * 60_000).min(row.slot.starts_at.millis()));
        store::offer(tx, next.id, slot, expires).await?;
        let notice = BookingNotice {
            id: NoticeId::new_v7(),
            patient_id: Some(next.patient_id),
            patient_pseudonym: next.patient_pseudonym.clone(),
            facility_id: next.facility_id,
            booking_id: None,
            waitlist_id: Some(next.id),
            kind: NoticeKind::WaitlistOffer,
            cause: "slot_freed".into(),
            reason: format!(
                "a place at {} is held for you until {}",
                row.slot.starts_at.to_rfc3339(),
                expires.to_rfc3339()
            ),
            alternatives: Vec::new(),
            created_at: now,
        };
        bookings::insert_notice(tx, &notice).await?;
        let change = serde_json::json!({ "slot": slot, "starts_at": row.slot.starts_at, "expires_at": expires });
        self.audit(tx, &Actor::system("waitlist"), meta, "waitlist.offer", "waitlist", &next.id.to_string(), change)
            .await?;
        Ok(Some(next.id))
    }

    /// Lapse every offer whose claim time ran out and pass its place on (the server's sweep
    /// calls this every few seconds).
    pub async fn sweep_waitlist_offers(&self) -> Result<WaitlistSweep, ServiceError> {
        let now = self.now();
        let meta = RequestMeta { request_id: Some("waitlist-sweep".into()) };
        let mut done = WaitlistSweep::default();
        for e in store::expired_offers(&self.store, now, 500).await? {
            let mut tx = self.store.begin().await?;
            let current = store::get_for_update(&mut tx, e.id).await?;
            let (WaitlistStatus::Offered, Some(slot)) = (current.status, current.offered_slot_id) else {
                continue;
            };
            if current.offer_expires_at.is_none_or(|t| t > now) {
                continue;
            }
            store::close(&mut tx, e.id, WaitlistStatus::Offered, WaitlistStatus::Lapsed, None, now).await?;
            bookings::release_place(&mut tx, slot).await?;
            let next = self.offer_freed_place(&mut tx, slot, &meta).await?;
            let change = serde_json::json!({ "slot": slot, "passed_to": next });
            self.audit(
                &mut tx,
                &Actor::system("waitlist"),
                &meta,
                "waitlist.lapse",
                "waitlist",
                &e.id.to_string(),
                change,
            )
            .await?;
            tx.commit().await?;
            done.lapsed += 1;
            done.passed_on += u64::from(next.is_some());
        }
        Ok(done)
    }
}
