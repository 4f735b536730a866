//! Placement limits a region sets for itself, inherited by the regions below it unless they set
//! their own; where no region above sets one, the defaults apply.
//!
//! - Per urgency (`Urgency::default_*`): the longest wait before a referral escalates, how long
//!   an offer holds its bed, and the longest one-way trip of **one-off care**, in minutes of
//!   the travel estimate (`carebridge_engines::placement::online::travel_minutes`; straight-line
//!   km until migration 0006, which converted each region's setting at the estimate's speeds).
//! - The travel rule (`carebridge_domain::placement::DEFAULT_*`): the one-way limit of one
//!   session of **recurring care** (dialysis; default 60 minutes), and whether recurring
//!   (default no) and one-off care (default yes) may be placed in another province. A region
//!   sets the rule as a whole.
//!
//! A recurring referral travels within the smaller of its session limit and its urgency's
//! one-off limit (both bind); a one-off referral within its urgency's limit. Beyond the limit
//! a patient is never placed: they are unplaced `too_far` and escalated (see `referrals`).
//!
//! The tables are small and read on every filing and placement, so the service keeps them in
//! memory: reloaded when this process changes them and at most a minute after another process
//! did.
//!
//! - Bookings (`carebridge_domain::booking::DEFAULT_BOOKINGS_PER_SERVICE`): the most future
//!   bookings of one service a patient may hold, per service or for every service (`*`); at
//!   each region up the tree a service's own setting wins over the region's `*`.
//!
//! | action | who |
//! | --- | --- |
//! | read | anyone signed in |
//! | set, drop the travel rule | a coordinator governing the region |

use crate::context::{actor_of, Carebridge, RequestMeta};
use crate::error::ServiceError;
use crate::scope;
use carebridge_domain::booking::DEFAULT_BOOKINGS_PER_SERVICE;
use carebridge_domain::clock::Timestamp;
use carebridge_domain::error::ValidationErrors;
use carebridge_domain::placement::{
    DEFAULT_ONE_OFF_CROSS_PROVINCE, DEFAULT_RECURRING_CROSS_PROVINCE, DEFAULT_RECURRING_SESSION_MINUTES,
};
use carebridge_domain::referral::{RecurringSchedule, Urgency};
use carebridge_domain::region::RegionCode;
use carebridge_domain::service_kind::ServiceKind;
use carebridge_domain::user::Principal;
use carebridge_engines::placement::online::TravelRule;
use carebridge_store::settings::{self, BookingLimit, PlacementLimit, TravelLimit};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// How long the in-memory copy is trusted for changes made by other processes.
const CACHE_FOR: Duration = Duration::from_secs(60);

/// Bounds of a one-off trip limit, minutes: five minutes to two days.
const ONE_OFF_MINUTES: std::ops::RangeInclusive<i64> = 5..=2_880;

/// Bounds of a recurring session's trip limit, minutes: ten minutes to four hours.
const SESSION_MINUTES: std::ops::RangeInclusive<i64> = 10..=240;

/// Every region's own limits, by region and urgency, and own travel rules.
#[derive(Debug, Default)]
struct Loaded {
    limits: HashMap<(RegionCode, Urgency), PlacementLimit>,
    travel: HashMap<RegionCode, TravelLimit>,
    /// Future bookings per patient, by region and service (`None`: every service).
    booking: HashMap<(RegionCode, Option<ServiceKind>), i64>,
}

/// The limits in memory and when they were read.
#[derive(Debug, Default)]
pub(crate) struct LimitsCache {
    loaded: Option<(Instant, std::sync::Arc<Loaded>)>,
}

/// One urgency's limits in force in a region, and which region set them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UrgencyLimits {
    pub urgency: Urgency,
    pub max_wait_minutes: i64,
    pub hold_minutes: i64,
    /// The longest one-way trip of one-off care, minutes of the travel estimate.
    pub travel_limit_minutes: i64,
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
    /// The longest one-way trip of one-off care at this urgency, minutes of the travel
    /// estimate: 5 minutes to 2 days.
    #[schema(minimum = 5, maximum = 2880)]
    pub travel_limit_minutes: i64,
}

/// The travel rule in force in a region, and which region set it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TravelLimits {
    /// The longest one-way trip of one session of recurring care (dialysis), minutes.
    pub recurring_session_minutes: i64,
    /// Whether recurring care may be placed in another province.
    pub recurring_cross_province: bool,
    /// Whether one-off care may be placed in another province (the offer says when it is).
    pub one_off_cross_province: bool,
    /// The region whose rule this is (this one or the nearest above); `None` for the default.
    #[serde(default, skip_deserializing)]
    #[schema(value_type = Option<String>)]
    pub set_by: Option<RegionCode>,
}

