//! The online-registration rule's use cases: a coordinator orders it for a region they govern;
//! anyone reads the rule in force and its history (a patient must know before setting out); a
//! desk checks arriving patients in against it; a coordinator sees its effect per facility and
//! day.
//!
//! A check-in, in one transaction: the booking the patient shows (or one found under their
//! pseudonym) for this service here, starting within the hour or under way, is checked in
//! (`booked`); otherwise a rule in force that exempts the claimed exemption admits them
//! (`exempt`); with no rule requiring registration they are a walk-in (`walk_in`); otherwise
//! they must register, and the answer offers the next free slot here, which the desk may book
//! for them on the spot (`registered`: the booking is made checked in, since they are here).
//! Every check-in is recorded and audited with the rule that decided it.
//!
//! | action | who |
//! | --- | --- |
//! | order the rule | a coordinator governing the region |
//! | read the rule and its history | anyone, signed in or not |
//! | check in | the facility's desk |
//! | read a day's check-ins | the facility's desk, a coordinator over it |
//! | read the effect | a coordinator, within the governed subtree |

use crate::context::{actor_of, Carebridge, RequestMeta};
use crate::error::ServiceError;
use crate::scope;
use carebridge_domain::booking::{Booking, BookingStatus, LocalDay, DEFAULT_HORIZON_DAYS};
use carebridge_domain::ids::{BookingId, CheckInId, FacilityId, RegistrationOrderId};
use carebridge_domain::region::RegionCode;
use carebridge_domain::registration::{
    rule_in_force, CheckIn, CheckInAnswer, CheckInDraft, CheckInOutcome, RegistrationEffect, RegistrationOrder,
    RegistrationOrderDraft, EARLY_CHECK_IN_MINUTES,
};
use carebridge_domain::service_kind::ServiceKind;
use carebridge_domain::user::Principal;
use carebridge_domain::ValidationErrors;
use carebridge_store::booking::{self as booking_store, SlotQuery};
use carebridge_store::{registration as store, StoreError, Visibility};
use serde::Serialize;

/// The longest span one effect view covers, in days.
const MAX_EFFECT_DAYS: i64 = 62;

/// The rule in force in a region and the orders that made it, newest first.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RegistrationRule {
    #[schema(value_type = String)]
    pub region_code: RegionCode,
    /// The order in force now (from this region or the nearest above that has one); `null`
    /// when none is: visits need no registration.
    pub in_force: Option<RegistrationOrder>,
    /// Whether visits need an online registration now.
    pub required: bool,
    /// Every order of this region and the regions above it, future ones included, newest
    /// effect first.
    pub orders: Vec<RegistrationOrder>,
}

impl Carebridge {
    /// The region and its ancestors, nearest first.
    fn region_chain(&self, code: RegionCode) -> Vec<RegionCode> {
        let mut chain = Vec::new();
        let mut at = Some(code);
        while let Some(c) = at {
            chain.push(c);
            at = self.regions.get(c).and_then(|r| r.parent);
        }
        chain
    }

    /// Order the rule (or lift it) for a region the coordinator governs.
    pub async fn order_registration_rule(
        &self,
        p: &Principal,
        draft: RegistrationOrderDraft,
        meta: &RequestMeta,
    ) -> Result<RegistrationOrder, ServiceError> {
        let c = scope::coordinator(p)?;
        let draft = draft.validate()?;
        if self.regions.get(draft.region_code).is_none() {
            return Err(ServiceError::invalid("/region_code", "no such region"));
        }
        if !c.governs(&self.regions, draft.region_code) {
            return Err(ServiceError::invalid("/region_code", "is not a region you govern"));
        }
        let order = RegistrationOrder {
            id: RegistrationOrderId::new_v7(),
            draft,
            ordered_by: p.user_id,
            ordered_at: self.now(),
        };
        let mut tx = self.store.begin().await?;
        store::insert_order(&mut tx, &order).await?;
        self.audit(
            &mut tx,
            &actor_of(p),
            meta,
            "registration.order",
            "region",
            &order.draft.region_code.to_string(),
            serde_json::json!({ "order": order }),
        )
        .await?;
        tx.commit().await?;
        Ok(order)
    }

