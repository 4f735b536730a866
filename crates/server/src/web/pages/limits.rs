//! `/placement/limits`: the placement limits (per urgency: the longest wait before escalation,
//! how long an offer holds its bed, the longest one-way trip of one-off care) and the travel
//! rule (recurring care's per-session one-way limit; whether recurring and one-off care may
//! cross a provincial border) of a region the coordinator governs, with the region that set
//! each, and the forms that set them (`Carebridge::set_placement_limits`,
//! `Carebridge::set_travel_limits`, which audit the change) or drop the region's own so it
//! follows the region above.
//!
//! Every complaint of a form is shown at once, beside its field and listed in the banner: a
//! field that is not a whole number is named here, and every other field is checked by the
//! service's own rules (`limits::check_limits`, `limits::check_travel`) in the same pass.

use super::plans::{governed, region_choices, region_name};
use super::{checked_form, field, pairs, Choice};
use crate::state::AppState;
use crate::web::i18n::Lang;
use crate::web::page::{Chrome, PageCtx};
use crate::web::text_plans::{self, PlansText};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use carebridge_domain::error::ValidationErrors;
use carebridge_domain::referral::Urgency;
use carebridge_domain::region::RegionCode;
use carebridge_domain::user::Principal;
use carebridge_service::limits::{self, LimitInput, LimitsBody, TravelLimitsBody};
use carebridge_service::{Carebridge, ServiceError};
use std::collections::HashMap;

/// The three numbers of one urgency, as form field suffixes.
const LIMIT_FIELDS: [&str; 3] = ["max_wait_minutes", "hold_minutes", "travel_limit_minutes"];
/// Stand-ins for numbers that did not parse, so the service's rules check the others in the
/// same pass (each is valid on its own and against its neighbours; complaints about the
/// stand-in itself are replaced by "not a whole number").
const STAND_IN: [i64; 3] = [43_200, 5, 5];
const SESSION_STAND_IN: i64 = 60;

#[derive(Template)]
#[template(path = "limits.html")]
struct LimitsPage {
    chrome: Chrome,
    w: &'static PlansText,
    notice: Option<&'static str>,
    region_code: String,
    region: String,
    regions: Vec<Choice>,
    region_error: Option<String>,
    urgencies: Vec<UrgencyRow>,
    placement_set_by: String,
    travel_set_by: String,
    form: Form,
    /// Every complaint, in form order: (field id, label, complaint).
    errors: Vec<(String, String, String)>,
}

struct UrgencyRow {
    key: &'static str,
    name: &'static str,
    set_by: String,
    inputs: Vec<Input>,
}

/// One number of an urgency's limits.
struct Input {
    name: String,
    label: &'static str,
    value: String,
    error: Option<String>,
}

/// The fields as shown (typed, or in force) and the complaint beside each.
#[derive(Debug, Default)]
struct Form {
    values: HashMap<String, String>,
    errors: HashMap<String, String>,
}

impl Form {
    fn value(&self, name: &str) -> &str {
        self.values.get(name).map(String::as_str).unwrap_or("")
    }
    fn error(&self, name: &str) -> Option<&str> {
        self.errors.get(name).map(String::as_str)
    }
    fn checked(&self, name: &str) -> bool {
        self.value(name) == "1"
    }
}

