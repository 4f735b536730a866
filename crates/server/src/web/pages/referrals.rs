//! The referral pages: `GET/POST /referrals/new` (a clinician or coordinator files one),
//! `GET /referrals` (the tracker), `GET /referrals/{id}` (where it stands and why),
//! `POST /referrals/{id}/cancel` and `GET /me/referrals` (a patient's own, in plain words).
//!
//! Who may read or change which referral is the service's decision (`Carebridge::referral`,
//! `referrals`, `file_referral`, `cancel_referral`); the pages only turn its answers into
//! sentences. A form that fails the service's checks is shown again with each complaint next
//! to the field its JSON pointer names. The helpers at the bottom (facility names, timeline
//! sentences, the engine's explanation) are shared with the desk inbox and the coordinators'
//! board.

use super::{checked_form, field, pairs, Choice};
use crate::state::AppState;
use crate::web::form::FieldErrors;
use crate::web::format::local_time;
use crate::web::i18n::{Lang, Text};
use crate::web::page::{Chrome, PageCtx};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use carebridge_domain::clock::Timestamp;
use carebridge_domain::facility::GeoPoint;
use carebridge_domain::ids::{FacilityId, ReferralId};
use carebridge_domain::referral::{
    AgeBand, InfectionStatus, OfferStatus, PatientInfo, RecurringSchedule, Referral, ReferralDraft, ReferralStatus,
    Urgency,
};
use carebridge_domain::region::RegionCode;
use carebridge_domain::service_kind::ServiceKind;
use carebridge_domain::user::{Principal, Role, Scope};
use carebridge_domain::ValidationErrors;
use carebridge_service::referrals::{Exclusion, Placement, ReferralDetail};
use carebridge_service::{Carebridge, ServiceError};
use carebridge_store::referrals::ReferralFilter;
use std::collections::HashMap;

/// Referrals per tracker page.
const PAGE_SIZE: u32 = 50;
/// Region codes offered as suggestions under the region field at most.
const MAX_REGION_SUGGESTIONS: usize = 400;

// ---------------------------------------------------------------------------------------------
// Shared helpers

/// Facility names by id, in the page's language, looked up once each.
#[derive(Default)]
pub struct Names(HashMap<FacilityId, String>);

impl Names {
    /// Look up every id in `ids` not known yet. A facility that cannot be read keeps its id.
    /// (A slice, not an iterator: a borrowing closure held across the awaits would make the
    /// handler's future not `Send`.)
    pub async fn load(&mut self, cb: &Carebridge, lang: Lang, ids: &[FacilityId]) {
        for &id in ids {
            if self.0.contains_key(&id) {
                continue;
            }
            let name = match cb.facility(id).await {
                Ok(f) => lang.pick(f.draft.name_zh, f.draft.name_en),
                Err(_) => id.to_string(),
            };
            self.0.insert(id, name);
        }
    }

    pub fn get(&self, id: FacilityId) -> String {
        self.0.get(&id).cloned().unwrap_or_else(|| id.to_string())
    }
}

/// Every facility a referral's page mentions.
pub fn facilities_of(d: &ReferralDetail) -> Vec<FacilityId> {
    let mut ids: Vec<FacilityId> = d.offers.iter().map(|o| o.facility_id).collect();
    ids.extend(d.events.iter().filter_map(|e| e.facility_id));
    ids.extend(d.referral.placed_at);
    ids
}

/// CSS class of a status badge.
pub fn status_class(s: ReferralStatus) -> &'static str {
    match s {
        ReferralStatus::Pending => "s-pending",
        ReferralStatus::Offered => "s-offered",
        ReferralStatus::Accepted | ReferralStatus::Admitted => "s-placed",
        ReferralStatus::Escalated => "s-escalated",
        ReferralStatus::Cancelled => "s-cancelled",
    }
}

/// How long a referral has waited (until now while open, until its last change once closed),
/// against its maximum wait; and whether it is past that.
pub fn waiting(lang: Lang, r: &Referral, now: Timestamp) -> (String, bool) {
    let end = if r.status.is_open() { now } else { r.updated_at };
    let waited = (end.millis() - r.filed_at.millis()) / 1000;
    let max = (r.wait_deadline.millis() - r.filed_at.millis()) / 1000;
    (lang.waited(waited, max), r.status.is_open() && now > r.wait_deadline)
}

/// Where a referral stands, in one sentence, naming the facility it concerns.
pub fn status_sentence(lang: Lang, d: &ReferralDetail, names: &Names) -> String {
    let r = &d.referral;
    let facility = match r.status {
        ReferralStatus::Offered => d.current_offer.as_ref().map(|o| names.get(o.facility_id)),
        ReferralStatus::Accepted | ReferralStatus::Admitted => r.placed_at.map(|f| names.get(f)),
        _ => None,
    };
    let until = d.current_offer.as_ref().map(|o| local_time(o.expires_at));
    lang.status_sentence(r.status, facility.as_deref(), until.as_deref())
}

