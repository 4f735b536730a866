//! A crash between an offer and its answer loses nothing: the real `carebridge serve` takes
//! referrals from 8 concurrent clients, each placed at once (an offer holding an ICU bed), and
//! is killed (SIGKILL) mid-traffic, twice. After each restart, every referral answered 201 is
//! stored with its `referral.file` audit entry; a referral is `offered` exactly when it has one
//! holding offer (each with its `offer.make` audit entry) and `pending` exactly when it has
//! none; no facility's ICU holds more offers than it has free beds; and the server answers for
//! every confirmed referral again.

mod common;

use common::{http, now_millis, rfc3339, Server, TestDb, OPS_PASSWORD};
use std::collections::{HashMap, HashSet};
use std::os::unix::process::ExitStatusExt;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const FACILITIES: usize = 10;
/// ICU beds free per facility: 30 in all, so later referrals wait (pending) as well.
const FREE_ICU: i64 = 3;
const CLIENTS: usize = 8;
const ACKS_BEFORE_KILL: usize = 12;

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

async fn setup() -> (TestDb, Server, Vec<String>, String) {
    let db = TestDb::new();
    let file = db.write_file("facilities.csv", common::generated_facilities_csv(FACILITIES).as_bytes());
    db.run(&["import", "facilities", file.to_str().expect("UTF-8 path")], None).success();
    db.run(
        &["user", "add", "--username", "ops-lead", "--role", "national_coordinator"],
        Some(&format!("{OPS_PASSWORD}\n")),
    )
    .success();
    let pool = db.pool().await;
    let facilities: Vec<String> =
        sqlx::query_scalar("SELECT id FROM facilities ORDER BY id").fetch_all(&pool).await.expect("facility ids");
    pool.close().await;
    let server = db.serve();
    let client = http();
    let token = common::token(&client, &server, "ops-lead", OPS_PASSWORD).await;
    let as_of = rfc3339(now_millis() - 60_000);
    for f in &facilities {
        let body = serde_json::json!({"facility_id": f, "as_of": as_of,
            "units": [{"unit": "icu", "physical": 10, "staffed": 10, "occupied": 10 - FREE_ICU}]});
        let res = client
            .post(server.url("/api/v1/capacity/reports"))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
            .expect("report");
        assert_eq!(res.status().as_u16(), 201, "{}", res.text().await.unwrap_or_default());
    }
    (db, server, facilities, token)
}

/// An ICU emergency in Wuhan's Jiang'an district, where half the generated hospitals are.
fn referral(n: usize) -> serde_json::Value {
    serde_json::json!({
        "patient": {"pseudonym": format!("crash-{n}"), "age_band": "adult",
                    "location": {"lon": 114.30, "lat": 30.60}, "region_code": "420102", "infection": "negative"},
        "need": "icu",
        "urgency": "emergency",
    })
}

/// Clients filing referrals until stopped; the ids answered 201.
struct Traffic {
    stop: Arc<AtomicBool>,
    acked: Arc<Mutex<Vec<String>>>,
    count: Arc<AtomicUsize>,
    unexpected: Arc<Mutex<Vec<String>>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Traffic {
    fn start(server: &Server, token: &str, next: &Arc<AtomicUsize>) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let acked = Arc::new(Mutex::new(Vec::new()));
        let count = Arc::new(AtomicUsize::new(0));
        let unexpected = Arc::new(Mutex::new(Vec::new()));
        let tasks = (0..CLIENTS)
            .map(|_| {
                let (stop, acked, count, unexpected, next) =
                    (stop.clone(), acked.clone(), count.clone(), unexpected.clone(), next.clone());
                let (url, token, client) = (server.url("/api/v1/referrals"), token.to_string(), http());
                tokio::spawn(async move {
                    while !stop.load(Ordering::SeqCst) {
                        let n = next.fetch_add(1, Ordering::SeqCst);
                        let Ok(res) = client.post(&url).bearer_auth(&token).json(&referral(n)).send().await else {
                            tokio::time::sleep(Duration::from_millis(20)).await;
                            continue;
                        };
                        let status = res.status().as_u16();
                        let Ok(text) = res.text().await else { continue };
                        if status == 201 {
                            let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
                            if let Some(id) = v["id"].as_str() {
                                lock(&acked).push(id.to_string());
                                count.fetch_add(1, Ordering::SeqCst);
                            }
                        } else {
                            lock(&unexpected).push(format!("HTTP {status}: {text}"));
                        }
                    }
                })
            })
            .collect();
        Self { stop, acked, count, unexpected, tasks }
    }

