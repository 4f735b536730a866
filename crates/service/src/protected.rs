//! Protected groups: the care a region marks as must-keep in a surge (dialysis, cancer surgery,
//! maternity, emergency surgery), and the coordinator's board of how each group is doing.
//!
//! Per group the board counts the open referrals, those waiting without a place, those past
//! their maximum wait and those escalated, and sets them against the region's non-virus
//! critical-care hospitals: how many of them offer the group's service, and their staffed,
//! occupied, held and free beds in the group's unit, so "designated" never hides "overwhelmed".
//! A region's marking is inherited by the regions below it; with none anywhere above, all four
//! groups are protected.
//!
//! | action | who |
//! | --- | --- |
//! | read the board, mark groups | a coordinator governing the region |

use crate::context::{actor_of, Carebridge, RequestMeta};
use crate::error::ServiceError;
use crate::scope;
use carebridge_domain::capacity::Unit;
use carebridge_domain::clock::Timestamp;
use carebridge_domain::designation::Designation;
use carebridge_domain::referral::{unit_for, ReferralDraft, ReferralStatus, Urgency};
use carebridge_domain::region::RegionCode;
use carebridge_domain::service_kind::ServiceKind;
use carebridge_domain::user::Principal;
use carebridge_store::referrals::{self as store, ReferralFilter, ReferralScope};
use carebridge_store::settings;
use serde::{Deserialize, Serialize};

/// A group of patients whose care must go on in a surge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProtectedGroup {
    Dialysis,
    CancerSurgery,
    Maternity,
    EmergencySurgery,
}

impl ProtectedGroup {
    pub const ALL: [ProtectedGroup; 4] = [Self::Dialysis, Self::CancerSurgery, Self::Maternity, Self::EmergencySurgery];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dialysis => "dialysis",
            Self::CancerSurgery => "cancer_surgery",
            Self::Maternity => "maternity",
            Self::EmergencySurgery => "emergency_surgery",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.as_str() == s)
    }

    /// The service whose beds the group needs (what the critical-care check counts).
    pub fn service(self) -> ServiceKind {
        match self {
            Self::Dialysis => ServiceKind::Dialysis,
            Self::CancerSurgery => ServiceKind::OncologySurgery,
            Self::Maternity => ServiceKind::Maternity,
            Self::EmergencySurgery => ServiceKind::GeneralSurgery,
        }
    }

    pub fn unit(self) -> Unit {
        unit_for(self.service())
    }

    /// Whether a referral belongs to the group.
    pub fn includes(self, d: &ReferralDraft) -> bool {
        match self {
            Self::Dialysis => d.need == ServiceKind::Dialysis,
            Self::CancerSurgery => d.need == ServiceKind::OncologySurgery,
            Self::Maternity => d.need == ServiceKind::Maternity,
            Self::EmergencySurgery => {
                matches!(d.need, ServiceKind::GeneralSurgery | ServiceKind::Neurosurgery)
                    && d.urgency == Urgency::Emergency
            }
        }
    }
}

/// A region's marking.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProtectedGroups {
    pub groups: Vec<ProtectedGroup>,
}

/// Whether the region's non-virus critical-care hospitals can take a group's waiting patients.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CriticalCare {
    /// Non-virus critical-care hospitals in the region offering the group's service.
    pub facilities: usize,
    pub unit: Unit,
    pub staffed: i64,
    pub occupied: i64,
    pub held: i64,
    pub free: i64,
    /// Occupied and held over staffed, per mille (1000 = full).
    pub load_permille: i64,
    /// The beds can take the group's patients waiting without a place: [`Absorb::CanAbsorb`] or
    /// [`Absorb::NearlyFull`] of [`CriticalCare::absorb`] (a free bed exists, the load is under
    /// 100 %, and there are at least as many free beds as patients waiting).
    pub can_absorb: bool,
}

/// Load (occupied and held over staffed, per mille) from which beds that can still take the
/// waiting patients are called nearly full: at 90 % a surge ward has hours, not days, of room.
pub const NEARLY_FULL_PERMILLE: i64 = 900;

