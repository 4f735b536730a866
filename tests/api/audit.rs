//! `/audit`: every write leaves one entry, in the same transaction, with the request id the
//! server gave the request; readable by auditors and national coordinators, with filters.

use carebridge_domain::clock::Timestamp;
use carebridge_e2e::app::{assert_problem, Resp, TestApp};
use carebridge_e2e::both_backends;
use carebridge_e2e::fixtures::{capacity_report, designation_order, facility_draft};
use serde_json::{json, Value};

/// The audit entry a response's request produced (found by its `x-request-id`).
async fn entry_of(app: &TestApp, resp: &Resp) -> Value {
    let request_id = resp.header("x-request-id").expect("the server sets x-request-id").to_string();
    let entries = app.get_all("/api/v1/audit", Some("auditor")).await;
    let found: Vec<&Value> = entries.iter().filter(|e| e["request_id"] == request_id.as_str()).collect();
    assert_eq!(found.len(), 1, "one entry for request {request_id}: {found:?}");
    found[0].clone()
}

both_backends!(every_write_is_audited_with_its_request_id, |app| async move {
    let demo = app.load_demo().await;
    let union = demo.union.to_string();
    let now = app.now_plus_hours(0);

    let token =
        app.post_json("/api/v1/auth/token", None, &json!({"username": "wuhan", "password": "carebridge-demo"})).await;
    assert_eq!(token.status, 200);
    let facility = app.post_json("/api/v1/facilities", Some("wuhan"), &facility_draft("420103", "审计")).await;
    assert_eq!(facility.status, 201, "{}", facility.text);
    let order = app
        .post_json("/api/v1/designation-orders", Some("wuhan"), &designation_order(&union, "closed_to_new", &now))
        .await;
    assert_eq!(order.status, 201, "{}", order.text);
    let report =
        app.post_json("/api/v1/capacity/reports", Some("desk-union"), &capacity_report(&union, &now, 30)).await;
    assert_eq!(report.status, 201, "{}", report.text);

    let facility_id = facility.json["id"].as_str().unwrap();
    for (resp, actor, action, entity, entity_id) in [
        (&token, "wuhan", "auth.token.issue", "user", None),
        (&facility, "wuhan", "facility.create", "facility", Some(facility_id)),
        (&order, "wuhan", "designation.order", "facility", Some(union.as_str())),
        (&report, "desk-union", "capacity.report", "facility", Some(union.as_str())),
    ] {
        let e = entry_of(&app, resp).await;
        assert_eq!(e["actor"]["name"], actor, "{e}");
        assert!(e["actor"]["user_id"].is_string(), "{e}");
        assert!(e["actor"]["role"].is_string(), "{e}");
        assert_eq!(e["action"], action, "{e}");
        assert_eq!(e["entity"], entity, "{e}");
        assert!(!e["entity_id"].as_str().unwrap_or("").is_empty(), "{e}");
        if let Some(id) = entity_id {
            assert_eq!(e["entity_id"], id, "{e}");
        }
        assert!(e["at"].is_string() && e["id"].is_string(), "{e}");
    }
    // A request id sent by the client is kept and recorded.
    let rb = app
        .request_as(reqwest::Method::POST, "/api/v1/facilities", Some("wuhan"))
        .await
        .header("x-request-id", "trace-me-42")
        .json(&facility_draft("420103", "追踪"));
    let traced = app.send(rb).await;
    assert_eq!(traced.status, 201, "{}", traced.text);
    assert_eq!(traced.header("x-request-id"), Some("trace-me-42"));
    assert_eq!(entry_of(&app, &traced).await["action"], "facility.create");
});

