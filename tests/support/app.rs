//! `spawn_app`: the real Carebridge server on `127.0.0.1:0` over a fresh database, and typed
//! HTTP helpers to drive it.
//!
//! Each `TestApp` owns its database: a SQLite file in a temporary directory, or a PostgreSQL
//! database `cb_test_<uuid>` created on the server named by `CAREBRIDGE_TEST_DATABASE_URL` and
//! dropped (`WITH (FORCE)`) when the app is dropped. The listener is bound before `spawn_app`
//! returns, so no test sleeps or races the server. Without the PostgreSQL URL the PostgreSQL
//! variant of a test prints `SKIPPED (PostgreSQL): …` to stderr and returns: it never passes
//! silently as if it had run.
//!
//! Write a test once with [`both_backends!`](crate::both_backends) and it runs on both.

use carebridge_domain::clock::{ShiftedClock, Timestamp};
use carebridge_domain::ids::FacilityId;
use carebridge_scenario::Scenario;
use carebridge_server::{Application, ServerConfig};
use carebridge_service::{Carebridge, Store};
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION};
use reqwest::{Method, RequestBuilder};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;

/// The environment variable naming the PostgreSQL server for tests, e.g.
/// `postgres://postgres@127.0.0.1:5432/postgres`. Each test creates its own database there.
pub const PG_URL_ENV: &str = "CAREBRIDGE_TEST_DATABASE_URL";

/// The password every demo user shares.
pub const DEMO_PASSWORD: &str = carebridge_scenario::DEMO_PASSWORD;

/// The seed of the demo the tests load.
pub const DEMO_SEED: u64 = 7;

/// Which database a test app runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Define a test that runs the same body on SQLite and on PostgreSQL:
///
/// ```text
/// both_backends!(health_answers, |app| async move {
///     assert_eq!(app.get("/healthz", None).await.status, 200);
/// });
/// ```
///
/// expands to `mod health_answers { async fn sqlite() … async fn postgres() … }`, two
/// `#[tokio::test]`s on a fresh [`TestApp`] each. The PostgreSQL one returns early, after a
/// loud `SKIPPED` line, when `CAREBRIDGE_TEST_DATABASE_URL` is not set.
#[macro_export]
macro_rules! both_backends {
    ($name:ident, |$app:ident| $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn body($app: $crate::app::TestApp) {
                $body.await
            }

            #[tokio::test(flavor = "multi_thread")]
            async fn sqlite() {
                let app = $crate::app::spawn_app($crate::app::Backend::Sqlite)
                    .await
                    .expect("the SQLite backend needs no configuration");
                body(app).await
            }

            #[tokio::test(flavor = "multi_thread")]
            async fn postgres() {
                let Some(app) = $crate::app::spawn_app($crate::app::Backend::Postgres).await else {
                    return;
                };
                body(app).await
            }
        }
    };
}

/// A running server over its own database.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`
    pub address: String,
    pub port: u16,
    pub backend: Backend,
    /// The service the server runs on, for direct checks (counting audit rows, the clock).
    pub cb: Carebridge,
    /// The server's clock: real time, which a test may move forward ([`TestApp::advance_minutes`]).
    pub clock: Arc<ShiftedClock>,
    /// A client that follows no redirects and ignores proxy settings.
    pub client: reqwest::Client,
    tokens: Mutex<HashMap<String, String>>,
    shutdown: Option<oneshot::Sender<()>>,
    database: Database,
}

impl std::fmt::Debug for TestApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestApp").field("address", &self.address).field("backend", &self.backend).finish()
    }
}

/// What `TestApp` must clean up.
enum Database {
    /// The directory holding `test.sqlite`; removed on drop.
    Sqlite { _dir: tempfile::TempDir },
    /// A database created on a PostgreSQL server; dropped on drop.
    Postgres { admin_url: String, name: String },
}

