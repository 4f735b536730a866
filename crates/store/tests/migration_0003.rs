//! Migration 0003 turns a report's unit rows into columns of the report. A database as release
//! 0002 left it (reports in `capacity_reports`, their units in `capacity_report_units`) must
//! come out with the same history, read through the store, and the new table must refuse a
//! unit whose counts are half there or a report without units. On both backends.

mod support;

use carebridge_domain::capacity::{Unit, UnitCounts, UnitReport};
use carebridge_domain::ids::{FacilityId, ReportId};
use carebridge_store::{capacity, migrate, Store, Visibility};

const T0: i64 = 1_700_000_000_000;

fn unit(unit: Unit, physical: i64, staffed: i64, occupied: i64) -> UnitReport {
    UnitReport { unit, counts: UnitCounts::new(physical, staffed, occupied).expect("counts") }
}

async fn history_is_carried(store: &Store) {
    assert_eq!(migrate::run_through(store, 2).await.expect("migrate to 0002"), vec![1, 2]);
    // The facility as the 0002 layout has it (the store's own insert writes today's columns).
    let facility = FacilityId::new_v7();
    let mut tx = store.begin().await.expect("begin");
    tx.execute_unparameterised(&format!(
        "INSERT INTO facilities (id, name_zh, name_en, region_code, city_code, province_code, level, lon, lat, \
         address, phone, services, takes_new_patients, version, created_at, updated_at) VALUES \
         ('{facility}', '测试医院', 'Carried', '420103', '420100', '420000', 'secondary', 114.3, 30.6, '', '', \
         ',icu,', 1, 1, {T0}, {T0})"
    ))
    .await
    .expect("a facility in the 0002 layout");
    tx.commit().await.expect("commit");

    // Two reports in the 0002 layout: one of two units, one of one.
    let (first, second) = (ReportId::new_v7(), ReportId::new_v7());
    let old_rows = [
        format!(
            "INSERT INTO capacity_reports (seq, report_id, facility_id, as_of, received_at, reported_by) VALUES \
             (1, '{first}', '{facility}', {T0}, {T0}, NULL), (2, '{second}', '{facility}', {}, {}, NULL)",
            T0 + 3_600_000,
            T0 + 3_600_000
        ),
        "INSERT INTO capacity_report_units (report_seq, unit, physical, staffed, occupied) VALUES \
         (1, 'icu', 20, 16, 5), (1, 'general_ward', 100, 90, 80), (2, 'dialysis_stations', 10, 10, 3)"
            .to_string(),
    ];
    let mut tx = store.begin().await.expect("begin");
    for sql in &old_rows {
        tx.execute_unparameterised(sql).await.expect("a row in the 0002 layout");
    }
    tx.commit().await.expect("commit");

    assert_eq!(migrate::run_through(store, 3).await.expect("migrate to 0003"), vec![3]);
    migrate::run(store).await.expect("migrate to the latest");
    let (history, next) = capacity::history(store, facility, Visibility::All, None, 10).await.expect("history");
    assert_eq!(next, None);
    let read: Vec<(ReportId, i64, Vec<UnitReport>)> =
        history.into_iter().map(|r| (r.id, r.draft.as_of.millis(), r.draft.units)).collect();
    let mut first_units = vec![unit(Unit::Icu, 20, 16, 5), unit(Unit::GeneralWard, 100, 90, 80)];
    first_units.sort_by_key(|u| u.unit);
    assert_eq!(
        read,
        vec![(second, T0 + 3_600_000, vec![unit(Unit::DialysisStations, 10, 10, 3)]), (first, T0, first_units),],
        "newest first, every unit carried with its counts"
    );
    assert_eq!(capacity::count_rows(store).await.expect("count"), 3, "three unit reports");

    // The new layout's checks: a unit's counts are all there or all absent, and a report has
    // at least one unit.
    for (what, cells) in [
        ("a unit with only its physical count", "icu_physical) VALUES (3, 'r3', '{f}', 0, 0, 5)"),
        ("a report without units", "icu_physical) VALUES (3, 'r3', '{f}', 0, 0, NULL)"),
        ("staffed above physical", "icu_physical, icu_staffed, icu_occupied) VALUES (3, 'r3', '{f}', 0, 0, 5, 6, 0)"),
    ] {
        let sql = format!(
            "INSERT INTO capacity_reports (seq, report_id, facility_id, as_of, received_at, {})",
            cells.replace("{f}", &facility.to_string())
        );
        let mut tx = store.begin().await.expect("begin");
        assert!(tx.execute_unparameterised(&sql).await.is_err(), "{what} must be refused");
    }
    store.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn on_sqlite() {
    let (store, db) = support::sqlite_store("migration-0003").await;
    history_is_carried(&store).await;
    db.remove();
}

#[tokio::test(flavor = "multi_thread")]
async fn on_postgresql() {
    let Some((store, db)) = support::postgres_store("migration_0003").await else { return };
    history_is_carried(&store).await;
    db.drop_database().await;
}
