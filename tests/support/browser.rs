//! A real browser for the page tests: headless Debian Chromium driven through its matching
//! `chromedriver` with fantoccini.
//!
//! [`Browser::launch`] starts `chromedriver` on a free port in a process group of its own,
//! waits until its `/status` answers, and opens a session with a fresh profile directory.
//! Dropping the [`Browser`] closes the session and kills chromedriver, Chromium and every
//! process they started, so a failing test leaves nothing behind. Every browser step runs
//! under [`STEP_TIMEOUT`]: a hung page or driver fails the test with a message naming the step,
//! instead of stalling CI.
//!
//! The browser is required, not optional: without `chromedriver` or `chromium` the tests fail
//! and say how to install them (`apt-get install -y chromium chromium-driver`, as `.ci/run`
//! does). `CAREBRIDGE_CHROMEDRIVER` and `CAREBRIDGE_CHROMIUM` override the two paths, and
//! `CAREBRIDGE_BROWSERS` how many browsers may run at once (default 2: Chromium is heavy).
//!
//! The step helpers panic with the step's name and the page's address on failure, so tests
//! read as a list of user actions and checks. Use `#[tokio::test(flavor = "multi_thread")]`:
//! closing the session on drop needs a second worker thread.

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::elements::Element;
use fantoccini::error::CmdError;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use std::fmt::Display;
use std::fs::File;
use std::future::Future;
use std::io::{Read, Seek, SeekFrom};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub use fantoccini::key::Key;

/// The longest any one browser step (navigate, find, click, type, script, screenshot) may take.
pub const STEP_TIMEOUT: Duration = Duration::from_secs(20);

/// The phone the pages are checked on: a 390×844 CSS-pixel viewport.
pub const PHONE: (u32, u32) = (390, 844);
/// How long chromedriver may take to answer `/status` after it starts.
const DRIVER_START_TIMEOUT: Duration = Duration::from_secs(20);
/// How long opening a session (starting Chromium) may take: more than a step, because the
/// first Chromium start on two busy cores is slow.
const SESSION_TIMEOUT: Duration = Duration::from_secs(60);
/// How often a waiting step polls the page.
const POLL: Duration = Duration::from_millis(50);

const INSTALL_HINT: &str =
    "the browser tests need Chromium and its driver: run `apt-get install -y chromium chromium-driver` \
     (CI's .ci/run installs them), or set CAREBRIDGE_CHROMEDRIVER / CAREBRIDGE_CHROMIUM to other paths";

/// How the browser starts.
#[derive(Debug, Clone)]
pub struct BrowserOptions {
    /// What the browser sends as `Accept-Language` (Chromium's `intl.accept_languages`).
    pub accept_language: String,
    /// Window width and height in CSS pixels.
    pub window: (u32, u32),
}

impl Default for BrowserOptions {
    fn default() -> Self {
        Self { accept_language: "en-US,en".into(), window: (1280, 1800) }
    }
}

impl BrowserOptions {
    /// A browser whose user prefers Chinese.
    pub fn chinese() -> Self {
        Self { accept_language: "zh-CN,zh".into(), ..Self::default() }
    }
}

