//! Slot materialisation: a checked schedule, the closures that touch it and a horizon of local
//! days in, the slots out, in time order. Pure and total: the same inputs give the same slots,
//! so the service can re-run it over a horizon that already has slots and insert only what is
//! missing (a slot is identified by its schedule and start).

use carebridge_domain::booking::{CheckedSchedule, LocalDay};
use carebridge_domain::clock::Timestamp;

/// One slot to be stored: when it starts and ends (UTC), and the patients it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotPlan {
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub capacity: i64,
}

/// Days (inclusive) on which the schedule's service is closed, and nothing is bookable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Closed {
    pub from: LocalDay,
    pub until: LocalDay,
}

impl Closed {
    pub fn covers(&self, day: LocalDay) -> bool {
        self.from <= day && day <= self.until
    }
}

/// The slots of `schedule` on the local days `from..until` (exclusive), leaving out closed
/// days and days outside the schedule's validity; each template's window is cut into whole
/// slots (a remainder shorter than a slot is left unbooked).
pub fn materialise(schedule: &CheckedSchedule, closed: &[Closed], from: LocalDay, until: LocalDay) -> Vec<SlotPlan> {
    let first = from.max(schedule.valid_from);
    let last = match schedule.valid_until {
        Some(u) => until.min(u.next()),
        None => until,
    };
    let mut out = Vec::new();
    let mut day = first;
    while day < last {
        if !closed.iter().any(|c| c.covers(day)) {
            let midnight = day.start().millis();
            let mut today: Vec<SlotPlan> = Vec::new();
            for t in schedule.templates.iter().filter(|t| t.weekdays.contains(day.weekday())) {
                for i in 0..t.slots_per_day() {
                    let start = t.start_minute + i * t.slot_minutes;
                    today.push(SlotPlan {
                        starts_at: Timestamp::from_millis(midnight + start * 60_000),
                        ends_at: Timestamp::from_millis(midnight + (start + t.slot_minutes) * 60_000),
                        capacity: t.capacity,
                    });
                }
            }
            today.sort_by_key(|s| s.starts_at);
            out.extend(today);
        }
        day = day.next();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use carebridge_domain::booking::{ScheduleDraft, TemplateDraft};
    use carebridge_domain::ids::FacilityId;
    use carebridge_domain::service_kind::ServiceKind;
    use proptest::prelude::*;

    fn schedule(templates: &[(Vec<u8>, &str, &str, i64, i64)], from: &str, until: Option<&str>) -> CheckedSchedule {
        ScheduleDraft {
            facility_id: FacilityId::new_v7(),
            service: ServiceKind::Dialysis,
            clinician: None,
            valid_from: Some(from.into()),
            valid_until: until.map(str::to_string),
            templates: templates
                .iter()
                .map(|(d, s, e, m, c)| TemplateDraft {
                    weekdays: d.clone(),
                    start: s.to_string(),
                    end: e.to_string(),
                    slot_minutes: *m,
                    capacity: *c,
                })
                .collect(),
        }
        .check(LocalDay(0))
        .expect("a valid schedule")
    }

    fn day(s: &str) -> LocalDay {
        LocalDay::parse(s).unwrap()
    }

    #[test]
    fn a_week_of_dialysis_shifts() {
        // Mon/Wed/Fri two four-hour shifts of 12 stations; Tue/Thu/Sat one.
        let s = schedule(
            &[(vec![1, 3, 5], "07:00", "15:00", 240, 12), (vec![2, 4, 6], "08:00", "12:00", 240, 12)],
            "2022-12-05",
            None,
        );
        let slots = materialise(&s, &[], day("2022-12-05"), day("2022-12-12"));
        assert_eq!(slots.len(), 3 * 2 + 3);
        assert_eq!(slots[0].starts_at.to_rfc3339(), "2022-12-04T23:00:00Z", "07:00 in Beijing");
        assert_eq!(slots[1].starts_at, slots[0].ends_at, "back to back");
        assert!(slots.iter().all(|s| s.capacity == 12));
        assert!(slots.windows(2).all(|w| w[0].starts_at < w[1].starts_at));
    }

    #[test]
    fn closures_and_validity_cut_days_out() {
        let s = schedule(&[(vec![1, 2, 3, 4, 5, 6, 7], "08:00", "09:00", 30, 1)], "2022-12-06", Some("2022-12-09"));
        let closed = [Closed { from: day("2022-12-07"), until: day("2022-12-07") }];
        let slots = materialise(&s, &closed, day("2022-12-01"), day("2022-12-31"));
        let days: Vec<String> = slots.iter().map(|s| LocalDay::of(s.starts_at).to_string()).collect();
        assert_eq!(days, ["2022-12-06", "2022-12-06", "2022-12-08", "2022-12-08", "2022-12-09", "2022-12-09"]);
    }

    #[test]
    fn a_remainder_shorter_than_a_slot_is_left_unbooked() {
        let s = schedule(&[(vec![1], "08:00", "08:50", 20, 1)], "2022-12-05", None);
        let slots = materialise(&s, &[], day("2022-12-05"), day("2022-12-06"));
        assert_eq!(slots.len(), 2);
        assert_eq!(slots[1].ends_at.millis() - slots[0].starts_at.millis(), 40 * 60_000);
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// Whatever the templates, slots lie inside their template's window on a day it runs,
        /// never overlap one another, and number exactly what the templates promise.
        #[test]
        fn slots_fill_the_windows_and_never_overlap(
            days in proptest::collection::vec(1u8..=7, 1..4),
            start in 0i64..20,
            hours in 1i64..4,
            slot in prop::sample::select(vec![10i64, 15, 20, 30, 45, 60]),
            span in 1i64..30,
        ) {
            let start_s = format!("{start:02}:00");
            let end_s = format!("{:02}:00", start + hours);
            let s = schedule(&[(days.clone(), start_s.as_str(), end_s.as_str(), slot, 3)], "2022-12-05", None);
            let from = day("2022-12-05");
            let until = LocalDay(from.0 + span);
            let slots = materialise(&s, &[], from, until);
            let t = s.templates[0];
            let runs = (from.0..until.0).filter(|d| t.weekdays.contains(LocalDay(*d).weekday())).count() as i64;
            prop_assert_eq!(slots.len() as i64, runs * t.slots_per_day());
            for w in slots.windows(2) {
                prop_assert!(w[0].ends_at <= w[1].starts_at);
            }
            for x in &slots {
                let d = LocalDay::of(x.starts_at);
                prop_assert!(t.weekdays.contains(d.weekday()));
                let minute = (x.starts_at.millis() - d.start().millis()) / 60_000;
                prop_assert!(minute >= t.start_minute && minute + t.slot_minutes <= t.end_minute);
            }
        }
    }
}