/// Start the app on `backend`. `None` only for PostgreSQL without `CAREBRIDGE_TEST_DATABASE_URL`
/// (after saying so on stderr); any other failure to start panics.
pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    let (url, database) = match backend {
        Backend::Sqlite => {
            let dir = tempfile::Builder::new().prefix("carebridge-test-").tempdir().expect("create a temp dir");
            let url = format!("sqlite://{}", dir.path().join("test.sqlite").display());
            (url, Database::Sqlite { _dir: dir })
        }
        Backend::Postgres => {
            let Some(admin_url) = std::env::var(PG_URL_ENV).ok().filter(|u| !u.is_empty()) else {
                // Straight to the process's stderr: libtest captures `eprintln!` of passing
                // tests, and a skip must not be quiet.
                use std::io::Write;
                let test = std::thread::current().name().unwrap_or("").to_string();
                let _ = writeln!(std::io::stderr(), "SKIPPED (PostgreSQL): {PG_URL_ENV} is not set [{test}]");
                return None;
            };
            let name = format!("cb_test_{}", uuid::Uuid::now_v7().simple());
            create_pg_database(&admin_url, &name).await;
            let url = with_database(&admin_url, &name);
            (url, Database::Postgres { admin_url, name })
        }
    };
    let store = Store::connect(&url, 8).await.expect("connect to the test database");
    carebridge_store::migrate::run(&store).await.expect("migrate the test database");
    let clock = Arc::new(ShiftedClock::default());
    let cb = Carebridge::new(store).with_clock(clock.clone());

    let config = ServerConfig::new("127.0.0.1:0");
    let application = Application::build(&config, cb.clone()).await.expect("bind 127.0.0.1:0");
    let port = application.port();
    let (tx, rx) = oneshot::channel::<()>();
    tokio::spawn(application.run_until(async move {
        let _ = rx.await;
    }));

    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .expect("build the HTTP client");
    Some(TestApp {
        address: format!("http://127.0.0.1:{port}"),
        port,
        backend,
        cb,
        clock,
        client,
        tokens: Mutex::new(HashMap::new()),
        shutdown: Some(tx),
        database,
    })
}

/// `admin_url` with its database replaced by `name` (query parameters kept).
fn with_database(admin_url: &str, name: &str) -> String {
    let (base, query) = match admin_url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (admin_url, None),
    };
    let authority_start = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

async fn create_pg_database(admin_url: &str, name: &str) {
    use sqlx::{Connection, Executor};
    let mut conn = sqlx::PgConnection::connect(admin_url)
        .await
        .unwrap_or_else(|e| panic!("{PG_URL_ENV} is set but PostgreSQL does not answer: {e}"));
    conn.execute(format!("CREATE DATABASE {name}").as_str()).await.expect("create the test database");
    let _ = conn.close().await;
}

async fn drop_pg_database(admin_url: &str, name: &str) -> Result<(), sqlx::Error> {
    use sqlx::{Connection, Executor};
    let mut conn = sqlx::PgConnection::connect(admin_url).await?;
    conn.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await?;
    conn.close().await
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Database::Postgres { admin_url, name } = &self.database {
            // Drop is synchronous and may run inside the test's runtime: do the async work on a
            // thread of its own with its own small runtime, and wait for it.
            let (url, db) = (admin_url.clone(), name.clone());
            let done = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
                rt.block_on(drop_pg_database(&url, &db)).map_err(std::io::Error::other)
            })
            .join();
            if !matches!(done, Ok(Ok(()))) {
                eprintln!("warning: could not drop test database {name}: {done:?}");
            }
        }
    }
}

/// Ids of demo facilities the tests refer to, with the scenario itself for cross-checks.
#[derive(Debug, Clone)]
pub struct DemoIds {
    /// Wuhan Union Hospital (district 420103), where `desk-union` and `dr-union` work.
    pub union: FacilityId,
    /// Wuhan Jinyintan Hospital (420112): Wuhan, virus-designated, not Union.
    pub jinyintan: FacilityId,
    /// Peking Union Medical College Hospital (110101).
    pub beijing: FacilityId,
    /// Huanggang Central Hospital (421102): Hubei, outside Wuhan; stale in the demo.
    pub huanggang: FacilityId,
    /// A Wuhan facility that stopped reporting 13–40 hours ago, so is stale at 12 h.
    pub wuhan_stale: FacilityId,
    /// The `now` the demo was generated for.
    pub now: Timestamp,
    pub scenario: Scenario,
}

/// One HTTP answer, read whole.
#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    /// The body parsed as JSON, `Value::Null` when it is not JSON.
    pub json: Value,
    pub text: String,
}

