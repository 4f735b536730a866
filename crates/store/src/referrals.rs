//! Referrals, their offers and their timeline (migration 0004).
//!
//! The store keeps the rows and the one rule that must hold under concurrency: a bed is never
//! held twice. [`hold`] counts a unit's free beds and inserts the offer in the caller's
//! transaction after locking the facility's current-state row (PostgreSQL: `FOR UPDATE`;
//! SQLite: the transaction already holds the database's write lock), so two offers racing for
//! the last bed of a unit serialise and the second sees it taken.

use crate::backend::{Backend, Store, Tx};
use crate::error::StoreError;
use crate::facilities::designation_sql;
use crate::rows;
use crate::sql::{Arg, SqlBuilder};
use crate::visibility::Visibility;
use carebridge_domain::capacity::Unit;
use carebridge_domain::clock::Timestamp;
use carebridge_domain::designation::Designation;
use carebridge_domain::facility::GeoPoint;
use carebridge_domain::ids::{FacilityId, OfferId, ReferralId, UserId};
use carebridge_domain::placement::{ConstraintOverride, Exclusion};
use carebridge_domain::referral::{
    AgeBand, DeclineReason, InfectionStatus, Offer, OfferStatus, PatientInfo, RecurringSchedule, Referral,
    ReferralDraft, ReferralStatus, Urgency, WeekdayPattern,
};
use carebridge_domain::region::{RegionCode, RegionPath};
use carebridge_domain::service_kind::ServiceKind;
use sqlx::any::AnyRow;
use sqlx::Row;

/// Which referrals a reader may see, applied in the query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferralScope {
    /// Coordinators: referrals of patients in their region (a [`Visibility`] over the
    /// referral's region path; `Facility` is not a region and sees nothing).
    Region(Visibility),
    /// A clinician: referrals filed from their facility.
    ReferringFacility(FacilityId),
    /// A facility desk: referrals offered to their facility.
    OfferedTo(FacilityId),
    /// A patient: the referrals filed by them.
    FiledBy(UserId),
    /// Nobody's (auditors read the audit log, not referrals).
    None,
}

impl ReferralScope {
    fn push_condition(&self, q: &mut SqlBuilder) {
        match self {
            ReferralScope::Region(Visibility::Facility(_)) | ReferralScope::None => {
                q.push(" AND 1 = 0");
            }
            ReferralScope::Region(v) => v.push_condition(q, "r", "referring_facility_id"),
            ReferralScope::ReferringFacility(f) => {
                q.push(" AND r.referring_facility_id = ").bind_text(f.to_string());
            }
            ReferralScope::OfferedTo(f) => {
                q.push(" AND EXISTS (SELECT 1 FROM offers o WHERE o.referral_id = r.id AND o.facility_id = ")
                    .bind_text(f.to_string())
                    .push(")");
            }
            ReferralScope::FiledBy(u) => {
                q.push(" AND r.filed_by = ").bind_text(u.to_string());
            }
        }
    }
}

const REFERRAL_COLUMNS: &str = "r.id, r.pseudonym, r.age_band, r.lon, r.lat, r.region_code, r.infection, r.need, \
     r.urgency, r.needs_ambulance, r.sessions_per_week, r.note, r.status, r.filed_by, r.referring_facility_id, \
     r.filed_at, r.wait_deadline, r.failed_offers, r.placed_at, r.escalated_at, r.updated_at, r.version";

/// A stored referral with where it was filed from and its ETag version.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredReferral {
    pub referral: Referral,
    pub referring_facility: Option<FacilityId>,
    pub version: i64,
}

fn referral_from_row(row: &AnyRow) -> Result<StoredReferral, StoreError> {
    const T: &str = "referrals";
    let text = |c: &str| row.try_get::<String, _>(c);
    let sessions: Option<i64> = row.try_get("sessions_per_week")?;
    let placed_at: Option<String> = row.try_get("placed_at")?;
    let referring: Option<String> = row.try_get("referring_facility_id")?;
    let referral = Referral {
        id: rows::parse(T, &text("id")?)?,
        draft: ReferralDraft {
            patient: PatientInfo {
                pseudonym: text("pseudonym")?,
                age_band: rows::vocab(T, &text("age_band")?, AgeBand::parse)?,
                location: GeoPoint { lon: row.try_get("lon")?, lat: row.try_get("lat")? },
                region_code: rows::region(T, &text("region_code")?)?,
                infection: rows::vocab(T, &text("infection")?, InfectionStatus::parse)?,
            },
            need: rows::vocab(T, &text("need")?, ServiceKind::parse)?,
            urgency: rows::vocab(T, &text("urgency")?, Urgency::parse)?,
            needs_ambulance: row.try_get::<i64, _>("needs_ambulance")? != 0,
            schedule: sessions
                .map(|n| u8::try_from(n).map(|n| RecurringSchedule { sessions_per_week: n }))
                .transpose()
                .map_err(|e| StoreError::corrupt(T, e))?,
            note: text("note")?,
        },
        status: rows::vocab(T, &text("status")?, ReferralStatus::parse)?,
        filed_by: rows::parse(T, &text("filed_by")?)?,
        filed_at: Timestamp::from_millis(row.try_get("filed_at")?),
        wait_deadline: Timestamp::from_millis(row.try_get("wait_deadline")?),
        failed_offers: row.try_get("failed_offers")?,
        placed_at: placed_at.map(|s| rows::parse(T, &s)).transpose()?,
        escalated_at: row.try_get::<Option<i64>, _>("escalated_at")?.map(Timestamp::from_millis),
        updated_at: Timestamp::from_millis(row.try_get("updated_at")?),
    };
    Ok(StoredReferral {
        referral,
        referring_facility: referring.map(|s| rows::parse(T, &s)).transpose()?,
        version: row.try_get("version")?,
    })
}

