//! The engine's ranking on the referral page and the directed-placement form, in a browser
//! (issue 20, points 1 and 4): an adult needing neurosurgery in Wuchang is filed; the
//! clinician's page lists the feasible facilities in the engine's order (the same order as the
//! API's `/placement/referrals/{id}/ranking`), each with its designation, free beds, travel and
//! the cost's parts, and the left-out facilities grouped by constraint in words, with the API's
//! counts. The first facility declines; Wuhan's coordinator opens the directed-placement form
//! from the referral page, sees each facility's designation, free beds, travel, the earlier
//! decline, and what each breaks; directing to a facility that breaks hard constraints is
//! refused naming them (in the banner and beside the field), an override without a reason is
//! refused beside the reason, and an override with a reason directs the patient, on the
//! timeline. Desktop and a 390 px phone, English and Chinese; no page scrolls sideways.

use crate::{demo_app, sign_in};
use carebridge_e2e::app::{TestApp, DEMO_PASSWORD};
use carebridge_e2e::browser::{Browser, BrowserOptions, PHONE};
use carebridge_e2e::fixtures::new_user;
use serde_json::{json, Value};

/// An adult (40–64) needing neurosurgery in Wuchang, filed by Union's clinician; its id.
async fn file_wuchang_adult(app: &TestApp) -> String {
    let body = json!({
        "patient": {"pseudonym": "p-rank", "age_band": "adult", "location": {"lon": 114.316, "lat": 30.554},
            "region_code": "420106", "infection": "negative"},
        "need": "neurosurgery", "urgency": "urgent", "note": "Spinal tumour, cord compression.",
    });
    let filed = app.post_json("/api/v1/referrals", Some("dr-union"), &body).await;
    assert_eq!(filed.status, 201, "{}", filed.text);
    filed.json["id"].as_str().expect("id").to_string()
}

