//! Displacement, as the field reports tell it: a hospital's dialysis rooms are commandeered;
//! before that happens the coordinator sees the dialysis patient it displaces, with their
//! weekdays and next session, and where they would go; applying it moves them to another
//! hospital within their travel limit on the same weekdays with no session missed, and tells
//! them (the Union Hospital story of issue 20 is in `placement_safety`). A patient the plan
//! cannot place must be acknowledged by name, and is escalated. On SQLite and PostgreSQL.

use crate::referrals::{current_offer, desk_answers, desk_token};
use carebridge_e2e::app::{assert_invalid, assert_problem, rfc3339_millis, TestApp};
use carebridge_e2e::both_backends;
use carebridge_e2e::fixtures::{capacity_report_units, facility_draft};
use serde_json::{json, Value};

fn dialysis_referral(region: &str, lon: f64, lat: f64) -> Value {
    json!({
        "patient": {"pseudonym": "dialysis-1", "age_band": "adult", "location": {"lon": lon, "lat": lat},
                    "region_code": region, "infection": "negative"},
        "need": "dialysis",
        "urgency": "soon",
        "schedule": {"sessions_per_week": 2},
        "note": "ESRD, haemodialysis twice a week.",
    })
}

/// File, have the offered desk accept and admit: the referral id, the facility and the offer.
async fn admitted_dialysis_patient(app: &TestApp, filer: &str, referral: &Value) -> (String, String, Value) {
    let filed = app.post_json("/api/v1/referrals", Some(filer), referral).await;
    assert_eq!(filed.status, 201, "{}", filed.text);
    let id = filed.json["id"].as_str().unwrap().to_string();
    let (offer, facility) = current_offer(&filed.json);
    let pattern = filed.json["current_offer"]["pattern"].clone();
    assert!(pattern.is_string(), "a dialysis offer carries its weekdays: {}", filed.text);
    let accepted = desk_answers(app, &facility, &offer, &json!({"answer": "accept"})).await;
    assert_eq!(accepted.status, 200, "{}", accepted.text);
    let token = desk_token(app, &facility).await;
    let rb = app.request(reqwest::Method::POST, &format!("/api/v1/referrals/{id}/admit")).bearer_auth(token);
    let admitted = app.send(rb).await;
    assert_eq!(admitted.status, 200, "{}", admitted.text);
    assert_eq!(admitted.json["status"], "admitted");
    (id, facility, pattern)
}

both_backends!(the_dialysis_patient_displaced_by_a_commandeering_keeps_their_weekdays_elsewhere, |app| async move {
    let demo = app.load_demo().await;
    // Wuchang district, Wuhan. Two of Wuhan's dialysis units have stations free (Union and
    // Tongji, both within the hour), every other is full: the patient goes to one and, when its
    // rooms are commandeered, to the other — never hours away (issue 20).
    let as_of = rfc3339_millis(app.cb.now());
    let keep_free = ["wuhan-union", "wuhan-tongji"];
    for f in &demo.scenario.facilities {
        let dialysis = f.draft.services.iter().any(|s| s.as_str() == "dialysis");
        if !dialysis || !f.draft.region_code.to_string().starts_with("4201") {
            continue;
        }
        let occupied = if keep_free.contains(&f.key) { 37 } else { 40 };
        let report = capacity_report_units(&f.id.to_string(), &as_of, &[("dialysis_stations", 40, 40, occupied)]);
        assert_eq!(app.post_json("/api/v1/capacity/reports", Some("nhc"), &report).await.status, 201);
    }
    let (id, facility, pattern) =
        admitted_dialysis_patient(&app, "dr-union", &dialysis_referral("420106", 114.31, 30.55)).await;
    let free_ids: Vec<String> = keep_free.iter().map(|k| demo.scenario.facility_id(k).unwrap().to_string()).collect();
    assert!(free_ids.contains(&facility), "placed within the hour: {facility}");

    let effective_at = app.now_plus_hours(6);
    let request = json!({
        "facility_id": facility,
        "change": {"kind": "commandeer_unit", "unit": "dialysis_stations"},
        "effective_at": effective_at,
        "reason": "透析室改建为隔离病区 / Dialysis rooms converted to isolation wards",
    });
    assert_invalid(&app.post_json("/api/v1/placement/displacements", Some("beijing"), &request).await, "/facility_id");
    let preview = app.post_json("/api/v1/placement/displacements", Some("nhc"), &request).await;
    assert_eq!(preview.status, 201, "{}", preview.text);
    let d = &preview.json;
    let displaced = d["displaced"].as_array().unwrap();
    let me = displaced.iter().find(|p| p["referral_id"] == id.as_str()).expect("the patient is displaced");
    assert_eq!(me["status"], "admitted");
    assert_eq!(me["why"], "unit_commandeered");
    assert_eq!(me["pattern"], pattern);
    assert!(me["next_session"].is_string(), "{me}");
    let placed =
        d["placements"].as_array().unwrap().iter().find(|p| p["referral_id"] == id.as_str()).expect("re-placed");
    assert_ne!(placed["facility_id"], facility.as_str(), "another hospital");
    assert!(free_ids.iter().any(|f| placed["facility_id"] == f.as_str()), "the other one nearby: {placed}");
    assert!(placed["travel_minutes"].as_i64().unwrap() <= 60, "within the session limit: {placed}");
    assert_eq!(placed["pattern"], pattern, "on the same weekdays: {placed}");
    assert!(["mon_thu", "tue_fri", "wed_sat"].contains(&placed["pattern"].as_str().unwrap()));
    assert!(placed["gap_days"].as_i64().unwrap() <= 4, "no session missed beyond the clinical limit: {placed}");
    // A preview changes nothing.
    let before = app.get(&format!("/api/v1/referrals/{id}"), Some("dr-union")).await;
    assert_eq!(before.json["status"], "admitted");

    let applied = app
        .post_json(
            &format!("/api/v1/placement/displacements/{}/apply", d["id"].as_str().unwrap()),
            Some("nhc"),
            &json!({}),
        )
        .await;
    assert_eq!(applied.status, 200, "{}", applied.text);
    assert_eq!(applied.json["status"], "applied");

    // The referral is offered at the new hospital on the same weekdays, and its timeline (which
    // the clinician and the patient read) says why it moved.
    let after = app.get(&format!("/api/v1/referrals/{id}"), Some("dr-union")).await;
    assert_eq!(after.json["status"], "offered", "{}", after.text);
    assert_eq!(after.json["current_offer"]["facility_id"], placed["facility_id"]);
    assert_eq!(after.json["current_offer"]["pattern"], pattern);
    let moved = after.json["events"].as_array().unwrap().iter().find(|e| e["kind"] == "displaced").expect("told");
    assert_eq!(moved["detail"]["why"], "unit_commandeered");
    // The hospital no longer offers dialysis.
    let f = app.get(&format!("/api/v1/facilities/{facility}"), None).await;
    assert!(!f.json["services"].as_array().unwrap().iter().any(|s| s == "dialysis"), "{}", f.text);
    assert_problem(
        &app.post_json(
            &format!("/api/v1/placement/displacements/{}/apply", d["id"].as_str().unwrap()),
            Some("nhc"),
            &json!({}),
        )
        .await,
        409,
    );
});

