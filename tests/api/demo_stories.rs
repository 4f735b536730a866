//! The patients `carebridge demo` starts with (`Carebridge::load_demo_stories`), so the
//! README's dialysis walkthrough has someone to displace: Union's three dialysis patients are
//! admitted at Union, through the use cases a clinician and a desk use, and designating Union
//! for the virus previews each of them displaced and — every other dialysis unit that may take
//! them being full in February 2020 — left unplaced `too_far`, never sent hours away. On SQLite
//! and PostgreSQL.

use carebridge_e2e::both_backends;
use serde_json::json;

both_backends!(
    the_demo_starts_with_unions_dialysis_patients_admitted_and_a_virus_designation_strands_none_far_away,
    |app| async move {
        let demo = app.load_demo_as_shown().await;
        let union = demo.union.to_string();
        let mine = app.get("/api/v1/referrals", Some("dr-union")).await;
        assert_eq!(mine.status, 200, "{}", mine.text);
        let dialysis: Vec<_> = mine.items().iter().filter(|r| r["need"] == "dialysis").cloned().collect();
        assert_eq!(dialysis.len(), 3, "{}", mine.text);
        for r in &dialysis {
            assert_eq!(r["status"], "admitted", "{r}");
            assert_eq!(r["placed_at"], union.as_str(), "{r}");
            assert!(r["schedule"]["sessions_per_week"].is_u64(), "{r}");
        }
        let fifty_six = dialysis.iter().find(|r| r["patient"]["pseudonym"] == "dialysis-56").expect("the 56-year-old");
        assert_eq!(fifty_six["schedule"]["sessions_per_week"], 2, "twice a week");
        let audit = app.get("/api/v1/audit?action=referral.admit", Some("auditor")).await;
        assert_eq!(audit.status, 200, "{}", audit.text);
        assert_eq!(audit.items().len(), 3, "each admission is audited: {}", audit.text);

        let request = json!({
            "facility_id": union,
            "change": {"kind": "designation", "designation": "virus_designated"},
            "effective_at": app.now_plus_hours(6),
            "reason": "协和医院改为新冠肺炎定点医院 / Union designated for the virus",
            "order_number": "武防指〔2020〕12号",
        });
        let preview = app.post_json("/api/v1/placement/displacements", Some("wuhan"), &request).await;
        assert_eq!(preview.status, 201, "{}", preview.text);
        let displaced = preview.json["displaced"].as_array().unwrap();
        for r in &dialysis {
            assert!(
                displaced.iter().any(|d| d["referral_id"] == r["id"]),
                "{} is displaced: {}",
                r["id"],
                preview.text
            );
        }
        for p in preview.json["placements"].as_array().unwrap() {
            assert!(p["travel_minutes"].as_i64().unwrap() <= 60, "never placed beyond the session limit: {p}");
        }
        let unplaced = preview.json["unplaced"].as_array().unwrap();
        let stranded = dialysis.iter().filter(|r| unplaced.iter().any(|u| u["referral_id"] == r["id"])).count();
        let placed = dialysis
            .iter()
            .filter(|r| preview.json["placements"].as_array().unwrap().iter().any(|p| p["referral_id"] == r["id"]))
            .count();
        assert_eq!(stranded + placed, 3, "each is either placed within the hour or shown stranded: {}", preview.text);
        assert!(unplaced.iter().all(|u| u["why"] == "too_far"), "stranded for being too far: {}", preview.text);
    }
);

// The demo's booking side (issue 13): Beijing's rule in force, two weeks of schedules at
// Beijing's and Wuhan's hospitals, `patient1` … `patient50`, ten of them booked at Union.
both_backends!(the_demo_has_beijings_registration_rule_schedules_and_fifty_patients, |app| async move {
    let demo = app.load_demo_as_shown().await;
    let made = app.cb.load_demo_booking(&demo.scenario).await.expect("the booking side loads");
    assert_eq!(made.patients, 50);
    assert_eq!(made.bookings, 10, "{made:?}");
    assert_eq!(made.consultations, 3, "{made:?}");
    let care = app.get("/api/v1/online-care", None).await;
    let union = care.json.as_array().unwrap().iter().find(|o| o["facility_id"] == demo.union.to_string().as_str());
    assert_eq!(union.expect("Union offers online care")["waiting"], 3, "{}", care.text);
    assert!(made.schedules >= 20 && made.slots > 10_000, "{made:?}");

    let rule = app.get("/api/v1/regions/110101/registration-rule", None).await;
    assert_eq!(rule.status, 200, "{}", rule.text);
    assert_eq!(rule.json["required"], true, "{}", rule.text);
    assert_eq!(rule.json["in_force"]["exemptions"], json!(["emergency", "fever"]));
    let wuhan = app.get("/api/v1/regions/420103/registration-rule", None).await;
    assert_eq!(wuhan.json["required"], false, "Wuhan orders no rule: {}", wuhan.text);

    // Free slots at Peking Union two weeks out; none past the horizon.
    let day = |d: i64| carebridge_domain::booking::LocalDay(app.cb.today().0 + d).to_string();
    let soon =
        app.get(&format!("/api/v1/slots?facility_id={}&from={}&until={}", demo.beijing, day(1), day(13)), None).await;
    assert_eq!(soon.status, 200, "{}", soon.text);
    assert!(!soon.items().is_empty(), "{}", soon.text);
    let beyond = app.get(&format!("/api/v1/slots?facility_id={}&from={}", demo.beijing, day(15)), None).await;
    assert!(beyond.items().is_empty(), "{}", beyond.text);

    // patient1 signs in with the demo password and sees their booking; patient50 has none.
    let mine = app.get("/api/v1/bookings", Some("patient1")).await;
    assert_eq!(mine.status, 200, "{}", mine.text);
    assert_eq!(mine.items().len(), 1, "{}", mine.text);
    let none = app.get("/api/v1/bookings", Some("patient50")).await;
    assert_eq!(none.items().len(), 0, "{}", none.text);
    let mismatches = carebridge_store::booking::booked_mismatches(&app.cb.store).await.unwrap();
    assert!(mismatches.is_empty(), "{mismatches:?}");
});
