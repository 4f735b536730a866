//! Online consultations: a patient asks a facility that offers online care about a complaint;
//! a clinician of that facility takes the next request from its queue and answers in writing
//! (with suggested medicines: the seam for the supplies work's medicine finder is
//! [`SuggestedMedicine::item_code`]), or turns it, in one transaction, into a referral that
//! placement then places, or into a booking for the patient, carrying the complaint over.
//!
//! | action | who |
//! | --- | --- |
//! | list facilities offering online care | anyone |
//! | open or close a facility's online care | its desk, a coordinator over it |
//! | request, withdraw (while waiting), read own | the patient |
//! | read a facility's queue, take the next | the facility's clinicians (its desk reads) |
//! | answer, hand back, refer, book | the clinician who took it |
//! | read one | the patient, the facility's clinicians and desk, a coordinator over it |

use crate::context::{actor_of, Carebridge, RequestMeta};
use crate::error::ServiceError;
use crate::scope;
use carebridge_domain::booking::{Booking, BookingStatus, SlotStatus};
use carebridge_domain::clock::Timestamp;
use carebridge_domain::consultation::{
    Consultation, ConsultationAnswer, ConsultationDraft, ConsultationStatus, MAX_OPEN_PER_PATIENT,
};
use carebridge_domain::facility::GeoPoint;
use carebridge_domain::ids::{BookingId, ConsultationId, FacilityId, SlotId};
use carebridge_domain::page::page_size;
use carebridge_domain::referral::{InfectionStatus, PatientInfo, RecurringSchedule, ReferralDraft, Urgency};
use carebridge_domain::region::RegionCode;
use carebridge_domain::service_kind::ServiceKind;
use carebridge_domain::text::rules;
use carebridge_domain::user::{Principal, Role, Scope};
use carebridge_domain::ValidationErrors;
use carebridge_store::booking as booking_store;
use carebridge_store::consultations::{self as store, Transition};
use carebridge_store::{StoreError, Visibility};
use serde::{Deserialize, Serialize};

/// A consultation with what a reader needs beside it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ConsultationView {
    #[serde(flatten)]
    pub consultation: Consultation,
    pub facility_name_zh: String,
    pub facility_name_en: String,
    /// While waiting: 1 for the next to be taken.
    pub position: Option<i64>,
}

/// Open or close a facility's online care.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OnlineCareBody {
    pub open: bool,
}

/// A facility offering online care, with its queue now.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OnlineCare {
    pub facility_id: FacilityId,
    pub facility_name_zh: String,
    pub facility_name_en: String,
    #[schema(value_type = String)]
    pub region_code: RegionCode,
    pub location: GeoPoint,
    pub waiting: i64,
    pub with_clinician: i64,
    /// Consultations its clinicians closed in the last hour: how fast the queue moves.
    pub closed_last_hour: i64,
}

/// A clinician's judgement that a consultation needs a bed: the referral it becomes. The
/// patient's pseudonym, age band and region come from the consultation, and so does the
/// location unless given here.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsultationReferral {
    pub need: ServiceKind,
    pub urgency: Urgency,
    pub infection: InfectionStatus,
    #[serde(default)]
    pub needs_ambulance: bool,
    #[serde(default)]
    pub schedule: Option<RecurringSchedule>,
    /// Where the patient is, when the consultation has no location.
    #[serde(default)]
    pub location: Option<GeoPoint>,
    /// The clinician's note for the receiving desk; the complaint is added after it.
    #[serde(default)]
    #[schema(schema_with = carebridge_domain::text::schemas::note)]
    pub note: String,
}

/// A clinician's judgement that a consultation needs a visit: the slot booked for the patient.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsultationBooking {
    pub slot_id: SlotId,
}

/// A consultation that became a referral or a booking, and what it became.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ConsultationOutcome {
    pub consultation: ConsultationView,
    /// The referral filed (its offers follow from placement).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub referral: Option<crate::referrals::ReferralDetail>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub booking: Option<Booking>,
}

