//! The OpenAPI 3.1 document of the server (`GET /api/v1/openapi.json`): every endpoint and every store
//! call, whose arguments and results are JSON Schemas generated from the Rust types the server reads and
//! writes (schemars), so that the document cannot drift from the code. Every status a call can answer is
//! listed, with the one error shape (`StoreError`: `{"error": KIND, "detail": …}`).

use schemars::generate::SchemaSettings;
use serde_json::{Value, json};

use crate::store::api::{self, CallKind, IDEMPOTENCY_HEADER};

/// Where the component schemas live in the document.
const SCHEMAS: &str = "#/components/schemas/";

/// The error statuses every authenticated endpoint may answer, with what each means.
const COMMON_ERRORS: &[(&str, &str)] = &[
    ("400", "the request does not fit this document (not JSON, wrong arguments, a bad header); the error names what"),
    ("401", "no token, or the session has ended"),
    ("403", "the role may not do this, or a footage rule refuses it"),
    ("404", "no such record"),
    ("409", "the record is not in a state that allows this (already decided, already used …)"),
    ("413", "the body is over 32 MiB"),
    ("421", "the server does not answer to this host name"),
    ("422", "well-formed data that the store's rules refuse (a required text left empty, a date outside 1990–2100 …)"),
    ("429", "too many requests from this address; see Retry-After"),
    ("500", "the server failed (the database, say); nothing was changed"),
];

fn error_response(description: &str) -> Value {
    json!({"description": description,
           "content": {"application/json": {"schema": {"$ref": format!("{SCHEMAS}Error")}}}})
}

fn responses(ok: Value, extra: &[(&str, &str)], except: &[&str]) -> Value {
    let mut map = serde_json::Map::new();
    map.insert("200".into(), ok);
    for (status, description) in COMMON_ERRORS.iter().chain(extra) {
        if !except.contains(status) {
            map.insert((*status).into(), error_response(description));
        }
    }
    Value::Object(map)
}

fn json_ok(description: &str, schema: Value) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": schema}}})
}

/// The schema as a JSON value.
fn value(schema: schemars::Schema) -> Value {
    schema.to_value()
}

