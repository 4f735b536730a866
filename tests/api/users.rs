//! `/users`: coordinators create roles below their own inside their region; listing follows
//! scope; usernames are unique.

use carebridge_e2e::app::{assert_invalid, assert_problem, TestApp, DEMO_PASSWORD};
use carebridge_e2e::both_backends;
use carebridge_e2e::fixtures::new_user;
use serde_json::Value;

/// Whether a listed user sits in Wuhan: a region scope under 4201, or a facility in Wuhan.
fn in_wuhan(user: &Value, wuhan_facilities: &[String]) -> bool {
    match user["scope"]["kind"].as_str() {
        Some("region") => user["scope"]["id"].as_str().is_some_and(|c| c.starts_with("4201")),
        Some("facility") => wuhan_facilities.iter().any(|f| user["scope"]["id"] == f.as_str()),
        _ => false,
    }
}

async fn wuhan_facility_ids(app: &TestApp) -> Vec<String> {
    app.get_all("/api/v1/facilities?region=420100", None)
        .await
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect()
}

both_backends!(a_city_coordinator_creates_desks_in_its_city, |app| async move {
    let demo = app.load_demo().await;
    let jinyintan = demo.jinyintan.to_string();
    let r = app
        .post_json("/api/v1/users", Some("wuhan"), &new_user("desk-jinyintan", "facility_desk", Some(&jinyintan)))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["username"], "desk-jinyintan");
    assert_eq!(r.json["role"], "facility_desk");
    assert_eq!(r.json["scope"]["kind"], "facility");
    assert_eq!(r.json["scope"]["id"], jinyintan.as_str());
    assert!(r.json.get("password").is_none() && !r.text.contains("a-long-enough-password"), "no secret echoed");

    // The new desk signs in and reports for its facility only.
    let token = app.fresh_token("desk-jinyintan", "a-long-enough-password").await;
    let me = app.send(app.request(reqwest::Method::GET, "/api/v1/auth/me").bearer_auth(&token)).await;
    assert_eq!(me.json["role"], "facility_desk");
    let one = app.get(&format!("/api/v1/users/{}", r.json["id"].as_str().unwrap()), Some("wuhan")).await;
    assert_eq!(one.status, 200, "{}", one.text);

    let clinician =
        app.post_json("/api/v1/users", Some("wuhan"), &new_user("dr-jinyintan", "clinician", Some(&jinyintan))).await;
    assert_eq!(clinician.status, 201, "{}", clinician.text);
});

both_backends!(coordinators_cannot_create_above_themselves_or_outside, |app| async move {
    let demo = app.load_demo().await;
    let forbidden = [
        new_user("new-nhc", "national_coordinator", None),
        new_user("new-auditor", "auditor", None),
        new_user("new-hubei", "provincial_coordinator", Some("420000")),
        new_user("new-wuhan", "city_coordinator", Some("420100")),
    ];
    for body in &forbidden {
        let r = app.post_json("/api/v1/users", Some("wuhan"), body).await;
        assert_problem(&r, 403);
    }
    let beijing_desk = app
        .post_json(
            "/api/v1/users",
            Some("wuhan"),
            &new_user("desk-pumch", "facility_desk", Some(&demo.beijing.to_string())),
        )
        .await;
    assert_invalid(&beijing_desk, "/scope");
    let huanggang_desk = app
        .post_json(
            "/api/v1/users",
            Some("wuhan"),
            &new_user("desk-hg", "facility_desk", Some(&demo.huanggang.to_string())),
        )
        .await;
    assert_invalid(&huanggang_desk, "/scope");
    // The province may: a city coordinator and a desk anywhere in Hubei.
    let hubei_city =
        app.post_json("/api/v1/users", Some("hubei"), &new_user("huanggang", "city_coordinator", Some("421100"))).await;
    assert_eq!(hubei_city.status, 201, "{}", hubei_city.text);
    let hubei_desk = app
        .post_json(
            "/api/v1/users",
            Some("hubei"),
            &new_user("desk-hg", "facility_desk", Some(&demo.huanggang.to_string())),
        )
        .await;
    assert_eq!(hubei_desk.status, 201, "{}", hubei_desk.text);
    let hubei_in_beijing =
        app.post_json("/api/v1/users", Some("hubei"), &new_user("bj-city", "city_coordinator", Some("110000"))).await;
    assert_invalid(&hubei_in_beijing, "/scope");

    for user in ["desk-union", "dr-union", "auditor", "patient-demo"] {
        let r = app
            .post_json(
                "/api/v1/users",
                Some(user),
                &new_user("someone-new", "facility_desk", Some(&demo.union.to_string())),
            )
            .await;
        assert_problem(&r, 403);
    }
    for user in ["new-nhc", "new-auditor", "new-hubei", "new-wuhan", "desk-pumch", "bj-city", "someone-new"] {
        let r = app
            .post_json(
                "/api/v1/auth/token",
                None,
                &serde_json::json!({"username": user, "password": "a-long-enough-password"}),
            )
            .await;
        assert_eq!(r.status, 401, "{user} must not exist");
    }
});

