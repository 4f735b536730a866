//! Placement a clinician can trust (issue 20, points 1 and 2), as the issue tells it: an adult
//! needing neurosurgery in Wuchang is never offered Wuhan Children's Hospital, and a child is;
//! a coordinator directing a negative patient into a virus-designated hospital with no bed free
//! is refused, naming both constraints, until they override them with a reason (audited, on the
//! timeline, on the desk's offer); a dialysis patient is never ranked or placed beyond their
//! session's travel limit, is stranded `too_far` instead and escalated; designating Wuhan Union
//! Hospital for the virus leaves its dialysis patients unplaced `too_far`, never in Hunan; a
//! region's travel rule reads, sets, inherits and refuses bad values by field. On SQLite and
//! PostgreSQL.

use crate::referrals::{current_offer, desk_token};
use carebridge_e2e::app::{assert_invalid, assert_problem, rfc3339_millis, DemoIds, TestApp};
use carebridge_e2e::both_backends;
use carebridge_e2e::fixtures::capacity_report_units;
use serde_json::{json, Value};

/// Wuchang district, Wuhan (420106): where the patients live.
const WUCHANG: (&str, f64, f64) = ("420106", 114.316, 30.554);

fn referral(age_band: &str, need: &str, urgency: &str, infection: &str) -> Value {
    json!({
        "patient": {"pseudonym": "p-safety", "age_band": age_band,
                    "location": {"lon": WUCHANG.1, "lat": WUCHANG.2}, "region_code": WUCHANG.0,
                    "infection": infection},
        "need": need,
        "urgency": urgency,
        "note": "Referred for placement.",
    })
}

fn dialysis(sessions: u8, n: usize) -> Value {
    let mut r = referral("adult", "dialysis", "soon", "negative");
    r["patient"]["pseudonym"] = json!(format!("dialysis-{n}"));
    r["schedule"] = json!({"sessions_per_week": sessions});
    r
}

fn id_of(demo: &DemoIds, key: &str) -> String {
    demo.scenario.facility_id(key).unwrap_or_else(|| panic!("demo facility {key}")).to_string()
}

/// Report `unit` of every Wuhan facility offering `service` as `occupied` of 100 staffed, except
/// the facilities in `free` (key → occupied).
async fn report_wuhan(app: &TestApp, demo: &DemoIds, service: &str, unit: &str, occupied: i64, free: &[(&str, i64)]) {
    report_in(app, demo, "4201", service, unit, occupied, free).await
}

