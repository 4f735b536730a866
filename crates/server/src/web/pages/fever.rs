//! The fever clinic's pages: the desk's queue board (`GET /desk/fever`, with forms to add an
//! arrival and to call, finish or record a patient who left: `Carebridge::fever_arrive`,
//! `Carebridge::move_fever_visit`), its big-screen mode for the waiting room
//! (`?screen=1`: large type, no forms, pseudonyms shortened, refreshing itself every 30 s with a
//! `<meta http-equiv="refresh">`, so it needs no script), and the public waits
//! (`GET /fever`: every clinic's queue and estimated wait in a region, and from a point the
//! recommended clinic, least travel plus wait: `Carebridge::fever_waits`).

use super::{checked_form, field, pairs, Choice};
use crate::state::AppState;
use crate::web::format::local_time;
use crate::web::page::{Chrome, PageCtx};
use crate::web::text_booking::{self, BookingText};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use carebridge_domain::facility::GeoPoint;
use carebridge_domain::fever::{FeverVisit, FeverVisitStatus};
use carebridge_domain::ids::FeverVisitId;
use carebridge_domain::user::{Role, Scope};
use carebridge_service::fever::{FeverArrival, FeverWaitSearch};
use carebridge_service::ServiceError;

/// The cities the public page offers to pick from (the demo's surges), by code.
const CITIES: &[&str] = &["110000", "420100", "310000"];

#[derive(Template)]
#[template(path = "desk_fever.html")]
struct BoardPage {
    chrome: Chrome,
    b: &'static BookingText,
    screen: bool,
    facility: String,
    wait: String,
    rate: String,
    stalled: bool,
    over: bool,
    waiting: Vec<VisitRow>,
    in_service: Vec<VisitRow>,
    error: Option<String>,
}

struct VisitRow {
    id: String,
    patient: String,
    since: String,
}

fn minutes(b: &BookingText, m: i64) -> String {
    format!("{m} {}", b.minutes)
}

/// On the waiting room's screen a patient is shown by the last three characters of their
/// pseudonym and the visit's short number, not by name.
fn screen_name(v: &FeverVisit) -> String {
    let tail: String = v.patient_pseudonym.chars().rev().take(3).collect::<Vec<_>>().into_iter().rev().collect();
    let id = v.id.to_string();
    format!("…{tail} · {}", &id[id.len() - 4..])
}

pub async fn board(State(s): State<AppState>, ctx: PageCtx, RawQuery(raw): RawQuery) -> Response {
    let Some(session) = ctx.session.clone() else { return ctx.redirect("/login", &[]) };
    let p = session.principal;
    let (Role::FacilityDesk, Scope::Facility(facility_id)) = (p.role, p.scope) else { return ctx.forbidden() };
    let query = pairs(raw.unwrap_or_default().as_bytes());
    let screen = field(&query, "screen").is_some();
    let error = field(&query, "error").map(str::to_string);
    let (lang, b) = (ctx.lang, text_booking::text(ctx.lang));
    let board = match s.cb.fever_board(&p, facility_id).await {
        Ok(board) => board,
        Err(ServiceError::NotFound) => {
            return ctx.error(StatusCode::NOT_FOUND, ctx.t().err_title_not_found, b.fv_no_clinic)
        }
        Err(e) => return ctx.service_error(e),
    };
    let row = |v: &FeverVisit, when: carebridge_domain::clock::Timestamp| VisitRow {
        id: v.id.to_string(),
        patient: if screen { screen_name(v) } else { v.patient_pseudonym.clone() },
        since: local_time(when),
    };
    let page = BoardPage {
        chrome: ctx.chrome(b.fv_title, "fever-queue"),
        b,
        screen,
        facility: lang.pick(board.wait.facility_name_zh.clone(), board.wait.facility_name_en.clone()),
        wait: minutes(b, board.wait.estimate.minutes),
        rate: format!("{:.1}", board.wait.estimate.patients_per_hour),
        stalled: board.wait.estimate.stalled,
        over: board.wait.over_threshold,
        waiting: board.waiting.iter().map(|v| row(v, v.arrived_at)).collect(),
        in_service: board.in_service.iter().map(|v| row(v, v.called_at.unwrap_or(v.arrived_at))).collect(),
        error,
    };
    ctx.html(StatusCode::OK, &page)
}