/// The engine's reasons, as the page shows them.
pub struct Why {
    /// "No facility within 300 minutes' travel has …", when nothing fits.
    pub headline: Option<String>,
    pub considered: String,
    pub lines: Vec<String>,
}

/// The travel limit a referral was ranked within, when its record does not say (steps of
/// before the limit was recorded): the defaults of its kind of care.
fn default_travel_minutes(r: &Referral) -> i64 {
    let one_off = r.draft.urgency.default_travel_limit_minutes();
    match r.draft.schedule {
        Some(_) => carebridge_domain::placement::DEFAULT_RECURRING_SESSION_MINUTES.min(one_off),
        None => one_off,
    }
}

/// Why from a placement's numbers: `considered` and `excluded` (constraint name → count), in
/// the engine's constraint order; `fits` says whether any facility passed; `minutes` is the
/// travel limit applied.
pub fn why(lang: Lang, r: &Referral, considered: usize, excluded: &[(String, usize)], fits: bool, minutes: i64) -> Why {
    let need = lang.service(r.draft.need);
    let mut ordered: Vec<&(String, usize)> = excluded.iter().filter(|(_, n)| *n > 0).collect();
    let rank = |c: &str| Exclusion::ALL.iter().position(|e| e.as_str() == c).unwrap_or(usize::MAX);
    ordered.sort_by_key(|(c, _)| rank(c));
    Why {
        headline: (!fits).then(|| lang.nothing_fits(&need, minutes)),
        considered: if considered == 0 { lang.none_within(minutes) } else { lang.of_considered(considered) },
        lines: ordered.into_iter().map(|(c, n)| lang.exclusion(c, *n, &need, minutes)).collect(),
    }
}

/// Why from the engine's live answer (coordinators may ask for it).
pub fn why_live(lang: Lang, r: &Referral, p: &Placement) -> Why {
    let excluded: Vec<(String, usize)> =
        p.excluded.iter().map(|e| (e.constraint.as_str().to_string(), e.facilities)).collect();
    why(lang, r, p.considered, &excluded, !p.ranked.is_empty(), p.travel_limit_minutes)
}

/// Why from the timeline: the latest `unplaced` step, when the referral has no offer out.
pub fn why_recorded(lang: Lang, d: &ReferralDetail) -> Option<Why> {
    if !d.referral.status.is_open() || d.current_offer.is_some() {
        return None;
    }
    let last = d.events.iter().rev().find(|e| e.kind == "unplaced")?;
    why_of_event(lang, &d.referral, &last.detail)
}

/// One timeline step.
pub struct EventRow {
    pub at: String,
    pub datetime: String,
    pub kind: String,
    pub text: String,
    pub extra: Vec<String>,
}

/// The timeline in sentences, oldest first.
pub fn timeline(lang: Lang, d: &ReferralDetail, names: &Names) -> Vec<EventRow> {
    let t = lang.t();
    d.events
        .iter()
        .map(|e| {
            let facility = e.facility_id.map(|f| names.get(f)).unwrap_or_default();
            let text_of = |k: &str| e.detail[k].as_str().unwrap_or("").to_string();
            let mut extra = Vec::new();
            let reason = match e.kind.as_str() {
                "declined" => {
                    if let Some(n) = e.detail["note"].as_str().filter(|n| !n.is_empty()) {
                        extra.push(n.to_string());
                    }
                    carebridge_domain::referral::DeclineReason::parse(&text_of("reason"))
                        .map(|r| lang.decline_reason(r).to_string())
                        .unwrap_or_else(|_| text_of("reason"))
                }
                "cancelled" => text_of("reason"),
                "escalated" => {
                    let failed = e.detail["failed_offers"].as_i64().unwrap_or(0);
                    lang.escalation_cause(&text_of("why"), failed)
                }
                "directed" => {
                    extra.push(format!("{}: {}", t.note, text_of("note")));
                    String::new()
                }
                "constraints_overridden" => {
                    extra.push(format!("{}: {}", t.note, text_of("reason")));
                    e.detail["constraints"]
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(|c| c.as_str().and_then(|c| Exclusion::parse(c).ok()))
                                .map(|c| lang.constraint(c))
                                .collect::<Vec<_>>()
                                .join("; ")
                        })
                        .unwrap_or_default()
                }
                "offered" => {
                    let chosen = &e.detail["chosen"];
                    if let (Some(km), Some(free)) = (chosen["distance_km"].as_f64(), chosen["free_beds"].as_i64()) {
                        let travel = chosen["travel_minutes"].as_i64().map(|m| format!(" · {}", lang.minutes(m)));
                        extra.push(format!("{}{} · {}", lang.km(km), travel.unwrap_or_default(), lang.free_beds(free)));
                    }
                    String::new()
                }
                "displaced" => {
                    let tr = crate::web::text_ranking::text(lang);
                    extra.push(format!("{}: {}", tr.displaced_why, lang.displacement_cause(&text_of("why"))));
                    if let Some(n) = e.detail["reason"].as_str().filter(|n| !n.is_empty()) {
                        extra.push(format!("{}: {n}", t.note));
                    }
                    String::new()
                }
                "unplaced" => {
                    if let Some(w) = why_of_event(lang, &d.referral, &e.detail) {
                        extra.push(w.considered);
                        extra.extend(w.lines);
                    }
                    String::new()
                }
                _ => String::new(),
            };
            EventRow {
                at: local_time(e.at),
                datetime: e.at.to_rfc3339(),
                kind: e.kind.clone(),
                text: lang.event_sentence(&e.kind, &facility, &reason),
                extra,
            }
        })
        .collect()
}