/// A running chromedriver; killed, with everything it started, on drop.
struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    /// Start `bin` on a free port, logging to `log`, and wait until it answers `/status`.
    async fn start(bin: &Path, log: &Path) -> Result<Driver, String> {
        // Bind port 0 to learn a free port, release it, and hand it to chromedriver.
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| format!("bind 127.0.0.1:0: {e}"))?;
            listener.local_addr().map_err(|e| e.to_string())?.port()
        };
        let out = File::create(log).map_err(|e| format!("create {}: {e}", log.display()))?;
        let err = out.try_clone().map_err(|e| e.to_string())?;
        let child = Command::new(bin)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            // A process group of its own: it and Chromium can be killed together.
            .process_group(0)
            .spawn()
            // Not worth retrying: the binary is missing or broken.
            .unwrap_or_else(|e| panic!("cannot run {}: {e}; {INSTALL_HINT}", bin.display()));
        let mut driver = Driver { child, port };

        let http =
            reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(2)).build().map_err(|e| e.to_string())?;
        let status = format!("http://127.0.0.1:{port}/status");
        let started = Instant::now();
        loop {
            if let Ok(Some(exit)) = driver.child.try_wait() {
                return Err(format!("chromedriver exited at start ({exit})"));
            }
            if let Ok(r) = http.get(&status).send().await {
                if r.status().is_success() {
                    return Ok(driver);
                }
            }
            if started.elapsed() > DRIVER_START_TIMEOUT {
                return Err(format!("chromedriver did not answer {status} within {DRIVER_START_TIMEOUT:?}"));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let pid = self.child.id();
        // Find the whole tree first: once the parent dies its children are re-parented.
        let mut targets: Vec<String> = descendants(pid).iter().map(u32::to_string).collect();
        targets.push(format!("-{pid}")); // the process group chromedriver leads
        targets.push(pid.to_string());
        let _ = Command::new("kill")
            .arg("-KILL")
            .arg("--")
            .args(&targets)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Every process descended from `root` (children, grandchildren, …), read from `/proc`.
fn descendants(root: u32) -> Vec<u32> {
    let mut parent_of: Vec<(u32, u32)> = Vec::new();
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for e in entries.flatten() {
            let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else { continue };
            let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else { continue };
            // `pid (comm) state ppid …`; comm may hold spaces or parentheses: split after the last `)`.
            let Some((_, rest)) = stat.rsplit_once(')') else { continue };
            if let Some(ppid) = rest.split_whitespace().nth(1).and_then(|s| s.parse::<u32>().ok()) {
                parent_of.push((pid, ppid));
            }
        }
    }
    let mut out = Vec::new();
    let mut frontier = vec![root];
    while let Some(p) = frontier.pop() {
        for (child, _) in parent_of.iter().filter(|(_, pp)| *pp == p) {
            if !out.contains(child) {
                out.push(*child);
                frontier.push(*child);
            }
        }
    }
    out
}

/// Limits how many browsers run at once across the test binary's threads.
fn slots() -> Arc<Semaphore> {
    static SLOTS: OnceLock<Arc<Semaphore>> = OnceLock::new();
    SLOTS
        .get_or_init(|| {
            let n =
                std::env::var("CAREBRIDGE_BROWSERS").ok().and_then(|v| v.parse().ok()).filter(|n| *n > 0).unwrap_or(2);
            Arc::new(Semaphore::new(n))
        })
        .clone()
}

/// The path in `env`, else the first of `candidates` (absolute paths, or names on `PATH`) that
/// exists.
fn locate(env: &str, candidates: &[&str]) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(env).filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p)).filter(|p| p.is_file());
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    candidates.iter().find_map(|c| {
        let c = Path::new(c);
        if c.is_absolute() {
            return c.is_file().then(|| c.to_path_buf());
        }
        std::env::split_paths(&path).map(|d| d.join(c)).find(|p| p.is_file())
    })
}

/// The last `max` bytes of a log file, for failure messages.
fn tail(path: &Path, max: u64) -> String {
    let Ok(mut f) = File::open(path) else { return String::from("(no log)") };
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    let _ = f.seek(SeekFrom::Start(len.saturating_sub(max)));
    let mut bytes = Vec::new();
    let _ = f.read_to_end(&mut bytes);
    String::from_utf8_lossy(&bytes).into_owned()
}

/// A headless Chromium session pointed at one app. Kills its processes on drop.
pub struct Browser {
    // Dropped in this order: the session (closed in `Drop`), the driver and its processes,
    // then the profile directory they were using, then the slot.
    client: Option<Client>,
    base: String,
    driver: Driver,
    driver_log: PathBuf,
    _dir: tempfile::TempDir,
    _slot: OwnedSemaphorePermit,
}

impl std::fmt::Debug for Browser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Browser").field("base", &self.base).field("driver_port", &self.driver.port).finish()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let Some(client) = self.client.take() else { return };
        // Close the session politely when a multi-threaded runtime can run it; the driver's
        // drop kills whatever is left either way.
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            if handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread {
                tokio::task::block_in_place(|| {
                    handle.block_on(async {
                        let _ = tokio::time::timeout(Duration::from_secs(5), client.close()).await;
                    })
                });
            }
        }
    }
}

