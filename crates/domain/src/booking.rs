//! Appointment booking: the weekly schedules a facility desk publishes, the closures that
//! interrupt them, the slots they become, and the bookings that fill a slot up to its capacity.
//!
//! Times of day are local to China (China Standard Time, UTC+8, no daylight saving since 1991),
//! the way a desk writes "Monday 08:00–12:00"; slots are stored and compared as UTC instants.
//! A schedule's `capacity` is the patients one slot takes: one for a consultation, more for a
//! session (vaccination, a dialysis shift).

use crate::clock::Timestamp;
use crate::error::ValidationErrors;
use crate::ids::FacilityId;
use crate::service_kind::{vocabulary, ServiceKind};
use serde::{Deserialize, Serialize};

/// China Standard Time's offset from UTC, in milliseconds.
pub const CST_OFFSET_MS: i64 = 8 * 3_600_000;
/// One day in milliseconds.
pub const DAY_MS: i64 = 86_400_000;
/// How far ahead slots are materialised by default, in days.
pub const DEFAULT_HORIZON_DAYS: i64 = 14;
/// The most patients one slot may take (a mass-vaccination session).
pub const MAX_SLOT_CAPACITY: i64 = 500;
/// The shortest and the longest slot, in minutes.
pub const SLOT_MINUTES: (i64, i64) = (5, 480);
/// Future bookings a patient may hold per service unless the region sets otherwise.
pub const DEFAULT_BOOKINGS_PER_SERVICE: i64 = 2;

/// A local calendar day as its number of days since 1970-01-01 (in China Standard Time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct LocalDay(pub i64);

impl LocalDay {
    /// The local day an instant falls on.
    pub fn of(t: Timestamp) -> LocalDay {
        LocalDay((t.millis() + CST_OFFSET_MS).div_euclid(DAY_MS))
    }

    /// The instant the day starts (local midnight), in UTC.
    pub fn start(self) -> Timestamp {
        Timestamp::from_millis(self.0 * DAY_MS - CST_OFFSET_MS)
    }

    /// Monday = 0 … Sunday = 6 (1970-01-01 was a Thursday).
    pub fn weekday(self) -> u8 {
        (self.0 + 3).rem_euclid(7) as u8
    }

    pub fn next(self) -> LocalDay {
        LocalDay(self.0 + 1)
    }

    /// `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Result<LocalDay, String> {
        let d =
            chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| format!("`{s}` is not a YYYY-MM-DD date"))?;
        let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("the epoch is a date");
        Ok(LocalDay((d - epoch).num_days()))
    }
}

/// `YYYY-MM-DD HH:MM` in China Standard Time, as a desk reads a slot's time.
pub fn format_local(t: Timestamp) -> String {
    let day = LocalDay::of(t);
    let minute = (t.millis() - day.start().millis()) / 60_000;
    format!("{day} {}", format_clock(minute))
}

impl std::fmt::Display for LocalDay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("the epoch is a date");
        match epoch.checked_add_signed(chrono::Duration::days(self.0)) {
            Some(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            None => write!(f, "day {}", self.0),
        }
    }
}

/// The days of the week a template runs, Monday = bit 0 … Sunday = bit 6.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Weekdays(pub u8);

impl Weekdays {
    pub const ALL: Weekdays = Weekdays(0b111_1111);

    pub fn contains(self, weekday: u8) -> bool {
        weekday < 7 && self.0 & (1 << weekday) != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 & 0b111_1111 == 0
    }

    /// From ISO weekday numbers, Monday = 1 … Sunday = 7.
    pub fn from_iso(days: &[u8]) -> Result<Weekdays, String> {
        let mut bits = 0u8;
        for d in days {
            if !(1..=7).contains(d) {
                return Err(format!("{d} is not a weekday (1 = Monday … 7 = Sunday)"));
            }
            bits |= 1 << (d - 1);
        }
        Ok(Weekdays(bits))
    }

