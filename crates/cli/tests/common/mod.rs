//! What the process-level tests share: the `carebridge` binary run as a child with every wait
//! bounded and every child killed when its guard drops (even when the test panics), a fresh
//! SQLite file per test, CSV fixtures, direct reads of the SQLite file, and HTTP helpers.
//!
//! Children run in the test's temporary directory with `TMPDIR` pointing there and the
//! `CAREBRIDGE_*` variables removed, so no `carebridge.toml`, database or demo directory of the
//! developer's leaks in and nothing is left behind.

// Each test binary (`cli`, `crash`) uses a different subset of these helpers.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Longest a one-shot command (migrate, import of a large file, export) may take.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(180);
/// Longest `serve` or `demo` may take to print its listening line.
pub const STARTUP_TIMEOUT: Duration = Duration::from_secs(120);
/// Longest a server may take to exit after a signal.
pub const EXIT_TIMEOUT: Duration = Duration::from_secs(30);
/// Per-request HTTP timeout.
pub const HTTP_TIMEOUT: Duration = Duration::from_secs(30);

/// The line `serve` and `demo` print once the listener is bound.
pub const LISTENING: &str = "Carebridge listening on http://";

pub fn bin() -> PathBuf {
    carebridge_e2e::binary::carebridge_bin(env!("CARGO_BIN_EXE_carebridge"))
}

/// A temporary directory holding one SQLite database (created on first use by the binary).
pub struct TestDb {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
    pub url: String,
}

impl TestDb {
    pub fn new() -> Self {
        let dir = tempfile::Builder::new().prefix("carebridge-cli-test-").tempdir().expect("creating a temp dir");
        let path = dir.path().join("data").join("carebridge.sqlite");
        let url = format!("sqlite://{}", path.display());
        Self { dir, path, url }
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Write `bytes` to `name` inside the test directory and return its path.
    pub fn write_file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.dir().join(name);
        std::fs::write(&p, bytes).unwrap_or_else(|e| panic!("writing {}: {e}", p.display()));
        p
    }

    /// Run `carebridge ARGS --database-url URL` to completion.
    pub fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--database-url", &self.url]);
        run(self.dir(), &all, stdin)
    }

    /// Start `carebridge serve` on this database, listening on a free port of 127.0.0.1.
    pub fn serve(&self) -> Server {
        Server::start(self.dir(), &["serve", "--database-url", &self.url, "--listen", "127.0.0.1:0"])
    }

    /// `SELECT COUNT(*) FROM {from}` on the database file; `from` is a table, optionally
    /// followed by a `WHERE` clause (`audit_log WHERE action = 'capacity.import'`).
    pub async fn count(&self, from: &str) -> i64 {
        let pool = self.pool().await;
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {from}"))
            .fetch_one(&pool)
            .await
            .unwrap_or_else(|e| panic!("counting {from} in {}: {e}", self.path.display()));
        pool.close().await;
        n
    }

    /// Stored unit reports: a report is one row with its units as columns, NULL for a unit
    /// it does not mention, so each report counts the units it carries.
    pub async fn unit_reports(&self) -> i64 {
        self.count_expr(&format!("SUM({})", units_carried_sql())).await
    }

    /// `SELECT CAST({expr} AS BIGINT) FROM capacity_reports` on the database file (0 when empty).
    async fn count_expr(&self, expr: &str) -> i64 {
        let pool = self.pool().await;
        let n: Option<i64> = sqlx::query_scalar(&format!("SELECT CAST({expr} AS BIGINT) FROM capacity_reports"))
            .fetch_one(&pool)
            .await
            .unwrap_or_else(|e| panic!("reading {expr} in {}: {e}", self.path.display()));
        pool.close().await;
        n.unwrap_or(0)
    }

    /// A small pool on the database file, for reads (never creates the file).
    pub async fn pool(&self) -> sqlx::SqlitePool {
        let options =
            sqlx::sqlite::SqliteConnectOptions::new().filename(&self.path).busy_timeout(Duration::from_secs(10));
        sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .unwrap_or_else(|e| panic!("opening {} with sqlx: {e}", self.path.display()))
    }
}

