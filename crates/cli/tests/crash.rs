//! Crash tests, after sled's `tests/test_crash_recovery.rs`: the real `carebridge serve` takes
//! capacity reports from 16 concurrent clients and is killed mid-traffic (SIGKILL), then
//! restarted on the same SQLite file, three times over; separately, stopped with SIGTERM
//! mid-traffic. After every stop the database must hold every report that was answered 201,
//! each exactly once and whole (as many unit rows as units sent, with the numbers sent), one
//! `capacity.report` audit entry per stored report, a current-state table that agrees with the
//! history, and a server that answers again with the tokens it issued before.
//!
//! Requests carry unique, increasing as-of times (one second apart), so each stored report can
//! be traced to the request that produced it, whether or not its 201 reached the client.

mod common;

use carebridge_domain::capacity::Unit;
use carebridge_domain::clock::Timestamp;
use common::{http, now_millis, rfc3339, Server, TestDb, OPS_PASSWORD};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::os::unix::process::ExitStatusExt;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const FACILITIES: usize = 20;
const CLIENTS: usize = 16;
const KILL_CYCLES: u32 = 3;
/// 201s to see in a cycle before the kill is armed, so every kill lands mid-traffic.
const ACKS_BEFORE_KILL: usize = 40;
const UNITS: [&str; 4] = ["general_ward", "icu", "isolation", "emergency"];

/// Unit → (physical, staffed, occupied).
type Units = BTreeMap<String, (i64, i64, i64)>;
/// A request's identity: facility id and as-of time in milliseconds.
type Key = (String, i64);
/// A unit's standing numbers: as-of (ms), counts, and the report they come from.
type Standing = (i64, (i64, i64, i64), String);

/// What the clients sent and what the server confirmed.
#[derive(Default)]
struct Ledger {
    /// Every request sent, recorded before it left.
    sent: HashMap<Key, Units>,
    /// Requests answered 201, with the report id from the body (absent only if the body was
    /// cut off after the status line).
    acked: Vec<(Key, Option<String>)>,
    /// Any HTTP answer other than 201: always a failure.
    unexpected: Vec<String>,
    /// Requests that got no answer (connection refused or cut by the kill).
    unanswered: usize,
}

struct Fixture {
    db: TestDb,
    facilities: Vec<String>,
    /// as-of of request 0; request `n` reports at `base + n` seconds.
    base: i64,
    next: Arc<AtomicI64>,
    ledger: Arc<Mutex<Ledger>>,
    client: reqwest::Client,
    token: String,
}

