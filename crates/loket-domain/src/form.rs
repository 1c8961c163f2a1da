//! SOP steps 2-6: the consultation form (formulir konsultasi), and whether it is complete.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::errors::FieldErrors;
use crate::guest_book::Visitor;
use crate::priority::PriorityTable;
use crate::text::{multi_line, one_line};

/// The problem as the visitor describes it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Form {
    /// A code from the priority table.
    pub category: Option<String>,
    pub subject: Option<String>,
    pub description: Option<String>,
    pub spse_user_id: Option<String>,
    pub tender_code: Option<String>,
}

/// The form as a request gives it: absent fields keep what was stored, an empty string clears.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FormInput {
    pub category: Option<String>,
    pub subject: Option<String>,
    pub description: Option<String>,
    pub spse_user_id: Option<String>,
    pub tender_code: Option<String>,
}

pub const SUBJECT_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 5000;
pub const SPSE_USER_ID_MAX: usize = 100;
pub const TENDER_CODE_MAX: usize = 50;

impl Form {
    /// Applies what a request gave, checking each given field's format (a category must be in the
    /// priority table). On any error nothing is applied.
    pub fn apply(&self, input: &FormInput, table: &PriorityTable) -> Result<Form, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut next = self.clone();
        if let Some(v) = &input.category {
            next.category = match v.as_str() {
                "" => None,
                code if table.find(code).is_some() => Some(code.to_owned()),
                _ => {
                    errors.add("form.category", "unknown");
                    None
                }
            };
        }
        if let Some(v) = &input.subject {
            next.subject = one_line(v, SUBJECT_MAX, "form.subject", &mut errors);
        }
        if let Some(v) = &input.description {
            next.description = multi_line(v, DESCRIPTION_MAX, "form.description", &mut errors);
        }
        if let Some(v) = &input.spse_user_id {
            next.spse_user_id = one_line(v, SPSE_USER_ID_MAX, "form.spse_user_id", &mut errors);
        }
        if let Some(v) = &input.tender_code {
            next.tender_code = one_line(v, TENDER_CODE_MAX, "form.tender_code", &mut errors);
            if next.tender_code.as_deref().is_some_and(|c| !c.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')) {
                errors.add("form.tender_code", "invalid");
            }
        }
        errors.into_result(next)
    }
}

/// The fields a form must have to be complete (a setting of the office).
pub const DEFAULT_REQUIRED_FIELDS: [&str; 6] =
    ["visitor.name", "visitor.organization", "visitor.role", "visitor.phone", "form.category", "form.description"];

/// The fields every form needs, whatever the office sets: who came, and what the problem is (the
/// SOP's form is "filled in completely"; an office may require more, never fewer).
pub const ALWAYS_REQUIRED_FIELDS: [&str; 3] = ["visitor.name", "form.category", "form.description"];

/// Every field that may be made required.
pub const REQUIRABLE_FIELDS: [&str; 10] = [
    "visitor.name",
    "visitor.organization",
    "visitor.role",
    "visitor.phone",
    "visitor.email",
    "form.category",
    "form.subject",
    "form.description",
    "form.spse_user_id",
    "form.tender_code",
];

/// The written fields of a guest book entry and its form, by their names (`visitor.name`,
/// `form.description`, as [`REQUIRABLE_FIELDS`] names them); an empty field is
/// absent.
pub fn written_fields(visitor: &Visitor, form: &Form) -> BTreeMap<&'static str, String> {
    let role = visitor.role.and_then(|r| serde_json::to_value(r).ok()).and_then(|v| v.as_str().map(str::to_owned));
    [
        ("visitor.name", visitor.name.clone()),
        ("visitor.organization", visitor.organization.clone()),
        ("visitor.role", role),
        ("visitor.phone", visitor.phone.clone()),
        ("visitor.email", visitor.email.clone()),
        ("form.category", form.category.clone()),
        ("form.subject", form.subject.clone()),
        ("form.description", form.description.clone()),
        ("form.spse_user_id", form.spse_user_id.clone()),
        ("form.tender_code", form.tender_code.clone()),
    ]
    .into_iter()
    .filter_map(|(field, value)| value.map(|v| (field, v)))
    .collect()
}

