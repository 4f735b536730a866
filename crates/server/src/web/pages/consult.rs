//! Online consultations on pages: a patient asks and reads the answers (`/consult`), a
//! clinician takes the next from the facility's queue and answers in writing with suggested
//! medicines, or hands it back (`/clinic/consultations`). The use cases are the API's
//! (`Carebridge::request_consultation`, `take_next_consultation`, `answer_consultation`, …).

use super::{checked_form, field, Choice};
use crate::state::AppState;
use crate::web::format::local_time;
use crate::web::i18n::Lang;
use crate::web::page::{Chrome, PageCtx};
use crate::web::text_consult::{self, ConsultText};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use carebridge_domain::consultation::{
    ConsultationAnswer, ConsultationDraft, ConsultationStatus, SuggestedMedicine, MAX_MEDICINES,
};
use carebridge_domain::ids::FacilityId;
use carebridge_domain::referral::AgeBand;
use carebridge_domain::region::RegionCode;
use carebridge_domain::user::{Principal, Role, Scope};
use carebridge_service::consultations::ConsultationView;
use carebridge_service::ServiceError;

/// One consultation as the pages show it.
struct Item {
    id: String,
    facility: String,
    requested: String,
    status: &'static str,
    status_key: &'static str,
    complaint: String,
    age: String,
    position: Option<i64>,
    answer: Option<String>,
    medicines: Vec<String>,
    referred: bool,
    booked: bool,
    waiting: bool,
}

fn status_label(lang: Lang, s: ConsultationStatus) -> &'static str {
    match lang {
        Lang::Zh => s.label_zh(),
        Lang::En => s.label_en(),
    }
}

fn item(lang: Lang, v: ConsultationView) -> Item {
    let c = v.consultation;
    Item {
        id: c.id.to_string(),
        facility: lang.pick(v.facility_name_zh, v.facility_name_en),
        requested: local_time(c.requested_at),
        status: status_label(lang, c.status),
        status_key: c.status.as_str(),
        age: lang.pick(c.age_band.label_zh().to_string(), c.age_band.years().to_string()),
        complaint: c.complaint,
        position: v.position,
        answer: c.answer,
        medicines: c
            .medicines
            .into_iter()
            .map(|m| if m.instructions.is_empty() { m.name } else { format!("{} — {}", m.name, m.instructions) })
            .collect(),
        referred: c.status == ConsultationStatus::Referred,
        booked: c.status == ConsultationStatus::Booked,
        waiting: c.status == ConsultationStatus::Waiting,
    }
}

#[derive(Template)]
#[template(path = "consult.html")]
struct PatientPage {
    chrome: Chrome,
    c: &'static ConsultText,
    errors: Vec<String>,
    facilities: Vec<Choice>,
    ages: Vec<Choice>,
    complaint: String,
    region: String,
    mine: Vec<Item>,
}

/// What the patient typed, to show again.
#[derive(Default)]
struct Typed {
    facility: Option<String>,
    age: Option<AgeBand>,
    complaint: String,
    region: String,
}

fn patient(ctx: &PageCtx) -> Result<Principal, Response> {
    let Some(session) = ctx.session.clone() else { return Err(ctx.redirect("/login", &[])) };
    match session.principal.role {
        Role::Patient => Ok(session.principal),
        _ => Err(ctx.forbidden()),
    }
}

async fn render_patient(s: &AppState, ctx: &PageCtx, p: &Principal, typed: Typed, errors: Vec<String>) -> Response {
    let (lang, c) = (ctx.lang, text_consult::text(ctx.lang));
    let care = match s.cb.online_care(None).await {
        Ok(care) => care,
        Err(e) => return ctx.service_error(e),
    };
    let mine = match s.cb.my_consultations(p, Some(50)).await {
        Ok(list) => list.into_iter().map(|v| item(lang, v)).collect(),
        Err(e) => return ctx.service_error(e),
    };
    let page = PatientPage {
        chrome: ctx.chrome(c.title, "consult"),
        c,
        errors,
        facilities: care
            .into_iter()
            .map(|o| Choice {
                selected: typed.facility.as_deref() == Some(o.facility_id.to_string().as_str()),
                value: o.facility_id.to_string(),
                label: format!("{} ({} {})", lang.pick(o.facility_name_zh, o.facility_name_en), o.waiting, c.waiting_n),
            })
            .collect(),
        ages: AgeBand::ALL
            .iter()
            .map(|a| Choice {
                value: a.as_str().into(),
                label: lang.pick(a.label_zh().to_string(), a.years().to_string()),
                selected: typed.age.unwrap_or(AgeBand::Adult) == *a,
            })
            .collect(),
        complaint: typed.complaint,
        region: typed.region,
        mine,
    };
    ctx.html(StatusCode::OK, &page)
}

