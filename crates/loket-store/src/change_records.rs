//! The change record: written by each use case that changes the settings, a day off or a staff
//! account, in its own transaction; listed newest first. What a record holds is the domain's
//! (`loket_domain::change_record`).

use chrono::{DateTime, Utc};
use loket_domain::change_record::{Change, ChangeKind, ChangeRecord};

use crate::exec::{Col, Columns, FromRow, ReadOne, Row, Sql, Tx, Value, WriteRows, int, opt_text, text};
use crate::{ChangeFilter, OFFICE, Result, StoreError, from_ms, ms};

/// Records `change`, by `by` at `now`, unless it changes nothing. Every record takes the next
/// number of the office's sequence `change_records`, so that the record's order is the order the
/// changes committed in.
pub(crate) async fn record(t: &mut dyn Tx, change: &Change, by: &str, now: DateTime<Utc>) -> Result<()> {
    if !change.changes_anything() {
        return Ok(());
    }
    let id = t
        .int(
            "INSERT INTO sequences (office_id, name, last) VALUES ($1, 'change_records', 1) \
             ON CONFLICT (office_id, name) DO UPDATE SET last = sequences.last + 1 RETURNING last",
            &[text(OFFICE)],
        )
        .await?
        .ok_or_else(|| StoreError::Corrupt("sequence change_records returned nothing".into()))?;
    let json = |v: &serde_json::Value| if v.is_null() { None } else { Some(v.to_string()) };
    let (before, after) = (json(&change.before), json(&change.after));
    let row = Columns::new()
        .set("id", int(id))
        .set("office_id", text(OFFICE))
        .set("kind", text(change.kind.as_str()))
        .set("changed_by", text(by))
        .set("changed_at", int(ms(now)))
        .set("subject", opt_text(change.subject.as_deref()))
        .set("before_value", opt_text(before.as_deref()))
        .set("after_value", opt_text(after.as_deref()));
    t.insert("change_records", &row).await?;
    Ok(())
}

impl FromRow for ChangeRecord {
    fn columns() -> Vec<(&'static str, Col)> {
        vec![
            ("id", Col::Int),
            ("kind", Col::Text),
            ("changed_by", Col::Text),
            ("changed_at", Col::Int),
            ("subject", Col::OptText),
            ("before_value", Col::OptText),
            ("after_value", Col::OptText),
        ]
    }

    fn from_row(row: &mut Row) -> Result<ChangeRecord> {
        let (id, kind, by, at) = (row.int()?, row.text()?, row.text()?, row.int()?);
        let kind = ChangeKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("change kind {kind:?}")))?;
        let subject = row.opt_text()?;
        let json = |v: Option<String>| -> Result<serde_json::Value> {
            Ok(v.map(|v| serde_json::from_str(&v)).transpose()?.unwrap_or(serde_json::Value::Null))
        };
        let (before, after) = (json(row.opt_text()?)?, json(row.opt_text()?)?);
        Ok(ChangeRecord { id, kind, by, at: from_ms(at)?, subject, before, after })
    }
}

/// The recorded changes the filter names, newest first.
pub(crate) async fn changes(r: &mut dyn Sql, filter: &ChangeFilter) -> Result<Vec<ChangeRecord>> {
    let mut sql = format!("SELECT {} FROM change_records WHERE office_id = $1", ChangeRecord::select(None));
    let mut params: Vec<Value<'_>> = vec![text(OFFICE)];
    if let Some(kind) = filter.kind {
        params.push(text(kind.as_str()));
        sql.push_str(&format!(" AND kind = ${}", params.len()));
    }
    if let Some(from) = filter.from {
        params.push(int(ms(from)));
        sql.push_str(&format!(" AND changed_at >= ${}", params.len()));
    }
    if let Some(until) = filter.until {
        params.push(int(ms(until)));
        sql.push_str(&format!(" AND changed_at < ${}", params.len()));
    }
    params.push(int(i64::from(filter.limit)));
    params.push(int(i64::from(filter.offset)));
    sql.push_str(&format!(" ORDER BY id DESC LIMIT ${} OFFSET ${}", params.len() - 1, params.len()));
    r.all(&sql, &params).await
}
