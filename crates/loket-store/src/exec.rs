//! The small executor that each backend provides, so that every use case is written once.
//!
//! SQL is written with `$1, $2, …` parameters, which both databases read: PostgreSQL natively,
//! SQLite as named parameters that each backend binds by their number. A statement's result is
//! read as rows of [`Value`]s, each column decoded as the [`Col`] the caller names.

use std::fmt::Write as _;
use std::future::Future;
use std::pin::Pin;

use async_trait::async_trait;

use crate::{Result, StoreError};

/// A boxed future, as use cases hand them to a backend.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A statement parameter, or a column value read back. `None` is SQL `NULL` of that type.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    Text(Option<&'a str>),
    Int(Option<i64>),
    Bool(bool),
    Blob(&'a [u8]),
}

/// A column as read back: owned, since rows outlive the statement.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(Option<String>),
    Int(Option<i64>),
    Bool(bool),
    Blob(Vec<u8>),
}

/// The type a column is read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Col {
    Text,
    OptText,
    Int,
    OptInt,
    Bool,
    Blob,
}

impl From<&'static str> for Value<'static> {
    fn from(s: &'static str) -> Self {
        Value::Text(Some(s))
    }
}

pub(crate) fn text(s: &str) -> Value<'_> {
    Value::Text(Some(s))
}

pub(crate) fn opt_text(s: Option<&str>) -> Value<'_> {
    Value::Text(s)
}

pub(crate) fn int(i: i64) -> Value<'static> {
    Value::Int(Some(i))
}

/// One row of a result, read column by column in order.
#[derive(Debug, Default)]
pub struct Row {
    cells: std::vec::IntoIter<Cell>,
}

impl Row {
    pub fn new(cells: Vec<Cell>) -> Row {
        Row { cells: cells.into_iter() }
    }

    fn next(&mut self) -> Result<Cell> {
        self.cells.next().ok_or_else(|| StoreError::Corrupt("a row has fewer columns than read".into()))
    }

    pub fn text(&mut self) -> Result<String> {
        match self.next()? {
            Cell::Text(Some(s)) => Ok(s),
            other => Err(StoreError::Corrupt(format!("expected text, found {other:?}"))),
        }
    }

    pub fn opt_text(&mut self) -> Result<Option<String>> {
        match self.next()? {
            Cell::Text(s) => Ok(s),
            other => Err(StoreError::Corrupt(format!("expected text, found {other:?}"))),
        }
    }

    pub fn int(&mut self) -> Result<i64> {
        match self.next()? {
            Cell::Int(Some(i)) => Ok(i),
            other => Err(StoreError::Corrupt(format!("expected an integer, found {other:?}"))),
        }
    }

    pub fn opt_int(&mut self) -> Result<Option<i64>> {
        match self.next()? {
            Cell::Int(i) => Ok(i),
            other => Err(StoreError::Corrupt(format!("expected an integer, found {other:?}"))),
        }
    }

    pub fn bool(&mut self) -> Result<bool> {
        match self.next()? {
            Cell::Bool(b) => Ok(b),
            other => Err(StoreError::Corrupt(format!("expected a boolean, found {other:?}"))),
        }
    }

    pub fn blob(&mut self) -> Result<Vec<u8>> {
        match self.next()? {
            Cell::Blob(b) => Ok(b),
            other => Err(StoreError::Corrupt(format!("expected bytes, found {other:?}"))),
        }
    }
}

