//! Typed identifiers: a report id passed where a facility id is wanted fails to compile.
//!
//! All are UUIDs; new ones are version 7 (time-ordered), which keeps B-tree inserts local and
//! gives cursor pagination a stable order. Minting happens in the service layer, which owns the
//! clock; the domain only names them.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! typed_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(transparent)]
        #[schema(value_type = String, format = Uuid)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new time-ordered id.
            pub fn new_v7() -> Self {
                Self(Uuid::now_v7())
            }
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

typed_id!(
    /// A hospital, clinic or temporary site.
    FacilityId
);
typed_id!(
    /// A person who signs in.
    UserId
);
typed_id!(
    /// One capacity report (all units of one facility at one as-of time).
    ReportId
);
typed_id!(
    /// One designation order.
    OrderId
);
typed_id!(
    /// One audit record.
    AuditId
);
typed_id!(
    /// One referral: a patient's need for a place.
    ReferralId
);
typed_id!(
    /// One offer of a held bed to a referral.
    OfferId
);
typed_id!(
    /// One step of a referral's timeline.
    EventId
);
typed_id!(
    /// One batch placement plan (previewed, then applied).
    PlanId
);
typed_id!(
    /// One published schedule (a service's weekly templates at one facility).
    ScheduleId
);
typed_id!(
    /// One bookable slot.
    SlotId
);
typed_id!(
    /// One booking of a slot.
    BookingId
);
typed_id!(
    /// One closure of a facility's service for some days.
    ClosureId
);
typed_id!(
    /// One patient's place on a waitlist.
    WaitlistId
);
typed_id!(
    /// One notice to a patient about their booking or waitlist place.
    NoticeId
);
typed_id!(
    /// One order of the online-registration rule for a region.
    RegistrationOrderId
);
typed_id!(
    /// One patient's arrival checked in at a facility's desk.
    CheckInId
);
typed_id!(
    /// One patient's visit to a fever clinic's queue.
    FeverVisitId
);
typed_id!(
    /// One patient's request for an online consultation.
    ConsultationId
);
