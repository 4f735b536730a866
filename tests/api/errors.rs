//! What goes wrong at the edge is a problem document too: unknown routes, wrong methods,
//! oversize and non-JSON bodies. And the OpenAPI document describes every route.

use carebridge_e2e::app::assert_problem;
use carebridge_e2e::both_backends;
use reqwest::Method;

both_backends!(unknown_routes_are_404_problems, |app| async move {
    for path in ["/api/v1/nope", "/api/v1/facilities/x/y/z", "/api/v1/"] {
        let r = app.get(path, None).await;
        assert_problem(&r, 404);
    }
});

both_backends!(wrong_methods_are_405_problems, |app| async move {
    for (method, path) in [
        (Method::DELETE, "/api/v1/facilities"),
        (Method::PATCH, "/api/v1/capacity/reports"),
        (Method::PUT, "/api/v1/rollups"),
        (Method::POST, "/healthz"),
    ] {
        let r = app.send(app.request(method.clone(), path)).await;
        assert_problem(&r, 405);
        if let Some(allow) = r.header("allow") {
            assert!(!allow.contains(method.as_str()), "{method} {path}: Allow `{allow}` lists the refused method");
            assert!(!allow.is_empty());
        }
    }
    let facilities = app.send(app.request(Method::DELETE, "/api/v1/facilities")).await;
    if let Some(allow) = facilities.header("allow") {
        assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
    }
});