/// Field errors as lines a person reads.
fn lines(e: ServiceError) -> Result<Vec<String>, ServiceError> {
    match e {
        ServiceError::Invalid(v) => {
            Ok(v.0.iter().map(|f| format!("{} {}", f.pointer.trim_start_matches('/'), f.detail)).collect())
        }
        ServiceError::Conflict(m) => Ok(vec![m]),
        e => Err(e),
    }
}

pub async fn show(State(s): State<AppState>, ctx: PageCtx) -> Response {
    match patient(&ctx) {
        Ok(p) => render_patient(&s, &ctx, &p, Typed::default(), Vec::new()).await,
        Err(r) => r,
    }
}

pub async fn ask(State(s): State<AppState>, ctx: PageCtx, body: Bytes) -> Response {
    let p = match patient(&ctx) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let fields = match checked_form(&ctx, &body) {
        Ok(f) => f,
        Err(refused) => return refused,
    };
    let c = text_consult::text(ctx.lang);
    let typed = Typed {
        facility: field(&fields, "facility_id").map(str::to_string),
        age: field(&fields, "age_band").and_then(|v| AgeBand::parse(v).ok()),
        complaint: field(&fields, "complaint").unwrap_or_default().to_string(),
        region: field(&fields, "region_code").unwrap_or_default().to_string(),
    };
    let mut errors = Vec::new();
    let facility = typed.facility.as_deref().and_then(|f| f.parse::<FacilityId>().ok());
    if facility.is_none() {
        errors.push(format!("{}: {}", c.facility, c.no_facility));
    }
    let region = RegionCode::parse(&typed.region).ok();
    if region.is_none() {
        errors.push(format!("{}: {}", c.region, c.region_help));
    }
    let (Some(facility_id), Some(region_code), true) = (facility, region, errors.is_empty()) else {
        return render_patient(&s, &ctx, &p, typed, errors).await;
    };
    let draft = ConsultationDraft {
        facility_id,
        complaint: typed.complaint.clone(),
        age_band: typed.age.unwrap_or(AgeBand::Adult),
        region_code,
        location: None,
    };
    match s.cb.request_consultation(&p, draft, &ctx.meta).await {
        Ok(_) => ctx.redirect("/consult", &[]),
        Err(e) => match lines(e) {
            Ok(errors) => render_patient(&s, &ctx, &p, typed, errors).await,
            Err(e) => ctx.service_error(e),
        },
    }
}

pub async fn withdraw(State(s): State<AppState>, ctx: PageCtx, Path(id): Path<String>, body: Bytes) -> Response {
    let p = match patient(&ctx) {
        Ok(p) => p,
        Err(r) => return r,
    };
    if let Err(refused) = checked_form(&ctx, &body) {
        return refused;
    }
    let Ok(id) = id.parse() else { return ctx.service_error(ServiceError::NotFound) };
    match s.cb.withdraw_consultation(&p, id, &ctx.meta).await {
        Ok(_) => ctx.redirect("/consult", &[]),
        Err(e) => match lines(e) {
            Ok(errors) => render_patient(&s, &ctx, &p, Typed::default(), errors).await,
            Err(e) => ctx.service_error(e),
        },
    }
}

#[derive(Template)]
#[template(path = "clinic_consultations.html")]
struct QueuePage {
    chrome: Chrome,
    c: &'static ConsultText,
    errors: Vec<String>,
    empty_notice: bool,
    waiting: Vec<Item>,
    mine: Vec<Item>,
}

fn clinician(ctx: &PageCtx) -> Result<(Principal, FacilityId), Response> {
    let Some(session) = ctx.session.clone() else { return Err(ctx.redirect("/login", &[])) };
    let p = session.principal;
    match (p.role, p.scope) {
        (Role::Clinician, Scope::Facility(f)) => Ok((p, f)),
        _ => Err(ctx.forbidden()),
    }
}

