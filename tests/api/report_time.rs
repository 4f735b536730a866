//! The report time of a facility's capacity: `newest_as_of` is when it last reported anything
//! and moves with a partial report; `as_of` and `age_seconds` stay with the oldest standing
//! unit, which staleness follows; `unit_ages` gives each unit its own.

use carebridge_e2e::both_backends;
use carebridge_e2e::fixtures::capacity_report_units;
use serde_json::Value;

fn unit_age<'a>(capacity: &'a Value, name: &str) -> &'a Value {
    capacity["unit_ages"]
        .as_array()
        .and_then(|u| u.iter().find(|u| u["unit"] == name))
        .unwrap_or_else(|| panic!("no age of {name} in {capacity}"))
}

both_backends!(a_partial_report_moves_the_newest_time_and_not_the_oldest, |app| async move {
    let demo = app.load_demo().await;
    let union = demo.union.to_string();
    let path = format!("/api/v1/facilities/{union}/capacity");
    // Two older reports, at different times (the demo's own, newer, may stand instead).
    let (long_ago, while_ago) = (app.now_plus_hours(-6), app.now_plus_hours(-3));
    for (at, unit) in [(&long_ago, "general_ward"), (&while_ago, "icu")] {
        let body = capacity_report_units(&union, at, &[(unit, 40, 36, 20)]);
        let r = app.post_json("/api/v1/capacity/reports", Some("desk-union"), &body).await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let before = app.get(&path, Some("desk-union")).await;
    assert_eq!(before.status, 200, "{}", before.text);

    // A partial report: ICU only, now.
    let now = app.now_plus_hours(0);
    let body = capacity_report_units(&union, &now, &[("icu", 40, 36, 30)]);
    let r = app.post_json("/api/v1/capacity/reports", Some("desk-union"), &body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let after = app.get(&path, Some("desk-union")).await;
    assert_eq!(after.status, 200, "{}", after.text);

    let millis = |v: &Value| carebridge_domain::clock::Timestamp::parse_rfc3339(v.as_str().unwrap()).unwrap().millis();
    assert!(
        millis(&after.json["newest_as_of"]) > millis(&before.json["newest_as_of"]),
        "the partial report moves the newest time: {} → {}",
        before.json["newest_as_of"],
        after.json["newest_as_of"]
    );
    // The report's own time (the wire format carries whole seconds).
    assert_eq!(millis(&after.json["newest_as_of"]) / 1000, millis(&Value::String(now.clone())) / 1000);
    assert_eq!(after.json["as_of"], before.json["as_of"], "the oldest unit did not change");
    assert!(
        after.json["age_seconds"].as_i64().unwrap() >= before.json["age_seconds"].as_i64().unwrap(),
        "{}",
        after.json
    );
    assert!(after.json["age_seconds"].as_i64().unwrap() > 60, "the age follows the oldest unit: {}", after.json);
    assert!(unit_age(&after.json, "icu")["age_seconds"].as_i64().unwrap() < 60, "{}", after.json);
    assert_eq!(unit_age(&after.json, "general_ward")["as_of"], unit_age(&before.json, "general_ward")["as_of"]);

    // The list of current capacity carries the same times.
    let list = app.get_all("/api/v1/capacity?region=420100", Some("wuhan")).await;
    let row = list.iter().find(|c| c["facility_id"] == union.as_str()).expect("Union in Wuhan's list");
    assert_eq!(row["newest_as_of"], after.json["newest_as_of"]);
    assert_eq!(row["as_of"], after.json["as_of"]);
});
