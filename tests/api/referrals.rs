//! Referrals and online placement, as the field reports tell them: the spinal-tumour patient is
//! placed in a non-virus critical-care hospital within the hour and never in a virus-designated
//! one; a declined offer goes straight out again to the next hospital; the 75-year-old refused
//! five times escalates to the Shanghai coordinator with every reason; an offer nobody answers
//! expires and goes out again; a directed placement cannot be declined; two referrals never
//! hold the last bed twice. Each on SQLite and PostgreSQL.

use carebridge_domain::designation::Designation;
use carebridge_e2e::app::{assert_invalid, assert_problem, DemoIds, TestApp};
use carebridge_e2e::both_backends;
use carebridge_e2e::fixtures::{capacity_report_units, new_user};
use serde_json::{json, Value};
use std::collections::HashSet;

/// A referral for a patient at `(lon, lat)` in `region`.
fn referral(region: &str, lon: f64, lat: f64, need: &str, urgency: &str, infection: &str) -> Value {
    json!({
        "patient": {
            "pseudonym": "p-test",
            "age_band": "young_adult",
            "location": {"lon": lon, "lat": lat},
            "region_code": region,
            "infection": infection,
        },
        "need": need,
        "urgency": urgency,
        "needs_ambulance": false,
        "note": "Cord compression at T10; surgery advised.",
    })
}

/// The spinal-tumour patient of the field reports: 25, at home in Jianghan district, negative.
fn spinal_tumour() -> Value {
    referral("420103", 114.27, 30.60, "neurosurgery", "urgent", "negative")
}

/// Facilities of the demo by their designation now.
fn designated(demo: &DemoIds, designation: Designation) -> HashSet<String> {
    demo.scenario
        .facilities
        .iter()
        .filter(|f| f.designation_at(demo.now) == designation)
        .map(|f| f.id.to_string())
        .collect()
}

/// A token of a desk for `facility` (created by `nhc` on first use).
pub(crate) async fn desk_token(app: &TestApp, facility: &str) -> String {
    let username = format!("desk-{}", &facility[facility.len() - 12..]);
    let created =
        app.post_json("/api/v1/users", Some("nhc"), &new_user(&username, "facility_desk", Some(facility))).await;
    assert!(created.status == 201 || created.status == 409, "{}", created.text);
    app.fresh_token(&username, "a-long-enough-password").await
}

/// Sign in a desk for `facility` and answer its holding offer.
pub(crate) async fn desk_answers(
    app: &TestApp,
    facility: &str,
    offer: &str,
    answer: &Value,
) -> carebridge_e2e::app::Resp {
    let token = desk_token(app, facility).await;
    let rb = app
        .request(reqwest::Method::POST, &format!("/api/v1/placement/offers/{offer}/answer"))
        .bearer_auth(token)
        .json(answer);
    app.send(rb).await
}

pub(crate) fn current_offer(detail: &Value) -> (String, String) {
    let offer = &detail["current_offer"];
    assert!(offer.is_object(), "a holding offer: {detail:#}");
    (offer["id"].as_str().expect("id").to_string(), offer["facility_id"].as_str().expect("facility").to_string())
}

