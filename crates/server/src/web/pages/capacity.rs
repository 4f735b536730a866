//! `GET|POST /desk/capacity` and `GET|POST /facilities/{id}/capacity`: the capacity form, made
//! for a desk's phone. One line per unit, prefilled with the standing numbers and their age; the
//! desk edits the numbers and sends them through `Carebridge::report_capacity`, the same use
//! case as `POST /api/v1/capacity/reports`.
//!
//! A line left blank is not sent: the unit keeps the numbers it had (the store keeps each unit
//! from the report it last came in, so a partial report is an ordinary report with fewer
//! lines). A filled line is reported as true now, so confirming unchanged numbers refreshes
//! them. A desk opens its own facility's form; a coordinator opens the form of a facility in a
//! region they govern (the service decides: a facility outside the caller's scope is not
//! found). Every error shows beside its field and in the banner at once: the page's own checks
//! (not a number, a half-filled line, staffed above physical) and the service's, whose JSON
//! pointers (`/units/N/occupied`) are mapped back onto the line and field they name.

use super::{checked_form, field, pairs};
use crate::state::AppState;
use crate::web::format::local_time;
use crate::web::i18n::{Lang, Text};
use crate::web::page::{Chrome, PageCtx};
use crate::web::text_desk::{self, DeskText};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use carebridge_domain::capacity::{CapacityReportDraft, FacilityCapacity, Unit, UnitCounts, UnitReport, MAX_COUNT};
use carebridge_domain::ids::FacilityId;
use carebridge_domain::user::{Principal, Role, Scope};
use carebridge_service::ServiceError;

/// The three numbers of a line, in form order.
const FIELDS: [&str; 3] = ["physical", "staffed", "occupied"];

#[derive(Template)]
#[template(path = "desk_capacity.html")]
struct CapacityPage {
    chrome: Chrome,
    t: &'static Text,
    d: &'static DeskText,
    action: String,
    facility: String,
    facility_href: String,
    notice: Option<String>,
    last: Option<String>,
    errors: Vec<String>,
    lines: Vec<Line>,
}

/// One unit's line of the form.
struct Line {
    key: &'static str,
    label: &'static str,
    last: String,
    stale: bool,
    inputs: Vec<Input>,
    /// An error about the line as a whole (a half-filled line, a unit sent twice).
    error: Option<String>,
}

struct Input {
    name: String,
    label: &'static str,
    value: String,
    error: Option<String>,
}

impl Line {
    fn input_mut(&mut self, which: &str) -> Option<&mut Input> {
        let name = format!("{}_{which}", self.key);
        self.inputs.iter_mut().find(|i| i.name == name)
    }
}

/// The facility whose form the principal may open at `id` (`None`: a desk's own), or the
/// refusal page.
fn facility_of(ctx: &PageCtx, p: &Principal, id: Option<&str>) -> Result<FacilityId, Response> {
    let own = match p.scope {
        Scope::Facility(f) if p.role == Role::FacilityDesk => Some(f),
        _ => None,
    };
    match id {
        None => own.ok_or_else(|| ctx.forbidden()),
        Some(raw) => {
            let Ok(id) = raw.parse::<FacilityId>() else { return Err(ctx.not_found()) };
            if own.is_some_and(|f| f != id) || !(own.is_some() || p.role.is_coordinator()) {
                let d = text_desk::text(ctx.lang);
                return Err(ctx.error(StatusCode::FORBIDDEN, ctx.t().err_title_forbidden, d.cap_form_for_others));
            }
            Ok(id)
        }
    }
}

fn action_of(id: Option<&str>) -> String {
    match id {
        None => "/desk/capacity".to_string(),
        Some(id) => format!("/facilities/{id}/capacity"),
    }
}

/// The form's lines: every unit, the standing ones first, prefilled from `current`.
fn lines(lang: Lang, current: &FacilityCapacity) -> Vec<Line> {
    let t = lang.t();
    let d = text_desk::text(lang);
    let mut units: Vec<Unit> = Unit::ALL.to_vec();
    units.sort_by_key(|u| !current.units.iter().any(|r| r.unit == *u));
    units
        .into_iter()
        .map(|unit| {
            let standing = current.units.iter().find(|r| r.unit == unit).map(|r| r.counts);
            let age = current.unit_ages.iter().find(|a| a.unit == unit);
            let value = |f: fn(&UnitCounts) -> i64| standing.as_ref().map(|c| f(c).to_string()).unwrap_or_default();
            let key = unit.as_str();
            Line {
                key,
                label: lang.unit(unit),
                last: match age {
                    Some(a) => format!("{} · {}", local_time(a.as_of), text_desk::ago(lang, &lang.age(a.age_seconds))),
                    None => d.cap_unit_never.to_string(),
                },
                stale: age.is_some_and(|a| a.stale),
                inputs: vec![
                    Input {
                        name: format!("{key}_physical"),
                        label: t.physical,
                        value: value(UnitCounts::physical),
                        error: None,
                    },
                    Input {
                        name: format!("{key}_staffed"),
                        label: t.staffed,
                        value: value(UnitCounts::staffed),
                        error: None,
                    },
                    Input {
                        name: format!("{key}_occupied"),
                        label: t.occupied,
                        value: value(UnitCounts::occupied),
                        error: None,
                    },
                ],
                error: None,
            }
        })
        .collect()
}

