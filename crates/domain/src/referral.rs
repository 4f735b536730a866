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
use crate::placement::ConstraintOverride;
use crate::region::RegionCode;
use crate::service_kind::{vocabulary, ServiceKind};
use crate::text::{self, rules};
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

    /// The default longest one-way trip for one-off care, in minutes of the travel estimate
    /// (`carebridge_engines::placement::online::travel_minutes`). These are the straight-line
    /// limits of before (50, 150, 300 and 500 km) at the estimate's speeds, rounded: an
    /// ambulance within the golden hour and a quarter, a day's drive at most for routine care.
    /// Recurring care has its own, much shorter, per-session limit
    /// ([`crate::placement::DEFAULT_RECURRING_SESSION_MINUTES`]).
    pub fn default_travel_limit_minutes(self) -> i64 {
        match self {
            Self::Emergency => 75,
            Self::Urgent => 300,
            Self::Soon => 600,
            Self::Routine => 960,
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
    #[schema(schema_with = text::schemas::pseudonym)]
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
    #[schema(minimum = 2, maximum = 3)]
    pub sessions_per_week: u8,
}

impl RecurringSchedule {
    /// The longest a patient on this schedule may go from one session to the next, in days:
    /// the long weekend gap of the usual patterns (Thu → Mon for two sessions a week, Fri → Mon
    /// for three). A re-placement that would stretch it further is not offered.
    pub fn max_gap_days(self) -> i64 {
        if self.sessions_per_week >= 3 {
            3
        } else {
            4
        }
    }

    /// The weekday patterns a patient on this schedule can keep.
    pub fn patterns(self) -> &'static [WeekdayPattern] {
        if self.sessions_per_week >= 3 {
            &[WeekdayPattern::MonWedFri, WeekdayPattern::TueThuSat]
        } else {
            &[WeekdayPattern::MonThu, WeekdayPattern::TueFri, WeekdayPattern::WedSat]
        }
    }
}

vocabulary!(
    /// The weekdays of a recurring patient's sessions. The two-day patterns are disjoint, as
    /// are the three-day ones, so a dialysis unit runs them side by side; a patient keeps one.
    WeekdayPattern {
        MonThu = "mon_thu", "周一、周四",
        TueFri = "tue_fri", "周二、周五",
        WedSat = "wed_sat", "周三、周六",
        MonWedFri = "mon_wed_fri", "周一、周三、周五",
        TueThuSat = "tue_thu_sat", "周二、周四、周六",
    }
);

/// Milliseconds in a day.
const DAY_MS: i64 = 86_400_000;
/// China Standard Time, UTC+8: session days are local days.
const CST_OFFSET_MS: i64 = 8 * 3_600_000;

/// The local (UTC+8) day number of `t`, days since 1970-01-01.
pub fn local_day(t: Timestamp) -> i64 {
    (t.millis() + CST_OFFSET_MS).div_euclid(DAY_MS)
}

impl WeekdayPattern {
    /// The weekdays, 0 = Monday.
    pub fn weekdays(self) -> &'static [i64] {
        match self {
            Self::MonThu => &[0, 3],
            Self::TueFri => &[1, 4],
            Self::WedSat => &[2, 5],
            Self::MonWedFri => &[0, 2, 4],
            Self::TueThuSat => &[1, 3, 5],
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::MonThu => "Mon & Thu",
            Self::TueFri => "Tue & Fri",
            Self::WedSat => "Wed & Sat",
            Self::MonWedFri => "Mon, Wed & Fri",
            Self::TueThuSat => "Tue, Thu & Sat",
        }
    }

    fn on(self, day: i64) -> bool {
        // 1970-01-01 was a Thursday (weekday 3).
        self.weekdays().contains(&(day + 3).rem_euclid(7))
    }

    /// The last session day strictly before local day `day`.
    pub fn last_before(self, day: i64) -> i64 {
        (1..=7).map(|k| day - k).find(|&d| self.on(d)).unwrap_or(day - 7)
    }

    /// The first session day on or after local day `day`.
    pub fn first_from(self, day: i64) -> i64 {
        (0..7).map(|k| day + k).find(|&d| self.on(d)).unwrap_or(day + 7)
    }

    /// Days between the last session on `self` before `from` and the first on `next` from
    /// then on: what a patient moved at `from` goes without.
    pub fn gap_days_moving_to(self, next: WeekdayPattern, from: Timestamp) -> i64 {
        let day = local_day(from);
        next.first_from(day) - self.last_before(day)
    }
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
    #[schema(schema_with = text::schemas::note)]
    pub note: String,
}