both_backends!(the_spinal_tumour_patient_is_placed_in_non_virus_critical_care_within_the_hour, |app| async move {
    let demo = app.load_demo().await;
    let virus = designated(&demo, Designation::VirusDesignated);
    let critical = designated(&demo, Designation::NonVirusCritical);
    let in_wuhan = |id: &String| {
        demo.scenario
            .facilities
            .iter()
            .any(|f| f.id.to_string() == *id && f.draft.region_code.to_string().starts_with("4201"))
    };
    assert!(virus.iter().filter(|id| in_wuhan(id)).count() >= 46, "the 46 virus-designated hospitals and the shelters");

    let filed = app.post_json("/api/v1/referrals", Some("dr-union"), &spinal_tumour()).await;
    assert_eq!(filed.status, 201, "{}", filed.text);
    let id = filed.json["id"].as_str().expect("id").to_string();
    assert_eq!(filed.header("location"), Some(format!("/api/v1/referrals/{id}").as_str()));
    assert_eq!(filed.json["status"], "offered", "the first offer goes out at filing: {}", filed.text);
    let (offer, facility) = current_offer(&filed.json);
    assert!(critical.contains(&facility), "placed at {facility}, not a non-virus critical-care hospital");
    assert!(!virus.contains(&facility));
    let hold = &filed.json["current_offer"];
    let offered = carebridge_domain::clock::Timestamp::parse_rfc3339(hold["offered_at"].as_str().unwrap()).unwrap();
    assert!(offered.millis() - demo.now.millis() < 3_600_000, "within the hour");
    let f = demo.scenario.facilities.iter().find(|f| f.id.to_string() == facility).expect("a demo facility");
    assert!(f.draft.services.contains(&carebridge_domain::service_kind::ServiceKind::Neurosurgery));

    // The timeline says why: the chosen facility and what the rest were excluded for.
    let offered_event =
        filed.json["events"].as_array().unwrap().iter().find(|e| e["kind"] == "offered").expect("offered");
    assert_eq!(offered_event["detail"]["chosen"]["facility_id"], facility.as_str());
    assert!(offered_event["detail"]["excluded"]["virus_designated"].as_u64().unwrap_or(0) >= 1, "{offered_event:#}");

    // The clinician and the patient's region coordinator follow it; Beijing does not see it.
    assert_eq!(app.get(&format!("/api/v1/referrals/{id}"), Some("dr-union")).await.status, 200);
    assert_eq!(app.get(&format!("/api/v1/referrals/{id}"), Some("wuhan")).await.status, 200);
    assert_problem(&app.get(&format!("/api/v1/referrals/{id}"), Some("beijing")).await, 404);

    let accepted = desk_answers(&app, &facility, &offer, &json!({"answer": "accept"})).await;
    assert_eq!(accepted.status, 200, "{}", accepted.text);
    assert_eq!(accepted.json["status"], "accepted");
    assert_eq!(accepted.json["placed_at"], facility.as_str());
    assert!(accepted.json["current_offer"].is_null());
});

