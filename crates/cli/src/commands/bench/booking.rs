//! `carebridge bench booking`: durable bookings over HTTP (issue 13; goals: at least 6,000
//! confirmed bookings a second on SQLite and 5,000 on PostgreSQL, p99 at most 50 ms, none
//! over-booked, none lost).
//!
//! The demo's hospitals of Beijing and Wuhan that book internal medicine each publish two weeks
//! of a morning clinic (eight half-hour slots a day, `--capacity` places each); the first
//! `--slots` slots, spread over the hospitals, are the hot set everyone races for. The real
//! server runs on 127.0.0.1 (an ephemeral port); `--clients` concurrent clients, each the desk
//! of one hospital, book walk-ins on random slots of their hospital's hot set (`POST
//! /api/v1/bookings`), each waiting for its answer before the next: a 201 comes only once the
//! booking is durable. A client drops a slot on its first 409 (full) and stops when its
//! hospital's hot set is full or the time is up.
//!
//! Afterwards it checks what a crash test would: every 201's booking is stored, no other
//! booking is, and every slot holds exactly its bookings, never more than its capacity.
//!
//! The reference figures in the issue (SQLite from one Python process: about 3,000–3,500
//! booking transactions a second with a full sync per commit, 12,000 with `synchronous =
//! NORMAL`, which can lose the last commits) are of another program; they are quoted in
//! docs/BENCHMARKS.md, not run here.

use super::registry::{sqlite_dir, PgScratch};
use super::report::{percentile_us, thousands};
use crate::commands::open;
use anyhow::{ensure, Context};
use carebridge_domain::booking::{ScheduleDraft, TemplateDraft};
use carebridge_domain::designation::Designation;
use carebridge_domain::ids::{BookingId, FacilityId, SlotId};
use carebridge_domain::service_kind::ServiceKind;
use carebridge_domain::user::{Role, Scope};
use carebridge_scenario::DEMO_PASSWORD;
use carebridge_server::{Application, ServerConfig};
use carebridge_service::booking::SlotSearch;
use carebridge_service::users::NewUser;
use carebridge_service::{Backend, RequestMeta};
use clap::Args;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The issue's goals.
const GOAL_SQLITE_PER_S: f64 = 6_000.0;
const GOAL_POSTGRES_PER_S: f64 = 5_000.0;
const GOAL_P99_MS: f64 = 50.0;
/// Longest a single request may take before it counts as an error.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// The cities whose hospitals publish.
const CITIES: [&str; 2] = ["1101", "4201"];
const DESK_PASSWORD: &str = "bench-desk-password";

#[derive(Debug, Args)]
pub struct BookingArgs {
    #[arg(long, default_value_t = carebridge_scenario::DEMO_DEFAULT_SEED)]
    pub seed: u64,
    /// Concurrent HTTP clients.
    #[arg(long, default_value_t = 64)]
    pub clients: usize,
    /// Longest the clients book for, seconds.
    #[arg(long, default_value_t = 20)]
    pub seconds: u64,
    /// Slots in the hot set everyone races for.
    #[arg(long, default_value_t = 2_000)]
    pub slots: usize,
    /// Places per slot.
    #[arg(long, default_value_t = 60)]
    pub capacity: i64,
    /// Also run on a scratch database of this PostgreSQL server (created, then dropped).
    #[arg(long)]
    pub postgres_url: Option<String>,
}

impl BookingArgs {
    fn check(&self) -> anyhow::Result<()> {
        ensure!((1..=1_024).contains(&self.clients), "--clients must be between 1 and 1,024");
        ensure!((1..=3_600).contains(&self.seconds), "--seconds must be between 1 and 3,600");
        ensure!((1..=100_000).contains(&self.slots), "--slots must be between 1 and 100,000");
        ensure!((1..=500).contains(&self.capacity), "--capacity must be between 1 and 500");
        if let Some(url) = &self.postgres_url {
            ensure!(Backend::from_url(url).ok() == Some(Backend::Postgres), "--postgres-url must be a postgres:// URL");
        }
        Ok(())
    }
}

/// One backend's figures.
#[derive(Debug, Default)]
struct Outcome {
    confirmed: u64,
    seconds: f64,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    full: u64,
    errors: u64,
    first_error: Option<String>,
    lost: u64,
    unexpected: u64,
    over_booked: u64,
    places: u64,
}

impl Outcome {
    fn rate(&self) -> f64 {
        self.confirmed as f64 / self.seconds.max(1e-9)
    }
}

