//! `/designation-orders`: coordinators of the facility's region order; the directory derives the
//! current designation from the orders in effect; history is kept, newest first.

use carebridge_e2e::app::{assert_invalid, assert_problem};
use carebridge_e2e::both_backends;
use carebridge_e2e::fixtures::designation_order;

both_backends!(an_order_in_effect_changes_the_directory_and_a_future_one_waits, |app| async move {
    let demo = app.load_demo().await;
    let union = demo.union.to_string();
    let facility = format!("/api/v1/facilities/{union}");
    let before = app.get(&facility, None).await;
    assert_ne!(before.json["designation"], "closed_to_new");

    let now = app.now_plus_hours(0);
    let closed = app
        .post_json("/api/v1/designation-orders", Some("wuhan"), &designation_order(&union, "closed_to_new", &now))
        .await;
    assert_eq!(closed.status, 201, "{}", closed.text);
    let closed_id = closed.json["id"].as_str().expect("id").to_string();
    assert_eq!(closed.header("location"), Some(format!("/api/v1/designation-orders/{closed_id}").as_str()));
    assert_eq!(closed.json["designation"], "closed_to_new");
    assert_eq!(closed.json["facility_id"], union.as_str());

    let after = app.get(&facility, None).await;
    assert_eq!(after.json["designation"], "closed_to_new", "{}", after.text);
    assert_eq!(after.json["version"], before.json["version"], "an order is not an edit of the facility");
    let listed = app.get("/api/v1/facilities?designation=closed_to_new&limit=500", None).await;
    assert!(listed.items().iter().any(|f| f["id"] == union.as_str()));

    let tomorrow = app.now_plus_hours(24);
    let future = app
        .post_json(
            "/api/v1/designation-orders",
            Some("wuhan"),
            &designation_order(&union, "virus_designated", &tomorrow),
        )
        .await;
    assert_eq!(future.status, 201, "{}", future.text);
    let future_id = future.json["id"].as_str().expect("id").to_string();
    assert_eq!(app.get(&facility, None).await.json["designation"], "closed_to_new", "a future order waits");

    let history = app.get(&format!("/api/v1/designation-orders?facility_id={union}"), Some("wuhan")).await;
    assert_eq!(history.status, 200, "{}", history.text);
    let ids: Vec<&str> = history.items().iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert!(ids.len() >= 3, "the demo's order and ours: {ids:?}");
    assert_eq!(&ids[..2], [future_id.as_str(), closed_id.as_str()], "newest first");
    assert!(history.items().iter().all(|o| o["facility_id"] == union.as_str()));

    let one = app.get(&format!("/api/v1/designation-orders/{closed_id}"), Some("desk-union")).await;
    assert_eq!(one.status, 200, "the facility's desk reads its history: {}", one.text);
    assert_eq!(one.json["reason"], closed.json["reason"]);
});

both_backends!(orders_outside_the_governed_region_are_refused_and_write_nothing, |app| async move {
    let demo = app.load_demo().await;
    let union = demo.union.to_string();
    let now = app.now_plus_hours(0);
    let history = format!("/api/v1/designation-orders?facility_id={union}");
    let orders_before = app.get(&history, Some("nhc")).await.items().len();
    app.sign_in(&["beijing", "wuhan", "desk-union", "dr-union"]).await;
    let audit_before = app.audit_count().await;

    let beijing = app
        .post_json("/api/v1/designation-orders", Some("beijing"), &designation_order(&union, "closed_to_new", &now))
        .await;
    assert_invalid(&beijing, "/facility_id");
    let huanggang = app
        .post_json(
            "/api/v1/designation-orders",
            Some("wuhan"),
            &designation_order(&demo.huanggang.to_string(), "closed_to_new", &now),
        )
        .await;
    assert_invalid(&huanggang, "/facility_id");
    let desk = app
        .post_json("/api/v1/designation-orders", Some("desk-union"), &designation_order(&union, "closed_to_new", &now))
        .await;
    assert_problem(&desk, 403);
    let clinician = app
        .post_json("/api/v1/designation-orders", Some("dr-union"), &designation_order(&union, "closed_to_new", &now))
        .await;
    assert_problem(&clinician, 403);

    let mut no_reason = designation_order(&union, "closed_to_new", &now);
    no_reason["reason"] = serde_json::json!("   ");
    let r = app.post_json("/api/v1/designation-orders", Some("wuhan"), &no_reason).await;
    assert_invalid(&r, "/reason");
    let mut no_number = designation_order(&union, "closed_to_new", &now);
    no_number["order_number"] = serde_json::json!("");
    let r = app.post_json("/api/v1/designation-orders", Some("wuhan"), &no_number).await;
    assert_invalid(&r, "/order_number");
    let bad_designation =
        app.post_json("/api/v1/designation-orders", Some("wuhan"), &designation_order(&union, "haunted", &now)).await;
    assert_invalid(&bad_designation, "/designation");
    let bad_time = app
        .post_json("/api/v1/designation-orders", Some("wuhan"), &designation_order(&union, "general", "tomorrow"))
        .await;
    assert_invalid(&bad_time, "/effective_at");

    assert_eq!(app.get(&history, Some("nhc")).await.items().len(), orders_before, "no order was written");
    assert_eq!(app.audit_count().await, audit_before, "nothing was audited");
    assert_ne!(app.get(&format!("/api/v1/facilities/{union}"), None).await.json["designation"], "closed_to_new");
});

both_backends!(designation_history_is_scoped, |app| async move {
    let demo = app.load_demo().await;
    let all = app.get_all("/api/v1/designation-orders", Some("nhc")).await;
    let wuhan = app.get_all("/api/v1/designation-orders", Some("wuhan")).await;
    assert!(!wuhan.is_empty() && wuhan.len() < all.len());
    let wuhan_facilities: Vec<String> = app
        .get_all("/api/v1/facilities?region=420100", None)
        .await
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect();
    for o in &wuhan {
        assert!(wuhan_facilities.iter().any(|f| o["facility_id"] == f.as_str()), "outside Wuhan: {o}");
    }
    let desk = app.get_all("/api/v1/designation-orders", Some("desk-union")).await;
    assert!(desk.iter().all(|o| o["facility_id"] == demo.union.to_string().as_str()));
    let patient = app.get("/api/v1/designation-orders", Some("patient-demo")).await;
    assert_problem(&patient, 403);
    // An order of another city is "not found" to Wuhan, not "forbidden".
    let beijing_order = all.iter().find(|o| !wuhan.contains(o)).expect("an order outside Wuhan");
    let r =
        app.get(&format!("/api/v1/designation-orders/{}", beijing_order["id"].as_str().unwrap()), Some("wuhan")).await;
    assert_problem(&r, 404);
});
