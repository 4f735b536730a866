//! What placement needs of each facility, read in bulk for the service's in-memory placement
//! index: where it is, what it offers, its designation orders, the beds of every unit and the
//! offers that hold or have taken beds since the unit's last report.
//!
//! Three flat queries, no correlated subqueries: the index evaluates "designation at `now`" and
//! "held at `now`" itself, so one read stays right as time passes (a designation order that
//! takes effect later, a hold that expires).

use crate::backend::Store;
use crate::error::StoreError;
use crate::facilities::services_from_text;
use crate::rows;
use crate::sql::SqlBuilder;
use carebridge_domain::capacity::Unit;
use carebridge_domain::clock::Timestamp;
use carebridge_domain::designation::Designation;
use carebridge_domain::facility::GeoPoint;
use carebridge_domain::ids::FacilityId;
use carebridge_domain::referral::OfferStatus;
use carebridge_domain::region::RegionCode;
use carebridge_domain::service_kind::ServiceKind;
use sqlx::Row;
use std::collections::HashMap;

/// One unit's standing report: staffed and occupied beds as of `as_of`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitBeds {
    pub staffed: i64,
    pub occupied: i64,
    pub as_of: Timestamp,
}

/// A designation order as placement needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DesignationAt {
    pub effective_at: Timestamp,
    pub ordered_at: Timestamp,
    pub designation: Designation,
}

/// An offer that holds a bed (until `until`) or took one after the unit's last report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiveOffer {
    pub unit: Unit,
    /// `Some(expiry)` for a holding offer; `None` for an accepted one (held until the next
    /// report of the unit counts the patient as occupied).
    pub until: Option<Timestamp>,
}

/// A facility with everything placement reads of it.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteRecord {
    pub facility_id: FacilityId,
    pub location: GeoPoint,
    /// The facility's province (for the cross-province rule).
    pub province: RegionCode,
    pub services: Vec<ServiceKind>,
    pub takes_new_patients: bool,
    /// A children's hospital: takes only children.
    pub paediatric_only: bool,
    pub designations: Vec<DesignationAt>,
    /// Indexed like [`Unit::ALL`]; `None` for a unit never reported.
    pub units: Vec<Option<UnitBeds>>,
    pub offers: Vec<LiveOffer>,
}

/// Ids per `IN (…)` list: far below either backend's parameter limit.
const IDS_PER_QUERY: usize = 500;

/// Every facility (`only: None`) or those of `only` that exist, in no particular order.
pub async fn site_records(store: &Store, only: Option<&[FacilityId]>) -> Result<Vec<SiteRecord>, StoreError> {
    match only {
        None => read(store, None).await,
        Some(ids) => {
            let mut out = Vec::with_capacity(ids.len());
            for chunk in ids.chunks(IDS_PER_QUERY) {
                out.extend(read(store, Some(chunk)).await?);
            }
            Ok(out)
        }
    }
}

/// `AND <column> IN (…)` for `ids`, or nothing when reading everything.
fn push_ids(q: &mut SqlBuilder, column: &str, ids: Option<&[FacilityId]>) {
    if let Some(ids) = ids {
        q.push(&format!(" AND {column} IN ")).bind_text_list(ids);
    }
}

