//! The OpenAPI document, made to tell the truth: every status an operation can answer, and the
//! constraints the server enforces (lengths, patterns, enums, bounds), so that a client
//! generated from it, or a fuzzer, agrees with the server.
//!
//! utoipa derives the shapes from the types; what it cannot see (the answers every extractor
//! may give, the text rules of the domain, the codes of the office's current settings) is added
//! here, to the JSON document.

use loket_domain::escalation::{EXTERNAL_REFERENCE_MAX, SUMMARY_MAX};
use loket_domain::form::{DESCRIPTION_MAX, SPSE_USER_ID_MAX, SUBJECT_MAX, TENDER_CODE_MAX};
use loket_domain::guest_book::{EMAIL_MAX, NAME_MAX, ORGANIZATION_MAX};
use loket_domain::settings::OfficeSettings;
use loket_domain::text::patterns;
use loket_domain::visit::{ANALYSIS_MAX, ANSWER_MAX, REASON_MAX};
use serde_json::{Value, json};

const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];

fn error(description: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}})
}

/// The answers an operation may give besides its own: from authentication, the body and query
/// extractors, the path, and the server itself.
fn standard_responses(path: &str, op: &mut Value) {
    let secured = op.get("security").and_then(Value::as_array).is_some_and(|s| !s.is_empty());
    let has_body = op.get("requestBody").is_some();
    let has_query =
        op.get("parameters").and_then(Value::as_array).is_some_and(|ps| ps.iter().any(|p| p["in"] == "query"));
    let mut add = Vec::new();
    if has_body || has_query {
        add.push(("400", "Malformed: the body is not one JSON value, or the query does not parse"));
    }
    if secured {
        add.push(("401", "No token, or an unknown, expired or signed-out one"));
        if !path.starts_with("/api/v1/auth/") {
            add.push(("403", "The roles of the token do not allow this"));
        }
    }
    if path.contains('{') {
        add.push(("404", "No such visit or counter"));
    }
    if has_body {
        add.push(("408", "The body did not arrive in time"));
        add.push(("413", "The body is larger than 1 MiB"));
        add.push(("415", "The body is not declared application/json"));
        add.push(("422", "A field of the body is missing, unknown, or of a bad type or format"));
    }
    add.push(("500", "A fault of the server; the body carries the request id"));
    let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
        return;
    };
    for (status, description) in add {
        responses.entry(status).or_insert_with(|| error(description));
    }
    if let Some(limited) = responses.get_mut("429") {
        limited["headers"] = json!({"Retry-After": {
            "description": "Seconds until the limit's window ends",
            "required": true,
            "schema": {"type": "integer", "minimum": 1}
        }});
    }
}

fn text(max: usize, pattern: &str, nullable: bool) -> Value {
    let kind = if nullable { json!(["string", "null"]) } else { json!("string") };
    json!({"type": kind, "maxLength": max, "pattern": pattern})
}

/// Sets `properties.<name>` of a component schema, keeping its description.
fn set(doc: &mut Value, schema: &str, property: &str, value: Value) {
    let slot = &mut doc["components"]["schemas"][schema]["properties"][property];
    let description = slot.get("description").cloned();
    *slot = value;
    if let Some(d) = description {
        slot["description"] = d;
    }
}