    /// The rule in force in a region now and its history (public).
    pub async fn registration_rule(&self, region: RegionCode) -> Result<RegistrationRule, ServiceError> {
        if self.regions.get(region).is_none() {
            return Err(ServiceError::NotFound);
        }
        let chain = self.region_chain(region);
        let orders = store::orders_of_regions(&self.store, &chain).await?;
        let in_force = rule_in_force(&orders, &chain, self.now()).cloned();
        Ok(RegistrationRule {
            region_code: region,
            required: in_force.as_ref().is_some_and(|o| o.draft.required),
            in_force,
            orders,
        })
    }

    /// One order (public).
    pub async fn registration_order(&self, id: RegistrationOrderId) -> Result<RegistrationOrder, ServiceError> {
        Ok(store::order(&self.store, id).await?)
    }

    /// Check an arriving patient in at the desk's facility (see the module's description).
    pub async fn check_in(
        &self,
        p: &Principal,
        facility_id: FacilityId,
        draft: CheckInDraft,
        meta: &RequestMeta,
    ) -> Result<CheckInAnswer, ServiceError> {
        scope::desk_of(p, facility_id, "does not check patients in")?;
        let mut errors = ValidationErrors::default();
        if let Some(name) = draft.patient_pseudonym.as_deref() {
            carebridge_domain::text::rules::PSEUDONYM.check(&mut errors, "/patient_pseudonym", name);
        } else if draft.booking_id.is_none() {
            errors.push("/patient_pseudonym", "name the arriving patient (a pseudonym) or give the booking they show");
        }
        let facility = self.visible_facility(Visibility::All, facility_id).await?;
        if !facility.draft.services.contains(&draft.service) {
            errors.push("/service", format!("{} does not offer {}", facility.draft.name_en, draft.service));
        }
        errors.finish(())?;
        let now = self.now();
        let chain = self.region_chain(facility.draft.region_code);
        let orders = store::orders_of_regions(&self.store, &chain).await?;
        let rule = rule_in_force(&orders, &chain, now).cloned();
        let required = rule.as_ref().is_some_and(|o| o.draft.required);

        let mut tx = self.store.begin().await?;
        let mut notes = Vec::new();
        let mut pseudonym = draft.patient_pseudonym.as_deref().map(|s| s.trim().to_string());
        let shown = match draft.booking_id {
            Some(id) => Some(self.shown_booking(&mut tx, facility_id, &draft, id).await?),
            None => None,
        };
        let booking = match shown {
            Some((b, ends_at)) => {
                pseudonym = Some(b.patient_pseudonym.clone());
                let opens = b.starts_at.millis() - EARLY_CHECK_IN_MINUTES * 60_000;
                if now.millis() >= opens && now < ends_at {
                    Some(b)
                } else {
                    notes.push(format!(
                        "booking {} is for {}, not now",
                        b.id,
                        carebridge_domain::booking::format_local(b.starts_at)
                    ));
                    None
                }
            }
            None => {
                let name = pseudonym.as_deref().unwrap_or_default();
                store::booking_now(&mut tx, facility_id, draft.service, name, now, EARLY_CHECK_IN_MINUTES).await?
            }
        };
        let pseudonym = pseudonym.unwrap_or_default();
        let mut slot = None;
        let (outcome, booking_id) = if let Some(b) = booking {
            store::mark_checked_in(&mut tx, b.id).await?;
            notes.push(format!("booked for {}", carebridge_domain::booking::format_local(b.starts_at)));
            (CheckInOutcome::Booked, Some(b.id))
        } else if let (true, Some(e)) =
            (required, draft.exemption.filter(|e| rule.as_ref().is_some_and(|r| r.draft.exemptions.contains(e))))
        {
            notes.push(format!("exempt from registration: {}", e.label_en().to_lowercase()));
            (CheckInOutcome::Exempt, None)
        } else if !required {
            notes.push("no registration rule is in force here: seen as a walk-in".into());
            (CheckInOutcome::WalkIn, None)
        } else {
            if let Some(e) = draft.exemption {
                notes.push(format!("the rule in force does not exempt {}", e.label_en().to_lowercase()));
            }
            let next = self.next_free_slot(&mut tx, facility_id, &draft).await?;
            match (next, draft.register) {
                (Ok(s), true) => {
                    booking_store::take_place(&mut tx, s.id).await?;
                    let b = Booking {
                        id: BookingId::new_v7(),
                        slot_id: s.id,
                        facility_id,
                        service: draft.service,
                        starts_at: s.starts_at,
                        patient_id: None,
                        patient_pseudonym: pseudonym.clone(),
                        booked_by: p.user_id,
                        // The patient is here: checked in for the slot they were given.
                        status: BookingStatus::CheckedIn,
                        created_at: now,
                        cancelled_at: None,
                        cancel_reason: None,
                        rescheduled_from: None,
                    };
                    booking_store::insert_booking(&mut tx, &b).await?;
                    notes.push(format!(
                        "registered on the spot for {}",
                        carebridge_domain::booking::format_local(s.starts_at)
                    ));
                    slot = Some(s);
                    (CheckInOutcome::Registered, Some(b.id))
                }
                (Ok(s), false) => {
                    notes.push(format!(
                        "must register: the next free slot here is {}",
                        carebridge_domain::booking::format_local(s.starts_at)
                    ));
                    slot = Some(s);
                    (CheckInOutcome::MustRegister, None)
                }
                (Err(why), _) => {
                    notes.push(format!("must register, but {why}"));
                    (CheckInOutcome::MustRegister, None)
                }
            }
        };
        let check_in = CheckIn {
            id: CheckInId::new_v7(),
            facility_id,
            service: draft.service,
            patient_pseudonym: pseudonym,
            outcome,
            exemption: draft.exemption,
            booking_id,
            rule_id: rule.as_ref().map(|r| r.id),
            checked_in_by: p.user_id,
            at: now,
        };
        store::insert_check_in(&mut tx, &check_in).await?;
        // Admitted to the fever clinic: into its queue, in the same transaction.
        let fever_visit_id = if draft.service == ServiceKind::FeverClinic && outcome != CheckInOutcome::MustRegister {
            Some(self.enqueue_fever(&mut tx, p, facility_id, &check_in.patient_pseudonym, meta).await?.id)
        } else {
            None
        };
        let change = serde_json::json!({ "check_in": check_in, "slot": slot.as_ref().map(|s| s.id) });
        self.audit(&mut tx, &actor_of(p), meta, "check_in.create", "check_in", &check_in.id.to_string(), change)
            .await?;
        tx.commit().await?;
        let mut detail = notes.join("; ");
        if let Some(first) = detail.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        detail.push('.');
        Ok(CheckInAnswer { check_in, detail, rule, slot, fever_visit_id })
    }