both_backends!(a_patient_the_plan_cannot_place_must_be_acknowledged_by_name_and_is_escalated, |app| async move {
    app.load_demo().await;
    // The only dialysis unit within reach: Lhasa.
    let mut draft = facility_draft("540102", "拉萨透析");
    draft["location"] = json!({"lon": 91.13, "lat": 29.65});
    draft["services"] = json!(["dialysis"]);
    let created = app.post_json("/api/v1/facilities", Some("nhc"), &draft).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let facility = created.json["id"].as_str().unwrap().to_string();
    let as_of = rfc3339_millis(app.cb.now());
    let report = capacity_report_units(&facility, &as_of, &[("dialysis_stations", 10, 10, 8)]);
    assert_eq!(app.post_json("/api/v1/capacity/reports", Some("nhc"), &report).await.status, 201);
    let filed = app.post_json("/api/v1/referrals", Some("nhc"), &dialysis_referral("540102", 91.14, 29.65)).await;
    assert_eq!(filed.status, 201, "{}", filed.text);
    let id = filed.json["id"].as_str().unwrap().to_string();
    assert_eq!(filed.json["current_offer"]["facility_id"], facility.as_str(), "{}", filed.text);

    let request = json!({
        "facility_id": facility,
        "change": {"kind": "commandeer_unit", "unit": "dialysis_stations"},
        "effective_at": app.now_plus_hours(1),
        "reason": "commandeered",
    });
    let mut wrong_unit = request.clone();
    wrong_unit["change"]["unit"] = json!("maternity");
    let refused = app.post_json("/api/v1/placement/displacements", Some("nhc"), &wrong_unit).await;
    assert_invalid(&refused, "/change/unit");
    let preview = app.post_json("/api/v1/placement/displacements", Some("nhc"), &request).await;
    assert_eq!(preview.status, 201, "{}", preview.text);
    assert_eq!(preview.json["displaced"][0]["status"], "offered");
    assert_eq!(preview.json["unplaced"][0]["referral_id"], id.as_str());
    let apply = format!("/api/v1/placement/displacements/{}/apply", preview.json["id"].as_str().unwrap());

    let audit = app.audit_count().await;
    assert_invalid(&app.post_json(&apply, Some("nhc"), &json!({})).await, "/acknowledge_unplaced");
    assert_invalid(
        &app.post_json(&apply, Some("nhc"), &json!({"acknowledge_unplaced": [facility]})).await,
        "/acknowledge_unplaced",
    );
    assert_eq!(app.audit_count().await, audit, "a refused apply writes nothing");
    let ok = app.post_json(&apply, Some("nhc"), &json!({"acknowledge_unplaced": [id]})).await;
    assert_eq!(ok.status, 200, "{}", ok.text);

    let after = app.get(&format!("/api/v1/referrals/{id}"), Some("nhc")).await;
    assert_eq!(after.json["status"], "escalated", "{}", after.text);
    assert!(after.json["current_offer"].is_null(), "the hold at the commandeered unit is released");
    let kinds: Vec<&str> =
        after.json["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"displaced") && kinds.contains(&"escalated"), "{kinds:?}");
});
