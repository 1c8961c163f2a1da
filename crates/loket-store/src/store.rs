//! The store's use cases over a [`Backend`]: written once, the same for SQLite and PostgreSQL.

use std::sync::{Arc, PoisonError, RwLock};

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use loket_domain::Refused;
use loket_domain::Visit;
use loket_domain::archive::{ArchiveStamp, CopyVia};
use loket_domain::auth::Role;
use loket_domain::calendar::{DayOff, Measure, TimeMeasure};
use loket_domain::guest_book::Contact;
use loket_domain::history::Event;
use loket_domain::reports::{EscalationRow, Overruns, Recap, Times};
use loket_domain::settings::{CounterRefused, OfficeSettings, SettingsChange};
use loket_domain::standards::{StepStandard, TimeStandardsReport};
use loket_domain::survey::Answers;
use tokio::sync::broadcast;

use crate::exec::{BoxFuture, Sql, Tx};
use crate::live::Announcements;
use crate::logo::LogoCache;
use crate::{
    ArchiveHit, ArchivePage, ArchiveQuery, ArchiveStore, ArchivedDocument, ArchivedVersion, BoardEntry, BoundRenderer,
    CalendarStore, Change, Checked, DisplayBoard, DocumentRenderer, Line, LineStore, LiveEvent, LogoStore, NewUser,
    OpenVisit, ReportStore, Result, ServedGroup, SettingsStore, Skipped, StatusStore, StoreError, SurveyFilter,
    SurveyLink, SurveyStore, User, UserRecord, UserStore, VisitFilter, VisitStore, facts, reads, report_reads, writes,
};

/// A write use case, as handed to a backend: it runs on the transaction it is given.
pub type WriteWork<R> =
    Box<dyn for<'a> FnOnce(&'a mut dyn Tx, &'a mut Announcements) -> BoxFuture<'a, Result<R>> + Send>;

/// Makes a [`WriteWork`] of a closure (which lets the compiler see the closure's signature).
pub(crate) fn work<R, F>(f: F) -> WriteWork<R>
where
    F: for<'a> FnOnce(&'a mut dyn Tx, &'a mut Announcements) -> BoxFuture<'a, Result<R>> + Send + 'static,
{
    Box::new(f)
}

/// Runs a write use case as one transaction ([`SqlStore::write`]) and waits for its outcome.
/// `$call` is the use case's future, made of the transaction `t` and what live clients are told
/// (`told`, or `_`); the method's arguments it borrows (`&str`, `&[T]`, `&T`) are named first, in
/// parentheses, and taken as owned values, since the transaction runs apart from the call (on
/// SQLite, on the writer's thread):
/// `transaction!(self, (id, by), |t, told| writes::skip(t, told, &settings, &id, now, &by))`.
macro_rules! transaction {
    ($store:expr, ($($own:ident),* $(,)?), |$t:ident, $told:pat_param| $call:expr) => {{
        $(let $own = $own.to_owned();)*
        $store.write($crate::store::work(move |$t, $told| Box::pin(async move { $call.await }))).await
    }};
    ($store:expr, |$t:ident, $told:pat_param| $call:expr) => {
        transaction!($store, (), |$t, $told| $call)
    };
}

pub(crate) use transaction;

/// What a database provides: read connections, and one way to run a write use case as one
/// transaction.
#[async_trait]
pub trait Backend: Send + Sync + 'static {
    type Reader: Sql;

    /// A handle on the read connections.
    fn reader(&self) -> Self::Reader;

    /// Runs `work` as one write transaction: committed when it returns `Ok`, rolled back (at
    /// once) otherwise. Returns what live clients must be told.
    async fn write<R: Send + 'static>(&self, work: WriteWork<R>) -> Result<(R, Announcements)>;

    /// True when the backend delivers committed live events to this instance's subscribers
    /// itself (PostgreSQL's `NOTIFY` reaches every instance, this one included).
    fn relays_live(&self) -> bool;
}

/// The store on one database.
pub struct SqlStore<B: Backend> {
    pub(crate) backend: B,
    pub(crate) live: broadcast::Sender<LiveEvent>,
    pub(crate) cache: SettingsCache,
    pub(crate) renderer: DocumentRenderer,
    pub(crate) logo: LogoCache,
}

