//! `carebridge bench registry`: a national-size registry, built and measured on SQLite and, when
//! its URL is given, on PostgreSQL.
//!
//! Per backend, in order: load the generated facilities (one transaction); bulk-import every
//! facility's six-hourly reports in batched transactions (generation runs on its own thread and
//! feeds a bounded channel, so it overlaps the writes); time the national rollup by province and
//! one city's rollup; then start the real server on 127.0.0.1 and let concurrent HTTP clients
//! post fresh capacity reports for a fixed time. Same seed, same registry: figures compare
//! across runs and across backends, whose rollups must agree.
//!
//! The bench owns its databases: a SQLite file in a fresh temporary directory (or `--data`), and
//! a fresh PostgreSQL database `cb_bench_<random>` created beside the one in the URL and dropped
//! at the end, also on error or Ctrl-C.

use super::ingest::{self, IngestConfig};
use super::report::{self, BackendResult, Machine, NationalSummary, Timings};
use crate::commands::open;
use crate::progress;
use anyhow::{bail, ensure, Context};
use carebridge_domain::audit::Actor;
use carebridge_domain::capacity::{CapacityReportDraft, Rollup, Unit};
use carebridge_domain::clock::Timestamp;
use carebridge_domain::ids::ReportId;
use carebridge_domain::region::{RegionCode, Regions};
use carebridge_domain::user::Role;
use carebridge_scenario::national::{national_facilities, national_reports, NationalFacility, NATIONAL_FACILITY_COUNT};
use carebridge_service::capacity::StaleSetting;
use carebridge_service::users::NewUser;
use carebridge_service::{Backend, Carebridge, RequestMeta};
use clap::Args;
use sqlx::postgres::{PgConnectOptions, PgSslMode};
use sqlx::{Connection, Executor, PgConnection, Row};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The province whose coordinator tightens the stale threshold before the rollups, so the
/// rollup's staleness column and its per-region settings joins carry real work: Hubei, 4 hours
/// (its facilities' latest imported reports are one step, 6 hours, old).
const STALE_REGION: &str = "420000";
const STALE_HOURS: i64 = 4;

/// The national coordinator who posts over HTTP (may report for any facility).
const BENCH_USER: &str = "bench-nhc";

/// The order in which the bench imports the generated history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportOrder {
    Facility,
    Time,
}

#[derive(Debug, Args)]
pub struct RegistryArgs {
    /// Seed of the generated registry (same seed, same facilities and reports).
    #[arg(long, default_value_t = 2020)]
    pub seed: u64,
    /// Hospitals, spread over the 31 mainland provinces by population.
    #[arg(long, default_value_t = NATIONAL_FACILITY_COUNT)]
    pub facilities: usize,
    /// Days of report history to import.
    #[arg(long, default_value_t = 14)]
    pub days: u32,
    /// Hours between two reports of a facility.
    #[arg(long, default_value_t = 6)]
    pub step_hours: u32,
    /// Facility reports (of six units each) per import transaction.
    #[arg(long, default_value_t = 20_000)]
    pub batch: usize,
    /// Order of the imported history: `facility` (each facility's 14 days in turn, as
    /// backfilled from each hospital's records) or `time` (every facility's report of one step,
    /// then the next step, as live reports arrive).
    #[arg(long, value_enum, default_value_t = ImportOrder::Facility)]
    pub order: ImportOrder,
    /// Also run on PostgreSQL: the bench creates a fresh database `cb_bench_<random>` on this
    /// server and drops it at the end.
    #[arg(long, env = "CAREBRIDGE_BENCH_POSTGRES_URL")]
    pub postgres_url: Option<String>,
    /// Directory for the SQLite file (kept); default a temporary directory, removed at the end.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Run PostgreSQL only.
    #[arg(long)]
    pub skip_sqlite: bool,
    /// Concurrent HTTP clients posting capacity reports.
    #[arg(long, default_value_t = 64)]
    pub clients: usize,
    /// How long the HTTP clients post (0 skips the HTTP phase).
    #[arg(long, default_value_t = 10)]
    pub ingest_seconds: u64,
    /// Timed runs of each rollup (after one warm-up run).
    #[arg(long, default_value_t = 20)]
    pub rollup_runs: usize,
    /// The city whose rollup is timed (GB/T 2260 code; default Wuhan).
    #[arg(long, default_value = "420100")]
    pub city: String,
    /// Keep the PostgreSQL database at the end (its name is printed), for inspection.
    #[arg(long)]
    pub keep_postgres: bool,
    /// Skip `VACUUM ANALYZE` on PostgreSQL after the bulk import (autovacuum would run it
    /// shortly; until then the rollups read a current-state table bloated by the import's
    /// upserts).
    #[arg(long)]
    pub no_vacuum: bool,
    /// Also write the results as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
}