/// The OpenAPI 3.1 document.
pub fn document() -> Value {
    let mut generator = SchemaSettings::draft2020_12()
        .with(|s| {
            s.definitions_path = "/components/schemas".into();
            s.meta_schema = None;
        })
        .into_generator();
    let error = value(generator.subschema_for::<crate::store::StoreError>());
    let session = value(generator.subschema_for::<crate::store::Session>());
    let record = value(generator.subschema_for::<crate::interchange::EventRecord>());
    let push_answer = value(generator.subschema_for::<api::PushAnswer>());
    let health = value(generator.subschema_for::<super::Health>());
    let methods = api::method_schemas(&mut generator);

    let bearer = json!([{"bearer": []}]);
    let mut paths = serde_json::Map::new();
    paths.insert(
        "/api/v1/login".into(),
        json!({"post": {
            "operationId": "login",
            "summary": "Log in; answers the session with its bearer token.",
            "description": "JSON only (a web page cannot post it without a CORS preflight). Wrong user names and wrong passwords get the same answer; five failures from one address lock that address out of the account for 15 minutes, and while locked even the right password answers 401 like a wrong one, so answers tell neither users nor passwords apart.",
            "requestBody": {"required": true, "content": {"application/json": {"schema": {
                "type": "object", "additionalProperties": false, "required": ["username", "password"],
                "properties": {"username": {"type": "string", "maxLength": 200}, "password": {"type": "string", "maxLength": 1024}}}}}},
            "responses": responses(json_ok("the session", session), &[("415", "the body is not application/json"), ("423", "the right password, but the account is locked from this address for now")], &["403", "404", "409"])
        }}),
    );
    paths.insert(
        "/api/v1/logout".into(),
        json!({"post": {"operationId": "logout", "summary": "End the session.", "security": bearer,
            "responses": responses(json_ok("done", json!({"type": "null"})), &[], &["403", "404", "409", "413", "422"])}}),
    );
    paths.insert(
        "/api/v1/events".into(),
        json!({"post": {
            "operationId": "push_events",
            "summary": "Push case events from the approval system (INTERCHANGE.md records).",
            "description": "A JSON array of records, or JSON lines. Each record is answered on its own: the good ones are imported (pushing the same record again changes nothing), the others come back in `rejected` with their record number (1-based), field and reason. 422 when no record was taken.",
            "security": bearer,
            "requestBody": {"required": true, "content": {
                "application/json": {"schema": {"type": "array", "minItems": 1, "items": record}},
                "application/x-ndjson": {"schema": {"type": "string", "minLength": 1}}}},
            "responses": {
                "200": json_ok("what was taken and what was not", push_answer.clone()),
                "422": {"description": "no record was taken (each is named in `rejected`), or the store refused the push",
                        "content": {"application/json": {"schema": {"anyOf": [push_answer, {"$ref": format!("{SCHEMAS}Error")}]}}}},
                "400": error_response("the body is not UTF-8 or holds no records"),
                "401": error_response("no token, or the session has ended"),
                "403": error_response("the role may not import case events"),
                "413": error_response("the body is over 32 MiB"),
                "421": error_response("the server does not answer to this host name"),
                "429": error_response("too many requests from this address"),
                "500": error_response("the server failed; nothing was changed")
            }
        }}),
    );
    // What the two paths of a segment's bytes share: to a console, and between servers.
    let access_id =
        json!({"name": "access_id", "in": "path", "required": true, "schema": {"type": "integer", "format": "int64"}});
    let segment_id =
        json!({"name": "segment_id", "in": "path", "required": true, "schema": {"type": "integer", "format": "int64"}});
    let range = json!({"name": "range", "in": "header", "required": false, "schema": {"type": "string", "pattern": "^bytes=[0-9]*-[0-9]*$"}});
    let mp2t = |description: &str| {
        json!({"description": description,
               "content": {"video/mp2t": {"schema": {"type": "string", "contentMediaType": "video/mp2t"}}}})
    };
    paths.insert(
        "/api/v1/footage/{access_id}/{segment_id}".into(),
        json!({"get": {
            "operationId": "footage_segment_bytes",
            "summary": "The bytes of a segment of a footage grant (open_footage), whole or an HTTP Range.",
            "description": "Only the grant's holder, for 12 hours, while the request is valid. A segment the grant covers only in part is sent as a clip cut at packet boundaries from a keyframe inside the grant (header x-jiancha-clip); the x-jiancha-sha256 header is the SHA-256 of what is sent whole.",
            "security": bearer,
            "parameters": [
                access_id.clone(), segment_id.clone(), range.clone()],
            "responses": {
                "200": mp2t("the segment (MPEG-TS), or the clip the grant covers"),
                "206": mp2t("the range asked for"),
                "400": error_response("a path parameter is not a number"),
                "401": error_response("no token, or the session has ended"),
                "403": error_response("not the holder, expired, or outside the grant"),
                "404": error_response("no such register line or segment, or its file is gone"),
                "416": error_response("the range starts past the end"),
                "421": error_response("the server does not answer to this host name"),
                "429": error_response("too many requests from this address"),
                "500": error_response("the server failed"),
                "503": error_response("the segment is kept by another server of the database, which cannot be reached now (the grant stays valid)")
            }
        }}),
    );
    paths.insert(
        "/api/v1/peer/footage/{access_id}/{segment_id}".into(),
        json!({"get": {
            "operationId": "peer_footage_segment_bytes",
            "summary": "Server to server: the bytes of a segment this server keeps, for a grant another server of the database checked.",
            "description": "Only for the servers of one database: `Authorization: JianchaPeer FROM:UNIX_TIME:MAC`, the MAC an HMAC-SHA256 (under a key derived from the servers' shared camera.key) of the asking server, the time (within 300 s), the user of header x-jiancha-for, the register line, the segment and the Range header. The grant is checked again for that user; the answer is as /api/v1/footage.",
            "parameters": [
                access_id, segment_id,
                {"name": "x-jiancha-for", "in": "header", "required": true, "schema": {"type": "string"}},
                range],
            "responses": {
                "200": mp2t("the segment (MPEG-TS), or the clip the grant covers"),
                "206": mp2t("the range asked for"),
                "401": error_response("no server credential, or one that does not hold"),
                "403": error_response("the user holds no such grant, it expired, or the segment is outside it"),
                "404": error_response("no such register line, or the segment is not kept here"),
                "416": error_response("the range starts past the end"),
                "421": error_response("the server does not answer to this host name"),
                "429": error_response("too many requests from this address"),
                "500": error_response("the server failed")
            }
        }}),
    );
    paths.insert(
        "/api/v1/changes".into(),
        json!({"get": {
            "operationId": "changes",
            "summary": "The change counter; a logged-in console waits up to `wait` seconds (at most 30) for it to pass `since`.",
            "description": "Without a token the counter is answered at once (a console checks the link with it before login).",
            "parameters": [
                {"name": "since", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 0, "maximum": u64::MAX}},
                {"name": "wait", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 0, "maximum": 30}}],
            "responses": {
                "200": json_ok("the counter", json!({"type": "object", "required": ["revision"],
                    "properties": {"revision": {"type": "integer", "minimum": 0}}})),
                "400": error_response("a query parameter is not a number"),
                "421": error_response("the server does not answer to this host name"),
                "429": error_response("too many requests from this address")
            }
        }}),
    );
    paths.insert(
        "/api/v1/health".into(),
        json!({"get": {"operationId": "health", "summary": "For a hall's monitoring: the version, the schema version, whether the database answers, and the age of the recorder's newest segment. No token; nothing about people.",
            "responses": {"200": json_ok("the database answers", health.clone()),
                          "503": {"description": "the database does not answer within 5 seconds", "content": {"application/json": {"schema": health}}},
                          "421": error_response("the server does not answer to this host name"),
                          "429": error_response("too many requests from this address")}}}),
    );
    let html = json!({"text/html": {"schema": {"type": "string"}}});
    let receipt = |summary: &str, op: &str| {
        json!({"operationId": op, "summary": summary,
            "parameters": [{"name": "code", "in": "path", "required": true, "schema": {"type": "string", "maxLength": 64}}],
            "responses": {"200": {"description": "the message and the button, or the confirmation", "content": html.clone()},
                          "404": {"description": "no message has this code", "content": html.clone()},
                          "503": {"description": "the database does not answer", "content": html.clone()},
                          "421": error_response("the server does not answer to this host name"),
                          "429": error_response("too many requests from this address")}})
    };
    paths.insert(
        "/r/{code}".into(),
        json!({"get": receipt("已阅: the page a notification's link opens (what it said, and a button). No token: the code is the proof; opening it confirms nothing.", "readReceiptPage"),
               "post": receipt("已阅: confirms the message with this code (the first time counts; audited).", "readReceiptConfirm")}),
    );
    paths.insert(
        "/api/v1/openapi.json".into(),
        json!({"get": {"operationId": "openapi", "summary": "This document.",
            "responses": {"200": json_ok("the OpenAPI 3.1 document", json!({"type": "object"})),
                          "421": error_response("the server does not answer to this host name"),
                          "429": error_response("too many requests from this address")}}}),
    );
    for method in methods.into_iter().filter(|m| !api::SYSTEM_ONLY.contains(&m.name)) {
        let kind = match method.kind {
            CallKind::Read => "A read.",
            CallKind::Write => "A write: waiting consoles hear of it at once.",
            CallKind::Queueable => "A write a console keeps in its outbox while the server is away.",
        };
        let names: Vec<&str> = method.args.iter().map(|(n, _)| *n).collect();
        let count = method.args.len();
        let items: Vec<Value> = method
            .args
            .into_iter()
            .map(|(name, schema)| {
                let mut v = value(schema);
                if let Value::Object(map) = &mut v {
                    map.entry("title").or_insert_with(|| json!(name));
                } else {
                    v = json!({"title": name, "allOf": [v]});
                }
                v
            })
            .collect();
        let arguments = if count == 0 {
            // Consoles send `null` for a call without arguments; `[]` and no body do as well.
            json!({"type": ["array", "null"], "maxItems": 0})
        } else {
            json!({"type": "array", "prefixItems": items, "minItems": count, "maxItems": count, "items": false})
        };
        let mut operation = json!({
            "operationId": method.name,
            "summary": format!("Store::{}({})", method.name, names.join(", ")),
            "description": format!("{kind} The arguments after the session, as a JSON array in this order: [{}].", names.join(", ")),
            "security": bearer,
            "parameters": [{"name": IDEMPOTENCY_HEADER, "in": "header", "required": false,
                "description": "The call runs once; a repeat by the same user gets the first answer (with x-jiancha-replayed: true).",
                "schema": {"type": "string", "pattern": "^[A-Za-z0-9-]{16,100}$"}}],
            "responses": responses(json_ok("the result", value(method.result)), &[], &[])
        });
        if let Value::Object(op) = &mut operation {
            op.insert(
                "requestBody".into(),
                json!({
                    "required": count > 0,
                    "description": text_rule_description(),
                    "x-jiancha-text-rule": text_rule(),
                    "content": {"application/json": {"schema": arguments}}
                }),
            );
        }
        paths.insert(format!("/api/v1/call/{}", method.name), json!({"post": operation}));
    }
    let mut schemas = generator.take_definitions(true);
    schemas.insert("Error".into(), error);
    let mut document = json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Jiancha 监察台 API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The store of a service hall's electronic supervision over HTTP. See docs/API.md."
        },
        "servers": [{"url": "/"}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": schemas
        },
        "paths": paths
    });
    bound_integers(&mut document);
    document
}