/// [`report_wuhan`] for the facilities whose region code starts with `prefix`.
async fn report_in(
    app: &TestApp,
    demo: &DemoIds,
    prefix: &str,
    service: &str,
    unit: &str,
    occupied: i64,
    free: &[(&str, i64)],
) {
    let as_of = rfc3339_millis(app.cb.now());
    for f in &demo.scenario.facilities {
        let offers = f.draft.services.iter().any(|s| s.as_str() == service);
        if !offers || !f.draft.region_code.to_string().starts_with(prefix) {
            continue;
        }
        let occupied = free.iter().find(|(k, _)| *k == f.key).map_or(occupied, |(_, o)| *o);
        let report = capacity_report_units(&f.id.to_string(), &as_of, &[(unit, 100, 100, occupied)]);
        let r = app.post_json("/api/v1/capacity/reports", Some("nhc"), &report).await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
}

fn ranked_ids(ranking: &Value) -> Vec<String> {
    ranking["ranked"].as_array().unwrap().iter().map(|r| r["facility_id"].as_str().unwrap().to_string()).collect()
}

fn excluded(detail: &Value, constraint: &str) -> u64 {
    detail["excluded"]
        .as_array()
        .map(|a| a.iter().find(|e| e["constraint"] == constraint).and_then(|e| e["facilities"].as_u64()).unwrap_or(0))
        .or_else(|| detail["excluded"][constraint].as_u64())
        .unwrap_or(0)
}

both_backends!(an_adult_in_wuchang_is_never_offered_the_childrens_hospital_and_a_child_is, |app| async move {
    let demo = app.load_demo().await;
    let childrens = id_of(&demo, "wuhan-childrens");
    let f = app.get(&format!("/api/v1/facilities/{childrens}"), None).await;
    assert_eq!(f.json["paediatric_only"], true, "the registry knows a children's hospital: {}", f.text);
    assert_eq!(app.get(&format!("/api/v1/facilities/{}", demo.union), None).await.json["paediatric_only"], false);
    // The children's hospital is the emptiest neurosurgical ward in Wuhan: without the age rule
    // it would be the first offer.
    report_wuhan(&app, &demo, "neurosurgery", "general_ward", 95, &[("wuhan-childrens", 10)]).await;

    let adult = app
        .post_json("/api/v1/referrals", Some("wuhan"), &referral("adult", "neurosurgery", "urgent", "negative"))
        .await;
    assert_eq!(adult.status, 201, "{}", adult.text);
    let (_, at) = current_offer(&adult.json);
    assert_ne!(at, childrens, "an adult is never offered the children's hospital");
    let id = adult.json["id"].as_str().unwrap();
    let ranking = app.get(&format!("/api/v1/placement/referrals/{id}/ranking"), Some("wuhan")).await;
    assert_eq!(ranking.status, 200, "{}", ranking.text);
    assert!(!ranked_ids(&ranking.json).contains(&childrens), "{}", ranking.text);
    assert_eq!(excluded(&ranking.json, "children_only"), 1, "{}", ranking.text);
    let offered = adult.json["events"].as_array().unwrap().iter().find(|e| e["kind"] == "offered").unwrap();
    assert_eq!(excluded(&offered["detail"], "children_only"), 1, "the timeline says why: {offered}");

    let child = app
        .post_json("/api/v1/referrals", Some("wuhan"), &referral("child", "neurosurgery", "urgent", "negative"))
        .await;
    assert_eq!(child.status, 201, "{}", child.text);
    let (_, at) = current_offer(&child.json);
    assert_eq!(at, childrens, "a child goes to the children's hospital");
    let id = child.json["id"].as_str().unwrap();
    let ranking = app.get(&format!("/api/v1/placement/referrals/{id}/ranking"), Some("wuhan")).await;
    assert_eq!(excluded(&ranking.json, "children_only"), 0);
    for r in ranking.json["ranked"].as_array().unwrap() {
        let f = demo.scenario.facilities.iter().find(|f| f.id.to_string() == r["facility_id"]).unwrap();
        assert!(f.draft.services.iter().any(|s| s.as_str() == "pediatrics"), "{}: no paediatrics", f.key);
    }
});

both_backends!(
    directing_a_negative_patient_into_a_virus_designated_hospital_needs_an_explicit_override,
    |app| async move {
        let demo = app.load_demo().await;
        // Zhongnan Hospital (Wuchang): virus-designated, and its ward reported full.
        let zhongnan = id_of(&demo, "wuhan-zhongnan");
        let as_of = rfc3339_millis(app.cb.now());
        let report = capacity_report_units(&zhongnan, &as_of, &[("general_ward", 600, 500, 500)]);
        assert_eq!(app.post_json("/api/v1/capacity/reports", Some("nhc"), &report).await.status, 201);
        let filed = app
            .post_json(
                "/api/v1/referrals",
                Some("dr-union"),
                &referral("young_adult", "neurosurgery", "urgent", "negative"),
            )
            .await;
        assert_eq!(filed.status, 201, "{}", filed.text);
        let id = filed.json["id"].as_str().unwrap().to_string();
        let direct = format!("/api/v1/referrals/{id}/direct");
        app.sign_in(&["wuhan", "desk-union"]).await;
        let before = app.get(&format!("/api/v1/referrals/{id}"), Some("wuhan")).await.json;
        let audit = app.audit_count().await;

        let refused =
            app.post_json(&direct, Some("wuhan"), &json!({"facility_id": zhongnan, "note": "Nearest."})).await;
        assert_problem(&refused, 409);
        let named: Vec<(&str, &str)> = refused.json["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["pointer"].as_str().unwrap(), e["constraint"].as_str().unwrap()))
            .collect();
        assert_eq!(
            named,
            [("/facility_id", "virus_designated"), ("/facility_id", "no_staffed_bed_free")],
            "{}",
            refused.text
        );
        // Overriding one of the two is not enough; the other is named.
        let half = json!({"facility_id": zhongnan, "note": "Nearest.",
                      "override": {"constraints": ["virus_designated"], "reason": "Clean ward on floor 3."}});
        let refused = app.post_json(&direct, Some("wuhan"), &half).await;
        assert_problem(&refused, 409);
        assert_eq!(refused.json["errors"].as_array().unwrap().len(), 1);
        assert_eq!(refused.json["errors"][0]["constraint"], "no_staffed_bed_free");
        // An override needs its reason.
        let no_reason = json!({"facility_id": zhongnan, "note": "Nearest.",
                           "override": {"constraints": ["virus_designated", "no_staffed_bed_free"], "reason": " "}});
        assert_invalid(&app.post_json(&direct, Some("wuhan"), &no_reason).await, "/override/reason");
        assert_eq!(app.audit_count().await, audit, "a refusal writes nothing");
        let after = app.get(&format!("/api/v1/referrals/{id}"), Some("wuhan")).await.json;
        assert_eq!(after["current_offer"], before["current_offer"], "the holding offer is untouched");

        let reason = "Isolated clean ward on floor 3; the neurosurgeon is on site.";
        let ok = json!({"facility_id": zhongnan, "note": "Nearest neurosurgeon.",
                    "override": {"constraints": ["no_staffed_bed_free", "virus_designated"], "reason": reason}});
        let directed = app.post_json(&direct, Some("wuhan"), &ok).await;
        assert_eq!(directed.status, 200, "{}", directed.text);
        let offer = &directed.json["current_offer"];
        assert_eq!(offer["facility_id"], zhongnan.as_str());
        assert_eq!(offer["directed"], true);
        assert_eq!(offer["override"]["constraints"], json!(["virus_designated", "no_staffed_bed_free"]));
        assert_eq!(offer["override"]["reason"], reason);
        assert!(offer["travel_minutes"].as_i64().unwrap() <= 75, "{offer}");
        let events = directed.json["events"].as_array().unwrap();
        let step = events.iter().find(|e| e["kind"] == "constraints_overridden").expect("on the timeline");
        assert_eq!(step["detail"]["reason"], reason);
        assert_eq!(step["facility_id"], zhongnan.as_str());
        assert_eq!(app.audit_count().await, audit + 2, "the direction and the override, in its transaction");
        let entries = app.get("/api/v1/audit?action=referral.override_constraints", Some("auditor")).await;
        assert_eq!(entries.status, 200, "{}", entries.text);
        let entry = entries.items().iter().find(|e| e["entity_id"] == id.as_str()).expect("the override is audited");
        assert!(entry.to_string().contains(reason), "{entry}");

        // The receiving desk reads the override on the offer.
        let token = desk_token(&app, &zhongnan).await;
        let inbox = app
            .send(app.request(reqwest::Method::GET, "/api/v1/placement/offers?status=holding").bearer_auth(token))
            .await;
        assert_eq!(inbox.status, 200, "{}", inbox.text);
        let seen =
            inbox.json["items"].as_array().unwrap().iter().find(|o| o["referral_id"] == id.as_str()).expect("offered");
        assert_eq!(seen["override"]["reason"], reason);
    }
);

both_backends!(
    a_dialysis_patient_is_never_ranked_beyond_the_session_limit_and_is_stranded_too_far_instead,
    |app| async move {
        let demo = app.load_demo().await;
        // Every dialysis unit in Wuhan full: the free stations are in other cities, over an hour away.
        report_wuhan(&app, &demo, "dialysis", "dialysis_stations", 100, &[]).await;
        let filed = app.post_json("/api/v1/referrals", Some("dr-union"), &dialysis(3, 1)).await;
        assert_eq!(filed.status, 201, "{}", filed.text);
        let id = filed.json["id"].as_str().unwrap().to_string();
        assert!(filed.json["current_offer"].is_null(), "never offered far away: {}", filed.text);
        assert_eq!(filed.json["status"], "escalated", "stranded by distance, for the coordinators: {}", filed.text);
        let events = filed.json["events"].as_array().unwrap();
        let unplaced = events.iter().find(|e| e["kind"] == "unplaced").expect("says why");
        assert_eq!(unplaced["detail"]["why"], "too_far", "{unplaced}");
        assert_eq!(unplaced["detail"]["travel_limit_minutes"], 60);
        assert!(unplaced["detail"]["beyond_travel_limit"].as_u64().unwrap() >= 1, "{unplaced}");
        let escalated = events.iter().find(|e| e["kind"] == "escalated").expect("escalated");
        assert_eq!(escalated["detail"]["why"], "too_far");
        let board = app.get("/api/v1/referrals?escalated=true", Some("wuhan")).await;
        assert!(board.items().iter().any(|r| r["id"] == id.as_str()), "on the coordinators' list of stranded patients");
        let ranking = app.get(&format!("/api/v1/placement/referrals/{id}/ranking"), Some("wuhan")).await;
        assert_eq!(ranking.status, 200, "{}", ranking.text);
        assert!(
            ranking.json["ranked"].as_array().unwrap().is_empty(),
            "nothing feasible beyond 60 min: {}",
            ranking.text
        );
        assert!(excluded(&ranking.json, "too_far") >= 1);
        assert_eq!(ranking.json["travel_limit_minutes"], 60);

        // Two stations free at Union: the next patient is offered one, within the hour.
        report_wuhan(&app, &demo, "dialysis", "dialysis_stations", 100, &[("wuhan-union", 98)]).await;
        let filed = app.post_json("/api/v1/referrals", Some("dr-union"), &dialysis(2, 2)).await;
        let (_, at) = current_offer(&filed.json);
        assert_eq!(at, demo.union.to_string());
        assert!(filed.json["current_offer"]["travel_minutes"].as_i64().unwrap() <= 60, "{}", filed.text);
        assert_eq!(filed.json["current_offer"]["cross_province"], false);
        let ranking = app
            .get(&format!("/api/v1/placement/referrals/{}/ranking", filed.json["id"].as_str().unwrap()), Some("wuhan"))
            .await;
        for r in ranking.json["ranked"].as_array().unwrap() {
            assert!(r["travel_minutes"].as_i64().unwrap() <= 60, "{r}");
            let sessions =
                r["weekly_travel_minutes"].as_i64().unwrap() / (2 * r["travel_minutes"].as_i64().unwrap().max(1));
            assert!(r["travel_minutes"] == 0 || sessions == 2, "the week's travel: {r}");
        }

        // Hubei lets dialysis patients travel up to four hours: still never beyond, never across.
        let rule = json!({"recurring_session_minutes": 240, "recurring_cross_province": false, "one_off_cross_province": false});
        assert_eq!(app.put_json("/api/v1/regions/420000/travel-limits", Some("hubei"), &rule).await.status, 200);
        let ranking = app.get(&format!("/api/v1/placement/referrals/{id}/ranking"), Some("wuhan")).await;
        assert_eq!(ranking.json["travel_limit_minutes"], 240);
        for r in ranking.json["ranked"].as_array().unwrap() {
            assert!(r["travel_minutes"].as_i64().unwrap() <= 240 && r["cross_province"] == false, "{r}");
        }

        // One-off care across the border only where the region allows it, and the ranking says
        // so. Every neurosurgical ward in Hubei full: the beds are in Hunan.
        report_in(&app, &demo, "42", "neurosurgery", "general_ward", 100, &[]).await;
        let surgery = app
            .post_json("/api/v1/referrals", Some("hubei"), &referral("adult", "neurosurgery", "soon", "negative"))
            .await;
        assert_eq!(surgery.status, 201, "{}", surgery.text);
        assert!(surgery.json["current_offer"].is_null(), "Hubei keeps one-off care in the province: {}", surgery.text);
        let sid = surgery.json["id"].as_str().unwrap().to_string();
        let ranking = app.get(&format!("/api/v1/placement/referrals/{sid}/ranking"), Some("hubei")).await;
        assert!(excluded(&ranking.json, "cross_province") >= 1, "{}", ranking.text);
        assert!(ranking.json["ranked"].as_array().unwrap().is_empty());
        let rule = json!({"recurring_session_minutes": 240, "recurring_cross_province": false, "one_off_cross_province": true});
        assert_eq!(app.put_json("/api/v1/regions/420000/travel-limits", Some("hubei"), &rule).await.status, 200);
        let ranking = app.get(&format!("/api/v1/placement/referrals/{sid}/ranking"), Some("hubei")).await;
        assert_eq!(excluded(&ranking.json, "cross_province"), 0, "{}", ranking.text);
        let ranked = ranking.json["ranked"].as_array().unwrap();
        assert!(!ranked.is_empty(), "Hunan's beds, now allowed: {}", ranking.text);
        for r in ranked {
            assert_eq!(r["cross_province"], true, "the ranking says it crosses a border: {r}");
            assert!(r["travel_minutes"].as_i64().unwrap() <= 600, "{r}");
        }
        app.advance_minutes(2);
        app.cb.sweep_referrals().await.expect("a sweep");
        let placed = app.get(&format!("/api/v1/referrals/{sid}"), Some("hubei")).await;
        assert_eq!(placed.json["current_offer"]["cross_province"], true, "the offer says so too: {}", placed.text);
    }
);

both_backends!(
    designating_union_for_the_virus_strands_its_dialysis_patients_too_far_never_in_hunan,
    |app| async move {
        let demo = app.load_demo().await;
        let union = demo.union.to_string();
        // Union has the only free dialysis stations in Wuhan; three patients are placed there.
        report_wuhan(&app, &demo, "dialysis", "dialysis_stations", 100, &[("wuhan-union", 97)]).await;
        let mut ids = Vec::new();
        for (n, sessions) in [2u8, 3, 2].into_iter().enumerate() {
            let filed = app.post_json("/api/v1/referrals", Some("dr-union"), &dialysis(sessions, n)).await;
            assert_eq!(filed.status, 201, "{}", filed.text);
            let (offer, at) = current_offer(&filed.json);
            assert_eq!(at, union, "{}", filed.text);
            let token = app.token("desk-union").await;
            let rb = app
                .request(reqwest::Method::POST, &format!("/api/v1/placement/offers/{offer}/answer"))
                .bearer_auth(token)
                .json(&json!({"answer": "accept"}));
            assert_eq!(app.send(rb).await.status, 200);
            ids.push(filed.json["id"].as_str().unwrap().to_string());
        }

        let request = json!({
            "facility_id": union,
            "change": {"kind": "designation", "designation": "virus_designated"},
            "effective_at": app.now_plus_hours(6),
            "reason": "协和医院转为新冠定点医院 / Union Hospital designated for COVID-19",
            "order_number": "武防指〔2020〕40号",
        });
        let preview = app.post_json("/api/v1/placement/displacements", Some("wuhan"), &request).await;
        assert_eq!(preview.status, 201, "{}", preview.text);
        let d = &preview.json;
        for id in &ids {
            assert!(
                d["displaced"].as_array().unwrap().iter().any(|p| p["referral_id"] == id.as_str()),
                "{id} displaced"
            );
        }
        for p in d["placements"].as_array().unwrap() {
            assert!(p["travel_minutes"].as_i64().unwrap() <= 60, "no one is placed beyond the limit: {p}");
            assert_eq!(p["cross_province"], false, "{p}");
        }
        let unplaced = d["unplaced"].as_array().unwrap();
        assert_eq!(unplaced.len(), 3, "{d:#}");
        for u in unplaced {
            assert_eq!(u["why"], "too_far", "stranded by distance, not sent to Hunan: {u}");
            assert!(u["beyond_travel_limit"].as_u64().unwrap() >= 1, "places exist farther away: {u}");
        }

        let apply = format!("/api/v1/placement/displacements/{}/apply", d["id"].as_str().unwrap());
        let ok = app.post_json(&apply, Some("wuhan"), &json!({"acknowledge_unplaced": ids})).await;
        assert_eq!(ok.status, 200, "{}", ok.text);
        let stranded = app.get("/api/v1/referrals?escalated=true", Some("wuhan")).await;
        for id in &ids {
            let r = app.get(&format!("/api/v1/referrals/{id}"), Some("wuhan")).await;
            assert_eq!(r.json["status"], "escalated", "{}", r.text);
            assert!(r.json["current_offer"].is_null(), "not placed far away after the apply either: {}", r.text);
            let escalated =
                r.json["events"].as_array().unwrap().iter().rev().find(|e| e["kind"] == "escalated").unwrap();
            assert_eq!(escalated["detail"]["why"], "too_far");
            assert!(stranded.items().iter().any(|s| s["id"] == id.as_str()));
        }
        // The sweep keeps looking, within the limit: still nothing in Hunan.
        app.advance_minutes(2);
        app.cb.sweep_referrals().await.expect("a sweep");
        for id in &ids {
            let r = app.get(&format!("/api/v1/referrals/{id}"), Some("wuhan")).await;
            for o in r.json["offers"].as_array().unwrap() {
                assert_eq!(o["facility_id"], union.as_str(), "only ever offered at Union: {o}");
            }
        }
    }
);

both_backends!(a_regions_travel_rule_reads_sets_inherits_and_names_bad_fields, |app| async move {
    app.load_demo().await;
    let read = app.get("/api/v1/regions/420106/travel-limits", Some("dr-union")).await;
    assert_eq!(read.status, 200, "{}", read.text);
    assert_eq!(
        read.json,
        json!({"recurring_session_minutes": 60, "recurring_cross_province": false, "one_off_cross_province": true, "set_by": null}),
        "the defaults"
    );
    assert_problem(&app.get("/api/v1/regions/420106/travel-limits", None).await, 401);
    assert_problem(&app.get("/api/v1/regions/999999/travel-limits", Some("wuhan")).await, 404);

    let path = "/api/v1/regions/420100/travel-limits";
    let bad =
        json!({"recurring_session_minutes": 5, "recurring_cross_province": false, "one_off_cross_province": true});
    assert_invalid(&app.put_json(path, Some("wuhan"), &bad).await, "/recurring_session_minutes");
    let missing = json!({"recurring_session_minutes": 45, "recurring_cross_province": false});
    assert_problem(&app.put_json(path, Some("wuhan"), &missing).await, 422);
    let unknown = json!({"recurring_session_minutes": 45, "recurring_cross_province": false, "one_off_cross_province": true, "km": 1});
    assert_problem(&app.put_json(path, Some("wuhan"), &unknown).await, 422);
    let good =
        json!({"recurring_session_minutes": 45, "recurring_cross_province": false, "one_off_cross_province": false});
    assert_problem(&app.put_json("/api/v1/regions/110000/travel-limits", Some("wuhan"), &good).await, 404);
    assert_problem(&app.put_json(path, Some("desk-union"), &good).await, 403);

    let audit = app.audit_count().await;
    let set = app.put_json(path, Some("wuhan"), &good).await;
    assert_eq!(set.status, 200, "{}", set.text);
    assert_eq!(set.json["set_by"], "420100");
    assert_eq!(app.audit_count().await, audit + 1, "audited");
    let inherited = app.get("/api/v1/regions/420106/travel-limits", Some("dr-union")).await;
    assert_eq!(inherited.json["recurring_session_minutes"], 45);
    assert_eq!(inherited.json["one_off_cross_province"], false);
    assert_eq!(inherited.json["set_by"], "420100", "Wuchang follows Wuhan");
    let province = app.get("/api/v1/regions/420000/travel-limits", Some("dr-union")).await;
    assert!(province.json["set_by"].is_null(), "Hubei does not");
    // Referrals are ranked by it at once.
    let filed = app.post_json("/api/v1/referrals", Some("dr-union"), &dialysis(2, 9)).await;
    let id = filed.json["id"].as_str().unwrap();
    let ranking = app.get(&format!("/api/v1/placement/referrals/{id}/ranking"), Some("wuhan")).await;
    assert_eq!(ranking.json["travel_limit_minutes"], 45);

    let dropped = app.delete(path, Some("wuhan")).await;
    assert_eq!(dropped.status, 200, "{}", dropped.text);
    assert!(dropped.json["set_by"].is_null());
    assert_eq!(dropped.json["recurring_session_minutes"], 60);
    assert_eq!(app.get("/api/v1/regions/420106/travel-limits", Some("wuhan")).await.json["set_by"], Value::Null);

    // The one-off limit is per urgency, in minutes, in the placement limits.
    let limits = app.get("/api/v1/regions/420106/placement-limits", Some("wuhan")).await;
    let minutes: Vec<i64> =
        limits.json.as_array().unwrap().iter().map(|l| l["travel_limit_minutes"].as_i64().unwrap()).collect();
    assert_eq!(minutes, [75, 300, 600, 960]);
    let bad = json!({"limits": [{"urgency": "routine", "max_wait_minutes": 600, "hold_minutes": 60, "travel_limit_km": 500.0}]});
    assert_problem(&app.put_json("/api/v1/regions/420100/placement-limits", Some("wuhan"), &bad).await, 422);
    let bad = json!({"limits": [{"urgency": "routine", "max_wait_minutes": 600, "hold_minutes": 60, "travel_limit_minutes": 3000}]});
    assert_invalid(
        &app.put_json("/api/v1/regions/420100/placement-limits", Some("wuhan"), &bad).await,
        "/limits/0/travel_limit_minutes",
    );
});