impl RegistryArgs {
    /// Checked before any data is touched.
    fn check(&self, regions: &Regions) -> anyhow::Result<RegionCode> {
        ensure!((1..=1_000_000).contains(&self.facilities), "--facilities must be between 1 and 1,000,000");
        ensure!((1..=366).contains(&self.days), "--days must be between 1 and 366");
        ensure!((1..=24).contains(&self.step_hours), "--step-hours must be between 1 and 24");
        ensure!(self.steps() >= 1, "--days × 24 / --step-hours must be at least one step");
        ensure!((1..=100_000).contains(&self.batch), "--batch must be between 1 and 100,000");
        ensure!((1..=1024).contains(&self.clients), "--clients must be between 1 and 1024");
        ensure!(self.ingest_seconds <= 3600, "--ingest-seconds must be at most 3600");
        ensure!((1..=10_000).contains(&self.rollup_runs), "--rollup-runs must be between 1 and 10,000");
        ensure!(!(self.skip_sqlite && self.postgres_url.is_none()), "--skip-sqlite needs --postgres-url");
        if let Some(url) = &self.postgres_url {
            ensure!(Backend::from_url(url).ok() == Some(Backend::Postgres), "--postgres-url must be a postgres:// URL");
        }
        let city = regions.lookup(&self.city).map_err(|e| anyhow::anyhow!("--city: {e}"))?;
        Ok(city.code)
    }

    fn steps(&self) -> usize {
        (self.days as usize * 24) / self.step_hours as usize
    }
}

