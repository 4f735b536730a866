//! The demo servers the FHIR tests share, and reading their answers: every body is parsed with
//! fhirbolt's R4 model in strict mode (an element R4 does not define is an error), and every
//! searchset is checked for shape (absolute `fullUrl`s, links under the base, entry modes).

use carebridge_domain::service_kind::ServiceKind;
use carebridge_scenario::{demo, DEMO_PASSWORD, WUHAN_UNION_KEY};
use carebridge_server::{Application, ServerConfig};
use carebridge_service::{Carebridge, Store};
use fhirbolt::model::r4::resources::{
    Bundle, CapabilityStatement, HealthcareService, Location, MeasureReport, OperationOutcome, Organization, Task,
};
use fhirbolt::model::r4::Resource;
use fhirbolt::serde::{DeserializationConfig, DeserializationMode};
use reqwest::StatusCode;
use std::sync::OnceLock;

pub const UNION_NAME: &str = "华中科技大学同济医学院附属协和医院";

/// The public URL of the second demo server, which differs from where it listens.
pub const PUBLIC_URL: &str = "https://beds.example.org/cb";

/// The running demo servers, shared by every test (loading the scenario is the slow part).
pub struct Demo {
    /// Where the first server listens; its public URL is the default, the same address.
    pub base: String,
    /// Where the second server listens, on the same data; its public URL is [`PUBLIC_URL`].
    pub public_base: String,
    pub union_id: String,
    pub union_services: Vec<String>,
    /// The HealthcareService id of a service some facility does not offer.
    pub not_offered: String,
    /// Referrals filed by `dr-union` at start-up (the scenario has none), each with an offer,
    /// so ServiceRequest and Task searches have something to find.
    pub referrals: Vec<String>,
    /// An active schedule at Union (the demo's booking side), for Slot searches.
    pub union_schedule: String,
}

/// How many referrals the demo files.
const REFERRALS: usize = 2;

pub fn demo_server() -> &'static Demo {
    static DEMO: OnceLock<Demo> = OnceLock::new();
    DEMO.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel();
        // Its own runtime on its own thread: each #[tokio::test] has a runtime that dies with
        // the test, and the servers must outlive them all.
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
            rt.block_on(async move {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}/t.sqlite", dir.path().display());
                let store = Store::connect(&url, 4).await.unwrap();
                carebridge_store::migrate::run(&store).await.unwrap();
                let cb = Carebridge::new(store);
                let scenario = demo(7, cb.now(), &cb.regions);
                cb.load_scenario(&scenario).await.unwrap();
                // The booking side (schedules, slots, patients, ten bookings at Union), so
                // Schedule, Slot and Appointment have data.
                cb.load_demo_booking(&scenario).await.unwrap();
                let union = scenario.facility(WUHAN_UNION_KEY).unwrap();
                let not_offered = scenario
                    .facilities
                    .iter()
                    .find_map(|f| {
                        let missing = ServiceKind::ALL.iter().find(|k| !f.draft.services.contains(k))?;
                        Some(format!("{}-{}", f.id, missing.as_str().replace('_', "-")))
                    })
                    .unwrap();
                let app = Application::build(&ServerConfig::new("127.0.0.1:0"), cb.clone()).await.unwrap();
                let config = ServerConfig { public_url: Some(PUBLIC_URL.into()), ..ServerConfig::new("127.0.0.1:0") };
                let cb_schedules = cb.clone();
                let public = Application::build(&config, cb).await.unwrap();
                let base = format!("http://{}", app.addr());
                let public_base = format!("http://{}", public.addr());
                tokio::spawn(app.run_until(std::future::pending()));
                tokio::spawn(public.run_until(std::future::pending()));
                let referrals = file_referrals(&base).await;
                let query = carebridge_store::booking::ScheduleQuery { facility: Some(union.id), ..Default::default() };
                let schedules = cb_schedules.fhir_schedules(&query, None, Some(1)).await.unwrap();
                let union_schedule = schedules.items[0].schedule.id.to_string();
                tx.send(Demo {
                    base,
                    public_base,
                    union_id: union.id.to_string(),
                    union_services: union.draft.services.iter().map(|s| s.as_str().to_owned()).collect(),
                    not_offered,
                    referrals,
                    union_schedule,
                })
                .unwrap();
                std::future::pending::<()>().await;
                drop(dir);
            });
        });
        rx.recv().expect("the demo server starts")
    })
}

