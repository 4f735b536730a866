//! `/facilities`: the public directory (filters, pagination), registration by coordinators of
//! the region, updates under `If-Match`, and `Idempotency-Key` on creation.

use carebridge_domain::designation::Designation;
use carebridge_domain::facility::FacilityLevel;
use carebridge_e2e::app::{assert_invalid, assert_problem, TestApp};
use carebridge_e2e::both_backends;
use carebridge_e2e::fixtures::facility_draft;
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::HashSet;

fn ids(items: &[Value]) -> Vec<String> {
    items.iter().map(|f| f["id"].as_str().expect("id").to_string()).collect()
}

async fn list(app: &TestApp, query: &str) -> Vec<Value> {
    let r = app.get(&format!("/api/v1/facilities?limit=500&{query}"), None).await;
    assert_eq!(r.status, 200, "{query}: {}", r.text);
    assert!(r.json["next_cursor"].is_null(), "the demo fits one page of 500");
    r.items().to_vec()
}

both_backends!(the_directory_is_public_and_filters_by_region, |app| async move {
    let demo = app.load_demo().await;
    let all = list(&app, "").await;
    assert_eq!(all.len(), demo.scenario.facilities.len());

    let wuhan = list(&app, "region=420100").await;
    let expected =
        demo.scenario.facilities.iter().filter(|f| f.draft.region_code.to_string().starts_with("4201")).count();
    assert_eq!(wuhan.len(), expected);
    assert!(wuhan.len() > 60, "the demo has most of its facilities in Wuhan");
    for f in &wuhan {
        assert!(f["region_code"].as_str().unwrap().starts_with("4201"), "{f}");
    }
    // A district narrows further; a province widens.
    let jianghan = list(&app, "region=420103").await;
    assert!(jianghan.iter().all(|f| f["region_code"] == "420103"));
    assert!(ids(&jianghan).contains(&demo.union.to_string()));
    let hubei = list(&app, "region=420000").await;
    assert!(hubei.len() > wuhan.len());
    assert!(hubei.iter().all(|f| f["region_code"].as_str().unwrap().starts_with("42")));
});

both_backends!(the_directory_filters_by_service_designation_level_and_intake, |app| async move {
    let demo = app.load_demo().await;
    let now = app.cb.now();

    let dialysis = list(&app, "service=dialysis").await;
    assert!(!dialysis.is_empty());
    for f in &dialysis {
        assert!(f["services"].as_array().unwrap().iter().any(|s| s == "dialysis"), "{f}");
    }
    let expected = demo
        .scenario
        .facilities
        .iter()
        .filter(|f| f.draft.services.contains(&carebridge_domain::service_kind::ServiceKind::Dialysis))
        .count();
    assert_eq!(dialysis.len(), expected);

    let virus = list(&app, "designation=virus_designated&region=420100").await;
    let expected = demo
        .scenario
        .facilities
        .iter()
        .filter(|f| f.draft.region_code.to_string().starts_with("4201"))
        .filter(|f| f.designation_at(now) == Designation::VirusDesignated)
        .count();
    assert!(expected >= 46, "the demo designates at least 46 Wuhan hospitals for the virus");
    assert_eq!(virus.len(), expected);
    assert!(virus.iter().all(|f| f["designation"] == "virus_designated"));

    let temporary = list(&app, "level=temporary").await;
    let expected = demo.scenario.facilities.iter().filter(|f| f.draft.level == FacilityLevel::Temporary).count();
    assert!(expected > 0);
    assert_eq!(temporary.len(), expected);
    assert!(temporary.iter().all(|f| f["level"] == "temporary"));

    // Every demo facility takes new patients; register one that does not.
    assert_eq!(list(&app, "takes_new_patients=false").await.len(), 0);
    let mut draft = facility_draft("420103", "暂停收治");
    draft["takes_new_patients"] = json!(false);
    let created = app.post_json("/api/v1/facilities", Some("wuhan"), &draft).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let closed = list(&app, "takes_new_patients=false").await;
    assert_eq!(ids(&closed), vec![created.json["id"].as_str().unwrap().to_string()]);
    assert_eq!(list(&app, "takes_new_patients=true").await.len(), demo.scenario.facilities.len());

    // Filters combine with AND.
    let both = list(&app, "region=420100&level=temporary&service=isolation_ward").await;
    for f in &both {
        assert!(f["region_code"].as_str().unwrap().starts_with("4201"));
        assert_eq!(f["level"], "temporary");
        assert!(f["services"].as_array().unwrap().iter().any(|s| s == "isolation_ward"));
    }
});