pub async fn registry(args: RegistryArgs) -> anyhow::Result<ExitCode> {
    let regions = Regions::china();
    let city = args.check(&regions)?;
    let machine = Machine::detect();
    machine.print();
    let steps = args.steps();
    let reports = args.facilities as u64 * steps as u64;
    println!(
        "Instance: seed {}, {} facilities × {} steps ({} days every {} h) = {} reports = {} unit rows (six units each)",
        args.seed,
        report::thousands(args.facilities as u64),
        steps,
        args.days,
        args.step_hours,
        report::thousands(reports),
        report::thousands(reports * 6),
    );
    println!(
        "Import: {} reports per transaction, {} order; rollups: 1 warm-up + {} runs; HTTP: {} clients for {} s",
        report::thousands(args.batch as u64),
        match args.order {
            ImportOrder::Facility => "facility-by-facility",
            ImportOrder::Time => "time-step",
        },
        args.rollup_runs,
        args.clients,
        args.ingest_seconds
    );
    println!();

    // Generated once, shared by both backends.
    let t = Instant::now();
    let facilities = Arc::new(national_facilities(args.seed, args.facilities, &regions));
    let generate_secs = t.elapsed().as_secs_f64();

    let mut results = Vec::new();
    if !args.skip_sqlite {
        let (dir, temp) = sqlite_dir(args.data.as_deref())?;
        let path = dir.join("registry-bench.sqlite");
        remove_sqlite_files(&path)?;
        let url = format!("sqlite://{}", path.display());
        let outcome = interruptible(run_backend("SQLite", &url, &args, city, &facilities, generate_secs)).await;
        let mut r = outcome?;
        r.database_bytes = sqlite_size(&path);
        r.server_version = sqlite_version().await.ok();
        if temp.is_none() {
            println!("SQLite file kept: {}", path.display());
        }
        drop(temp);
        results.push(r);
    }
    if let Some(admin) = &args.postgres_url {
        let scratch = PgScratch::create(admin).await?;
        let scratch_version = scratch.version.clone();
        println!("PostgreSQL {}: created database {}", scratch.version, scratch.name);
        let outcome =
            interruptible(run_backend("PostgreSQL", &scratch.url, &args, city, &facilities, generate_secs)).await;
        let size = scratch.size().await.ok();
        let dropped = if args.keep_postgres {
            println!(
                "PostgreSQL: kept database {} (drop it with DROP DATABASE {} WITH (FORCE))",
                scratch.name, scratch.name
            );
            Ok(())
        } else {
            scratch.drop_database().await
        };
        let mut r = outcome?;
        dropped?;
        r.database_bytes = size;
        r.server_version = Some(scratch_version);
        results.push(r);
    }

    report::check_agreement(&results);
    report::print_table(&results, &args_summary(&args), &machine);
    if let Some(path) = &args.json {
        report::write_json(path, &machine, &args_summary(&args), &results)?;
        println!("results written to {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// The instance as recorded with the results.
fn args_summary(args: &RegistryArgs) -> report::Instance {
    report::Instance {
        seed: args.seed,
        facilities: args.facilities,
        days: args.days,
        step_hours: args.step_hours,
        steps: args.steps(),
        batch: args.batch,
        order: args.order,
        clients: args.clients,
        ingest_seconds: args.ingest_seconds,
        rollup_runs: args.rollup_runs,
        city: args.city.clone(),
    }
}

/// Run `work`, or stop with an error on Ctrl-C so the caller still cleans up.
async fn interruptible<T>(work: impl std::future::Future<Output = anyhow::Result<T>>) -> anyhow::Result<T> {
    tokio::select! {
        r = work => r,
        _ = tokio::signal::ctrl_c() => bail!("interrupted"),
    }
}

/// One backend, all phases.
async fn run_backend(
    name: &'static str,
    url: &str,
    args: &RegistryArgs,
    city: RegionCode,
    facilities: &Arc<Vec<NationalFacility>>,
    generate_secs: f64,
) -> anyhow::Result<BackendResult> {
    println!("== {name} ==");
    let cb = open(url).await?;
    let actor = Actor::system("bench-registry");
    let meta = RequestMeta { request_id: Some(format!("bench-registry-{}", std::process::id())) };
    let mut result = BackendResult::new(name);
    result.facilities = facilities.len();
    result.facility_generate_secs = generate_secs;

    // 1. Facilities, one transaction.
    let bar = progress::bar(facilities.len() as u64, "facilities");
    let t = Instant::now();
    let mut tx = cb.store.begin().await?;
    for f in facilities.iter() {
        cb.import_facility_with_id(&mut tx, &actor, f.id, f.draft.clone(), &meta)
            .await
            .with_context(|| format!("loading facility {}", f.id))?;
        bar.inc(1);
    }
    tx.commit().await.context("committing the facilities")?;
    bar.finish_and_clear();
    result.facility_load_secs = t.elapsed().as_secs_f64();
    println!(
        "facilities: {} loaded in {:.2} s ({}/s, one transaction, audited)",
        report::thousands(facilities.len() as u64),
        result.facility_load_secs,
        report::thousands((facilities.len() as f64 / result.facility_load_secs) as u64)
    );

    // The national coordinator who posts over HTTP; Hubei tightens its stale threshold.
    let password = format!("bench-{}", ReportId::new_v7());
    cb.create_user(
        None,
        NewUser {
            username: BENCH_USER.into(),
            password: password.clone(),
            role: Role::NationalCoordinator,
            scope: None,
            display_name: Some("Bench national coordinator".into()),
        },
        &meta,
    )
    .await
    .context("creating the bench user")?;
    let token = cb.issue_token(BENCH_USER, &password, &meta).await.context("issuing the bench token")?;
    cb.set_stale_setting(&token.principal, STALE_REGION, StaleSetting { stale_after_hours: STALE_HOURS }, &meta)
        .await
        .context("setting Hubei's stale threshold")?;

    // 2. Reports, batched transactions fed by a generator thread.
    import_reports(&cb, &actor, &meta, args, facilities, &mut result).await?;
    if cb.store.backend() == Backend::Postgres && !args.no_vacuum {
        // Right after the load the current-state table holds 56 versions per row; say what
        // that costs before cleaning up.
        let (before, _) = time_rollup(&cb, None, false, args.rollup_runs).await?;
        println!("national rollup by province before VACUUM: {}", before.line());
        result.national_before_vacuum = Some(before);
        let t = Instant::now();
        vacuum_analyze(url).await?;
        result.vacuum_secs = Some(t.elapsed().as_secs_f64());
        println!(
            "VACUUM ANALYZE and CHECKPOINT after the bulk load (as autovacuum and the server would, soon after): {:.2} s",
            t.elapsed().as_secs_f64()
        );
    }

    if cb.store.backend() == Backend::Sqlite {
        // Right after the load most of the new pages are still in the write-ahead log, which
        // the background checkpointer copies back over the next seconds; say what reading
        // through it costs, then finish the copy as an import does.
        let (before, _) = time_rollup(&cb, None, false, args.rollup_runs).await?;
        println!("national rollup by province before the checkpoint: {}", before.line());
        result.national_before_vacuum = Some(before);
        let t = Instant::now();
        cb.store.checkpoint_all().await.context("checkpointing after the bulk load")?;
        result.vacuum_secs = Some(t.elapsed().as_secs_f64());
        println!("checkpoint after the bulk load (as an import ends): {:.2} s", t.elapsed().as_secs_f64());
    }

    // 3. and 4. Rollups.
    let (national, rollup) = time_rollup(&cb, None, false, args.rollup_runs).await?;
    result.national = national;
    result.national_summary = NationalSummary::of(&rollup);
    let (national_designation, _) = time_rollup(&cb, None, true, args.rollup_runs).await?;
    result.national_designation = national_designation;
    let (city_t, city_rollup) = time_rollup(&cb, Some(city), false, args.rollup_runs).await?;
    result.city = city_t;
    result.city_name = cb.regions.get(city).map(|r| r.name.clone()).unwrap_or_default();
    result.city_facilities =
        city_rollup.rows.iter().filter(|r| r.unit == Unit::GeneralWard).map(|r| r.facilities).sum();
    result.city_rows = city_rollup.rows.len();
    let (city_designation, _) = time_rollup(&cb, Some(city), true, args.rollup_runs).await?;
    result.city_designation = city_designation;
    report::print_rollups(&result, &rollup, &cb.regions, args.skip_sqlite || name == "SQLite");

    // 5. HTTP ingestion.
    if args.ingest_seconds > 0 {
        let config = IngestConfig {
            clients: args.clients,
            seconds: args.ingest_seconds,
            seed: args.seed,
            token: token.access_token.clone(),
        };
        result.ingest = Some(ingest::run(&cb, facilities, &config).await?);
    }

    cb.store.close().await;
    println!();
    Ok(result)
}

/// Bulk import: a generator thread builds batches of reports (with their ids) and hands them
/// over a bounded channel; this task writes each batch in its own transaction.
async fn import_reports(
    cb: &Carebridge,
    actor: &Actor,
    meta: &RequestMeta,
    args: &RegistryArgs,
    facilities: &Arc<Vec<NationalFacility>>,
    result: &mut BackendResult,
) -> anyhow::Result<()> {
    let steps = args.steps();
    let step_ms = i64::from(args.step_hours) * 3_600_000;
    let now = cb.now();
    // The last step lies one step before now (on the hour), so the import ends at the present.
    let hour_ms = 3_600_000;
    let last = Timestamp::from_millis(now.millis() / hour_ms * hour_ms - step_ms);
    let start = Timestamp::from_millis(last.millis() - (steps as i64 - 1) * step_ms);
    let total = facilities.len() as u64 * steps as u64;

    let (send, mut receive) = tokio::sync::mpsc::channel::<Vec<(ReportId, CapacityReportDraft)>>(4);
    let generator = {
        let facilities = Arc::clone(facilities);
        let (seed, batch, step_hours, order) = (args.seed, args.batch, i64::from(args.step_hours), args.order);
        std::thread::Builder::new().name("bench-generator".into()).spawn(move || -> Result<f64, String> {
            let mut busy = Duration::ZERO;
            let mut reports = national_reports(seed, &facilities, start, steps, step_hours);
            if order == ImportOrder::Facility {
                reports = reports.by_facility();
            }
            loop {
                let t = Instant::now();
                let mut chunk = Vec::with_capacity(batch);
                for r in reports.by_ref().take(batch) {
                    let r = r.validate(now).map_err(|e| format!("a generated report is invalid: {e:?}"))?;
                    chunk.push((ReportId::new_v7(), r));
                }
                busy += t.elapsed();
                if chunk.is_empty() || send.blocking_send(chunk).is_err() {
                    return Ok(busy.as_secs_f64());
                }
            }
        })?
    };

    let bar = progress::bar(total, "reports");
    let t = Instant::now();
    let (mut reports, mut unit_rows, mut commits) = (0u64, 0u64, 0u64);
    let mut write_secs = 0.0;
    while let Some(batch) = receive.recv().await {
        let w = Instant::now();
        let s = cb.write_capacity_batch(actor, batch, meta).await.context("writing a batch of reports")?;
        write_secs += w.elapsed().as_secs_f64();
        reports += s.reports as u64;
        unit_rows += s.unit_rows as u64;
        commits += 1;
        bar.inc(s.reports as u64);
    }
    bar.finish_and_clear();
    let secs = t.elapsed().as_secs_f64();
    let generator_secs = match generator.join() {
        Ok(Ok(busy)) => busy,
        Ok(Err(e)) => bail!(e),
        Err(_) => bail!("the report generator panicked"),
    };
    ensure!(reports == total, "imported {reports} reports, expected {total}");
    let stored = carebridge_store::capacity::count_rows(&cb.store).await? as u64;
    ensure!(stored == unit_rows, "{stored} unit rows stored, {unit_rows} written");

    result.reports = reports;
    result.unit_rows = unit_rows;
    result.commits = commits;
    result.import_secs = secs;
    result.import_write_secs = write_secs;
    result.generator_secs = generator_secs;
    println!(
        "import: {} reports = {} unit rows in {:.1} s, {} transactions: {} unit rows/s ({} reports/s); \
         writing {:.1} s, generating {:.1} s on its own thread",
        report::thousands(reports),
        report::thousands(unit_rows),
        secs,
        commits,
        report::thousands(result.unit_rows_per_sec() as u64),
        report::thousands(result.reports_per_sec() as u64),
        write_secs,
        generator_secs
    );
    Ok(())
}

/// One warm-up run, then `runs` timed ones.
async fn time_rollup(
    cb: &Carebridge,
    root: Option<RegionCode>,
    by_designation: bool,
    runs: usize,
) -> anyhow::Result<(Timings, Rollup)> {
    let mut last = cb.rollup_of(root, by_designation).await.context("rollup (warm-up)")?;
    let mut ms = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        last = cb.rollup_of(root, by_designation).await.context("rollup")?;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    Ok((Timings::of(ms), last))
}

/// The directory for the SQLite file, and a guard that removes it if it is temporary.
pub(super) fn sqlite_dir(data: Option<&Path>) -> anyhow::Result<(PathBuf, Option<TempDir>)> {
    match data {
        Some(d) => {
            std::fs::create_dir_all(d).with_context(|| format!("creating {}", d.display()))?;
            Ok((d.to_path_buf(), None))
        }
        None => {
            let t = std::env::temp_dir().join(format!(
                "carebridge-bench-{}-{:08x}",
                std::process::id(),
                rand::random::<u32>()
            ));
            std::fs::create_dir_all(&t).with_context(|| format!("creating {}", t.display()))?;
            Ok((t.clone(), Some(TempDir(t))))
        }
    }
}

/// The SQLite library's version (the one linked into this binary).
pub(super) async fn sqlite_version() -> anyhow::Result<String> {
    let mut conn = sqlx::SqliteConnection::connect("sqlite::memory:").await?;
    let v: String = sqlx::query("SELECT sqlite_version()").fetch_one(&mut conn).await?.try_get(0)?;
    conn.close().await.ok();
    Ok(v)
}

/// The bench always starts from an empty file: its own file from an earlier run goes.
fn remove_sqlite_files(path: &Path) -> anyhow::Result<()> {
    for suffix in ["", "-wal", "-shm"] {
        let p = PathBuf::from(format!("{}{suffix}", path.display()));
        match std::fs::remove_file(&p) {
            Ok(()) => println!("removed {} from an earlier run", p.display()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("removing {}", p.display())),
        }
    }
    Ok(())
}

fn sqlite_size(path: &Path) -> Option<u64> {
    let size = |suffix: &str| std::fs::metadata(format!("{}{suffix}", path.display())).map(|m| m.len()).ok();
    Some(size("")? + size("-wal").unwrap_or(0))
}

/// Removes the temporary directory when the bench ends.
pub(super) struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A fresh database on the PostgreSQL server of the given URL.
pub(super) struct PgScratch {
    admin: PgConnectOptions,
    name: String,
    pub(super) url: String,
    pub(super) version: String,
}

impl PgScratch {
    pub(super) async fn create(admin_url: &str) -> anyhow::Result<Self> {
        let admin =
            PgConnectOptions::from_str(admin_url).context("parsing --postgres-url")?.ssl_mode(PgSslMode::Disable);
        let name = format!("cb_bench_{:016x}", rand::random::<u64>());
        let mut conn = connect_admin(&admin).await?;
        let version: String = sqlx::query("SHOW server_version")
            .fetch_one(&mut conn)
            .await
            .context("asking the server version")?
            .try_get(0)?;
        // "15.20 (Debian 15.20-0+deb12u1)" → "15.20"
        let version = version.split_whitespace().next().unwrap_or_default().to_string();
        conn.execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .with_context(|| format!("creating database {name}"))?;
        conn.close().await.ok();
        Ok(Self { url: with_database(admin_url, &name), admin, name, version })
    }

    async fn size(&self) -> anyhow::Result<u64> {
        let mut conn = connect_admin(&self.admin).await?;
        let row = sqlx::query("SELECT pg_database_size($1) AS n").bind(&self.name).fetch_one(&mut conn).await?;
        conn.close().await.ok();
        Ok(row.try_get::<i64, _>("n")? as u64)
    }

    pub(super) async fn drop_database(self) -> anyhow::Result<()> {
        let mut conn = connect_admin(&self.admin).await?;
        conn.execute(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name).as_str())
            .await
            .with_context(|| format!("dropping database {}", self.name))?;
        conn.close().await.ok();
        println!("PostgreSQL: dropped database {}", self.name);
        Ok(())
    }
}

async fn connect_admin(options: &PgConnectOptions) -> anyhow::Result<PgConnection> {
    tokio::time::timeout(Duration::from_secs(10), PgConnection::connect_with(options))
        .await
        .context("connecting to PostgreSQL: timed out")?
        .context("connecting to PostgreSQL")
}

/// `VACUUM ANALYZE` the bench database, as autovacuum would after a bulk load: 56 upserts per
/// current-state row leave dead versions that a scan would otherwise wade through. Then a
/// `CHECKPOINT`, as SQLite's side ends with one: otherwise the server's own checkpoint writes
/// the load's gigabyte of dirty buffers back in the middle of the timed rollups. A role that
/// may not checkpoint only gets a warning.
async fn vacuum_analyze(url: &str) -> anyhow::Result<()> {
    let options = PgConnectOptions::from_str(url)?.ssl_mode(PgSslMode::Disable);
    let mut conn = connect_admin(&options).await?;
    conn.execute("VACUUM ANALYZE").await.context("VACUUM ANALYZE")?;
    if let Err(e) = conn.execute("CHECKPOINT").await {
        eprintln!("warning: CHECKPOINT after the load failed ({e}); the rollups may meet the server's own");
    }
    conn.close().await.ok();
    Ok(())
}

/// The same server and credentials, another database: `postgres://u@h:5432/x?o` → `…/name?o`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scratch_database_replaces_the_path_only() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "cb"),
            "postgres://postgres@127.0.0.1:5432/cb"
        );
        assert_eq!(with_database("postgres://u:p@h/db?sslmode=disable", "cb"), "postgres://u:p@h/cb?sslmode=disable");
        assert_eq!(with_database("postgresql://h:5433", "cb"), "postgresql://h:5433/cb");
    }
}
