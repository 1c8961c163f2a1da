//! The settings of an office, with the defaults a fresh office starts from.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use crate::archive::{DEFAULT_PATTERN, valid_pattern};
use crate::calendar::{Calendar, CalendarSettings, DaysOff, Measure, TimeMeasure};
use crate::errors::{FieldErrors, Refused};
use crate::form::{ALWAYS_REQUIRED_FIELDS, DEFAULT_REQUIRED_FIELDS, REQUIRABLE_FIELDS};
use crate::guest_book::is_email;
use crate::inbox::ImapSettings;
use crate::line::CallingPolicy;
use crate::mail::MailSettings;
use crate::office::{
    Counter, Service, ZONES, default_counters, default_services, validate_counters, validate_services,
};
use crate::priority::{Category, PriorityTable};
use crate::standards::{StandardsInForce, StepStandard, default_standards, validate_standards};
use crate::text::has_bidi_control;

/// Everything an office sets, one document. Each top-level field is stored as one setting (its
/// name is the key); a field missing from storage has its default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OfficeSettings {
    pub office: OfficeProfile,
    pub counters: Vec<Counter>,
    pub priorities: PriorityTable,
    pub time_standards: Vec<StepStandard>,
    /// How mail is sent (SMTP); the password is never shown back.
    pub mail: MailSettings,
    /// The business calendar's settings: opening hours per weekday, how time is measured.
    pub calendar: CalendarSettings,
    /// The office's non-working dates (holidays, cuti bersama): kept in a table of their own, not
    /// in the settings document; the store reads them with the settings.
    #[serde(skip)]
    pub days_off: DaysOff,
    /// The mailbox LKPP's answers are read from (IMAP); the password is never shown back.
    pub imap: ImapSettings,
}

impl Default for OfficeSettings {
    fn default() -> Self {
        OfficeSettings {
            office: OfficeProfile::default(),
            counters: default_counters(),
            priorities: PriorityTable::default_example(),
            time_standards: default_standards(),
            mail: MailSettings::default(),
            calendar: CalendarSettings::default(),
            days_off: DaysOff::default(),
            imap: ImapSettings::default(),
        }
    }
}

impl OfficeSettings {
    /// The office's time zone. Only the zones of [`ZONES`] are ever saved.
    pub fn zone(&self) -> chrono_tz::Tz {
        crate::office::parse_zone(&self.office.time_zone).unwrap_or(chrono_tz::Asia::Jakarta)
    }

    /// The office day a number given at `now` belongs to: today, while it is open. After the
    /// office's closing time no number is given ([`Refused::OfficeClosed`]): it would be closed
    /// as not served at the next call. The form stays as it is, to be numbered on the next
    /// office day.
    pub fn numbering_day(&self, now: DateTime<Utc>) -> Result<NaiveDate, Refused> {
        let zone = self.zone();
        let today = crate::office::office_day(now, zone);
        if crate::office::first_open_day(now, zone, self.office.closing_time) == today {
            Ok(today)
        } else {
            Err(Refused::OfficeClosed)
        }
    }

