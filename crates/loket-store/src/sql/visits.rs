// Included by `sqlite.rs` and `postgres.rs` after `common.rs`, whose imports it uses.

#[async_trait]
impl VisitStore for StoreImpl {
    async fn open_visit(&self, open: OpenVisit, now: DateTime<Utc>, by: &str) -> Result<Visit> {
        let settings = self.settings().await?;
        let service = match open.service {
            Some(code) if settings.services.iter().any(|s| s.code == code) => code,
            Some(_) => return Err(Refused::validation("service", "unknown").into()),
            None => settings.services.first().map(|s| s.code.clone()).unwrap_or_else(|| "A".into()),
        };
        let visitor = Visitor::default().apply(&open.visitor).map_err(Refused::Validation)?;
        if visitor.name.is_none() {
            return Err(Refused::validation("visitor.name", "missing").into());
        }
        let day = office_day(now, settings.zone());
        let mut w = self.begin_write().await?;
        let result = async {
            let seq = next_in_sequence(w.conn(), &format!("reference:{day}")).await?;
            let reference = format!("{}-{seq:04}", day.format("%Y%m%d"));
            let (mut visit, _) = Visit::open(new_id(), reference, service, visitor, now, by);
            if let Some(form) = &open.form {
                visit.save_form(None, form, &settings.priorities, now, by)?;
            }
            insert_visit(w.conn(), &visit, day).await?;
            append_events(w.conn(), &visit, 0).await?;
            w.observe(&visit, &visit.history);
            Ok(visit)
        }
        .await;
        self.close(w, result).await
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

    async fn change_visit(&self, id: &str, now: DateTime<Utc>, change: Change<'_>) -> Result<Visit> {
        let settings = self.settings().await?;
        let mut w = self.begin_write().await?;
        let result = async {
            let mut visit = load_visit(w.conn(), id, true).await?;
            let was = visit.status;
            let before = visit.history.len();
            let event = change(&mut visit, &settings)?;
            let mail = (event.kind == EventKind::Escalated)
                .then(|| escalation_mail(&visit, &settings.lkpp_email, &settings.office_name))
                .flatten();
            if let Some(mail) = mail {
                sqlx::query(
                    "INSERT INTO mail_outbox (id, visit_id, recipient, subject, body, status, attempts, created_at) \
                     VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6)",
                )
                .bind(new_id())
                .bind(&visit.id)
                .bind(&mail.to)
                .bind(&mail.subject)
                .bind(&mail.body)
                .bind(ms(now))
                .execute(w.conn())
                .await?;
            }
            // The archived record is immutable: a change after the archive is a new version.
            let rearchive = (was == Status::Archived && event.kind != EventKind::Archived)
                .then(|| visit.archive.clone())
                .flatten();
            if let Some(prev) = rearchive {
                let stamp = ArchiveStamp { number: prev.number, archived_at: now, version: prev.version + 1 };
                let by = event.by.clone();
                let archive = store_document(w.conn(), &self.renderer, &visit, stamp).await?;
                visit.rearchive(archive, now, &by)?;
            }
            Self::save(&mut w, &visit, before).await?;
            Ok(visit)
        }
        .await;
        self.close(w, result).await
    }

    async fn check_visit(&self, id: &str, priority_lane: bool, now: DateTime<Utc>, by: &str) -> Result<Checked> {
        let settings = self.settings().await?;
        let mut w = self.begin_write().await?;
        let result = async {
            let mut visit = load_visit(w.conn(), id, true).await?;
            let before = visit.history.len();
            let (_, incomplete) = match visit.check(&settings.required_fields, &settings.priorities)? {
                Check::Complete => {
                    let day = office_day(now, settings.zone());
                    let n = next_in_sequence(w.conn(), &format!("number:{}:{day}", visit.service)).await?;
                    let position = next_in_sequence(w.conn(), "position").await?;
                    let ticket = Ticket { number: queue_number(&visit.service, n), day, position, priority_lane };
                    (visit.enqueue(ticket, now, by)?, None)
                }
                Check::Incomplete(errors) => (visit.mark_incomplete(&errors, now, by)?, Some(errors)),
            };
            Self::save(&mut w, &visit, before).await?;
            Ok(Checked { visit, incomplete })
        }
        .await;
        self.close(w, result).await
    }

    async fn archive_visit(&self, id: &str, now: DateTime<Utc>, by: &str) -> Result<Visit> {
        let settings = self.settings().await?;
        let mut w = self.begin_write().await?;
        let result = async {
            let mut visit = load_visit(w.conn(), id, true).await?;
            visit.ensure_archivable()?;
            let day = office_day(now, settings.zone());
            let seq = next_in_sequence(w.conn(), &format!("archive:{}", day.format("%Y"))).await?;
            let stamp = ArchiveStamp { number: archive_number(&settings.archive_pattern, day, seq), archived_at: now, version: 1 };
            let archive = store_document(w.conn(), &self.renderer, &visit, stamp).await?;
            let before = visit.history.len();
            visit.archive(archive, now, by)?;
            Self::save(&mut w, &visit, before).await?;
            Ok(visit)
        }
        .await;
        self.close(w, result).await
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
