//! Fever-clinic waits: how long a patient arriving now will wait to be called, from what a
//! clinic's desk records anyway (who is waiting, when each patient was called).
//!
//! **Method.** A clinic calls patients first come, first served, a clinician calling the next as
//! soon as they finish. So while anyone waits, every clinician on duty is busy and the patients
//! being seen (`in_service`: called, not yet finished) count the clinicians `c`. A new arrival
//! is called after `waiting + 1` more patients finish; with a mean consultation of `s` minutes
//! the clinic finishes one every `s / c` minutes, so the expected wait is
//!
//! ```text
//! wait = (waiting + 1) × s / c          (0 when nobody waits)
//! ```
//!
//! (exact for exponential consultations, the M/M/c queue). `s` is the mean of the consultations
//! finished in the trailing window (default 60 minutes), shrunk towards a prior of 10 minutes
//! weighted as 3 consultations, so a clinic that just opened still has a figure. When patients
//! wait and nobody is being seen (the desk stopped calling, or recording), the clinic's rate of
//! calls over the window (shrunk towards 6 an hour over 15 minutes) stands in for `c / s`, and
//! the answer is flagged `stalled` when there were no calls at all. [`simulation`] measures the
//! error against the true waits of seeded queues (the test and `carebridge bench fever-wait`
//! print it).

pub mod simulation;

use serde::Serialize;

/// The defaults of [`EstimateParams`].
pub const DEFAULT_WINDOW_MINUTES: f64 = 60.0;
pub const DEFAULT_PRIOR_SERVICE_MINUTES: f64 = 10.0;
pub const DEFAULT_PRIOR_SERVICES: f64 = 3.0;
pub const DEFAULT_PRIOR_PER_HOUR: f64 = 6.0;
pub const DEFAULT_PRIOR_MINUTES: f64 = 15.0;

/// How the estimate weighs what it saw against its priors.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EstimateParams {
    pub window_minutes: f64,
    /// The consultation length assumed before any is seen, and its weight in consultations.
    pub prior_service_minutes: f64,
    pub prior_services: f64,
    /// The call rate assumed before any call is seen, and its weight in minutes (the fallback
    /// when nobody is being seen).
    pub prior_per_hour: f64,
    pub prior_minutes: f64,
}

impl Default for EstimateParams {
    fn default() -> Self {
        Self {
            window_minutes: DEFAULT_WINDOW_MINUTES,
            prior_service_minutes: DEFAULT_PRIOR_SERVICE_MINUTES,
            prior_services: DEFAULT_PRIOR_SERVICES,
            prior_per_hour: DEFAULT_PRIOR_PER_HOUR,
            prior_minutes: DEFAULT_PRIOR_MINUTES,
        }
    }
}

/// What a clinic's queue shows now.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct QueueNow {
    /// Patients checked in and not yet called.
    pub waiting: u32,
    /// Patients called and not yet finished.
    pub in_service: u32,
    /// Patients called in the trailing window.
    pub calls_in_window: u32,
    /// Consultations finished in the trailing window, and their total minutes.
    pub finished_in_window: u32,
    pub finished_minutes: f64,
    /// How much of the window the clinic has been open; at most the window.
    pub observed_minutes: f64,
}

/// The estimate for a patient arriving now.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct WaitEstimate {
    /// Expected minutes until called, rounded to the minute; 0 with nobody waiting.
    pub minutes: i64,
    /// The clinic's estimated rate of finishing patients, per hour.
    pub patients_per_hour: f64,
    /// Patients wait, nobody is being seen and none was called in the whole window: the
    /// figure is a floor.
    pub stalled: bool,
}

/// The wait for a patient arriving now (see the module's description).
pub fn estimate_wait(q: QueueNow, params: &EstimateParams) -> WaitEstimate {
    let observed = q.observed_minutes.clamp(0.0, params.window_minutes);
    let per_minute = if q.in_service > 0 {
        let service = (q.finished_minutes + params.prior_service_minutes * params.prior_services)
            / (f64::from(q.finished_in_window) + params.prior_services);
        f64::from(q.in_service) / service.max(0.5)
    } else {
        let prior_calls = params.prior_per_hour / 60.0 * params.prior_minutes;
        (f64::from(q.calls_in_window) + prior_calls) / (observed + params.prior_minutes)
    };
    let minutes = if q.waiting == 0 { 0.0 } else { f64::from(q.waiting + 1) / per_minute };
    WaitEstimate {
        minutes: minutes.round() as i64,
        patients_per_hour: (per_minute * 60.0 * 10.0).round() / 10.0,
        stalled: q.waiting > 0 && q.in_service == 0 && q.calls_in_window == 0 && observed >= params.window_minutes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_is_the_patients_ahead_over_the_clinics_rate() {
        let p = EstimateParams::default();
        let q = |waiting, in_service, finished_in_window, finished_minutes| QueueNow {
            waiting,
            in_service,
            calls_in_window: 0,
            finished_in_window,
            finished_minutes,
            observed_minutes: 60.0,
        };
        // Nobody waiting: no wait.
        assert_eq!(estimate_wait(q(0, 2, 5, 50.0), &p).minutes, 0);
        // Two clinicians busy, 9 finished in 9 × 12 min (+ 3 priors of 10) → 11.5 min each;
        // 5 waiting → 6 × 11.5 / 2 = 34.5 → 35 (rounded half away from zero).
        let e = estimate_wait(q(5, 2, 9, 108.0), &p);
        assert_eq!((e.minutes, e.patients_per_hour, e.stalled), (35, 10.4, false));
        // Nobody being seen: the call rate stands in; none called for an hour is flagged.
        let e = estimate_wait(q(5, 0, 0, 0.0), &p);
        assert!(e.stalled && e.minutes >= 250, "{e:?}");
        let e = estimate_wait(QueueNow { calls_in_window: 12, ..q(5, 0, 0, 0.0) }, &p);
        assert!(!e.stalled && e.minutes == 33, "{e:?}");
    }
}