fn notice(w: &'static PlansText, raw: Option<&str>) -> Option<&'static str> {
    match field(&pairs(raw.unwrap_or_default().as_bytes()), "notice") {
        Some("placement") => Some(w.notice_placement_saved),
        Some("travel") => Some(w.notice_travel_saved),
        Some("following") => Some(w.notice_following),
        _ => None,
    }
}

/// Who set a rule, in words.
fn set_by(w: &'static PlansText, cb: &Carebridge, region: RegionCode, by: Option<RegionCode>) -> String {
    match by {
        None => w.default_rule.to_string(),
        Some(c) if c == region => w.this_region.to_string(),
        Some(c) => region_name(cb, c),
    }
}

fn field_name(u: Urgency, suffix: &str) -> String {
    format!("{}-{suffix}", u.as_str())
}

/// A field's label in the banner.
fn label(w: &'static PlansText, lang: Lang, name: &str) -> String {
    for u in Urgency::ALL {
        for (suffix, col) in LIMIT_FIELDS.iter().zip([w.col_max_wait, w.col_hold, w.col_one_off]) {
            if field_name(*u, suffix) == name {
                return format!("{} · {col}", lang.urgency(*u));
            }
        }
    }
    match name {
        "recurring_session_minutes" => w.f_session.to_string(),
        _ => w.f_region.to_string(),
    }
}

/// The region a request names, if the coordinator governs it; else the complaint.
fn pick_region(cb: &Carebridge, ctx: &PageCtx, p: &Principal, raw: Option<&str>) -> Result<RegionCode, String> {
    let t = ctx.t();
    let fallback = governed(p).or_else(|| cb.regions.provinces().first().copied());
    let Some(raw) = raw else { return fallback.ok_or_else(|| t.err_region_unknown.to_string()) };
    let code = RegionCode::parse(raw).map_err(|_| t.err_region_shape.to_string())?;
    if cb.regions.get(code).is_none() {
        return Err(t.err_region_unknown.to_string());
    }
    if !governed(p).is_none_or(|g| cb.regions.contains(g, code)) {
        return Err(ctx.lang.detail("outside the region you govern"));
    }
    Ok(code)
}

pub async fn show(State(s): State<AppState>, ctx: PageCtx, RawQuery(raw): RawQuery) -> Response {
    let p = match ctx.coordinator() {
        Ok(p) => p,
        Err(res) => return res,
    };
    let w = text_plans::of(ctx.lang);
    let q = pairs(raw.as_deref().unwrap_or_default().as_bytes());
    let (region, region_error) = match pick_region(&s.cb, &ctx, &p, field(&q, "region")) {
        Ok(r) => (r, None),
        Err(e) => match pick_region(&s.cb, &ctx, &p, None) {
            Ok(r) => (r, Some(e)),
            Err(e) => return ctx.error(StatusCode::NOT_FOUND, ctx.t().err_title_not_found, &e),
        },
    };
    render(&s, &ctx, &p, region, notice(w, raw.as_deref()), region_error, Form::default()).await
}

async fn render(
    s: &AppState,
    ctx: &PageCtx,
    p: &Principal,
    region: RegionCode,
    notice: Option<&'static str>,
    region_error: Option<String>,
    mut form: Form,
) -> Response {
    let (lang, cb) = (ctx.lang, &s.cb);
    let w = text_plans::of(lang);
    let (placement, travel) = match (cb.placement_limits(p, region).await, cb.travel_limits(p, region).await) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return ctx.service_error(e),
    };
    let mut urgencies = Vec::new();
    for l in &placement {
        for (suffix, v) in LIMIT_FIELDS.iter().zip([l.max_wait_minutes, l.hold_minutes, l.travel_limit_minutes]) {
            form.values.entry(field_name(l.urgency, suffix)).or_insert_with(|| v.to_string());
        }
        let inputs = LIMIT_FIELDS
            .iter()
            .zip([w.col_max_wait, w.col_hold, w.col_one_off])
            .map(|(suffix, label)| {
                let name = field_name(l.urgency, suffix);
                Input {
                    label,
                    value: form.value(&name).to_string(),
                    error: form.error(&name).map(str::to_string),
                    name,
                }
            })
            .collect();
        urgencies.push(UrgencyRow {
            key: l.urgency.as_str(),
            name: lang.urgency(l.urgency),
            set_by: set_by(w, cb, region, l.set_by),
            inputs,
        });
    }
    if !form.values.contains_key("recurring_session_minutes") {
        form.values.insert("recurring_session_minutes".into(), travel.recurring_session_minutes.to_string());
        form.values
            .insert("recurring_cross_province".into(), if travel.recurring_cross_province { "1" } else { "" }.into());
        form.values
            .insert("one_off_cross_province".into(), if travel.one_off_cross_province { "1" } else { "" }.into());
    }
    let placement_by: Vec<Option<RegionCode>> = placement.iter().map(|l| l.set_by).collect();
    let placement_set_by = if placement_by.iter().all(|b| *b == placement_by[0]) {
        set_by(w, cb, region, placement_by.first().copied().flatten())
    } else {
        String::new()
    };
    // The banner lists every complaint in the order of the fields.
    let mut order: Vec<String> = Vec::new();
    for u in Urgency::ALL {
        order.extend(LIMIT_FIELDS.iter().map(|f| field_name(*u, f)));
    }
    order.push("recurring_session_minutes".into());
    let mut errors: Vec<(String, String, String)> = order
        .iter()
        .filter_map(|name| form.error(name).map(|e| (name.clone(), label(w, lang, name), e.to_string())))
        .collect();
    if let Some(e) = &region_error {
        errors.insert(0, ("region".into(), w.f_region.to_string(), e.clone()));
    }
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let name = region_name(cb, region);
    let page = LimitsPage {
        chrome: ctx.chrome(format!("{} · {name}", w.limits_title), "limits"),
        w,
        notice,
        region_code: region.to_string(),
        region: name,
        regions: region_choices(cb, p, Some(region)),
        region_error,
        urgencies,
        placement_set_by,
        travel_set_by: set_by(w, cb, region, travel.set_by),
        form,
        errors,
    };
    ctx.html(status, &page)
}

