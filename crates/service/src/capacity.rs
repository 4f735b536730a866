//! Capacity: desks report, everyone with a reason reads, coordinators roll up.

use crate::capacity_writer::{write_alone, Job};
use crate::context::{actor_of, Carebridge, RequestMeta};
use crate::error::ServiceError;
use crate::followup::Freed;
use crate::scope;
use carebridge_domain::capacity::{
    CapacityReport, CapacityReportDraft, FacilityCapacity, Rollup, RollupRow, Totals, Unit, UnitAge,
    DEFAULT_STALE_AFTER_HOURS,
};
use carebridge_domain::clock::Timestamp;
use carebridge_domain::ids::FacilityId;
use carebridge_domain::page::{decode_cursor, decode_number_cursor, encode_cursor, page_size, Page};
use carebridge_domain::region::{RegionCode, RegionLevel};
use carebridge_domain::user::{Principal, Role};
use carebridge_store::capacity::{self as store_capacity, CurrentRow, GroupBy};
use carebridge_store::{settings, Visibility};
use serde::Serialize;

/// One point of a region's occupancy series.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SeriesPoint {
    pub at: Timestamp,
    pub unit: Unit,
    #[serde(flatten)]
    pub totals: Totals,
    pub facilities: i64,
}

/// A region's stale threshold, as set or inherited.
#[derive(Debug, Clone, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaleSetting {
    /// 1 to 720 hours.
    #[schema(minimum = 1, maximum = 720)]
    pub stale_after_hours: i64,
}

fn to_capacity(row: CurrentRow, now: Timestamp) -> FacilityCapacity {
    let as_of = row.oldest_as_of();
    let age_ms = as_of.map(|t| (now.millis() - t.millis()).max(0));
    let newest_as_of = row.units.iter().map(|u| u.as_of).max();
    let unit_ages = row
        .units
        .iter()
        .map(|u| {
            let ms = (now.millis() - u.as_of.millis()).max(0);
            UnitAge { unit: u.report.unit, as_of: u.as_of, age_seconds: ms / 1000, stale: ms > row.stale_after_ms }
        })
        .collect();
    FacilityCapacity {
        newest_as_of,
        unit_ages,
        facility_id: row.facility_id,
        facility_name_zh: row.name_zh,
        facility_name_en: row.name_en,
        region_code: row.region_code,
        designation: row.designation,
        as_of,
        age_seconds: age_ms.map(|ms| ms / 1000),
        // Numbers never reported are as stale as numbers can be.
        stale: age_ms.is_none_or(|ms| ms > row.stale_after_ms),
        units: row.units.into_iter().map(|u| u.report).collect(),
    }
}

impl Carebridge {
    /// Record a capacity report from a facility's desk (or a coordinator over it).
    pub async fn report_capacity(
        &self,
        p: &Principal,
        draft: CapacityReportDraft,
        meta: &RequestMeta,
    ) -> Result<CapacityReport, ServiceError> {
        let now = self.now();
        let draft = draft.validate_with(now, self.surge_factor)?;
        if !(p.role == Role::FacilityDesk || p.role.is_coordinator()) {
            return Err(ServiceError::Forbidden(format!("a {} cannot report capacity", p.role)));
        }
        // Whether the facility exists and is the caller's is checked by the writer, inside the
        // transaction that writes the report.
        let visibility = scope::capacity_writer(&self.regions, p)?;
        let freed = Freed::by_report(&draft);
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job = Job { principal: p.clone(), visibility, meta: meta.clone(), draft, reply };
        let report = match self.report_writer().submit(job).await {
            Ok(()) => answer.await.map_err(|_| ServiceError::Internal("the capacity writer stopped".into()))?,
            // The writer's runtime is gone (e.g. a test runtime ended): write directly.
            Err(job) => write_alone(self, &job).await,
        }?;
        // Free beds go to the referrals waiting for them now (`followup.rs`), not at the
        // sweep's next retry.
        if let Some(freed) = freed {
            self.follow_freed_beds(freed);
        }
        Ok(report)
    }

