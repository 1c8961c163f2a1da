//! The archive search, written once for both databases: the entry written with each archived
//! version, the search, similar answered visits, and the list of versions. Only the full-text
//! part differs per database (see [`FullText`]): SQLite matches in its FTS5 table and ranks by
//! bm25; PostgreSQL matches the `tsvector` column (GIN index) and ranks by `ts_rank`.

use chrono::NaiveDate;
use loket_domain::Visit;
use loket_domain::search::{ArchiveEntry, Filter, Outcome, SearchWords, filter_word, month_words};
use loket_domain::settings::OfficeSettings;

use crate::exec::{Col, Columns, Dialect, FromRow, ReadOne, Row, Sql, Tx, Value, WriteRows, int, opt_text, text};
use crate::writes::read_visit;
use crate::{ArchiveHit, ArchivePage, ArchiveQuery, ArchivedVersion, OFFICE, Result, StoreError, from_ms, ms};

/// Writes the search entry of an archived visit anew, in the archive's transaction: the entry
/// shows the latest version, and (on SQLite) its rowid says which archive is the newest.
pub(crate) async fn index_visit(t: &mut dyn Tx, settings: &OfficeSettings, visit: &Visit) -> Result<()> {
    let Some(e) = ArchiveEntry::of(visit, settings) else { return Ok(()) };
    let day = e.day.to_string();
    // SQLite's trigger takes the words of the old row out of the FTS5 table.
    t.execute("DELETE FROM archive_search WHERE visit_id = $1", &[text(&e.visit_id)]).await?;
    t.execute("DELETE FROM archive_search_texts WHERE visit_id = $1", &[text(&e.visit_id)]).await?;
    let dialect = t.dialect();
    let row = Columns::new()
        .set("visit_id", text(&e.visit_id))
        .set("office_id", text(OFFICE))
        .set("reference", text(&e.reference))
        .set("number", text(&e.number))
        .set("version", int(i64::from(e.version)))
        .set("archived_at", int(ms(e.archived_at)))
        .set("day", text(&day))
        .set("category", opt_text(e.category.as_deref()))
        .set("visitor_role", opt_text(e.visitor_role.as_deref()))
        .set("outcome", text(e.outcome.as_str()))
        .set("has_answer", Value::Bool(e.has_answer))
        .set("visitor_name", opt_text(e.visitor_name.as_deref()));
    // PostgreSQL keeps the words in the row; SQLite in its FTS5 table, by the row's rowid.
    let row = match dialect {
        Dialect::Sqlite => row,
        Dialect::Postgres => row.set_through("words", "to_tsvector('simple', ", text(&e.words)),
    };
    t.insert("archive_search", &row).await?;
    if dialect == Dialect::Sqlite {
        t.execute(
            "INSERT INTO archive_search_words (rowid, words) SELECT rowid, $2 FROM archive_search WHERE visit_id = $1",
            &[text(&e.visit_id), text(&e.words)],
        )
        .await?;
    }
    let texts = Columns::new()
        .set("visit_id", text(&e.visit_id))
        .set("subject", opt_text(e.subject.as_deref()))
        .set("problem", opt_text(e.problem.as_deref()))
        .set("analysis", opt_text(e.analysis.as_deref()))
        .set("answer", opt_text(e.answer.as_deref()));
    t.insert("archive_search_texts", &texts).await?;
    Ok(())
}

/// Matches are counted up to this many, and ranked by relevance when there are no more; a query
/// that matches more lists the newest first (its words say too little to rank by, and counting
/// or ranking every match would read them all).
pub const COUNTED_MAX: u64 = 1000;

/// The full-text part of a search, as each database writes it.
struct FullText {
    dialect: Dialect,
    /// The tables searched, `s` being `archive_search`.
    from: &'static str,
    /// The condition that matches the query in parameter `$n`.
    matches: String,
    /// The ordering, most relevant first.
    rank: String,
    /// The relevance of a match, and the order that puts the most relevant first.
    score: (String, &'static str),
    /// The query in the database's syntax.
    query: String,
}

impl FullText {
    fn new(dialect: Dialect, words: &SearchWords, n: usize) -> FullText {
        match dialect {
            Dialect::Sqlite => FullText {
                dialect,
                from: "archive_search_words JOIN archive_search s ON s.rowid = archive_search_words.rowid",
                matches: format!("archive_search_words MATCH ${n}"),
                rank: "archive_search_words.rank".into(),
                score: ("archive_search_words.rank".into(), "ASC"),
                query: words.fts5(),
            },
            Dialect::Postgres => FullText {
                dialect,
                from: "archive_search s",
                matches: format!("s.words @@ to_tsquery('simple', ${n})"),
                rank: format!("ts_rank(s.words, to_tsquery('simple', ${n})) DESC"),
                score: (format!("ts_rank(s.words, to_tsquery('simple', ${n}))"), "DESC"),
                query: words.tsquery(),
            },
        }
    }