/// What reads run on: a read connection pool, or a write transaction (which reads too).
#[async_trait]
pub trait Sql: Send {
    /// Runs a query; its rows, each column read as `cols` says.
    async fn rows(&mut self, sql: &str, params: &[Value<'_>], cols: &[Col]) -> Result<Vec<Row>>;

    /// Which database runs the statements, for the few that differ (full-text search).
    fn dialect(&self) -> Dialect;
}

/// One write transaction: only a write use case is given one, so a statement that changes
/// something, or locks, does not compile over a read connection.
#[async_trait]
pub trait Tx: Sql {
    /// Runs a statement; the number of rows it changed.
    async fn execute(&mut self, sql: &str, params: &[Value<'_>]) -> Result<u64>;

    /// Serialises writers that call at the same counter (PostgreSQL: an advisory lock held to the
    /// end of the transaction). Nothing to do where every write transaction is exclusive.
    async fn lock_counter(&mut self, counter: &str) -> Result<()>;

    /// What a `SELECT` appends to lock the rows it reads until the transaction ends.
    fn lock_rows(&self) -> &'static str;

    /// What a `SELECT` appends to claim rows that no other transaction holds.
    fn skip_locked(&self) -> &'static str;
}

/// The databases, for the statements that cannot be written once: full-text search, which each
/// database does its own way (SQLite's FTS5, PostgreSQL's `tsvector`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// A row type and the columns it is read from, declared together: the select list a query
/// names and the types a backend decodes come from this one list, so they cannot drift apart.
pub(crate) trait FromRow: Sized + Send {
    /// Each column as a `SELECT` names it, and the type it is read as, in the order
    /// [`FromRow::from_row`] reads them.
    fn columns() -> Vec<(&'static str, Col)>;

    fn from_row(row: &mut Row) -> Result<Self>;

    /// The select list (`a, b, c`), each column named after `alias.` when one is given (`u`).
    fn select(alias: Option<&str>) -> String {
        let names = Self::columns().into_iter().map(|(name, _)| match alias {
            Some(a) => format!("{a}.{name}"),
            None => name.to_owned(),
        });
        names.collect::<Vec<_>>().join(", ")
    }
}

/// Reads of one column, on anything that reads (a read connection or a write transaction).
#[async_trait]
pub(crate) trait ReadOne: Sql {
    /// The first column of the first row, as text, if there is a row.
    async fn text(&mut self, sql: &str, params: &[Value<'_>]) -> Result<Option<String>> {
        match self.rows(sql, params, &[Col::OptText]).await?.into_iter().next() {
            Some(mut row) => row.opt_text(),
            None => Ok(None),
        }
    }

    /// The first column of the first row, as an integer, if there is one and it is not null.
    async fn int(&mut self, sql: &str, params: &[Value<'_>]) -> Result<Option<i64>> {
        match self.rows(sql, params, &[Col::OptInt]).await?.into_iter().next() {
            Some(mut row) => row.opt_int(),
            None => Ok(None),
        }
    }

    /// Every row of a query that selects `T`'s columns ([`FromRow::select`]), as `T`.
    async fn all<T: FromRow>(&mut self, sql: &str, params: &[Value<'_>]) -> Result<Vec<T>> {
        let cols: Vec<Col> = T::columns().into_iter().map(|(_, col)| col).collect();
        self.rows(sql, params, &cols).await?.into_iter().map(|mut row| T::from_row(&mut row)).collect()
    }

    /// The first row of such a query, if there is one.
    async fn first<T: FromRow>(&mut self, sql: &str, params: &[Value<'_>]) -> Result<Option<T>> {
        Ok(self.all(sql, params).await?.into_iter().next())
    }

    /// The first column of each row, as text.
    async fn texts(&mut self, sql: &str, params: &[Value<'_>]) -> Result<Vec<String>> {
        self.rows(sql, params, &[Col::Text]).await?.into_iter().map(|mut r| r.text()).collect()
    }
}

impl<T: Sql + ?Sized> ReadOne for T {}

/// `$from, $from+1, …`: `n` parameters from number `from` on.
pub(crate) fn placeholders(from: usize, n: usize) -> String {
    let mut out = String::with_capacity(n * 5);
    for i in from..from + n {
        if i > from {
            out.push_str(", ");
        }
        let _ = write!(out, "${i}");
    }
    out
}

/// What a column of a written row is to its statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// Names the row: the conflict target of an upsert, the `WHERE` of an update.
    Key,
    /// Written whenever the row is.
    Set,
    /// Written when the row is inserted, then kept: left out of an update and of an upsert's
    /// `DO UPDATE`.
    OnInsert,
}

/// A column of a written row: its name, its part, and the SQL function call its value goes
/// through, if any (the call's opening, such as `to_tsvector('simple', `; it is closed after the
/// value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Column {
    name: &'static str,
    part: Part,
    call: Option<&'static str>,
}

/// One row to write, each column named beside its value: the statement's column list and its
/// parameters are rendered from this one list, in the order the columns were added, so that a
/// column and its value cannot drift apart. The same row renders an `INSERT`, an upsert or an
/// `UPDATE` ([`Columns::insert_sql`], [`Columns::upsert_sql`], [`Columns::update_sql`]); run
/// through [`WriteRows`].
#[derive(Debug, Clone)]
pub(crate) struct Columns<'a> {
    columns: Vec<Column>,
    values: Vec<Value<'a>>,
}

impl<'a> Columns<'a> {
    /// As many columns as the widest row written (20) fit without growing.
    const CAPACITY: usize = 20;

    pub fn new() -> Columns<'a> {
        Columns { columns: Vec::with_capacity(Self::CAPACITY), values: Vec::with_capacity(Self::CAPACITY) }
    }

    fn with(mut self, name: &'static str, part: Part, call: Option<&'static str>, value: Value<'a>) -> Columns<'a> {
        self.columns.push(Column { name, part, call });
        self.values.push(value);
        self
    }

    /// A column that names the row (an upsert's conflict target, an update's `WHERE`).
    pub fn key(self, name: &'static str, value: Value<'a>) -> Columns<'a> {
        self.with(name, Part::Key, None, value)
    }

    /// A column written whenever the row is.
    pub fn set(self, name: &'static str, value: Value<'a>) -> Columns<'a> {
        self.with(name, Part::Set, None, value)
    }

    /// A column written through an SQL function call: `call` opens it (`to_tsvector('simple', `),
    /// the value follows, and the call is closed.
    pub fn set_through(self, name: &'static str, call: &'static str, value: Value<'a>) -> Columns<'a> {
        self.with(name, Part::Set, Some(call), value)
    }

    /// A column written when the row is inserted, and kept as it is afterwards.
    pub fn on_insert(self, name: &'static str, value: Value<'a>) -> Columns<'a> {
        self.with(name, Part::OnInsert, None, value)
    }

    /// The parameters of [`Columns::insert_sql`] and [`Columns::upsert_sql`].
    pub fn values(&self) -> &[Value<'a>] {
        &self.values
    }

    /// `INSERT INTO table (a, b) VALUES ($1, $2)`: every column.
    pub fn insert_sql(&self, table: &str) -> String {
        let mut sql = String::with_capacity(64 + self.columns.len() * 24);
        push_insert(&mut sql, table, &self.columns);
        sql
    }

    /// An insert that, when a row with the same key exists, writes the set columns there
    /// instead (`ON CONFLICT (key) DO UPDATE SET c = excluded.c`), or leaves it as it is when the
    /// row has none (`DO NOTHING`). The key must be one the table holds unique.
    pub fn upsert_sql(&self, table: &str) -> String {
        let mut sql = String::with_capacity(96 + self.columns.len() * 48);
        push_insert(&mut sql, table, &self.columns);
        sql.push_str(" ON CONFLICT (");
        // A row without a key renders `ON CONFLICT ()`: a syntax error.
        push_names(&mut sql, self.columns.iter().filter(|c| c.part == Part::Key));
        sql.push(')');
        let mut set = self.columns.iter().filter(|c| c.part == Part::Set).peekable();
        if set.peek().is_none() {
            sql.push_str(" DO NOTHING");
            return sql;
        }
        sql.push_str(" DO UPDATE SET ");
        for (i, c) in set.enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            let _ = write!(sql, "{0} = excluded.{0}", c.name);
        }
        sql
    }

    /// `UPDATE table SET c = $n, … WHERE k = $m AND …`: the set columns of the row with the key
    /// columns' values. The columns written on insert only are left out, and so are their values
    /// ([`Columns::update_values`]).
    pub fn update_sql(&self, table: &str) -> String {
        let mut sql = String::with_capacity(64 + self.columns.len() * 24);
        let _ = write!(sql, "UPDATE {table} SET ");
        let written = || self.columns.iter().filter(|c| c.part != Part::OnInsert).zip(1..);
        for (i, (c, n)) in written().filter(|(c, _)| c.part == Part::Set).enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            push_assignment(&mut sql, c, n);
        }
        // A row without a key renders `WHERE` and nothing after it: a syntax error, never an
        // update of every row.
        sql.push_str(" WHERE ");
        for (i, (c, n)) in written().filter(|(c, _)| c.part == Part::Key).enumerate() {
            if i > 0 {
                sql.push_str(" AND ");
            }
            push_assignment(&mut sql, c, n);
        }
        sql
    }

    /// The parameters of [`Columns::update_sql`]: every value but those of the columns written on
    /// insert only (borrowed as they are when there are none).
    pub fn update_values(&self) -> std::borrow::Cow<'_, [Value<'a>]> {
        if self.columns.iter().all(|c| c.part != Part::OnInsert) {
            return std::borrow::Cow::Borrowed(&self.values);
        }
        let kept = self.columns.iter().zip(&self.values).filter(|(c, _)| c.part != Part::OnInsert);
        std::borrow::Cow::Owned(kept.map(|(_, v)| v.clone()).collect())
    }
}

/// Many rows of one table, written by one `INSERT`: the columns every row shares (one parameter
/// each), then each row's own columns, which must be the first row's, in the same order.
#[derive(Debug)]
pub(crate) struct Rows<'a> {
    shared: Vec<Column>,
    /// The first row's columns.
    each: Vec<Column>,
    /// The shared values, then each row's.
    values: Vec<Value<'a>>,
    rows: usize,
}

impl<'a> Rows<'a> {
    /// No rows yet, each to be written with `shared`'s columns and values.
    pub fn new(shared: Columns<'a>) -> Rows<'a> {
        Rows { shared: shared.columns, each: Vec::new(), values: shared.values, rows: 0 }
    }

    /// Adds a row; refused when it names other columns than the first row did.
    pub fn push(&mut self, row: Columns<'a>) -> Result<()> {
        if self.rows == 0 {
            self.each = row.columns;
        } else if row.columns != self.each {
            let names = |columns: &[Column]| columns.iter().map(|c| c.name).collect::<Vec<_>>().join(", ");
            return Err(StoreError::Writer(format!(
                "rows written together name different columns: ({}), then ({})",
                names(&self.each),
                names(&row.columns)
            )));
        }
        self.values.extend(row.values);
        self.rows += 1;
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// `INSERT INTO table (shared…, each…) VALUES ($1, …, $k, …), ($1, …, $m, …)`.
    pub fn insert_sql(&self, table: &str) -> String {
        let width = self.shared.len() + self.each.len();
        let mut sql = String::with_capacity(64 + width * 16 + self.rows * width * 5);
        let _ = write!(sql, "INSERT INTO {table} (");
        push_names(&mut sql, self.shared.iter().chain(&self.each));
        sql.push_str(") VALUES ");
        let mut n = self.shared.len();
        for row in 0..self.rows {
            if row > 0 {
                sql.push_str(", ");
            }
            let shared = self.shared.iter().zip(1..);
            let own = self.each.iter().zip(n + 1..);
            sql.push('(');
            for (i, (c, n)) in shared.chain(own).enumerate() {
                if i > 0 {
                    sql.push_str(", ");
                }
                push_value(&mut sql, c, n);
            }
            sql.push(')');
            n += self.each.len();
        }
        sql
    }

    pub fn values(&self) -> &[Value<'a>] {
        &self.values
    }
}

/// `INSERT INTO table (a, b) VALUES ($1, $2)`.
fn push_insert(sql: &mut String, table: &str, columns: &[Column]) {
    let _ = write!(sql, "INSERT INTO {table} (");
    push_names(sql, columns.iter());
    sql.push_str(") VALUES (");
    for (c, n) in columns.iter().zip(1..) {
        if n > 1 {
            sql.push_str(", ");
        }
        push_value(sql, c, n);
    }
    sql.push(')');
}

/// `a, b, c`.
fn push_names<'c>(sql: &mut String, columns: impl Iterator<Item = &'c Column>) {
    for (i, c) in columns.enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(c.name);
    }
}

/// Parameter `n`, through the column's call if it has one.
fn push_value(sql: &mut String, column: &Column, n: usize) {
    match column.call {
        Some(call) => {
            let _ = write!(sql, "{call}${n})");
        }
        None => {
            let _ = write!(sql, "${n}");
        }
    }
}

/// `name = $n`.
fn push_assignment(sql: &mut String, column: &Column, n: usize) {
    sql.push_str(column.name);
    sql.push_str(" = ");
    push_value(sql, column, n);
}

/// The statements a [`Columns`] or [`Rows`] renders, run on a write transaction.
#[async_trait]
pub(crate) trait WriteRows: Tx {
    /// Inserts the row ([`Columns::insert_sql`]); the number of rows inserted.
    async fn insert(&mut self, table: &str, row: &Columns<'_>) -> Result<u64> {
        self.execute(&row.insert_sql(table), row.values()).await
    }