/// The facility's name and its report-time line.
fn heading(lang: Lang, c: &FacilityCapacity) -> (String, Option<String>) {
    let name = lang.pick(c.facility_name_zh.clone(), c.facility_name_en.clone());
    let last = match (c.newest_as_of, c.age_seconds) {
        (Some(newest), Some(age)) => Some(text_desk::report_time(lang, &local_time(newest), &lang.age(age))),
        _ => None,
    };
    (name, last)
}

#[allow(clippy::too_many_arguments)]
fn page(
    ctx: &PageCtx,
    id: Option<&str>,
    current: &FacilityCapacity,
    lines: Vec<Line>,
    errors: Vec<String>,
    notice: Option<String>,
) -> CapacityPage {
    let lang = ctx.lang;
    let d = text_desk::text(lang);
    let (facility, last) = heading(lang, current);
    CapacityPage {
        chrome: ctx.chrome(d.cap_title, "capacity"),
        t: ctx.t(),
        d,
        action: action_of(id),
        facility_href: format!("/facilities/{}", current.facility_id),
        facility,
        notice,
        last,
        errors,
        lines,
    }
}

async fn show(s: AppState, ctx: PageCtx, id: Option<String>, raw: Option<String>) -> Response {
    let Some(session) = ctx.session.clone() else { return ctx.redirect("/login", &[]) };
    let p = &session.principal;
    let facility_id = match facility_of(&ctx, p, id.as_deref()) {
        Ok(f) => f,
        Err(refused) => return refused,
    };
    let current = match s.cb.facility_capacity(p, facility_id).await {
        Ok(c) => c,
        Err(ServiceError::NotFound) => return ctx.not_found(),
        Err(e) => return ctx.service_error(e),
    };
    let d = text_desk::text(ctx.lang);
    let query = pairs(raw.unwrap_or_default().as_bytes());
    let notice = match field(&query, "notice") {
        Some("saved") => Some(d.cap_saved.to_string()),
        Some("history") => Some(d.cap_saved_history.to_string()),
        _ => None,
    };
    let lines = lines(ctx.lang, &current);
    ctx.html(StatusCode::OK, &page(&ctx, id.as_deref(), &current, lines, Vec::new(), notice))
}

pub async fn desk_form(State(s): State<AppState>, ctx: PageCtx, RawQuery(raw): RawQuery) -> Response {
    show(s, ctx, None, raw).await
}

pub async fn facility_form(
    State(s): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    show(s, ctx, Some(id), raw).await
}

pub async fn desk_submit(State(s): State<AppState>, ctx: PageCtx, body: Bytes) -> Response {
    submit(s, ctx, None, body).await
}

pub async fn facility_submit(State(s): State<AppState>, ctx: PageCtx, Path(id): Path<String>, body: Bytes) -> Response {
    submit(s, ctx, Some(id), body).await
}

/// A typed count: `Ok(None)` when blank, else a whole number in range or the reason it is not.
fn count_of(d: &DeskText, v: Option<&str>) -> Result<Option<i64>, &'static str> {
    match v {
        None => Ok(None),
        Some(v) => match v.parse::<i64>() {
            Ok(n) if n < 0 => Err(d.cap_negative),
            Ok(n) if n > MAX_COUNT => Err(d.cap_too_big),
            Ok(n) => Ok(Some(n)),
            Err(_) if v.bytes().all(|b| b.is_ascii_digit()) => Err(d.cap_too_big),
            Err(_) => Err(d.cap_number),
        },
    }
}