/// The command for the binary, isolated from the developer's environment.
fn command(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(bin());
    c.args(args).current_dir(dir).env("TMPDIR", dir).env("NO_COLOR", "1");
    for var in ["CAREBRIDGE_DATABASE_URL", "CAREBRIDGE_CONFIG", "CAREBRIDGE_LISTEN", "CAREBRIDGE_LOG"] {
        c.env_remove(var);
    }
    c
}

/// A running child of this test. Dropping it kills the child if it still runs and reaps it,
/// so no test leaves a process behind, whether it passes or panics.
pub struct ChildGuard {
    what: String,
    child: Child,
    stdout: Arc<Mutex<Vec<u8>>>,
    stderr: Arc<Mutex<Vec<u8>>>,
    lines: Receiver<String>,
    readers: Vec<JoinHandle<()>>,
    status: Option<ExitStatus>,
}

impl ChildGuard {
    /// Spawn `carebridge ARGS` in `dir`. With `stdin`, it is written and closed; without,
    /// standard input is empty (not a terminal).
    pub fn spawn(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Self {
        let what = format!("carebridge {}", args.join(" "));
        let mut child = command(dir, args)
            .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("spawning `{what}`: {e}"));
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let (tx, lines) = mpsc::channel();
        let mut readers = Vec::new();
        if let Some(out) = child.stdout.take() {
            let buf = stdout.clone();
            readers.push(std::thread::spawn(move || {
                let mut r = BufReader::new(out);
                let mut line = Vec::new();
                loop {
                    line.clear();
                    match r.read_until(b'\n', &mut line) {
                        Ok(0) | Err(_) => break,
                        Ok(_) => {
                            lock(&buf).extend_from_slice(&line);
                            let _ = tx.send(String::from_utf8_lossy(&line).trim_end().to_string());
                        }
                    }
                }
            }));
        }
        if let Some(mut err) = child.stderr.take() {
            let buf = stderr.clone();
            readers.push(std::thread::spawn(move || {
                let mut chunk = [0u8; 8192];
                loop {
                    match err.read(&mut chunk) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => lock(&buf).extend_from_slice(&chunk[..n]),
                    }
                }
            }));
        }
        if let (Some(bytes), Some(mut input)) = (stdin, child.stdin.take()) {
            let bytes = bytes.to_vec();
            // A thread, so a child that never reads cannot block the test.
            std::thread::spawn(move || {
                let _ = input.write_all(&bytes);
            });
        }
        Self { what, child, stdout, stderr, lines, readers, status: None }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Send a signal (`TERM`, `KILL`) with the system's `kill`.
    pub fn signal(&self, sig: &str) {
        let status = Command::new("kill")
            .args([&format!("-{sig}"), &self.pid().to_string()])
            .status()
            .unwrap_or_else(|e| panic!("running `kill -{sig} {}`: {e}", self.pid()));
        assert!(status.success(), "`kill -{sig} {}` failed ({status}) for `{}`", self.pid(), self.what);
    }

