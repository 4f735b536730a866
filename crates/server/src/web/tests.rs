//! The pages driven through the real router over the demo scenario: status codes, cookies,
//! CSRF, scope and the parts every page must have. One test body, because loading the demo
//! takes seconds and a database pool belongs to one runtime.

use crate::state::AppState;
use axum::body::Body;
use axum::http::{header, Request, Response, StatusCode};
use axum::Router;
use carebridge_service::Carebridge;
use carebridge_store::Store;
use http_body_util::BodyExt;
use tower::ServiceExt;

struct Reply {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

impl Reply {
    fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(str::to_string)
    }
    fn cookie_value(&self, name: &str) -> Option<String> {
        let c = self.cookie(name)?;
        Some(c.split(';').next()?.split_once('=')?.1.to_string())
    }
    fn location(&self) -> &str {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("")
    }
    fn content_type(&self) -> &str {
        self.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("")
    }
    /// The CSRF token a page's forms carry.
    fn form_csrf(&self) -> String {
        let pattern = r#"name="csrf" value=""#;
        let at = self.body.find(pattern).expect("a form with a CSRF field") + pattern.len();
        self.body[at..].split('"').next().unwrap().to_string()
    }
}

async fn send(app: &Router, req: Request<Body>) -> Reply {
    let res: Response<Body> = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    Reply { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
}

fn get(uri: &str, cookie: &str) -> Request<Body> {
    Request::get(uri).header(header::COOKIE, cookie).body(Body::empty()).unwrap()
}

fn post(uri: &str, cookie: &str, form: &str) -> Request<Body> {
    Request::post(uri)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form.to_string()))
        .unwrap()
}