/// What the board says of a group's critical-care beds, decided from the numbers it shows
/// beside the words, so the two never disagree:
///
/// | verdict | when |
/// | --- | --- |
/// | `NoCriticalCare` | no non-virus critical-care hospital offers the care, or none reported staffed beds |
/// | `Overwhelmed` | no free bed, or load at or above 100 %, or fewer free beds than patients waiting without a place |
/// | `NearlyFull` | otherwise, with load at or above [`NEARLY_FULL_PERMILLE`] |
/// | `CanAbsorb` | otherwise |
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Absorb {
    NoCriticalCare,
    Overwhelmed,
    NearlyFull,
    CanAbsorb,
}

impl CriticalCare {
    /// The verdict for `unplaced` patients waiting without a place (see [`Absorb`]).
    pub fn absorb(&self, unplaced: usize) -> Absorb {
        let waiting = i64::try_from(unplaced).unwrap_or(i64::MAX);
        if self.facilities == 0 || self.staffed <= 0 {
            Absorb::NoCriticalCare
        } else if self.free <= 0 || self.load_permille >= 1000 || self.free < waiting {
            Absorb::Overwhelmed
        } else if self.load_permille >= NEARLY_FULL_PERMILLE {
            Absorb::NearlyFull
        } else {
            Absorb::CanAbsorb
        }
    }
}

/// One group on the board.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct GroupStatus {
    pub group: ProtectedGroup,
    /// Open referrals: pending, offered, accepted, escalated.
    pub open: usize,
    /// Waiting without a place held (pending or escalated).
    pub unplaced: usize,
    /// Open and past their maximum wait.
    pub past_limit: usize,
    pub escalated: usize,
    pub critical_care: CriticalCare,
}

/// The board.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ProtectedBoard {
    #[schema(value_type = String)]
    pub region_code: RegionCode,
    /// The region whose marking applies (this one or the nearest above), `None` for the default.
    #[schema(value_type = Option<String>)]
    pub marked_by: Option<RegionCode>,
    pub at: Timestamp,
    pub groups: Vec<GroupStatus>,
}

impl Carebridge {
    /// Mark the groups a region protects.
    pub async fn set_protected_groups(
        &self,
        p: &Principal,
        region: RegionCode,
        body: ProtectedGroups,
        meta: &RequestMeta,
    ) -> Result<Vec<ProtectedGroup>, ServiceError> {
        let c = scope::coordinator(p)?;
        if self.regions.get(region).is_none() || !c.governs(&self.regions, region) {
            return Err(ServiceError::NotFound);
        }
        let mut groups = body.groups;
        groups.sort();
        groups.dedup();
        let text: Vec<&str> = groups.iter().map(|g| g.as_str()).collect();
        let mut tx = self.store.begin().await?;
        settings::set_protected_groups(&mut tx, region, &text.join(","), p.user_id, self.now()).await?;
        let change = serde_json::json!({ "groups": groups });
        self.audit(&mut tx, &actor_of(p), meta, "region.protected_groups", "region", &region.to_string(), change)
            .await?;
        tx.commit().await?;
        Ok(groups)
    }

    /// The groups protected in `region`: its own marking, else the nearest region above it
    /// that has one, else all of them.
    async fn protected_groups_of(
        &self,
        region: RegionCode,
    ) -> Result<(Vec<ProtectedGroup>, Option<RegionCode>), ServiceError> {
        let mut at = Some(region);
        while let Some(code) = at {
            if let Some(text) = settings::protected_groups(&self.store, code).await? {
                let groups = text.split(',').filter_map(ProtectedGroup::parse).collect();
                return Ok((groups, Some(code)));
            }
            at = self.regions.get(code).and_then(|r| r.parent);
        }
        Ok((ProtectedGroup::ALL.to_vec(), None))
    }

