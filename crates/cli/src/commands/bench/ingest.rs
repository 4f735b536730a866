//! Sustained capacity-report ingestion over HTTP: the real server on 127.0.0.1 (an ephemeral
//! port), concurrent clients posting fresh reports for random facilities as a national
//! coordinator, each waiting for its 201 — which the server sends only once the report is
//! committed — before posting the next.
//!
//! Every request is bounded: it goes only to the loopback address the server bound, with a
//! per-request timeout, no proxy and no redirects; the clients stop at the deadline, and the
//! total count is capped as well.

use super::report::{self, IngestResult};
use anyhow::{ensure, Context};
use carebridge_domain::capacity::{CapacityReportDraft, UnitCounts, UnitReport};
use carebridge_scenario::national::NationalFacility;
use carebridge_server::{Application, ServerConfig};
use carebridge_service::Carebridge;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Longest a single request may take before it counts as an error.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// At most this many requests per second of the phase, over all clients (far above any rate
/// reachable here; it bounds the count even if the clock misbehaves).
const MAX_REQUESTS_PER_SECOND: u64 = 100_000;

#[derive(Debug, Clone)]
pub struct IngestConfig {
    pub clients: usize,
    pub seconds: u64,
    pub seed: u64,
    /// A national coordinator's bearer token.
    pub token: String,
}

/// What one client saw.
#[derive(Debug, Default)]
struct ClientTally {
    created: u64,
    /// Latency of each 201, in microseconds.
    latencies_us: Vec<u32>,
    /// Non-201 answers by status.
    statuses: BTreeMap<u16, u64>,
    /// Requests that got no answer (connection error, timeout).
    transport_errors: u64,
    first_error: Option<String>,
}

pub async fn run(
    cb: &Carebridge,
    facilities: &Arc<Vec<NationalFacility>>,
    config: &IngestConfig,
) -> anyhow::Result<IngestResult> {
    let before = carebridge_store::capacity::count_rows(&cb.store).await?;
    let app = Application::build(&ServerConfig::new("127.0.0.1:0"), cb.clone())
        .await
        .context("starting the server on 127.0.0.1")?;
    let addr = app.addr();
    ensure!(addr.ip().is_loopback(), "the server must listen on the loopback address, not {addr}");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));
    let url = format!("http://{addr}/api/v1/capacity/reports");
    println!(
        "HTTP: server on http://{addr}; {} clients post fresh reports for {} s as national coordinator `bench-nhc` …",
        config.clients, config.seconds
    );

    let budget = Arc::new(AtomicU64::new(config.seconds.max(1) * MAX_REQUESTS_PER_SECOND));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(config.seconds);
    let mut tasks = Vec::with_capacity(config.clients);
    for c in 0..config.clients {
        let client = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(Duration::from_secs(5))
            .pool_max_idle_per_host(1)
            .build()
            .context("building an HTTP client")?;
        let (facilities, budget, clock) = (Arc::clone(facilities), Arc::clone(&budget), Arc::clone(&cb.clock));
        let (url, token) = (url.clone(), config.token.clone());
        let mut rng = ChaCha8Rng::seed_from_u64(config.seed ^ 0x1f2e_3d4c_5b6a_7988 ^ c as u64);
        tasks.push(tokio::spawn(async move {
            let mut tally = ClientTally::default();
            while Instant::now() < deadline && take_one(&budget) {
                let f = &facilities[rng.gen_range(0..facilities.len())];
                let draft =
                    CapacityReportDraft { facility_id: f.id, as_of: clock.now(), units: fresh_units(f, &mut rng) };
                let t = Instant::now();
                match client.post(&url).bearer_auth(&token).json(&draft).send().await {
                    Ok(response) => {
                        let status = response.status().as_u16();
                        let body = response.bytes().await;
                        if status == 201 && body.is_ok() {
                            tally.created += 1;
                            tally.latencies_us.push(t.elapsed().as_micros().min(u128::from(u32::MAX)) as u32);
                        } else {
                            *tally.statuses.entry(status).or_insert(0) += 1;
                            if tally.first_error.is_none() {
                                let text =
                                    body.map(|b| String::from_utf8_lossy(&b).chars().take(300).collect::<String>());
                                tally.first_error = Some(format!("{status}: {}", text.unwrap_or_default()));
                            }
                        }
                    }
                    Err(e) => {
                        tally.transport_errors += 1;
                        if tally.first_error.is_none() {
                            tally.first_error = Some(e.to_string());
                        }
                    }
                }
            }
            tally
        }));
    }

    let mut total = ClientTally::default();
    for task in tasks {
        let t = task.await.context("an HTTP client task failed")?;
        total.created += t.created;
        total.latencies_us.extend(t.latencies_us);
        for (s, n) in t.statuses {
            *total.statuses.entry(s).or_insert(0) += n;
        }
        total.transport_errors += t.transport_errors;
        total.first_error = total.first_error.or(t.first_error);
    }
    let secs = started.elapsed().as_secs_f64();
    let _ = stop.send(());
    match tokio::time::timeout(Duration::from_secs(30), server).await {
        Ok(joined) => joined.context("the server task failed")?.context("the server failed")?,
        Err(_) => anyhow::bail!("the server did not drain within 30 s"),
    }

    // Every 201 must be in the table: six unit rows each.
    let after = carebridge_store::capacity::count_rows(&cb.store).await?;
    let rows_added = (after - before) as u64;
    total.latencies_us.sort_unstable();
    let errors = total.statuses.values().sum::<u64>() + total.transport_errors;
    let result = IngestResult {
        clients: config.clients,
        seconds: secs,
        created: total.created,
        errors,
        statuses: total.statuses.iter().map(|(s, n)| (s.to_string(), *n)).collect(),
        transport_errors: total.transport_errors,
        first_error: total.first_error,
        p50_ms: report::percentile_us(&total.latencies_us, 0.50),
        p99_ms: report::percentile_us(&total.latencies_us, 0.99),
        max_ms: report::percentile_us(&total.latencies_us, 1.0),
        rows_added,
        all_201_stored: rows_added == total.created * 6,
    };
    println!(
        "HTTP: {} reports created in {:.1} s = {}/s; latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; errors {}{}",
        report::thousands(result.created),
        secs,
        report::thousands(result.rate() as u64),
        result.p50_ms,
        result.p99_ms,
        result.max_ms,
        errors,
        result.first_error.as_deref().map(|e| format!(" (first: {e})")).unwrap_or_default()
    );
    println!(
        "HTTP: {} unit rows added = 6 × {} created: {}",
        report::thousands(rows_added),
        report::thousands(result.created),
        if result.all_201_stored { "every 201 is stored" } else { "MISMATCH" }
    );
    Ok(result)
}

/// Take one request from the shared budget; false once it is spent.
fn take_one(budget: &AtomicU64) -> bool {
    budget.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1)).is_ok()
}

/// The facility's six units at their baseline size, occupancy moved by up to ±10 %.
fn fresh_units(f: &NationalFacility, rng: &mut ChaCha8Rng) -> Vec<UnitReport> {
    f.baseline
        .iter()
        .map(|u| {
            let c = u.counts;
            let occupied = (c.occupied() as f64 * rng.gen_range(0.9..1.1)).round() as i64;
            UnitReport {
                unit: u.unit,
                counts: UnitCounts::new(c.physical(), c.staffed(), occupied.max(0)).unwrap_or(c),
            }
        })
        .collect()
}