/// Why from an `unplaced` (or `offered`) step's detail: `considered` and `excluded` as the
/// service records them.
fn why_of_event(lang: Lang, r: &Referral, detail: &serde_json::Value) -> Option<Why> {
    let considered = detail["considered"].as_u64()? as usize;
    let excluded: Vec<(String, usize)> = detail["excluded"]
        .as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_u64().unwrap_or(0) as usize)).collect())
        .unwrap_or_default();
    let minutes = detail["travel_limit_minutes"].as_i64().unwrap_or_else(|| default_travel_minutes(r));
    Some(why(lang, r, considered, &excluded, false, minutes))
}

/// One "label: value" line about the patient and the need.
pub struct Fact {
    pub label: &'static str,
    pub value: String,
}

/// The patient and need, as a desk or clinician reads them.
pub fn facts(lang: Lang, cb: &Carebridge, r: &Referral) -> Vec<Fact> {
    let t = lang.t();
    let d = &r.draft;
    let region = cb
        .regions
        .get(d.patient.region_code)
        .map(|g| format!("{} ({})", g.name, g.code))
        .unwrap_or_else(|| d.patient.region_code.to_string());
    let mut out = vec![
        Fact { label: t.f_age_band, value: lang.age_band(d.patient.age_band) },
        Fact { label: t.f_infection, value: lang.infection(d.patient.infection).to_string() },
        Fact { label: t.col_region, value: region },
        Fact { label: t.col_need, value: format!("{} · {}", lang.service(d.need), lang.unit(d.unit())) },
        Fact { label: t.f_urgency, value: lang.urgency(d.urgency).to_string() },
        Fact { label: t.ambulance, value: if d.needs_ambulance { t.yes } else { t.no }.to_string() },
    ];
    if let Some(s) = d.schedule {
        out.push(Fact { label: t.schedule, value: lang.sessions(s.sessions_per_week) });
    }
    if !d.note.is_empty() {
        out.push(Fact { label: t.note, value: d.note.clone() });
    }
    out
}

