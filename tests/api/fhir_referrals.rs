//! Referrals and offers on the FHIR facade: a referral is a ServiceRequest (active while it
//! waits or holds a bed, with the offered facility as performer), its offers are Tasks
//! (requested while the bed is held until the hold's end, rejected with the desk's reason once
//! declined). Token required, the referral read scope applies unchanged (Beijing sees nothing
//! of a Wuhan patient, a patient only their own), and unknown search parameters are refused
//! under `Prefer: handling=strict`, ignored and reported otherwise. Each on SQLite and
//! PostgreSQL.

use crate::referrals::{current_offer, desk_answers};
use carebridge_domain::clock::Timestamp;
use carebridge_e2e::app::{Resp, TestApp};
use carebridge_e2e::both_backends;
use carebridge_interop::fhir::SERVICE_CODE_SYSTEM;
use serde_json::{json, Value};

/// A patient at home in Jianghan district, Wuhan, needing neurosurgery soon.
fn referral(pseudonym: &str, need: &str) -> Value {
    json!({
        "patient": {
            "pseudonym": pseudonym,
            "age_band": "senior",
            "location": {"lon": 114.27, "lat": 30.60},
            "region_code": "420103",
            "infection": "negative",
        },
        "need": need,
        "urgency": "urgent",
        "needs_ambulance": false,
        "note": "Cord compression at T10; surgery advised.",
    })
}

/// Assert a FHIR answer with `status` whose body is a `resource_type`; returns the body.
#[track_caller]
fn fhir(resp: &Resp, status: u16, resource_type: &str) -> Value {
    assert_eq!(resp.status, status, "{}", resp.text);
    let ct = resp.header("content-type").unwrap_or("");
    assert!(ct.starts_with("application/fhir+json"), "content type `{ct}`: {}", resp.text);
    assert_eq!(resp.json["resourceType"], resource_type, "{}", resp.text);
    resp.json.clone()
}

/// The resources of a searchset.
fn entries(bundle: &Value) -> Vec<Value> {
    assert_eq!(bundle["type"], "searchset", "{bundle:#}");
    bundle["entry"].as_array().map(|e| e.iter().map(|e| e["resource"].clone()).collect()).unwrap_or_default()
}

fn ids(bundle: &Value) -> Vec<String> {
    entries(bundle).iter().map(|r| r["id"].as_str().expect("id").to_owned()).collect()
}

/// A GET with a bearer token (a user that is not a demo user, such as a new desk).
async fn get_with(app: &TestApp, path: &str, token: &str) -> Resp {
    app.send(app.request(reqwest::Method::GET, path).bearer_auth(token)).await
}

/// A GET as a demo user with `Prefer: handling=strict`.
async fn get_strict(app: &TestApp, path: &str, user: &str) -> Resp {
    app.send(app.request_as(reqwest::Method::GET, path, Some(user)).await.header("prefer", "handling=strict")).await
}

/// The warnings of a searchset's OperationOutcome entries.
fn warnings(bundle: &Value) -> Vec<String> {
    let entries = bundle["entry"].as_array().into_iter().flatten();
    let outcomes = entries.filter(|e| e["search"]["mode"] == "outcome").map(|e| e["resource"].clone());
    let issues: Vec<Value> = outcomes.flat_map(|o| o["issue"].as_array().cloned().unwrap_or_default()).collect();
    issues.iter().map(|i| i["diagnostics"].as_str().unwrap_or("").to_owned()).collect()
}

