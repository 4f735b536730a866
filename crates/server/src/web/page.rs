//! What every page handler starts from and ends with.
//!
//! [`PageCtx`] is extracted once per request: the language (query, cookie, `Accept-Language`),
//! the CSRF token to put in forms (the browser's, or a fresh one to set), the signed-in
//! principal if the session cookie is good, and the request id. [`PageCtx::html`] turns a
//! rendered template into a response with the cookies that need setting and the page security
//! headers; [`PageCtx::error`] renders the HTML error page, because a person in a browser
//! should read a sentence, not a problem document.

use super::i18n::{Lang, Text};
use super::session::{self, CSRF_COOKIE, LANG_COOKIE};
use crate::auth::SESSION_COOKIE;
use crate::state::AppState;
use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use carebridge_domain::user::{Principal, Role};
use carebridge_service::{RequestMeta, ServiceError};

/// A signed-in page session: the principal and the token that proves it.
#[derive(Debug, Clone)]
pub struct Session {
    pub principal: Principal,
    pub token: String,
}

/// The per-request page context.
#[derive(Debug, Clone)]
pub struct PageCtx {
    pub lang: Lang,
    /// The `lang` query parameter chose the language: remember it.
    set_lang: bool,
    /// The browser's CSRF cookie, when it is one of ours.
    pub csrf_cookie: Option<String>,
    /// The CSRF token forms on this page carry.
    csrf: String,
    /// `csrf` is new: set the cookie with the response.
    mint_csrf: bool,
    pub session: Option<Session>,
    /// A session cookie came but no longer signs anyone in: clear it.
    clear_session: bool,
    path: String,
    /// The query without `lang`, for the language switch link.
    query: Vec<(String, String)>,
    pub meta: RequestMeta,
}

/// The frame every page shares: header, navigation, language switch, sign-out form.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub t: &'static Text,
    pub html_lang: &'static str,
    pub other_html_lang: &'static str,
    pub title: String,
    /// Which navigation entry is the current page.
    pub active: &'static str,
    pub user: Option<String>,
    pub csrf: String,
    pub switch_href: String,
    /// The navigation entries for the signed-in role (none when signed out).
    pub nav: Vec<NavItem>,
    /// Whether the role sees capacity numbers (patients do not): the board link.
    pub show_board: bool,
}

/// One role-specific navigation entry.
#[derive(Debug, Clone)]
pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    /// The `active` key of the page it leads to.
    pub key: &'static str,
}

/// The entries a role's navigation adds after the directory and the board: each page the role
/// may open, and only those.
pub fn nav_for(t: &'static Text, role: Role) -> Vec<NavItem> {
    let item = |href, label, key| NavItem { href, label, key };
    match role {
        Role::Clinician => vec![
            item("/referrals", t.nav_referrals, "referrals"),
            item("/clinic/consultations", super::text_consult::for_text(t).nav_clinician, "consultations"),
        ],
        Role::FacilityDesk => vec![
            item("/desk/offers", t.nav_desk, "desk"),
            item("/desk/capacity", super::text_desk::for_text(t).nav_capacity, "capacity"),
            item("/desk/check-in", super::text_booking::for_text(t).nav_checkin, "check-in"),
            item("/desk/fever", super::text_booking::for_text(t).nav_fever, "fever-queue"),
        ],
        r if r.is_coordinator() => {
            let w = super::text_plans::for_text(t);
            vec![
                item("/placement/board", t.nav_stranded, "stranded"),
                item("/referrals", t.nav_referrals, "referrals"),
                item("/designations", t.nav_designations, "designations"),
                item("/placement/plans", w.nav_plans, "plans"),
                item("/placement/limits", w.nav_limits, "limits"),
                item("/users", super::text_users::for_text(t).nav, "users"),
            ]
        }
        Role::Patient => vec![
            item("/me/referrals", t.nav_my_referrals, "mine"),
            item("/fever", super::text_booking::for_text(t).nav_waits, "fever-waits"),
            item("/consult", super::text_consult::for_text(t).nav_patient, "consult"),
        ],
        _ => Vec::new(),
    }
}

