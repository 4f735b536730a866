//! The OpenAPI document as served at `/api/v1/openapi.json` (and checked in as
//! `docs/openapi.json`): what utoipa generates from the handlers' annotations, completed with
//! the parts every operation shares, so that no handler can forget them.
//!
//! A handler's annotation states what is particular to it: its success responses, and the
//! statuses its use case decides (a 409 when a referral moved on, a 404 for a region it names in
//! its body). This module adds what follows from the shape of the operation, because the same
//! layers and extractors answer it on every route:
//!
//! | the operation | may also answer |
//! | --- | --- |
//! | any | 400 (a malformed `Authorization` header or query string), 401 (an invalid, expired or revoked bearer token — RFC 6750 — or none where one is required), 500, 503 |
//! | takes path parameters | 404 |
//! | takes query parameters | 422 (a value the use case refuses) |
//! | takes a JSON body | 413, 415, 422 |
//! | requires a token | 403, unless any signed-in caller may call it |
//! | honours `Idempotency-Key` | 409 (the same key in flight), 422 (the key reused for another body) |
//! | takes `If-Match` | 412, 428 |
//!
//! Every 4xx and 5xx is `application/problem+json` with the one [`PROBLEM`] schema (RFC 9457),
//! a 401 carries `WWW-Authenticate`, and each operation states whether it is public
//! (`security: []`) or needs a bearer token. The region-code schema lists the codes of the
//! committed GB/T 2260 table, so a generated request names a region that exists. Schemas that
//! serde flattens (`allOf` of a `$ref` and the extra fields) are merged into one object, since
//! an `allOf` member with `additionalProperties: false` would refuse the other member's fields.
//!
//! The walk over the document at the bottom of this file fails on any dangling `$ref`, any
//! operation without its shared error responses, and any error response that is not a problem.

use carebridge_domain::region::Regions;
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;

/// The name of the problem schema under `components/schemas`.
pub const PROBLEM: &str = "Problem";

/// The media type of every error response.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Operations any signed-in caller may call, whatever their role: no 403.
const ANY_SIGNED_IN: &[(&str, &str)] = &[("get", "/api/v1/auth/me"), ("delete", "/api/v1/auth/token")];

/// Internally tagged enums that deny unknown fields: utoipa leaves their variants open.
const CLOSED_UNIONS: &[&str] = &["OfferAnswer", "FacilityChange"];

/// The HTTP methods an OpenAPI path item may hold.
const METHODS: &[&str] = &["get", "put", "post", "delete", "patch", "head", "options", "trace"];

/// The served document: paths under `/api/v1`, every operation completed.
pub fn complete(api: utoipa::openapi::OpenApi) -> Value {
    let mut doc = serde_json::to_value(api).unwrap_or_else(|_| json!({}));
    prefix_paths(&mut doc, "/api/v1");
    let schemas = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut).map(std::mem::take);
    let mut schemas = schemas.unwrap_or_default();
    schemas.insert(PROBLEM.to_string(), problem_schema());
    schemas.insert("FieldError".to_string(), field_error_schema());
    if let Some(Value::Object(region)) = schemas.get_mut("RegionCode") {
        let codes: Vec<Value> = Regions::china().codes().into_iter().map(|c| Value::String(c.to_string())).collect();
        region.insert("enum".to_string(), Value::Array(codes));
        region.insert(
            "description".to_string(),
            json!("A GB/T 2260 region code from the committed division table (province, city or county level)."),
        );
    }
    // Flattened types nest (a detail flattens a record that flattens a draft): merge until
    // nothing changes.
    loop {
        let snapshot = schemas.clone();
        for schema in schemas.values_mut() {
            merge_flattened(schema, &snapshot);
        }
        if schemas == snapshot {
            break;
        }
    }
    for name in CLOSED_UNIONS {
        if let Some(Value::Array(variants)) = schemas.get_mut(*name).and_then(|s| s.get_mut("oneOf")) {
            for v in variants.iter_mut().filter_map(Value::as_object_mut) {
                v.insert("additionalProperties".to_string(), Value::Bool(false));
            }
        }
    }
    if let Some(components) = doc.pointer_mut("/components").and_then(Value::as_object_mut) {
        components.insert("schemas".to_string(), Value::Object(schemas));
    }
    let snapshot_schemas = doc.pointer("/components/schemas").cloned().unwrap_or_default();
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            for method in METHODS {
                if let Some(op) = item.get_mut(*method) {
                    merge_flattened(op, &snapshot_schemas.as_object().cloned().unwrap_or_default());
                    complete_operation(method, path, op);
                }
            }
        }
    }
    doc
}

