//! The archive search, written once for both databases: the entry written with each archived
//! version, the search, similar answered visits, and the list of versions. Only the full-text
//! part differs per database (see [`FullText`]): SQLite matches in its FTS5 table and ranks by
//! bm25; PostgreSQL matches the `tsvector` column (GIN index) and ranks by `ts_rank`.

use chrono::NaiveDate;
use loket_domain::Visit;
use loket_domain::search::{ArchiveEntry, Outcome, SearchWords};
use loket_domain::settings::OfficeSettings;

use crate::exec::{Col, Dialect, Row, Sql, Value, int, opt_text, text};
use crate::writes::load_visit;
use crate::{ArchiveHit, ArchivePage, ArchiveQuery, ArchivedVersion, OFFICE, Result, StoreError, from_ms, ms};

/// Writes (or replaces) the search entry of an archived visit, in the archive's transaction: the
/// entry shows the latest version.
pub(crate) async fn index_visit(t: &mut dyn Sql, settings: &OfficeSettings, visit: &Visit) -> Result<()> {
    let Some(e) = ArchiveEntry::of(visit, settings) else { return Ok(()) };
    let day = e.day.to_string();
    let words = match t.dialect() {
        Dialect::Sqlite => "$17",
        Dialect::Postgres => "to_tsvector('simple', $17)",
    };
    let sql = format!(
        "INSERT INTO archive_search (visit_id, office_id, reference, number, version, archived_at, day, category, \
         visitor_role, outcome, has_answer, visitor_name, subject, problem, analysis, answer, words) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, {words}) \
         ON CONFLICT (visit_id) DO UPDATE SET reference = excluded.reference, number = excluded.number, \
         version = excluded.version, archived_at = excluded.archived_at, day = excluded.day, \
         category = excluded.category, visitor_role = excluded.visitor_role, outcome = excluded.outcome, \
         has_answer = excluded.has_answer, visitor_name = excluded.visitor_name, subject = excluded.subject, \
         problem = excluded.problem, analysis = excluded.analysis, answer = excluded.answer, words = excluded.words"
    );
    t.execute(
        &sql,
        &[
            text(&e.visit_id),
            text(OFFICE),
            text(&e.reference),
            text(&e.number),
            int(i64::from(e.version)),
            int(ms(e.archived_at)),
            text(&day),
            opt_text(e.category.as_deref()),
            opt_text(e.visitor_role.as_deref()),
            text(e.outcome.as_str()),
            Value::Bool(e.has_answer),
            opt_text(e.visitor_name.as_deref()),
            opt_text(e.subject.as_deref()),
            opt_text(e.problem.as_deref()),
            opt_text(e.analysis.as_deref()),
            opt_text(e.answer.as_deref()),
            text(&e.words),
        ],
    )
    .await?;
    Ok(())
}

/// The full-text part of a search, as each database writes it.
struct FullText {
    /// The tables searched, `s` being `archive_search`.
    from: &'static str,
    /// The condition that matches the query in parameter `$n`.
    matches: String,
    /// The ordering, most relevant first.
    rank: String,
    /// The query in the database's syntax.
    query: String,
}

impl FullText {
    fn new(dialect: Dialect, words: &SearchWords, n: usize) -> FullText {
        match dialect {
            Dialect::Sqlite => FullText {
                from: "archive_search_words JOIN archive_search s ON s.rowid = archive_search_words.rowid",
                matches: format!("archive_search_words MATCH ${n}"),
                rank: "archive_search_words.rank".into(),
                query: words.fts5(),
            },
            Dialect::Postgres => FullText {
                from: "archive_search s",
                matches: format!("s.words @@ to_tsquery('simple', ${n})"),
                rank: format!("ts_rank(s.words, to_tsquery('simple', ${n})) DESC"),
                query: words.tsquery(),
            },
        }
    }
}

/// The conditions of a search and their parameters, numbered as they are added.
struct Conditions {
    clauses: Vec<String>,
    params: Vec<Param>,
}

/// An owned parameter, lent to the statement as a [`Value`].
enum Param {
    Text(String),
    Int(i64),
}

impl Conditions {
    fn new() -> Conditions {
        Conditions { clauses: vec!["s.office_id = $1".into()], params: vec![Param::Text(OFFICE.into())] }
    }

    /// Adds `clause`, in which `{}` stands for the new parameter.
    fn add(&mut self, clause: &str, param: Param) {
        self.params.push(param);
        let n = self.params.len();
        self.clauses.push(clause.replace("{}", &format!("${n}")));
    }

    fn next(&self) -> usize {
        self.params.len() + 1
    }

    /// Adds the full-text match of `words`.
    fn add_full_text(&mut self, dialect: Dialect, words: &SearchWords) -> FullText {
        let f = FullText::new(dialect, words, self.next());
        self.params.push(Param::Text(f.query.clone()));
        self.clauses.push(f.matches.clone());
        f
    }

    fn values(&self) -> Vec<Value<'_>> {
        self.params
            .iter()
            .map(|p| match p {
                Param::Text(s) => text(s),
                Param::Int(i) => int(*i),
            })
            .collect()
    }

    fn sql(&self) -> String {
        self.clauses.join(" AND ")
    }
}

