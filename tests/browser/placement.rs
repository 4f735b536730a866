//! The coordinators' board of stranded patients in a browser: an emergency in Lhasa that no
//! facility within 75 minutes can take escalates after its hour; the national coordinator finds
//! it on the board (marked on the map, with the engine's reasons) and directs the patient to the
//! nearest facility offering the care, choosing it from the form; the form refuses, naming the
//! hard constraints that facility breaks (it is far beyond the travel limit), and the
//! coordinator overrides them explicitly with a reason; the board and the referral's timeline
//! then show the directed offer and the override. A city coordinator's board does not list the
//! patient.

use crate::{demo_app, sign_in};
use carebridge_e2e::app::DEMO_PASSWORD;
use carebridge_e2e::browser::Browser;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn a_coordinator_directs_a_stranded_patient_from_the_board() {
    let app = demo_app().await;
    let lhasa = json!({
        "patient": {"pseudonym": "p-lhasa", "age_band": "senior", "location": {"lon": 91.13, "lat": 29.66},
            "region_code": "540102", "infection": "negative"},
        "need": "neurosurgery", "urgency": "emergency",
    });
    let filed = app.post_json("/api/v1/referrals", Some("nhc"), &lhasa).await;
    assert_eq!(filed.status, 201, "{}", filed.text);
    assert_eq!(filed.json["status"], "pending", "nothing fits near Lhasa: {}", filed.text);
    let id = filed.json["id"].as_str().expect("id").to_string();
    app.advance_minutes(61);
    app.cb.sweep_referrals().await.expect("sweep");

    let b = Browser::launch(&app.address).await;
    sign_in(&b, "nhc", DEMO_PASSWORD).await;
    b.click_and_wait(r#"header.site nav a[href="/placement/board"]"#).await;
    assert!(b.text("h1").await.starts_with("Stranded patients"), "{}", b.text("h1").await);
    let card = format!("#stranded-{id}");
    let text = b.text(&card).await;
    assert!(text.contains("p-lhasa") && text.contains("Escalated"), "{text}");
    assert!(text.contains("No facility within 75 minutes of travel has a staffed Neurosurgery bed free"), "{text}");
    assert!(text.to_lowercase().contains("past its maximum wait"), "{text}"); // shown in capitals
    let titles = b.texts("svg.map g.facilities > g > title").await;
    assert_eq!(b.count("svg.map g.facilities > g").await, 1, "one home region marked: {titles:?}");

    // The card links to the directed-placement form; direct to the nearest facility offered.
    b.click_and_wait(&format!("{card} a.button")).await;
    assert_eq!(b.path().await, format!("/placement/referrals/{id}"));
    let first = b.attr("li.choice", "data-facility").await.expect("a facility to choose");
    b.click(&format!(r#"li.choice[data-facility="{first}"] input[type=radio]"#)).await;
    b.type_into("#note", "Airlift arranged; nearest neurosurgery.").await;
    b.click_and_wait("#direct-form button[type=submit]").await;
    let refused = b.text(r#"p.field-error[data-field="facility_id"]"#).await;
    assert!(refused.contains("beyond the travel limit"), "the constraints are named: {refused}");

    // The coordinator overrides every constraint named, with a reason, on the form.
    let boxes = b.find_all("#override input[type=checkbox]").await;
    assert!(!boxes.is_empty(), "a box per constraint broken");
    for e in boxes {
        b.step("tick a constraint to override", e.click()).await;
    }
    b.type_into("#override_reason", "Military airlift tonight.").await;
    b.click_and_wait("#override-submit").await;
    assert_eq!(b.location().await, format!("/referrals/{id}?notice=directed_override"));
    b.goto("/placement/board").await;
    let text = b.text(&card).await;
    assert!(text.contains("Offered") && text.contains("Held until"), "the board shows the directed offer: {text}");

    b.click_and_wait(&format!("{card} h3 a")).await;
    assert_eq!(b.path().await, format!("/referrals/{id}"));
    let kinds =
        b.js(r#"return [...document.querySelectorAll("ol.timeline > li")].map(li => li.dataset.kind);"#, vec![]).await;
    let kinds: Vec<String> = serde_json::from_value(kinds).expect("kinds");
    assert_eq!(kinds.last().map(String::as_str), Some("constraints_overridden"), "{kinds:?}");
    assert!(kinds.iter().any(|k| k == "directed"), "{kinds:?}");
    assert!(b.text("ol.timeline > li.ev-directed").await.contains("Airlift arranged"));
    assert!(b.text("ol.timeline > li.ev-constraints_overridden").await.contains("Military airlift tonight."));
    assert!(b.text("table.offers").await.contains("directed"), "the offer is marked directed");

    // Wuhan's coordinator governs Wuhan only.
    b.click_and_wait(r#"header.site form[action="/logout"] button[type="submit"]"#).await;
    sign_in(&b, "wuhan", DEMO_PASSWORD).await;
    b.goto("/placement/board").await;
    assert_eq!(b.count(&card).await, 0, "not on a city coordinator's board elsewhere");
}