    /// ISO weekday numbers, Monday = 1 … Sunday = 7, in order.
    pub fn iso(self) -> Vec<u8> {
        (0..7).filter(|d| self.contains(*d)).map(|d| d + 1).collect()
    }
}

/// One weekly template as a desk writes it: on these weekdays, from `start` to `end` local time,
/// slots of `slot_minutes`, each taking `capacity` patients, valid from a day on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateDraft {
    /// ISO weekday numbers, Monday = 1 … Sunday = 7.
    #[schema(min_items = 1, max_items = 7)]
    pub weekdays: Vec<u8>,
    /// Local start time, `HH:MM`.
    #[schema(example = "08:00", pattern = "^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")]
    pub start: String,
    /// Local end time, `HH:MM`, after `start` on the same day.
    #[schema(example = "12:00", pattern = "^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")]
    pub end: String,
    #[schema(minimum = 5, maximum = 480)]
    pub slot_minutes: i64,
    /// Patients one slot takes: 1 for a consultation, more for a session.
    #[schema(minimum = 1, maximum = 500)]
    pub capacity: i64,
}

/// A template checked: minutes after local midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Template {
    pub weekdays: Weekdays,
    pub start_minute: i64,
    pub end_minute: i64,
    pub slot_minutes: i64,
    pub capacity: i64,
}

impl Template {
    /// Whether two templates run at the same time on some weekday.
    pub fn overlaps(&self, other: &Template) -> bool {
        self.weekdays.0 & other.weekdays.0 != 0
            && self.start_minute < other.end_minute
            && other.start_minute < self.end_minute
    }

    /// Slots one day of the template holds.
    pub fn slots_per_day(&self) -> i64 {
        (self.end_minute - self.start_minute) / self.slot_minutes
    }
}

/// `HH:MM` as minutes after midnight (`24:00` allowed as the end of the day).
pub fn parse_clock(s: &str) -> Result<i64, String> {
    let bad = || format!("`{s}` is not a time of day (HH:MM)");
    let (h, m) = s.split_once(':').ok_or_else(bad)?;
    if h.len() != 2 || m.len() != 2 {
        return Err(bad());
    }
    let (h, m): (i64, i64) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if !(0..=24).contains(&h) || !(0..60).contains(&m) || (h == 24 && m != 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

/// Minutes after midnight as `HH:MM`.
pub fn format_clock(minute: i64) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

impl TemplateDraft {
    /// Check one template; complaints name fields under `prefix` (`/templates/0`).
    pub fn check(&self, prefix: &str, errors: &mut ValidationErrors) -> Option<Template> {
        let weekdays = match Weekdays::from_iso(&self.weekdays) {
            Ok(w) if !w.is_empty() => Some(w),
            Ok(_) => {
                errors.push(format!("{prefix}/weekdays"), "name at least one weekday");
                None
            }
            Err(e) => {
                errors.push(format!("{prefix}/weekdays"), e);
                None
            }
        };
        let start = parse_clock(&self.start).map_err(|e| errors.push(format!("{prefix}/start"), e)).ok();
        let end = parse_clock(&self.end).map_err(|e| errors.push(format!("{prefix}/end"), e)).ok();
        if let (Some(s), Some(e)) = (start, end) {
            if e <= s {
                errors.push(format!("{prefix}/end"), "must be after the start");
            }
        }
        let (lo, hi) = SLOT_MINUTES;
        let slot_ok = (lo..=hi).contains(&self.slot_minutes);
        if !slot_ok {
            errors.push(format!("{prefix}/slot_minutes"), format!("must be {lo} to {hi} minutes"));
        }
        if !(1..=MAX_SLOT_CAPACITY).contains(&self.capacity) {
            errors.push(format!("{prefix}/capacity"), format!("must be 1 to {MAX_SLOT_CAPACITY} patients"));
        }
        let (weekdays, start, end) = (weekdays?, start?, end?);
        if end <= start || !slot_ok || !(1..=MAX_SLOT_CAPACITY).contains(&self.capacity) {
            return None;
        }
        if end - start < self.slot_minutes {
            errors.push(format!("{prefix}/slot_minutes"), "is longer than the time from start to end");
            return None;
        }
        Some(Template {
            weekdays,
            start_minute: start,
            end_minute: end,
            slot_minutes: self.slot_minutes,
            capacity: self.capacity,
        })
    }
}

/// A schedule as a desk publishes it: one service (and optionally one clinician) of one
/// facility, its weekly templates, from a day on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleDraft {
    pub facility_id: FacilityId,
    pub service: ServiceKind,
    /// A label for the clinician or the room (`Dr Wang`, `Dialysis room 2`); pseudonymous.
    #[serde(default)]
    #[schema(schema_with = crate::text::schemas::clinician_or_null)]
    pub clinician: Option<String>,
    /// The first day slots are made for (`YYYY-MM-DD`, local); today when absent.
    #[serde(default)]
    #[schema(format = Date, nullable)]
    pub valid_from: Option<String>,
    /// The last day (inclusive); open-ended when absent.
    #[serde(default)]
    #[schema(format = Date, nullable)]
    pub valid_until: Option<String>,
    #[schema(min_items = 1, max_items = 21)]
    pub templates: Vec<TemplateDraft>,
}

/// A schedule checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedSchedule {
    pub facility_id: FacilityId,
    pub service: ServiceKind,
    pub clinician: Option<String>,
    pub valid_from: LocalDay,
    pub valid_until: Option<LocalDay>,
    pub templates: Vec<Template>,
}

