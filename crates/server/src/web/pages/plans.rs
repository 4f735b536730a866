//! `/placement/plans`: a coordinator's batch placement in the pages. The list page picks a
//! region the coordinator governs and previews a plan for it (`Carebridge::preview_plan`: every
//! pending or escalated referral of the region, placed together by the exact min-cost flow),
//! and lists earlier plans with their status (`Carebridge::plans`). A plan's page shows, per
//! referral, where it goes, the trip and the cost; each patient left out with the reason in
//! words and the facilities each hard constraint excluded; the totals; and, while the preview
//! is fresh, the apply form (a confirmation box and the CSRF field) that makes every offer in
//! one transaction (`Carebridge::apply_plan`) or, when anything changed, none.

use super::referrals::{parse_id, Names};
use super::{checked_form, field, pairs, Choice};
use crate::state::AppState;
use crate::web::format::local_time;
use crate::web::page::{Chrome, PageCtx};
use crate::web::text_plans::{self, PlansText};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use carebridge_domain::ids::{FacilityId, PlanId};
use carebridge_domain::region::RegionCode;
use carebridge_domain::user::{Principal, Scope};
use carebridge_service::plans::{PlanRequest, PlanView};
use carebridge_service::{Carebridge, ServiceError};

/// Earlier plans the list shows.
const LIST: usize = 20;
/// Rows of each table of a plan shown at most (each reads its referral for the pseudonym).
const ROWS: usize = 200;

/// The regions a coordinator may pick: the region they govern (every province for the nation),
/// and two levels below it, each labelled with its code and indented by depth.
pub fn region_choices(cb: &Carebridge, p: &Principal, selected: Option<RegionCode>) -> Vec<Choice> {
    let mut out = Vec::new();
    let mut push = |code: RegionCode, depth: usize| {
        if let Some(r) = cb.regions.get(code) {
            out.push(Choice {
                value: code.to_string(),
                label: format!("{}{} · {code}", "\u{3000}".repeat(depth), r.name),
                selected: selected == Some(code),
            });
        }
    };
    let roots: Vec<(RegionCode, usize)> = match p.scope {
        Scope::Region(c) => vec![(c, 0)],
        _ => cb.regions.provinces().iter().map(|c| (*c, 0)).collect(),
    };
    let max_depth = if matches!(p.scope, Scope::Region(_)) { 2 } else { 1 };
    let mut stack: Vec<(RegionCode, usize)> = roots.into_iter().rev().collect();
    while let Some((code, depth)) = stack.pop() {
        push(code, depth);
        if depth < max_depth {
            stack.extend(cb.regions.children(code).iter().rev().map(|c| (*c, depth + 1)));
        }
    }
    out
}

/// The region a coordinator governs, if one.
pub fn governed(p: &Principal) -> Option<RegionCode> {
    match p.scope {
        Scope::Region(c) => Some(c),
        _ => None,
    }
}

/// The region's name, or its code.
pub fn region_name(cb: &Carebridge, code: RegionCode) -> String {
    cb.regions.get(code).map(|r| r.name.clone()).unwrap_or_else(|| code.to_string())
}

/// A plan's status in words, and its badge class.
fn status_words(w: &'static PlansText, applied: bool, stale: bool) -> (&'static str, &'static str) {
    match (applied, stale) {
        (true, _) => (w.status_applied, "s-placed"),
        (false, true) => (w.status_expired, "s-cancelled"),
        (false, false) => (w.status_preview, "s-pending"),
    }
}

// ---------------------------------------------------------------------------------------------
// GET /placement/plans

#[derive(Template)]
#[template(path = "plans.html")]
struct ListPage {
    chrome: Chrome,
    w: &'static PlansText,
    notice: Option<&'static str>,
    regions: Vec<Choice>,
    region_error: Option<String>,
    rows: Vec<ListRow>,
}

struct ListRow {
    href: String,
    made: String,
    region: String,
    status: &'static str,
    status_class: &'static str,
    total_cost: i64,
    applied: String,
}