/// The notice a `?notice=` after a redirect asks for.
fn notice(t: &'static Text, raw: Option<&str>) -> Option<&'static str> {
    match raw? {
        "filed" => Some(t.notice_filed),
        "cancelled" => Some(t.notice_cancelled),
        "accepted" => Some(t.notice_accepted),
        "declined" => Some(t.notice_declined),
        "gone" => Some(t.notice_gone),
        "reason" => Some(t.notice_reason),
        "directed" => Some(t.notice_directed),
        "directed_override" => Some(crate::web::text_ranking::text_of(t).notice_overridden),
        "admitted" => Some(t.notice_admitted),
        _ => None,
    }
}

/// The `notice` of a query string, in the page's language.
pub fn notice_of(t: &'static Text, raw: Option<&str>) -> Option<&'static str> {
    let q = pairs(raw.unwrap_or_default().as_bytes());
    notice(t, field(&q, "notice"))
}

// ---------------------------------------------------------------------------------------------
// GET /referrals: the tracker

#[derive(Template)]
#[template(path = "referrals.html")]
struct TrackerPage {
    chrome: Chrome,
    t: &'static Text,
    may_file: bool,
    rows: Vec<TrackerRow>,
    next_href: Option<String>,
}

struct TrackerRow {
    href: String,
    pseudonym: String,
    need: String,
    urgency: &'static str,
    status: &'static str,
    status_class: &'static str,
    offer: Option<String>,
    placed: Option<String>,
    waited: String,
    overdue: bool,
    filed: String,
}

/// Whether `p` may file a referral through the form (the service also lets patients file for
/// themselves; their page is `/me/referrals`).
fn may_file(p: &Principal) -> bool {
    matches!((p.role, p.scope), (Role::Clinician, Scope::Facility(_))) || p.role.is_coordinator()
}

pub async fn tracker(State(s): State<AppState>, ctx: PageCtx, RawQuery(raw): RawQuery) -> Response {
    let Some(session) = ctx.session.clone() else { return ctx.redirect("/login", &[]) };
    let p = &session.principal;
    if p.role == Role::Patient {
        return ctx.redirect("/me/referrals", &[]);
    }
    let (t, lang, cb) = (ctx.t(), ctx.lang, &s.cb);
    let query = pairs(raw.unwrap_or_default().as_bytes());
    let cursor = field(&query, "cursor");
    let page = match cb.referrals(p, &ReferralFilter::default(), cursor, Some(PAGE_SIZE)).await {
        Ok(page) => page,
        Err(ServiceError::Invalid(_)) => {
            return ctx.error(StatusCode::BAD_REQUEST, t.err_title_bad_request, t.err_cursor)
        }
        Err(e) => return ctx.referral_error(e),
    };
    let details = futures::future::join_all(page.items.iter().map(|r| cb.referral(p, r.id))).await;
    let mut names = Names::default();
    let now = cb.now();
    let mut rows = Vec::new();
    for d in details.into_iter().flatten() {
        let ids: Vec<FacilityId> = d.current_offer.iter().map(|o| o.facility_id).chain(d.referral.placed_at).collect();
        names.load(cb, lang, &ids).await;
        let r = &d.referral;
        let (waited, overdue) = waiting(lang, r, now);
        rows.push(TrackerRow {
            href: format!("/referrals/{}", r.id),
            pseudonym: r.draft.patient.pseudonym.clone(),
            need: lang.service(r.draft.need),
            urgency: lang.urgency(r.draft.urgency),
            status: lang.referral_status(r.status),
            status_class: status_class(r.status),
            offer: d
                .current_offer
                .as_ref()
                .map(|o| format!("{} · {} {}", names.get(o.facility_id), t.hold_expires, local_time(o.expires_at))),
            placed: r.placed_at.map(|f| names.get(f)),
            waited,
            overdue,
            filed: local_time(r.filed_at),
        });
    }
    let page = TrackerPage {
        chrome: ctx.chrome(t.referrals_title, "referrals"),
        t,
        may_file: may_file(p),
        rows,
        next_href: page.next_cursor.map(|c| {
            let mut q = form_urlencoded::Serializer::new(String::new());
            q.append_pair("cursor", &c);
            format!("/referrals?{}", q.finish())
        }),
    };
    ctx.html(StatusCode::OK, &page)
}

// ---------------------------------------------------------------------------------------------
// GET/POST /referrals/new

#[derive(Template)]
#[template(path = "referral_new.html")]
struct NewPage {
    chrome: Chrome,
    t: &'static Text,
    form: FormState,
    /// Every complaint, beside its field and listed in the banner.
    errors: FieldErrors,
    age_bands: Vec<Choice>,
    infections: Vec<Choice>,
    services: Vec<Choice>,
    urgencies: Vec<Choice>,
    sessions: Vec<Choice>,
    regions: Vec<Choice>,
}

/// The form's fields as typed.
#[derive(Debug, Default)]
pub struct FormState {
    values: HashMap<&'static str, String>,
}

impl FormState {
    pub fn value(&self, name: &str) -> &str {
        self.values.get(name).map(String::as_str).unwrap_or("")
    }
    pub fn checked(&self, name: &str) -> bool {
        matches!(self.value(name), "1" | "on" | "true")
    }
}

/// The form's fields, in order.
const FIELDS: [&str; 11] = [
    "pseudonym",
    "age_band",
    "region_code",
    "lon",
    "lat",
    "infection",
    "need",
    "urgency",
    "needs_ambulance",
    "sessions_per_week",
    "note",
];

/// A field's label on the form.
fn label_of(t: &Text, field: &str) -> &'static str {
    match field {
        "pseudonym" => t.f_pseudonym,
        "age_band" => t.f_age_band,
        "region_code" => t.f_region_code,
        "lon" => t.f_lon,
        "lat" => t.f_lat,
        "infection" => t.f_infection,
        "need" => t.f_service,
        "urgency" => t.f_urgency,
        "needs_ambulance" => t.f_ambulance,
        "sessions_per_week" => t.f_sessions,
        _ => t.f_note,
    }
}

/// The form field a service error's JSON pointer names.
fn field_of(pointer: &str) -> Option<&'static str> {
    Some(match pointer {
        "/patient/pseudonym" => "pseudonym",
        "/patient/age_band" => "age_band",
        "/patient/region_code" => "region_code",
        "/patient/location" | "/patient/location/lon" => "lon",
        "/patient/location/lat" => "lat",
        "/patient/infection" => "infection",
        "/need" => "need",
        "/urgency" => "urgency",
        "/needs_ambulance" => "needs_ambulance",
        "/schedule" | "/schedule/sessions_per_week" => "sessions_per_week",
        "/note" => "note",
        _ => return None,
    })
}