both_backends!(a_referral_is_a_service_request_and_its_offers_are_tasks, |app| async move {
    let demo = app.load_demo().await;
    let filed = app.post_json("/api/v1/referrals", Some("dr-union"), &referral("p-fhir", "neurosurgery")).await;
    assert_eq!(filed.status, 201, "{}", filed.text);
    let id = filed.json["id"].as_str().expect("id").to_owned();
    let (offer, facility) = current_offer(&filed.json);
    let expires = Timestamp::parse_rfc3339(filed.json["current_offer"]["expires_at"].as_str().unwrap()).unwrap();

    // The ServiceRequest: active, urgent, the service, the offered facility performing.
    let sr = fhir(&app.get(&format!("/fhir/ServiceRequest/{id}"), Some("dr-union")).await, 200, "ServiceRequest");
    assert_eq!(sr["id"], id.as_str());
    assert_eq!(sr["status"], "active");
    assert_eq!(sr["intent"], "order");
    assert_eq!(sr["priority"], "urgent");
    assert_eq!(sr["code"]["coding"][0]["system"], SERVICE_CODE_SYSTEM);
    assert_eq!(sr["code"]["coding"][0]["code"], "neurosurgery");
    assert_eq!(sr["performer"][0]["reference"], format!("Organization/{facility}"));
    assert_eq!(sr["requester"]["reference"], format!("Organization/{}", demo.union));
    assert_eq!(sr["subject"]["reference"], "#patient");
    let patient = &sr["contained"][0];
    assert_eq!(patient["resourceType"], "Patient");
    assert_eq!(patient["identifier"][0]["value"], "p-fhir");
    assert!(patient.get("name").is_none(), "pseudonymous: {patient:#}");
    assert!(sr["authoredOn"].is_string());
    assert!(sr.get("occurrenceTiming").is_none(), "not a recurring need");
    // The patient's region coordinator reads it too.
    fhir(&app.get(&format!("/fhir/ServiceRequest/{id}"), Some("wuhan")).await, 200, "ServiceRequest");

    // The Task: requested, owned by the facility, restricted to the hold.
    let task = fhir(&app.get(&format!("/fhir/Task/{offer}"), Some("dr-union")).await, 200, "Task");
    assert_eq!(task["status"], "requested");
    assert_eq!(task["intent"], "order");
    assert_eq!(task["priority"], "urgent");
    assert_eq!(task["focus"]["reference"], format!("ServiceRequest/{id}"));
    assert_eq!(task["owner"]["reference"], format!("Organization/{facility}"));
    let end = Timestamp::parse_rfc3339(task["restriction"]["period"]["end"].as_str().unwrap()).unwrap();
    assert_eq!(end.millis(), expires.millis() / 1000 * 1000, "the hold's end, to the second");
    assert!(task.get("statusReason").is_none());

    // Declined: the Task is rejected with the desk's reason.
    let answer = json!({"answer": "decline", "reason": "no_specialist", "note": "Our spine surgeon is in isolation."});
    let declined = desk_answers(&app, &facility, &offer, &answer).await;
    assert_eq!(declined.status, 200, "{}", declined.text);
    let task = fhir(&app.get(&format!("/fhir/Task/{offer}"), Some("dr-union")).await, 200, "Task");
    assert_eq!(task["status"], "rejected");
    assert_eq!(task["statusReason"]["coding"][0]["code"], "no_specialist");
    assert_eq!(task["statusReason"]["text"], "Our spine surgeon is in isolation.");
    assert_eq!(task["businessStatus"]["coding"][0]["code"], "declined");
    assert!(task["lastModified"].is_string());

    // The referral's Tasks: the declined offer and whatever went out next, all on it.
    let focus = format!("/fhir/Task?focus=ServiceRequest/{id}");
    let bundle = fhir(&app.get(&focus, Some("dr-union")).await, 200, "Bundle");
    let tasks = entries(&bundle);
    assert_eq!(tasks.len(), declined.json["offers"].as_array().unwrap().len());
    assert!(tasks.iter().all(|t| t["focus"]["reference"] == format!("ServiceRequest/{id}").as_str()));
    assert!(tasks.iter().any(|t| t["id"] == offer.as_str() && t["status"] == "rejected"));
    assert_eq!(
        ids(&fhir(&app.get(&format!("/fhir/Task?focus={id}"), Some("dr-union")).await, 200, "Bundle")).len(),
        tasks.len()
    );
    // The performer follows the next offer, or is gone while the referral waits.
    let sr = fhir(&app.get(&format!("/fhir/ServiceRequest/{id}"), Some("dr-union")).await, 200, "ServiceRequest");
    assert_eq!(sr["status"], "active");
    match declined.json["current_offer"]["facility_id"].as_str() {
        Some(next) => assert_eq!(sr["performer"][0]["reference"], format!("Organization/{next}")),
        None => assert!(sr.get("performer").is_none(), "{sr:#}"),
    }
    // The desk that declined still reads the offer it was made.
    let desk = crate::referrals::desk_token(&app, &facility).await;
    fhir(&get_with(&app, &format!("/fhir/Task/{offer}"), &desk).await, 200, "Task");

    // Search by status.
    let active = fhir(&app.get("/fhir/ServiceRequest?status=active", Some("dr-union")).await, 200, "Bundle");
    assert!(ids(&active).contains(&id), "{active:#}");
    let done = fhir(&app.get("/fhir/ServiceRequest?status=completed,revoked", Some("dr-union")).await, 200, "Bundle");
    assert!(!ids(&done).contains(&id));
    let none = fhir(&app.get("/fhir/ServiceRequest?status=on-hold", Some("dr-union")).await, 200, "Bundle");
    assert!(entries(&none).is_empty());
    let all = fhir(&app.get("/fhir/ServiceRequest?_count=500", Some("wuhan")).await, 200, "Bundle");
    assert!(ids(&all).contains(&id));
});

