//! Batch placement plans: a coordinator previews the exact placement of every waiting patient
//! of a region, sees who goes where and who is left out and why, and applies it: every offer in
//! one transaction, or none when anything changed since the preview. On SQLite and PostgreSQL.

use carebridge_e2e::app::{assert_invalid, assert_problem, rfc3339_millis, TestApp};
use carebridge_e2e::both_backends;
use carebridge_e2e::fixtures::{capacity_report_units, facility_draft};
use serde_json::{json, Value};

/// Chengguan district, Lhasa: far from every demo hospital, so only the facility the test
/// opens there can take its patients.
const LHASA: (&str, f64, f64) = ("540102", 91.13, 29.65);

fn icu_referral(urgency: &str, n: usize) -> Value {
    json!({
        "patient": {"pseudonym": format!("lhasa-{n}"), "age_band": "adult",
                    "location": {"lon": LHASA.1 + 0.01 * n as f64, "lat": LHASA.2}, "region_code": LHASA.0,
                    "infection": "negative"},
        "need": "icu",
        "urgency": urgency,
    })
}

async fn holding_offers_at(app: &TestApp, referrals: &[String]) -> usize {
    let mut n = 0;
    for id in referrals {
        let r = app.get(&format!("/api/v1/referrals/{id}"), Some("nhc")).await;
        n += usize::from(r.json["current_offer"].is_object());
    }
    n
}

