//! `GET /directory`: the public facility directory with its search form.
//!
//! The query is read leniently (unknown parameters are ignored, empty ones mean "any") but
//! checked strictly: a bad value is named on the page in the reader's language with status 400
//! (malformed) or 422 (a well-formed region code that does not exist), and the form keeps what
//! was typed so it can be corrected.

use super::{field, pairs, Choice};
use crate::state::AppState;
use crate::web::i18n::{Lang, Text};
use crate::web::page::{Chrome, PageCtx};
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use carebridge_domain::designation::Designation;
use carebridge_domain::facility::{Facility, FacilityLevel};
use carebridge_domain::region::RegionCode;
use carebridge_domain::service_kind::ServiceKind;
use carebridge_service::facilities::DirectoryQuery;
use carebridge_service::ServiceError;
use carebridge_store::facilities::FacilityFilter;

/// Rows per page.
const PAGE_SIZE: u32 = 50;
/// Longest search text accepted.
const MAX_TEXT: usize = 200;

#[derive(Template)]
#[template(path = "directory.html")]
struct DirectoryPage {
    chrome: Chrome,
    t: &'static Text,
    q: String,
    takes_new: bool,
    regions: Vec<Choice>,
    services: Vec<Choice>,
    designations: Vec<Choice>,
    levels: Vec<Choice>,
    errors: Vec<String>,
    rows: Vec<Row>,
    count: String,
    next_href: Option<String>,
    first_href: Option<String>,
}

/// One facility as the table shows it.
struct Row {
    name: String,
    other_name: String,
    region: String,
    level: &'static str,
    services: String,
    designation: &'static str,
    designation_class: &'static str,
    takes_new: bool,
    /// Yes, no, or what the designation limits it to, for the service searched.
    takes_new_label: String,
    href: String,
    phone: String,
    address: String,
}

/// The form's values as typed.
#[derive(Debug, Default)]
struct Form {
    q: String,
    region: String,
    service: String,
    designation: String,
    level: String,
    takes_new: bool,
    cursor: Option<String>,
}

impl Form {
    fn read(pairs: &[(String, String)]) -> Self {
        let s = |k: &str| field(pairs, k).unwrap_or("").to_string();
        Form {
            q: s("q"),
            region: s("region"),
            service: s("service"),
            designation: s("designation"),
            level: s("level"),
            takes_new: matches!(field(pairs, "takes_new"), Some("1" | "on" | "true")),
            cursor: field(pairs, "cursor").map(str::to_string),
        }
    }

    /// The query string of these filters (without the cursor), for pagination links.
    fn query(&self) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("q", &self.q),
            ("region", &self.region),
            ("service", &self.service),
            ("designation", &self.designation),
            ("level", &self.level),
        ] {
            if !v.is_empty() {
                q.append_pair(k, v);
            }
        }
        if self.takes_new {
            q.append_pair("takes_new", "1");
        }
        q.finish()
    }
}

/// CSS class of a designation badge.
pub fn designation_class(d: Designation) -> &'static str {
    match d {
        Designation::General => "d-general",
        Designation::VirusDesignated => "d-virus",
        Designation::NonVirusCritical => "d-critical",
        Designation::NonVirusEmergency => "d-emergency",
        Designation::ClosedToNew => "d-closed",
    }
}

pub async fn get(State(s): State<AppState>, ctx: PageCtx, RawQuery(raw): RawQuery) -> Response {
    let lang = ctx.lang;
    let t = ctx.t();
    let form = Form::read(&pairs(raw.unwrap_or_default().as_bytes()));

    // Check every field, collecting all complaints so they can be fixed at once.
    let mut bad = Complaints { errors: Vec::new(), status: StatusCode::OK };
    if form.q.chars().count() > MAX_TEXT {
        bad.add(t.f_text, "…", t.err_text_long, StatusCode::BAD_REQUEST);
    }
    let service = parse_choice(&form.service, ServiceKind::parse, t.f_service, t, &mut bad);
    let designation = parse_choice(&form.designation, Designation::parse, t.f_designation, t, &mut bad);
    let level = parse_choice(&form.level, FacilityLevel::parse, t.f_level, t, &mut bad);
    let region = if form.region.is_empty() {
        None
    } else {
        match RegionCode::parse(&form.region) {
            Err(_) => {
                bad.add(t.f_region, &form.region, t.err_region_shape, StatusCode::BAD_REQUEST);
                None
            }
            Ok(code) if s.cb.regions.get(code).is_none() => {
                bad.add(t.f_region, &form.region, t.err_region_unknown, StatusCode::UNPROCESSABLE_ENTITY);
                None
            }
            Ok(code) => Some(code),
        }
    };
    let Complaints { mut errors, mut status } = bad;

    let mut rows = Vec::new();
    let mut next_href = None;
    if errors.is_empty() {
        let query = DirectoryQuery {
            region: region.map(|c| c.to_string()),
            filter: FacilityFilter {
                service,
                designation,
                level,
                text: (!form.q.is_empty()).then(|| form.q.clone()),
                takes_new_patients: form.takes_new.then_some(true),
            },
            cursor: form.cursor.clone(),
            limit: Some(PAGE_SIZE),
        };
        match s.cb.directory(&query).await {
            Ok(page) => {
                rows = page.items.iter().map(|f| row(f, lang, &s, service)).collect();
                next_href = page.next_cursor.map(|c| {
                    let q = form.query();
                    let sep = if q.is_empty() { "" } else { "&" };
                    format!(
                        "/directory?{q}{sep}cursor={}",
                        form_urlencoded::byte_serialize(c.as_bytes()).collect::<String>()
                    )
                });
            }
            Err(ServiceError::Invalid(v)) => {
                status = StatusCode::BAD_REQUEST;
                for e in v.0 {
                    errors.push(if e.pointer == "/cursor" {
                        t.err_cursor.to_string()
                    } else {
                        format!("{} {}", e.pointer.trim_start_matches('/'), e.detail)
                    });
                }
            }
            Err(e) => return ctx.service_error(e),
        }
    }

    let first_href = form.cursor.as_ref().map(|_| {
        let q = form.query();
        if q.is_empty() {
            "/directory".to_string()
        } else {
            format!("/directory?{q}")
        }
    });
    let page = DirectoryPage {
        chrome: ctx.chrome(t.dir_title, "directory"),
        t,
        regions: region_choices(&s, &form.region),
        services: ServiceKind::ALL
            .iter()
            .map(|k| Choice { value: k.as_str().into(), label: lang.service(*k), selected: form.service == k.as_str() })
            .collect(),
        designations: Designation::ALL
            .iter()
            .map(|d| Choice {
                value: d.as_str().into(),
                label: lang.designation(*d).into(),
                selected: form.designation == d.as_str(),
            })
            .collect(),
        levels: FacilityLevel::ALL
            .iter()
            .map(|l| Choice {
                value: l.as_str().into(),
                label: lang.level(*l).into(),
                selected: form.level == l.as_str(),
            })
            .collect(),
        count: lang.facilities_on_page(rows.len()),
        q: form.q,
        takes_new: form.takes_new,
        errors,
        rows,
        next_href,
        first_href,
    };
    ctx.html(status, &page)
}

