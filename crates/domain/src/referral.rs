//! Referrals: a patient's need for a place, filed once, carried by Carebridge until the patient
//! is admitted or a coordinator has personally taken the case.
//!
//! The patient is pseudonymous: an age band, where they are, their region and infection status,
//! nothing that names them. A referral moves through a small state machine
//! ([`ReferralStatus::can_become`]); every step is an event with its time and reason, so the
//! patient and the referring clinician always see where it stands and why.

use crate::capacity::Unit;
use crate::clock::Timestamp;
use crate::error::ValidationErrors;
use crate::facility::GeoPoint;
use crate::ids::{FacilityId, OfferId, ReferralId, UserId};
use crate::region::RegionCode;
use crate::service_kind::{vocabulary, ServiceKind};
use serde::{Deserialize, Serialize};

vocabulary!(
    /// What is known of the patient's infection.
    InfectionStatus {
        Confirmed = "confirmed", "确诊",
        Suspected = "suspected", "疑似",
        Negative = "negative", "阴性",
        Unknown = "unknown", "未知",
    }
);

impl InfectionStatus {
    /// Confirmed and suspected patients need isolation; the others must never be sent into a
    /// virus-designated hospital. An unknown status is treated as not infected for the
    /// designation rule (sending an uninfected patient into a virus ward is the harm the rule
    /// exists to prevent) and screened on arrival.
    pub fn needs_isolation(self) -> bool {
        matches!(self, Self::Confirmed | Self::Suspected)
    }
}

vocabulary!(
    /// How soon the patient must be placed.
    Urgency {
        Emergency = "emergency", "紧急",
        Urgent = "urgent", "急",
        Soon = "soon", "尽快",
        Routine = "routine", "常规",
    }
);

impl Urgency {
    /// The default longest wait before the referral escalates, in minutes (a region may set
    /// its own).
    pub fn default_max_wait_minutes(self) -> i64 {
        match self {
            Self::Emergency => 60,
            Self::Urgent => 24 * 60,
            Self::Soon => 3 * 24 * 60,
            Self::Routine => 14 * 24 * 60,
        }
    }

    /// How long an offer holds its bed by default, in minutes.
    pub fn default_hold_minutes(self) -> i64 {
        match self {
            Self::Emergency => 30,
            _ => 120,
        }
    }

    /// The default longest trip, in km of straight-line distance.
    pub fn default_travel_limit_km(self) -> f64 {
        match self {
            Self::Emergency => 50.0,
            Self::Urgent => 150.0,
            Self::Soon => 300.0,
            Self::Routine => 500.0,
        }
    }

    /// The weight of one minute of waiting in the placement cost, against one minute of travel.
    pub fn wait_weight(self) -> i64 {
        match self {
            Self::Emergency => 20,
            Self::Urgent => 6,
            Self::Soon => 2,
            Self::Routine => 1,
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::Emergency => "Emergency",
            Self::Urgent => "Urgent",
            Self::Soon => "Soon",
            Self::Routine => "Routine",
        }
    }
}

vocabulary!(
    /// Age bands: enough for placement (paediatrics, geriatric risk), too coarse to identify.
    AgeBand {
        Child = "child", "0-17岁",
        YoungAdult = "young_adult", "18-39岁",
        Adult = "adult", "40-64岁",
        Senior = "senior", "65-79岁",
        Elderly = "elderly", "80岁以上",
    }
);

impl AgeBand {
    /// The years the band covers, for pages.
    pub fn years(self) -> &'static str {
        match self {
            Self::Child => "0–17",
            Self::YoungAdult => "18–39",
            Self::Adult => "40–64",
            Self::Senior => "65–79",
            Self::Elderly => "80+",
        }
    }
}

/// The unit whose beds (or stations) a service's patient occupies.
pub fn unit_for(service: ServiceKind) -> Unit {
    match service {
        ServiceKind::Icu => Unit::Icu,
        ServiceKind::Dialysis => Unit::DialysisStations,
        ServiceKind::Maternity => Unit::Maternity,
        ServiceKind::Emergency | ServiceKind::FeverClinic => Unit::Emergency,
        ServiceKind::IsolationWard => Unit::Isolation,
        _ => Unit::GeneralWard,
    }
}

