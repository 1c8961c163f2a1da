//! The archive (SOP step 12): searched by its words with filters, and the answers of similar
//! archived visits for the agent at step 9.

use chrono::{DateTime, NaiveDate, Utc};
use loket_domain::FieldErrors;
use loket_domain::auth::Permission;
use loket_domain::guest_book::VisitorRole;
use loket_domain::search::{Outcome, SearchWords, snippet};
use loket_store::{ArchiveHit, ArchiveQuery, User};
use serde::{Deserialize, Serialize};

use crate::visits::parse_day;
use crate::{App, AppError, AppResult, require};

/// The longest query text taken, in characters.
pub const QUERY_MAX: usize = 200;
/// Results per page: the default and the most.
pub const PAGE_DEFAULT: u32 = 20;
pub const PAGE_MAX: u32 = 100;
/// The furthest a page may start.
pub const OFFSET_MAX: u32 = 10_000;
/// How many similar visits the agent sees.
pub const SUGGESTIONS: u32 = 5;
/// The length of a result's snippet, in characters.
const SNIPPET_CHARS: usize = 160;

/// A search of the archive as a request gives it. Unknown parameters are refused (400), so that
/// a mistyped filter is not silently ignored.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    /// Words to find, all of them, in any text field (the last one also as the start of a
    /// word); at most 200 characters. Everything archived when absent.
    pub q: Option<String>,
    /// First office day of the visit, `YYYY-MM-DD`.
    pub from: Option<String>,
    /// Last office day of the visit, `YYYY-MM-DD`.
    pub to: Option<String>,
    /// A category code of the priority table.
    pub category: Option<String>,
    /// A visitor role (`penyedia`, `ppk`, …).
    #[param(value_type = Option<loket_domain::guest_book::VisitorRole>)]
    pub role: Option<String>,
    /// `answered` or `escalated`.
    #[param(value_type = Option<loket_domain::search::Outcome>)]
    pub outcome: Option<String>,
    /// Results per page, 1-100 (default 20).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub limit: Option<String>,
    /// Results to skip, 0-10000 (default 0).
    #[param(value_type = Option<u32>, minimum = 0, maximum = 10000)]
    pub offset: Option<String>,
}

fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn number(
    value: &Option<String>,
    field: &str,
    range: std::ops::RangeInclusive<u32>,
    errors: &mut FieldErrors,
) -> Option<u32> {
    let v = given(value)?;
    match v.parse::<u32>().ok().filter(|n| range.contains(n)) {
        Some(n) => Some(n),
        None => {
            errors.add(field, "invalid");
            None
        }
    }
}

impl SearchParams {
    /// The parameters given empty that the API's schema does not allow empty: an enum or a
    /// number (`role=`). The archive page's form sends its empty fields, and reads them as
    /// absent; the API takes its parameters as documented.
    pub fn given_empty(&self) -> FieldErrors {
        let mut errors = FieldErrors::default();
        let typed =
            [("role", &self.role), ("outcome", &self.outcome), ("limit", &self.limit), ("offset", &self.offset)];
        for (name, value) in typed {
            if value.as_deref().is_some_and(|v| v.trim().is_empty()) {
                errors.add(name, "invalid");
            }
        }
        errors
    }

    /// The search the parameters ask for, or every field that is wrong. A query of punctuation
    /// only has no words, and lists everything.
    pub fn parse(&self) -> Result<ArchiveQuery, FieldErrors> {
        let mut errors = FieldErrors::default();
        let text = self.q.as_deref().unwrap_or_default();
        if text.chars().count() > QUERY_MAX {
            errors.add("q", "too_long");
        }
        let from = parse_day(given(&self.from), "from", &mut errors);
        let to = parse_day(given(&self.to), "to", &mut errors);
        let category = given(&self.category).map(str::to_owned);
        if category.as_ref().is_some_and(|c| c.chars().count() > 50) {
            errors.add("category", "invalid");
        }
        let visitor_role = given(&self.role).and_then(|r| {
            let parsed = serde_json::from_value::<VisitorRole>(serde_json::Value::String(r.to_owned())).ok();
            if parsed.is_none() {
                errors.add("role", "invalid");
            }
            parsed.map(|_| r.to_owned())
        });
        let outcome = given(&self.outcome).and_then(|o| {
            let parsed = Outcome::parse(o);
            if parsed.is_none() {
                errors.add("outcome", "invalid");
            }
            parsed
        });
        let limit = number(&self.limit, "limit", 1..=PAGE_MAX, &mut errors).unwrap_or(PAGE_DEFAULT);
        let offset = number(&self.offset, "offset", 0..=OFFSET_MAX, &mut errors).unwrap_or(0);
        if !errors.is_empty() {
            return Err(errors);
        }
        let words = SearchWords::query(text);
        Ok(ArchiveQuery { words, from, to, category, visitor_role, outcome, limit, offset, count_up_to: None })
    }
}

/// An archived visit found.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ArchiveItem {
    /// The visit's id (`/api/v1/visits/{id}`).
    pub id: String,
    pub reference: String,
    pub archive_number: String,
    /// The latest archived version (1 for the first; a correction adds one).
    pub version: u32,
    /// When the latest version was archived.
    #[serde(with = "loket_domain::timestamp")]
    pub archived_at: DateTime<Utc>,
    /// The office day of the visit, `YYYY-MM-DD` (what `from` and `to` pick).
    pub day: NaiveDate,
    pub visitor_name: Option<String>,
    pub category: Option<String>,
    pub visitor_role: Option<String>,
    pub outcome: Outcome,
    /// A short piece of the problem, analysis or answer, around the first word found.
    pub snippet: String,
}

