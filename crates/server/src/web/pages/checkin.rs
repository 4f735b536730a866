//! `GET|POST /desk/check-in`: a desk checks an arriving patient in against the
//! online-registration rule (`Carebridge::check_in`, the use case behind
//! `POST /api/v1/facilities/{id}/check-ins`): the rule in force here is shown above the form,
//! the outcome (booked, exempt, walk-in, registered on the spot, must register with the next
//! free slot) below it, and today's check-ins under that.

use super::{checked_form, field, Choice};
use crate::state::AppState;
use crate::web::format::local_time;
use crate::web::i18n::Lang;
use crate::web::page::{Chrome, PageCtx};
use crate::web::text_booking::{self, BookingText};
use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use carebridge_domain::facility::Facility;
use carebridge_domain::registration::{CheckInDraft, CheckInOutcome, Exemption};
use carebridge_domain::service_kind::ServiceKind;
use carebridge_domain::user::{Principal, Role, Scope};
use carebridge_service::ServiceError;

#[derive(Template)]
#[template(path = "desk_check_in.html")]
struct CheckInPage {
    chrome: Chrome,
    b: &'static BookingText,
    facility: String,
    rule: String,
    errors: Vec<String>,
    services: Vec<Choice>,
    exemptions: Vec<Choice>,
    pseudonym: String,
    booking: String,
    register: bool,
    result: Option<ResultView>,
    today: Vec<Row>,
}

struct ResultView {
    outcome: &'static str,
    outcome_key: &'static str,
    patient: String,
    slot: Option<String>,
    detail: String,
}

struct Row {
    time: String,
    patient: String,
    service: String,
    outcome: &'static str,
}

fn outcome_label(lang: Lang, o: CheckInOutcome) -> &'static str {
    match lang {
        Lang::Zh => o.label_zh(),
        Lang::En => o.label_en(),
    }
}

fn exemption_label(lang: Lang, e: Exemption) -> &'static str {
    match lang {
        Lang::Zh => e.label_zh(),
        Lang::En => e.label_en(),
    }
}

/// What the form had, to show again.
#[derive(Default)]
struct Typed {
    service: Option<ServiceKind>,
    exemption: Option<Exemption>,
    pseudonym: String,
    booking: String,
    register: bool,
}

fn desk(ctx: &PageCtx) -> Result<(Principal, carebridge_domain::ids::FacilityId), Response> {
    let Some(session) = ctx.session.clone() else { return Err(ctx.redirect("/login", &[])) };
    let p = session.principal;
    match (p.role, p.scope) {
        (Role::FacilityDesk, Scope::Facility(f)) => Ok((p, f)),
        _ => Err(ctx.forbidden()),
    }
}

async fn render(
    s: &AppState,
    ctx: &PageCtx,
    p: &Principal,
    facility: &Facility,
    typed: Typed,
    errors: Vec<String>,
    result: Option<ResultView>,
) -> Response {
    let (lang, b) = (ctx.lang, text_booking::text(ctx.lang));
    let rule = match s.cb.registration_rule(facility.draft.region_code).await {
        Ok(r) => match r.in_force {
            None => b.ci_rule_none.to_string(),
            Some(o) if o.draft.required => {
                let names: Vec<&str> = o.draft.exemptions.iter().map(|e| exemption_label(lang, *e)).collect();
                format!(
                    "{} ({}, {}). {} {}",
                    b.ci_rule_required,
                    o.draft.order_number,
                    local_time(o.draft.effective_at),
                    b.ci_rule_exempt,
                    names.join(", ")
                )
            }
            Some(o) => format!("{} ({}).", b.ci_rule_lifted, o.draft.order_number),
        },
        Err(e) => return ctx.service_error(e),
    };
    let today = match s.cb.check_ins(p, facility.id, None, Some(100)).await {
        Ok(list) => list
            .into_iter()
            .map(|c| Row {
                time: local_time(c.at),
                patient: c.patient_pseudonym,
                service: lang.service(c.service),
                outcome: outcome_label(lang, c.outcome),
            })
            .collect(),
        Err(e) => return ctx.service_error(e),
    };
    let chosen = typed.service.unwrap_or(ServiceKind::InternalMedicine);
    let page = CheckInPage {
        chrome: ctx.chrome(b.ci_title, "check-in"),
        b,
        facility: lang.pick(facility.draft.name_zh.clone(), facility.draft.name_en.clone()),
        rule,
        errors,
        services: facility
            .draft
            .services
            .iter()
            .map(|sv| Choice { value: sv.as_str().into(), label: lang.service(*sv), selected: *sv == chosen })
            .collect(),
        exemptions: Exemption::ALL
            .iter()
            .map(|e| Choice {
                value: e.as_str().into(),
                label: exemption_label(lang, *e).into(),
                selected: typed.exemption == Some(*e),
            })
            .collect(),
        pseudonym: typed.pseudonym,
        booking: typed.booking,
        register: typed.register,
        result,
        today,
    };
    ctx.html(StatusCode::OK, &page)
}

