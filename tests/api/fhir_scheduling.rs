//! Scheduling on the FHIR facade (issue 13, point 6): a published schedule is a Schedule, its
//! slots are Slots (public, `free` with a booking deep link, `busy` once full), a booking is an
//! Appointment (token required; a patient reads only their own, a desk its facility's, a
//! coordinator their regions'), and the SMART Scheduling Links publisher answers a manifest
//! whose NDJSON files a slot finder reads line by line. Each on SQLite and PostgreSQL.

use carebridge_e2e::app::{Resp, TestApp};
use carebridge_e2e::both_backends;
use carebridge_interop::fhir::BOOKING_DEEP_LINK_EXTENSION_URL;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};

/// Assert a FHIR answer with `status` whose body is a `resource_type`; returns the body.
#[track_caller]
fn fhir(resp: &Resp, status: u16, resource_type: &str) -> Value {
    assert_eq!(resp.status, status, "{}", resp.text);
    let ct = resp.header("content-type").unwrap_or("");
    assert!(ct.starts_with("application/fhir+json"), "content type `{ct}`: {}", resp.text);
    assert_eq!(resp.json["resourceType"], resource_type, "{}", resp.text);
    resp.json.clone()
}

fn entries(bundle: &Value) -> Vec<Value> {
    assert_eq!(bundle["type"], "searchset", "{bundle:#}");
    let all = bundle["entry"].as_array().cloned().unwrap_or_default();
    all.into_iter().filter(|e| e["search"]["mode"] == "match").map(|e| e["resource"].clone()).collect()
}

fn ids(bundle: &Value) -> Vec<String> {
    entries(bundle).iter().map(|r| r["id"].as_str().expect("id").to_owned()).collect()
}

async fn get_with(app: &TestApp, path: &str, token: &str) -> Resp {
    app.send(app.request(reqwest::Method::GET, path).bearer_auth(token)).await
}

/// Internal medicine at Union, 08:00–12:00 every day in 15-minute slots for one patient.
async fn publish_union_clinic(app: &TestApp, union: &str) -> String {
    let body = json!({
        "facility_id": union,
        "service": "internal_medicine",
        "clinician": "Dr Wang",
        "templates": [{"weekdays": [1, 2, 3, 4, 5, 6, 7], "start": "08:00", "end": "12:00", "slot_minutes": 15, "capacity": 1}],
    });
    let r = app.post_json("/api/v1/schedules", Some("desk-union"), &body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.json["id"].as_str().expect("schedule id").to_owned()
}

/// A patient who signed up themself: their token and account id.
async fn patient(app: &TestApp, name: &str) -> (String, String) {
    let body = json!({"username": name, "password": "a-long-enough-password", "contact": "+86 138-0013-8000"});
    let r = app.post_json("/api/v1/patients", None, &body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json["id"].as_str().expect("user id").to_owned();
    (app.fresh_token(name, "a-long-enough-password").await, id)
}

fn extension<'a>(resource: &'a Value, url: &str) -> Option<&'a Value> {
    resource["extension"].as_array()?.iter().find(|e| e["url"] == url)
}