    /// Current capacity of the facilities the caller may see, in a region subtree if given.
    pub async fn current_capacity(
        &self,
        p: &Principal,
        region: Option<&str>,
        cursor: Option<&str>,
        limit: Option<u32>,
    ) -> Result<Page<FacilityCapacity>, ServiceError> {
        let vis = self.narrow(scope::capacity_reader(&self.regions, p)?, region).await?;
        let limit = page_size(limit).map_err(|e| ServiceError::invalid("/limit", e))?;
        let after = cursor.map(decode_cursor).transpose().map_err(|e| ServiceError::invalid("/cursor", e))?;
        let now = self.now();
        let mut rows = store_capacity::current(&self.store, vis, after.as_deref(), limit, now).await?;
        let next = if rows.len() > limit as usize {
            rows.truncate(limit as usize);
            rows.last().map(|r| encode_cursor(&r.facility_id.to_string()))
        } else {
            None
        };
        Ok(Page { items: rows.into_iter().map(|r| to_capacity(r, now)).collect(), next_cursor: next })
    }

    /// One facility's current capacity (404 when out of scope or never reported).
    pub async fn facility_capacity(&self, p: &Principal, id: FacilityId) -> Result<FacilityCapacity, ServiceError> {
        let vis = scope::capacity_reader(&self.regions, p)?;
        let facility = self.visible_facility(vis, id).await?;
        let now = self.now();
        let rows = store_capacity::current(&self.store, Visibility::Facility(id), None, 1, now).await?;
        // A facility that has never reported exists all the same: no units, no as-of, stale.
        Ok(rows.into_iter().next().map(|r| to_capacity(r, now)).unwrap_or(FacilityCapacity {
            facility_id: facility.id,
            facility_name_zh: facility.draft.name_zh,
            facility_name_en: facility.draft.name_en,
            region_code: facility.draft.region_code,
            designation: facility.designation,
            as_of: None,
            age_seconds: None,
            stale: true,
            units: Vec::new(),
            newest_as_of: None,
            unit_ages: Vec::new(),
        }))
    }

    /// A facility's report history, newest first.
    pub async fn capacity_history(
        &self,
        p: &Principal,
        id: FacilityId,
        cursor: Option<&str>,
        limit: Option<u32>,
    ) -> Result<Page<CapacityReport>, ServiceError> {
        let vis = scope::capacity_reader(&self.regions, p)?;
        self.visible_facility(vis, id).await?;
        let limit = page_size(limit).map_err(|e| ServiceError::invalid("/limit", e))?;
        let before = cursor.map(decode_number_cursor).transpose().map_err(|e| ServiceError::invalid("/cursor", e))?;
        let (reports, next) = store_capacity::history(&self.store, id, vis, before, limit).await?;
        let current = store_capacity::current(&self.store, Visibility::Facility(id), None, 1, self.now()).await?;
        // In history, `became_current` marks the reports that stand as (part of) the current
        // state now.
        let standing: Vec<(carebridge_domain::capacity::Unit, Timestamp)> =
            current.first().map(|c| c.units.iter().map(|u| (u.report.unit, u.as_of)).collect()).unwrap_or_default();
        let items = reports
            .into_iter()
            .map(|r| CapacityReport {
                id: r.id,
                became_current: r.draft.units.iter().any(|u| standing.contains(&(u.unit, r.draft.as_of))),
                draft: r.draft,
                reported_by: r.reported_by,
                received_at: r.received_at,
            })
            .collect();
        Ok(Page { items, next_cursor: next.map(|s| encode_cursor(&s.to_string())) })
    }

    /// Intersect a reader's visibility with an optional region filter.
    async fn narrow(&self, vis: Visibility, region: Option<&str>) -> Result<Visibility, ServiceError> {
        let Some(code) = self.region_filter(region, "/region")? else { return Ok(vis) };
        let wanted = scope::region_visibility(&self.regions, Some(code));
        let inside = match vis {
            Visibility::All => true,
            Visibility::Province(c) | Visibility::City(c) | Visibility::County(c) => self.regions.contains(c, code),
            // A facility's own reader keeps its facility when it lies in the region asked for.
            Visibility::Facility(f) => {
                let facility = self.visible_facility(vis, f).await?;
                return if self.regions.contains(code, facility.draft.region_code) {
                    Ok(vis)
                } else {
                    Err(ServiceError::NotFound)
                };
            }
            Visibility::None => false,
        };
        if inside {
            Ok(wanted)
        } else {
            Err(ServiceError::NotFound)
        }
    }

