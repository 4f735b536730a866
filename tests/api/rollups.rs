//! `/rollups`: sums per sub-region and unit that agree with the facility-level numbers they
//! summarise, by designation on request, as CSV on request, inside the caller's scope.

use carebridge_e2e::app::{assert_problem, TestApp};
use carebridge_e2e::both_backends;
use serde_json::Value;
use std::collections::BTreeMap;

/// Sums keyed by (region, unit): [physical, staffed, occupied, facilities, stale facilities].
type Sums = BTreeMap<(String, String), [i64; 5]>;

/// Sum `GET /capacity` as `user`, grouping each facility under `group(region_code)`.
async fn sums_from_capacity(app: &TestApp, user: &str, group: impl Fn(&str) -> String) -> Sums {
    let mut out = Sums::new();
    for c in app.get_all("/api/v1/capacity", Some(user)).await {
        let region = group(c["region_code"].as_str().unwrap());
        for u in c["units"].as_array().unwrap() {
            let e = out.entry((region.clone(), u["unit"].as_str().unwrap().to_string())).or_default();
            e[0] += u["physical"].as_i64().unwrap();
            e[1] += u["staffed"].as_i64().unwrap();
            e[2] += u["occupied"].as_i64().unwrap();
            e[3] += 1;
            e[4] += i64::from(c["stale"] == true);
        }
    }
    out
}

fn sums_from_rollup(rows: &[Value]) -> Sums {
    let mut out = Sums::new();
    for r in rows {
        assert_eq!(
            r["available"].as_i64(),
            Some(r["staffed"].as_i64().unwrap() - r["occupied"].as_i64().unwrap()),
            "available = staffed - occupied: {r}"
        );
        let e = out
            .entry((r["region_code"].as_str().unwrap().to_string(), r["unit"].as_str().unwrap().to_string()))
            .or_default();
        for (i, k) in ["physical", "staffed", "occupied", "facilities", "stale_facilities"].iter().enumerate() {
            e[i] += r[*k].as_i64().unwrap();
        }
    }
    out
}

fn rows(r: &Value) -> &[Value] {
    r["rows"].as_array().map(Vec::as_slice).unwrap_or(&[])
}

both_backends!(the_national_rollup_groups_by_province_and_adds_up, |app| async move {
    app.load_demo().await;
    let r = app.get("/api/v1/rollups", Some("nhc")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.json["region_code"].is_null(), "the nation has no code");
    assert!(!rows(&r.json).is_empty());
    for row in rows(&r.json) {
        assert!(row["region_code"].as_str().unwrap().ends_with("0000"), "a province: {row}");
        assert!(!row["region_name"].as_str().unwrap().is_empty());
        assert!(row.get("designation").is_none(), "no designation unless asked: {row}");
    }
    let provinces = sums_from_capacity(&app, "nhc", |code| format!("{}0000", &code[..2])).await;
    assert_eq!(sums_from_rollup(rows(&r.json)), provinces);

    // Auditors read the national rollup too.
    let auditor = app.get("/api/v1/rollups", Some("auditor")).await;
    assert_eq!(auditor.status, 200, "{}", auditor.text);
    assert_eq!(auditor.json["rows"], r.json["rows"]);
});

both_backends!(the_wuhan_rollup_is_by_district_and_matches_the_capacity_list, |app| async move {
    app.load_demo().await;
    let r = app.get("/api/v1/rollups", Some("wuhan")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["region_code"], "420100");
    for row in rows(&r.json) {
        let code = row["region_code"].as_str().unwrap();
        assert!(code.starts_with("4201") && code != "420100", "a Wuhan district: {row}");
    }
    let districts = sums_from_capacity(&app, "wuhan", str::to_string).await;
    let rolled = sums_from_rollup(rows(&r.json));
    assert_eq!(rolled, districts);
    let stale: i64 = rolled.values().map(|v| v[4]).sum();
    assert!(stale > 0, "the demo has stale Wuhan facilities, and the rollup counts them");

    // Asking for its own city explicitly gives the same; a district narrows.
    let explicit = app.get("/api/v1/rollups?region=420100", Some("wuhan")).await;
    assert_eq!(explicit.json["rows"], r.json["rows"]);
    let district = app.get("/api/v1/rollups?region=420103", Some("wuhan")).await;
    assert_eq!(district.status, 200, "{}", district.text);
    assert!(rows(&district.json).iter().all(|row| row["region_code"] == "420103"));

    // Hubei sees Wuhan as one city among others.
    let hubei = app.get("/api/v1/rollups", Some("hubei")).await;
    assert_eq!(hubei.status, 200, "{}", hubei.text);
    let cities = sums_from_capacity(&app, "hubei", |code| format!("{}00", &code[..4])).await;
    assert_eq!(sums_from_rollup(rows(&hubei.json)), cities);
});