both_backends!(the_directory_searches_chinese_and_english_text_case_insensitively, |app| async move {
    let demo = app.load_demo().await;
    let union = demo.union.to_string();

    let zh = list(&app, "q=%E5%8D%8F%E5%92%8C").await; // 协和
    assert!(ids(&zh).contains(&union));
    assert!(ids(&zh).contains(&demo.beijing.to_string()), "北京协和医院 matches too");
    for f in &zh {
        let text = format!("{} {} {}", f["name_zh"], f["name_en"], f["address"]);
        assert!(text.contains("协和"), "{text}");
    }

    let lower = list(&app, "q=union%20hospital").await;
    let upper = list(&app, "q=UNION%20HOSPITAL").await;
    let mixed = list(&app, "q=Union%20Hospital").await;
    assert!(ids(&lower).contains(&union));
    assert_eq!(ids(&lower), ids(&upper));
    assert_eq!(ids(&lower), ids(&mixed));
    for f in &lower {
        let text = format!("{} {} {}", f["name_zh"], f["name_en"], f["address"]).to_lowercase();
        assert!(text.contains("union hospital"), "{text}");
    }

    // LIKE wildcards in the text are literal.
    assert_eq!(list(&app, "q=%25").await.len(), 0);
    assert_eq!(list(&app, "q=_").await.len(), 0);
    assert_eq!(list(&app, "q=no-such-hospital-anywhere").await.len(), 0);
});

both_backends!(pagination_walks_every_facility_once, |app| async move {
    app.load_demo().await;
    let total = list(&app, "").await.len();
    assert_eq!(total as i64, app.facility_count().await);

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/facilities?limit=7&cursor={c}"),
            None => "/api/v1/facilities?limit=7".to_string(),
        };
        let r = app.get(&path, None).await;
        assert_eq!(r.status, 200, "{}", r.text);
        pages += 1;
        let page = ids(r.items());
        assert!(page.len() <= 7);
        seen.extend(page);
        match r.json["next_cursor"].as_str() {
            Some(c) => {
                assert_eq!(r.items().len(), 7, "only the last page may be short");
                cursor = Some(c.to_string());
            }
            None => break,
        }
        assert!(pages < 1000, "pagination does not end");
    }
    let unique: HashSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "a facility appeared twice");
    assert_eq!(seen.len(), total);
    assert_eq!(pages, total.div_ceil(7));
});

both_backends!(bad_query_parameters_are_problems_naming_the_parameter, |app| async move {
    app.load_demo().await;
    let bad_cursor = app.get("/api/v1/facilities?cursor=zz", None).await;
    assert!(matches!(bad_cursor.status, 400 | 422), "{}", bad_cursor.text);
    assert_problem(&bad_cursor, bad_cursor.status);
    assert!(bad_cursor.pointers().contains(&"/cursor".to_string()), "{}", bad_cursor.text);

    let bad_region = app.get("/api/v1/facilities?region=999999", None).await;
    assert_invalid(&bad_region, "/region");
    // Not even the shape of a code: a malformed parameter (400), as the document's enumeration says.
    let not_a_code = app.get("/api/v1/facilities?region=wuhan", None).await;
    assert_problem(&not_a_code, 400);
    assert!(not_a_code.pointers().contains(&"/region".to_string()), "{}", not_a_code.text);

    let bad_service = app.get("/api/v1/facilities?service=acupuncture", None).await;
    assert_problem(&bad_service, 400);
    assert!(bad_service.pointers().contains(&"/service".to_string()), "{}", bad_service.text);

    let unknown = app.get("/api/v1/facilities?colour=red", None).await;
    assert_problem(&unknown, 400);

    let bad_limit = app.get("/api/v1/facilities?limit=0", None).await;
    assert_invalid(&bad_limit, "/limit");
    let too_many = app.get("/api/v1/facilities?limit=501", None).await;
    assert_invalid(&too_many, "/limit");
});

