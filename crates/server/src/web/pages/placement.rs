//! `GET /placement/board` and `POST /placement/referrals/{id}/direct`: the coordinators' board
//! of stranded patients. It lists the open referrals in the coordinator's regions that have
//! escalated or passed their maximum wait, longest waiting first, each with its reasons (the
//! declines so far and the engine's exclusions now) and a form to direct the patient to a
//! facility (`Carebridge::direct_placement`); and a map of the region with the patients' home
//! regions marked (at the region's centre, never the patient's own location).
//!
//! The facilities offered for a directed placement are the engine's ranked ones first (with
//! their free beds), then the nearest facilities offering the service in the patient's city, or
//! when it has none their province, or else anywhere the coordinator governs: the coordinator
//! may direct a patient where the numbers show no bed, or farther than the engine would look. The unit is not chosen: it
//! follows from the need (`ReferralDraft::unit`), and the form says which it is.

use super::referrals::{facilities_of, parse_id, status_class, waiting, why_live, Names, Why};
use super::{checked_form, field};
use crate::state::AppState;
use crate::web::format::local_time;
use crate::web::i18n::{Lang, Text};
use crate::web::map::{self, Boundary, Marker};
use crate::web::page::{Chrome, PageCtx};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use carebridge_domain::facility::GeoPoint;
use carebridge_domain::ids::{FacilityId, ReferralId};
use carebridge_domain::referral::{OfferStatus, Referral, ReferralStatus};
use carebridge_domain::region::RegionCode;
use carebridge_domain::service_kind::ServiceKind;
use carebridge_domain::user::{Principal, Scope};
use carebridge_service::facilities::DirectoryQuery;
use carebridge_service::referrals::DirectedPlacement;
use carebridge_service::{Carebridge, ServiceError};
use carebridge_store::facilities::FacilityFilter;
use carebridge_store::referrals::ReferralFilter;
use std::collections::{BTreeMap, HashMap};

/// Referrals of each kind (escalated, overdue) read at most.
const FETCH: u32 = 200;
/// Stranded referrals the board shows at most, longest waiting first.
const ROWS: usize = 100;
/// Rows the engine is asked to explain live (each is a placement run); the rest show the
/// reasons recorded on their timeline.
const LIVE_EXPLANATIONS: usize = 25;
/// Facilities read for a direct-placement choice at most.
const CHOICES: u32 = 500;
/// Of those, the nearest offered.
const NEAREST: usize = 40;

