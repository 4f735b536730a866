//! RFC 6750 on every router: each credential a client can send (none, valid, another scheme, a
//! malformed header, a forged, revoked or expired token) against a public and a private route of the API, the FHIR facade and the
//! pages, plus the pages' session cookie. Only a request with no credentials at all gets the
//! public view; a bad token is never served as anonymous.
//!
//! The API and the FHIR facade have no optional-auth routes (a public route answers everyone
//! the same), so "optional" is covered by the pages, whose public pages greet a signed-in user.

use carebridge_e2e::app::{Resp, TestApp};
use carebridge_e2e::both_backends;
use carebridge_scenario::DEMO_PASSWORD;
use reqwest::Method;

/// What a client sends in `Authorization`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cred {
    None,
    Valid,
    /// `Basic …`: an authentication method we do not support.
    OtherScheme,
    /// Two `Authorization` headers: a malformed request.
    Malformed,
    /// Well formed, never issued.
    Forged,
    Revoked,
    Expired,
}

/// The dialect a router answers errors in.
#[derive(Debug, Clone, Copy)]
enum Dialect {
    Problem,
    Fhir,
}

struct Tokens {
    valid: String,
    revoked: String,
    /// Valid now; expired once the clock has moved past its lifetime.
    expiring: String,
}

async fn tokens(app: &TestApp) -> Tokens {
    app.load_demo().await;
    let revoked = app.fresh_token("hubei", DEMO_PASSWORD).await;
    let r = app.send(app.request(Method::DELETE, "/api/v1/auth/token").bearer_auth(&revoked)).await;
    assert_eq!(r.status, 204, "{}", r.text);
    Tokens {
        valid: app.fresh_token("hubei", DEMO_PASSWORD).await,
        revoked,
        expiring: app.fresh_token("hubei", DEMO_PASSWORD).await,
    }
}

async fn send(app: &TestApp, path: &str, cred: Cred, t: &Tokens) -> Resp {
    let rb = app.request(Method::GET, path);
    let rb = match cred {
        Cred::None => rb,
        Cred::Valid => rb.bearer_auth(&t.valid),
        Cred::OtherScheme => rb.header("authorization", "Basic aHViZWk6cGFzc3dvcmQ="),
        Cred::Malformed => {
            rb.header("authorization", format!("Bearer {}", t.valid)).header("authorization", "Bearer x")
        }
        Cred::Forged => rb.bearer_auth("cb_0000000000000000000000000000000000000000000"),
        Cred::Revoked => rb.bearer_auth(&t.revoked),
        Cred::Expired => rb.bearer_auth(&t.expiring),
    };
    app.send(rb).await
}

/// Assert the refusal RFC 6750 asks for `cred`, in `dialect`.
#[track_caller]
fn assert_refused(r: &Resp, cred: Cred, dialect: Dialect, label: &str) {
    let (status, error) = match cred {
        Cred::Malformed => (400, Some("invalid_request")),
        Cred::OtherScheme => (401, None),
        Cred::Forged | Cred::Revoked | Cred::Expired => (401, Some("invalid_token")),
        Cred::None | Cred::Valid => unreachable!("{label}: not a refusal"),
    };
    assert_eq!(r.status, status, "{label}: {}", r.text);
    let challenge = r.header("www-authenticate").unwrap_or_else(|| panic!("{label}: no WWW-Authenticate"));
    assert!(challenge.starts_with("Bearer realm=\"carebridge\""), "{label}: {challenge}");
    match error {
        Some(error) => assert!(challenge.contains(&format!("error=\"{error}\"")), "{label}: {challenge}"),
        // §3.1: an unsupported method gets the challenge without an error code.
        None => assert_eq!(challenge, "Bearer realm=\"carebridge\"", "{label}"),
    }
    assert_dialect(r, dialect, label);
}