    /// Newest first among the matches. On SQLite, the FTS5 table's own order (the rowid of the
    /// entry, written anew with each version) lets it stop after one page.
    fn newest(&self) -> &'static str {
        match self.dialect {
            Dialect::Sqlite => "archive_search_words.rowid DESC",
            Dialect::Postgres => "s.archived_at DESC, s.visit_id",
        }
    }
}

/// The conditions of a search and their parameters, numbered as they are added.
struct Conditions {
    clauses: Vec<String>,
    params: Vec<Param>,
    /// Only the office and the words are asked: the FTS5 table alone can count the matches.
    words_only: bool,
}

/// An owned parameter, lent to the statement as a [`Value`].
enum Param {
    Text(String),
    Int(i64),
}

impl Conditions {
    fn new() -> Conditions {
        Conditions {
            clauses: vec!["s.office_id = $1".into()],
            params: vec![Param::Text(OFFICE.into())],
            words_only: true,
        }
    }

    /// Adds `clause`, in which `{}` stands for the new parameter.
    fn add(&mut self, clause: &str, param: Param) {
        self.params.push(param);
        let n = self.params.len();
        self.clauses.push(clause.replace("{}", &format!("${n}")));
        self.words_only = false;
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

impl FromRow for ArchiveHit {
    /// What a hit shows of its entry (`archive_search`); its texts are read after, for one page.
    fn columns() -> Vec<(&'static str, Col)> {
        vec![
            ("visit_id", Col::Text),
            ("reference", Col::Text),
            ("number", Col::Text),
            ("version", Col::Int),
            ("archived_at", Col::Int),
            ("day", Col::Text),
            ("visitor_name", Col::OptText),
            ("category", Col::OptText),
            ("visitor_role", Col::OptText),
            ("outcome", Col::Text),
        ]
    }

    fn from_row(r: &mut Row) -> Result<ArchiveHit> {
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
            subject: None,
            problem: None,
            analysis: None,
            answer: None,
        })
    }
}

/// The texts a hit shows (`archive_search_texts`).
struct HitTexts {
    visit_id: String,
    subject: Option<String>,
    problem: Option<String>,
    analysis: Option<String>,
    answer: Option<String>,
}

impl FromRow for HitTexts {
    fn columns() -> Vec<(&'static str, Col)> {
        vec![
            ("visit_id", Col::Text),
            ("subject", Col::OptText),
            ("problem", Col::OptText),
            ("analysis", Col::OptText),
            ("answer", Col::OptText),
        ]
    }

    fn from_row(r: &mut Row) -> Result<HitTexts> {
        Ok(HitTexts {
            visit_id: r.text()?,
            subject: r.opt_text()?,
            problem: r.opt_text()?,
            analysis: r.opt_text()?,
            answer: r.opt_text()?,
        })
    }
}

/// A page of hits for the conditions (the full text, if any, already among them), in `order`;
/// then what they show of the problem and answer, read for that page only.
async fn hits(
    r: &mut dyn Sql,
    mut conditions: Conditions,
    from: &str,
    order: &str,
    limit: u32,
    offset: u32,
) -> Result<Vec<ArchiveHit>> {
    let limit_n = conditions.next();
    conditions.params.push(Param::Int(i64::from(limit)));
    conditions.params.push(Param::Int(i64::from(offset)));
    let sql = format!(
        "SELECT {} FROM {from} WHERE {} ORDER BY {order} LIMIT ${limit_n} OFFSET ${}",
        ArchiveHit::select(Some("s")),
        conditions.sql(),
        limit_n + 1
    );
    let mut hits: Vec<ArchiveHit> = r.all(&sql, &conditions.values()).await?;
    if hits.is_empty() {
        return Ok(hits);
    }
    let ids: Vec<Value<'_>> = hits.iter().map(|h| text(&h.visit_id)).collect();
    let sql = format!(
        "SELECT {} FROM archive_search_texts WHERE visit_id IN ({})",
        HitTexts::select(None),
        crate::exec::placeholders(1, ids.len())
    );
    for texts in r.all::<HitTexts>(&sql, &ids).await? {
        if let Some(h) = hits.iter_mut().find(|h| h.visit_id == texts.visit_id) {
            (h.subject, h.problem, h.analysis, h.answer) = (texts.subject, texts.problem, texts.analysis, texts.answer);
        }
    }
    Ok(hits)
}