/// The office settings as last read; emptied when they change (on any instance).
#[derive(Clone, Default)]
pub struct SettingsCache(Arc<RwLock<Option<Arc<OfficeSettings>>>>);

impl SettingsCache {
    // The cached value is replaced whole, so a panic elsewhere while the lock was held cannot
    // have left it half-written: a poisoned lock is taken over, never skipped (a skipped
    // `forget` would keep stale settings for good).
    fn get(&self) -> Option<Arc<OfficeSettings>> {
        self.0.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    fn put(&self, settings: Arc<OfficeSettings>) {
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = Some(settings);
    }

    pub(crate) fn forget(&self) {
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = None;
    }
}

impl<B: Backend> SqlStore<B> {
    /// The renderer with the office's logo (kept in memory once read): what a use case that may
    /// archive a document is given.
    /// The document of `visit` with `stamp`, made and hashed off the async threads (and outside
    /// the writer). `made_from` is the history length of the visit as stored (the copy's
    /// document is made from the visit with its copy event, not stored yet).
    async fn make_document(
        &self,
        renderer: &BoundRenderer,
        settings: &Arc<OfficeSettings>,
        visit: Visit,
        stamp: ArchiveStamp,
        made_from: usize,
    ) -> Result<writes::MadeDocument> {
        let (renderer, settings, made_stamp) = (renderer.clone(), settings.clone(), stamp.clone());
        let (content, sha256) = tokio::task::spawn_blocking(move || {
            renderer(&visit, &settings, &made_stamp).map(|content| {
                let sha256 = crate::sha256_hex(&content);
                (content, sha256)
            })
        })
        .await
        .map_err(|e| StoreError::Document(format!("the document could not be made: {e}")))?
        .map_err(StoreError::Document)?;
        Ok(writes::MadeDocument { stamp, content, sha256, made_from })
    }

    async fn bound_renderer(&self) -> Result<BoundRenderer> {
        let logo = self.office_logo().await?;
        let renderer = self.renderer.clone();
        Ok(Arc::new(move |visit, settings, stamp| renderer(visit, settings, stamp, logo.as_deref())))
    }

    pub(crate) fn new(
        backend: B,
        live: broadcast::Sender<LiveEvent>,
        cache: SettingsCache,
        renderer: Option<DocumentRenderer>,
    ) -> Self {
        let renderer = renderer.unwrap_or_else(crate::default_renderer);
        SqlStore { backend, live, cache, renderer, logo: LogoCache::default() }
    }

    /// Runs a write use case, tells live clients what changed once it committed.
    pub(crate) async fn write<R: Send + 'static>(&self, use_case: WriteWork<R>) -> Result<R> {
        let (value, told) = self
            .backend
            .write(work(move |t, told| {
                Box::pin(async move {
                    let value = use_case(t, told).await?;
                    writes::tell_waiting(t, told).await?;
                    Ok(value)
                })
            }))
            .await?;
        if !self.backend.relays_live() {
            for event in told.live {
                // No receiver is not an error: nobody is watching.
                let _ = self.live.send(event);
            }
        }
        Ok(value)
    }

    fn invalidate_settings(&self) {
        self.cache.forget();
    }
}

#[async_trait]
impl<B: Backend> SettingsStore for SqlStore<B> {
    async fn settings(&self) -> Result<Arc<OfficeSettings>> {
        if let Some(s) = self.cache.get() {
            return Ok(s);
        }
        let s = Arc::new(reads::settings(&mut self.backend.reader()).await?);
        self.cache.put(s.clone());
        Ok(s)
    }

    async fn change_settings(
        &self,
        change: SettingsChange,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<Arc<OfficeSettings>> {
        let saved = transaction!(self, (by), |t, told| writes::change_settings(t, told, change, &by, now));
        self.invalidate_settings();
        Ok(Arc::new(saved?))
    }

    async fn changes(&self, filter: &crate::ChangeFilter) -> Result<Vec<loket_domain::change_record::ChangeRecord>> {
        crate::change_records::changes(&mut self.backend.reader(), filter).await
    }
}

#[async_trait]
impl<B: Backend> CalendarStore for SqlStore<B> {
    async fn days_off(&self, year: i32) -> Result<Vec<DayOff>> {
        reads::days_off(&mut self.backend.reader(), year).await
    }