    /// How durations are measured for time standards and escalation age: by the clock, or in
    /// working time by the office's calendar, as the office chose (`calendar.time_measure`).
    pub fn measure(&self) -> Measure<'_> {
        match self.calendar.time_measure {
            TimeMeasure::Clock => Measure::Clock,
            TimeMeasure::Working => self.working_time(),
        }
    }

    /// Working time by the office's calendar, whatever measure the office reports in: the report
    /// facts keep both, so that either can be added up by the database.
    pub fn working_time(&self) -> Measure<'_> {
        Measure::Working {
            calendar: Calendar { hours: &self.calendar.opening_hours, days_off: &self.days_off },
            zone: self.zone(),
        }
    }

    pub fn counter(&self, code: &str) -> Option<&Counter> {
        self.counters.iter().find(|c| c.code == code)
    }

    /// The standard for analysis (step 9) of a visit in this category.
    pub fn analysis_minutes(&self, category: Option<&str>) -> Option<u32> {
        category.and_then(|c| self.priorities.find(c)).map(|c| c.analysis_minutes)
    }

    /// The standards in force now for `steps`, as the event that starts them records them; step
    /// 9's is the analysis target of the visit's `category`.
    pub fn standards_in_force(&self, steps: &[u8], category: Option<&str>) -> StandardsInForce {
        StandardsInForce::of(&self.time_standards, self.analysis_minutes(category), steps)
    }

    /// The services a counter calls from now: every service it serves, or the one asked for.
    /// The one rule for calling and for the call after a skip.
    pub fn services_called_at(&self, counter: &str, service: Option<&str>) -> Result<Vec<String>, CounterRefused> {
        let desk = self.counter(counter).ok_or(CounterRefused::UnknownCounter)?;
        match service {
            Some(s) if desk.services.iter().any(|d| d == s) => Ok(vec![s.to_owned()]),
            Some(_) => Err(CounterRefused::NotServed),
            None => Ok(desk.services.clone()),
        }
    }

    /// The settings as stored, one entry per top-level field.
    pub fn entries(&self) -> Vec<(String, serde_json::Value)> {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(map)) => map.into_iter().collect(),
            _ => Vec::new(),
        }
    }

    /// Reads stored settings over the defaults. A stored value that does not parse is left out
    /// (and named in the second result), so a bad row never stops the office. Settings stored one
    /// per office field, as earlier versions did, are read into the office profile.
    pub fn from_stored(rows: Vec<(String, serde_json::Value)>) -> (OfficeSettings, Vec<(String, String)>) {
        use serde_json::Value;
        let Ok(Value::Object(mut doc)) = serde_json::to_value(OfficeSettings::default()) else {
            return (OfficeSettings::default(), Vec::new());
        };
        let mut ignored = Vec::new();
        for (key, value) in rows {
            let mut next = doc.clone();
            match next.get_mut("office") {
                Some(Value::Object(office)) if !doc.contains_key(&key) && office.contains_key(&key) => {
                    office.insert(key.clone(), value);
                }
                _ if doc.contains_key(&key) => {
                    next.insert(key.clone(), value);
                }
                _ => {
                    ignored.push((key, "unknown setting".to_owned()));
                    continue;
                }
            }
            match serde_json::from_value::<OfficeSettings>(Value::Object(next.clone())) {
                Ok(_) => doc = next,
                Err(e) => ignored.push((key, e.to_string())),
            }
        }
        let settings = serde_json::from_value(Value::Object(doc)).unwrap_or_default();
        (settings, ignored)
    }

    /// The settings after a supervisor's change, checked against each other: counters call only
    /// services the office has, so removing a service a counter calls is refused as in use.
    /// (What visits still depend on is checked by the store, in the same transaction as the
    /// write.)
    pub fn with(&self, change: SettingsChange) -> Result<OfficeSettings, Refused> {
        let mut next = self.clone();
        match change {
            SettingsChange::Priorities(categories) => {
                next.priorities = PriorityTable::parse(categories).map_err(Refused::Validation)?
            }
            SettingsChange::TimeStandards(mut standards) => {
                if standards.is_empty() {
                    return Err(Refused::validation("time_standards", "missing"));
                }
                validate_standards(&standards).map_err(Refused::Validation)?;
                standards.sort_by_key(|s| s.step);
                next.time_standards = standards;
            }
            SettingsChange::Counters(counters) => {
                validate_counters(&counters, &self.office.services).map_err(Refused::Validation)?;
                next.counters = counters;
            }
            SettingsChange::Desks { services, counters } => {
                // Services and counters together: a new service and the counter that calls it,
                // or a service removed with the counters that called it, in one change.
                let mut errors = FieldErrors::default();
                let lists =
                    [("services", validate_services(&services)), ("counters", validate_counters(&counters, &services))];
                for (list, checked) in lists {
                    for (k, v) in checked.err().map(|e| e.0).unwrap_or_default() {
                        let field = if k.starts_with('[') { format!("{list}{k}") } else { k };
                        errors.add(&field, &v);
                    }
                }
                errors.into_result(()).map_err(Refused::Validation)?;
                next.office.services = services;
                next.counters = counters;
            }
            SettingsChange::Calendar(calendar) => {
                calendar.validate().map_err(Refused::Validation)?;
                next.calendar = calendar;
            }
            SettingsChange::Mail(mail) => {
                mail.validate().map_err(Refused::Validation)?;
                next.mail = self.mail.changed_to(mail).map_err(Refused::Validation)?;
            }
            SettingsChange::Imap(imap) => {
                imap.validate().map_err(Refused::Validation)?;
                next.imap = self.imap.changed_to(imap).map_err(Refused::Validation)?;
            }
            SettingsChange::Office(office) => {
                office.validate().map_err(Refused::Validation)?;
                let mut called: Vec<String> = self
                    .counters
                    .iter()
                    .flat_map(|c| &c.services)
                    .filter(|s| !office.services.iter().any(|o| &&o.code == s))
                    .cloned()
                    .collect();
                if !called.is_empty() {
                    called.sort();
                    called.dedup();
                    return Err(Refused::InUse(Stranded { services: called, ..Stranded::default() }));
                }
                next.office = office.with_always_required();
            }
        }
        Ok(next)
    }

    /// What in `next` would strand a visit now in the office: a counter removed while it calls or
    /// serves, a service removed with visits in line, a category removed that open visits name.
    pub fn stranded(&self, next: &OfficeSettings, in_use: &InUse) -> Option<Stranded> {
        let gone = |used: &[String], kept: &dyn Fn(&str) -> bool| -> Vec<String> {
            let mut v: Vec<String> = used.iter().filter(|u| !kept(u)).cloned().collect();
            v.sort();
            v.dedup();
            v
        };
        let counters = gone(&in_use.counters, &|c| next.counter(c).is_some());
        let services = gone(&in_use.services, &|s| next.office.services.iter().any(|o| o.code == s));
        let categories = gone(&in_use.categories, &|c| next.priorities.find(c).is_some());
        if counters.is_empty() && services.is_empty() && categories.is_empty() {
            None
        } else {
            Some(Stranded { counters, services, categories })
        }
    }
}