    /// Inserts the row or writes it over the one with its key ([`Columns::upsert_sql`]).
    async fn upsert(&mut self, table: &str, row: &Columns<'_>) -> Result<u64> {
        self.execute(&row.upsert_sql(table), row.values()).await
    }

    /// Writes the row's set columns where its key columns match ([`Columns::update_sql`]); the
    /// number of rows changed.
    async fn update(&mut self, table: &str, row: &Columns<'_>) -> Result<u64> {
        self.execute(&row.update_sql(table), &row.update_values()).await
    }

    /// Inserts every row in one statement ([`Rows::insert_sql`]); nothing when there are none.
    async fn insert_rows(&mut self, table: &str, rows: &Rows<'_>) -> Result<u64> {
        if rows.is_empty() {
            return Ok(0);
        }
        self.execute(&rows.insert_sql(table), rows.values()).await
    }
}

impl<T: Tx + ?Sized> WriteRows for T {}

#[cfg(test)]
mod tests {
    use super::*;

    /// The parameter numbers a statement names, each once, in order.
    fn numbers(sql: &str) -> Vec<usize> {
        let mut seen = Vec::new();
        for part in sql.split('$').skip(1) {
            let digits: String = part.chars().take_while(char::is_ascii_digit).collect();
            let n = digits.parse().expect("a number after $");
            if !seen.contains(&n) {
                seen.push(n);
            }
        }
        seen.sort_unstable();
        seen
    }