/// Why a role other than a clinician may not work a queue.
const WORKS_QUEUE: &str = "does not work the online-consultation queue: clinicians only";

impl Carebridge {
    /// Facilities with online care open (public: a patient picks one before asking), in a
    /// region subtree if given.
    pub async fn online_care(&self, region: Option<RegionCode>) -> Result<Vec<OnlineCare>, ServiceError> {
        if let Some(r) = region {
            if self.regions.get(r).is_none() {
                return Err(ServiceError::invalid("/region", "no such region"));
            }
        }
        let vis = scope::region_visibility(&self.regions, region);
        let since = Timestamp::from_millis(self.now().millis() - 3_600_000);
        let mut out = Vec::new();
        for row in store::online_care(&self.store, vis, since).await? {
            let f = self.visible_facility(Visibility::All, row.facility_id).await?;
            out.push(OnlineCare {
                facility_id: f.id,
                facility_name_zh: f.draft.name_zh,
                facility_name_en: f.draft.name_en,
                region_code: f.draft.region_code,
                location: f.draft.location,
                waiting: row.waiting,
                with_clinician: row.taken,
                closed_last_hour: row.closed_recently,
            });
        }
        Ok(out)
    }

    /// Open or close a facility's online care (its desk, or a coordinator over it). Closing
    /// leaves the queue as it is: its clinicians still answer who already asked.
    pub async fn set_online_care(
        &self,
        p: &Principal,
        facility_id: FacilityId,
        body: OnlineCareBody,
        meta: &RequestMeta,
    ) -> Result<OnlineCareBody, ServiceError> {
        let vis = scope::desk_or_coordinator(&self.regions, p, "does not open online care")?;
        self.visible_facility(vis, facility_id).await?;
        let mut tx = self.store.begin().await?;
        store::set_online_care(&mut tx, facility_id, body.open, p.user_id, self.now()).await?;
        let change = serde_json::json!({ "open": body.open });
        self.audit(&mut tx, &actor_of(p), meta, "online_care.set", "facility", &facility_id.to_string(), change)
            .await?;
        tx.commit().await?;
        Ok(body)
    }

    /// A patient asks a facility offering online care about a complaint.
    pub async fn request_consultation(
        &self,
        p: &Principal,
        draft: ConsultationDraft,
        meta: &RequestMeta,
    ) -> Result<ConsultationView, ServiceError> {
        if p.role != Role::Patient {
            return Err(ServiceError::Forbidden(format!("a {} does not request consultations: patients do", p.role)));
        }
        let region = draft.region_code;
        let (mut errors, draft) = match draft.clone().validate() {
            Ok(d) => (ValidationErrors::default(), d),
            Err(e) => (e, draft),
        };
        if self.regions.get(region).is_none() {
            errors.push("/region_code", "no such region");
        }
        let draft = errors.finish(draft)?;
        let facility = match self.visible_facility(Visibility::All, draft.facility_id).await {
            Err(ServiceError::NotFound) => return Err(ServiceError::invalid("/facility_id", "no such facility")),
            other => other?,
        };
        let consultation = Consultation {
            id: ConsultationId::new_v7(),
            facility_id: facility.id,
            patient_id: p.user_id,
            patient_pseudonym: p.username.clone(),
            complaint: draft.complaint,
            age_band: draft.age_band,
            region_code: region,
            location: draft.location,
            status: ConsultationStatus::Waiting,
            requested_at: self.now(),
            taken_by: None,
            taken_at: None,
            answer: None,
            medicines: Vec::new(),
            closed_at: None,
            referral_id: None,
            booking_id: None,
        };
        let mut tx = self.store.begin().await?;
        if !store::offers_online_care(&mut tx, facility.id).await? {
            return Err(ServiceError::Conflict(format!("{} offers no online care now", facility.draft.name_en)));
        }
        booking_store::lock_patient(&mut tx, p.user_id).await?;
        let open = store::open_of_patient(&mut tx, p.user_id).await?;
        if open >= MAX_OPEN_PER_PATIENT {
            return Err(ServiceError::Conflict(format!(
                "you have {open} consultations waiting or with a clinician already, the most at once"
            )));
        }
        store::insert(&mut tx, &consultation).await?;
        let change = serde_json::json!({ "consultation": consultation });
        let id = consultation.id.to_string();
        self.audit(&mut tx, &actor_of(p), meta, "consultation.request", "consultation", &id, change).await?;
        tx.commit().await?;
        self.consultation_view(consultation).await
    }

