//! Search results as a FHIR `searchset` Bundle, with the paging links FHIR clients follow.
//!
//! Entries are re-read with fhirbolt and embedded as typed resources, so a bundle can only
//! contain documents that are valid R4; a malformed entry is an error, never a silently
//! broken bundle. Each entry's `fullUrl` is absolute (`{base}/{type}/{id}`), as FHIR asks of a
//! server's search results, so a client can resolve it without knowing where it asked.

use super::common::render;
use super::outcome::{outcome, IssueSeverity, IssueType};
use super::FhirError;
use fhirbolt::model::r4::resources::{Bundle, BundleEntry, BundleEntrySearch, BundleLink};
use fhirbolt::model::r4::Resource;

/// What a searchset Bundle says besides its matches.
#[derive(Debug, Clone, Copy, Default)]
pub struct Searchset<'a> {
    /// The FHIR base, absolute and without a trailing slash (`https://host/fhir`).
    pub base: &'a str,
    /// The `self` link: the search as the server understood it.
    pub self_url: &'a str,
    /// The `next` link, when there is another page.
    pub next_url: Option<&'a str>,
    /// The number of matches across all pages, when known.
    pub total: Option<u32>,
    /// What the server ignored (unknown parameters under lenient handling), one diagnostics
    /// string each: they become one OperationOutcome entry (`search.mode` = `outcome`) with a
    /// `warning` / `not-supported` issue per string. Empty: no such entry.
    pub warnings: &'a [String],
}

/// A `searchset` Bundle (JSON) holding `resources_json` in order, each as a `match` entry
/// with the `fullUrl` `{base}/{resourceType}/{id}`, then the outcome entry if there are
/// warnings; `link` has `self` and, when given, `next`.
///
/// Pass the strings the other functions of this module return. Fails if one is not a
/// valid FHIR R4 resource or has no id.
pub fn searchset_bundle(s: &Searchset<'_>, resources_json: &[String]) -> Result<String, FhirError> {
    let mut entry = resources_json
        .iter()
        .enumerate()
        .map(|(index, json)| entry(s.base, index, json))
        .collect::<Result<Vec<_>, _>>()?;
    if !s.warnings.is_empty() {
        let issues: Vec<_> =
            s.warnings.iter().map(|w| (IssueSeverity::Warning, IssueType::NotSupported, w.as_str())).collect();
        // No fullUrl: the outcome has no id and cannot be read anywhere but here.
        entry.push(BundleEntry {
            resource: Some(Resource::OperationOutcome(Box::new(outcome(&issues)))),
            search: Some(search_mode("outcome")),
            ..Default::default()
        });
    }
    let mut link = vec![link("self", s.self_url)];
    link.extend(s.next_url.map(|url| self::link("next", url)));
    let bundle =
        Bundle { r#type: "searchset".into(), total: s.total.map(Into::into), link, entry, ..Default::default() };
    Ok(render(&Resource::Bundle(Box::new(bundle))))
}

fn link(relation: &str, url: &str) -> BundleLink {
    BundleLink { relation: relation.into(), url: url.into(), ..Default::default() }
}

fn search_mode(mode: &str) -> BundleEntrySearch {
    BundleEntrySearch { mode: Some(mode.into()), ..Default::default() }
}

fn entry(base: &str, index: usize, json: &str) -> Result<BundleEntry, FhirError> {
    let parse_error = |reason: String| FhirError::Parse { index, reason };
    let value: serde_json::Value = serde_json::from_str(json).map_err(|e| parse_error(e.to_string()))?;
    let resource_type = value
        .get("resourceType")
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| parse_error("no resourceType".to_owned()))?;
    let resource: Resource = fhirbolt::json::from_json_value(value, None).map_err(|e| parse_error(e.to_string()))?;
    let id = resource
        .id()
        .and_then(|id| id.value.clone())
        .ok_or_else(|| FhirError::MissingId { index, resource_type: resource_type.clone() })?;
    Ok(BundleEntry {
        full_url: Some(format!("{base}/{resource_type}/{id}").into()),
        resource: Some(resource),
        search: Some(search_mode("match")),
        ..Default::default()
    })
}