fn notice(w: &'static PlansText, raw: Option<&str>) -> Option<&'static str> {
    match field(&pairs(raw.unwrap_or_default().as_bytes()), "notice") {
        Some("previewed") => Some(w.notice_previewed),
        Some("applied") => Some(w.notice_applied),
        _ => None,
    }
}

pub async fn list(State(s): State<AppState>, ctx: PageCtx, RawQuery(raw): RawQuery) -> Response {
    let p = match ctx.coordinator() {
        Ok(p) => p,
        Err(res) => return res,
    };
    let w = text_plans::of(ctx.lang);
    let q = pairs(raw.as_deref().unwrap_or_default().as_bytes());
    let selected = field(&q, "region").and_then(|r| RegionCode::parse(r).ok()).or(governed(&p));
    render_list(&s, &ctx, &p, notice(w, raw.as_deref()), selected, None).await
}

async fn render_list(
    s: &AppState,
    ctx: &PageCtx,
    p: &Principal,
    notice: Option<&'static str>,
    selected: Option<RegionCode>,
    region_error: Option<String>,
) -> Response {
    let (lang, cb) = (ctx.lang, &s.cb);
    let w = text_plans::of(lang);
    let plans = match cb.plans(p, None, LIST).await {
        Ok(v) => v,
        Err(e) => return ctx.service_error(e),
    };
    let now = cb.now();
    let rows = plans
        .into_iter()
        .map(|pl| {
            let stale = now.millis() > pl.created_at.millis() + carebridge_service::plans::PLAN_FRESH_FOR_MS;
            let (status, status_class) = status_words(w, pl.applied, stale);
            ListRow {
                href: format!("/placement/plans/{}", pl.id),
                made: local_time(pl.created_at),
                region: region_name(cb, pl.region_code),
                status,
                status_class,
                total_cost: pl.total_cost,
                applied: pl.applied_at.map(local_time).unwrap_or_default(),
            }
        })
        .collect();
    let status = if region_error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = ListPage {
        chrome: ctx.chrome(w.plans_title, "plans"),
        w,
        notice,
        regions: region_choices(cb, p, selected),
        region_error,
        rows,
    };
    ctx.html(status, &page)
}

/// `POST /placement/plans`: `region_code`; previews and shows the plan.
pub async fn preview(State(s): State<AppState>, ctx: PageCtx, body: Bytes) -> Response {
    let fields = match checked_form(&ctx, &body) {
        Ok(f) => f,
        Err(res) => return res,
    };
    let p = match ctx.coordinator() {
        Ok(p) => p,
        Err(res) => return res,
    };
    let (t, lang) = (ctx.t(), ctx.lang);
    let Some(raw) = field(&fields, "region_code") else {
        return render_list(&s, &ctx, &p, None, None, Some(t.err_required.to_string())).await;
    };
    let Ok(region_code) = RegionCode::parse(raw) else {
        return render_list(&s, &ctx, &p, None, None, Some(t.err_region_unknown.to_string())).await;
    };
    match s.cb.preview_plan(&p, PlanRequest { region_code }, &ctx.meta).await {
        Ok(view) => ctx.redirect(&format!("/placement/plans/{}?notice=previewed", view.id), &[]),
        Err(ServiceError::Invalid(v)) => {
            let detail = v.0.iter().map(|e| text_plans::detail(lang, &e.detail)).collect::<Vec<_>>().join("; ");
            render_list(&s, &ctx, &p, None, Some(region_code), Some(detail)).await
        }
        Err(e) => ctx.service_error(e),
    }
}

// ---------------------------------------------------------------------------------------------
// GET /placement/plans/{id}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    chrome: Chrome,
    w: &'static PlansText,
    notice: Option<&'static str>,
    /// Why the apply was refused (banner), if it was.
    refused: Option<&'static str>,
    confirm_error: Option<&'static str>,
    region: String,
    id: String,
    status: &'static str,
    status_class: &'static str,
    facts: Vec<(&'static str, String)>,
    placements: Vec<PlacedRow>,
    placements_more: Option<String>,
    unplaced: Vec<UnplacedRow>,
    unplaced_more: Option<String>,
    /// The apply form, while the preview may be applied.
    may_apply: bool,
    expired: bool,
    applied: bool,
    confirm: String,
    region_code: String,
}

struct PlacedRow {
    href: String,
    patient: String,
    need: String,
    urgency: &'static str,
    facility: String,
    unit: &'static str,
    weekdays: String,
    travel: String,
    distance: String,
    cross_province: bool,
    cost: i64,
}

struct UnplacedRow {
    href: String,
    patient: String,
    need: String,
    urgency: &'static str,
    why: &'static str,
    why_key: String,
    counts: Vec<String>,
}

pub async fn show(
    State(s): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let p = match ctx.coordinator() {
        Ok(p) => p,
        Err(res) => return res,
    };
    let Some(id) = parse_id::<PlanId>(&id) else { return ctx.not_found() };
    let view = match s.cb.plan(&p, id).await {
        Ok(v) => v,
        Err(e) => return ctx.service_error(e),
    };
    let w = text_plans::of(ctx.lang);
    render_plan(&s, &ctx, &p, view, notice(w, raw.as_deref()), None, None).await
}

async fn render_plan(
    s: &AppState,
    ctx: &PageCtx,
    p: &Principal,
    view: PlanView,
    notice: Option<&'static str>,
    refused: Option<(&'static str, StatusCode)>,
    confirm_error: Option<&'static str>,
) -> Response {
    let (lang, cb) = (ctx.lang, &s.cb);
    let w = text_plans::of(lang);
    let now = cb.now();
    let applied = view.status == "applied";
    let expired = !applied && now > view.apply_before;
    let (status, status_class) = status_words(w, applied, expired);

    let mut names = Names::default();
    let ids: Vec<FacilityId> = view.placements.iter().take(ROWS).map(|x| x.facility_id).collect();
    names.load(cb, lang, &ids).await;
    let mut pseudonyms = std::collections::HashMap::new();
    let referral_ids = view
        .placements
        .iter()
        .take(ROWS)
        .map(|x| x.referral_id)
        .chain(view.unplaced.iter().take(ROWS).map(|x| x.referral_id))
        .collect::<Vec<_>>();
    for rid in referral_ids {
        // A referral the coordinator can no longer see keeps its id.
        let name = match cb.referral(p, rid).await {
            Ok(d) => d.referral.draft.patient.pseudonym,
            Err(_) => rid.to_string(),
        };
        pseudonyms.insert(rid, name);
    }
    let patient = |rid| pseudonyms.get(&rid).cloned().unwrap_or_default();
    let placements = view
        .placements
        .iter()
        .take(ROWS)
        .map(|x| PlacedRow {
            href: format!("/referrals/{}", x.referral_id),
            patient: patient(x.referral_id),
            need: lang.service(x.need),
            urgency: lang.urgency(x.urgency),
            facility: names.get(x.facility_id),
            unit: lang.unit(x.unit),
            weekdays: x.pattern.map(|pt| lang.weekdays(pt).to_string()).unwrap_or_default(),
            travel: lang.minutes(x.travel_minutes),
            distance: lang.km(x.distance_km),
            cross_province: x.cross_province,
            cost: x.cost,
        })
        .collect();
    let unplaced = view
        .unplaced
        .iter()
        .take(ROWS)
        .map(|u| {
            let mut counts = vec![text_plans::feasible(lang, u.feasible_facilities)];
            if u.beyond_travel_limit > 0 {
                counts.push(text_plans::beyond_limit(lang, u.beyond_travel_limit));
            }
            counts.extend(u.excluded.iter().filter(|(_, n)| **n > 0).map(|(k, n)| text_plans::excluded(lang, k, *n)));
            UnplacedRow {
                href: format!("/referrals/{}", u.referral_id),
                patient: patient(u.referral_id),
                need: lang.service(u.need),
                urgency: lang.urgency(u.urgency),
                why: w.why(&u.why),
                why_key: u.why.clone(),
                counts,
            }
        })
        .collect();
    let more = |n: usize| (n > ROWS).then(|| text_plans::first_of(lang, ROWS, n));
    let mut facts = vec![
        (w.made_at, local_time(view.created_at)),
        (w.waiting, view.waiting.to_string()),
        (w.placed, view.placements.len().to_string()),
        (w.unplaced, view.unplaced.len().to_string()),
        (w.placed_cost, lang.minutes(view.placed_cost)),
        (w.total_cost, lang.minutes(view.total_cost)),
        (w.solved, text_plans::millis(lang, view.solve_ms)),
    ];
    match view.applied_at {
        Some(at) => facts.push((w.applied_at, local_time(at))),
        None => facts.push((w.apply_before, local_time(view.apply_before))),
    }
    let (refused, status_code) = match refused {
        Some((m, code)) => (Some(m), code),
        None if confirm_error.is_some() => (None, StatusCode::UNPROCESSABLE_ENTITY),
        None => (None, StatusCode::OK),
    };
    let region = region_name(cb, view.region_code);
    let page = PlanPage {
        chrome: ctx.chrome(format!("{} · {region}", w.plan_title), "plans"),
        w,
        notice,
        refused,
        confirm_error,
        region,
        id: view.id.to_string(),
        status,
        status_class,
        facts,
        placements_more: more(view.placements.len()),
        unplaced_more: more(view.unplaced.len()),
        placements,
        unplaced,
        may_apply: !applied && !expired && refused.is_none(),
        expired,
        applied,
        confirm: text_plans::confirm(lang, view.placements.len()),
        region_code: view.region_code.to_string(),
    };
    ctx.html(status_code, &page)
}

/// `POST /placement/plans/{id}/apply`: `confirm` must be ticked.
pub async fn apply(State(s): State<AppState>, ctx: PageCtx, Path(id): Path<String>, body: Bytes) -> Response {
    let fields = match checked_form(&ctx, &body) {
        Ok(f) => f,
        Err(res) => return res,
    };
    let p = match ctx.coordinator() {
        Ok(p) => p,
        Err(res) => return res,
    };
    let Some(id) = parse_id::<PlanId>(&id) else { return ctx.not_found() };
    let w = text_plans::of(ctx.lang);
    if field(&fields, "confirm").is_none() {
        return match s.cb.plan(&p, id).await {
            Ok(view) => render_plan(&s, &ctx, &p, view, None, None, Some(w.err_confirm)).await,
            Err(e) => ctx.service_error(e),
        };
    }
    match s.cb.apply_plan(&p, id, &ctx.meta).await {
        Ok(_) => ctx.redirect(&format!("/placement/plans/{id}?notice=applied"), &[]),
        Err(ServiceError::Conflict(m)) => {
            let why = if m.contains("applied already") {
                w.conflict_applied
            } else if m.contains("15 minutes") {
                w.conflict_old
            } else {
                w.conflict_changed
            };
            match s.cb.plan(&p, id).await {
                Ok(view) => render_plan(&s, &ctx, &p, view, None, Some((why, StatusCode::CONFLICT)), None).await,
                Err(e) => ctx.service_error(e),
            }
        }
        Err(e) => ctx.service_error(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::Lang;

    #[test]
    fn a_plan_status_is_words_with_a_badge() {
        for lang in [Lang::Zh, Lang::En] {
            let w = text_plans::of(lang);
            assert_eq!(status_words(w, true, true).0, w.status_applied, "applied wins over age");
            assert_eq!(status_words(w, false, true).0, w.status_expired);
            assert_eq!(status_words(w, false, false).0, w.status_preview);
        }
    }
}
