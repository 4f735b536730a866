//! `/capacity`: desks report; reports older than the standing one are history only; invalid
//! reports are refused whole; staleness follows the region's threshold.

use carebridge_e2e::app::{assert_invalid, assert_problem, TestApp};
use carebridge_e2e::both_backends;
use carebridge_e2e::fixtures::capacity_report;
use serde_json::{json, Value};

/// The current counts of one unit in a `FacilityCapacity`.
fn unit<'a>(capacity: &'a Value, name: &str) -> &'a Value {
    capacity["units"]
        .as_array()
        .and_then(|u| u.iter().find(|u| u["unit"] == name))
        .unwrap_or_else(|| panic!("no {name} in {capacity}"))
}

async fn history(app: &TestApp, facility: &str) -> Vec<Value> {
    app.get_all(&format!("/api/v1/facilities/{facility}/capacity/reports"), Some("nhc")).await
}

both_backends!(a_desk_reports_and_an_older_report_is_history_only, |app| async move {
    let demo = app.load_demo().await;
    let union = demo.union.to_string();
    let reports_before = history(&app, &union).await.len();

    let now = app.now_plus_hours(0);
    let fresh = app.post_json("/api/v1/capacity/reports", Some("desk-union"), &capacity_report(&union, &now, 35)).await;
    assert_eq!(fresh.status, 201, "{}", fresh.text);
    assert_eq!(fresh.json["became_current"], true);
    assert_eq!(fresh.json["facility_id"], union.as_str());
    let fresh_id = fresh.json["id"].as_str().unwrap().to_string();

    let current = app.get(&format!("/api/v1/facilities/{union}/capacity"), Some("desk-union")).await;
    assert_eq!(current.status, 200, "{}", current.text);
    assert_eq!(unit(&current.json, "icu")["occupied"], 35);
    assert_eq!(unit(&current.json, "icu")["physical"], 40);
    assert_eq!(current.json["stale"], false);
    let standing = current.json.clone();

    let earlier = app.now_plus_hours(-2);
    let late =
        app.post_json("/api/v1/capacity/reports", Some("desk-union"), &capacity_report(&union, &earlier, 2)).await;
    assert_eq!(late.status, 201, "a late report is kept: {}", late.text);
    assert_eq!(late.json["became_current"], false);
    let late_id = late.json["id"].as_str().unwrap().to_string();

    let current = app.get(&format!("/api/v1/facilities/{union}/capacity"), Some("desk-union")).await;
    assert_eq!(unit(&current.json, "icu")["occupied"], 35, "the newer numbers still stand");
    assert_eq!(current.json["units"], standing["units"], "the late report replaced nothing");
    assert_eq!(current.json["as_of"], standing["as_of"]);

    let all = history(&app, &union).await;
    assert_eq!(all.len(), reports_before + 2);
    let position = |id: &str| all.iter().position(|r| r["id"] == id).unwrap_or_else(|| panic!("{id} not in history"));
    assert_eq!((position(&late_id), position(&fresh_id)), (0, 1), "history is newest received first");
    assert_eq!(all[position(&fresh_id)]["became_current"], true);
    assert_eq!(all[position(&late_id)]["became_current"], false);

    // A coordinator over the facility may report too.
    let by_wuhan = app.post_json("/api/v1/capacity/reports", Some("wuhan"), &capacity_report(&union, &now, 36)).await;
    assert_eq!(by_wuhan.status, 201, "{}", by_wuhan.text);
});

both_backends!(invalid_reports_are_refused_whole, |app| async move {
    let demo = app.load_demo().await;
    let union = demo.union.to_string();
    let reports_before = history(&app, &union).await.len();
    app.sign_in(&["desk-union"]).await;
    let audit_before = app.audit_count().await;
    let now = app.now_plus_hours(0);
    let post = |body: Value| {
        let app = &app;
        async move { app.post_json("/api/v1/capacity/reports", Some("desk-union"), &body).await }
    };

    let mut over = capacity_report(&union, &now, 10);
    over["units"][0]["staffed"] = json!(41);
    let r = post(over).await;
    assert_problem(&r, 422);
    assert!(r.pointers().iter().any(|p| p.starts_with("/units/0")), "{}", r.text);
    assert!(r.text.contains("staffed"), "{}", r.text);

    let mut negative = capacity_report(&union, &now, 10);
    negative["units"][1]["occupied"] = json!(-1);
    let r = post(negative).await;
    assert_problem(&r, 422);
    assert!(r.pointers().iter().any(|p| p.starts_with("/units/1")), "{}", r.text);

    let mut duplicate = capacity_report(&union, &now, 10);
    duplicate["units"][1]["unit"] = json!("icu");
    assert_invalid(&post(duplicate).await, "/units/1/unit");

    let mut empty = capacity_report(&union, &now, 10);
    empty["units"] = json!([]);
    assert_invalid(&post(empty).await, "/units");

    let far_future = app.now_plus_hours(24 * 365);
    assert_invalid(&post(capacity_report(&union, &far_future, 10)).await, "/as_of");

    let mut unknown_unit = capacity_report(&union, &now, 10);
    unknown_unit["units"][0]["unit"] = json!("helipad");
    let r = post(unknown_unit).await;
    assert_problem(&r, 422);
    assert!(r.pointers().iter().any(|p| p.starts_with("/units/0")), "{}", r.text);

    // Another facility is not the desk's to report for.
    let jinyintan = demo.jinyintan.to_string();
    let jinyintan_before = history(&app, &jinyintan).await.len();
    let r = post(capacity_report(&jinyintan, &now, 10)).await;
    assert!(matches!(r.status, 404 | 422), "{}", r.text);
    assert_problem(&r, r.status);
    assert_eq!(history(&app, &jinyintan).await.len(), jinyintan_before);

    assert_eq!(history(&app, &union).await.len(), reports_before, "no report was written");
    assert_eq!(app.audit_count().await, audit_before, "nothing was audited");
});