/// Insert a new referral of a patient at `path`.
pub async fn insert(
    tx: &mut Tx,
    r: &Referral,
    path: &RegionPath,
    referring_facility: Option<FacilityId>,
) -> Result<(), StoreError> {
    let d = &r.draft;
    let mut q = SqlBuilder::new(
        "INSERT INTO referrals (id, pseudonym, age_band, lon, lat, region_code, city_code, province_code, infection, \
         need, unit, urgency, needs_ambulance, sessions_per_week, note, status, filed_by, referring_facility_id, \
         filed_at, wait_deadline, failed_offers, placed_at, escalated_at, updated_at, version) VALUES (",
    );
    q.bind_text(r.id.to_string()).push(", ").bind_text(d.patient.pseudonym.clone()).push(", ");
    q.bind_text(d.patient.age_band.as_str()).push(", ");
    q.bind(Arg::F64(d.patient.location.lon)).push(", ").bind(Arg::F64(d.patient.location.lat)).push(", ");
    q.bind_text(path.region.to_string()).push(", ").bind_text(path.city.to_string()).push(", ");
    q.bind_text(path.province.to_string()).push(", ").bind_text(d.patient.infection.as_str()).push(", ");
    q.bind_text(d.need.as_str()).push(", ").bind_text(d.unit().as_str()).push(", ");
    q.bind_text(d.urgency.as_str()).push(", ").bind_i64(i64::from(d.needs_ambulance)).push(", ");
    q.bind(d.schedule.map_or(Arg::NullInt, |s| Arg::I64(i64::from(s.sessions_per_week)))).push(", ");
    q.bind_text(d.note.clone()).push(", ").bind_text(r.status.as_str()).push(", ");
    q.bind_text(r.filed_by.to_string()).push(", ");
    q.bind(referring_facility.map_or(Arg::NullText, |f| Arg::Text(f.to_string()))).push(", ");
    q.bind_i64(r.filed_at.millis()).push(", ").bind_i64(r.wait_deadline.millis()).push(", ");
    q.bind_i64(r.failed_offers).push(", ");
    q.bind(r.placed_at.map_or(Arg::NullText, |f| Arg::Text(f.to_string()))).push(", ");
    q.bind(r.escalated_at.map_or(Arg::NullInt, |t| Arg::I64(t.millis()))).push(", ");
    q.bind_i64(r.updated_at.millis()).push(", 1)");
    q.query().execute(&mut *tx.inner).await?;
    Ok(())
}

/// One referral, if the scope admits it.
pub async fn get(store: &Store, id: ReferralId, scope: ReferralScope) -> Result<StoredReferral, StoreError> {
    let mut q = SqlBuilder::new(&format!("SELECT {REFERRAL_COLUMNS} FROM referrals r WHERE r.id = "));
    q.bind_text(id.to_string());
    scope.push_condition(&mut q);
    let row = q.query().fetch_optional(store.pool()).await?.ok_or(StoreError::NotFound)?;
    referral_from_row(&row)
}

/// The referral as it stands inside a write transaction, locked for the rest of it on
/// PostgreSQL (SQLite's write lock already covers it).
pub async fn get_for_update(tx: &mut Tx, id: ReferralId) -> Result<StoredReferral, StoreError> {
    let lock = if tx.backend() == Backend::Postgres { " FOR UPDATE" } else { "" };
    let mut q = SqlBuilder::new(&format!("SELECT {REFERRAL_COLUMNS} FROM referrals r WHERE r.id = "));
    q.bind_text(id.to_string()).push(lock);
    let row = q.query().fetch_optional(&mut *tx.inner).await?.ok_or(StoreError::NotFound)?;
    referral_from_row(&row)
}

/// Filters of a referral list.
#[derive(Debug, Clone, Default)]
pub struct ReferralFilter {
    pub statuses: Vec<ReferralStatus>,
    /// Only referrals whose wait deadline has passed at this time.
    pub overdue_at: Option<Timestamp>,
    /// Only referrals escalated to coordinators (whatever their status since).
    pub escalated: bool,
}