    /// One consultation, if `p` may see it.
    pub async fn consultation(&self, p: &Principal, id: ConsultationId) -> Result<ConsultationView, ServiceError> {
        let c = store::get(&self.store, id).await?;
        self.may_read_consultation(p, &c).await?;
        self.consultation_view(c).await
    }

    /// The patient's own consultations, newest first.
    pub async fn my_consultations(
        &self,
        p: &Principal,
        limit: Option<u32>,
    ) -> Result<Vec<ConsultationView>, ServiceError> {
        if p.role != Role::Patient {
            return Err(ServiceError::Forbidden(format!("a {} has no consultations of its own", p.role)));
        }
        let limit = page_size(limit).map_err(|e| ServiceError::invalid("/limit", e))?;
        let mut out = Vec::new();
        for c in store::of_patient(&self.store, p.user_id, limit).await? {
            out.push(self.consultation_view(c).await?);
        }
        Ok(out)
    }

    /// A facility's consultations in one state (default: its waiting queue, oldest first): its
    /// clinicians and its desk.
    pub async fn consultation_queue(
        &self,
        p: &Principal,
        facility_id: FacilityId,
        status: Option<ConsultationStatus>,
        limit: Option<u32>,
    ) -> Result<Vec<ConsultationView>, ServiceError> {
        match (p.role, p.scope) {
            (Role::Clinician | Role::FacilityDesk, Scope::Facility(f)) if f == facility_id => {}
            (Role::Clinician | Role::FacilityDesk, _) => return Err(ServiceError::NotFound),
            (r, _) => return Err(ServiceError::Forbidden(format!("a {r} {WORKS_QUEUE}"))),
        }
        let limit = page_size(limit).map_err(|e| ServiceError::invalid("/limit", e))?;
        let status = status.unwrap_or(ConsultationStatus::Waiting);
        let rows = store::of_facility(&self.store, facility_id, status, limit).await?;
        let mut out = Vec::with_capacity(rows.len());
        for c in rows {
            out.push(self.consultation_view(c).await?);
        }
        Ok(out)
    }

    /// A clinician of the facility takes the oldest waiting consultation; `None` when the
    /// queue is empty. Two clinicians taking at once never get the same one.
    pub async fn take_next_consultation(
        &self,
        p: &Principal,
        facility_id: FacilityId,
        meta: &RequestMeta,
    ) -> Result<Option<ConsultationView>, ServiceError> {
        match (p.role, p.scope) {
            (Role::Clinician, Scope::Facility(f)) if f == facility_id => {}
            (Role::Clinician, _) => return Err(ServiceError::NotFound),
            (r, _) => return Err(ServiceError::Forbidden(format!("a {r} {WORKS_QUEUE}"))),
        }
        let mut tx = self.store.begin().await?;
        let Some(id) = store::take_next(&mut tx, facility_id, p.user_id, self.now()).await? else {
            return Ok(None);
        };
        let change = serde_json::json!({ "from": ConsultationStatus::Waiting, "to": ConsultationStatus::Taken });
        self.audit(&mut tx, &actor_of(p), meta, "consultation.take", "consultation", &id.to_string(), change).await?;
        tx.commit().await?;
        let c = store::get(&self.store, id).await?;
        self.consultation_view(c).await.map(Some)
    }