impl Resp {
    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The JSON pointers of a problem's `errors`.
    pub fn pointers(&self) -> Vec<String> {
        self.json["errors"]
            .as_array()
            .map(|a| a.iter().filter_map(|e| e["pointer"].as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    }

    /// The `items` of a page.
    pub fn items(&self) -> &[Value] {
        self.json["items"].as_array().map(Vec::as_slice).unwrap_or(&[])
    }
}

/// Assert `resp` is an RFC 9457 problem with `status`: the content type, and `type`, `title`,
/// `status` and `detail` present, `status` matching.
#[track_caller]
pub fn assert_problem(resp: &Resp, status: u16) {
    assert_eq!(resp.status, status, "status; body: {}", resp.text);
    let ct = resp.header("content-type").unwrap_or("");
    assert!(ct.starts_with("application/problem+json"), "content-type `{ct}`; body: {}", resp.text);
    for field in ["type", "title", "detail"] {
        assert!(resp.json[field].is_string(), "problem without `{field}`: {}", resp.text);
    }
    assert_eq!(resp.json["status"].as_u64(), Some(u64::from(status)), "problem `status`: {}", resp.text);
}

/// Assert `resp` is a 422 problem naming `pointer` among its errors.
#[track_caller]
pub fn assert_invalid(resp: &Resp, pointer: &str) {
    assert_problem(resp, 422);
    assert!(resp.pointers().iter().any(|p| p == pointer), "expected pointer `{pointer}` in {}", resp.text);
}

impl TestApp {
    /// Move the server's clock forward (holds expire, waits pass) without waiting.
    pub fn advance_minutes(&self, minutes: i64) {
        self.clock.advance_minutes(minutes);
    }

    /// Load the demo scenario (seed 7, generated for the app's `now`) through the service, as
    /// `carebridge demo` does.
    pub async fn load_demo(&self) -> DemoIds {
        self.load_demo_seeded(DEMO_SEED).await
    }

    /// What `carebridge demo` starts with: the scenario for
    /// [`carebridge_scenario::DEMO_DEFAULT_SEED`] and the patients of its stories (Union's
    /// dialysis patients, admitted), for tests that replay the README's walkthrough.
    pub async fn load_demo_as_shown(&self) -> DemoIds {
        let demo = self.load_demo_seeded(carebridge_scenario::DEMO_DEFAULT_SEED).await;
        self.cb.load_demo_stories(&demo.scenario).await.expect("admit the demo's patients");
        demo
    }

    /// The demo scenario for `seed`: [`carebridge_scenario::DEMO_DEFAULT_SEED`] gives what
    /// `carebridge demo` shows, for tests that replay the README's walkthrough.
    pub async fn load_demo_seeded(&self, seed: u64) -> DemoIds {
        let now = self.cb.now();
        let scenario = carebridge_scenario::demo(seed, now, &self.cb.regions);
        self.cb.load_scenario(&scenario).await.expect("load the demo scenario");
        let id = |key: &str| scenario.facility_id(key).unwrap_or_else(|| panic!("demo facility `{key}`"));
        DemoIds {
            union: id(carebridge_scenario::WUHAN_UNION_KEY),
            jinyintan: id("wuhan-jinyintan"),
            beijing: id("beijing-pumch"),
            huanggang: id("huanggang-central"),
            wuhan_stale: id("wuhan-qingshan-second"),
            now,
            scenario,
        }
    }

    /// A bearer token for a demo user, signing in once per app (argon2 is slow on purpose).
    pub async fn token(&self, username: &str) -> String {
        if let Some(t) = self.tokens.lock().expect("token cache").get(username) {
            return t.clone();
        }
        let token = self.fresh_token(username, DEMO_PASSWORD).await;
        self.tokens.lock().expect("token cache").insert(username.to_string(), token.clone());
        token
    }

    /// Sign these users in now, so a later count of audit entries does not see their sign-ins.
    pub async fn sign_in(&self, users: &[&str]) {
        for u in users {
            self.token(u).await;
        }
    }

    /// A new token (not cached), e.g. to revoke it.
    pub async fn fresh_token(&self, username: &str, password: &str) -> String {
        let body = serde_json::json!({ "username": username, "password": password });
        let r = self.send(self.request(Method::POST, "/api/v1/auth/token").json(&body)).await;
        assert_eq!(r.status, 200, "sign in as {username}: {}", r.text);
        r.json["access_token"].as_str().expect("access_token").to_string()
    }

    /// A request to `path` (relative to the app), without credentials.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, format!("{}{path}", self.address))
    }

    /// A request as `user` (a demo username), or anonymous for `None`.
    pub async fn request_as(&self, method: Method, path: &str, user: Option<&str>) -> RequestBuilder {
        let rb = self.request(method, path);
        match user {
            Some(u) => {
                let token = self.token(u).await;
                rb.header(AUTHORIZATION, HeaderValue::from_str(&format!("Bearer {token}")).expect("token header"))
            }
            None => rb,
        }
    }

    /// Send and read the whole answer.
    pub async fn send(&self, rb: RequestBuilder) -> Resp {
        let res = rb.send().await.expect("the server answers");
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let text = res.text().await.expect("read the body");
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Resp { status, headers, json, text }
    }

    /// Any method, as `user`, with an optional JSON body.
    pub async fn call(&self, method: Method, path: &str, user: Option<&str>, body: Option<&Value>) -> Resp {
        let mut rb = self.request_as(method, path, user).await;
        if let Some(b) = body {
            rb = rb.json(b);
        }
        self.send(rb).await
    }

    pub async fn get(&self, path: &str, user: Option<&str>) -> Resp {
        self.call(Method::GET, path, user, None).await
    }

    pub async fn post_json(&self, path: &str, user: Option<&str>, body: &Value) -> Resp {
        self.call(Method::POST, path, user, Some(body)).await
    }

    pub async fn put_json(&self, path: &str, user: Option<&str>, body: &Value) -> Resp {
        self.call(Method::PUT, path, user, Some(body)).await
    }

    pub async fn delete(&self, path: &str, user: Option<&str>) -> Resp {
        self.call(Method::DELETE, path, user, None).await
    }

    /// Every item of a paginated list, following `next_cursor` (`path` may carry a query).
    pub async fn get_all(&self, path: &str, user: Option<&str>) -> Vec<Value> {
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let url = match &cursor {
                Some(c) => format!("{path}{sep}limit=500&cursor={c}"),
                None => format!("{path}{sep}limit=500"),
            };
            let r = self.get(&url, user).await;
            assert_eq!(r.status, 200, "GET {url}: {}", r.text);
            out.extend(r.items().iter().cloned());
            match r.json["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => return out,
            }
        }
    }