/// Put the service's complaints beside their fields. `skip` leaves out fields the form has
/// already complained about (their value was replaced by a stand-in to check the rest).
fn add_service_errors(lang: Lang, errors: &mut FieldErrors, v: ValidationErrors, skip: &[&'static str]) {
    let t = lang.t();
    for e in v.0 {
        let detail = lang.detail(&e.detail);
        match field_of(&e.pointer) {
            Some(name) if skip.contains(&name) => {}
            Some(name) => errors.push(name, label_of(t, name), detail),
            None => errors.push_general(format!("{} {detail}", e.pointer.trim_start_matches('/'))),
        }
    }
}

fn choices<T: Copy + PartialEq>(
    all: &[T],
    value: &str,
    code: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> String,
) -> Vec<Choice> {
    all.iter().map(|v| Choice { value: code(*v).to_string(), label: label(*v), selected: code(*v) == value }).collect()
}

fn new_page(ctx: &PageCtx, cb: &Carebridge, p: &Principal, form: FormState, errors: FieldErrors) -> NewPage {
    let (t, lang) = (ctx.t(), ctx.lang);
    let sessions_value = form.value("sessions_per_week").to_string();
    let sessions = [("2", lang.sessions(2)), ("3", lang.sessions(3))]
        .into_iter()
        .map(|(v, label)| Choice { value: v.to_string(), label, selected: sessions_value == v })
        .collect();
    // Suggest the codes of the principal's own region (a clinician: their facility's province).
    let root = match p.scope {
        Scope::Region(c) => Some(c),
        Scope::Facility(_) => RegionCode::parse(form.value("region_code")).ok().map(|c| c.province()),
        _ => None,
    };
    let regions = root
        .map(|r| cb.regions.subtree(r))
        .filter(|codes| codes.len() <= MAX_REGION_SUGGESTIONS)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|c| cb.regions.get(c))
        .map(|r| Choice { value: r.code.to_string(), label: r.name.clone(), selected: false })
        .collect();
    NewPage {
        chrome: ctx.chrome(t.new_title, "referrals"),
        t,
        age_bands: choices(AgeBand::ALL, form.value("age_band"), AgeBand::as_str, |a| lang.age_band(a)),
        infections: choices(InfectionStatus::ALL, form.value("infection"), InfectionStatus::as_str, |i| {
            lang.infection(i).to_string()
        }),
        services: choices(ServiceKind::ALL, form.value("need"), ServiceKind::as_str, |s| lang.service(s)),
        urgencies: choices(Urgency::ALL, form.value("urgency"), Urgency::as_str, |u| lang.urgency(u).to_string()),
        sessions,
        regions,
        form,
        errors,
    }
}

/// `GET /referrals/new`: the form, with the region and location of the clinician's facility
/// filled in (most patients are there or nearby).
pub async fn new_form(State(s): State<AppState>, ctx: PageCtx) -> Response {
    let Some(session) = ctx.session.clone() else { return ctx.redirect("/login", &[]) };
    let p = &session.principal;
    if !may_file(p) {
        return ctx.forbidden();
    }
    let mut form = FormState::default();
    form.values.insert("urgency", Urgency::Urgent.as_str().into());
    form.values.insert("infection", InfectionStatus::Unknown.as_str().into());
    if let Scope::Facility(f) = p.scope {
        if let Ok(facility) = s.cb.facility(f).await {
            form.values.insert("region_code", facility.draft.region_code.to_string());
            form.values.insert("lon", facility.draft.location.lon.to_string());
            form.values.insert("lat", facility.draft.location.lat.to_string());
        }
    }
    let page = new_page(&ctx, &s.cb, p, form, FieldErrors::new(&FIELDS));
    ctx.html(StatusCode::OK, &page)
}

/// What the form read: the values as typed, the form's own complaints (missing, not a choice,
/// not a number), and a draft. When a field could not be read the draft carries a stand-in
/// for it (listed in the complaints), so that the service's checks of every other field still
/// run and every complaint is shown at once; such a draft is never filed.
struct ReadForm {
    form: FormState,
    errors: FieldErrors,
    draft: Option<ReferralDraft>,
}