    fn day_off<'a>() -> Columns<'a> {
        Columns::new()
            .key("office_id", text("default"))
            .key("day", text("2025-08-17"))
            .set("kind", text("holiday"))
            .set("name", text("Hari Kemerdekaan"))
            .on_insert("created_at", int(1))
    }

    #[test]
    fn an_insert_names_every_column_beside_its_parameter() {
        let row = day_off();
        assert_eq!(
            row.insert_sql("days_off"),
            "INSERT INTO days_off (office_id, day, kind, name, created_at) VALUES ($1, $2, $3, $4, $5)"
        );
        assert_eq!(
            row.values(),
            [text("default"), text("2025-08-17"), text("holiday"), text("Hari Kemerdekaan"), int(1)]
        );
    }

    #[test]
    fn an_upsert_writes_the_set_columns_over_the_row_with_its_key() {
        assert_eq!(
            day_off().upsert_sql("days_off"),
            "INSERT INTO days_off (office_id, day, kind, name, created_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (office_id, day) DO UPDATE SET kind = excluded.kind, name = excluded.name"
        );
    }

    #[test]
    fn an_upsert_with_nothing_to_set_keeps_the_row_it_meets() {
        let row = Columns::new().key("message_key", text("k")).on_insert("subject", text("s"));
        assert_eq!(
            row.upsert_sql("mail_inbox"),
            "INSERT INTO mail_inbox (message_key, subject) VALUES ($1, $2) ON CONFLICT (message_key) DO NOTHING"
        );
    }

