//! The query string of a FHIR interaction, checked against what the CapabilityStatement
//! declares, under the handling the client asked for (`Prefer: handling`, FHIR R4 search,
//! "handling errors"):
//!
//! - a parameter we do not know is, under `lenient` handling (the default), dropped: left
//!   out of the `self` link and reported as a warning the searchset carries in an
//!   OperationOutcome entry; under `strict` handling it is a 400 naming it;
//! - a known parameter with a value we cannot use, with a modifier (`name:exact`) or given
//!   twice is a 400 either way: dropping it would widen the answer while the client believes
//!   it filtered;
//! - `_summary=true|text|data` (defined by FHIR, not served here) is treated like an unknown
//!   parameter (ignoring it only makes the answer fuller); other `_summary` values are a 400.
//!
//! Empty values are ignored, as FHIR asks. `_count` above 500 is served, and linked, as 500.

use super::response::FhirProblem;
use axum::http::{HeaderMap, StatusCode};
use carebridge_domain::page::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use carebridge_interop::fhir::{IssueType, COMMON_SEARCH_PARAMS};
use std::sync::atomic::{AtomicBool, Ordering};

/// Parameters any interaction accepts: format choices (checked by the negotiation layer;
/// `_pretty` is accepted and ignored, the output is always compact).
const FORMAT_PARAMS: &[&str] = &["_format", "_pretty"];

/// The paging token of our `next` links: accepted on every search, not declared (clients
/// follow links, they do not build tokens).
pub const PAGE_TOKEN: &str = "_page_token";

/// `_summary` values FHIR defines that we do not serve.
const UNSERVED_SUMMARIES: &[&str] = &["true", "text", "data"];

/// What the client prefers for parameters we do not know (`Prefer: handling=…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Handling {
    /// Ignore them and say so (FHIR's default).
    #[default]
    Lenient,
    /// Refuse the request.
    Strict,
}

impl Handling {
    /// The `handling` preference of the `Prefer` headers (RFC 7240: a comma-separated list of
    /// `token[=value]` with `;` parameters). Anything but `strict` or `lenient` is ignored, as
    /// RFC 7240 asks of preferences a server does not understand; the last one given wins.
    pub fn of(headers: &HeaderMap) -> Self {
        let mut handling = Self::default();
        let preferences = headers.get_all("prefer").into_iter().filter_map(|v| v.to_str().ok());
        for preference in preferences.flat_map(|v| v.split(',')) {
            let head = preference.split(';').next().unwrap_or("");
            let Some((name, value)) = head.split_once('=') else { continue };
            if !name.trim().eq_ignore_ascii_case("handling") {
                continue;
            }
            match value.trim().trim_matches('"').to_ascii_lowercase().as_str() {
                "strict" => handling = Self::Strict,
                "lenient" => handling = Self::Lenient,
                _ => {}
            }
        }
        handling
    }
}

/// How a search answers: a page of matches, or only their number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// At most this many matches, with a `next` link when there are more.
    Page(u32),
    /// `_summary=count` or `_count=0`: `total` and no entries.
    Count,
}

/// The accepted parameters of one interaction, and what was ignored.
#[derive(Debug)]
pub struct Params {
    /// As received (decoded, `_count` capped), in order, for the Bundle links.
    pairs: Vec<(String, String)>,
    /// Whether the handler looked at each pair: a declared parameter no handler reads would
    /// be silently dropped, so the search refuses to answer (see [`Params::unread`]).
    read: Vec<AtomicBool>,
    /// One diagnostics line per ignored parameter, for the searchset's outcome entry.
    ignored: Vec<String>,
}

impl Params {
    /// The parameters of a read (`GET /Type/{id}`, `/metadata`): format choices and `extra`.
    /// Under lenient handling anything else is ignored without a report (a read has no Bundle
    /// to carry one, and no filter to widen).
    pub fn read(query: Option<&str>, handling: Handling, extra: &[&str]) -> Result<Self, FhirProblem> {
        let known = |name: &str| FORMAT_PARAMS.contains(&name) || extra.contains(&name);
        let mut params = Self::parse(query, handling, &known, &[])?;
        params.ignored.clear();
        Ok(params)
    }