/// Sign in; returns the cookie header of the session.
async fn sign_in(app: &Router, user: &str) -> String {
    let page = send(app, get("/login", "")).await;
    let csrf = page.cookie_value("cb_csrf").unwrap();
    let form = format!("csrf={csrf}&username={user}&password={}", carebridge_scenario::DEMO_PASSWORD);
    let res = send(app, post("/login", &format!("cb_csrf={csrf}"), &form)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{user}: {}", res.body);
    let session = res.cookie_value("cb_session").unwrap();
    let csrf = res.cookie_value("cb_csrf").unwrap();
    format!("cb_session={session}; cb_csrf={csrf}")
}

fn assert_page_frame(r: &Reply) {
    assert!(r.content_type().starts_with("text/html"), "{}", r.content_type());
    for must in [
        r#"<meta name="viewport" content="width=device-width, initial-scale=1">"#,
        r#"<main id="main""#,
        r##"href="#main""##,
        "<nav",
    ] {
        assert!(r.body.contains(must), "missing {must}");
    }
}

#[tokio::test]
async fn pages_over_the_demo_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&format!("sqlite://{}", dir.path().join("web.sqlite").display()), 4).await.unwrap();
    carebridge_store::migrate::run(&store).await.unwrap();
    let cb = Carebridge::new(store);
    cb.load_scenario(&carebridge_scenario::demo(1, cb.now(), &cb.regions)).await.unwrap();
    let app = crate::startup::router(AppState { cb });

    // The front door and the public directory, in the browser's language.
    let r = send(&app, get("/", "")).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/directory"));
    let r = send(
        &app,
        Request::get("/directory").header(header::ACCEPT_LANGUAGE, "zh-CN,zh;q=0.9").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_page_frame(&r);
    assert!(r.body.contains(r#"<html lang="zh-CN">"#) && r.body.contains("医疗机构目录"));
    assert!(r.cookie("cb_csrf").unwrap().contains("SameSite=Strict"));
    let r = send(&app, get("/directory?lang=en&region=420100&designation=virus_designated", "")).await;
    assert!(r.body.contains(r#"<html lang="en">"#) && r.body.contains("Huoshenshan Hospital"));
    assert!(r.cookie("cb_lang").unwrap().starts_with("cb_lang=en"));
    // Bad filters: an HTML page naming the field, not a problem document.
    let r = send(&app, get("/directory?service=bogus&lang=en", "")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_page_frame(&r);
    assert!(r.body.contains("“bogus” is not one of the offered choices"));
    assert_eq!(send(&app, get("/directory?region=999999", "")).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(send(&app, get("/directory?cursor=zz", "")).await.status, StatusCode::BAD_REQUEST);
    // Pagination carries the filters.
    let r = send(&app, get("/directory?region=420000", "")).await;
    assert!(
        r.body.contains(r#"rel="next""#) && r.body.contains("region=420000&#38;cursor="),
        "next link keeps the region"
    );

    // Sign-in: CSRF first, then credentials.
    assert_eq!(send(&app, get("/board", "")).await.location(), "/login");
    let page = send(&app, get("/login", "")).await;
    let csrf = page.cookie_value("cb_csrf").unwrap();
    assert_eq!(page.form_csrf(), csrf);
    let wrong =
        send(&app, post("/login", &format!("cb_csrf={csrf}"), "csrf=nope&username=nhc&password=carebridge-demo")).await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    let no_cookie = send(&app, post("/login", "", &format!("csrf={csrf}&username=nhc&password=carebridge-demo"))).await;
    assert_eq!(no_cookie.status, StatusCode::FORBIDDEN);
    let bad = send(
        &app,
        post("/login", &format!("cb_csrf={csrf}"), &format!("csrf={csrf}&username=nhc&password=wrong-password")),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    assert!(bad.body.contains(r#"value="nhc""#), "the username is kept");
    let ok = send(
        &app,
        post("/login", &format!("cb_csrf={csrf}"), &format!("csrf={csrf}&username=nhc&password=carebridge-demo")),
    )
    .await;
    assert_eq!((ok.status, ok.location()), (StatusCode::SEE_OTHER, "/board"));
    let session = ok.cookie("cb_session").unwrap();
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Strict") && session.contains("Path=/"));
    assert_ne!(ok.cookie_value("cb_csrf").unwrap(), csrf, "the CSRF token is replaced on sign-in");

    // The national board: tiles, map, chart, table, all in the frame.
    let nhc = sign_in(&app, "nhc").await;
    let r = send(&app, get("/board", &nhc)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_page_frame(&r);
    assert_eq!(r.body.matches(r#"role="img""#).count(), 2, "a map and a chart");
    assert!(r.body.contains(r#"class="map""#) && r.body.contains("<polyline"));
    assert!(r.body.contains("(UTC+8)") && r.body.contains("facilities stale"));
    assert!(r.headers.get(header::CACHE_CONTROL).unwrap() == "no-store");
    for colour in ["general", "designation"] {
        let r = send(&app, get(&format!("/board?region=420000&color={colour}"), &nhc)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains(r#"aria-current="true""#));
    }
    assert_eq!(send(&app, get("/board?color=rainbow", &nhc)).await.status, StatusCode::BAD_REQUEST);

    // Scope: Wuhan's coordinator cannot open Beijing; a desk sees its own facility; a patient
    // sees no capacity at all.
    let wuhan = sign_in(&app, "wuhan").await;
    assert_eq!(send(&app, get("/board?region=110000", &wuhan)).await.status, StatusCode::NOT_FOUND);
    let r = send(&app, get("/board", &wuhan)).await;
    assert!(r.body.contains("武汉市") && r.body.contains("href=\"/board?region=420102\""), "links down to districts");
    assert!(!r.body.contains("href=\"/board?region=420000\""), "no link up out of the coordinator's scope");
    let desk = sign_in(&app, "desk-union").await;
    let r = send(&app, get("/board", &desk)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Union Hospital"));
    let patient = {
        let page = send(&app, get("/login", "")).await;
        let csrf = page.cookie_value("cb_csrf").unwrap();
        let form = format!("csrf={csrf}&username=patient-demo&password={}", carebridge_scenario::DEMO_PASSWORD);
        let res = send(&app, post("/login", &format!("cb_csrf={csrf}"), &form)).await;
        assert_eq!(res.location(), "/directory", "patients land on the directory");
        format!("cb_session={}", res.cookie_value("cb_session").unwrap())
    };
    assert_eq!(send(&app, get("/board", &patient)).await.status, StatusCode::FORBIDDEN);

    // Sign-out needs the CSRF token and revokes the token itself.
    let csrf = nhc.split("cb_csrf=").nth(1).unwrap().to_string();
    assert_eq!(send(&app, post("/logout", &nhc, "csrf=wrong")).await.status, StatusCode::FORBIDDEN);
    let out = send(&app, post("/logout", &nhc, &format!("csrf={csrf}"))).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(out.cookie("cb_session").unwrap().contains("Max-Age=0"));
    let replay = send(&app, get("/board", &nhc)).await;
    assert_eq!(replay.location(), "/login", "a revoked token signs no one in");

    // The stylesheet.
    let css = send(&app, get("/assets/style.css", "")).await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.content_type().starts_with("text/css") && css.body.contains(":focus-visible"));
}