/// Referrals the scope admits, newest first (by id, a v7 UUID: filing order), after the cursor
/// id `before`, at most `limit` plus one to signal another page.
pub async fn list(
    store: &Store,
    scope: ReferralScope,
    filter: &ReferralFilter,
    before: Option<&str>,
    limit: u32,
) -> Result<Vec<StoredReferral>, StoreError> {
    let mut q = SqlBuilder::new(&format!("SELECT {REFERRAL_COLUMNS} FROM referrals r WHERE 1 = 1"));
    scope.push_condition(&mut q);
    if !filter.statuses.is_empty() {
        q.push(" AND r.status IN ").bind_text_list(filter.statuses.iter().map(|s| s.as_str()));
    }
    if let Some(at) = filter.overdue_at {
        q.push(" AND r.wait_deadline < ").bind_i64(at.millis());
    }
    if filter.escalated {
        q.push(" AND r.escalated_at IS NOT NULL");
    }
    if let Some(b) = before {
        q.push(" AND r.id < ").bind_text(b);
    }
    q.push(" ORDER BY r.id DESC LIMIT ").bind_i64(i64::from(limit) + 1);
    q.query().fetch_all(store.pool()).await?.iter().map(referral_from_row).collect()
}

/// What a state change writes besides the status.
#[derive(Debug, Clone, Copy)]
pub struct StatusChange {
    pub status: ReferralStatus,
    pub failed_offers: i64,
    pub placed_at: Option<FacilityId>,
    pub escalated_at: Option<Timestamp>,
    pub at: Timestamp,
}

/// Move a referral to a new status (the caller has checked the transition on the row it read
/// in the same transaction); bumps its version.
pub async fn set_status(tx: &mut Tx, id: ReferralId, change: StatusChange) -> Result<(), StoreError> {
    let mut q = SqlBuilder::new("UPDATE referrals SET status = ");
    q.bind_text(change.status.as_str()).push(", failed_offers = ").bind_i64(change.failed_offers);
    q.push(", placed_at = ").bind(change.placed_at.map_or(Arg::NullText, |f| Arg::Text(f.to_string())));
    q.push(", escalated_at = ").bind(change.escalated_at.map_or(Arg::NullInt, |t| Arg::I64(t.millis())));
    q.push(", updated_at = ").bind_i64(change.at.millis()).push(", version = version + 1 WHERE id = ");
    q.bind_text(id.to_string());
    let done = q.query().execute(&mut *tx.inner).await?;
    if done.rows_affected() == 1 {
        Ok(())
    } else {
        Err(StoreError::NotFound)
    }
}

/// One step of a referral's timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct ReferralEvent {
    pub at: Timestamp,
    /// `filed`, `offered`, `accepted`, `declined`, `expired`, `escalated`, `directed`,
    /// `constraints_overridden`, `admitted`, `cancelled`, `unplaced`, `displaced`.
    pub kind: String,
    pub status: ReferralStatus,
    pub facility_id: Option<FacilityId>,
    /// Why, for people: the engine's explanation, a decline reason, a coordinator's note.
    pub detail: serde_json::Value,
}

pub async fn append_event(tx: &mut Tx, referral: ReferralId, event: &ReferralEvent) -> Result<(), StoreError> {
    let mut q = SqlBuilder::new(
        "INSERT INTO referral_events (id, referral_id, at, kind, status, facility_id, detail) VALUES (",
    );
    q.bind_text(carebridge_domain::ids::EventId::new_v7().to_string())
        .push(", ")
        .bind_text(referral.to_string())
        .push(", ");
    q.bind_i64(event.at.millis()).push(", ").bind_text(event.kind.clone()).push(", ");
    q.bind_text(event.status.as_str()).push(", ");
    q.bind(event.facility_id.map_or(Arg::NullText, |f| Arg::Text(f.to_string()))).push(", ");
    q.bind_text(event.detail.to_string()).push(")");
    q.query().execute(&mut *tx.inner).await?;
    Ok(())
}

/// A referral's timeline, oldest first (the caller has checked the referral is visible).
pub async fn events(store: &Store, referral: ReferralId) -> Result<Vec<ReferralEvent>, StoreError> {
    const T: &str = "referral_events";
    let rows = sqlx::query(
        "SELECT at, kind, status, facility_id, detail FROM referral_events WHERE referral_id = $1 ORDER BY at, id",
    )
    .bind(referral.to_string())
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|row| {
            let facility: Option<String> = row.try_get("facility_id")?;
            let detail: String = row.try_get("detail")?;
            Ok(ReferralEvent {
                at: Timestamp::from_millis(row.try_get("at")?),
                kind: row.try_get("kind")?,
                status: rows::vocab(T, &row.try_get::<String, _>("status")?, ReferralStatus::parse)?,
                facility_id: facility.map(|s| rows::parse(T, &s)).transpose()?,
                detail: serde_json::from_str(&detail).map_err(|e| StoreError::corrupt(T, e))?,
            })
        })
        .collect()
}

const OFFER_COLUMNS: &str = "o.id, o.referral_id, o.facility_id, o.unit, o.status, o.offered_at, o.expires_at, \
     o.directed, o.distance_km, o.answered_at, o.answered_by, o.decline_reason, o.decline_note, o.pattern, \
     o.travel_minutes, o.cross_province, o.override_constraints, o.override_reason";