    /// The coordinator's board of protected groups for a region.
    pub async fn protected_board(&self, p: &Principal, region: RegionCode) -> Result<ProtectedBoard, ServiceError> {
        let c = scope::coordinator(p)?;
        if self.regions.get(region).is_none() {
            return Err(ServiceError::invalid("/region", "no such region"));
        }
        if !c.governs(&self.regions, region) {
            return Err(ServiceError::NotFound);
        }
        let (groups, marked_by) = self.protected_groups_of(region).await?;
        let visibility = scope::region_visibility(&self.regions, Some(region));
        let now = self.now();
        let filter = ReferralFilter {
            statuses: vec![
                ReferralStatus::Pending,
                ReferralStatus::Offered,
                ReferralStatus::Accepted,
                ReferralStatus::Escalated,
            ],
            overdue_at: None,
            escalated: false,
        };
        let mut open = Vec::new();
        let mut before: Option<String> = None;
        loop {
            let page =
                store::list(&self.store, ReferralScope::Region(visibility), &filter, before.as_deref(), 500).await?;
            let more = page.len() > 500;
            open.extend(page.into_iter().take(500).map(|s| s.referral));
            if !more {
                break;
            }
            before = open.last().map(|r| r.id.to_string());
        }
        let mut out = Vec::with_capacity(groups.len());
        for group in groups {
            let members: Vec<_> = open.iter().filter(|r| group.includes(&r.draft)).collect();
            let unplaced = members
                .iter()
                .filter(|r| matches!(r.status, ReferralStatus::Pending | ReferralStatus::Escalated))
                .count();
            let (facilities, beds) = store::designated_beds(
                &self.store,
                visibility,
                Designation::NonVirusCritical,
                group.service(),
                group.unit(),
                now,
            )
            .await?;
            let free = beds.free().max(0);
            let mut critical_care = CriticalCare {
                facilities,
                unit: group.unit(),
                staffed: beds.staffed,
                occupied: beds.occupied,
                held: beds.held,
                free,
                load_permille: if beds.staffed > 0 { (beds.occupied + beds.held) * 1000 / beds.staffed } else { 0 },
                can_absorb: false,
            };
            critical_care.can_absorb = matches!(critical_care.absorb(unplaced), Absorb::CanAbsorb | Absorb::NearlyFull);
            out.push(GroupStatus {
                group,
                open: members.len(),
                unplaced,
                past_limit: members.iter().filter(|r| r.wait_deadline < now).count(),
                escalated: members.iter().filter(|r| r.escalated_at.is_some()).count(),
                critical_care,
            });
        }
        Ok(ProtectedBoard { region_code: region, marked_by, at: now, groups: out })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn beds(facilities: usize, staffed: i64, occupied: i64, held: i64) -> CriticalCare {
        CriticalCare {
            facilities,
            unit: Unit::Icu,
            staffed,
            occupied,
            held,
            free: (staffed - occupied - held).max(0),
            load_permille: if staffed > 0 { (occupied + held) * 1000 / staffed } else { 0 },
            can_absorb: false,
        }
    }

    #[test]
    fn the_verdict_follows_the_numbers() {
        // The field report: 0 of 281 free at 117 % load, nobody waiting, read "can absorb".
        assert_eq!(beds(6, 281, 329, 0).absorb(0), Absorb::Overwhelmed);
        assert_eq!(beds(6, 281, 281, 0).absorb(0), Absorb::Overwhelmed, "full is never can absorb");
        assert_eq!(beds(6, 100, 90, 10).absorb(0), Absorb::Overwhelmed, "held beds count");
        assert_eq!(beds(6, 100, 95, 0).absorb(6), Absorb::Overwhelmed, "5 free for 6 waiting");
        assert_eq!(beds(6, 100, 95, 0).absorb(5), Absorb::NearlyFull);
        assert_eq!(beds(6, 100, 90, 0).absorb(0), Absorb::NearlyFull, "90 % is the threshold");
        assert_eq!(beds(6, 100, 89, 0).absorb(3), Absorb::CanAbsorb);
        assert_eq!(beds(0, 0, 0, 0).absorb(0), Absorb::NoCriticalCare);
        assert_eq!(beds(3, 0, 0, 0).absorb(0), Absorb::NoCriticalCare, "no staffed bed reported");
    }
}