    async fn put_day_off(&self, day: DayOff, by: &str, now: DateTime<Utc>) -> Result<()> {
        let done = transaction!(self, (by), |t, told| writes::put_day_off(t, told, &day, &by, now));
        self.invalidate_settings();
        done
    }

    async fn delete_day_off(&self, date: NaiveDate, by: &str, now: DateTime<Utc>) -> Result<bool> {
        let done = transaction!(self, (by), |t, told| writes::delete_day_off(t, told, date, &by, now));
        self.invalidate_settings();
        done
    }

    async fn import_days_off(&self, days: Vec<DayOff>, by: &str, now: DateTime<Utc>) -> Result<usize> {
        let done = transaction!(self, (by), |t, told| writes::import_days_off(t, told, &days, &by, now));
        self.invalidate_settings();
        done
    }
}

#[async_trait]
impl<B: Backend> UserStore for SqlStore<B> {
    async fn count_users(&self) -> Result<i64> {
        reads::count_users(&mut self.backend.reader()).await
    }

    async fn add_user(&self, user: NewUser, by: &str, now: DateTime<Utc>) -> Result<()> {
        transaction!(self, (by), |t, _| writes::add_user(t, &user, &by, now))
    }

    async fn user(&self, username: &str) -> Result<Option<UserRecord>> {
        reads::user(&mut self.backend.reader(), username).await
    }

    async fn users(&self) -> Result<Vec<User>> {
        reads::users(&mut self.backend.reader()).await
    }

    async fn set_password(
        &self,
        username: &str,
        password_hash: &str,
        change_required: bool,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        transaction!(self, (username, password_hash, by), |t, _| {
            writes::set_password(t, &username, &password_hash, change_required, &by, now)
        })
    }

    async fn set_disabled(&self, username: &str, disabled: bool, by: &str, now: DateTime<Utc>) -> Result<bool> {
        transaction!(self, (username, by), |t, _| writes::set_disabled(t, &username, disabled, &by, now))
    }

