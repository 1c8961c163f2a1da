//! The small executor that each backend provides, so that every use case is written once.
//!
//! SQL is written with `$1, $2, …` parameters, which both databases read: PostgreSQL natively,
//! SQLite as named parameters that each backend binds by their number. A statement's result is
//! read as rows of [`Value`]s, each column decoded as the [`Col`] the caller names.

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
    use std::fmt::Write;
    let mut out = String::with_capacity(n * 5);
    for i in from..from + n {
        if i > from {
            out.push_str(", ");
        }
        let _ = write!(out, "${i}");
    }
    out
}