both_backends!(the_audit_log_filters_by_actor_entity_and_time, |app| async move {
    let demo = app.load_demo().await;
    let union = demo.union.to_string();
    let before_writes = Timestamp::from_millis(app.cb.now().millis() - 1000).to_rfc3339();
    let created = app.post_json("/api/v1/facilities", Some("wuhan"), &facility_draft("420103", "过滤")).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let now = app.now_plus_hours(0);
    let ordered = app
        .post_json("/api/v1/designation-orders", Some("wuhan"), &designation_order(&union, "closed_to_new", &now))
        .await;
    assert_eq!(ordered.status, 201, "{}", ordered.text);
    let after_writes = Timestamp::from_millis(app.cb.now().millis() + 2000).to_rfc3339();

    let by_wuhan = app.get_all("/api/v1/audit?actor=wuhan", Some("auditor")).await;
    assert!(by_wuhan.len() >= 3, "a sign-in, a facility, an order: {by_wuhan:?}");
    assert!(by_wuhan.iter().all(|e| e["actor"]["name"] == "wuhan"));

    let facilities = app.get_all("/api/v1/audit?actor=wuhan&entity=facility", Some("auditor")).await;
    assert!(facilities.iter().all(|e| e["entity"] == "facility" && e["actor"]["name"] == "wuhan"));
    let actions: Vec<&str> = facilities.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"facility.create") && actions.contains(&"designation.order"), "{actions:?}");

    let window = app.get_all(&format!("/api/v1/audit?from={before_writes}&to={after_writes}"), Some("auditor")).await;
    assert!(window.iter().any(|e| e["entity_id"] == created.json["id"]));
    for e in &window {
        let at = e["at"].as_str().unwrap();
        assert!(at >= before_writes.as_str() && at < after_writes.as_str(), "{at} outside the window");
    }
    let before = app
        .get_all(&format!("/api/v1/audit?to={before_writes}&action=facility.create&actor=wuhan"), Some("auditor"))
        .await;
    assert!(before.is_empty(), "wuhan created its facility inside the window: {before:?}");

    let action = app.get_all("/api/v1/audit?action=facility.create&actor=wuhan", Some("nhc")).await;
    assert_eq!(action.len(), 1);
    assert_eq!(action[0]["entity_id"], created.json["id"]);

    // Newest first, and pages do not overlap.
    let page1 = app.get("/api/v1/audit?limit=5", Some("auditor")).await;
    assert_eq!(page1.items().len(), 5);
    let ats: Vec<&str> = page1.items().iter().map(|e| e["at"].as_str().unwrap()).collect();
    assert!(ats.windows(2).all(|w| w[0] >= w[1]), "{ats:?}");
    let cursor = page1.json["next_cursor"].as_str().unwrap();
    let page2 = app.get(&format!("/api/v1/audit?limit=5&cursor={cursor}"), Some("auditor")).await;
    for e in page2.items() {
        assert!(!page1.items().contains(e));
    }

    let bad_time = app.get("/api/v1/audit?from=yesterday", Some("auditor")).await;
    assert_problem(&bad_time, 400);
});

both_backends!(only_auditors_and_the_nation_read_the_audit_log, |app| async move {
    app.load_demo().await;
    for user in ["auditor", "nhc"] {
        assert_eq!(app.get("/api/v1/audit", Some(user)).await.status, 200, "{user}");
    }
    for user in ["hubei", "wuhan", "beijing", "desk-union", "dr-union", "patient-demo"] {
        assert_problem(&app.get("/api/v1/audit", Some(user)).await, 403);
    }
    assert_problem(&app.get("/api/v1/audit", None).await, 401);
});

both_backends!(a_refused_write_leaves_no_audit_entry, |app| async move {
    let demo = app.load_demo().await;
    let union = demo.union.to_string();
    let now = app.now_plus_hours(0);
    app.sign_in(&["wuhan", "desk-union"]).await;
    let before = app.audit_count().await;

    let mut bad_facility = facility_draft("420103", "无效");
    bad_facility["location"]["lon"] = json!(200.0);
    assert_eq!(app.post_json("/api/v1/facilities", Some("wuhan"), &bad_facility).await.status, 422);
    let mut bad_report = capacity_report(&union, &now, 10);
    bad_report["units"][0]["staffed"] = json!(1000);
    assert_eq!(app.post_json("/api/v1/capacity/reports", Some("desk-union"), &bad_report).await.status, 422);
    let mut bad_order = designation_order(&union, "closed_to_new", &now);
    bad_order["reason"] = json!("");
    assert_eq!(app.post_json("/api/v1/designation-orders", Some("wuhan"), &bad_order).await.status, 422);
    let wrong_password = json!({"username": "wuhan", "password": "wrong-password-here"});
    assert_eq!(app.post_json("/api/v1/auth/token", None, &wrong_password).await.status, 401);
    assert_eq!(
        app.post_json("/api/v1/facilities", Some("desk-union"), &facility_draft("420103", "越权")).await.status,
        403
    );
    assert_eq!(
        app.put_json("/api/v1/regions/420100/settings", Some("wuhan"), &json!({"stale_after_hours": 0})).await.status,
        422
    );

    assert_eq!(app.audit_count().await, before, "refused requests are not audited");

    let ok = app.post_json("/api/v1/facilities", Some("wuhan"), &facility_draft("420103", "有效")).await;
    assert_eq!(ok.status, 201, "{}", ok.text);
    assert_eq!(app.audit_count().await, before + 1, "one write, one entry");
});
