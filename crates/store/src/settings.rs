//! Per-region settings: how old a capacity report may get before it is shown as stale, the
//! groups a region protects, its placement limits per urgency and its travel rule.

use crate::backend::{Store, Tx};
use crate::error::StoreError;
use carebridge_domain::capacity::DEFAULT_STALE_AFTER_HOURS;
use carebridge_domain::clock::Timestamp;
use carebridge_domain::region::RegionCode;
use sqlx::Row;

/// The threshold a region sets for itself, if any (not inherited).
pub async fn stale_after_hours(store: &Store, region: RegionCode) -> Result<Option<i64>, StoreError> {
    let row = sqlx::query("SELECT stale_after_hours FROM region_settings WHERE region_code = $1")
        .bind(region.to_string())
        .fetch_optional(store.pool())
        .await?;
    Ok(match row {
        Some(r) => Some(r.try_get("stale_after_hours")?),
        None => None,
    })
}

/// Set a region's threshold.
pub async fn set_stale_after_hours(
    tx: &mut Tx,
    region: RegionCode,
    hours: i64,
    now: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO region_settings (region_code, stale_after_hours, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (region_code) DO UPDATE SET stale_after_hours = excluded.stale_after_hours, updated_at = excluded.updated_at",
    )
    .bind(region.to_string())
    .bind(hours)
    .bind(now.millis())
    .execute(&mut *tx.inner)
    .await?;
    Ok(())
}

/// SQL for the effective threshold (milliseconds) of the row at `alias` (which carries
/// `province_code`, `city_code`, `region_code`): a `CASE` built from the settings table, most
/// specific region first. Settings are few, so this reads them once and spares the query a join
/// per row. Codes are validated six-digit strings and hours integers, so they are inlined.
pub(crate) async fn stale_after_case(store: &Store, alias: &str) -> Result<String, StoreError> {
    let rows =
        sqlx::query("SELECT region_code, stale_after_hours FROM region_settings").fetch_all(store.pool()).await?;
    let mut settings: Vec<(RegionCode, i64)> = Vec::with_capacity(rows.len());
    for row in rows {
        let code = crate::rows::region("region_settings", &row.try_get::<String, _>("region_code")?)?;
        settings.push((code, row.try_get("stale_after_hours")?));
    }
    let default_ms = DEFAULT_STALE_AFTER_HOURS * 3_600_000;
    if settings.is_empty() {
        return Ok(default_ms.to_string());
    }
    // Most specific first: county codes, then cities (…00), then provinces (…0000).
    settings.sort_by_key(|(code, _)| trailing_zero_digits(code.as_u32()));
    let mut sql = String::from("(CASE");
    for (code, hours) in &settings {
        // Each code is tested against the one path column of its level, so a rollup that reads
        // only the covering index (province, unit, city, county, …) never touches the table.
        let column = match trailing_zero_digits(code.as_u32()) {
            4.. => "province_code",
            2..=3 => "city_code",
            _ => "region_code",
        };
        sql.push_str(&format!(" WHEN {alias}.{column} = '{code}' THEN {}", hours * 3_600_000));
    }
    sql.push_str(&format!(" ELSE {default_ms} END)"));
    Ok(sql)
}

fn trailing_zero_digits(mut n: u32) -> u32 {
    let mut zeros = 0;
    while n != 0 && n.is_multiple_of(10) {
        n /= 10;
        zeros += 1;
    }
    zeros
}

/// The protected groups `region` marks itself (comma-separated names), if it does.
pub async fn protected_groups(store: &Store, region: RegionCode) -> Result<Option<String>, StoreError> {
    let row = sqlx::query("SELECT groups FROM region_protected_groups WHERE region_code = $1")
        .bind(region.to_string())
        .fetch_optional(store.pool())
        .await?;
    Ok(match row {
        Some(r) => Some(r.try_get("groups")?),
        None => None,
    })
}

/// Mark a region's protected groups (comma-separated names).
pub async fn set_protected_groups(
    tx: &mut Tx,
    region: RegionCode,
    groups: &str,
    by: carebridge_domain::ids::UserId,
    now: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO region_protected_groups (region_code, groups, updated_by, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (region_code) DO UPDATE SET groups = excluded.groups, updated_by = excluded.updated_by, \
         updated_at = excluded.updated_at",
    )
    .bind(region.to_string())
    .bind(groups)
    .bind(by.to_string())
    .bind(now.millis())
    .execute(&mut *tx.inner)
    .await?;
    Ok(())
}

/// One urgency's placement limits as a region sets them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlacementLimit {
    pub urgency: carebridge_domain::referral::Urgency,
    pub max_wait_minutes: i64,
    pub hold_minutes: i64,
    /// The longest one-way trip of one-off care, minutes of the travel estimate.
    pub travel_limit_minutes: i64,
}

/// Every region's own placement limits (a small table, read whole by the service's cache).
pub async fn all_placement_limits(store: &Store) -> Result<Vec<(RegionCode, PlacementLimit)>, StoreError> {
    const T: &str = "region_placement_limits";
    let rows = sqlx::query(
        "SELECT region_code, urgency, max_wait_minutes, hold_minutes, travel_limit_minutes FROM region_placement_limits",
    )
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                crate::rows::region(T, &r.try_get::<String, _>("region_code")?)?,
                PlacementLimit {
                    urgency: crate::rows::vocab(
                        T,
                        &r.try_get::<String, _>("urgency")?,
                        carebridge_domain::referral::Urgency::parse,
                    )?,
                    max_wait_minutes: r.try_get("max_wait_minutes")?,
                    hold_minutes: r.try_get("hold_minutes")?,
                    travel_limit_minutes: r.try_get("travel_limit_minutes")?,
                },
            ))
        })
        .collect()
}

