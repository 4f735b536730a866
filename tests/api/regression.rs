//! Pins for what the contract checks found (issue 19), one test per finding, named `r19_…`,
//! so each stays fixed when the code around it moves. Each on SQLite and PostgreSQL.

use carebridge_e2e::app::{assert_invalid, assert_problem};
use carebridge_e2e::both_backends;
use carebridge_e2e::fixtures::facility_draft;
use reqwest::Method;
use serde_json::{json, Value};

/// Every `$ref` string anywhere in `v`.
fn refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(o) => {
            if let Some(Value::String(r)) = o.get("$ref") {
                out.push(r.clone());
            }
            o.values().for_each(|v| refs(v, out));
        }
        Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

both_backends!(r19_the_served_document_resolves_and_declares_its_errors, |app| async move {
    // `GET /api/v1/rollups` once referred to a `Breakdown` schema that did not exist, and no
    // operation declared its problem responses.
    let doc = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(doc.status, 200);
    let mut all = Vec::new();
    refs(&doc.json, &mut all);
    assert!(!all.is_empty());
    for r in &all {
        let pointer = r.strip_prefix('#').unwrap_or_else(|| panic!("an external $ref {r}"));
        assert!(doc.json.pointer(pointer).is_some(), "dangling $ref {r}");
    }
    let paths = doc.json["paths"].as_object().expect("paths");
    for (path, item) in paths {
        for (method, op) in item.as_object().expect("path item") {
            for status in ["400", "401", "500"] {
                let content = &op["responses"][status]["content"];
                assert!(content.get("application/problem+json").is_some(), "{method} {path}: no {status} problem");
            }
        }
    }
});

both_backends!(r19_a_facility_that_never_reported_has_capacity_unknown_not_an_error, |app| async move {
    // Was a 404 for a facility that exists; a client reading the document expected 200.
    app.load_demo().await;
    let created = app.post_json("/api/v1/facilities", Some("wuhan"), &facility_draft("420103", "未报告")).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.json["id"].as_str().expect("id");
    let r = app.get(&format!("/api/v1/facilities/{id}/capacity"), Some("wuhan")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.json["as_of"].is_null(), "{}", r.text);
    assert_eq!(r.json["stale"], true, "{}", r.text);
    assert_eq!(r.json["units"], json!([]), "{}", r.text);
});

both_backends!(r19_control_characters_in_a_query_are_a_400_naming_the_parameter, |app| async move {
    // A NUL in `q` reached PostgreSQL, which refused it with a 500.
    app.load_demo().await;
    for (query, name) in [("q=a%00b", "q"), ("q=%07", "q"), ("region=42%0A0000", "region")] {
        let r = app.get(&format!("/api/v1/facilities?{query}"), None).await;
        assert_problem(&r, 400);
        assert!(r.pointers().contains(&format!("/query/{name}")), "{query}: {}", r.text);
    }
});

both_backends!(r19_nul_in_a_body_text_field_is_a_422_naming_the_field, |app| async move {
    app.load_demo().await;
    let mut draft = facility_draft("420103", "空字符");
    draft["address"] = json!("测试路\u{0}1号");
    let r = app.post_json("/api/v1/facilities", Some("wuhan"), &draft).await;
    assert_invalid(&r, "/address");
    let login = app.post_json("/api/v1/auth/token", None, &json!({"username": "wu\u{0}han", "password": "x"})).await;
    assert!(matches!(login.status, 401 | 422), "{}", login.text);
    assert_problem(&login, login.status);
});

both_backends!(r19_anonymous_writes_with_an_idempotency_key_are_401, |app| async move {
    // The key was checked (and could be refused 400/422) before the missing credentials.
    app.load_demo().await;
    for key in ["k-1", "", "has spaces"] {
        let rb = app
            .request(Method::POST, "/api/v1/facilities")
            .header("idempotency-key", key.as_bytes())
            .json(&facility_draft("420103", "匿名"));
        let r = app.send(rb).await;
        assert_problem(&r, 401);
    }
});

both_backends!(r19_a_well_formed_cursor_is_accepted_and_a_malformed_one_refused, |app| async move {
    // The document's cursor pattern and the decoder once disagreed: a cursor matching the
    // pattern was refused, and uppercase hex, outside it, was accepted.
    app.load_demo().await;
    let made_up = "4242"; // "BB": well formed, never issued, simply a place in the order
    let r = app.get(&format!("/api/v1/facilities?cursor={made_up}"), None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    for bad in ["4A4A", "7f", "1f", "abc"] {
        let r = app.get(&format!("/api/v1/facilities?cursor={bad}"), None).await;
        assert!(matches!(r.status, 400 | 422), "{bad}: {}", r.text);
        assert!(r.pointers().contains(&"/cursor".to_string()), "{bad}: {}", r.text);
    }
    let audit = app.get("/api/v1/audit?cursor=3132", Some("auditor")).await;
    assert_eq!(audit.status, 200, "a number cursor: {}", audit.text);
    let audit = app.get("/api/v1/audit?cursor=3a", Some("auditor")).await;
    assert!(matches!(audit.status, 400 | 422), "{}", audit.text);
});
