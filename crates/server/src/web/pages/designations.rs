//! The coordinators' designation pages.
//!
//! - `GET /designations`: the orders of the facilities the coordinator governs, newest first,
//!   each read as a change (the designation in force before it → the one it orders), who
//!   ordered it, when it takes effect and why; `?facility=` narrows to one facility's history.
//!   Above it, the form to order a designation for a facility picked by name (`?q=` narrows
//!   the choice), kind, time, document number and reason.
//! - `POST /designations`: every field is checked at once (each complaint beside its field and
//!   listed in the banner), then the order is previewed as a displacement
//!   (`Carebridge::preview_displacement`). If it moves no one, the order is recorded at once
//!   (`Carebridge::order_designation`); otherwise the coordinator is sent to the preview.
//! - `GET /placement/displacements/{id}`: the preview (or, once applied, its record): per
//!   patient why they move and the outcome — re-placed where, one-way travel, same province or
//!   not — or unplaced with the reason in words (`too_far` reads as "too far: … all beyond the
//!   travel limit"), with the apply form.
//! - `POST /placement/displacements/{id}/apply`: a confirmation and an acknowledgement ticked
//!   for every patient left without a place, then `Carebridge::apply_displacement`; the record
//!   then links to the stranded patients board where those patients now stand.

use super::referrals::{parse_id, status_class, Names};
use super::{checked_form, field, pairs, Choice};
use crate::state::AppState;
use crate::web::format::local_time;
use crate::web::i18n::{Lang, Text};
use crate::web::page::{Chrome, PageCtx};
use crate::web::pages::directory::designation_class;
use crate::web::text_designations::TextDesignations;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use carebridge_domain::clock::Timestamp;
use carebridge_domain::designation::{current_designation, Designation, DesignationOrder, DesignationOrderDraft};
use carebridge_domain::ids::{FacilityId, PlanId, ReferralId, UserId};
use carebridge_domain::text::rules;
use carebridge_domain::user::{Principal, Scope};
use carebridge_service::displacement::{DisplacementApply, DisplacementRequest, DisplacementView, FacilityChange};
use carebridge_service::facilities::DirectoryQuery;
use carebridge_service::{Carebridge, ServiceError};
use carebridge_store::facilities::FacilityFilter;
use chrono::{NaiveDateTime, TimeDelta};
use std::collections::{BTreeSet, HashMap};

/// Orders on one page of the history.
const ORDERS_PER_PAGE: u32 = 50;
/// Facilities offered in the form's choice at most (the directory's largest page).
const CHOICES: u32 = 500;
/// One facility's orders read to tell what each order changed from.
const HISTORY: u32 = 500;
/// The form's fields, in the order they are shown (and listed in the banner).
const FIELDS: [&str; 5] = ["facility_id", "designation", "effective_at", "order_number", "reason"];
/// China Standard Time, as the pages show times.
const CHINA_MS: i64 = 8 * 3_600_000;

/// The order form as typed, and the complaint beside each field.
#[derive(Debug, Default, Clone)]
pub struct OrderForm {
    values: HashMap<&'static str, String>,
    errors: HashMap<&'static str, String>,
}

impl OrderForm {
    pub fn value(&self, name: &str) -> &str {
        self.values.get(name).map(String::as_str).unwrap_or("")
    }
    pub fn error(&self, name: &str) -> Option<&str> {
        self.errors.get(name).map(String::as_str)
    }
    fn complain(&mut self, name: &'static str, msg: impl Into<String>) {
        self.errors.entry(name).or_insert_with(|| msg.into());
    }
}

/// One complaint in the banner, linking to its field.
struct BannerItem {
    href: String,
    label: &'static str,
    message: String,
}