    /// Number of audit entries, read from the store directly.
    pub async fn audit_count(&self) -> i64 {
        carebridge_store::audit::count(&self.cb.store).await.expect("count audit entries")
    }

    /// Number of facilities, read from the store directly.
    pub async fn facility_count(&self) -> i64 {
        carebridge_store::facilities::count(&self.cb.store).await.expect("count facilities")
    }

    /// The app's `now` shifted by `hours`, as RFC 3339 to the millisecond (to the second it
    /// could fall before a demo report made a moment earlier).
    pub fn now_plus_hours(&self, hours: i64) -> String {
        rfc3339_millis(self.cb.now().plus_hours(hours))
    }
}

/// `2020-02-14T08:00:00.123Z`.
pub fn rfc3339_millis(t: Timestamp) -> String {
    let seconds = t.to_rfc3339();
    let stem = seconds.strip_suffix('Z').unwrap_or(&seconds);
    format!("{stem}.{:03}Z", t.millis().rem_euclid(1000))
}

#[cfg(test)]
mod tests {
    use super::{rfc3339_millis, with_database};
    use carebridge_domain::clock::Timestamp;

    #[test]
    fn times_keep_their_milliseconds() {
        let t = Timestamp::parse_rfc3339("2020-02-14T08:00:00.123Z").unwrap();
        assert_eq!(rfc3339_millis(t), "2020-02-14T08:00:00.123Z");
        assert_eq!(Timestamp::parse_rfc3339(&rfc3339_millis(t)).unwrap(), t);
    }

    #[test]
    fn the_test_database_replaces_the_admin_one() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "t"),
            "postgres://postgres@127.0.0.1:5432/t"
        );
        assert_eq!(
            with_database("postgres://u:p@h/postgres?sslmode=disable", "t"),
            "postgres://u:p@h/t?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h:5432", "t"), "postgres://h:5432/t");
    }
}
