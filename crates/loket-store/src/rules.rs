//! The checks a use case makes before it writes, on the office settings.

use chrono::{DateTime, Utc};
use loket_domain::archive::ArchiveStamp;
use loket_domain::escalation::{OutgoingMail, escalation_mail};
use loket_domain::guest_book::Visitor;
use loket_domain::history::{Event, EventKind};
use loket_domain::settings::OfficeSettings;
use loket_domain::{Refused, Status, Visit};

use crate::{OpenVisit, Result, StoreError};

/// What a change to a visit brings with it besides itself: the escalation e-mail for the outbox,
/// and, when an archived visit changed, the stamp of its new archived version (the archived record
/// is immutable: a later change is a new version, the earlier one kept).
pub(crate) fn follow_ups(
    visit: &Visit,
    was: Status,
    event: &Event,
    settings: &OfficeSettings,
    now: DateTime<Utc>,
) -> (Option<OutgoingMail>, Option<ArchiveStamp>) {
    let mail = (event.kind == EventKind::Escalated)
        .then(|| escalation_mail(visit, &settings.lkpp_email, &settings.office_name))
        .flatten();
    let rearchive = (was == Status::Archived && event.kind != EventKind::Archived)
        .then_some(visit.archive.as_ref())
        .flatten()
        .map(|prev| ArchiveStamp { number: prev.number.clone(), archived_at: now, version: prev.version + 1 });
    (mail, rearchive)
}

/// The service and guest book entry of a visit to open (steps 1-2), checked.
pub(crate) fn opening(settings: &OfficeSettings, open: &OpenVisit) -> Result<(String, Visitor)> {
    let service = match &open.service {
        Some(code) if settings.services.iter().any(|s| &s.code == code) => code.clone(),
        Some(_) => return Err(Refused::validation("service", "unknown").into()),
        None => settings.services.first().map(|s| s.code.clone()).unwrap_or_else(|| "A".into()),
    };
    let visitor = Visitor::default().apply(&open.visitor).map_err(Refused::Validation)?;
    if visitor.name.is_none() {
        return Err(Refused::validation("visitor.name", "missing").into());
    }
    Ok((service, visitor))
}

/// The services a counter calls from now: all it serves, or the one asked for.
pub(crate) fn counter_services(settings: &OfficeSettings, counter: &str, service: Option<&str>) -> Result<Vec<String>> {
    let desk = settings.counter(counter).ok_or(StoreError::NotFound)?;
    match service {
        Some(s) if desk.services.iter().any(|d| d == s) => Ok(vec![s.to_owned()]),
        Some(_) => Err(Refused::validation("service", "not_served").into()),
        None => Ok(desk.services.clone()),
    }
}
