//! The capacity history of one demo facility: how its beds are split into units and how
//! staffing and occupancy move over the 14 days, report by report.
//!
//! The curves are deliberately simple (a logistic rise to a plateau, a daily wave, a little
//! noise) but each tells the story the field reports tell: Wuhan's designated wards fill to and
//! past what their staff can run, the hospitals kept for everyone else absorb the displaced,
//! dialysis stations vanish where rooms are commandeered, Beijing's wave rises while its staff
//! fall sick, and the rest of the country runs at ordinary occupancy.

use super::catalogue::Load;
use crate::seeded::counts;
use carebridge_domain::capacity::{CapacityReportDraft, Unit, UnitReport};
use carebridge_domain::clock::Timestamp;
use carebridge_domain::ids::FacilityId;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Hours between reports.
pub(crate) const STEP_HOURS: i64 = 6;
/// Reports per facility that reported throughout: every 6 hours over 14 days, both ends
/// included.
pub(crate) const STEPS: i64 = 14 * 24 / STEP_HOURS + 1;

/// One unit's fixed parameters.
#[derive(Debug, Clone)]
pub(crate) struct UnitModel {
    pub unit: Unit,
    /// Physical beds or stations before any conversion.
    pub physical: i64,
    /// Occupancy (as a share of staffed) before the story moves it.
    pub base: f64,
    /// Share of physical that is staffed in ordinary times.
    pub staff: f64,
    /// Phase of the daily wave, radians.
    pub phase: f64,
}

/// Everything needed to replay one facility's reports.
#[derive(Debug, Clone)]
pub(crate) struct History {
    pub facility: FacilityId,
    pub load: Load,
    /// Hours before `now` the facility's designation took effect.
    pub designated: Option<f64>,
    /// Hours before `now` the site opened; no report is older.
    pub opens: Option<f64>,
    /// Hours before `now` of the last report a stale facility sent (0 for the others).
    pub silent_for: f64,
    /// Minutes each report lies before its 6-hour boundary (desks do not report on the dot).
    pub offset_minutes: i64,
    /// General-ward beds turned into isolation beds, over 48 hours, once designated for the
    /// virus.
    pub converts: i64,
    /// Where occupancy settles under surge, as a share of staffed.
    pub plateau: f64,
    pub units: Vec<UnitModel>,
}

fn logistic(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

impl History {
    /// Append this facility's reports (oldest first) to `out`, drawing noise from `rng`.
    pub(crate) fn reports(&self, now: Timestamp, rng: &mut ChaCha8Rng, out: &mut Vec<CapacityReportDraft>) {
        for k in (0..STEPS).rev() {
            let minutes_before = k * STEP_HOURS * 60 + self.offset_minutes;
            let x = minutes_before as f64 / 60.0;
            if self.opens.is_some_and(|o| x > o) || x < self.silent_for {
                // Draw the noise anyway, so the numbers a facility does report do not depend
                // on when it went silent.
                for _ in &self.units {
                    let _: f64 = rng.gen_range(-0.025..0.025);
                }
                continue;
            }
            let units = self
                .units
                .iter()
                .map(|u| {
                    let noise = rng.gen_range(-0.025..0.025);
                    UnitReport { unit: u.unit, counts: self.counts_at(u, x, noise) }
                })
                .collect();
            out.push(CapacityReportDraft {
                facility_id: self.facility,
                as_of: Timestamp::from_millis(now.millis() - minutes_before * 60_000),
                units,
            });
        }
    }

    /// The counts of unit `u` at `x` hours before now.
    fn counts_at(&self, u: &UnitModel, x: f64, noise: f64) -> carebridge_domain::capacity::UnitCounts {
        // Hours since the designation took effect (negative before it).
        let since = self.designated.map(|d| d - x);
        let converted_share = since.map(|e| (e / 48.0).clamp(0.0, 1.0)).unwrap_or(0.0);
        let converted = (self.converts as f64 * converted_share).round() as i64;
        let physical = match u.unit {
            Unit::GeneralWard => u.physical - converted,
            Unit::Isolation => u.physical + converted,
            _ => u.physical,
        };
        let (staff, occupancy) = self.shape(u, x, since, converted_share);
        let wave = 0.02 * (std::f64::consts::TAU * x / 24.0 + u.phase).sin();
        let staffed = (physical as f64 * staff).round() as i64;
        // Beds added in corridors take a ward past its staffed count, but not far past its
        // physical one.
        let ceiling = (physical as f64 * 1.05).round() as i64;
        let occupied = ((staffed as f64 * (occupancy + wave + noise).max(0.0)).round() as i64).min(ceiling);
        counts(physical, staffed, occupied)
    }

    /// (share of physical staffed, occupancy as a share of staffed) for one unit at one time.
    fn shape(&self, u: &UnitModel, x: f64, since: Option<f64>, converted: f64) -> (f64, f64) {
        let p = self.plateau;
        let e = since.unwrap_or(f64::NEG_INFINITY);
        match self.load {
            // Sites opened for the epidemic fill from empty within about three days.
            Load::WuhanVirus | Load::WuhanShelter if self.opens.is_some() => {
                let fill = logistic((e - 30.0) / 12.0);
                let staff = 0.85 + 0.15 * (e / 72.0).clamp(0.0, 1.0);
                let top = if u.unit == Unit::Icu { p + 0.1 } else { p };
                (staff, top * fill)
            }
            Load::WuhanVirus | Load::WuhanShelter | Load::HubeiVirus => {
                let mid = if self.load == Load::HubeiVirus { 72.0 } else { 84.0 };
                let s = logistic((e - mid) / 24.0);
                match u.unit {
                    Unit::GeneralWard | Unit::Isolation => (0.80 + 0.15 * s, u.base + (p - u.base) * s),
                    Unit::Icu => (0.80 + 0.15 * s, u.base + (p + 0.08 - u.base) * s),
                    // Dialysis rooms and delivery rooms are taken over for the virus.
                    Unit::DialysisStations => (u.staff - 0.70 * converted, 0.9),
                    Unit::Maternity => (u.staff - 0.5 * converted, 0.75),
                    Unit::Emergency => (u.staff, 0.9 + 0.3 * s),
                }
            }
            Load::WuhanStrained => {
                let s = logistic((e - 48.0) / 24.0);
                let occupancy = match u.unit {
                    Unit::GeneralWard => u.base + (p - u.base) * s,
                    Unit::Icu => u.base + (p + 0.08 - u.base) * s,
                    Unit::Emergency => 1.0 + 0.35 * s,
                    Unit::DialysisStations => 0.95 + 0.25 * s,
                    Unit::Maternity => 0.8 + 0.2 * s,
                    Unit::Isolation => u.base,
                };
                (u.staff, occupancy)
            }
            Load::HubeiBusy | Load::Normal => (u.staff, u.base),
            Load::BeijingSurge => {
                // The wave rises through the window, peaking in its second week; staff fall
                // sick as it does.
                let t = (STEPS - 1) as f64 * STEP_HOURS as f64 - x;
                let s = logistic((t - 150.0) / 30.0);
                let top = match u.unit {
                    Unit::GeneralWard => p,
                    Unit::Icu => p + 0.15,
                    Unit::Emergency => p + 0.4,
                    Unit::Isolation => p + 0.05,
                    Unit::DialysisStations | Unit::Maternity => u.base,
                };
                (u.staff - 0.10 * s, u.base + (top - u.base) * s)
            }
        }
    }
}