pub async fn show(State(s): State<AppState>, ctx: PageCtx) -> Response {
    let (p, facility_id) = match desk(&ctx) {
        Ok(d) => d,
        Err(r) => return r,
    };
    match s.cb.facility(facility_id).await {
        Ok(f) => render(&s, &ctx, &p, &f, Typed::default(), Vec::new(), None).await,
        Err(e) => ctx.service_error(e),
    }
}

pub async fn submit(State(s): State<AppState>, ctx: PageCtx, body: Bytes) -> Response {
    let (p, facility_id) = match desk(&ctx) {
        Ok(d) => d,
        Err(r) => return r,
    };
    let fields = match checked_form(&ctx, &body) {
        Ok(f) => f,
        Err(refused) => return refused,
    };
    let facility = match s.cb.facility(facility_id).await {
        Ok(f) => f,
        Err(e) => return ctx.service_error(e),
    };
    let (lang, b) = (ctx.lang, text_booking::text(ctx.lang));
    let typed = Typed {
        service: field(&fields, "service").and_then(|v| ServiceKind::parse(v).ok()),
        exemption: field(&fields, "exemption").and_then(|v| Exemption::parse(v).ok()),
        pseudonym: field(&fields, "patient_pseudonym").unwrap_or_default().to_string(),
        booking: field(&fields, "booking_id").unwrap_or_default().to_string(),
        register: field(&fields, "register").is_some(),
    };
    let mut errors = Vec::new();
    let booking_id = match field(&fields, "booking_id").map(|v| v.parse()) {
        None => None,
        Some(Ok(id)) => Some(id),
        Some(Err(_)) => {
            errors.push(format!("{} {}", b.ci_booking, b.bad_booking));
            None
        }
    };
    let Some(service) = typed.service else {
        errors.push(format!("{}: {}", b.ci_service, ctx.t().err_filters));
        return render(&s, &ctx, &p, &facility, typed, errors, None).await;
    };
    if !errors.is_empty() {
        return render(&s, &ctx, &p, &facility, typed, errors, None).await;
    }
    let draft = CheckInDraft {
        service,
        booking_id,
        patient_pseudonym: Some(typed.pseudonym.clone()).filter(|n| !n.is_empty()),
        exemption: typed.exemption,
        register: typed.register,
    };
    match s.cb.check_in(&p, facility_id, draft, &ctx.meta).await {
        Ok(answer) => {
            let result = ResultView {
                outcome: outcome_label(lang, answer.check_in.outcome),
                outcome_key: answer.check_in.outcome.as_str(),
                patient: answer.check_in.patient_pseudonym.clone(),
                slot: answer.slot.map(|sl| local_time(sl.starts_at)),
                detail: answer.detail,
            };
            render(&s, &ctx, &p, &facility, Typed::default(), Vec::new(), Some(result)).await
        }
        Err(ServiceError::Invalid(v)) => {
            let errors = v.0.iter().map(|f| format!("{} {}", f.pointer.trim_start_matches('/'), f.detail)).collect();
            render(&s, &ctx, &p, &facility, typed, errors, None).await
        }
        Err(ServiceError::Conflict(m)) => render(&s, &ctx, &p, &facility, typed, vec![m], None).await,
        Err(e) => ctx.service_error(e),
    }
}
