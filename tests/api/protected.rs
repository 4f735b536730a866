//! Protected groups: the coordinator's board shows, per group a region protects, the open,
//! unplaced, past-limit and escalated referrals, and whether the non-virus critical-care
//! hospitals can absorb them, so "designated" never hides "overwhelmed". On both backends.

use carebridge_e2e::app::{assert_invalid, assert_problem};
use carebridge_e2e::both_backends;
use serde_json::{json, Value};

fn group<'a>(board: &'a Value, name: &str) -> &'a Value {
    board["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["group"] == name)
        .unwrap_or_else(|| panic!("{name} in {board}"))
}

both_backends!(the_board_sets_each_protected_group_against_the_critical_care_beds, |app| async move {
    app.load_demo().await;
    let board = app.get("/api/v1/placement/protected-groups?region=420100", Some("wuhan")).await;
    assert_eq!(board.status, 200, "{}", board.text);
    assert!(board.json["marked_by"].is_null(), "no marking: all four groups");
    assert_eq!(board.json["groups"].as_array().unwrap().len(), 4);
    let surgery = group(&board.json, "cancer_surgery");
    assert!(
        surgery["critical_care"]["facilities"].as_u64().unwrap() >= 1,
        "Wuhan keeps non-virus critical care: {surgery}"
    );

    // A maternity patient is filed and placed: open, not unplaced.
    let referral = json!({
        "patient": {"pseudonym": "m-1", "age_band": "young_adult", "location": {"lon": 114.30, "lat": 30.60},
                    "region_code": "420102", "infection": "negative"},
        "need": "maternity", "urgency": "urgent",
    });
    let filed = app.post_json("/api/v1/referrals", Some("dr-union"), &referral).await;
    assert_eq!(filed.status, 201, "{}", filed.text);
    let board = app.get("/api/v1/placement/protected-groups?region=420100", Some("wuhan")).await;
    let maternity = group(&board.json, "maternity");
    assert_eq!(maternity["open"], 1, "{maternity}");
    let placed = filed.json["status"] == "offered";
    assert_eq!(maternity["unplaced"], if placed { 0 } else { 1 });
    for g in board.json["groups"].as_array().unwrap() {
        let cc = &g["critical_care"];
        let (staffed, occupied, held, free) = (
            cc["staffed"].as_i64().unwrap(),
            cc["occupied"].as_i64().unwrap(),
            cc["held"].as_i64().unwrap(),
            cc["free"].as_i64().unwrap(),
        );
        assert_eq!(free, (staffed - occupied - held).max(0), "{g}");
        // Never "can absorb" with no bed free or at full load (the field report: 0 of 281 free
        // at 117 % read "can absorb"); otherwise enough free beds for those waiting.
        let load = cc["load_permille"].as_i64().unwrap();
        let absorbs = cc["facilities"].as_u64().unwrap() > 0
            && staffed > 0
            && free > 0
            && load < 1000
            && free >= g["unplaced"].as_i64().unwrap();
        assert_eq!(cc["can_absorb"], absorbs, "{g}");
    }

    // Hubei marks two groups; Wuhan inherits them.
    let marked = app
        .put_json(
            "/api/v1/regions/420000/protected-groups",
            Some("hubei"),
            &json!({"groups": ["maternity", "dialysis"]}),
        )
        .await;
    assert_eq!(marked.status, 200, "{}", marked.text);
    assert_eq!(marked.json, json!(["dialysis", "maternity"]));
    let board = app.get("/api/v1/placement/protected-groups?region=420100", Some("wuhan")).await;
    assert_eq!(board.json["marked_by"], "420000");
    let names: Vec<&str> =
        board.json["groups"].as_array().unwrap().iter().map(|g| g["group"].as_str().unwrap()).collect();
    assert_eq!(names, ["dialysis", "maternity"]);

    // Bad input and scope.
    assert_problem(
        &app.put_json("/api/v1/regions/420000/protected-groups", Some("hubei"), &json!({"groups": ["surgery"]})).await,
        422,
    );
    assert_problem(
        &app.put_json("/api/v1/regions/420000/protected-groups", Some("wuhan"), &json!({"groups": []})).await,
        404,
    );
    let malformed = app.get("/api/v1/placement/protected-groups?region=abc", Some("wuhan")).await;
    assert_problem(&malformed, 400);
    assert!(malformed.pointers().contains(&"/region".to_string()), "{}", malformed.text);
    assert_problem(&app.get("/api/v1/placement/protected-groups?region=420100", Some("beijing")).await, 404);
    assert_problem(&app.get("/api/v1/placement/protected-groups?region=420100", Some("desk-union")).await, 403);
});

both_backends!(a_region_sets_its_own_waits_holds_and_travel_limits_and_referrals_follow_them, |app| async move {
    app.load_demo().await;
    let limits = app.get("/api/v1/regions/420102/placement-limits", Some("dr-union")).await;
    assert_eq!(limits.status, 200, "{}", limits.text);
    let emergency = limits.json.as_array().unwrap().iter().find(|l| l["urgency"] == "emergency").unwrap().clone();
    assert_eq!(emergency["max_wait_minutes"], 60);
    assert!(emergency["set_by"].is_null(), "the default");

    // Bad limits name their field and change nothing.
    let bad = json!({"limits": [{"urgency": "emergency", "max_wait_minutes": 2, "hold_minutes": 20, "travel_limit_minutes": 60},
                                {"urgency": "urgent", "max_wait_minutes": 600, "hold_minutes": 900, "travel_limit_minutes": 4}]});
    let refused = app.put_json("/api/v1/regions/420100/placement-limits", Some("wuhan"), &bad).await;
    assert_invalid(&refused, "/limits/0/max_wait_minutes");
    assert_invalid(&refused, "/limits/1/hold_minutes");
    assert_invalid(&refused, "/limits/1/travel_limit_minutes");
    assert_problem(
        &app.put_json("/api/v1/regions/110000/placement-limits", Some("wuhan"), &json!({"limits": []})).await,
        404,
    );

    // Wuhan shortens the emergency wait and hold and lengthens the trip; its districts inherit.
    let set = json!({"limits": [{"urgency": "emergency", "max_wait_minutes": 45, "hold_minutes": 15, "travel_limit_minutes": 90}]});
    let ok = app.put_json("/api/v1/regions/420100/placement-limits", Some("wuhan"), &set).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    let limits = app.get("/api/v1/regions/420102/placement-limits", Some("dr-union")).await;
    let emergency = limits.json.as_array().unwrap().iter().find(|l| l["urgency"] == "emergency").unwrap().clone();
    assert_eq!(emergency["set_by"], "420100");
    assert_eq!(emergency["travel_limit_minutes"], 90);

    let referral = json!({
        "patient": {"pseudonym": "e-1", "age_band": "adult", "location": {"lon": 114.30, "lat": 30.60},
                    "region_code": "420102", "infection": "negative"},
        "need": "icu", "urgency": "emergency",
    });
    let filed = app.post_json("/api/v1/referrals", Some("dr-union"), &referral).await;
    assert_eq!(filed.status, 201, "{}", filed.text);
    let ms = |v: &Value| carebridge_domain::clock::Timestamp::parse_rfc3339(v.as_str().unwrap()).unwrap().millis();
    assert_eq!(ms(&filed.json["wait_deadline"]) - ms(&filed.json["filed_at"]), 45 * 60_000, "the region's wait");
    if filed.json["current_offer"].is_object() {
        let hold = &filed.json["current_offer"];
        assert_eq!(ms(&hold["expires_at"]) - ms(&hold["offered_at"]), 15 * 60_000, "the region's hold");
    }
});