    /// Wait for the child to exit, at most `timeout`; once it has, its output is complete.
    pub fn wait_timeout(&mut self, timeout: Duration) -> Option<ExitStatus> {
        if self.status.is_some() {
            return self.status;
        }
        let deadline = Instant::now() + timeout;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => {
                    for r in self.readers.drain(..) {
                        let _ = r.join();
                    }
                    self.status = Some(status);
                    return Some(status);
                }
                Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
                Ok(None) => return None,
                Err(e) => panic!("waiting for `{}`: {e}", self.what),
            }
        }
    }

    /// Like [`Self::wait_timeout`], panicking with the output so far on timeout.
    pub fn wait(&mut self, timeout: Duration) -> ExitStatus {
        match self.wait_timeout(timeout) {
            Some(s) => s,
            None => panic!("`{}` did not exit within {timeout:?}\n{}", self.what, self.describe()),
        }
    }

    /// The next line of standard output, waiting at most `timeout`.
    pub fn next_line(&self, timeout: Duration) -> Result<String, RecvTimeoutError> {
        self.lines.recv_timeout(timeout)
    }

    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&lock(&self.stdout)).into_owned()
    }

    pub fn stdout_bytes(&self) -> Vec<u8> {
        lock(&self.stdout).clone()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&lock(&self.stderr)).into_owned()
    }

    /// The command and its output so far, for failure messages (long output is cut).
    pub fn describe(&self) -> String {
        format!(
            "command: {}\nstatus: {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.what,
            self.status,
            tail(&self.stdout(), 4000),
            tail(&self.stderr(), 8000)
        )
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        if self.status.is_none() {
            if let Ok(None) = self.child.try_wait() {
                let _ = self.child.kill();
            }
            let _ = self.child.wait();
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The last `max` bytes of `s` (on a character boundary).
fn tail(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut start = s.len() - max;
    while !s.is_char_boundary(start) {
        start += 1;
    }
    &s[start..]
}

/// A finished command.
pub struct Output {
    pub what: String,
    pub status: ExitStatus,
    pub stdout: String,
    pub stdout_bytes: Vec<u8>,
    pub stderr: String,
}

impl Output {
    pub fn code(&self) -> Option<i32> {
        self.status.code()
    }

    pub fn describe(&self) -> String {
        format!(
            "command: {}\nstatus: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.what,
            self.status,
            tail(&self.stdout, 4000),
            tail(&self.stderr, 8000)
        )
    }

    /// Panic unless the command exited 0.
    pub fn success(self) -> Self {
        assert!(self.status.success(), "expected exit status 0\n{}", self.describe());
        self
    }

    /// Panic unless the command exited with `code`.
    pub fn exit_code(self, code: i32) -> Self {
        assert_eq!(self.code(), Some(code), "expected exit code {code}\n{}", self.describe());
        self
    }
}

/// Run `carebridge ARGS` in `dir` to completion (at most [`COMMAND_TIMEOUT`]).
pub fn run(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = ChildGuard::spawn(dir, args, stdin.map(str::as_bytes));
    let status = child.wait(COMMAND_TIMEOUT);
    Output {
        what: child.what.clone(),
        status,
        stdout: child.stdout(),
        stdout_bytes: child.stdout_bytes(),
        stderr: child.stderr(),
    }
}

/// `serve` or `demo`, bound and listening.
pub struct Server {
    pub child: ChildGuard,
    pub addr: SocketAddr,
    pub base: String,
}

impl Server {
    /// Spawn and wait for the listening line (the port is read from it).
    pub fn start(dir: &Path, args: &[&str]) -> Self {
        let child = ChildGuard::spawn(dir, args, None);
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match child.next_line(left) {
                Ok(line) => {
                    if let Some(rest) = line.strip_prefix(LISTENING) {
                        let addr: SocketAddr = rest
                            .trim()
                            .parse()
                            .unwrap_or_else(|e| panic!("bad address in {line:?}: {e}\n{}", child.describe()));
                        assert!(addr.ip().is_loopback(), "listening on {addr}, not 127.0.0.1\n{}", child.describe());
                        return Self { child, addr, base: format!("http://{addr}") };
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    panic!("no `{LISTENING}…` line within {STARTUP_TIMEOUT:?}\n{}", child.describe())
                }
                Err(RecvTimeoutError::Disconnected) => {
                    let mut child = child;
                    child.wait_timeout(Duration::from_secs(5));
                    panic!("exited before printing `{LISTENING}…`\n{}", child.describe())
                }
            }
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// SIGTERM, then the exit status (at most [`EXIT_TIMEOUT`]).
    pub fn terminate(&mut self) -> ExitStatus {
        self.child.signal("TERM");
        self.child.wait(EXIT_TIMEOUT)
    }

    /// SIGKILL, then the exit status (at most [`EXIT_TIMEOUT`]).
    pub fn kill(&mut self) -> ExitStatus {
        self.child.signal("KILL");
        self.child.wait(EXIT_TIMEOUT)
    }

    /// SIGTERM and insist on a clean exit (status 0).
    pub fn stop_cleanly(mut self) {
        let status = self.terminate();
        assert!(status.success(), "expected exit status 0 after SIGTERM, got {status}\n{}", self.child.describe());
    }
}

/// An HTTP client for 127.0.0.1 only: no proxies, every request bounded.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().timeout(HTTP_TIMEOUT).build().expect("building the HTTP client")
}

/// POST /api/v1/auth/token; the status and the body.
pub async fn sign_in(client: &reqwest::Client, server: &Server, username: &str, password: &str) -> (u16, String) {
    let res = client
        .post(server.url("/api/v1/auth/token"))
        .json(&serde_json::json!({ "username": username, "password": password }))
        .send()
        .await
        .unwrap_or_else(|e| panic!("POST /api/v1/auth/token as {username}: {e}\n{}", server.child.describe()));
    let status = res.status().as_u16();
    (status, res.text().await.unwrap_or_default())
}

/// A bearer token for `username`, or a panic naming the answer.
pub async fn token(client: &reqwest::Client, server: &Server, username: &str, password: &str) -> String {
    let (status, body) = sign_in(client, server, username, password).await;
    assert_eq!(status, 200, "signing in as {username}: {body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("token body {body:?}: {e}"));
    v["access_token"].as_str().unwrap_or_else(|| panic!("no access_token in {body}")).to_string()
}

/// A national coordinator's password used by the tests.
pub const OPS_PASSWORD: &str = "surge-ops-password-2020";

/// `count` facilities alternating over Wuhan districts and Beijing's Chaoyang and Haidian,
/// without ids (the import creates them). Every field is plain: no quoting needed.
pub fn generated_facilities_csv(count: usize) -> String {
    const REGIONS: &[(&str, &str, f64, f64)] = &[
        ("420102", "武汉", 114.30, 30.60),
        ("110105", "北京", 116.48, 39.92),
        ("420103", "武汉", 114.27, 30.58),
        ("110108", "北京", 116.31, 39.96),
        ("420106", "武汉", 114.31, 30.55),
    ];
    let mut out =
        String::from("id,name_zh,name_en,region_code,level,lon,lat,address,phone,services,takes_new_patients\n");
    for i in 0..count {
        let (code, city, lon, lat) = REGIONS[i % REGIONS.len()];
        let offset = i as f64 * 0.001;
        out.push_str(&format!(
            ",{city}第{i}医院,{city} Hospital No. {i},{code},secondary,{:.4},{:.4},{city}测试路{i}号,010-6500{i:04},icu;emergency,true\n",
            lon + offset,
            lat + offset
        ));
    }
    out
}

/// RFC 3339 (whole seconds, UTC) for Unix milliseconds, as the API and CSV files spell times.
pub fn rfc3339(millis: i64) -> String {
    carebridge_domain::clock::Timestamp::from_millis(millis).to_rfc3339()
}

/// Now, in Unix milliseconds rounded down to a whole second (the wire format has seconds).
pub fn now_millis() -> i64 {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    ms - ms % 1000
}

/// Parse a CSV export (with its byte-order mark) into header-keyed rows.
pub fn parse_csv(bytes: &[u8]) -> Vec<std::collections::BTreeMap<String, String>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut r = csv::ReaderBuilder::new().from_reader(bytes);
    let header: Vec<String> = r.headers().expect("a CSV header").iter().map(str::to_string).collect();
    r.records()
        .map(|rec| {
            let rec = rec.expect("a CSV record");
            header.iter().cloned().zip(rec.iter().map(str::to_string)).collect()
        })
        .collect()
}

/// The number of units one `capacity_reports` row carries, as SQL over its unit columns.
pub fn units_carried_sql() -> String {
    carebridge_domain::capacity::Unit::ALL
        .iter()
        .map(|u| format!("(CASE WHEN {}_physical IS NULL THEN 0 ELSE 1 END)", u.as_str()))
        .collect::<Vec<_>>()
        .join(" + ")
}

/// Every stored unit report as `(seq, report_id, facility_id, unit, as_of, physical, staffed,
/// occupied)`: the `capacity_reports` rows unpivoted, one row per unit a report carries.
pub fn unit_reports_sql() -> String {
    carebridge_domain::capacity::Unit::ALL
        .iter()
        .map(|u| {
            let u = u.as_str();
            format!(
                "SELECT seq, report_id, facility_id, '{u}' AS unit, as_of, {u}_physical AS physical, \
                 {u}_staffed AS staffed, {u}_occupied AS occupied FROM capacity_reports WHERE {u}_physical IS NOT NULL"
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ")
}