    /// The booking a patient shows, checked against this facility and service, with its slot's
    /// end.
    async fn shown_booking(
        &self,
        tx: &mut carebridge_store::Tx,
        facility_id: FacilityId,
        draft: &CheckInDraft,
        id: BookingId,
    ) -> Result<(Booking, carebridge_domain::clock::Timestamp), ServiceError> {
        let b = match booking_store::booking_for_update(tx, id).await {
            Err(StoreError::NotFound) => return Err(ServiceError::invalid("/booking_id", "no such booking here")),
            other => other?,
        };
        if b.facility_id != facility_id {
            return Err(ServiceError::invalid("/booking_id", "no such booking here"));
        }
        if b.service != draft.service {
            return Err(ServiceError::invalid("/booking_id", format!("is a booking of {}", b.service)));
        }
        if b.status != BookingStatus::Confirmed {
            return Err(ServiceError::Conflict(format!("the booking is {} already", b.status)));
        }
        let slot = booking_store::slot_tx(tx, b.slot_id).await?;
        Ok((b, slot.slot.ends_at))
    }

    /// The next free slot of the service here within the horizon, or why none can be booked.
    async fn next_free_slot(
        &self,
        tx: &mut carebridge_store::Tx,
        facility_id: FacilityId,
        draft: &CheckInDraft,
    ) -> Result<Result<carebridge_domain::booking::Slot, String>, ServiceError> {
        let now = self.now();
        let query = SlotQuery {
            service: Some(draft.service),
            visibility: Visibility::All,
            facility: Some(facility_id),
            within: None,
            from: carebridge_domain::clock::Timestamp::from_millis(now.millis() + 1),
            until: LocalDay(self.today().0 + DEFAULT_HORIZON_DAYS).start(),
            free_only: true,
            schedule: None,
            state: None,
            after: None,
            limit: 1,
        };
        let Some(row) = booking_store::search_slots_tx(tx, &query).await?.into_iter().next() else {
            return Ok(Err(format!(
                "no slot of {} is free here in the next {DEFAULT_HORIZON_DAYS} days",
                draft.service.label_en().to_lowercase()
            )));
        };
        match self.bookable(&row.slot, now).await {
            Ok(()) => Ok(Ok(row.slot)),
            Err(ServiceError::Conflict(why)) => Ok(Err(why)),
            Err(e) => Err(e),
        }
    }

