//! `GET|POST /users`: user management for coordinators. The page lists the accounts in the
//! coordinator's scope (`Carebridge::list_users`) and opens a desk or clinician account for a
//! facility picked by name from those the coordinator governs (`Carebridge::create_user`, the
//! same use case as `POST /api/v1/users`, which checks role and scope again and audits). A
//! facility is never typed as an id: `?q=` narrows the list, the select names each facility,
//! and a posted id not among the coordinator's facilities is refused beside the field.

use super::{checked_form, field, pairs, Choice};
use crate::state::AppState;
use crate::web::page::{Chrome, PageCtx};
use crate::web::text_users::{self, UsersText, FACILITY_ROLES};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use carebridge_domain::ids::FacilityId;
use carebridge_domain::user::{Principal, Role, Scope, User};
use carebridge_service::facilities::DirectoryQuery;
use carebridge_service::users::NewUser;
use carebridge_service::ServiceError;
use carebridge_store::facilities::FacilityFilter;
use std::collections::HashMap;

/// Facilities offered in the select at most (narrow with the search).
const FACILITIES: u32 = 200;

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    chrome: Chrome,
    u: &'static UsersText,
    notice: Option<String>,
    errors: Vec<String>,
    rows: Vec<Row>,
    q: String,
    facilities: Vec<Choice>,
    roles: Vec<Choice>,
    form: Form,
}

struct Row {
    username: String,
    name: String,
    role: &'static str,
    scope: String,
    active: bool,
}

/// What was typed, and the error beside each field.
#[derive(Default)]
struct Form {
    username: String,
    display_name: String,
    facility_error: Option<String>,
    role_error: Option<String>,
    username_error: Option<String>,
    password_error: Option<String>,
    display_name_error: Option<String>,
}

/// The facilities the coordinator governs whose name matches `q`, by id with their names.
async fn facilities_in_scope(s: &AppState, ctx: &PageCtx, p: &Principal, q: &str) -> Vec<(FacilityId, String)> {
    let region = match p.scope {
        Scope::Region(c) => Some(c.to_string()),
        _ => None,
    };
    let query = DirectoryQuery {
        region,
        filter: FacilityFilter { text: Some(q.to_string()).filter(|q| !q.is_empty()), ..Default::default() },
        cursor: None,
        limit: Some(FACILITIES),
    };
    match s.cb.directory(&query).await {
        Ok(page) => page
            .items
            .into_iter()
            .map(|f| (f.id, ctx.lang.pick(f.draft.name_zh.clone(), f.draft.name_en.clone())))
            .collect(),
        Err(_) => Vec::new(),
    }
}

#[allow(clippy::too_many_arguments)]
async fn render(
    s: &AppState,
    ctx: &PageCtx,
    p: &Principal,
    q: String,
    chosen: (Option<FacilityId>, Option<Role>),
    form: Form,
    errors: Vec<String>,
    notice: Option<String>,
) -> Response {
    let lang = ctx.lang;
    let u = text_users::text(lang);
    let users: Vec<User> = match s.cb.list_users(p, None, Some(200)).await {
        Ok(page) => page.items,
        Err(e) => return ctx.service_error(e),
    };
    let mut listed = facilities_in_scope(s, ctx, p, &q).await;
    // A facility chosen before stays selectable after a refusal, even if the search moved.
    if let Some(f) = chosen.0.filter(|f| !listed.iter().any(|(id, _)| id == f)) {
        if let Some(found) = facilities_in_scope(s, ctx, p, "").await.into_iter().find(|(id, _)| *id == f) {
            listed.insert(0, found);
        }
    }
    let names: HashMap<FacilityId, String> = listed.iter().cloned().collect();
    let scope_of = |scope: &Scope| match scope {
        Scope::Nation => u.nation.to_string(),
        Scope::Region(c) => s.cb.regions.get(*c).map(|r| r.name.clone()).unwrap_or_else(|| c.to_string()),
        Scope::Facility(f) => names.get(f).cloned().unwrap_or_else(|| f.to_string()),
        Scope::Own => u.own.to_string(),
    };
    let rows = users
        .iter()
        .map(|x| Row {
            username: x.username.clone(),
            name: x.display_name.clone(),
            role: text_users::role(lang, x.role),
            scope: scope_of(&x.scope),
            active: !x.disabled,
        })
        .collect();
    let page = UsersPage {
        chrome: ctx.chrome(u.title, "users"),
        u,
        notice,
        errors,
        rows,
        q,
        facilities: listed
            .iter()
            .map(|(id, name)| Choice { value: id.to_string(), label: name.clone(), selected: chosen.0 == Some(*id) })
            .collect(),
        roles: FACILITY_ROLES
            .iter()
            .map(|r| Choice {
                value: r.as_str().to_string(),
                label: text_users::role(lang, *r).to_string(),
                selected: chosen.1.unwrap_or(Role::FacilityDesk) == *r,
            })
            .collect(),
        form,
    };
    let status = if page.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    ctx.html(status, &page)
}