    async fn wait_for(&self, n: usize) {
        for _ in 0..600 {
            if self.count.load(Ordering::SeqCst) >= n {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("fewer than {n} referrals confirmed in 30 s");
    }

    async fn stop(self) -> (Vec<String>, Vec<String>) {
        self.stop.store(true, Ordering::SeqCst);
        for t in self.tasks {
            let _ = t.await;
        }
        let acked = lock(&self.acked).clone();
        let unexpected = lock(&self.unexpected).clone();
        (acked, unexpected)
    }
}

/// The invariants of referrals and holds, read from the database file.
async fn check_database(db: &TestDb, acked: &HashSet<String>, when: &str) -> (usize, usize) {
    let pool = db.pool().await;
    let referrals: HashMap<String, String> = sqlx::query_as::<_, (String, String)>("SELECT id, status FROM referrals")
        .fetch_all(&pool)
        .await
        .expect("referrals")
        .into_iter()
        .collect();
    let holding: Vec<(String, String, String)> =
        sqlx::query_as("SELECT id, referral_id, facility_id FROM offers WHERE status = 'holding'")
            .fetch_all(&pool)
            .await
            .expect("offers");
    let audited = |action: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, String>("SELECT entity_id FROM audit_log WHERE action = $1")
                .bind(action)
                .fetch_all(&pool)
                .await
                .expect("audit")
                .into_iter()
                .collect::<HashSet<String>>()
        }
    };
    let filed = audited("referral.file").await;
    let offers_made = audited("offer.make").await;
    pool.close().await;

    for id in acked {
        assert!(referrals.contains_key(id), "{when}: referral {id} was answered 201 and is not stored");
    }
    for id in referrals.keys() {
        assert!(filed.contains(id), "{when}: referral {id} is stored without its audit entry");
    }
    let mut holds_of: HashMap<&str, usize> = HashMap::new();
    let mut holds_at: HashMap<&str, i64> = HashMap::new();
    for (offer, referral, facility) in &holding {
        *holds_of.entry(referral.as_str()).or_default() += 1;
        *holds_at.entry(facility.as_str()).or_default() += 1;
        assert!(offers_made.contains(offer), "{when}: offer {offer} holds a bed without its audit entry");
    }
    for (id, status) in &referrals {
        let holds = holds_of.get(id.as_str()).copied().unwrap_or(0);
        match status.as_str() {
            "offered" => assert_eq!(holds, 1, "{when}: offered referral {id} holds {holds} beds"),
            "pending" => assert_eq!(holds, 0, "{when}: pending referral {id} holds {holds} beds"),
            other => panic!("{when}: referral {id} is {other}; nobody answered or cancelled"),
        }
    }
    for (facility, n) in holds_at {
        assert!(n <= FREE_ICU, "{when}: {n} offers hold {FREE_ICU} free ICU beds at {facility}");
    }
    (referrals.len(), holding.len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_between_offer_and_answer_loses_nothing_and_over_commits_no_bed() {
    let (db, mut server, _facilities, token) = setup().await;
    let next = Arc::new(AtomicUsize::new(0));
    let mut acked = HashSet::new();
    for cycle in 1..=2u64 {
        let traffic = Traffic::start(&server, &token, &next);
        traffic.wait_for(ACKS_BEFORE_KILL).await;
        tokio::time::sleep(Duration::from_millis(150 * cycle)).await;
        let status = tokio::task::block_in_place(|| server.kill());
        assert_eq!(status.signal(), Some(9), "cycle {cycle}: serve should die by SIGKILL, got {status}");
        let (ids, unexpected) = traffic.stop().await;
        assert!(unexpected.is_empty(), "cycle {cycle}: {unexpected:?}");
        acked.extend(ids);

        server = db.serve();
        let when = format!("after SIGKILL {cycle} and restart");
        let (stored, holding) = check_database(&db, &acked, &when).await;
        eprintln!("{when}: {stored} referrals stored, {} answered 201, {holding} holding a bed", acked.len());
        // The restarted server still answers for every confirmed referral.
        let client = http();
        for id in acked.iter().take(5) {
            let res = client.get(server.url(&format!("/api/v1/referrals/{id}"))).bearer_auth(&token).send().await;
            let res = res.expect("the restarted server answers");
            assert_eq!(res.status().as_u16(), 200, "{when}: GET referral {id}");
        }
    }
    server.stop_cleanly();
}