impl Browser {
    /// A browser with the default options (English, 1280×1800) for the app at `base`
    /// (`http://127.0.0.1:PORT`).
    pub async fn launch(base: &str) -> Browser {
        Self::launch_with(base, BrowserOptions::default()).await
    }

    /// A browser with `options` for the app at `base`.
    pub async fn launch_with(base: &str, options: BrowserOptions) -> Browser {
        let driver_bin = locate(
            "CAREBRIDGE_CHROMEDRIVER",
            &["chromedriver", "/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"],
        )
        .unwrap_or_else(|| {
            panic!("chromedriver is not installed (or CAREBRIDGE_CHROMEDRIVER names no file): {INSTALL_HINT}")
        });
        let chromium = locate("CAREBRIDGE_CHROMIUM", &["/usr/bin/chromium", "chromium", "chromium-browser"])
            .unwrap_or_else(|| {
                panic!("chromium is not installed (or CAREBRIDGE_CHROMIUM names no file): {INSTALL_HINT}")
            });
        let slot = slots().acquire_owned().await.expect("the browser semaphore is never closed");

        let dir =
            tempfile::Builder::new().prefix("carebridge-browser-").tempdir().expect("create the browser's temp dir");
        let profile = dir.path().join("profile");
        std::fs::create_dir_all(&profile).expect("create the profile dir");
        let driver_log = dir.path().join("chromedriver.log");

        // The port can be taken between finding it and chromedriver binding it: try again.
        let mut failures = Vec::new();
        let mut driver = None;
        for _ in 0..3 {
            match Driver::start(&driver_bin, &driver_log).await {
                Ok(d) => {
                    driver = Some(d);
                    break;
                }
                Err(e) => failures.push(e),
            }
        }
        let Some(driver) = driver else {
            panic!("chromedriver did not start: {failures:?}\n--- chromedriver log ---\n{}", tail(&driver_log, 4000));
        };

        let (w, h) = options.window;
        let caps = json!({
            "browserName": "chrome",
            "pageLoadStrategy": "normal",
            "goog:chromeOptions": {
                "binary": chromium.display().to_string(),
                "args": [
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                    "--disable-quic",
                    format!("--user-data-dir={}", profile.display()),
                    format!("--window-size={w},{h}"),
                ],
                "prefs": { "intl.accept_languages": options.accept_language },
            },
        });
        let Value::Object(caps) = caps else { unreachable!("a JSON object literal") };
        let url = format!("http://127.0.0.1:{}", driver.port);
        let mut builder = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new());
        builder.capabilities(caps);
        let client = match tokio::time::timeout(SESSION_TIMEOUT, builder.connect(&url)).await {
            Ok(Ok(c)) => c,
            Ok(Err(e)) => panic!(
                "could not open a Chromium session ({}): {e}\n--- chromedriver log ---\n{}",
                chromium.display(),
                tail(&driver_log, 4000)
            ),
            Err(_) => panic!(
                "opening a Chromium session took more than {SESSION_TIMEOUT:?}\n--- chromedriver log ---\n{}",
                tail(&driver_log, 4000)
            ),
        };
        Browser {
            client: Some(client),
            base: base.trim_end_matches('/').to_string(),
            driver,
            driver_log,
            _dir: dir,
            _slot: slot,
        }
    }

    /// The fantoccini client, for anything the helpers below do not cover (wrap calls in
    /// [`Browser::step`]).
    pub fn client(&self) -> &Client {
        self.client.as_ref().expect("the session is open until drop")
    }

    /// The absolute address of an app path.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Run one browser step under [`STEP_TIMEOUT`]; panic naming `what` and the page when it
    /// fails or hangs.
    pub async fn step<T>(&self, what: impl Display, fut: impl Future<Output = Result<T, CmdError>>) -> T {
        match tokio::time::timeout(STEP_TIMEOUT, fut).await {
            Ok(Ok(v)) => v,
            Ok(Err(e)) => panic!("browser step `{what}` failed on {}: {e}", self.whereabouts().await),
            Err(_) => panic!(
                "browser step `{what}` hung for more than {STEP_TIMEOUT:?} on {}\n--- chromedriver log ---\n{}",
                self.whereabouts().await,
                tail(&self.driver_log, 3000)
            ),
        }
    }

    /// The current address for failure messages (quickly, or `?`).
    async fn whereabouts(&self) -> String {
        match tokio::time::timeout(Duration::from_secs(2), self.client().current_url()).await {
            Ok(Ok(u)) => u.to_string(),
            _ => "?".into(),
        }
    }

    /// Open an app path (`/directory?q=…`) and wait for it to load.
    pub async fn goto(&self, path: &str) {
        let url = self.url(path);
        self.step(format!("open {url}"), self.client().goto(&url)).await;
    }

    /// The current page's path and query, e.g. `/board?color=icu`.
    pub async fn location(&self) -> String {
        let u = self.step("read the current URL", self.client().current_url()).await;
        match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_string(),
        }
    }

    /// The current page's path, e.g. `/login`.
    pub async fn path(&self) -> String {
        self.step("read the current URL", self.client().current_url()).await.path().to_string()
    }

    /// The first element matching a CSS selector.
    pub async fn find(&self, css: &str) -> Element {
        self.step(format!("find `{css}`"), self.client().find(Locator::Css(css))).await
    }

    /// Every element matching a CSS selector.
    pub async fn find_all(&self, css: &str) -> Vec<Element> {
        self.step(format!("find all `{css}`"), self.client().find_all(Locator::Css(css))).await
    }

    /// How many elements match a CSS selector.
    pub async fn count(&self, css: &str) -> usize {
        self.find_all(css).await.len()
    }

    /// The visible text of the first element matching `css`.
    pub async fn text(&self, css: &str) -> String {
        let e = self.find(css).await;
        self.step(format!("read the text of `{css}`"), e.text()).await
    }

    /// The visible texts of every element matching `css`.
    pub async fn texts(&self, css: &str) -> Vec<String> {
        let mut out = Vec::new();
        for e in self.find_all(css).await {
            out.push(self.step(format!("read the text of `{css}`"), e.text()).await);
        }
        out
    }

    /// An attribute of the first element matching `css`.
    pub async fn attr(&self, css: &str, name: &str) -> Option<String> {
        let e = self.find(css).await;
        self.step(format!("read `{name}` of `{css}`"), e.attr(name)).await
    }

    /// A DOM property (e.g. an input's current `value`) of the first element matching `css`.
    pub async fn prop(&self, css: &str, name: &str) -> Option<String> {
        let e = self.find(css).await;
        self.step(format!("read property `{name}` of `{css}`"), e.prop(name)).await
    }

    /// Run a script (`return …` gives a value); `arguments[i]` are `args`.
    pub async fn js(&self, script: &str, args: Vec<Value>) -> Value {
        self.step(
            format!("run script `{}`", script.chars().take(80).collect::<String>()),
            self.client().execute(script, args),
        )
        .await
    }

    /// Type `text` into the element matching `css` (WebDriver "send keys": focuses it first).
    pub async fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css).await;
        self.step(format!("type into `{css}`"), e.send_keys(text)).await;
    }

    /// Press keys on whatever has focus, as a person would: each character of `keys` goes down
    /// and up in turn (use [`Key`]s for Tab, Enter, …: `&Key::Tab`).
    pub async fn press(&self, keys: &str) {
        let mut seq = KeyActions::new("keyboard".into());
        for c in keys.chars() {
            seq = seq.then(KeyAction::Down { value: c }).then(KeyAction::Up { value: c });
        }
        self.step(format!("press {}", describe_keys(keys)), self.client().perform_actions(seq)).await;
    }

    /// Click the first element matching `css`, without waiting for anything.
    pub async fn click(&self, css: &str) {
        let e = self.find(css).await;
        self.step(format!("click `{css}`"), e.click()).await;
    }

    /// Click the first element matching `css` and wait for the page it leads to.
    pub async fn click_and_wait(&self, css: &str) {
        let e = self.find(css).await;
        self.navigation(format!("click `{css}`"), e.click()).await;
    }

    /// Press keys (see [`Browser::press`]) and wait for the page they lead to (a form sent
    /// with Enter, a link followed).
    pub async fn press_and_wait(&self, keys: &str) {
        let mut seq = KeyActions::new("keyboard".into());
        for c in keys.chars() {
            seq = seq.then(KeyAction::Down { value: c }).then(KeyAction::Up { value: c });
        }
        self.navigation(format!("press {}", describe_keys(keys)), self.client().perform_actions(seq)).await;
    }

    /// Do `action` and wait until a new document has replaced the current one and loaded.
    /// The current document is marked first, so even a page that reloads at the same address
    /// (a form re-shown with an error) is noticed.
    pub async fn navigation(&self, what: impl Display, action: impl Future<Output = Result<(), CmdError>>) {
        self.js("window.__cbOldPage = true;", vec![]).await;
        self.step(&what, action).await;
        let started = Instant::now();
        loop {
            let check = self
                .client()
                .execute("return window.__cbOldPage !== true && document.readyState === 'complete';", vec![]);
            // While the page is changing the script may fail: that is "not yet".
            if let Ok(Ok(Value::Bool(true))) = tokio::time::timeout(Duration::from_secs(2), check).await {
                return;
            }
            if started.elapsed() > STEP_TIMEOUT {
                panic!(
                    "`{what}` did not lead to a new page within {STEP_TIMEOUT:?} (still on {})",
                    self.whereabouts().await
                );
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Wait until a script's condition (`return …;`) is true.
    pub async fn wait_until(&self, what: &str, script: &str) {
        let started = Instant::now();
        loop {
            if let Ok(Ok(Value::Bool(true))) =
                tokio::time::timeout(Duration::from_secs(2), self.client().execute(script, vec![])).await
            {
                return;
            }
            if started.elapsed() > STEP_TIMEOUT {
                panic!("waited {STEP_TIMEOUT:?} for {what} on {}", self.whereabouts().await);
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// A short description of the focused element: `tag#id.class[href=…] "text"`.
    pub async fn focused(&self) -> String {
        let v = self
            .js(
                r##"const e = document.activeElement;
                   if (!e || e === document.body) return "body";
                   let s = e.tagName.toLowerCase();
                   if (e.id) s += "#" + e.id;
                   if (e.classList.length) s += "." + [...e.classList].join(".");
                   const href = e.getAttribute("href");
                   if (href !== null) s += "[href=" + href + "]";
                   const type = e.getAttribute("type");
                   if (type !== null) s += "[type=" + type + "]";
                   const text = (e.innerText || "").trim().replace(/\s+/g, " ").slice(0, 40);
                   if (text) s += ' "' + text + '"';
                   return s;"##,
                vec![],
            )
            .await;
        v.as_str().unwrap_or("?").to_string()
    }

    /// Resize the window so the page's viewport is `width`×`height` CSS pixels (the window
    /// may have a frame around the viewport; it is measured and added).
    pub async fn set_viewport(&self, width: u32, height: u32) {
        self.step(format!("resize the window to {width}×{height}"), self.client().set_window_size(width, height)).await;
        let inner = self.js("return [window.innerWidth, window.innerHeight];", vec![]).await;
        let (iw, ih) = (inner[0].as_u64().unwrap_or(0) as u32, inner[1].as_u64().unwrap_or(0) as u32);
        if (iw, ih) != (width, height) && iw > 0 && ih > 0 {
            let (w2, h2) = (width + width.saturating_sub(iw), height + height.saturating_sub(ih));
            self.step(format!("resize the window to {w2}×{h2}"), self.client().set_window_size(w2, h2)).await;
        }
    }

    /// A PNG screenshot of the first element matching `css`, scrolled to the top of the
    /// viewport first (the driver crops element screenshots at the viewport's edge, so an
    /// element must fit in the window: the test's window size must allow for that).
    pub async fn screenshot_of(&self, css: &str) -> Vec<u8> {
        let e = self.find(css).await;
        let arg = serde_json::to_value(&e).expect("an element serialises as a reference");
        let fits = self
            .js(
                r#"const e = arguments[0];
                   e.scrollIntoView({ block: "start", inline: "nearest" });
                   const r = e.getBoundingClientRect();
                   return r.bottom <= window.innerHeight + 0.5 && r.right <= window.innerWidth + 0.5;"#,
                vec![arg],
            )
            .await;
        assert_eq!(
            fits,
            Value::Bool(true),
            "`{css}` does not fit in the window, so its screenshot would be cropped: use a larger window"
        );
        self.step(format!("screenshot `{css}`"), e.screenshot()).await
    }

    /// A PNG screenshot of the viewport.
    pub async fn screenshot(&self) -> Vec<u8> {
        self.step("screenshot the page", self.client().screenshot()).await
    }

    /// Assert the page, in a viewport `width` CSS pixels wide, does not scroll sideways (wide
    /// tables and charts scroll inside their own `.table-wrap` / `.chart-scroll` boxes), naming
    /// the widest offenders when it does.
    pub async fn assert_fits_width(&self, page: &str, width: u32) {
        let v = self
            .js(
                r##"const vw = document.documentElement.clientWidth;
                   const wide = [...document.querySelectorAll("body *")]
                     .filter(e => e.getBoundingClientRect().right > vw + 1 && !e.closest(".table-wrap, .chart-scroll"))
                     .slice(0, 5)
                     .map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
                               + (e.className && typeof e.className === "string" ? "." + e.className : "")
                               + " right=" + Math.round(e.getBoundingClientRect().right));
                   return { scroll: document.documentElement.scrollWidth, inner: window.innerWidth, wide };"##,
                vec![],
            )
            .await;
        let scroll = v["scroll"].as_u64().unwrap_or(u64::MAX);
        assert_eq!(v["inner"].as_u64(), Some(u64::from(width)), "{page}: the viewport is {width} px wide");
        assert!(
            scroll <= u64::from(width) + 1,
            "{page}: the page scrolls sideways (scrollWidth {scroll} > {width}); too wide: {}",
            v["wide"]
        );
    }

    /// Assert the page does not scroll sideways at the window's current width.
    pub async fn assert_fits(&self, page: &str) {
        let width = self.js("return window.innerWidth;", vec![]).await.as_u64().unwrap_or(0) as u32;
        self.assert_fits_width(page, width).await;
    }

    /// Assert the page fits the [`PHONE`] screen (see [`Self::assert_fits_width`]).
    pub async fn assert_fits_phone(&self, page: &str) {
        self.assert_fits_width(page, PHONE.0).await;
    }

    /// Assert no identifier-like key (`too_far`, `virus_designated`) shows in the page's text:
    /// every enum and event kind is put in words.
    pub async fn assert_no_raw_keys(&self, page: &str) {
        let found = self.js(r#"return document.body.innerText.match(/\b[a-z]+(_[a-z]+)+\b/g) || [];"#, vec![]).await;
        assert_eq!(found, Value::Array(Vec::new()), "{page}: raw keys on the page");
    }

    /// Choose the option `value` of the `<select>` matching `css`.
    pub async fn choose(&self, css: &str, value: &str) {
        let e = self.find(css).await;
        self.step(format!("choose `{value}` in `{css}`"), e.select_by_value(value)).await;
    }

    /// Replace what the text field `css` holds with `text`, typed.
    pub async fn retype(&self, css: &str, text: &str) {
        let e = self.find(css).await;
        self.step(format!("clear `{css}`"), e.clear()).await;
        self.type_into(css, text).await;
    }

    /// Close the session now (drop does the same, and kills the processes).
    pub async fn quit(mut self) {
        if let Some(client) = self.client.take() {
            let _ = tokio::time::timeout(Duration::from_secs(5), client.close()).await;
        }
    }
}

/// Keys for messages: WebDriver's private-use codes by name.
fn describe_keys(keys: &str) -> String {
    keys.chars()
        .map(|c| match c {
            '\u{e004}' => "⟨Tab⟩".to_string(),
            '\u{e006}' => "⟨Return⟩".to_string(),
            '\u{e007}' => "⟨Enter⟩".to_string(),
            '\u{e008}' => "⟨Shift⟩".to_string(),
            '\u{e00d}' => "⟨Space⟩".to_string(),
            c if ('\u{e000}'..='\u{f8ff}').contains(&c) => format!("⟨U+{:04X}⟩", c as u32),
            c => c.to_string(),
        })
        .collect()
}
