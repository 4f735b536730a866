//! Facilities: insert, update with optimistic concurrency, and scoped, filtered, paginated lists.
//!
//! The current designation is derived on read from the order history (see
//! [`crate::designations`]), never stored on the facility.

use crate::backend::{Store, Tx};
use crate::error::StoreError;
use crate::rows;
use crate::sql::{Arg, SqlBuilder};
use crate::visibility::Visibility;
use carebridge_domain::clock::Timestamp;
use carebridge_domain::designation::Designation;
use carebridge_domain::facility::{Facility, FacilityDraft, FacilityLevel, GeoPoint};
use carebridge_domain::ids::FacilityId;
use carebridge_domain::region::RegionPath;
use carebridge_domain::service_kind::ServiceKind;
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::HashMap;

/// Filters of the facility list; all optional, combined with AND.
#[derive(Debug, Clone, Default)]
pub struct FacilityFilter {
    pub service: Option<ServiceKind>,
    pub designation: Option<Designation>,
    pub level: Option<FacilityLevel>,
    /// Case-insensitive substring of either name or the address.
    pub text: Option<String>,
    pub takes_new_patients: Option<bool>,
}

/// The derived current designation of facility alias `f` at bind `$now_param`.
pub(crate) fn designation_sql(now_param: &str) -> String {
    designation_sql_for("f.id", now_param)
}

/// The derived current designation of the facility whose id is `id_column`.
pub(crate) fn designation_sql_for(id_column: &str, now_param: &str) -> String {
    format!(
        "COALESCE((SELECT d.designation FROM designation_orders d WHERE d.facility_id = {id_column} \
         AND d.effective_at <= {now_param} ORDER BY d.effective_at DESC, d.ordered_at DESC LIMIT 1), 'general')"
    )
}

const COLUMNS: &str = "f.id, f.name_zh, f.name_en, f.region_code, f.level, f.lon, f.lat, f.address, \
     f.phone, f.services, f.takes_new_patients, f.paediatric_only, f.version";

fn services_text(services: &[ServiceKind]) -> String {
    let mut s = String::from(",");
    for x in services {
        s.push_str(x.as_str());
        s.push(',');
    }
    s
}

/// The `services` column read back: `",icu,emergency,"` → the services, in stored order.
pub(crate) fn services_from_text(text: &str) -> Result<Vec<ServiceKind>, StoreError> {
    text.split(',').filter(|s| !s.is_empty()).map(|s| rows::vocab("facilities", s, ServiceKind::parse)).collect()
}

pub(crate) fn facility_from_row(row: &AnyRow) -> Result<Facility, StoreError> {
    const T: &str = "facilities";
    let services = services_from_text(&row.try_get::<String, _>("services")?)?;
    let designation: String = row.try_get("designation")?;
    Ok(Facility {
        id: rows::parse(T, &row.try_get::<String, _>("id")?)?,
        draft: FacilityDraft {
            name_zh: row.try_get("name_zh")?,
            name_en: row.try_get("name_en")?,
            region_code: rows::region(T, &row.try_get::<String, _>("region_code")?)?,
            level: rows::vocab(T, &row.try_get::<String, _>("level")?, FacilityLevel::parse)?,
            location: GeoPoint { lon: row.try_get("lon")?, lat: row.try_get("lat")? },
            address: row.try_get("address")?,
            phone: row.try_get("phone")?,
            services,
            takes_new_patients: row.try_get::<i64, _>("takes_new_patients")? != 0,
            paediatric_only: row.try_get::<i64, _>("paediatric_only")? != 0,
        },
        designation: rows::vocab(T, &designation, Designation::parse)?,
        version: row.try_get("version")?,
    })
}

