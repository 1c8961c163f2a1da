//! Finding archived forms (SOP step 12: "an auditor can find it later"): what of an archived visit
//! is searched, how a query is read into words, and which words of a problem make a good question
//! for similar answered visits (the agent's suggested answers at step 9).
//!
//! Both databases search the same words: the searchable text is cut into words here, lowercased,
//! and handed to each backend's full-text index as words separated by spaces, so that SQLite's
//! FTS5 tokenizer and PostgreSQL's `simple` configuration see the same tokens (PostgreSQL's parser
//! would otherwise keep `budi@example.co.id` or `LPSE/2026/11/0001` whole).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::guest_book::parse_phone;
use crate::history::EventKind;
use crate::office::office_day;
use crate::settings::OfficeSettings;
use crate::visit::Visit;

/// How an archived visit ended at the counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Answered at the counter (step 10).
    Answered,
    /// Escalated to LKPP (step 11), answered by LKPP or not.
    Escalated,
}

impl Outcome {
    pub const ALL: [Outcome; 2] = [Outcome::Answered, Outcome::Escalated];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Answered => "answered",
            Outcome::Escalated => "escalated",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == s)
    }

    /// The outcome of a visit: escalated when it was escalated, else answered when it has an
    /// answer. A visit with neither (not yet served) has none.
    pub fn of(visit: &Visit) -> Option<Outcome> {
        match (&visit.escalation, &visit.answer) {
            (Some(_), _) => Some(Outcome::Escalated),
            (None, Some(_)) => Some(Outcome::Answered),
            (None, None) => None,
        }
    }
}

/// What the archive search keeps of an archived visit: the text searched, the filters, and what
/// a result shows. One entry per visit, made again with each archived version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveEntry {
    pub visit_id: String,
    pub reference: String,
    pub number: String,
    pub version: u32,
    pub archived_at: DateTime<Utc>,
    /// The office day of the visit (its queue number's day): what the date filters pick.
    pub day: NaiveDate,
    pub category: Option<String>,
    /// `penyedia`, `ppk`, … (the visitor's role code).
    pub visitor_role: Option<String>,
    pub outcome: Outcome,
    /// There is an answer to show: the counter's, or LKPP's to an escalation.
    pub has_answer: bool,
    pub visitor_name: Option<String>,
    pub subject: Option<String>,
    pub problem: Option<String>,
    pub analysis: Option<String>,
    /// The counter's answer, or LKPP's.
    pub answer: Option<String>,
    /// Every text field, as words separated by single spaces (see [`words`]).
    pub words: String,
}

