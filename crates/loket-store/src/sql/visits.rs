// Included by `sqlite.rs` and `postgres.rs` after `common.rs`, whose imports it uses.

#[async_trait]
impl VisitStore for StoreImpl {
    async fn open_visit(&self, open: OpenVisit, now: DateTime<Utc>, by: &str) -> Result<Visit> {
        self.write_open_visit(open, now, by).await
    }

    async fn visit(&self, id: &str) -> Result<Option<Visit>> {
        let mut c = self.pool.acquire().await?;
        match load_visit(&mut c, id, false).await {
            Ok(v) => Ok(Some(v)),
            Err(StoreError::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn history(&self, id: &str) -> Result<Vec<Event>> {
        let rows = sqlx::query("SELECT kind, at, by_user, from_status, to_status, data FROM visit_events WHERE visit_id = $1 ORDER BY seq")
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(to_event).collect()
    }

    async fn visits(&self, filter: VisitFilter) -> Result<Vec<Visit>> {
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT data FROM visits WHERE office_id = $1 AND ($2 IS NULL OR status = $2) AND ($3 IS NULL OR created_day = $3) \
             ORDER BY created_at DESC, id LIMIT $4",
        )
        .bind(OFFICE)
        .bind(filter.status.map(|s| s.as_str()))
        .bind(filter.day.map(|d| d.to_string()))
        .bind(i64::from(filter.limit.unwrap_or(500)))
        .fetch_all(&self.pool)
        .await?;
        parse_visits(rows)
    }

    async fn change_visit(&self, id: &str, now: DateTime<Utc>, change: Change) -> Result<Visit> {
        self.write_change_visit(id, now, change).await
    }

    async fn check_visit(&self, id: &str, priority_lane: bool, now: DateTime<Utc>, by: &str) -> Result<Checked> {
        self.write_check_visit(id, priority_lane, now, by).await
    }

    async fn archive_visit(&self, id: &str, now: DateTime<Utc>, by: &str) -> Result<Visit> {
        self.write_archive_visit(id, now, by).await
    }

    async fn archived_document(&self, id: &str, version: Option<u32>) -> Result<Option<ArchivedDocument>> {
        let row = sqlx::query(
            "SELECT version, number, sha256, content, archived_at FROM archived_documents \
             WHERE visit_id = $1 AND ($2 IS NULL OR version = $2) ORDER BY version DESC LIMIT 1",
        )
        .bind(id)
        .bind(version.map(i64::from))
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(ArchivedDocument {
                version: r.try_get::<i64, _>("version")? as u32,
                number: r.try_get("number")?,
                sha256: r.try_get("sha256")?,
                content: r.try_get("content")?,
                archived_at: from_ms(r.try_get("archived_at")?),
            })
        })
        .transpose()
    }

    async fn pending_mail(&self) -> Result<Vec<(String, String)>> {
        Ok(sqlx::query_as("SELECT recipient, subject FROM mail_outbox WHERE status = 'pending' ORDER BY created_at")
            .fetch_all(&self.pool)
            .await?)
    }
}
