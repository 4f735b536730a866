//! `carebridge bench fever-wait`: the fever-clinic wait estimate's error against the simulated
//! truth (issue 13, point 4). Each reference day of `carebridge_engines::fever::simulation` (a
//! steady clinic, a surge, a clinic that loses a clinician at midday) is run for `--seeds`
//! seeds; every arrival is told a wait and then waits; the table gives the error of the method
//! Carebridge uses and, on the same days (common random numbers), of the calls-only estimate it
//! was chosen over.

use anyhow::ensure;
use carebridge_engines::fever::simulation::{accuracy, calls_only_estimate, reference_days, simulate_with, Accuracy};
use carebridge_engines::fever::{estimate_wait, EstimateParams};
use clap::Args;
use std::process::ExitCode;
use std::time::Instant;

#[derive(Debug, Args)]
pub struct FeverWaitArgs {
    /// Seeded days per reference day.
    #[arg(long, default_value_t = 200)]
    pub seeds: u64,
}

fn row(day: &str, method: &str, a: &Accuracy) {
    println!(
        "{day:<72} {method:<11} {:>7} {:>9.1} {:>7.1} {:>7.1} {:>7.1} {:>+7.1} {:>7.1}%",
        a.samples,
        a.mean_actual_minutes,
        a.mean_abs_error_minutes,
        a.median_abs_error_minutes,
        a.p90_abs_error_minutes,
        a.bias_minutes,
        a.within_tolerance * 100.0
    );
}

pub fn fever_wait(args: FeverWaitArgs) -> anyhow::Result<ExitCode> {
    ensure!(args.seeds > 0, "--seeds must be at least 1");
    let params = EstimateParams::default();
    println!("fever-clinic wait estimate vs the simulated truth ({} seeded days each; minutes)", args.seeds);
    println!(
        "{:<72} {:<11} {:>7} {:>9} {:>7} {:>7} {:>7} {:>7} {:>8}",
        "day", "estimate", "samples", "true mean", "MAE", "median", "p90", "bias", "within"
    );
    let started = Instant::now();
    let mut estimates = 0usize;
    for (name, day) in reference_days() {
        let mut ours = Vec::new();
        let mut peer = Vec::new();
        for seed in 0..args.seeds {
            ours.extend(simulate_with(&day, params.window_minutes, seed, |q| estimate_wait(q, &params).minutes));
            peer.extend(simulate_with(&day, params.window_minutes, seed, |q| calls_only_estimate(q, &params)));
        }
        estimates += ours.len() + peer.len();
        row(name, "method", &accuracy(&ours));
        row(name, "calls-only", &accuracy(&peer));
    }
    println!(
        "within: estimate within 15 minutes or 25 % of the true wait. {estimates} simulated arrivals in {:.2} s",
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}
