//! The online-registration rule's orders (append-only) and the desk's check-ins.

use crate::backend::{Store, Tx};
use crate::booking::{booking_from_row, BOOKING_COLUMNS};
use crate::error::StoreError;
use crate::rows;
use crate::sql::{Arg, SqlBuilder};
use crate::visibility::Visibility;
use carebridge_domain::booking::{Booking, LocalDay, CST_OFFSET_MS, DAY_MS};
use carebridge_domain::clock::Timestamp;
use carebridge_domain::ids::{BookingId, FacilityId, RegistrationOrderId};
use carebridge_domain::region::RegionCode;
use carebridge_domain::registration::{
    CheckIn, CheckInOutcome, Exemption, RegistrationEffect, RegistrationOrder, RegistrationOrderDraft,
};
use carebridge_domain::service_kind::ServiceKind;
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::BTreeMap;

pub async fn insert_order(tx: &mut Tx, o: &RegistrationOrder) -> Result<(), StoreError> {
    let exemptions: Vec<&str> = o.draft.exemptions.iter().map(|e| e.as_str()).collect();
    sqlx::query(
        "INSERT INTO registration_orders (id, region_code, required, exemptions, effective_at, reason, order_number, \
         ordered_by, ordered_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(o.id.to_string())
    .bind(o.draft.region_code.to_string())
    .bind(i64::from(o.draft.required))
    .bind(exemptions.join(","))
    .bind(o.draft.effective_at.millis())
    .bind(o.draft.reason.as_str())
    .bind(o.draft.order_number.as_str())
    .bind(o.ordered_by.to_string())
    .bind(o.ordered_at.millis())
    .execute(&mut *tx.inner)
    .await?;
    Ok(())
}

fn order_from_row(row: &AnyRow) -> Result<RegistrationOrder, StoreError> {
    const T: &str = "registration_orders";
    let exemptions: String = row.try_get("exemptions")?;
    Ok(RegistrationOrder {
        id: rows::parse(T, &row.try_get::<String, _>("id")?)?,
        draft: RegistrationOrderDraft {
            region_code: rows::vocab(T, &row.try_get::<String, _>("region_code")?, RegionCode::parse)?,
            required: row.try_get::<i64, _>("required")? != 0,
            exemptions: exemptions
                .split(',')
                .filter(|s| !s.is_empty())
                .map(|s| rows::vocab(T, s, Exemption::parse))
                .collect::<Result<_, _>>()?,
            effective_at: Timestamp::from_millis(row.try_get("effective_at")?),
            reason: row.try_get("reason")?,
            order_number: row.try_get("order_number")?,
        },
        ordered_by: rows::parse(T, &row.try_get::<String, _>("ordered_by")?)?,
        ordered_at: Timestamp::from_millis(row.try_get("ordered_at")?),
    })
}

/// Every order of these regions (in effect or not yet), newest first.
pub async fn orders_of_regions(store: &Store, regions: &[RegionCode]) -> Result<Vec<RegistrationOrder>, StoreError> {
    if regions.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = SqlBuilder::new("SELECT * FROM registration_orders WHERE region_code IN ");
    q.bind_text_list(regions);
    q.push(" ORDER BY effective_at DESC, ordered_at DESC, id DESC");
    q.query().fetch_all(store.pool()).await?.iter().map(order_from_row).collect()
}

pub async fn order(store: &Store, id: RegistrationOrderId) -> Result<RegistrationOrder, StoreError> {
    let row = sqlx::query("SELECT * FROM registration_orders WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(store.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
    order_from_row(&row)
}

pub async fn insert_check_in(tx: &mut Tx, c: &CheckIn) -> Result<(), StoreError> {
    let mut q = SqlBuilder::new(
        "INSERT INTO check_ins (id, facility_id, service, patient_pseudonym, outcome, exemption, booking_id, rule_id, \
         checked_in_by, at, local_day) VALUES (",
    );
    q.bind_text(c.id.to_string()).push(", ");
    q.bind_text(c.facility_id.to_string()).push(", ");
    q.bind_text(c.service.as_str()).push(", ");
    q.bind_text(c.patient_pseudonym.clone()).push(", ");
    q.bind_text(c.outcome.as_str()).push(", ");
    q.bind(c.exemption.map_or(Arg::NullText, |e| Arg::Text(e.as_str().into()))).push(", ");
    q.bind(c.booking_id.map_or(Arg::NullText, |b| Arg::Text(b.to_string()))).push(", ");
    q.bind(c.rule_id.map_or(Arg::NullText, |r| Arg::Text(r.to_string()))).push(", ");
    q.bind_text(c.checked_in_by.to_string()).push(", ");
    q.bind_i64(c.at.millis()).push(", ");
    q.bind_i64(LocalDay::of(c.at).0).push(")");
    q.query()
        .execute(&mut *tx.inner)
        .await
        .map_err(|e| crate::error::map_unique(e, "the booking is checked in already"))?;
    Ok(())
}

fn check_in_from_row(row: &AnyRow) -> Result<CheckIn, StoreError> {
    const T: &str = "check_ins";
    let opt = |c: &str| row.try_get::<Option<String>, _>(c);
    Ok(CheckIn {
        id: rows::parse(T, &row.try_get::<String, _>("id")?)?,
        facility_id: rows::parse(T, &row.try_get::<String, _>("facility_id")?)?,
        service: rows::vocab(T, &row.try_get::<String, _>("service")?, ServiceKind::parse)?,
        patient_pseudonym: row.try_get("patient_pseudonym")?,
        outcome: rows::vocab(T, &row.try_get::<String, _>("outcome")?, CheckInOutcome::parse)?,
        exemption: opt("exemption")?.map(|s| rows::vocab(T, &s, Exemption::parse)).transpose()?,
        booking_id: opt("booking_id")?.map(|s| rows::parse(T, &s)).transpose()?,
        rule_id: opt("rule_id")?.map(|s| rows::parse(T, &s)).transpose()?,
        checked_in_by: rows::parse(T, &row.try_get::<String, _>("checked_in_by")?)?,
        at: Timestamp::from_millis(row.try_get("at")?),
    })
}

/// A facility's check-ins of one local day, latest first.
pub async fn check_ins_of(
    store: &Store,
    facility: FacilityId,
    day: LocalDay,
    limit: u32,
) -> Result<Vec<CheckIn>, StoreError> {
    let rows = sqlx::query(
        "SELECT * FROM check_ins WHERE facility_id = $1 AND local_day = $2 ORDER BY at DESC, id DESC LIMIT $3",
    )
    .bind(facility.to_string())
    .bind(day.0)
    .bind(i64::from(limit))
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(check_in_from_row).collect()
}

/// Mark a confirmed booking checked in; `Conflict` when it is not confirmed (any more).
pub async fn mark_checked_in(tx: &mut Tx, booking: BookingId) -> Result<(), StoreError> {
    let done = sqlx::query("UPDATE bookings SET status = 'checked_in' WHERE id = $1 AND status = 'confirmed'")
        .bind(booking.to_string())
        .execute(&mut *tx.inner)
        .await?
        .rows_affected();
    if done == 1 {
        Ok(())
    } else {
        Err(StoreError::Conflict("the booking is not confirmed (checked in already, or cancelled)".into()))
    }
}

/// The confirmed booking of `service` at `facility` under `pseudonym` whose slot is now: it
/// starts within `early_minutes` from now or has started and not ended. The earliest if several.
pub async fn booking_now(
    tx: &mut Tx,
    facility: FacilityId,
    service: ServiceKind,
    pseudonym: &str,
    now: Timestamp,
    early_minutes: i64,
) -> Result<Option<Booking>, StoreError> {
    let columns: Vec<String> = BOOKING_COLUMNS.split(',').map(|c| format!("b.{}", c.trim())).collect();
    let row = sqlx::query(&format!(
        "SELECT {} FROM bookings b JOIN slots s ON s.id = b.slot_id \
         WHERE b.facility_id = $1 AND b.service = $2 AND b.patient_pseudonym = $3 AND b.status = 'confirmed' \
         AND s.starts_at <= $4 AND s.ends_at > $5 ORDER BY s.starts_at, b.id LIMIT 1",
        columns.join(", ")
    ))
    .bind(facility.to_string())
    .bind(service.as_str())
    .bind(pseudonym)
    .bind(now.millis() + early_minutes * 60_000)
    .bind(now.millis())
    .fetch_optional(&mut *tx.inner)
    .await?;
    row.as_ref().map(booking_from_row).transpose()
}

/// The row of `by` for a grouped row's facility and local day (by day, then facility name),
/// made empty on first sight.
fn effect_of<'a>(
    by: &'a mut BTreeMap<(i64, String), RegistrationEffect>,
    row: &AnyRow,
) -> Result<&'a mut RegistrationEffect, StoreError> {
    let day: i64 = row.try_get("local_day")?;
    let facility_id: String = row.try_get("facility_id")?;
    let name_en: String = row.try_get("name_en")?;
    let key = (day, format!("{name_en}\u{0}{facility_id}"));
    if !by.contains_key(&key) {
        let empty = RegistrationEffect {
            facility_id: rows::parse("check_ins", &facility_id)?,
            facility_name_zh: row.try_get("name_zh")?,
            facility_name_en: name_en,
            day: LocalDay(day).to_string(),
            booked: 0,
            exempt: 0,
            walk_in: 0,
            registered: 0,
            must_register: 0,
            no_shows: 0,
        };
        by.insert(key.clone(), empty);
    }
    Ok(by.get_mut(&key).expect("inserted above"))
}