/// The engine's ranking through the API, as Wuhan's coordinator.
async fn api_ranking(app: &TestApp, id: &str) -> Value {
    let r = app.get(&format!("/api/v1/placement/referrals/{id}/ranking"), Some("wuhan")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json
}

/// Identifier-like words (`too_far`) in the visible text of `css`.
async fn raw_keys(b: &Browser, css: &str) -> Vec<String> {
    let v = b
        .js(
            &format!(
                r#"const e = document.querySelector('{css}'); if (!e) return ["missing {css}"];
                   return e.innerText.match(/\b[a-z]+_[a-z_]+\b/g) || [];"#
            ),
            vec![],
        )
        .await;
    serde_json::from_value(v).expect("a list")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_referral_page_shows_the_engines_ranking_with_its_reasons() {
    let app = demo_app().await;
    let id = file_wuchang_adult(&app).await;
    let api = api_ranking(&app, &id).await;
    let ranked: Vec<String> = api["ranked"]
        .as_array()
        .expect("ranked")
        .iter()
        .map(|r| r["facility_id"].as_str().expect("facility_id").to_string())
        .collect();
    assert!(!ranked.is_empty(), "facilities fit an adult in Wuchang: {api}");
    let excluded: Vec<(String, u64)> = api["excluded"]
        .as_array()
        .expect("excluded")
        .iter()
        .map(|e| (e["constraint"].as_str().expect("constraint").to_string(), e["facilities"].as_u64().expect("n")))
        .collect();
    assert!(
        excluded.iter().any(|(c, _)| c == "children_only"),
        "the children's hospital is left out for an adult: {excluded:?}"
    );

    let b = Browser::launch(&app.address).await;
    sign_in(&b, "dr-union", DEMO_PASSWORD).await;
    b.goto(&format!("/referrals/{id}")).await;
    assert_eq!(b.text("#ranking-h").await, "The engine's ranking now");
    // The feasible facilities in the engine's order, each with its facts.
    let rows = b
        .js(r##"return [...document.querySelectorAll("#ranked tbody tr")].map(r => r.dataset.facility);"##, vec![])
        .await;
    let rows: Vec<String> = serde_json::from_value(rows).expect("ids");
    let shown = ranked.len().min(20);
    assert_eq!(rows, ranked[..shown], "the page lists the API's ranking in its order");
    let first = b.texts("#ranked tbody tr:first-child > *").await;
    assert_eq!(first[0], "1", "{first:?}");
    assert!(!first[1].is_empty(), "a name: {first:?}");
    assert!(!first[2].is_empty(), "a designation: {first:?}");
    assert!(first[3].parse::<i64>().is_ok_and(|n| n > 0), "free staffed beds: {first:?}");
    assert!(first[4].ends_with("km") && first[5].contains("min"), "distance and travel: {first:?}");
    assert!(first[7].contains("travel ") && first[7].contains("load "), "the cost's parts: {first:?}");
    // The left-out ones grouped by constraint, in words, with the engine's counts.
    for (constraint, n) in &excluded {
        let css = format!(r#"#excluded li[data-constraint="{constraint}"]"#);
        assert_eq!(b.count(&css).await, 1, "a group for {constraint}");
        let text = b.text(&css).await;
        let count = if *n == 1 { "1 facility".to_string() } else { format!("{n} facilities") };
        assert!(text.contains(&count), "{constraint}: {text}");
    }
    assert!(
        b.text(r#"#excluded li[data-constraint="children_only"]"#)
            .await
            .contains("children's hospital (children only)"),
        "the reason in words"
    );
    assert_eq!(raw_keys(&b, "main").await, Vec::<String>::new(), "no raw key on the page");
    assert_eq!(b.count("#direct-link").await, 0, "a clinician does not direct placements");

    // The same on a phone, in Chinese.
    b.set_viewport(PHONE.0, PHONE.1).await;
    b.goto(&format!("/referrals/{id}?lang=zh")).await;
    assert_eq!(b.text("#ranking-h").await, "系统当前排序");
    assert!(b.text(r#"#excluded li[data-constraint="children_only"]"#).await.contains("儿童"));
    assert_eq!(raw_keys(&b, "main").await, Vec::<String>::new(), "no raw key on the Chinese page");
    b.assert_fits_width("/referrals/{id} (zh)", PHONE.0).await;
    b.goto(&format!("/referrals/{id}?lang=en")).await;
    b.assert_fits_width("/referrals/{id} (en)", PHONE.0).await;
}

/// The desk of `facility`, created by the national coordinator with the demo password.
async fn desk_for(app: &TestApp, facility: &str) -> String {
    let username = format!("desk-{}", &facility[facility.len() - 12..]);
    let mut user = new_user(&username, "facility_desk", Some(facility));
    user["password"] = json!(DEMO_PASSWORD);
    let created = app.post_json("/api/v1/users", Some("nhc"), &user).await;
    assert_eq!(created.status, 201, "{}", created.text);
    username
}

/// Choose the radio of `facility` on the directed form, type the note, and send.
async fn direct_to(b: &Browser, facility: &str, note: &str) {
    b.click(&format!(r#"li.choice[data-facility="{facility}"] input[type=radio]"#)).await;
    let field = b.find("#note").await;
    b.step("clear the note", field.clear()).await;
    b.type_into("#note", note).await;
    b.click_and_wait("#direct-form button[type=submit]").await;
}

async fn directs_with_an_explicit_override(chinese: bool) {
    let app = demo_app().await;
    let id = file_wuchang_adult(&app).await;
    // The first offer is declined by its facility's desk.
    let r = app.get(&format!("/api/v1/referrals/{id}"), Some("dr-union")).await;
    let offer = r.json["current_offer"]["id"].as_str().expect("an offer").to_string();
    let declined_at = r.json["current_offer"]["facility_id"].as_str().expect("facility").to_string();
    let desk = desk_for(&app, &declined_at).await;
    let answer = json!({"answer": "decline", "reason": "no_specialist", "note": "Spine surgeon away."});
    let a = app.post_json(&format!("/api/v1/placement/offers/{offer}/answer"), Some(&desk), &answer).await;
    assert_eq!(a.status, 200, "{}", a.text);

    let options = if chinese { BrowserOptions::chinese() } else { BrowserOptions::default() };
    let b = Browser::launch_with(&app.address, options).await;
    if chinese {
        b.set_viewport(PHONE.0, PHONE.1).await;
    }
    let width = b.js("return window.innerWidth;", vec![]).await.as_u64().unwrap_or(0) as u32;
    sign_in(&b, "wuhan", DEMO_PASSWORD).await;
    b.goto(&format!("/referrals/{id}")).await;
    b.click_and_wait("#direct-link").await;
    assert_eq!(b.path().await, format!("/placement/referrals/{id}"));
    b.assert_fits_width("the directed-placement form", width).await;
    assert_eq!(raw_keys(&b, "main").await, Vec::<String>::new(), "no raw key on the form");

    // Each choice shows designation, free beds, travel and distance; the earlier decline.
    let facts = b.text(r#"li.choice:first-child .choice-facts"#).await;
    let (designation, travel) = if chinese { ("定点类型", "分钟") } else { ("Designation", "min") };
    assert!(facts.contains(designation) && facts.contains(travel), "{facts}");
    let declined = b.text(&format!(r#"li.choice[data-facility="{declined_at}"]"#)).await;
    let (before, why) = if chinese {
        ("此前拒绝过此转诊", "Spine surgeon away.")
    } else {
        ("Declined this referral before", "Spine surgeon away.")
    };
    assert!(declined.contains(before) && declined.contains(why), "the earlier decline: {declined}");

    // A facility that breaks hard constraints (not only the decline).
    let breaking = b
        .js(
            r#"const c = [...document.querySelectorAll("li.choice.breaks")].find(li => li.dataset.breaks !== "");
               return c ? [c.dataset.facility, c.dataset.breaks] : null;"#,
            vec![],
        )
        .await;
    let facility = breaking[0].as_str().expect("a facility breaking a hard constraint is offered").to_string();
    let keys: Vec<String> = breaking[1].as_str().expect("keys").split(' ').map(str::to_string).collect();
    direct_to(&b, &facility, "Nearest neurosurgeon on call.").await;
    assert_eq!(b.path().await, format!("/placement/referrals/{id}/direct"));
    let named: Vec<String> = serde_json::from_value(
        b.js(r##"return [...document.querySelectorAll("#direct-errors li[data-constraint]")].map(l => l.dataset.constraint);"##, vec![])
            .await,
    )
    .expect("keys");
    assert_eq!(named, keys, "the refusal names every constraint the choice said it breaks");
    assert_eq!(b.count(r#"#direct-errors li[data-error-for="facility_id"]"#).await, 1, "listed in the banner");
    assert_eq!(b.count(r#"p.field-error[data-field="facility_id"]"#).await, 1, "and beside the field");
    assert_eq!(b.count("#override input[type=checkbox]").await, keys.len(), "a box per constraint");
    assert_eq!(raw_keys(&b, "main").await, Vec::<String>::new(), "no raw key in the refusal");
    b.assert_fits_width("the refusal", width).await;

    // An override without a reason is refused beside the reason.
    for k in &keys {
        b.click(&format!("#override-{k}")).await;
    }
    b.click_and_wait("#override-submit").await;
    assert_eq!(b.count(r#"p.field-error[data-field="override_reason"]"#).await, 1, "the reason is required");
    assert_eq!(b.count(r#"#direct-errors li[data-error-for="override_reason"]"#).await, 1, "listed in the banner");
    assert_eq!(
        b.count("#override input[type=checkbox]:checked").await,
        keys.len(),
        "the boxes stay ticked while the reason is fixed"
    );
    let checked = b.js(r#"return document.querySelector('input[name=facility_id]:checked').value;"#, vec![]).await;
    assert_eq!(checked.as_str(), Some(facility.as_str()), "the choice is kept");

    // With a reason it is directed, and the override is on the timeline.
    b.type_into("#override_reason", "Only on-call neurosurgeon tonight; agreed by phone.").await;
    b.click_and_wait("#override-submit").await;
    assert_eq!(b.location().await, format!("/referrals/{id}?notice=directed_override"));
    let kinds =
        b.js(r#"return [...document.querySelectorAll("ol.timeline > li")].map(li => li.dataset.kind);"#, vec![]).await;
    let kinds: Vec<String> = serde_json::from_value(kinds).expect("kinds");
    assert_eq!(kinds.last().map(String::as_str), Some("constraints_overridden"), "{kinds:?}");
    let step = b.text("ol.timeline > li.ev-constraints_overridden").await;
    assert!(step.contains("Only on-call neurosurgeon tonight"), "{step}");
    let overrode = if chinese { "越过硬性约束" } else { "overrode hard constraints" };
    assert!(step.contains(overrode), "{step}");
    assert_eq!(raw_keys(&b, "main").await, Vec::<String>::new(), "no raw key on the timeline");
    b.assert_fits_width("the referral after the override", width).await;
    let api = app.get(&format!("/api/v1/referrals/{id}"), Some("wuhan")).await;
    assert_eq!(api.json["current_offer"]["facility_id"].as_str(), Some(facility.as_str()), "{}", api.text);
    assert!(api.json["current_offer"]["override"]["reason"].is_string(), "{}", api.text);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_coordinator_directs_with_an_explicit_override_desktop_en() {
    directs_with_an_explicit_override(false).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_coordinator_directs_with_an_explicit_override_phone_zh() {
    directs_with_an_explicit_override(true).await;
}