/// The text rules of the domain, field by field.
fn constraints(doc: &mut Value) {
    use patterns::*;
    set(doc, "VisitorInput", "name", text(NAME_MAX, ONE_LINE, true));
    set(doc, "VisitorInput", "organization", text(ORGANIZATION_MAX, ONE_LINE, true));
    set(doc, "VisitorInput", "phone", json!({"type": ["string", "null"], "pattern": PHONE}));
    set(doc, "VisitorInput", "email", text(EMAIL_MAX, EMAIL, true));
    // Where a visit is opened, the visitor's name is needed.
    let mut new_visitor = doc["components"]["schemas"]["VisitorInput"].clone();
    new_visitor["properties"]["name"] = text(NAME_MAX, ONE_LINE_REQUIRED, false);
    new_visitor["required"] = json!(["name"]);
    new_visitor["description"] = json!("A guest book entry that opens a visit: the name is needed.");
    doc["components"]["schemas"]["NewVisitor"] = new_visitor;
    for schema in ["CreateVisit", "KioskVisit"] {
        set(doc, schema, "visitor", json!({"$ref": "#/components/schemas/NewVisitor"}));
    }

    set(doc, "FormInput", "subject", text(SUBJECT_MAX, ONE_LINE, true));
    set(doc, "FormInput", "description", text(DESCRIPTION_MAX, MULTI_LINE, true));
    set(doc, "FormInput", "spse_user_id", text(SPSE_USER_ID_MAX, ONE_LINE, true));
    set(doc, "FormInput", "tender_code", text(TENDER_CODE_MAX, TENDER_CODE, true));

    set(doc, "DayOffInput", "name", text(loket_domain::calendar::DAY_OFF_NAME_MAX, ONE_LINE_REQUIRED, false));
    for field in ["opens", "closes"] {
        set(doc, "OpenInterval", field, json!({"type": "string", "pattern": "^([01]?[0-9]|2[0-3]):[0-5][0-9]$"}));
    }

    set(doc, "CancelRequest", "reason", text(REASON_MAX, MULTI_LINE_REQUIRED, false));
    set(doc, "TransferRequest", "reason", text(REASON_MAX, MULTI_LINE_REQUIRED, false));
    set(doc, "UserChange", "full_name", text(loket_domain::auth::FULL_NAME_MAX, ONE_LINE_REQUIRED, false));
    // The nine scores of the survey, 1 (worst) to 4 (best).
    let score = json!({"type": ["integer", "null"], "minimum": 1, "maximum": 4});
    for element in loket_domain::survey::Element::ALL {
        set(doc, "SurveyScores", element.as_str(), score.clone());
    }
    set(doc, "TransferRequest", "agent", text(64, ONE_LINE, true));
    set(doc, "AnswerRequest", "analysis", text(ANALYSIS_MAX, MULTI_LINE_REQUIRED, false));
    set(doc, "AnswerRequest", "answer", text(ANSWER_MAX, MULTI_LINE_REQUIRED, false));
    set(doc, "EscalationAnswer", "answer", text(ANSWER_MAX, MULTI_LINE_REQUIRED, false));
    set(doc, "EscalationRequest", "analysis", text(ANALYSIS_MAX, MULTI_LINE_REQUIRED, false));
    set(doc, "EscalationRequest", "summary", text(SUMMARY_MAX, MULTI_LINE_REQUIRED, false));
    set(doc, "EscalationRequest", "external_reference", text(EXTERNAL_REFERENCE_MAX, MULTI_LINE, true));
    // A `tts` escalation needs LKPP's ticket number.
    doc["components"]["schemas"]["EscalationRequest"]["if"] =
        json!({"properties": {"channel": {"const": "tts"}}, "required": ["channel"]});
    doc["components"]["schemas"]["EscalationRequest"]["then"] = json!({
        "required": ["external_reference"],
        "properties": {"external_reference": text(EXTERNAL_REFERENCE_MAX, MULTI_LINE_REQUIRED, false)}
    });
}

