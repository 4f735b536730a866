//! Figures: timings, the per-backend results, the machine they were measured on, the closing
//! table (metric, SQLite, PostgreSQL, goal, met?) and the JSON form.

use anyhow::Context;
use carebridge_domain::capacity::{Rollup, Unit};
use carebridge_domain::clock::{Clock, SystemClock};
use carebridge_domain::region::Regions;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// The goals of the registry issue.
pub const GOAL_IMPORT_ROWS_PER_SEC: f64 = 200_000.0;
pub const GOAL_NATIONAL_MS: f64 = 100.0;
pub const GOAL_CITY_MS: f64 = 5.0;
pub const GOAL_HTTP_PER_SEC_SQLITE: f64 = 5_000.0;

/// Where and from what the figures come.
#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    pub cpus: usize,
    pub cpu_model: Option<String>,
    pub memory_gib: Option<f64>,
    pub kernel: Option<String>,
    pub git_commit: Option<String>,
    pub git_dirty: Option<bool>,
    pub started_at: String,
}

impl Machine {
    pub fn detect() -> Self {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu_model = cpuinfo
            .lines()
            .find(|l| l.starts_with("model name"))
            .and_then(|l| l.split_once(':'))
            .map(|(_, v)| v.trim().to_string());
        let memory_gib = std::fs::read_to_string("/proc/meminfo").ok().and_then(|m| {
            m.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
                .map(|kb| kb / 1024.0 / 1024.0)
        });
        let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").ok().map(|s| s.trim().to_string());
        // The repository of the working directory, else the one the binary was built in.
        let exe_dir = std::env::current_exe().ok().and_then(|p| p.parent().map(Path::to_path_buf));
        let repo = [Some(std::path::PathBuf::from(".")), exe_dir].into_iter().flatten().find(|d| {
            std::process::Command::new("git")
                .arg("-C")
                .arg(d)
                .args(["rev-parse", "--git-dir"])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status()
                .map(|s| s.success())
                .unwrap_or(false)
        });
        let git = |args: &[&str]| {
            let repo = repo.as_ref()?;
            std::process::Command::new("git")
                .arg("-C")
                .arg(repo)
                .args(args)
                .stderr(std::process::Stdio::null())
                .output()
                .ok()
                .filter(|o| o.status.success())
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        };
        let git_commit = git(&["rev-parse", "--short", "HEAD"]);
        let git_dirty = git_commit
            .as_ref()
            .and_then(|_| git(&["status", "--porcelain", "--untracked-files=no"]))
            .map(|s| !s.is_empty());
        Self {
            cpus: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
            cpu_model,
            memory_gib,
            kernel,
            git_commit,
            git_dirty,
            started_at: SystemClock.now().to_rfc3339(),
        }
    }

    pub fn print(&self) {
        println!(
            "Machine: {} CPUs ({}), {} memory, Linux {}; carebridge {}{}; {}",
            self.cpus,
            self.cpu_model.as_deref().unwrap_or("unknown model"),
            self.memory_gib.map(|g| format!("{g:.1} GiB")).unwrap_or_else(|| "unknown".into()),
            self.kernel.as_deref().unwrap_or("?"),
            self.git_commit.as_deref().unwrap_or("(no git)"),
            if self.git_dirty == Some(true) { " with uncommitted changes" } else { "" },
            self.started_at
        );
    }
}

/// The instance and settings, recorded with the results.
#[derive(Debug, Clone, Serialize)]
pub struct Instance {
    pub seed: u64,
    pub facilities: usize,
    pub days: u32,
    pub step_hours: u32,
    pub steps: usize,
    pub batch: usize,
    pub order: super::registry::ImportOrder,
    pub clients: usize,
    pub ingest_seconds: u64,
    pub rollup_runs: usize,
    pub city: String,
}

/// Repeated timings of one operation, in milliseconds.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Timings {
    pub runs: usize,
    pub min_ms: f64,
    pub median_ms: f64,
    pub p95_ms: f64,
    pub max_ms: f64,
}