/// Arrivals by outcome and no-shows, per visible facility and local day in `from..=until`
/// (days with neither left out), by day then facility name. A no-show is a booking of the day
/// still `confirmed` (or marked `no_show`) whose slot ended before `now`.
pub async fn effect(
    store: &Store,
    visibility: Visibility,
    from: LocalDay,
    until: LocalDay,
    now: Timestamp,
) -> Result<Vec<RegistrationEffect>, StoreError> {
    let mut q = SqlBuilder::new(
        "SELECT c.facility_id, f.name_zh, f.name_en, c.local_day, c.outcome, COUNT(*) AS n \
         FROM check_ins c JOIN facilities f ON f.id = c.facility_id WHERE c.local_day >= ",
    );
    q.bind_i64(from.0).push(" AND c.local_day <= ").bind_i64(until.0);
    visibility.push_condition(&mut q, "f", "id");
    q.push(" GROUP BY c.facility_id, f.name_zh, f.name_en, c.local_day, c.outcome");
    let mut by: BTreeMap<(i64, String), RegistrationEffect> = BTreeMap::new();
    for row in q.query().fetch_all(store.pool()).await? {
        let count: i64 = row.try_get("n")?;
        let e = effect_of(&mut by, &row)?;
        match rows::vocab("check_ins", &row.try_get::<String, _>("outcome")?, CheckInOutcome::parse)? {
            CheckInOutcome::Booked => e.booked += count,
            CheckInOutcome::Exempt => e.exempt += count,
            CheckInOutcome::WalkIn => e.walk_in += count,
            CheckInOutcome::Registered => e.registered += count,
            CheckInOutcome::MustRegister => e.must_register += count,
        }
    }
    let mut n = SqlBuilder::new(&format!(
        "SELECT b.facility_id, f.name_zh, f.name_en, (b.starts_at + {CST_OFFSET_MS}) / {DAY_MS} AS local_day, \
         COUNT(*) AS n FROM bookings b JOIN slots s ON s.id = b.slot_id JOIN facilities f ON f.id = b.facility_id \
         WHERE b.starts_at >= "
    ));
    n.bind_i64(from.start().millis()).push(" AND b.starts_at < ").bind_i64(until.next().start().millis());
    n.push(" AND (b.status = 'no_show' OR (b.status = 'confirmed' AND s.ends_at <= ").bind_i64(now.millis()).push("))");
    visibility.push_condition(&mut n, "f", "id");
    n.push(&format!(" GROUP BY b.facility_id, f.name_zh, f.name_en, (b.starts_at + {CST_OFFSET_MS}) / {DAY_MS}"));
    for row in n.query().fetch_all(store.pool()).await? {
        let count: i64 = row.try_get("n")?;
        effect_of(&mut by, &row)?.no_shows += count;
    }
    Ok(by.into_values().collect())
}