/// Read the form into a draft, and say what is wrong with which field.
fn read_draft(lang: Lang, fields: &[(String, String)]) -> ReadForm {
    let t = lang.t();
    let mut form = FormState::default();
    for name in FIELDS {
        // Notes are kept as typed (line breaks included); the rest trimmed.
        let v = if name == "note" {
            fields.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
        } else {
            field(fields, name).unwrap_or("").to_string()
        };
        form.values.insert(name, v);
    }
    let mut errors = FieldErrors::new(&FIELDS);
    let mut err = |name: &'static str, msg: String| errors.push(name, label_of(t, name), msg);
    let values = form.values.clone();
    let v = |n: &str| values.get(n).map(String::as_str).unwrap_or("");
    let mut vocab = |name: &'static str, ok: bool| {
        if v(name).is_empty() {
            err(name, t.err_required.to_string());
        } else if !ok {
            err(name, format!("“{}” {}", v(name), t.err_not_a_choice));
        }
    };
    let age = AgeBand::parse(v("age_band")).ok();
    vocab("age_band", age.is_some());
    let infection = InfectionStatus::parse(v("infection")).ok();
    vocab("infection", infection.is_some());
    let need = ServiceKind::parse(v("need")).ok();
    vocab("need", need.is_some());
    let urgency = Urgency::parse(v("urgency")).ok();
    vocab("urgency", urgency.is_some());
    // The service checks the pseudonym's length; an empty one is said here with the rest.
    if v("pseudonym").is_empty() {
        err("pseudonym", t.err_required.to_string());
    }
    let region = if v("region_code").is_empty() {
        err("region_code", t.err_required.to_string());
        None
    } else {
        match RegionCode::parse(v("region_code")) {
            Ok(c) => Some(c),
            Err(_) => {
                err("region_code", format!("“{}” {}", v("region_code"), t.err_region_shape));
                None
            }
        }
    };
    let mut number = |name: &'static str| -> Option<f64> {
        let raw = v(name);
        if raw.is_empty() {
            err(name, t.err_required.to_string());
            return None;
        }
        match raw.parse::<f64>() {
            Ok(x) if x.is_finite() => Some(x),
            _ => {
                err(name, t.err_number.to_string());
                None
            }
        }
    };
    let lon = number("lon");
    let lat = number("lat");
    let sessions = match v("sessions_per_week") {
        "" => None,
        raw => match raw.parse::<u8>() {
            Ok(n) => Some(RecurringSchedule { sessions_per_week: n }),
            Err(_) => {
                err("sessions_per_week", format!("“{raw}” {}", t.err_not_a_choice));
                None
            }
        },
    };
    let needs_ambulance = matches!(v("needs_ambulance"), "1" | "on" | "true");
    // Stand-ins for what could not be read (never filed: the complaints above stop that). A
    // missing location stands at the named region's centre, so the region itself is still
    // checked; a missing region takes Beijing's code, its complaint already said.
    let draft = region.or_else(|| RegionCode::parse("110000").ok()).map(|region_code| ReferralDraft {
        patient: PatientInfo {
            pseudonym: if v("pseudonym").is_empty() { "-".into() } else { v("pseudonym").to_string() },
            age_band: age.unwrap_or(AgeBand::ALL[0]),
            // Range checks are the domain's (`ReferralDraft::validate`).
            location: GeoPoint { lon: lon.unwrap_or(f64::NAN), lat: lat.unwrap_or(f64::NAN) },
            region_code,
            infection: infection.unwrap_or(InfectionStatus::Unknown),
        },
        need: need.unwrap_or(ServiceKind::ALL[0]),
        urgency: urgency.unwrap_or(Urgency::Urgent),
        needs_ambulance,
        schedule: sessions,
        note: v("note").to_string(),
    });
    ReadForm { form, errors, draft }
}

