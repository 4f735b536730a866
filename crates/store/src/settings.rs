//! Per-region settings: how old a capacity report may get before it is shown as stale.

use crate::backend::{Store, Tx};
use crate::error::StoreError;
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

/// SQL for a facility's effective threshold in milliseconds: the most specific region setting
/// (county, then city, then province), else the default. Expects `LEFT JOIN`s from
/// [`SETTINGS_JOINS`].
pub(crate) const STALE_AFTER_MS: &str =
    "(COALESCE(s_r.stale_after_hours, s_c.stale_after_hours, s_p.stale_after_hours, 12) * 3600000)";

/// The joins [`STALE_AFTER_MS`] reads, for a facilities alias `f`.
pub(crate) const SETTINGS_JOINS: &str = " LEFT JOIN region_settings s_r ON s_r.region_code = f.region_code \
     LEFT JOIN region_settings s_c ON s_c.region_code = f.city_code \
     LEFT JOIN region_settings s_p ON s_p.region_code = f.province_code ";