both_backends!(a_city_coordinator_registers_facilities_in_its_city_only, |app| async move {
    app.load_demo().await;
    let before = app.facility_count().await;
    let draft = facility_draft("420103", "江汉");
    let r = app.post_json("/api/v1/facilities", Some("wuhan"), &draft).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json["id"].as_str().expect("id").to_string();
    assert_eq!(r.header("location"), Some(format!("/api/v1/facilities/{id}").as_str()));
    assert_eq!(r.header("etag"), Some("\"1\""));
    assert_eq!(r.json["version"], 1);
    assert_eq!(r.json["designation"], "general");
    assert_eq!(r.json["name_zh"], draft["name_zh"]);
    assert_eq!(r.json["services"], json!(["isolation_ward", "respiratory"]), "services come back sorted");
    assert_eq!(app.facility_count().await, before + 1);

    let fetched = app.get(r.header("location").unwrap(), None).await;
    assert_eq!(fetched.status, 200);
    assert_eq!(fetched.json, r.json);
    assert_eq!(fetched.header("etag"), Some("\"1\""));

    let beijing = app.post_json("/api/v1/facilities", Some("wuhan"), &facility_draft("110101", "东城")).await;
    assert_invalid(&beijing, "/region_code");
    let hubei_elsewhere = app.post_json("/api/v1/facilities", Some("wuhan"), &facility_draft("421102", "黄州")).await;
    assert_invalid(&hubei_elsewhere, "/region_code");
    let desk = app.post_json("/api/v1/facilities", Some("desk-union"), &facility_draft("420103", "江汉")).await;
    assert_problem(&desk, 403);
    let anonymous = app.post_json("/api/v1/facilities", None, &facility_draft("420103", "江汉")).await;
    assert_problem(&anonymous, 401);
    assert_eq!(app.facility_count().await, before + 1, "refused requests wrote nothing");
});

both_backends!(invalid_facilities_are_refused_with_pointers_and_nothing_is_written, |app| async move {
    app.load_demo().await;
    app.sign_in(&["wuhan"]).await;
    let before = app.facility_count().await;
    let audit_before = app.audit_count().await;
    let valid = facility_draft("420103", "校验");
    let cases: Vec<(&str, Value, Vec<&str>)> = vec![
        ("empty name", with(&valid, "/name_zh", json!("  ")), vec!["/name_zh"]),
        ("longitude 200", with(&valid, "/location/lon", json!(200.0)), vec!["/location/lon"]),
        ("latitude -91", with(&valid, "/location/lat", json!(-91.0)), vec!["/location/lat"]),
        (
            "both names empty",
            with(&with(&valid, "/name_zh", json!("")), "/name_en", json!("")),
            vec!["/name_zh", "/name_en"],
        ),
        ("name too long", with(&valid, "/name_en", json!("x".repeat(201))), vec!["/name_en"]),
        ("wrong type", with(&valid, "/name_zh", json!(5)), vec!["/name_zh"]),
        ("not a region code", with(&valid, "/region_code", json!("4201")), vec!["/region_code"]),
        ("unknown region", with(&valid, "/region_code", json!("429999")), vec!["/region_code"]),
        ("unknown level", with(&valid, "/level", json!("quaternary")), vec!["/level"]),
        ("unknown service", with(&valid, "/services/0", json!("acupuncture")), vec!["/services/0"]),
    ];
    for (what, body, pointers) in cases {
        let r = app.post_json("/api/v1/facilities", Some("wuhan"), &body).await;
        assert_problem(&r, 422);
        for p in pointers {
            assert!(r.pointers().iter().any(|x| x == p), "{what}: expected {p} in {}", r.text);
        }
    }
    let mut unknown_field = valid.clone();
    unknown_field["colour"] = json!("red");
    let r = app.post_json("/api/v1/facilities", Some("wuhan"), &unknown_field).await;
    assert_invalid(&r, "/colour");
    let mut missing = valid.clone();
    missing.as_object_mut().unwrap().remove("level");
    let r = app.post_json("/api/v1/facilities", Some("wuhan"), &missing).await;
    assert_invalid(&r, "/level"); // a missing field is pointed at by name
    assert!(r.json["errors"][0]["detail"].as_str().unwrap_or("").contains("`level`"), "{}", r.text);

    assert_eq!(app.facility_count().await, before, "nothing was written");
    assert_eq!(app.audit_count().await, audit_before, "nothing was audited");
});

/// `v` with the value at JSON pointer `pointer` replaced.
fn with(v: &Value, pointer: &str, new: Value) -> Value {
    let mut out = v.clone();
    *out.pointer_mut(pointer).unwrap_or_else(|| panic!("{pointer} in {v}")) = new;
    out
}

