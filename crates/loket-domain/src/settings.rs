//! The settings of an office, with the defaults a fresh office starts from.

use serde::{Deserialize, Serialize};

use crate::archive::{DEFAULT_PATTERN, valid_pattern};
use crate::errors::FieldErrors;
use crate::form::{DEFAULT_REQUIRED_FIELDS, REQUIRABLE_FIELDS};
use crate::guest_book::is_email;
use crate::line::CallingPolicy;
use crate::office::{
    Counter, Service, ZONES, default_counters, default_services, validate_counters, validate_services,
};
use crate::priority::PriorityTable;
use crate::standards::{StepStandard, default_standards};
use crate::text::has_bidi_control;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OfficeSettings {
    pub office_name: String,
    /// IANA zone: office days and reports are in it.
    pub time_zone: String,
    pub services: Vec<Service>,
    pub counters: Vec<Counter>,
    pub priorities: PriorityTable,
    pub time_standards: Vec<StepStandard>,
    /// Fields a form needs to be complete (step 4).
    pub required_fields: Vec<String>,
    pub calling: CallingPolicy,
    pub archive_pattern: String,
    /// Where e-mail escalations go (the LKPP helpdesk).
    pub lkpp_email: String,
    /// How long a staff sign-in lasts.
    pub session_minutes: u32,
}

impl Default for OfficeSettings {
    fn default() -> Self {
        OfficeSettings {
            office_name: "LPSE".into(),
            time_zone: "Asia/Jakarta".into(),
            services: default_services(),
            counters: default_counters(),
            priorities: PriorityTable::default_example(),
            time_standards: default_standards(),
            required_fields: DEFAULT_REQUIRED_FIELDS.iter().map(|s| s.to_string()).collect(),
            calling: CallingPolicy::default(),
            archive_pattern: DEFAULT_PATTERN.into(),
            lkpp_email: "helpdesk@lkpp.go.id".into(),
            session_minutes: 12 * 60,
        }
    }
}

impl OfficeSettings {
    pub fn zone(&self) -> chrono_tz::Tz {
        crate::office::parse_zone(&self.time_zone).unwrap_or(chrono_tz::Asia::Jakarta)
    }

    pub fn counter(&self, code: &str) -> Option<&Counter> {
        self.counters.iter().find(|c| c.code == code)
    }

    /// The standard for analysis (step 9) of a visit in this category.
    pub fn analysis_minutes(&self, category: Option<&str>) -> Option<u32> {
        category.and_then(|c| self.priorities.find(c)).map(|c| c.analysis_minutes)
    }
}

/// Names under which settings are stored, one document each.
pub mod keys {
    pub const PRIORITIES: &str = "priorities";
    pub const TIME_STANDARDS: &str = "time_standards";
    pub const COUNTERS: &str = "counters";
    pub const SERVICES: &str = "services";
    pub const REQUIRED_FIELDS: &str = "required_fields";
    pub const CALLING: &str = "calling";
    pub const ARCHIVE_PATTERN: &str = "archive_pattern";
    pub const LKPP_EMAIL: &str = "lkpp_email";
    pub const SESSION_MINUTES: &str = "session_minutes";
    pub const TIME_ZONE: &str = "time_zone";
    pub const OFFICE_NAME: &str = "office_name";
}

impl OfficeSettings {
    /// Applies one stored setting over the defaults; a value that does not parse is ignored
    /// (and reported), so a bad row never stops the office.
    pub fn apply(&mut self, key: &str, value: serde_json::Value) -> Result<(), String> {
        fn set<T: serde::de::DeserializeOwned>(slot: &mut T, v: serde_json::Value) -> Result<(), String> {
            *slot = serde_json::from_value(v).map_err(|e| e.to_string())?;
            Ok(())
        }
        match key {
            keys::PRIORITIES => set(&mut self.priorities, value),
            keys::TIME_STANDARDS => set(&mut self.time_standards, value),
            keys::COUNTERS => set(&mut self.counters, value),
            keys::SERVICES => set(&mut self.services, value),
            keys::REQUIRED_FIELDS => set(&mut self.required_fields, value),
            keys::CALLING => set(&mut self.calling, value),
            keys::ARCHIVE_PATTERN => set(&mut self.archive_pattern, value),
            keys::LKPP_EMAIL => set(&mut self.lkpp_email, value),
            keys::SESSION_MINUTES => set(&mut self.session_minutes, value),
            keys::TIME_ZONE => set(&mut self.time_zone, value),
            keys::OFFICE_NAME => set(&mut self.office_name, value),
            other => Err(format!("unknown setting {other}")),
        }
    }
}

/// The office's own settings as one document: name, time zone, services, the fields a complete
/// form needs, re-calls after a skip, the archive number pattern, the LKPP address, sign-in lifetime.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfficeProfile {
    pub office_name: String,
    /// `Asia/Jakarta`, `Asia/Makassar` or `Asia/Jayapura`.
    pub time_zone: String,
    pub services: Vec<Service>,
    pub required_fields: Vec<String>,
    pub calling: CallingPolicy,
    /// `{yyyy}`, `{mm}`, `{dd}`, `{seq}`.
    pub archive_pattern: String,
    pub lkpp_email: String,
    pub session_minutes: u32,
}