/// A whole number of minutes typed into `name`, or the complaint set on `form`.
fn minutes(form: &mut Form, w: &'static PlansText, fields: &[(String, String)], name: &str) -> Option<i64> {
    let raw = field(fields, name).unwrap_or("").to_string();
    let parsed = raw.parse::<i64>().ok();
    if parsed.is_none() {
        form.errors.insert(name.to_string(), w.err_whole_minutes.to_string());
    }
    form.values.insert(name.to_string(), raw);
    parsed
}

/// Put the service's complaints (pointers into `body`) beside their fields, unless the field
/// already has its own (a stand-in's).
fn place_errors(form: &mut Form, lang: Lang, errors: ValidationErrors, field_of: impl Fn(&str) -> Option<String>) {
    for e in errors.0 {
        let name = field_of(&e.pointer).unwrap_or_else(|| "region".into());
        form.errors.entry(name).or_insert_with(|| text_plans::detail(lang, &e.detail));
    }
}

/// The region a posted form names, or the answer to send.
async fn posted_region(
    s: &AppState,
    ctx: &PageCtx,
    p: &Principal,
    fields: &[(String, String)],
) -> Result<RegionCode, Response> {
    match pick_region(&s.cb, ctx, p, Some(field(fields, "region_code").unwrap_or(""))) {
        Ok(r) => Ok(r),
        Err(e) => match pick_region(&s.cb, ctx, p, None) {
            Ok(r) => Err(render(s, ctx, p, r, None, Some(e), Form::default()).await),
            Err(e) => Err(ctx.error(StatusCode::NOT_FOUND, ctx.t().err_title_not_found, &e)),
        },
    }
}

/// `POST /placement/limits/placement`: every urgency's three numbers, or `follow` to drop the
/// region's own.
pub async fn set_placement(State(s): State<AppState>, ctx: PageCtx, body: Bytes) -> Response {
    let fields = match checked_form(&ctx, &body) {
        Ok(f) => f,
        Err(res) => return res,
    };
    let p = match ctx.coordinator() {
        Ok(p) => p,
        Err(res) => return res,
    };
    let region = match posted_region(&s, &ctx, &p, &fields).await {
        Ok(r) => r,
        Err(res) => return res,
    };
    let (lang, w) = (ctx.lang, text_plans::of(ctx.lang));
    let follow = field(&fields, "action") == Some("follow");
    let mut form = Form::default();
    let mut inputs = Vec::new();
    if !follow {
        for u in Urgency::ALL {
            let mut v = [0i64; 3];
            for (i, suffix) in LIMIT_FIELDS.iter().enumerate() {
                v[i] = minutes(&mut form, w, &fields, &field_name(*u, suffix)).unwrap_or(STAND_IN[i]);
            }
            inputs.push(LimitInput {
                urgency: *u,
                max_wait_minutes: v[0],
                hold_minutes: v[1],
                travel_limit_minutes: v[2],
            });
        }
    }
    let body = LimitsBody { limits: inputs };
    let field_of = |pointer: &str| {
        let mut parts = pointer.trim_start_matches('/').split('/');
        let (_, i, suffix) = (parts.next(), parts.next()?.parse::<usize>().ok()?, parts.next()?);
        let u = Urgency::ALL.get(i)?;
        Some(field_name(*u, if suffix == "urgency" { "max_wait_minutes" } else { suffix }))
    };
    place_errors(&mut form, lang, limits::check_limits(&body), field_of);
    if !form.errors.is_empty() {
        return render(&s, &ctx, &p, region, None, None, form).await;
    }
    match s.cb.set_placement_limits(&p, region, body, &ctx.meta).await {
        Ok(_) => {
            let n = if follow { "following" } else { "placement" };
            ctx.redirect(&format!("/placement/limits?region={region}&notice={n}"), &[])
        }
        Err(ServiceError::Invalid(v)) => {
            place_errors(&mut form, lang, v, field_of);
            render(&s, &ctx, &p, region, None, None, form).await
        }
        Err(e) => ctx.service_error(e),
    }
}

