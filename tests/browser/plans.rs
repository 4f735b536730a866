//! Placement plans and limits in a browser, as Wuhan's city coordinator: a plan for the
//! waiting patients of one district is previewed (who goes where, the trip, the totals),
//! refused without the confirmation, then applied, and every patient holds an offer; the same
//! on a 390 px phone in Chinese for another district. On the limits page a travel limit out of
//! range is refused beside its field and in the banner, two bad placement limits are both
//! named at once, and good values are saved (and read back through the API), on the desktop in
//! English and on the phone in Chinese for a district that inherits the city's rule.
//!
//! The waiting patients are made the way a surge makes them: filed while their district allows
//! a five-minute trip only (so nothing fits and they wait), rested by one sweep, and then the
//! district's own limit is dropped so that beds farther away may take them: only a plan (or the
//! next retry, a minute later) places them.

use crate::{demo_app, sign_in_as_wuhan, WUHAN};
use carebridge_e2e::app::TestApp;
use carebridge_e2e::browser::{Browser, PHONE};
use serde_json::{json, Value};

/// Two districts of Wuhan, each with two patients far from any hospital of their own.
const HUANGPI: (&str, f64, f64) = ("420116", 114.31, 31.10);
const XINZHOU: (&str, f64, f64) = ("420117", 114.80, 30.84);

/// A district's own routine limits: a trip of `travel` minutes, or none of its own.
async fn district_limit(app: &TestApp, district: &str, travel: Option<i64>) {
    let limits = match travel {
        Some(m) => {
            json!([{"urgency": "routine", "max_wait_minutes": 1440, "hold_minutes": 120, "travel_limit_minutes": m}])
        }
        None => json!([]),
    };
    let path = format!("/api/v1/regions/{district}/placement-limits");
    let r = app.put_json(&path, Some(WUHAN), &json!({ "limits": limits })).await;
    assert_eq!(r.status, 200, "{}", r.text);
}

/// Two routine internal-medicine patients of `district`, waiting; their ids.
async fn two_waiting(app: &TestApp, (district, lon, lat): (&str, f64, f64), prefix: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for n in 0..2 {
        let body = json!({
            "patient": {"pseudonym": format!("{prefix}-{n}"), "age_band": "adult",
                        "location": {"lon": lon + 0.01 * f64::from(n), "lat": lat}, "region_code": district,
                        "infection": "negative"},
            "need": "internal_medicine", "urgency": "routine",
        });
        let filed = app.post_json("/api/v1/referrals", Some(WUHAN), &body).await;
        assert_eq!(filed.status, 201, "{}", filed.text);
        assert_eq!(filed.json["status"], "pending", "nothing within five minutes: {}", filed.text);
        ids.push(filed.json["id"].as_str().expect("id").to_string());
    }
    ids
}

async fn statuses(app: &TestApp, ids: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for id in ids {
        let r = app.get(&format!("/api/v1/referrals/{id}"), Some(WUHAN)).await;
        out.push(r.json["status"].as_str().unwrap_or("").to_string());
    }
    out
}

/// Preview, refuse the apply without the confirmation, apply: checked in `lang`'s words.
struct Words {
    previewed: &'static str,
    preview_status: &'static str,
    confirm_error: &'static str,
    applied: &'static str,
    applied_status: &'static str,
}

const EN: Words = Words {
    previewed: "The plan is ready. Nothing is offered until you apply it.",
    preview_status: "Preview (not applied)",
    confirm_error: "Tick the box to confirm",
    applied: "The plan is applied: every offer is out.",
    applied_status: "Applied",
};

const ZH: Words = Words {
    previewed: "方案已生成。执行之前不会发出任何邀请。",
    preview_status: "预览（未执行）",
    confirm_error: "请勾选此项以确认",
    applied: "方案已执行：床位邀请已全部发出。",
    applied_status: "已执行",
};