/// Insert a new facility at version 1.
pub async fn insert(
    tx: &mut Tx,
    id: FacilityId,
    draft: &FacilityDraft,
    path: RegionPath,
    now: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO facilities (id, name_zh, name_en, region_code, city_code, province_code, level, lon, lat, \
         address, phone, services, takes_new_patients, paediatric_only, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 1, $15, $15)",
    )
    .bind(id.to_string())
    .bind(draft.name_zh.as_str())
    .bind(draft.name_en.as_str())
    .bind(path.region.to_string())
    .bind(path.city.to_string())
    .bind(path.province.to_string())
    .bind(draft.level.as_str())
    .bind(draft.location.lon)
    .bind(draft.location.lat)
    .bind(draft.address.as_str())
    .bind(draft.phone.as_str())
    .bind(services_text(&draft.services))
    .bind(i64::from(draft.takes_new_patients))
    .bind(i64::from(draft.paediatric_only))
    .bind(now.millis())
    .execute(&mut *tx.inner)
    .await
    .map_err(|e| crate::error::map_unique(e, "a facility with this id exists"))?;
    tx.touch(id);
    Ok(())
}

/// What an update found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateOutcome {
    Updated {
        version: i64,
    },
    /// The facility exists (and is visible) but is at another version.
    VersionMismatch {
        current: i64,
    },
}

/// Replace a facility's fields if it is visible and still at `expected_version` (when given).
pub async fn update(
    tx: &mut Tx,
    id: FacilityId,
    draft: &FacilityDraft,
    path: RegionPath,
    expected_version: Option<i64>,
    visibility: Visibility,
    now: Timestamp,
) -> Result<UpdateOutcome, StoreError> {
    let mut q = SqlBuilder::new("SELECT f.version FROM facilities f WHERE f.id = ");
    q.bind_text(id.to_string());
    visibility.push_condition(&mut q, "f", "id");
    let current: i64 = match q.query().fetch_optional(&mut *tx.inner).await? {
        Some(row) => row.try_get("version")?,
        None => return Err(StoreError::NotFound),
    };
    if let Some(expected) = expected_version {
        if expected != current {
            return Ok(UpdateOutcome::VersionMismatch { current });
        }
    }
    sqlx::query(
        "UPDATE facilities SET name_zh = $1, name_en = $2, region_code = $3, city_code = $4, province_code = $5, \
         level = $6, lon = $7, lat = $8, address = $9, phone = $10, services = $11, takes_new_patients = $12, \
         paediatric_only = $13, version = version + 1, updated_at = $14 WHERE id = $15 AND version = $16",
    )
    .bind(draft.name_zh.as_str())
    .bind(draft.name_en.as_str())
    .bind(path.region.to_string())
    .bind(path.city.to_string())
    .bind(path.province.to_string())
    .bind(draft.level.as_str())
    .bind(draft.location.lon)
    .bind(draft.location.lat)
    .bind(draft.address.as_str())
    .bind(draft.phone.as_str())
    .bind(services_text(&draft.services))
    .bind(i64::from(draft.takes_new_patients))
    .bind(i64::from(draft.paediatric_only))
    .bind(now.millis())
    .bind(id.to_string())
    .bind(current)
    .execute(&mut *tx.inner)
    .await?;
    // Keep the copied region path of the current capacity in step.
    sqlx::query("UPDATE capacity_now SET province_code = $1, city_code = $2, region_code = $3 WHERE facility_id = $4")
        .bind(path.province.to_string())
        .bind(path.city.to_string())
        .bind(path.region.to_string())
        .bind(id.to_string())
        .execute(&mut *tx.inner)
        .await?;
    tx.touch(id);
    Ok(UpdateOutcome::Updated { version: current + 1 })
}

/// Where each of `ids` sits (those that exist), read inside a write transaction so that a
/// group of writes is authorised against the same state it commits on.
pub async fn paths(tx: &mut Tx, ids: &[FacilityId]) -> Result<HashMap<FacilityId, RegionPath>, StoreError> {
    const T: &str = "facilities";
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let mut q = SqlBuilder::new("SELECT id, province_code, city_code, region_code FROM facilities WHERE id IN ");
        q.bind_text_list(chunk);
        for row in q.query().fetch_all(&mut *tx.inner).await? {
            let id: FacilityId = rows::parse(T, &row.try_get::<String, _>("id")?)?;
            let path = region_path(
                &row.try_get::<String, _>("province_code")?,
                &row.try_get::<String, _>("city_code")?,
                &row.try_get::<String, _>("region_code")?,
            )?;
            out.insert(id, path);
        }
    }
    Ok(out)
}

