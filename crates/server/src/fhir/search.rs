//! The parts of a FHIR request every resource shares: the query parameters (strictly checked),
//! `_count` and `_page_token`, references, region parameters, and the searchset Bundle with
//! its `self` and `next` links.

use super::response::{Fhir, FhirProblem, FhirResult};
use axum::http::{header, HeaderMap, StatusCode};
use carebridge_domain::ids::FacilityId;
use carebridge_domain::page::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use carebridge_domain::region::{RegionCode, RegionLevel, Regions};
use carebridge_interop::fhir::{searchset_bundle, IssueType};

/// Parameters any interaction accepts: format choices (checked by the negotiation layer;
/// `_pretty` is accepted and ignored, the output is always compact).
const FORMAT_PARAMS: &[&str] = &["_format", "_pretty"];

/// Result parameters every search accepts.
const RESULT_PARAMS: &[&str] = &["_count", "_page_token"];

/// The most ids one `_id` search may list.
const MAX_IDS: usize = 100;

/// The query string of a FHIR interaction, checked against the parameters it supports.
#[derive(Debug, Clone)]
pub struct Params {
    /// As received (decoded), in order, for the Bundle links.
    pairs: Vec<(String, String)>,
}

impl Params {
    /// The parameters of a read (`GET /Type/{id}`, `/metadata`): format choices only.
    pub fn read(query: Option<&str>, extra: &[&str]) -> Result<Self, FhirProblem> {
        Self::parse(query, &[FORMAT_PARAMS, extra])
    }

    /// The parameters of a search: `supported`, `_count`, `_page_token` and format choices.
    pub fn search(query: Option<&str>, supported: &[&str]) -> Result<Self, FhirProblem> {
        Self::parse(query, &[FORMAT_PARAMS, RESULT_PARAMS, supported])
    }

    /// Every parameter must be one we support (FHIR's strict handling: a filter we would
    /// silently drop could hand the client far more than it asked for) and appear once (we do
    /// not combine repeats). Empty values are ignored, as FHIR asks.
    fn parse(query: Option<&str>, allowed: &[&[&str]]) -> Result<Self, FhirProblem> {
        let mut pairs: Vec<(String, String)> = Vec::new();
        for (name, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            if !allowed.iter().any(|set| set.contains(&name.as_ref())) {
                let supported = allowed.iter().flat_map(|s| s.iter()).copied().collect::<Vec<_>>().join(", ");
                return Err(FhirProblem::unsupported_param(
                    &name,
                    format!("not supported here (modifiers and chaining neither); supported: {supported}"),
                ));
            }
            if value.trim().is_empty() {
                continue;
            }
            if pairs.iter().any(|(n, _)| *n == name) {
                return Err(FhirProblem::unsupported_param(&name, "given more than once; repeats are not combined"));
            }
            pairs.push((name.into_owned(), value.into_owned()));
        }
        Ok(Self { pairs })
    }