#[derive(Template)]
#[template(path = "designations.html")]
struct ListPage {
    chrome: Chrome,
    t: &'static Text,
    d: &'static TextDesignations,
    notice: Option<&'static str>,
    place: String,
    form: OrderForm,
    banner: Vec<BannerItem>,
    /// Complaints that name no field.
    general: Vec<String>,
    search: String,
    facilities: Vec<Choice>,
    designations: Vec<Choice>,
    history_heading: String,
    filtered: bool,
    orders: Vec<OrderRow>,
    older_href: Option<String>,
}

struct OrderRow {
    id: String,
    facility: String,
    facility_href: String,
    change: String,
    to_class: &'static str,
    state: Option<&'static str>,
    effective: String,
    ordered: String,
    by: String,
    number: String,
    reason: String,
}

/// Who ordered or previewed, by display name where the reader may see that user.
#[derive(Default)]
struct People(HashMap<UserId, String>);

impl People {
    async fn get(&mut self, cb: &Carebridge, p: &Principal, d: &TextDesignations, id: UserId) -> String {
        if let Some(n) = self.0.get(&id) {
            return n.clone();
        }
        let name = match cb.get_user(p, id).await {
            Ok(u) if !u.display_name.trim().is_empty() => format!("{} ({})", u.display_name, u.username),
            Ok(u) => u.username,
            Err(_) => d.another_coordinator.to_string(),
        };
        self.0.insert(id, name.clone());
        name
    }
}

/// The region the coordinator governs (`None` for the nation).
fn governed(p: &Principal) -> Option<carebridge_domain::region::RegionCode> {
    match p.scope {
        Scope::Region(c) => Some(c),
        _ => None,
    }
}

/// `t` as the value of a `datetime-local` input, in China time.
fn input_time(t: Timestamp) -> String {
    Timestamp::from_millis(t.millis() + CHINA_MS).to_datetime().format("%Y-%m-%dT%H:%M").to_string()
}

/// A `datetime-local` value (China time) as a timestamp.
fn parse_input_time(v: &str) -> Option<Timestamp> {
    let naive = NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| NaiveDateTime::parse_from_str(v, "%Y-%m-%d %H:%M"))
        .ok()?;
    let utc = naive.checked_sub_signed(TimeDelta::hours(8))?.and_utc();
    Some(Timestamp::from_datetime(utc))
}

/// The complaint of a text rule, in the page's words.
fn rule_problem(
    lang: Lang,
    d: &TextDesignations,
    rule: &carebridge_domain::text::TextRule,
    value: &str,
) -> Option<String> {
    rule.problem(value)?;
    Some(if value.chars().count() > rule.max {
        lang.at_most_chars(rule.max)
    } else if value.trim().is_empty() {
        d.err_required.to_string()
    } else if value.contains(['\n', '\r', '\t']) {
        d.err_one_line.to_string()
    } else {
        d.err_control.to_string()
    })
}

/// The label of a form field, for the banner.
fn label_of(d: &'static TextDesignations, name: &str) -> &'static str {
    match name {
        "facility_id" => d.f_facility,
        "designation" => d.f_designation,
        "effective_at" => d.f_effective,
        "order_number" => d.f_order_number,
        _ => d.f_reason,
    }
}

/// The form field a service complaint's pointer names.
fn field_of(pointer: &str) -> Option<&'static str> {
    match pointer {
        "/facility_id" => Some("facility_id"),
        "/designation" | "/change" | "/change/designation" => Some("designation"),
        "/effective_at" => Some("effective_at"),
        "/order_number" => Some("order_number"),
        "/reason" => Some("reason"),
        _ => None,
    }
}