fn prefix_paths(doc: &mut Value, prefix: &str) {
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        let taken = std::mem::take(paths);
        for (path, item) in taken {
            paths.insert(format!("{prefix}{path}"), item);
        }
    }
}

/// RFC 9457 problem details as this server writes them (`crate::problem::Problem`).
fn problem_schema() -> Value {
    json!({
        "type": "object",
        "description": "RFC 9457 problem details. `type` identifies the kind of problem; `errors` names each invalid field of a 422 (and the parameter of a 400) by JSON pointer.",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": {"type": "string", "format": "uri", "description": "A URI naming the kind of problem."},
            "title": {"type": "string", "description": "A short summary of the kind of problem."},
            "status": {"type": "integer", "minimum": 400, "maximum": 599, "description": "The HTTP status code."},
            "detail": {"type": "string", "description": "What went wrong with this request, for a person."},
            "instance": {"type": "string", "format": "uri-reference", "description": "The request this problem occurred on."},
            "errors": {"type": "array", "items": {"$ref": "#/components/schemas/FieldError"}},
            "request_id": {"type": "string", "description": "Quote it when reporting a 5xx: the log has the cause."}
        }
    })
}

fn field_error_schema() -> Value {
    json!({
        "type": "object",
        "description": "One invalid field: a JSON pointer into the body (or `/query`, `/headers/...`) and what is wrong; for a placement refused with 409, also the hard constraint the field's value breaks.",
        "required": ["pointer", "detail"],
        "properties": {
            "pointer": {"type": "string"},
            "detail": {"type": "string"},
            "constraint": {"$ref": "#/components/schemas/Exclusion"}
        }
    })
}

/// Replace every `allOf` whose members are all objects (inline, or `$ref`s to object schemas)
/// by one object with their properties and required fields: what `#[serde(flatten)]` means.
fn merge_flattened(value: &mut Value, schemas: &Map<String, Value>) {
    match value {
        Value::Object(map) => {
            for v in map.values_mut() {
                merge_flattened(v, schemas);
            }
            let Some(Value::Array(members)) = map.get("allOf") else { return };
            let mut resolved = Vec::new();
            for m in members {
                let m = match m.get("$ref").and_then(Value::as_str) {
                    Some(r) => match r.strip_prefix("#/components/schemas/").and_then(|n| schemas.get(n)) {
                        Some(s) => s.clone(),
                        None => return,
                    },
                    None => m.clone(),
                };
                if m.get("type").and_then(Value::as_str) != Some("object") || m.get("allOf").is_some() {
                    return;
                }
                resolved.push(m);
            }
            // Closed: serde writes exactly these fields, and the inputs among these types deny
            // unknown ones.
            let mut properties = Map::new();
            let mut required: Vec<Value> = Vec::new();
            for m in resolved {
                if let Some(Value::Object(p)) = m.get("properties") {
                    properties.extend(p.clone());
                }
                if let Some(Value::Array(r)) = m.get("required") {
                    required.extend(r.iter().cloned());
                }
            }
            map.remove("allOf");
            map.insert("type".to_string(), json!("object"));
            map.insert("properties".to_string(), Value::Object(properties));
            map.insert("required".to_string(), Value::Array(required));
            map.insert("additionalProperties".to_string(), Value::Bool(false));
        }
        Value::Array(items) => {
            for v in items {
                merge_flattened(v, schemas);
            }
        }
        _ => {}
    }
}

/// What one operation's shape says about the statuses it may answer.
#[derive(Debug, Default)]
struct Shape {
    path_params: bool,
    query_params: bool,
    json_body: bool,
    idempotent: bool,
    if_match: bool,
    secured: bool,
}

