//! What was written in the guest book entry and on the form, and every correction of it: the
//! event that opens a visit keeps the entry as first written (`written`), and each save of the
//! form keeps the fields it changed, before and after (`changed`). An auditor reads from the
//! history the visitor's name as first written and every version of the form.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::form::{Form, written_fields};
use crate::guest_book::Visitor;
use crate::history::{Event, EventKind};

/// The entry as first written, for the event that opens the visit (`written`).
pub fn as_written(visitor: &Visitor, form: &Form) -> Value {
    Value::Object(written_fields(visitor, form).into_iter().map(|(k, v)| (k.to_owned(), Value::String(v))).collect())
}

/// The fields a save changed, before and after (`changed`: `{"visitor.name": {"before":
/// "Budi", "after": "Budi Santoso"}}`; a field empty before or after is null there).
pub fn changed(before: (&Visitor, &Form), after: (&Visitor, &Form)) -> Value {
    let (old, new) = (written_fields(before.0, before.1), written_fields(after.0, after.1));
    let mut fields: Vec<&&str> = old.keys().chain(new.keys()).collect();
    fields.sort();
    fields.dedup();
    let changes: Map<String, Value> = fields
        .into_iter()
        .filter(|f| old.get(**f) != new.get(**f))
        .map(|f| (f.to_string(), json!({"before": old.get(*f), "after": new.get(*f)})))
        .collect();
    Value::Object(changes)
}

/// One correction of a written field: what it said before, what it says after, who changed it
/// and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Correction {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub by: String,
    #[serde(with = "crate::timestamp")]
    pub at: DateTime<Utc>,
}

/// Every correction of a field once written, oldest first: a field filled in for the first time
/// is not a correction; emptying or changing it is.
pub fn corrections(history: &[Event]) -> Vec<Correction> {
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
    history
        .iter()
        .filter(|e| e.kind == EventKind::FormSaved)
        .filter_map(|e| Some((e, e.data.get("changed")?.as_object()?)))
        .flat_map(|(e, changed)| {
            changed.iter().filter_map(move |(field, change)| {
                let before = text(change.get("before"))?;
                Some(Correction {
                    field: field.clone(),
                    before: Some(before),
                    after: text(change.get("after")),
                    by: e.by.clone(),
                    at: e.at,
                })
            })
        })
        .collect()
}

/// The entry as first written, read from the event that opened the visit; none for a history
/// written before entries were kept with it.
pub fn first_written(history: &[Event]) -> Option<BTreeMap<String, String>> {
    let opened = history.iter().find(|e| e.kind == EventKind::Created)?;
    let written = opened.data.get("written")?.as_object()?;
    Some(written.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned()))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::visit::Status;

    fn saved(changed: Value, by: &str, minute: i64) -> Event {
        Event {
            kind: EventKind::FormSaved,
            at: DateTime::<Utc>::UNIX_EPOCH + chrono::Duration::minutes(minute),
            by: by.into(),
            from: None,
            to: Status::FormSubmitted,
            data: json!({"changed": changed}),
        }
    }

    #[test]
    fn a_save_keeps_the_fields_it_changed_before_and_after() {
        let before = Visitor { name: Some("Budi".into()), phone: Some("0812".into()), ..Default::default() };
        let after = Visitor { name: Some("Budi Santoso".into()), ..Default::default() };
        let form = Form { description: Some("Lupa password".into()), ..Default::default() };
        let changes = changed((&before, &Form::default()), (&after, &form));
        assert_eq!(
            changes,
            json!({
                "form.description": {"before": null, "after": "Lupa password"},
                "visitor.name": {"before": "Budi", "after": "Budi Santoso"},
                "visitor.phone": {"before": "0812", "after": null},
            })
        );
        assert_eq!(changed((&after, &form), (&after, &form)), json!({}), "nothing changed, nothing kept");
    }

    #[test]
    fn a_correction_is_a_change_of_what_was_written_not_a_first_entry() {
        let history = [
            saved(json!({"form.description": {"before": null, "after": "Lupa password"}}), "fo1", 1),
            saved(json!({"form.description": {"before": "Lupa password", "after": "Lupa kata sandi SPSE"}}), "fo2", 5),
        ];
        let found = corrections(&history);
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].field.as_str(), found[0].before.as_deref(), found[0].after.as_deref(), found[0].by.as_str()),
            ("form.description", Some("Lupa password"), Some("Lupa kata sandi SPSE"), "fo2")
        );
    }
}