/// A region's own travel rule, as a whole (the one-off trip limits are per urgency, in the
/// placement limits).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TravelLimitsBody {
    /// The longest one-way trip of one session of recurring care, minutes: 10 to 240.
    #[schema(minimum = 10, maximum = 240)]
    pub recurring_session_minutes: i64,
    /// Whether recurring care may be placed in another province.
    pub recurring_cross_province: bool,
    /// Whether one-off care may be placed in another province.
    pub one_off_cross_province: bool,
}

/// The nearest setting up the region tree from `region` (the region itself first) that `get`
/// finds, and the region that set it: the one walk every inherited setting uses.
pub(crate) fn inherited_in<T>(
    regions: &carebridge_domain::region::Regions,
    region: RegionCode,
    get: impl Fn(RegionCode) -> Option<T>,
) -> Option<(T, RegionCode)> {
    let mut at = Some(region);
    while let Some(code) = at {
        if let Some(v) = get(code) {
            return Some((v, code));
        }
        at = regions.get(code).and_then(|r| r.parent);
    }
    None
}

/// The future bookings of `service` a patient may hold in `region` (a service's own setting
/// wins over the every-service one at each level), and the region that set it.
fn booking_limit_in(
    regions: &carebridge_domain::region::Regions,
    loaded: &Loaded,
    region: RegionCode,
    service: ServiceKind,
) -> (i64, Option<RegionCode>) {
    let found = inherited_in(regions, region, |code| {
        loaded.booking.get(&(code, Some(service))).or_else(|| loaded.booking.get(&(code, None))).copied()
    });
    match found {
        Some((n, code)) => (n, Some(code)),
        None => (DEFAULT_BOOKINGS_PER_SERVICE, None),
    }
}

fn default_limit(urgency: Urgency) -> PlacementLimit {
    PlacementLimit {
        urgency,
        max_wait_minutes: urgency.default_max_wait_minutes(),
        hold_minutes: urgency.default_hold_minutes(),
        travel_limit_minutes: urgency.default_travel_limit_minutes(),
    }
}

const DEFAULT_TRAVEL: TravelLimit = TravelLimit {
    recurring_session_minutes: DEFAULT_RECURRING_SESSION_MINUTES,
    recurring_cross_province: DEFAULT_RECURRING_CROSS_PROVINCE,
    one_off_cross_province: DEFAULT_ONE_OFF_CROSS_PROVINCE,
};

fn travel_view(l: TravelLimit, set_by: Option<RegionCode>) -> TravelLimits {
    TravelLimits {
        recurring_session_minutes: l.recurring_session_minutes,
        recurring_cross_province: l.recurring_cross_province,
        one_off_cross_province: l.one_off_cross_province,
        set_by,
    }
}

/// Every complaint about a region's own limits, by pointer (empty when they may be set): the
/// rules `set_placement_limits` applies, for a form to show beside its fields before sending.
pub fn check_limits(body: &LimitsBody) -> ValidationErrors {
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
        if !ONE_OFF_MINUTES.contains(&l.travel_limit_minutes) {
            errors.push(format!("/limits/{i}/travel_limit_minutes"), "must be 5 minutes to 2 days (2880)");
        }
    }
    errors
}

/// Every complaint about a region's own travel rule, by pointer (empty when it may be set).
pub fn check_travel(body: &TravelLimitsBody) -> ValidationErrors {
    let mut errors = ValidationErrors::default();
    if !SESSION_MINUTES.contains(&body.recurring_session_minutes) {
        errors.push("/recurring_session_minutes", "must be 10 to 240 minutes");
    }
    errors
}

impl Carebridge {
    fn limits_cache(&self) -> std::sync::MutexGuard<'_, LimitsCache> {
        self.placement_limits.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Every region's own settings, from memory if fresh.
    async fn loaded_limits(&self) -> Result<std::sync::Arc<Loaded>, ServiceError> {
        if let Some((at, loaded)) = self.limits_cache().loaded.as_ref() {
            if at.elapsed() < CACHE_FOR {
                return Ok(loaded.clone());
            }
        }
        let limits = settings::all_placement_limits(&self.store).await?;
        let travel = settings::all_travel_limits(&self.store).await?;
        let booking = settings::all_booking_limits(&self.store).await?;
        let loaded = std::sync::Arc::new(Loaded {
            limits: limits.into_iter().map(|(r, l)| ((r, l.urgency), l)).collect(),
            travel: travel.into_iter().collect(),
            booking: booking.into_iter().map(|(r, l)| ((r, l.service), l.max_future)).collect(),
        });
        self.limits_cache().loaded = Some((Instant::now(), loaded.clone()));
        Ok(loaded)
    }

    /// The nearest region from `region` up (itself first) for which `get` answers.
    fn inherited<T: Copy>(&self, region: RegionCode, get: impl Fn(RegionCode) -> Option<T>) -> Option<(T, RegionCode)> {
        inherited_in(&self.regions, region, get)
    }