/// A change a supervisor makes to the settings: one part replaced whole.
#[derive(Debug, Clone, PartialEq)]
pub enum SettingsChange {
    Priorities(Vec<Category>),
    TimeStandards(Vec<StepStandard>),
    Counters(Vec<Counter>),
    Office(OfficeProfile),
    /// The services and the counters at once, each counter checked against the new services.
    Desks {
        services: Vec<Service>,
        counters: Vec<Counter>,
    },
    /// The SMTP server; without a password, the stored one is kept.
    Mail(MailSettings),
    /// The business calendar: opening hours and the time measure.
    Calendar(CalendarSettings),
    /// The mailbox LKPP's answers are read from; without a password, the stored one is kept.
    Imap(ImapSettings),
}

/// What visits now in the office depend on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InUse {
    /// Counters with a visit called or in service there.
    pub counters: Vec<String>,
    /// Services with visits in line.
    pub services: Vec<String>,
    /// Categories named by open visits (before their answer or escalation).
    pub categories: Vec<String>,
}

/// What a settings change would have stranded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stranded {
    pub counters: Vec<String>,
    pub services: Vec<String>,
    pub categories: Vec<String>,
}

impl Stranded {
    /// The settings that are still in use, as the fields of an error answer.
    pub fn fields(&self) -> FieldErrors {
        let mut f = FieldErrors::default();
        for (what, items) in
            [("counters", &self.counters), ("services", &self.services), ("categories", &self.categories)]
        {
            if !items.is_empty() {
                f.add(what, "in_use");
            }
        }
        f
    }
}