pub async fn booking(args: BookingArgs) -> anyhow::Result<ExitCode> {
    args.check()?;
    let mut sound = true;
    let mut met = true;
    {
        let (dir, _temp) = sqlite_dir(None)?;
        let url = format!("sqlite://{}", dir.join("booking.sqlite").display());
        let version = super::registry::sqlite_version().await.unwrap_or_default();
        let label = format!("SQLite {version}");
        let o = run(&url, &label, &args).await?;
        sound &= o.lost == 0 && o.unexpected == 0 && o.over_booked == 0;
        met &= print(&label, &o, GOAL_SQLITE_PER_S);
    }
    if let Some(admin) = &args.postgres_url {
        let scratch = PgScratch::create(admin).await?;
        let label = format!("PostgreSQL {}", scratch.version);
        let outcome = run(&scratch.url, &label, &args).await;
        let dropped = scratch.drop_database().await;
        let o = outcome?;
        dropped?;
        sound &= o.lost == 0 && o.unexpected == 0 && o.over_booked == 0;
        met &= print(&label, &o, GOAL_POSTGRES_PER_S);
    }
    println!("goals (≥ 6,000/s SQLite, ≥ 5,000/s PostgreSQL, p99 ≤ 50 ms): {}", if met { "met" } else { "NOT met" });
    // Lost, unexpected or over-booked bookings are a failure whatever the speed.
    Ok(if sound { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// Print one backend's line; answers whether its goals were met.
fn print(label: &str, o: &Outcome, goal: f64) -> bool {
    println!(
        "{label}: {} bookings confirmed in {:.1} s = {}/s durable; latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; \
         {} refused full; {} errors{}",
        thousands(o.confirmed),
        o.seconds,
        thousands(o.rate() as u64),
        o.p50_ms,
        o.p99_ms,
        o.max_ms,
        thousands(o.full),
        o.errors,
        o.first_error.as_deref().map(|e| format!(" (first: {e})")).unwrap_or_default(),
    );
    println!(
        "{label}: of {} places, {} held; every 201 stored: {} lost, {} stored without a 201; over-booked slots: {}",
        thousands(o.places),
        thousands(o.confirmed),
        o.lost,
        o.unexpected,
        o.over_booked
    );
    o.rate() >= goal && o.p99_ms <= GOAL_P99_MS
}

fn meta(what: &str) -> RequestMeta {
    RequestMeta { request_id: Some(format!("bench-booking-{what}")) }
}

/// A hospital taking part: its desk's token and its hot slots.
struct Hospital {
    token: String,
    slots: Vec<SlotId>,
}

async fn run(url: &str, backend: &str, args: &BookingArgs) -> anyhow::Result<Outcome> {
    let cb = open(url).await?;
    let scenario = carebridge_scenario::demo(args.seed, cb.now(), &cb.regions);
    cb.load_scenario(&scenario).await.context("loading the demo scenario")?;
    let nhc = cb.issue_token("nhc", DEMO_PASSWORD, &meta("setup")).await?.principal;
    let now = cb.now();
    let mut ids: Vec<FacilityId> = Vec::new();
    for f in &scenario.facilities {
        let in_city = CITIES.iter().any(|c| f.draft.region_code.to_string().starts_with(c));
        let books = f.draft.services.contains(&ServiceKind::InternalMedicine) && f.draft.takes_new_patients;
        if in_city && books && f.designation_at(now) == Designation::General {
            ids.push(f.id);
        }
    }
    ensure!(!ids.is_empty(), "the demo has no hospital booking internal medicine in Beijing or Wuhan");
    let per_hospital = args.slots.div_ceil(ids.len());
    let bar = crate::progress::bar(ids.len() as u64, "hospitals publishing");
    let mut hospitals = Vec::with_capacity(ids.len());
    for (i, id) in ids.iter().enumerate() {
        let draft = ScheduleDraft {
            facility_id: *id,
            service: ServiceKind::InternalMedicine,
            clinician: Some("bench clinic".into()),
            valid_from: None,
            valid_until: None,
            templates: vec![TemplateDraft {
                weekdays: vec![1, 2, 3, 4, 5, 6, 7],
                start: "08:00".into(),
                end: "12:00".into(),
                slot_minutes: 30,
                capacity: args.capacity,
            }],
        };
        cb.publish_schedule(&nhc, draft, &meta("publish")).await.context("publishing a schedule")?;
        let username = format!("bench-desk-{i}");
        let user = NewUser {
            username: username.clone(),
            password: DESK_PASSWORD.into(),
            role: Role::FacilityDesk,
            scope: Some(id.to_string()),
            display_name: None,
        };
        cb.create_user(Some(&nhc), user, &meta("desk")).await.context("creating a bench desk")?;
        let token = cb.issue_token(&username, DESK_PASSWORD, &meta("desk")).await?;
        let q = SlotSearch {
            facility: Some(*id),
            service: Some(ServiceKind::InternalMedicine),
            limit: Some(per_hospital.min(500) as u32),
            ..Default::default()
        };
        let slots: Vec<SlotId> = cb.search_slots(&q).await?.items.into_iter().map(|s| s.slot.id).collect();
        ensure!(matches!(token.principal.scope, Scope::Facility(_)), "a bench desk without its facility");
        hospitals.push(Arc::new(Hospital { token: token.access_token, slots }));
        bar.inc(1);
    }
    bar.finish_and_clear();
    let places: u64 = hospitals.iter().map(|h| h.slots.len() as u64).sum::<u64>() * args.capacity as u64;

    let app = Application::build(&ServerConfig::new("127.0.0.1:0"), cb.clone())
        .await
        .context("starting the server on 127.0.0.1")?;
    let addr = app.addr();
    ensure!(addr.ip().is_loopback(), "the server must listen on the loopback address, not {addr}");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));
    println!(
        "{backend}: {} hospitals, {} hot slots × {} places = {} places; {} clients book walk-ins for at most {} s …",
        hospitals.len(),
        thousands(hospitals.iter().map(|h| h.slots.len() as u64).sum()),
        args.capacity,
        thousands(places),
        args.clients,
        args.seconds
    );
    let url = format!("http://{addr}/api/v1/bookings");
    let started = Instant::now();
    let deadline = started + Duration::from_secs(args.seconds);
    let mut tasks = Vec::with_capacity(args.clients);
    for c in 0..args.clients {
        let client = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(REQUEST_TIMEOUT)
            .pool_max_idle_per_host(1)
            .build()
            .context("building an HTTP client")?;
        let hospital = Arc::clone(&hospitals[c % hospitals.len()]);
        let url = url.clone();
        let mut rng = ChaCha8Rng::seed_from_u64(args.seed ^ 0xb00c_0000 ^ c as u64);
        tasks.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            let mut open: Vec<SlotId> = hospital.slots.clone();
            let mut n = 0u64;
            while !open.is_empty() && Instant::now() < deadline {
                let pick = rng.gen_range(0..open.len());
                n += 1;
                let body = serde_json::json!({"slot_id": open[pick], "patient_pseudonym": format!("bench-{c}-{n}")});
                let t = Instant::now();
                match client.post(&url).bearer_auth(&hospital.token).json(&body).send().await {
                    Ok(response) => {
                        let status = response.status().as_u16();
                        let bytes = response.bytes().await.unwrap_or_default();
                        match status {
                            201 => {
                                tally.latencies_us.push(t.elapsed().as_micros().min(u128::from(u32::MAX)) as u32);
                                let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
                                match v["id"].as_str().and_then(|s| s.parse::<BookingId>().ok()) {
                                    Some(id) => tally.confirmed.push(id),
                                    None => tally.error("a 201 without a booking id".into()),
                                }
                            }
                            409 => {
                                tally.full += 1;
                                open.swap_remove(pick);
                            }
                            _ => tally.error(format!("{status}: {}", String::from_utf8_lossy(&bytes))),
                        }
                    }
                    Err(e) => tally.error(e.to_string()),
                }
            }
            tally
        }));
    }
    let mut total = Tally::default();
    for t in tasks {
        let t = t.await.context("a client task failed")?;
        total.confirmed.extend(t.confirmed);
        total.latencies_us.extend(t.latencies_us);
        total.full += t.full;
        total.errors += t.errors;
        total.first_error = total.first_error.or(t.first_error);
    }
    let seconds = started.elapsed().as_secs_f64();
    let _ = stop.send(());
    match tokio::time::timeout(Duration::from_secs(30), server).await {
        Ok(joined) => joined.context("the server task failed")?.context("the server failed")?,
        Err(_) => anyhow::bail!("the server did not drain within 30 s"),
    }

    let found = carebridge_store::booking::bookings_found(&cb.store, &total.confirmed).await?;
    let (stored, _held) = carebridge_store::booking::booking_counts(&cb.store).await?;
    let over = carebridge_store::booking::booked_mismatches(&cb.store).await?;
    total.latencies_us.sort_unstable();
    Ok(Outcome {
        confirmed: total.confirmed.len() as u64,
        seconds,
        p50_ms: percentile_us(&total.latencies_us, 0.50),
        p99_ms: percentile_us(&total.latencies_us, 0.99),
        max_ms: percentile_us(&total.latencies_us, 1.0),
        full: total.full,
        errors: total.errors,
        first_error: total.first_error,
        lost: total.confirmed.len() as u64 - found,
        unexpected: stored.saturating_sub(found),
        over_booked: over.len() as u64,
        places,
    })
}

/// What one client saw.
#[derive(Debug, Default)]
struct Tally {
    confirmed: Vec<BookingId>,
    latencies_us: Vec<u32>,
    full: u64,
    errors: u64,
    first_error: Option<String>,
}

impl Tally {
    fn error(&mut self, what: String) {
        self.errors += 1;
        if self.first_error.is_none() {
            self.first_error = Some(what.chars().take(300).collect());
        }
    }
}