    /// The clinician who took it answers in writing, with any suggested medicines.
    pub async fn answer_consultation(
        &self,
        p: &Principal,
        id: ConsultationId,
        answer: ConsultationAnswer,
        meta: &RequestMeta,
    ) -> Result<ConsultationView, ServiceError> {
        let answer = answer.validate()?;
        let t = Transition { answer: Some(answer.answer), medicines: answer.medicines, ..Transition::default() };
        let mut tx = self.store.begin().await?;
        let c = self.taken_by_caller(&mut tx, p, id, ConsultationStatus::Answered).await?;
        let change = serde_json::json!({ "answer": t.answer, "medicines": t.medicines });
        store::transition(&mut tx, id, c.status, ConsultationStatus::Answered, self.now(), &t).await?;
        self.audit(&mut tx, &actor_of(p), meta, "consultation.answer", "consultation", &id.to_string(), change).await?;
        tx.commit().await?;
        self.consultation(p, id).await
    }

    /// The clinician who took it hands it back to the front of the queue (its place is its
    /// request time, so it is next again).
    pub async fn release_consultation(
        &self,
        p: &Principal,
        id: ConsultationId,
        meta: &RequestMeta,
    ) -> Result<ConsultationView, ServiceError> {
        let mut tx = self.store.begin().await?;
        let c = self.taken_by_caller(&mut tx, p, id, ConsultationStatus::Waiting).await?;
        store::transition(&mut tx, id, c.status, ConsultationStatus::Waiting, self.now(), &Transition::default())
            .await?;
        let change = serde_json::json!({ "from": c.status, "to": ConsultationStatus::Waiting });
        self.audit(&mut tx, &actor_of(p), meta, "consultation.release", "consultation", &id.to_string(), change)
            .await?;
        tx.commit().await?;
        self.consultation(p, id).await
    }

    /// The patient withdraws a consultation nobody has taken yet.
    pub async fn withdraw_consultation(
        &self,
        p: &Principal,
        id: ConsultationId,
        meta: &RequestMeta,
    ) -> Result<ConsultationView, ServiceError> {
        if p.role != Role::Patient {
            return Err(ServiceError::Forbidden(format!("a {} does not withdraw consultations", p.role)));
        }
        let mut tx = self.store.begin().await?;
        let c = store::for_update(&mut tx, id).await?;
        if c.patient_id != p.user_id {
            return Err(ServiceError::NotFound);
        }
        let to = ConsultationStatus::Withdrawn;
        if !c.status.may_become(to) {
            return Err(ServiceError::Conflict(format!("a consultation that is {} cannot be withdrawn", c.status)));
        }
        store::transition(&mut tx, id, c.status, to, self.now(), &Transition::default()).await?;
        let change = serde_json::json!({ "from": c.status, "to": to });
        self.audit(&mut tx, &actor_of(p), meta, "consultation.withdraw", "consultation", &id.to_string(), change)
            .await?;
        tx.commit().await?;
        self.consultation(p, id).await
    }