impl ScheduleDraft {
    /// Every complaint at once, by field; `today` is the default first day.
    pub fn check(&self, today: LocalDay) -> Result<CheckedSchedule, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if let Some(c) = &self.clinician {
            crate::text::rules::CLINICIAN.check(&mut errors, "/clinician", c);
        }
        let clinician = self.clinician.as_deref().map(str::trim).filter(|c| !c.is_empty()).map(str::to_string);
        let day = |pointer: &str, v: &Option<String>, errors: &mut ValidationErrors| match v.as_deref() {
            None => None,
            Some(s) => LocalDay::parse(s).map_err(|e| errors.push(pointer, e)).ok(),
        };
        let from = day("/valid_from", &self.valid_from, &mut errors);
        let until = day("/valid_until", &self.valid_until, &mut errors);
        let valid_from = from.unwrap_or(today);
        if let Some(u) = until {
            if u < valid_from {
                errors.push("/valid_until", "must not be before the first day");
            }
        }
        if self.templates.is_empty() {
            errors.push("/templates", "name at least one weekly template");
        }
        if self.templates.len() > 21 {
            errors.push("/templates", "at most 21 templates");
        }
        let mut templates: Vec<(usize, Template)> = Vec::new();
        for (i, t) in self.templates.iter().enumerate() {
            if let Some(t) = t.check(&format!("/templates/{i}"), &mut errors) {
                if let Some((j, _)) = templates.iter().find(|(_, o)| o.overlaps(&t)) {
                    errors.push(format!("/templates/{i}"), format!("overlaps template {j} on a shared weekday"));
                }
                templates.push((i, t));
            }
        }
        errors.finish(CheckedSchedule {
            facility_id: self.facility_id,
            service: self.service,
            clinician,
            valid_from,
            valid_until: until,
            templates: templates.into_iter().map(|(_, t)| t).collect(),
        })
    }
}

/// Whether a service is the virus's own, so a virus-designated facility still books it.
pub fn virus_service(s: ServiceKind) -> bool {
    matches!(s, ServiceKind::FeverClinic | ServiceKind::IsolationWard)
}

vocabulary!(
    /// Whether a slot can be booked.
    SlotStatus {
        Open = "open", "可预约",
        Cancelled = "cancelled", "已取消",
    }
);

vocabulary!(
    /// Where a booking stands.
    BookingStatus {
        Confirmed = "confirmed", "已确认",
        Cancelled = "cancelled", "已取消",
        CheckedIn = "checked_in", "已报到",
        NoShow = "no_show", "未到",
    }
);