/// SOP step 4: is the form complete? One error per missing or invalid field.
pub fn completeness(visitor: &Visitor, form: &Form, required: &[String], table: &PriorityTable) -> FieldErrors {
    let mut errors = FieldErrors::default();
    let written = written_fields(visitor, form);
    let always = ALWAYS_REQUIRED_FIELDS.iter().copied().filter(|f| !required.iter().any(|r| r == f));
    for field in always.chain(required.iter().map(String::as_str)) {
        // A field Loket does not know is not asked for (only known ones are ever saved).
        if REQUIRABLE_FIELDS.contains(&field) && !written.contains_key(field) {
            errors.add(field, "missing");
        }
    }
    // The priority table may have changed since the form was saved.
    if form.category.as_deref().is_some_and(|code| table.find(code).is_none()) {
        errors.add("form.category", "invalid");
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guest_book::VisitorRole;

    #[test]
    fn a_form_without_name_category_or_description_is_never_complete() {
        let table = PriorityTable::default_example();
        let errors = completeness(&Visitor::default(), &Form::default(), &[], &table);
        for field in ALWAYS_REQUIRED_FIELDS {
            assert_eq!(errors.0.get(field).map(String::as_str), Some("missing"), "{field}");
        }
        assert_eq!(errors.0.len(), ALWAYS_REQUIRED_FIELDS.len());
    }

    fn required() -> Vec<String> {
        DEFAULT_REQUIRED_FIELDS.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn form_check_names_every_missing_field() {
        let errors =
            completeness(&Visitor::default(), &Form::default(), &required(), &PriorityTable::default_example());
        let names: Vec<&str> = errors.0.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            [
                "form.category",
                "form.description",
                "visitor.name",
                "visitor.organization",
                "visitor.phone",
                "visitor.role"
            ]
        );
        assert!(errors.0.values().all(|v| v == "missing"));
    }

    #[test]
    fn a_filled_form_is_complete() {
        let visitor = Visitor {
            name: Some("Budi".into()),
            organization: Some("CV Maju".into()),
            role: Some(VisitorRole::Penyedia),
            phone: Some("081234567890".into()),
            email: None,
        };
        let form =
            Form { category: Some("password".into()), description: Some("Lupa password".into()), ..Default::default() };
        assert!(completeness(&visitor, &form, &required(), &PriorityTable::default_example()).is_empty());
    }

    #[test]
    fn a_category_removed_from_the_table_makes_the_form_invalid() {
        let form = Form { category: Some("gone".into()), ..Default::default() };
        let errors = completeness(&Visitor::default(), &form, &[], &PriorityTable::default_example());
        assert_eq!(errors.0.get("form.category").map(String::as_str), Some("invalid"));
    }

    #[test]
    fn unknown_categories_are_refused_when_given() {
        let input = FormInput { category: Some("nope".into()), ..Default::default() };
        let err = Form::default().apply(&input, &PriorityTable::default_example()).unwrap_err();
        assert_eq!(err.0.get("form.category").map(String::as_str), Some("unknown"));
    }

    #[test]
    fn only_the_description_is_written_in_lines() {
        let table = PriorityTable::default_example();
        let lines = FormInput { description: Some("Langkah 1\nLangkah 2".into()), ..Default::default() };
        assert!(Form::default().apply(&lines, &table).is_ok());
        let subject = FormInput { subject: Some("Gagal\nunggah".into()), ..Default::default() };
        let err = Form::default().apply(&subject, &table).unwrap_err();
        assert_eq!(err.0.get("form.subject").map(String::as_str), Some("invalid"));
        let code = FormInput { tender_code: Some("10023\u{202E}456".into()), ..Default::default() };
        let err = Form::default().apply(&code, &table).unwrap_err();
        assert_eq!(err.0.get("form.tender_code").map(String::as_str), Some("invalid"));
    }

    #[test]
    fn the_required_set_is_a_setting() {
        let table = PriorityTable::default_example();
        let only_name = vec!["visitor.name".to_string()];
        let visitor = Visitor { name: Some("Budi".into()), ..Default::default() };
        let form = Form { category: Some("other".into()), description: Some("x".into()), ..Default::default() };
        assert!(completeness(&visitor, &form, &only_name, &table).is_empty());
        let with_phone = vec!["visitor.phone".to_string()];
        assert_eq!(completeness(&visitor, &form, &with_phone, &table).0.keys().collect::<Vec<_>>(), ["visitor.phone"]);
    }
}
