//! `GET /desk/offers` and `POST /desk/offers/{id}/answer`: a facility desk's inbox of offers
//! holding a bed for a patient, each with what the desk needs to decide (age band, infection,
//! need, urgency, ambulance, note, distance) and the hold's countdown, and the Accept and
//! Decline forms (`Carebridge::answer_offer`); below them the patients accepted here who have
//! not arrived yet, each with a "mark admitted" form (`POST /desk/referrals/{id}/admit`,
//! `Carebridge::admit_referral`).
//!
//! The countdown is rendered by the server (the expiry as a local time and the time left as
//! `h:mm:ss`), so it reads right without scripts; `/assets/countdown.js` only ticks the time
//! left down in place. It counts from the server's figure rather than the browser's clock,
//! which may be wrong. After an answer the desk is sent back to the inbox with a notice.

use super::referrals::{facts, parse_id, Fact};
use super::{checked_form, field, Choice};
use crate::state::AppState;
use crate::web::format::local_time;
use crate::web::i18n::Text;
use crate::web::page::{Chrome, PageCtx};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use carebridge_domain::ids::{OfferId, ReferralId};
use carebridge_domain::referral::{DeclineReason, OfferStatus, ReferralStatus, Urgency};
use carebridge_domain::user::{Role, Scope};
use carebridge_service::referrals::OfferAnswer;
use carebridge_service::ServiceError;

#[derive(Template)]
#[template(path = "desk_offers.html")]
struct InboxPage {
    chrome: Chrome,
    t: &'static Text,
    notice: Option<&'static str>,
    facility: String,
    offers: Vec<OfferCard>,
    reasons: Vec<Choice>,
    arriving: Vec<Arriving>,
}

/// A patient the facility accepted who has not been marked admitted yet.
struct Arriving {
    pseudonym: String,
    referral_href: String,
    action: String,
    need: String,
    accepted: String,
}

struct OfferCard {
    id: String,
    action: String,
    referral_href: String,
    pseudonym: String,
    urgency: &'static str,
    urgent: bool,
    facts: Vec<Fact>,
    distance: String,
    offered: String,
    expires: String,
    expires_iso: String,
    left_seconds: i64,
    left: String,
    directed: bool,
}