fn offer_from_row(row: &AnyRow) -> Result<Offer, StoreError> {
    const T: &str = "offers";
    let answered_at: Option<i64> = row.try_get("answered_at")?;
    let answered_by: Option<String> = row.try_get("answered_by")?;
    let reason: Option<String> = row.try_get("decline_reason")?;
    Ok(Offer {
        id: rows::parse(T, &row.try_get::<String, _>("id")?)?,
        referral_id: rows::parse(T, &row.try_get::<String, _>("referral_id")?)?,
        facility_id: rows::parse(T, &row.try_get::<String, _>("facility_id")?)?,
        unit: rows::vocab(T, &row.try_get::<String, _>("unit")?, Unit::parse)?,
        status: rows::vocab(T, &row.try_get::<String, _>("status")?, OfferStatus::parse)?,
        offered_at: Timestamp::from_millis(row.try_get("offered_at")?),
        expires_at: Timestamp::from_millis(row.try_get("expires_at")?),
        directed: row.try_get::<i64, _>("directed")? != 0,
        distance_km: row.try_get("distance_km")?,
        answered_at: answered_at.map(Timestamp::from_millis),
        answered_by: answered_by.map(|s| rows::parse(T, &s)).transpose()?,
        decline_reason: reason.map(|s| rows::vocab(T, &s, DeclineReason::parse)).transpose()?,
        decline_note: row.try_get("decline_note")?,
        pattern: row
            .try_get::<Option<String>, _>("pattern")?
            .map(|s| rows::vocab(T, &s, WeekdayPattern::parse))
            .transpose()?,
        travel_minutes: row.try_get("travel_minutes")?,
        cross_province: row.try_get::<i64, _>("cross_province")? != 0,
        constraint_override: match (
            row.try_get::<Option<String>, _>("override_constraints")?,
            row.try_get::<Option<String>, _>("override_reason")?,
        ) {
            (Some(constraints), Some(reason)) => Some(ConstraintOverride {
                constraints: constraints
                    .split(',')
                    .filter(|c| !c.is_empty())
                    .map(|c| rows::vocab(T, c, Exclusion::parse))
                    .collect::<Result<_, _>>()?,
                reason,
            }),
            _ => None,
        },
    })
}

/// A unit's beds at one facility as the hold rule counts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitAvailability {
    pub staffed: i64,
    pub occupied: i64,
    /// Offers holding a bed, plus offers accepted since the unit's standing report.
    pub held: i64,
}

impl UnitAvailability {
    pub fn free(&self) -> i64 {
        self.staffed - self.occupied - self.held
    }
}

/// The SQL for a unit's held count at facility `facility_col` (the unit's name and the time
/// `now_p` as placeholders): holding offers not yet expired, and accepted offers the unit's
/// standing report (`as_of_col`) predates.
fn held_sql(facility_col: &str, unit_p: &str, now_p: &str, as_of_col: &str) -> String {
    format!(
        "(SELECT COUNT(*) FROM offers o WHERE o.facility_id = {facility_col} AND o.unit = {unit_p} \
         AND ((o.status = 'holding' AND o.expires_at > {now_p}) \
         OR (o.status = 'accepted' AND o.answered_at > COALESCE({as_of_col}, 0))))"
    )
}

/// Lock `facility`'s current-state row for the rest of `tx` and count `unit`'s beds: the
/// serialisation point of every hold and acceptance at that facility. `None` when the unit has
/// never been reported.
pub async fn lock_unit(
    tx: &mut Tx,
    facility: FacilityId,
    unit: Unit,
    now: Timestamp,
) -> Result<Option<UnitAvailability>, StoreError> {
    let u = unit.as_str();
    // Two statements on purpose: on PostgreSQL a statement's snapshot is taken when it starts,
    // so a count in the same statement as the `FOR UPDATE` that waited for a rival's lock would
    // not see the rival's offer. The count runs after the lock is ours, on a fresh snapshot.
    let lock = if tx.backend() == Backend::Postgres { " FOR UPDATE" } else { "" };
    let mut q = SqlBuilder::new(&format!(
        "SELECT c.{u}_staffed AS staffed, c.{u}_occupied AS occupied FROM capacity_now c WHERE c.facility_id = "
    ));
    q.bind_text(facility.to_string()).push(lock);
    let Some(row) = q.query().fetch_optional(&mut *tx.inner).await? else { return Ok(None) };
    let (Some(staffed), Some(occupied)) =
        (row.try_get::<Option<i64>, _>("staffed")?, row.try_get::<Option<i64>, _>("occupied")?)
    else {
        return Ok(None);
    };
    let mut q = SqlBuilder::new("SELECT CAST(");
    let unit_p = q.placeholder(Arg::Text(u.to_string()));
    let now_p = q.placeholder(Arg::I64(now.millis()));
    let fac_p = q.placeholder(Arg::Text(facility.to_string()));
    q.push(&format!(
        "{} AS BIGINT) AS held FROM capacity_now c WHERE c.facility_id = {fac_p}",
        held_sql("c.facility_id", &unit_p, &now_p, &format!("c.{u}_as_of"))
    ));
    let held: i64 = q.query().fetch_one(&mut *tx.inner).await?.try_get("held")?;
    Ok(Some(UnitAvailability { staffed, occupied, held }))
}