impl ArchiveEntry {
    /// The entry of an archived visit; `None` when it is not archived or has no outcome.
    pub fn of(visit: &Visit, settings: &OfficeSettings) -> Option<ArchiveEntry> {
        let archive = visit.archive.as_ref()?;
        let outcome = Outcome::of(visit)?;
        let escalation = visit.escalation.as_ref();
        let lkpp_answer = escalation.and_then(|e| e.answer.clone());
        let answer = visit.answer.clone().or(lkpp_answer.clone());
        let role =
            visit.visitor.role.and_then(|r| serde_json::to_value(r).ok()).and_then(|v| v.as_str().map(str::to_owned));
        let category = visit.form.category.clone();
        let category_name = category.as_deref().and_then(|c| settings.priorities.find(c)).map(|c| c.name.clone());
        let officer = visit
            .history
            .iter()
            .rev()
            .find(|e| matches!(e.kind, EventKind::Answered | EventKind::Escalated))
            .map(|e| e.by.clone());
        let channel =
            escalation.and_then(|e| serde_json::to_value(e.channel).ok()).and_then(|v| v.as_str().map(str::to_owned));
        let texts: [Option<&str>; 23] = [
            Some(&visit.reference),
            Some(&archive.number),
            visit.queue.number.as_deref(),
            visit.visitor.name.as_deref(),
            visit.visitor.organization.as_deref(),
            role.as_deref(),
            visit.visitor.phone.as_deref(),
            visit.visitor.email.as_deref(),
            category.as_deref(),
            category_name.as_deref(),
            visit.form.subject.as_deref(),
            visit.form.description.as_deref(),
            visit.form.spse_user_id.as_deref(),
            visit.form.tender_code.as_deref(),
            visit.analysis.as_deref(),
            visit.answer.as_deref(),
            channel.as_deref(),
            escalation.map(|e| e.summary.as_str()),
            escalation.and_then(|e| e.external_reference.as_deref()),
            escalation.and_then(|e| e.lkpp_ticket.as_deref()),
            lkpp_answer.as_deref(),
            officer.as_deref(),
            Some(outcome.as_str()),
        ];
        let mut words = texts.into_iter().flatten().flat_map(words).collect::<Vec<_>>();
        // A number given as +62… is also found as people say it at the desk, 08….
        if let Some(local) = visit.visitor.phone.as_deref().and_then(|p| p.strip_prefix("+62")) {
            words.push(format!("0{local}"));
        }
        // The filters as words of their own, so that a search with words and filters is answered
        // by the full-text index alone.
        words.push(filter_word(Filter::Outcome, outcome.as_str()));
        words.extend(category.as_deref().map(|c| filter_word(Filter::Category, c)));
        words.extend(role.as_deref().map(|r| filter_word(Filter::VisitorRole, r)));
        let day = visit.queue.day.unwrap_or_else(|| office_day(visit.created_at, settings.zone()));
        words.push(filter_word(Filter::Month, &day.format("%Y%m").to_string()));
        let words = words.join(" ");
        Some(ArchiveEntry {
            visit_id: visit.id.clone(),
            reference: visit.reference.clone(),
            number: archive.number.clone(),
            version: archive.version,
            archived_at: archive.archived_at,
            day,
            category,
            visitor_role: role,
            outcome,
            has_answer: answer.is_some(),
            visitor_name: visit.visitor.name.clone(),
            subject: visit.form.subject.clone(),
            problem: visit.form.description.clone(),
            analysis: visit.analysis.clone(),
            answer,
            words,
        })
    }
}

/// A filter of the search that is also indexed as a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    Category,
    VisitorRole,
    Outcome,
    /// The month of the visit's office day, `YYYYMM`.
    Month,
}

/// The word that stands for a filter's value in the index (`zzcofferupload` for the category
/// `offer_upload`): letters and digits only, and a prefix no Indonesian or English word has.
pub fn filter_word(filter: Filter, value: &str) -> String {
    let kind = match filter {
        Filter::Category => 'c',
        Filter::VisitorRole => 'r',
        Filter::Outcome => 'o',
        Filter::Month => 'm',
    };
    let value: String = value.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect();
    format!("zz{kind}{value}")
}

/// The month words of the office days `from..=to` (`zzm202611`), or none when the range spans
/// more than `max` months.
pub fn month_words(from: NaiveDate, to: NaiveDate, max: usize) -> Vec<String> {
    use chrono::Datelike;
    let mut out = Vec::new();
    let (mut y, mut m) = (from.year(), from.month());
    while (y, m) <= (to.year(), to.month()) {
        if out.len() == max {
            return Vec::new();
        }
        out.push(filter_word(Filter::Month, &format!("{y:04}{m:02}")));
        (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    }
    out
}

/// The words of a text: runs of letters and digits, lowercased. Everything else separates words.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase)
}

/// At most this many words of a query count; a longer query is cut.
pub const QUERY_WORDS_MAX: usize = 16;
/// A longer word is cut to this many characters (and matched as a prefix).
pub const WORD_CHARS_MAX: usize = 40;

/// How the words of a query combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Combine {
    /// Every word must be there: the archive search.
    All,
    /// Any of the words; more of them rank higher: similar visits.
    Any,
}

