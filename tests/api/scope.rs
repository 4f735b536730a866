//! Scope is in the query: each reader sees exactly its subtree or facility, and what lies
//! outside is "not found", never "forbidden".

use carebridge_e2e::app::assert_problem;
use carebridge_e2e::both_backends;

both_backends!(a_city_coordinator_reads_only_its_city, |app| async move {
    let demo = app.load_demo().await;
    let wuhan = app.get_all("/api/v1/capacity", Some("wuhan")).await;
    let expected =
        demo.scenario.facilities.iter().filter(|f| f.draft.region_code.to_string().starts_with("4201")).count();
    assert_eq!(wuhan.len(), expected);
    for c in &wuhan {
        assert!(c["region_code"].as_str().unwrap().starts_with("4201"), "outside Wuhan: {c}");
    }
    let union = app.get(&format!("/api/v1/facilities/{}/capacity", demo.union), Some("wuhan")).await;
    assert_eq!(union.status, 200, "{}", union.text);

    for id in [demo.beijing, demo.huanggang] {
        for path in [format!("/api/v1/facilities/{id}/capacity"), format!("/api/v1/facilities/{id}/capacity/reports")] {
            assert_problem(&app.get(&path, Some("wuhan")).await, 404);
        }
    }
    assert_problem(&app.get("/api/v1/capacity?region=110000", Some("wuhan")).await, 404);
    // The public directory still lists Beijing: scope guards capacity, not the directory.
    assert_eq!(app.get(&format!("/api/v1/facilities/{}", demo.beijing), Some("wuhan")).await.status, 200);

    let hubei = app.get_all("/api/v1/capacity", Some("hubei")).await;
    assert!(hubei.len() > wuhan.len());
    assert!(hubei.iter().all(|c| c["region_code"].as_str().unwrap().starts_with("42")));
    let beijing = app.get_all("/api/v1/capacity", Some("beijing")).await;
    assert!(!beijing.is_empty());
    assert!(beijing.iter().all(|c| c["region_code"].as_str().unwrap().starts_with("11")));
});

both_backends!(a_desk_and_a_clinician_see_only_their_facility, |app| async move {
    let demo = app.load_demo().await;
    let union = demo.union.to_string();
    for user in ["desk-union", "dr-union"] {
        let list = app.get_all("/api/v1/capacity", Some(user)).await;
        assert_eq!(list.len(), 1, "{user}");
        assert_eq!(list[0]["facility_id"], union.as_str());
        assert_eq!(app.get(&format!("/api/v1/facilities/{union}/capacity"), Some(user)).await.status, 200);
        assert_eq!(app.get(&format!("/api/v1/facilities/{union}/capacity/reports"), Some(user)).await.status, 200);
        for other in [demo.jinyintan, demo.beijing] {
            assert_problem(&app.get(&format!("/api/v1/facilities/{other}/capacity"), Some(user)).await, 404);
        }
        // Narrowing by a region that holds their facility keeps it; any other region is empty
        // of anything they may see.
        for region in ["420103", "420100", "420000"] {
            let r = app.get(&format!("/api/v1/capacity?region={region}"), Some(user)).await;
            assert_eq!(r.status, 200, "{user} in {region}: {}", r.text);
            assert_eq!(r.items().len(), 1);
            assert_eq!(r.items()[0]["facility_id"], union.as_str());
        }
        for region in ["420112", "110000"] {
            assert_problem(&app.get(&format!("/api/v1/capacity?region={region}"), Some(user)).await, 404);
        }
    }
});

both_backends!(patients_do_not_read_capacity, |app| async move {
    let demo = app.load_demo().await;
    for path in [
        "/api/v1/capacity".to_string(),
        format!("/api/v1/facilities/{}/capacity", demo.union),
        format!("/api/v1/facilities/{}/capacity/reports", demo.union),
        "/api/v1/capacity/series".to_string(),
    ] {
        assert_problem(&app.get(&path, Some("patient-demo")).await, 403);
    }
    // The directory is open to them, as to everyone.
    assert_eq!(app.get("/api/v1/facilities", Some("patient-demo")).await.status, 200);
});

both_backends!(unknown_and_malformed_ids_are_not_found, |app| async move {
    app.load_demo().await;
    for path in [
        "/api/v1/facilities/not-a-uuid",
        "/api/v1/facilities/01900000-0000-7000-8000-000000000000",
        "/api/v1/facilities/01900000-0000-7000-8000-000000000000/capacity",
        "/api/v1/designation-orders/not-a-uuid",
        "/api/v1/users/01900000-0000-7000-8000-000000000000",
        "/api/v1/regions/999999",
    ] {
        assert_problem(&app.get(path, Some("nhc")).await, 404);
    }
});