/// File [`REFERRALS`] referrals as `dr-union` through the JSON API; each gets an offer.
async fn file_referrals(base: &str) -> Vec<String> {
    let token = token_at(base, "dr-union").await;
    let mut ids = Vec::new();
    for i in 0..REFERRALS {
        let body = serde_json::json!({
            "patient": {
                "pseudonym": format!("p-fhir-{i}"),
                "age_band": "senior",
                "location": {"lon": 114.27, "lat": 30.60},
                "region_code": "420103",
                "infection": "negative",
            },
            "need": "neurosurgery",
            "urgency": "urgent",
            "needs_ambulance": false,
            "note": "Cord compression at T10; surgery advised.",
        });
        let res = reqwest::Client::new()
            .post(format!("{base}/api/v1/referrals"))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
        let filed: serde_json::Value = res.json().await.unwrap();
        assert!(filed["current_offer"].is_object(), "the referral got an offer: {filed:#}");
        ids.push(filed["id"].as_str().unwrap().to_owned());
    }
    ids
}

/// Strict: an element the R4 model does not define fails the parse.
fn strict() -> Option<DeserializationConfig> {
    Some(DeserializationConfig { mode: DeserializationMode::Strict })
}

/// Parse one resource with fhirbolt, strictly.
///
/// As the `Resource` enum: fhirbolt 0.4 reads a concrete type's decimals only as JSON strings
/// ("invalid type: number, expected a string"), while R4 JSON writes them as numbers; the
/// enum goes through fhirbolt's element model, which reads them right.
pub fn parse_resource(value: serde_json::Value) -> Result<Resource, String> {
    fhirbolt::json::from_json_value(value, strict()).map_err(|e| e.to_string())
}

/// A resource type that can be taken out of the `Resource` enum.
pub trait Typed: Sized {
    fn from_resource(r: Resource) -> Option<Self>;
}

macro_rules! typed {
    ($($t:ident),+) => {$(
        impl Typed for $t {
            fn from_resource(r: Resource) -> Option<Self> {
                match r {
                    Resource::$t(x) => Some(*x),
                    _ => None,
                }
            }
        }
    )+};
}
typed!(CapabilityStatement, Organization, Location, HealthcareService, MeasureReport, OperationOutcome, Task);

/// The type name of a resource we serve (or an OperationOutcome).
pub fn resource_type(r: &Resource) -> &'static str {
    match r {
        Resource::Organization(_) => "Organization",
        Resource::Location(_) => "Location",
        Resource::HealthcareService(_) => "HealthcareService",
        Resource::MeasureReport(_) => "MeasureReport",
        Resource::ServiceRequest(_) => "ServiceRequest",
        Resource::Task(_) => "Task",
        Resource::Schedule(_) => "Schedule",
        Resource::Slot(_) => "Slot",
        Resource::Appointment(_) => "Appointment",
        Resource::OperationOutcome(_) => "OperationOutcome",
        other => panic!("unexpected resource {other:?}"),
    }
}

/// A resource's id.
pub fn id(r: &Resource) -> String {
    r.id().and_then(|i| i.value.clone()).expect("resource has an id")
}

/// An answer: status, content type, body.
pub struct Answer {
    pub status: StatusCode,
    pub content_type: String,
    pub www_authenticate: Option<String>,
    pub body: String,
}

impl Answer {
    /// The body as an R4 resource of type `T`, after checking the FHIR media type.
    pub fn parse<T: Typed>(&self) -> T {
        assert!(
            self.content_type.starts_with("application/fhir+json"),
            "content type {} for {}",
            self.content_type,
            self.body
        );
        let value = serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON: {e}\n{}", self.body));
        let resource = parse_resource(value).unwrap_or_else(|e| panic!("not a valid R4 resource: {e}\n{}", self.body));
        T::from_resource(resource).unwrap_or_else(|| panic!("not a {}: {}", std::any::type_name::<T>(), self.body))
    }

