//! Designations are orders, not a field: each is a versioned, reasoned, numbered decision by a
//! coordinator of the facility's region, effective from a time. The current designation is the
//! latest order already in effect; history is never rewritten.

use crate::clock::Timestamp;
use crate::error::ValidationErrors;
use crate::ids::{FacilityId, OrderId, UserId};
use crate::service_kind::vocabulary;
use crate::text::{self, rules};
use serde::{Deserialize, Serialize};

vocabulary!(
    /// What a facility is designated for during a surge.
    Designation {
        General = "general", "综合",
        VirusDesignated = "virus_designated", "新冠定点",
        NonVirusCritical = "non_virus_critical", "非新冠危重症定点",
        NonVirusEmergency = "non_virus_emergency", "非新冠急诊定点",
        ClosedToNew = "closed_to_new", "暂停接收",
    }
);

impl Designation {
    pub fn label_en(self) -> &'static str {
        match self {
            Self::General => "General",
            Self::VirusDesignated => "Virus-designated",
            Self::NonVirusCritical => "Non-virus critical care",
            Self::NonVirusEmergency => "Non-virus emergency",
            Self::ClosedToNew => "Closed to new patients",
        }
    }
}

/// An order as a coordinator submits it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DesignationOrderDraft {
    pub facility_id: FacilityId,
    pub designation: Designation,
    /// When the order takes effect; may be in the future.
    pub effective_at: Timestamp,
    #[schema(schema_with = text::schemas::reason)]
    pub reason: String,
    /// The authority's document number, e.g. "鄂防指〔2020〕12号".
    #[schema(schema_with = text::schemas::order_number)]
    pub order_number: String,
}

impl DesignationOrderDraft {
    pub fn validate(mut self) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        rules::REASON.check(&mut errors, "/reason", &self.reason);
        rules::ORDER_NUMBER.check(&mut errors, "/order_number", &self.order_number);
        self.reason = self.reason.trim().to_string();
        self.order_number = self.order_number.trim().to_string();
        errors.finish(self)
    }
}

/// A recorded order.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct DesignationOrder {
    pub id: OrderId,
    #[serde(flatten)]
    pub draft: DesignationOrderDraft,
    pub ordered_by: UserId,
    pub ordered_at: Timestamp,
}

/// The designation in force at `now`: the order with the latest effective time not after `now`
/// (ties broken by when it was ordered); `General` when none is in force.
pub fn current_designation(orders: &[DesignationOrder], now: Timestamp) -> Designation {
    orders
        .iter()
        .filter(|o| o.draft.effective_at <= now)
        .max_by_key(|o| (o.draft.effective_at, o.ordered_at))
        .map(|o| o.draft.designation)
        .unwrap_or(Designation::General)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(designation: Designation, effective: i64, ordered: i64) -> DesignationOrder {
        DesignationOrder {
            id: OrderId::new_v7(),
            draft: DesignationOrderDraft {
                facility_id: FacilityId(uuid::Uuid::nil()),
                designation,
                effective_at: Timestamp::from_millis(effective),
                reason: "r".into(),
                order_number: "n".into(),
            },
            ordered_by: UserId(uuid::Uuid::nil()),
            ordered_at: Timestamp::from_millis(ordered),
        }
    }

    #[test]
    fn the_latest_order_in_effect_wins_and_future_orders_wait() {
        let orders = [
            order(Designation::VirusDesignated, 100, 50),
            order(Designation::NonVirusCritical, 300, 60),
            order(Designation::ClosedToNew, 100, 70),
        ];
        assert_eq!(current_designation(&orders, Timestamp::from_millis(99)), Designation::General);
        assert_eq!(current_designation(&orders, Timestamp::from_millis(200)), Designation::ClosedToNew);
        assert_eq!(current_designation(&orders, Timestamp::from_millis(300)), Designation::NonVirusCritical);
    }
}
