//! Migration 0006 turns the per-urgency travel limits from straight-line km into minutes of the
//! travel estimate. Limits a region set under 0005 must come out as the same reach in minutes
//! (km × 1.3 at 50 km/h for an emergency, 40 km/h otherwise), clamped to the new bounds, and
//! facilities and offers of before must read back (not a children's hospital; no trip, border
//! or override recorded). On both backends.

mod support;

use carebridge_domain::clock::Timestamp;
use carebridge_domain::ids::FacilityId;
use carebridge_domain::referral::Urgency;
use carebridge_domain::region::RegionCode;
use carebridge_store::{facilities, migrate, settings, Store, Visibility};

const T0: i64 = 1_700_000_000_000;

async fn limits_are_carried_in_minutes(store: &Store) {
    assert_eq!(migrate::run_through(store, 5).await.expect("migrate to 0005"), vec![1, 2, 3, 4, 5]);
    let facility = FacilityId::new_v7();
    let mut tx = store.begin().await.expect("begin");
    tx.execute_unparameterised(&format!(
        "INSERT INTO facilities (id, name_zh, name_en, region_code, city_code, province_code, level, lon, lat, \
         address, phone, services, takes_new_patients, version, created_at, updated_at) VALUES \
         ('{facility}', '儿童医院', 'Carried', '420102', '420100', '420000', 'tertiary', 114.3, 30.6, '', '', \
         ',pediatrics,', 1, 1, {T0}, {T0})"
    ))
    .await
    .expect("a facility in the 0005 layout");
    tx.execute_unparameterised(
        "INSERT INTO region_placement_limits (region_code, urgency, max_wait_minutes, hold_minutes, travel_limit_km, \
         updated_by, updated_at) VALUES \
         ('420100', 'emergency', 45, 15, 80.0, 'u', 1), ('420100', 'urgent', 600, 120, 150.0, 'u', 1), \
         ('420100', 'routine', 20000, 120, 3000.0, 'u', 1), ('420100', 'soon', 600, 120, 1.0, 'u', 1)",
    )
    .await
    .expect("limits in the 0005 layout");
    tx.commit().await.expect("commit");

    assert_eq!(migrate::run(store).await.expect("migrate to the latest"), vec![6, 7, 8, 9, 10, 11]);
    let mut limits = settings::all_placement_limits(store).await.expect("limits");
    limits.sort_by_key(|(_, l)| l.urgency);
    let wuhan = RegionCode::parse("420100").expect("code");
    let minutes: Vec<(Urgency, i64, i64, i64)> = limits
        .iter()
        .map(|(r, l)| {
            assert_eq!(*r, wuhan);
            (l.urgency, l.max_wait_minutes, l.hold_minutes, l.travel_limit_minutes)
        })
        .collect();
    assert_eq!(
        minutes,
        vec![
            (Urgency::Emergency, 45, 15, 125),    // 80 km at 50 km/h × 1.3 = 124.8
            (Urgency::Urgent, 600, 120, 293),     // 150 km at 40 km/h = 292.5
            (Urgency::Soon, 600, 120, 5),         // 1 km = 2 min, clamped to the least limit
            (Urgency::Routine, 20000, 120, 2880), // 3000 km, clamped to two days
        ]
    );
    let read = facilities::get(store, facility, Visibility::All, Timestamp::from_millis(T0)).await.expect("read");
    assert!(!read.draft.paediatric_only, "a facility of before is not a children's hospital");
    assert!(settings::all_travel_limits(store).await.expect("travel").is_empty(), "no region sets one yet");
    store.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn on_sqlite() {
    let (store, db) = support::sqlite_store("migration-0006").await;
    limits_are_carried_in_minutes(&store).await;
    db.remove();
}

#[tokio::test(flavor = "multi_thread")]
async fn on_postgresql() {
    let Some((store, db)) = support::postgres_store("migration_0006").await else { return };
    limits_are_carried_in_minutes(&store).await;
    db.drop_database().await;
}
