//! The engine's ranking in words (`Carebridge::referral_ranking`), for the referral page: the
//! feasible facilities best first (rank, name, free beds, distance, travel one way and per week
//! for recurring care, province, cost) and the left-out ones grouped by the first hard
//! constraint each breaks, with a count and a bounded list of names.
//!
//! And the directed-placement page, `GET /placement/referrals/{id}` with its form posting to
//! `POST /placement/referrals/{id}/direct`: every facility a coordinator may choose, each with
//! its designation, free beds of the unit needed, travel, distance, province, this referral's
//! earlier declines there (who, why) and every hard constraint it breaks. The service refuses a
//! facility that breaks any (`ServiceError::ConstraintsBroken`); the page then names each one in
//! words and offers the override: a checkbox per broken constraint and a mandatory reason, sent
//! as the service's `ConstraintOverride`. The choices are the engine's ranked facilities and
//! every facility within the referral's reach offering the care, then the nearest offering it
//! in the patient's city, province or the coordinator's whole region (a coordinator may direct
//! farther than the engine looks, and breaking a constraint is said, not hidden).

use super::referrals::{facilities_of, parse_id, status_class, Names};
use super::{checked_form, field};
use crate::state::AppState;
use crate::web::i18n::{Lang, Text};
use crate::web::page::{Chrome, PageCtx};
use crate::web::text_ranking::{self, RankingText};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use carebridge_domain::facility::GeoPoint;
use carebridge_domain::ids::{FacilityId, ReferralId};
use carebridge_domain::placement::{ConstraintOverride, Exclusion};
use carebridge_domain::referral::{OfferStatus, Referral};
use carebridge_domain::region::RegionCode;
use carebridge_domain::service_kind::ServiceKind;
use carebridge_domain::user::{Principal, Scope};
use carebridge_service::facilities::DirectoryQuery;
use carebridge_service::ranking::Ranking;
use carebridge_service::referrals::{DirectedPlacement, ReferralDetail};
use carebridge_service::{Carebridge, ServiceError};
use carebridge_store::facilities::FacilityFilter;

/// Feasible facilities the referral page lists at most, best first.
const RANKED_SHOWN: usize = 20;
/// Names listed per left-out group at most.
const NAMES_SHOWN: usize = 8;
/// Facilities the directed-placement form offers at most.
const CHOICES_SHOWN: usize = 60;
/// Facilities read from the directory for the choice (per area) at most.
const DIRECTORY_READ: u32 = 500;
/// Of those, the nearest added to the choice.
const NEAREST: usize = 40;

/// One feasible facility on the referral page.
pub struct RankRow {
    pub rank: usize,
    pub facility_id: String,
    pub facility: String,
    pub designation: &'static str,
    pub free: String,
    pub distance: String,
    pub travel: String,
    pub weekly: Option<String>,
    pub cross: bool,
    pub cost: String,
    /// The cost's terms in words: "travel 34 + crowding 0 + load 8".
    pub parts: String,
}

/// The facilities one constraint left out.
pub struct ExcludedGroup {
    pub constraint: String,
    pub key: &'static str,
    pub count: String,
    pub names: Vec<String>,
    pub more: Option<String>,
    pub unnamed: bool,
}

/// The ranking as the referral page shows it.
pub struct RankingView {
    pub rows: Vec<RankRow>,
    pub more_rows: Option<String>,
    pub groups: Vec<ExcludedGroup>,
}