both_backends!(usernames_are_unique_and_checked, |app| async move {
    let demo = app.load_demo().await;
    let union = demo.union.to_string();
    let first =
        app.post_json("/api/v1/users", Some("wuhan"), &new_user("desk-union-2", "facility_desk", Some(&union))).await;
    assert_eq!(first.status, 201, "{}", first.text);
    let again =
        app.post_json("/api/v1/users", Some("wuhan"), &new_user("desk-union-2", "facility_desk", Some(&union))).await;
    assert_problem(&again, 409);
    let demo_name =
        app.post_json("/api/v1/users", Some("nhc"), &new_user("desk-union", "facility_desk", Some(&union))).await;
    assert_problem(&demo_name, 409);
    // The existing account is untouched.
    assert!(app.fresh_token("desk-union", DEMO_PASSWORD).await.starts_with("cb_"));

    let bad_name =
        app.post_json("/api/v1/users", Some("wuhan"), &new_user("Desk Union", "facility_desk", Some(&union))).await;
    assert_invalid(&bad_name, "/username");
    let mut short = new_user("desk-short", "facility_desk", Some(&union));
    short["password"] = serde_json::json!("short");
    assert_invalid(&app.post_json("/api/v1/users", Some("wuhan"), &short).await, "/password");
    let no_scope = app.post_json("/api/v1/users", Some("wuhan"), &new_user("desk-none", "facility_desk", None)).await;
    assert_invalid(&no_scope, "/scope");
    let bad_role = app.post_json("/api/v1/users", Some("wuhan"), &new_user("desk-x", "janitor", Some(&union))).await;
    assert_invalid(&bad_role, "/role");
});

both_backends!(user_lists_follow_scope, |app| async move {
    let demo = app.load_demo().await;
    let created = app
        .post_json(
            "/api/v1/users",
            Some("wuhan"),
            &new_user("desk-jinyintan", "facility_desk", Some(&demo.jinyintan.to_string())),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let wuhan_facilities = wuhan_facility_ids(&app).await;

    let wuhan = app.get_all("/api/v1/users", Some("wuhan")).await;
    let names: Vec<&str> = wuhan.iter().map(|u| u["username"].as_str().unwrap()).collect();
    for expected in ["wuhan", "desk-union", "dr-union", "desk-jinyintan"] {
        assert!(names.contains(&expected), "{expected} missing from {names:?}");
    }
    for u in &wuhan {
        assert!(in_wuhan(u, &wuhan_facilities), "not placed in Wuhan: {u}");
    }
    for outside in ["nhc", "hubei", "beijing", "auditor", "patient-demo"] {
        assert!(!names.contains(&outside), "{outside} listed to wuhan");
    }

    let all = app.get_all("/api/v1/users", Some("auditor")).await;
    let all_names: Vec<&str> = all.iter().map(|u| u["username"].as_str().unwrap()).collect();
    for expected in [
        "nhc",
        "hubei",
        "wuhan",
        "beijing",
        "shanghai",
        "desk-union",
        "dr-union",
        "auditor",
        "patient-demo",
        "desk-jinyintan",
    ] {
        assert!(all_names.contains(&expected), "{expected} missing from {all_names:?}");
    }
    let hubei = app.get_all("/api/v1/users", Some("hubei")).await;
    assert!(hubei.len() > wuhan.len(), "hubei sees itself and Wuhan's users");

    // Pages of 2 walk the same list.
    let mut paged = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/users?limit=2&cursor={c}"),
            None => "/api/v1/users?limit=2".to_string(),
        };
        let r = app.get(&path, Some("auditor")).await;
        paged.extend(r.items().iter().map(|u| u["username"].as_str().unwrap().to_string()));
        match r.json["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(paged, all_names);

    for user in ["desk-union", "dr-union", "patient-demo"] {
        assert_problem(&app.get("/api/v1/users", Some(user)).await, 403);
    }
    // Everyone reads themself; a coordinator reads no one outside.
    let me = app.get("/api/v1/auth/me", Some("patient-demo")).await;
    let self_read =
        app.get(&format!("/api/v1/users/{}", me.json["user_id"].as_str().unwrap()), Some("patient-demo")).await;
    assert_eq!(self_read.status, 200, "{}", self_read.text);
    let beijing = all.iter().find(|u| u["username"] == "beijing").unwrap();
    let r = app.get(&format!("/api/v1/users/{}", beijing["id"].as_str().unwrap()), Some("wuhan")).await;
    assert_problem(&r, 404);
});