#[track_caller]
fn assert_dialect(r: &Resp, dialect: Dialect, label: &str) {
    let ct = r.header("content-type").unwrap_or("");
    match dialect {
        Dialect::Problem => {
            assert!(ct.starts_with("application/problem+json"), "{label}: {ct}");
            assert_eq!(r.json["status"], r.status, "{label}: {}", r.text);
        }
        Dialect::Fhir => {
            assert!(ct.starts_with("application/fhir+json"), "{label}: {ct}");
            assert_eq!(r.json["resourceType"], "OperationOutcome", "{label}: {}", r.text);
        }
    }
}

/// One route of one router: what each credential must get.
struct Route {
    path: &'static str,
    dialect: Dialect,
    /// Whether the route needs a caller (no credentials: 401 with a bare challenge).
    private: bool,
}

const ROUTES: &[Route] = &[
    Route { path: "/api/v1/facilities", dialect: Dialect::Problem, private: false },
    Route { path: "/api/v1/regions/420000", dialect: Dialect::Problem, private: false },
    Route { path: "/api/v1/auth/me", dialect: Dialect::Problem, private: true },
    Route { path: "/api/v1/referrals", dialect: Dialect::Problem, private: true },
    Route { path: "/fhir/metadata", dialect: Dialect::Fhir, private: false },
    Route { path: "/fhir/Organization", dialect: Dialect::Fhir, private: false },
    Route { path: "/fhir/MeasureReport", dialect: Dialect::Fhir, private: true },
    // Pages judge a bearer header like any route (a script calling them with a stale token
    // must hear so); their errors are problems.
    Route { path: "/directory", dialect: Dialect::Problem, private: false },
    Route { path: "/healthz", dialect: Dialect::Problem, private: false },
];

async fn check_route(app: &TestApp, route: &Route, cred: Cred, t: &Tokens) {
    let label = format!("{} with {cred:?}", route.path);
    let r = send(app, route.path, cred, t).await;
    match cred {
        Cred::Valid => assert_eq!(r.status, 200, "{label}: {}", r.text),
        Cred::None if !route.private => assert_eq!(r.status, 200, "{label}: {}", r.text),
        Cred::None => {
            assert_eq!(r.status, 401, "{label}: {}", r.text);
            // §3.1: no error code when the request carried no credentials.
            assert_eq!(r.header("www-authenticate"), Some("Bearer realm=\"carebridge\""), "{label}");
            assert_dialect(&r, route.dialect, &label);
        }
        bad => assert_refused(&r, bad, route.dialect, &label),
    }
}

both_backends!(every_credential_on_every_router, |app| async move {
    let t = tokens(&app).await;
    for route in ROUTES {
        for cred in [Cred::None, Cred::Valid, Cred::OtherScheme, Cred::Malformed, Cred::Forged, Cred::Revoked] {
            check_route(&app, route, cred, &t).await;
        }
    }
    // Past the tokens' lifetime (12 h): the same token is now expired everywhere, while a new
    // one works.
    app.advance_minutes(13 * 60);
    let fresh = Tokens { valid: app.fresh_token("hubei", DEMO_PASSWORD).await, ..t };
    for route in ROUTES {
        check_route(&app, route, Cred::Expired, &fresh).await;
        check_route(&app, route, Cred::Valid, &fresh).await;
    }
});

both_backends!(bearer_headers_of_every_shape_are_judged, |app| async move {
    app.load_demo().await;
    let token = app.token("hubei").await;
    // `Bearer` with nothing a server could have issued: one more token that does not work.
    for value in ["Bearer", "Bearer ", "bearer a b", "Bearer a\"b", "Bearer ==", "Bearer !x"] {
        let r = app.send(app.request(Method::GET, "/api/v1/facilities").header("authorization", value)).await;
        assert_refused(&r, Cred::Forged, Dialect::Problem, value);
    }
    // Other schemes, or no scheme at all: unsupported, so the bare challenge.
    for value in ["Token abc", "cb_token", "Digest x=y"] {
        let r = app.send(app.request(Method::GET, "/api/v1/facilities").header("authorization", value)).await;
        assert_refused(&r, Cred::OtherScheme, Dialect::Problem, value);
    }
    // Bytes outside visible ASCII: a malformed request.
    let r = app
        .send(
            app.request(Method::GET, "/api/v1/facilities")
                .header("authorization", reqwest::header::HeaderValue::from_bytes(b"Bearer caf\xc3\xa9").unwrap()),
        )
        .await;
    assert_refused(&r, Cred::Malformed, Dialect::Problem, "not ASCII");
    // Two headers, even if both are good, are one too many.
    let two = app
        .request(Method::GET, "/api/v1/auth/me")
        .header("authorization", format!("Bearer {token}"))
        .header("authorization", format!("Bearer {token}"));
    assert_refused(&app.send(two).await, Cred::Malformed, Dialect::Problem, "two headers");
    // The scheme is case-insensitive (RFC 7235 §2.1).
    let lower = app.request(Method::GET, "/api/v1/auth/me").header("authorization", format!("bearer {token}"));
    assert_eq!(app.send(lower).await.status, 200);
});

