//! What every search answers whatever its type: `Prefer: handling` for unknown parameters,
//! `_count` with `next` links, `_summary=count` and `_count=0`, and absolute links under a
//! configured public URL.

use crate::support::*;
use fhirbolt::model::r4::resources::CapabilityStatement;
use reqwest::StatusCode;

/// The six types, with whether they need a token.
const TYPES: &[(&str, bool)] = &[
    ("Organization", false),
    ("Location", false),
    ("HealthcareService", false),
    ("MeasureReport", true),
    ("ServiceRequest", true),
    ("Task", true),
];

#[tokio::test]
async fn unknown_parameters_are_ignored_and_reported_unless_strict() {
    let nhc = token("nhc").await;
    for &(ty, needs_token) in TYPES {
        let token = needs_token.then_some(nhc.as_str());
        let url = format!("/fhir/{ty}?colour=red&_count=2");
        for prefer in [None, Some("handling=lenient"), Some("return=minimal, handling=lenient")] {
            let a = request(reqwest::Method::GET, &url, Opts { token, prefer, ..Opts::default() }).await;
            let b = searchset(&a);
            assert!(!b.resources.is_empty(), "{ty}: the rest of the search still runs");
            let warnings = b.warnings();
            assert_eq!(warnings.len(), 1, "{ty}: {warnings:?}");
            assert!(warnings[0].contains("`colour`"), "{ty}: {warnings:?}");
            let outcome = &b.outcomes[0].issue[0];
            assert_eq!(outcome.code.value.as_deref(), Some("not-supported"));
            let self_link = b.link("self").unwrap();
            assert!(!self_link.contains("colour") && self_link.contains("_count=2"), "{self_link}");
        }
        let e = get_strict(&url, token).await.outcome(StatusCode::BAD_REQUEST);
        assert!(e.contains("`colour`"), "{ty}: {e}");
        // A search that uses only what it knows carries no outcome.
        assert!(searchset(&get_strict(&format!("/fhir/{ty}?_count=2"), token).await).outcomes.is_empty());
    }

    // A known parameter with a value we cannot use is a 400 in both modes.
    for url in ["/fhir/Organization?address-city=Atlantis", "/fhir/Location?organization=Patient/x"] {
        get(url).await.outcome(StatusCode::BAD_REQUEST);
        get_strict(url, None).await.outcome(StatusCode::BAD_REQUEST);
    }
    let e = get_as("/fhir/ServiceRequest?status=pending", &nhc).await.outcome(StatusCode::BAD_REQUEST);
    assert!(e.contains("`status`"), "{e}");
}

#[tokio::test]
async fn summary_values_we_do_not_serve() {
    // `_summary=true` is FHIR's but not ours: ignored and reported, or refused when strict.
    let b = searchset(&get("/fhir/Organization?_summary=true&_count=3").await);
    assert_eq!(b.resources.len(), 3);
    assert!(b.warnings().iter().any(|w| w.contains("`_summary`")), "{:?}", b.warnings());
    assert!(!b.link("self").unwrap().contains("_summary"));
    get_strict("/fhir/Organization?_summary=true", None).await.outcome(StatusCode::BAD_REQUEST);
    // A value FHIR does not define is a 400 either way.
    get("/fhir/Organization?_summary=banana").await.outcome(StatusCode::BAD_REQUEST);
    // `false` is the normal answer.
    let normal = searchset(&get_strict("/fhir/Organization?_summary=false&_count=3", None).await);
    assert_eq!(normal.resources.len(), 3);
}

#[tokio::test]
async fn count_pages_and_summary_count_on_every_search() {
    let nhc = token("nhc").await;
    for &(ty, needs_token) in TYPES {
        let token = needs_token.then_some(nhc.as_str());
        let (all, _) = walk_as(&format!("/fhir/{ty}?_count=500"), 500, token).await;
        assert!(all.len() >= 2, "{ty}: the demo has at least two to page through");

        // `_count=1`: one entry and a `next` link to a different one.
        let first = searchset(&get_strict(&format!("/fhir/{ty}?_count=1"), token).await);
        assert_eq!(first.resources.len(), 1, "{ty}");
        let next = first.link("next").unwrap_or_else(|| panic!("{ty}: a next link"));
        assert!(next.contains("_count=1") && next.contains("_page_token="), "{next}");
        let second = searchset(&get_strict(&next, token).await);
        assert_eq!(second.resources.len(), 1, "{ty}");
        assert_ne!(first.ids(), second.ids(), "{ty}: the next page moves on");
        assert_eq!([first.ids(), second.ids()].concat(), all[..2], "{ty}: pages follow the order");

        // The count only, two ways: a total and no entries.
        for query in ["_summary=count", "_count=0", "_summary=count&_count=5"] {
            let b = searchset(&get_strict(&format!("/fhir/{ty}?{query}"), token).await);
            assert!(b.resources.is_empty(), "{ty}?{query}: no entries");
            assert_eq!(b.total(), Some(all.len() as u32), "{ty}?{query}: the total of every page");
            assert!(b.link("next").is_none());
        }
        // A single page knows its total.
        let whole = searchset(&get_strict(&format!("/fhir/{ty}?_count=500"), token).await);
        if whole.link("next").is_none() {
            assert_eq!(whole.total(), Some(whole.resources.len() as u32), "{ty}");
        }
    }
}

#[tokio::test]
async fn task_pages_within_one_referral_too() {
    let d = demo_server();
    let nhc = token("nhc").await;
    let focus = format!("/fhir/Task?focus=ServiceRequest/{}", d.referrals[0]);
    let (tasks, _) = walk_as(&format!("{focus}&_count=1"), 1, Some(&nhc)).await;
    let (whole, pages) = walk_as(&focus, 50, Some(&nhc)).await;
    assert_eq!((tasks, pages), (whole.clone(), 1));
    assert!(!whole.is_empty(), "the referral has its offer");
    let b = searchset(&get_as(&format!("{focus}&_summary=count"), &nhc).await);
    assert_eq!(b.total(), Some(whole.len() as u32));
    get_as(&format!("{focus}&_page_token=zz"), &nhc).await.outcome(StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_public_url_makes_every_link_and_full_url_absolute_under_it() {
    let d = demo_server();
    let nhc = token("nhc").await;
    let fhir_base = format!("{PUBLIC_URL}/fhir");
    let cs: CapabilityStatement = get(&format!("{}/fhir/metadata", d.public_base)).await.parse();
    let url = cs.implementation.as_ref().and_then(|i| i.url.as_ref()).and_then(|u| u.value.clone());
    assert_eq!(url.as_deref(), Some(fhir_base.as_str()));
    for &(ty, needs_token) in TYPES {
        let token = needs_token.then_some(nhc.as_str());
        let opts = Opts { token, ..Opts::default() };
        let a = request(reqwest::Method::GET, &format!("{}/fhir/{ty}?_count=1", d.public_base), opts).await;
        // `searchset_under` checks every fullUrl is `{fhir_base}/{ty}/{id}`, and the links.
        let b = searchset_under(&a, &fhir_base);
        assert_eq!(b.resources.len(), 1, "{ty}: a fullUrl to check");
        let full = b.bundle.entry[0].full_url.as_ref().and_then(|u| u.value.clone()).unwrap();
        assert!(full.starts_with("https://beds.example.org/cb/fhir/"), "{full}");
        assert_eq!(b.link("self").as_deref(), Some(format!("{fhir_base}/{ty}?_count=1").as_str()));
        assert!(b.link("next").is_some_and(|n| n.starts_with(&format!("{fhir_base}/{ty}?"))), "{ty}");
    }
}