    /// A facility's check-ins of one local day (default today), latest first.
    pub async fn check_ins(
        &self,
        p: &Principal,
        facility_id: FacilityId,
        day: Option<&str>,
        limit: Option<u32>,
    ) -> Result<Vec<CheckIn>, ServiceError> {
        let mut errors = ValidationErrors::default();
        let day = match day {
            Some(d) => LocalDay::parse(d).map_err(|e| errors.push("/day", e)).ok(),
            None => Some(self.today()),
        };
        let limit = carebridge_domain::page::page_size(limit).map_err(|e| errors.push("/limit", e)).ok();
        let (day, limit) = errors.finish((day, limit))?;
        let vis = scope::desk_or_coordinator(&self.regions, p, "does not read check-ins")?;
        self.visible_facility(vis, facility_id).await?;
        let (day, limit) = (day.expect("checked"), limit.expect("checked"));
        Ok(store::check_ins_of(&self.store, facility_id, day, limit).await?)
    }

    /// The rule's effect per facility and day in the governed subtree (or a region within it).
    pub async fn registration_effect(
        &self,
        p: &Principal,
        region: Option<&str>,
        from: Option<&str>,
        until: Option<&str>,
    ) -> Result<Vec<RegistrationEffect>, ServiceError> {
        let c = scope::coordinator(p)?;
        let mut errors = ValidationErrors::default();
        let region = match self.region_filter(region, "/region") {
            Ok(r) => r,
            Err(ServiceError::Invalid(v)) => {
                errors.0.extend(v.0);
                None
            }
            Err(e) => return Err(e),
        };
        if let Some(r) = region {
            if !c.governs(&self.regions, r) {
                errors.push("/region", "is not a region you govern");
            }
        }
        let today = self.today();
        let day = |pointer: &str, v: Option<&str>, errors: &mut ValidationErrors| {
            v.map(|s| LocalDay::parse(s).map_err(|e| errors.push(pointer, e)).ok()).unwrap_or(None)
        };
        let until_day = day("/until", until, &mut errors).unwrap_or(today);
        let from_day = day("/from", from, &mut errors).unwrap_or(LocalDay(until_day.0 - 6));
        if until_day < from_day {
            errors.push("/until", "must not be before the first day");
        } else if until_day.0 - from_day.0 >= MAX_EFFECT_DAYS {
            errors.push("/until", format!("a view spans at most {MAX_EFFECT_DAYS} days"));
        }
        errors.finish(())?;
        let vis = match region {
            Some(r) => scope::region_visibility(&self.regions, Some(r)),
            None => c.visibility(&self.regions),
        };
        Ok(store::effect(&self.store, vis, from_day, until_day, self.now()).await?)
    }
}
