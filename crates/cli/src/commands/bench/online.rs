//! `carebridge bench online`: online placement against a national registry. Builds the
//! registry of `bench registry` (36,000 facilities over the 31 provinces, each with a current
//! report) on a fresh SQLite file, then, for seeded referrals near random facilities (a mix of
//! needs, urgencies and infection statuses), times:
//!
//! - the answer: the service's snapshot read (facilities within the urgency's travel limit, beds
//!   net of holds) and the engine's ranking with its reasons (`Carebridge::rank_need`, writes
//!   nothing) — the issue's goal, ≤ 5 ms at p99;
//! - filing end to end (`Carebridge::file_referral`): the referral, its timeline and audit rows
//!   committed and synced, the ranking, and the offer that holds a bed in a second synced
//!   transaction.

use super::report::{percentile_us, thousands};
use crate::commands::open;
use crate::progress;
use anyhow::{ensure, Context};
use carebridge_domain::audit::Actor;
use carebridge_domain::capacity::CapacityReportDraft;
use carebridge_domain::clock::Timestamp;
use carebridge_domain::facility::GeoPoint;
use carebridge_domain::ids::ReportId;
use carebridge_domain::referral::{AgeBand, InfectionStatus, PatientInfo, ReferralDraft, Urgency};
use carebridge_domain::region::Regions;
use carebridge_domain::service_kind::ServiceKind;
use carebridge_domain::user::Role;
use carebridge_scenario::national::{national_facilities, national_reports, NATIONAL_FACILITY_COUNT};
use carebridge_service::users::NewUser;
use carebridge_service::{Carebridge, RequestMeta};
use clap::Args;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::process::ExitCode;
use std::time::Instant;

/// The issue's goal for one answer, p99.
const GOAL_P99_MS: f64 = 5.0;

#[derive(Debug, Args)]
pub struct OnlineArgs {
    #[arg(long, default_value_t = 2020)]
    pub seed: u64,
    /// Hospitals in the registry, spread over the provinces by population.
    #[arg(long, default_value_t = NATIONAL_FACILITY_COUNT)]
    pub facilities: usize,
    /// Referrals answered (ranked without writing).
    #[arg(long, default_value_t = 2_000)]
    pub referrals: usize,
    /// Referrals filed end to end (each writes and holds a bed).
    #[arg(long, default_value_t = 300)]
    pub filed: usize,
}

/// The needs referrals draw from, with weights: surgery and ICU dominate a surge's stranded
/// patients, then dialysis and maternity.
pub(super) const NEEDS: [(ServiceKind, u32); 8] = [
    (ServiceKind::GeneralSurgery, 20),
    (ServiceKind::Icu, 20),
    (ServiceKind::InternalMedicine, 15),
    (ServiceKind::Dialysis, 10),
    (ServiceKind::Maternity, 10),
    (ServiceKind::Emergency, 10),
    (ServiceKind::Neurosurgery, 8),
    (ServiceKind::OncologySurgery, 7),
];

pub(super) fn pick<T: Copy>(rng: &mut ChaCha8Rng, weighted: &[(T, u32)]) -> T {
    let total: u32 = weighted.iter().map(|(_, w)| w).sum();
    let mut x = rng.gen_range(0..total);
    for (item, w) in weighted {
        if x < *w {
            return *item;
        }
        x -= w;
    }
    weighted[weighted.len() - 1].0
}