pub async fn list(State(s): State<AppState>, ctx: PageCtx, RawQuery(raw): RawQuery) -> Response {
    let Some(session) = ctx.session.clone() else { return ctx.redirect("/login", &[]) };
    let p = &session.principal;
    if !p.role.is_coordinator() {
        return ctx.forbidden();
    }
    let q = pairs(raw.unwrap_or_default().as_bytes());
    let d = TextDesignations::of(ctx.lang);
    let notice = match field(&q, "notice") {
        Some("ordered") => Some(d.notice_ordered),
        Some("applied") => Some(d.notice_applied),
        _ => None,
    };
    let facility = field(&q, "facility").and_then(parse_id::<FacilityId>);
    let mut form = OrderForm::default();
    if let Some(f) = facility {
        form.values.insert("facility_id", f.to_string());
    }
    form.values.insert("effective_at", input_time(s.cb.now()));
    let listing = Listing {
        search: field(&q, "q").unwrap_or("").to_string(),
        facility,
        cursor: field(&q, "cursor").map(str::to_string),
    };
    render_list(&s, &ctx, p, notice, form, Vec::new(), listing, StatusCode::OK).await
}

/// What the history and the facility choice show.
struct Listing {
    search: String,
    facility: Option<FacilityId>,
    cursor: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn render_list(
    s: &AppState,
    ctx: &PageCtx,
    p: &Principal,
    notice: Option<&'static str>,
    form: OrderForm,
    general: Vec<String>,
    listing: Listing,
    status: StatusCode,
) -> Response {
    let (t, lang, cb) = (ctx.t(), ctx.lang, &s.cb);
    let d = TextDesignations::of(lang);
    let region = governed(p);
    let place = region.and_then(|c| cb.regions.get(c)).map(|r| r.name.clone()).unwrap_or_else(|| t.nation.to_string());

    // The facilities the coordinator may order for, by name.
    let query = DirectoryQuery {
        region: region.map(|r| r.to_string()),
        filter: FacilityFilter { text: Some(listing.search.clone()).filter(|q| !q.is_empty()), ..Default::default() },
        cursor: None,
        limit: Some(CHOICES),
    };
    let mut found = match cb.directory(&query).await {
        Ok(page) => page.items,
        Err(e) => return ctx.service_error(e),
    };
    let chosen = form.value("facility_id").to_string();
    // A facility already chosen stays choosable when a search leaves it out.
    if let Some(id) = parse_id::<FacilityId>(&chosen).filter(|id| !found.iter().any(|f| f.id == *id)) {
        if let Ok(f) = cb.facility(id).await {
            if region.is_none_or(|r| cb.regions.contains(r, f.draft.region_code)) {
                found.push(f);
            }
        }
    }
    let mut facilities: Vec<Choice> = found
        .into_iter()
        .map(|f| {
            let value = f.id.to_string();
            Choice {
                selected: value == chosen,
                label: format!("{} · {}", lang.pick(f.draft.name_zh, f.draft.name_en), lang.designation(f.designation)),
                value,
            }
        })
        .collect();
    facilities.sort_by(|a, b| a.label.cmp(&b.label));
    let designations = Designation::ALL
        .iter()
        .map(|x| Choice {
            value: x.as_str().to_string(),
            label: lang.designation(*x).to_string(),
            selected: form.value("designation") == x.as_str(),
        })
        .collect();

    // The history, newest first.
    let page = match cb.designation_orders(p, listing.facility, listing.cursor.as_deref(), Some(ORDERS_PER_PAGE)).await
    {
        Ok(page) => page,
        Err(ServiceError::Invalid(_)) if listing.cursor.is_some() => {
            return ctx.error(StatusCode::BAD_REQUEST, t.err_title_bad_request, t.err_filters)
        }
        Err(e) => return ctx.service_error(e),
    };
    let mut names = Names::default();
    let ids: Vec<FacilityId> = page.items.iter().map(|o| o.draft.facility_id).collect();
    names.load(cb, lang, &ids).await;
    let mut histories: HashMap<FacilityId, Vec<DesignationOrder>> = HashMap::new();
    for id in &ids {
        if !histories.contains_key(id) {
            let all = match cb.designation_orders(p, Some(*id), None, Some(HISTORY)).await {
                Ok(h) => h.items,
                Err(e) => return ctx.service_error(e),
            };
            histories.insert(*id, all);
        }
    }
    let now = cb.now();
    let mut people = People::default();
    let mut orders = Vec::new();
    for o in &page.items {
        let history = &histories[&o.draft.facility_id];
        let key = |x: &DesignationOrder| (x.draft.effective_at, x.ordered_at);
        // What was in force just before this order took effect.
        let before: Vec<DesignationOrder> = history.iter().filter(|x| key(x) < key(o)).cloned().collect();
        let from = current_designation(&before, o.draft.effective_at);
        let in_force = history.iter().filter(|x| x.draft.effective_at <= now).max_by_key(|x| key(x)).map(|x| x.id);
        let state = if o.draft.effective_at > now {
            Some(d.pending_effect)
        } else if in_force == Some(o.id) {
            Some(d.now_in_force)
        } else {
            None
        };
        orders.push(OrderRow {
            id: o.id.to_string(),
            facility: names.get(o.draft.facility_id),
            facility_href: format!("/designations?facility={}", o.draft.facility_id),
            change: lang.change_of(lang.designation(from), lang.designation(o.draft.designation)),
            to_class: designation_class(o.draft.designation),
            state,
            effective: local_time(o.draft.effective_at),
            ordered: local_time(o.ordered_at),
            by: people.get(cb, p, d, o.ordered_by).await,
            number: o.draft.order_number.clone(),
            reason: o.draft.reason.clone(),
        });
    }
    let older_href = page.next_cursor.map(|c| {
        let mut q = form_urlencoded::Serializer::new(String::new());
        if let Some(f) = listing.facility {
            q.append_pair("facility", &f.to_string());
        }
        q.append_pair("cursor", &c);
        format!("/designations?{}", q.finish())
    });
    let history_heading = match listing.facility {
        Some(f) => {
            names.load(cb, lang, &[f]).await;
            lang.history_of(&names.get(f))
        }
        None => d.history_h.to_string(),
    };
    let banner = FIELDS
        .iter()
        .filter_map(|name| {
            form.error(name).map(|e| BannerItem {
                href: format!("#{name}"),
                label: label_of(d, name),
                message: e.to_string(),
            })
        })
        .collect();
    let page = ListPage {
        chrome: ctx.chrome(format!("{} · {place}", d.title), "designations"),
        t,
        d,
        notice,
        place,
        form,
        banner,
        general,
        search: listing.search,
        facilities,
        designations,
        history_heading,
        filtered: listing.facility.is_some(),
        orders,
        older_href,
    };
    ctx.html(status, &page)
}

/// The order as checked, ready for the service.
struct Checked {
    facility_id: FacilityId,
    designation: Designation,
    effective_at: Timestamp,
    order_number: String,
    reason: String,
}

/// Read and check every field of the order form, collecting every complaint.
fn read_order(lang: Lang, now: Timestamp, fields: &[(String, String)]) -> (OrderForm, Option<Checked>) {
    let d = TextDesignations::of(lang);
    let mut form = OrderForm::default();
    for name in FIELDS {
        // Keep the reason as typed (line breaks and all); the others are trimmed.
        let v = if name == "reason" {
            fields.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
        } else {
            field(fields, name).unwrap_or("").to_string()
        };
        form.values.insert(name, v);
    }
    let facility_id = match form.value("facility_id") {
        "" => {
            form.complain("facility_id", d.err_choose);
            None
        }
        v => parse_id::<FacilityId>(v).or_else(|| {
            form.complain("facility_id", d.err_choose);
            None
        }),
    };
    let designation = match form.value("designation") {
        "" => {
            form.complain("designation", d.err_choose);
            None
        }
        v => Designation::parse(v).ok().or_else(|| {
            form.complain("designation", d.err_choose);
            None
        }),
    };
    let effective_at = match form.value("effective_at") {
        "" => Some(now),
        v => parse_input_time(v).or_else(|| {
            form.complain("effective_at", d.err_time);
            None
        }),
    };
    if let Some(e) = rule_problem(lang, d, &rules::ORDER_NUMBER, form.value("order_number")) {
        form.complain("order_number", e);
    }
    if let Some(e) = rule_problem(lang, d, &rules::REASON, form.value("reason")) {
        form.complain("reason", e);
    }
    let checked = match (facility_id, designation, effective_at) {
        (Some(facility_id), Some(designation), Some(effective_at)) if form.errors.is_empty() => Some(Checked {
            facility_id,
            designation,
            effective_at,
            order_number: form.value("order_number").to_string(),
            reason: form.value("reason").to_string(),
        }),
        _ => None,
    };
    (form, checked)
}

/// `POST /designations`: check, preview the displacement, and record at once if it moves no one.
pub async fn order(State(s): State<AppState>, ctx: PageCtx, body: Bytes) -> Response {
    let Some(session) = ctx.session.clone() else { return ctx.redirect("/login", &[]) };
    let fields = match checked_form(&ctx, &body) {
        Ok(fields) => fields,
        Err(refused) => return refused,
    };
    let p = &session.principal;
    if !p.role.is_coordinator() {
        return ctx.forbidden();
    }
    let lang = ctx.lang;
    let listing = |form: &OrderForm| Listing {
        search: field(&fields, "q").unwrap_or("").to_string(),
        facility: parse_id::<FacilityId>(form.value("facility_id")),
        cursor: None,
    };
    let (mut form, checked) = read_order(lang, s.cb.now(), &fields);
    let Some(c) = checked else {
        let l = listing(&form);
        return render_list(&s, &ctx, p, None, form, Vec::new(), l, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let request = DisplacementRequest {
        facility_id: c.facility_id,
        change: FacilityChange::Designation { designation: c.designation },
        effective_at: c.effective_at,
        reason: c.reason.clone(),
        order_number: Some(c.order_number.clone()),
    };
    let refused = |form: &mut OrderForm, v: carebridge_domain::ValidationErrors| {
        let d = TextDesignations::of(lang);
        let mut general = Vec::new();
        for e in v.0 {
            let detail = if e.detail == "no such facility in the region you govern" {
                d.err_unknown_facility.to_string()
            } else {
                lang.detail(&e.detail)
            };
            match field_of(&e.pointer) {
                Some(name) => form.complain(name, detail),
                None => general.push(detail),
            }
        }
        general
    };
    let view = match s.cb.preview_displacement(p, request, &ctx.meta).await {
        Ok(view) => view,
        Err(ServiceError::Invalid(v)) => {
            let general = refused(&mut form, v);
            let l = listing(&form);
            return render_list(&s, &ctx, p, None, form, general, l, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        Err(e) => return ctx.service_error(e),
    };
    if !view.displaced.is_empty() {
        return ctx.redirect(&format!("/placement/displacements/{}", view.id), &[]);
    }
    let draft = DesignationOrderDraft {
        facility_id: c.facility_id,
        designation: c.designation,
        effective_at: c.effective_at,
        reason: c.reason,
        order_number: c.order_number,
    };
    match s.cb.order_designation(p, draft, &ctx.meta).await {
        Ok(o) => ctx.redirect(&format!("/designations?facility={}&notice=ordered", o.draft.facility_id), &[]),
        Err(ServiceError::Invalid(v)) => {
            let general = refused(&mut form, v);
            let l = listing(&form);
            render_list(&s, &ctx, p, None, form, general, l, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => ctx.service_error(e),
    }
}

// ---------------------------------------------------------------------------------------------
// The displacement preview and its apply.

#[derive(Template)]
#[template(path = "displacement.html")]
struct DisplacementPage {
    chrome: Chrome,
    t: &'static Text,
    d: &'static TextDesignations,
    notice: Option<&'static str>,
    facility: String,
    facility_href: String,
    change: String,
    change_class: &'static str,
    effective: String,
    reason: String,
    order_number: Option<String>,
    applied: bool,
    status: &'static str,
    previewed: String,
    apply_before: String,
    applied_line: Option<String>,
    summary: String,
    rows: Vec<PatientRow>,
    /// The apply form is shown (a preview still fresh).
    may_apply: bool,
    expired: bool,
    action: String,
    acks: Vec<Ack>,
    ack_error: Option<&'static str>,
    confirm_error: Option<&'static str>,
    conflict: Option<&'static str>,
    again: Option<Again>,
    result: Option<String>,
}

struct PatientRow {
    id: String,
    href: String,
    pseudonym: String,
    need: String,
    unit: &'static str,
    status: &'static str,
    status_class: &'static str,
    why: &'static str,
    weekdays: Option<&'static str>,
    next_session: Option<String>,
    placed: Option<Placed>,
    unplaced: Option<Unplaced>,
}

struct Placed {
    facility: String,
    travel: String,
    province: &'static str,
    cross: bool,
    km: String,
    weekdays: Option<&'static str>,
    gap: Option<String>,
}

struct Unplaced {
    why: String,
    too_far: bool,
    excluded: Vec<String>,
}

struct Ack {
    id: String,
    value: String,
    label: String,
    checked: bool,
}

/// The fields to preview a designation again (a stale preview).
struct Again {
    facility_id: String,
    designation: String,
    effective_at: String,
    order_number: String,
    reason: String,
}

/// What the apply form sent back, when it is shown again.
#[derive(Default)]
struct ApplyState {
    ticked: BTreeSet<ReferralId>,
    ack_error: bool,
    confirm_error: bool,
    conflict: bool,
}

pub async fn displacement(
    State(s): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let Some(session) = ctx.session.clone() else { return ctx.redirect("/login", &[]) };
    let p = &session.principal;
    if !p.role.is_coordinator() {
        return ctx.forbidden();
    }
    let Some(id) = parse_id::<PlanId>(&id) else { return ctx.not_found() };
    let q = pairs(raw.unwrap_or_default().as_bytes());
    let d = TextDesignations::of(ctx.lang);
    let notice = (field(&q, "notice") == Some("applied")).then_some(d.notice_applied);
    let view = match s.cb.displacement(p, id).await {
        Ok(v) => v,
        Err(e) => return ctx.service_error(e),
    };
    render_displacement(&s, &ctx, p, &view, notice, ApplyState::default(), StatusCode::OK).await
}

async fn render_displacement(
    s: &AppState,
    ctx: &PageCtx,
    p: &Principal,
    view: &DisplacementView,
    notice: Option<&'static str>,
    state: ApplyState,
    status: StatusCode,
) -> Response {
    let (t, lang, cb) = (ctx.t(), ctx.lang, &s.cb);
    let d = TextDesignations::of(lang);
    let now = cb.now();
    let mut names = Names::default();
    let mut ids = vec![view.facility_id];
    ids.extend(view.placements.iter().map(|x| x.facility_id));
    names.load(cb, lang, &ids).await;
    let (change, change_class) = match view.change {
        FacilityChange::Designation { designation } => {
            (lang.designation(designation).to_string(), designation_class(designation))
        }
        FacilityChange::CommandeerUnit { unit } => (lang.commandeer(lang.unit(unit)), "d-closed"),
    };
    let mut rows = Vec::new();
    let mut pseudonyms: HashMap<ReferralId, String> = HashMap::new();
    for x in &view.displaced {
        let pseudonym = match cb.referral(p, x.referral_id).await {
            Ok(r) => r.referral.draft.patient.pseudonym,
            Err(_) => x.referral_id.to_string(),
        };
        pseudonyms.insert(x.referral_id, pseudonym.clone());
        let placed = view.placements.iter().find(|pl| pl.referral_id == x.referral_id).map(|pl| Placed {
            facility: names.get(pl.facility_id),
            travel: lang.minutes(pl.travel_minutes),
            province: if pl.cross_province { d.cross_province } else { d.same_province },
            cross: pl.cross_province,
            km: lang.km(pl.distance_km),
            weekdays: pl.pattern.map(|w| lang.weekdays(w)),
            gap: pl.gap_days.map(|g| lang.gap_days(g)),
        });
        let unplaced = view.unplaced.iter().find(|u| u.referral_id == x.referral_id).map(|u| Unplaced {
            why: lang.unplaced_why(&u.why, u.beyond_travel_limit),
            too_far: u.why == "too_far",
            excluded: u.excluded.iter().filter(|(_, n)| **n > 0).map(|(c, n)| lang.excluded_count(c, *n)).collect(),
        });
        rows.push(PatientRow {
            id: x.referral_id.to_string(),
            href: format!("/referrals/{}", x.referral_id),
            pseudonym,
            need: lang.service(x.need),
            unit: lang.unit(x.unit),
            status: lang.referral_status(x.status),
            status_class: status_class(x.status),
            why: lang.displaced_why(&x.why),
            weekdays: x.pattern.map(|w| lang.weekdays(w)),
            next_session: x.next_session.map(|t| local_time(t).replace(" 00:00", "")),
            placed,
            unplaced,
        });
    }
    let applied = view.status == "applied";
    let expired = !applied && now > view.apply_before;
    let acks = view
        .unplaced
        .iter()
        .map(|u| Ack {
            id: format!("ack-{}", u.referral_id),
            value: u.referral_id.to_string(),
            label: lang.acknowledge(pseudonyms.get(&u.referral_id).map(String::as_str).unwrap_or("")),
            checked: state.ticked.contains(&u.referral_id),
        })
        .collect();
    let again = match view.change {
        FacilityChange::Designation { designation } if !applied && (expired || state.conflict) => Some(Again {
            facility_id: view.facility_id.to_string(),
            designation: designation.as_str().to_string(),
            effective_at: input_time(view.effective_at),
            order_number: view.order_number.clone().unwrap_or_default(),
            reason: view.reason.clone(),
        }),
        _ => None,
    };
    let mut people = People::default();
    let previewed = format!("{} · {}", people.get(cb, p, d, view.created_by).await, local_time(view.created_at));
    let applied_line = match (view.applied_by, view.applied_at) {
        (Some(by), Some(at)) => Some(format!("{} · {}", people.get(cb, p, d, by).await, local_time(at))),
        _ => None,
    };
    let facility = names.get(view.facility_id);
    let page = DisplacementPage {
        chrome: ctx.chrome(format!("{} · {facility}", d.displacement_title), "designations"),
        t,
        d,
        notice,
        facility_href: format!("/designations?facility={}", view.facility_id),
        facility,
        change,
        change_class,
        effective: local_time(view.effective_at),
        reason: view.reason.clone(),
        order_number: view.order_number.clone(),
        applied,
        status: if applied { d.status_applied } else { d.status_preview },
        previewed,
        apply_before: local_time(view.apply_before),
        applied_line,
        summary: lang.displacement_summary(view.displaced.len(), view.placements.len(), view.unplaced.len()),
        rows,
        may_apply: !applied && !expired && !state.conflict,
        expired,
        action: format!("/placement/displacements/{}/apply", view.id),
        acks,
        ack_error: state.ack_error.then_some(d.err_ack),
        confirm_error: state.confirm_error.then_some(d.err_confirm),
        conflict: state.conflict.then_some(d.err_conflict),
        again,
        result: applied.then(|| lang.applied_summary(view.placements.len(), view.unplaced.len())),
    };
    ctx.html(status, &page)
}

/// `POST /placement/displacements/{id}/apply`: `confirm` and one `acknowledge` per patient
/// left without a place.
pub async fn apply(State(s): State<AppState>, ctx: PageCtx, Path(id): Path<String>, body: Bytes) -> Response {
    let Some(session) = ctx.session.clone() else { return ctx.redirect("/login", &[]) };
    let fields = match checked_form(&ctx, &body) {
        Ok(fields) => fields,
        Err(refused) => return refused,
    };
    let p = &session.principal;
    if !p.role.is_coordinator() {
        return ctx.forbidden();
    }
    let Some(id) = parse_id::<PlanId>(&id) else { return ctx.not_found() };
    let view = match s.cb.displacement(p, id).await {
        Ok(v) => v,
        Err(e) => return ctx.service_error(e),
    };
    let ticked: BTreeSet<ReferralId> =
        fields.iter().filter(|(k, _)| k == "acknowledge").filter_map(|(_, v)| parse_id(v.trim())).collect();
    let unplaced: BTreeSet<ReferralId> = view.unplaced.iter().map(|u| u.referral_id).collect();
    let mut state = ApplyState {
        ack_error: !unplaced.is_subset(&ticked),
        confirm_error: field(&fields, "confirm").is_none(),
        ticked,
        conflict: false,
    };
    if state.ack_error || state.confirm_error {
        return render_displacement(&s, &ctx, p, &view, None, state, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let ack = DisplacementApply { acknowledge_unplaced: state.ticked.intersection(&unplaced).copied().collect() };
    match s.cb.apply_displacement(p, id, ack, &ctx.meta).await {
        Ok(_) => ctx.redirect(&format!("/placement/displacements/{id}?notice=applied"), &[]),
        Err(ServiceError::Invalid(v)) if v.0.iter().any(|e| e.pointer == "/acknowledge_unplaced") => {
            state.ack_error = true;
            render_displacement(&s, &ctx, p, &view, None, state, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(ServiceError::Conflict(_)) => {
            state.conflict = true;
            // Read again: another coordinator may have applied it meanwhile.
            let view = s.cb.displacement(p, id).await.unwrap_or(view);
            render_displacement(&s, &ctx, p, &view, None, state, StatusCode::CONFLICT).await
        }
        Err(e) => ctx.service_error(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_times_are_china_time_both_ways() {
        let t = Timestamp::parse_rfc3339("2020-02-14T08:00:00Z").unwrap();
        assert_eq!(input_time(t), "2020-02-14T16:00");
        assert_eq!(parse_input_time("2020-02-14T16:00"), Some(t));
        assert_eq!(parse_input_time("2020-02-14 16:00"), Some(t));
        assert_eq!(parse_input_time("14/02/2020"), None);
    }

    #[test]
    fn every_complaint_of_the_form_is_collected_at_once() {
        let now = Timestamp::parse_rfc3339("2020-02-14T08:00:00Z").unwrap();
        let fields: Vec<(String, String)> = [
            ("facility_id", ""),
            ("designation", "virus"),
            ("effective_at", "soon"),
            ("order_number", ""),
            ("reason", " "),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        for lang in [Lang::Zh, Lang::En] {
            let (form, checked) = read_order(lang, now, &fields);
            assert!(checked.is_none());
            for name in FIELDS {
                assert!(form.error(name).is_some(), "{lang:?}: {name} has its complaint");
            }
        }
        let good: Vec<(String, String)> = [
            ("facility_id", "0190a1f0-0000-7000-8000-000000000001"),
            ("designation", "virus_designated"),
            ("effective_at", ""),
            ("order_number", "武防指〔2020〕40号"),
            ("reason", "Union Hospital designated\nfor COVID-19"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let (form, checked) = read_order(Lang::En, now, &good);
        assert!(form.errors.is_empty(), "{:?}", form.errors);
        let c = checked.expect("checked");
        assert_eq!(c.effective_at, now, "empty means now");
        assert_eq!(c.designation, Designation::VirusDesignated);
        let mut bad = good.clone();
        bad[3].1 = "a\nb".into();
        let (form, _) = read_order(Lang::En, now, &bad);
        assert_eq!(form.error("order_number"), Some(EN_ONE_LINE));
    }

    const EN_ONE_LINE: &str = crate::web::text_designations::EN.err_one_line;
}