both_backends!(a_decline_releases_the_bed_and_the_next_offer_goes_out_at_once, |app| async move {
    app.load_demo().await;
    let filed = app.post_json("/api/v1/referrals", Some("dr-union"), &spinal_tumour()).await;
    assert_eq!(filed.status, 201, "{}", filed.text);
    let id = filed.json["id"].as_str().unwrap().to_string();
    let (first_offer, first) = current_offer(&filed.json);

    let declined = desk_answers(
        &app,
        &first,
        &first_offer,
        &json!({"answer": "decline", "reason": "no_specialist", "note": "Our spine surgeon is in isolation."}),
    )
    .await;
    assert_eq!(declined.status, 200, "{}", declined.text);
    assert_eq!(declined.json["status"], "offered", "re-offered at once: {}", declined.text);
    let (second_offer, second) = current_offer(&declined.json);
    assert_ne!(second, first, "never back to a hospital that declined");
    assert_eq!(declined.json["failed_offers"], 1);
    let kinds: Vec<&str> =
        declined.json["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["filed", "offered", "declined", "offered"]);

    // The first desk cannot answer again; the offer is closed.
    let again = desk_answers(&app, &first, &first_offer, &json!({"answer": "accept"})).await;
    assert_problem(&again, 409);

    let accepted = desk_answers(&app, &second, &second_offer, &json!({"answer": "accept"})).await;
    assert_eq!(accepted.status, 200, "{}", accepted.text);
    assert_eq!(accepted.json["placed_at"], second.as_str());
    let offers: Vec<&str> =
        accepted.json["offers"].as_array().unwrap().iter().map(|o| o["status"].as_str().unwrap()).collect();
    assert_eq!(offers, ["declined", "accepted"]);
    let mine = app.get("/api/v1/referrals", Some("dr-union")).await;
    assert!(mine.items().iter().any(|r| r["id"] == id.as_str()));
});

both_backends!(the_elderly_patient_declined_five_times_escalates_to_the_shanghai_coordinator, |app| async move {
    app.load_demo().await;
    let mut body = referral("310104", 121.45, 31.20, "general_surgery", "urgent", "negative");
    body["patient"]["age_band"] = json!("senior");
    body["note"] = json!("Perforated bowel suspected; immediate surgery advised.");
    let filed = app.post_json("/api/v1/referrals", Some("shanghai"), &body).await;
    assert_eq!(filed.status, 201, "{}", filed.text);
    let id = filed.json["id"].as_str().unwrap().to_string();
    let reasons = ["no_bed", "no_staff", "no_specialist", "patient_too_severe", "infection_control"];
    let mut detail = filed.json.clone();
    let mut declined_by = Vec::new();
    for reason in reasons {
        let (offer, facility) = current_offer(&detail);
        let r = desk_answers(&app, &facility, &offer, &json!({"answer": "decline", "reason": reason})).await;
        assert_eq!(r.status, 200, "{}", r.text);
        declined_by.push(facility);
        detail = r.json;
    }
    assert!(detail["escalated_at"].is_string(), "escalated after five declines: {detail:#}");
    let escalated =
        detail["events"].as_array().unwrap().iter().find(|e| e["kind"] == "escalated").expect("an escalation");
    let seen: Vec<&str> =
        escalated["detail"]["declines"].as_array().unwrap().iter().map(|d| d["reason"].as_str().unwrap()).collect();
    assert_eq!(seen, reasons, "the coordinator sees every reason");

    let board = app.get("/api/v1/referrals?escalated=true", Some("shanghai")).await;
    assert_eq!(board.status, 200, "{}", board.text);
    assert!(board.items().iter().any(|r| r["id"] == id.as_str()), "on the Shanghai coordinator's list");
    let elsewhere = app.get("/api/v1/referrals?escalated=true", Some("beijing")).await;
    assert!(!elsewhere.items().iter().any(|r| r["id"] == id.as_str()));
    assert_eq!(app.get(&format!("/api/v1/referrals/{id}"), Some("shanghai")).await.json["failed_offers"], 5);
});

both_backends!(an_unanswered_offer_expires_and_goes_out_again_and_a_directed_one_must_be_accepted, |app| async move {
    let demo = app.load_demo().await;
    let filed = app.post_json("/api/v1/referrals", Some("dr-union"), &spinal_tumour()).await;
    let id = filed.json["id"].as_str().unwrap().to_string();
    let (_, first) = current_offer(&filed.json);

    app.advance_minutes(121);
    let swept = app.cb.sweep_referrals().await.expect("sweep");
    assert_eq!(swept.expired, 1, "{swept:?}");
    let after = app.get(&format!("/api/v1/referrals/{id}"), Some("dr-union")).await;
    assert_eq!(after.json["status"], "offered", "re-offered: {}", after.text);
    let (_, second) = current_offer(&after.json);
    assert_ne!(second, first);
    let statuses: Vec<&str> =
        after.json["offers"].as_array().unwrap().iter().map(|o| o["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["expired", "holding"]);

    // The Wuhan coordinator directs the patient to Union: the holding offer is withdrawn and
    // Union's desk cannot decline the order.
    let union = demo.union.to_string();
    let directed = app
        .post_json(
            &format!("/api/v1/referrals/{id}/direct"),
            Some("wuhan"),
            &json!({"facility_id": union, "note": "Spine team on call tonight."}),
        )
        .await;
    assert_eq!(directed.status, 200, "{}", directed.text);
    let (offer, at) = current_offer(&directed.json);
    assert_eq!(at, union);
    assert_eq!(directed.json["current_offer"]["directed"], true);
    let token = app.token("desk-union").await;
    let decline = app
        .send(
            app.request(reqwest::Method::POST, &format!("/api/v1/placement/offers/{offer}/answer"))
                .bearer_auth(&token)
                .json(&json!({"answer": "decline", "reason": "no_bed"})),
        )
        .await;
    assert_problem(&decline, 409);
    let inbox = app.get("/api/v1/placement/offers?status=holding", Some("desk-union")).await;
    assert_eq!(inbox.status, 200, "{}", inbox.text);
    assert!(inbox.json["items"].as_array().unwrap().iter().any(|o| o["id"] == offer.as_str()));
    let accept = app
        .send(
            app.request(reqwest::Method::POST, &format!("/api/v1/placement/offers/{offer}/answer"))
                .bearer_auth(&token)
                .json(&json!({"answer": "accept"})),
        )
        .await;
    assert_eq!(accept.status, 200, "{}", accept.text);
    let admitted = app.post_json(&format!("/api/v1/referrals/{id}/admit"), Some("desk-union"), &json!({})).await;
    assert_eq!(admitted.status, 200, "{}", admitted.text);
    assert_eq!(admitted.json["status"], "admitted");
});

both_backends!(bad_referrals_name_the_field_and_store_nothing, |app| async move {
    app.load_demo().await;
    let before = app.get("/api/v1/referrals", Some("wuhan")).await.items().len();
    let mut unknown_service = spinal_tumour();
    unknown_service["need"] = json!("brain_transplant");
    let r = app.post_json("/api/v1/referrals", Some("dr-union"), &unknown_service).await;
    assert_problem(&r, 422);
    assert!(r.text.contains("need"), "{}", r.text);

    let mut schedule = spinal_tumour();
    schedule["need"] = json!("dialysis");
    schedule["schedule"] = json!({"sessions_per_week": 7});
    assert_invalid(
        &app.post_json("/api/v1/referrals", Some("dr-union"), &schedule).await,
        "/schedule/sessions_per_week",
    );

    let beijing_patient = referral("110101", 116.41, 39.91, "neurosurgery", "urgent", "negative");
    assert_invalid(&app.post_json("/api/v1/referrals", Some("wuhan"), &beijing_patient).await, "/patient/region_code");
    assert_invalid(
        &app.post_json("/api/v1/referrals", Some("dr-union"), &beijing_patient).await,
        "/patient/region_code",
    );
    let mut nowhere = spinal_tumour();
    nowhere["patient"]["region_code"] = json!("429999");
    assert_invalid(&app.post_json("/api/v1/referrals", Some("dr-union"), &nowhere).await, "/patient/region_code");
    assert_problem(&app.post_json("/api/v1/referrals", Some("desk-union"), &spinal_tumour()).await, 403);
    assert_eq!(app.get("/api/v1/referrals", Some("wuhan")).await.items().len(), before, "nothing stored");
});

both_backends!(two_referrals_racing_for_the_last_bed_never_both_hold_it, |app| async move {
    let demo = app.load_demo().await;
    // Union reports exactly one free ICU bed; every other hospital within reach reports none.
    let now = app.now_plus_hours(0);
    for f in &demo.scenario.facilities {
        let free = if f.id == demo.union { 1 } else { 0 };
        let report = capacity_report_units(&f.id.to_string(), &now, &[("icu", 40, 40, 40 - free)]);
        let r = app.post_json("/api/v1/capacity/reports", Some("nhc"), &report).await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let icu = referral("420103", 114.27, 30.60, "icu", "emergency", "negative");
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (client, url, token, body) =
            (app.client.clone(), format!("{}/api/v1/referrals", app.address), app.token("dr-union").await, icu.clone());
        tasks.push(tokio::spawn(async move {
            let r = client.post(url).bearer_auth(token).json(&body).send().await.expect("answer");
            assert_eq!(r.status().as_u16(), 201);
            r.json::<Value>().await.expect("json")
        }));
    }
    let mut holding = 0;
    for t in tasks {
        let detail = t.await.expect("task");
        if detail["current_offer"].is_object() {
            assert_eq!(detail["current_offer"]["facility_id"], demo.union.to_string().as_str());
            holding += 1;
        } else {
            assert_eq!(detail["status"], "pending", "{detail:#}");
            let unplaced =
                detail["events"].as_array().unwrap().iter().find(|e| e["kind"] == "unplaced").expect("says why");
            assert!(unplaced["detail"]["excluded"]["no_staffed_bed_free"].as_u64().unwrap_or(0) >= 1, "{unplaced:#}");
        }
    }
    assert_eq!(holding, 1, "exactly one referral holds Union's last ICU bed");
});

/// The engine's answers for a spread of needs around Wuhan, Shanghai and Beijing, from the
/// placement index and from the database: they must agree after every kind of write placement
/// reads (a hold, a decline, a capacity report, a designation order, a facility's own flag).
async fn assert_index_matches_database(app: &TestApp, when: &str) {
    let needs = [
        referral("420103", 114.27, 30.60, "neurosurgery", "urgent", "negative"),
        referral("420103", 114.27, 30.60, "icu", "emergency", "confirmed"),
        referral("420106", 114.31, 30.55, "dialysis", "routine", "unknown"),
        referral("310104", 121.44, 31.19, "oncology_surgery", "soon", "negative"),
        referral("110105", 116.44, 39.92, "icu", "urgent", "suspected"),
        referral("420102", 114.30, 30.62, "maternity", "urgent", "negative"),
    ];
    let now = app.cb.now();
    for need in needs {
        let draft: carebridge_domain::referral::ReferralDraft = serde_json::from_value(need.clone()).expect("a draft");
        let index = app.cb.rank_need(&draft, &[], now).await.expect("index");
        let database = app.cb.rank_need_from_database(&draft, &[], now).await.expect("database");
        assert_eq!(
            serde_json::to_value(&index).unwrap(),
            serde_json::to_value(&database).unwrap(),
            "{when}: {}",
            need["need"]
        );
    }
}

both_backends!(the_placement_index_answers_as_the_database_does_after_every_kind_of_write, |app| async move {
    let demo = app.load_demo().await;
    assert_index_matches_database(&app, "after loading the demo").await;

    let filed = app.post_json("/api/v1/referrals", Some("dr-union"), &spinal_tumour()).await;
    assert_eq!(filed.status, 201, "{}", filed.text);
    let (offer, facility) = current_offer(&filed.json);
    assert_index_matches_database(&app, "after a hold").await;

    let declined = desk_answers(&app, &facility, &offer, &json!({"answer": "decline", "reason": "no_bed"})).await;
    assert_eq!(declined.status, 200, "{}", declined.text);
    assert_index_matches_database(&app, "after a decline and the next offer").await;

    let as_of = carebridge_e2e::app::rfc3339_millis(app.cb.now());
    let report = capacity_report_units(&facility, &as_of, &[("icu", 40, 30, 29), ("general_ward", 500, 400, 100)]);
    let r = app.post_json("/api/v1/capacity/reports", Some("nhc"), &report).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_index_matches_database(&app, "after a capacity report").await;

    let later = app.now_plus_hours(2);
    let order = carebridge_e2e::fixtures::designation_order(&facility, "virus_designated", &later);
    let o = app.post_json("/api/v1/designation-orders", Some("nhc"), &order).await;
    assert_eq!(o.status, 201, "{}", o.text);
    assert_index_matches_database(&app, "after an order that takes effect later").await;
    app.advance_minutes(180);
    assert_index_matches_database(&app, "once the order has taken effect").await;

    let f = demo.scenario.facilities.iter().find(|f| f.draft.services.len() > 3).expect("a hospital");
    let path = format!("/api/v1/facilities/{}", f.id);
    let current = app.get(&path, Some("nhc")).await;
    let mut draft = current.json.clone();
    for k in ["id", "designation", "version"] {
        draft.as_object_mut().unwrap().remove(k);
    }
    draft["takes_new_patients"] = json!(false);
    let etag = current.header("etag").expect("etag").to_string();
    let rb = app.request_as(reqwest::Method::PUT, &path, Some("nhc")).await.header("if-match", etag).json(&draft);
    let put = app.send(rb).await;
    assert_eq!(put.status, 200, "{}", put.text);
    assert_index_matches_database(&app, "after a facility closes to new patients").await;
});

both_backends!(filings_accepts_and_expiries_racing_on_one_unit_never_over_commit_it, |app| async move {
    let demo = app.load_demo().await;
    // Union reports three free ICU beds; every other hospital within reach reports none.
    let now = app.now_plus_hours(0);
    for f in &demo.scenario.facilities {
        let free = if f.id == demo.union { 3 } else { 0 };
        let report = capacity_report_units(&f.id.to_string(), &now, &[("icu", 40, 40, 40 - free)]);
        assert_eq!(app.post_json("/api/v1/capacity/reports", Some("nhc"), &report).await.status, 201);
    }
    let icu = referral("420103", 114.27, 30.60, "icu", "emergency", "negative");
    let desk = app.token("desk-union").await;
    let mut tasks = Vec::new();
    // Twelve filings at once.
    for _ in 0..12 {
        let (client, url, token, body) =
            (app.client.clone(), format!("{}/api/v1/referrals", app.address), app.token("dr-union").await, icu.clone());
        tasks.push(tokio::spawn(async move {
            let r = client.post(url).bearer_auth(token).json(&body).send().await.expect("answer");
            assert_eq!(r.status().as_u16(), 201);
        }));
    }
    // The desk accepting whatever it is offered, as fast as it can.
    let (client, base, token) = (app.client.clone(), app.address.clone(), desk.clone());
    tasks.push(tokio::spawn(async move {
        for _ in 0..40 {
            let inbox: Value = client
                .get(format!("{base}/api/v1/placement/offers?status=holding"))
                .bearer_auth(&token)
                .send()
                .await
                .expect("inbox")
                .json()
                .await
                .expect("json");
            for offer in inbox["items"].as_array().cloned().unwrap_or_default().iter().take(1) {
                let url = format!("{base}/api/v1/placement/offers/{}/answer", offer["id"].as_str().unwrap());
                let r = client.post(url).bearer_auth(&token).json(&json!({"answer": "accept"})).send().await;
                let status = r.expect("answer").status().as_u16();
                assert!(status == 200 || status == 409, "accept answered {status}");
            }
        }
    }));
    // Holds expiring and going out again while all that happens.
    let cb = app.cb.clone();
    let clock = app.clock.clone();
    tasks.push(tokio::spawn(async move {
        for i in 0..10 {
            if i == 5 {
                clock.advance_minutes(31);
            }
            cb.sweep_referrals().await.expect("a sweep");
        }
    }));
    for t in tasks {
        t.await.expect("task");
    }
    app.cb.sweep_referrals().await.expect("a last sweep");

    // Union's ICU: holding offers plus those accepted since its report never exceed its 3 beds.
    let offers = app.get("/api/v1/placement/offers", Some("desk-union")).await;
    let items = offers.json["items"].as_array().unwrap();
    let live =
        items.iter().filter(|o| o["unit"] == "icu" && (o["status"] == "holding" || o["status"] == "accepted")).count();
    assert!(live <= 3, "{live} offers hold or took Union's 3 ICU beds: {items:#?}");
    assert!(live >= 1, "the beds were offered at all");
});