impl Timings {
    pub fn of(mut ms: Vec<f64>) -> Self {
        ms.sort_by(f64::total_cmp);
        let at = |q: f64| {
            if ms.is_empty() {
                0.0
            } else {
                ms[((ms.len() - 1) as f64 * q).round() as usize]
            }
        };
        Self { runs: ms.len(), min_ms: at(0.0), median_ms: at(0.5), p95_ms: at(0.95), max_ms: at(1.0) }
    }

    pub fn line(&self) -> String {
        format!(
            "min {:.2} ms, median {:.2} ms, p95 {:.2} ms, max {:.2} ms ({} runs)",
            self.min_ms, self.median_ms, self.p95_ms, self.max_ms, self.runs
        )
    }
}

/// The national rollup condensed: enough to check two backends computed the same thing.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct NationalSummary {
    pub rows: usize,
    pub provinces: usize,
    pub facilities: i64,
    /// Facilities whose general-ward figure is stale.
    pub stale_facilities: i64,
    /// Per unit: physical, staffed, occupied summed over the nation.
    pub totals: BTreeMap<String, [i64; 3]>,
}

impl NationalSummary {
    pub fn of(rollup: &Rollup) -> Self {
        let mut s = Self { rows: rollup.rows.len(), ..Self::default() };
        let mut provinces = std::collections::BTreeSet::new();
        for r in &rollup.rows {
            provinces.insert(r.region_code);
            if r.unit == Unit::GeneralWard {
                s.facilities += r.facilities;
                s.stale_facilities += r.stale_facilities;
            }
            let t = s.totals.entry(r.unit.as_str().to_string()).or_insert([0; 3]);
            t[0] += r.totals.physical;
            t[1] += r.totals.staffed;
            t[2] += r.totals.occupied;
        }
        s.provinces = provinces.len();
        s
    }
}

/// HTTP ingestion figures.
#[derive(Debug, Clone, Serialize)]
pub struct IngestResult {
    pub clients: usize,
    pub seconds: f64,
    pub created: u64,
    pub errors: u64,
    pub statuses: BTreeMap<String, u64>,
    pub transport_errors: u64,
    pub first_error: Option<String>,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub rows_added: u64,
    pub all_201_stored: bool,
}

impl IngestResult {
    pub fn rate(&self) -> f64 {
        self.created as f64 / self.seconds.max(1e-9)
    }
}

/// Everything measured on one backend.
#[derive(Debug, Clone, Serialize)]
pub struct BackendResult {
    pub backend: &'static str,
    pub server_version: Option<String>,
    pub facilities: usize,
    pub facility_generate_secs: f64,
    pub facility_load_secs: f64,
    pub reports: u64,
    pub unit_rows: u64,
    pub commits: u64,
    pub import_secs: f64,
    pub import_write_secs: f64,
    pub generator_secs: f64,
    /// How long the clean-up after the load took: `VACUUM ANALYZE` on PostgreSQL, the full
    /// log checkpoint on SQLite.
    pub vacuum_secs: Option<f64>,
    /// The national rollup right after the load, before that clean-up.
    pub national_before_vacuum: Option<Timings>,
    pub national: Timings,
    pub national_designation: Timings,
    pub national_summary: NationalSummary,
    pub city: Timings,
    pub city_designation: Timings,
    pub city_name: String,
    pub city_facilities: i64,
    pub city_rows: usize,
    pub ingest: Option<IngestResult>,
    pub database_bytes: Option<u64>,
}