impl Shape {
    fn of(op: &Value) -> Self {
        let mut s = Shape::default();
        for p in op.get("parameters").and_then(Value::as_array).into_iter().flatten() {
            let name = p.get("name").and_then(Value::as_str).unwrap_or("");
            match p.get("in").and_then(Value::as_str) {
                Some("path") => s.path_params = true,
                Some("query") => s.query_params = true,
                Some("header") if name.eq_ignore_ascii_case("idempotency-key") => s.idempotent = true,
                Some("header") if name.eq_ignore_ascii_case("if-match") => s.if_match = true,
                _ => {}
            }
        }
        s.json_body = op.pointer("/requestBody/content/application~1json").is_some();
        s.secured = op
            .get("security")
            .and_then(Value::as_array)
            .is_some_and(|reqs| reqs.iter().any(|r| r.as_object().is_some_and(|o| !o.is_empty())));
        s
    }

    /// The error statuses the shape implies, with why.
    fn statuses(&self, any_signed_in: bool) -> Vec<(u16, &'static str)> {
        let mut out = vec![
            (400, "Malformed request: a query parameter of the wrong type or an unknown one, malformed JSON, or a malformed `Authorization` header (two of them, or bytes outside visible ASCII)."),
            (401, "The bearer token is unknown, expired, revoked or not token-shaped (RFC 6750 `invalid_token`; public routes too), another scheme than Bearer was sent, or none was sent where one is required."),
            (500, "An internal error; the body carries only a request id, the log has the cause."),
            (503, "The database is unreachable; retry shortly."),
        ];
        if self.path_params {
            out.push((404, "No such resource, or it is outside your scope."));
        }
        if self.query_params || self.json_body {
            out.push((422, "A value is refused: `errors` names each field by JSON pointer."));
        }
        if self.json_body {
            out.push((413, "The body is larger than the server accepts."));
            out.push((415, "The body is not sent as `application/json`."));
        }
        if self.secured && !any_signed_in {
            out.push((403, "Your role or scope does not allow this."));
        }
        if self.idempotent {
            out.push((409, "A request with the same `Idempotency-Key` is still in flight, or the state changed."));
            out.push((422, "The `Idempotency-Key` was used before with another body."));
        }
        if self.if_match {
            out.push((412, "`If-Match` does not name the current version."));
            out.push((428, "`If-Match` is required."));
        }
        out
    }
}

/// A region code in a path names a resource, like any id: a code outside the table is a 404,
/// not a malformed request, so the path parameter states the code's shape and not the list.
/// (In a query or a body a code must be one of the list, and `RegionCode` enumerates it; the
/// list also made a contract run test all 3,682 codes once per region path, for nothing a 404
/// does not already show.)
fn region_path_by_shape(param: &mut Value) {
    let is_region = param.pointer("/schema/$ref").and_then(Value::as_str) == Some("#/components/schemas/RegionCode");
    if is_region {
        param["schema"] = json!({
            "type": "string",
            "pattern": "^[0-9]{6}$",
            "example": "420100",
            "description": "A GB/T 2260 region code; one outside the division table names no region (404)."
        });
    }
}