    /// Expect an OperationOutcome with this status; returns its diagnostics.
    pub fn outcome(&self, status: StatusCode) -> String {
        assert_eq!(self.status, status, "{}", self.body);
        let o: OperationOutcome = self.parse();
        assert_eq!(o.issue.len(), 1);
        assert_eq!(o.issue[0].severity.value.as_deref(), Some("error"));
        o.issue[0].diagnostics.as_ref().and_then(|d| d.value.clone()).unwrap_or_default()
    }
}

/// A request's options beyond the URL.
#[derive(Debug, Clone, Copy, Default)]
pub struct Opts<'a> {
    pub token: Option<&'a str>,
    pub accept: Option<&'a str>,
    /// The `Prefer` header.
    pub prefer: Option<&'a str>,
}

/// `Prefer: handling=strict`.
pub const STRICT: &str = "handling=strict";

pub async fn request(method: reqwest::Method, url: &str, opts: Opts<'_>) -> Answer {
    let url = if url.starts_with("http") { url.to_owned() } else { format!("{}{url}", demo_server().base) };
    let mut req = reqwest::Client::new().request(method, url);
    if let Some(t) = opts.token {
        req = req.bearer_auth(t);
    }
    if let Some(a) = opts.accept {
        req = req.header("accept", a);
    }
    if let Some(p) = opts.prefer {
        req = req.header("prefer", p);
    }
    let res = req.send().await.unwrap();
    let header = |name: &str| res.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let (content_type, www_authenticate) = (header("content-type").unwrap_or_default(), header("www-authenticate"));
    Answer { status: res.status(), content_type, www_authenticate, body: res.text().await.unwrap() }
}

const FHIR_JSON: Option<&str> = Some("application/fhir+json");

/// GET a path under the first server (or an absolute URL, such as a `next` link).
pub async fn get(url: &str) -> Answer {
    request(reqwest::Method::GET, url, Opts { accept: FHIR_JSON, ..Opts::default() }).await
}

pub async fn get_as(url: &str, token: &str) -> Answer {
    request(reqwest::Method::GET, url, Opts { token: Some(token), accept: FHIR_JSON, ..Opts::default() }).await
}

/// GET with `Prefer: handling=strict`, signed in or not.
pub async fn get_strict(url: &str, token: Option<&str>) -> Answer {
    request(reqwest::Method::GET, url, Opts { token, accept: FHIR_JSON, prefer: Some(STRICT) }).await
}

