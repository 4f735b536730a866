//! The FHIR R4 facade over HTTP, against the demo scenario on a temporary SQLite file.
//!
//! Every answer is parsed back with fhirbolt (strict mode) as the resource type it claims to
//! be, so "the facade speaks R4" is checked by an independent R4 reader, not by our own
//! mappings. `conformance` reads the CapabilityStatement and exercises everything it
//! declares; `handling` covers `Prefer: handling`, `_count` and `_summary` on every type.

mod conformance;
mod handling;
mod support;

use fhirbolt::model::r4::resources::{CapabilityStatement, HealthcareService, Location, MeasureReport, Organization};
use fhirbolt::model::r4::Resource;
use reqwest::StatusCode;
use std::collections::BTreeSet;
use support::*;

fn organizations(b: &Searchset) -> Vec<&Organization> {
    b.resources
        .iter()
        .map(|r| match r {
            Resource::Organization(o) => &**o,
            other => panic!("expected Organization, got {other:?}"),
        })
        .collect()
}

fn id_of(id: &Option<fhirbolt::model::r4::types::Id>) -> String {
    id.as_ref().and_then(|i| i.value.clone()).expect("resource has an id")
}

#[tokio::test]
async fn metadata_is_an_r4_capability_statement() {
    let a = get("/fhir/metadata").await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.content_type, "application/fhir+json; charset=utf-8");
    let cs: CapabilityStatement = a.parse();
    assert_eq!(cs.fhir_version.value.as_deref(), Some("4.0.1"));
    assert_eq!(cs.kind.value.as_deref(), Some("instance"));
    let url = cs.implementation.as_ref().and_then(|i| i.url.as_ref()).and_then(|u| u.value.clone()).unwrap();
    assert_eq!(url, format!("{}/fhir", demo_server().base), "the public URL, by default the listen address");
    let types: BTreeSet<_> = cs.rest[0].resource.iter().filter_map(|r| r.r#type.value.clone()).collect();
    for t in ["Organization", "Location", "HealthcareService", "MeasureReport", "ServiceRequest", "Task"] {
        assert!(types.contains(t), "{t} missing from {types:?}");
    }

    // `_format=json`, plain JSON and wildcards are fine; anything else is 406.
    assert_eq!(get("/fhir/metadata?_format=json").await.status, StatusCode::OK);
    let any = request(reqwest::Method::GET, "/fhir/metadata", Opts { accept: Some("*/*"), ..Opts::default() }).await;
    assert_eq!(any.status, StatusCode::OK);
    let xml_only = Opts { accept: Some("application/fhir+xml"), ..Opts::default() };
    let xml = request(reqwest::Method::GET, "/fhir/metadata", xml_only).await;
    xml.outcome(StatusCode::NOT_ACCEPTABLE);
    get("/fhir/metadata?_format=xml").await.outcome(StatusCode::NOT_ACCEPTABLE);
}

#[tokio::test]
async fn organization_read_and_search_by_chinese_name() {
    let d = demo_server();
    let b = searchset(&get(&format!("/fhir/Organization?name={}", enc("协和医院"))).await);
    let orgs = organizations(&b);
    let union = orgs.iter().find(|o| id_of(&o.id) == d.union_id).expect("Wuhan Union Hospital is found");
    assert_eq!(union.name.as_ref().and_then(|n| n.value.as_deref()), Some(UNION_NAME));
    for o in &orgs {
        let name = o.name.as_ref().and_then(|n| n.value.clone()).unwrap();
        assert!(name.contains("协和医院"), "{name} does not match the name filter");
    }
    // Entries are addressed by absolute fullUrl.
    let full = b.bundle.entry.iter().filter_map(|e| e.full_url.as_ref()?.value.clone()).collect::<Vec<_>>();
    assert!(full.contains(&format!("{}/fhir/Organization/{}", d.base, d.union_id)), "{full:?}");

    // English names match too, case-insensitively.
    let en = searchset(&get("/fhir/Organization?name=wuhan%20UNION").await);
    assert!(organizations(&en).iter().any(|o| id_of(&o.id) == d.union_id));

    let read = get(&format!("/fhir/Organization/{}", d.union_id)).await;
    assert_eq!(read.status, StatusCode::OK);
    let o: Organization = read.parse();
    assert_eq!(id_of(&o.id), d.union_id);
    let city = o.address[0].city.as_ref().and_then(|c| c.value.clone());
    assert_eq!(city.as_deref(), Some("武汉市"));

    // `_id` finds exactly that one.
    let by_id = searchset(&get(&format!("/fhir/Organization?_id={}", d.union_id)).await);
    assert_eq!(
        organizations(&by_id).iter().map(|o| id_of(&o.id)).collect::<Vec<_>>(),
        std::slice::from_ref(&d.union_id)
    );
}

