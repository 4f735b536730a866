//! The desk's capacity form, the facility page, the public board and the directory's
//! taking-new column, driven through the real router over the demo scenario in both languages:
//! who may open which form, every error at once beside its field, a partial report moving the
//! newest time, and what the public sees.

use super::test_support::{get, post, send, sign_in_with_csrf as sign_in};
use crate::state::AppState;
use axum::http::StatusCode;
use carebridge_domain::ids::FacilityId;
use carebridge_service::facilities::DirectoryQuery;
use carebridge_service::Carebridge;
use carebridge_store::facilities::FacilityFilter;
use carebridge_store::Store;

/// The value an input named `name` carries on the page.
fn value_of(body: &str, name: &str) -> String {
    let at = body.find(&format!(r#"name="{name}""#)).unwrap_or_else(|| panic!("no input {name}"));
    let rest = &body[at..];
    let v = rest.find(r#"value=""#).unwrap() + 7;
    rest[v..].split('"').next().unwrap().to_string()
}

async fn facility_named(cb: &Carebridge, text: &str) -> FacilityId {
    let q = DirectoryQuery {
        filter: FacilityFilter { text: Some(text.into()), ..Default::default() },
        limit: Some(5),
        ..Default::default()
    };
    cb.directory(&q).await.unwrap().items.first().unwrap_or_else(|| panic!("no {text}")).id
}

/// Every capacity field of the form, from the page, with `changes` applied.
fn form_of(body: &str, csrf: &str, changes: &[(&str, &str)]) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    q.append_pair("csrf", csrf);
    for unit in carebridge_domain::capacity::Unit::ALL {
        for f in ["physical", "staffed", "occupied"] {
            let name = format!("{}_{f}", unit.as_str());
            let v =
                changes.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string()).unwrap_or(value_of(body, &name));
            q.append_pair(&name, &v);
        }
    }
    q.finish()
}

#[tokio::test]
async fn desk_capacity_facility_page_and_public_board() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&format!("sqlite://{}", dir.path().join("desk.sqlite").display()), 4).await.unwrap();
    carebridge_store::migrate::run(&store).await.unwrap();
    let cb = Carebridge::new(store);
    cb.load_scenario(&carebridge_scenario::demo(1, cb.now(), &cb.regions)).await.unwrap();
    let state = AppState::new(cb);
    let app = crate::startup::router(state.clone());
    let cb = &state.cb;
    let union = facility_named(cb, "Wuhan Union Hospital (Union").await;
    let pumch = facility_named(cb, "Peking Union Medical College Hospital").await;

    // Signed out: the form asks for sign-in; the facility page and public board answer.
    assert_eq!(send(&app, get("/desk/capacity", "")).await.location(), "/login");

    // The desk's form, in both languages, prefilled, one line per unit, numeric keypads.
    let (desk, desk_csrf) = sign_in(&app, "desk-union").await;
    let zh = send(&app, get("/desk/capacity?lang=zh", &desk)).await;
    assert_eq!(zh.status, StatusCode::OK, "{}", zh.body);
    assert!(zh.body.contains("上报床位") && zh.body.contains("最近上报") && zh.body.contains("协和医院"));
    assert!(zh.body.contains(r#"href="/desk/capacity" aria-current="page""#), "the desk nav has the form");
    let en = send(&app, get("/desk/capacity?lang=en", &desk)).await;
    assert!(
        en.body.contains("Report capacity") && en.body.contains("Newest report") && en.body.contains("oldest unit")
    );
    assert_eq!(en.body.matches(r#"inputmode="numeric""#).count(), 18, "three numbers for each of six units");
    assert!(!value_of(&en.body, "icu_physical").is_empty(), "prefilled with the standing report");

    let token = desk.split(';').next().unwrap().trim_start_matches("cb_session=").to_string();
    let desk_p = &cb.authenticate(&token).await.unwrap();

    // Every error at once, each beside its field and listed in the banner; nothing is written.
    let before = cb.facility_capacity(desk_p, union).await.unwrap();
    let bad = form_of(
        &en.body,
        &desk_csrf,
        &[
            ("icu_occupied", "lots"),
            ("general_ward_physical", "10"),
            ("general_ward_staffed", "20"),
            ("general_ward_occupied", "5"),
            ("isolation_physical", "4"),
            ("isolation_staffed", ""),
            ("isolation_occupied", ""),
        ],
    );
    let r = send(&app, post("/desk/capacity?lang=en", &desk, &bad)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains(r#"data-field="icu_occupied">must be a whole number"#), "{}", r.body);
    assert!(r.body.contains(r#"data-field="general_ward_staffed">staffed beds must not exceed physical"#));
    assert!(r.body.contains(r#"data-field="isolation">fill in all three numbers"#));
    let banner =
        &r.body[r.body.find(r#"class="alert""#).unwrap()..r.body.find(r#"<form class="capacity-form""#).unwrap()];
    assert_eq!(banner.matches("<li>").count(), 3, "the banner lists all three: {banner}");
    assert!(r.body.contains(r#"value="lots""#), "what was typed is kept");
    let unchanged = cb.facility_capacity(desk_p, union).await.unwrap();
    assert_eq!(unchanged.units, before.units, "a refused form writes nothing");

    // A partial report: ICU only, the other lines cleared. It moves the newest time.
    let mut clear: Vec<(String, String)> = Vec::new();
    for unit in carebridge_domain::capacity::Unit::ALL.iter().filter(|u| u.as_str() != "icu") {
        for f in ["physical", "staffed", "occupied"] {
            clear.push((format!("{}_{f}", unit.as_str()), String::new()));
        }
    }
    let physical = value_of(&en.body, "icu_physical");
    let mut changes: Vec<(&str, &str)> = clear.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    changes.push(("icu_occupied", "1"));
    changes.push(("icu_staffed", &physical));
    let r = send(&app, post("/desk/capacity", &desk, &form_of(&en.body, &desk_csrf, &changes))).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/desk/capacity?notice=saved"), "{}", r.body);
    let after = cb.facility_capacity(desk_p, union).await.unwrap();
    assert!(after.newest_as_of > before.newest_as_of, "{:?} → {:?}", before.newest_as_of, after.newest_as_of);
    let icu = after.units.iter().find(|u| u.unit.as_str() == "icu").unwrap();
    assert_eq!(icu.counts.occupied(), 1);
    for u in after.units.iter().filter(|u| u.unit.as_str() != "icu") {
        assert_eq!(Some(u), before.units.iter().find(|b| b.unit == u.unit), "the cleared lines kept their numbers");
    }
    let r = send(&app, get("/desk/capacity?notice=saved&lang=en", &desk)).await;
    assert!(r.body.contains("Report saved."));
    // The facility page and the board show it.
    let page = send(&app, get(&format!("/facilities/{union}?lang=en"), &desk)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Capacity by unit") && page.body.contains("Newest report"), "{}", page.body);
    assert!(page.body.contains(r#"href="/desk/capacity""#), "the desk's page links its form");
    let board = send(&app, get("/board?lang=en", &desk)).await;
    assert!(board.body.contains(&format!(r#"href="/facilities/{union}""#)), "the board links the facility page");
    assert!(board.body.contains("Newest report (local time)") && board.body.contains("Oldest unit&#39;s age"));

    // Scope: the desk may not open or post another facility's form; a clinician has none;
    // a coordinator opens forms inside their region only.
    let other = format!("/facilities/{pumch}/capacity");
    assert_eq!(send(&app, get(&other, &desk)).await.status, StatusCode::FORBIDDEN);
    let r = send(&app, post(&other, &desk, &form_of(&en.body, &desk_csrf, &[]))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let (clinician, _) = sign_in(&app, "dr-union").await;
    assert_eq!(send(&app, get("/desk/capacity", &clinician)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        send(&app, get(&format!("/facilities/{union}/capacity"), &clinician)).await.status,
        StatusCode::FORBIDDEN
    );
    let (wuhan, wuhan_csrf) = sign_in(&app, "wuhan").await;
    let form = send(&app, get(&format!("/facilities/{union}/capacity?lang=en"), &wuhan)).await;
    assert_eq!(form.status, StatusCode::OK);
    let r = send(&app, post(&format!("/facilities/{union}/capacity"), &wuhan, &form_of(&form.body, &wuhan_csrf, &[])))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "a coordinator reports for a facility they govern: {}", r.body);
    assert_eq!(send(&app, get(&other, &wuhan)).await.status, StatusCode::NOT_FOUND, "Beijing is outside Wuhan");
    let r = send(&app, post(&other, &wuhan, &form_of(&form.body, &wuhan_csrf, &[]))).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // A form without the CSRF token is refused.
    let r = send(&app, post("/desk/capacity", &desk, "icu_physical=1&icu_staffed=1&icu_occupied=1")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // The facility page in public: the directory's facts, no numbers, in both languages.
    for (lang, must) in [("en", "Capacity numbers are shown to this facility"), ("zh", "床位数字仅对本机构")] {
        let r = send(&app, get(&format!("/facilities/{union}?lang={lang}"), "")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains(must), "{lang}: {}", r.body);
        assert!(!r.body.contains(r#"class="num""#), "{lang}: no capacity numbers in public");
    }
    assert_eq!(send(&app, get("/facilities/nope", "")).await.status, StatusCode::NOT_FOUND);
    let random = FacilityId::new_v7();
    assert_eq!(send(&app, get(&format!("/facilities/{random}"), "")).await.status, StatusCode::NOT_FOUND);

    // The public board: words, a way in, aggregates only.
    for (lang, must) in [("en", "What this page publishes"), ("zh", "本页公开什么")] {
        let r = send(&app, get(&format!("/board?lang={lang}"), "")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains(must) && r.body.contains(r#"href="/login""#), "{lang}");
        assert!(r.body.contains("/facilities/"), "{lang}: markers and lists link the facility pages");
        assert!(!r.body.contains(">Occupied<") && !r.body.contains(">占用<"), "{lang}: no occupancy in public");
    }
    let r = send(&app, get("/board?region=420100&lang=en", "")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Virus-designated hospitals") && r.body.contains("Huoshenshan"));
    assert_eq!(send(&app, get("/board?region=99", "")).await.status, StatusCode::BAD_REQUEST);

    // The directory: a virus-designated hospital is not taking new non-virus patients.
    let r = send(&app, get("/directory?lang=en&region=420100&designation=virus_designated&service=icu", "")).await;
    assert!(r.body.contains("No (virus-designated"), "{}", r.body);
    assert!(!r.body.contains(r#"<span class="yes">"#), "none shows as taking new ICU patients");
    let r = send(&app, get("/directory?lang=en&region=420100&designation=virus_designated", "")).await;
    assert!(r.body.contains("Virus patients only"));
    let r =
        send(&app, get("/directory?lang=en&region=420100&designation=virus_designated&service=icu&takes_new=1", ""))
            .await;
    assert!(r.body.contains("No facility matches") || !r.body.contains("<tbody>"), "{}", r.body);
    let r = send(&app, get("/directory?lang=en&region=420100&service=isolation_ward&takes_new=1", "")).await;
    assert!(r.body.contains("Huoshenshan"), "virus care: the virus-designated hospitals take new patients");
}

#[tokio::test]
async fn coordinators_open_desk_accounts_for_facilities_picked_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&format!("sqlite://{}", dir.path().join("users.sqlite").display()), 4).await.unwrap();
    carebridge_store::migrate::run(&store).await.unwrap();
    let cb = Carebridge::new(store);
    cb.load_scenario(&carebridge_scenario::demo(1, cb.now(), &cb.regions)).await.unwrap();
    let state = AppState::new(cb);
    let app = crate::startup::router(state.clone());
    let cb = &state.cb;
    let union = facility_named(cb, "Wuhan Union Hospital (Union").await;
    let pumch = facility_named(cb, "Peking Union Medical College Hospital").await;

    // Only coordinators manage accounts.
    assert_eq!(send(&app, get("/users", "")).await.location(), "/login");
    let (desk, _) = sign_in(&app, "desk-union").await;
    assert_eq!(send(&app, get("/users", &desk)).await.status, StatusCode::FORBIDDEN);

    let (wuhan, csrf) = sign_in(&app, "wuhan").await;
    let en = send(&app, get("/users?lang=en", &wuhan)).await;
    assert_eq!(en.status, StatusCode::OK, "{}", en.body);
    assert!(en.body.contains(r#"href="/users""#), "the coordinator's nav has the page");
    assert!(en.body.contains("<th scope=\"row\">desk-union</th>") && en.body.contains("Capacity desk"), "{}", en.body);
    assert!(!en.body.contains("<th scope=\"row\">nhc</th>"), "the national coordinator is outside Wuhan's scope");
    assert!(en.body.contains(&format!(r#"<option value="{union}">Wuhan Union Hospital"#)), "picked by name");
    assert!(!en.body.contains(&pumch.to_string()), "Beijing's hospital is not offered to Wuhan");
    let zh = send(&app, get("/users?lang=zh&q=%E5%8D%8F%E5%92%8C", &wuhan)).await;
    assert!(zh.body.contains("账号管理") && zh.body.contains("床位上报台") && zh.body.contains("协和医院"));
    assert!(!zh.body.contains("facility_desk<") && !zh.body.contains(">facility_desk"), "no raw role key");

    // Every error at once, each beside its field and in the banner.
    let form = format!("csrf={csrf}&facility_id=&role=facility_desk&username=X&password=short");
    let r = send(&app, post("/users?lang=en", &wuhan, &form)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    for f in ["facility_id", "username", "password"] {
        assert!(r.body.contains(&format!(r#"data-field="{f}""#)), "{f}: {}", r.body);
    }
    let banner = &r.body[r.body.find(r#"class="alert""#).unwrap()..];
    let banner = &banner[..banner.find("</ul>").unwrap()];
    assert_eq!(banner.matches("<li>").count(), 3, "{banner}");
    assert!(r.body.contains(r#"value="X""#), "what was typed stays");

    // A facility outside the scope, posted by id, is refused beside the field.
    let form =
        format!("csrf={csrf}&facility_id={pumch}&role=facility_desk&username=desk-pumch&password=long-enough-pass");
    let r = send(&app, post("/users?lang=en", &wuhan, &form)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("choose a facility in your scope"), "{}", r.body);

    // A good one: created, listed, and it signs in to its facility's desk pages.
    let form = format!(
        "csrf={csrf}&facility_id={union}&role=facility_desk&username=desk-union-2&display_name=Night+desk&password=long-enough-pass"
    );
    let r = send(&app, post("/users?lang=en", &wuhan, &form)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/users?created=desk-union-2");
    let listed = send(&app, get("/users?created=desk-union-2&lang=en", &wuhan)).await;
    assert!(listed.body.contains("Account opened: desk-union-2") && listed.body.contains("Night desk"));
    let again = send(&app, post("/users?lang=en", &wuhan, &form)).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY, "a taken username: {}", again.body);
    assert!(again.body.contains(r#"data-field="username""#));
    let page = send(&app, get("/login", "")).await;
    let c = page.cookie_value("cb_csrf").unwrap();
    let login = format!("csrf={c}&username=desk-union-2&password=long-enough-pass");
    let res = send(&app, post("/login", &format!("cb_csrf={c}"), &login)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let new_desk = format!(
        "cb_session={}; cb_csrf={}",
        res.cookie_value("cb_session").unwrap(),
        res.cookie_value("cb_csrf").unwrap()
    );
    let form = send(&app, get("/desk/capacity?lang=en", &new_desk)).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("Wuhan Union Hospital"), "{}", form.body);
}