/// The ranking in words, loading the names it shows.
pub async fn ranking_view(cb: &Carebridge, lang: Lang, ranking: &Ranking) -> RankingView {
    let feasible: Vec<_> = ranking.fits.iter().filter(|f| f.rank.is_some()).collect();
    let mut ids: Vec<FacilityId> = feasible.iter().take(RANKED_SHOWN).map(|f| f.facility_id).collect();
    for e in &ranking.placement.excluded {
        ids.extend(
            ranking
                .fits
                .iter()
                .filter(|f| f.rank.is_none() && f.first() == Some(e.constraint))
                .take(NAMES_SHOWN)
                .map(|f| f.facility_id),
        );
    }
    let mut names = Names::default();
    names.load(cb, lang, &ids).await;
    let rows = feasible
        .iter()
        .take(RANKED_SHOWN)
        .map(|f| RankRow {
            rank: f.rank.unwrap_or(0),
            facility_id: f.facility_id.to_string(),
            facility: names.get(f.facility_id),
            designation: lang.designation(f.designation),
            free: f.free_beds.map(|n| n.to_string()).unwrap_or_else(|| text_ranking::text(lang).not_reported.into()),
            distance: lang.km(f.distance_km),
            travel: lang.minutes(f.travel_minutes),
            weekly: f.weekly_travel_minutes.map(|m| lang.per_week(m)),
            cross: f.cross_province,
            cost: f.cost.map(|c| c.to_string()).unwrap_or_default(),
            parts: f.parts.map(|p| lang.cost_parts(p, f.weekly_travel_minutes.is_some())).unwrap_or_default(),
        })
        .collect();
    let more_rows = (feasible.len() > RANKED_SHOWN).then(|| lang.and_more(feasible.len() - RANKED_SHOWN));
    let groups = ranking
        .placement
        .excluded
        .iter()
        .map(|e| {
            let of_it: Vec<FacilityId> = ranking
                .fits
                .iter()
                .filter(|f| f.rank.is_none() && f.first() == Some(e.constraint))
                .map(|f| f.facility_id)
                .collect();
            let shown: Vec<String> = of_it.iter().take(NAMES_SHOWN).map(|id| names.get(*id)).collect();
            let more = e.facilities.saturating_sub(shown.len());
            ExcludedGroup {
                constraint: lang.constraint(e.constraint),
                key: e.constraint.as_str(),
                count: lang.facilities_n(e.facilities),
                unnamed: shown.is_empty(),
                more: (more > 0 && !shown.is_empty()).then(|| lang.and_more(more)),
                names: shown,
            }
        })
        .collect();
    RankingView { rows, more_rows, groups }
}

// ---------------------------------------------------------------------------------------------
// GET /placement/referrals/{id}, POST /placement/referrals/{id}/direct

#[derive(Template)]
#[template(path = "placement_direct.html")]
struct DirectPage {
    chrome: Chrome,
    t: &'static Text,
    tr: &'static RankingText,
    pseudonym: String,
    href: String,
    action: String,
    status: &'static str,
    status_class: &'static str,
    need: String,
    unit: &'static str,
    urgency: &'static str,
    infection: &'static str,
    declines: Vec<String>,
    choices: Vec<ChoiceRow>,
    chosen: String,
    note: String,
    facility_error: Option<String>,
    note_error: Option<String>,
    /// The refusal, when the service named broken constraints.
    refusal: Option<Refusal>,
    override_reason: String,
    override_error: Option<String>,
}

/// One facility of the choice.
struct ChoiceRow {
    value: String,
    name: String,
    designation: &'static str,
    free: String,
    travel: String,
    distance: String,
    cross: bool,
    declines: Vec<String>,
    breaks: Vec<String>,
    /// The keys of `breaks`, space-separated (a `data-` attribute for tests and styles).
    break_keys: String,
}

/// The service's refusal: the facility and each constraint broken.
struct Refusal {
    sentence: String,
    constraints: Vec<OverrideBox>,
}

struct OverrideBox {
    key: &'static str,
    label: String,
    checked: bool,
}

/// The form as sent.
#[derive(Default)]
struct Sent {
    facility_id: String,
    note: String,
    override_keys: Vec<String>,
    override_reason: String,
    facility_error: Option<String>,
    note_error: Option<String>,
    override_error: Option<String>,
    broken: Vec<Exclusion>,
}

/// A facility offering a need, from the directory.
struct Offering {
    id: FacilityId,
    location: GeoPoint,
}