/// Insert an offer (the caller has locked the unit with [`lock_unit`] and seen a free bed, or
/// is directing a placement).
pub async fn insert_offer(tx: &mut Tx, offer: &Offer, offered_by: Option<UserId>) -> Result<(), StoreError> {
    let mut q = SqlBuilder::new(
        "INSERT INTO offers (id, referral_id, facility_id, unit, status, offered_at, expires_at, directed, \
         distance_km, offered_by, pattern, travel_minutes, cross_province, override_constraints, override_reason) \
         VALUES (",
    );
    q.bind_text(offer.id.to_string()).push(", ").bind_text(offer.referral_id.to_string()).push(", ");
    q.bind_text(offer.facility_id.to_string()).push(", ").bind_text(offer.unit.as_str()).push(", ");
    q.bind_text(offer.status.as_str()).push(", ").bind_i64(offer.offered_at.millis()).push(", ");
    q.bind_i64(offer.expires_at.millis()).push(", ").bind_i64(i64::from(offer.directed)).push(", ");
    q.bind(Arg::F64(offer.distance_km)).push(", ");
    q.bind(offered_by.map_or(Arg::NullText, |u| Arg::Text(u.to_string()))).push(", ");
    q.bind(offer.pattern.map_or(Arg::NullText, |p| Arg::Text(p.as_str().into()))).push(", ");
    q.bind(offer.travel_minutes.map_or(Arg::NullInt, Arg::I64)).push(", ");
    q.bind_i64(i64::from(offer.cross_province)).push(", ");
    let (constraints, reason) = match &offer.constraint_override {
        Some(o) => {
            let keys: Vec<&str> = o.constraints.iter().map(|c| c.as_str()).collect();
            (Arg::Text(keys.join(",")), Arg::Text(o.reason.clone()))
        }
        None => (Arg::NullText, Arg::NullText),
    };
    q.bind(constraints).push(", ").bind(reason).push(")");
    q.query()
        .execute(&mut *tx.inner)
        .await
        .map_err(|e| crate::error::map_unique(e, "the referral already holds a bed"))?;
    tx.touch(offer.facility_id);
    Ok(())
}

/// An offer as it stands inside a write transaction.
pub async fn offer_for_update(tx: &mut Tx, id: OfferId) -> Result<Offer, StoreError> {
    let lock = if tx.backend() == Backend::Postgres { " FOR UPDATE" } else { "" };
    let mut q = SqlBuilder::new(&format!("SELECT {OFFER_COLUMNS} FROM offers o WHERE o.id = "));
    q.bind_text(id.to_string()).push(lock);
    let row = q.query().fetch_optional(&mut *tx.inner).await?.ok_or(StoreError::NotFound)?;
    offer_from_row(&row)
}

/// Close a holding offer: accepted, declined (with its reason), expired or withdrawn. Fails
/// with `Conflict` if it was no longer holding (someone answered first).
pub async fn close_offer(
    tx: &mut Tx,
    id: OfferId,
    status: OfferStatus,
    at: Timestamp,
    by: Option<UserId>,
    reason: Option<(DeclineReason, Option<String>)>,
) -> Result<(), StoreError> {
    let mut q = SqlBuilder::new("UPDATE offers SET status = ");
    q.bind_text(status.as_str()).push(", answered_at = ").bind_i64(at.millis());
    q.push(", answered_by = ").bind(by.map_or(Arg::NullText, |u| Arg::Text(u.to_string())));
    q.push(", decline_reason = ").bind(reason.as_ref().map_or(Arg::NullText, |(r, _)| Arg::Text(r.as_str().into())));
    q.push(", decline_note = ").bind(reason.and_then(|(_, n)| n).map_or(Arg::NullText, Arg::Text));
    q.push(" WHERE id = ").bind_text(id.to_string()).push(" AND status = 'holding' RETURNING facility_id");
    match q.query().fetch_optional(&mut *tx.inner).await? {
        Some(row) => {
            tx.touch(rows::parse("offers", &row.try_get::<String, _>("facility_id")?)?);
            Ok(())
        }
        None => Err(StoreError::Conflict("the offer has already been answered or has expired".into())),
    }
}

/// Offers of a referral, oldest first.
pub async fn offers_of(store: &Store, referral: ReferralId) -> Result<Vec<Offer>, StoreError> {
    offers_of_on(store.pool(), referral).await
}

/// Offers of a referral inside a write transaction, oldest first.
pub async fn offers_of_tx(tx: &mut Tx, referral: ReferralId) -> Result<Vec<Offer>, StoreError> {
    offers_of_on(&mut *tx.inner, referral).await
}