/// `POST /referrals/new`: file it; on success, to the referral's page. Every complaint is
/// shown at once: the form's own, and the service's checks of every field the form could read.
pub async fn new_submit(State(s): State<AppState>, ctx: PageCtx, body: Bytes) -> Response {
    let Some(session) = ctx.session.clone() else { return ctx.redirect("/login", &[]) };
    let p = &session.principal;
    let lang = ctx.lang;
    let fields = match checked_form(&ctx, &body) {
        Ok(fields) => fields,
        Err(refused) => return refused,
    };
    if !may_file(p) {
        return ctx.forbidden();
    }
    let ReadForm { form, mut errors, draft } = read_draft(lang, &fields);
    let draft = match draft {
        Some(d) if errors.is_empty() => d,
        draft => {
            // Which fields hold a stand-in: their complaint is said already. A stand-in location
            // (NaN) fails the domain's range check, so the location check is skipped for it; a
            // stand-in region skips the location check as well (it would compare with Beijing).
            let mut skip: Vec<&'static str> = FIELDS.iter().copied().filter(|f| errors.has(f)).collect();
            if errors.has("region_code") {
                skip.extend(["lon", "lat"]);
            }
            if skip.contains(&"need") {
                skip.push("sessions_per_week");
            }
            if let Some(Err(v)) = draft.map(|d| s.cb.check_referral_draft(d)) {
                add_service_errors(lang, &mut errors, v, &skip);
            }
            let page = new_page(&ctx, &s.cb, p, form, errors);
            return ctx.html(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    match s.cb.file_referral(p, draft, &ctx.meta).await {
        Ok(detail) => ctx.redirect(&format!("/referrals/{}?notice=filed", detail.referral.id), &[]),
        Err(ServiceError::Invalid(v)) => {
            add_service_errors(lang, &mut errors, v, &[]);
            let page = new_page(&ctx, &s.cb, p, form, errors);
            ctx.html(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => ctx.referral_error(e),
    }
}

// ---------------------------------------------------------------------------------------------
// GET /referrals/{id}, POST /referrals/{id}/cancel

#[derive(Template)]
#[template(path = "referral.html")]
struct DetailPage {
    chrome: Chrome,
    t: &'static Text,
    notice: Option<&'static str>,
    pseudonym: String,
    status: &'static str,
    status_class: &'static str,
    sentence: String,
    waited: String,
    overdue: bool,
    filed: String,
    deadline: String,
    failed_offers: i64,
    facts: Vec<Fact>,
    why: Option<Why>,
    why_live: bool,
    /// The engine's ranking facility by facility (clinicians and coordinators, open referrals).
    ranking: Option<super::ranking::RankingView>,
    /// The directed-placement page, for a coordinator while the referral is open.
    direct_href: Option<String>,
    tr: &'static crate::web::text_ranking::RankingText,
    timeline: Vec<EventRow>,
    offers: Vec<OfferRow>,
    may_cancel: bool,
    cancel_action: String,
    cancel_reason: String,
    cancel_error: Option<String>,
    back_href: &'static str,
    back_label: &'static str,
}

struct OfferRow {
    facility: String,
    offered: String,
    expires: String,
    status: &'static str,
    holding: bool,
    directed: bool,
    reason: String,
    distance: String,
    /// A recurring patient's session days at this facility.
    weekdays: Option<&'static str>,
}

/// Parse a path id; `None` means 404.
pub fn parse_id<T: std::str::FromStr>(raw: &str) -> Option<T> {
    raw.parse().ok()
}

pub async fn detail(
    State(s): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let Some(session) = ctx.session.clone() else { return ctx.redirect("/login", &[]) };
    let Some(id) = parse_id::<ReferralId>(&id) else { return ctx.not_found() };
    let notice = notice_of(ctx.t(), raw.as_deref());
    render_detail(&s, &ctx, &session.principal, id, notice, None, String::new()).await
}

async fn render_detail(
    s: &AppState,
    ctx: &PageCtx,
    p: &Principal,
    id: ReferralId,
    notice: Option<&'static str>,
    cancel_error: Option<String>,
    cancel_reason: String,
) -> Response {
    let (t, lang, cb) = (ctx.t(), ctx.lang, &s.cb);
    let d = match cb.referral(p, id).await {
        Ok(d) => d,
        Err(e) => return ctx.referral_error(e),
    };
    let mut names = Names::default();
    names.load(cb, lang, &facilities_of(&d)).await;
    let r = &d.referral;
    let now = cb.now();
    let (waited, overdue) = waiting(lang, r, now);
    // Coordinators may ask the engine now; everyone else reads the recorded reasons.
    let (why, why_live) = if p.role.is_coordinator() && r.status.is_open() && d.current_offer.is_none() {
        match cb.explain_referral(p, id).await {
            Ok(placement) => (Some(self::why_live(lang, r, &placement)), true),
            Err(_) => (why_recorded(lang, &d), false),
        }
    } else {
        (why_recorded(lang, &d), false)
    };
    // The ranking shows other facilities' free beds: for clinicians and coordinators only
    // (the service decides; a patient's, desk's or auditor's page never asks).
    let ranking = if r.status.is_open() && (p.role.is_coordinator() || p.role == Role::Clinician) {
        match cb.referral_ranking(p, id, &[]).await {
            Ok(ranking) => Some(super::ranking::ranking_view(cb, lang, &ranking).await),
            Err(_) => None,
        }
    } else {
        None
    };
    let may_cancel =
        r.status.can_become(ReferralStatus::Cancelled) && !matches!(p.role, Role::FacilityDesk | Role::Auditor);
    let (back_href, back_label) =
        if p.role == Role::Patient { ("/me/referrals", t.nav_my_referrals) } else { ("/referrals", t.nav_referrals) };
    let page = DetailPage {
        chrome: ctx.chrome(format!("{} · {}", t.referral_title, r.draft.patient.pseudonym), active_for(p.role)),
        t,
        notice,
        pseudonym: r.draft.patient.pseudonym.clone(),
        status: lang.referral_status(r.status),
        status_class: status_class(r.status),
        sentence: status_sentence(lang, &d, &names),
        waited,
        overdue,
        filed: local_time(r.filed_at),
        deadline: local_time(r.wait_deadline),
        failed_offers: r.failed_offers,
        facts: facts(lang, cb, r),
        why,
        why_live,
        ranking,
        direct_href: (r.status.is_open() && p.role.is_coordinator()).then(|| format!("/placement/referrals/{}", r.id)),
        tr: crate::web::text_ranking::text(lang),
        timeline: timeline(lang, &d, &names),
        offers: d
            .offers
            .iter()
            .map(|o| OfferRow {
                facility: names.get(o.facility_id),
                offered: local_time(o.offered_at),
                expires: local_time(o.expires_at),
                status: lang.offer_status(o.status),
                holding: o.status == OfferStatus::Holding,
                directed: o.directed,
                reason: match (o.decline_reason, &o.decline_note) {
                    (Some(r), Some(n)) => format!("{} — {n}", lang.decline_reason(r)),
                    (Some(r), None) => lang.decline_reason(r).to_string(),
                    _ => String::new(),
                },
                distance: lang.km(o.distance_km),
                weekdays: o.pattern.map(|p| lang.weekdays(p)),
            })
            .collect(),
        may_cancel,
        cancel_action: format!("/referrals/{}/cancel", r.id),
        cancel_reason,
        cancel_error,
        back_href,
        back_label,
    };
    let status = if page.cancel_error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    ctx.html(status, &page)
}

/// The navigation entry a role's referral page belongs under.
fn active_for(role: Role) -> &'static str {
    match role {
        Role::Patient => "mine",
        Role::FacilityDesk => "desk",
        _ => "referrals",
    }
}

/// `POST /referrals/{id}/cancel`.
pub async fn cancel(State(s): State<AppState>, ctx: PageCtx, Path(id): Path<String>, body: Bytes) -> Response {
    let Some(session) = ctx.session.clone() else { return ctx.redirect("/login", &[]) };
    let t = ctx.t();
    let fields = match checked_form(&ctx, &body) {
        Ok(fields) => fields,
        Err(refused) => return refused,
    };
    let Some(id) = parse_id::<ReferralId>(&id) else { return ctx.not_found() };
    let p = &session.principal;
    let reason = field(&fields, "reason").unwrap_or("").to_string();
    match s.cb.cancel_referral(p, id, &reason, &ctx.meta).await {
        Ok(_) => ctx.redirect(&format!("/referrals/{id}?notice=cancelled"), &[]),
        Err(ServiceError::Invalid(v)) => {
            let msg = v.0.first().map(|e| ctx.lang.detail(&e.detail)).unwrap_or_else(|| t.err_required.to_string());
            render_detail(&s, &ctx, p, id, None, Some(msg), reason).await
        }
        Err(e) => ctx.referral_error(e),
    }
}

// ---------------------------------------------------------------------------------------------
// GET /me/referrals

#[derive(Template)]
#[template(path = "my_referrals.html")]
struct MinePage {
    chrome: Chrome,
    t: &'static Text,
    items: Vec<MineItem>,
}

struct MineItem {
    href: String,
    need: String,
    filed: String,
    status: &'static str,
    status_class: &'static str,
    sentence: String,
    last_step: Option<String>,
}

pub async fn mine(State(s): State<AppState>, ctx: PageCtx) -> Response {
    let Some(session) = ctx.session.clone() else { return ctx.redirect("/login", &[]) };
    let p = &session.principal;
    if p.role != Role::Patient {
        return ctx.forbidden();
    }
    let (t, lang, cb) = (ctx.t(), ctx.lang, &s.cb);
    let page = match cb.referrals(p, &ReferralFilter::default(), None, Some(PAGE_SIZE)).await {
        Ok(page) => page,
        Err(e) => return ctx.referral_error(e),
    };
    let mut names = Names::default();
    let mut items = Vec::new();
    for r in &page.items {
        let d = match cb.referral(p, r.id).await {
            Ok(d) => d,
            Err(e) => return ctx.referral_error(e),
        };
        names.load(cb, lang, &facilities_of(&d)).await;
        let last_step = timeline(lang, &d, &names).pop().map(|e| format!("{} · {}", e.at, e.text));
        items.push(MineItem {
            href: format!("/referrals/{}", r.id),
            need: lang.service(r.draft.need),
            filed: local_time(r.filed_at),
            status: lang.referral_status(r.status),
            status_class: status_class(r.status),
            sentence: status_sentence(lang, &d, &names),
            last_step,
        });
    }
    let page = MinePage { chrome: ctx.chrome(t.my_title, "mine"), t, items };
    ctx.html(StatusCode::OK, &page)
}