both_backends!(a_plan_places_the_most_urgent_first_and_applies_all_or_nothing, |app| async move {
    app.load_demo().await;
    let mut draft = facility_draft(LHASA.0, "拉萨");
    draft["location"] = json!({"lon": LHASA.1, "lat": LHASA.2});
    draft["services"] = json!(["icu"]);
    let facility = app.post_json("/api/v1/facilities", Some("nhc"), &draft).await;
    assert_eq!(facility.status, 201, "{}", facility.text);
    let facility = facility.json["id"].as_str().unwrap().to_string();

    // Three ICU patients and no reported bed: each waits, and the timeline says why.
    let mut ids = Vec::new();
    for (n, urgency) in ["routine", "emergency", "urgent"].into_iter().enumerate() {
        let filed = app.post_json("/api/v1/referrals", Some("nhc"), &icu_referral(urgency, n)).await;
        assert_eq!(filed.status, 201, "{}", filed.text);
        assert_eq!(filed.json["status"], "pending", "{}", filed.text);
        ids.push(filed.json["id"].as_str().unwrap().to_string());
    }
    // One sweep finds no bed either, and rests these referrals (a minute) before the next try:
    // the server's own sweep will not place them while the plan is made.
    app.cb.sweep_referrals().await.expect("a sweep");

    // Two ICU beds open, through a spreadsheet import: unlike a desk's report, an import does
    // not offer freed beds at once (the sweep or a plan does), so the three still wait.
    let as_of = rfc3339_millis(app.cb.now());
    let draft: carebridge_domain::capacity::CapacityReportDraft =
        serde_json::from_value(capacity_report_units(&facility, &as_of, &[("icu", 4, 2, 0)])).expect("a report");
    let meta = carebridge_service::RequestMeta { request_id: Some("plans-test".into()) };
    app.cb
        .import_capacity(&carebridge_domain::audit::Actor::system("plans-test"), vec![draft], &meta)
        .await
        .expect("the import");

    // Out of scope, unknown regions, unknown fields: refused, naming the field.
    assert_invalid(
        &app.post_json("/api/v1/placement/plans", Some("beijing"), &json!({"region_code": "540000"})).await,
        "/region_code",
    );
    assert_problem(
        &app.post_json("/api/v1/placement/plans", Some("desk-union"), &json!({"region_code": "540000"})).await,
        403,
    );
    let unknown =
        app.post_json("/api/v1/placement/plans", Some("nhc"), &json!({"region_code": "540000", "x": 1})).await;
    assert_problem(&unknown, 422);

    let preview = app.post_json("/api/v1/placement/plans", Some("nhc"), &json!({"region_code": "540000"})).await;
    assert_eq!(preview.status, 201, "{}", preview.text);
    let plan = &preview.json;
    assert_eq!(plan["status"], "preview");
    assert_eq!(plan["waiting"], 3);
    let placed: Vec<&str> =
        plan["placements"].as_array().unwrap().iter().map(|p| p["referral_id"].as_str().unwrap()).collect();
    assert_eq!(placed.len(), 2, "{plan:#}");
    assert!(
        placed.contains(&ids[1].as_str()) && placed.contains(&ids[2].as_str()),
        "the emergency and the urgent: {plan:#}"
    );
    let unplaced = &plan["unplaced"][0];
    assert_eq!(unplaced["referral_id"], ids[0].as_str());
    assert_eq!(unplaced["why"], "beds_taken_by_others");
    assert!(plan["placements"].as_array().unwrap().iter().all(|p| p["facility_id"] == facility.as_str()));
    let placed_cost = plan["placed_cost"].as_i64().unwrap();
    assert_eq!(plan["total_cost"].as_i64().unwrap(), placed_cost + 100_000, "the routine patient's penalty");
    // Nothing is offered by a preview.
    assert_eq!(holding_offers_at(&app, &ids).await, 0);
    let plan_id = plan["id"].as_str().unwrap().to_string();
    let read = app.get(&format!("/api/v1/placement/plans/{plan_id}"), Some("nhc")).await;
    assert_eq!(read.status, 200, "{}", read.text);
    assert_eq!(read.json["placements"], plan["placements"]);
    assert_problem(&app.get(&format!("/api/v1/placement/plans/{plan_id}"), Some("beijing")).await, 404);

    // A second preview of the same moment, applied after the first: stale, and nothing of it
    // is written.
    let second = app.post_json("/api/v1/placement/plans", Some("nhc"), &json!({"region_code": "540000"})).await;
    assert_eq!(second.status, 201, "{}", second.text);

    let audit_before = app.audit_count().await;
    let applied = app.post_json(&format!("/api/v1/placement/plans/{plan_id}/apply"), Some("nhc"), &json!({})).await;
    assert_eq!(applied.status, 200, "{}", applied.text);
    assert_eq!(applied.json["status"], "applied");
    assert!(applied.json["applied_at"].is_string());
    assert_eq!(holding_offers_at(&app, &ids).await, 2);
    assert_eq!(app.audit_count().await, audit_before + 3, "two offers and the apply");
    let emergency = app.get(&format!("/api/v1/referrals/{}", ids[1]), Some("nhc")).await;
    assert_eq!(emergency.json["status"], "offered");
    let offered = emergency.json["events"].as_array().unwrap().iter().rev().find(|e| e["kind"] == "offered").unwrap();
    assert_eq!(offered["detail"]["plan"], plan_id.as_str());

    assert_problem(
        &app.post_json(&format!("/api/v1/placement/plans/{plan_id}/apply"), Some("nhc"), &json!({})).await,
        409,
    );
    let audit_before = app.audit_count().await;
    let stale = app
        .post_json(
            &format!("/api/v1/placement/plans/{}/apply", second.json["id"].as_str().unwrap()),
            Some("nhc"),
            &json!({}),
        )
        .await;
    assert_problem(&stale, 409);
    assert_eq!(app.audit_count().await, audit_before, "a refused apply writes nothing");
    assert_eq!(holding_offers_at(&app, &ids).await, 2);

    // The routine patient is now told there is no bed at all, by constraint.
    let third = app.post_json("/api/v1/placement/plans", Some("nhc"), &json!({"region_code": "540000"})).await;
    assert_eq!(third.status, 201, "{}", third.text);
    assert_eq!(third.json["waiting"], 1);
    assert_eq!(third.json["unplaced"][0]["why"], "no_feasible_facility");
    assert!(third.json["unplaced"][0]["excluded"]["no_staffed_bed_free"].as_u64().unwrap() >= 1, "{}", third.text);
});