async fn offers_of_on<'e>(
    on: impl sqlx::Executor<'e, Database = sqlx::Any>,
    referral: ReferralId,
) -> Result<Vec<Offer>, StoreError> {
    let mut q = SqlBuilder::new(&format!("SELECT {OFFER_COLUMNS} FROM offers o WHERE o.referral_id = "));
    q.bind_text(referral.to_string()).push(" ORDER BY o.offered_at, o.id");
    q.query().fetch_all(on).await?.iter().map(offer_from_row).collect()
}

/// One offer, visible to the desk of its facility or to whoever sees its referral (the caller
/// checks the latter).
pub async fn offer(store: &Store, id: OfferId) -> Result<Offer, StoreError> {
    let mut q = SqlBuilder::new(&format!("SELECT {OFFER_COLUMNS} FROM offers o WHERE o.id = "));
    q.bind_text(id.to_string());
    let row = q.query().fetch_optional(store.pool()).await?.ok_or(StoreError::NotFound)?;
    offer_from_row(&row)
}

/// A facility's offers, newest first, optionally only those with `status`.
pub async fn offers_to(
    store: &Store,
    facility: FacilityId,
    status: Option<OfferStatus>,
    limit: u32,
) -> Result<Vec<Offer>, StoreError> {
    let mut q = SqlBuilder::new(&format!("SELECT {OFFER_COLUMNS} FROM offers o WHERE o.facility_id = "));
    q.bind_text(facility.to_string());
    if let Some(s) = status {
        q.push(" AND o.status = ").bind_text(s.as_str());
    }
    q.push(" ORDER BY o.offered_at DESC, o.id DESC LIMIT ").bind_i64(i64::from(limit));
    q.query().fetch_all(store.pool()).await?.iter().map(offer_from_row).collect()
}

/// Holding offers whose time ran out by `now`, oldest first, at most `limit`.
pub async fn expired_holds(store: &Store, now: Timestamp, limit: u32) -> Result<Vec<Offer>, StoreError> {
    let mut q = SqlBuilder::new(&format!(
        "SELECT {OFFER_COLUMNS} FROM offers o WHERE o.status = 'holding' AND o.expires_at <= "
    ));
    q.bind_i64(now.millis()).push(" ORDER BY o.expires_at LIMIT ").bind_i64(i64::from(limit));
    q.query().fetch_all(store.pool()).await?.iter().map(offer_from_row).collect()
}

/// Open referrals whose wait deadline passed by `now` and that are not yet escalated.
pub async fn overdue(store: &Store, now: Timestamp, limit: u32) -> Result<Vec<ReferralId>, StoreError> {
    let rows = sqlx::query(
        "SELECT id FROM referrals WHERE status IN ('pending', 'offered') AND wait_deadline <= $1 \
         ORDER BY wait_deadline LIMIT $2",
    )
    .bind(now.millis())
    .bind(i64::from(limit))
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(|r| rows::parse("referrals", &r.try_get::<String, _>("id")?)).collect()
}

/// Referrals waiting for a bed (pending, or escalated without a holding offer), oldest first.
pub async fn waiting(store: &Store, limit: u32) -> Result<Vec<ReferralId>, StoreError> {
    let rows =
        sqlx::query("SELECT id FROM referrals WHERE status IN ('pending', 'escalated') ORDER BY filed_at LIMIT $1")
            .bind(i64::from(limit))
            .fetch_all(store.pool())
            .await?;
    rows.iter().map(|r| rows::parse("referrals", &r.try_get::<String, _>("id")?)).collect()
}

/// Referrals waiting for a bed (pending or escalated) that a freed bed of one of `units` at
/// a facility offering `services` could take, and whose patients lie in the box `min..max`
/// (lon, lat): the candidates of event-driven placement after a capacity report, a decline or
/// an expiry. Most urgent first, then the longest waiting; at most `limit`.
pub async fn waiting_for(
    store: &Store,
    units: &[Unit],
    services: &[ServiceKind],
    min: GeoPoint,
    max: GeoPoint,
    limit: u32,
) -> Result<Vec<Referral>, StoreError> {
    if units.is_empty() || services.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = SqlBuilder::new(&format!(
        "SELECT {REFERRAL_COLUMNS} FROM referrals r WHERE r.status IN ('pending', 'escalated') AND r.unit IN "
    ));
    q.bind_text_list(units.iter().map(|u| u.as_str()));
    q.push(" AND r.need IN ").bind_text_list(services.iter().map(|s| s.as_str()));
    q.push(" AND r.lon >= ").bind(Arg::F64(min.lon)).push(" AND r.lon <= ").bind(Arg::F64(max.lon));
    q.push(" AND r.lat >= ").bind(Arg::F64(min.lat)).push(" AND r.lat <= ").bind(Arg::F64(max.lat));
    q.push(
        " ORDER BY CASE r.urgency WHEN 'emergency' THEN 0 WHEN 'urgent' THEN 1 WHEN 'soon' THEN 2 ELSE 3 END, \
         r.filed_at, r.id LIMIT ",
    )
    .bind_i64(i64::from(limit));
    let rows = q.query().fetch_all(store.pool()).await?;
    rows.iter().map(|r| referral_from_row(r).map(|s| s.referral)).collect()
}