    /// The value of a parameter, trimmed, if given and not empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs.iter().find(|(n, _)| n == name).map(|(_, v)| v.trim())
    }

    /// The value of a parameter that takes a single value (a comma would mean "any of").
    pub fn single(&self, name: &str) -> Result<Option<&str>, FhirProblem> {
        match self.get(name) {
            Some(v) if v.contains(',') => Err(FhirProblem::unsupported_param(name, "takes one value, not a list")),
            v => Ok(v),
        }
    }

    /// `_count`: the page size, default 50; larger than 500 is served as 500 (FHIR lets a
    /// server return fewer than asked).
    pub fn count(&self) -> Result<u32, FhirProblem> {
        match self.get("_count") {
            None => Ok(DEFAULT_PAGE_SIZE),
            Some(v) => match v.parse::<u64>() {
                Ok(0) | Err(_) => Err(FhirProblem::bad_value("_count", "must be a whole number from 1")),
                Ok(n) => Ok(u32::try_from(n).unwrap_or(MAX_PAGE_SIZE).min(MAX_PAGE_SIZE)),
            },
        }
    }

    /// `_page_token`: where the previous page stopped (from a `next` link).
    pub fn page_token(&self) -> Option<&str> {
        self.get("_page_token")
    }

    fn query_string<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs {
            s.append_pair(k, v);
        }
        s.finish()
    }

    /// The query as received (minus empty values), for the `self` link.
    fn self_query(&self) -> String {
        Self::query_string(self.pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    /// The same query at the page `token` names, for the `next` link.
    fn next_query(&self, token: &str) -> String {
        let kept = self.pairs.iter().filter(|(k, _)| k != "_page_token").map(|(k, v)| (k.as_str(), v.as_str()));
        Self::query_string(kept.chain(std::iter::once(("_page_token", token))))
    }
}

/// The `_id` list (`_id=a,b`): ids that are not facility ids cannot match and are dropped.
pub fn ids(value: &str) -> Result<Vec<FacilityId>, FhirProblem> {
    let parts: Vec<&str> = value.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
    if parts.len() > MAX_IDS {
        return Err(FhirProblem::bad_value("_id", format!("lists more than {MAX_IDS} ids")));
    }
    Ok(parts.into_iter().filter_map(|s| s.parse().ok()).collect())
}

/// A reference parameter (`organization=Organization/{id}`, a bare id, or an absolute URL
/// ending in `Organization/{id}`) as the id it names (a facility, a referral, …): `None` when
/// the id cannot be one, so nothing matches. A reference to another resource type is a 400.
pub fn reference<T: std::str::FromStr>(name: &str, value: &str, resource_type: &str) -> Result<Option<T>, FhirProblem> {
    if value.contains(',') {
        return Err(FhirProblem::unsupported_param(name, "takes one reference, not a list"));
    }
    let mut segments = value.trim_end_matches('/').rsplit('/');
    let id = segments.next().unwrap_or("");
    if let Some(ty) = segments.next() {
        if ty != resource_type {
            return Err(FhirProblem::bad_value(name, format!("must reference a {resource_type}, not `{ty}`")));
        }
    }
    Ok(id.parse().ok())
}

/// A facility id from a read's path; anything else is a 404 for that resource.
pub fn facility_id(resource_type: &str, id: &str) -> Result<FacilityId, FhirProblem> {
    id.parse().map_err(|_| FhirProblem::not_found(resource_type, id))
}

/// Which address part a region parameter searches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressPart {
    /// `address-state`: provinces (and municipalities, which are provinces).
    State,
    /// `address-city`: prefecture-level cities, and municipalities, which stand as their own
    /// city in our addresses.
    City,
}

/// A region parameter as a region code: a GB/T 2260 code (any level: its subtree), or a
/// name. Names match the province or city names of the table exactly or, failing that, by
/// prefix (`武汉` finds 武汉市), as FHIR string search does; an ambiguous or unknown name is a
/// 400 that says what would match.
pub fn region(regions: &Regions, name: &str, value: &str, part: AddressPart) -> Result<RegionCode, FhirProblem> {
    if value.contains(',') {
        return Err(FhirProblem::unsupported_param(name, "takes one region, not a list"));
    }
    if value.bytes().all(|b| b.is_ascii_digit()) {
        return regions.lookup(value).map(|r| r.code).map_err(|e| FhirProblem::bad_value(name, e));
    }
    let candidates = candidates(regions, part);
    let exact: Vec<_> = candidates.iter().filter(|(_, n)| n == value).collect();
    let found = if exact.is_empty() {
        let folded = value.to_lowercase();
        candidates.iter().filter(|(_, n)| n.to_lowercase().starts_with(&folded)).collect()
    } else {
        exact
    };
    match found.as_slice() {
        [(code, _)] => Ok(*code),
        [] => Err(FhirProblem::bad_value(
            name,
            format!("`{value}` is neither a GB/T 2260 code nor the name of a {}", part_label(part)),
        )),
        many => {
            let listed = many.iter().take(10).map(|(c, n)| format!("{n} ({c})")).collect::<Vec<_>>().join(", ");
            Err(FhirProblem::bad_value(name, format!("`{value}` could be any of {listed}; give the code")))
        }
    }
}