impl ArchiveItem {
    pub fn new(hit: ArchiveHit, words: Option<&SearchWords>) -> ArchiveItem {
        let text = [&hit.subject, &hit.problem, &hit.analysis, &hit.answer]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(" · ");
        let snippet = snippet(&text, words.map(|w| w.words.as_slice()).unwrap_or_default(), SNIPPET_CHARS);
        ArchiveItem {
            id: hit.visit_id,
            reference: hit.reference,
            archive_number: hit.number,
            version: hit.version,
            archived_at: hit.archived_at,
            day: hit.day,
            visitor_name: hit.visitor_name,
            category: hit.category,
            visitor_role: hit.visitor_role,
            outcome: hit.outcome,
            snippet,
        }
    }
}

/// One page of results.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ArchiveResults {
    /// The archived visits that match, on all pages, counted up to 1,000.
    pub total: u64,
    /// More than 1,000 match (`total` is then 1,000): they are listed newest first, not by
    /// relevance. Add words or filters to narrow them.
    pub more: bool,
    pub limit: u32,
    pub offset: u32,
    /// The most relevant first, then the newest; without words (or with more than 1,000
    /// matches), the newest first.
    pub items: Vec<ArchiveItem>,
}

impl ArchiveResults {
    /// The offset of the page before this one, unless this is the first.
    pub fn previous_offset(&self) -> Option<u32> {
        (self.offset > 0).then(|| self.offset.saturating_sub(self.limit))
    }

    /// The offset of the page after this one, while more match and the offset stays within
    /// `OFFSET_MAX` (beyond 1,000 matches, as far as the offset may go); none after an empty page.
    pub fn next_offset(&self) -> Option<u32> {
        let shown_to = self.offset + self.items.len() as u32;
        let more_pages = u64::from(shown_to) < self.total || (self.more && shown_to < OFFSET_MAX);
        (more_pages && !self.items.is_empty()).then_some(shown_to)
    }
}

/// Archived visits with all the words of the query in any of their text fields, within the
/// filters; one entry per visit, showing its latest version.
pub async fn search(app: &App, staff: &User, params: &SearchParams) -> AppResult<ArchiveResults> {
    require(staff, Permission::ReadVisits)?;
    let query = params.parse().map_err(AppError::validation)?;
    let page = app.store().search_archive(&query).await?;
    let items = page.hits.into_iter().map(|h| ArchiveItem::new(h, query.words.as_ref())).collect();
    Ok(ArchiveResults { total: page.total, more: page.more, limit: query.limit, offset: query.offset, items })
}

/// An archived, answered visit like the one at the counter.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Suggestion {
    pub id: String,
    pub reference: String,
    pub archive_number: String,
    pub category: Option<String>,
    pub outcome: Outcome,
    pub subject: Option<String>,
    /// The visitor's description of the problem.
    pub problem: Option<String>,
    /// The counter's answer, or LKPP's to an escalation.
    pub answer: String,
    /// The office day of the visit.
    pub day: NaiveDate,
}

/// The suggestions for a visit, for the API and the counter page.
pub async fn suggest(app: &App, staff: &User, id: &str) -> AppResult<Vec<Suggestion>> {
    require(staff, Permission::Helpdesk)?;
    let hits = app.store().similar_answered(id, SUGGESTIONS).await?;
    Ok(hits
        .into_iter()
        .filter_map(|h| {
            Some(Suggestion {
                answer: h.answer?,
                id: h.visit_id,
                reference: h.reference,
                archive_number: h.number,
                category: h.category,
                outcome: h.outcome,
                subject: h.subject,
                problem: h.problem,
                day: h.day,
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn results(total: u64, more: bool, offset: u32, shown: usize) -> ArchiveResults {
        let item = |i: usize| ArchiveItem {
            id: i.to_string(),
            reference: String::new(),
            archive_number: String::new(),
            version: 1,
            archived_at: DateTime::<Utc>::MIN_UTC,
            day: NaiveDate::MIN,
            visitor_name: None,
            category: None,
            visitor_role: None,
            outcome: Outcome::Answered,
            snippet: String::new(),
        };
        ArchiveResults { total, more, limit: 20, offset, items: (0..shown).map(item).collect() }
    }

    #[test]
    fn pages_go_on_while_more_match_and_stop_at_the_offset_limit() {
        assert_eq!(results(45, false, 0, 20).previous_offset(), None);
        assert_eq!(results(45, false, 0, 20).next_offset(), Some(20));
        assert_eq!(results(45, false, 40, 5).next_offset(), None);
        assert_eq!(results(45, false, 40, 5).previous_offset(), Some(20));
        assert_eq!(results(45, false, 10, 20).previous_offset(), Some(0));
        // Beyond 1,000 matches, paging goes on up to the offset limit.
        assert_eq!(results(1000, true, 1000, 20).next_offset(), Some(1020));
        assert_eq!(results(1000, true, OFFSET_MAX - 20, 20).next_offset(), None);
        // An empty page has no next.
        assert_eq!(results(45, false, 60, 0).next_offset(), None);
    }
}