pub(crate) async fn search(r: &mut dyn Sql, q: &ArchiveQuery) -> Result<ArchivePage> {
    let mut c = Conditions::new();
    // With words, the category, role and outcome are words of the index too: the full-text
    // index alone finds and counts the matches.
    let words = q.words.clone().map(|mut w| {
        w.filters.extend(q.category.as_deref().map(|v| filter_word(Filter::Category, v)));
        w.filters.extend(q.visitor_role.as_deref().map(|v| filter_word(Filter::VisitorRole, v)));
        w.filters.extend(q.outcome.map(|o| filter_word(Filter::Outcome, o.as_str())));
        // The months of a date range narrow the matches before any row is read; the days are
        // checked on the rows.
        if let (Some(from), Some(to)) = (q.from, q.to) {
            w.one_of = month_words(from, to, 36);
        }
        w
    });
    let full_text = words.as_ref().map(|w| c.add_full_text(r.dialect(), w));
    let filtered_by_words = full_text.is_some();
    if let Some(from) = q.from {
        c.add("s.day >= {}", Param::Text(from.to_string()));
    }
    if let Some(to) = q.to {
        c.add("s.day <= {}", Param::Text(to.to_string()));
    }
    if let Some(category) = q.category.as_ref().filter(|_| !filtered_by_words) {
        c.add("s.category = {}", Param::Text(category.clone()));
    }
    if let Some(role) = q.visitor_role.as_ref().filter(|_| !filtered_by_words) {
        c.add("s.visitor_role = {}", Param::Text(role.clone()));
    }
    if let Some(outcome) = q.outcome.filter(|_| !filtered_by_words) {
        c.add("s.outcome = {}", Param::Text(outcome.as_str().into()));
    }
    // Counted up to one more than COUNTED_MAX: beyond, the exact number costs a read of every
    // match and tells a person nothing more.
    let counted_max = q.count_up_to.unwrap_or(COUNTED_MAX);
    let cap = counted_max + 1;
    let total = match &full_text {
        // The words alone: the FTS5 table counts them without reading a row (one office per
        // database, so the office condition holds for every row).
        Some(f) if c.words_only && f.dialect == Dialect::Sqlite => {
            let sql = format!(
                "SELECT COUNT(*) FROM (SELECT 1 FROM archive_search_words WHERE archive_search_words MATCH $1 LIMIT {cap})"
            );
            r.int(&sql, &[text(&f.query)]).await?
        }
        Some(f) => {
            let sql = format!("SELECT COUNT(*) FROM (SELECT 1 FROM {} WHERE {} LIMIT {cap}) t", f.from, c.sql());
            r.int(&sql, &c.values()).await?
        }
        None => {
            let sql = format!("SELECT COUNT(*) FROM (SELECT 1 FROM archive_search s WHERE {} LIMIT {cap}) t", c.sql());
            r.int(&sql, &c.values()).await?
        }
    };
    let counted = u64::try_from(total.unwrap_or_default()).unwrap_or_default();
    let more = counted > counted_max;
    let total = counted.min(counted_max);
    if !more && total <= u64::from(q.offset) {
        return Ok(ArchivePage { hits: Vec::new(), total, more });
    }
    let hits = match &full_text {
        Some(f) if !more => {
            let order = format!("{}, s.archived_at DESC, s.visit_id", f.rank);
            hits(r, c, f.from, &order, q.limit, q.offset).await?
        }
        Some(f) => hits(r, c, f.from, f.newest(), q.limit, q.offset).await?,
        None => hits(r, c, "archive_search s", "s.archived_at DESC, s.visit_id", q.limit, q.offset).await?,
    };
    Ok(ArchivePage { hits, total, more })
}

pub(crate) async fn similar_answered(r: &mut dyn Sql, visit_id: &str, limit: u32) -> Result<Vec<ArchiveHit>> {
    let visit = read_visit(r, visit_id).await?;
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
    // The words of a problem match much of the archive (they are joined by OR): only the newest
    // matches are ranked, so that the cost stays bounded however large the archive grows.
    let (score, direction) = &f.score;
    let candidates = format!(
        "(SELECT s.*, {score} AS score FROM {} WHERE {} ORDER BY {} LIMIT {SIMILAR_CANDIDATES}) s",
        f.from,
        c.sql(),
        f.newest()
    );
    c.clauses = vec!["1 = 1".into()];
    let order = format!("s.score {direction}, s.archived_at DESC, s.visit_id");
    hits(r, c, &candidates, &order, limit, 0).await
}

/// How many of the newest matching answered visits the similar answers are ranked among.
pub const SIMILAR_CANDIDATES: u32 = 2000;

impl FromRow for ArchivedVersion {
    fn columns() -> Vec<(&'static str, Col)> {
        vec![
            ("version", Col::Int),
            ("number", Col::Text),
            ("archived_at", Col::Int),
            ("sha256", Col::Text),
            ("CAST(length(content) AS BIGINT)", Col::Int),
        ]
    }

    fn from_row(r: &mut Row) -> Result<ArchivedVersion> {
        Ok(ArchivedVersion {
            version: u32::try_from(r.int()?).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            number: r.text()?,
            archived_at: from_ms(r.int()?)?,
            sha256: r.text()?,
            size: u64::try_from(r.int()?).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        })
    }
}

pub(crate) async fn versions(r: &mut dyn Sql, visit_id: &str) -> Result<Vec<ArchivedVersion>> {
    let sql = format!(
        "SELECT {} FROM archived_documents WHERE visit_id = $1 ORDER BY version",
        ArchivedVersion::select(None)
    );
    r.all(&sql, &[text(visit_id)]).await
}