pub async fn token_at(base: &str, username: &str) -> String {
    let res = reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/token"))
        .json(&serde_json::json!({ "username": username, "password": DEMO_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body: serde_json::Value = res.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}

pub async fn token(username: &str) -> String {
    token_at(&demo_server().base, username).await
}

/// Percent-encode a query value (Chinese names, `|`, `/`).
pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A searchset Bundle, its matches' resources and its outcome entries, each read back with
/// fhirbolt.
pub struct Searchset {
    pub bundle: Bundle,
    /// The resources of the `match` entries, in order.
    pub resources: Vec<Resource>,
    /// The OperationOutcomes of the `outcome` entries.
    pub outcomes: Vec<OperationOutcome>,
}

impl Searchset {
    pub fn link(&self, relation: &str) -> Option<String> {
        self.bundle
            .link
            .iter()
            .find(|l| l.relation.value.as_deref() == Some(relation))
            .and_then(|l| l.url.value.clone())
    }

    pub fn ids(&self) -> Vec<String> {
        self.resources.iter().map(id).collect()
    }

    pub fn total(&self) -> Option<u32> {
        self.bundle.total.as_ref().and_then(|t| t.value)
    }

    /// The diagnostics of every issue of the outcome entries.
    pub fn warnings(&self) -> Vec<String> {
        let issues = self.outcomes.iter().flat_map(|o| &o.issue);
        issues.map(|i| i.diagnostics.as_ref().and_then(|d| d.value.clone()).unwrap_or_default()).collect()
    }
}

/// A searchset of the first server (FHIR base `{demo.base}/fhir`).
pub fn searchset(a: &Answer) -> Searchset {
    searchset_under(a, &format!("{}/fhir", demo_server().base))
}

/// A searchset, checked for shape against the FHIR base `fhir_base`: type, `self` (and
/// `next`) links under it, every match entry's `fullUrl` `{fhir_base}/{type}/{id}`, outcome
/// entries holding a warning OperationOutcome.
///
/// fhirbolt 0.4 cannot read a Bundle whose entries hold resources as the concrete `Bundle`
/// type: its `Resource` deserializer switches the shared context to its internal element
/// format and never switches back, so the next primitive of the Bundle (`search.mode`) fails
/// with "expected Code". So the Bundle is read without its entries' resources, and each
/// resource is read on its own.
pub fn searchset_under(a: &Answer, fhir_base: &str) -> Searchset {
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert!(a.content_type.starts_with("application/fhir+json"), "{}", a.content_type);
    let mut json: serde_json::Value = serde_json::from_str(&a.body).unwrap();
    let mut entries = Vec::new();
    for entry in json.get_mut("entry").and_then(|e| e.as_array_mut()).into_iter().flatten() {
        let resource = entry.as_object_mut().unwrap().remove("resource").expect("every entry holds its resource");
        let r =
            parse_resource(resource).unwrap_or_else(|e| panic!("entry is not a valid R4 resource: {e}\n{}", a.body));
        entries.push(r);
    }
    let bundle: Bundle = fhirbolt::json::from_json_value(json, strict())
        .unwrap_or_else(|e| panic!("not a valid R4 Bundle: {e}\n{}", a.body));
    assert_eq!(bundle.r#type.value.as_deref(), Some("searchset"));
    let mut page = Searchset { bundle, resources: Vec::new(), outcomes: Vec::new() };
    let self_link = page.link("self").expect("a self link");
    assert!(self_link.starts_with(&format!("{fhir_base}/")), "self link {self_link} not under {fhir_base}");
    if let Some(next) = page.link("next") {
        assert!(next.starts_with(&format!("{fhir_base}/")), "next link {next} not under {fhir_base}");
    }
    for (e, r) in page.bundle.entry.iter().zip(entries) {
        let mode = e.search.as_ref().and_then(|s| s.mode.as_ref()).and_then(|m| m.value.clone());
        let full = e.full_url.as_ref().and_then(|u| u.value.clone());
        match (mode.as_deref(), r) {
            (Some("match"), r) => {
                assert_eq!(full, Some(format!("{fhir_base}/{}/{}", resource_type(&r), id(&r))), "absolute fullUrl");
                page.resources.push(r);
            }
            (Some("outcome"), Resource::OperationOutcome(o)) => {
                assert_eq!(full, None, "an outcome has no address");
                assert!(o.issue.iter().all(|i| i.severity.value.as_deref() == Some("warning")), "{o:?}");
                page.outcomes.push(*o);
            }
            (mode, r) => panic!("entry with mode {mode:?} holding {r:?}"),
        }
    }
    page
}

/// Every id of a search, following `next` links (signed in with `token`, if any); asserts no
/// page exceeds `page`. Returns the ids and the number of pages.
pub async fn walk_as(first: &str, page: usize, token: Option<&str>) -> (Vec<String>, usize) {
    let mut ids = Vec::new();
    let mut pages = 0;
    let mut url = Some(first.to_owned());
    while let Some(u) = url {
        let answer = request(reqwest::Method::GET, &u, Opts { token, accept: FHIR_JSON, ..Opts::default() }).await;
        let b = searchset(&answer);
        assert!(b.resources.len() <= page, "page of {} > {page}", b.resources.len());
        assert!(pages == 0 || !b.resources.is_empty(), "a next link led to an empty page: {u}");
        ids.extend(b.ids());
        pages += 1;
        assert!(pages < 200, "paging does not end");
        url = b.link("next");
    }
    (ids, pages)
}

pub async fn walk(first: &str, page: usize) -> (Vec<String>, usize) {
    walk_as(first, page, None).await
}