impl BackendResult {
    pub fn new(backend: &'static str) -> Self {
        Self {
            backend,
            server_version: None,
            facilities: 0,
            facility_generate_secs: 0.0,
            facility_load_secs: 0.0,
            reports: 0,
            unit_rows: 0,
            commits: 0,
            import_secs: 0.0,
            import_write_secs: 0.0,
            generator_secs: 0.0,
            vacuum_secs: None,
            national_before_vacuum: None,
            national: Timings::default(),
            national_designation: Timings::default(),
            national_summary: NationalSummary::default(),
            city: Timings::default(),
            city_designation: Timings::default(),
            city_name: String::new(),
            city_facilities: 0,
            city_rows: 0,
            ingest: None,
            database_bytes: None,
        }
    }

    pub fn unit_rows_per_sec(&self) -> f64 {
        self.unit_rows as f64 / self.import_secs.max(1e-9)
    }

    pub fn reports_per_sec(&self) -> f64 {
        self.reports as f64 / self.import_secs.max(1e-9)
    }
}

/// `12345678` → `12,345,678`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The `q` quantile of sorted microseconds, in milliseconds.
pub fn percentile_us(sorted: &[u32], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    f64::from(sorted[((sorted.len() - 1) as f64 * q).round() as usize]) / 1000.0
}

/// The rollup timings, and (when `table`) the national rollup itself by province.
pub fn print_rollups(r: &BackendResult, national: &Rollup, regions: &Regions, table: bool) {
    let s = &r.national_summary;
    println!(
        "national rollup by province ({} rows, {} provinces, {} facilities, {} stale): {}",
        s.rows,
        s.provinces,
        thousands(s.facilities as u64),
        thousands(s.stale_facilities as u64),
        r.national.line()
    );
    println!("national rollup by province × designation: {}", r.national_designation.line());
    println!(
        "city rollup {} by district ({} rows, {} facilities): {}",
        r.city_name,
        r.city_rows,
        r.city_facilities,
        r.city.line()
    );
    println!("city rollup by district × designation: {}", r.city_designation.line());
    if !table {
        return;
    }
    // One line per province: general ward and ICU, and how many facilities are stale.
    #[derive(Default)]
    struct Line {
        facilities: i64,
        stale: i64,
        ward: [i64; 3],
        icu: [i64; 3],
    }
    let mut lines: BTreeMap<_, Line> = BTreeMap::new();
    for row in &national.rows {
        let l = lines.entry(row.region_code).or_default();
        let t = [row.totals.staffed, row.totals.occupied, row.totals.available];
        match row.unit {
            Unit::GeneralWard => {
                l.facilities = row.facilities;
                l.stale = row.stale_facilities;
                l.ward = t;
            }
            Unit::Icu => l.icu = t,
            _ => {}
        }
    }
    println!(
        "  {:<6} {:<16} {:>6} {:>6} | {:>9} {:>9} {:>8} | {:>6} {:>6} {:>6}",
        "code", "province", "fac.", "stale", "ward stf", "ward occ", "ward av", "ICU st", "ICU oc", "ICU av"
    );
    for (code, l) in &lines {
        let name = regions.get(*code).map(|r| r.name.as_str()).unwrap_or("");
        // Pad by display width: CJK characters take two columns.
        let width: usize = name.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum();
        let pad = " ".repeat(16usize.saturating_sub(width));
        println!(
            "  {:<6} {name}{pad} {:>6} {:>6} | {:>9} {:>9} {:>8} | {:>6} {:>6} {:>6}",
            code.to_string(),
            l.facilities,
            l.stale,
            l.ward[0],
            l.ward[1],
            l.ward[2],
            l.icu[0],
            l.icu[1],
            l.icu[2]
        );
    }
}

/// Both backends loaded the same registry: their national rollups must sum to the same totals.
pub fn check_agreement(results: &[BackendResult]) {
    if let [a, b] = results {
        if a.national_summary == b.national_summary {
            println!(
                "{} and {} national rollups agree (rows, facilities, stale, totals per unit)",
                a.backend, b.backend
            );
        } else {
            println!(
                "WARNING: the national rollups differ: {} {:?} vs {} {:?}",
                a.backend, a.national_summary, b.backend, b.national_summary
            );
        }
    }
}