/// One bookable slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Slot {
    pub id: crate::ids::SlotId,
    pub schedule_id: crate::ids::ScheduleId,
    pub facility_id: FacilityId,
    pub service: ServiceKind,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub capacity: i64,
    /// Confirmed (or checked-in) bookings holding a place.
    pub booked: i64,
    pub status: SlotStatus,
}

impl Slot {
    /// Places still free.
    pub fn free(&self) -> i64 {
        if self.status == SlotStatus::Open {
            (self.capacity - self.booked).max(0)
        } else {
            0
        }
    }
}

/// One booking of a slot: a patient's own, or a walk-in's a desk made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Booking {
    pub id: crate::ids::BookingId,
    pub slot_id: crate::ids::SlotId,
    pub facility_id: FacilityId,
    pub service: ServiceKind,
    pub starts_at: Timestamp,
    /// The patient's own account; absent for a walk-in booked by a desk.
    pub patient_id: Option<crate::ids::UserId>,
    pub patient_pseudonym: String,
    pub booked_by: crate::ids::UserId,
    pub status: BookingStatus,
    pub created_at: Timestamp,
    pub cancelled_at: Option<Timestamp>,
    pub cancel_reason: Option<String>,
    /// The booking this one replaced, when the patient rescheduled.
    pub rescheduled_from: Option<crate::ids::BookingId>,
}

vocabulary!(
    /// Where a place on a waitlist stands.
    WaitlistStatus {
        Waiting = "waiting", "排队中",
        Offered = "offered", "已为您保留号源",
        Booked = "booked", "已预约",
        Lapsed = "lapsed", "保留已过期",
        Left = "left", "已退出",
    }
);

vocabulary!(
    /// What stopped a booked service: the reason a booking was cancelled by a change, not by
    /// its patient.
    ChangeCause {
        Closure = "closure", "停诊",
        Designation = "designation", "定点救治医院转换",
        CommandeeredUnit = "commandeered_unit", "科室被征用",
    }
);

vocabulary!(
    /// What a patient is told.
    NoticeKind {
        Cancelled = "cancelled", "预约已取消",
        WaitlistOffer = "waitlist_offer", "候补号源",
    }
);

/// A patient's place in the queue for a service at a facility.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct WaitlistEntry {
    pub id: crate::ids::WaitlistId,
    pub patient_id: crate::ids::UserId,
    pub patient_pseudonym: String,
    pub facility_id: FacilityId,
    pub service: ServiceKind,
    pub status: WaitlistStatus,
    pub joined_at: Timestamp,
    /// While `offered`: the slot whose place is held, and until when.
    pub offered_slot_id: Option<crate::ids::SlotId>,
    pub offer_expires_at: Option<Timestamp>,
    /// Once `booked`: the booking the claim made.
    pub booking_id: Option<crate::ids::BookingId>,
    pub closed_at: Option<Timestamp>,
}

/// A free slot offered instead of a cancelled booking.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Alternative {
    pub slot_id: crate::ids::SlotId,
    pub facility_id: FacilityId,
    pub facility_name_zh: String,
    pub facility_name_en: String,
    pub starts_at: Timestamp,
    /// From the facility of the cancelled booking.
    pub distance_km: f64,
}