both_backends!(updates_need_the_current_etag, |app| async move {
    app.load_demo().await;
    let created = app.post_json("/api/v1/facilities", Some("wuhan"), &facility_draft("420103", "更新")).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let path = format!("/api/v1/facilities/{}", created.json["id"].as_str().unwrap());
    let mut draft = facility_draft("420103", "更新");
    draft["phone"] = json!("027-12345678");

    let missing = app.put_json(&path, Some("wuhan"), &draft).await;
    assert_problem(&missing, 428);

    let put = |etag: &'static str, body: Value| {
        let app = &app;
        let path = path.clone();
        async move {
            let rb = app.request_as(Method::PUT, &path, Some("wuhan")).await.header("if-match", etag).json(&body);
            app.send(rb).await
        }
    };
    let ok = put("\"1\"", draft.clone()).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.header("etag"), Some("\"2\""));
    assert_eq!(ok.json["phone"], "027-12345678");
    assert_eq!(ok.json["version"], 2);

    let stale = put("\"1\"", draft.clone()).await;
    assert_problem(&stale, 412);
    // Not an ETag at all: a malformed header (400), not a stale one.
    let garbage = put("\"abc\"", draft.clone()).await;
    assert_problem(&garbage, 400);
    assert!(garbage.pointers().contains(&"/headers/if-match".to_string()), "{}", garbage.text);

    let weak = put("W/\"2\"", draft.clone()).await;
    assert_eq!(weak.status, 200, "a weak ETag names the version too: {}", weak.text);
    assert_eq!(weak.header("etag"), Some("\"3\""));

    let fetched = app.get(&path, None).await;
    assert_eq!(fetched.header("etag"), Some("\"3\""));
    assert_eq!(fetched.json["phone"], "027-12345678");

    // A facility outside Wuhan is not found, whatever the body says.
    let beijing = app.get("/api/v1/facilities?region=110000&limit=1", None).await;
    let beijing_path = format!("/api/v1/facilities/{}", beijing.items()[0]["id"].as_str().unwrap());
    let rb = app.request_as(Method::PUT, &beijing_path, Some("wuhan")).await.header("if-match", "\"1\"");
    assert_problem(&app.send(rb.json(&facility_draft("110101", "东城"))).await, 404);
    let rb = app.request_as(Method::PUT, &beijing_path, Some("wuhan")).await.header("if-match", "\"1\"");
    assert_problem(&app.send(rb.json(&facility_draft("420103", "江汉"))).await, 404);

    // Moving it out of Wuhan is refused, and the refusal writes nothing.
    let away = put("\"3\"", facility_draft("110101", "更新")).await;
    assert_invalid(&away, "/region_code");
    assert_eq!(app.get(&path, None).await.header("etag"), Some("\"3\""));
});

both_backends!(idempotency_keys_make_creation_safe_to_retry, |app| async move {
    app.load_demo().await;
    let before = app.facility_count().await;
    let draft = facility_draft("420103", "幂等");
    let post = |user: &'static str, key: &'static str, body: Value| {
        let app = &app;
        async move {
            let rb = app
                .request_as(Method::POST, "/api/v1/facilities", Some(user))
                .await
                .header("idempotency-key", key)
                .json(&body);
            app.send(rb).await
        }
    };
    let first = post("wuhan", "create-shelter-1", draft.clone()).await;
    assert_eq!(first.status, 201, "{}", first.text);
    assert!(first.header("idempotent-replayed").is_none());
    let second = post("wuhan", "create-shelter-1", draft.clone()).await;
    assert_eq!(second.status, 201, "{}", second.text);
    assert_eq!(second.header("idempotent-replayed"), Some("true"));
    assert_eq!(second.json, first.json, "the replay is the first answer");
    assert_eq!(second.header("location"), first.header("location"));
    assert_eq!(second.header("etag"), first.header("etag"));
    assert_eq!(app.facility_count().await, before + 1, "one facility for two requests");

    let other_body = post("wuhan", "create-shelter-1", facility_draft("420103", "别的")).await;
    assert_problem(&other_body, 422);
    assert!(other_body.pointers().contains(&"/headers/idempotency-key".to_string()), "{}", other_body.text);
    assert_eq!(app.facility_count().await, before + 1);

    // Keys belong to a user: another coordinator's identical key is another request.
    let hubei = post("hubei", "create-shelter-1", draft.clone()).await;
    assert_eq!(hubei.status, 201, "{}", hubei.text);
    assert!(hubei.header("idempotent-replayed").is_none());
    assert_ne!(hubei.json["id"], first.json["id"]);
    assert_eq!(app.facility_count().await, before + 2);

    // A refused request is replayed as refused, not run again.
    let refused = post("wuhan", "create-in-beijing", facility_draft("110101", "东城")).await;
    assert_invalid(&refused, "/region_code");
    let refused_again = post("wuhan", "create-in-beijing", facility_draft("110101", "东城")).await;
    assert_eq!(refused_again.status, 422);
    assert_eq!(refused_again.json, refused.json);
    assert_eq!(app.facility_count().await, before + 2);

    let bad_key = app
        .send(
            app.request_as(Method::POST, "/api/v1/facilities", Some("wuhan"))
                .await
                .header("idempotency-key", "")
                .json(&draft),
        )
        .await;
    assert_problem(&bad_key, 400);
});