impl std::fmt::Display for Stranded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts = Vec::new();
        for (what, items) in
            [("counters", &self.counters), ("services", &self.services), ("categories", &self.categories)]
        {
            if !items.is_empty() {
                parts.push(format!("{what} {}", items.join(", ")));
            }
        }
        write!(f, "still in use: {}", parts.join("; "))
    }
}

/// Why a counter cannot call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CounterRefused {
    UnknownCounter,
    /// The counter does not serve the service asked for.
    NotServed,
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
    /// When the office day ends (`16:00`): visits still in line then are not served. None: at
    /// midnight.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "16:00:00")]
    pub closing_time: Option<NaiveTime>,
    /// The line of text that runs along the foot of the display board; none when empty.
    #[serde(default)]
    pub running_text: String,
    /// The address visitors reach Loket at (`https://loket.lpse.example.go.id`): the survey link
    /// and its QR code on the visitor's copy of the form start with it. Empty: no link printed.
    #[serde(default)]
    pub public_url: String,
    /// The ESC/POS receipt printers of the front office desks, on the LAN (raw TCP, port 9100).
    #[serde(default)]
    pub ticket_printers: Vec<TicketPrinter>,
}

/// A front office desk's receipt printer: the desk's name, as the clerk picks it, and the
/// printer's address (`192.168.1.50:9100`; the port may be left out).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketPrinter {
    pub desk: String,
    pub address: String,
}

impl TicketPrinter {
    /// The address to connect to, with the raw printing port when none is given.
    pub fn socket_address(&self) -> String {
        let a = self.address.trim();
        if a.rsplit_once(':').is_some_and(|(_, port)| port.parse::<u16>().is_ok()) && !a.ends_with(']') {
            a.to_owned()
        } else {
            format!("{a}:9100")
        }
    }
}

/// An address visitors can open: empty, or `http(s)://host[:port][/path]` without spaces, quotes
/// or a query, at most 200 characters.
pub fn valid_public_url(url: &str) -> bool {
    if url.is_empty() {
        return true;
    }
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    url.len() <= 200
        && rest.is_some_and(|r| {
            !r.is_empty()
                && !r.starts_with('/')
                && r.chars().all(|c| c.is_ascii_alphanumeric() || ".-:/_~[]%".contains(c))
        })
}

/// `path` on the office's public address; none without one. What a visitor is given to open
/// later (the ticket's QR code, the survey link) comes from the address the office set, never
/// from the request's `Host` header, which the client chooses.
pub fn public_link(public_url: &str, path: &str) -> Option<String> {
    (!public_url.is_empty()).then(|| format!("{}{path}", public_url.trim_end_matches('/')))
}

/// The path of a survey link on the office's public address; none without one.
pub fn survey_url(public_url: &str, token: &str) -> Option<String> {
    public_link(public_url, &format!("/survey/{token}"))
}

/// The longest running text the board shows.
pub const RUNNING_TEXT_MAX: usize = 500;

impl Default for OfficeProfile {
    fn default() -> Self {
        OfficeProfile {
            office_name: "LPSE".into(),
            time_zone: "Asia/Jakarta".into(),
            services: default_services(),
            required_fields: DEFAULT_REQUIRED_FIELDS.iter().map(|s| s.to_string()).collect(),
            calling: CallingPolicy::default(),
            archive_pattern: DEFAULT_PATTERN.into(),
            lkpp_email: "helpdesk@lkpp.go.id".into(),
            session_minutes: 12 * 60,
            closing_time: None,
            running_text: String::new(),
            public_url: String::new(),
            ticket_printers: Vec::new(),
        }
    }
}

impl OfficeProfile {
    /// Whether a complete form needs `field`: the office's list, and always the visitor's name,
    /// the category and the description (an office saved before they were always required may
    /// lack them; the check adds them too).
    /// The profile as it is saved: the fields every form needs added to the required ones that
    /// lack them (an office may require more, never fewer), each once.
    pub fn with_always_required(mut self) -> OfficeProfile {
        for field in ALWAYS_REQUIRED_FIELDS {
            if !self.required_fields.iter().any(|r| r == field) {
                self.required_fields.push(field.to_owned());
            }
        }
        self
    }