pub async fn online(args: OnlineArgs) -> anyhow::Result<ExitCode> {
    ensure!((1..=1_000_000).contains(&args.facilities), "--facilities must be between 1 and 1,000,000");
    ensure!((1..=1_000_000).contains(&args.referrals), "--referrals must be between 1 and 1,000,000");
    ensure!(args.filed <= 100_000, "--filed must be at most 100,000");
    let regions = Regions::china();
    // A fresh temporary directory, removed at the end (also on error).
    let (dir, _temp) = super::registry::sqlite_dir(None)?;
    let url = format!("sqlite://{}", dir.join("online.sqlite").display());
    let cb = open(&url).await?;
    let actor = Actor::system("bench-online");
    let meta = RequestMeta { request_id: Some(format!("bench-online-{}", std::process::id())) };

    // The registry: facilities in one transaction, then one current report each.
    let facilities = national_facilities(args.seed, args.facilities, &regions);
    let bar = progress::bar(facilities.len() as u64, "facilities");
    let t = Instant::now();
    let mut tx = cb.store.begin().await?;
    for f in &facilities {
        cb.import_facility_with_id(&mut tx, &actor, f.id, f.draft.clone(), &meta).await?;
        bar.inc(1);
    }
    tx.commit().await?;
    bar.finish_and_clear();
    let now = cb.now();
    let reports: Vec<(ReportId, CapacityReportDraft)> =
        national_reports(args.seed, &facilities, Timestamp::from_millis(now.millis() - 3_600_000), 1, 6)
            .map(|d| (ReportId::new_v7(), d))
            .collect();
    for chunk in reports.chunks(20_000) {
        cb.write_capacity_batch(&actor, chunk.to_vec(), &meta).await.context("writing the current reports")?;
    }
    cb.store.checkpoint_all().await?;
    println!(
        "registry: {} facilities with a current report each, loaded in {:.1} s",
        thousands(facilities.len() as u64),
        t.elapsed().as_secs_f64()
    );

    // Seeded referrals near random facilities.
    let mut rng = ChaCha8Rng::seed_from_u64(args.seed ^ 0x6f6e_6c69_6e65);
    let drafts: Vec<ReferralDraft> = (0..args.referrals.max(args.filed))
        .map(|i| {
            let near = &facilities[rng.gen_range(0..facilities.len())];
            ReferralDraft {
                patient: PatientInfo {
                    pseudonym: format!("bench-{i}"),
                    age_band: AgeBand::ALL[rng.gen_range(0..AgeBand::ALL.len())],
                    location: GeoPoint {
                        lon: near.draft.location.lon + rng.gen_range(-0.1..0.1),
                        lat: near.draft.location.lat + rng.gen_range(-0.1..0.1),
                    },
                    region_code: near.draft.region_code,
                    infection: pick(
                        &mut rng,
                        &[
                            (InfectionStatus::Negative, 80),
                            (InfectionStatus::Suspected, 10),
                            (InfectionStatus::Confirmed, 10),
                        ],
                    ),
                },
                need: pick(&mut rng, &NEEDS),
                urgency: pick(
                    &mut rng,
                    &[(Urgency::Emergency, 10), (Urgency::Urgent, 40), (Urgency::Soon, 30), (Urgency::Routine, 20)],
                ),
                needs_ambulance: false,
                schedule: None,
                note: String::new(),
            }
        })
        .collect();

    // 1. Answers: the ranking with its reasons, nothing written; first from the placement
    // index (loaded once, timed apart), then the same referrals read from the database (the
    // peer), checking that both give the same answer.
    let t = Instant::now();
    cb.rank_need(&drafts[0], &[], cb.now()).await?;
    println!(
        "placement index loaded ({} facilities) in {:.0} ms",
        thousands(facilities.len() as u64),
        t.elapsed().as_secs_f64() * 1e3
    );
    let answers = time_answers(&cb, &drafts[..args.referrals.min(drafts.len())], Source::Index).await?;
    let p99 = answers.report("answer from the placement index");
    let peer = time_answers(&cb, &drafts[..args.referrals.min(drafts.len())], Source::Database).await?;
    peer.report("peer: the same answers read from the database");
    ensure!(
        answers.outcomes == peer.outcomes,
        "the placement index and the database disagree on {} of {} referrals",
        answers.outcomes.iter().zip(&peer.outcomes).filter(|(a, b)| a != b).count(),
        answers.outcomes.len()
    );
    println!("both sources gave the same answer for every referral (best facility and exclusion counts)");
    println!(
        "goal: one referral answered in ≤ {GOAL_P99_MS} ms at p99 against {} facilities: {}",
        thousands(facilities.len() as u64),
        if p99 <= GOAL_P99_MS { "met" } else { "NOT met" }
    );

    // 2. Filing end to end, as a national coordinator.
    if args.filed > 0 {
        let password = format!("bench-{}", ReportId::new_v7());
        cb.create_user(
            None,
            NewUser {
                username: "bench-online".into(),
                password: password.clone(),
                role: Role::NationalCoordinator,
                scope: None,
                display_name: None,
            },
            &meta,
        )
        .await?;
        let principal = cb.issue_token("bench-online", &password, &meta).await?.principal;
        let bar = progress::bar(args.filed as u64, "filed");
        let mut filed_us = Vec::with_capacity(args.filed);
        let mut offered = 0usize;
        for d in drafts.iter().take(args.filed) {
            let t = Instant::now();
            let detail = cb.file_referral(&principal, d.clone(), &meta).await?;
            filed_us.push(t.elapsed().as_micros().min(u128::from(u32::MAX)) as u32);
            offered += usize::from(detail.current_offer.is_some());
            bar.inc(1);
        }
        bar.finish_and_clear();
        filed_us.sort_unstable();
        println!(
            "filed end to end ({} referrals, two synced transactions each): p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, \
             max {:.2} ms; {} holding an offer",
            thousands(args.filed as u64),
            percentile_us(&filed_us, 0.50),
            percentile_us(&filed_us, 0.95),
            percentile_us(&filed_us, 0.99),
            percentile_us(&filed_us, 1.0),
            thousands(offered as u64),
        );
    }
    cb.store.close().await;
    Ok(ExitCode::SUCCESS)
}