#[tokio::test]
async fn address_city_by_code_or_name_is_the_same_subtree() {
    let d = demo_server();
    let (by_code, _) = walk("/fhir/Organization?address-city=420100&_count=500", 500).await;
    let (by_name, _) = walk(&format!("/fhir/Organization?address-city={}&_count=500", enc("武汉市")), 500).await;
    assert!(!by_code.is_empty());
    assert!(by_code.contains(&d.union_id));
    assert_eq!(by_code, by_name);

    let (province, _) = walk(&format!("/fhir/Organization?address-state={}&_count=500", enc("湖北省")), 500).await;
    let province: BTreeSet<_> = province.into_iter().collect();
    assert!(by_code.iter().all(|id| province.contains(id)), "Wuhan lies in Hubei");
    assert!(province.len() > by_code.len(), "Hubei has more than Wuhan");

    // Every Wuhan facility's address says so.
    let b = searchset(&get("/fhir/Organization?address-city=420100&_count=500").await);
    for o in organizations(&b) {
        assert_eq!(o.address[0].city.as_ref().and_then(|c| c.value.as_deref()), Some("武汉市"));
    }

    // A city and a province that do not contain each other match nothing.
    let none = searchset(&get("/fhir/Organization?address-city=420100&address-state=110000").await);
    assert!(none.resources.is_empty());
    // An unknown region is a bad parameter.
    let e = get("/fhir/Organization?address-city=Atlantis").await.outcome(StatusCode::BAD_REQUEST);
    assert!(e.contains("address-city"), "{e}");
}