    /// The parameters of a search of a type declaring `declared`: those, the common result
    /// parameters, `_page_token` and format choices.
    #[cfg(test)]
    pub fn search(query: Option<&str>, handling: Handling, declared: &[&str]) -> Result<Self, FhirProblem> {
        Self::search_with_repeats(query, handling, declared, &[])
    }

    /// [`Params::search`] where the parameters `repeatable` (the `date` ones: `ge…&le…` is a
    /// range) may be given more than once; read them with [`Params::all`].
    pub fn search_with_repeats(
        query: Option<&str>,
        handling: Handling,
        declared: &[&str],
        repeatable: &[&str],
    ) -> Result<Self, FhirProblem> {
        let known = |name: &str| {
            declared.contains(&name)
                || COMMON_SEARCH_PARAMS.iter().any(|p| p.name == name)
                || name == PAGE_TOKEN
                || FORMAT_PARAMS.contains(&name)
        };
        let mut params = Self::parse(query, handling, &known, repeatable)?;
        params.check_result_params(handling)?;
        Ok(params)
    }

    fn parse(
        query: Option<&str>,
        handling: Handling,
        known: &dyn Fn(&str) -> bool,
        repeatable: &[&str],
    ) -> Result<Self, FhirProblem> {
        let mut params = Self { pairs: Vec::new(), read: Vec::new(), ignored: Vec::new() };
        for (name, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            let base = name.split(':').next().unwrap_or("");
            if base != name && known(base) {
                return Err(FhirProblem::unsupported_param(&name, "modifiers are not supported here"));
            }
            if !known(&name) {
                params.unknown(&name, "is not supported here (nor are chaining and modifiers)", handling)?;
                continue;
            }
            if value.trim().is_empty() {
                continue;
            }
            if params.pairs.iter().any(|(n, _)| *n == name) && !repeatable.contains(&name.as_ref()) {
                return Err(FhirProblem::unsupported_param(&name, "given more than once; repeats are not combined"));
            }
            params.pairs.push((name.into_owned(), value.into_owned()));
            params.read.push(AtomicBool::new(false));
        }
        Ok(params)
    }

    /// A parameter we do not serve: a 400 under strict handling, else a warning.
    fn unknown(&mut self, name: &str, detail: &str, handling: Handling) -> Result<(), FhirProblem> {
        match handling {
            Handling::Strict => {
                Err(FhirProblem::unsupported_param(name, format!("{detail} (Prefer: handling=strict)")))
            }
            Handling::Lenient => {
                self.ignored.push(format!("parameter `{name}`: {detail}; ignored"));
                Ok(())
            }
        }
    }

    /// `_count` must be a whole number (capped at 500, and linked so); `_summary` one we serve.
    fn check_result_params(&mut self, handling: Handling) -> Result<(), FhirProblem> {
        if let Some(i) = self.position("_count") {
            let n = self.pairs[i]
                .1
                .trim()
                .parse::<u64>()
                .map_err(|_| FhirProblem::bad_value("_count", "must be a whole number (0 for the count only)"))?;
            self.pairs[i].1 = n.min(u64::from(MAX_PAGE_SIZE)).to_string();
        }
        if let Some(i) = self.position("_summary") {
            let value = self.pairs[i].1.trim().to_owned();
            if UNSERVED_SUMMARIES.contains(&value.as_str()) {
                self.pairs.remove(i);
                self.read.remove(i);
                let detail = format!("`{value}` is not supported here (only `count` and `false`)");
                self.unknown("_summary", &detail, handling)?;
            } else if value != "count" && value != "false" {
                return Err(FhirProblem::bad_value("_summary", "must be `count` or `false` here"));
            }
        }
        Ok(())
    }

