// Included by `sqlite.rs` after `common.rs`, whose imports it uses: the write use cases of SQLite.
// Each runs whole on the writer thread, as one `BEGIN IMMEDIATE` transaction: one hand-off per use
// case instead of one per statement (see docs/benchmarks.md). The SQL is that of `sql/writes.rs`
// with SQLite's `?N` parameters; the conformance suite holds both to the same behaviour.

use rusqlite::{OptionalExtension, Transaction, params};

type Tx<'c> = Transaction<'c>;

/// The one connection that writes, on a thread of its own.
struct Writer {
    jobs: std::sync::mpsc::Sender<Job>,
}

type Job = Box<dyn FnOnce(&mut rusqlite::Connection) + Send>;

impl Writer {
    fn open(path: &std::path::Path) -> Result<Writer> {
        let conn = rusqlite::Connection::open(path)?;
        // The same settings as the readers: WAL, every commit synced, foreign keys checked.
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
        )?;
        conn.set_prepared_statement_cache_capacity(64);
        let (jobs, queue) = std::sync::mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("loket-sqlite-writer".into())
            .spawn(move || {
                let mut conn = conn;
                while let Ok(job) = queue.recv() {
                    // A panicking job must not take the writer down with it.
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&mut conn)));
                }
            })
            .map_err(|e| StoreError::Corrupt(format!("cannot start the SQLite writer: {e}")))?;
        Ok(Writer { jobs })
    }

    /// Runs `work` in one write transaction on the writer thread: committed when it returns
    /// `Ok`, rolled back otherwise.
    async fn run<T: Send + 'static>(&self, work: impl FnOnce(&Tx<'_>) -> Result<T> + Send + 'static) -> Result<T> {
        let (done, outcome) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |conn| {
            let result = (|| {
                let t = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
                let value = work(&t)?;
                t.commit()?;
                Ok(value)
            })();
            let _ = done.send(result);
        });
        let stopped = || StoreError::Corrupt("the SQLite writer has stopped".into());
        self.jobs.send(job).map_err(|_| stopped())?;
        outcome.await.map_err(|_| stopped())?
    }
}

fn w_load_visit(t: &Tx, id: &str) -> Result<Visit> {
    let data: Option<String> = t
        .prepare_cached("SELECT data FROM visits WHERE id = ?1 AND office_id = ?2")?
        .query_row(params![id, OFFICE], |r| r.get(0))
        .optional()?;
    Ok(serde_json::from_str(&data.ok_or(StoreError::NotFound)?)?)
}