pub async fn get(State(s): State<AppState>, ctx: PageCtx, RawQuery(raw): RawQuery) -> Response {
    let p = match ctx.coordinator() {
        Ok(p) => p,
        Err(r) => return r,
    };
    let query = pairs(raw.unwrap_or_default().as_bytes());
    let q = field(&query, "q").unwrap_or("").to_string();
    let notice = field(&query, "created").map(|name| format!("{}: {name}", text_users::text(ctx.lang).created));
    render(&s, &ctx, &p, q, (None, None), Form::default(), Vec::new(), notice).await
}

pub async fn post(State(s): State<AppState>, ctx: PageCtx, body: Bytes) -> Response {
    let p = match ctx.coordinator() {
        Ok(p) => p,
        Err(r) => return r,
    };
    let fields = match checked_form(&ctx, &body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let lang = ctx.lang;
    let u = text_users::text(lang);
    let q = field(&fields, "q").unwrap_or("").to_string();
    let username = field(&fields, "username").unwrap_or("").to_string();
    let password = fields.iter().rev().find(|(k, _)| k == "password").map(|(_, v)| v.clone()).unwrap_or_default();
    let display_name = field(&fields, "display_name").map(str::to_string);
    let facility = field(&fields, "facility_id").and_then(|v| v.parse::<FacilityId>().ok());
    let role = field(&fields, "role").and_then(|r| Role::parse(r).ok()).filter(|r| FACILITY_ROLES.contains(r));
    let mut form = Form {
        username: username.clone(),
        display_name: display_name.clone().unwrap_or_default(),
        ..Default::default()
    };

    // The facility must be one this coordinator governs (the service checks again).
    let in_scope = match facility {
        Some(f) => facilities_in_scope(&s, &ctx, &p, "").await.iter().any(|(id, _)| *id == f),
        None => false,
    };
    if facility.is_none() {
        form.facility_error = Some(u.required.to_string());
    } else if !in_scope {
        form.facility_error = Some(u.not_listed.to_string());
    }
    if role.is_none() {
        form.role_error = Some(u.required.to_string());
    }
    if let (Some(f), Some(r), true) = (facility, role, in_scope) {
        let new = NewUser { username, password, role: r, scope: Some(f.to_string()), display_name };
        match s.cb.create_user(Some(&p), new, &ctx.meta).await {
            Ok(user) => {
                let to = format!(
                    "/users?created={}",
                    form_urlencoded::byte_serialize(user.username.as_bytes()).collect::<String>()
                );
                return ctx.redirect(&to, &[]);
            }
            Err(ServiceError::Invalid(v)) => {
                for e in v.0 {
                    let why = lang.detail(&e.detail);
                    match e.pointer.as_str() {
                        "/username" => form.username_error = Some(why),
                        "/password" => form.password_error = Some(why),
                        "/display_name" => form.display_name_error = Some(why),
                        "/role" => form.role_error = Some(why),
                        _ => form.facility_error = Some(why),
                    }
                }
            }
            Err(ServiceError::Conflict(_)) => form.username_error = Some(lang.detail("already taken")),
            Err(e) => return ctx.service_error(e),
        }
    } else {
        // Report the other fields' own rules at once too.
        if let Err(e) = carebridge_domain::user::validate_username(&form.username) {
            form.username_error = Some(lang.detail(&e));
        }
        if let Err(e) = carebridge_domain::user::validate_password(&password) {
            form.password_error = Some(lang.detail(&e));
        }
    }
    let mut errors = Vec::new();
    for (label, e) in [
        (u.facility, &form.facility_error),
        (u.role, &form.role_error),
        (u.username, &form.username_error),
        (u.password, &form.password_error),
        (u.display_name, &form.display_name_error),
    ] {
        if let Some(e) = e {
            errors.push(format!("{label}: {e}"));
        }
    }
    render(&s, &ctx, &p, q, (facility, role), form, errors, None).await
}
