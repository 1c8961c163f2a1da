//! The archive page (SOP step 12: an archived form is found again): words and filters, the
//! results with a snippet, each archived version's PDF. For every role that reads visits.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use loket_domain::auth::Permission;
use loket_domain::search::Outcome;
use loket_store::ArchivedVersion;

use super::front_office::{Choice, ROLES, role_code};
use super::i18n::Tr;
use super::session::PageStaff;
use super::{Frame, PageResult};
use crate::AppState;
use loket_app::AppError;
use loket_app::archive::{self, OFFSET_MAX, SearchParams};
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
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let (q, from, to) = (text(&p.q), text(&p.from), text(&p.to));
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
    let mut out = ArchivePage {
        page: Frame::staff(&state, &staff, "archive-title", "/archive").await?,
        q,
        from,
        to,
        categories,
        roles,
        outcomes,
        errors: Vec::new(),
        searched,
        summary: String::new(),
        rows: Vec::new(),
        previous: None,
        next: None,
    };
    let found = match archive::search(&state.app, &staff.user, &p).await {
        Ok(found) => found,
        Err(AppError::Refused(loket_domain::Refused::Validation(errors))) => {
            out.errors = errors
                .0
                .iter()
                .map(|(field, reason)| (field.clone(), t.get(&format!("archive-error-{field}-{reason}"))))
                .collect();
            return Ok(out.into_response());
        }
        Err(e) => return Err(e.into()),
    };
    for item in found.items {
        let id = item.id.clone();
        let versions = documents::archived_versions(&state.app, &staff.user, &id).await?;
        let category = item
            .category
            .as_deref()
            .map(|c| settings.priorities.find(c).map_or_else(|| c.to_owned(), |cat| cat.name.clone()))
            .unwrap_or_default();
        out.rows.push(ResultRow {
            reference: item.reference,
            number: item.archive_number,
            day: loket_domain::format::long_date(t.lang, item.day),
            visitor_name: item.visitor_name.unwrap_or_default(),
            category,
            outcome: t.get(&format!("archive-outcome-{}", item.outcome.as_str())),
            snippet: item.snippet,
            pdf: format!("/visits/{id}/form.pdf"),
            versions: version_links(t, &id, &versions),
        });
    }
    let shown_to = found.offset + out.rows.len() as u32;
    out.summary = t.args(
        "archive-summary",
        &[
            ("total", found.total.to_string()),
            ("first", (found.offset + 1).min(shown_to).to_string()),
            ("last", shown_to.to_string()),
        ],
    );
    if found.offset > 0 {
        out.previous = Some(page_link(&p, found.offset.saturating_sub(found.limit)));
    }
    let more_pages = u64::from(shown_to) < found.total || (found.more && shown_to < OFFSET_MAX);
    if more_pages && !out.rows.is_empty() {
        out.next = Some(page_link(&p, shown_to));
    }
    Ok(out.into_response())
}