fn part_label(part: AddressPart) -> &'static str {
    match part {
        AddressPart::State => "province",
        AddressPart::City => "city",
    }
}

/// The regions a name can denote for an address part, with their names.
fn candidates(regions: &Regions, part: AddressPart) -> Vec<(RegionCode, String)> {
    let name = |c: RegionCode| regions.get(c).map(|r| (c, r.name.clone()));
    let level = |c: &RegionCode, l| regions.get(*c).is_some_and(|r| r.level == l);
    let provinces = regions.provinces().iter().copied();
    match part {
        AddressPart::State => provinces.filter_map(name).collect(),
        AddressPart::City => provinces
            .flat_map(|p| {
                let cities: Vec<RegionCode> =
                    regions.children(p).iter().copied().filter(|c| level(c, RegionLevel::City)).collect();
                if cities.is_empty() {
                    vec![p]
                } else {
                    cities
                }
            })
            .filter_map(name)
            .collect(),
    }
}

/// The region filter of `address-state` and `address-city` together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionFilter {
    Anywhere,
    Within(RegionCode),
    /// The two parameters name disjoint regions: nothing can match.
    Nowhere,
}

/// Read `address-state` and `address-city` (both optional) as one subtree filter.
pub fn region_filter(regions: &Regions, params: &Params) -> Result<RegionFilter, FhirProblem> {
    let state = params.get("address-state").map(|v| region(regions, "address-state", v, AddressPart::State));
    let city = params.get("address-city").map(|v| region(regions, "address-city", v, AddressPart::City));
    Ok(match (state.transpose()?, city.transpose()?) {
        (None, None) => RegionFilter::Anywhere,
        (Some(one), None) | (None, Some(one)) => RegionFilter::Within(one),
        (Some(s), Some(c)) if regions.contains(s, c) => RegionFilter::Within(c),
        (Some(s), Some(c)) if regions.contains(c, s) => RegionFilter::Within(s),
        (Some(_), Some(_)) => RegionFilter::Nowhere,
    })
}

/// The facade's base URL for links: absolute from the `Host` header when it looks like a
/// host (scheme from `X-Forwarded-Proto`, else http), else the relative `/fhir`.
pub fn base_url(headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).filter(|h| {
        !h.is_empty() && h.len() <= 255 && h.bytes().all(|b| b.is_ascii_alphanumeric() || b"-.:[]_".contains(&b))
    });
    let proto = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .filter(|p| p.eq_ignore_ascii_case("https"))
        .map_or("http", |_| "https");
    match host {
        Some(host) => format!("{proto}://{host}/fhir"),
        None => "/fhir".to_owned(),
    }
}

/// The searchset Bundle of `entries` (resource JSON from the interop mappings), with `self`
/// and, when `next_token` is given, `next` links; `total` is left out (we do not count).
pub fn bundle(
    headers: &HeaderMap,
    resource_type: &str,
    params: &Params,
    entries: &[String],
    next_token: Option<&str>,
) -> FhirResult {
    let base = format!("{}/{resource_type}", base_url(headers));
    let url = |query: String| if query.is_empty() { base.clone() } else { format!("{base}?{query}") };
    let self_url = url(params.self_query());
    let next_url = next_token.map(|t| url(params.next_query(t)));
    searchset_bundle(entries, &self_url, next_url.as_deref(), None).map(Fhir).map_err(FhirProblem::internal)
}

/// An empty page, for searches that cannot match anything.
pub fn empty_bundle(headers: &HeaderMap, resource_type: &str, params: &Params) -> FhirResult {
    bundle(headers, resource_type, params, &[], None)
}

