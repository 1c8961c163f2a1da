//! The record of one visit (*Rekam kunjungan*), as an auditor reads it: what was written and
//! every correction of it, each SOP step with who did it, its time and verdict, each event of the
//! history with what it wrote, and each fixed version of the form (the copy given, the archive)
//! with its SHA-256. Read only; any role that reads visits (auditors included).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use loket_app::visits::{self, VisitRecord};
use loket_domain::auth::Permission;
use loket_domain::escalation::Channel;
use loket_domain::history::{Event, EventKind};
use serde_json::Value;

use super::i18n::Tr;
use super::session::PageStaff;
use super::visit_view::{Field, StepLine};
use super::{Frame, PageError, PageResult};
use crate::AppState;

/// One event of the history: when, what, who, the status it left and reached, what it wrote.
pub struct EventRow {
    pub at: String,
    pub kind: String,
    pub by: String,
    pub statuses: String,
    /// Each value the event wrote, as `name: value`.
    pub data: Vec<String>,
}

/// One fixed version of the form.
pub struct VersionRow {
    pub version: u32,
    pub number: String,
    pub fixed_at: String,
    pub sha256: String,
    pub size: u64,
    pub href: String,
    /// What the version is: the copy given, the archived one, both, or neither (an earlier one).
    pub roles: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "visit.html")]
pub struct VisitPage {
    pub page: Frame,
    pub reference: String,
    pub number: String,
    pub status: String,
    pub service: String,
    pub counter: String,
    pub created: String,
    pub fields: Vec<Field>,
    pub analysis: String,
    pub answer: String,
    /// How the visit was escalated (channel, summary, LKPP's reference), when it was.
    pub escalation: Option<String>,
    pub lkpp_answer: String,
    pub steps: Vec<StepLine>,
    pub copy: String,
    pub versions: Vec<VersionRow>,
    pub events: Vec<EventRow>,
}

pub async fn page(State(state): State<AppState>, staff: PageStaff, Path(id): Path<String>) -> PageResult {
    staff.require(Permission::ReadVisits)?;
    let record =
        visits::record(&state.app, &staff.user, &id).await.map_err(|e| PageError::from(e).for_staff(&staff))?;
    let settings = state.store.settings().await?;
    let here = format!("/visits/{id}");
    let mut frame = Frame::staff(&state, &staff, "visit-title", &here).await?;
    frame.title = staff.tr().with("visit-title-of", "reference", record.visit.reference.clone());
    Ok(visit_page(staff.tr(), frame, &settings, record).into_response())
}

fn visit_page(t: Tr, page: Frame, settings: &loket_domain::settings::OfficeSettings, record: VisitRecord) -> VisitPage {
    let zone = settings.zone();
    let v = &record.visit;
    let dash = super::visit_view::or_dash;
    let copy = match &v.copy {
        None => t.get("visit-copy-none"),
        Some(c) => {
            let via = t.get(&format!("visit-copy-{}", c.via.as_str()));
            let when = super::dates::date_time(t, c.at, zone);
            let mut text = t.args("visit-copy", &[("via", via), ("by", c.by.clone()), ("at", when)]);
            if c.pending {
                text = format!("{text} — {}", t.get("visit-copy-pending"));
            }
            text
        }
    };
    // Which versions were given as the copy, and which were archived, as the history says.
    let versions_of = |kind: EventKind| -> Vec<u64> {
        v.history.iter().filter(|e| e.kind == kind).filter_map(|e| e.data["version"].as_u64()).collect()
    };
    let (given, archived) = (versions_of(EventKind::CopyGiven), versions_of(EventKind::Archived));
    let versions = record
        .versions
        .iter()
        .map(|d| VersionRow {
            version: d.version,
            number: d.number.clone(),
            fixed_at: super::dates::date_time(t, d.archived_at, zone),
            sha256: d.sha256.clone(),
            size: d.size,
            href: format!("/visits/{}/form.pdf?version={}", v.id, d.version),
            roles: [(&given, "visit-version-copy"), (&archived, "visit-version-archived")]
                .iter()
                .filter(|(versions, _)| versions.contains(&u64::from(d.version)))
                .map(|(_, key)| t.get(key))
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect();
    VisitPage {
        page,
        reference: v.reference.clone(),
        number: dash(&v.queue.number),
        status: super::counter::status_text(t, v.status),
        service: v.service.clone(),
        counter: dash(&v.queue.counter),
        created: super::dates::date_time(t, v.created_at, zone),
        fields: super::visit_view::fields(t, settings, v),
        analysis: dash(&v.analysis),
        answer: dash(&v.answer),
        escalation: v.escalation.as_ref().map(|e| {
            let channel = match e.channel {
                Channel::Email => t.get("visit-channel-email"),
                Channel::Tts => t.get("visit-channel-tts"),
            };
            let reference = e.external_reference.clone().unwrap_or_else(|| "—".to_owned());
            t.args("visit-escalated", &[("channel", channel), ("summary", e.summary.clone()), ("reference", reference)])
        }),
        lkpp_answer: v.escalation.as_ref().map_or_else(|| "—".to_owned(), |e| dash(&e.answer)),
        steps: super::visit_view::step_lines(t, zone, &record.steps),
        copy,
        versions,
        events: v.history.iter().map(|e| event_row(t, zone, e)).collect(),
    }
}

/// The name of an event's kind, from the catalogue.
fn kind_name(t: Tr, e: &Event) -> String {
    let code = serde_json::to_value(e.kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
    t.get(&format!("event-{}", code.replace('_', "-")))
}

fn event_row(t: Tr, zone: chrono_tz::Tz, e: &Event) -> EventRow {
    let status = |s| super::counter::status_text(t, s);
    let statuses = match e.from {
        Some(from) if from != e.to => format!("{} → {}", status(from), status(e.to)),
        _ => status(e.to),
    };
    let data = match &e.data {
        Value::Object(map) => map
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| match v {
                Value::String(s) => format!("{k}: {s}"),
                other => format!("{k}: {other}"),
            })
            .collect(),
        Value::Null => Vec::new(),
        other => vec![other.to_string()],
    };
    EventRow { at: super::dates::date_time(t, e.at, zone), kind: kind_name(t, e), by: e.by.clone(), statuses, data }
}