async fn read(store: &Store, ids: Option<&[FacilityId]>) -> Result<Vec<SiteRecord>, StoreError> {
    const T: &str = "facilities";
    let unit_cols: String =
        Unit::ALL.iter().map(|u| format!(", c.{u}_staffed, c.{u}_occupied, c.{u}_as_of", u = u.as_str())).collect();
    let mut q = SqlBuilder::new(&format!(
        "SELECT f.id, f.lon, f.lat, f.province_code, f.services, f.takes_new_patients, f.paediatric_only{unit_cols} \
         FROM facilities f LEFT JOIN capacity_now c ON c.facility_id = f.id WHERE 1 = 1"
    ));
    push_ids(&mut q, "f.id", ids);
    let mut sites = Vec::new();
    let mut index: HashMap<FacilityId, usize> = HashMap::new();
    for row in q.query().fetch_all(store.pool()).await? {
        let facility_id: FacilityId = rows::parse(T, &row.try_get::<String, _>("id")?)?;
        let mut units = Vec::with_capacity(Unit::ALL.len());
        for u in Unit::ALL {
            let u = u.as_str();
            let staffed: Option<i64> = row.try_get(format!("{u}_staffed").as_str())?;
            let occupied: Option<i64> = row.try_get(format!("{u}_occupied").as_str())?;
            let as_of: Option<i64> = row.try_get(format!("{u}_as_of").as_str())?;
            units.push(match (staffed, occupied, as_of) {
                (Some(staffed), Some(occupied), Some(as_of)) => {
                    Some(UnitBeds { staffed, occupied, as_of: Timestamp::from_millis(as_of) })
                }
                _ => None,
            });
        }
        index.insert(facility_id, sites.len());
        sites.push(SiteRecord {
            facility_id,
            location: GeoPoint { lon: row.try_get("lon")?, lat: row.try_get("lat")? },
            province: rows::region(T, &row.try_get::<String, _>("province_code")?)?,
            services: services_from_text(&row.try_get::<String, _>("services")?)?,
            takes_new_patients: row.try_get::<i64, _>("takes_new_patients")? != 0,
            paediatric_only: row.try_get::<i64, _>("paediatric_only")? != 0,
            designations: Vec::new(),
            units,
            offers: Vec::new(),
        });
    }

    let mut q = SqlBuilder::new(
        "SELECT d.facility_id, d.designation, d.effective_at, d.ordered_at FROM designation_orders d WHERE 1 = 1",
    );
    push_ids(&mut q, "d.facility_id", ids);
    for row in q.query().fetch_all(store.pool()).await? {
        let id: FacilityId = rows::parse("designation_orders", &row.try_get::<String, _>("facility_id")?)?;
        if let Some(&i) = index.get(&id) {
            sites[i].designations.push(DesignationAt {
                effective_at: Timestamp::from_millis(row.try_get("effective_at")?),
                ordered_at: Timestamp::from_millis(row.try_get("ordered_at")?),
                designation: rows::vocab(
                    "designation_orders",
                    &row.try_get::<String, _>("designation")?,
                    Designation::parse,
                )?,
            });
        }
    }

    // Accepted offers count until the unit's next report (which then counts the patient among
    // the occupied): those answered after the unit's standing report's time.
    let as_of_of_unit: String =
        Unit::ALL.iter().map(|u| format!(" WHEN '{u}' THEN c.{u}_as_of", u = u.as_str())).collect();
    let mut q = SqlBuilder::new(&format!(
        "SELECT o.facility_id, o.unit, o.status, o.expires_at FROM offers o \
         LEFT JOIN capacity_now c ON c.facility_id = o.facility_id \
         WHERE (o.status = 'holding' OR (o.status = 'accepted' \
         AND o.answered_at > COALESCE(CASE o.unit{as_of_of_unit} END, 0)))"
    ));
    push_ids(&mut q, "o.facility_id", ids);
    for row in q.query().fetch_all(store.pool()).await? {
        let id: FacilityId = rows::parse("offers", &row.try_get::<String, _>("facility_id")?)?;
        let Some(&i) = index.get(&id) else { continue };
        let unit = rows::vocab("offers", &row.try_get::<String, _>("unit")?, Unit::parse)?;
        let status = rows::vocab("offers", &row.try_get::<String, _>("status")?, OfferStatus::parse)?;
        let until = (status == OfferStatus::Holding).then(|| row.try_get::<i64, _>("expires_at")).transpose()?;
        sites[i].offers.push(LiveOffer { unit, until: until.map(Timestamp::from_millis) });
    }
    Ok(sites)
}