both_backends!(stale_facilities_follow_the_region_threshold, |app| async move {
    let demo = app.load_demo().await;
    let national = app.get_all("/api/v1/capacity", Some("nhc")).await;
    assert_eq!(national.len(), demo.scenario.facilities.len(), "every demo facility has reported");
    let stale: Vec<&Value> = national.iter().filter(|c| c["stale"] == true).collect();
    assert!(!stale.is_empty(), "the demo has stale facilities");
    for c in &national {
        let age = c["age_seconds"].as_i64().unwrap();
        assert_eq!(c["stale"] == true, age > 12 * 3600, "stale means older than 12 h by default: {c}");
    }
    let is_stale =
        |list: &[Value], id: String| list.iter().find(|c| c["facility_id"] == id.as_str()).map(|c| c["stale"] == true);
    assert_eq!(is_stale(&national, demo.wuhan_stale.to_string()), Some(true));
    assert_eq!(is_stale(&national, demo.huanggang.to_string()), Some(true));
    assert_eq!(is_stale(&national, demo.union.to_string()), Some(false));
    let one = app.get(&format!("/api/v1/facilities/{}/capacity", demo.wuhan_stale), Some("wuhan")).await;
    assert_eq!(one.json["stale"], true, "{}", one.text);

    let settings = app.get("/api/v1/regions/420103/settings", Some("wuhan")).await;
    assert_eq!(settings.status, 200, "{}", settings.text);
    assert_eq!(settings.json["stale_after_hours"], 12);

    let put = app.put_json("/api/v1/regions/420100/settings", Some("wuhan"), &json!({"stale_after_hours": 720})).await;
    assert_eq!(put.status, 200, "{}", put.text);
    assert_eq!(put.json["stale_after_hours"], 720);
    let inherited = app.get("/api/v1/regions/420103/settings", Some("wuhan")).await;
    assert_eq!(inherited.json["stale_after_hours"], 720, "districts inherit their city's threshold");

    let wuhan = app.get_all("/api/v1/capacity", Some("wuhan")).await;
    assert!(!wuhan.is_empty());
    assert!(wuhan.iter().all(|c| c["stale"] == false), "no Wuhan facility is 30 days silent");
    let national = app.get_all("/api/v1/capacity", Some("nhc")).await;
    assert_eq!(is_stale(&national, demo.huanggang.to_string()), Some(true), "Huanggang is not Wuhan");

    for bad in [json!({"stale_after_hours": 0}), json!({"stale_after_hours": 721})] {
        let r = app.put_json("/api/v1/regions/420100/settings", Some("wuhan"), &bad).await;
        assert_invalid(&r, "/stale_after_hours");
    }
    let outside =
        app.put_json("/api/v1/regions/421100/settings", Some("wuhan"), &json!({"stale_after_hours": 24})).await;
    assert_problem(&outside, 404);
    let desk =
        app.put_json("/api/v1/regions/420100/settings", Some("desk-union"), &json!({"stale_after_hours": 24})).await;
    assert_problem(&desk, 403);
    assert_eq!(app.get("/api/v1/regions/420103/settings", Some("wuhan")).await.json["stale_after_hours"], 720);
});

both_backends!(capacity_series_covers_the_window, |app| async move {
    app.load_demo().await;
    let r = app.get("/api/v1/capacity/series?region=420100&days=3", Some("wuhan")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let points = r.json.as_array().expect("a list of points");
    assert!(!points.is_empty());
    for p in points {
        assert_eq!(
            p["available"].as_i64(),
            Some(p["staffed"].as_i64().unwrap() - p["occupied"].as_i64().unwrap()),
            "{p}"
        );
    }
    for days in [0, 91] {
        let r = app.get(&format!("/api/v1/capacity/series?days={days}"), Some("wuhan")).await;
        assert_invalid(&r, "/days");
    }
});