/// Facilities of `region` (the nation for `None`) offering `need`.
async fn offering(cb: &Carebridge, region: Option<RegionCode>, need: ServiceKind) -> Vec<Offering> {
    let query = DirectoryQuery {
        region: region.map(|r| r.to_string()),
        filter: FacilityFilter { service: Some(need), ..Default::default() },
        cursor: None,
        limit: Some(DIRECTORY_READ),
    };
    match cb.directory(&query).await {
        Ok(page) => page.items.into_iter().map(|f| Offering { id: f.id, location: f.draft.location }).collect(),
        Err(_) => Vec::new(),
    }
}

/// The patient's city, then province, then the whole of what the coordinator governs: the
/// first of them with a facility offering the need, nearest first.
async fn nearest_offering(cb: &Carebridge, p: &Principal, r: &Referral) -> Vec<(FacilityId, GeoPoint)> {
    let scope = match p.scope {
        Scope::Region(c) => Some(c),
        _ => None,
    };
    let inside = |c: RegionCode| scope.is_none_or(|s| cb.regions.contains(s, c));
    let mut areas: Vec<Option<RegionCode>> = Vec::new();
    if let Some(path) = cb.regions.path(r.draft.patient.region_code) {
        for c in [path.city, path.province] {
            if inside(c) && !areas.contains(&Some(c)) {
                areas.push(Some(c));
            }
        }
    }
    if !areas.contains(&scope) {
        areas.push(scope);
    }
    for area in areas {
        let mut found = offering(cb, area, r.draft.need).await;
        if found.is_empty() {
            continue;
        }
        let home = r.draft.patient.location;
        found.sort_by(|a, b| home.distance_km(a.location).total_cmp(&home.distance_km(b.location)));
        return found.into_iter().take(NEAREST).map(|f| (f.id, f.location)).collect();
    }
    Vec::new()
}

/// Who declined this referral at `facility` before, and why.
fn declines_at(lang: Lang, d: &ReferralDetail, facility: FacilityId) -> Vec<String> {
    d.offers
        .iter()
        .filter(|o| o.facility_id == facility && matches!(o.status, OfferStatus::Declined | OfferStatus::Expired))
        .map(|o| {
            let why = match (o.decline_reason, o.decline_note.as_deref().filter(|n| !n.is_empty())) {
                (Some(r), Some(n)) => format!("{} — {n}", lang.decline_reason(r)),
                (Some(r), None) => lang.decline_reason(r).to_string(),
                (None, _) => lang.offer_status(o.status).to_string(),
            };
            format!(
                "{} {}: {why}",
                crate::web::format::local_time(o.answered_at.unwrap_or(o.expires_at)),
                lang.offer_status(o.status)
            )
        })
        .collect()
}

pub async fn show(State(s): State<AppState>, ctx: PageCtx, Path(id): Path<String>) -> Response {
    let Some(session) = ctx.session.clone() else { return ctx.redirect("/login", &[]) };
    let p = &session.principal;
    if !p.role.is_coordinator() {
        return ctx.forbidden();
    }
    let Some(id) = parse_id::<ReferralId>(&id) else { return ctx.not_found() };
    render(&s, &ctx, p, id, Sent::default()).await
}