/// `POST /placement/limits/travel`: the session minutes and the two border choices, or
/// `follow` to drop the region's own rule.
pub async fn set_travel(State(s): State<AppState>, ctx: PageCtx, body: Bytes) -> Response {
    let fields = match checked_form(&ctx, &body) {
        Ok(f) => f,
        Err(res) => return res,
    };
    let p = match ctx.coordinator() {
        Ok(p) => p,
        Err(res) => return res,
    };
    let region = match posted_region(&s, &ctx, &p, &fields).await {
        Ok(r) => r,
        Err(res) => return res,
    };
    let (lang, w) = (ctx.lang, text_plans::of(ctx.lang));
    let rule = if field(&fields, "action") == Some("follow") {
        None
    } else {
        let mut form = Form::default();
        let session = minutes(&mut form, w, &fields, "recurring_session_minutes");
        let recurring = field(&fields, "recurring_cross_province").is_some();
        let one_off = field(&fields, "one_off_cross_province").is_some();
        form.values.insert("recurring_cross_province".into(), if recurring { "1" } else { "" }.into());
        form.values.insert("one_off_cross_province".into(), if one_off { "1" } else { "" }.into());
        let body = TravelLimitsBody {
            recurring_session_minutes: session.unwrap_or(SESSION_STAND_IN),
            recurring_cross_province: recurring,
            one_off_cross_province: one_off,
        };
        let field_of = |pointer: &str| Some(pointer.trim_start_matches('/').to_string());
        place_errors(&mut form, lang, limits::check_travel(&body), field_of);
        if !form.errors.is_empty() {
            return render(&s, &ctx, &p, region, None, None, form).await;
        }
        Some((body, form))
    };
    let follow = rule.is_none();
    let (body, form) = match rule {
        Some((b, f)) => (Some(b), Some(f)),
        None => (None, None),
    };
    match s.cb.set_travel_limits(&p, region, body, &ctx.meta).await {
        Ok(_) => {
            let n = if follow { "following" } else { "travel" };
            ctx.redirect(&format!("/placement/limits?region={region}&notice={n}"), &[])
        }
        Err(ServiceError::Invalid(v)) => {
            let mut form = form.unwrap_or_default();
            place_errors(&mut form, lang, v, |pointer| Some(pointer.trim_start_matches('/').to_string()));
            render(&s, &ctx, &p, region, None, None, form).await
        }
        Err(e) => ctx.service_error(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_limits_field_has_a_label_in_both_languages() {
        for lang in [Lang::Zh, Lang::En] {
            let w = text_plans::of(lang);
            for u in Urgency::ALL {
                for suffix in LIMIT_FIELDS {
                    let l = label(w, lang, &field_name(*u, suffix));
                    assert!(l.starts_with(lang.urgency(*u)) && !l.contains('_'), "{l}");
                }
            }
            assert_eq!(label(w, lang, "recurring_session_minutes"), w.f_session);
        }
    }

    #[test]
    fn stand_ins_pass_the_services_rules_so_only_real_complaints_show() {
        let body = LimitsBody {
            limits: Urgency::ALL
                .iter()
                .map(|u| LimitInput {
                    urgency: *u,
                    max_wait_minutes: STAND_IN[0],
                    hold_minutes: STAND_IN[1],
                    travel_limit_minutes: STAND_IN[2],
                })
                .collect(),
        };
        assert!(limits::check_limits(&body).is_empty());
        let travel = TravelLimitsBody {
            recurring_session_minutes: SESSION_STAND_IN,
            recurring_cross_province: false,
            one_off_cross_province: true,
        };
        assert!(limits::check_travel(&travel).is_empty());
    }
}