#[derive(Template)]
#[template(path = "placement_board.html")]
struct BoardPage {
    chrome: Chrome,
    t: &'static Text,
    d: &'static crate::web::text_desk::DeskText,
    notice: Option<&'static str>,
    heading: String,
    rows: Vec<Row>,
    map_svg: Option<String>,
    /// The map's legend: a swatch and what it marks, per colour.
    legend: Vec<(String, &'static str)>,
    /// Zoom links: out to the enclosing region, in to each sub-region with stranded patients.
    zoom: Vec<ZoomLink>,
    /// The protected groups of the coordinator's region (none for the nation).
    groups: Vec<GroupRow>,
}

/// One protected group on the board.
struct GroupRow {
    name: &'static str,
    open: usize,
    unplaced: usize,
    past_limit: usize,
    facilities: usize,
    beds: String,
    load: String,
    verdict: &'static str,
    verdict_class: &'static str,
}

/// A zoom link of the stranded map.
struct ZoomLink {
    href: String,
    label: String,
}

/// The region `?region=` zooms to, when the coordinator governs it; `None` for their whole scope.
fn zoom_of(cb: &Carebridge, p: &Principal, raw: Option<&str>) -> Option<RegionCode> {
    let query = super::pairs(raw.unwrap_or_default().as_bytes());
    let code = RegionCode::parse(field(&query, "region")?).ok().filter(|c| cb.regions.get(*c).is_some())?;
    match p.scope {
        Scope::Nation => Some(code),
        Scope::Region(s) => cb.regions.contains(s, code).then_some(code),
        Scope::Facility(_) | Scope::Own => None,
    }
}

fn zoom_href(region: Option<RegionCode>) -> String {
    match region {
        Some(r) => format!("/placement/board?region={r}#stranded-map-h"),
        None => "/placement/board#stranded-map-h".to_string(),
    }
}

/// The protected groups of `region` as board rows.
async fn group_rows(cb: &Carebridge, t: &'static Text, p: &Principal, region: Option<RegionCode>) -> Vec<GroupRow> {
    use carebridge_service::protected::ProtectedGroup;
    let Some(region) = region else { return Vec::new() };
    let Ok(board) = cb.protected_board(p, region).await else { return Vec::new() };
    board
        .groups
        .iter()
        .map(|g| {
            let cc = &g.critical_care;
            let (verdict, verdict_class) = if cc.facilities == 0 {
                (t.no_critical_care, "s-escalated")
            } else if cc.can_absorb {
                (t.absorbs, "s-placed")
            } else {
                (t.overwhelmed, "s-escalated")
            };
            GroupRow {
                name: match g.group {
                    ProtectedGroup::Dialysis => t.group_dialysis,
                    ProtectedGroup::CancerSurgery => t.group_cancer_surgery,
                    ProtectedGroup::Maternity => t.group_maternity,
                    ProtectedGroup::EmergencySurgery => t.group_emergency_surgery,
                },
                open: g.open,
                unplaced: g.unplaced,
                past_limit: g.past_limit,
                facilities: cc.facilities,
                beds: format!("{} / {}", cc.free, cc.staffed),
                load: format!("{:.0} %", cc.load_permille as f64 / 10.0),
                verdict,
                verdict_class,
            }
        })
        .collect()
}

struct Row {
    id: String,
    href: String,
    action: String,
    pseudonym: String,
    need: String,
    unit: &'static str,
    urgency: &'static str,
    status: &'static str,
    status_class: &'static str,
    region: String,
    waited: String,
    overdue: bool,
    escalated: Option<String>,
    current: Option<String>,
    declines: Vec<String>,
    why: Option<Why>,
    ranked: Vec<Pick>,
    others: Vec<Pick>,
    /// The form as last sent, when the service refused it.
    chosen: String,
    note: String,
    facility_error: Option<String>,
    note_error: Option<String>,
}

/// One facility in the direct-placement choice.
struct Pick {
    value: String,
    label: String,
}

/// The open referrals `p` should see on the board: escalated or overdue, each once.
async fn stranded(cb: &Carebridge, p: &Principal) -> Result<Vec<Referral>, ServiceError> {
    let now = cb.now();
    let open: Vec<ReferralStatus> = ReferralStatus::ALL.iter().copied().filter(|s| s.is_open()).collect();
    let escalated = ReferralFilter { statuses: open.clone(), escalated: true, ..Default::default() };
    let overdue = ReferralFilter { statuses: open, overdue_at: Some(now), ..Default::default() };
    let (a, b) =
        tokio::join!(cb.referrals(p, &escalated, None, Some(FETCH)), cb.referrals(p, &overdue, None, Some(FETCH)));
    let mut seen = std::collections::HashSet::new();
    let mut out: Vec<Referral> =
        a?.items.into_iter().chain(b?.items).filter(|r| r.status.is_open() && seen.insert(r.id)).collect();
    out.sort_by_key(|r| r.filed_at);
    out.truncate(ROWS);
    Ok(out)
}

/// A facility that offers a need, for the direct-placement choice.
struct Offering {
    id: FacilityId,
    name: String,
    location: GeoPoint,
}

/// Facilities of `region` (the nation for `None`) offering `need`, at most [`CHOICES`].
async fn offering(cb: &Carebridge, lang: Lang, region: Option<RegionCode>, need: ServiceKind) -> Vec<Offering> {
    let query = DirectoryQuery {
        region: region.map(|r| r.to_string()),
        filter: FacilityFilter { service: Some(need), ..Default::default() },
        cursor: None,
        limit: Some(CHOICES),
    };
    match cb.directory(&query).await {
        Ok(page) => page
            .items
            .into_iter()
            .map(|f| Offering {
                id: f.id,
                name: lang.pick(f.draft.name_zh, f.draft.name_en),
                location: f.draft.location,
            })
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// Where to look for facilities to direct a patient of `home` to: the patient's city, then
/// province, then the whole of what the coordinator governs (`scope`, the nation for `None`),
/// never beyond it (a directed placement must stay in the coordinator's regions).
fn search_areas(cb: &Carebridge, home: RegionCode, scope: Option<RegionCode>) -> Vec<Option<RegionCode>> {
    let inside = |c: RegionCode| scope.is_none_or(|s| cb.regions.contains(s, c));
    let mut out: Vec<Option<RegionCode>> = Vec::new();
    if let Some(path) = cb.regions.path(home) {
        for c in [path.city, path.province] {
            if inside(c) && !out.contains(&Some(c)) {
                out.push(Some(c));
            }
        }
    }
    if !out.contains(&scope) {
        out.push(scope);
    }
    out
}

/// A direct-placement form the service refused, shown again on the board with the complaint
/// next to its field.
struct Refused {
    referral: ReferralId,
    facility_id: String,
    note: String,
    facility_error: Option<String>,
    note_error: Option<String>,
}

pub async fn board(State(s): State<AppState>, ctx: PageCtx, RawQuery(raw): RawQuery) -> Response {
    let Some(session) = ctx.session.clone() else { return ctx.redirect("/login", &[]) };
    let p = &session.principal;
    if !p.role.is_coordinator() {
        return ctx.forbidden();
    }
    let notice = super::referrals::notice_of(ctx.t(), raw.as_deref());
    let zoom = zoom_of(&s.cb, p, raw.as_deref());
    render(&s, &ctx, p, notice, None, zoom).await
}

async fn render(
    s: &AppState,
    ctx: &PageCtx,
    p: &Principal,
    notice: Option<&'static str>,
    refused: Option<Refused>,
    zoom: Option<RegionCode>,
) -> Response {
    let (t, lang, cb) = (ctx.t(), ctx.lang, &s.cb);
    let mut referrals = match stranded(cb, p).await {
        Ok(r) => r,
        Err(e) => return ctx.referral_error(e),
    };
    // Zoomed into a sub-region: its patients only, on the map and in the list.
    if let Some(z) = zoom {
        referrals.retain(|r| cb.regions.contains(z, r.draft.patient.region_code));
    }
    let now = cb.now();
    let mut names = Names::default();
    let scope = match p.scope {
        Scope::Region(c) => Some(c),
        _ => None,
    };
    let mut directory: HashMap<(Option<RegionCode>, ServiceKind), Vec<Offering>> = HashMap::new();
    let mut rows = Vec::new();
    for (i, r) in referrals.iter().enumerate() {
        let d = match cb.referral(p, r.id).await {
            Ok(d) => d,
            Err(ServiceError::NotFound) => continue,
            Err(e) => return ctx.referral_error(e),
        };
        names.load(cb, lang, &facilities_of(&d)).await;
        let placement = if i < LIVE_EXPLANATIONS { cb.explain_referral(p, r.id).await.ok() } else { None };
        if let Some(pl) = &placement {
            let ids: Vec<FacilityId> = pl.ranked.iter().map(|x| x.facility_id).collect();
            names.load(cb, lang, &ids).await;
        }
        let why = match &placement {
            Some(pl) => Some(why_live(lang, r, pl)),
            None => super::referrals::why_recorded(lang, &d),
        };
        // The nearest area that has any facility offering the need.
        let mut found: &[Offering] = &[];
        for area in search_areas(cb, r.draft.patient.region_code, scope) {
            let key = (area, r.draft.need);
            if let std::collections::hash_map::Entry::Vacant(slot) = directory.entry(key) {
                slot.insert(offering(cb, lang, area, r.draft.need).await);
            }
            if !directory[&key].is_empty() {
                found = &directory[&key];
                break;
            }
        }
        let ranked: Vec<Pick> = placement
            .iter()
            .flat_map(|pl| pl.ranked.iter())
            .map(|x| Pick {
                value: x.facility_id.to_string(),
                label: lang.ranked_choice(&names.get(x.facility_id), x.free_beds, x.distance_km),
            })
            .collect();
        let home = r.draft.patient.location;
        let mut nearest: Vec<(f64, &Offering)> = found
            .iter()
            .filter(|f| !ranked.iter().any(|o| o.value == f.id.to_string()))
            .map(|f| (home.distance_km(f.location), f))
            .collect();
        nearest.sort_by(|a, b| a.0.total_cmp(&b.0));
        let others: Vec<Pick> = nearest
            .into_iter()
            .take(NEAREST)
            .map(|(km, f)| Pick { value: f.id.to_string(), label: format!("{} · {}", f.name, lang.km(km)) })
            .collect();
        let (waited, overdue) = waiting(lang, r, now);
        let refused_here = refused.as_ref().filter(|f| f.referral == r.id);
        rows.push(Row {
            chosen: refused_here.map(|f| f.facility_id.clone()).unwrap_or_default(),
            note: refused_here.map(|f| f.note.clone()).unwrap_or_default(),
            facility_error: refused_here.and_then(|f| f.facility_error.clone()),
            note_error: refused_here.and_then(|f| f.note_error.clone()),
            id: r.id.to_string(),
            href: format!("/referrals/{}", r.id),
            action: format!("/placement/referrals/{}/direct", r.id),
            pseudonym: r.draft.patient.pseudonym.clone(),
            need: lang.service(r.draft.need),
            unit: lang.unit(r.draft.unit()),
            urgency: lang.urgency(r.draft.urgency),
            status: lang.referral_status(r.status),
            status_class: status_class(r.status),
            region: cb.regions.get(r.draft.patient.region_code).map(|g| g.name.clone()).unwrap_or_default(),
            waited,
            overdue,
            escalated: r.escalated_at.map(local_time),
            current: d
                .current_offer
                .as_ref()
                .map(|o| format!("{} · {} {}", names.get(o.facility_id), t.hold_expires, local_time(o.expires_at))),
            declines: d
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
                .collect(),
            why,
            ranked,
            others,
        });
    }

    let region = zoom.or(scope);
    let heading =
        region.and_then(|c| cb.regions.get(c)).map(|r| r.name.clone()).unwrap_or_else(|| t.nation.to_string());
    let groups = group_rows(cb, t, p, region).await;
    let page = BoardPage {
        chrome: ctx.chrome(format!("{} · {heading}", t.stranded_title), "stranded"),
        t,
        notice,
        groups,
        map_svg: map_svg(cb, lang, region, &referrals, &heading),
        d: crate::web::text_desk::text(lang),
        legend: {
            let d = crate::web::text_desk::text(lang);
            vec![
                (super::board::swatch(map::RED, None, false), d.legend_stranded_overdue),
                (super::board::swatch(map::AMBER, None, false), d.legend_stranded_escalated),
            ]
        },
        zoom: zoom_links(cb, lang, scope, region, &referrals),
        heading,
        rows,
    };
    let status = if refused.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    ctx.html(status, &page)
}

/// The region's map with one marker per home region of the stranded patients (at its centre),
/// sized by nothing but titled with the count.
fn map_svg(
    cb: &Carebridge,
    lang: Lang,
    region: Option<RegionCode>,
    referrals: &[Referral],
    place: &str,
) -> Option<String> {
    // Per home region: how many, how many past their maximum wait, and the first one's card.
    let now = cb.now();
    let mut by_region: BTreeMap<RegionCode, (usize, usize, String)> = BTreeMap::new();
    for r in referrals {
        let e = by_region.entry(r.draft.patient.region_code).or_insert_with(|| (0, 0, format!("#stranded-{}", r.id)));
        e.0 += 1;
        if waiting(lang, r, now).1 {
            e.1 += 1;
        }
    }
    let boundaries: Vec<Boundary> =
        map::boundaries_for(region, &cb.regions).into_iter().map(|feature| Boundary { feature, href: None }).collect();
    let markers: Vec<Marker> = by_region
        .iter()
        .filter_map(|(code, (n, overdue, card))| {
            // A county without a published centre is marked at its city's.
            let region = cb.regions.get(*code)?;
            let centre =
                region.centre.or_else(|| region.parent.and_then(|p| cb.regions.get(p)).and_then(|p| p.centre))?;
            Some(Marker {
                lon: centre[0],
                lat: centre[1],
                // Red where someone has waited past the maximum, amber where all are escalated
                // within it (the legend says so).
                fill: if *overdue > 0 { map::RED } else { map::AMBER },
                ring: None,
                stale: false,
                rank: if *overdue > 0 { 2 } else { 1 },
                title: crate::web::text_desk::stranded_marker(lang, &lang.stranded_in(&region.name, *n), *overdue),
                // The first of the same patients in the list below the map.
                href: Some(card.clone()),
            })
        })
        .collect();
    map::render(&boundaries, &markers, &lang.stranded_map_label(place, by_region.len(), referrals.len()))
}

/// The stranded map's zoom links: out to the enclosing region (while zoomed in), and in to each
/// sub-region of the one shown that has stranded patients.
fn zoom_links(
    cb: &Carebridge,
    lang: Lang,
    scope: Option<RegionCode>,
    shown: Option<RegionCode>,
    referrals: &[Referral],
) -> Vec<ZoomLink> {
    let d = crate::web::text_desk::text(lang);
    let t = lang.t();
    let mut out = Vec::new();
    if shown != scope {
        // Zoomed in: out one level, never beyond the coordinator's own region.
        let parent = shown.and_then(|c| cb.regions.get(c)).and_then(|r| r.parent);
        let up = match (scope, parent) {
            (Some(s), Some(parent)) if cb.regions.contains(s, parent) => Some(parent),
            (None, parent) => parent,
            (Some(s), _) => Some(s),
        };
        let name = up.and_then(|c| cb.regions.get(c)).map(|r| r.name.clone()).unwrap_or_else(|| t.nation.to_string());
        out.push(ZoomLink { href: zoom_href(up), label: format!("− {} {name}", d.map_zoom_out) });
    }
    let children: Vec<RegionCode> = match shown {
        Some(c) => cb.regions.children(c).to_vec(),
        None => cb.regions.provinces().to_vec(),
    };
    for child in children {
        let n = referrals.iter().filter(|r| cb.regions.contains(child, r.draft.patient.region_code)).count();
        if n == 0 {
            continue;
        }
        let Some(r) = cb.regions.get(child) else { continue };
        out.push(ZoomLink { href: zoom_href(Some(child)), label: format!("+ {} ({n})", r.name) });
    }
    out
}

/// `POST /placement/referrals/{id}/direct`: `facility_id` and `note`.
pub async fn direct(State(s): State<AppState>, ctx: PageCtx, Path(id): Path<String>, body: Bytes) -> Response {
    let Some(session) = ctx.session.clone() else { return ctx.redirect("/login", &[]) };
    let t = ctx.t();
    let fields = match checked_form(&ctx, &body) {
        Ok(fields) => fields,
        Err(refused) => return refused,
    };
    let p = &session.principal;
    if !p.role.is_coordinator() {
        return ctx.forbidden();
    }
    let Some(id) = parse_id::<ReferralId>(&id) else { return ctx.not_found() };
    let chosen = field(&fields, "facility_id").unwrap_or("").to_string();
    let note = field(&fields, "note").unwrap_or("").to_string();
    let mut refused = Refused {
        referral: id,
        facility_id: chosen.clone(),
        note: note.clone(),
        facility_error: None,
        note_error: None,
    };
    let Some(facility_id) = parse_id::<FacilityId>(&chosen) else {
        refused.facility_error = Some(t.err_required.to_string());
        return render(&s, &ctx, p, None, Some(refused), None).await;
    };
    let directed = DirectedPlacement { facility_id, note, constraint_override: None };
    match s.cb.direct_placement(p, id, directed, &ctx.meta).await {
        Ok(_) => ctx.redirect("/placement/board?notice=directed", &[]),
        Err(ServiceError::ConstraintsBroken(errors)) => {
            refused.facility_error = Some(ctx.lang.constraints_broken(&ctx.constraint_names(&errors)));
            render(&s, &ctx, p, None, Some(refused), None).await
        }
        Err(ServiceError::Invalid(v)) => {
            for e in v.0 {
                let detail = Some(ctx.lang.detail(&e.detail));
                match e.pointer.as_str() {
                    "/note" => refused.note_error = detail,
                    _ => refused.facility_error = detail,
                }
            }
            render(&s, &ctx, p, None, Some(refused), None).await
        }
        Err(e) => ctx.referral_error(e),
    }
}