async fn preview_and_apply(
    b: &Browser,
    app: &TestApp,
    district: &str,
    ids: &[String],
    prefix: &str,
    w: &Words,
    phone: bool,
) {
    b.choose("#region_code", district).await;
    b.click_and_wait(r#"form.plan-preview button[type="submit"]"#).await;
    let path = b.path().await;
    assert!(path.starts_with("/placement/plans/"), "to the plan's page, not {path}");
    assert_eq!(b.text(".notice").await, w.previewed);
    assert_eq!(b.text("#plan-status").await, w.preview_status);
    let rows = b.texts("table.plan-placements tbody tr").await;
    assert_eq!(rows.len(), 2, "both patients placed: {rows:?}");
    for n in 0..2 {
        assert!(rows.iter().any(|r| r.contains(&format!("{prefix}-{n}"))), "{rows:?}");
    }
    let travel = b.texts("table.plan-placements td.travel").await;
    assert!(travel.iter().all(|t| t.ends_with("min") || t.ends_with("分钟")), "trips in minutes: {travel:?}");
    assert!(b.count("#no-unplaced").await == 1, "nobody left out");
    b.assert_no_raw_keys(&path).await;
    if phone {
        b.assert_fits_phone(&path).await;
    }
    assert!(statuses(app, ids).await.iter().all(|s| s == "pending" || s == "escalated"), "a preview offers nothing");

    // Without the confirmation: refused beside the box and in the banner, nothing offered.
    b.click_and_wait(r#"form.plan-apply button[type="submit"]"#).await;
    assert_eq!(b.text(r#"p.field-error[data-field="confirm"]"#).await, w.confirm_error);
    assert!(b.text(".alert li").await.ends_with(w.confirm_error), "{}", b.text(".alert").await);
    assert!(statuses(app, ids).await.iter().all(|s| s == "pending" || s == "escalated"));
    if phone {
        b.assert_fits_phone("the refused apply").await;
    }

    b.click("#confirm").await;
    b.click_and_wait(r#"form.plan-apply button[type="submit"]"#).await;
    assert!(b.location().await.ends_with("?notice=applied"), "{}", b.location().await);
    assert_eq!(b.text(".notice").await, w.applied);
    assert_eq!(b.text("#plan-status").await, w.applied_status);
    assert_eq!(b.count("form.plan-apply").await, 0, "an applied plan cannot be applied again");
    assert_eq!(statuses(app, ids).await, ["offered", "offered"], "every patient holds an offer");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_coordinator_previews_a_plan_and_applies_it_on_desktop_and_phone() {
    let app = demo_app().await;
    district_limit(&app, HUANGPI.0, Some(5)).await;
    district_limit(&app, XINZHOU.0, Some(5)).await;
    let huangpi = two_waiting(&app, HUANGPI, "hp").await;
    let xinzhou = two_waiting(&app, XINZHOU, "xz").await;

    let b = Browser::launch(&app.address).await;
    sign_in_as_wuhan(&b).await;
    b.click_and_wait(r#"header.site nav a[href="/placement/plans"]"#).await;
    assert_eq!(b.text("h1").await, "Placement plans");
    assert_eq!(b.text("#no-plans").await, "No plans yet.");
    assert_eq!(b.prop("#region_code", "value").await.as_deref(), Some("420100"), "the coordinator's city first");

    // Huangpi on the desktop, in English.
    app.cb.sweep_referrals().await.expect("a sweep");
    district_limit(&app, HUANGPI.0, None).await;
    preview_and_apply(&b, &app, HUANGPI.0, &huangpi, "hp", &EN, false).await;
    b.click_and_wait(r#"p.up a[href="/placement/plans"]"#).await;
    let listed = b.texts("table.plans tbody tr").await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert!(listed[0].contains("黄陂区") && listed[0].contains("Applied"), "{listed:?}");

    // Xinzhou on a phone, in Chinese.
    b.set_viewport(PHONE.0, PHONE.1).await;
    app.cb.sweep_referrals().await.expect("a sweep");
    district_limit(&app, XINZHOU.0, None).await;
    b.goto("/placement/plans?lang=zh").await;
    assert_eq!(b.text("h1").await, "批量安置方案");
    b.assert_fits_phone("/placement/plans").await;
    preview_and_apply(&b, &app, XINZHOU.0, &xinzhou, "xz", &ZH, true).await;
    b.goto("/placement/plans").await;
    let listed = b.texts("table.plans tbody tr").await;
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert!(listed[0].contains("新洲区") && listed[0].contains("已执行"), "newest first: {listed:?}");
    b.assert_fits_phone("/placement/plans with plans").await;
    b.assert_no_raw_keys("/placement/plans").await;
}

async fn travel_limits(app: &TestApp, region: &str) -> Value {
    let r = app.get(&format!("/api/v1/regions/{region}/travel-limits"), Some(WUHAN)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json
}

#[tokio::test(flavor = "multi_thread")]
async fn a_coordinator_sets_travel_and_placement_limits_refused_then_saved() {
    let app = demo_app().await;
    let b = Browser::launch(&app.address).await;
    sign_in_as_wuhan(&b).await;

    // Desktop, English: the city's travel rule.
    b.click_and_wait(r#"header.site nav a[href="/placement/limits"]"#).await;
    assert!(b.text("h1").await.starts_with("Placement and travel limits"), "{}", b.text("h1").await);
    assert_eq!(b.prop("#region", "value").await.as_deref(), Some("420100"));
    assert_eq!(b.text("#travel-set-by").await, "Set by: Default");
    assert_eq!(b.prop("#recurring_session_minutes", "value").await.as_deref(), Some("60"), "the default");
    let checked = b
        .js(
            r#"return ["one_off_cross_province", "recurring_cross_province"].map(id => document.getElementById(id).checked);"#,
            vec![],
        )
        .await;
    assert_eq!(checked, json!([true, false]), "one-off care may cross a border, recurring care not, by default");

    app.sign_in(&[WUHAN]).await; // the API's sign-in is audited too: before counting
    let audit_before = app.audit_count().await;
    b.retype("#recurring_session_minutes", "600").await;
    b.click_and_wait(r#"form.travel-limits button[value="save"]"#).await;
    let error = r#"p.field-error[data-field="recurring_session_minutes"]"#;
    assert_eq!(b.text(error).await, "must be 10 to 240 minutes");
    let banner = b.texts("#limits-errors li").await;
    assert_eq!(banner.len(), 1, "{banner:?}");
    assert!(banner[0].starts_with("Recurring care (dialysis)") && banner[0].ends_with("must be 10 to 240 minutes"));
    assert_eq!(b.prop("#recurring_session_minutes", "value").await.as_deref(), Some("600"), "kept as typed");
    assert_eq!(app.audit_count().await, audit_before, "a refused form writes nothing");
    assert_eq!(travel_limits(&app, "420100").await["recurring_session_minutes"], 60);

    b.retype("#recurring_session_minutes", "45").await;
    b.click_and_wait(r#"form.travel-limits button[value="save"]"#).await;
    assert_eq!(b.text(".notice").await, "The travel limits are saved.");
    assert_eq!(b.prop("#recurring_session_minutes", "value").await.as_deref(), Some("45"));
    assert_eq!(b.text("#travel-set-by").await, "Set by: This region");
    let saved = travel_limits(&app, "420100").await;
    assert_eq!((saved["recurring_session_minutes"].as_i64(), saved["set_by"].as_str()), (Some(45), Some("420100")));
    assert_eq!(app.audit_count().await, audit_before + 1, "the change is audited");

    // Two bad placement limits at once: both named, beside their fields and in the banner.
    b.retype("#emergency-hold_minutes", "soon").await;
    b.retype("#urgent-travel_limit_minutes", "9999").await;
    b.click_and_wait(r#"form.placement-limits button[value="save"]"#).await;
    assert_eq!(
        b.text(r#"p.field-error[data-field="emergency-hold_minutes"]"#).await,
        "Enter a whole number of minutes"
    );
    assert_eq!(
        b.text(r#"p.field-error[data-field="urgent-travel_limit_minutes"]"#).await,
        "must be 5 minutes to 2 days (2880)"
    );
    let banner = b.texts("#limits-errors li").await;
    assert_eq!(banner.len(), 2, "{banner:?}");
    assert!(banner[0].starts_with("Emergency") && banner[1].starts_with("Urgent"), "{banner:?}");
    b.retype("#emergency-hold_minutes", "20").await;
    b.retype("#urgent-travel_limit_minutes", "240").await;
    b.click_and_wait(r#"form.placement-limits button[value="save"]"#).await;
    assert_eq!(b.text(".notice").await, "The placement limits are saved.");
    let limits = app.get("/api/v1/regions/420100/placement-limits", Some(WUHAN)).await;
    let urgent = limits.json.as_array().expect("limits").iter().find(|l| l["urgency"] == "urgent").cloned();
    assert_eq!(urgent.as_ref().map(|u| u["travel_limit_minutes"].clone()), Some(json!(240)), "{}", limits.text);
    b.assert_no_raw_keys("/placement/limits").await;

    // A phone, Chinese: a district inherits the city's rule, and sets its own.
    b.set_viewport(PHONE.0, PHONE.1).await;
    b.goto("/placement/limits?lang=zh").await;
    b.assert_fits_phone("/placement/limits").await;
    b.choose("#region", "420102").await;
    b.click_and_wait(r#"form.region-pick button[type="submit"]"#).await;
    assert!(b.text("h1").await.contains("江岸区"), "{}", b.text("h1").await);
    assert_eq!(b.text("#travel-set-by").await, "设置者：武汉市", "inherited from the city");
    assert_eq!(b.prop("#recurring_session_minutes", "value").await.as_deref(), Some("45"));
    b.retype("#recurring_session_minutes", "5").await;
    b.click_and_wait(r#"form.travel-limits button[value="save"]"#).await;
    assert_eq!(b.text(error).await, "须为 10 到 240 分钟");
    assert!(b.text("#limits-errors").await.contains("须为 10 到 240 分钟"));
    b.assert_fits_phone("the refused travel form").await;
    b.retype("#recurring_session_minutes", "30").await;
    b.click_and_wait(r#"form.travel-limits button[value="save"]"#).await;
    assert_eq!(b.text(".notice").await, "转运上限已保存。");
    assert_eq!(b.text("#travel-set-by").await, "设置者：本地区");
    assert_eq!(travel_limits(&app, "420102").await["recurring_session_minutes"], 30);
    assert_eq!(travel_limits(&app, "420100").await["recurring_session_minutes"], 45, "the city keeps its own");
    b.assert_fits_phone("/placement/limits saved").await;
    b.assert_no_raw_keys("/placement/limits").await;

    // And back to following the city.
    b.click_and_wait(r#"form.travel-limits button[value="follow"]"#).await;
    assert_eq!(b.text(".notice").await, "本地区现在沿用上级地区的设置。");
    assert_eq!(b.text("#travel-set-by").await, "设置者：武汉市");
}
