//! The CapabilityStatement tells the truth: every search parameter it declares, for every
//! resource type (and the common ones of `rest.searchParam`, on every type), is exercised
//! against the demo with `Prefer: handling=strict` and a value that matches demo data, and the
//! security it declares is the one enforced.
//!
//! The test is driven by the statement, not by a list of our own: a newly declared parameter
//! without a row in [`SAMPLES`] fails it, and so does a row for a parameter no longer declared.

use crate::support::*;
use fhirbolt::model::r4::resources::CapabilityStatement;
use reqwest::StatusCode;
use std::collections::BTreeSet;

/// What a sample value must find.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// At least one entry.
    Matches,
    /// No entries and a positive `total` (`_summary=count`).
    Counted,
    /// A searchset, empty or not (a value no demo data carries, such as a patient's account id).
    Accepted,
}

/// The common parameters' rows use this type.
const ANY_TYPE: &str = "*";

/// A sample value for each declared (type, parameter). In values, `{union}` is Wuhan Union
/// Hospital's id, `{referral}` a referral the demo filed, `{service}` a service code Union offers.
const SAMPLES: &[(&str, &str, &str, Expect)] = &[
    ("Organization", "name", "协和医院", Expect::Matches),
    ("Organization", "address-city", "420100", Expect::Matches),
    ("Organization", "address-state", "湖北省", Expect::Matches),
    ("Organization", "_id", "{union}", Expect::Matches),
    ("Location", "name", "协和", Expect::Matches),
    ("Location", "address-city", "武汉市", Expect::Matches),
    ("Location", "address-state", "420000", Expect::Matches),
    ("Location", "organization", "Organization/{union}", Expect::Matches),
    ("HealthcareService", "name", "协和医院", Expect::Matches),
    ("HealthcareService", "organization", "Organization/{union}", Expect::Matches),
    (
        "HealthcareService",
        "service-type",
        "https://carebridge.example/fhir/CodeSystem/service|{service}",
        Expect::Matches,
    ),
    ("MeasureReport", "subject", "Location/{union}", Expect::Matches),
    ("ServiceRequest", "status", "active", Expect::Matches),
    ("Task", "focus", "ServiceRequest/{referral}", Expect::Matches),
    ("Schedule", "actor", "Location/{union}", Expect::Matches),
    ("Schedule", "service-type", "internal_medicine", Expect::Matches),
    ("Schedule", "active", "true", Expect::Matches),
    ("Schedule", "date", "ge2020-01-01", Expect::Matches),
    ("Slot", "schedule", "Schedule/{schedule}", Expect::Matches),
    ("Slot", "service-type", "https://carebridge.example/fhir/CodeSystem/service|dialysis", Expect::Matches),
    ("Slot", "start", "ge2020-01-01", Expect::Matches),
    ("Slot", "status", "free", Expect::Matches),
    ("Appointment", "date", "ge2020-01-01", Expect::Matches),
    ("Appointment", "status", "booked", Expect::Matches),
    ("Appointment", "location", "Location/{union}", Expect::Matches),
    ("Appointment", "service-type", "internal_medicine", Expect::Matches),
    ("Appointment", "patient", "Patient/00000000-0000-0000-0000-000000000000", Expect::Accepted),
    (ANY_TYPE, "_count", "2", Expect::Matches),
    (ANY_TYPE, "_summary", "count", Expect::Counted),
];

fn fill(template: &str, d: &Demo) -> String {
    template
        .replace("{union}", &d.union_id)
        .replace("{referral}", &d.referrals[0])
        .replace("{service}", &d.union_services[0])
        .replace("{schedule}", &d.union_schedule)
}

#[tokio::test]
async fn every_declared_search_parameter_finds_demo_data() {
    let d = demo_server();
    let nhc = token("nhc").await;
    let cs: CapabilityStatement = get("/fhir/metadata").await.parse();
    let rest = &cs.rest[0];
    let common: Vec<String> = rest.search_param.iter().map(|p| p.name.value.clone().unwrap()).collect();
    assert!(!common.is_empty(), "the common parameters are declared in rest.searchParam");
    let (mut missing, mut exercised) = (Vec::new(), BTreeSet::new());
    for resource in &rest.resource {
        let ty = resource.r#type.value.clone().unwrap();
        assert!(resource.search_param.iter().all(|p| !common.contains(&p.name.value.clone().unwrap())), "{ty}");
        let own = resource.search_param.iter().map(|p| (ty.clone(), p.name.value.clone().unwrap()));
        for (key, name) in own.chain(common.iter().map(|n| (ANY_TYPE.to_owned(), n.clone()))) {
            let Some(&(_, _, template, expect)) = SAMPLES.iter().find(|(t, n, ..)| *t == key && *n == name) else {
                missing.push(format!("({key}, {name})"));
                continue;
            };
            exercised.insert((key.clone(), name.clone()));
            let url = format!("/fhir/{ty}?{name}={}", enc(&fill(template, d)));
            let b = searchset(&get_strict(&url, Some(&nhc)).await);
            assert!(b.outcomes.is_empty(), "{url}: {:?}", b.warnings());
            assert!(b.resources.iter().all(|r| resource_type(r) == ty), "{url}: only {ty} entries");
            match expect {
                Expect::Matches => assert!(!b.resources.is_empty(), "{url} found nothing in the demo"),
                Expect::Accepted => {}
                Expect::Counted => {
                    assert!(b.resources.is_empty(), "{url}: the count only");
                    assert!(b.total().is_some_and(|t| t > 0), "{url}: a total");
                }
            }
        }
    }
    assert!(missing.is_empty(), "declared search parameters without a sample in SAMPLES: {missing:?}");
    let stale: Vec<_> =
        SAMPLES.iter().filter(|(t, n, ..)| !exercised.contains(&((*t).to_owned(), (*n).to_owned()))).collect();
    assert!(stale.is_empty(), "samples for parameters the statement does not declare: {stale:?}");
}

#[tokio::test]
async fn the_declared_security_is_the_one_enforced() {
    let cs: CapabilityStatement = get("/fhir/metadata").await.parse();
    let security = cs.rest[0].security.as_ref().expect("rest.security");
    let service = &security.service[0].coding[0];
    assert_eq!(service.code.as_ref().and_then(|c| c.value.as_deref()), Some("OAuth"));
    let description = security.description.as_ref().and_then(|d| d.value.clone()).unwrap_or_default();
    assert!(description.contains("Bearer") && description.contains("SMART"), "{description}");
    for resource in &cs.rest[0].resource {
        let ty = resource.r#type.value.clone().unwrap();
        let documentation = resource.documentation.as_ref().and_then(|m| m.value.clone()).unwrap_or_default();
        let needs_token = documentation.starts_with("Needs a bearer token");
        assert_eq!(description.contains(&ty), needs_token, "{ty}: the security description lists it iff it needs one");
        let anonymous = get(&format!("/fhir/{ty}?_count=1")).await;
        if needs_token {
            anonymous.outcome(StatusCode::UNAUTHORIZED);
            assert!(anonymous.www_authenticate.as_deref().is_some_and(|h| h.starts_with("Bearer")), "{ty}");
        } else {
            assert!(!searchset(&anonymous).resources.is_empty(), "{ty} is public");
        }
    }
}