/// A facility as placement sees it: where it is, what it offers and is designated for, and the
/// beds of the referral's unit and of isolation.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub facility_id: FacilityId,
    pub name_en: String,
    pub name_zh: String,
    pub location: GeoPoint,
    /// The facility's province.
    pub province: RegionCode,
    pub services: Vec<ServiceKind>,
    pub designation: Designation,
    pub takes_new_patients: bool,
    /// A children's hospital: takes only children.
    pub paediatric_only: bool,
    /// The referral's unit; `None` if never reported.
    pub unit: Option<UnitAvailability>,
    /// Free isolation beds (staffed − occupied − held), for confirmed or suspected patients.
    pub isolation_free: Option<i64>,
}

/// The engine's snapshot for one referral: every facility within the box `min..max` (lon,
/// lat) that offers `service`, with its counts for `unit` at `now`, and how many more in the
/// box do not offer it (counted, not read: most facilities of a province fail that first
/// test). The box keeps the read to the travel limit's neighbourhood; the engine measures true
/// distances.
pub async fn candidates(
    store: &Store,
    service: ServiceKind,
    unit: Unit,
    min: GeoPoint,
    max: GeoPoint,
    now: Timestamp,
) -> Result<(Vec<Candidate>, usize), StoreError> {
    let offers = format!("%,{},%", service.as_str());
    let mut count = SqlBuilder::new("SELECT COUNT(*) AS n FROM facilities f WHERE f.services NOT LIKE ");
    count.bind_text(offers.clone());
    push_box(&mut count, min, max);
    let not_offering: i64 = count.query().fetch_one(store.pool()).await?.try_get("n")?;

    let mut q = candidate_query(unit, now);
    q.push(" WHERE f.services LIKE ").bind_text(offers);
    push_box(&mut q, min, max);
    let out = q.query().fetch_all(store.pool()).await?.iter().map(candidate_from_row).collect::<Result<_, _>>()?;
    Ok((out, usize::try_from(not_offering).unwrap_or(0)))
}

/// One facility as placement sees it for `unit` at `now`, read inside `tx` (after the caller
/// locked the unit with [`lock_unit`]), whatever it offers: what a directed placement is
/// checked against.
pub async fn candidate(
    tx: &mut Tx,
    facility: FacilityId,
    unit: Unit,
    now: Timestamp,
) -> Result<Option<Candidate>, StoreError> {
    let mut q = candidate_query(unit, now);
    q.push(" WHERE f.id = ").bind_text(facility.to_string());
    q.query().fetch_optional(&mut *tx.inner).await?.as_ref().map(candidate_from_row).transpose()
}

/// `SELECT` of a [`Candidate`] from `facilities f` with its current capacity, up to (not
/// including) the `WHERE`.
fn candidate_query(unit: Unit, now: Timestamp) -> SqlBuilder {
    let u = unit.as_str();
    let mut q = SqlBuilder::new(
        "SELECT f.id, f.name_en, f.name_zh, f.lon, f.lat, f.province_code, f.services, f.takes_new_patients, \
         f.paediatric_only, ",
    );
    let now_p = q.placeholder(Arg::I64(now.millis()));
    let unit_p = q.placeholder(Arg::Text(u.to_string()));
    let iso_p = q.placeholder(Arg::Text(Unit::Isolation.as_str().to_string()));
    q.push(&designation_sql(&now_p)).push(" AS designation, ");
    q.push(&format!(
        "c.{u}_staffed AS staffed, c.{u}_occupied AS occupied, CAST({} AS BIGINT) AS held, \
         c.isolation_staffed AS iso_staffed, c.isolation_occupied AS iso_occupied, CAST({} AS BIGINT) AS iso_held \
         FROM facilities f LEFT JOIN capacity_now c ON c.facility_id = f.id",
        held_sql("f.id", &unit_p, &now_p, &format!("c.{u}_as_of")),
        held_sql("f.id", &iso_p, &now_p, "c.isolation_as_of"),
    ));
    q
}

fn candidate_from_row(row: &AnyRow) -> Result<Candidate, StoreError> {
    const T: &str = "facilities";
    let services: String = row.try_get("services")?;
    let staffed: Option<i64> = row.try_get("staffed")?;
    let occupied: Option<i64> = row.try_get("occupied")?;
    let held: i64 = row.try_get("held")?;
    let iso: (Option<i64>, Option<i64>) = (row.try_get("iso_staffed")?, row.try_get("iso_occupied")?);
    let iso_held: i64 = row.try_get("iso_held")?;
    Ok(Candidate {
        facility_id: rows::parse(T, &row.try_get::<String, _>("id")?)?,
        name_en: row.try_get("name_en")?,
        name_zh: row.try_get("name_zh")?,
        location: GeoPoint { lon: row.try_get("lon")?, lat: row.try_get("lat")? },
        province: rows::region(T, &row.try_get::<String, _>("province_code")?)?,
        services: crate::facilities::services_from_text(&services)?,
        designation: rows::vocab(T, &row.try_get::<String, _>("designation")?, Designation::parse)?,
        takes_new_patients: row.try_get::<i64, _>("takes_new_patients")? != 0,
        paediatric_only: row.try_get::<i64, _>("paediatric_only")? != 0,
        unit: match (staffed, occupied) {
            (Some(staffed), Some(occupied)) => Some(UnitAvailability { staffed, occupied, held }),
            _ => None,
        },
        isolation_free: match iso {
            (Some(s), Some(o)) => Some(s - o - iso_held),
            _ => None,
        },
    })
}