/// Where an answer's facilities are read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Index,
    Database,
}

/// One answer as the sources are compared: the best facility and the exclusion counts.
type Outcome = (Option<carebridge_domain::ids::FacilityId>, Vec<(String, usize)>);

/// The timed answers of one source, and what each answer was (to compare the sources).
struct Answers {
    micros: Vec<u32>,
    /// Per referral: the best facility and the exclusion counts.
    outcomes: Vec<Outcome>,
    considered: usize,
}

impl Answers {
    /// Print the figures; answers the p99 in ms.
    fn report(&self, what: &str) -> f64 {
        let mut sorted = self.micros.clone();
        sorted.sort_unstable();
        let n = sorted.len().max(1);
        let placeable = self.outcomes.iter().filter(|(best, _)| best.is_some()).count();
        println!(
            "{what} ({} referrals): p50 {:.3} ms, p95 {:.3} ms, p99 {:.3} ms, max {:.3} ms; \
             {} facilities considered on average, {} of {} with a place",
            thousands(sorted.len() as u64),
            percentile_us(&sorted, 0.50),
            percentile_us(&sorted, 0.95),
            percentile_us(&sorted, 0.99),
            percentile_us(&sorted, 1.0),
            thousands((self.considered / n) as u64),
            thousands(placeable as u64),
            thousands(sorted.len() as u64),
        );
        percentile_us(&sorted, 0.99)
    }
}

async fn time_answers(cb: &Carebridge, drafts: &[ReferralDraft], source: Source) -> anyhow::Result<Answers> {
    let label = match source {
        Source::Index => "answers (index)",
        Source::Database => "answers (database)",
    };
    let bar = progress::bar(drafts.len() as u64, label);
    let now = cb.now();
    let mut out = Answers { micros: Vec::with_capacity(drafts.len()), outcomes: Vec::new(), considered: 0 };
    for d in drafts {
        let t = Instant::now();
        let p = match source {
            Source::Index => cb.rank_need(d, &[], now).await?,
            Source::Database => cb.rank_need_from_database(d, &[], now).await?,
        };
        out.micros.push(t.elapsed().as_micros().min(u128::from(u32::MAX)) as u32);
        out.considered += p.considered;
        let excluded = p.excluded.iter().map(|e| (e.constraint.as_str().to_string(), e.facilities)).collect();
        out.outcomes.push((p.best().map(|b| b.facility_id), excluded));
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(out)
}
