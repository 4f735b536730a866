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
    /// Free beds at least the group's patients waiting without a place.
    pub can_absorb: bool,
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
            out.push(GroupStatus {
                group,
                open: members.len(),
                unplaced,
                past_limit: members.iter().filter(|r| r.wait_deadline < now).count(),
                escalated: members.iter().filter(|r| r.escalated_at.is_some()).count(),
                critical_care: CriticalCare {
                    facilities,
                    unit: group.unit(),
                    staffed: beds.staffed,
                    occupied: beds.occupied,
                    held: beds.held,
                    free,
                    load_permille: if beds.staffed > 0 { (beds.occupied + beds.held) * 1000 / beds.staffed } else { 0 },
                    can_absorb: facilities > 0 && free >= i64::try_from(unplaced).unwrap_or(i64::MAX),
                },
            });
        }
        Ok(ProtectedBoard { region_code: region, marked_by, at: now, groups: out })
    }
}