both_backends!(referrals_on_fhir_obey_the_referral_scope, |app| async move {
    app.load_demo().await;
    let filed = app.post_json("/api/v1/referrals", Some("dr-union"), &referral("p-scope", "neurosurgery")).await;
    assert_eq!(filed.status, 201, "{}", filed.text);
    let id = filed.json["id"].as_str().expect("id").to_owned();
    let (offer, _) = current_offer(&filed.json);

    // No token: 401 with a challenge, as an OperationOutcome.
    for path in [
        format!("/fhir/ServiceRequest/{id}"),
        "/fhir/ServiceRequest".to_owned(),
        format!("/fhir/Task/{offer}"),
        format!("/fhir/Task?focus=ServiceRequest/{id}"),
    ] {
        let r = app.get(&path, None).await;
        fhir(&r, 401, "OperationOutcome");
        assert!(r.header("www-authenticate").is_some_and(|h| h.starts_with("Bearer")), "{path}");
    }

    // Beijing governs nothing in Wuhan: the referral and its offers do not exist for it.
    fhir(&app.get(&format!("/fhir/ServiceRequest/{id}"), Some("beijing")).await, 404, "OperationOutcome");
    fhir(&app.get(&format!("/fhir/Task/{offer}"), Some("beijing")).await, 404, "OperationOutcome");
    let b = fhir(&app.get("/fhir/ServiceRequest?_count=500", Some("beijing")).await, 200, "Bundle");
    assert!(!ids(&b).contains(&id));
    let b = fhir(&app.get(&format!("/fhir/Task?focus=ServiceRequest/{id}"), Some("beijing")).await, 200, "Bundle");
    assert!(entries(&b).is_empty());

    // A patient sees only their own referrals.
    fhir(&app.get(&format!("/fhir/ServiceRequest/{id}"), Some("patient-demo")).await, 404, "OperationOutcome");
    fhir(&app.get(&format!("/fhir/Task/{offer}"), Some("patient-demo")).await, 404, "OperationOutcome");
    let own = app.post_json("/api/v1/referrals", Some("patient-demo"), &referral("me", "dialysis")).await;
    assert_eq!(own.status, 201, "{}", own.text);
    let own_id = own.json["id"].as_str().expect("id").to_owned();
    let mine = fhir(&app.get("/fhir/ServiceRequest", Some("patient-demo")).await, 200, "Bundle");
    assert_eq!(ids(&mine), std::slice::from_ref(&own_id));
    let sr =
        fhir(&app.get(&format!("/fhir/ServiceRequest/{own_id}"), Some("patient-demo")).await, 200, "ServiceRequest");
    assert!(sr.get("requester").is_none(), "filed by the patient, not a facility");

    // Every offer in scope, without `focus`: the Wuhan coordinator sees this one, Beijing not.
    let every = fhir(&app.get("/fhir/Task?_count=500", Some("wuhan")).await, 200, "Bundle");
    assert!(ids(&every).contains(&offer), "{every:#}");
    let every = fhir(&app.get("/fhir/Task?_count=500", Some("beijing")).await, 200, "Bundle");
    assert!(!ids(&every).contains(&offer));
    fhir(&app.get("/fhir/Task", Some("patient-demo")).await, 200, "Bundle");

    // Unknown ids, parameters and values.
    let unknown = "0190a6f4-7c1e-7b3a-9d2e-000000000001";
    for path in [
        format!("/fhir/ServiceRequest/{unknown}"),
        "/fhir/ServiceRequest/nope".into(),
        format!("/fhir/Task/{unknown}"),
        "/fhir/Task/nope".into(),
    ] {
        fhir(&app.get(&path, Some("wuhan")).await, 404, "OperationOutcome");
    }
    for (path, param) in [
        ("/fhir/ServiceRequest?colour=red", "colour"),
        ("/fhir/ServiceRequest?status=pending", "status"),
        ("/fhir/ServiceRequest?status:not=active", "status:not"),
        ("/fhir/Task?status=requested", "status"),
        ("/fhir/Task?focus=Organization/x", "focus"),
    ] {
        let e = fhir(&get_strict(&app, path, "wuhan").await, 400, "OperationOutcome");
        let diagnostics = e["issue"][0]["diagnostics"].as_str().unwrap_or("");
        assert!(diagnostics.contains(&format!("`{param}`")), "{path}: {diagnostics}");
    }
    // Leniently (the default), an unknown parameter is ignored and reported; a bad value of a
    // known one is still a 400.
    for (path, param) in [("/fhir/ServiceRequest?colour=red", "colour"), ("/fhir/Task?status=requested", "status")] {
        let b = fhir(&app.get(path, Some("wuhan")).await, 200, "Bundle");
        assert!(warnings(&b).iter().any(|w| w.contains(&format!("`{param}`"))), "{path}: {b:#}");
        assert!(!b["link"][0]["url"].as_str().unwrap_or("").contains(param), "{b:#}");
    }
    fhir(&app.get("/fhir/ServiceRequest?status=pending", Some("wuhan")).await, 400, "OperationOutcome");
    let e = fhir(&app.get("/fhir/ServiceRequest?_page_token=garbage", Some("wuhan")).await, 400, "OperationOutcome");
    assert!(e["issue"][0]["diagnostics"].as_str().unwrap_or("").contains("_page_token"), "{e:#}");

    // The CapabilityStatement lists both, with their search parameters.
    let cs = fhir(&app.get("/fhir/metadata", None).await, 200, "CapabilityStatement");
    let resources = cs["rest"][0]["resource"].as_array().unwrap();
    for (ty, param) in [("ServiceRequest", "status"), ("Task", "focus")] {
        let r = resources.iter().find(|r| r["type"] == ty).unwrap_or_else(|| panic!("{ty} missing"));
        assert_eq!(r["searchParam"][0]["name"], param);
    }
});