fn complete_operation(method: &str, path: &str, op: &mut Value) {
    let shape = Shape::of(op);
    let any_signed_in = ANY_SIGNED_IN.contains(&(method, path));
    let Some(obj) = op.as_object_mut() else { return };

    // Unique operation ids: utoipa takes the handler's name (`list`, `create`), which repeats.
    let tag = obj.get("tags").and_then(|t| t.get(0)).and_then(Value::as_str).unwrap_or("api").replace('-', "_");
    let name = obj.get("operationId").and_then(Value::as_str).unwrap_or(method).to_string();
    obj.insert("operationId".to_string(), json!(format!("{tag}_{name}")));

    if !shape.secured {
        obj.insert("security".to_string(), json!([]));
    }

    for p in obj.get_mut("parameters").and_then(Value::as_array_mut).into_iter().flatten() {
        if p.get("in").and_then(Value::as_str) == Some("query") {
            drop_null(p);
            forbid_controls_in_free_text(p);
        }
        if p.get("in").and_then(Value::as_str) == Some("path") {
            region_path_by_shape(p);
        }
        let name = p.get("name").and_then(Value::as_str).unwrap_or("").to_ascii_lowercase();
        match name.as_str() {
            "idempotency-key" => {
                p["schema"] = json!({"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]{1,255}$"});
            }
            "if-match" => {
                p["schema"] = json!({"type": "string", "pattern": "^(W/)?\"[0-9]{1,18}\"$"});
            }
            _ => {}
        }
    }

    let responses = obj.entry("responses").or_insert_with(|| json!({}));
    let Some(responses) = responses.as_object_mut() else { return };
    for (status, why) in shape.statuses(any_signed_in) {
        let entry = responses.entry(status.to_string()).or_insert_with(|| json!({"description": ""}));
        // A handler's own description stays; the shared reason fills an empty one.
        if entry.get("description").and_then(Value::as_str).unwrap_or("").is_empty() {
            entry["description"] = json!(why);
        }
    }
    for (status, response) in responses.iter_mut() {
        let code: u16 = status.parse().unwrap_or(0);
        if response.get("description").and_then(Value::as_str).unwrap_or("").is_empty() {
            response["description"] = json!(default_description(code));
        }
        if code >= 400 {
            response["content"] =
                json!({PROBLEM_JSON: {"schema": {"$ref": format!("#/components/schemas/{PROBLEM}")}}});
        }
        if code == 401 {
            response["headers"] = json!({"WWW-Authenticate": {
                "description": "`Bearer realm=\"carebridge\"`, with `error=\"invalid_token\"` when a bearer token was sent and refused (no error code when none was sent or another scheme was used).",
                "required": true,
                "schema": {"type": "string"}
            }});
        }
        if code == 400 {
            response["headers"] = json!({"WWW-Authenticate": {
                "description": "`Bearer realm=\"carebridge\", error=\"invalid_request\"` when the `Authorization` header was malformed (two of them, or bytes outside visible ASCII).",
                "required": false,
                "schema": {"type": "string"}
            }});
        }
    }
}

/// A query parameter is absent or has a value: `Option<T>`'s `null` has no spelling in a query
/// string, and `required: false` already says it may be left out.
fn drop_null(param: &mut Value) {
    let Some(schema) = param.get_mut("schema").and_then(Value::as_object_mut) else { return };
    if let Some(Value::Array(types)) = schema.get_mut("type") {
        types.retain(|t| t != "null");
        if types.len() == 1 {
            let only = types[0].clone();
            schema.insert("type".to_string(), only);
        }
    }
    let one_of = schema.get("oneOf").and_then(Value::as_array).cloned();
    if let Some(variants) = one_of {
        let kept: Vec<Value> = variants.into_iter().filter(|v| v.get("type") != Some(&json!("null"))).collect();
        if kept.len() == 1 {
            schema.remove("oneOf");
            if let Some(Value::Object(only)) = kept.into_iter().next() {
                schema.extend(only);
            }
        } else {
            schema.insert("oneOf".to_string(), Value::Array(kept));
        }
    }
}

/// A free-text query parameter (a string without pattern, format or enumeration) may not hold
/// control characters: `crate::extract::ApiQuery` refuses them with a 400.
fn forbid_controls_in_free_text(param: &mut Value) {
    let Some(schema) = param.get_mut("schema").and_then(Value::as_object_mut) else { return };
    let is_string = match schema.get("type") {
        Some(Value::String(t)) => t == "string",
        Some(Value::Array(ts)) => ts.iter().any(|t| t == "string"),
        _ => false,
    };
    if is_string && !["pattern", "format", "enum", "$ref"].iter().any(|k| schema.contains_key(*k)) {
        schema.insert("pattern".to_string(), json!("^[^\\x00-\\x1f\\x7f-\\x9f]*$"));
    }
}

fn default_description(status: u16) -> &'static str {
    match status {
        200 => "OK.",
        201 => "Created.",
        204 => "Done; no content.",
        400 => "Malformed request.",
        401 => "Authentication required or refused.",
        403 => "Not allowed for your role or scope.",
        404 => "No such resource, or it is outside your scope.",
        409 => "Conflict with the current state.",
        412 => "Precondition failed.",
        413 => "Body too large.",
        415 => "Unsupported media type.",
        422 => "Invalid input.",
        428 => "Precondition required.",
        500 => "Internal error.",
        503 => "Service unavailable.",
        _ => "See the problem document.",
    }
}

