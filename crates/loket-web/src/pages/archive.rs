//! The archive page (SOP step 12: an archived form is found again): words and filters, the
//! results with a snippet, each archived version's PDF. For every role that reads visits.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use loket_domain::auth::Permission;
use loket_domain::search::Outcome;
use loket_domain::settings::OfficeSettings;
use loket_store::ArchivedVersion;

use super::front_office::{Choice, ROLES, role_code};
use super::i18n::Tr;
use super::session::PageStaff;
use super::{Frame, PageResult};
use crate::AppState;
use loket_app::AppError;
use loket_app::archive::{self, ArchiveItem, ArchiveResults, SearchParams};
use loket_app::documents;

pub struct VersionLink {
    pub version: u32,
    pub href: String,
    pub label: String,
}

pub struct ResultRow {
    pub reference: String,
    pub number: String,
    pub day: String,
    pub visitor_name: String,
    pub category: String,
    pub outcome: String,
    pub snippet: String,
    pub pdf: String,
    /// The visit's record (`/visits/{id}`).
    pub record: String,
    pub versions: Vec<VersionLink>,
}

#[derive(Template, WebTemplate)]
#[template(path = "archive.html")]
pub struct ArchivePage {
    pub page: Frame,
    pub q: String,
    pub from: String,
    pub to: String,
    pub categories: Vec<Choice>,
    pub roles: Vec<Choice>,
    pub outcomes: Vec<Choice>,
    /// Each refused filter's message, by field.
    pub errors: Vec<(String, String)>,
    pub searched: bool,
    pub summary: String,
    pub rows: Vec<ResultRow>,
    pub previous: Option<String>,
    pub next: Option<String>,
}

impl ArchivePage {
    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }
}

fn choices(t: Tr, typed: &str, options: impl Iterator<Item = (String, String)>) -> Vec<Choice> {
    std::iter::once(Choice { value: String::new(), label: t.get("archive-any"), selected: typed.is_empty() })
        .chain(options.map(|(value, label)| Choice { selected: value == typed, value, label }))
        .collect()
}

/// The address of the same search at another offset.
fn page_link(p: &SearchParams, offset: u32) -> String {
    let mut pairs = Vec::new();
    for (name, value) in [
        ("q", &p.q),
        ("from", &p.from),
        ("to", &p.to),
        ("category", &p.category),
        ("role", &p.role),
        ("outcome", &p.outcome),
    ] {
        if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
            pairs.push(format!("{name}={}", encode(v)));
        }
    }
    pairs.push(format!("offset={offset}"));
    format!("/archive?{}", pairs.join("&"))
}

/// Percent-encodes a query value.
pub(super) fn encode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn version_links(t: Tr, id: &str, versions: &[ArchivedVersion]) -> Vec<VersionLink> {
    versions
        .iter()
        .map(|v| VersionLink {
            version: v.version,
            href: format!("/visits/{id}/form.pdf?version={}", v.version),
            label: t.args(
                "archive-version",
                &[("version", v.version.to_string()), ("size", (v.size / 1024).max(1).to_string())],
            ),
        })
        .collect()
}

pub async fn page(State(state): State<AppState>, staff: PageStaff, Query(p): Query<SearchParams>) -> PageResult {
    staff.require(Permission::ReadVisits)?;
    let t = staff.tr();
    let settings = state.store.settings().await?;
    let frame = Frame::staff(&state, &staff, "archive-title", "/archive").await?;
    let form = search_form(t, frame, &p, &settings);
    let found = match archive::search(&state.app, &staff.user, &p).await {
        Ok(found) => found,
        Err(AppError::Refused(loket_domain::Refused::Validation(errors))) => {
            let errors = errors
                .0
                .iter()
                .map(|(field, reason)| (field.clone(), t.get(&format!("archive-error-{field}-{reason}"))))
                .collect();
            return Ok(ArchivePage { errors, ..form }.into_response());
        }
        Err(e) => return Err(e.into()),
    };
    let mut versions = Vec::with_capacity(found.items.len());
    for item in &found.items {
        versions.push(documents::archived_versions(&state.app, &staff.user, &item.id).await?);
    }
    Ok(with_results(t, form, &p, found, versions, &settings).into_response())
}

/// The page with the search as typed, before its results.
fn search_form(t: Tr, page: Frame, p: &SearchParams, settings: &OfficeSettings) -> ArchivePage {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let categories = choices(
        t,
        p.category.as_deref().unwrap_or_default(),
        settings.priorities.categories.iter().map(|c| (c.code.clone(), c.name.clone())),
    );
    let roles = choices(
        t,
        p.role.as_deref().unwrap_or_default(),
        ROLES.into_iter().map(|r| {
            let code = role_code(r);
            let label = t.get(&format!("visitor-role-{code}"));
            (code, label)
        }),
    );
    let outcomes = choices(
        t,
        p.outcome.as_deref().unwrap_or_default(),
        Outcome::ALL.into_iter().map(|o| (o.as_str().to_owned(), t.get(&format!("archive-outcome-{}", o.as_str())))),
    );
    let searched = [&p.q, &p.from, &p.to, &p.category, &p.role, &p.outcome, &p.offset].iter().any(|v| v.is_some());
    ArchivePage {
        page,
        q: text(&p.q),
        from: text(&p.from),
        to: text(&p.to),
        categories,
        roles,
        outcomes,
        errors: Vec::new(),
        searched,
        summary: String::new(),
        rows: Vec::new(),
        previous: None,
        next: None,
    }
}

/// A result's row: the visit, its snippet, its form's PDF and each archived version of it.
fn result_row(t: Tr, item: ArchiveItem, versions: &[ArchivedVersion], settings: &OfficeSettings) -> ResultRow {
    let id = item.id.clone();
    let category = item
        .category
        .as_deref()
        .map(|c| settings.priorities.find(c).map_or_else(|| c.to_owned(), |cat| cat.name.clone()))
        .unwrap_or_default();
    ResultRow {
        reference: item.reference,
        number: item.archive_number,
        day: super::dates::date(t, item.day),
        visitor_name: item.visitor_name.unwrap_or_default(),
        category,
        outcome: t.get(&format!("archive-outcome-{}", item.outcome.as_str())),
        snippet: item.snippet,
        pdf: format!("/visits/{id}/form.pdf"),
        record: format!("/visits/{id}"),
        versions: version_links(t, &id, versions),
    }
}

/// The page with a search's results (each with its archived versions), how many, and the links
/// to the pages before and after.
fn with_results(
    t: Tr,
    form: ArchivePage,
    p: &SearchParams,
    found: ArchiveResults,
    versions: Vec<Vec<ArchivedVersion>>,
    settings: &OfficeSettings,
) -> ArchivePage {
    let (previous, next) = (found.previous_offset(), found.next_offset());
    let shown_to = found.offset + found.items.len() as u32;
    let summary = t.args(
        "archive-summary",
        &[
            ("total", found.total.to_string()),
            ("first", (found.offset + 1).min(shown_to).to_string()),
            ("last", shown_to.to_string()),
        ],
    );
    let rows = found.items.into_iter().zip(&versions).map(|(item, v)| result_row(t, item, v, settings)).collect();
    ArchivePage {
        summary,
        rows,
        previous: previous.map(|offset| page_link(p, offset)),
        next: next.map(|offset| page_link(p, offset)),
        ..form
    }
}