async fn render_queue(
    s: &AppState,
    ctx: &PageCtx,
    p: &Principal,
    facility: FacilityId,
    errors: Vec<String>,
    empty_notice: bool,
) -> Response {
    let (lang, c) = (ctx.lang, text_consult::text(ctx.lang));
    let waiting = match s.cb.consultation_queue(p, facility, None, Some(100)).await {
        Ok(list) => list.into_iter().map(|v| item(lang, v)).collect(),
        Err(e) => return ctx.service_error(e),
    };
    let mine = match s.cb.consultation_queue(p, facility, Some(ConsultationStatus::Taken), Some(100)).await {
        Ok(list) => {
            list.into_iter().filter(|v| v.consultation.taken_by == Some(p.user_id)).map(|v| item(lang, v)).collect()
        }
        Err(e) => return ctx.service_error(e),
    };
    let page = QueuePage { chrome: ctx.chrome(c.q_title, "consultations"), c, errors, empty_notice, waiting, mine };
    ctx.html(StatusCode::OK, &page)
}

pub async fn queue(State(s): State<AppState>, ctx: PageCtx) -> Response {
    match clinician(&ctx) {
        Ok((p, f)) => render_queue(&s, &ctx, &p, f, Vec::new(), false).await,
        Err(r) => r,
    }
}

pub async fn take_next(State(s): State<AppState>, ctx: PageCtx, body: Bytes) -> Response {
    let (p, facility) = match clinician(&ctx) {
        Ok(c) => c,
        Err(r) => return r,
    };
    if let Err(refused) = checked_form(&ctx, &body) {
        return refused;
    }
    match s.cb.take_next_consultation(&p, facility, &ctx.meta).await {
        Ok(Some(_)) => ctx.redirect("/clinic/consultations", &[]),
        Ok(None) => render_queue(&s, &ctx, &p, facility, Vec::new(), true).await,
        Err(e) => ctx.service_error(e),
    }
}

/// `name — instructions` per line (an em dash, or ` - `), at most [`MAX_MEDICINES`] kept for
/// the use case to judge.
fn medicines(text: &str) -> Vec<SuggestedMedicine> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(MAX_MEDICINES + 1)
        .map(|l| {
            let (name, how) = l.split_once('—').or_else(|| l.split_once(" - ")).unwrap_or((l, ""));
            SuggestedMedicine { name: name.trim().into(), instructions: how.trim().into(), item_code: None }
        })
        .collect()
}

pub async fn answer(State(s): State<AppState>, ctx: PageCtx, Path(id): Path<String>, body: Bytes) -> Response {
    let (p, facility) = match clinician(&ctx) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let fields = match checked_form(&ctx, &body) {
        Ok(f) => f,
        Err(refused) => return refused,
    };
    let Ok(id) = id.parse() else { return ctx.service_error(ServiceError::NotFound) };
    let answer = ConsultationAnswer {
        answer: field(&fields, "answer").unwrap_or_default().to_string(),
        medicines: medicines(field(&fields, "medicines").unwrap_or_default()),
    };
    let done = if field(&fields, "release").is_some() {
        s.cb.release_consultation(&p, id, &ctx.meta).await
    } else {
        s.cb.answer_consultation(&p, id, answer, &ctx.meta).await
    };
    match done {
        Ok(_) => ctx.redirect("/clinic/consultations", &[]),
        Err(e) => match lines(e) {
            Ok(errors) => render_queue(&s, &ctx, &p, facility, errors, false).await,
            Err(e) => ctx.service_error(e),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::medicines;

    #[test]
    fn each_line_is_a_medicine_with_its_instructions() {
        let m = medicines("paracetamol 500 mg — every 6 hours\n\n ibuprofen 200 mg - with food \nloratadine");
        let got: Vec<_> = m.iter().map(|m| (m.name.as_str(), m.instructions.as_str())).collect();
        assert_eq!(
            got,
            [("paracetamol 500 mg", "every 6 hours"), ("ibuprofen 200 mg", "with food"), ("loratadine", "")]
        );
    }
}
