//! What the router-level page tests share (`tests.rs`, `tests_desk.rs`): one request through
//! the real router, its reply, and signing in through the form.

use axum::body::Body;
use axum::http::{header, Request, Response, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use tower::ServiceExt;

pub(crate) struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Reply {
    /// The whole `Set-Cookie` header of cookie `name`.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(str::to_string)
    }
    pub fn cookie_value(&self, name: &str) -> Option<String> {
        let c = self.cookie(name)?;
        Some(c.split(';').next()?.split_once('=')?.1.to_string())
    }
    pub fn location(&self) -> &str {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("")
    }
    pub fn content_type(&self) -> &str {
        self.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("")
    }
    /// The CSRF token a page's forms carry.
    pub fn form_csrf(&self) -> String {
        let pattern = r#"name="csrf" value=""#;
        let at = self.body.find(pattern).expect("a form with a CSRF field") + pattern.len();
        self.body[at..].split('"').next().unwrap().to_string()
    }
}

pub(crate) async fn send(app: &Router, req: Request<Body>) -> Reply {
    let res: Response<Body> = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    Reply { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
}

pub(crate) fn get(uri: &str, cookie: &str) -> Request<Body> {
    Request::get(uri).header(header::COOKIE, cookie).body(Body::empty()).unwrap()
}

pub(crate) fn post(uri: &str, cookie: &str, form: &str) -> Request<Body> {
    Request::post(uri)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form.to_string()))
        .unwrap()
}

/// Sign in with the demo password; returns the session's cookie header and its CSRF token.
pub(crate) async fn sign_in_with_csrf(app: &Router, user: &str) -> (String, String) {
    let page = send(app, get("/login", "")).await;
    let csrf = page.cookie_value("cb_csrf").unwrap();
    let form = format!("csrf={csrf}&username={user}&password={}", carebridge_scenario::DEMO_PASSWORD);
    let res = send(app, post("/login", &format!("cb_csrf={csrf}"), &form)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{user}: {}", res.body);
    let session = res.cookie_value("cb_session").unwrap();
    let csrf = res.cookie_value("cb_csrf").unwrap();
    (format!("cb_session={session}; cb_csrf={csrf}"), csrf)
}

/// Sign in with the demo password; returns the session's cookie header.
pub(crate) async fn sign_in(app: &Router, user: &str) -> String {
    sign_in_with_csrf(app, user).await.0
}
