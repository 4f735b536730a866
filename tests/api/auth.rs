//! `/auth/token` and `/auth/me`: signing in, refusing bad credentials alike, revoking.

use carebridge_e2e::app::{assert_invalid, assert_problem, DEMO_PASSWORD};
use carebridge_e2e::both_backends;
use reqwest::Method;
use serde_json::json;

both_backends!(a_token_is_issued_for_a_good_password, |app| async move {
    app.load_demo().await;
    let r = app.post_json("/api/v1/auth/token", None, &json!({"username": "wuhan", "password": DEMO_PASSWORD})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["token_type"], "Bearer");
    assert!(r.json["expires_in"].as_i64().unwrap_or(0) > 0, "{}", r.text);
    let token = r.json["access_token"].as_str().expect("access_token");
    assert!(token.starts_with("cb_"), "{token}");

    let me = app.send(app.request(Method::GET, "/api/v1/auth/me").bearer_auth(token)).await;
    assert_eq!(me.status, 200, "{}", me.text);
    assert_eq!(me.json["username"], "wuhan");
    assert_eq!(me.json["role"], "city_coordinator");
    assert_eq!(me.json["scope"], json!({"kind": "region", "id": "420100"}));
});

both_backends!(wrong_password_and_unknown_user_are_refused_alike, |app| async move {
    app.load_demo().await;
    let wrong =
        app.post_json("/api/v1/auth/token", None, &json!({"username": "wuhan", "password": "not-the-password"})).await;
    assert_problem(&wrong, 401);
    assert!(wrong.header("www-authenticate").is_some_and(|v| v.starts_with("Bearer")), "{:?}", wrong.headers);
    assert!(wrong.json.get("access_token").is_none());

    let unknown =
        app.post_json("/api/v1/auth/token", None, &json!({"username": "nobody-here", "password": DEMO_PASSWORD})).await;
    assert_problem(&unknown, 401);
    assert!(unknown.header("www-authenticate").is_some());
    assert_eq!(unknown.json["detail"], wrong.json["detail"], "the answer must not tell which part was wrong");
    assert_eq!(unknown.json["type"], wrong.json["type"]);
});

both_backends!(token_requests_are_checked_before_any_credential_is, |app| async move {
    let malformed = app
        .send(
            app.request(Method::POST, "/api/v1/auth/token")
                .header("content-type", "application/json")
                .body(r#"{"username": "wuhan", "password": "#),
        )
        .await;
    assert_problem(&malformed, 400);

    let unknown_field = app
        .post_json(
            "/api/v1/auth/token",
            None,
            &json!({"username": "wuhan", "password": DEMO_PASSWORD, "remember": true}),
        )
        .await;
    assert_invalid(&unknown_field, "/remember");

    let wrong_type = app.post_json("/api/v1/auth/token", None, &json!({"username": "wuhan", "password": 42})).await;
    assert_invalid(&wrong_type, "/password");
});

both_backends!(forged_and_garbage_credentials_are_401, |app| async move {
    app.load_demo().await;
    // RFC 6750 §3.1: a bearer token we never issued is `invalid_token`; another scheme gets the
    // bare challenge. bearer.rs covers every router and the 400 for malformed requests.
    for (auth, error) in [
        ("Bearer cb_xxx", Some("invalid_token")),
        ("Bearer cb_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", Some("invalid_token")),
        ("Bearer not-a-carebridge-token", Some("invalid_token")),
        ("Bearer", Some("invalid_token")),
        ("Basic d3VoYW46Y2FyZWJyaWRnZS1kZW1v", None),
        ("garbage", None),
    ] {
        let r = app.send(app.request(Method::GET, "/api/v1/auth/me").header("authorization", auth)).await;
        assert_problem(&r, 401);
        let challenge = r.header("www-authenticate").unwrap_or_else(|| panic!("{auth}: no WWW-Authenticate"));
        match error {
            Some(error) => assert!(challenge.contains(&format!("error=\"{error}\"")), "{auth}: {challenge}"),
            None => assert_eq!(challenge, "Bearer realm=\"carebridge\"", "{auth}"),
        }
    }
    // No credentials at all on a protected route: 401 too, with a bare challenge.
    let anon = app.get("/api/v1/auth/me", None).await;
    assert_problem(&anon, 401);
});

both_backends!(a_revoked_token_no_longer_signs_in, |app| async move {
    app.load_demo().await;
    let token = app.fresh_token("hubei", DEMO_PASSWORD).await;
    let me = app.send(app.request(Method::GET, "/api/v1/auth/me").bearer_auth(&token)).await;
    assert_eq!(me.status, 200, "{}", me.text);

    let revoke = app.send(app.request(Method::DELETE, "/api/v1/auth/token").bearer_auth(&token)).await;
    assert_eq!(revoke.status, 204, "{}", revoke.text);

    let after = app.send(app.request(Method::GET, "/api/v1/auth/me").bearer_auth(&token)).await;
    assert_problem(&after, 401);
    let again = app.send(app.request(Method::DELETE, "/api/v1/auth/token").bearer_auth(&token)).await;
    assert_problem(&again, 401);

    // Other tokens of the same user still work.
    let other = app.get("/api/v1/auth/me", Some("hubei")).await;
    assert_eq!(other.status, 200, "{}", other.text);
});

both_backends!(me_describes_each_demo_role, |app| async move {
    let demo = app.load_demo().await;
    let union = demo.union.to_string();
    for (user, role, scope) in [
        ("nhc", "national_coordinator", json!({"kind": "nation"})),
        ("hubei", "provincial_coordinator", json!({"kind": "region", "id": "420000"})),
        ("desk-union", "facility_desk", json!({"kind": "facility", "id": union})),
        ("dr-union", "clinician", json!({"kind": "facility", "id": union})),
        ("auditor", "auditor", json!({"kind": "nation"})),
        ("patient-demo", "patient", json!({"kind": "own"})),
    ] {
        let r = app.get("/api/v1/auth/me", Some(user)).await;
        assert_eq!(r.status, 200, "{user}: {}", r.text);
        assert_eq!(r.json["username"], user);
        assert_eq!(r.json["role"], role, "{user}");
        assert_eq!(r.json["scope"], scope, "{user}");
    }
});
