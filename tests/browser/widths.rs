//! No page wider than a 390 px phone (issue 20, point 5): every page, signed in as the role
//! that uses it, in Chinese and English, at 390 px, has `scrollWidth <= 390` (wide tables
//! scroll inside their own `.table-wrap` boxes; see `Browser::assert_fits_width`).
//!
//! [`PAGES`] is the one list: add a page here when it is built (`{referral}` is a referral of
//! the demo's Wuhan patient, filed for the test; `{union}` is Union Hospital).

use crate::sign_in;
use carebridge_e2e::app::{spawn_app, Backend, DEMO_PASSWORD};
use carebridge_e2e::browser::{Browser, PHONE};
use serde_json::json;

/// Every page: its path and who opens it (`None`: signed out).
const PAGES: &[(&str, Option<&str>)] = &[
    ("/", None),
    ("/directory", None),
    ("/directory?q=%E5%8D%8F%E5%92%8C", None),
    ("/login", None),
    ("/board", None),
    ("/facilities/{union}", None),
    ("/board", Some("wuhan")),
    ("/directory", Some("wuhan")),
    ("/facilities/{union}", Some("wuhan")),
    ("/facilities/{union}/capacity", Some("wuhan")),
    ("/designations", Some("wuhan")),
    ("/designations?facility={union}", Some("wuhan")),
    ("/placement/plans", Some("wuhan")),
    ("/placement/limits", Some("wuhan")),
    ("/referrals", Some("dr-union")),
    ("/referrals/new", Some("dr-union")),
    ("/referrals/{referral}", Some("dr-union")),
    ("/desk/offers", Some("desk-union")),
    ("/desk/capacity", Some("desk-union")),
    ("/me/referrals", Some("patient-demo")),
    ("/placement/board", Some("wuhan")),
    ("/placement/board", Some("nhc")),
    ("/referrals/{referral}", Some("wuhan")),
    ("/placement/referrals/{referral}", Some("wuhan")),
    ("/referrals/{referral}", Some("auditor")),
    ("/users", Some("nhc")),
];

#[tokio::test(flavor = "multi_thread")]
async fn no_page_is_wider_than_a_390_px_phone() {
    let app = spawn_app(Backend::Sqlite).await.expect("the SQLite backend needs no configuration");
    let union = app.load_demo().await.union.to_string();
    let body = json!({
        "patient": {"pseudonym": "p-width", "age_band": "senior", "location": {"lon": 114.316, "lat": 30.554},
            "region_code": "420106", "infection": "negative"},
        "need": "general_surgery", "urgency": "urgent", "note": "A long note to wrap: abdominal pain since yesterday evening.",
    });
    let filed = app.post_json("/api/v1/referrals", Some("dr-union"), &body).await;
    assert_eq!(filed.status, 201, "{}", filed.text);
    let referral = filed.json["id"].as_str().expect("id").to_string();

    let b = Browser::launch(&app.address).await;
    b.set_viewport(PHONE.0, PHONE.1).await;
    let mut signed_in: Option<&str> = None;
    for (path, user) in PAGES {
        if signed_in != *user {
            if signed_in.is_some() {
                b.goto("/directory").await;
                b.click_and_wait(r#"header.site form[action="/logout"] button[type="submit"]"#).await;
            }
            if let Some(u) = user {
                sign_in(&b, u, DEMO_PASSWORD).await;
            }
            signed_in = *user;
        }
        let path = path.replace("{referral}", &referral).replace("{union}", &union);
        for lang in ["zh", "en"] {
            let sep = if path.contains('?') { '&' } else { '?' };
            b.goto(&format!("{path}{sep}lang={lang}")).await;
            let who = user.unwrap_or("signed out");
            assert_eq!(b.attr("html", "lang").await.as_deref(), Some(if lang == "zh" { "zh-CN" } else { "en" }));
            assert!(b.count("main").await == 1, "{path} ({who}, {lang}) is a page: {}", b.text("body").await);
            b.assert_fits_phone(&format!("{path} as {who} ({lang})")).await;
        }
    }
}
