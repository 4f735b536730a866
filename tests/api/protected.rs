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
        let absorbs = cc["facilities"].as_u64().unwrap() > 0 && free >= g["unplaced"].as_i64().unwrap();
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
    assert_invalid(&app.get("/api/v1/placement/protected-groups?region=abc", Some("wuhan")).await, "/region");
    assert_problem(&app.get("/api/v1/placement/protected-groups?region=420100", Some("beijing")).await, 404);
    assert_problem(&app.get("/api/v1/placement/protected-groups?region=420100", Some("desk-union")).await, 403);
});