    /// The limits in force for `urgency` in `region`, and the region that set them.
    pub(crate) async fn limit_for(
        &self,
        region: RegionCode,
        urgency: Urgency,
    ) -> Result<(PlacementLimit, Option<RegionCode>), ServiceError> {
        let loaded = self.loaded_limits().await?;
        Ok(match self.inherited(region, |code| loaded.limits.get(&(code, urgency)).copied()) {
            Some((l, code)) => (l, Some(code)),
            None => (default_limit(urgency), None),
        })
    }

    /// The travel rule in force in `region`, and the region that set it.
    pub(crate) async fn travel_limit_for(
        &self,
        region: RegionCode,
    ) -> Result<(TravelLimit, Option<RegionCode>), ServiceError> {
        let loaded = self.loaded_limits().await?;
        Ok(match self.inherited(region, |code| loaded.travel.get(&code).copied()) {
            Some((l, code)) => (l, Some(code)),
            None => (DEFAULT_TRAVEL, None),
        })
    }

    /// How far a patient of `region` may be sent for care of `urgency` (recurring when it has
    /// a `schedule`): the travel rule placement applies, and the one-off limit of the urgency
    /// (how far the engine reads, so that a recurring patient beyond their session limit is
    /// told places exist farther away).
    pub(crate) async fn travel_rule(
        &self,
        region: RegionCode,
        urgency: Urgency,
        schedule: Option<RecurringSchedule>,
    ) -> Result<(TravelRule, i64), ServiceError> {
        let (limit, _) = self.limit_for(region, urgency).await?;
        let (travel, _) = self.travel_limit_for(region).await?;
        let rule = match schedule {
            Some(_) => TravelRule {
                limit_minutes: travel.recurring_session_minutes.min(limit.travel_limit_minutes),
                cross_province: travel.recurring_cross_province,
            },
            None => {
                TravelRule { limit_minutes: limit.travel_limit_minutes, cross_province: travel.one_off_cross_province }
            }
        };
        Ok((rule, limit.travel_limit_minutes.max(rule.limit_minutes)))
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
                travel_limit_minutes: l.travel_limit_minutes,
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
        let errors = check_limits(&body);
        let limits: Vec<PlacementLimit> = errors
            .finish(body.limits)?
            .into_iter()
            .map(|l| PlacementLimit {
                urgency: l.urgency,
                max_wait_minutes: l.max_wait_minutes,
                hold_minutes: l.hold_minutes,
                travel_limit_minutes: l.travel_limit_minutes,
            })
            .collect();
        let mut tx = self.store.begin().await?;
        settings::set_placement_limits(&mut tx, region, &limits, p.user_id, self.now()).await?;
        let change = serde_json::json!({
            "limits": limits.iter().map(|l| serde_json::json!({
                "urgency": l.urgency, "max_wait_minutes": l.max_wait_minutes,
                "hold_minutes": l.hold_minutes, "travel_limit_minutes": l.travel_limit_minutes,
            })).collect::<Vec<_>>(),
        });
        self.audit(&mut tx, &actor_of(p), meta, "region.placement_limits", "region", &region.to_string(), change)
            .await?;
        tx.commit().await?;
        self.limits_cache().loaded = None;
        self.placement_limits(p, region).await
    }

    /// The travel rule in force in a region.
    pub async fn travel_limits(&self, _p: &Principal, region: RegionCode) -> Result<TravelLimits, ServiceError> {
        if self.regions.get(region).is_none() {
            return Err(ServiceError::NotFound);
        }
        let (l, set_by) = self.travel_limit_for(region).await?;
        Ok(travel_view(l, set_by))
    }

    /// Set a region's own travel rule (`Some`), or drop it (`None`) so the region follows the
    /// one above; answers the rule in force after.
    pub async fn set_travel_limits(
        &self,
        p: &Principal,
        region: RegionCode,
        body: Option<TravelLimitsBody>,
        meta: &RequestMeta,
    ) -> Result<TravelLimits, ServiceError> {
        let c = scope::coordinator(p)?;
        if self.regions.get(region).is_none() || !c.governs(&self.regions, region) {
            return Err(ServiceError::NotFound);
        }
        let limit = match body {
            Some(b) => Some(check_travel(&b).finish(TravelLimit {
                recurring_session_minutes: b.recurring_session_minutes,
                recurring_cross_province: b.recurring_cross_province,
                one_off_cross_province: b.one_off_cross_province,
            })?),
            None => None,
        };
        let mut tx = self.store.begin().await?;
        settings::set_travel_limit(&mut tx, region, limit, p.user_id, self.now()).await?;
        let change = match limit {
            Some(l) => serde_json::json!({ "travel": travel_view(l, Some(region)) }),
            None => serde_json::json!({ "travel": null, "inherited": true }),
        };
        self.audit(&mut tx, &actor_of(p), meta, "region.travel_limits", "region", &region.to_string(), change).await?;
        tx.commit().await?;
        self.limits_cache().loaded = None;
        self.travel_limits(p, region).await
    }

