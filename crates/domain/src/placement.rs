//! What placement may never do, by name: the hard constraints a facility must pass to take a
//! patient ([`Exclusion`], in the fixed order the engine tests them), a coordinator's explicit
//! override of some of them for one directed placement ([`ConstraintOverride`]), and the
//! defaults of the travel rule (how far a patient may be sent, and whether across a provincial
//! border) that a region may change for itself.
//!
//! The engine (`carebridge_engines::placement::online`) decides which constraints a facility
//! fails; everything else (the batch plan, displacement, directed placement, pages) names them
//! with these keys, so one word means one rule everywhere.

use crate::error::ValidationErrors;
use crate::service_kind::vocabulary;
use crate::text::{self, rules};
use serde::{Deserialize, Serialize};

vocabulary!(
    /// The hard constraints, in the order they are tested; a facility is excluded by the first
    /// it fails (and a directed placement refused by every one it fails).
    ///
    /// - `service_not_offered`: the facility does not offer the care needed.
    /// - `children_only`: a children's hospital, and the patient is not a child.
    /// - `no_paediatric_care`: the patient is a child and the facility offers no paediatrics.
    /// - `already_declined`: the facility declined this referral, or let its offer lapse.
    /// - `too_far`: the one-way trip is longer than the region's travel limit (per session for
    ///   recurring care).
    /// - `cross_province`: the facility is in another province and the patient's region does
    ///   not allow that for this kind of care.
    /// - `not_taking_new_patients`: closed to new patients, by order or by its own flag.
    /// - `virus_designated`: a patient not known to be infected is never sent into a
    ///   virus-designated facility.
    /// - `no_isolation`: a confirmed or suspected patient needs a virus-designated facility or
    ///   a free isolation bed.
    /// - `no_staffed_bed_free`: the unit was never reported, or has no staffed bed free after
    ///   holds.
    Exclusion {
        ServiceNotOffered = "service_not_offered", "不提供所需诊疗服务",
        ChildrenOnly = "children_only", "儿童医院只收治儿童",
        NoPaediatricCare = "no_paediatric_care", "无儿科，不收治儿童",
        AlreadyDeclined = "already_declined", "此前已拒绝或未答复此转诊",
        TooFar = "too_far", "超出转运时间上限",
        CrossProvince = "cross_province", "跨省（本地区不允许）",
        NotTakingNewPatients = "not_taking_new_patients", "暂停接收新患者",
        VirusDesignated = "virus_designated", "新冠定点医院（未感染患者不送往）",
        NoIsolation = "no_isolation", "无空余隔离床位",
        NoStaffedBedFree = "no_staffed_bed_free", "无开放空床",
    }
);

impl Exclusion {
    /// What the constraint protects, in a sentence (problem details, logs).
    pub fn explain_en(self) -> &'static str {
        match self {
            Self::ServiceNotOffered => "the facility does not offer the care the patient needs",
            Self::ChildrenOnly => "a children's hospital takes only children, and the patient is not a child",
            Self::NoPaediatricCare => "the patient is a child and the facility offers no paediatric care",
            Self::AlreadyDeclined => "the facility declined this referral before",
            Self::TooFar => "the trip is longer than the travel limit of the patient's region",
            Self::CrossProvince => {
                "the facility is in another province, which the patient's region does not allow for this care"
            }
            Self::NotTakingNewPatients => "the facility is closed to new patients",
            Self::VirusDesignated => "the facility is virus-designated and the patient is not known to be infected",
            Self::NoIsolation => "the patient needs isolation and the facility has no isolation bed free",
            Self::NoStaffedBedFree => "the facility has no staffed bed free in the patient's unit",
        }
    }
}

/// A coordinator's explicit decision to direct a patient to a facility that breaks some hard
/// constraints: which, and why. Audited and shown on the referral's timeline and on the offer
/// the receiving desk reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConstraintOverride {
    /// Every hard constraint the facility breaks for this patient (the 409 without an override
    /// names them).
    #[schema(min_items = 1, max_items = 10)]
    pub constraints: Vec<Exclusion>,
    /// Why the coordinator overrides them: required.
    #[schema(schema_with = text::schemas::reason)]
    pub reason: String,
}

impl ConstraintOverride {
    /// Check the reason and the list (under `pointer`, e.g. `/override`); the constraints come
    /// back sorted in the engine's order, without repeats, the reason trimmed.
    pub fn validate(mut self, pointer: &str) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if let Some(problem) = rules::REASON.problem(&self.reason) {
            errors.push(format!("{pointer}/reason"), format!("{problem}: say why the constraints are overridden"));
        }
        if self.constraints.is_empty() {
            errors.push(format!("{pointer}/constraints"), "name at least one constraint");
        }
        if self.constraints.len() > 10 {
            errors.push(format!("{pointer}/constraints"), "at most 10 constraints");
        }
        self.constraints.sort();
        self.constraints.dedup();
        self.reason = self.reason.trim().to_string();
        errors.finish(self)
    }
}

/// The default one-way limit of one session of recurring care (dialysis), in minutes of the
/// travel estimate: a patient dialysing two or three times a week makes that trip four to six
/// times a week, for years.
pub const DEFAULT_RECURRING_SESSION_MINUTES: i64 = 60;

/// By default a recurring patient is never placed in another province: the sessions go on for
/// years and the patient's care (and insurance) is provincial.
pub const DEFAULT_RECURRING_CROSS_PROVINCE: bool = false;

/// By default one-off care may cross a provincial border (the offer says so): in a surge a bed
/// in the next province beats no bed, and the patient travels once.
pub const DEFAULT_ONE_OFF_CROSS_PROVINCE: bool = true;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_constraints_keep_their_order_and_keys() {
        let keys: Vec<&str> = Exclusion::ALL.iter().map(|e| e.as_str()).collect();
        assert_eq!(
            keys,
            [
                "service_not_offered",
                "children_only",
                "no_paediatric_care",
                "already_declined",
                "too_far",
                "cross_province",
                "not_taking_new_patients",
                "virus_designated",
                "no_isolation",
                "no_staffed_bed_free",
            ]
        );
        for (i, e) in Exclusion::ALL.iter().enumerate() {
            assert_eq!(*e as usize, i, "the discriminant is the position: the engine counts by it");
        }
    }

    #[test]
    fn an_override_needs_a_reason_and_a_constraint() {
        let bad = ConstraintOverride { constraints: vec![], reason: "  ".into() };
        let e = bad.validate("/override").expect_err("no reason, no constraint");
        let pointers: Vec<&str> = e.0.iter().map(|f| f.pointer.as_str()).collect();
        assert_eq!(pointers, ["/override/reason", "/override/constraints"]);
        let ok = ConstraintOverride {
            constraints: vec![Exclusion::NoStaffedBedFree, Exclusion::VirusDesignated, Exclusion::VirusDesignated],
            reason: " Only ventilator left in the city. ".into(),
        }
        .validate("/override")
        .expect("valid");
        assert_eq!(ok.constraints, [Exclusion::VirusDesignated, Exclusion::NoStaffedBedFree]);
        assert_eq!(ok.reason, "Only ventilator left in the city.");
    }
}