    /// The clinician who took it files a referral for the patient, in the same transaction as
    /// the consultation closes; placement then offers a bed as for any referral.
    pub async fn refer_consultation(
        &self,
        p: &Principal,
        id: ConsultationId,
        body: ConsultationReferral,
        meta: &RequestMeta,
    ) -> Result<ConsultationOutcome, ServiceError> {
        if p.role != Role::Clinician {
            return Err(ServiceError::Forbidden(format!("a {} {WORKS_QUEUE}", p.role)));
        }
        let c = store::get(&self.store, id).await?;
        self.may_read_consultation(p, &c).await?;
        let Some(location) = body.location.or(c.location) else {
            return Err(ServiceError::invalid("/location", "the patient shared no location: ask them where they are"));
        };
        let mut errors = ValidationErrors::default();
        rules::NOTE.check(&mut errors, "/note", &body.note);
        errors.finish(())?;
        let draft = ReferralDraft {
            patient: PatientInfo {
                pseudonym: c.patient_pseudonym.clone(),
                age_band: c.age_band,
                location,
                region_code: c.region_code,
                infection: body.infection,
            },
            need: body.need,
            urgency: body.urgency,
            needs_ambulance: body.needs_ambulance,
            schedule: body.schedule,
            note: carried_note(&body.note, &c.complaint),
        };
        let prepared = self.prepare_referral(p, draft).await?;
        let mut tx = self.store.begin().await?;
        let c = self.taken_by_caller(&mut tx, p, id, ConsultationStatus::Referred).await?;
        let referral_id = prepared.referral.id;
        self.record_referral(&mut tx, p, &prepared, meta).await?;
        let t = Transition { referral_id: Some(referral_id), ..Transition::default() };
        store::transition(&mut tx, id, c.status, ConsultationStatus::Referred, self.now(), &t).await?;
        let change = serde_json::json!({ "referral": referral_id });
        self.audit(&mut tx, &actor_of(p), meta, "consultation.refer", "consultation", &id.to_string(), change).await?;
        tx.commit().await?;
        self.place_best_effort(referral_id, meta).await;
        Ok(ConsultationOutcome {
            consultation: self.consultation(p, id).await?,
            referral: Some(self.referral_detail(referral_id).await?),
            booking: None,
        })
    }

    /// The clinician who took it books a slot for the patient, in the same transaction as the
    /// consultation closes; every rule of a patient's own booking applies (the slot is open,
    /// not begun, the facility takes the service, the patient's limit).
    pub async fn book_consultation(
        &self,
        p: &Principal,
        id: ConsultationId,
        body: ConsultationBooking,
        meta: &RequestMeta,
    ) -> Result<ConsultationOutcome, ServiceError> {
        if p.role != Role::Clinician {
            return Err(ServiceError::Forbidden(format!("a {} {WORKS_QUEUE}", p.role)));
        }
        let c = store::get(&self.store, id).await?;
        self.may_read_consultation(p, &c).await?;
        let row = match booking_store::slot(&self.store, body.slot_id).await {
            Err(StoreError::NotFound) => return Err(ServiceError::invalid("/slot_id", "no such slot")),
            other => other?,
        };
        let now = self.now();
        self.bookable(&row.slot, now).await?;
        let (limit, _) = self.booking_limit_for(row.region_code, row.slot.service).await?;
        let mut tx = self.store.begin().await?;
        let c = self.taken_by_caller(&mut tx, p, id, ConsultationStatus::Booked).await?;
        booking_store::lock_patient(&mut tx, c.patient_id).await?;
        let held = booking_store::future_bookings(&mut tx, c.patient_id, row.slot.service, now).await?;
        if held >= limit {
            return Err(ServiceError::Conflict(format!(
                "the patient holds {held} future {} bookings already, the most the region allows",
                row.slot.service
            )));
        }
        booking_store::take_place(&mut tx, row.slot.id).await.map_err(|e| match e {
            StoreError::Conflict(_) => ServiceError::Conflict("the slot is full".into()),
            e => e.into(),
        })?;
        let booking = Booking {
            id: BookingId::new_v7(),
            slot_id: row.slot.id,
            facility_id: row.slot.facility_id,
            service: row.slot.service,
            starts_at: row.slot.starts_at,
            patient_id: Some(c.patient_id),
            patient_pseudonym: c.patient_pseudonym.clone(),
            booked_by: p.user_id,
            status: BookingStatus::Confirmed,
            created_at: now,
            cancelled_at: None,
            cancel_reason: None,
            rescheduled_from: None,
        };
        debug_assert_ne!(row.slot.status, SlotStatus::Cancelled, "bookable() refused it");
        booking_store::insert_booking(&mut tx, &booking).await?;
        let booking_change = serde_json::json!({ "booking": booking, "consultation": id });
        let bid = booking.id.to_string();
        self.audit(&mut tx, &actor_of(p), meta, "booking.create", "booking", &bid, booking_change).await?;
        let t = Transition { booking_id: Some(booking.id), ..Transition::default() };
        store::transition(&mut tx, id, c.status, ConsultationStatus::Booked, now, &t).await?;
        let change = serde_json::json!({ "booking": booking.id });
        self.audit(&mut tx, &actor_of(p), meta, "consultation.book", "consultation", &id.to_string(), change).await?;
        tx.commit().await?;
        Ok(ConsultationOutcome {
            consultation: self.consultation(p, id).await?,
            referral: None,
            booking: Some(booking),
        })
    }