    #[test]
    fn an_update_sets_by_the_key_and_leaves_out_what_is_written_on_insert_only() {
        let row = Columns::new()
            .on_insert("office_id", text("default"))
            .key("id", text("v1"))
            .set("status", text("called"))
            .on_insert("created_at", int(1))
            .set("data", text("{}"));
        assert_eq!(row.update_sql("visits"), "UPDATE visits SET status = $2, data = $3 WHERE id = $1");
        assert_eq!(*row.update_values(), [text("v1"), text("called"), text("{}")]);
        let plain = Columns::new().key("id", text("v1")).set("status", text("called"));
        assert!(matches!(plain.update_values(), std::borrow::Cow::Borrowed(_)), "nothing to leave out, nothing copied");
        let two_keys = Columns::new().set("outcome", text("answered")).key("a", int(1)).key("b", int(2));
        assert_eq!(two_keys.update_sql("t"), "UPDATE t SET outcome = $1 WHERE a = $2 AND b = $3");
    }

    #[test]
    fn a_value_through_a_call_keeps_its_parameter() {
        let row = Columns::new().key("visit_id", text("v1")).set_through("words", "to_tsvector('simple', ", text("w"));
        assert_eq!(
            row.insert_sql("archive_search"),
            "INSERT INTO archive_search (visit_id, words) VALUES ($1, to_tsvector('simple', $2))"
        );
        assert_eq!(
            row.update_sql("archive_search"),
            "UPDATE archive_search SET words = to_tsvector('simple', $2) WHERE visit_id = $1"
        );
    }

