//! The online-registration rule: a region orders that visits to its facilities need a booked
//! slot (Beijing, December 2022: every patient but emergencies and fevers registers online
//! first), effective from a time, naming who is exempt. Like designations it is a versioned
//! order with history; a later order (lifting the rule, changing its exemptions) supersedes it.
//!
//! The rule in force at a facility is the latest order in effect of the nearest region up the
//! tree that has one: a district may lift or tighten what its city ordered.
//!
//! A desk's check-in answers, for each arriving patient, one [`CheckInOutcome`]; the record of
//! every check-in is what the coordinator's view of the rule's effect counts.

use crate::booking::Slot;
use crate::clock::Timestamp;
use crate::error::ValidationErrors;
use crate::ids::{BookingId, CheckInId, FacilityId, RegistrationOrderId, UserId};
use crate::region::RegionCode;
use crate::service_kind::{vocabulary, ServiceKind};
use crate::text::{self, rules};
use serde::{Deserialize, Serialize};

vocabulary!(
    /// Who may visit without a booked slot while the rule is in force.
    Exemption {
        Emergency = "emergency", "急诊",
        Fever = "fever", "发热",
        Childbirth = "childbirth", "分娩",
        Elderly = "elderly", "老年人",
        Disability = "disability", "残障人士",
    }
);

impl Exemption {
    pub fn label_en(self) -> &'static str {
        match self {
            Self::Emergency => "Emergency",
            Self::Fever => "Fever",
            Self::Childbirth => "Childbirth",
            Self::Elderly => "Elderly (80 and over)",
            Self::Disability => "Disability",
        }
    }
}

/// The exemptions every rule that requires registration must name: nobody in an emergency and
/// nobody with a fever is turned away for want of a booking.
pub const REQUIRED_EXEMPTIONS: [Exemption; 2] = [Exemption::Emergency, Exemption::Fever];

/// An order as a coordinator submits it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistrationOrderDraft {
    /// The region the rule governs, with everything below it that sets no rule of its own.
    #[schema(value_type = String, pattern = "^[0-9]{6}$", example = "110000")]
    pub region_code: RegionCode,
    /// Whether visits need an online registration; `false` lifts the rule.
    pub required: bool,
    /// Who is exempt; must include `emergency` and `fever` when registration is required.
    #[serde(default)]
    #[schema(max_items = 5)]
    pub exemptions: Vec<Exemption>,
    /// When the order takes effect; may be in the future.
    pub effective_at: Timestamp,
    #[schema(schema_with = text::schemas::reason)]
    pub reason: String,
    /// The authority's document number, e.g. "京防指〔2022〕38号".
    #[schema(schema_with = text::schemas::order_number)]
    pub order_number: String,
}

impl RegistrationOrderDraft {
    pub fn validate(mut self) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        rules::REASON.check(&mut errors, "/reason", &self.reason);
        rules::ORDER_NUMBER.check(&mut errors, "/order_number", &self.order_number);
        for (i, e) in self.exemptions.iter().enumerate() {
            if self.exemptions[..i].contains(e) {
                errors.push(format!("/exemptions/{i}"), format!("`{e}` is named twice"));
            }
        }
        if self.required {
            let missing: Vec<&str> =
                REQUIRED_EXEMPTIONS.iter().filter(|e| !self.exemptions.contains(e)).map(|e| e.as_str()).collect();
            if !missing.is_empty() {
                errors.push(
                    "/exemptions",
                    format!("a rule that requires registration must exempt {}", missing.join(" and ")),
                );
            }
        } else if !self.exemptions.is_empty() {
            errors.push("/exemptions", "a rule that lifts registration exempts nobody; leave this empty");
        }
        self.reason = self.reason.trim().to_string();
        self.order_number = self.order_number.trim().to_string();
        self.exemptions.sort();
        self.exemptions.dedup();
        errors.finish(self)
    }
}

/// A recorded order.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RegistrationOrder {
    pub id: RegistrationOrderId,
    #[serde(flatten)]
    pub draft: RegistrationOrderDraft,
    pub ordered_by: UserId,
    pub ordered_at: Timestamp,
}

/// The order in force at `now` for a facility whose region's chain up the tree (the region
/// itself first, the province last) is `chain`: of the nearest region with an order in effect,
/// its latest (ties broken by when it was ordered). `None` when no region up the tree ordered
/// anything in effect yet, i.e. no rule.
pub fn rule_in_force<'a>(
    orders: &'a [RegistrationOrder],
    chain: &[RegionCode],
    now: Timestamp,
) -> Option<&'a RegistrationOrder> {
    chain.iter().find_map(|code| {
        orders
            .iter()
            .filter(|o| o.draft.region_code == *code && o.draft.effective_at <= now)
            .max_by_key(|o| (o.draft.effective_at, o.ordered_at))
    })
}

vocabulary!(
    /// What a check-in found: `booked` (holds a booking here now, now checked in), `exempt`
    /// (no booking; the rule exempts them), `walk_in` (no rule in force), `registered` (booked on
    /// the spot into the next free slot), `must_register` (told to register; the answer names the
    /// next free slot when there is one).
    CheckInOutcome {
        Booked = "booked", "已预约",
        Exempt = "exempt", "免预约",
        WalkIn = "walk_in", "无需预约",
        Registered = "registered", "现场登记",
        MustRegister = "must_register", "需先预约",
    }
);

impl CheckInOutcome {
    pub fn label_en(self) -> &'static str {
        match self {
            Self::Booked => "Booked",
            Self::Exempt => "Exempt",
            Self::WalkIn => "Walk-in (no rule)",
            Self::Registered => "Registered on the spot",
            Self::MustRegister => "Must register",
        }
    }
}