/// What a patient (or, for a walk-in, the desk) is told about a booking or a waitlist place.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct BookingNotice {
    pub id: crate::ids::NoticeId,
    pub patient_id: Option<crate::ids::UserId>,
    pub patient_pseudonym: String,
    pub facility_id: FacilityId,
    pub booking_id: Option<crate::ids::BookingId>,
    pub waitlist_id: Option<crate::ids::WaitlistId>,
    pub kind: NoticeKind,
    /// `closure`, `designation` or `commandeered_unit` for a cancellation; `slot_freed` for an
    /// offer.
    pub cause: String,
    /// In the words of whoever made the change.
    pub reason: String,
    /// The nearest equivalent free slots, for a cancellation.
    pub alternatives: Vec<Alternative>,
    pub created_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(days: &[u8], start: &str, end: &str, slot: i64, capacity: i64) -> TemplateDraft {
        TemplateDraft { weekdays: days.to_vec(), start: start.into(), end: end.into(), slot_minutes: slot, capacity }
    }

    fn schedule(templates: Vec<TemplateDraft>) -> ScheduleDraft {
        ScheduleDraft {
            facility_id: FacilityId::new_v7(),
            service: ServiceKind::InternalMedicine,
            clinician: Some("Dr Wang".into()),
            valid_from: None,
            valid_until: None,
            templates,
        }
    }

    #[test]
    fn local_days_start_at_local_midnight_and_know_their_weekday() {
        // 2022-12-05 was a Monday; local midnight is 16:00 UTC the day before.
        let day = LocalDay::parse("2022-12-05").unwrap();
        assert_eq!(day.weekday(), 0);
        assert_eq!(day.start().to_rfc3339(), "2022-12-04T16:00:00Z");
        assert_eq!(LocalDay::of(day.start()), day);
        assert_eq!(LocalDay::of(Timestamp::from_millis(day.start().millis() - 1)), LocalDay(day.0 - 1));
        assert_eq!(day.to_string(), "2022-12-05");
        assert_eq!(LocalDay::parse("2022-13-01").unwrap_err(), "`2022-13-01` is not a YYYY-MM-DD date");
    }

    #[test]
    fn clocks_and_weekdays_parse_strictly() {
        assert_eq!(parse_clock("08:30"), Ok(510));
        assert_eq!(parse_clock("24:00"), Ok(1440));
        for bad in ["8:30", "24:01", "12:60", "noon", "12-30"] {
            assert!(parse_clock(bad).is_err(), "{bad}");
        }
        assert_eq!(format_clock(510), "08:30");
        assert_eq!(Weekdays::from_iso(&[1, 3, 5]).unwrap().iso(), [1, 3, 5]);
        assert!(Weekdays::from_iso(&[0]).is_err());
    }

    #[test]
    fn a_schedule_names_every_bad_field_at_once() {
        let mut s = schedule(vec![template(&[1, 9], "12:00", "08:00", 0, 0), template(&[2], "xx", "10:00", 15, 1)]);
        s.valid_from = Some("2022-12-10".into());
        s.valid_until = Some("2022-12-01".into());
        let errors = s.check(LocalDay(0)).unwrap_err();
        let pointers: Vec<&str> = errors.0.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "/valid_until",
                "/templates/0/weekdays",
                "/templates/0/end",
                "/templates/0/slot_minutes",
                "/templates/0/capacity",
                "/templates/1/start"
            ]
        );
    }

    #[test]
    fn overlapping_templates_on_a_shared_weekday_are_refused() {
        let s = schedule(vec![template(&[1, 2], "08:00", "12:00", 15, 1), template(&[2, 3], "11:00", "13:00", 15, 1)]);
        let errors = s.check(LocalDay(0)).unwrap_err();
        assert_eq!(errors.0[0].pointer, "/templates/1");
        assert!(errors.0[0].detail.contains("overlaps template 0"), "{errors:?}");
        // Back to back, or on other days, is fine.
        let s = schedule(vec![template(&[1, 2], "08:00", "12:00", 15, 1), template(&[2], "12:00", "13:00", 15, 1)]);
        assert!(s.check(LocalDay(0)).is_ok());
        let s = schedule(vec![template(&[1], "08:00", "12:00", 15, 1), template(&[2], "08:00", "12:00", 15, 1)]);
        assert!(s.check(LocalDay(0)).is_ok());
    }

    #[test]
    fn a_slot_longer_than_its_window_is_refused() {
        let s = schedule(vec![template(&[1], "08:00", "08:20", 30, 1)]);
        let errors = s.check(LocalDay(0)).unwrap_err();
        assert_eq!(errors.0[0].pointer, "/templates/0/slot_minutes");
    }
}