both_backends!(schedules_and_slots_are_public_and_searched_by_service_date_and_status, |app| async move {
    let demo = app.load_demo().await;
    let union = demo.union.to_string();
    let schedule = publish_union_clinic(&app, &union).await;

    // The CapabilityStatement declares the three types and the bulk operation.
    let cs = fhir(&app.get("/fhir/metadata", None).await, 200, "CapabilityStatement");
    let types: Vec<&str> =
        cs["rest"][0]["resource"].as_array().unwrap().iter().filter_map(|r| r["type"].as_str()).collect();
    for t in ["Schedule", "Slot", "Appointment"] {
        assert!(types.contains(&t), "{types:?}");
    }
    assert_eq!(cs["rest"][0]["operation"][0]["name"], "bulk-publish");

    // The Schedule, anonymously: the service, Union's Location and HealthcareService.
    let s = fhir(&app.get(&format!("/fhir/Schedule/{schedule}"), None).await, 200, "Schedule");
    assert_eq!(s["active"], true);
    assert_eq!(s["actor"][0]["reference"], format!("Location/{union}"));
    assert_eq!(s["actor"][1]["reference"], format!("HealthcareService/{union}-internal-medicine"));
    assert_eq!(s["serviceType"][0]["coding"][0]["code"], "internal_medicine");
    assert_eq!(s["comment"], "Dr Wang");
    let today = carebridge_domain::booking::LocalDay(app.cb.today().0).to_string();
    let q = format!("/fhir/Schedule?actor=Location/{union}&service-type=internal_medicine&active=true&date={today}");
    assert!(ids(&fhir(&app.get(&q, None).await, 200, "Bundle")).contains(&schedule));
    let retired = fhir(&app.get(&format!("/fhir/Schedule?actor={union}&active=false"), None).await, 200, "Bundle");
    assert!(!ids(&retired).contains(&schedule));
    let past = fhir(&app.get(&format!("/fhir/Schedule?actor={union}&date=lt2020-01-01"), None).await, 200, "Bundle");
    assert!(ids(&past).is_empty(), "no schedule ran before 2020");
    assert_eq!(app.get("/fhir/Schedule?active=maybe", None).await.status, 400);

    // Its slots: free, in start order, with the deep link, times in +08:00.
    let page = fhir(&app.get(&format!("/fhir/Slot?schedule=Schedule/{schedule}&_count=5"), None).await, 200, "Bundle");
    let slots = entries(&page);
    assert_eq!(slots.len(), 5);
    assert!(page["link"].as_array().unwrap().iter().any(|l| l["relation"] == "next"));
    for slot in &slots {
        assert_eq!(slot["status"], "free");
        assert_eq!(slot["schedule"]["reference"], format!("Schedule/{schedule}"));
        assert!(slot["start"].as_str().unwrap().ends_with("+08:00"), "{slot}");
        let link = extension(slot, BOOKING_DEEP_LINK_EXTENSION_URL).expect("a deep link");
        assert!(link["valueUrl"].as_str().unwrap().ends_with(&format!("/book?slot={}", slot["id"].as_str().unwrap())));
    }
    let starts: Vec<&str> = slots.iter().map(|s| s["start"].as_str().unwrap()).collect();
    assert!(starts.windows(2).all(|w| w[0] <= w[1]), "{starts:?}");
    let first = slots[0]["id"].as_str().unwrap();
    fhir(&app.get(&format!("/fhir/Slot/{first}"), None).await, 200, "Slot");

    // `start` with prefixes: one local day holds 16 slots (fewer today, as some have begun).
    let tomorrow = carebridge_domain::booking::LocalDay(app.cb.today().0 + 1).to_string();
    let day_q = format!("/fhir/Slot?schedule={schedule}&start={tomorrow}&_count=100");
    assert_eq!(entries(&fhir(&app.get(&day_q, None).await, 200, "Bundle")).len(), 16);
    let range_q = format!("/fhir/Slot?schedule={schedule}&start=ge{tomorrow}&start=lt{tomorrow}&_count=100");
    assert!(entries(&fhir(&app.get(&range_q, None).await, 200, "Bundle")).is_empty(), "an empty range");
    let counted = format!("/fhir/Slot?schedule={schedule}&service-type=internal_medicine&status=free&_summary=count");
    assert!(fhir(&app.get(&counted, None).await, 200, "Bundle")["total"].as_u64().unwrap() > 16 * 12);
    let busy = format!("/fhir/Slot?schedule={schedule}&status=busy");
    assert!(ids(&fhir(&app.get(&busy, None).await, 200, "Bundle")).is_empty(), "nothing booked yet");
    assert_eq!(app.get("/fhir/Slot?start=ne2022-12-05", None).await.status, 400);
    assert_eq!(app.get("/fhir/Slot?status=open", None).await.status, 400);
});