/// A query as words, ready for a full-text index: nothing of what was typed reaches the index's
/// own syntax but letters and digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchWords {
    pub words: Vec<String>,
    pub combine: Combine,
    /// The last word is matched as the start of a word (`pass` finds `password`), as a query
    /// is often still being typed.
    pub prefix_last: bool,
    /// The digits of a query that reads as a phone number, found as one word too.
    pub phone: Option<String>,
    /// Filter words (see [`filter_word`]) that must be there too.
    pub filters: Vec<String>,
    /// Filter words of which one must be there (the months of a date range).
    pub one_of: Vec<String>,
}

impl SearchWords {
    /// The words of a typed query; `None` when it has none (only punctuation or spaces). What
    /// reads as a phone number as people write it (`0812-3456 7890`) also finds it as one word,
    /// as it is stored (`081234567890`).
    pub fn query(text: &str) -> Option<SearchWords> {
        let mut list: Vec<String> = Vec::new();
        for w in words(text) {
            let w: String = w.chars().take(WORD_CHARS_MAX).collect();
            if !list.contains(&w) {
                list.push(w);
            }
            if list.len() == QUERY_WORDS_MAX {
                break;
            }
        }
        let phone = parse_phone(text.trim()).map(|p| p.trim_start_matches('+').to_owned()).filter(|_| list.len() > 1);
        (!list.is_empty()).then_some(SearchWords {
            words: list,
            combine: Combine::All,
            prefix_last: true,
            phone,
            filters: Vec::new(),
            one_of: Vec::new(),
        })
    }

    /// The significant words of a problem, to find similar visits: words of three characters
    /// or more that are not Indonesian function words, each once, at most [`QUERY_WORDS_MAX`].
    pub fn similar_to(problem: &str) -> Option<SearchWords> {
        let mut list: Vec<String> = Vec::new();
        for w in words(problem) {
            if w.chars().count() < 3 || STOP_WORDS.contains(&w.as_str()) || w.chars().all(|c| c.is_ascii_digit()) {
                continue;
            }
            let w: String = w.chars().take(WORD_CHARS_MAX).collect();
            if !list.contains(&w) {
                list.push(w);
            }
            if list.len() == QUERY_WORDS_MAX {
                break;
            }
        }
        (!list.is_empty()).then_some(SearchWords {
            words: list,
            combine: Combine::Any,
            prefix_last: false,
            phone: None,
            filters: Vec::new(),
            one_of: Vec::new(),
        })
    }

    /// The query in FTS5's syntax: each word quoted (`"akun" "terkunci"*`), joined by `OR` for
    /// [`Combine::Any`].
    pub fn fts5(&self) -> String {
        let query = self.join(
            |w| format!("\"{w}\""),
            "*",
            match self.combine {
                Combine::All => " ",
                Combine::Any => " OR ",
            },
        );
        let query = match &self.phone {
            Some(phone) => format!("({query}) OR \"{}\"*", digits(phone)),
            None => query,
        };
        let mut parts = vec![format!("({query})")];
        parts.extend(self.filters.iter().map(|f| format!("\"{}\"", alnum(f))));
        if !self.one_of.is_empty() {
            parts.push(format!(
                "({})",
                self.one_of.iter().map(|f| format!("\"{}\"", alnum(f))).collect::<Vec<_>>().join(" OR ")
            ));
        }
        if parts.len() == 1 { query } else { parts.join(" AND ") }
    }

    /// The query in PostgreSQL's `to_tsquery` syntax: each word quoted (`'akun' & 'terkunci':*`).
    pub fn tsquery(&self) -> String {
        let query = self.join(
            |w| format!("'{w}'"),
            ":*",
            match self.combine {
                Combine::All => " & ",
                Combine::Any => " | ",
            },
        );
        let query = match &self.phone {
            Some(phone) => format!("({query}) | '{}':*", digits(phone)),
            None => query,
        };
        let mut parts = vec![format!("({query})")];
        parts.extend(self.filters.iter().map(|f| format!("'{}'", alnum(f))));
        if !self.one_of.is_empty() {
            parts.push(format!(
                "({})",
                self.one_of.iter().map(|f| format!("'{}'", alnum(f))).collect::<Vec<_>>().join(" | ")
            ));
        }
        if parts.len() == 1 { query } else { parts.join(" & ") }
    }

