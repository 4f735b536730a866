//! Placement limits per urgency that a region sets for itself: the longest wait before a
//! referral escalates, how long an offer holds its bed, and the longest trip. A region's limits
//! hold for the regions below it unless they set their own; where no region above sets one, the
//! urgency's defaults apply (`Urgency::default_*`).
//!
//! The table is small and read on every filing and placement, so the service keeps it in
//! memory: reloaded when this process changes it and at most a minute after another process
//! did.
//!
//! | action | who |
//! | --- | --- |
//! | read | anyone signed in |
//! | set | a coordinator governing the region |

use crate::context::{actor_of, Carebridge, RequestMeta};
use crate::error::ServiceError;
use crate::scope;
use carebridge_domain::clock::Timestamp;
use carebridge_domain::error::ValidationErrors;
use carebridge_domain::referral::Urgency;
use carebridge_domain::region::RegionCode;
use carebridge_domain::user::Principal;
use carebridge_store::settings::{self, PlacementLimit};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// How long the in-memory copy is trusted for changes made by other processes.
const CACHE_FOR: Duration = Duration::from_secs(60);

/// Every region's own limits, by region and urgency.
type LimitsByRegion = HashMap<(RegionCode, Urgency), PlacementLimit>;

/// The limits in memory and when they were read.
#[derive(Debug, Default)]
pub(crate) struct LimitsCache {
    loaded: Option<(Instant, LimitsByRegion)>,
}

/// One urgency's limits in force in a region, and which region set them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UrgencyLimits {
    pub urgency: Urgency,
    pub max_wait_minutes: i64,
    pub hold_minutes: i64,
    pub travel_limit_km: f64,
    /// The region whose setting this is (this one or the nearest above); `None` for the default.
    #[serde(default, skip_deserializing)]
    #[schema(value_type = Option<String>)]
    pub set_by: Option<RegionCode>,
}

/// A region's own limits: urgencies left out fall back to the region above.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LimitsBody {
    /// At most one entry per urgency.
    #[schema(max_items = 4)]
    pub limits: Vec<LimitInput>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LimitInput {
    pub urgency: Urgency,
    /// 5 minutes to 30 days.
    #[schema(minimum = 5, maximum = 43200)]
    pub max_wait_minutes: i64,
    /// 5 minutes to a day, and no longer than `max_wait_minutes`.
    #[schema(minimum = 5, maximum = 1440)]
    pub hold_minutes: i64,
    /// More than 0 and at most 3000 km.
    #[schema(exclusive_minimum = 0, maximum = 3000)]
    pub travel_limit_km: f64,
}

fn default_limit(urgency: Urgency) -> PlacementLimit {
    PlacementLimit {
        urgency,
        max_wait_minutes: urgency.default_max_wait_minutes(),
        hold_minutes: urgency.default_hold_minutes(),
        travel_limit_km: urgency.default_travel_limit_km(),
    }
}

impl Carebridge {
    fn limits_cache(&self) -> std::sync::MutexGuard<'_, LimitsCache> {
        self.placement_limits.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The limits in force for `urgency` in `region`, and the region that set them.
    pub(crate) async fn limit_for(
        &self,
        region: RegionCode,
        urgency: Urgency,
    ) -> Result<(PlacementLimit, Option<RegionCode>), ServiceError> {
        let fresh = self.limits_cache().loaded.as_ref().is_some_and(|(at, _)| at.elapsed() < CACHE_FOR);
        if !fresh {
            let all = settings::all_placement_limits(&self.store).await?;
            let map = all.into_iter().map(|(r, l)| ((r, l.urgency), l)).collect();
            self.limits_cache().loaded = Some((Instant::now(), map));
        }
        let cache = self.limits_cache();
        let Some((_, map)) = cache.loaded.as_ref() else { return Ok((default_limit(urgency), None)) };
        let mut at = Some(region);
        while let Some(code) = at {
            if let Some(l) = map.get(&(code, urgency)) {
                return Ok((*l, Some(code)));
            }
            at = self.regions.get(code).and_then(|r| r.parent);
        }
        Ok((default_limit(urgency), None))
    }