both_backends!(an_appointment_is_the_patients_own_and_its_slot_turns_busy, |app| async move {
    let demo = app.load_demo().await;
    let union = demo.union.to_string();
    let schedule = publish_union_clinic(&app, &union).await;
    let (alice, alice_id) = patient(&app, "fhir-alice").await;
    let (bob, _) = patient(&app, "fhir-bob").await;
    let page = fhir(&app.get(&format!("/fhir/Slot?schedule={schedule}&_count=1"), None).await, 200, "Bundle");
    let slot = ids(&page).remove(0);
    let booked = app
        .send(
            app.request(reqwest::Method::POST, "/api/v1/bookings").bearer_auth(&alice).json(&json!({"slot_id": slot})),
        )
        .await;
    assert_eq!(booked.status, 201, "{}", booked.text);
    let booking = booked.json["id"].as_str().unwrap().to_owned();

    // Alice reads it: booked, her pseudonym contained, nothing of her account.
    let a = fhir(&get_with(&app, &format!("/fhir/Appointment/{booking}"), &alice).await, 200, "Appointment");
    assert_eq!(a["status"], "booked");
    assert_eq!(a["slot"][0]["reference"], format!("Slot/{slot}"));
    assert_eq!(a["contained"][0]["resourceType"], "Patient");
    assert_eq!(a["contained"][0]["identifier"][0]["value"], "fhir-alice");
    assert_eq!(a["participant"][0]["actor"]["reference"], "#patient");
    assert_eq!(a["participant"][1]["actor"]["reference"], format!("Location/{union}"));
    assert!(!a.to_string().contains(&alice_id), "no account id travels: {a}");
    assert!(a["end"].as_str().unwrap() > a["start"].as_str().unwrap());

    // Bob does not see it; anonymous callers are asked for a token.
    fhir(&get_with(&app, &format!("/fhir/Appointment/{booking}"), &bob).await, 404, "OperationOutcome");
    assert!(ids(&fhir(&get_with(&app, "/fhir/Appointment", &bob).await, 200, "Bundle")).is_empty());
    let anonymous = app.get(&format!("/fhir/Appointment/{booking}"), None).await;
    fhir(&anonymous, 401, "OperationOutcome");
    assert!(anonymous.header("www-authenticate").unwrap_or("").starts_with("Bearer"));
    fhir(&app.get("/fhir/Appointment", None).await, 401, "OperationOutcome");

    // Alice's search; naming her own account is the same, naming another finds nothing.
    let mine = fhir(
        &get_with(&app, "/fhir/Appointment?status=booked&service-type=internal_medicine", &alice).await,
        200,
        "Bundle",
    );
    assert_eq!(ids(&mine), [booking.as_str()]);
    let own = format!("/fhir/Appointment?patient=Patient/{alice_id}");
    assert_eq!(ids(&fhir(&get_with(&app, &own, &alice).await, 200, "Bundle")), [booking.as_str()]);
    assert!(ids(&fhir(&get_with(&app, &own, &bob).await, 200, "Bundle")).is_empty());
    let date = a["start"].as_str().unwrap()[..10].to_owned();
    let by_date = format!("/fhir/Appointment?date={date}&location=Location/{union}");
    assert_eq!(ids(&fhir(&get_with(&app, &by_date, &alice).await, 200, "Bundle")), [booking.as_str()]);

    // Union's desk and Wuhan's coordinator see it; Beijing's does not; a clinician reads no bookings.
    for user in ["desk-union", "wuhan", "nhc"] {
        let r = fhir(&app.get("/fhir/Appointment?status=booked", Some(user)).await, 200, "Bundle");
        assert!(ids(&r).contains(&booking), "{user}: {r}");
    }
    assert!(!ids(&fhir(&app.get("/fhir/Appointment", Some("beijing")).await, 200, "Bundle")).contains(&booking));
    fhir(&app.get(&format!("/fhir/Appointment/{booking}"), Some("beijing")).await, 404, "OperationOutcome");
    fhir(&app.get("/fhir/Appointment", Some("dr-union")).await, 403, "OperationOutcome");

    // The slot is busy, without a deep link, on the facade and in Union's Slot file.
    let s = fhir(&app.get(&format!("/fhir/Slot/{slot}"), None).await, 200, "Slot");
    assert_eq!(s["status"], "busy");
    assert!(extension(&s, BOOKING_DEEP_LINK_EXTENSION_URL).is_none());
    let busy = fhir(&app.get(&format!("/fhir/Slot?schedule={schedule}&status=busy"), None).await, 200, "Bundle");
    assert_eq!(ids(&busy), [slot.as_str()]);
    let file = app.get(&format!("/fhir/$bulk-publish/Slot-{union}.ndjson"), None).await;
    assert_eq!(file.status, 200, "{}", file.text);
    let lines: Vec<Value> = file.text.lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect();
    let line = lines.iter().find(|l| l["id"] == slot.as_str()).expect("the booked slot is published");
    assert_eq!(line["status"], "busy");
    assert!(lines.iter().filter(|l| l["id"] != slot.as_str()).all(|l| l["status"] == "free"));

    // Cancelled, the appointment says so and the slot is free again.
    let cancel = app
        .send(
            app.request(reqwest::Method::POST, &format!("/api/v1/bookings/{booking}/cancel"))
                .bearer_auth(&alice)
                .json(&json!({"reason": "feeling better"})),
        )
        .await;
    assert_eq!(cancel.status, 200, "{}", cancel.text);
    let a = fhir(&get_with(&app, &format!("/fhir/Appointment/{booking}"), &alice).await, 200, "Appointment");
    assert_eq!(a["status"], "cancelled");
    assert_eq!(a["cancelationReason"]["text"], "feeling better");
    assert_eq!(fhir(&app.get(&format!("/fhir/Slot/{slot}"), None).await, 200, "Slot")["status"], "free");
});

