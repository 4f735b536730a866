//! A seeded fever-clinic queue, to measure [`super::estimate_wait`] against the waits patients
//! really had: arrivals are Poisson at an hourly rate that may change each hour (a surge), the
//! clinicians on duty may change each hour (one goes off sick), service times are exponential,
//! patients are called first come, first served, as soon as a clinician is free. At each
//! arrival the estimate is taken from what a desk would see (patients waiting ahead, patients
//! being seen, calls and finished consultations in the trailing window); the truth is when that
//! patient was then called. Arrivals stop at closing; the queue is served until empty, so
//! every sample has its truth.

use super::{estimate_wait, EstimateParams, QueueNow};

/// The simpler estimate the method was chosen over, kept for the comparison the benchmark
/// prints: the queue over the clinic's recent rate of calls alone (what a desk that records
/// arrivals and calls but not consultations would know).
pub fn calls_only_estimate(q: QueueNow, params: &EstimateParams) -> i64 {
    estimate_wait(QueueNow { in_service: 0, finished_in_window: 0, finished_minutes: 0.0, ..q }, params).minutes
}
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};

/// One clinic day.
#[derive(Debug, Clone, PartialEq)]
pub struct ClinicDay {
    /// Arrivals per hour, hour by hour; arrivals stop after the last hour.
    pub arrivals_per_hour: Vec<f64>,
    /// Clinicians on duty, hour by hour (the last value holds after closing, until the queue
    /// is empty; at least one then).
    pub clinicians: Vec<u32>,
    /// Mean minutes one patient takes.
    pub service_minutes: f64,
}

/// One patient: when they came, what they were told, what happened.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    pub arrived_minute: f64,
    pub estimated_minutes: i64,
    pub actual_minutes: f64,
}

/// The estimate's error over a set of samples.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Accuracy {
    pub samples: usize,
    pub mean_actual_minutes: f64,
    pub mean_abs_error_minutes: f64,
    pub median_abs_error_minutes: f64,
    pub p90_abs_error_minutes: f64,
    /// Mean of estimate − actual: positive when the estimate runs long.
    pub bias_minutes: f64,
    /// Share of samples whose estimate was within 15 minutes or 25 % of the truth.
    pub within_tolerance: f64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Arrival,
    /// A consultation that began at the value ends.
    Completion(f64),
    /// The start of an hour: the clinicians on duty may change.
    Shift(usize),
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Event {
    at: f64,
    seq: u64,
    kind: Kind,
}

impl Eq for Event {}
impl Ord for Event {
    fn cmp(&self, other: &Self) -> Ordering {
        // Earliest first out of the max-heap; ties in creation order.
        other.at.total_cmp(&self.at).then(other.seq.cmp(&self.seq))
    }
}
impl PartialOrd for Event {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

fn exponential(rng: &mut ChaCha8Rng, mean: f64) -> f64 {
    let u: f64 = rng.gen_range(f64::MIN_POSITIVE..1.0);
    -u.ln() * mean
}

/// Run one day with `seed`; every arrival's estimate and true wait, in arrival order.
pub fn simulate(day: &ClinicDay, params: &EstimateParams, seed: u64) -> Vec<Sample> {
    simulate_with(day, params.window_minutes, seed, |q| estimate_wait(q, params).minutes)
}

/// What the desk saw at each arrival (the same seed gives the same day whatever the
/// estimator, so two estimators compare on common random numbers).
pub fn simulate_with(
    day: &ClinicDay,
    window_minutes: f64,
    seed: u64,
    estimate: impl Fn(QueueNow) -> i64,
) -> Vec<Sample> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let hours = day.arrivals_per_hour.len();
    let close = hours as f64 * 60.0;
    let mut events = BinaryHeap::new();
    let mut seq = 0u64;
    let mut push = |events: &mut BinaryHeap<Event>, at: f64, kind: Kind| {
        seq += 1;
        events.push(Event { at, seq, kind });
    };
    for h in 1..day.clinicians.len() {
        push(&mut events, h as f64 * 60.0, Kind::Shift(h));
    }
    // Arrivals hour by hour (a Poisson process with a piecewise-constant rate).
    for (h, rate) in day.arrivals_per_hour.iter().enumerate() {
        if *rate <= 0.0 {
            continue;
        }
        let mut t = h as f64 * 60.0;
        loop {
            t += exponential(&mut rng, 60.0 / rate);
            if t >= (h + 1) as f64 * 60.0 {
                break;
            }
            push(&mut events, t, Kind::Arrival);
        }
    }
    let on_duty = |minute: f64| -> u32 {
        let h = ((minute / 60.0).floor().max(0.0) as usize).min(day.clinicians.len().saturating_sub(1));
        let c = day.clinicians.get(h).copied().unwrap_or(1);
        if minute >= close {
            c.max(1)
        } else {
            c
        }
    };
    let mut waiting: VecDeque<usize> = VecDeque::new();
    let mut arrivals: Vec<(f64, i64)> = Vec::new();
    let mut called: Vec<Option<f64>> = Vec::new();
    let mut calls: VecDeque<f64> = VecDeque::new();
    let mut finished: VecDeque<(f64, f64)> = VecDeque::new();
    let mut busy = 0u32;
    while let Some(e) = events.pop() {
        let now = e.at;
        match e.kind {
            Kind::Arrival => {
                while calls.front().is_some_and(|c| *c <= now - window_minutes) {
                    calls.pop_front();
                }
                while finished.front().is_some_and(|(at, _)| *at <= now - window_minutes) {
                    finished.pop_front();
                }
                let q = QueueNow {
                    waiting: waiting.len() as u32,
                    in_service: busy,
                    calls_in_window: calls.len() as u32,
                    finished_in_window: finished.len() as u32,
                    finished_minutes: finished.iter().map(|(_, m)| m).sum(),
                    observed_minutes: now.min(window_minutes),
                };
                arrivals.push((now, estimate(q)));
                called.push(None);
                waiting.push_back(arrivals.len() - 1);
            }
            Kind::Completion(began) => {
                busy -= 1;
                finished.push_back((now, now - began));
            }
            Kind::Shift(_) => {}
        }
        // Call patients while a clinician is free.
        while busy < on_duty(now) {
            let Some(next) = waiting.pop_front() else { break };
            called[next] = Some(now);
            calls.push_back(now);
            busy += 1;
            let service = exponential(&mut rng, day.service_minutes);
            push(&mut events, now + service, Kind::Completion(now));
        }
        if events.is_empty() && !waiting.is_empty() {
            // Nobody on duty and nothing left to happen: bring a clinician back in an hour.
            push(&mut events, now.max(close) + 60.0, Kind::Shift(day.clinicians.len()));
        }
    }
    arrivals
        .iter()
        .zip(called)
        .map(|((at, est), call)| Sample {
            arrived_minute: *at,
            estimated_minutes: *est,
            actual_minutes: call.map_or(f64::NAN, |c| c - at),
        })
        .collect()
}