const HIT_COLUMNS: &str = "s.visit_id, s.reference, s.number, s.version, s.archived_at, s.day, s.visitor_name, \
     s.category, s.visitor_role, s.outcome, s.subject, s.problem, s.analysis, s.answer";
const HIT_COLS: [Col; 14] = [
    Col::Text,
    Col::Text,
    Col::Text,
    Col::Int,
    Col::Int,
    Col::Text,
    Col::OptText,
    Col::OptText,
    Col::OptText,
    Col::Text,
    Col::OptText,
    Col::OptText,
    Col::OptText,
    Col::OptText,
];

fn to_hit(mut r: Row) -> Result<ArchiveHit> {
    let corrupt = |what: &str| StoreError::Corrupt(what.to_owned());
    Ok(ArchiveHit {
        visit_id: r.text()?,
        reference: r.text()?,
        number: r.text()?,
        version: u32::try_from(r.int()?).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        archived_at: from_ms(r.int()?)?,
        day: r.text()?.parse::<NaiveDate>().map_err(|e| StoreError::Corrupt(e.to_string()))?,
        visitor_name: r.opt_text()?,
        category: r.opt_text()?,
        visitor_role: r.opt_text()?,
        outcome: Outcome::parse(&r.text()?).ok_or_else(|| corrupt("an archive entry's outcome"))?,
        subject: r.opt_text()?,
        problem: r.opt_text()?,
        analysis: r.opt_text()?,
        answer: r.opt_text()?,
    })
}

/// A page of hits for the conditions, with the full text (if any) already among them.
async fn hits(
    r: &mut dyn Sql,
    mut conditions: Conditions,
    full_text: Option<&FullText>,
    limit: u32,
    offset: u32,
) -> Result<Vec<ArchiveHit>> {
    let from = full_text.map_or("archive_search s", |f| f.from);
    let rank = full_text.map(|f| format!("{}, ", f.rank)).unwrap_or_default();
    let limit_n = conditions.next();
    conditions.params.push(Param::Int(i64::from(limit)));
    conditions.params.push(Param::Int(i64::from(offset)));
    // The clauses do not name the limit and offset: they come last.
    let sql = format!(
        "SELECT {HIT_COLUMNS} FROM {from} WHERE {} ORDER BY {rank}s.archived_at DESC, s.visit_id LIMIT ${limit_n} OFFSET ${}",
        conditions.sql(),
        limit_n + 1
    );
    let rows = r.rows(&sql, &conditions.values(), &HIT_COLS).await?;
    rows.into_iter().map(to_hit).collect()
}

pub(crate) async fn search(r: &mut dyn Sql, q: &ArchiveQuery) -> Result<ArchivePage> {
    let mut c = Conditions::new();
    let full_text = q.words.as_ref().map(|w| c.add_full_text(r.dialect(), w));
    if let Some(from) = q.from {
        c.add("s.day >= {}", Param::Text(from.to_string()));
    }
    if let Some(to) = q.to {
        c.add("s.day <= {}", Param::Text(to.to_string()));
    }
    if let Some(category) = &q.category {
        c.add("s.category = {}", Param::Text(category.clone()));
    }
    if let Some(role) = &q.visitor_role {
        c.add("s.visitor_role = {}", Param::Text(role.clone()));
    }
    if let Some(outcome) = q.outcome {
        c.add("s.outcome = {}", Param::Text(outcome.as_str().into()));
    }
    let from = full_text.as_ref().map_or("archive_search s", |f| f.from);
    let total =
        r.int(&format!("SELECT COUNT(*) FROM {from} WHERE {}", c.sql()), &c.values()).await?.unwrap_or_default();
    let hits =
        if total > i64::from(q.offset) { hits(r, c, full_text.as_ref(), q.limit, q.offset).await? } else { Vec::new() };
    Ok(ArchivePage { hits, total: u64::try_from(total).unwrap_or_default() })
}

pub(crate) async fn similar_answered(r: &mut dyn Sql, visit_id: &str, limit: u32) -> Result<Vec<ArchiveHit>> {
    let visit = load_visit(r, visit_id, false).await?;
    let problem = [visit.form.subject.as_deref(), visit.form.description.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let Some(words) = SearchWords::similar_to(&problem) else { return Ok(Vec::new()) };
    let mut c = Conditions::new();
    let f = c.add_full_text(r.dialect(), &words);
    c.add("s.visit_id <> {}", Param::Text(visit_id.to_owned()));
    c.clauses.push("s.has_answer".into());
    hits(r, c, Some(&f), limit, 0).await
}

pub(crate) async fn versions(r: &mut dyn Sql, visit_id: &str) -> Result<Vec<ArchivedVersion>> {
    let rows = r
        .rows(
            "SELECT version, number, archived_at, sha256, CAST(length(content) AS BIGINT) FROM archived_documents \
             WHERE visit_id = $1 ORDER BY version",
            &[text(visit_id)],
            &[Col::Int, Col::Text, Col::Int, Col::Text, Col::Int],
        )
        .await?;
    rows.into_iter()
        .map(|mut r| {
            Ok(ArchivedVersion {
                version: u32::try_from(r.int()?).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                number: r.text()?,
                archived_at: from_ms(r.int()?)?,
                sha256: r.text()?,
                size: u64::try_from(r.int()?).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            })
        })
        .collect()
}