/// A line of an NDJSON file, checked as an R4 resource of `ty` with the elements R4 (and SMART
/// Scheduling Links) require of it.
#[track_caller]
fn check_line(ty: &str, line: &str) -> Value {
    assert!(!line.trim().is_empty(), "an empty line in a {ty} file");
    let r: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{ty} line is not JSON ({e}): {line}"));
    assert_eq!(r["resourceType"], ty, "{line}");
    let id = r["id"].as_str().expect("an id");
    assert!(
        !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.'),
        "{id}"
    );
    match ty {
        "Location" => {
            assert!(r["name"].is_string(), "{line}");
            assert!(r["address"].is_object(), "{line}");
        }
        "Schedule" => {
            assert!(r["actor"][0]["reference"].as_str().unwrap().starts_with("Location/"), "{line}");
            assert!(r["serviceType"][0]["coding"][0]["code"].is_string(), "{line}");
        }
        "Slot" => {
            assert!(r["schedule"]["reference"].as_str().unwrap().starts_with("Schedule/"), "{line}");
            for t in ["start", "end"] {
                let v = r[t].as_str().unwrap_or_else(|| panic!("no {t}: {line}"));
                carebridge_domain::clock::Timestamp::parse_rfc3339(v).expect("an instant");
                assert!(v.ends_with("+08:00"), "{line}");
            }
            assert!(r["start"].as_str() < r["end"].as_str(), "{line}");
        }
        other => panic!("unexpected type {other}"),
    }
    r
}