impl FromRequestParts<AppState> for PageCtx {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let headers = &parts.headers;
        let pairs: Vec<(String, String)> =
            form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes()).into_owned().collect();
        let asked = pairs.iter().rev().find(|(k, _)| k == "lang").and_then(|(_, v)| Lang::parse(v));
        let lang = asked.or_else(|| session::cookie(headers, LANG_COOKIE).and_then(Lang::parse)).unwrap_or_else(|| {
            Lang::from_accept_language(headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()))
        });
        let csrf_cookie =
            session::cookie(headers, CSRF_COOKIE).filter(|v| session::is_token_shaped(v)).map(str::to_string);
        let (csrf, mint_csrf) = match &csrf_cookie {
            Some(c) => (c.clone(), false),
            None => (session::random_token(), true),
        };
        let request_id = headers.get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_string);
        let mut ctx = PageCtx {
            lang,
            set_lang: asked.is_some(),
            csrf_cookie,
            csrf,
            mint_csrf,
            session: None,
            clear_session: false,
            path: parts.uri.path().to_string(),
            query: pairs.into_iter().filter(|(k, _)| k != "lang").collect(),
            meta: RequestMeta { request_id },
        };
        if let Some(token) = session::cookie(headers, SESSION_COOKIE) {
            match state.cb.authenticate(token).await {
                Ok(principal) => ctx.session = Some(Session { principal, token: token.to_string() }),
                Err(ServiceError::Unauthenticated(_)) => ctx.clear_session = true,
                Err(e) => return Err(ctx.service_error(e)),
            }
        }
        Ok(ctx)
    }
}

