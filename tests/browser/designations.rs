//! Designation orders and displacement in a browser (issue 20, point 4), desktop and a 390 px
//! phone, in Chinese and English.
//!
//! - Wuhan's coordinator opens "Designations" from the navigation, sends the order form empty
//!   (every complaint is shown at once, beside its field and listed in the banner), finds Wuhan
//!   Puai Hospital by name and closes it to new patients; no patient is there, so the order
//!   is recorded at once and the facility's history shows it as a change (from → to) with who,
//!   when, the document number and the reason, in both languages.
//! - The dialysis story: three dialysis patients hold Union Hospital's last free stations (every
//!   other dialysis unit in Wuhan is full; the free ones are hours away). Designating Union for
//!   the virus first shows the preview: each patient is displaced for not being infected, and
//!   none is placed beyond the 60-minute session limit — each is unplaced "too far", in words.
//!   Applying needs a confirmation and an acknowledgement of every patient left without a
//!   place; then the record shows the outcome and links to the stranded board, where the three
//!   now stand.

use crate::{demo_app, sign_in, WUHAN};
use carebridge_e2e::app::{rfc3339_millis, DemoIds, TestApp, DEMO_PASSWORD};
use carebridge_e2e::browser::{Browser, BrowserOptions, PHONE};
use carebridge_e2e::fixtures::capacity_report_units;
use serde_json::{json, Value};