/// Whether a value meets its goal.
#[derive(Clone, Copy)]
enum Goal {
    None,
    AtLeast(f64),
    AtMost(f64),
    /// A goal only for the named backend.
    AtLeastOn(&'static str, f64),
}

impl Goal {
    fn text(self, unit: &str) -> String {
        match self {
            Goal::None => "–".into(),
            Goal::AtLeast(v) => format!("≥ {}{unit}", thousands(v as u64)),
            Goal::AtMost(v) => format!("≤ {v}{unit}"),
            Goal::AtLeastOn(b, v) => format!("≥ {}{unit} ({b})", thousands(v as u64)),
        }
    }

    fn met(self, backend: &str, v: Option<f64>) -> &'static str {
        let Some(v) = v else { return "–" };
        let ok = match self {
            Goal::None => return "–",
            Goal::AtLeast(g) => v >= g,
            Goal::AtMost(g) => v <= g,
            Goal::AtLeastOn(b, g) if b == backend => v >= g,
            Goal::AtLeastOn(..) => return "–",
        };
        if ok {
            "yes"
        } else {
            "NO"
        }
    }
}

/// The closing table.
pub fn print_table(results: &[BackendResult], instance: &Instance, machine: &Machine) {
    type Cell = Box<dyn Fn(&BackendResult) -> (String, Option<f64>)>;
    let rollup_cell = |pick: fn(&BackendResult) -> &Timings| -> Cell {
        Box::new(move |r: &BackendResult| {
            let t = pick(r);
            (format!("{:.2} ({:.2}) ms", t.p95_ms, t.median_ms), Some(t.p95_ms))
        })
    };
    let ingest = |r: &BackendResult| r.ingest.clone();
    let rows: Vec<(String, Cell, Goal, &str)> = vec![
        (
            "database version".into(),
            Box::new(|r: &BackendResult| (r.server_version.clone().unwrap_or_else(|| "?".into()), None)),
            Goal::None,
            "",
        ),
        (
            "facilities loaded (one tx)".into(),
            Box::new(|r: &BackendResult| {
                (format!("{} in {:.2} s", thousands(r.facilities as u64), r.facility_load_secs), None)
            }),
            Goal::None,
            "",
        ),
        (
            "import, unit rows/s (\"reports\")".into(),
            Box::new(|r: &BackendResult| {
                (format!("{}/s", thousands(r.unit_rows_per_sec() as u64)), Some(r.unit_rows_per_sec()))
            }),
            Goal::AtLeast(GOAL_IMPORT_ROWS_PER_SEC),
            "/s",
        ),
        (
            "import, facility reports/s".into(),
            Box::new(|r: &BackendResult| (format!("{}/s", thousands(r.reports_per_sec() as u64)), None)),
            Goal::None,
            "",
        ),
        (
            "import, total".into(),
            Box::new(|r: &BackendResult| (format!("{} rows in {:.1} s", thousands(r.unit_rows), r.import_secs), None)),
            Goal::None,
            "",
        ),
        ("national rollup, p95 (median)".into(), rollup_cell(|r| &r.national), Goal::AtMost(GOAL_NATIONAL_MS), " ms"),
        (
            "  same, before VACUUM / checkpoint".into(),
            Box::new(|r: &BackendResult| match &r.national_before_vacuum {
                Some(t) => (format!("{:.2} ({:.2}) ms", t.p95_ms, t.median_ms), None),
                None => ("–".into(), None),
            }),
            Goal::None,
            "",
        ),
        (
            "national × designation, p95 (med.)".into(),
            rollup_cell(|r| &r.national_designation),
            Goal::AtMost(GOAL_NATIONAL_MS),
            " ms",
        ),
        (
            format!("city {} rollup, p95 (median)", instance.city),
            rollup_cell(|r| &r.city),
            Goal::AtMost(GOAL_CITY_MS),
            " ms",
        ),
        (
            format!("city {} × designation, p95", instance.city),
            rollup_cell(|r| &r.city_designation),
            Goal::AtMost(GOAL_CITY_MS),
            " ms",
        ),
        (
            format!("HTTP ingest, 201/s ({} clients)", instance.clients),
            Box::new(move |r: &BackendResult| match ingest(r) {
                Some(i) => (format!("{}/s", thousands(i.rate() as u64)), Some(i.rate())),
                None => ("skipped".into(), None),
            }),
            Goal::AtLeastOn("SQLite", GOAL_HTTP_PER_SEC_SQLITE),
            "/s",
        ),
        (
            "HTTP latency p50 / p99".into(),
            Box::new(move |r: &BackendResult| match ingest(r) {
                Some(i) => (format!("{:.1} / {:.1} ms", i.p50_ms, i.p99_ms), None),
                None => ("–".into(), None),
            }),
            Goal::None,
            "",
        ),
        (
            "HTTP errors; every 201 stored".into(),
            Box::new(move |r: &BackendResult| match ingest(r) {
                Some(i) => (format!("{}; {}", i.errors, if i.all_201_stored { "yes" } else { "NO" }), None),
                None => ("–".into(), None),
            }),
            Goal::None,
            "",
        ),
        (
            "database size".into(),
            Box::new(|r: &BackendResult| {
                (r.database_bytes.map(|b| format!("{:.2} GiB", b as f64 / 1073741824.0)).unwrap_or("?".into()), None)
            }),
            Goal::None,
            "",
        ),
    ];

    println!();
    println!(
        "Results: seed {}, {} facilities, {} days every {} h, {} CPUs, {:.0} GiB, commit {}",
        instance.seed,
        thousands(instance.facilities as u64),
        instance.days,
        instance.step_hours,
        machine.cpus,
        machine.memory_gib.unwrap_or(0.0),
        machine.git_commit.as_deref().unwrap_or("?")
    );
    let mut header = format!("{:<36}", "metric");
    for r in results {
        header.push_str(&format!(" | {:<28}", r.backend));
    }
    header.push_str(&format!(" | {:<20} | met?", "goal"));
    println!("{header}");
    println!("{}", "-".repeat(header.chars().count() + 4));
    for (metric, cell, goal, unit) in &rows {
        let mut line = format!("{metric:<36}");
        let mut met = Vec::new();
        for r in results {
            let (text, value) = cell(r);
            line.push_str(&format!(" | {text:<28}"));
            met.push(goal.met(r.backend, value));
        }
        let met = if met.iter().all(|m| *m == "–") { String::new() } else { met.join(" / ") };
        line.push_str(&format!(" | {:<20} | {met}", goal.text(unit)));
        println!("{line}");
    }
}

/// The results as JSON.
pub fn write_json(
    path: &Path,
    machine: &Machine,
    instance: &Instance,
    results: &[BackendResult],
) -> anyhow::Result<()> {
    let doc = serde_json::json!({
        "bench": "registry",
        "machine": machine,
        "instance": instance,
        "goals": {
            "import_unit_rows_per_sec": GOAL_IMPORT_ROWS_PER_SEC,
            "national_rollup_ms": GOAL_NATIONAL_MS,
            "city_rollup_ms": GOAL_CITY_MS,
            "http_reports_per_sec_sqlite": GOAL_HTTP_PER_SEC_SQLITE,
        },
        "results": results,
    });
    let text = serde_json::to_string_pretty(&doc)?;
    std::fs::write(path, text + "\n").with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits() {
        for (n, s) in [(0, "0"), (999, "999"), (1000, "1,000"), (12_096_000, "12,096,000")] {
            assert_eq!(thousands(n), s);
        }
    }

    #[test]
    fn timings_pick_order_statistics() {
        let t = Timings::of((1..=20).rev().map(f64::from).collect());
        assert_eq!((t.min_ms, t.max_ms, t.runs), (1.0, 20.0, 20));
        assert_eq!(t.p95_ms, 19.0);
    }
}
