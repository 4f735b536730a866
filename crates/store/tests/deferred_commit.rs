//! A deferred commit (`Tx::commit_deferred`) is committed when it returns — visible to readers
//! and written to the database's files, not held in the process — and `PendingSync::wait`
//! completes. A copy of the database files taken right after the commit, as a crash would leave
//! them, holds the row.

mod support;

use carebridge_domain::clock::Timestamp;
use carebridge_store::{facilities, migrate, Store};

#[tokio::test]
async fn a_deferred_commit_is_in_the_files_before_its_sync_and_the_sync_completes() {
    let dir = std::env::temp_dir().join(format!("cb-deferred-commit-{}", std::process::id()));
    let copy = dir.join("copy");
    std::fs::create_dir_all(&copy).expect("temp dir");
    let file = dir.join("t.sqlite");
    let store = Store::connect(&format!("sqlite://{}", file.display()), 2).await.expect("connect");
    migrate::run(&store).await.expect("migrate");

    let mut tx = store.begin().await.expect("begin");
    let draft = support::facility_draft("Deferred Commit Hospital");
    let id = support::insert_facility(&mut tx, &draft, Timestamp::from_millis(1_700_000_000_000)).await;
    let pending = tx.commit_deferred().await.expect("commit");

    // The process "dies" here: copy the files as they are, with the log.
    for suffix in ["", "-wal"] {
        let from = format!("{}{suffix}", file.display());
        std::fs::copy(&from, copy.join(format!("t.sqlite{suffix}"))).expect("copy a database file");
    }
    pending.wait().await.expect("the log sync completes");
    store.close().await;

    let reopened =
        Store::connect(&format!("sqlite://{}", copy.join("t.sqlite").display()), 1).await.expect("open the copy");
    let found =
        facilities::get_many(&reopened, &[id], Timestamp::from_millis(1_700_000_000_000)).await.expect("read the copy");
    assert_eq!(
        found.iter().map(|f| f.draft.name_en.as_str()).collect::<Vec<_>>(),
        ["Deferred Commit Hospital"],
        "the committed row must be in the files the moment the commit returns"
    );
    reopened.close().await;
    std::fs::remove_dir_all(&dir).ok();
}