both_backends!(rollups_break_down_by_designation, |app| async move {
    app.load_demo().await;
    let by_unit = app.get("/api/v1/rollups", Some("wuhan")).await;
    let r = app.get("/api/v1/rollups?by=designation", Some("wuhan")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let valid = ["general", "virus_designated", "non_virus_critical", "non_virus_emergency", "closed_to_new"];
    for row in rows(&r.json) {
        let d = row["designation"].as_str().unwrap_or_else(|| panic!("no designation: {row}"));
        assert!(valid.contains(&d), "{row}");
    }
    assert!(rows(&r.json).iter().any(|row| row["designation"] == "virus_designated"));
    // Summing the designations of a (district, unit) gives the by-unit row.
    assert_eq!(sums_from_rollup(rows(&r.json)), sums_from_rollup(rows(&by_unit.json)));
});

both_backends!(rollups_come_as_csv_on_request, |app| async move {
    app.load_demo().await;
    let json = app.get("/api/v1/rollups", Some("wuhan")).await;
    for (path, accept) in [("/api/v1/rollups?format=csv", None), ("/api/v1/rollups", Some("text/csv"))] {
        let mut rb = app.request_as(reqwest::Method::GET, path, Some("wuhan")).await;
        if let Some(a) = accept {
            rb = rb.header("accept", a);
        }
        let r = app.send(rb).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert!(r.header("content-type").unwrap_or("").starts_with("text/csv"), "{:?}", r.headers);
        let lines: Vec<&str> = r.text.lines().collect();
        assert_eq!(
            lines[0],
            "region_code,region_name,unit,designation,physical,staffed,occupied,available,facilities,stale_facilities"
        );
        assert_eq!(lines.len() - 1, rows(&json.json).len(), "one line per row");
        let first = &rows(&json.json)[0];
        let expected = format!(
            "{},{},{},,{},{},{},{},{},{}",
            first["region_code"].as_str().unwrap(),
            first["region_name"].as_str().unwrap(),
            first["unit"].as_str().unwrap(),
            first["physical"],
            first["staffed"],
            first["occupied"],
            first["available"],
            first["facilities"],
            first["stale_facilities"]
        );
        assert_eq!(lines[1], expected);
    }
    let by_designation = app.get("/api/v1/rollups?format=csv&by=designation", Some("wuhan")).await;
    assert!(by_designation.text.lines().skip(1).all(|l| l.split(',').nth(3).is_some_and(|d| !d.is_empty())));
});

both_backends!(rollups_stay_inside_the_callers_scope, |app| async move {
    app.load_demo().await;
    assert_problem(&app.get("/api/v1/rollups?region=110000", Some("wuhan")).await, 404);
    assert_problem(&app.get("/api/v1/rollups?region=420000", Some("wuhan")).await, 404);
    assert_problem(&app.get("/api/v1/rollups?region=421100", Some("wuhan")).await, 404);
    assert_eq!(app.get("/api/v1/rollups?region=110000", Some("nhc")).await.status, 200);
    for user in ["desk-union", "dr-union", "patient-demo"] {
        assert_problem(&app.get("/api/v1/rollups", Some(user)).await, 403);
    }
    assert_problem(&app.get("/api/v1/rollups", None).await, 401);
    let bad = app.get("/api/v1/rollups?by=colour", Some("wuhan")).await;
    assert_problem(&bad, 400);
    let unknown_region = app.get("/api/v1/rollups?region=999999", Some("nhc")).await;
    assert_problem(&unknown_region, 422);
});