    fn position(&self, name: &str) -> Option<usize> {
        self.pairs.iter().position(|(n, _)| n == name)
    }

    /// The value of a parameter, trimmed, if given and not empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        let i = self.position(name)?;
        self.read[i].store(true, Ordering::Relaxed);
        Some(self.pairs[i].1.trim())
    }

    /// Every value of a parameter that may repeat, in order.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .zip(&self.read)
            .filter(|((n, _), _)| n == name)
            .map(|((_, v), read)| {
                read.store(true, Ordering::Relaxed);
                v.trim()
            })
            .collect()
    }

    /// The value of a parameter that takes a single value (a comma would mean "any of").
    pub fn single(&self, name: &str) -> Result<Option<&str>, FhirProblem> {
        match self.get(name) {
            Some(v) if v.contains(',') => Err(FhirProblem::unsupported_param(name, "takes one value, not a list")),
            v => Ok(v),
        }
    }

    /// `_count` and `_summary` together: the count only, or a page of `_count` (default 50).
    pub fn mode(&self) -> Mode {
        let count = self.get("_count").and_then(|v| v.parse::<u32>().ok());
        match (self.get("_summary"), count) {
            (Some("count"), _) | (_, Some(0)) => Mode::Count,
            (_, Some(n)) => Mode::Page(n),
            (_, None) => Mode::Page(DEFAULT_PAGE_SIZE),
        }
    }

    /// `_page_token`: where the previous page stopped (from a `next` link).
    pub fn page_token(&self) -> Option<&str> {
        self.get(PAGE_TOKEN)
    }

    /// The diagnostics of what was ignored, for the searchset's outcome entry.
    pub fn ignored(&self) -> &[String] {
        &self.ignored
    }

    /// Given parameters no handler has read. The format choices are the negotiation layer's.
    pub fn unread(&self) -> Vec<&str> {
        self.pairs
            .iter()
            .zip(&self.read)
            .filter(|((name, _), read)| !read.load(Ordering::Relaxed) && !FORMAT_PARAMS.contains(&name.as_str()))
            .map(|((name, _), _)| name.as_str())
            .collect()
    }

    fn query_string<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs {
            s.append_pair(k, v);
        }
        s.finish()
    }

    /// The query as understood (ignored and empty parameters left out), for the `self` link;
    /// `with_token` false drops `_page_token` (a count covers every page).
    pub fn self_query(&self, with_token: bool) -> String {
        let kept = self.pairs.iter().filter(|(k, _)| with_token || k != PAGE_TOKEN);
        Self::query_string(kept.map(|(k, v)| (k.as_str(), v.as_str())))
    }

    /// The same query at the page `token` names, for the `next` link.
    pub fn next_query(&self, token: &str) -> String {
        let kept = self.pairs.iter().filter(|(k, _)| k != PAGE_TOKEN).map(|(k, v)| (k.as_str(), v.as_str()));
        Self::query_string(kept.chain(std::iter::once((PAGE_TOKEN, token))))
    }
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
    use axum::http::HeaderValue;

    const LENIENT: Handling = Handling::Lenient;
    const STRICT: Handling = Handling::Strict;

    #[test]
    fn unknown_parameters_are_ignored_and_reported_or_refused() {
        let p = Params::search(Some("name=x&colour=red&_count=5"), LENIENT, &["name"]).unwrap();
        assert_eq!(p.self_query(true), "name=x&_count=5");
        assert_eq!(p.ignored().len(), 1);
        assert!(p.ignored()[0].contains("`colour`"), "{:?}", p.ignored());
        let e = Params::search(Some("name=x&colour=red"), STRICT, &["name"]).unwrap_err();
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
        assert_eq!(e.code, IssueType::NotSupported);
        assert!(e.diagnostics.contains("`colour`"), "{}", e.diagnostics);
        assert!(Params::search(Some("name=x&_count=5"), STRICT, &["name"]).unwrap().ignored().is_empty());
    }

    #[test]
    fn known_parameters_used_wrongly_are_refused_in_both_modes() {
        for handling in [LENIENT, STRICT] {
            for query in ["name:exact=x", "name=a&name=b", "_count=x", "_count=-1", "_summary=banana"] {
                let e = Params::search(Some(query), handling, &["name"]).unwrap_err();
                assert_eq!(e.status, StatusCode::BAD_REQUEST, "{query}");
            }
        }
        // An unknown parameter with a modifier is just unknown.
        assert_eq!(Params::search(Some("colour:exact=x"), LENIENT, &["name"]).unwrap().ignored().len(), 1);
    }

    #[test]
    fn reads_take_format_choices_only() {
        assert!(Params::read(Some("name=x"), STRICT, &[]).is_err());
        assert!(Params::read(Some("_format=json&name="), STRICT, &[]).is_err());
        let lenient = Params::read(Some("_format=json&name=x"), LENIENT, &[]).unwrap();
        assert!(lenient.ignored().is_empty() && lenient.unread().is_empty());
        assert!(Params::read(Some("mode=full"), STRICT, &["mode"]).is_ok());
    }

    #[test]
    fn count_and_summary_choose_the_mode() {
        let mode = |q| Params::search(Some(q), STRICT, &[]).unwrap().mode();
        assert_eq!(mode(""), Mode::Page(DEFAULT_PAGE_SIZE));
        assert_eq!(mode("_count=7"), Mode::Page(7));
        assert_eq!(mode("_count=700"), Mode::Page(MAX_PAGE_SIZE));
        assert_eq!(mode("_count=0"), Mode::Count);
        assert_eq!(mode("_summary=count&_count=5"), Mode::Count);
        assert_eq!(mode("_summary=false&_count=5"), Mode::Page(5));
        let capped = Params::search(Some("_count=700"), STRICT, &[]).unwrap();
        assert_eq!(capped.self_query(true), "_count=500");
        // `_summary=true` is FHIR's, not ours: ignored and reported, or refused.
        let p = Params::search(Some("_summary=true"), LENIENT, &[]).unwrap();
        assert_eq!((p.mode(), p.self_query(true).as_str(), p.ignored().len()), (Mode::Page(DEFAULT_PAGE_SIZE), "", 1));
        assert!(Params::search(Some("_summary=true"), STRICT, &[]).is_err());
    }

    #[test]
    fn parameters_no_handler_read_are_found() {
        let p = Params::search(Some("name=x&_format=json&_count=3"), STRICT, &["name"]).unwrap();
        assert_eq!(p.unread(), ["name", "_count"]);
        p.get("name");
        p.mode();
        assert!(p.unread().is_empty());
    }

    #[test]
    fn next_query_replaces_the_token_and_self_can_drop_it() {
        let q = "name=%E5%8D%8F%E5%92%8C&_page_token=aa&_count=5";
        let p = Params::search(Some(q), STRICT, &["name"]).unwrap();
        assert_eq!(p.next_query("bb"), "name=%E5%8D%8F%E5%92%8C&_count=5&_page_token=bb");
        assert_eq!(p.self_query(false), "name=%E5%8D%8F%E5%92%8C&_count=5");
    }

    #[test]
    fn prefer_handling_is_read_from_any_prefer_header() {
        let of = |values: &[&str]| {
            let mut h = HeaderMap::new();
            for v in values {
                h.append("prefer", HeaderValue::from_str(v).unwrap());
            }
            Handling::of(&h)
        };
        assert_eq!(of(&[]), LENIENT);
        assert_eq!(of(&["handling=strict"]), STRICT);
        assert_eq!(of(&["return=minimal, Handling = \"strict\"; x=1"]), STRICT);
        assert_eq!(of(&["handling=strict", "handling=lenient"]), LENIENT);
        assert_eq!(of(&["handling=pedantic"]), LENIENT);
        assert_eq!(of(&["respond-async"]), LENIENT);
    }
}