/// Seconds as `h:mm:ss`, the countdown's language-neutral form (the script writes the same).
pub fn clock(seconds: i64) -> String {
    let s = seconds.max(0);
    format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

pub async fn inbox(State(s): State<AppState>, ctx: PageCtx, RawQuery(raw): RawQuery) -> Response {
    let Some(session) = ctx.session.clone() else { return ctx.redirect("/login", &[]) };
    let p = &session.principal;
    let Scope::Facility(facility_id) = p.scope else { return ctx.forbidden() };
    if p.role != Role::FacilityDesk {
        return ctx.forbidden();
    }
    let (t, lang, cb) = (ctx.t(), ctx.lang, &s.cb);
    let (offers, accepted) =
        tokio::join!(cb.offer_inbox(p, Some(OfferStatus::Holding)), cb.offer_inbox(p, Some(OfferStatus::Accepted)));
    let (offers, accepted) = match (offers, accepted) {
        (Ok(o), Ok(a)) => (o, a),
        (Err(e), _) | (_, Err(e)) => return ctx.referral_error(e),
    };
    let facility = match cb.facility(facility_id).await {
        Ok(f) => lang.pick(f.draft.name_zh, f.draft.name_en),
        Err(e) => return ctx.referral_error(e),
    };
    let now = cb.now();
    let mut cards = Vec::new();
    // Soonest to expire first: that is the one to answer.
    let mut offers = offers;
    offers.sort_by_key(|o| o.expires_at);
    for o in offers.into_iter().filter(|o| o.expires_at > now) {
        let d = match cb.referral(p, o.referral_id).await {
            Ok(d) => d,
            Err(ServiceError::NotFound) => continue,
            Err(e) => return ctx.referral_error(e),
        };
        let r = &d.referral;
        let left_seconds = (o.expires_at.millis() - now.millis()) / 1000;
        cards.push(OfferCard {
            id: o.id.to_string(),
            action: format!("/desk/offers/{}/answer", o.id),
            referral_href: format!("/referrals/{}", r.id),
            pseudonym: r.draft.patient.pseudonym.clone(),
            urgency: lang.urgency(r.draft.urgency),
            urgent: matches!(r.draft.urgency, Urgency::Emergency | Urgency::Urgent),
            facts: {
                let mut f = facts(lang, cb, r);
                if let Some(p) = o.pattern {
                    f.push(Fact { label: t.f_weekdays, value: lang.weekdays(p).to_string() });
                }
                if let Some(m) = o.travel_minutes {
                    f.push(Fact { label: t.f_travel, value: lang.minutes(m) });
                }
                if o.cross_province {
                    f.push(Fact { label: t.f_cross_province, value: t.yes.to_string() });
                }
                if let Some(over) = &o.constraint_override {
                    let names: Vec<String> = over.constraints.iter().map(|c| lang.constraint(*c)).collect();
                    f.push(Fact { label: t.f_override, value: format!("{} — {}", names.join("; "), over.reason) });
                }
                f
            },
            distance: lang.km(o.distance_km),
            offered: local_time(o.offered_at),
            expires: local_time(o.expires_at),
            expires_iso: o.expires_at.to_rfc3339(),
            left_seconds,
            left: clock(left_seconds),
            directed: o.directed,
        });
    }
    let mut arriving = Vec::new();
    for o in accepted {
        let Ok(d) = cb.referral(p, o.referral_id).await else { continue };
        let r = &d.referral;
        if r.status != ReferralStatus::Accepted || r.placed_at != Some(facility_id) {
            continue;
        }
        arriving.push(Arriving {
            pseudonym: r.draft.patient.pseudonym.clone(),
            referral_href: format!("/referrals/{}", r.id),
            action: format!("/desk/referrals/{}/admit", r.id),
            need: format!("{} · {}", lang.service(r.draft.need), lang.unit(r.draft.unit())),
            accepted: format!(
                "{} {}",
                lang.offer_status(OfferStatus::Accepted),
                o.answered_at.map(local_time).unwrap_or_default()
            ),
        });
    }
    let page = InboxPage {
        chrome: ctx.chrome(t.desk_title, "desk"),
        t,
        notice: super::referrals::notice_of(t, raw.as_deref()),
        facility,
        offers: cards,
        reasons: DeclineReason::ALL
            .iter()
            .map(|r| Choice {
                value: r.as_str().to_string(),
                label: lang.decline_reason(*r).to_string(),
                selected: false,
            })
            .collect(),
        arriving,
    };
    ctx.html(StatusCode::OK, &page)
}

/// `POST /desk/referrals/{id}/admit`: the patient accepted here has arrived.
pub async fn admit(State(s): State<AppState>, ctx: PageCtx, Path(id): Path<String>, body: Bytes) -> Response {
    let Some(session) = ctx.session.clone() else { return ctx.redirect("/login", &[]) };
    if let Err(refused) = checked_form(&ctx, &body) {
        return refused;
    }
    let p = &session.principal;
    if p.role != Role::FacilityDesk {
        return ctx.forbidden();
    }
    let Some(id) = parse_id::<ReferralId>(&id) else { return ctx.not_found() };
    match s.cb.admit_referral(p, id, &ctx.meta).await {
        Ok(_) => ctx.redirect("/desk/offers?notice=admitted", &[]),
        Err(e) => ctx.referral_error(e),
    }
}

/// `POST /desk/offers/{id}/answer`: `answer=accept`, or `answer=decline` with `reason` (and an
/// optional `note`).
pub async fn answer(State(s): State<AppState>, ctx: PageCtx, Path(id): Path<String>, body: Bytes) -> Response {
    let Some(session) = ctx.session.clone() else { return ctx.redirect("/login", &[]) };
    let t = ctx.t();
    let fields = match checked_form(&ctx, &body) {
        Ok(fields) => fields,
        Err(refused) => return refused,
    };
    let p = &session.principal;
    if p.role != Role::FacilityDesk {
        return ctx.forbidden();
    }
    let Some(id) = parse_id::<OfferId>(&id) else { return ctx.not_found() };
    let (answer, done) = match field(&fields, "answer") {
        Some("accept") => (OfferAnswer::Accept, "accepted"),
        Some("decline") => match field(&fields, "reason").map(DeclineReason::parse) {
            Some(Ok(reason)) => {
                (OfferAnswer::Decline { reason, note: field(&fields, "note").map(str::to_string) }, "declined")
            }
            _ => return ctx.redirect("/desk/offers?notice=reason", &[]),
        },
        _ => {
            return ctx.error(
                StatusCode::BAD_REQUEST,
                t.err_title_bad_request,
                &format!("{}: {}", t.col_answer, t.err_required),
            )
        }
    };
    match s.cb.answer_offer(p, id, answer, &ctx.meta).await {
        Ok(_) => ctx.redirect(&format!("/desk/offers?notice={done}"), &[]),
        Err(ServiceError::Conflict(_)) => ctx.redirect("/desk/offers?notice=gone", &[]),
        Err(e) => ctx.referral_error(e),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_countdown_reads_hours_minutes_seconds() {
        assert_eq!(super::clock(7199), "1:59:59");
        assert_eq!(super::clock(59), "0:00:59");
        assert_eq!(super::clock(-3), "0:00:00");
    }
}
