//! Fever clinics run a queue: a patient checks in (`waiting`), is called to a clinician
//! (`called`), and is either `seen` or `left` without being seen. What the desk records is all
//! the wait estimate needs (see `carebridge_engines::fever`).

use crate::clock::Timestamp;
use crate::ids::{FacilityId, FeverVisitId, UserId};
use crate::service_kind::vocabulary;
use serde::{Deserialize, Serialize};

vocabulary!(
    /// Where a fever-clinic patient stands.
    FeverVisitStatus {
        Waiting = "waiting", "候诊",
        Called = "called", "就诊中",
        Seen = "seen", "已就诊",
        Left = "left", "未就诊离开",
    }
);

impl FeverVisitStatus {
    pub fn label_en(self) -> &'static str {
        match self {
            Self::Waiting => "Waiting",
            Self::Called => "Being seen",
            Self::Seen => "Seen",
            Self::Left => "Left without being seen",
        }
    }

    /// The moves a desk may make: call the waiting, finish the called, and record anyone still
    /// in the queue as gone.
    pub fn may_become(self, next: FeverVisitStatus) -> bool {
        matches!(
            (self, next),
            (Self::Waiting, Self::Called) | (Self::Called, Self::Seen) | (Self::Waiting | Self::Called, Self::Left)
        )
    }
}

/// The default wait, in minutes, past which a region's coordinators are alerted.
pub const DEFAULT_WAIT_ALERT_MINUTES: i64 = 120;

/// One patient's visit.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct FeverVisit {
    pub id: FeverVisitId,
    pub facility_id: FacilityId,
    pub patient_pseudonym: String,
    pub status: FeverVisitStatus,
    pub arrived_at: Timestamp,
    pub called_at: Option<Timestamp>,
    /// When they were seen or left.
    pub finished_at: Option<Timestamp>,
    pub checked_in_by: UserId,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_visit_moves_forward_only() {
        use FeverVisitStatus::*;
        assert!(Waiting.may_become(Called) && Called.may_become(Seen) && Waiting.may_become(Left));
        assert!(!Seen.may_become(Called) && !Waiting.may_become(Seen) && !Left.may_become(Waiting));
    }
}
