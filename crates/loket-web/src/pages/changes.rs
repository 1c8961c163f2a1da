//! The change record (*Catatan perubahan*): every change of the settings, the days off and the
//! staff accounts, newest first, filtered by kind and office days; each row says who, when, what,
//! and what was changed from what. Supervisors, admins and auditors.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use loket_app::AppError;
use loket_app::changes::{self, Asked, LISTED};
use loket_domain::Refused;
use loket_domain::auth::Permission;
use loket_domain::change_record::{ChangeKind, ChangeRecord};
use serde::Deserialize;
use serde_json::Value;

use super::front_office::Choice;
use super::i18n::Tr;
use super::session::PageStaff;
use super::{Frame, PageResult};
use crate::AppState;

/// The page's address.
pub const CHANGES: &str = "/supervisor/changes";

#[derive(Deserialize, Default)]
pub struct ChangesParams {
    pub kind: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub offset: Option<u32>,
}

/// One field of a change: its value before and after, as short text.
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
}

pub struct ChangeRow {
    pub at: String,
    pub by: String,
    pub kind: String,
    pub subject: String,
    pub fields: Vec<FieldChange>,
}

#[derive(Template, WebTemplate)]
#[template(path = "changes.html")]
pub struct ChangesPage {
    pub page: Frame,
    pub kinds: Vec<Choice>,
    pub from: String,
    pub to: String,
    /// Each refused filter's message, by field.
    pub errors: Vec<(String, String)>,
    pub rows: Vec<ChangeRow>,
    pub next: Option<String>,
}

impl ChangesPage {
    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }
}

/// A value as one short line: text as it is, a list of texts joined by commas (roles), anything
/// else as compact JSON, nothing as `—`.
fn shown(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "—".to_owned(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => {
            items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", ")
        }
        Some(other) => other.to_string(),
    }
}

/// What a change changed, field by field for an object (only the fields that differ; a record
/// made or removed has every field on one side), else the whole value before and after.
fn field_changes(c: &ChangeRecord) -> Vec<FieldChange> {
    let none = serde_json::Map::new();
    let fields = |v: &Value| match v {
        Value::Object(map) => Some(map.clone()),
        Value::Null => Some(none.clone()),
        _ => None,
    };
    let objects = c.before.is_object() || c.after.is_object();
    match (fields(&c.before), fields(&c.after)) {
        (Some(b), Some(a)) if objects => {
            let mut names: Vec<&String> = b.keys().chain(a.keys()).collect();
            names.sort();
            names.dedup();
            names
                .into_iter()
                .filter(|n| b.get(*n) != a.get(*n))
                .map(|n| FieldChange { field: n.clone(), before: shown(b.get(n)), after: shown(a.get(n)) })
                .collect()
        }
        _ => vec![FieldChange { field: String::new(), before: shown(Some(&c.before)), after: shown(Some(&c.after)) }],
    }
}

fn kind_label(t: Tr, kind: ChangeKind) -> String {
    t.get(&format!("change-kind-{}", kind.as_str().replace('_', "-")))
}

/// The address of the same list at another offset.
fn page_link(p: &ChangesParams, offset: u32) -> String {
    let mut pairs = Vec::new();
    for (name, value) in [("kind", &p.kind), ("from", &p.from), ("to", &p.to)] {
        if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
            pairs.push(format!("{name}={}", super::archive::encode(v)));
        }
    }
    pairs.push(format!("offset={offset}"));
    format!("{CHANGES}?{}", pairs.join("&"))
}

pub async fn page(State(state): State<AppState>, staff: PageStaff, Query(p): Query<ChangesParams>) -> PageResult {
    staff.require(Permission::ReadSettings)?;
    let t = staff.tr();
    let zone = state.store.settings().await?.zone();
    let frame = Frame::staff(&state, &staff, "changes-title", CHANGES).await?;
    let form = filter_form(t, frame, &p);
    let offset = p.offset.unwrap_or(0);
    let asked = Asked { kind: p.kind.as_deref(), from: p.from.as_deref(), to: p.to.as_deref(), offset };
    let listed = match changes::list(&state.app, &staff.user, asked).await {
        Ok(listed) => listed,
        Err(AppError::Refused(Refused::Validation(errors))) => {
            let errors = errors
                .0
                .iter()
                .map(|(field, reason)| (field.clone(), t.get(&format!("changes-error-{field}-{reason}"))))
                .collect();
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, ChangesPage { errors, ..form }).into_response());
        }
        Err(e) => return Err(super::PageError::from(e).for_staff(&staff)),
    };
    let rows = change_rows(t, &listed.changes, zone);
    let next = listed.more.then(|| page_link(&p, offset.saturating_add(LISTED)));
    Ok(ChangesPage { rows, next, ..form }.into_response())
}

/// The page with the filters as typed, before the list.
fn filter_form(t: Tr, page: Frame, p: &ChangesParams) -> ChangesPage {
    let typed = |v: &Option<String>| v.clone().unwrap_or_default();
    let kind = typed(&p.kind);
    let kinds =
        std::iter::once(Choice { value: String::new(), label: t.get("changes-any"), selected: kind.is_empty() })
            .chain(ChangeKind::ALL.into_iter().map(|k| Choice {
                value: k.as_str().to_owned(),
                label: kind_label(t, k),
                selected: k.as_str() == kind,
            }))
            .collect();
    ChangesPage {
        page,
        kinds,
        from: typed(&p.from),
        to: typed(&p.to),
        errors: Vec::new(),
        rows: Vec::new(),
        next: None,
    }
}

/// Each change: when, who, what kind, of what, and each field before and after.
fn change_rows(t: Tr, changes: &[ChangeRecord], zone: chrono_tz::Tz) -> Vec<ChangeRow> {
    changes
        .iter()
        .map(|c| ChangeRow {
            at: loket_domain::format::long_date_time(t.lang, c.at, zone),
            by: c.by.clone(),
            kind: kind_label(t, c.kind),
            subject: c.subject.clone().unwrap_or_default(),
            fields: field_changes(c),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_the_fields_that_changed_are_shown() {
        let c = ChangeRecord {
            id: 1,
            kind: ChangeKind::User,
            by: "admin".into(),
            at: chrono::DateTime::UNIX_EPOCH,
            subject: Some("rina".into()),
            before: json!({"full_name": "Rina", "roles": ["helpdesk"]}),
            after: json!({"full_name": "Rina", "roles": ["supervisor"]}),
        };
        let fields = field_changes(&c);
        assert_eq!(fields.len(), 1);
        assert_eq!((fields[0].field.as_str(), fields[0].before.as_str()), ("roles", "helpdesk"));
        let created = ChangeRecord { before: Value::Null, ..c };
        assert_eq!(field_changes(&created).iter().map(|f| f.before.as_str()).collect::<Vec<_>>(), ["—", "—"]);
    }
}