/// The settings a supervisor gives: codes, names, bounds. That codes are unique within a list is
/// said in the descriptions (JSON Schema cannot say it of objects).
fn settings_constraints(doc: &mut Value) {
    use patterns::{ARCHIVE_PATTERN, EMAIL_ADDRESS, LABEL};
    let label = |max: usize| json!({"type": "string", "maxLength": max, "pattern": LABEL});
    let int = |min: u32, max: u32| json!({"type": "integer", "minimum": min, "maximum": max});
    set(
        doc,
        "Category",
        "code",
        json!({"type": "string", "pattern": "^[a-z0-9_]{1,40}$", "description": "Unique in the table."}),
    );
    set(doc, "Category", "name", label(120));
    set(doc, "Category", "priority", int(1, 9));
    set(doc, "Category", "analysis_minutes", int(1, 100_000));
    set(doc, "Category", "resolution_minutes", int(1, 1_000_000));
    set(
        doc,
        "StepStandard",
        "step",
        json!({"type": "integer", "minimum": 1, "maximum": 12, "description": "An SOP step, once in the list."}),
    );
    set(doc, "StepStandard", "minutes", int(1, 100_000));
    set(
        doc,
        "Counter",
        "code",
        json!({"type": "string", "pattern": "^[A-Za-z0-9_-]{1,10}$", "description": "Unique among the counters."}),
    );
    set(doc, "Counter", "name", label(80));
    set(
        doc,
        "Service",
        "code",
        json!({"type": "string", "pattern": "^[A-Z]{1,3}$", "description": "Unique among the services."}),
    );
    set(doc, "Service", "name", label(80));
    set(doc, "CallingPolicy", "returns_after_skip", int(1, 10));
    set(
        doc,
        "OfficeProfile",
        "closing_time",
        json!({"type": ["string", "null"], "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"}),
    );
    set(doc, "OfficeProfile", "office_name", label(120));
    set(doc, "OfficeProfile", "time_zone", json!({"type": "string", "enum": loket_domain::office::ZONES}));
    set(
        doc,
        "OfficeProfile",
        "required_fields",
        json!({
            "type": "array",
            "items": {"type": "string", "enum": loket_domain::form::REQUIRABLE_FIELDS},
            "description": "The fields a complete form needs. visitor.name, form.category and form.description are always among them: a list without them is saved with them added.",
        }),
    );
    set(
        doc,
        "OfficeProfile",
        "archive_pattern",
        json!({"type": "string", "maxLength": 100, "pattern": ARCHIVE_PATTERN}),
    );
    set(doc, "OfficeProfile", "lkpp_email", json!({"type": "string", "maxLength": 254, "pattern": EMAIL_ADDRESS}));
    set(doc, "OfficeProfile", "session_minutes", int(5, 24 * 60));
    set(
        doc,
        "OfficeProfile",
        "public_url",
        json!({"type": "string", "maxLength": 200, "pattern": "^(https?://[A-Za-z0-9.:_~\\[\\]%-][A-Za-z0-9.:/_~\\[\\]%-]*)?$"}),
    );
    // [`loket_domain::mail::MailSettings::validate`].
    let no_control = r"^[^\u0000-\u001F\u007F-\u009F]*$";
    set(doc, "MailSettings", "smtp_host", json!({"type": "string", "maxLength": 253, "pattern": "^[A-Za-z0-9.:-]*$"}));
    set(doc, "MailSettings", "smtp_port", int(1, 65535));
    set(doc, "MailSettings", "smtp_username", json!({"type": "string", "maxLength": 254, "pattern": no_control}));
    set(
        doc,
        "MailSettings",
        "smtp_password",
        json!({"type": ["string", "null"], "maxLength": 1000, "pattern": no_control}),
    );
    set(doc, "MailSettings", "from_address", json!({"type": "string", "maxLength": 254, "pattern": EMAIL_ADDRESS}));
    let ca = json!({"type": "string", "maxLength": loket_domain::mail::CA_PEM_MAX, "description": "PEM certificates, or empty."});
    set(doc, "MailSettings", "smtp_ca_pem", ca.clone());
    set(doc, "ImapSettings", "ca_pem", ca);
    // [`loket_domain::inbox::ImapSettings::validate`].
    set(doc, "ImapSettings", "host", json!({"type": "string", "maxLength": 253, "pattern": "^[A-Za-z0-9.:-]*$"}));
    // A mailbox that is read needs its server and its user; one that is off may leave them empty.
    doc["components"]["schemas"]["ImapSettings"]["if"] =
        json!({"properties": {"enabled": {"const": true}}, "required": ["enabled"]});
    doc["components"]["schemas"]["ImapSettings"]["then"] = json!({
        "properties": {
            "host": {"minLength": 1},
            "username": {"pattern": r"^[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$"}
        }
    });
    set(doc, "ImapSettings", "port", int(1, 65535));
    set(doc, "ImapSettings", "username", json!({"type": "string", "maxLength": 254, "pattern": no_control}));
    set(doc, "ImapSettings", "password", json!({"type": ["string", "null"], "maxLength": 1000, "pattern": no_control}));
    set(
        doc,
        "ImapSettings",
        "mailbox",
        json!({"type": "string", "minLength": 1, "maxLength": 200, "pattern": r#"^[^"\u0000-\u001F\u007F-\u009F]*[^"\s\u0000-\u001F\u007F-\u009F][^"\u0000-\u001F\u007F-\u009F]*$"#}),
    );
    set(doc, "ImapSettings", "poll_seconds", int(30, 86_400));
    set(
        doc,
        "ImapSettings",
        "ticket_pattern",
        json!({"type": "string", "maxLength": loket_domain::inbox::TICKET_PATTERN_MAX, "description": "A regular expression (Rust regex syntax)."}),
    );
    doc["components"]["schemas"]["OfficeProfile"]["properties"]["services"]["minItems"] = json!(1);
}

/// A date of the years Loket keeps days off for (2000-2100), `YYYY-MM-DD`.
const DAY_OFF_DATE: &str = "^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$";

/// Query parameters: dates as `YYYY-MM-DD` (or empty), statuses and kinds of change from their
/// lists (or empty).
fn parameters(doc: &mut Value) {
    let date = json!({"anyOf": [
        {"type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
        {"type": "string", "maxLength": 0}
    ]});
    let mut statuses: Vec<Value> = loket_domain::Status::ALL.iter().map(|s| json!(s.as_str())).collect();
    statuses.push(json!(""));
    let mut change_kinds: Vec<Value> =
        loket_domain::change_record::ChangeKind::ALL.iter().map(|k| json!(k.as_str())).collect();
    change_kinds.push(json!(""));
    let Some(paths) = doc["paths"].as_object_mut() else { return };
    for item in paths.values_mut() {
        for method in METHODS {
            let Some(params) =
                item.get_mut(method).and_then(|op| op.get_mut("parameters")).and_then(Value::as_array_mut)
            else {
                continue;
            };
            for p in params.iter_mut().filter(|p| p["in"] == "query") {
                match p["name"].as_str() {
                    Some("date" | "from" | "to") => p["schema"] = date.clone(),
                    Some("status") => p["schema"] = json!({"type": "string", "enum": statuses}),
                    Some("kind") => p["schema"] = json!({"type": "string", "enum": change_kinds}),
                    Some("contact") => p["schema"] = json!({"type": "string", "pattern": patterns::CONTACT}),
                    Some("version") => p["schema"] = json!({"type": "integer", "minimum": 0, "maximum": u32::MAX}),
                    // The years Loket keeps days off for.
                    Some("year") => p["schema"] = json!({"type": "integer", "minimum": 2000, "maximum": 2100}),
                    _ => {}
                }
            }
            for p in params.iter_mut().filter(|p| p["in"] == "path" && p["name"] == "date") {
                p["schema"] = json!({"type": "string", "format": "date", "pattern": DAY_OFF_DATE});
            }
        }
    }
}

/// Where a visit's answer leads: the SOP's next steps, by the visit's id (for generated clients,
/// and for a fuzzer's stateful phase, which follows them).
fn links(doc: &mut Value) {
    let by_id = |operations: &[&str]| -> Value {
        let links: serde_json::Map<String, Value> = operations
            .iter()
            .map(|op| ((*op).to_owned(), json!({"operationId": op, "parameters": {"id": "$response.body#/id"}})))
            .collect();
        Value::Object(links)
    };
    let leads = [
        ("/api/v1/visits", "post", "201", by_id(&["get", "history", "save_form", "check", "cancel"])),
        ("/api/v1/visits/{id}/form", "put", "200", by_id(&["check"])),
        ("/api/v1/visits/{id}/check", "post", "200", by_id(&["get", "cancel"])),
        ("/api/v1/counters/{counter}/call-next", "post", "200", by_id(&["recall", "skip", "start", "cancel"])),
        ("/api/v1/visits/{id}/start", "post", "200", by_id(&["answer", "escalate"])),
        ("/api/v1/visits/{id}/answer", "post", "200", by_id(&["archive"])),
        ("/api/v1/visits/{id}/escalate", "post", "200", by_id(&["archive", "answer_escalation"])),
        ("/api/v1/visits/{id}/archive", "post", "200", by_id(&["archived_document", "answer_escalation"])),
    ];
    for (path, method, status, links) in leads {
        if let Some(response) = doc["paths"][path][method]["responses"].get_mut(status) {
            response["links"] = links;
        }
    }
}

/// The document as derived from the code, made exact.
pub fn refine(mut doc: Value) -> Value {
    if let Some(paths) = doc["paths"].as_object_mut() {
        for (path, item) in paths.iter_mut() {
            for method in METHODS {
                if let Some(op) = item.get_mut(method) {
                    standard_responses(path, op);
                }
            }
        }
    }
    constraints(&mut doc);
    settings_constraints(&mut doc);
    links(&mut doc);
    parameters(&mut doc);
    // The logo is sent and served as the image file itself.
    let binary = json!({"schema": {"type": "string", "format": "binary"}});
    let logo = &mut doc["paths"]["/api/v1/settings/logo"];
    for kind in ["image/png", "image/jpeg"] {
        logo["put"]["requestBody"]["content"][kind] = binary.clone();
        logo["get"]["responses"]["200"]["content"][kind] = binary.clone();
    }
    logo["put"]["requestBody"]["required"] = json!(true);
    // Lists the server needs at least one of.
    for path in ["/api/v1/settings/priorities", "/api/v1/settings/counters", "/api/v1/settings/time-standards"] {
        if let Some(body) =
            doc["paths"][path]["put"]["requestBody"]["content"]["application/json"]["schema"].as_object_mut()
        {
            body.insert("minItems".into(), json!(1));
        }
    }
    doc
}

/// The codes the office has now: a form's category from the priority table, a service from
/// the office's services. The document served at `/api/openapi.json` names them.
pub fn with_settings(mut doc: Value, settings: &OfficeSettings) -> Value {
    let mut categories: Vec<Value> = settings.priorities.categories.iter().map(|c| json!(c.code)).collect();
    categories.extend([json!(""), Value::Null]);
    set(
        &mut doc,
        "FormInput",
        "category",
        json!({"type": ["string", "null"], "enum": categories, "description": "A code of the priority table; empty clears it."}),
    );
    let mut services: Vec<Value> = settings.office.services.iter().map(|s| json!(s.code)).collect();
    services.push(Value::Null);
    for schema in ["CreateVisit", "KioskVisit", "CallNextRequest"] {
        set(&mut doc, schema, "service", json!({"type": ["string", "null"], "enum": services}));
    }
    let counters: Vec<&str> = settings.counters.iter().map(|c| c.code.as_str()).collect();
    // The counter a visit is called at: one of the office's.
    if let Some(params) = doc["paths"]["/api/v1/counters/{counter}/call-next"]["post"]["parameters"].as_array_mut() {
        for p in params.iter_mut().filter(|p| p["name"] == "counter") {
            p["schema"] = json!({"type": "string", "enum": counters});
        }
    }
    // A ticket is printed at a desk that has a printer. Without any, every desk is refused: an
    // empty list of values would make the request unsatisfiable, so the document says it in words.
    let desks: Vec<&str> = settings.office.ticket_printers.iter().map(|p| p.desk.as_str()).collect();
    let desk = if desks.is_empty() {
        json!({"type": "string", "description": "A front office desk of the `ticket_printers` setting; this office has none yet, so every desk is 422 `validation`."})
    } else {
        json!({"type": "string", "enum": desks, "description": "A front office desk of the `ticket_printers` setting."})
    };
    set(&mut doc, "PrintRequest", "desk", desk);
    set(
        &mut doc,
        "TransferRequest",
        "counter",
        json!({"type": "string", "enum": counters, "description": "A counter of the office, not the visit's own."}),
    );
    let codes: Vec<&str> = settings.office.services.iter().map(|s| s.code.as_str()).collect();
    set(
        &mut doc,
        "Counter",
        "services",
        json!({"type": "array", "minItems": 1, "items": {"type": "string", "enum": codes}}),
    );
    doc
}