    /// The consultation, locked, if `p` is the clinician who took it and it may move to `to`.
    async fn taken_by_caller(
        &self,
        tx: &mut carebridge_store::Tx,
        p: &Principal,
        id: ConsultationId,
        to: ConsultationStatus,
    ) -> Result<Consultation, ServiceError> {
        let c = store::for_update(tx, id).await?;
        match (p.role, p.scope) {
            (Role::Clinician, Scope::Facility(f)) if f == c.facility_id => {}
            (Role::Clinician, _) => return Err(ServiceError::NotFound),
            (r, _) => return Err(ServiceError::Forbidden(format!("a {r} {WORKS_QUEUE}"))),
        }
        if !c.status.may_become(to) {
            return Err(ServiceError::Conflict(format!("a consultation that is {} cannot become {to}", c.status)));
        }
        if c.taken_by != Some(p.user_id) {
            return Err(ServiceError::Conflict("another clinician took this consultation".into()));
        }
        Ok(c)
    }

    async fn may_read_consultation(&self, p: &Principal, c: &Consultation) -> Result<(), ServiceError> {
        let ok = match (p.role, p.scope) {
            (Role::Patient, _) => c.patient_id == p.user_id,
            (Role::Clinician | Role::FacilityDesk, Scope::Facility(f)) => f == c.facility_id,
            (r, _) if r.is_coordinator() => {
                let vis = scope::coordinator(p)?.visibility(&self.regions);
                self.visible_facility(vis, c.facility_id).await.is_ok()
            }
            (r, _) => return Err(ServiceError::Forbidden(format!("a {r} does not read consultations"))),
        };
        if ok {
            Ok(())
        } else {
            Err(ServiceError::NotFound)
        }
    }

    async fn consultation_view(&self, c: Consultation) -> Result<ConsultationView, ServiceError> {
        let f = self.visible_facility(Visibility::All, c.facility_id).await?;
        let position =
            if c.status == ConsultationStatus::Waiting { Some(store::position(&self.store, &c).await?) } else { None };
        Ok(ConsultationView {
            consultation: c,
            facility_name_zh: f.draft.name_zh,
            facility_name_en: f.draft.name_en,
            position,
        })
    }
}

/// The referral's note: the clinician's, then the patient's complaint, cut to the note's
/// limit at a character boundary (the full complaint stays on the consultation).
fn carried_note(note: &str, complaint: &str) -> String {
    let note = note.trim();
    let mut out = if note.is_empty() { String::new() } else { format!("{note}\n") };
    out.push_str("Online consultation, the patient's complaint: ");
    out.push_str(complaint);
    let max = rules::NOTE.max;
    if out.chars().count() > max {
        out = out.chars().take(max - 1).collect::<String>() + "…";
    }
    out
}

#[cfg(test)]
mod tests {
    use super::carried_note;

    #[test]
    fn the_complaint_is_carried_within_the_note_limit() {
        assert_eq!(carried_note("", "cough"), "Online consultation, the patient's complaint: cough");
        assert!(carried_note(" SpO2 91% ", "cough").starts_with("SpO2 91%\nOnline"));
        let long = carried_note(&"a".repeat(1_990), &"咳".repeat(2_000));
        assert_eq!(long.chars().count(), 2_000);
        assert!(long.ends_with('…'));
    }
}