impl PageCtx {
    pub fn t(&self) -> &'static Text {
        self.lang.t()
    }

    /// The frame for a page titled `title`, with `active` marking the navigation entry.
    pub fn chrome(&self, title: impl Into<String>, active: &'static str) -> Chrome {
        let mut q = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.query {
            q.append_pair(k, v);
        }
        q.append_pair("lang", self.lang.other().code());
        Chrome {
            t: self.t(),
            html_lang: self.lang.html_lang(),
            other_html_lang: self.lang.other().html_lang(),
            title: title.into(),
            active,
            user: self.session.as_ref().map(|s| s.principal.username.clone()),
            csrf: self.csrf.clone(),
            switch_href: format!("{}?{}", self.path, q.finish()),
            nav: self.session.as_ref().map(|s| nav_for(self.t(), s.principal.role)).unwrap_or_default(),
            show_board: self.session.as_ref().is_none_or(|s| s.principal.role != Role::Patient),
        }
    }

    /// Whether a submitted form's CSRF field matches the browser's cookie.
    pub fn csrf_ok(&self, field: Option<&str>) -> bool {
        session::csrf_matches(self.csrf_cookie.as_deref(), field)
    }

    /// Replace the CSRF token (after signing in, so a token seen before cannot be reused).
    pub fn rotate_csrf(&mut self) {
        self.csrf = session::random_token();
        self.mint_csrf = true;
    }

    /// Render `page` with `status`, the cookies this request needs and the page headers.
    pub fn html(&self, status: StatusCode, page: &impl Template) -> Response {
        match page.render() {
            Ok(body) => self.finish(status, body, &[]),
            Err(e) => {
                tracing::error!(error = %e, "rendering a page");
                self.finish(StatusCode::INTERNAL_SERVER_ERROR, fallback_error(self.lang), &[])
            }
        }
    }

    /// A 303 redirect carrying this request's cookies and `extra` ones.
    pub fn redirect(&self, to: &str, extra: &[String]) -> Response {
        let mut res = Redirect::to(to).into_response();
        self.add_cookies(res.headers_mut(), extra);
        res
    }

    fn finish(&self, status: StatusCode, body: String, extra: &[String]) -> Response {
        let mut res = (status, body).into_response();
        let h = res.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            ),
        );
        h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
        h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
        h.insert(header::VARY, HeaderValue::from_static("Accept-Language, Cookie"));
        // Pages for a signed-in person hold scoped numbers: no shared or back-button caches.
        let cache = if self.session.is_some() { "no-store" } else { "private, no-cache" };
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
        self.add_cookies(h, extra);
        res
    }

    fn add_cookies(&self, h: &mut HeaderMap, extra: &[String]) {
        let mut cookies: Vec<String> = Vec::new();
        if self.set_lang {
            cookies.push(session::lang_cookie(self.lang.code()));
        }
        if self.mint_csrf {
            cookies.push(session::csrf_cookie(&self.csrf));
        }
        if self.clear_session {
            cookies.push(session::clear_session_cookie());
        }
        cookies.extend(extra.iter().cloned());
        for c in cookies {
            if let Ok(v) = HeaderValue::from_str(&c) {
                h.append(header::SET_COOKIE, v);
            }
        }
    }

    /// The HTML error page.
    pub fn error(&self, status: StatusCode, title: &str, message: &str) -> Response {
        let page = ErrorPage {
            chrome: self.chrome(title, ""),
            message: message.to_string(),
            details: Vec::new(),
            request_id: None,
        };
        self.html(status, &page)
    }

    /// 403 for a page the signed-in role may not open.
    pub fn forbidden(&self) -> Response {
        let t = self.t();
        self.error(StatusCode::FORBIDDEN, t.err_title_forbidden, t.err_forbidden_page)
    }

    /// The signed-in coordinator, or the answer for anyone else: the sign-in page for no one,
    /// 403 for another role.
    pub fn coordinator(&self) -> Result<Principal, Response> {
        match &self.session {
            None => Err(self.redirect("/login", &[])),
            Some(s) if s.principal.role.is_coordinator() => Ok(s.principal.clone()),
            Some(_) => Err(self.forbidden()),
        }
    }

    /// 404 for an id that names nothing (or nothing the principal may see).
    pub fn not_found(&self) -> Response {
        let t = self.t();
        self.error(StatusCode::NOT_FOUND, t.err_title_not_found, t.err_not_found)
    }

    /// [`PageCtx::service_error`] for the referral pages: a refusal names the page, not
    /// capacity numbers.
    pub fn referral_error(&self, e: ServiceError) -> Response {
        let t = self.t();
        match e {
            ServiceError::Forbidden(_) => self.forbidden(),
            ServiceError::Invalid(v) => {
                let page = ErrorPage {
                    chrome: self.chrome(t.err_title_bad_request, ""),
                    message: t.err_form.to_string(),
                    details: v
                        .0
                        .iter()
                        .map(|f| format!("{} {}", f.pointer.trim_start_matches('/'), self.lang.detail(&f.detail)))
                        .collect(),
                    request_id: None,
                };
                self.html(StatusCode::UNPROCESSABLE_ENTITY, &page)
            }
            ServiceError::Conflict(m) => {
                self.error(StatusCode::CONFLICT, t.err_title_bad_request, &format!("{} {m}", t.err_conflict))
            }
            e => self.service_error(e),
        }
    }

    /// The hard constraints of a refused placement, by name in the page's language.
    pub fn constraint_names(&self, errors: &[carebridge_domain::FieldError]) -> String {
        errors
            .iter()
            .map(|e| match e.constraint.as_deref().map(carebridge_domain::placement::Exclusion::parse) {
                Some(Ok(c)) => self.lang.constraint(c),
                _ => e.detail.clone(),
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// The HTML error page for a use case's error.
    pub fn service_error(&self, e: ServiceError) -> Response {
        let t = self.t();
        match e {
            ServiceError::Invalid(v) => {
                let page = ErrorPage {
                    chrome: self.chrome(t.err_title_bad_request, ""),
                    message: t.err_filters.to_string(),
                    details: v
                        .0
                        .iter()
                        .map(|f| format!("{} {}", f.pointer.trim_start_matches('/'), f.detail))
                        .collect(),
                    request_id: None,
                };
                self.html(StatusCode::UNPROCESSABLE_ENTITY, &page)
            }
            ServiceError::Unauthenticated(_) => self.redirect("/login", &[session::clear_session_cookie()]),
            ServiceError::Forbidden(_) => {
                self.error(StatusCode::FORBIDDEN, t.err_title_forbidden, t.err_forbidden_capacity)
            }
            ServiceError::NotFound => self.error(StatusCode::NOT_FOUND, t.err_title_not_found, t.err_not_found),
            ServiceError::Conflict(m) => self.error(StatusCode::CONFLICT, t.err_title_bad_request, &m),
            ServiceError::ConstraintsBroken(errors) => {
                let message = self.lang.constraints_broken(&self.constraint_names(&errors));
                self.error(StatusCode::CONFLICT, t.err_title_bad_request, &message)
            }
            ServiceError::PreconditionFailed { .. } => {
                self.error(StatusCode::PRECONDITION_FAILED, t.err_title_bad_request, t.err_internal)
            }
            ServiceError::TooManyRequests { detail, .. } => {
                self.error(StatusCode::TOO_MANY_REQUESTS, t.err_title_bad_request, &detail)
            }
            ServiceError::Unavailable(m) => {
                tracing::warn!(error = %m, "database unavailable (page)");
                self.error(StatusCode::SERVICE_UNAVAILABLE, t.err_title_unavailable, t.err_unavailable)
            }
            ServiceError::Internal(m) => {
                tracing::error!(error = %m, request_id = ?self.meta.request_id, "internal error (page)");
                let page = ErrorPage {
                    chrome: self.chrome(t.err_title_internal, ""),
                    message: t.err_internal.to_string(),
                    details: Vec::new(),
                    request_id: self.meta.request_id.clone(),
                };
                self.html(StatusCode::INTERNAL_SERVER_ERROR, &page)
            }
        }
    }
}

/// The error page.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub chrome: Chrome,
    pub message: String,
    pub details: Vec<String>,
    pub request_id: Option<String>,
}

/// A last-resort page when a template fails to render (a bug): plain and static.
fn fallback_error(lang: Lang) -> String {
    let t = lang.t();
    format!(
        "<!DOCTYPE html><html lang=\"{}\"><meta charset=\"utf-8\"><title>{}</title><main id=\"main\"><h1>{}</h1><p>{}</p></main></html>",
        lang.html_lang(),
        t.err_title_internal,
        t.err_title_internal,
        t.err_internal
    )
}