    async fn change_user(
        &self,
        username: &str,
        full_name: &str,
        roles: &[Role],
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<User>> {
        transaction!(self, (username, full_name, roles, by), |t, _| {
            writes::change_user(t, &username, &full_name, &roles, &by, now)
        })
    }

    async fn set_language(&self, username: &str, language: &str) -> Result<bool> {
        transaction!(self, (username, language), |t, _| writes::set_language(t, &username, &language))
    }

    async fn add_session(
        &self,
        token_hash: &str,
        username: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        transaction!(self, (token_hash, username), |t, _| {
            writes::add_session(t, &token_hash, &username, now, expires_at)
        })
    }

    async fn session_user(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<User>> {
        reads::session_user(&mut self.backend.reader(), token_hash, now).await
    }

    async fn end_session(&self, token_hash: &str) -> Result<()> {
        transaction!(self, (token_hash), |t, _| writes::end_session(t, &token_hash))
    }
}

#[async_trait]
impl<B: Backend> VisitStore for SqlStore<B> {
    async fn open_visit(&self, open: OpenVisit, now: DateTime<Utc>, by: &str) -> Result<Visit> {
        let settings = self.settings().await?;
        transaction!(self, (by), |t, told| writes::open_visit(t, told, &settings, &open, now, &by))
    }

    async fn visit(&self, id: &str) -> Result<Option<Visit>> {
        reads::visit(&mut self.backend.reader(), id).await
    }

    async fn history(&self, id: &str) -> Result<Vec<Event>> {
        reads::history(&mut self.backend.reader(), id).await
    }

    async fn visits(&self, filter: VisitFilter) -> Result<Vec<Visit>> {
        reads::visits(&mut self.backend.reader(), &filter).await
    }

    async fn visits_at_counter(&self, counter: Option<&str>, statuses: &[loket_domain::Status]) -> Result<Vec<Visit>> {
        reads::visits_at_counter(&mut self.backend.reader(), counter, statuses).await
    }

    async fn open_escalations(&self, limit: u32) -> Result<Vec<Visit>> {
        reads::open_escalations(&mut self.backend.reader(), limit).await
    }

    async fn change_visit(&self, id: &str, now: DateTime<Utc>, change: Change) -> Result<Visit> {
        let settings = self.settings().await?;
        let renderer = self.bound_renderer().await?;
        transaction!(self, (id), |t, told| writes::change_visit(t, told, &settings, &renderer, &id, now, change))
    }

    async fn check_visit(&self, id: &str, priority_lane: bool, now: DateTime<Utc>, by: &str) -> Result<Checked> {
        let settings = self.settings().await?;
        transaction!(self, (id, by), |t, told| writes::check_visit(t, told, &settings, &id, priority_lane, now, &by))
    }

    async fn archive_visit(&self, id: &str, now: DateTime<Utc>, by: &str) -> Result<Visit> {
        // The archived document (a PDF) takes milliseconds to make and to hash: that is done
        // between two short transactions, not inside one, so that other writes (on SQLite, every
        // write of the office) do not wait for it. The number is taken first and kept for the
        // visit. A visit whose copy was given archives the document given, made then.
        let settings = self.settings().await?;
        let renderer = self.bound_renderer().await?;
        let (visit, stamp) = {
            let settings = settings.clone();
            transaction!(self, (id), |t, _| writes::reserve_archive(t, &settings, &id, now))?
        };
        let stored = match stamp {
            Some(stamp) => {
                let made_from = visit.history.len();
                let made = self.make_document(&renderer, &settings, visit, stamp, made_from).await?;
                let settings = settings.clone();
                transaction!(self, (id, by), |t, told| writes::store_archive(t, told, &settings, &id, made, &by))?
            }
            None => None,
        };
        match stored {
            Some(visit) => Ok(visit),
            // The copy's document, or a visit changed meanwhile (another request on the same
            // visit): the document is made inside the transaction, from the visit as it is.
            None => transaction!(self, (id, by), |t, told| {
                writes::adopt_archive(t, told, &settings, &renderer, &id, now, &by)
            }),
        }
    }

    async fn give_copy(&self, id: &str, via: CopyVia, now: DateTime<Utc>, by: &str, for_anyone: bool) -> Result<Visit> {
        // As for the archive: the document given is made between two short transactions.
        let settings = self.settings().await?;
        let renderer = self.bound_renderer().await?;
        let prepared = {
            let settings = settings.clone();
            transaction!(self, (id, by), |t, _| writes::prepare_copy(t, &settings, &id, via, now, &by, for_anyone))?
        };
        let made = match prepared {
            Some((given, stamp)) => {
                let made_from = given.history.len().saturating_sub(1);
                Some(self.make_document(&renderer, &settings, given, stamp, made_from).await?)
            }
            None => None,
        };
        transaction!(self, (id, by), |t, told| {
            writes::give_copy(t, told, &settings, &renderer, &id, via, made, now, &by, for_anyone)
        })
    }

    async fn archived_document(&self, id: &str, version: Option<u32>) -> Result<Option<ArchivedDocument>> {
        reads::archived_document(&mut self.backend.reader(), id, version).await
    }

    async fn pending_mail(&self) -> Result<Vec<(String, String)>> {
        reads::pending_mail(&mut self.backend.reader()).await
    }

    async fn last_visit_by_contact(&self, contact: &Contact) -> Result<Option<Visit>> {
        reads::last_visit_by_contact(&mut self.backend.reader(), contact).await
    }
}

#[async_trait]
impl<B: Backend> LineStore for SqlStore<B> {
    async fn call_next(
        &self,
        counter: &str,
        service: Option<&str>,
        now: DateTime<Utc>,
        by: &str,
    ) -> Result<Option<Visit>> {
        let settings = self.settings().await?;
        let services = settings.services_called_at(counter, service).map_err(|e| match e {
            CounterRefused::UnknownCounter => StoreError::NotFound,
            CounterRefused::NotServed => Refused::validation("service", "not_served").into(),
        })?;
        transaction!(self, (counter, by), |t, told| {
            writes::call_next(t, told, &settings, &counter, &services, now, &by)
        })
    }

    async fn skip(&self, id: &str, now: DateTime<Utc>, by: &str) -> Result<Skipped> {
        let settings = self.settings().await?;
        transaction!(self, (id, by), |t, told| writes::skip(t, told, &settings, &id, now, &by))
    }

    async fn transfer_visit(
        &self,
        id: &str,
        to: &loket_domain::visit::TransferRequest,
        now: DateTime<Utc>,
        by: &str,
    ) -> Result<Visit> {
        let settings = self.settings().await?;
        transaction!(self, (id, to, by), |t, told| writes::transfer_visit(t, told, &settings, &id, &to, now, &by))
    }

    async fn queue(&self, service: Option<&str>) -> Result<Line> {
        reads::queue(&mut self.backend.reader(), service).await
    }

    async fn display(&self, service: Option<&str>) -> Result<DisplayBoard> {
        let settings = self.settings().await?;
        reads::display(&mut self.backend.reader(), &settings, service).await
    }

    async fn recent_calls(&self, service: Option<&str>, day: NaiveDate, limit: usize) -> Result<Vec<BoardEntry>> {
        reads::recent_calls(&mut self.backend.reader(), service, day, limit).await
    }

    async fn end_office_days(&self, now: DateTime<Utc>) -> Result<u64> {
        let settings = self.settings().await?;
        transaction!(self, |t, told| writes::end_office_days(t, told, &settings, now))
    }

    fn subscribe(&self) -> broadcast::Receiver<LiveEvent> {
        self.live.subscribe()
    }
}

#[async_trait]
impl<B: Backend> StatusStore for SqlStore<B> {
    async fn add_status_token(
        &self,
        token_hash: &str,
        visit_id: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        transaction!(self, (token_hash, visit_id), |t, _| {
            writes::add_visit_link(t, writes::VisitLink::Status, &token_hash, &visit_id, now, expires_at)
        })
    }

    async fn status_visit(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<Visit>> {
        reads::status_visit(&mut self.backend.reader(), token_hash, now).await
    }
}

#[async_trait]
impl<B: Backend> SurveyStore for SqlStore<B> {
    async fn add_survey_token(
        &self,
        token_hash: &str,
        visit_id: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        transaction!(self, (token_hash, visit_id), |t, _| {
            writes::add_visit_link(t, writes::VisitLink::Survey, &token_hash, &visit_id, now, expires_at)
        })
    }

    async fn survey_link(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<SurveyLink>> {
        reads::survey_link(&mut self.backend.reader(), token_hash, now).await
    }

    async fn answer_survey(&self, token_hash: &str, answers: Answers, now: DateTime<Utc>) -> Result<()> {
        transaction!(self, (token_hash), |t, _| writes::answer_survey(t, &token_hash, &answers, now))
    }

    async fn survey_groups(&self, filter: &SurveyFilter) -> Result<Vec<ServedGroup>> {
        reads::survey_groups(&mut self.backend.reader(), filter).await
    }
}

#[async_trait]
impl<B: Backend> ReportStore for SqlStore<B> {
    async fn visits_opened(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<Visit>> {
        reads::visits_opened(&mut self.backend.reader(), from, to).await
    }

    async fn time_standards(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        standards: &[StepStandard],
        now: DateTime<Utc>,
        measure: &Measure<'_>,
    ) -> Result<TimeStandardsReport> {
        let r = &mut self.backend.reader();
        Ok(TimeStandardsReport {
            steps: report_reads::step_summaries(r, from, to, standards, now, measure).await?,
            waiting: report_reads::waiting_summary(r, from, to, measure.kind()).await?,
            outcomes: report_reads::outcomes(r, from, to).await?,
        })
    }

    async fn recap(&self, from: NaiveDate, to: NaiveDate) -> Result<Recap> {
        report_reads::recap(&mut self.backend.reader(), from, to).await
    }

    async fn times(&self, from: NaiveDate, to: NaiveDate, measure: TimeMeasure) -> Result<Times> {
        report_reads::times(&mut self.backend.reader(), from, to, measure).await
    }

    async fn overruns(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        limit: u32,
        now: DateTime<Utc>,
        measure: &Measure<'_>,
    ) -> Result<Overruns> {
        report_reads::overruns(&mut self.backend.reader(), from, to, limit, now, measure).await
    }

    async fn visits_with_running_steps(&self) -> Result<Vec<Visit>> {
        reads::visits_with_running_steps(&mut self.backend.reader()).await
    }

    async fn escalations(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        limit: u32,
        each: &mut (dyn FnMut(DateTime<Utc>, Option<DateTime<Utc>>) + Send),
    ) -> Result<Vec<EscalationRow>> {
        report_reads::escalations(&mut self.backend.reader(), from, to, limit, each).await
    }
}

impl<B: Backend> SqlStore<B> {
    /// Fills in the report facts of visits stored before they were kept (migration 0008), a
    /// batch per transaction; run once at start, it finds nothing to do afterwards.
    pub(crate) async fn backfill_facts(&self, now: DateTime<Utc>) -> Result<u64> {
        let mut total = 0;
        loop {
            let filled = transaction!(self, |t, _| facts::backfill_facts(t, 500, now))?;
            total += filled;
            if filled == 0 {
                return Ok(total);
            }
        }
    }
}

#[async_trait]
impl<B: Backend> crate::MailStore for SqlStore<B> {
    async fn claim_mail(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<crate::OutboxMail>> {
        transaction!(self, |t, _| writes::claim_mail(t, now, lease_until, limit))
    }

    async fn mail_sent(&self, id: &str, now: DateTime<Utc>) -> Result<()> {
        let settings = self.settings().await?;
        let renderer = self.bound_renderer().await?;
        transaction!(self, (id), |t, told| writes::mail_sent(t, told, &settings, &renderer, &id, now))
    }

    async fn mail_failed(&self, id: &str, error: &str, retry_at: DateTime<Utc>) -> Result<()> {
        transaction!(self, (id, error), |t, _| writes::mail_failed(t, &id, &error, retry_at))
    }

    async fn outbox(&self, limit: u32) -> Result<Vec<crate::OutboxEntry>> {
        reads::outbox(&mut self.backend.reader(), limit).await
    }

    async fn take_reply(
        &self,
        mail: loket_domain::inbox::IncomingMail,
        now: DateTime<Utc>,
    ) -> Result<loket_domain::inbox::ReplyOutcome> {
        let settings = self.settings().await?;
        let renderer = self.bound_renderer().await?;
        transaction!(self, |t, told| crate::inbox::take_reply(t, told, &settings, &renderer, &mail, now))
    }

    async fn unmatched_replies(&self) -> Result<u64> {
        reads::unmatched_replies(&mut self.backend.reader()).await
    }

    async fn unmatched_mail(&self, limit: u32) -> Result<Vec<crate::UnmatchedMail>> {
        crate::inbox::unmatched_mail(&mut self.backend.reader(), limit).await
    }

    async fn confirm_unmatched_mail(&self, id: &str, by: &str, now: DateTime<Utc>) -> Result<crate::UnmatchedMail> {
        let settings = self.settings().await?;
        let renderer = self.bound_renderer().await?;
        transaction!(self, (id, by), |t, told| crate::inbox::confirm_unmatched_mail(
            t, told, &settings, &renderer, &id, &by, now
        ))
    }

    async fn dismiss_unmatched_mail(&self, id: &str, by: &str, now: DateTime<Utc>) -> Result<crate::UnmatchedMail> {
        transaction!(self, (id, by), |t, _| crate::inbox::dismiss_unmatched_mail(t, &id, &by, now))
    }
}

#[async_trait]
impl<B: Backend> ArchiveStore for SqlStore<B> {
    async fn search_archive(&self, query: &ArchiveQuery) -> Result<ArchivePage> {
        crate::archive_search::search(&mut self.backend.reader(), query).await
    }

    async fn similar_answered(&self, visit_id: &str, limit: u32) -> Result<Vec<ArchiveHit>> {
        crate::archive_search::similar_answered(&mut self.backend.reader(), visit_id, limit).await
    }

    async fn archived_versions(&self, visit_id: &str) -> Result<Vec<ArchivedVersion>> {
        crate::archive_search::versions(&mut self.backend.reader(), visit_id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_poisoned_settings_cache_is_still_emptied_when_the_settings_change() {
        let cache = SettingsCache::default();
        cache.put(Arc::new(OfficeSettings::default()));
        let poisoner = cache.clone();
        let _ = std::thread::spawn(move || {
            let _guard = poisoner.0.write();
            panic!("a panic while the cache is held");
        })
        .join();
        assert!(cache.0.is_poisoned());
        cache.forget();
        assert!(cache.get().is_none(), "the stale settings are gone");
    }
}
