//! `GET/POST /login` and `POST /logout`: page sessions over the same tokens as the API.
//!
//! Signing in issues an API token (`Carebridge::issue_token`, which audits it) and keeps it in
//! an HttpOnly, SameSite=Strict cookie; signing out revokes it server-side, so a copied cookie
//! stops working too. Both forms carry the double-submit CSRF token (see `web::session`).

use super::{checked_form, field};
use crate::state::AppState;
use crate::web::i18n::Text;
use crate::web::page::{Chrome, PageCtx};
use crate::web::session;
use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use carebridge_domain::user::Role;
use carebridge_service::ServiceError;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    t: &'static Text,
    username: String,
    error: Option<&'static str>,
}

fn form(ctx: &PageCtx, status: StatusCode, username: String, error: Option<&'static str>) -> Response {
    let t = ctx.t();
    let page = LoginPage { chrome: ctx.chrome(t.login_title, "login"), t, username, error };
    ctx.html(status, &page)
}

/// `GET /login`: the sign-in form.
pub async fn show(ctx: PageCtx) -> Response {
    form(&ctx, StatusCode::OK, String::new(), None)
}

/// `POST /login`: check the CSRF token, then the credentials.
pub async fn submit(State(s): State<AppState>, mut ctx: PageCtx, body: Bytes) -> Response {
    let t = ctx.t();
    let fields = match checked_form(&ctx, &body) {
        Ok(fields) => fields,
        Err(refused) => return refused,
    };
    let username = field(&fields, "username").unwrap_or("").to_string();
    // Passwords are taken as typed: surrounding spaces may be part of one.
    let password = fields.iter().rev().find(|(k, _)| k == "password").map(|(_, v)| v.as_str()).unwrap_or("");
    if username.is_empty() || password.is_empty() {
        return form(&ctx, StatusCode::BAD_REQUEST, username, Some(t.login_missing));
    }
    match s.cb.issue_token(&username, password, &ctx.meta).await {
        Ok(issued) => {
            ctx.rotate_csrf();
            let cookie = session::session_cookie(&issued.access_token, issued.expires_in);
            // Patients see no capacity numbers: their way in is the directory.
            let to = if issued.principal.role == Role::Patient { "/directory" } else { "/board" };
            ctx.redirect(to, &[cookie])
        }
        Err(ServiceError::Unauthenticated(_)) => form(&ctx, StatusCode::UNAUTHORIZED, username, Some(t.login_failed)),
        Err(e) => ctx.service_error(e),
    }
}

/// `POST /logout`: revoke the session's token and clear the cookie.
pub async fn logout(State(s): State<AppState>, ctx: PageCtx, body: Bytes) -> Response {
    if let Err(refused) = checked_form(&ctx, &body) {
        return refused;
    }
    if let Some(sess) = &ctx.session {
        if let Err(e) = s.cb.revoke_token(&sess.principal, &sess.token, &ctx.meta).await {
            // Keep the cookie so that signing out can be retried: clearing it here would
            // leave a live token behind while telling the person they are signed out.
            return ctx.service_error(e);
        }
    }
    ctx.redirect("/login", &[session::clear_session_cookie()])
}