/// The error of the estimates in `samples`.
pub fn accuracy(samples: &[Sample]) -> Accuracy {
    let n = samples.len();
    if n == 0 {
        return Accuracy {
            samples: 0,
            mean_actual_minutes: 0.0,
            mean_abs_error_minutes: 0.0,
            median_abs_error_minutes: 0.0,
            p90_abs_error_minutes: 0.0,
            bias_minutes: 0.0,
            within_tolerance: 1.0,
        };
    }
    let mut abs: Vec<f64> = samples.iter().map(|s| (s.estimated_minutes as f64 - s.actual_minutes).abs()).collect();
    abs.sort_by(f64::total_cmp);
    let pick = |q: f64| abs[((q * (n - 1) as f64).round() as usize).min(n - 1)];
    let within = samples
        .iter()
        .filter(|s| {
            let err = (s.estimated_minutes as f64 - s.actual_minutes).abs();
            err <= 15.0 || err <= 0.25 * s.actual_minutes
        })
        .count();
    Accuracy {
        samples: n,
        mean_actual_minutes: samples.iter().map(|s| s.actual_minutes).sum::<f64>() / n as f64,
        mean_abs_error_minutes: abs.iter().sum::<f64>() / n as f64,
        median_abs_error_minutes: pick(0.5),
        p90_abs_error_minutes: pick(0.9),
        bias_minutes: samples.iter().map(|s| s.estimated_minutes as f64 - s.actual_minutes).sum::<f64>() / n as f64,
        within_tolerance: within as f64 / n as f64,
    }
}

/// The days the test and `carebridge bench fever-wait` measure: a steady clinic, a surge that
/// builds a queue, and a clinic that loses a clinician at midday.
pub fn reference_days() -> Vec<(&'static str, ClinicDay)> {
    vec![
        (
            "steady: 2 clinicians, 10 arrivals/h, 10 min each",
            ClinicDay { arrivals_per_hour: vec![10.0; 12], clinicians: vec![2; 12], service_minutes: 10.0 },
        ),
        (
            "surge: 3 clinicians, 12 → 24 → 12 arrivals/h, 10 min each",
            ClinicDay {
                arrivals_per_hour: [vec![12.0; 3], vec![24.0; 4], vec![12.0; 5]].concat(),
                clinicians: vec![3; 12],
                service_minutes: 10.0,
            },
        ),
        (
            "short-staffed: 3 clinicians, 2 from 12:00, 14 arrivals/h, 12 min each",
            ClinicDay {
                arrivals_per_hour: vec![14.0; 12],
                clinicians: [vec![3; 4], vec![2; 8]].concat(),
                service_minutes: 12.0,
            },
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_simulation_is_deterministic_for_a_seed_and_serves_everyone() {
        let (_, day) = &reference_days()[0];
        let a = simulate(day, &EstimateParams::default(), 3);
        assert_eq!(a, simulate(day, &EstimateParams::default(), 3));
        assert_ne!(a, simulate(day, &EstimateParams::default(), 4));
        assert!(a.len() > 80 && a.iter().all(|s| s.actual_minutes >= 0.0), "{}", a.len());
    }

    /// The estimate's error against the simulated truth, over 20 seeded days of each reference
    /// day (printed; `carebridge bench fever-wait` reports the same). The bounds are what the
    /// method achieves with margin, so a change that makes it worse fails here.
    #[test]
    fn the_wait_estimate_is_close_to_the_simulated_truth() {
        let params = EstimateParams::default();
        for (name, day) in reference_days() {
            let samples: Vec<Sample> = (0..20).flat_map(|seed| simulate(&day, &params, seed)).collect();
            let a = accuracy(&samples);
            println!("{name}: {a:?}");
            assert!(a.samples > 1_000, "{name}: {a:?}");
            assert!(
                a.mean_abs_error_minutes <= 15.0_f64.max(0.5 * a.mean_actual_minutes),
                "{name}: the estimate is off by too much: {a:?}"
            );
            assert!(a.bias_minutes.abs() <= 10.0_f64.max(0.3 * a.mean_actual_minutes), "{name}: biased: {a:?}");
        }
    }
}