/// The pseudonymous patient.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatientInfo {
    /// An identifier the referrer keeps (a pseudonym, never a name or ID number).
    pub pseudonym: String,
    pub age_band: AgeBand,
    /// Where the patient is now (home or current hospital).
    pub location: GeoPoint,
    /// The region the patient is in (GB/T 2260 county, city or province code).
    pub region_code: RegionCode,
    pub infection: InfectionStatus,
}

/// A recurring need: sessions per week (dialysis: 2 or 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecurringSchedule {
    pub sessions_per_week: u8,
}

/// A referral as a clinician (or a patient for themself) files it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferralDraft {
    pub patient: PatientInfo,
    /// The care needed, from the service vocabulary.
    pub need: ServiceKind,
    pub urgency: Urgency,
    /// Whether the patient must travel by ambulance.
    #[serde(default)]
    pub needs_ambulance: bool,
    /// For recurring care (dialysis) only.
    #[serde(default)]
    pub schedule: Option<RecurringSchedule>,
    /// A clinical note for the receiving desk (free text, no identifying data).
    #[serde(default)]
    pub note: String,
}

impl ReferralDraft {
    pub fn validate(mut self) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        self.patient.pseudonym = self.patient.pseudonym.trim().to_string();
        self.note = self.note.trim().to_string();
        let pseudonym_len = self.patient.pseudonym.chars().count();
        if pseudonym_len == 0 {
            errors.push("/patient/pseudonym", "must not be empty");
        } else if pseudonym_len > 64 {
            errors.push("/patient/pseudonym", "must be at most 64 characters");
        }
        if let Err(e) = GeoPoint::new(self.patient.location.lon, self.patient.location.lat) {
            for field in e.0 {
                errors.push(format!("/patient/location{}", field.pointer), field.detail);
            }
        }
        if self.note.chars().count() > 2000 {
            errors.push("/note", "must be at most 2000 characters");
        }
        match (self.need, self.schedule) {
            (ServiceKind::Dialysis, Some(s)) if !(2..=3).contains(&s.sessions_per_week) => {
                errors.push("/schedule/sessions_per_week", "dialysis is 2 or 3 sessions a week")
            }
            (ServiceKind::Dialysis, _) => {}
            (_, Some(_)) => errors.push("/schedule", "only dialysis referrals carry a recurring schedule"),
            (_, None) => {}
        }
        errors.finish(self)
    }

    /// The unit a placement takes a bed (or station) from.
    pub fn unit(&self) -> Unit {
        unit_for(self.need)
    }
}

vocabulary!(
    /// Where a referral stands.
    ReferralStatus {
        Pending = "pending", "待安排",
        Offered = "offered", "已发出床位邀请",
        Accepted = "accepted", "医院已接收",
        Admitted = "admitted", "已入院",
        Escalated = "escalated", "已上报协调员",
        Cancelled = "cancelled", "已取消",
    }
);

impl ReferralStatus {
    /// Whether the referral still needs a place (the engine keeps working on it).
    pub fn is_open(self) -> bool {
        matches!(self, Self::Pending | Self::Offered | Self::Escalated)
    }

    /// The lifecycle: pending → offered → accepted → admitted; a declined or expired offer
    /// goes back to pending (and out again as the next offer); escalation keeps the case open
    /// for a coordinator, whose directed placement is an offer; cancel from any open state.
    pub fn can_become(self, next: ReferralStatus) -> bool {
        use ReferralStatus::*;
        matches!(
            (self, next),
            (Pending, Offered)
                | (Pending, Escalated)
                | (Offered, Accepted)
                | (Offered, Pending)
                | (Offered, Escalated)
                | (Escalated, Offered)
                | (Accepted, Admitted)
                | (Pending | Offered | Escalated | Accepted, Cancelled)
        )
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::Offered => "Offered",
            Self::Accepted => "Accepted",
            Self::Admitted => "Admitted",
            Self::Escalated => "Escalated",
            Self::Cancelled => "Cancelled",
        }
    }
}

vocabulary!(
    /// Why a facility desk declines an offer.
    DeclineReason {
        NoBed = "no_bed", "无空床",
        NoStaff = "no_staff", "人手不足",
        NoSpecialist = "no_specialist", "无相应专科医生",
        EquipmentUnavailable = "equipment_unavailable", "设备不可用",
        InfectionControl = "infection_control", "感染控制原因",
        PatientTooSevere = "patient_too_severe", "病情超出本院救治能力",
        Other = "other", "其他",
    }
);