/// The texts of the banner's complaints and of the complaints beside fields, by field.
async fn complaints(b: &Browser) -> (usize, Vec<String>) {
    let listed = b.count("#order-errors li").await;
    let fields =
        b.js(r#"return [...document.querySelectorAll("p.field-error")].map(p => p.dataset.field);"#, vec![]).await;
    (listed, serde_json::from_value(fields).expect("field names"))
}

/// Choose the option of `select` whose text contains `text`; returns its value.
async fn choose_by_text(b: &Browser, select: &str, text: &str) -> String {
    let value = b
        .js(
            r#"const o = [...document.querySelectorAll(arguments[0] + " option")].find(o => o.textContent.includes(arguments[1]));
               return o ? o.value : null;"#,
            vec![json!(select), json!(text)],
        )
        .await;
    let value = value.as_str().unwrap_or_else(|| panic!("`{text}` is a choice of {select}")).to_string();
    let e = b.find(select).await;
    b.step(format!("choose {text}"), e.select_by_value(&value)).await;
    value
}

#[tokio::test(flavor = "multi_thread")]
async fn a_coordinator_orders_a_designation_and_reads_its_history() {
    let app = demo_app().await;
    let b = Browser::launch(&app.address).await;
    sign_in(&b, WUHAN, DEMO_PASSWORD).await;
    b.click_and_wait(r#"header.site nav a[href="/designations"]"#).await;
    assert_eq!(b.path().await, "/designations");
    assert!(b.text("h1").await.starts_with("Designation orders"), "{}", b.text("h1").await);
    assert!(b.count("#orders li.order").await > 0, "the demo's orders are listed");
    b.assert_no_raw_keys("/designations").await;

    // Sent empty (and a time that is no time): every complaint at once.
    b.js(r##"const e = document.querySelector("#effective_at"); e.type = "text"; e.value = "soon";"##, vec![]).await;
    b.click_and_wait("form.order-form button[type=submit]").await;
    let (listed, beside) = complaints(&b).await;
    assert_eq!(listed, 5, "the banner lists every complaint: {}", b.text("#order-errors").await);
    for f in ["facility_id", "designation", "effective_at", "order_number", "reason"] {
        assert!(beside.iter().any(|x| x == f), "{f} has its complaint beside it: {beside:?}");
    }
    assert!(b.text("#order-errors").await.contains("Document number"), "named by label");

    // Find the facility by name, and order.
    b.type_into("#q", "Puai").await;
    b.click_and_wait("form.facility-search button[type=submit]").await;
    let options = b.count("#facility_id option").await;
    assert!((2..=4).contains(&options), "the search narrows the choice: {options}");
    let puai = choose_by_text(&b, "#facility_id", "Wuhan Puai Hospital").await;
    choose_by_text(&b, "#designation", "Closed to new patients").await;
    b.type_into("#order_number", "武防指〔2020〕41号").await;
    b.type_into("#reason", "Puai takes the emergencies Union can no longer take.").await;
    b.click_and_wait("form.order-form button[type=submit]").await;
    assert_eq!(b.path().await, "/designations", "no one had to move: recorded at once");
    assert!(b.text(".notice").await.contains("No patient had to move"), "{}", b.text(".notice").await);
    assert!(b.text("#history-h").await.contains("Wuhan Puai Hospital"), "the facility's history");
    let first = b.text("#orders li.order").await;
    assert!(first.contains("Non-virus emergency → Closed to new patients"), "from → to: {first}");
    assert!(first.to_lowercase().contains("in force"), "{first}"); // shown in capitals
    assert!(first.contains("武防指〔2020〕41号") && first.contains("Puai takes the emergencies"), "{first}");
    assert!(first.contains("Wuhan city coordinator"), "who ordered it: {first}");
    let api = app.get(&format!("/api/v1/designation-orders?facility_id={puai}"), Some(WUHAN)).await;
    assert_eq!(api.status, 200, "{}", api.text);
    assert_eq!(api.items().first().map(|o| o["designation"].clone()), Some(json!("closed_to_new")), "{}", api.text);
    b.assert_no_raw_keys("/designations (one facility)").await;

    // The same history in Chinese, on a phone.
    b.set_viewport(PHONE.0, PHONE.1).await;
    b.goto(&format!("/designations?facility={puai}&lang=zh")).await;
    assert!(b.text("h1").await.starts_with("定点指定令"), "{}", b.text("h1").await);
    let first = b.text("#orders li.order").await;
    assert!(first.contains("非新冠急诊定点 → 暂停接收") && first.contains("现行"), "{first}");
    b.assert_fits_phone("/designations (zh, phone)").await;
    b.assert_no_raw_keys("/designations (zh)").await;
    b.goto("/designations").await;
    b.assert_fits_phone("/designations (all, phone)").await;

    // Beijing's coordinator does not see Wuhan's orders.
    b.click_and_wait(r#"header.site form[action="/logout"] button[type="submit"]"#).await;
    sign_in(&b, "beijing", DEMO_PASSWORD).await;
    b.goto(&format!("/designations?facility={puai}")).await;
    assert_eq!(b.count("#orders li.order").await, 0, "out of scope");
    assert_eq!(b.count(&format!(r#"#facility_id option[value="{puai}"]"#)).await, 0, "not choosable either");
}

fn dialysis(sessions: u8, n: usize) -> Value {
    json!({
        "patient": {"pseudonym": format!("dialysis-{n}"), "age_band": "adult",
                    "location": {"lon": 114.316, "lat": 30.554}, "region_code": "420106", "infection": "negative"},
        "need": "dialysis",
        "urgency": "soon",
        "schedule": {"sessions_per_week": sessions},
        "note": "ESRD, haemodialysis.",
    })
}

/// Every Wuhan dialysis unit full but Union's (three stations free); three dialysis patients
/// placed there and accepted. Their referral ids.
async fn union_holds_three_dialysis_patients(app: &TestApp, demo: &DemoIds) -> Vec<String> {
    let as_of = rfc3339_millis(app.cb.now());
    for f in &demo.scenario.facilities {
        let offers = f.draft.services.iter().any(|s| s.as_str() == "dialysis");
        if !offers || !f.draft.region_code.to_string().starts_with("4201") {
            continue;
        }
        let occupied = if f.id == demo.union { 97 } else { 100 };
        let report = capacity_report_units(&f.id.to_string(), &as_of, &[("dialysis_stations", 100, 100, occupied)]);
        let r = app.post_json("/api/v1/capacity/reports", Some("nhc"), &report).await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let mut ids = Vec::new();
    for (n, sessions) in [2u8, 3, 2].into_iter().enumerate() {
        let filed = app.post_json("/api/v1/referrals", Some("dr-union"), &dialysis(sessions, n)).await;
        assert_eq!(filed.status, 201, "{}", filed.text);
        let offer = &filed.json["current_offer"];
        assert_eq!(offer["facility_id"], demo.union.to_string().as_str(), "{}", filed.text);
        let token = app.token("desk-union").await;
        let rb = app
            .request(
                reqwest::Method::POST,
                &format!("/api/v1/placement/offers/{}/answer", offer["id"].as_str().unwrap()),
            )
            .bearer_auth(token)
            .json(&json!({"answer": "accept"}));
        assert_eq!(app.send(rb).await.status, 200);
        ids.push(filed.json["id"].as_str().unwrap().to_string());
    }
    ids
}

#[tokio::test(flavor = "multi_thread")]
async fn designating_union_for_the_virus_previews_then_strands_its_dialysis_patients_never_far_away() {
    let app = carebridge_e2e::app::spawn_app(carebridge_e2e::app::Backend::Sqlite).await.expect("SQLite");
    let demo = app.load_demo().await;
    let ids = union_holds_three_dialysis_patients(&app, &demo).await;
    let union = demo.union.to_string();

    let b = Browser::launch_with(&app.address, BrowserOptions::chinese()).await;
    sign_in(&b, WUHAN, DEMO_PASSWORD).await;
    b.click_and_wait(r#"header.site nav a[href="/designations"]"#).await;
    let e = b.find("#facility_id").await;
    b.step("choose Union Hospital", e.select_by_value(&union)).await;
    let e = b.find("#designation").await;
    b.step("choose virus-designated", e.select_by_value("virus_designated")).await;
    b.type_into("#order_number", "武防指〔2020〕40号").await;
    b.type_into("#reason", "协和医院转为新冠定点医院").await;
    b.click_and_wait("form.order-form button[type=submit]").await;

    // The preview, before anything changes.
    let path = b.path().await;
    let plan =
        path.strip_prefix("/placement/displacements/").unwrap_or_else(|| panic!("the preview: {path}")).to_string();
    assert!(b.text("h1").await.starts_with("转出预览"), "{}", b.text("h1").await);
    assert_eq!(b.text("#displacement-status").await, "预览，尚未执行");
    let still = app.get(&format!("/api/v1/facilities/{union}"), Some(WUHAN)).await;
    assert_ne!(still.json["designation"], "virus_designated", "nothing changes before the apply");
    for id in &ids {
        let card = b.text(&format!("#patient-{id}")).await;
        assert!(card.contains("未确认感染，不能留在新冠定点医院"), "why they move, in words: {card}");
        assert!(card.contains("每周") || card.contains("透析日"), "the sessions: {card}");
    }
    let placed = b.count("div.outcome.placed").await;
    let unplaced = b.count("div.outcome.unplaced.too-far").await;
    assert_eq!(placed + unplaced, 3, "an outcome per patient");
    // Never beyond the 60-minute session limit: the page shows what the service planned.
    let api = app.get(&format!("/api/v1/placement/displacements/{plan}"), Some(WUHAN)).await;
    assert_eq!(api.status, 200, "{}", api.text);
    for p in api.json["placements"].as_array().unwrap() {
        assert!(p["travel_minutes"].as_i64().unwrap() <= 60 && p["cross_province"] == false, "{p}");
    }
    assert_eq!(api.json["unplaced"].as_array().unwrap().len(), unplaced, "{}", api.text);
    assert_eq!(unplaced, 3, "Union's stations were the only ones within the hour: {}", api.text);
    for t in b.texts("div.outcome.unplaced p:first-child").await {
        assert!(t.contains("太远") && t.contains("超出转运时间上限"), "too far, in words: {t}");
    }
    b.assert_no_raw_keys("the preview (zh)").await;

    // The same preview on a phone, in English.
    b.set_viewport(PHONE.0, PHONE.1).await;
    b.goto(&format!("/placement/displacements/{plan}?lang=en")).await;
    b.assert_fits_phone("the preview (en, phone)").await;
    b.assert_no_raw_keys("the preview (en)").await;
    for t in b.texts("div.outcome.unplaced p:first-child").await {
        assert!(t.contains("Too far") && t.contains("beyond the travel limit"), "{t}");
    }
    assert!(
        b.text("#summary").await.contains("3 displaced: 0 re-placed, 3 without a place"),
        "{}",
        b.text("#summary").await
    );

    // Apply without confirming: every complaint at once, nothing applied.
    b.click_and_wait("#apply").await;
    assert_eq!(b.count("#acks-error").await, 1, "the acknowledgements are missing");
    assert_eq!(b.count("#confirm-error").await, 1, "the confirmation is missing");
    assert_eq!(b.count("#apply-errors li").await, 2);
    let still = app.get(&format!("/api/v1/placement/displacements/{plan}"), Some(WUHAN)).await;
    assert_eq!(still.json["status"], "preview");

    // Acknowledge each patient left without a place, confirm, apply.
    for id in &ids {
        b.click(&format!("#ack-{id}")).await;
    }
    b.click("#confirm").await;
    b.click_and_wait("#apply").await;
    assert_eq!(b.path().await, format!("/placement/displacements/{plan}"));
    assert_eq!(b.text("#displacement-status").await, "Applied");
    let result = b.text("#result").await;
    assert!(result.contains("3 patients without a place are escalated"), "{result}");
    assert_eq!(b.count("#apply").await, 0, "applied once: no second apply");
    b.assert_fits_phone("the record (en, phone)").await;
    let now = app.get(&format!("/api/v1/facilities/{union}"), Some(WUHAN)).await;
    assert_eq!(now.json["designation"], "virus_designated", "{}", now.text);

    // The stranded board lists the three, escalated, with no offer far away.
    b.click_and_wait("#to-stranded").await;
    assert_eq!(b.path().await, "/placement/board");
    for id in &ids {
        let card = b.text(&format!("#stranded-{id}")).await;
        assert!(card.contains("Escalated"), "{card}");
        let r = app.get(&format!("/api/v1/referrals/{id}"), Some(WUHAN)).await;
        assert!(r.json["current_offer"].is_null(), "never placed far away: {}", r.text);
    }

    // And the history records the order, in Chinese, on the desktop.
    b.set_viewport(1280, 1800).await;
    b.goto(&format!("/designations?facility={union}&lang=zh")).await;
    let first = b.text("#orders li.order").await;
    assert!(first.contains("非新冠危重症定点 → 新冠定点") && first.contains("武防指〔2020〕40号"), "{first}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stale_preview_is_previewed_again_and_a_station_within_the_hour_takes_one_patient() {
    let app = carebridge_e2e::app::spawn_app(carebridge_e2e::app::Backend::Sqlite).await.expect("SQLite");
    let demo = app.load_demo().await;
    let ids = union_holds_three_dialysis_patients(&app, &demo).await;
    let union = demo.union.to_string();
    // Then one station frees at Tongji Hospital, within the hour of the patients' homes.
    let tongji = demo.scenario.facility_id("wuhan-tongji").expect("Tongji").to_string();
    let as_of = rfc3339_millis(app.cb.now());
    let report = capacity_report_units(&tongji, &as_of, &[("dialysis_stations", 100, 100, 99)]);
    assert_eq!(app.post_json("/api/v1/capacity/reports", Some("nhc"), &report).await.status, 201);

    let b = Browser::launch(&app.address).await;
    sign_in(&b, WUHAN, DEMO_PASSWORD).await;
    b.goto("/designations").await;
    let e = b.find("#facility_id").await;
    b.step("choose Union Hospital", e.select_by_value(&union)).await;
    let e = b.find("#designation").await;
    b.step("choose virus-designated", e.select_by_value("virus_designated")).await;
    b.type_into("#order_number", "武防指〔2020〕40号").await;
    b.type_into("#reason", "Union Hospital designated for COVID-19").await;
    b.click_and_wait("form.order-form button[type=submit]").await;
    let first = b.path().await;
    assert!(first.starts_with("/placement/displacements/"), "{first}");

    // Sixteen minutes later the preview is stale: no apply, but a way to preview again.
    app.advance_minutes(16);
    b.goto(&first).await;
    assert_eq!(b.count("#apply").await, 0, "a stale preview cannot be applied");
    assert!(b.text("#expired").await.contains("more than 15 minutes old"), "{}", b.text("#expired").await);
    b.click_and_wait("form.again button[type=submit]").await;
    let again = b.path().await;
    assert!(again.starts_with("/placement/displacements/") && again != first, "a new preview: {again}");

    // Tongji's station takes one patient, within the limit and in the province; the others wait.
    let placed = b.texts("div.outcome.placed").await;
    assert_eq!(placed.len(), 1, "{placed:?}");
    assert!(placed[0].contains("Re-placed at Tongji Hospital") && placed[0].contains("same province"), "{placed:?}");
    let minutes: i64 = b
        .text("div.outcome.placed dd.travel")
        .await
        .split(" min")
        .next()
        .and_then(|m| m.trim().parse().ok())
        .expect("the one-way travel in minutes");
    assert!(minutes <= 60, "within the 60-minute session limit: {minutes}");
    assert_eq!(b.count("div.outcome.unplaced").await, 2);
    assert_eq!(b.count("input[name=acknowledge]").await, 2, "only those left without a place are acknowledged");
    b.assert_no_raw_keys("the preview with a placement").await;

    // Acknowledge the two, confirm, apply: one offer at Tongji, two on the stranded board.
    for e in b.find_all("input[name=acknowledge]").await {
        b.step("acknowledge", e.click()).await;
    }
    b.click("#confirm").await;
    b.click_and_wait("#apply").await;
    assert!(
        b.text("#result").await.contains("1 offer made; 2 patients without a place are escalated"),
        "{}",
        b.text("#result").await
    );
    let plan = again.trim_start_matches("/placement/displacements/");
    let view = app.get(&format!("/api/v1/placement/displacements/{plan}"), Some(WUHAN)).await;
    let moved = view.json["placements"][0]["referral_id"].as_str().expect("one placement").to_string();
    let r = app.get(&format!("/api/v1/referrals/{moved}"), Some(WUHAN)).await;
    assert_eq!(r.json["current_offer"]["facility_id"], tongji.as_str(), "{}", r.text);
    b.click_and_wait("#to-stranded").await;
    for id in ids.iter().filter(|id| **id != moved) {
        assert_eq!(b.count(&format!("#stranded-{id}")).await, 1, "{id} is on the stranded board");
    }
    // The stale preview stays a preview: it cannot be applied after the fresh one.
    b.goto(&first).await;
    assert_eq!(b.count("#apply").await, 0);
}