/// How long before its slot a booked patient may check in, in minutes.
pub const EARLY_CHECK_IN_MINUTES: i64 = 60;

/// A desk's check-in of one arriving patient.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckInDraft {
    /// The service the patient came for.
    pub service: ServiceKind,
    /// The booking the patient shows, if any.
    #[serde(default)]
    pub booking_id: Option<BookingId>,
    /// Who arrived; looked up among today's bookings here when no `booking_id` is shown.
    /// Required without a booking.
    #[serde(default)]
    #[schema(schema_with = text::schemas::pseudonym_or_null)]
    pub patient_pseudonym: Option<String>,
    /// The exemption the patient claims (an emergency, a fever, ...), as the desk judged it.
    #[serde(default)]
    pub exemption: Option<Exemption>,
    /// Register a patient who must register into the next free slot at once.
    #[serde(default)]
    pub register: bool,
}

/// A recorded check-in.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CheckIn {
    pub id: CheckInId,
    pub facility_id: FacilityId,
    pub service: ServiceKind,
    pub patient_pseudonym: String,
    pub outcome: CheckInOutcome,
    /// The exemption that applied (for `exempt`) or was claimed.
    pub exemption: Option<Exemption>,
    /// The booking checked in (`booked`) or made on the spot (`registered`).
    pub booking_id: Option<BookingId>,
    /// The rule order in force, if any.
    pub rule_id: Option<RegistrationOrderId>,
    pub checked_in_by: UserId,
    pub at: Timestamp,
}

/// What the desk is told.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CheckInAnswer {
    #[serde(flatten)]
    pub check_in: CheckIn,
    /// One sentence for the desk, e.g. why the patient must register.
    pub detail: String,
    /// The rule in force here now.
    pub rule: Option<RegistrationOrder>,
    /// The slot booked on the spot, or (for `must_register`) the next free slot to offer.
    pub slot: Option<Slot>,
    /// A fever-clinic arrival joins the clinic's queue in the check-in's transaction: its visit.
    pub fever_visit_id: Option<crate::ids::FeverVisitId>,
}

/// One facility's arrivals on one local day, by what the check-in found.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RegistrationEffect {
    pub facility_id: FacilityId,
    pub facility_name_zh: String,
    pub facility_name_en: String,
    /// `YYYY-MM-DD`, local.
    pub day: String,
    /// Arrivals holding a booking.
    pub booked: i64,
    /// Arrivals without one whom the rule exempts.
    pub exempt: i64,
    /// Arrivals where no rule was in force.
    pub walk_in: i64,
    /// Arrivals registered on the spot.
    pub registered: i64,
    /// Arrivals told to register and not registered.
    pub must_register: i64,
    /// Bookings of that day whose slot ended without a check-in.
    pub no_shows: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(required: bool, exemptions: Vec<Exemption>) -> RegistrationOrderDraft {
        RegistrationOrderDraft {
            region_code: RegionCode::parse("110000").unwrap(),
            required,
            exemptions,
            effective_at: Timestamp::from_millis(0),
            reason: "surge".into(),
            order_number: "京防指〔2022〕38号".into(),
        }
    }

    fn order(region: &str, effective: i64, ordered: i64, required: bool) -> RegistrationOrder {
        RegistrationOrder {
            id: RegistrationOrderId::new_v7(),
            draft: RegistrationOrderDraft {
                region_code: RegionCode::parse(region).unwrap(),
                effective_at: Timestamp::from_millis(effective),
                ..draft(required, vec![])
            },
            ordered_by: UserId(uuid::Uuid::nil()),
            ordered_at: Timestamp::from_millis(ordered),
        }
    }

    #[test]
    fn a_rule_that_requires_registration_must_exempt_emergencies_and_fevers() {
        let e = draft(true, vec![Exemption::Emergency]).validate().unwrap_err();
        assert_eq!(e.0[0].pointer, "/exemptions");
        assert!(e.0[0].detail.contains("fever"), "{}", e.0[0].detail);
        let e = draft(true, vec![Exemption::Fever, Exemption::Emergency, Exemption::Fever]).validate().unwrap_err();
        assert_eq!(e.0[0].pointer, "/exemptions/2");
        assert!(draft(false, vec![Exemption::Fever]).validate().is_err());
        let ok = draft(true, vec![Exemption::Fever, Exemption::Childbirth, Exemption::Emergency]).validate().unwrap();
        assert_eq!(ok.exemptions, [Exemption::Emergency, Exemption::Fever, Exemption::Childbirth]);
        assert!(draft(false, vec![]).validate().is_ok());
    }

    #[test]
    fn the_nearest_region_with_an_order_in_effect_decides() {
        let chain = [RegionCode::parse("110105").unwrap(), RegionCode::parse("110000").unwrap()];
        let orders = [order("110000", 100, 1, true), order("110105", 300, 2, false), order("110000", 200, 3, false)];
        assert!(rule_in_force(&orders, &chain, Timestamp::from_millis(99)).is_none());
        assert!(rule_in_force(&orders, &chain, Timestamp::from_millis(150)).unwrap().draft.required);
        // The city lifted it at 200; the district's own order from 300 wins over the city's.
        assert!(!rule_in_force(&orders, &chain, Timestamp::from_millis(250)).unwrap().draft.required);
        let at_300 = rule_in_force(&orders, &chain, Timestamp::from_millis(300)).unwrap();
        assert_eq!(at_300.draft.region_code.to_string(), "110105");
        // Another district of the city follows the city.
        let other = [RegionCode::parse("110108").unwrap(), RegionCode::parse("110000").unwrap()];
        assert_eq!(
            rule_in_force(&orders, &other, Timestamp::from_millis(300)).unwrap().draft.region_code.to_string(),
            "110000"
        );
    }
}