/// Every `$ref` in `doc` that names no component.
pub fn dangling_refs(doc: &Value) -> BTreeSet<String> {
    fn walk(v: &Value, doc: &Value, out: &mut BTreeSet<String>) {
        match v {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    let resolves = r.strip_prefix('#').is_some_and(|p| doc.pointer(p).is_some());
                    if !resolves {
                        out.insert(r.clone());
                    }
                }
                for v in map.values() {
                    walk(v, doc, out);
                }
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, doc, out)),
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    walk(doc, doc, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Value {
        super::super::openapi()
    }

    fn operations(doc: &Value) -> Vec<(String, String, Value)> {
        let mut out = Vec::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for m in METHODS {
                if let Some(op) = item.get(*m) {
                    out.push((m.to_string(), path.clone(), op.clone()));
                }
            }
        }
        out
    }

    #[test]
    fn every_ref_resolves() {
        let dangling = dangling_refs(&doc());
        assert!(dangling.is_empty(), "dangling $refs: {dangling:?}");
    }

    #[test]
    fn a_dangling_ref_is_found() {
        let d = json!({"components": {"schemas": {"A": {"type": "string"}}},
            "x": [{"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/Breakdown"}]});
        assert_eq!(dangling_refs(&d).into_iter().collect::<Vec<_>>(), vec!["#/components/schemas/Breakdown"]);
    }

    #[test]
    fn every_operation_declares_its_error_responses_as_problems() {
        let doc = doc();
        let ops = operations(&doc);
        assert!(ops.len() > 40, "expected the whole API, found {} operations", ops.len());
        let mut ids = BTreeSet::new();
        for (method, path, op) in &ops {
            let label = format!("{} {path}", method.to_uppercase());
            assert!(ids.insert(op["operationId"].as_str().unwrap_or("").to_string()), "{label}: operationId repeats");
            let security =
                op.get("security").and_then(Value::as_array).unwrap_or_else(|| panic!("{label}: no security"));
            let shape = Shape::of(op);
            let any = ANY_SIGNED_IN.contains(&(method.as_str(), path.as_str()));
            for (status, _) in shape.statuses(any) {
                assert!(op["responses"].get(status.to_string()).is_some(), "{label}: no {status} response");
            }
            for (status, response) in op["responses"].as_object().expect("responses") {
                let code: u16 = status.parse().expect("numeric status");
                if code >= 400 {
                    let content = response["content"].as_object().expect("error content");
                    assert_eq!(content.keys().collect::<Vec<_>>(), vec![PROBLEM_JSON], "{label} {status}");
                    assert_eq!(content[PROBLEM_JSON]["schema"]["$ref"], "#/components/schemas/Problem");
                } else {
                    assert!(response
                        .get("content")
                        .is_none_or(|c| !c.as_object().is_some_and(|c| c.contains_key(PROBLEM_JSON))));
                }
                assert!(!response["description"].as_str().unwrap_or("").is_empty(), "{label} {status}: no description");
            }
            assert!(op["responses"]["401"]["headers"]["WWW-Authenticate"]["required"] == json!(true), "{label}");
            if security.is_empty() {
                assert!(!shape.secured);
            }
        }
    }

    #[test]
    fn flattened_schemas_are_one_object() {
        let doc = doc();
        let facility = &doc["components"]["schemas"]["Facility"];
        assert!(facility.get("allOf").is_none(), "{facility}");
        for field in ["id", "name_zh", "region_code", "designation", "version"] {
            assert!(facility["properties"].get(field).is_some(), "Facility lacks {field}");
        }
    }

    #[test]
    fn region_codes_are_the_committed_table() {
        let doc = doc();
        let codes = doc["components"]["schemas"]["RegionCode"]["enum"].as_array().expect("enum");
        assert_eq!(codes.len(), Regions::china().len());
        assert!(codes.contains(&json!("420100")));
    }
}