/// `POST /desk/fever/arrive`: `patient_pseudonym`.
pub async fn arrive(State(s): State<AppState>, ctx: PageCtx, body: Bytes) -> Response {
    let Some(session) = ctx.session.clone() else { return ctx.redirect("/login", &[]) };
    let fields = match checked_form(&ctx, &body) {
        Ok(f) => f,
        Err(refused) => return refused,
    };
    let p = session.principal;
    let Scope::Facility(facility_id) = p.scope else { return ctx.forbidden() };
    let arrival = FeverArrival { patient_pseudonym: field(&fields, "patient_pseudonym").unwrap_or_default().into() };
    match s.cb.fever_arrive(&p, facility_id, arrival, &ctx.meta).await {
        Ok(_) => ctx.redirect("/desk/fever", &[]),
        Err(ServiceError::Invalid(v)) => {
            let why: Vec<String> = v.0.iter().map(|f| f.detail.clone()).collect();
            let q = form_urlencoded::Serializer::new(String::new()).append_pair("error", &why.join("; ")).finish();
            ctx.redirect(&format!("/desk/fever?{q}"), &[])
        }
        Err(e) => ctx.service_error(e),
    }
}

/// `POST /desk/fever/{id}/move`: `status` = `called`, `seen` or `left`.
pub async fn move_visit(State(s): State<AppState>, ctx: PageCtx, Path(id): Path<String>, body: Bytes) -> Response {
    let Some(session) = ctx.session.clone() else { return ctx.redirect("/login", &[]) };
    let fields = match checked_form(&ctx, &body) {
        Ok(f) => f,
        Err(refused) => return refused,
    };
    let Ok(id) = id.parse::<FeverVisitId>() else { return ctx.not_found() };
    let Some(to) = field(&fields, "status").and_then(|v| FeverVisitStatus::parse(v).ok()) else {
        return ctx.error(StatusCode::UNPROCESSABLE_ENTITY, ctx.t().err_title_bad_request, ctx.t().err_filters);
    };
    match s.cb.move_fever_visit(&session.principal, id, to, &ctx.meta).await {
        Ok(_) => ctx.redirect("/desk/fever", &[]),
        Err(ServiceError::Conflict(m)) => {
            let q = form_urlencoded::Serializer::new(String::new()).append_pair("error", &m).finish();
            ctx.redirect(&format!("/desk/fever?{q}"), &[])
        }
        Err(e) => ctx.service_error(e),
    }
}

#[derive(Template)]
#[template(path = "fever_waits.html")]
struct WaitsPage {
    chrome: Chrome,
    b: &'static BookingText,
    cities: Vec<Choice>,
    lon: String,
    lat: String,
    near: bool,
    recommended: Option<WaitRow>,
    rows: Vec<WaitRow>,
}

#[derive(Clone)]
struct WaitRow {
    href: String,
    name: String,
    waiting: u32,
    wait: String,
    travel: String,
    total: String,
    over: bool,
    recommended: bool,
}

/// `GET /fever?region=&lon=&lat=`: public.
pub async fn waits(State(s): State<AppState>, ctx: PageCtx, RawQuery(raw): RawQuery) -> Response {
    let query = pairs(raw.unwrap_or_default().as_bytes());
    let (lang, b) = (ctx.lang, text_booking::text(ctx.lang));
    let lon = field(&query, "lon").unwrap_or_default().to_string();
    let lat = field(&query, "lat").unwrap_or_default().to_string();
    let near = match (lon.parse::<f64>(), lat.parse::<f64>()) {
        (Ok(lon), Ok(lat)) => Some(GeoPoint { lon, lat }),
        _ => None,
    };
    let region = field(&query, "region").unwrap_or(CITIES[0]).to_string();
    let search = FeverWaitSearch {
        region: if near.is_some() { None } else { Some(region.clone()) },
        near,
        radius_km: near.map(|_| 30.0),
    };
    let found = match s.cb.fever_waits(&search).await {
        Ok(w) => w,
        Err(e) => return ctx.service_error(e),
    };
    let rows: Vec<WaitRow> = found
        .clinics
        .iter()
        .map(|c| WaitRow {
            href: format!("/facilities/{}", c.facility_id),
            name: lang.pick(c.facility_name_zh.clone(), c.facility_name_en.clone()),
            waiting: c.waiting,
            wait: minutes(b, c.estimate.minutes),
            travel: c.travel_minutes.map(|m| minutes(b, m)).unwrap_or_default(),
            total: c.total_minutes.map(|m| minutes(b, m)).unwrap_or_default(),
            over: c.over_threshold,
            recommended: found.recommended == Some(c.facility_id),
        })
        .collect();
    let page = WaitsPage {
        chrome: ctx.chrome(b.pw_title, "fever-waits"),
        b,
        cities: CITIES
            .iter()
            .map(|code| Choice {
                value: code.to_string(),
                label: s.cb.regions.lookup(code).map(|r| r.name.clone()).unwrap_or_default(),
                selected: *code == region,
            })
            .collect(),
        lon,
        lat,
        near: near.is_some(),
        recommended: rows.iter().find(|r| r.recommended).cloned(),
        rows,
    };
    ctx.html(StatusCode::OK, &page)
}