fn w_insert_visit(t: &Tx, visit: &Visit, created_day: NaiveDate) -> Result<()> {
    t.prepare_cached(
        "INSERT INTO visits (id, office_id, reference, service, status, created_day, number, number_day, counter, \
         priority_lane, position, created_at, updated_at, data) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?
    .execute(params![
        visit.id,
        OFFICE,
        visit.reference,
        visit.service,
        visit.status.as_str(),
        created_day.to_string(),
        visit.queue.number,
        visit.queue.day.map(|d| d.to_string()),
        visit.queue.counter,
        visit.queue.priority_lane,
        visit.queue.position,
        ms(visit.created_at),
        ms(visit.updated_at),
        serde_json::to_string(visit)?,
    ])?;
    Ok(())
}

/// Writes the visit and appends the events it gained since its history had `from` entries.
fn w_save(t: &Tx, told: &mut Told, visit: &Visit, from: usize) -> Result<()> {
    t.prepare_cached(
        "UPDATE visits SET status = ?2, number = ?3, number_day = ?4, counter = ?5, priority_lane = ?6, position = ?7, \
         updated_at = ?8, data = ?9 WHERE id = ?1",
    )?
    .execute(params![
        visit.id,
        visit.status.as_str(),
        visit.queue.number,
        visit.queue.day.map(|d| d.to_string()),
        visit.queue.counter,
        visit.queue.priority_lane,
        visit.queue.position,
        ms(visit.updated_at),
        serde_json::to_string(visit)?,
    ])?;
    w_append_events(t, told, visit, from)
}

fn w_append_events(t: &Tx, told: &mut Told, visit: &Visit, from: usize) -> Result<()> {
    let mut insert = t.prepare_cached(
        "INSERT INTO visit_events (visit_id, seq, kind, at, by_user, from_status, to_status, data) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    let new = &visit.history[from.min(visit.history.len())..];
    for (i, e) in new.iter().enumerate() {
        let kind = serde_json::to_value(e.kind)?.as_str().unwrap_or_default().to_owned();
        insert.execute(params![
            visit.id,
            (from + i + 1) as i64,
            kind,
            ms(e.at),
            e.by,
            e.from.map(|s| s.as_str()),
            e.to.as_str(),
            e.data.to_string(),
        ])?;
    }
    told.observe(visit, new);
    Ok(())
}

fn w_next_in_sequence(t: &Tx, name: &str) -> Result<i64> {
    Ok(t.prepare_cached(
        "INSERT INTO sequences (office_id, name, last) VALUES (?1, ?2, 1) \
         ON CONFLICT (office_id, name) DO UPDATE SET last = sequences.last + 1 RETURNING last",
    )?
    .query_row(params![OFFICE, name], |r| r.get(0))?)
}

fn w_store_document(t: &Tx, renderer: &crate::DocumentRenderer, visit: &Visit, stamp: ArchiveStamp) -> Result<Archive> {
    let content = renderer(visit, &stamp);
    let sha256 = sha256_hex(&content);
    t.prepare_cached(
        "INSERT INTO archived_documents (visit_id, version, number, sha256, content, archived_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![visit.id, i64::from(stamp.version), stamp.number, sha256, content, ms(stamp.archived_at)])?;
    Ok(Archive { number: stamp.number, archived_at: stamp.archived_at, sha256, version: stamp.version })
}

/// The first visit waiting for any of these services: priority lane first, then by position.
fn w_claim_first_waiting(t: &Tx, services: &[String]) -> Result<Option<Visit>> {
    let marks: Vec<String> = (0..services.len()).map(|i| format!("?{}", i + 2)).collect();
    let sql = format!(
        "SELECT data FROM visits WHERE office_id = ?1 AND status = 'waiting' AND service IN ({}) \
         ORDER BY priority_lane DESC, position ASC, id ASC LIMIT 1",
        marks.join(", ")
    );
    let mut values: Vec<&dyn rusqlite::ToSql> = vec![&OFFICE];
    values.extend(services.iter().map(|s| s as &dyn rusqlite::ToSql));
    let data: Option<String> = t.prepare_cached(&sql)?.query_row(values.as_slice(), |r| r.get(0)).optional()?;
    data.map(|d| serde_json::from_str(&d).map_err(StoreError::from)).transpose()
}

/// Adds the waiting counts that changed to what live clients are told.
fn w_tell_waiting(t: &Tx, told: &mut Told) -> Result<()> {
    for service in std::mem::take(&mut told.waiting_changed) {
        let waiting: i64 = t
            .prepare_cached("SELECT COUNT(*) FROM visits WHERE office_id = ?1 AND service = ?2 AND status = 'waiting'")?
            .query_row(params![OFFICE, service], |r| r.get(0))?;
        told.live.push(LiveEvent::Queue { service, waiting: waiting as u64 });
    }
    Ok(())
}

impl SqliteStore {
    /// Runs a visit use case on the writer, then tells live clients what changed.
    async fn write_visits<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Tx<'_>, &mut Told) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let (value, told) = self
            .writer
            .run(move |t| {
                let mut told = Told::default();
                let value = work(t, &mut told)?;
                w_tell_waiting(t, &mut told)?;
                Ok((value, told))
            })
            .await?;
        self.after_commit(told.live);
        Ok(value)
    }

    async fn write_save_settings(&self, entries: Vec<(String, serde_json::Value)>, by: &str, now: DateTime<Utc>) -> Result<()> {
        let by = by.to_owned();
        self.writer
            .run(move |t| {
                let mut upsert = t.prepare_cached(
                    "INSERT INTO settings (office_id, key, value, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4, ?5) \
                     ON CONFLICT (office_id, key) DO UPDATE SET value = ?3, updated_at = ?4, updated_by = ?5",
                )?;
                for (key, value) in &entries {
                    upsert.execute(params![OFFICE, key, value.to_string(), ms(now), by])?;
                }
                Ok(())
            })
            .await
    }

    async fn write_add_user(&self, user: NewUser, now: DateTime<Utc>) -> Result<()> {
        self.writer
            .run(move |t| {
                let exists: Option<String> = t
                    .prepare_cached("SELECT username FROM users WHERE username = ?1")?
                    .query_row(params![user.username], |r| r.get(0))
                    .optional()?;
                if exists.is_some() {
                    return Err(StoreError::Duplicate);
                }
                t.prepare_cached(
                    "INSERT INTO users (username, full_name, password_hash, roles, disabled, created_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?
                .execute(params![user.username, user.full_name, user.password_hash, roles_to_text(&user.roles), false, ms(now)])?;
                Ok(())
            })
            .await
    }

    async fn write_set_password(&self, username: &str, password_hash: &str) -> Result<bool> {
        let (username, hash) = (username.to_owned(), password_hash.to_owned());
        self.writer
            .run(move |t| {
                let n = t.prepare_cached("UPDATE users SET password_hash = ?2 WHERE username = ?1")?.execute(params![username, hash])?;
                t.prepare_cached("DELETE FROM sessions WHERE username = ?1")?.execute(params![username])?;
                Ok(n > 0)
            })
            .await
    }

    async fn write_set_disabled(&self, username: &str, disabled: bool) -> Result<bool> {
        let username = username.to_owned();
        self.writer
            .run(move |t| {
                let n = t.prepare_cached("UPDATE users SET disabled = ?2 WHERE username = ?1")?.execute(params![username, disabled])?;
                if disabled {
                    t.prepare_cached("DELETE FROM sessions WHERE username = ?1")?.execute(params![username])?;
                }
                Ok(n > 0)
            })
            .await
    }

    async fn write_add_session(&self, token_hash: &str, username: &str, now: DateTime<Utc>, expires_at: DateTime<Utc>) -> Result<()> {
        let (token_hash, username) = (token_hash.to_owned(), username.to_owned());
        self.writer
            .run(move |t| {
                // Expired sessions are removed as new ones are made.
                t.prepare_cached("DELETE FROM sessions WHERE expires_at < ?1")?.execute(params![ms(now)])?;
                t.prepare_cached("INSERT INTO sessions (token_hash, username, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)")?
                    .execute(params![token_hash, username, ms(now), ms(expires_at)])?;
                Ok(())
            })
            .await
    }

    async fn write_end_session(&self, token_hash: &str) -> Result<()> {
        let token_hash = token_hash.to_owned();
        self.writer
            .run(move |t| {
                t.prepare_cached("DELETE FROM sessions WHERE token_hash = ?1")?.execute(params![token_hash])?;
                Ok(())
            })
            .await
    }

    async fn write_open_visit(&self, open: OpenVisit, now: DateTime<Utc>, by: &str) -> Result<Visit> {
        let settings = self.settings().await?;
        let (service, visitor) = opening(&settings, &open)?;
        let day = office_day(now, settings.zone());
        let by = by.to_owned();
        self.write_visits(move |t, told| {
            let seq = w_next_in_sequence(t, &format!("reference:{day}"))?;
            let reference = format!("{}-{seq:04}", day.format("%Y%m%d"));
            let (mut visit, _) = Visit::open(new_id(), reference, service, visitor, &settings, now, &by);
            if let Some(form) = &open.form {
                visit.save_form(None, form, &settings, now, &by)?;
            }
            w_insert_visit(t, &visit, day)?;
            w_append_events(t, told, &visit, 0)?;
            Ok(visit)
        })
        .await
    }

    async fn write_change_visit(&self, id: &str, now: DateTime<Utc>, change: Change) -> Result<Visit> {
        let settings = self.settings().await?;
        let renderer = self.renderer.clone();
        let id = id.to_owned();
        self.write_visits(move |t, told| {
            let mut visit = w_load_visit(t, &id)?;
            let was = visit.status;
            let before = visit.history.len();
            let event = change(&mut visit, &settings)?;
            let (mail, new_version) = follow_ups(&visit, was, &event, &settings, now);
            if let Some(mail) = mail {
                t.prepare_cached(
                    "INSERT INTO mail_outbox (id, visit_id, recipient, subject, body, status, attempts, created_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, 'pending', 0, ?6)",
                )?
                .execute(params![new_id(), visit.id, mail.to, mail.subject, mail.body, ms(now)])?;
            }
            if let Some(stamp) = new_version {
                let archive = w_store_document(t, &renderer, &visit, stamp)?;
                visit.rearchive(archive, now, &event.by)?;
            }
            w_save(t, told, &visit, before)?;
            Ok(visit)
        })
        .await
    }

    async fn write_check_visit(&self, id: &str, priority_lane: bool, now: DateTime<Utc>, by: &str) -> Result<Checked> {
        let settings = self.settings().await?;
        let (id, by) = (id.to_owned(), by.to_owned());
        self.write_visits(move |t, told| {
            let mut visit = w_load_visit(t, &id)?;
            let before = visit.history.len();
            let incomplete = match visit.check(&settings.required_fields, &settings.priorities)? {
                Check::Complete => {
                    let day = office_day(now, settings.zone());
                    let n = w_next_in_sequence(t, &format!("number:{}:{day}", visit.service))?;
                    let position = w_next_in_sequence(t, "position")?;
                    let ticket = Ticket { number: queue_number(&visit.service, n), day, position, priority_lane };
                    visit.enqueue(ticket, &settings, now, &by)?;
                    None
                }
                Check::Incomplete(errors) => {
                    visit.mark_incomplete(&errors, &settings, now, &by)?;
                    Some(errors)
                }
            };
            w_save(t, told, &visit, before)?;
            Ok(Checked { visit, incomplete })
        })
        .await
    }

    async fn write_archive_visit(&self, id: &str, now: DateTime<Utc>, by: &str) -> Result<Visit> {
        let settings = self.settings().await?;
        let renderer = self.renderer.clone();
        let (id, by) = (id.to_owned(), by.to_owned());
        self.write_visits(move |t, told| {
            let mut visit = w_load_visit(t, &id)?;
            visit.ensure_archivable()?;
            let day = office_day(now, settings.zone());
            let seq = w_next_in_sequence(t, &format!("archive:{}", day.format("%Y")))?;
            let number = archive_number(&settings.archive_pattern, day, seq);
            let stamp = ArchiveStamp { number, archived_at: now, version: 1 };
            let archive = w_store_document(t, &renderer, &visit, stamp)?;
            let before = visit.history.len();
            visit.archive(archive, now, &by)?;
            w_save(t, told, &visit, before)?;
            Ok(visit)
        })
        .await
    }

    async fn write_call_next(&self, counter: &str, service: Option<&str>, now: DateTime<Utc>, by: &str) -> Result<Option<Visit>> {
        let settings = self.settings().await?;
        let services = counter_services(&settings, counter, service)?;
        let (counter, by) = (counter.to_owned(), by.to_owned());
        self.write_visits(move |t, told| {
            let busy: i64 = t
                .prepare_cached(
                    "SELECT COUNT(*) FROM visits WHERE office_id = ?1 AND counter = ?2 AND status IN ('called', 'in_service')",
                )?
                .query_row(params![OFFICE, counter], |r| r.get(0))?;
            if busy > 0 {
                return Err(Refused::CounterBusy.into());
            }
            let Some(mut visit) = w_claim_first_waiting(t, &services)? else {
                return Ok(None);
            };
            let before = visit.history.len();
            visit.call(&counter, &settings, now, &by)?;
            w_save(t, told, &visit, before)?;
            Ok(Some(visit))
        })
        .await
    }

    async fn write_skip(&self, id: &str, now: DateTime<Utc>, by: &str) -> Result<Skipped> {
        let settings = self.settings().await?;
        let (id, by) = (id.to_owned(), by.to_owned());
        self.write_visits(move |t, told| {
            let mut skipped = w_load_visit(t, &id)?;
            skipped.ensure_skippable()?;
            let counter = skipped.queue.counter.clone().unwrap_or_default();
            let services =
                settings.counter(&counter).map(|c| c.services.clone()).unwrap_or_else(|| vec![skipped.service.clone()]);
            let next = match w_claim_first_waiting(t, &services)? {
                Some(mut next) => {
                    let before = next.history.len();
                    next.call(&counter, &settings, now, &by)?;
                    w_save(t, told, &next, before)?;
                    Some(next)
                }
                None => None,
            };
            let head: Option<i64> = t
                .prepare_cached(
                    "SELECT MIN(position) FROM visits WHERE office_id = ?1 AND status = 'waiting' AND priority_lane = ?2",
                )?
                .query_row(params![OFFICE, skipped.queue.priority_lane], |r| r.get(0))?;
            let before = skipped.history.len();
            skipped.skip(settings.calling, head, now, &by)?;
            w_save(t, told, &skipped, before)?;
            Ok(Skipped { skipped, next })
        })
        .await
    }
}
