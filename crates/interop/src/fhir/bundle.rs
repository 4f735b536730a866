//! Search results as a FHIR `searchset` Bundle, with the paging links FHIR clients follow.
//!
//! Entries are re-read with fhirbolt and embedded as typed resources, so a bundle can only
//! contain documents that are valid R4; a malformed entry is an error, never a silently
//! broken bundle.

use super::common::render;
use super::FhirError;
use fhirbolt::model::r4::resources::{Bundle, BundleEntry, BundleEntrySearch, BundleLink};
use fhirbolt::model::r4::Resource;

/// A `searchset` Bundle (JSON) holding `resources_json` in order, each as a `match` entry
/// with the relative `fullUrl` `{resourceType}/{id}`; `link` has `self` and, when given,
/// `next`; `total` is the number of matches across all pages, when known.
///
/// Pass the strings the other functions of this module return. Fails if one is not a
/// valid FHIR R4 resource or has no id.
pub fn searchset_bundle(
    resources_json: &[String],
    self_url: &str,
    next_url: Option<&str>,
    total: Option<u32>,
) -> Result<String, FhirError> {
    let entry =
        resources_json.iter().enumerate().map(|(index, json)| entry(index, json)).collect::<Result<Vec<_>, _>>()?;
    let mut link = vec![link("self", self_url)];
    link.extend(next_url.map(|url| self::link("next", url)));
    let bundle = Bundle { r#type: "searchset".into(), total: total.map(Into::into), link, entry, ..Default::default() };
    Ok(render(&Resource::Bundle(Box::new(bundle))))
}

fn link(relation: &str, url: &str) -> BundleLink {
    BundleLink { relation: relation.into(), url: url.into(), ..Default::default() }
}

fn entry(index: usize, json: &str) -> Result<BundleEntry, FhirError> {
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
        full_url: Some(format!("{resource_type}/{id}").into()),
        resource: Some(resource),
        search: Some(BundleEntrySearch { mode: Some("match".into()), ..Default::default() }),
        ..Default::default()
    })
}