async fn submit(s: AppState, ctx: PageCtx, id: Option<String>, body: Bytes) -> Response {
    let Some(session) = ctx.session.clone() else { return ctx.redirect("/login", &[]) };
    let fields = match checked_form(&ctx, &body) {
        Ok(f) => f,
        Err(refused) => return refused,
    };
    let p = &session.principal;
    let facility_id = match facility_of(&ctx, p, id.as_deref()) {
        Ok(f) => f,
        Err(refused) => return refused,
    };
    let cb = &s.cb;
    let current = match cb.facility_capacity(p, facility_id).await {
        Ok(c) => c,
        Err(ServiceError::NotFound) => return ctx.not_found(),
        Err(e) => return ctx.service_error(e),
    };
    let lang = ctx.lang;
    let d = text_desk::text(lang);
    let mut lines = lines(lang, &current);

    // Read every line, keeping what was typed and noting what is wrong with it.
    let mut units: Vec<UnitReport> = Vec::new();
    // Which line each sent unit came from, by its index in the report.
    let mut sent: Vec<usize> = Vec::new();
    let mut bad = false;
    for (i, line) in lines.iter_mut().enumerate() {
        let mut numbers = [None; 3];
        let mut line_bad = false;
        for (k, which) in FIELDS.iter().enumerate() {
            let typed = field(&fields, &format!("{}_{which}", line.key));
            let Some(input) = line.input_mut(which) else { continue };
            input.value = typed.unwrap_or("").to_string();
            match count_of(d, typed) {
                Ok(n) => numbers[k] = n,
                Err(why) => {
                    input.error = Some(why.to_string());
                    line_bad = true;
                }
            }
        }
        if line_bad {
            bad = true;
            continue;
        }
        match numbers {
            [None, None, None] => {}
            [Some(physical), Some(staffed), Some(occupied)] => match UnitCounts::new(physical, staffed, occupied) {
                Ok(counts) => {
                    let unit = Unit::parse(line.key).unwrap_or(Unit::GeneralWard);
                    units.push(UnitReport { unit, counts });
                    sent.push(i);
                }
                Err(v) => {
                    bad = true;
                    for e in v.0 {
                        let which = e.pointer.trim_start_matches('/');
                        let why =
                            if which == "staffed" { d.cap_staffed_over.to_string() } else { lang.detail(&e.detail) };
                        match line.input_mut(which) {
                            Some(input) => input.error = Some(why),
                            None => line.error = Some(why),
                        }
                    }
                }
            },
            _ => {
                bad = true;
                line.error = Some(d.cap_incomplete.to_string());
            }
        }
    }
    let mut general = Vec::new();
    if !bad && units.is_empty() {
        general.push(d.cap_nothing.to_string());
    }
    if !bad && general.is_empty() {
        let draft = CapacityReportDraft { facility_id, as_of: cb.now(), units };
        match cb.report_capacity(p, draft, &ctx.meta).await {
            Ok(report) => {
                let notice = if report.became_current { "saved" } else { "history" };
                return ctx.redirect(&format!("{}?notice={notice}", action_of(id.as_deref())), &[]);
            }
            Err(ServiceError::Invalid(v)) => {
                for e in v.0 {
                    let why = lang.detail(&e.detail);
                    match place_pointer(&e.pointer, &sent) {
                        Some((line, Some(which))) => match lines[line].input_mut(which) {
                            Some(input) => input.error = Some(why),
                            None => lines[line].error = Some(why),
                        },
                        Some((line, None)) => lines[line].error = Some(why),
                        None => general.push(why),
                    }
                }
            }
            Err(ServiceError::Forbidden(_)) => return ctx.forbidden(),
            Err(ServiceError::NotFound) => return ctx.not_found(),
            Err(e) => return ctx.service_error(e),
        }
    }
    let errors = banner(&lines, general);
    ctx.html(StatusCode::UNPROCESSABLE_ENTITY, &page(&ctx, id.as_deref(), &current, lines, errors, None))
}

/// The line (by index in the form) and field a service pointer such as `/units/2/occupied`
/// names, given which form line each sent unit came from; `None` for a pointer about the
/// report as a whole.
fn place_pointer(pointer: &str, sent: &[usize]) -> Option<(usize, Option<&'static str>)> {
    let rest = pointer.strip_prefix("/units/")?;
    let (index, which) = match rest.split_once('/') {
        Some((i, w)) => (i, Some(w)),
        None => (rest, None),
    };
    let line = *sent.get(index.parse::<usize>().ok()?)?;
    Some((line, which.and_then(|w| FIELDS.iter().copied().find(|f| *f == w))))
}

/// Every error of the form, for the banner: "ICU · Occupied: must not be negative".
fn banner(lines: &[Line], general: Vec<String>) -> Vec<String> {
    let mut out = general;
    for line in lines {
        if let Some(e) = &line.error {
            out.push(format!("{}: {e}", line.label));
        }
        for input in &line.inputs {
            if let Some(e) = &input.error {
                out.push(format!("{} · {}: {e}", line.label, input.label));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_pointers_land_on_the_line_that_was_sent() {
        // Lines 0 and 3 of the form were sent, as units 0 and 1 of the report.
        let sent = [0, 3];
        assert_eq!(place_pointer("/units/1/occupied", &sent), Some((3, Some("occupied"))));
        assert_eq!(place_pointer("/units/0/staffed", &sent), Some((0, Some("staffed"))));
        assert_eq!(place_pointer("/units/1/unit", &sent), Some((3, None)));
        assert_eq!(place_pointer("/units/1", &sent), Some((3, None)));
        assert_eq!(place_pointer("/units/7/occupied", &sent), None);
        assert_eq!(place_pointer("/as_of", &sent), None);
    }

    #[test]
    fn counts_are_whole_numbers_in_range() {
        let d = &text_desk::EN;
        assert_eq!(count_of(d, None), Ok(None));
        assert_eq!(count_of(d, Some("12")), Ok(Some(12)));
        assert_eq!(count_of(d, Some("-1")), Err(d.cap_negative));
        assert_eq!(count_of(d, Some("1.5")), Err(d.cap_number));
        assert_eq!(count_of(d, Some("twelve")), Err(d.cap_number));
        assert_eq!(count_of(d, Some("99999999999999999999")), Err(d.cap_too_big));
        assert_eq!(count_of(d, Some("1000001")), Err(d.cap_too_big));
    }
}
