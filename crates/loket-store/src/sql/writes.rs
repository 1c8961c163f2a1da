// Included by `postgres.rs` after `common.rs`, whose imports it uses: the write use cases, each
// one sqlx transaction. (SQLite runs its writes on a writer thread instead: `sqlite_writes.rs`.)

/// A write transaction and the live events to publish once it commits.
struct WriteTx {
    tx: sqlx::Transaction<'static, Db>,
    told: Told,
}

impl WriteTx {
    fn conn(&mut self) -> &mut Conn {
        &mut self.tx
    }
}

async fn insert_visit(c: &mut Conn, visit: &Visit, created_day: NaiveDate) -> Result<()> {
    sqlx::query(
        "INSERT INTO visits (id, office_id, reference, service, status, created_day, number, number_day, counter, \
         priority_lane, position, created_at, updated_at, data) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(&visit.id)
    .bind(OFFICE)
    .bind(&visit.reference)
    .bind(&visit.service)
    .bind(visit.status.as_str())
    .bind(created_day.to_string())
    .bind(&visit.queue.number)
    .bind(visit.queue.day.map(|d| d.to_string()))
    .bind(&visit.queue.counter)
    .bind(visit.queue.priority_lane)
    .bind(visit.queue.position)
    .bind(ms(visit.created_at))
    .bind(ms(visit.updated_at))
    .bind(serde_json::to_string(visit)?)
    .execute(&mut *c)
    .await?;
    Ok(())
}

async fn update_visit(c: &mut Conn, visit: &Visit) -> Result<()> {
    sqlx::query(
        "UPDATE visits SET status = $2, number = $3, number_day = $4, counter = $5, priority_lane = $6, position = $7, \
         updated_at = $8, data = $9 WHERE id = $1",
    )
    .bind(&visit.id)
    .bind(visit.status.as_str())
    .bind(&visit.queue.number)
    .bind(visit.queue.day.map(|d| d.to_string()))
    .bind(&visit.queue.counter)
    .bind(visit.queue.priority_lane)
    .bind(visit.queue.position)
    .bind(ms(visit.updated_at))
    .bind(serde_json::to_string(visit)?)
    .execute(&mut *c)
    .await?;
    Ok(())
}

/// Appends the visit's events from `from` on (those already stored are the ones before it).
async fn append_events(c: &mut Conn, visit: &Visit, from: usize) -> Result<()> {
    let visit_id = &visit.id;
    let mut seq = from as i64;
    for e in visit.history.iter().skip(from) {
        seq += 1;
        sqlx::query(
            "INSERT INTO visit_events (visit_id, seq, kind, at, by_user, from_status, to_status, data) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(visit_id)
        .bind(seq)
        .bind(serde_json::to_value(e.kind)?.as_str().unwrap_or_default().to_owned())
        .bind(ms(e.at))
        .bind(&e.by)
        .bind(e.from.map(|s| s.as_str()))
        .bind(e.to.as_str())
        .bind(e.data.to_string())
        .execute(&mut *c)
        .await?;
    }
    Ok(())
}

/// The next value of a named counter of the office, starting at 1.
async fn next_in_sequence(c: &mut Conn, name: &str) -> Result<i64> {
    let last: i64 = sqlx::query_scalar(
        "INSERT INTO sequences (office_id, name, last) VALUES ($1, $2, 1) \
         ON CONFLICT (office_id, name) DO UPDATE SET last = sequences.last + 1 RETURNING last",
    )
    .bind(OFFICE)
    .bind(name)
    .fetch_one(&mut *c)
    .await?;
    Ok(last)
}

async fn waiting_count(c: &mut Conn, service: &str) -> Result<u64> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM visits WHERE office_id = $1 AND service = $2 AND status = 'waiting'")
        .bind(OFFICE)
        .bind(service)
        .fetch_one(&mut *c)
        .await?;
    Ok(n as u64)
}

/// Stores the archived document of a visit as it is now, and returns what the visit records.
async fn store_document(
    c: &mut Conn,
    renderer: &crate::DocumentRenderer,
    visit: &Visit,
    stamp: ArchiveStamp,
) -> Result<Archive> {
    let content = renderer(visit, &stamp);
    let sha256 = sha256_hex(&content);
    sqlx::query(
        "INSERT INTO archived_documents (visit_id, version, number, sha256, content, archived_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&visit.id)
    .bind(i64::from(stamp.version))
    .bind(&stamp.number)
    .bind(&sha256)
    .bind(&content)
    .bind(ms(stamp.archived_at))
    .execute(&mut *c)
    .await?;
    Ok(Archive { number: stamp.number, archived_at: stamp.archived_at, sha256, version: stamp.version })
}

fn placeholders(from: usize, n: usize) -> String {
    (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// The first visit waiting for any of these services: priority lane first, then by position.
async fn claim_first_waiting(c: &mut Conn, services: &[String]) -> Result<Option<Visit>> {
    let sql = format!(
        "SELECT data FROM visits WHERE office_id = $1 AND status = 'waiting' AND service IN ({}) \
         ORDER BY priority_lane DESC, position ASC, id ASC LIMIT 1{SKIP_LOCKED}",
        placeholders(2, services.len())
    );
    let mut q = sqlx::query_scalar::<_, String>(&sql).bind(OFFICE);
    for s in services {
        q = q.bind(s);
    }
    match q.fetch_optional(&mut *c).await? {
        Some(data) => Ok(Some(serde_json::from_str(&data)?)),
        None => Ok(None),
    }
}

impl StoreImpl {
    /// Ends a write transaction: commits what succeeded, rolls back what did not, at once (a
    /// dropped transaction would keep its locks until its connection is used again).
    async fn close<T>(&self, mut w: WriteTx, result: Result<T>) -> Result<T> {
        match result {
            Ok(value) => {
                self.finish(w).await?;
                Ok(value)
            }
            Err(e) => {
                if let Err(rollback) = w.tx.rollback().await {
                    tracing::error!(error = %rollback, "rollback failed");
                }
                w.told.live.clear();
                Err(e)
            }
        }
    }

    /// Commits, and tells live clients what changed.
    async fn finish(&self, mut w: WriteTx) -> Result<()> {
        for service in std::mem::take(&mut w.told.waiting_changed) {
            let waiting = waiting_count(w.conn(), &service).await?;
            w.told.live.push(LiveEvent::Queue { service, waiting });
        }
        self.announce(&mut w.tx, &w.told.live).await?;
        let live = std::mem::take(&mut w.told.live);
        w.tx.commit().await?;
        self.after_commit(live);
        Ok(())
    }

    /// Writes the visit and the events it gained since its history had `from` entries.
    async fn save(w: &mut WriteTx, visit: &Visit, from: usize) -> Result<()> {
        update_visit(w.conn(), visit).await?;
        append_events(w.conn(), visit, from).await?;
        w.told.observe(visit, &visit.history[from.min(visit.history.len())..]);
        Ok(())
    }

    async fn write_save_settings(&self, entries: Vec<(String, serde_json::Value)>, by: &str, now: DateTime<Utc>) -> Result<()> {
        let mut w = self.begin_write().await?;
        let result = async {
            for (key, value) in &entries {
                sqlx::query(
                    "INSERT INTO settings (office_id, key, value, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (office_id, key) DO UPDATE SET value = $3, updated_at = $4, updated_by = $5",
                )
                .bind(OFFICE)
                .bind(key)
                .bind(value.to_string())
                .bind(ms(now))
                .bind(by)
                .execute(w.conn())
                .await?;
            }
            self.settings_changed(w.conn()).await?;
            Ok(())
        }
        .await;
        self.close(w, result).await
    }

    async fn write_add_user(&self, user: NewUser, now: DateTime<Utc>) -> Result<()> {
        let mut w = self.begin_write().await?;
        let result = async {
            let exists: Option<String> =
                sqlx::query_scalar("SELECT username FROM users WHERE username = $1").bind(&user.username).fetch_optional(w.conn()).await?;
            if exists.is_some() {
                return Err(StoreError::Duplicate);
            }
            sqlx::query("INSERT INTO users (username, full_name, password_hash, roles, disabled, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(&user.username)
                .bind(&user.full_name)
                .bind(&user.password_hash)
                .bind(roles_to_text(&user.roles))
                .bind(false)
                .bind(ms(now))
                .execute(w.conn())
                .await?;
            Ok(())
        }
        .await;
        self.close(w, result).await
    }

    async fn write_set_password(&self, username: &str, password_hash: &str) -> Result<bool> {
        let mut w = self.begin_write().await?;
        let result = async {
            let n = sqlx::query("UPDATE users SET password_hash = $2 WHERE username = $1")
                .bind(username)
                .bind(password_hash)
                .execute(w.conn())
                .await?
                .rows_affected();
            sqlx::query("DELETE FROM sessions WHERE username = $1").bind(username).execute(w.conn()).await?;
            Ok(n > 0)
        }
        .await;
        self.close(w, result).await
    }

    async fn write_set_disabled(&self, username: &str, disabled: bool) -> Result<bool> {
        let mut w = self.begin_write().await?;
        let result = async {
            let n = sqlx::query("UPDATE users SET disabled = $2 WHERE username = $1")
                .bind(username)
                .bind(disabled)
                .execute(w.conn())
                .await?
                .rows_affected();
            if disabled {
                sqlx::query("DELETE FROM sessions WHERE username = $1").bind(username).execute(w.conn()).await?;
            }
            Ok(n > 0)
        }
        .await;
        self.close(w, result).await
    }

    async fn write_add_session(&self, token_hash: &str, username: &str, now: DateTime<Utc>, expires_at: DateTime<Utc>) -> Result<()> {
        let mut w = self.begin_write().await?;
        let result = async {
            // Expired sessions are removed as new ones are made.
            sqlx::query("DELETE FROM sessions WHERE expires_at < $1").bind(ms(now)).execute(w.conn()).await?;
            sqlx::query("INSERT INTO sessions (token_hash, username, created_at, expires_at) VALUES ($1, $2, $3, $4)")
                .bind(token_hash)
                .bind(username)
                .bind(ms(now))
                .bind(ms(expires_at))
                .execute(w.conn())
                .await?;
            Ok(())
        }
        .await;
        self.close(w, result).await
    }

    async fn write_end_session(&self, token_hash: &str) -> Result<()> {
        let mut w = self.begin_write().await?;
        let result = async {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(w.conn()).await?;
            Ok(())
        }
        .await;
        self.close(w, result).await
    }

    async fn write_open_visit(&self, open: OpenVisit, now: DateTime<Utc>, by: &str) -> Result<Visit> {
        let settings = self.settings().await?;
        let (service, visitor) = opening(&settings, &open)?;
        let day = office_day(now, settings.zone());
        let mut w = self.begin_write().await?;
        let result = async {
            let seq = next_in_sequence(w.conn(), &format!("reference:{day}")).await?;
            let reference = format!("{}-{seq:04}", day.format("%Y%m%d"));
            let (mut visit, _) = Visit::open(new_id(), reference, service, visitor, &settings, now, by);
            if let Some(form) = &open.form {
                visit.save_form(None, form, &settings, now, by)?;
            }
            insert_visit(w.conn(), &visit, day).await?;
            append_events(w.conn(), &visit, 0).await?;
            w.told.observe(&visit, &visit.history);
            Ok(visit)
        }
        .await;
        self.close(w, result).await
    }

    async fn write_change_visit(&self, id: &str, now: DateTime<Utc>, change: Change) -> Result<Visit> {
        let settings = self.settings().await?;
        let mut w = self.begin_write().await?;
        let result = async {
            let mut visit = load_visit(w.conn(), id, true).await?;
            let was = visit.status;
            let before = visit.history.len();
            let event = change(&mut visit, &settings)?;
            let (mail, new_version) = follow_ups(&visit, was, &event, &settings, now);
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
            if let Some(stamp) = new_version {
                let archive = store_document(w.conn(), &self.renderer, &visit, stamp).await?;
                visit.rearchive(archive, now, &event.by)?;
            }
            Self::save(&mut w, &visit, before).await?;
            Ok(visit)
        }
        .await;
        self.close(w, result).await
    }

    async fn write_check_visit(&self, id: &str, priority_lane: bool, now: DateTime<Utc>, by: &str) -> Result<Checked> {
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
                    (visit.enqueue(ticket, &settings, now, by)?, None)
                }
                Check::Incomplete(errors) => (visit.mark_incomplete(&errors, &settings, now, by)?, Some(errors)),
            };
            Self::save(&mut w, &visit, before).await?;
            Ok(Checked { visit, incomplete })
        }
        .await;
        self.close(w, result).await
    }

    async fn write_archive_visit(&self, id: &str, now: DateTime<Utc>, by: &str) -> Result<Visit> {
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

    async fn write_call_next(&self, counter: &str, service: Option<&str>, now: DateTime<Utc>, by: &str) -> Result<Option<Visit>> {
        let settings = self.settings().await?;
        let services = counter_services(&settings, counter, service)?;
        let mut w = self.begin_write().await?;
        let result = async {
            Self::lock_counter(w.conn(), counter).await?;
            let busy: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM visits WHERE office_id = $1 AND counter = $2 AND status IN ('called', 'in_service')",
            )
            .bind(OFFICE)
            .bind(counter)
            .fetch_one(w.conn())
            .await?;
            if busy > 0 {
                return Err(Refused::CounterBusy.into());
            }
            let Some(mut visit) = claim_first_waiting(w.conn(), &services).await? else {
                return Ok(None);
            };
            let before = visit.history.len();
            visit.call(counter, &settings, now, by)?;
            Self::save(&mut w, &visit, before).await?;
            Ok(Some(visit))
        }
        .await;
        self.close(w, result).await
    }

    async fn write_skip(&self, id: &str, now: DateTime<Utc>, by: &str) -> Result<Skipped> {
        let settings = self.settings().await?;
        let mut w = self.begin_write().await?;
        let result = async {
            // The counter is locked before the visit, in the same order as `call_next`.
            let counter = load_visit(w.conn(), id, false).await?.queue.counter.unwrap_or_default();
            Self::lock_counter(w.conn(), &counter).await?;
            let mut skipped = load_visit(w.conn(), id, true).await?;
            skipped.ensure_skippable()?;
            let services = settings.counter(&counter).map(|c| c.services.clone()).unwrap_or_else(|| vec![skipped.service.clone()]);
            let next = match claim_first_waiting(w.conn(), &services).await? {
                Some(mut next) => {
                    let before = next.history.len();
                    next.call(&counter, &settings, now, by)?;
                    Self::save(&mut w, &next, before).await?;
                    Some(next)
                }
                None => None,
            };
            let head: Option<i64> = sqlx::query_scalar(
                "SELECT MIN(position) FROM visits WHERE office_id = $1 AND status = 'waiting' AND priority_lane = $2",
            )
            .bind(OFFICE)
            .bind(skipped.queue.priority_lane)
            .fetch_one(w.conn())
            .await?;
            let before = skipped.history.len();
            skipped.skip(settings.calling, head, now, by)?;
            Self::save(&mut w, &skipped, before).await?;
            Ok(Skipped { skipped, next })
        }
        .await;
        self.close(w, result).await
    }
}