vocabulary!(
    /// Where an offer stands.
    OfferStatus {
        Holding = "holding", "保留中",
        Accepted = "accepted", "已接收",
        Declined = "declined", "已拒绝",
        Expired = "expired", "已过期",
        Withdrawn = "withdrawn", "已撤回",
    }
);

/// An offer: a bed of `unit` at `facility` held for the referral until `expires_at`.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Offer {
    pub id: OfferId,
    pub referral_id: ReferralId,
    pub facility_id: FacilityId,
    pub unit: Unit,
    pub status: OfferStatus,
    pub offered_at: Timestamp,
    pub expires_at: Timestamp,
    /// A coordinator's directed placement: the facility must accept.
    pub directed: bool,
    /// Straight-line distance from the patient, km.
    pub distance_km: f64,
    pub answered_at: Option<Timestamp>,
    pub answered_by: Option<UserId>,
    pub decline_reason: Option<DeclineReason>,
    pub decline_note: Option<String>,
}

impl Offer {
    /// A new offer holding a bed of `unit` at `facility_id` from `now` for the urgency's hold.
    pub fn holding(
        referral_id: ReferralId,
        facility_id: FacilityId,
        unit: Unit,
        urgency: Urgency,
        now: Timestamp,
        directed: bool,
        distance_km: f64,
    ) -> Self {
        Self {
            id: OfferId::new_v7(),
            referral_id,
            facility_id,
            unit,
            status: OfferStatus::Holding,
            offered_at: now,
            expires_at: Timestamp::from_millis(now.millis() + urgency.default_hold_minutes() * 60_000),
            directed,
            distance_km,
            answered_at: None,
            answered_by: None,
            decline_reason: None,
            decline_note: None,
        }
    }
}

/// A stored referral.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Referral {
    pub id: ReferralId,
    #[serde(flatten)]
    pub draft: ReferralDraft,
    pub status: ReferralStatus,
    pub filed_by: UserId,
    pub filed_at: Timestamp,
    /// When the referral escalates if no place has been accepted.
    pub wait_deadline: Timestamp,
    /// Offers declined or expired so far.
    pub failed_offers: i64,
    /// The facility the patient was accepted or admitted at.
    pub placed_at: Option<FacilityId>,
    /// When the referral escalated to its region's coordinators (it stays escalated: the
    /// engine keeps offering, and a coordinator may direct a placement).
    pub escalated_at: Option<Timestamp>,
    pub updated_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_referral_never_jumps_from_pending_to_admitted_and_a_closed_one_stays_closed() {
        use ReferralStatus::*;
        assert!(Pending.can_become(Offered));
        assert!(Offered.can_become(Pending), "a decline sends it back out");
        assert!(!Pending.can_become(Admitted));
        assert!(!Pending.can_become(Accepted), "acceptance answers an offer");
        for s in ReferralStatus::ALL {
            assert!(!Admitted.can_become(*s), "admitted is final");
            assert!(!Cancelled.can_become(*s), "cancelled is final");
        }
    }

    #[test]
    fn only_dialysis_carries_a_schedule_of_two_or_three_sessions() {
        let draft = |need, sessions: Option<u8>| ReferralDraft {
            patient: PatientInfo {
                pseudonym: "p-1".into(),
                age_band: AgeBand::YoungAdult,
                location: GeoPoint { lon: 114.3, lat: 30.6 },
                region_code: RegionCode::parse("420100").expect("code"),
                infection: InfectionStatus::Negative,
            },
            need,
            urgency: Urgency::Urgent,
            needs_ambulance: false,
            schedule: sessions.map(|n| RecurringSchedule { sessions_per_week: n }),
            note: String::new(),
        };
        assert!(draft(ServiceKind::Dialysis, Some(3)).validate().is_ok());
        let e = draft(ServiceKind::Dialysis, Some(5)).validate().expect_err("5 a week");
        assert_eq!(e.0[0].pointer, "/schedule/sessions_per_week");
        let e = draft(ServiceKind::Neurosurgery, Some(2)).validate().expect_err("surgery is not recurring");
        assert_eq!(e.0[0].pointer, "/schedule");
    }
}