/// `AND` the facility `f` lies in the box `min..max`.
fn push_box(q: &mut SqlBuilder, min: GeoPoint, max: GeoPoint) {
    q.push(" AND f.lon >= ").bind(Arg::F64(min.lon)).push(" AND f.lon <= ").bind(Arg::F64(max.lon));
    q.push(" AND f.lat >= ").bind(Arg::F64(min.lat)).push(" AND f.lat <= ").bind(Arg::F64(max.lat));
}

/// The referrals a facility holds a place for now, each with its live offer: offered (a
/// holding offer), accepted and admitted (the accepted offer). What a designation order or the
/// commandeering of a unit there would displace.
pub async fn placed_at(store: &Store, facility: FacilityId) -> Result<Vec<(StoredReferral, Offer)>, StoreError> {
    let mut q = SqlBuilder::new(&format!(
        "SELECT {OFFER_COLUMNS} FROM offers o JOIN referrals r ON r.id = o.referral_id WHERE o.facility_id = "
    ));
    q.bind_text(facility.to_string());
    q.push(
        " AND ((o.status = 'holding' AND r.status = 'offered') \
         OR (o.status = 'accepted' AND r.status IN ('accepted', 'admitted'))) ORDER BY o.referral_id",
    );
    let offers: Vec<Offer> =
        q.query().fetch_all(store.pool()).await?.iter().map(offer_from_row).collect::<Result<_, _>>()?;
    let mut out = Vec::with_capacity(offers.len());
    for offer in offers {
        out.push((get(store, offer.referral_id, ReferralScope::Region(Visibility::All)).await?, offer));
    }
    Ok(out)
}

/// How many live offers (holding, or accepted since) each weekday pattern has at a facility's
/// unit: what a new recurring patient's pattern is chosen by.
pub async fn pattern_loads(
    tx: &mut Tx,
    facility: FacilityId,
    unit: Unit,
) -> Result<Vec<(WeekdayPattern, i64)>, StoreError> {
    let mut q = SqlBuilder::new("SELECT o.pattern, COUNT(*) AS n FROM offers o WHERE o.facility_id = ");
    q.bind_text(facility.to_string()).push(" AND o.unit = ").bind_text(unit.as_str());
    q.push(" AND o.pattern IS NOT NULL AND o.status IN ('holding', 'accepted') GROUP BY o.pattern");
    let mut out = Vec::new();
    for row in q.query().fetch_all(&mut *tx.inner).await? {
        let pattern = rows::vocab("offers", &row.try_get::<String, _>("pattern")?, WeekdayPattern::parse)?;
        out.push((pattern, row.try_get::<i64, _>("n")?));
    }
    Ok(out)
}

/// Beds of `unit` at the facilities in `visibility` designated `designation` now that offer
/// `service`: how many facilities, and their staffed, occupied and held beds summed (a
/// facility that never reported the unit counts as none).
pub async fn designated_beds(
    store: &Store,
    visibility: Visibility,
    designation: Designation,
    service: ServiceKind,
    unit: Unit,
    now: Timestamp,
) -> Result<(usize, UnitAvailability), StoreError> {
    let u = unit.as_str();
    let mut q = SqlBuilder::new("SELECT ");
    let now_p = q.placeholder(Arg::I64(now.millis()));
    let unit_p = q.placeholder(Arg::Text(u.to_string()));
    q.push(&format!(
        "COALESCE(c.{u}_staffed, 0) AS staffed, COALESCE(c.{u}_occupied, 0) AS occupied, CAST({} AS BIGINT) AS held \
         FROM facilities f LEFT JOIN capacity_now c ON c.facility_id = f.id WHERE f.services LIKE ",
        held_sql("f.id", &unit_p, &now_p, &format!("c.{u}_as_of")),
    ));
    q.bind_text(format!("%,{},%", service.as_str()));
    q.push(&format!(" AND {} = ", designation_sql(&now_p))).bind_text(designation.as_str());
    visibility.push_condition(&mut q, "f", "id");
    let mut sum = UnitAvailability { staffed: 0, occupied: 0, held: 0 };
    let mut n = 0;
    for row in q.query().fetch_all(store.pool()).await? {
        n += 1;
        sum.staffed += row.try_get::<i64, _>("staffed")?;
        sum.occupied += row.try_get::<i64, _>("occupied")?;
        sum.held += row.try_get::<i64, _>("held")?;
    }
    Ok((n, sum))
}