#[tokio::test]
async fn paging_walks_next_links() {
    let (all, one_page) = walk("/fhir/Organization?address-city=420100&_count=500", 500).await;
    assert_eq!(one_page, 1);
    assert!(all.len() > 10, "enough Wuhan facilities to page");

    let first = searchset(&get("/fhir/Organization?address-city=420100&_count=5").await);
    assert_eq!(first.resources.len(), 5);
    let next = first.link("next").expect("a next link");
    assert!(next.starts_with(&format!("{}/fhir/Organization?", demo_server().base)), "{next}");
    assert!(next.contains("_page_token=") && next.contains("_count=5") && next.contains("address-city=420100"));

    let (paged, pages) = walk("/fhir/Organization?address-city=420100&_count=5", 5).await;
    assert_eq!(paged, all, "paging neither skips nor repeats");
    assert_eq!(pages, all.len().div_ceil(5), "no empty trailing page");

    // A token we did not issue is a bad parameter.
    get("/fhir/Organization?_page_token=zz").await.outcome(StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn location_has_position_and_searches_by_organization() {
    let d = demo_server();
    let a = get(&format!("/fhir/Location/{}", d.union_id)).await;
    assert_eq!(a.status, StatusCode::OK);
    let l: Location = a.parse();
    let p = l.position.as_ref().expect("a position");
    let lon: f64 = p.longitude.value.as_deref().unwrap().parse().unwrap();
    let lat: f64 = p.latitude.value.as_deref().unwrap().parse().unwrap();
    assert!((113.0..116.0).contains(&lon) && (29.0..32.0).contains(&lat), "Wuhan is at ({lon}, {lat})");
    let managing = l.managing_organization.as_ref().and_then(|r| r.reference.as_ref()).and_then(|r| r.value.clone());
    assert_eq!(managing, Some(format!("Organization/{}", d.union_id)));

    for org in [format!("Organization/{}", d.union_id), d.union_id.clone()] {
        let b = searchset(&get(&format!("/fhir/Location?organization={}", enc(&org))).await);
        let ids: Vec<_> = b
            .resources
            .iter()
            .map(|r| match r {
                Resource::Location(l) => id_of(&l.id),
                other => panic!("expected Location, got {other:?}"),
            })
            .collect();
        assert_eq!(ids, std::slice::from_ref(&d.union_id));
    }
    let b = searchset(&get(&format!("/fhir/Location?name={}&address-city=420100", enc("协和"))).await);
    assert!(b.resources.iter().any(|r| r.id().and_then(|i| i.value.clone()) == Some(d.union_id.clone())));
    // An organization that does not exist: an empty searchset, not an error.
    let none = searchset(&get("/fhir/Location?organization=Organization/0190a6f4-7c1e-7b3a-9d2e-000000000001").await);
    assert!(none.resources.is_empty());
    // The wrong resource type in a reference is a bad parameter.
    get(&format!("/fhir/Location?organization=Patient/{}", d.union_id)).await.outcome(StatusCode::BAD_REQUEST);
}

fn services(b: &Searchset) -> Vec<&HealthcareService> {
    b.resources
        .iter()
        .map(|r| match r {
            Resource::HealthcareService(h) => &**h,
            other => panic!("expected HealthcareService, got {other:?}"),
        })
        .collect()
}

fn service_code(h: &HealthcareService) -> String {
    h.r#type[0].coding[0].code.as_ref().and_then(|c| c.value.clone()).unwrap()
}

#[tokio::test]
async fn healthcare_services_of_an_organization() {
    let d = demo_server();
    assert!(d.union_services.len() > 3, "the demo gives Union several services");
    let b = searchset(&get(&format!("/fhir/HealthcareService?organization=Organization/{}", d.union_id)).await);
    let hs = services(&b);
    let codes: Vec<String> = hs.iter().map(|h| service_code(h)).collect();
    assert_eq!(codes, d.union_services);
    for h in &hs {
        let by = h.provided_by.as_ref().and_then(|r| r.reference.as_ref()).and_then(|r| r.value.clone());
        assert_eq!(by, Some(format!("Organization/{}", d.union_id)));
        let read = get(&format!("/fhir/HealthcareService/{}", id_of(&h.id))).await;
        assert_eq!(read.status, StatusCode::OK);
        let again: HealthcareService = read.parse();
        assert_eq!(&again, *h);
    }

    // `_count` counts services, so a facility's services can straddle pages.
    let (paged, pages) =
        walk(&format!("/fhir/HealthcareService?organization=Organization/{}&_count=3", d.union_id), 3).await;
    assert_eq!(paged, hs.iter().map(|h| id_of(&h.id)).collect::<Vec<_>>());
    assert!(pages >= 2);

    // By service type, across facilities, with and without the code system.
    let code = &d.union_services[0];
    for value in [code.clone(), format!("https://carebridge.example/fhir/CodeSystem/service|{code}")] {
        let (ids, _) = walk(&format!("/fhir/HealthcareService?service-type={}&_count=7", enc(&value)), 7).await;
        assert!(ids.len() > 1);
        assert!(ids.iter().all(|id| id.ends_with(&code.replace('_', "-"))));
        assert!(ids.iter().any(|id| id.starts_with(&d.union_id)));
    }
    let unknown = get("/fhir/HealthcareService?service-type=teleportation").await.outcome(StatusCode::BAD_REQUEST);
    assert!(unknown.contains("service-type"), "{unknown}");
    let foreign = searchset(&get("/fhir/HealthcareService?service-type=http://snomed.info/sct%7C123").await);
    assert!(foreign.resources.is_empty());

    // A service the facility does not offer is not a resource.
    get(&format!("/fhir/HealthcareService/{}", d.not_offered)).await.outcome(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn healthcare_services_by_name() {
    let d = demo_server();
    // The name is the facility's name and the service's label: part of either finds it.
    let b = searchset(&get(&format!("/fhir/HealthcareService?name={}&_count=500", enc("协和医院"))).await);
    let hs = services(&b);
    assert!(hs.iter().any(|h| id_of(&h.id).starts_with(&d.union_id)), "Union's services are found");
    let name = |h: &HealthcareService| h.name.as_ref().and_then(|n| n.value.clone()).unwrap();
    assert!(hs.iter().all(|h| name(h).contains("协和医院")), "only services so named");

    // A service's label with its organization: that one service.
    let union = searchset(&get(&format!("/fhir/HealthcareService?organization={}", d.union_id)).await);
    let first = services(&union)[0];
    let label = first.r#type[0].text.as_ref().and_then(|t| t.value.clone()).unwrap();
    let url = format!("/fhir/HealthcareService?organization={}&name={}", d.union_id, enc(&label));
    assert_eq!(searchset(&get(&url).await).ids(), [id_of(&first.id)]);
    // The full name finds it among all facilities.
    let full = searchset(&get(&format!("/fhir/HealthcareService?name={}", enc(&name(first)))).await);
    assert!(full.ids().contains(&id_of(&first.id)));

    // A name nothing carries: an empty searchset that says so.
    let none = searchset(&get("/fhir/HealthcareService?name=Atlantis").await);
    assert!(none.resources.is_empty());
    assert_eq!(none.total(), Some(0));
}

#[tokio::test]
async fn measure_report_needs_a_token() {
    let d = demo_server();
    for url in [format!("/fhir/MeasureReport/{}", d.union_id), "/fhir/MeasureReport".to_owned()] {
        let a = get(&url).await;
        a.outcome(StatusCode::UNAUTHORIZED);
        assert!(a.www_authenticate.as_deref().is_some_and(|h| h.starts_with("Bearer")));
        let bad = get_as(&url, "not-a-token").await;
        bad.outcome(StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn measure_report_for_the_wuhan_coordinator() {
    let d = demo_server();
    let wuhan = token("wuhan").await;
    let a = get_as(&format!("/fhir/MeasureReport/{}", d.union_id), &wuhan).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let r: MeasureReport = a.parse();
    assert_eq!(r.status.value.as_deref(), Some("complete"));
    let subject = r.subject.as_ref().and_then(|s| s.reference.as_ref()).and_then(|s| s.value.clone());
    assert_eq!(subject, Some(format!("Location/{}", d.union_id)));

    // A group per unit, as many as the JSON API reports.
    let json: serde_json::Value = reqwest::Client::new()
        .get(format!("{}/api/v1/facilities/{}/capacity", d.base, d.union_id))
        .bearer_auth(&wuhan)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let units = json["units"].as_array().unwrap();
    assert!(!units.is_empty());
    assert_eq!(r.group.len(), units.len());
    for (g, u) in r.group.iter().zip(units) {
        let code = g.code.as_ref().unwrap().coding[0].code.as_ref().and_then(|c| c.value.clone());
        assert_eq!(code.as_deref(), u["unit"].as_str());
        let codes: Vec<_> = g
            .population
            .iter()
            .map(|p| p.code.as_ref().unwrap().coding[0].code.as_ref().and_then(|c| c.value.clone()).unwrap())
            .collect();
        assert_eq!(codes, ["numTotBeds", "numbeds", "numBedsOcc"]);
        assert!(g.population.iter().all(|p| p.count.as_ref().and_then(|c| c.value).is_some()));
        let score = g.measure_score.as_ref().and_then(|q| q.value.as_ref()).and_then(|v| v.value.clone()).unwrap();
        let staffed = g.population[1].count.as_ref().and_then(|c| c.value).unwrap();
        let occupied = g.population[2].count.as_ref().and_then(|c| c.value).unwrap();
        assert_eq!(score.parse::<i64>().unwrap(), i64::from(staffed) - i64::from(occupied));
    }

    // Search by subject, with or without the type.
    for subject in [format!("Location/{}", d.union_id), d.union_id.clone()] {
        let b = searchset(&get_as(&format!("/fhir/MeasureReport?subject={}", enc(&subject)), &wuhan).await);
        assert_eq!(b.resources.len(), 1);
        assert!(matches!(b.resources[0], Resource::MeasureReport(_)));
    }
    // Without a subject: everything in scope, paged.
    let b = searchset(&get_as("/fhir/MeasureReport?_count=4", &wuhan).await);
    assert_eq!(b.resources.len(), 4);
    assert!(b.resources.iter().all(|r| matches!(r, Resource::MeasureReport(_))));
    let next = b.link("next").expect("Wuhan has more than 4 reporting facilities");
    let second = searchset(&get_as(&next, &wuhan).await);
    assert!(!second.resources.is_empty());
    let first_ids: BTreeSet<_> = b.resources.iter().map(|r| r.id().and_then(|i| i.value.clone())).collect();
    assert!(second.resources.iter().all(|r| !first_ids.contains(&r.id().and_then(|i| i.value.clone()))));
}

#[tokio::test]
async fn measure_report_obeys_scope() {
    let d = demo_server();
    let beijing = token("beijing").await;
    let url = format!("/fhir/MeasureReport/{}", d.union_id);
    get_as(&url, &beijing).await.outcome(StatusCode::NOT_FOUND);
    let b = searchset(&get_as(&format!("/fhir/MeasureReport?subject=Location/{}", d.union_id), &beijing).await);
    assert!(b.resources.is_empty(), "out of scope: no entry");
    let all = searchset(&get_as("/fhir/MeasureReport?_count=500", &beijing).await);
    assert!(all.resources.iter().all(|r| r.id().and_then(|i| i.value.clone()) != Some(d.union_id.clone())));

    let patient = token("patient-demo").await;
    get_as(&url, &patient).await.outcome(StatusCode::FORBIDDEN);
    get_as("/fhir/MeasureReport", &patient).await.outcome(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn errors_are_operation_outcomes() {
    let unknown = "0190a6f4-7c1e-7b3a-9d2e-000000000001";
    for path in [
        format!("/fhir/Organization/{unknown}"),
        "/fhir/Organization/not-a-uuid".to_owned(),
        format!("/fhir/Location/{unknown}"),
        format!("/fhir/HealthcareService/{unknown}-icu"),
        "/fhir/HealthcareService/nonsense".to_owned(),
    ] {
        get(&path).await.outcome(StatusCode::NOT_FOUND);
    }
    let wuhan = token("wuhan").await;
    get_as(&format!("/fhir/MeasureReport/{unknown}"), &wuhan).await.outcome(StatusCode::NOT_FOUND);

    // Under strict handling, unknown search parameters are refused, by name; a modifier of a
    // known one is refused whatever the handling.
    for (path, param) in [
        ("/fhir/Organization?colour=red", "colour"),
        ("/fhir/Location?name:exact=x", "name:exact"),
        ("/fhir/HealthcareService?nom=x", "nom"),
        ("/fhir/Organization/x?foo=1", "foo"),
    ] {
        let e = get_strict(path, None).await.outcome(StatusCode::BAD_REQUEST);
        assert!(e.contains(&format!("`{param}`")), "{path}: {e}");
    }
    get("/fhir/Location?name:exact=x").await.outcome(StatusCode::BAD_REQUEST);
    let e = get_strict("/fhir/MeasureReport?period=2020", Some(&wuhan)).await.outcome(StatusCode::BAD_REQUEST);
    assert!(e.contains("`period`"), "{e}");
    let e = get("/fhir/Organization?_count=many").await.outcome(StatusCode::BAD_REQUEST);
    assert!(e.contains("_count"), "{e}");

    // Unknown resource types and writes.
    get("/fhir/Patient").await.outcome(StatusCode::NOT_FOUND);
    let post = request(reqwest::Method::POST, "/fhir/Organization", Opts::default()).await;
    post.outcome(StatusCode::METHOD_NOT_ALLOWED);
}
