//! Input sanity and event-driven offers (issue 20, points 3 and 6), on both backends:
//! impossible capacity reports (100 occupied of 20 ICU beds, 500 of 98) are refused naming the
//! field while surge beds within the factor are stored; a referral with New York coordinates
//! and a Wuchang code is refused naming the location, with every other complaint beside it;
//! and a bed freed by a capacity report or a decline is offered to the waiting referral at once,
//! not at the sweep's next retry, even past a queue of more urgent patients it may not take.

use crate::referrals::{current_offer, desk_answers};
use carebridge_e2e::app::{assert_invalid, DemoIds, TestApp};
use carebridge_e2e::both_backends;
use carebridge_e2e::fixtures::capacity_report_units;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// An ICU emergency for a patient at `(lon, lat)` in `region`.
fn icu_emergency(region: &str, lon: f64, lat: f64) -> Value {
    json!({
        "patient": {
            "pseudonym": "p-sanity",
            "age_band": "adult",
            "location": {"lon": lon, "lat": lat},
            "region_code": region,
            "infection": "negative",
        },
        "need": "icu",
        "urgency": "emergency",
        "needs_ambulance": true,
        "note": "Respiratory failure; needs ventilation.",
    })
}

/// Every demo facility reports a full ICU, but `free` at the facilities listed.
async fn icu_full_but(app: &TestApp, demo: &DemoIds, free: &[(carebridge_domain::ids::FacilityId, i64)]) {
    let now = app.now_plus_hours(0);
    for f in &demo.scenario.facilities {
        let n = free.iter().find(|(id, _)| *id == f.id).map_or(0, |(_, n)| *n);
        let report = capacity_report_units(&f.id.to_string(), &now, &[("icu", 40, 40, 40 - n)]);
        let r = app.post_json("/api/v1/capacity/reports", Some("nhc"), &report).await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
}

/// File a referral nothing can take now, and let the sweep try it once: from then on the sweep
/// leaves it alone for a minute (its retry back-off), so an offer within seconds can only come
/// from the event.
async fn file_waiting(app: &TestApp, body: &Value) -> String {
    let filed = app.post_json("/api/v1/referrals", Some("dr-union"), body).await;
    assert_eq!(filed.status, 201, "{}", filed.text);
    assert_eq!(filed.json["status"], "pending", "nothing free yet: {}", filed.text);
    app.cb.sweep_referrals().await.expect("a sweep");
    let id = filed.json["id"].as_str().expect("id").to_string();
    let now = app.get(&format!("/api/v1/referrals/{id}"), Some("dr-union")).await;
    assert_eq!(now.json["status"], "pending", "{}", now.text);
    id
}

/// Poll the referral (every 20 ms, for at most 3 s) until it holds an offer.
async fn offered_soon(app: &TestApp, id: &str) -> (Value, Duration) {
    let start = Instant::now();
    loop {
        let r = app.get(&format!("/api/v1/referrals/{id}"), Some("dr-union")).await;
        if r.json["status"] == "offered" {
            return (r.json, start.elapsed());
        }
        assert!(start.elapsed() < Duration::from_secs(3), "no offer within 3 s of the freed bed: {}", r.text);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

both_backends!(impossible_capacity_reports_are_refused_naming_the_field, |app| async move {
    let demo = app.load_demo().await;
    let now = app.now_plus_hours(0);
    let union = demo.union.to_string();
    let icu = capacity_report_units(&union, &now, &[("general_ward", 98, 90, 80), ("icu", 20, 20, 100)]);
    let r = app.post_json("/api/v1/capacity/reports", Some("nhc"), &icu).await;
    assert_invalid(&r, "/units/1/occupied");
    assert_eq!(r.pointers(), ["/units/1/occupied"], "only the impossible line: {}", r.text);
    assert!(r.text.contains("more than 1.5 times the 20 physical beds"), "{}", r.text);
    let ward = capacity_report_units(&union, &now, &[("general_ward", 98, 90, 500)]);
    assert_invalid(&app.post_json("/api/v1/capacity/reports", Some("nhc"), &ward).await, "/units/0/occupied");
    // Nothing of either was stored.
    let current = app.get(&format!("/api/v1/facilities/{union}/capacity"), Some("nhc")).await;
    assert!(
        !current.text.contains("\"occupied\":100") && !current.text.contains("\"occupied\":500"),
        "{}",
        current.text
    );

    // Corridor beds within the factor are surge beds: stored.
    let surge = capacity_report_units(&union, &now, &[("icu", 20, 20, 30)]);
    let r = app.post_json("/api/v1/capacity/reports", Some("nhc"), &surge).await;
    assert_eq!(r.status, 201, "{}", r.text);
});

both_backends!(a_location_outside_the_region_it_names_is_refused, |app| async move {
    app.load_demo().await;
    // New York coordinates with a Wuchang code (Wuchang has no outline of its own: Wuhan's).
    let new_york = icu_emergency("420106", -74.0, 40.7);
    let r = app.post_json("/api/v1/referrals", Some("dr-union"), &new_york).await;
    assert_invalid(&r, "/patient/location");
    assert!(r.text.contains("km outside 武汉市 (420100; 武昌区 420106 has no boundary of its own)"), "{}", r.text);
    // Changsha with a Wuhan code.
    assert_invalid(
        &app.post_json("/api/v1/referrals", Some("dr-union"), &icu_emergency("420100", 112.94, 28.23)).await,
        "/patient/location",
    );
    // Every complaint at once: an empty pseudonym beside the location.
    let mut two = new_york.clone();
    two["patient"]["pseudonym"] = json!(" ");
    let r = app.post_json("/api/v1/referrals", Some("dr-union"), &two).await;
    let mut pointers = r.pointers();
    pointers.sort();
    assert_eq!(pointers, ["/patient/location", "/patient/pseudonym"], "{}", r.text);
    // Inside Wuchang, and just across the Yangtze in Hanyang, both pass.
    for (lon, lat) in [(114.31, 30.55), (114.22, 30.55)] {
        let r = app.post_json("/api/v1/referrals", Some("dr-union"), &icu_emergency("420106", lon, lat)).await;
        assert_eq!(r.status, 201, "{lon},{lat}: {}", r.text);
    }
});

both_backends!(a_bed_freed_by_a_capacity_report_is_offered_at_once, |app| async move {
    let demo = app.load_demo().await;
    icu_full_but(&app, &demo, &[]).await;
    let id = file_waiting(&app, &icu_emergency("420103", 114.27, 30.60)).await;

    // Union's desk reports one ICU bed free.
    let freed = capacity_report_units(&demo.union.to_string(), &app.now_plus_hours(0), &[("icu", 40, 40, 39)]);
    let r = app.post_json("/api/v1/capacity/reports", Some("desk-union"), &freed).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let (detail, after) = offered_soon(&app, &id).await;
    let (_, facility) = current_offer(&detail);
    assert_eq!(facility, demo.union.to_string(), "the freed bed: {detail:#}");
    assert!(after < Duration::from_secs(2), "offered {after:?} after the report");
});

both_backends!(a_bed_released_by_a_decline_goes_to_the_next_waiting_patient_at_once, |app| async move {
    let demo = app.load_demo().await;
    icu_full_but(&app, &demo, &[(demo.union, 1)]).await;
    let first = app.post_json("/api/v1/referrals", Some("dr-union"), &icu_emergency("420103", 114.27, 30.60)).await;
    let (offer, facility) = current_offer(&first.json);
    assert_eq!(facility, demo.union.to_string());
    let second = file_waiting(&app, &icu_emergency("420103", 114.28, 30.59)).await;

    let declined = desk_answers(
        &app,
        &facility,
        &offer,
        &json!({"answer": "decline", "reason": "no_specialist", "note": "No intensivist on shift."}),
    )
    .await;
    assert_eq!(declined.status, 200, "{}", declined.text);
    assert_eq!(declined.json["status"], "pending", "nothing else is free for the first: {}", declined.text);
    let (detail, _) = offered_soon(&app, &second).await;
    assert_eq!(current_offer(&detail).1, demo.union.to_string(), "{detail:#}");
});

both_backends!(a_bed_freed_at_a_virus_hospital_skips_the_patients_it_may_not_take, |app| async move {
    let demo = app.load_demo().await;
    icu_full_but(&app, &demo, &[]).await;
    // More emergencies who tested negative than one event tries for nothing
    // (`followup::EXTRA_ATTEMPTS`), all more urgent than the one confirmed patient.
    for n in 0..carebridge_service::followup::EXTRA_ATTEMPTS + 5 {
        let mut body = icu_emergency("420103", 114.27 + 0.001 * n as f64, 30.60);
        body["patient"]["pseudonym"] = json!(format!("p-negative-{n}"));
        file_waiting(&app, &body).await;
    }
    let mut confirmed = icu_emergency("420103", 114.26, 30.61);
    confirmed["patient"]["infection"] = json!("confirmed");
    confirmed["urgency"] = json!("urgent");
    let id = file_waiting(&app, &confirmed).await;

    // Jinyintan, designated for the virus, frees one ICU bed: only the confirmed patient may
    // have it, and has it at once.
    let freed = capacity_report_units(&demo.jinyintan.to_string(), &app.now_plus_hours(0), &[("icu", 40, 40, 39)]);
    let r = app.post_json("/api/v1/capacity/reports", Some("nhc"), &freed).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let (detail, _) = offered_soon(&app, &id).await;
    assert_eq!(current_offer(&detail).1, demo.jinyintan.to_string(), "{detail:#}");
});
