//! Reading the values of search parameters several resources share: `_id` lists, references
//! (`Organization/{id}`, a bare id or an absolute URL), the region parameters `address-state`
//! and `address-city`, `service-type` tokens, token codes of one system, and `date` ranges.

use super::params::Params;
use super::response::FhirProblem;
use carebridge_domain::booking::LocalDay;
use carebridge_domain::clock::Timestamp;
use carebridge_domain::ids::FacilityId;
use carebridge_domain::region::{RegionCode, RegionLevel, Regions};
use carebridge_domain::service_kind::ServiceKind;
use carebridge_interop::fhir::SERVICE_CODE_SYSTEM;

/// The most ids one `_id` search may list.
const MAX_IDS: usize = 100;

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

/// What `service-type` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceMatch {
    Any,
    Kind(ServiceKind),
    /// A code system we do not use, or `|code` (no system): nothing can match.
    Nothing,
}

/// `service-type` as a token: `code`, `system|code`, `|code` or `system|`.
pub fn service_type(value: Option<&str>) -> Result<ServiceMatch, FhirProblem> {
    let Some(value) = value else { return Ok(ServiceMatch::Any) };
    let (system, code) = match value.split_once('|') {
        Some((system, code)) => (Some(system), code),
        None => (None, value),
    };
    match system {
        Some(s) if s != SERVICE_CODE_SYSTEM => return Ok(ServiceMatch::Nothing),
        Some(_) if code.is_empty() => return Ok(ServiceMatch::Any),
        _ => {}
    }
    ServiceKind::parse(code).map(ServiceMatch::Kind).map_err(|e| FhirProblem::bad_value("service-type", e))
}

/// The codes of a token parameter whose codes are all in `system`: `code`, `system|code` or
/// `|code`, comma-separated (any of). Another system is a 400.
pub fn codes<'a>(name: &str, value: &'a str, system: &str) -> Result<Vec<&'a str>, FhirProblem> {
    let mut out = Vec::new();
    for token in value.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        let code = match token.split_once('|') {
            Some((s, code)) if s.is_empty() || s == system => code,
            Some((s, _)) => return Err(FhirProblem::bad_value(name, format!("codes are in {system}, not `{s}`"))),
            None => token,
        };
        out.push(code);
    }
    Ok(out)
}

/// The instants a `date` search keeps: `from` (inclusive) to `until` (exclusive), each
/// unbounded when absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TimeRange {
    pub from: Option<Timestamp>,
    pub until: Option<Timestamp>,
}

impl TimeRange {
    /// Whether no instant can match (`ge` after `le`).
    pub fn is_empty(&self) -> bool {
        matches!((self.from, self.until), (Some(f), Some(u)) if f >= u)
    }

    /// The local days the range touches, first and last (inclusive).
    pub fn days(&self) -> (Option<LocalDay>, Option<LocalDay>) {
        let last = self.until.map(|u| LocalDay::of(Timestamp::from_millis(u.millis() - 1)));
        (self.from.map(LocalDay::of), last)
    }
}

/// One `date` value as the instants it denotes, `[start, end)`: a local day (China Standard
/// Time, where FHIR lets a server assume its own zone), or an instant to the second (or to the
/// millisecond with a fraction).
fn date_value(name: &str, value: &str) -> Result<(Timestamp, Timestamp), FhirProblem> {
    if value.len() == 10 {
        let day = LocalDay::parse(value).map_err(|e| FhirProblem::bad_value(name, e))?;
        return Ok((day.start(), day.next().start()));
    }
    let t = Timestamp::parse_rfc3339(value).map_err(|_| {
        FhirProblem::bad_value(name, format!("`{value}` is neither YYYY-MM-DD nor an instant with its offset"))
    })?;
    let width = if value.contains('.') { 1 } else { 1000 };
    Ok((t, Timestamp::from_millis(t.millis() + width)))
}

/// Every value of a `date` parameter (it may repeat), intersected: `eq` (or no prefix) keeps
/// the value's span, `ge`/`gt` start at its start/end, `le`/`lt` stop at its end/start. Other
/// prefixes (`ne`, `sa`, `eb`, `ap`) and lists are a 400.
pub fn date_range(params: &super::params::Params, name: &str) -> Result<TimeRange, FhirProblem> {
    let mut range = TimeRange::default();
    let later = |a: Option<Timestamp>, b: Timestamp| Some(a.map_or(b, |a| a.max(b)));
    let earlier = |a: Option<Timestamp>, b: Timestamp| Some(a.map_or(b, |a| a.min(b)));
    for value in params.all(name) {
        if value.contains(',') {
            return Err(FhirProblem::unsupported_param(name, "takes one date a value, not a list"));
        }
        let (prefix, rest) = match value.get(..2) {
            Some(p) if p.bytes().all(|b| b.is_ascii_lowercase()) => (p, &value[2..]),
            _ => ("eq", value),
        };
        let (start, end) = date_value(name, rest)?;
        match prefix {
            "eq" => {
                range.from = later(range.from, start);
                range.until = earlier(range.until, end);
            }
            "ge" => range.from = later(range.from, start),
            "gt" => range.from = later(range.from, end),
            "le" => range.until = earlier(range.until, end),
            "lt" => range.until = earlier(range.until, start),
            other => {
                return Err(FhirProblem::unsupported_param(
                    name,
                    format!("the prefix `{other}` is not supported here (eq, ge, gt, le, lt)"),
                ))
            }
        }
    }
    Ok(range)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn dates_and_prefixes_make_one_range() {
        use super::super::params::{Handling, Params};
        let range = |q: &str| {
            let p = Params::search_with_repeats(Some(q), Handling::Strict, &["start"], &["start"]).unwrap();
            date_range(&p, "start")
        };
        let day = LocalDay::parse("2022-12-05").unwrap();
        let r = range("start=2022-12-05").unwrap();
        assert_eq!((r.from, r.until), (Some(day.start()), Some(day.next().start())));
        let r = range("start=ge2022-12-05&start=lt2022-12-06").unwrap();
        assert_eq!((r.from, r.until), (Some(day.start()), Some(day.next().start())));
        assert_eq!(r.days(), (Some(day), Some(day)));
        let r = range("start=gt2022-12-05T08:00:00%2B08:00").unwrap();
        assert_eq!(r.from.unwrap().to_rfc3339(), "2022-12-05T00:00:01Z");
        assert!(range("start=ge2022-12-06&start=le2022-12-05").unwrap().is_empty());
        for bad in ["start=ne2022-12-05", "start=2022-12", "start=2022-12-05T08:00", "start=a,b"] {
            assert!(range(bad).is_err(), "{bad}");
        }
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
}