impl ReferralDraft {
    pub fn validate(mut self) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        rules::PSEUDONYM.check(&mut errors, "/patient/pseudonym", &self.patient.pseudonym);
        rules::NOTE.check(&mut errors, "/note", &self.note);
        self.patient.pseudonym = self.patient.pseudonym.trim().to_string();
        self.note = self.note.trim().to_string();
        if let Err(e) = GeoPoint::new(self.patient.location.lon, self.patient.location.lat) {
            for field in e.0 {
                errors.push(format!("/patient/location{}", field.pointer), field.detail);
            }
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
                // Displaced: the facility was redesignated or its unit commandeered.
                | (Accepted | Admitted, Pending)
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
    /// For a recurring patient, the weekdays of their sessions at this facility.
    pub pattern: Option<WeekdayPattern>,
    /// Estimated one-way travel from the patient, minutes (per session for recurring care);
    /// `None` for offers made before it was recorded.
    pub travel_minutes: Option<i64>,
    /// The facility is in another province than the patient's region.
    pub cross_province: bool,
    /// A directed placement that breaks hard constraints by the coordinator's explicit
    /// decision: which, and why (the receiving desk reads it).
    #[serde(rename = "override")]
    pub constraint_override: Option<ConstraintOverride>,
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
            pattern: None,
            travel_minutes: None,
            cross_province: false,
            constraint_override: None,
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

    #[test]
    fn a_pattern_change_is_measured_by_the_days_without_a_session() {
        // 2020-02-03 was a Monday; 10:00 local.
        let monday = Timestamp::from_millis(1_580_695_200_000);
        assert_eq!((local_day(monday) + 3).rem_euclid(7), 0, "a Monday");
        // Moved on Monday morning from Mon/Thu: the last session was Thursday; Tue/Fri starts
        // Tuesday: 5 days; Mon/Thu at the new place starts today: 4 days.
        assert_eq!(WeekdayPattern::MonThu.gap_days_moving_to(WeekdayPattern::TueFri, monday), 5);
        assert_eq!(WeekdayPattern::MonThu.gap_days_moving_to(WeekdayPattern::MonThu, monday), 4);
        let two = RecurringSchedule { sessions_per_week: 2 };
        assert_eq!(two.max_gap_days(), 4);
        assert!(two.patterns().iter().all(|p| p.weekdays().len() == 2));
        let three = RecurringSchedule { sessions_per_week: 3 };
        assert!(three.patterns().iter().all(|p| p.weekdays().len() == 3));
        // Keeping the pattern never adds a day: the gap is the pattern's own.
        for p in WeekdayPattern::ALL {
            for k in 0..7 {
                let t = Timestamp::from_millis(monday.millis() + k * DAY_MS);
                let gap = p.gap_days_moving_to(*p, t);
                let own = if p.weekdays().len() == 2 { 4 } else { 3 };
                assert!(gap <= own, "{p} on day {k}: {gap}");
            }
        }
    }
    use super::*;

    #[test]
    fn a_referral_never_jumps_from_pending_to_admitted_and_a_closed_one_stays_closed() {
        use ReferralStatus::*;
        assert!(Pending.can_become(Offered));
        assert!(Offered.can_become(Pending), "a decline sends it back out");
        assert!(!Pending.can_become(Admitted));
        assert!(!Pending.can_become(Accepted), "acceptance answers an offer");
        for s in ReferralStatus::ALL {
            assert_eq!(Admitted.can_become(*s), *s == Pending, "admitted is final unless displaced");
            assert!(!Cancelled.can_become(*s), "cancelled is final");
        }
        assert!(Accepted.can_become(Pending), "displaced before arriving");
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