/// What was wrong with the form, and the status that says so (400 wins over 422: a malformed
/// value is the more basic mistake).
struct Complaints {
    errors: Vec<String>,
    status: StatusCode,
}

impl Complaints {
    fn add(&mut self, label: &str, value: &str, why: &str, status: StatusCode) {
        self.errors.push(format!("{label}: “{value}” {why}"));
        if self.status == StatusCode::OK || status == StatusCode::BAD_REQUEST {
            self.status = status;
        }
    }
}

/// Parse an optional vocabulary value, reporting a bad one.
fn parse_choice<T>(
    value: &str,
    parse: fn(&str) -> Result<T, String>,
    label: &str,
    t: &Text,
    bad: &mut Complaints,
) -> Option<T> {
    if value.is_empty() {
        return None;
    }
    match parse(value) {
        Ok(v) => Some(v),
        Err(_) => {
            bad.add(label, value, t.err_not_a_choice, StatusCode::BAD_REQUEST);
            None
        }
    }
}

/// The provinces, plus the current value when it is a city or district reached by a link.
fn region_choices(s: &AppState, current: &str) -> Vec<Choice> {
    let mut out: Vec<Choice> =
        s.cb.list_regions(None)
            .unwrap_or_default()
            .into_iter()
            .map(|r| {
                let value = r.code.to_string();
                Choice { selected: value == current, label: r.name, value }
            })
            .collect();
    if !current.is_empty() && !out.iter().any(|c| c.selected) {
        if let Ok(r) = s.cb.region(current) {
            out.insert(0, Choice { value: r.code.to_string(), label: r.name, selected: true });
        }
    }
    out
}

/// A region as "Province City District" (each level once).
pub fn region_name(cb: &carebridge_service::Carebridge, code: RegionCode) -> String {
    let regions = &cb.regions;
    match regions.path(code) {
        Some(p) => {
            let name = |c| regions.get(c).map(|r| r.name.clone()).unwrap_or_default();
            let mut parts = vec![name(p.province)];
            if p.city != p.province {
                parts.push(name(p.city));
            }
            if p.region != p.city {
                parts.push(name(p.region));
            }
            parts.join(" ")
        }
        None => code.to_string(),
    }
}

/// Whether `f` takes new patients now for `service` (any service when `None`): its own flag,
/// no closing order, and a virus-designated hospital only for virus care (it takes no
/// non-virus patient, so for a non-virus search it is not taking new patients).
pub fn takes_new_now(f: &Facility, service: Option<ServiceKind>) -> bool {
    f.draft.takes_new_patients
        && f.designation != Designation::ClosedToNew
        && !(f.designation == Designation::VirusDesignated && service.is_some_and(|s| !s.is_virus_care()))
}

/// The "taking new patients" cell: yes, no, or "virus patients only".
pub fn takes_new_label(lang: Lang, f: &Facility, service: Option<ServiceKind>) -> String {
    let (t, d) = (lang.t(), crate::web::text_desk::text(lang));
    let virus = f.designation == Designation::VirusDesignated;
    if !takes_new_now(f, service) {
        if virus && f.draft.takes_new_patients {
            d.not_for_this_service.to_string()
        } else {
            t.no.to_string()
        }
    } else if virus && service.is_none() {
        d.virus_only.to_string()
    } else {
        t.yes.to_string()
    }
}

fn row(f: &Facility, lang: Lang, s: &AppState, service: Option<ServiceKind>) -> Row {
    let d = &f.draft;
    let (name, other_name) = match lang {
        Lang::Zh => (d.name_zh.clone(), d.name_en.clone()),
        Lang::En => (d.name_en.clone(), d.name_zh.clone()),
    };
    let sep = if lang == Lang::Zh { "、" } else { ", " };
    Row {
        name,
        other_name,
        region: region_name(&s.cb, d.region_code),
        level: lang.level(d.level),
        services: d.services.iter().map(|k| lang.service(*k)).collect::<Vec<_>>().join(sep),
        designation: lang.designation(f.designation),
        designation_class: designation_class(f.designation),
        takes_new: takes_new_now(f, service),
        takes_new_label: takes_new_label(lang, f, service),
        href: format!("/facilities/{}", f.id),
        phone: d.phone.clone(),
        address: d.address.clone(),
    }
}
