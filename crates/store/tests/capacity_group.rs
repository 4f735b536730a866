//! `capacity_group::write_group`, on both of its paths: the native writer thread (a SQLite
//! file) and `sqlx` (PostgreSQL, when `CAREBRIDGE_TEST_DATABASE_URL` names a server). The same
//! group gives the same outcomes and the same stored state on both, and a group that fails
//! stores nothing of itself.

mod support;

use carebridge_domain::audit::{Actor, Entry};
use carebridge_domain::capacity::{CapacityReportDraft, Unit, UnitCounts, UnitReport};
use carebridge_domain::clock::Timestamp;
use carebridge_domain::ids::{AuditId, FacilityId, ReportId};
use carebridge_domain::region::RegionCode;
use carebridge_store::audit::{self, AuditFilter};
use carebridge_store::capacity_group::{self, GroupOutcome, GroupReport};
use carebridge_store::{capacity, migrate, Store, Visibility};

const T0: i64 = 1_700_000_000_000;

fn icu(facility: FacilityId, as_of_hours: i64, occupied: i64) -> CapacityReportDraft {
    let counts = UnitCounts::new(20, 16, occupied).expect("counts");
    CapacityReportDraft {
        facility_id: facility,
        as_of: Timestamp::from_millis(T0 + as_of_hours * 3_600_000),
        units: vec![UnitReport { unit: Unit::Icu, counts }],
    }
}

fn report(draft: CapacityReportDraft, visibility: Visibility) -> GroupReport {
    let id = ReportId::new_v7();
    GroupReport {
        id,
        reported_by: None,
        received_at: Timestamp::from_millis(T0),
        visibility,
        audit: Entry {
            id: AuditId::new_v7(),
            at: Timestamp::from_millis(T0),
            actor: Actor { user_id: None, name: "test:group".into(), role: None },
            action: "capacity.report".into(),
            entity: "facility".into(),
            entity_id: draft.facility_id.to_string(),
            request_id: None,
            change: serde_json::json!({ "report_id": id }),
        },
        draft,
    }
}

/// The ICU occupancy standing for `facility`, and its as-of hour.
async fn standing_icu(store: &Store, facility: FacilityId) -> Option<(i64, i64)> {
    let rows = capacity::current(store, Visibility::Facility(facility), None, 1, Timestamp::from_millis(T0))
        .await
        .expect("current");
    let unit = rows.first()?.units.iter().find(|u| u.report.unit == Unit::Icu).copied()?;
    Some((unit.report.counts.occupied(), (unit.as_of.millis() - T0) / 3_600_000))
}

async fn the_rules_hold(store: &Store) {
    migrate::run(store).await.expect("migrate");
    let now = Timestamp::from_millis(T0);
    let mut tx = store.begin().await.expect("begin");
    let wuhan = support::insert_facility(&mut tx, &support::facility_draft("Wuhan Hospital"), now).await;
    let mut beijing_draft = support::facility_draft("Beijing Hospital");
    beijing_draft.region_code = RegionCode::parse("110101").expect("code");
    let beijing = support::insert_facility(&mut tx, &beijing_draft, now).await;
    tx.commit().await.expect("commit");
    let hubei = Visibility::Province(RegionCode::parse("420000").expect("code"));

    let group = vec![
        report(icu(wuhan, 2, 9), hubei),
        // Older than the report before it in the same group: stored, not current.
        report(icu(wuhan, 1, 7), hubei),
        // Outside the sender's province, and a facility that does not exist.
        report(icu(beijing, 2, 3), hubei),
        report(icu(FacilityId::new_v7(), 2, 3), Visibility::All),
        // No units: stores nothing, becomes nothing, is still audited.
        report(CapacityReportDraft { units: Vec::new(), ..icu(wuhan, 3, 0) }, hubei),
    ];
    let (outcomes, pending) = capacity_group::write_group(store, group).await.expect("write the group");
    pending.wait().await.expect("sync");
    assert_eq!(
        outcomes,
        vec![
            GroupOutcome::Stored { became_current: true },
            GroupOutcome::Stored { became_current: false },
            GroupOutcome::OutOfScope,
            GroupOutcome::OutOfScope,
            GroupOutcome::Stored { became_current: false },
        ]
    );
    assert_eq!(standing_icu(store, wuhan).await, Some((9, 2)));
    assert_eq!(standing_icu(store, beijing).await, None, "an out-of-scope report is not stored");
    assert_eq!(capacity::count_rows(store).await.expect("count"), 2, "two ICU unit rows");
    let filter = AuditFilter { action: Some("capacity.report".into()), ..AuditFilter::default() };
    let entries = audit::list(store, &filter, None, 100).await.expect("audit");
    let became: Vec<bool> = entries.iter().rev().map(|(_, e)| e.change["became_current"] == true).collect();
    assert_eq!(became, vec![true, false, false], "one entry per stored report, with whether it became current");

    // A later group with an older report changes nothing standing; a newer one replaces it.
    let (outcomes, pending) = capacity_group::write_group(
        store,
        vec![report(icu(wuhan, 0, 1), Visibility::Facility(wuhan)), report(icu(wuhan, 5, 11), hubei)],
    )
    .await
    .expect("second group");
    pending.wait().await.expect("sync");
    assert_eq!(
        outcomes,
        vec![GroupOutcome::Stored { became_current: false }, GroupOutcome::Stored { became_current: true }]
    );
    assert_eq!(standing_icu(store, wuhan).await, Some((11, 5)));

    // A group that fails (the same report id twice) stores none of its reports or entries.
    let (rows, logged) = (capacity::count_rows(store).await.expect("count"), audit::count(store).await.expect("count"));
    let first = report(icu(wuhan, 9, 15), hubei);
    let mut twin = report(icu(wuhan, 8, 14), hubei);
    twin.id = first.id;
    let failed = capacity_group::write_group(store, vec![first, twin]).await;
    assert!(failed.is_err(), "a repeated report id must fail the group");
    assert_eq!(capacity::count_rows(store).await.expect("count"), rows);
    assert_eq!(audit::count(store).await.expect("count"), logged);
    assert_eq!(standing_icu(store, wuhan).await, Some((11, 5)), "the failed group left the current state alone");
    store.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn on_a_sqlite_file_through_the_native_writer() {
    let (store, db) = support::sqlite_store("capacity-group").await;
    the_rules_hold(&store).await;
    db.remove();
}

#[tokio::test(flavor = "multi_thread")]
async fn on_postgresql_through_sqlx() {
    let Some((store, db)) = support::postgres_store("group").await else { return };
    the_rules_hold(&store).await;
    db.drop_database().await;
}