    pub fn requires(&self, field: &str) -> bool {
        ALWAYS_REQUIRED_FIELDS.contains(&field) || self.required_fields.iter().any(|r| r == field)
    }

    /// Checks a profile a supervisor gives, field by field. (Whether the office's counters still
    /// call only services it keeps is [`OfficeSettings::with`]'s check.)
    pub fn validate(&self) -> Result<(), FieldErrors> {
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
        if !self.calling.is_valid() {
            errors.add("calling.returns_after_skip", "invalid");
        }
        if !self.calling.spacing_is_valid() {
            errors.add("calling.seconds_between_calls", "invalid");
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
        if self.running_text.chars().count() > RUNNING_TEXT_MAX {
            errors.add("running_text", "too_long");
        } else if has_bidi_control(&self.running_text) {
            errors.add("running_text", "invalid");
        }
        if !valid_public_url(&self.public_url) {
            errors.add("public_url", "invalid");
        }
        for (i, p) in self.ticket_printers.iter().enumerate() {
            let desk = p.desk.trim();
            if desk.is_empty() || desk.chars().count() > 60 || has_bidi_control(desk) {
                errors.add(&format!("ticket_printers[{i}].desk"), "invalid");
            }
            let address = p.address.trim();
            let host_ok = !address.is_empty()
                && address.len() <= 255
                && address.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
                && p.socket_address()
                    .rsplit_once(':')
                    .is_some_and(|(host, _)| crate::outbound::typed_host_allowed(host));
            if !host_ok {
                errors.add(&format!("ticket_printers[{i}].address"), "invalid");
            }
        }
        errors.into_result(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_running_text_and_ticket_printers_are_checked() {
        let mut profile = OfficeSettings::default().office;
        profile.running_text = "Selamat datang".into();
        profile.ticket_printers = vec![TicketPrinter { desk: "Meja 1".into(), address: "192.168.1.50".into() }];
        assert!(profile.validate().is_ok());
        assert_eq!(profile.ticket_printers[0].socket_address(), "192.168.1.50:9100");
        profile.ticket_printers[0].address = "printer.lan:9101".into();
        assert_eq!(profile.ticket_printers[0].socket_address(), "printer.lan:9101");
        profile.ticket_printers[0].address = "169.254.169.254:80".into();
        assert!(profile.validate().is_err(), "a link-local address is never a printer");
        profile.ticket_printers[0].address = "printer.lan:9101".into();
        profile.running_text = "x".repeat(RUNNING_TEXT_MAX + 1);
        profile.ticket_printers.push(TicketPrinter { desk: " ".into(), address: "a b".into() });
        let names: Vec<String> = profile.validate().unwrap_err().0.into_keys().collect();
        assert_eq!(names, ["running_text", "ticket_printers[1].address", "ticket_printers[1].desk"]);
    }

    #[test]
    fn the_public_address_is_an_http_url_or_empty() {
        for good in ["", "https://loket.lpse.example.go.id", "http://10.0.0.5:8080/loket/"] {
            assert!(valid_public_url(good), "{good}");
        }
        for bad in
            ["loket.lpse.go.id", "https://", "https://a b", "javascript:alert(1)", "https://x/?q=1", "https:///x"]
        {
            assert!(!valid_public_url(bad), "{bad}");
        }
        assert_eq!(survey_url("https://a.go.id/", "t").as_deref(), Some("https://a.go.id/survey/t"));
        assert_eq!(survey_url("", "t"), None);
    }

    #[test]
    fn a_stored_setting_replaces_the_default() {
        let (s, ignored) = OfficeSettings::from_stored(vec![("counters".into(), json!([]))]);
        assert!(s.counters.is_empty());
        assert!(ignored.is_empty());
    }

    #[test]
    fn a_bad_stored_setting_is_left_out_and_named() {
        let rows = vec![("time_standards".into(), json!("nonsense")), ("office_name".into(), json!("LPSE Kota"))];
        let (s, ignored) = OfficeSettings::from_stored(rows);
        assert_eq!(s.time_standards, default_standards(), "a bad value leaves the default");
        assert_eq!(ignored.len(), 1);
        assert_eq!(ignored[0].0, "time_standards");
        assert_eq!(s.office.office_name, "LPSE Kota", "an office field stored alone is still read");
    }

    #[test]
    fn settings_round_trip_through_their_stored_entries() {
        let mut s = OfficeSettings::default();
        s.office.time_zone = "Asia/Makassar".into();
        s.office.calling.returns_after_skip = 2;
        let (read, ignored) = OfficeSettings::from_stored(s.entries());
        assert!(ignored.is_empty());
        assert_eq!(read, s);
        let keys: Vec<String> = s.entries().into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["calendar", "counters", "imap", "mail", "office", "priorities", "time_standards"]);
    }

    #[test]
    fn analysis_standard_comes_from_the_category() {
        let s = OfficeSettings::default();
        assert_eq!(s.analysis_minutes(Some("password")), Some(15));
        assert_eq!(s.analysis_minutes(None), None);
    }

    #[test]
    fn an_office_profile_names_each_bad_field() {
        let s = OfficeSettings::default();
        let mut profile = s.office.clone();
        assert!(profile.validate().is_ok());
        profile.time_zone = "Europe/Paris".into();
        profile.archive_pattern = "ARS/{yyyy}".into();
        profile.calling.returns_after_skip = 0;
        let errors = profile.validate().unwrap_err();
        let names: Vec<&str> = errors.0.keys().map(String::as_str).collect();
        assert_eq!(names, ["archive_pattern", "calling.returns_after_skip", "time_zone"]);
    }

    #[test]
    fn numbers_are_given_until_closing_time_only() {
        use chrono::TimeZone;
        let mut settings = OfficeSettings::default();
        // 15:59 and 16:00 in Jakarta.
        let (before, at) =
            (Utc.with_ymd_and_hms(2026, 12, 7, 8, 59, 0).unwrap(), Utc.with_ymd_and_hms(2026, 12, 7, 9, 0, 0).unwrap());
        let today = NaiveDate::from_ymd_opt(2026, 12, 7);
        assert_eq!(settings.numbering_day(at).ok(), today, "no closing time: open until midnight");
        settings.office.closing_time = NaiveTime::from_hms_opt(16, 0, 0);
        assert_eq!(settings.numbering_day(before).ok(), today);
        assert_eq!(settings.numbering_day(at), Err(Refused::OfficeClosed));
    }

    #[test]
    fn an_office_requires_at_least_name_category_and_description() {
        let profile = OfficeProfile { required_fields: vec!["visitor.phone".into()], ..OfficeProfile::default() };
        let saved = profile.with_always_required();
        assert_eq!(saved.required_fields, ["visitor.phone", "visitor.name", "form.category", "form.description"]);
        assert_eq!(saved.clone().with_always_required(), saved, "each once");
        let settings = OfficeSettings::default()
            .with(SettingsChange::Office(OfficeProfile { required_fields: Vec::new(), ..OfficeProfile::default() }))
            .expect("an empty list is saved");
        assert_eq!(settings.office.required_fields, ["visitor.name", "form.category", "form.description"]);
    }

    #[test]
    fn a_closing_time_is_read_with_or_without_seconds() {
        let mut office = serde_json::to_value(OfficeProfile::default()).unwrap();
        for (given, expected) in [("16:00", "16:00:00"), ("15:30:00", "15:30:00")] {
            office["closing_time"] = json!(given);
            let profile: OfficeProfile = serde_json::from_value(office.clone()).unwrap();
            assert_eq!(profile.closing_time.map(|t| t.to_string()).as_deref(), Some(expected));
        }
    }

    #[test]
    fn a_service_the_counters_still_call_cannot_be_removed() {
        let s = OfficeSettings::default();
        let mut profile = s.office.clone();
        profile.services = vec![Service { code: "B".into(), name: "Verifikasi".into() }];
        match s.with(SettingsChange::Office(profile)) {
            Err(Refused::InUse(stranded)) => {
                assert_eq!(stranded.services, ["A"], "counters still call service A");
                assert_eq!(stranded.fields().0.get("services").map(String::as_str), Some("in_use"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn each_error_names_the_field_as_sent() {
        let s = OfficeSettings::default();
        let mut profile = s.office.clone();
        profile.services = vec![];
        let errors = profile.validate().unwrap_err();
        assert_eq!(errors.0.get("services").map(String::as_str), Some("missing"), "{errors:?}");
        assert!(!errors.0.contains_key("servicesservices"));
        profile.services = vec![Service { code: "a".into(), name: "Konsultasi".into() }];
        let errors = profile.validate().unwrap_err();
        assert_eq!(errors.0.keys().collect::<Vec<_>>(), ["services[0].code"]);
    }

    #[test]
    fn empty_counters_and_time_standards_are_refused() {
        let s = OfficeSettings::default();
        assert!(s.with(SettingsChange::Counters(vec![])).is_err());
        assert!(s.with(SettingsChange::TimeStandards(vec![])).is_err());
        assert!(s.with(SettingsChange::Priorities(vec![])).is_err());
    }

    #[test]
    fn counters_are_checked_against_the_services_in_the_same_settings() {
        let s = OfficeSettings::default();
        let b = Counter { code: "9".into(), name: "Loket 9".into(), services: vec!["B".into()] };
        match s.with(SettingsChange::Counters(vec![b])) {
            Err(Refused::Validation(errors)) => {
                assert_eq!(errors.0.get("[0].services").map(String::as_str), Some("unknown"))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn services_and_counters_change_together() {
        let s = OfficeSettings::default();
        let services = vec![Service { code: "B".into(), name: "Verifikasi".into() }];
        let counters = vec![Counter { code: "1".into(), name: "Loket 1".into(), services: vec!["B".into()] }];
        let next = s.with(SettingsChange::Desks { services: services.clone(), counters: counters.clone() }).unwrap();
        assert_eq!((next.office.services, next.counters), (services.clone(), counters));
        let bad = vec![Counter { code: "1".into(), name: " ".into(), services: vec!["A".into()] }];
        match s.with(SettingsChange::Desks { services, counters: bad }) {
            Err(Refused::Validation(errors)) => {
                let names: Vec<&str> = errors.0.keys().map(String::as_str).collect();
                assert_eq!(names, ["counters[0].name", "counters[0].services"], "named as in the lists");
            }
            other => panic!("{other:?}"),
        }
        match s.with(SettingsChange::Desks { services: vec![], counters: vec![] }) {
            Err(Refused::Validation(errors)) => {
                assert_eq!(errors.0.keys().collect::<Vec<_>>(), ["counters", "services"]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn removing_what_visits_use_is_named() {
        let s = OfficeSettings::default();
        let next = s.with(SettingsChange::Counters(s.counters[1..].to_vec())).unwrap();
        let in_use = InUse { counters: vec!["1".into(), "2".into()], services: vec!["A".into()], categories: vec![] };
        let stranded = s.stranded(&next, &in_use).unwrap();
        assert_eq!(stranded.counters, ["1"]);
        assert!(stranded.services.is_empty());
        assert!(s.stranded(&s, &in_use).is_none());
    }

    #[test]
    fn a_counter_calls_from_its_services_or_the_one_asked_for() {
        let s = OfficeSettings::default();
        assert_eq!(s.services_called_at("1", None).unwrap(), ["A"]);
        assert_eq!(s.services_called_at("1", Some("A")).unwrap(), ["A"]);
        assert_eq!(s.services_called_at("1", Some("B")), Err(CounterRefused::NotServed));
        assert_eq!(s.services_called_at("9", None), Err(CounterRefused::UnknownCounter));
    }
}