    fn join(&self, quote: impl Fn(&str) -> String, prefix: &str, separator: &str) -> String {
        let last = self.words.len().saturating_sub(1);
        let quoted: Vec<String> = self
            .words
            .iter()
            .enumerate()
            .map(|(i, w)| {
                // Words hold letters and digits only; the quotes are for the index's syntax.
                let w: String = w.chars().filter(|c| c.is_alphanumeric()).collect();
                let mut q = quote(&w);
                if self.prefix_last && i == last {
                    q.push_str(prefix);
                }
                q
            })
            .collect();
        quoted.join(separator)
    }
}

fn alnum(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric()).collect()
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// Indonesian function words (and a few of the helpdesk's everyday words) that say nothing about
/// what a problem is.
const STOP_WORDS: &[&str] = &[
    "ada",
    "adalah",
    "agar",
    "akan",
    "apa",
    "apakah",
    "atau",
    "bagaimana",
    "bahwa",
    "bapak",
    "belum",
    "bisa",
    "boleh",
    "buat",
    "dalam",
    "dan",
    "dapat",
    "dari",
    "dengan",
    "di",
    "dia",
    "harus",
    "ibu",
    "ini",
    "itu",
    "jadi",
    "jika",
    "juga",
    "kami",
    "kalau",
    "karena",
    "ke",
    "kenapa",
    "kita",
    "lagi",
    "lalu",
    "mau",
    "mereka",
    "mohon",
    "namun",
    "oleh",
    "pada",
    "para",
    "saat",
    "saja",
    "sama",
    "sampai",
    "sangat",
    "saya",
    "sedang",
    "sehingga",
    "sejak",
    "selalu",
    "semua",
    "setelah",
    "sudah",
    "tapi",
    "telah",
    "tersebut",
    "tetapi",
    "tidak",
    "untuk",
    "waktu",
    "yang",
    "the",
    "and",
];

/// A short piece of `text` around the first of `words` it holds (the whole text when short), on
/// word boundaries, with `…` where it was cut; the start of the text when none is there.
pub fn snippet(text: &str, words: &[String], max_chars: usize) -> String {
    let chars: Vec<char> = text.split_whitespace().collect::<Vec<_>>().join(" ").chars().collect();
    if chars.len() <= max_chars {
        return chars.into_iter().collect();
    }
    let lower: Vec<char> = chars.iter().map(|c| c.to_lowercase().next().unwrap_or(*c)).collect();
    let hit = words
        .iter()
        .filter(|w| !w.is_empty())
        .filter_map(|w| {
            let w: Vec<char> = w.chars().collect();
            (0..lower.len()).find(|&i| lower[i..].starts_with(&w) && (i == 0 || !lower[i - 1].is_alphanumeric()))
        })
        .min()
        .unwrap_or(0);
    // Some words before the hit, for context.
    let mut start = hit.saturating_sub(max_chars / 4);
    while start > 0 && !chars[start - 1].is_whitespace() {
        start -= 1;
    }
    if start + max_chars > chars.len() {
        start = chars.len() - max_chars;
        while start < hit && start > 0 && !chars[start - 1].is_whitespace() {
            start += 1;
        }
    }
    let mut end = (start + max_chars).min(chars.len());
    while end < chars.len() && end > start + max_chars / 2 && !chars[end].is_whitespace() {
        end -= 1;
    }
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    out.extend(&chars[start..end]);
    let trimmed = out.trim_end().to_owned();
    if end < chars.len() { format!("{trimmed}…") } else { trimmed }
}

#[cfg(test)]
mod tests;