/// `facility F at TIME`, for messages.
fn show(key: &Key) -> String {
    format!("facility {} at {}", key.0, rfc3339(key.1))
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A fresh database with 20 facilities and a national coordinator, made with the binary, and
/// `serve` started on it.
async fn setup() -> (Fixture, Server) {
    let db = TestDb::new();
    let file = db.write_file("facilities.csv", common::generated_facilities_csv(FACILITIES).as_bytes());
    db.run(&["import", "facilities", file.to_str().expect("UTF-8 path")], None).success();
    db.run(
        &["user", "add", "--username", "ops-lead", "--role", "national_coordinator"],
        Some(&format!("{OPS_PASSWORD}\n")),
    )
    .success();
    let pool = db.pool().await;
    let facilities: Vec<String> = sqlx::query_scalar("SELECT id FROM facilities ORDER BY id")
        .fetch_all(&pool)
        .await
        .expect("reading facility ids");
    pool.close().await;
    assert_eq!(facilities.len(), FACILITIES, "the import should have created {FACILITIES} facilities");

    let server = db.serve();
    let client = http();
    let token = common::token(&client, &server, "ops-lead", OPS_PASSWORD).await;
    let fixture = Fixture {
        db,
        facilities,
        base: now_millis() - 24 * 3_600_000,
        next: Arc::new(AtomicI64::new(0)),
        ledger: Arc::default(),
        client,
        token,
    };
    (fixture, server)
}

/// The request numbered `n`: which facility, when, and 1–3 units with valid counts.
fn request(n: i64, facilities: &[String], base: i64) -> (Key, Units) {
    let facility = facilities[usize::try_from(n * 7).unwrap_or(0) % facilities.len()].clone();
    let mut units = Units::new();
    for j in 0..=(n % 3) {
        let unit = UNITS[usize::try_from(n + j).unwrap_or(0) % UNITS.len()];
        let physical = 100 + n % 50 + j;
        units.insert(unit.to_string(), (physical, physical - n % 7, (n * 3 + j) % 130));
    }
    ((facility, base + n * 1000), units)
}

/// Send request `n`, recording it before and its outcome after. True on 201.
async fn post(
    client: &reqwest::Client,
    base_url: &str,
    token: &str,
    facilities: &[String],
    base: i64,
    n: i64,
    ledger: &Mutex<Ledger>,
) -> bool {
    let (key, units) = request(n, facilities, base);
    lock(ledger).sent.insert(key.clone(), units.clone());
    let body = serde_json::json!({
        "facility_id": key.0,
        "as_of": rfc3339(key.1),
        "units": units.iter().map(|(u, (p, s, o))| serde_json::json!({
            "unit": u, "physical": p, "staffed": s, "occupied": o
        })).collect::<Vec<_>>(),
    });
    let res = client.post(format!("{base_url}/api/v1/capacity/reports")).bearer_auth(token).json(&body).send().await;
    let res = match res {
        Ok(r) => r,
        Err(_) => {
            lock(ledger).unanswered += 1;
            return false;
        }
    };
    let status = res.status().as_u16();
    let text = res.text().await;
    let mut ledger = lock(ledger);
    match (status, text) {
        (201, Ok(text)) => {
            let v: serde_json::Value = match serde_json::from_str(&text) {
                Ok(v) => v,
                Err(e) => {
                    ledger.unexpected.push(format!("201 with a body that is not JSON ({e}): {text}"));
                    return false;
                }
            };
            let echoed = v["facility_id"] == key.0.as_str() && v["as_of"] == rfc3339(key.1).as_str();
            match v["id"].as_str() {
                Some(id) if echoed => ledger.acked.push((key, Some(id.to_string()))),
                _ => ledger.unexpected.push(format!("201 for {} with an unexpected body: {text}", show(&key))),
            }
            true
        }
        // The status line arrived, the body did not: still a confirmed write.
        (201, Err(_)) => {
            ledger.acked.push((key, None));
            true
        }
        (status, text) => {
            ledger.unexpected.push(format!(
                "HTTP {status} for request {n} ({}): {}",
                show(&key),
                text.unwrap_or_else(|e| format!("<body lost: {e}>"))
            ));
            false
        }
    }
}

/// Concurrent clients posting until told to stop.
struct Traffic {
    stop: Arc<AtomicBool>,
    acked: Arc<AtomicUsize>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Traffic {
    fn start(fx: &Fixture, server: &Server) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let acked = Arc::new(AtomicUsize::new(0));
        let tasks = (0..CLIENTS)
            .map(|_| {
                let (stop, acked, next, ledger) = (stop.clone(), acked.clone(), fx.next.clone(), fx.ledger.clone());
                let (client, url, token) = (fx.client.clone(), server.base.clone(), fx.token.clone());
                let (facilities, base) = (fx.facilities.clone(), fx.base);
                tokio::spawn(async move {
                    while !stop.load(Ordering::SeqCst) {
                        let n = next.fetch_add(1, Ordering::SeqCst);
                        if post(&client, &url, &token, &facilities, base, n, &ledger).await {
                            acked.fetch_add(1, Ordering::SeqCst);
                        } else {
                            // A dead server refuses at once; don't spin.
                            tokio::time::sleep(Duration::from_millis(10)).await;
                        }
                    }
                })
            })
            .collect();
        Self { stop, acked, tasks }
    }

    /// Wait until `n` requests of this traffic were answered 201.
    async fn wait_for_acks(&self, n: usize, server: &Server, fx: &Fixture) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while self.acked.load(Ordering::SeqCst) < n {
            if Instant::now() > deadline {
                let ledger = lock(&fx.ledger);
                panic!(
                    "only {} of {n} reports answered 201 within 60 s (unanswered so far {}, unexpected {:?})\n{}",
                    self.acked.load(Ordering::SeqCst),
                    ledger.unanswered,
                    ledger.unexpected.iter().take(5).collect::<Vec<_>>(),
                    server.child.describe()
                );
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Stop the clients and wait for them (each request is bounded by the HTTP timeout).
    async fn stop(self) -> usize {
        self.stop.store(true, Ordering::SeqCst);
        let all = futures::future::join_all(self.tasks);
        let results = tokio::time::timeout(common::HTTP_TIMEOUT + Duration::from_secs(30), all)
            .await
            .expect("the client tasks did not stop in time");
        for r in results {
            r.expect("a client task panicked");
        }
        self.acked.load(Ordering::SeqCst)
    }
}

/// What one check found.
#[derive(Debug)]
struct Checked {
    stored: usize,
    acked: usize,
    /// Stored although their 201 never arrived: committed as the process died. Allowed.
    stored_unacked: usize,
}

/// Read the SQLite file and hold it to the ledger (see the module docs for the rules).
async fn check_database(fx: &Fixture, when: &str) -> Checked {
    let pool = fx.db.pool().await;
    let rows: Vec<(String, String, String, i64, i64, i64, i64)> = sqlx::query_as(&format!(
        "SELECT report_id, facility_id, unit, as_of, physical, staffed, occupied FROM ({}) u ORDER BY seq, unit",
        common::unit_reports_sql()
    ))
    .fetch_all(&pool)
    .await
    .expect("reading capacity_reports");
    let audit: Vec<(String, String)> =
        sqlx::query_as("SELECT entity_id, change FROM audit_log WHERE action = 'capacity.report' ORDER BY seq")
            .fetch_all(&pool)
            .await
            .expect("reading audit_log");
    // `capacity_now` holds one row per facility with each unit's columns; unpivot it here.
    let current_sql = Unit::ALL
        .iter()
        .map(|unit| {
            let u = unit.as_str();
            format!(
                "SELECT c.facility_id, '{u}', c.{u}_as_of, c.{u}_physical, c.{u}_staffed, c.{u}_occupied, r.report_id \
                 FROM capacity_now c JOIN capacity_reports r ON r.seq = c.{u}_seq"
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    let current: Vec<(String, String, i64, i64, i64, i64, String)> =
        sqlx::query_as(&current_sql).fetch_all(&pool).await.expect("reading capacity_now");
    pool.close().await;
    let ledger = lock(&fx.ledger);

    // Reports as stored, by id; every row of a report names the same facility and time.
    let mut stored: BTreeMap<String, (Key, Units)> = BTreeMap::new();
    for (id, facility, unit, as_of, p, s, o) in rows {
        let entry = stored.entry(id.clone()).or_insert_with(|| ((facility.clone(), as_of), Units::new()));
        assert_eq!(entry.0, (facility, as_of), "{when}: report {id} has rows for different facilities or times");
        assert!(entry.1.insert(unit.clone(), (p, s, o)).is_none(), "{when}: report {id} stores unit {unit} twice");
    }
    let mut by_key: HashMap<Key, String> = HashMap::new();
    for (id, (key, units)) in &stored {
        if let Some(other) = by_key.insert(key.clone(), id.clone()) {
            panic!("{when}: one request ({}) is stored twice, as reports {other} and {id}", show(key));
        }
        let sent =
            ledger.sent.get(key).unwrap_or_else(|| panic!("{when}: stored report {id} ({}) was never sent", show(key)));
        assert_eq!(
            units,
            sent,
            "{when}: report {id} ({}) is half-written or altered: stored {} unit row(s) {units:?}, sent {} {sent:?}",
            show(key),
            units.len(),
            sent.len()
        );
    }

    // Every 201 survived.
    let mut missing = Vec::new();
    for (key, id) in &ledger.acked {
        match (by_key.get(key), id) {
            (None, _) => missing.push(format!("{} (id {id:?})", show(key))),
            (Some(stored_id), Some(id)) => {
                assert_eq!(
                    stored_id,
                    id,
                    "{when}: {} answered 201 as report {id} but is stored as {stored_id}",
                    show(key)
                )
            }
            (Some(_), None) => {}
        }
    }
    assert!(
        missing.is_empty(),
        "{when}: {} of {} reports answered 201 are missing from the database, e.g. {:?}",
        missing.len(),
        ledger.acked.len(),
        &missing[..missing.len().min(5)]
    );

    // One audit entry per stored report, none for anything else.
    let mut audited: HashMap<Key, usize> = HashMap::new();
    for (entity_id, change) in &audit {
        let v: serde_json::Value =
            serde_json::from_str(change).unwrap_or_else(|e| panic!("{when}: audit change is not JSON ({e}): {change}"));
        let facility =
            v["report"]["facility_id"].as_str().unwrap_or_else(|| panic!("{when}: audit without a report: {v}"));
        assert_eq!(facility, entity_id, "{when}: audit entity_id differs from the report's facility: {v}");
        let as_of = v["report"]["as_of"].as_str().and_then(|s| Timestamp::parse_rfc3339(s).ok());
        let as_of = as_of.unwrap_or_else(|| panic!("{when}: audit without a readable as_of: {v}")).millis();
        *audited.entry((facility.to_string(), as_of)).or_default() += 1;
    }
    for (key, id) in &by_key {
        let n = audited.get(key).copied().unwrap_or(0);
        assert_eq!(n, 1, "{when}: stored report {id} ({}) has {n} capacity.report audit entries, not 1", show(key));
    }
    let orphans: Vec<_> = audited.keys().filter(|k| !by_key.contains_key(*k)).map(show).collect();
    assert!(orphans.is_empty(), "{when}: audit entries for reports that are not stored: {orphans:?}");
    assert_eq!(audit.len(), stored.len(), "{when}: capacity.report audit entries vs stored reports");

    // The current state is the latest stored report per facility and unit.
    let mut latest: BTreeMap<(String, String), Standing> = BTreeMap::new();
    for (id, ((facility, as_of), units)) in &stored {
        for (unit, counts) in units {
            let e = latest.entry((facility.clone(), unit.clone())).or_insert((*as_of, *counts, id.clone()));
            if *as_of > e.0 {
                *e = (*as_of, *counts, id.clone());
            }
        }
    }
    let current: BTreeMap<_, _> =
        current.into_iter().map(|(f, u, as_of, p, s, o, id)| ((f, u), (as_of, (p, s, o), id))).collect();
    assert_eq!(current, latest, "{when}: capacity_now disagrees with the latest stored reports");

    let acked = ledger.acked.len();
    let acked_keys: BTreeSet<&Key> = ledger.acked.iter().map(|(k, _)| k).collect();
    let stored_unacked = by_key.keys().filter(|k| !acked_keys.contains(k)).count();
    assert!(ledger.unexpected.is_empty(), "{when}: answers other than 201: {:?}", &ledger.unexpected);
    Checked { stored: stored.len(), acked, stored_unacked }
}

/// The restarted server answers: ready, the old token still valid, a new report accepted.
async fn check_serves(fx: &Fixture, server: &Server, when: &str) {
    let ready = fx.client.get(server.url("/readyz")).send().await.expect("GET /readyz");
    assert_eq!(ready.status().as_u16(), 200, "{when}: /readyz after restart");
    let me = fx.client.get(server.url("/api/v1/auth/me")).bearer_auth(&fx.token).send().await.expect("GET /auth/me");
    assert_eq!(me.status().as_u16(), 200, "{when}: the token issued before the restart should still work");
    let n = fx.next.fetch_add(1, Ordering::SeqCst);
    let ok = post(&fx.client, &server.base, &fx.token, &fx.facilities, fx.base, n, &fx.ledger).await;
    assert!(
        ok,
        "{when}: a report after restart was not accepted: {:?}\n{}",
        lock(&fx.ledger).unexpected,
        server.child.describe()
    );
}

/// Every stored report is also listed by the API (paging through each facility's history).
async fn check_history_api(fx: &Fixture, server: &Server) {
    let pool = fx.db.pool().await;
    let stored: Vec<(String, String, i64)> = sqlx::query_as(&format!(
        "SELECT facility_id, report_id, CAST({} AS BIGINT) FROM capacity_reports",
        common::units_carried_sql()
    ))
    .fetch_all(&pool)
    .await
    .expect("reading capacity_reports");
    pool.close().await;
    let mut wanted: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for (facility, id, n) in stored {
        wanted.entry(facility).or_default().insert(id, usize::try_from(n).unwrap_or(0));
    }
    for facility in &fx.facilities {
        let mut listed = BTreeMap::new();
        let mut cursor: Option<String> = None;
        for page in 0.. {
            assert!(page < 1000, "history of {facility} does not end");
            let mut url = format!("{}/api/v1/facilities/{facility}/capacity/reports?limit=500", server.base);
            if let Some(c) = &cursor {
                url.push_str(&format!("&cursor={c}"));
            }
            let res = fx.client.get(&url).bearer_auth(&fx.token).send().await.expect("GET history");
            assert_eq!(res.status().as_u16(), 200, "GET {url}");
            let body: serde_json::Value = res.json().await.expect("JSON");
            for item in body["items"].as_array().unwrap_or_else(|| panic!("no items in {body}")) {
                let id = item["id"].as_str().unwrap_or_else(|| panic!("no id in {item}")).to_string();
                let units = item["units"].as_array().map_or(0, Vec::len);
                assert!(listed.insert(id.clone(), units).is_none(), "report {id} listed twice in {facility}'s history");
            }
            match body["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => break,
            }
        }
        let wanted = wanted.remove(facility).unwrap_or_default();
        assert_eq!(listed, wanted, "the API's history of {facility} differs from the database (id → unit count)");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_traffic_loses_no_acknowledged_report() {
    let (fx, mut server) = setup().await;
    for cycle in 1..=KILL_CYCLES {
        let traffic = Traffic::start(&fx, &server);
        traffic.wait_for_acks(ACKS_BEFORE_KILL, &server, &fx).await;
        // Vary where in the traffic the kill lands.
        tokio::time::sleep(Duration::from_millis(200 + 350 * u64::from(cycle))).await;
        let status = tokio::task::block_in_place(|| server.kill());
        assert_eq!(status.signal(), Some(9), "cycle {cycle}: serve should die by SIGKILL, got {status}");
        let acked_now = traffic.stop().await;
        assert!(acked_now >= ACKS_BEFORE_KILL, "cycle {cycle}: traffic stalled");

        server = fx.db.serve();
        let when = format!("after SIGKILL {cycle} and restart");
        let checked = check_database(&fx, &when).await;
        eprintln!(
            "{when}: {} stored, {} answered 201, {} stored without a 201 (in flight at the kill), {} unanswered",
            checked.stored,
            checked.acked,
            checked.stored_unacked,
            lock(&fx.ledger).unanswered
        );
        assert!(checked.acked > 0 && checked.stored >= checked.acked, "{when}: {checked:?}");
        check_serves(&fx, &server, &when).await;
    }
    check_history_api(&fx, &server).await;
    check_database(&fx, "at the end").await;
    server.stop_cleanly();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_mid_traffic_exits_zero_and_keeps_every_acknowledged_report() {
    let (fx, mut server) = setup().await;
    let traffic = Traffic::start(&fx, &server);
    traffic.wait_for_acks(ACKS_BEFORE_KILL, &server, &fx).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let status = tokio::task::block_in_place(|| server.terminate());
    assert!(
        status.success(),
        "serve should drain and exit 0 on SIGTERM under load, got {status}\n{}",
        server.child.describe()
    );
    traffic.stop().await;
    // Exited cleanly: the file is complete before any restart.
    let checked = check_database(&fx, "after SIGTERM").await;
    eprintln!(
        "after SIGTERM: {} stored, {} answered 201, {} stored without a 201, {} unanswered",
        checked.stored,
        checked.acked,
        checked.stored_unacked,
        lock(&fx.ledger).unanswered
    );

    let server = fx.db.serve();
    check_database(&fx, "after SIGTERM and restart").await;
    check_serves(&fx, &server, "after SIGTERM and restart").await;
    check_history_api(&fx, &server).await;
    server.stop_cleanly();
}

/// sled's `crash_batches`, for the one bulk write the binary makes: `import capacity` of a
/// large file killed at several moments (while parsing, while writing, after committing). Each
/// import is one transaction, so after every kill the file holds all of an import's rows and its
/// one audit entry, or none of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_import_leaves_all_or_nothing() {
    const IMPORT_FACILITIES: usize = 40;
    const TIMES: i64 = 300;
    const ROWS: i64 = IMPORT_FACILITIES as i64 * TIMES * 2;
    let db = TestDb::new();
    let file = db.write_file("facilities.csv", common::generated_facilities_csv(IMPORT_FACILITIES).as_bytes());
    db.run(&["import", "facilities", file.to_str().expect("UTF-8 path")], None).success();
    let pool = db.pool().await;
    let ids: Vec<String> =
        sqlx::query_scalar("SELECT id FROM facilities ORDER BY id").fetch_all(&pool).await.expect("facility ids");
    pool.close().await;
    let start = now_millis() - 3_600_000 - TIMES * 60_000;
    let mut csv = String::from("facility_id,as_of,unit,physical,staffed,occupied\n");
    for t in 0..TIMES {
        let as_of = rfc3339(start + t * 60_000);
        for id in &ids {
            csv.push_str(&format!(
                "{id},{as_of},general_ward,500,{},{}\n{id},{as_of},icu,40,36,{}\n",
                450 - t % 9,
                t % 600,
                t % 45
            ));
        }
    }
    let file = db.write_file("capacity.csv", csv.as_bytes());
    let file = file.to_str().expect("UTF-8 path");

    // One import left to finish measures how long an import takes; the kills land at
    // fractions of that, denser towards the end where the write transaction runs.
    let started = Instant::now();
    db.run(&["import", "capacity", file], None).success();
    let full = started.elapsed();
    let mut outcomes = vec![format!("not killed: finished in {full:?}")];
    let mut committed = 1;
    for percent in [20u32, 40, 60, 70, 78, 85, 90, 94, 97, 100, 104] {
        let delay = full * percent / 100;
        let mut import =
            common::ChildGuard::spawn(db.dir(), &["import", "capacity", file, "--database-url", &db.url], None);
        tokio::time::sleep(delay).await;
        let outcome = match import.wait_timeout(Duration::ZERO) {
            Some(status) => {
                assert!(status.success(), "the import failed by itself\n{}", import.describe());
                committed += 1;
                "finished"
            }
            None => {
                import.signal("KILL");
                let status = import.wait(common::EXIT_TIMEOUT);
                match status.signal() {
                    Some(9) => "killed",
                    // It finished between the check and the signal.
                    _ if status.success() => {
                        committed += 1;
                        "finished"
                    }
                    _ => panic!("import exited with {status} instead of dying by SIGKILL\n{}", import.describe()),
                }
            }
        };
        // The binary opens the file first (SQLite recovers it here), then we count.
        db.run(&["export", "capacity", "-"], None).success();
        let rows = db.unit_reports().await;
        let imports = db.count("audit_log WHERE action = 'capacity.import'").await;
        let when = format!("after a kill at {percent}% = {delay:?} ({outcome})");
        assert_eq!(rows % ROWS, 0, "{when}: {rows} unit rows stored, not a whole number of {ROWS}-row imports");
        assert_eq!(
            imports,
            rows / ROWS,
            "{when}: {imports} capacity.import audit entries for {} stored imports",
            rows / ROWS
        );
        assert!(imports >= committed, "{when}: {committed} imports exited 0 but only {imports} are stored");
        outcomes.push(format!("{percent}% = {delay:?}: {outcome}, {} import(s) stored", rows / ROWS));
    }
    eprintln!("import kills: {outcomes:#?}");
    assert!(outcomes.iter().any(|o| o.contains("killed")), "no kill landed before the import finished: {outcomes:?}");
}