both_backends!(a_bad_token_is_refused_before_a_write_is_attempted, |app| async move {
    app.load_demo().await;
    let audit_before = app.audit_count().await;
    // An anonymous-looking sign-in with a forged token is refused too: the client must learn
    // its token is bad rather than be signed in as someone else silently.
    let forged = app
        .request(Method::POST, "/api/v1/auth/token")
        .bearer_auth("cb_forged")
        .json(&serde_json::json!({"username": "hubei", "password": DEMO_PASSWORD}));
    let r = app.send(forged).await;
    assert_refused(&r, Cred::Forged, Dialect::Problem, "sign-in with a forged token");
    let with_key = app
        .request(Method::POST, "/api/v1/referrals")
        .bearer_auth("cb_forged")
        .header("idempotency-key", "k-forged-1")
        .json(&serde_json::json!({}));
    let r = app.send(with_key).await;
    assert_refused(&r, Cred::Forged, Dialect::Problem, "a keyed write with a forged token");
    assert_eq!(app.audit_count().await, audit_before, "nothing was written for a refused token");
});

/// A page request with `cb_session` set to `token`.
async fn page(app: &TestApp, path: &str, token: &str) -> Resp {
    app.send(app.request(Method::GET, path).header("cookie", format!("cb_session={token}; cb_lang=en"))).await
}

fn clears_the_session(r: &Resp) -> bool {
    r.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|c| c.to_str().ok())
        .any(|c| c.starts_with("cb_session=;") && c.contains("Max-Age=0"))
}

both_backends!(a_page_with_a_bad_session_cookie_drops_it_and_shows_the_public_view, |app| async move {
    let t = tokens(&app).await;
    // Signed in: the public directory greets the user and offers to sign out.
    let ok = page(&app, "/directory", &t.valid).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert!(ok.text.contains("action=\"/logout\""), "a signed-in page offers to sign out");
    assert!(!clears_the_session(&ok));
    for (what, token) in
        [("forged", "cb_0000000000000000000000000000000000000000000"), ("revoked", &t.revoked), ("junk", "%%%")]
    {
        // A public page: the public view, and the cookie is dropped.
        let r = page(&app, "/directory", token).await;
        assert_eq!(r.status, 200, "{what}: {}", r.text);
        assert!(clears_the_session(&r), "{what}: the bad cookie is dropped");
        assert!(!r.text.contains("action=\"/logout\"") && r.text.contains("href=\"/login\""), "{what}: public view");
        // A private page (the board is public now): to the sign-in, the cookie dropped.
        let r = page(&app, "/referrals", token).await;
        assert_eq!(r.status, 303, "{what}: {}", r.text);
        assert!(r.header("location").is_some_and(|l| l.starts_with("/login")), "{what}: {:?}", r.header("location"));
        assert!(clears_the_session(&r), "{what}: the bad cookie is dropped");
    }
    app.advance_minutes(13 * 60);
    let r = page(&app, "/directory", &t.expiring).await;
    assert_eq!(r.status, 200, "expired: {}", r.text);
    assert!(clears_the_session(&r), "expired: the cookie is dropped");
});
