//! The pages driven through the real router over the demo scenario: status codes, cookies,
//! CSRF, scope and the parts every page must have. One test body, because loading the demo
//! takes seconds and a database pool belongs to one runtime.

use super::test_support::{get, post, send, sign_in, Reply};
use crate::state::AppState;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use carebridge_service::Carebridge;
use carebridge_store::Store;

fn assert_page_frame(r: &Reply) {
    assert!(r.content_type().starts_with("text/html"), "{}", r.content_type());
    for must in [
        r#"<meta name="viewport" content="width=device-width, initial-scale=1">"#,
        r#"<main id="main""#,
        r##"href="#main""##,
        "<nav",
    ] {
        assert!(r.body.contains(must), "missing {must}");
    }
}

#[tokio::test]
async fn pages_over_the_demo_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&format!("sqlite://{}", dir.path().join("web.sqlite").display()), 4).await.unwrap();
    carebridge_store::migrate::run(&store).await.unwrap();
    let cb = Carebridge::new(store);
    cb.load_scenario(&carebridge_scenario::demo(1, cb.now(), &cb.regions)).await.unwrap();
    let app = crate::startup::router(AppState::new(cb));

    // The front door and the public directory, in the browser's language.
    let r = send(&app, get("/", "")).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/directory"));
    let r = send(
        &app,
        Request::get("/directory").header(header::ACCEPT_LANGUAGE, "zh-CN,zh;q=0.9").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_page_frame(&r);
    assert!(r.body.contains(r#"<html lang="zh-CN">"#) && r.body.contains("医疗机构目录"));
    assert!(r.cookie("cb_csrf").unwrap().contains("SameSite=Strict"));
    let r = send(&app, get("/directory?lang=en&region=420100&designation=virus_designated", "")).await;
    assert!(r.body.contains(r#"<html lang="en">"#) && r.body.contains("Huoshenshan Hospital"));
    assert!(r.cookie("cb_lang").unwrap().starts_with("cb_lang=en"));
    // Bad filters: an HTML page naming the field, not a problem document.
    let r = send(&app, get("/directory?service=bogus&lang=en", "")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_page_frame(&r);
    assert!(r.body.contains("“bogus” is not one of the offered choices"));
    assert_eq!(send(&app, get("/directory?region=999999", "")).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(send(&app, get("/directory?cursor=zz", "")).await.status, StatusCode::BAD_REQUEST);
    // Pagination carries the filters.
    let r = send(&app, get("/directory?region=420000", "")).await;
    assert!(
        r.body.contains(r#"rel="next""#) && r.body.contains("region=420000&#38;cursor="),
        "next link keeps the region"
    );

    // Sign-in: CSRF first, then credentials.
    // Signed out, the board is the public overview, in words, not a silent redirect.
    let public = send(&app, get("/board?lang=en", "")).await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(public.body.contains("Sign in for the full board"));
    let page = send(&app, get("/login", "")).await;
    let csrf = page.cookie_value("cb_csrf").unwrap();
    assert_eq!(page.form_csrf(), csrf);
    let wrong =
        send(&app, post("/login", &format!("cb_csrf={csrf}"), "csrf=nope&username=nhc&password=carebridge-demo")).await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    let no_cookie = send(&app, post("/login", "", &format!("csrf={csrf}&username=nhc&password=carebridge-demo"))).await;
    assert_eq!(no_cookie.status, StatusCode::FORBIDDEN);
    let bad = send(
        &app,
        post("/login", &format!("cb_csrf={csrf}"), &format!("csrf={csrf}&username=nhc&password=wrong-password")),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    assert!(bad.body.contains(r#"value="nhc""#), "the username is kept");
    let ok = send(
        &app,
        post("/login", &format!("cb_csrf={csrf}"), &format!("csrf={csrf}&username=nhc&password=carebridge-demo")),
    )
    .await;
    assert_eq!((ok.status, ok.location()), (StatusCode::SEE_OTHER, "/board"));
    let session = ok.cookie("cb_session").unwrap();
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Strict") && session.contains("Path=/"));
    assert_ne!(ok.cookie_value("cb_csrf").unwrap(), csrf, "the CSRF token is replaced on sign-in");

    // The national board: tiles, map, chart, table, all in the frame.
    let nhc = sign_in(&app, "nhc").await;
    let r = send(&app, get("/board", &nhc)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_page_frame(&r);
    assert_eq!(r.body.matches(r#"role="img""#).count(), 1, "a chart image");
    assert!(r.body.contains(r#"class="map" viewBox"#) && r.body.contains(r#"role="group""#), "a map of links");
    assert!(r.body.contains(r#"class="map""#) && r.body.contains("<polyline"));
    assert!(r.body.contains("(UTC+8)") && r.body.contains("facilities stale"));
    assert!(r.headers.get(header::CACHE_CONTROL).unwrap() == "no-store");
    for colour in ["general", "designation"] {
        let r = send(&app, get(&format!("/board?region=420000&color={colour}"), &nhc)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains(r#"aria-current="true""#));
    }
    assert_eq!(send(&app, get("/board?color=rainbow", &nhc)).await.status, StatusCode::BAD_REQUEST);

    // Scope: Wuhan's coordinator cannot open Beijing; a desk sees its own facility; a patient
    // sees no capacity at all.
    let wuhan = sign_in(&app, "wuhan").await;
    assert_eq!(send(&app, get("/board?region=110000", &wuhan)).await.status, StatusCode::NOT_FOUND);
    let r = send(&app, get("/board", &wuhan)).await;
    assert!(r.body.contains("武汉市") && r.body.contains("href=\"/board?region=420102\""), "links down to districts");
    assert!(!r.body.contains("href=\"/board?region=420000\""), "no link up out of the coordinator's scope");
    let desk = sign_in(&app, "desk-union").await;
    let r = send(&app, get("/board", &desk)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Union Hospital"));
    let patient = {
        let page = send(&app, get("/login", "")).await;
        let csrf = page.cookie_value("cb_csrf").unwrap();
        let form = format!("csrf={csrf}&username=patient-demo&password={}", carebridge_scenario::DEMO_PASSWORD);
        let res = send(&app, post("/login", &format!("cb_csrf={csrf}"), &form)).await;
        assert_eq!(res.location(), "/directory", "patients land on the directory");
        format!("cb_session={}", res.cookie_value("cb_session").unwrap())
    };
    assert_eq!(send(&app, get("/board", &patient)).await.status, StatusCode::FORBIDDEN);

    // Sign-out needs the CSRF token and revokes the token itself.
    let csrf = nhc.split("cb_csrf=").nth(1).unwrap().to_string();
    assert_eq!(send(&app, post("/logout", &nhc, "csrf=wrong")).await.status, StatusCode::FORBIDDEN);
    let out = send(&app, post("/logout", &nhc, &format!("csrf={csrf}"))).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(out.cookie("cb_session").unwrap().contains("Max-Age=0"));
    let replay = send(&app, get("/board", &nhc)).await;
    assert!(replay.body.contains(r#"id="public-sign-in""#), "a revoked token signs no one in: the public board");
    assert!(replay.cookie("cb_session").unwrap().contains("Max-Age=0"), "and the dead cookie is cleared");

    // The stylesheet.
    let css = send(&app, get("/assets/style.css", "")).await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.content_type().starts_with("text/css") && css.body.contains(":focus-visible"));
}

/// The value of `name="…" value="…"` in a page (the first such input).
fn input_value(body: &str, name: &str) -> Option<String> {
    let pattern = format!(r#"name="{name}""#);
    let at = body.find(&pattern)?;
    let rest = &body[at..];
    let v = rest.find(r#"value=""#)? + r#"value=""#.len();
    Some(rest[v..].split('"').next()?.to_string())
}

/// The referral id a `/referrals/{id}?notice=…` redirect names.
fn referral_id_of(location: &str) -> String {
    location.trim_start_matches("/referrals/").split('?').next().unwrap().to_string()
}

/// The complaint shown next to form field `name`, if any.
fn field_error(body: &str, name: &str) -> Option<String> {
    let pattern = format!(r#"data-field="{name}">"#);
    let at = body.find(&pattern)? + pattern.len();
    Some(body[at..].split('<').next()?.to_string())
}

/// A valid new-referral form for the spinal-tumour patient, with `over` replacing fields.
fn referral_form(csrf: &str, over: &[(&str, &str)]) -> String {
    let mut fields: Vec<(&str, &str)> = vec![
        ("csrf", csrf),
        ("pseudonym", "p-web-1"),
        ("age_band", "young_adult"),
        ("region_code", "420103"),
        ("lon", "114.27"),
        ("lat", "30.60"),
        ("infection", "negative"),
        ("need", "neurosurgery"),
        ("urgency", "urgent"),
        ("sessions_per_week", ""),
        ("note", "Cord compression at T10."),
    ];
    for (k, v) in over {
        match fields.iter_mut().find(|(name, _)| name == k) {
            Some(f) => f.1 = v,
            None => fields.push((k, v)),
        }
    }
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        s.append_pair(k, v);
    }
    s.finish()
}

#[tokio::test(flavor = "multi_thread")]
async fn referral_pages_file_follow_answer_and_refuse_by_role() {
    use carebridge_domain::clock::ShiftedClock;
    use std::sync::Arc;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&format!("sqlite://{}", dir.path().join("web.sqlite").display()), 4).await.unwrap();
    carebridge_store::migrate::run(&store).await.unwrap();
    let clock = Arc::new(ShiftedClock::default());
    let cb = Carebridge::new(store).with_clock(clock.clone());
    let scenario = carebridge_scenario::demo(1, cb.now(), &cb.regions);
    cb.load_scenario(&scenario).await.unwrap();
    let union = scenario.facility_id(carebridge_scenario::WUHAN_UNION_KEY).unwrap();
    let app = crate::startup::router(AppState::new(cb.clone()));

    // Signed out: every referral page sends the visitor to sign in.
    for path in ["/referrals", "/referrals/new", "/desk/offers", "/placement/board", "/me/referrals"] {
        let r = send(&app, get(path, "")).await;
        assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/login"), "{path}");
    }

    // The clinician's form, prefilled with the facility's region and place.
    let dr = sign_in(&app, "dr-union").await;
    let csrf = dr.split("cb_csrf=").nth(1).unwrap().to_string();
    let r = send(&app, get("/referrals/new", &dr)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_page_frame(&r);
    assert_eq!(r.form_csrf(), csrf);
    assert!(input_value(&r.body, "region_code").is_some_and(|v| v.starts_with("4201")), "prefilled region");
    for name in
        ["pseudonym", "age_band", "infection", "need", "urgency", "needs_ambulance", "sessions_per_week", "note"]
    {
        assert!(r.body.contains(&format!(r#"name="{name}""#)), "the form has {name}");
    }
    assert!(r.body.contains(r#"href="/referrals" aria-current="page""#), "the clinician's nav marks referrals");

    // Without the CSRF copy the form is refused.
    let r = send(&app, post("/referrals/new", &dr, &referral_form("nope", &[]))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // The service's field-named complaints land next to their fields, and what was typed stays.
    let long = "p".repeat(65);
    let r = send(&app, post("/referrals/new", &dr, &referral_form(&csrf, &[("pseudonym", &long)]))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(field_error(&r.body, "pseudonym").as_deref(), Some("must be at most 64 characters"), "{}", r.body);
    assert!(r.body.contains(r#"value="114.27""#), "the longitude is kept");
    let r = send(&app, post("/referrals/new", &dr, &referral_form(&csrf, &[("sessions_per_week", "2")]))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_error(&r.body, "sessions_per_week").is_some_and(|e| e.contains("only dialysis")), "{}", r.body);
    let r = send(&app, post("/referrals/new", &dr, &referral_form(&csrf, &[("region_code", "110101")]))).await;
    assert!(field_error(&r.body, "region_code").is_some_and(|e| e.contains("province")), "{}", r.body);
    let r = send(&app, post("/referrals/new", &dr, &referral_form(&csrf, &[("lon", "east"), ("need", "")]))).await;
    assert_eq!(field_error(&r.body, "lon").as_deref(), Some("must be a number"));
    assert_eq!(field_error(&r.body, "need").as_deref(), Some("must be filled in or chosen"));
    let r = send(
        &app,
        post("/referrals/new?lang=zh", &format!("{dr}; cb_lang=zh"), &referral_form(&csrf, &[("pseudonym", &long)])),
    )
    .await;
    assert_eq!(field_error(&r.body, "pseudonym").as_deref(), Some("最多 64 个字符"), "complaints in Chinese");
    let r =
        send(&app, post("/referrals/new", &dr, &referral_form(&csrf, &[("pseudonym", " "), ("age_band", "")]))).await;
    assert_eq!(field_error(&r.body, "pseudonym").as_deref(), Some("must be filled in or chosen"));
    assert_eq!(field_error(&r.body, "age_band").as_deref(), Some("must be filled in or chosen"), "all at once");

    // Filed: to the referral's page, which says where it stands and why.
    let r = send(&app, post("/referrals/new", &dr, &referral_form(&csrf, &[]))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(r.location().ends_with("?notice=filed"), "{}", r.location());
    let dr_referral = referral_id_of(r.location());
    let page = send(&app, get(r.location(), &dr)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("The referral is filed."));
    assert!(page.body.contains(r#"id="referral-status">Offered<"#), "{}", page.body);
    assert!(page.body.contains("A bed is held at "), "the status in words");
    assert!(page.body.contains(r#"data-kind="filed""#) && page.body.contains(r#"data-kind="offered""#));
    assert!(page.body.contains("Offered a bed at "), "the timeline in words");
    assert!(page.body.contains(r#"action="/referrals/"#) && page.body.contains("/cancel"), "a cancel form");
    let zh = send(&app, get(&format!("/referrals/{dr_referral}?lang=zh"), &dr)).await;
    assert!(
        zh.body.contains(r#"<html lang="zh-CN">"#) && zh.body.contains("时间线") && zh.body.contains("已发出床位邀请")
    );

    // The tracker lists it with its current offer and wait.
    let r = send(&app, get("/referrals?lang=en", &dr)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains(&format!(r#"href="/referrals/{dr_referral}""#)) && r.body.contains("p-web-1"));
    assert!(r.body.contains("Held until") && r.body.contains(" of 1 d 0 h"), "{}", r.body);

    // Bad and unknown ids are 404 pages, not panics.
    for path in ["/referrals/not-an-id", &format!("/referrals/{}", uuid::Uuid::now_v7())] {
        let r = send(&app, get(path, &dr)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert_page_frame(&r);
    }

    // Roles: a desk cannot open the coordinators' board or the form; a clinician not the inbox.
    let desk = sign_in(&app, "desk-union").await;
    let desk_csrf = desk.split("cb_csrf=").nth(1).unwrap().to_string();
    assert_eq!(send(&app, get("/placement/board", &desk)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(send(&app, get("/referrals/new", &desk)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(send(&app, get("/desk/offers", &dr)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(send(&app, get("/placement/board", &dr)).await.status, StatusCode::FORBIDDEN);
    let r = send(&app, get("/desk/offers", &desk)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains(r#"href="/desk/offers" aria-current="page""#));
    let bogus = send(&app, post("/desk/offers/bogus/answer", &desk, &format!("csrf={desk_csrf}&answer=accept"))).await;
    assert_eq!(bogus.status, StatusCode::NOT_FOUND);

    // A patient sees their own referral only.
    let patient_token =
        cb.issue_token("patient-demo", carebridge_scenario::DEMO_PASSWORD, &Default::default()).await.unwrap();
    let own = cb
        .file_referral(
            &patient_token.principal,
            serde_json::from_value(serde_json::json!({
                "patient": {"pseudonym": "me", "age_band": "adult", "location": {"lon": 114.27, "lat": 30.60},
                    "region_code": "420103", "infection": "negative"},
                "need": "dialysis", "urgency": "routine", "schedule": {"sessions_per_week": 3}
            }))
            .unwrap(),
            &Default::default(),
        )
        .await
        .unwrap();
    let patient = format!("cb_session={}", patient_token.access_token);
    let r = send(&app, get("/me/referrals", &patient)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains(&format!("/referrals/{}", own.referral.id)) && r.body.contains("Dialysis"));
    assert!(!r.body.contains(&dr_referral), "not the clinician's referral");
    assert!(!r.body.contains(r#"href="/board""#), "patients are not offered the capacity board");
    let r = send(&app, get(&format!("/referrals/{}", own.referral.id), &patient)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("3 sessions a week"));
    if let Some(pattern) = own.current_offer.as_ref().and_then(|o| o.pattern) {
        let days = crate::web::i18n::Lang::En.weekdays(pattern);
        assert!(r.body.contains(&format!("Session days: {days}")), "the offer's session days: {}", r.body);
    }
    assert_eq!(send(&app, get(&format!("/referrals/{dr_referral}"), &patient)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(send(&app, get("/placement/board", &patient)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(send(&app, get("/referrals", &patient)).await.location(), "/me/referrals");

    // Stranded: an emergency nobody within 75 minutes can take (Lhasa) escalates after its hour; the
    // national board shows it with the engine's reasons, Wuhan's does not.
    let nhc = sign_in(&app, "nhc").await;
    let nhc_csrf = nhc.split("cb_csrf=").nth(1).unwrap().to_string();
    let form = referral_form(
        &nhc_csrf,
        &[
            ("pseudonym", "p-lhasa"),
            ("region_code", "540102"),
            ("lon", "91.13"),
            ("lat", "29.66"),
            ("urgency", "emergency"),
        ],
    );
    let r = send(&app, post("/referrals/new", &nhc, &form)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let stranded = referral_id_of(r.location());
    let page = send(&app, get(&format!("/referrals/{stranded}"), &nhc)).await;
    assert!(
        page.body.contains("No facility within 75 minutes of travel has a staffed Neurosurgery bed free"),
        "{}",
        page.body
    );
    assert!(page.body.contains("No facility at all lies within 75 minutes of travel of the patient."), "{}", page.body);
    clock.advance_minutes(61);
    cb.sweep_referrals().await.unwrap();
    let board = send(&app, get("/placement/board", &nhc)).await;
    assert_eq!(board.status, StatusCode::OK, "{}", board.body);
    assert_page_frame(&board);
    assert!(board.body.contains(&format!(r#"id="stranded-{stranded}""#)), "{}", board.body);
    assert!(board.body.contains("No facility within 75 minutes") && board.body.contains("Escalated"));
    assert!(board.body.contains(r#"class="map""#) && board.body.contains("1 stranded patient"), "the map marks Lhasa");
    let card = &board.body[board.body.find(&format!(r#"id="stranded-{stranded}""#)).unwrap()..];
    assert!(card.contains(&format!(r#"href="/placement/referrals/{stranded}""#)), "the card links to the form");
    let form = send(&app, get(&format!("/placement/referrals/{stranded}"), &nhc)).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert_page_frame(&form);
    assert!(
        form.body.contains(r#"<li class="choice breaks""#) && form.body.contains(" km"),
        "nothing in Tibet offers neurosurgery: the nearest anywhere are offered, each saying what it breaks"
    );
    let wuhan = sign_in(&app, "wuhan").await;
    let r = send(&app, get("/placement/board", &wuhan)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.body.contains(&stranded), "outside Wuhan's scope");
    // Wuhan's protected groups, each against the non-virus critical-care beds.
    let groups = &r.body[r.body.find(r#"id="protected-groups""#).expect("the protected groups table")..];
    let groups = &groups[..groups.find("</table>").unwrap()];
    for name in ["Dialysis", "Cancer surgery", "Maternity", "Emergency surgery"] {
        assert!(groups.contains(&format!("<th scope=\"row\">{name}</th>")), "{name}: {groups}");
    }
    assert!(
        ["Can absorb", "Nearly full", "Overwhelmed", "None offers this"].iter().any(|w| groups.contains(w)),
        "{groups}"
    );
    assert!(!board.body.contains(r#"id="protected-groups""#), "the nation has no one region's groups");

    // Directed to Union: Union's desk sees the order (no decline form) and accepts it.
    let action = format!("/placement/referrals/{stranded}/direct");
    let r = send(&app, post(&action, &nhc, &format!("csrf={nhc_csrf}&facility_id={union}&note="))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a directed placement says why");
    assert!(field_error(&r.body, "note").is_some_and(|e| e.contains("say why this facility")), "{}", r.body);
    let r = send(&app, post(&action, &nhc, &format!("csrf={nhc_csrf}&facility_id=&note=Closest"))).await;
    assert_eq!(field_error(&r.body, "facility_id").as_deref(), Some("must be filled in or chosen"));
    assert!(r.body.contains(r#"value="Closest""#), "the note is kept");
    // Union is thousands of kilometres away: the page refuses, naming the constraints broken.
    let r =
        send(&app, post(&action, &nhc, &format!("csrf={nhc_csrf}&facility_id={union}&note=Airlift%20arranged"))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "the form again: {}", r.body);
    assert!(field_error(&r.body, "facility_id").is_some_and(|e| e.contains("beyond the travel limit")), "{}", r.body);
    // The coordinator overrides it explicitly (through the API's use case), with a reason.
    let nhc_token = cb.issue_token("nhc", carebridge_scenario::DEMO_PASSWORD, &Default::default()).await.unwrap();
    let directed: carebridge_service::referrals::DirectedPlacement = serde_json::from_value(serde_json::json!({
        "facility_id": union, "note": "Airlift arranged",
        "override": {"constraints": ["too_far", "no_staffed_bed_free"], "reason": "Military airlift to Wuhan tonight."},
    }))
    .unwrap();
    let stranded_id: carebridge_domain::ids::ReferralId = stranded.parse().unwrap();
    cb.direct_placement(&nhc_token.principal, stranded_id, directed, &Default::default()).await.unwrap();
    let inbox = send(&app, get("/desk/offers", &desk)).await;
    assert!(inbox.body.contains("p-lhasa") && inbox.body.contains("must be accepted"), "{}", inbox.body);
    assert!(
        inbox.body.contains("Constraints the coordinator overrode")
            && inbox.body.contains("beyond the travel limit")
            && inbox.body.contains("Military airlift to Wuhan tonight."),
        "the desk reads the override on the offer: {}",
        inbox.body
    );
    let page = send(&app, get(&format!("/referrals/{stranded}"), &nhc)).await;
    assert!(
        page.body.contains("The coordinator overrode hard constraints to direct the patient to")
            && !page.body.contains(">constraints_overridden<"),
        "the timeline says it in words: {}",
        page.body
    );
    assert!(inbox.body.contains("data-countdown=") && inbox.body.contains("/assets/countdown.js"));
    let card = &inbox.body[inbox.body.find("p-lhasa").unwrap()..];
    let card = &card[..card.find("</li>").unwrap()];
    assert!(!card.contains(r#"value="decline""#), "a directed placement cannot be declined");
    let offer_action = card.split(r#"action=""#).nth(1).unwrap().split('"').next().unwrap().to_string();
    assert_eq!(send(&app, post(&offer_action, &desk, "answer=accept")).await.status, StatusCode::FORBIDDEN);
    let r = send(&app, post(&offer_action, &desk, &format!("csrf={desk_csrf}&answer=accept"))).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/desk/offers?notice=accepted"));
    let r = send(&app, get(r.location(), &desk)).await;
    assert!(r.body.contains("Accepted. The referring clinician sees it now.") && !r.body.contains(&offer_action));
    let again = send(&app, post(&offer_action, &desk, &format!("csrf={desk_csrf}&answer=accept"))).await;
    assert_eq!(again.location(), "/desk/offers?notice=gone", "an answered offer cannot be answered again");
    let page = send(&app, get(&format!("/referrals/{stranded}"), &nhc)).await;
    assert!(page.body.contains(r#"id="referral-status">Accepted<"#) && page.body.contains("has accepted the patient"));

    // The patient arrives: the inbox lists them until the desk marks them admitted.
    let inbox = send(&app, get("/desk/offers", &desk)).await;
    let admit = format!("/desk/referrals/{stranded}/admit");
    assert!(inbox.body.contains(&format!(r#"action="{admit}""#)), "{}", inbox.body);
    assert_eq!(send(&app, post(&admit, &dr, &format!("csrf={csrf}"))).await.status, StatusCode::FORBIDDEN);
    let r = send(&app, post(&admit, &desk, &format!("csrf={desk_csrf}"))).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/desk/offers?notice=admitted"), "{}", r.body);
    let inbox = send(&app, get(r.location(), &desk)).await;
    assert!(inbox.body.contains("Marked admitted.") && !inbox.body.contains(&admit));
    let page = send(&app, get(&format!("/referrals/{stranded}"), &nhc)).await;
    assert!(page.body.contains(r#"id="referral-status">Admitted<"#) && page.body.contains(r#"data-kind="admitted""#));

    // Cancelling needs a reason, named next to its field.
    let cancel = format!("/referrals/{dr_referral}/cancel");
    let r = send(&app, post(&cancel, &dr, &format!("csrf={csrf}&reason="))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_error(&r.body, "reason").is_some_and(|e| e.contains("say why")), "{}", r.body);
    let r = send(&app, post(&cancel, &dr, &format!("csrf={csrf}&reason=Transferred%20by%20family"))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = send(&app, get(r.location(), &dr)).await;
    assert!(page.body.contains(r#"id="referral-status">Cancelled<"#) && page.body.contains("Transferred by family"));
    assert!(!page.body.contains(&cancel), "no cancel form once cancelled");

    // The countdown script is served with the page's script policy.
    let js = send(&app, get("/assets/countdown.js", "")).await;
    assert!(js.content_type().starts_with("text/javascript") && js.body.contains("data-countdown"));
    let csp = page.headers.get(header::CONTENT_SECURITY_POLICY).unwrap().to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
}

/// Issue 20, point 3: a referral form with errors of several kinds shows every one at once,
/// each beside its field and all listed in the banner (in the form's order, each a link to its
/// field), in English and in Chinese; the location outside its region is one of them.
#[tokio::test(flavor = "multi_thread")]
async fn the_referral_form_shows_every_error_at_once_beside_its_field_and_in_the_banner() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&format!("sqlite://{}", dir.path().join("web.sqlite").display()), 4).await.unwrap();
    carebridge_store::migrate::run(&store).await.unwrap();
    let cb = Carebridge::new(store);
    let scenario = carebridge_scenario::demo(1, cb.now(), &cb.regions);
    cb.load_scenario(&scenario).await.unwrap();
    let app = crate::startup::router(AppState::new(cb.clone()));
    let dr = sign_in(&app, "dr-union").await;
    let csrf = dr.split("cb_csrf=").nth(1).unwrap().to_string();
    let long = "p".repeat(65);
    // A pseudonym too long (the service's check), no service chosen (the form's own), and New
    // York coordinates with a Wuhan district code (the service's location check).
    let bad = referral_form(&csrf, &[("pseudonym", &long), ("need", ""), ("lon", "-74.0"), ("lat", "40.7")]);
    let r = send(&app, post("/referrals/new", &dr, &bad)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(field_error(&r.body, "pseudonym").as_deref(), Some("must be at most 64 characters"), "{}", r.body);
    assert_eq!(field_error(&r.body, "need").as_deref(), Some("must be filled in or chosen"));
    assert!(field_error(&r.body, "lon").is_some_and(|e| e.contains("km outside 武汉市")), "{}", r.body);
    let banner: Vec<&str> =
        r.body.split(r#"data-banner-field=""#).skip(1).map(|rest| rest.split('"').next().unwrap()).collect();
    assert_eq!(banner, ["pseudonym", "lon", "need"], "every complaint in the banner, in form order");
    assert!(r.body.contains(r##"<a href="#pseudonym">Pseudonym</a>: must be at most 64 characters"##), "{}", r.body);
    assert!(r.body.contains(r#"value="-74.0""#), "what was typed stays");

    let r = send(&app, post("/referrals/new?lang=zh", &format!("{dr}; cb_lang=zh"), &bad)).await;
    assert_eq!(field_error(&r.body, "pseudonym").as_deref(), Some("最多 64 个字符"));
    assert!(
        field_error(&r.body, "lon").is_some_and(|e| e.starts_with("位置在武汉市") && e.contains("公里")),
        "the location complaint in Chinese: {}",
        r.body
    );
    assert_eq!(r.body.matches("data-banner-field=").count(), 3);
    assert!(r.body.contains("以下字段需要修改："));
}