/// The one rule every text anywhere in a call's arguments meets (`api::admit_values`), machine-readable.
fn text_rule() -> Value {
    json!({
        "maxLength": api::MAX_ARGUMENT_CHARS,
        "controlCharacters": "none but LF, CR and TAB",
        "bidirectionalOverrides": "none (U+202A–U+202E, U+2066–U+2069)",
        "dateYears": [crate::domain::time::EARLIEST_YEAR, crate::domain::time::LATEST_YEAR],
        "status": 422
    })
}

fn text_rule_description() -> String {
    format!(
        "Every text anywhere in the arguments, nested objects and lists included, has at most {} characters, no \
         control character but a line break or a tab, and no bidirectional override; a text shaped like a date \
         (YYYY-MM, YYYY-MM-DD, an RFC 3339 time) lies within {}–{}. Otherwise 422, naming where \
         (`arguments[0].from`).",
        api::MAX_ARGUMENT_CHARS,
        crate::domain::time::EARLIEST_YEAR,
        crate::domain::time::LATEST_YEAR
    )
}

/// Gives every integer schema the bounds of its Rust type (`format: uint32` → 0 … 4294967295): a
/// format alone does not bound what a client may send, and the server refuses what does not fit.
fn bound_integers(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let bounds: Option<(Value, Value)> = match map.get("format").and_then(Value::as_str) {
                Some("int8") => Some((json!(i8::MIN), json!(i8::MAX))),
                Some("int16") => Some((json!(i16::MIN), json!(i16::MAX))),
                Some("int32") => Some((json!(i32::MIN), json!(i32::MAX))),
                Some("int64") => Some((json!(i64::MIN), json!(i64::MAX))),
                Some("uint8") => Some((json!(0), json!(u8::MAX))),
                Some("uint16") => Some((json!(0), json!(u16::MAX))),
                Some("uint32") => Some((json!(0), json!(u32::MAX))),
                Some("uint64" | "uint") => Some((json!(0), json!(u64::MAX))),
                _ => None,
            };
            let integer = map
                .get("type")
                .is_some_and(|t| t == "integer" || t.as_array().is_some_and(|a| a.iter().any(|t| t == "integer")));
            if let (Some((min, max)), true) = (bounds, integer) {
                let tighter_min =
                    map.get("minimum").and_then(Value::as_f64).is_some_and(|m| m > min.as_f64().unwrap_or(f64::MIN));
                if !tighter_min {
                    map.insert("minimum".into(), min);
                }
                let tighter_max =
                    map.get("maximum").and_then(Value::as_f64).is_some_and(|m| m < max.as_f64().unwrap_or(f64::MAX));
                if !tighter_max {
                    map.insert("maximum".into(), max);
                }
            }
            map.values_mut().for_each(bound_integers);
        }
        Value::Array(items) => items.iter_mut().for_each(bound_integers),
        _ => {}
    }
}