both_backends!(a_slot_finder_reads_the_manifest_and_every_file_of_the_demo, |app| async move {
    let demo = app.load_demo_as_shown().await;
    let made = app.cb.load_demo_booking(&demo.scenario).await.expect("the booking side loads");

    // The manifest, with no Accept and with application/json.
    let bare = app.send(app.request(reqwest::Method::GET, "/fhir/$bulk-publish")).await;
    let m =
        app.send(app.request(reqwest::Method::GET, "/fhir/$bulk-publish").header("accept", "application/json")).await;
    for r in [&bare, &m] {
        assert_eq!(r.status, 200, "{}", r.text);
        assert!(r.header("content-type").unwrap_or("").starts_with("application/json"), "{:?}", r.headers);
        assert!(r.header("cache-control").unwrap_or("").contains("max-age="), "{:?}", r.headers);
    }
    let manifest = &m.json;
    carebridge_domain::clock::Timestamp::parse_rfc3339(manifest["transactionTime"].as_str().unwrap()).unwrap();
    assert!(manifest["request"].as_str().unwrap().ends_with("/fhir/$bulk-publish"), "{manifest}");
    assert_eq!(manifest["error"], json!([]));
    let outputs = manifest["output"].as_array().expect("outputs");
    let kinds: HashSet<&str> = outputs.iter().filter_map(|o| o["type"].as_str()).collect();
    assert_eq!(kinds, HashSet::from(["Location", "Schedule", "Slot"]));

    // Every file, as a client fetches it: the URL as given, Accept: application/fhir+ndjson.
    let started = std::time::Instant::now();
    let mut by_type: HashMap<String, Vec<Value>> = HashMap::new();
    let mut slot_time = std::time::Duration::ZERO;
    for o in outputs {
        let ty = o["type"].as_str().unwrap();
        let url = o["url"].as_str().unwrap();
        assert!(o["extension"]["state"].as_array().is_some_and(|s| !s.is_empty()), "{o}");
        let t = std::time::Instant::now();
        let res = reqwest::Client::new()
            .get(url)
            .header("accept", "application/fhir+ndjson")
            .send()
            .await
            .expect("the file answers");
        assert_eq!(res.status(), 200, "{url}");
        let ct = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        assert!(ct.starts_with("application/fhir+ndjson"), "{url}: {ct}");
        let text = res.text().await.expect("the whole file");
        if ty == "Slot" {
            slot_time += t.elapsed();
        }
        let lines = by_type.entry(ty.to_owned()).or_default();
        lines.extend(text.lines().map(|l| check_line(ty, l)));
    }
    let (locations, schedules, slots) = (&by_type["Location"], &by_type["Schedule"], &by_type["Slot"]);
    eprintln!(
        "bulk export: {} locations, {} schedules, {} slots in {} Slot files; Slot files {:.2} s, all files {:.2} s",
        locations.len(),
        schedules.len(),
        slots.len(),
        outputs.iter().filter(|o| o["type"] == "Slot").count(),
        slot_time.as_secs_f64(),
        started.elapsed().as_secs_f64(),
    );

    // Every reference resolves inside the data set; nothing is published twice.
    let location_ids: HashSet<String> =
        locations.iter().map(|l| format!("Location/{}", l["id"].as_str().unwrap())).collect();
    let schedule_ids: HashSet<String> =
        schedules.iter().map(|s| format!("Schedule/{}", s["id"].as_str().unwrap())).collect();
    assert_eq!(schedule_ids.len(), made.schedules, "every active schedule once");
    assert!(schedules.iter().all(|s| location_ids.contains(s["actor"][0]["reference"].as_str().unwrap())));
    assert!(slots.iter().all(|s| schedule_ids.contains(s["schedule"]["reference"].as_str().unwrap())));
    let slot_ids: HashSet<&str> = slots.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(slot_ids.len(), slots.len(), "no slot twice");
    assert!(slots.len() > 10_000, "{}", slots.len());

    // Free or busy only; free ones carry a deep link; the demo's ten bookings make busy slots.
    let mut busy = 0;
    for s in slots {
        match s["status"].as_str().unwrap() {
            "free" => {
                let link = extension(s, BOOKING_DEEP_LINK_EXTENSION_URL).expect("a deep link on a free slot");
                assert!(link["valueUrl"].as_str().unwrap().starts_with("http"), "{s}");
            }
            "busy" => busy += 1,
            other => panic!("a slot {other} in a Slot file: {s}"),
        }
    }
    let booked = app.get("/fhir/Appointment?status=booked&_summary=count", Some("nhc")).await;
    let appointments = fhir(&booked, 200, "Bundle")["total"].as_u64().unwrap();
    assert_eq!(appointments, 10, "{}", booked.text);
    assert!(busy >= 1, "booked consultations fill their slots");

    // A file the manifest does not list is a 404 outcome.
    let missing = app.get("/fhir/$bulk-publish/Slot-nope.ndjson", None).await;
    fhir(&missing, 404, "OperationOutcome");
});
