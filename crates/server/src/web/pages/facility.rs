//! `GET /facilities/{id}`: one facility's page. The public part is what the directory shows
//! (name, level, region, address, phone, services, the children-only flag, the current
//! designation); signed-in staff whose scope covers the facility also see its capacity by unit
//! with each unit's age and staleness (as the board shows it) and the designation orders behind
//! the current designation. Who sees which numbers is the service's decision
//! (`Carebridge::facility_capacity`, `Carebridge::designation_orders`): out of scope reads as
//! "not shown", never as an error page, because the public part stands on its own.

use super::directory::{designation_class, region_name, takes_new_label};
use crate::state::AppState;
use crate::web::format::{count, local_time};
use crate::web::i18n::{Lang, Text};
use crate::web::page::{Chrome, PageCtx};
use crate::web::text_desk::{self, DeskText};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use carebridge_domain::capacity::FacilityCapacity;
use carebridge_domain::facility::Facility;
use carebridge_domain::ids::FacilityId;
use carebridge_domain::user::{Principal, Role, Scope};
use carebridge_service::{Carebridge, ServiceError};

#[derive(Template)]
#[template(path = "facility.html")]
struct FacilityPage {
    chrome: Chrome,
    t: &'static Text,
    d: &'static DeskText,
    name: String,
    other_name: String,
    level: &'static str,
    region: String,
    address: String,
    phone: String,
    services: Vec<String>,
    children_only: bool,
    takes_new: String,
    designation: &'static str,
    designation_class: &'static str,
    /// `None`: not shown to this reader (signed out, a patient, or out of scope).
    capacity: Option<CapacityView>,
    /// `None`: not shown to this reader.
    orders: Option<Vec<OrderRow>>,
    report_href: Option<String>,
}

struct CapacityView {
    report_time: Option<String>,
    stale: bool,
    units: Vec<UnitRow>,
}

struct UnitRow {
    label: &'static str,
    physical: String,
    staffed: String,
    occupied: String,
    available: String,
    over: bool,
    as_of: String,
    age: String,
    stale: bool,
}

struct OrderRow {
    designation: &'static str,
    designation_class: &'static str,
    effective: String,
    number: String,
    reason: String,
    in_force: bool,
}

/// Whether `p` may report this facility's capacity (for the link; the service decides anyway).
fn may_report(cb: &Carebridge, p: &Principal, f: &Facility) -> bool {
    match (p.role, p.scope) {
        (Role::FacilityDesk, Scope::Facility(id)) => id == f.id,
        (r, Scope::Nation) if r.is_coordinator() => true,
        (r, Scope::Region(c)) if r.is_coordinator() => cb.regions.contains(c, f.draft.region_code),
        _ => false,
    }
}

fn capacity_view(lang: Lang, c: &FacilityCapacity) -> CapacityView {
    let units = c
        .units
        .iter()
        .map(|u| {
            let age = c.unit_ages.iter().find(|a| a.unit == u.unit);
            UnitRow {
                label: lang.unit(u.unit),
                physical: count(u.counts.physical()),
                staffed: count(u.counts.staffed()),
                occupied: count(u.counts.occupied()),
                available: count(u.counts.available()),
                over: u.counts.overloaded(),
                as_of: age.map(|a| local_time(a.as_of)).unwrap_or_default(),
                age: age.map(|a| text_desk::ago(lang, &lang.age(a.age_seconds))).unwrap_or_default(),
                stale: age.is_some_and(|a| a.stale),
            }
        })
        .collect();
    CapacityView {
        report_time: match (c.newest_as_of, c.age_seconds) {
            (Some(n), Some(age)) => Some(text_desk::report_time(lang, &local_time(n), &lang.age(age))),
            _ => None,
        },
        stale: c.stale,
        units,
    }
}

pub async fn get(State(s): State<AppState>, ctx: PageCtx, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<FacilityId>() else { return ctx.not_found() };
    let cb = &s.cb;
    let f = match cb.facility(id).await {
        Ok(f) => f,
        Err(ServiceError::NotFound) => return ctx.not_found(),
        Err(e) => return ctx.service_error(e),
    };
    let (lang, t, d) = (ctx.lang, ctx.t(), text_desk::text(ctx.lang));
    let reader = ctx.session.as_ref().map(|s| &s.principal).filter(|p| p.role != Role::Patient);
    let (capacity, orders, report_href) = match reader {
        None => (None, None, None),
        Some(p) => {
            let (capacity, orders) =
                tokio::join!(cb.facility_capacity(p, id), cb.designation_orders(p, Some(id), None, Some(100)));
            let capacity = match capacity {
                Ok(c) => Some(capacity_view(lang, &c)),
                Err(ServiceError::NotFound | ServiceError::Forbidden(_)) => None,
                Err(e) => return ctx.service_error(e),
            };
            let now = cb.now();
            let orders = match orders {
                Ok(page) => {
                    let in_force = page
                        .items
                        .iter()
                        .filter(|o| o.draft.effective_at <= now)
                        .max_by_key(|o| (o.draft.effective_at, o.ordered_at))
                        .map(|o| o.id);
                    Some(
                        page.items
                            .iter()
                            .map(|o| OrderRow {
                                designation: lang.designation(o.draft.designation),
                                designation_class: designation_class(o.draft.designation),
                                effective: local_time(o.draft.effective_at),
                                number: o.draft.order_number.clone(),
                                reason: o.draft.reason.clone(),
                                in_force: Some(o.id) == in_force,
                            })
                            .collect(),
                    )
                }
                Err(ServiceError::NotFound | ServiceError::Forbidden(_)) => None,
                Err(e) => return ctx.service_error(e),
            };
            // Only where the reader sees the facility's numbers is the form theirs to open.
            let href = (capacity.is_some() && may_report(cb, p, &f)).then(|| match p.role {
                Role::FacilityDesk => "/desk/capacity".to_string(),
                _ => format!("/facilities/{id}/capacity"),
            });
            (capacity, orders, href)
        }
    };
    let dr = &f.draft;
    let (name, other_name) = match lang {
        Lang::Zh => (dr.name_zh.clone(), dr.name_en.clone()),
        Lang::En => (dr.name_en.clone(), dr.name_zh.clone()),
    };
    let page = FacilityPage {
        chrome: ctx.chrome(name.clone(), "directory"),
        t,
        d,
        other_name,
        level: lang.level(dr.level),
        region: region_name(cb, dr.region_code),
        address: dr.address.clone(),
        phone: dr.phone.clone(),
        services: dr.services.iter().map(|k| lang.service(*k)).collect(),
        children_only: dr.paediatric_only,
        takes_new: takes_new_label(lang, &f, None),
        designation: lang.designation(f.designation),
        designation_class: designation_class(f.designation),
        capacity,
        orders,
        report_href,
        name,
    };
    ctx.html(StatusCode::OK, &page)
}