    /// The rollup of a region (the caller's own when `region` is absent): physical, staffed,
    /// occupied and available per sub-region and unit (and designation, if asked), with how
    /// many facilities in each sum are stale.
    pub async fn rollup(
        &self,
        p: &Principal,
        region: Option<&str>,
        by_designation: bool,
    ) -> Result<Rollup, ServiceError> {
        let governed = scope::rollup_reader(p)?;
        let asked = self.region_filter(region, "/region")?;
        let root = match (governed, asked) {
            (_, None) => governed,
            (None, Some(a)) => Some(a),
            (Some(g), Some(a)) if self.regions.contains(g, a) => Some(a),
            _ => return Err(ServiceError::NotFound),
        };
        self.rollup_of(root, by_designation).await
    }

    /// The rollup of `root` without authorisation (for the bench and internal callers).
    pub async fn rollup_of(&self, root: Option<RegionCode>, by_designation: bool) -> Result<Rollup, ServiceError> {
        let vis = scope::region_visibility(&self.regions, root);
        let group = match self.regions.breakdown_level(root) {
            RegionLevel::Province => GroupBy::Province,
            RegionLevel::City => GroupBy::City,
            RegionLevel::County => GroupBy::County,
        };
        let now = self.now();
        let lines = store_capacity::rollup(&self.store, vis, group, by_designation, now).await?;
        let rows = lines
            .into_iter()
            .map(|l| RollupRow {
                region_name: self.regions.get(l.region_code).map(|r| r.name.clone()).unwrap_or_default(),
                region_code: l.region_code,
                unit: l.unit,
                designation: l.designation,
                totals: l.totals,
                facilities: l.facilities,
                stale_facilities: l.stale_facilities,
            })
            .collect();
        Ok(Rollup { region_code: root, as_of: now, rows })
    }

    /// The occupancy series of a region over the last `days`, in 6-hour buckets.
    pub async fn capacity_series(
        &self,
        p: &Principal,
        region: Option<&str>,
        days: i64,
    ) -> Result<Vec<SeriesPoint>, ServiceError> {
        let vis = self.narrow(scope::capacity_reader(&self.regions, p)?, region).await?;
        if !(1..=90).contains(&days) {
            return Err(ServiceError::invalid("/days", "must be between 1 and 90"));
        }
        let since = self.now().minus_hours(days * 24);
        let points = store_capacity::series(&self.store, vis, since, 6 * 3_600_000).await?;
        Ok(points
            .into_iter()
            .map(|p| SeriesPoint { at: p.bucket_start, unit: p.unit, totals: p.totals, facilities: p.facilities })
            .collect())
    }

    /// The stale threshold in force for a region (its own, else its ancestors', else the default).
    pub async fn stale_setting(&self, region: RegionCode) -> Result<StaleSetting, ServiceError> {
        let mut cursor = Some(region);
        while let Some(code) = cursor {
            if let Some(h) = settings::stale_after_hours(&self.store, code).await? {
                return Ok(StaleSetting { stale_after_hours: h });
            }
            cursor = self.regions.get(code).and_then(|r| r.parent);
        }
        Ok(StaleSetting { stale_after_hours: DEFAULT_STALE_AFTER_HOURS })
    }

    /// A coordinator sets the stale threshold of a region they govern.
    pub async fn set_stale_setting(
        &self,
        p: &Principal,
        region: &str,
        s: StaleSetting,
        meta: &RequestMeta,
    ) -> Result<StaleSetting, ServiceError> {
        let c = scope::coordinator(p)?;
        let code = self.regions.lookup(region).map_err(|e| ServiceError::invalid("/region", e))?.code;
        if !c.governs(&self.regions, code) {
            return Err(ServiceError::NotFound);
        }
        if !(1..=720).contains(&s.stale_after_hours) {
            return Err(ServiceError::invalid("/stale_after_hours", "must be between 1 and 720"));
        }
        let mut tx = self.store.begin().await?;
        settings::set_stale_after_hours(&mut tx, code, s.stale_after_hours, self.now()).await?;
        self.audit(
            &mut tx,
            &actor_of(p),
            meta,
            "region.settings",
            "region",
            &code.to_string(),
            serde_json::to_value(&s).unwrap_or_default(),
        )
        .await?;
        tx.commit().await?;
        Ok(s)
    }
}