/// A facility's stored path columns (province, city, county codes) as a [`RegionPath`].
pub(crate) fn region_path(province: &str, city: &str, region: &str) -> Result<RegionPath, StoreError> {
    const T: &str = "facilities";
    Ok(RegionPath {
        province: rows::region(T, province)?,
        city: rows::region(T, city)?,
        region: rows::region(T, region)?,
    })
}

fn select(now: Timestamp) -> SqlBuilder {
    let mut q = SqlBuilder::new("SELECT * FROM (SELECT ");
    let now_p = q.placeholder(Arg::I64(now.millis()));
    q.push(COLUMNS)
        .push(", f.province_code, f.city_code, ")
        .push(&designation_sql(&now_p))
        .push(" AS designation FROM facilities f WHERE 1 = 1");
    q
}

/// One facility, if visible.
pub async fn get(
    store: &Store,
    id: FacilityId,
    visibility: Visibility,
    now: Timestamp,
) -> Result<Facility, StoreError> {
    let mut q = select(now);
    q.push(" AND f.id = ").bind_text(id.to_string());
    visibility.push_condition(&mut q, "f", "id");
    q.push(") x");
    let row = q.query().fetch_optional(store.pool()).await?.ok_or(StoreError::NotFound)?;
    facility_from_row(&row)
}

/// Several facilities by id (those visible), in id order.
pub async fn get_many(store: &Store, ids: &[FacilityId], now: Timestamp) -> Result<Vec<Facility>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = select(now);
    q.push(" AND f.id IN ").bind_text_list(ids).push(") x ORDER BY x.id");
    q.query().fetch_all(store.pool()).await?.iter().map(facility_from_row).collect()
}

/// Escape `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern.
pub(crate) fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A page of facilities ordered by id, after `after` if given; returns `limit + 1` rows at most
/// so the caller knows whether another page exists.
pub async fn list(
    store: &Store,
    visibility: Visibility,
    filter: &FacilityFilter,
    after: Option<&str>,
    limit: u32,
    now: Timestamp,
) -> Result<Vec<Facility>, StoreError> {
    let mut q = select(now);
    visibility.push_condition(&mut q, "f", "id");
    if let Some(s) = filter.service {
        q.push(" AND f.services LIKE ").bind_text(format!("%,{},%", s.as_str()));
    }
    if let Some(l) = filter.level {
        q.push(" AND f.level = ").bind_text(l.as_str());
    }
    if let Some(text) = filter.text.as_deref().filter(|t| !t.trim().is_empty()) {
        let pattern = format!("%{}%", like_escape(&text.trim().to_lowercase()));
        q.push(" AND (LOWER(f.name_zh) LIKE ").bind_text(pattern.clone());
        q.push(" ESCAPE '\\' OR LOWER(f.name_en) LIKE ").bind_text(pattern.clone());
        q.push(" ESCAPE '\\' OR LOWER(f.address) LIKE ").bind_text(pattern);
        q.push(" ESCAPE '\\')");
    }
    if let Some(after) = after {
        q.push(" AND f.id > ").bind_text(after);
    }
    q.push(") x WHERE 1 = 1");
    if let Some(d) = filter.designation {
        q.push(" AND x.designation = ").bind_text(d.as_str());
    }
    if let Some(t) = filter.takes_new_patients {
        // Taking new patients now: the flag, no closing order, and for a non-virus service no
        // virus designation (such a hospital takes only virus patients).
        let mut closed = vec![Designation::ClosedToNew];
        if filter.service.is_some_and(|s| !s.is_virus_care()) {
            closed.push(Designation::VirusDesignated);
        }
        q.push(if t {
            " AND x.takes_new_patients = 1 AND x.designation NOT IN ("
        } else {
            " AND (x.takes_new_patients = 0 OR x.designation IN ("
        });
        for (i, d) in closed.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.bind_text(d.as_str());
        }
        q.push(if t { ")" } else { "))" });
    }
    q.push(" ORDER BY x.id LIMIT ").bind_i64(i64::from(limit) + 1);
    q.query().fetch_all(store.pool()).await?.iter().map(facility_from_row).collect()
}

/// How many facilities exist (all, unscoped): for the bench and the demo banner.
pub async fn count(store: &Store) -> Result<i64, StoreError> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM facilities").fetch_one(store.pool()).await?;
    Ok(row.try_get("n")?)
}