    #[test]
    fn rows_share_their_common_parameters() {
        let mut rows = Rows::new(Columns::new().set("visit_id", text("v1")).set("day", text("2025-08-18")));
        assert!(rows.is_empty());
        for seq in 0..3 {
            rows.push(Columns::new().set("seq", int(seq)).set("by_user", text("ani"))).unwrap();
        }
        assert_eq!(
            rows.insert_sql("visit_steps"),
            "INSERT INTO visit_steps (visit_id, day, seq, by_user) VALUES ($1, $2, $3, $4), ($1, $2, $5, $6), \
             ($1, $2, $7, $8)"
        );
        assert_eq!(rows.values().len(), 2 + 3 * 2);
        assert_eq!(rows.values()[6], int(2));
        let alone = Rows::new(Columns::new());
        assert_eq!(alone.values().len(), 0);
    }

    #[test]
    fn a_row_that_names_other_columns_than_the_first_is_refused() {
        let mut rows = Rows::new(Columns::new().set("visit_id", text("v1")));
        rows.push(Columns::new().set("seq", int(0)).set("by_user", text("ani"))).unwrap();
        assert!(rows.push(Columns::new().set("by_user", text("ani")).set("seq", int(1))).is_err(), "another order");
        assert!(rows.push(Columns::new().set("seq", int(1))).is_err(), "a column less");
        assert!(rows.push(Columns::new().set("seq", int(1)).key("by_user", text("ani"))).is_err(), "another part");
        assert_eq!(
            rows.insert_sql("visit_steps"),
            "INSERT INTO visit_steps (visit_id, seq, by_user) VALUES ($1, $2, $3)"
        );
        assert_eq!(rows.values().len(), 3, "a refused row adds no value");
    }

    #[test]
    fn every_rendering_names_as_many_parameters_as_it_binds() {
        let mut rows = Rows::new(Columns::new().set("a", int(0)));
        for i in 0..5 {
            rows.push(Columns::new().set("b", int(i)).set_through("c", "lower(", text("X"))).unwrap();
        }
        let row = day_off().set_through("words", "to_tsvector('simple', ", text("w"));
        let cases = [
            (row.insert_sql("t"), row.values().len()),
            (row.upsert_sql("t"), row.values().len()),
            (row.update_sql("t"), row.update_values().len()),
            (rows.insert_sql("t"), rows.values().len()),
        ];
        for (sql, bound) in cases {
            assert_eq!(numbers(&sql), (1..=bound).collect::<Vec<_>>(), "{sql}");
        }
    }
}
