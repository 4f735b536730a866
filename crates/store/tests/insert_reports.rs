//! `capacity::insert_reports` answers once per report passed in, in order, even when some of
//! them carry no units (those store nothing): callers zip the answer with their own list.

mod support;

use carebridge_domain::capacity::{CapacityReportDraft, Unit, UnitCounts, UnitReport};
use carebridge_domain::clock::Timestamp;
use carebridge_domain::ids::ReportId;
use carebridge_store::capacity::{self, NewReport};
use carebridge_store::{migrate, Store};

#[tokio::test]
async fn the_answer_lines_up_with_the_reports_passed_in() {
    let dir = std::env::temp_dir().join(format!("cb-insert-reports-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let store = Store::connect(&format!("sqlite://{}/t.sqlite", dir.display()), 2).await.expect("connect");
    migrate::run(&store).await.expect("migrate");
    let now = Timestamp::from_millis(1_700_000_000_000);
    let mut tx = store.begin().await.expect("begin");
    let facility = support::insert_facility(&mut tx, &support::facility_draft("Test Hospital"), now).await;

    let empty = CapacityReportDraft { facility_id: facility, as_of: now, units: Vec::new() };
    let counts = UnitCounts::new(10, 8, 5).expect("counts");
    let icu =
        CapacityReportDraft { facility_id: facility, as_of: now, units: vec![UnitReport { unit: Unit::Icu, counts }] };
    let report = |draft| NewReport { id: ReportId::new_v7(), draft, reported_by: None, received_at: now };
    let answer = capacity::insert_reports(&mut tx, &[report(&empty), report(&icu)]).await.expect("insert");
    assert_eq!(answer, vec![false, true], "the empty report stores nothing; the ICU report becomes current");
    let none = capacity::insert_reports(&mut tx, &[report(&empty)]).await.expect("insert nothing");
    assert_eq!(none, vec![false]);
    tx.commit().await.expect("commit");
    assert_eq!(capacity::count_rows(&store).await.expect("count"), 1);
    store.close().await;
    std::fs::remove_dir_all(&dir).ok();
}