    /// When an offer made now to a patient of `region` stops holding its bed.
    pub(crate) async fn hold_until(
        &self,
        region: RegionCode,
        urgency: Urgency,
        now: Timestamp,
    ) -> Result<Timestamp, ServiceError> {
        let (limit, _) = self.limit_for(region, urgency).await?;
        Ok(Timestamp::from_millis(now.millis() + limit.hold_minutes * 60_000))
    }

    /// The limits in force in a region, every urgency.
    pub async fn placement_limits(
        &self,
        _p: &Principal,
        region: RegionCode,
    ) -> Result<Vec<UrgencyLimits>, ServiceError> {
        if self.regions.get(region).is_none() {
            return Err(ServiceError::NotFound);
        }
        let mut out = Vec::new();
        for urgency in Urgency::ALL {
            let (l, set_by) = self.limit_for(region, *urgency).await?;
            out.push(UrgencyLimits {
                urgency: *urgency,
                max_wait_minutes: l.max_wait_minutes,
                hold_minutes: l.hold_minutes,
                travel_limit_km: l.travel_limit_km,
                set_by,
            });
        }
        Ok(out)
    }

    /// Set a region's own limits (replacing what it set before).
    pub async fn set_placement_limits(
        &self,
        p: &Principal,
        region: RegionCode,
        body: LimitsBody,
        meta: &RequestMeta,
    ) -> Result<Vec<UrgencyLimits>, ServiceError> {
        let c = scope::coordinator(p)?;
        if self.regions.get(region).is_none() || !c.governs(&self.regions, region) {
            return Err(ServiceError::NotFound);
        }
        let mut errors = ValidationErrors::default();
        let mut seen = Vec::new();
        for (i, l) in body.limits.iter().enumerate() {
            if seen.contains(&l.urgency) {
                errors.push(format!("/limits/{i}/urgency"), "set once per urgency");
            }
            seen.push(l.urgency);
            if !(5..=43_200).contains(&l.max_wait_minutes) {
                errors.push(format!("/limits/{i}/max_wait_minutes"), "must be 5 minutes to 30 days");
            }
            if !(5..=1_440).contains(&l.hold_minutes) {
                errors.push(format!("/limits/{i}/hold_minutes"), "must be 5 minutes to a day");
            } else if l.hold_minutes > l.max_wait_minutes {
                errors.push(format!("/limits/{i}/hold_minutes"), "a hold cannot outlast the maximum wait");
            }
            if !(l.travel_limit_km.is_finite() && l.travel_limit_km > 0.0 && l.travel_limit_km <= 3_000.0) {
                errors.push(format!("/limits/{i}/travel_limit_km"), "must be more than 0 and at most 3000 km");
            }
        }
        let limits: Vec<PlacementLimit> = errors
            .finish(body.limits)?
            .into_iter()
            .map(|l| PlacementLimit {
                urgency: l.urgency,
                max_wait_minutes: l.max_wait_minutes,
                hold_minutes: l.hold_minutes,
                travel_limit_km: l.travel_limit_km,
            })
            .collect();
        let mut tx = self.store.begin().await?;
        settings::set_placement_limits(&mut tx, region, &limits, p.user_id, self.now()).await?;
        let change = serde_json::json!({
            "limits": limits.iter().map(|l| serde_json::json!({
                "urgency": l.urgency, "max_wait_minutes": l.max_wait_minutes,
                "hold_minutes": l.hold_minutes, "travel_limit_km": l.travel_limit_km,
            })).collect::<Vec<_>>(),
        });
        self.audit(&mut tx, &actor_of(p), meta, "region.placement_limits", "region", &region.to_string(), change)
            .await?;
        tx.commit().await?;
        self.limits_cache().loaded = None;
        self.placement_limits(p, region).await
    }
}