/// 400 for a `_page_token` this server did not issue.
pub fn bad_page_token() -> FhirProblem {
    FhirProblem::new(
        StatusCode::BAD_REQUEST,
        IssueType::Value,
        "parameter `_page_token`: is not a token this server issued",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_strict() {
        assert!(Params::search(Some("name=x&_count=5"), &["name"]).is_ok());
        let e = Params::search(Some("name=x&colour=red"), &["name"]).unwrap_err();
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
        assert!(e.diagnostics.contains("`colour`"), "{}", e.diagnostics);
        assert!(Params::search(Some("name:exact=x"), &["name"]).is_err());
        assert!(Params::search(Some("name=a&name=b"), &["name"]).is_err());
        assert!(Params::read(Some("name=x"), &[]).is_err());
        assert!(Params::read(Some("_format=json&name="), &[]).is_err());
        let p = Params::search(Some("name=&_count=700"), &["name"]).unwrap();
        assert_eq!(p.get("name"), None);
        assert_eq!(p.count().unwrap(), MAX_PAGE_SIZE);
        assert!(Params::search(Some("_count=0"), &[]).unwrap().count().is_err());
        assert!(Params::search(Some("_count=x"), &[]).unwrap().count().is_err());
    }

    #[test]
    fn next_query_replaces_the_token() {
        let p = Params::search(Some("name=%E5%8D%8F%E5%92%8C&_page_token=aa&_count=5"), &["name"]).unwrap();
        assert_eq!(p.next_query("bb"), "name=%E5%8D%8F%E5%92%8C&_count=5&_page_token=bb");
    }

    #[test]
    fn references_name_facilities_of_the_right_type() {
        let id = "0190a6f4-7c1e-7b3a-9d2e-000000000001";
        let want: FacilityId = id.parse().unwrap();
        for v in [id.to_owned(), format!("Organization/{id}"), format!("http://x/fhir/Organization/{id}")] {
            assert_eq!(reference("organization", &v, "Organization").unwrap(), Some(want), "{v}");
        }
        assert_eq!(reference::<FacilityId>("organization", "Organization/nope", "Organization").unwrap(), None);
        assert!(reference::<FacilityId>("organization", &format!("Location/{id}"), "Organization").is_err());
        assert!(reference::<FacilityId>("organization", "a,b", "Organization").is_err());
    }

    #[test]
    fn regions_by_code_or_name() {
        let r = Regions::china();
        let code = |s| RegionCode::parse(s).unwrap();
        assert_eq!(region(&r, "address-city", "420100", AddressPart::City).unwrap(), code("420100"));
        assert_eq!(region(&r, "address-city", "武汉市", AddressPart::City).unwrap(), code("420100"));
        assert_eq!(region(&r, "address-city", "武汉", AddressPart::City).unwrap(), code("420100"));
        assert_eq!(region(&r, "address-city", "北京市", AddressPart::City).unwrap(), code("110000"));
        assert_eq!(region(&r, "address-state", "湖北省", AddressPart::State).unwrap(), code("420000"));
        assert!(region(&r, "address-state", "武汉市", AddressPart::State).is_err());
        assert!(region(&r, "address-city", "999999", AddressPart::City).is_err());
        assert!(region(&r, "address-city", "Atlantis", AddressPart::City).is_err());
    }

    #[test]
    fn base_url_comes_from_a_plausible_host() {
        let mut h = HeaderMap::new();
        assert_eq!(base_url(&h), "/fhir");
        h.insert(header::HOST, "example.org:8080".parse().unwrap());
        assert_eq!(base_url(&h), "http://example.org:8080/fhir");
        h.insert("x-forwarded-proto", "https".parse().unwrap());
        assert_eq!(base_url(&h), "https://example.org:8080/fhir");
        h.insert(header::HOST, "evil/path".parse().unwrap());
        assert_eq!(base_url(&h), "/fhir");
    }
}