async fn render(s: &AppState, ctx: &PageCtx, p: &Principal, id: ReferralId, sent: Sent) -> Response {
    let (t, lang, cb) = (ctx.t(), ctx.lang, &s.cb);
    let tr = text_ranking::text(lang);
    let d = match cb.referral(p, id).await {
        Ok(d) => d,
        Err(e) => return ctx.referral_error(e),
    };
    let r = &d.referral;
    let nearest = nearest_offering(cb, p, r).await;
    let ranking = match cb.referral_ranking(p, id, &nearest).await {
        Ok(x) => x,
        Err(e) => return ctx.referral_error(e),
    };
    // The engine's order first; the rest (left out) nearest first.
    let mut fits: Vec<_> = ranking.fits.iter().collect();
    fits.sort_by(|a, b| {
        (a.rank.is_none(), a.rank.unwrap_or(0), a.travel_minutes).cmp(&(
            b.rank.is_none(),
            b.rank.unwrap_or(0),
            b.travel_minutes,
        ))
    });
    fits.truncate(CHOICES_SHOWN);
    let mut names = Names::default();
    let mut ids: Vec<FacilityId> = fits.iter().map(|f| f.facility_id).collect();
    ids.extend(facilities_of(&d));
    names.load(cb, lang, &ids).await;
    let unit = lang.unit(r.draft.unit());
    let choices = fits
        .iter()
        .map(|f| ChoiceRow {
            value: f.facility_id.to_string(),
            name: names.get(f.facility_id),
            designation: lang.designation(f.designation),
            free: lang.free_of_unit(unit, f.free_beds),
            travel: match f.weekly_travel_minutes {
                Some(w) => format!("{} · {}", lang.minutes(f.travel_minutes), lang.per_week(w)),
                None => lang.minutes(f.travel_minutes),
            },
            distance: lang.km(f.distance_km),
            cross: f.cross_province,
            declines: declines_at(lang, &d, f.facility_id),
            // The coordinator's order answers the declines: the service does not hold them
            // against a directed placement, so neither does the list of what it breaks.
            breaks: f
                .violations
                .iter()
                .filter(|e| **e != Exclusion::AlreadyDeclined)
                .map(|e| lang.constraint(*e))
                .collect(),
            break_keys: f
                .violations
                .iter()
                .filter(|e| **e != Exclusion::AlreadyDeclined)
                .map(|e| e.as_str())
                .collect::<Vec<_>>()
                .join(" "),
        })
        .collect();
    let refusal = (!sent.broken.is_empty()).then(|| {
        let facility = parse_id::<FacilityId>(&sent.facility_id).map(|f| names.get(f)).unwrap_or_default();
        let words: Vec<String> = sent.broken.iter().map(|e| lang.constraint(*e)).collect();
        Refusal {
            sentence: lang.refused_for(&facility, &words.join("; ")),
            constraints: sent
                .broken
                .iter()
                .map(|e| OverrideBox {
                    key: e.as_str(),
                    label: lang.constraint(*e),
                    checked: sent.override_keys.iter().any(|k| k == e.as_str()),
                })
                .collect(),
        }
    });
    let declines = d
        .offers
        .iter()
        .filter(|o| matches!(o.status, OfferStatus::Declined | OfferStatus::Expired))
        .map(|o| {
            let why = match o.decline_reason {
                Some(reason) => lang.decline_reason(reason).to_string(),
                None => lang.offer_status(o.status).to_string(),
            };
            format!("{}: {why}", names.get(o.facility_id))
        })
        .collect();
    let failed = sent.facility_error.is_some() || sent.note_error.is_some() || sent.override_error.is_some();
    let page = DirectPage {
        chrome: ctx.chrome(format!("{} · {}", tr.direct_title, r.draft.patient.pseudonym), "stranded"),
        t,
        tr,
        pseudonym: r.draft.patient.pseudonym.clone(),
        href: format!("/referrals/{}", r.id),
        action: format!("/placement/referrals/{}/direct", r.id),
        status: lang.referral_status(r.status),
        status_class: status_class(r.status),
        need: lang.service(r.draft.need),
        unit,
        urgency: lang.urgency(r.draft.urgency),
        infection: lang.infection(r.draft.patient.infection),
        declines,
        choices,
        chosen: sent.facility_id,
        note: sent.note,
        facility_error: sent.facility_error,
        note_error: sent.note_error,
        refusal,
        override_reason: sent.override_reason,
        override_error: sent.override_error,
    };
    let status = if failed { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    ctx.html(status, &page)
}

/// `POST /placement/referrals/{id}/direct`: `facility_id`, `note`, and for an override one
/// `override` per constraint ticked with `override_reason`.
pub async fn direct(State(s): State<AppState>, ctx: PageCtx, Path(id): Path<String>, body: Bytes) -> Response {
    let Some(session) = ctx.session.clone() else { return ctx.redirect("/login", &[]) };
    let (t, lang) = (ctx.t(), ctx.lang);
    let fields = match checked_form(&ctx, &body) {
        Ok(fields) => fields,
        Err(refused) => return refused,
    };
    let p = &session.principal;
    if !p.role.is_coordinator() {
        return ctx.forbidden();
    }
    let Some(id) = parse_id::<ReferralId>(&id) else { return ctx.not_found() };
    let override_keys: Vec<String> = fields
        .iter()
        .filter(|(k, v)| k == "override" && !v.trim().is_empty())
        .map(|(_, v)| v.trim().to_string())
        .collect();
    let mut sent = Sent {
        facility_id: field(&fields, "facility_id").unwrap_or("").to_string(),
        note: field(&fields, "note").unwrap_or("").to_string(),
        override_reason: field(&fields, "override_reason").unwrap_or("").to_string(),
        override_keys,
        ..Default::default()
    };
    let Some(facility_id) = parse_id::<FacilityId>(&sent.facility_id) else {
        sent.facility_error = Some(t.err_required.to_string());
        return render(&s, &ctx, p, id, sent).await;
    };
    // The override the coordinator ticked (any ticked box or a reason means one was meant).
    let mut constraints = Vec::new();
    for k in &sent.override_keys {
        match Exclusion::parse(k) {
            Ok(e) => constraints.push(e),
            Err(_) => {
                sent.override_error = Some(t.err_not_a_choice.to_string());
                return render(&s, &ctx, p, id, sent).await;
            }
        }
    }
    let constraint_override = (!constraints.is_empty() || !sent.override_reason.is_empty())
        .then(|| ConstraintOverride { constraints, reason: sent.override_reason.clone() });
    let overriding = constraint_override.is_some();
    let directed = DirectedPlacement { facility_id, note: sent.note.clone(), constraint_override };
    match s.cb.direct_placement(p, id, directed, &ctx.meta).await {
        Ok(d) => {
            let overridden = d.current_offer.as_ref().is_some_and(|o| o.constraint_override.is_some());
            let notice = if overridden { "directed_override" } else { "directed" };
            ctx.redirect(&format!("/referrals/{id}?notice={notice}"), &[])
        }
        Err(ServiceError::ConstraintsBroken(errors)) => {
            // Every constraint the facility breaks: those named again, with the ones missing.
            let mut broken: Vec<Exclusion> =
                errors.iter().filter_map(|e| e.constraint.as_deref().and_then(|c| Exclusion::parse(c).ok())).collect();
            broken.extend(sent.override_keys.iter().filter_map(|k| Exclusion::parse(k).ok()));
            broken.sort();
            broken.dedup();
            let names = ctx.constraint_names(&errors);
            sent.facility_error = Some(if overriding {
                format!("{}: {names}", text_ranking::text(lang).override_pick)
            } else {
                lang.constraints_broken(&names)
            });
            sent.broken = broken;
            render(&s, &ctx, p, id, sent).await
        }
        Err(ServiceError::Invalid(v)) => {
            for e in v.0 {
                let detail = Some(lang.detail(&e.detail));
                match e.pointer.as_str() {
                    "/note" => sent.note_error = detail,
                    p if p.starts_with("/override") => sent.override_error = detail,
                    _ => sent.facility_error = detail,
                }
            }
            // Keep the override boxes on screen while the coordinator fixes the reason.
            if sent.override_error.is_some() {
                sent.broken = sent.override_keys.iter().filter_map(|k| Exclusion::parse(k).ok()).collect();
                if sent.broken.is_empty() {
                    sent.facility_error = sent.override_error.take();
                }
            }
            render(&s, &ctx, p, id, sent).await
        }
        Err(e) => ctx.referral_error(e),
    }
}