impl OfficeProfile {
    pub fn of(s: &OfficeSettings) -> OfficeProfile {
        OfficeProfile {
            office_name: s.office_name.clone(),
            time_zone: s.time_zone.clone(),
            services: s.services.clone(),
            required_fields: s.required_fields.clone(),
            calling: s.calling,
            archive_pattern: s.archive_pattern.clone(),
            lkpp_email: s.lkpp_email.clone(),
            session_minutes: s.session_minutes,
        }
    }

    /// Checks a profile a supervisor gives; `counters` are the office's counters, which may only
    /// call services that remain.
    pub fn validate(&self, counters: &[Counter]) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = &self.office_name;
        if name.trim().is_empty() || name.chars().count() > 120 || has_bidi_control(name) {
            errors.add("office_name", "invalid");
        }
        if !ZONES.contains(&self.time_zone.as_str()) {
            errors.add("time_zone", "invalid");
        }
        if let Err(e) = validate_services(&self.services) {
            for (k, v) in e.0 {
                // `[0].code` is inside the list, named from it; `services` is the list itself.
                let field = if k.starts_with('[') { format!("services{k}") } else { k };
                errors.add(&field, &v);
            }
        }
        if self.required_fields.iter().any(|f| !REQUIRABLE_FIELDS.contains(&f.as_str())) {
            errors.add("required_fields", "unknown");
        }
        if self.calling.recalls_after_skip > 10 {
            errors.add("calling.recalls_after_skip", "invalid");
        }
        if !valid_pattern(&self.archive_pattern) {
            errors.add("archive_pattern", "invalid");
        }
        if !is_email(&self.lkpp_email) {
            errors.add("lkpp_email", "invalid");
        }
        if !(5..=24 * 60).contains(&self.session_minutes) {
            errors.add("session_minutes", "invalid");
        }
        if validate_counters(counters, &self.services).is_err() {
            errors.add("services", "in_use");
        }
        errors.into_result(())
    }

    /// The stored settings it replaces, key by key.
    pub fn entries(&self) -> Vec<(String, serde_json::Value)> {
        use serde_json::json;
        [
            (keys::OFFICE_NAME, json!(self.office_name)),
            (keys::TIME_ZONE, json!(self.time_zone)),
            (keys::SERVICES, json!(self.services)),
            (keys::REQUIRED_FIELDS, json!(self.required_fields)),
            (keys::CALLING, json!(self.calling)),
            (keys::ARCHIVE_PATTERN, json!(self.archive_pattern)),
            (keys::LKPP_EMAIL, json!(self.lkpp_email)),
            (keys::SESSION_MINUTES, json!(self.session_minutes)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_setting_replaces_the_default() {
        let mut s = OfficeSettings::default();
        s.apply(keys::CALLING, serde_json::json!({"recalls_after_skip": 2})).unwrap();
        assert_eq!(s.calling.recalls_after_skip, 2);
        assert!(s.apply(keys::CALLING, serde_json::json!("nonsense")).is_err());
        assert_eq!(s.calling.recalls_after_skip, 2, "a bad value leaves the setting as it was");
    }

    #[test]
    fn analysis_standard_comes_from_the_category() {
        let s = OfficeSettings::default();
        assert_eq!(s.analysis_minutes(Some("password")), Some(15));
        assert_eq!(s.analysis_minutes(None), None);
    }

    #[test]
    fn an_office_profile_round_trips_through_its_settings() {
        let mut s = OfficeSettings::default();
        let mut profile = OfficeProfile::of(&s);
        profile.time_zone = "Asia/Makassar".into();
        for (key, value) in profile.entries() {
            s.apply(&key, value).unwrap();
        }
        assert_eq!(OfficeProfile::of(&s), profile);
    }

    #[test]
    fn an_office_profile_names_each_bad_field() {
        let s = OfficeSettings::default();
        let mut profile = OfficeProfile::of(&s);
        assert!(profile.validate(&s.counters).is_ok());
        profile.time_zone = "Europe/Paris".into();
        profile.archive_pattern = "ARS/{yyyy}".into();
        profile.services = vec![Service { code: "B".into(), name: "Verifikasi".into() }];
        let errors = profile.validate(&s.counters).unwrap_err();
        let names: Vec<&str> = errors.0.keys().map(String::as_str).collect();
        assert_eq!(names, ["archive_pattern", "services", "time_zone"]);
        assert_eq!(errors.0["services"], "in_use", "counters still call service A");
    }

    #[test]
    fn each_error_names_the_field_as_sent() {
        let s = OfficeSettings::default();
        let mut profile = OfficeProfile::of(&s);
        profile.services = vec![];
        let errors = profile.validate(&[]).unwrap_err();
        assert_eq!(errors.0.get("services").map(String::as_str), Some("missing"), "{errors:?}");
        profile.services = vec![Service { code: "a".into(), name: "Konsultasi".into() }];
        let errors = profile.validate(&[]).unwrap_err();
        assert_eq!(errors.0.keys().collect::<Vec<_>>(), ["services[0].code"]);
    }
}