    /// The most future bookings of `service` one patient may hold at a facility of `region`,
    /// and the region that set it (`None`: the default).
    pub(crate) async fn booking_limit_for(
        &self,
        region: RegionCode,
        service: ServiceKind,
    ) -> Result<(i64, Option<RegionCode>), ServiceError> {
        let loaded = self.loaded_limits().await?;
        Ok(booking_limit_in(&self.regions, &loaded, region, service))
    }

    /// [`Self::booking_limit_for`] as a function of the settings in memory now, for the
    /// booking writer to apply inside its transaction.
    pub(crate) async fn booking_limit_fn(&self) -> Result<carebridge_store::booking_group::LimitOf, ServiceError> {
        let loaded = self.loaded_limits().await?;
        let regions = std::sync::Arc::clone(&self.regions);
        Ok(std::sync::Arc::new(move |region: RegionCode, service: ServiceKind| {
            booking_limit_in(&regions, &loaded, region, service).0
        }))
    }

    /// The booking limits in force in a region: its own and inherited settings, and the default.
    pub async fn booking_limits(&self, _p: &Principal, region: RegionCode) -> Result<BookingLimits, ServiceError> {
        if self.regions.get(region).is_none() {
            return Err(ServiceError::NotFound);
        }
        let loaded = self.loaded_limits().await?;
        let mut limits = Vec::new();
        for service in std::iter::once(None).chain(ServiceKind::ALL.iter().map(|s| Some(*s))) {
            let found = self.inherited(region, |code| loaded.booking.get(&(code, service)).copied());
            if let Some((n, code)) = found {
                limits.push(BookingLimitView { service, max_future: n, set_by: Some(code) });
            }
        }
        Ok(BookingLimits { default_max_future: DEFAULT_BOOKINGS_PER_SERVICE, limits })
    }

    /// Set a region's own booking limits (replacing what it set before; an empty list drops
    /// them, so the region follows the one above).
    pub async fn set_booking_limits(
        &self,
        p: &Principal,
        region: RegionCode,
        body: BookingLimitsBody,
        meta: &RequestMeta,
    ) -> Result<BookingLimits, ServiceError> {
        let c = scope::coordinator(p)?;
        if self.regions.get(region).is_none() || !c.governs(&self.regions, region) {
            return Err(ServiceError::NotFound);
        }
        let mut errors = ValidationErrors::default();
        let mut seen = Vec::new();
        for (i, l) in body.limits.iter().enumerate() {
            if seen.contains(&l.service) {
                errors.push(format!("/limits/{i}/service"), "set once per service");
            }
            seen.push(l.service);
            if !BOOKING_LIMIT.contains(&l.max_future) {
                errors.push(format!("/limits/{i}/max_future"), "must be 1 to 20 future bookings");
            }
        }
        let limits: Vec<BookingLimit> = errors
            .finish(body.limits)?
            .into_iter()
            .map(|l| BookingLimit { service: l.service, max_future: l.max_future })
            .collect();
        let mut tx = self.store.begin().await?;
        settings::set_booking_limits(&mut tx, region, &limits, p.user_id, self.now()).await?;
        let change = serde_json::json!({
            "limits": limits.iter().map(|l| serde_json::json!({ "service": l.service, "max_future": l.max_future }))
                .collect::<Vec<_>>(),
        });
        self.audit(&mut tx, &actor_of(p), meta, "region.booking_limits", "region", &region.to_string(), change).await?;
        tx.commit().await?;
        self.limits_cache().loaded = None;
        self.booking_limits(p, region).await
    }
}

/// Bounds of a booking limit: one to twenty future bookings.
const BOOKING_LIMIT: std::ops::RangeInclusive<i64> = 1..=20;

/// The booking limits in force in a region.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct BookingLimits {
    /// Where no region up the tree sets a limit.
    pub default_max_future: i64,
    /// Every setting in force here: `service` null for every service.
    pub limits: Vec<BookingLimitView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct BookingLimitView {
    pub service: Option<ServiceKind>,
    pub max_future: i64,
    /// The region whose setting this is (this one or the nearest above).
    #[schema(value_type = Option<String>)]
    pub set_by: Option<RegionCode>,
}

/// A region's own booking limits: services left out fall back to the region above.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookingLimitsBody {
    #[schema(max_items = 64)]
    pub limits: Vec<BookingLimitInput>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookingLimitInput {
    /// The service, or null for every service.
    #[serde(default)]
    pub service: Option<ServiceKind>,
    /// 1 to 20.
    #[schema(minimum = 1, maximum = 20)]
    pub max_future: i64,
}