both_backends!(bodies_over_one_mebibyte_are_413_problems, |app| async move {
    let padding = "x".repeat(1024 * 1024 + 1);
    let body = format!(r#"{{"username": "wuhan", "password": "{padding}"}}"#);
    let r = app
        .send(app.request(Method::POST, "/api/v1/auth/token").header("content-type", "application/json").body(body))
        .await;
    assert_problem(&r, 413);
});

both_backends!(non_json_bodies_are_415_problems, |app| async move {
    let body = r#"{"username": "wuhan", "password": "carebridge-demo"}"#;
    for ct in [Some("text/plain"), Some("application/x-www-form-urlencoded"), None] {
        let mut rb = app.request(Method::POST, "/api/v1/auth/token").body(body);
        if let Some(ct) = ct {
            rb = rb.header("content-type", ct);
        }
        let r = app.send(rb).await;
        assert_problem(&r, 415);
    }
    // `application/json; charset=utf-8` and `+json` are JSON.
    let r = app
        .send(
            app.request(Method::POST, "/api/v1/auth/token")
                .header("content-type", "application/json; charset=utf-8")
                .body(body),
        )
        .await;
    assert_eq!(r.status, 401, "JSON accepted, unknown user refused: {}", r.text);
});

both_backends!(the_openapi_document_lists_every_route, |app| async move {
    let r = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.header("content-type").unwrap_or("").starts_with("application/json"));
    assert!(r.json["openapi"].as_str().is_some_and(|v| v.starts_with("3.1")), "{}", r.json["openapi"]);
    let paths = r.json["paths"].as_object().expect("paths");
    let expected: &[(&str, &[&str])] = &[
        ("/api/v1/auth/token", &["post", "delete"]),
        ("/api/v1/auth/me", &["get"]),
        ("/api/v1/regions", &["get"]),
        ("/api/v1/regions/{code}", &["get"]),
        ("/api/v1/regions/{code}/settings", &["get", "put"]),
        ("/api/v1/facilities", &["get", "post"]),
        ("/api/v1/facilities/{id}", &["get", "put"]),
        ("/api/v1/facilities/{id}/capacity", &["get"]),
        ("/api/v1/facilities/{id}/capacity/reports", &["get"]),
        ("/api/v1/designation-orders", &["get", "post"]),
        ("/api/v1/designation-orders/{id}", &["get"]),
        ("/api/v1/capacity", &["get"]),
        ("/api/v1/capacity/reports", &["post"]),
        ("/api/v1/capacity/series", &["get"]),
        ("/api/v1/rollups", &["get"]),
        ("/api/v1/users", &["get", "post"]),
        ("/api/v1/users/{id}", &["get"]),
        ("/api/v1/audit", &["get"]),
        ("/api/v1/referrals", &["get", "post"]),
        ("/api/v1/referrals/{id}", &["get"]),
        ("/api/v1/referrals/{id}/cancel", &["post"]),
        ("/api/v1/referrals/{id}/admit", &["post"]),
        ("/api/v1/referrals/{id}/direct", &["post"]),
        ("/api/v1/placement/referrals/{id}/ranking", &["get"]),
        ("/api/v1/placement/offers", &["get"]),
        ("/api/v1/placement/offers/{id}/answer", &["post"]),
        ("/api/v1/placement/plans", &["post"]),
        ("/api/v1/placement/plans/{id}", &["get"]),
        ("/api/v1/placement/plans/{id}/apply", &["post"]),
        ("/api/v1/placement/displacements", &["post"]),
        ("/api/v1/placement/protected-groups", &["get"]),
        ("/api/v1/regions/{code}/protected-groups", &["put"]),
        ("/api/v1/regions/{code}/placement-limits", &["get", "put"]),
        ("/api/v1/regions/{code}/travel-limits", &["get", "put", "delete"]),
        ("/api/v1/placement/displacements/{id}", &["get"]),
        ("/api/v1/placement/displacements/{id}/apply", &["post"]),
        ("/api/v1/schedules", &["post"]),
        ("/api/v1/slots", &["get"]),
        ("/api/v1/bookings", &["get", "post"]),
        ("/api/v1/bookings/{id}", &["get"]),
        ("/api/v1/bookings/{id}/cancel", &["post"]),
        ("/api/v1/bookings/{id}/reschedule", &["post"]),
        ("/api/v1/notices", &["get"]),
        ("/api/v1/facilities/{id}/closures", &["get", "post"]),
        ("/api/v1/regions/{code}/booking-limits", &["get", "put"]),
        ("/api/v1/waitlist", &["get", "post"]),
        ("/api/v1/waitlist/{id}", &["get"]),
        ("/api/v1/waitlist/{id}/claim", &["post"]),
        ("/api/v1/waitlist/{id}/leave", &["post"]),
        ("/api/v1/patients", &["post"]),
        ("/api/v1/registration-orders", &["post"]),
        ("/api/v1/registration-orders/{id}", &["get"]),
        ("/api/v1/regions/{code}/registration-rule", &["get"]),
        ("/api/v1/facilities/{id}/check-ins", &["get", "post"]),
        ("/api/v1/registration-effect", &["get"]),
        ("/api/v1/facilities/{id}/fever-queue", &["get", "post"]),
        ("/api/v1/fever-visits/{id}/status", &["post"]),
        ("/api/v1/fever-waits", &["get"]),
        ("/api/v1/fever-alerts", &["get"]),
        ("/api/v1/regions/{code}/fever-wait-threshold", &["get", "put"]),
        ("/api/v1/online-care", &["get"]),
        ("/api/v1/facilities/{id}/online-care", &["put"]),
        ("/api/v1/consultations", &["get", "post"]),
        ("/api/v1/consultations/{id}", &["get"]),
        ("/api/v1/consultations/{id}/withdraw", &["post"]),
        ("/api/v1/facilities/{id}/consultations", &["get"]),
        ("/api/v1/facilities/{id}/consultations/next", &["post"]),
        ("/api/v1/consultations/{id}/answer", &["post"]),
        ("/api/v1/consultations/{id}/release", &["post"]),
        ("/api/v1/consultations/{id}/referral", &["post"]),
        ("/api/v1/consultations/{id}/booking", &["post"]),
    ];
    let mut missing = Vec::new();
    for (path, methods) in expected {
        for m in *methods {
            if paths.get(*path).and_then(|p| p.get(*m)).is_none() {
                missing.push(format!("{} {path}", m.to_uppercase()));
            }
        }
    }
    assert!(missing.is_empty(), "not in the OpenAPI document: {missing:?}");
    let documented: Vec<&String> = paths.keys().filter(|p| !expected.iter().any(|(e, _)| e == p)).collect();
    assert!(
        documented.is_empty(),
        "documented but not known to this test (add them, and to authz_matrix): {documented:?}"
    );
    assert!(r.json["components"]["securitySchemes"]["bearer"].is_object());
    assert!(r.json["components"]["schemas"]["Problem"].is_object());
});