/// Replace a region's own placement limits with `limits` (urgencies left out fall back to the
/// region above).
pub async fn set_placement_limits(
    tx: &mut Tx,
    region: RegionCode,
    limits: &[PlacementLimit],
    by: carebridge_domain::ids::UserId,
    now: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM region_placement_limits WHERE region_code = $1")
        .bind(region.to_string())
        .execute(&mut *tx.inner)
        .await?;
    for l in limits {
        sqlx::query(
            "INSERT INTO region_placement_limits (region_code, urgency, max_wait_minutes, hold_minutes, travel_limit_minutes, \
             updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(region.to_string())
        .bind(l.urgency.as_str())
        .bind(l.max_wait_minutes)
        .bind(l.hold_minutes)
        .bind(l.travel_limit_minutes)
        .bind(by.to_string())
        .bind(now.millis())
        .execute(&mut *tx.inner)
        .await?;
    }
    Ok(())
}

/// A region's travel rule as it sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TravelLimit {
    /// The longest one-way trip of one session of recurring care, minutes.
    pub recurring_session_minutes: i64,
    /// Whether recurring care may be placed in another province.
    pub recurring_cross_province: bool,
    /// Whether one-off care may be placed in another province.
    pub one_off_cross_province: bool,
}

/// Every region's own travel rule (a small table, read whole by the service's cache).
pub async fn all_travel_limits(store: &Store) -> Result<Vec<(RegionCode, TravelLimit)>, StoreError> {
    const T: &str = "region_travel_limits";
    let rows = sqlx::query(
        "SELECT region_code, recurring_session_minutes, recurring_cross_province, one_off_cross_province \
         FROM region_travel_limits",
    )
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                crate::rows::region(T, &r.try_get::<String, _>("region_code")?)?,
                TravelLimit {
                    recurring_session_minutes: r.try_get("recurring_session_minutes")?,
                    recurring_cross_province: r.try_get::<i64, _>("recurring_cross_province")? != 0,
                    one_off_cross_province: r.try_get::<i64, _>("one_off_cross_province")? != 0,
                },
            ))
        })
        .collect()
}

/// Set a region's own travel rule, or with `None` drop it (the region follows the one above).
pub async fn set_travel_limit(
    tx: &mut Tx,
    region: RegionCode,
    limit: Option<TravelLimit>,
    by: carebridge_domain::ids::UserId,
    now: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM region_travel_limits WHERE region_code = $1")
        .bind(region.to_string())
        .execute(&mut *tx.inner)
        .await?;
    if let Some(l) = limit {
        sqlx::query(
            "INSERT INTO region_travel_limits (region_code, recurring_session_minutes, recurring_cross_province, \
             one_off_cross_province, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(region.to_string())
        .bind(l.recurring_session_minutes)
        .bind(i64::from(l.recurring_cross_province))
        .bind(i64::from(l.one_off_cross_province))
        .bind(by.to_string())
        .bind(now.millis())
        .execute(&mut *tx.inner)
        .await?;
    }
    Ok(())
}

/// A region's own limit on future bookings per patient: `service` `None` for every service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BookingLimit {
    pub service: Option<carebridge_domain::service_kind::ServiceKind>,
    pub max_future: i64,
}

/// Every region's own booking limits (a small table, read whole by the service's cache).
pub async fn all_booking_limits(store: &Store) -> Result<Vec<(RegionCode, BookingLimit)>, StoreError> {
    const T: &str = "booking_limits";
    let rows =
        sqlx::query("SELECT region_code, service, max_future FROM booking_limits").fetch_all(store.pool()).await?;
    rows.iter()
        .map(|r| {
            let service: String = r.try_get("service")?;
            Ok((
                crate::rows::region(T, &r.try_get::<String, _>("region_code")?)?,
                BookingLimit {
                    service: match service.as_str() {
                        "*" => None,
                        s => Some(crate::rows::vocab(T, s, carebridge_domain::service_kind::ServiceKind::parse)?),
                    },
                    max_future: r.try_get("max_future")?,
                },
            ))
        })
        .collect()
}

/// Replace a region's own booking limits with `limits` (services left out fall back to the
/// region above).
pub async fn set_booking_limits(
    tx: &mut Tx,
    region: RegionCode,
    limits: &[BookingLimit],
    by: carebridge_domain::ids::UserId,
    now: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM booking_limits WHERE region_code = $1")
        .bind(region.to_string())
        .execute(&mut *tx.inner)
        .await?;
    for l in limits {
        sqlx::query(
            "INSERT INTO booking_limits (region_code, service, max_future, set_by, set_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(region.to_string())
        .bind(l.service.map_or("*", |s| s.as_str()))
        .bind(l.max_future)
        .bind(by.to_string())
        .bind(now.millis())
        .execute(&mut *tx.inner)
        .await?;
    }
    Ok(())
}
