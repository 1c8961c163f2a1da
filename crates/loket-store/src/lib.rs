//! Loket's persistence, behind traits of use cases (gathered in [`Store`]), on SQLite or
//! PostgreSQL. Every use case is written once (`reads.rs`, `writes.rs`) over a small executor
//! (`exec.rs`) that each backend provides: PostgreSQL on sqlx transactions with row locks
//! (`postgres.rs`), SQLite on a writer thread that runs each write use case whole (`sqlite.rs`).
//!
//! Each method is one use case and one transaction. Rules are the domain's: a method loads what
//! the rule needs, asks the domain, and writes what the domain decided, in one transaction.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use loket_domain::archive::{ArchiveStamp, CopyVia};
use loket_domain::auth::Role;
use loket_domain::calendar::{DayOff, Measure, TimeMeasure};
use loket_domain::change_record::{ChangeKind, ChangeRecord};
use loket_domain::form::FormInput;
use loket_domain::guest_book::{Contact, VisitorInput};
use loket_domain::inbox::{IncomingMail, ReplyOutcome};
use loket_domain::logo::Logo;
use loket_domain::reports::{EscalationRow, Overruns, Recap, Times};
use loket_domain::search::{Outcome, SearchWords};
use loket_domain::settings::{OfficeSettings, SettingsChange};
use loket_domain::standards::{StepStandard, TimeStandardsReport};
use loket_domain::survey::{Answers, Tally};
use loket_domain::{Event, FieldErrors, Refused, Visit};
use serde::Serialize;
use tokio::sync::broadcast;

mod archive_search;
mod change_records;
mod exec;
mod facts;
mod inbox;
mod live;
mod logo;
mod postgres;
mod reads;
mod report_reads;
mod sqlite;
mod sqlx_exec;
mod store;
#[cfg(feature = "testing")]
pub mod testing;
pub mod token;
mod writes;

pub use archive_search::{COUNTED_MAX, SIMILAR_CANDIDATES};
pub use postgres::PgStore;
pub use sqlite::SqliteStore;
pub use store::SqlStore;

/// The one office of this deployment; every row already names its office.
const OFFICE: &str = "default";

/// The one error type of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("already exists")]
    Duplicate,
    #[error(transparent)]
    Refused(#[from] Refused),
    #[error("database error")]
    Database(#[from] sqlx::Error),
    #[error("database error")]
    Sqlite(#[from] rusqlite::Error),
    #[error("migration failed")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("stored data could not be read: {0}")]
    Corrupt(String),
    /// The SQLite writer could not run a write (it panicked, or could not be started).
    #[error("the database writer failed: {0}")]
    Writer(String),
    /// The archived document could not be made; nothing was archived.
    #[error("{0}")]
    Document(String),
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A staff account as the app sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub username: String,
    pub full_name: String,
    pub roles: Vec<Role>,
    pub disabled: bool,
    /// The language the user chose for the pages (`id`, `en`), if any.
    pub language: Option<String>,
    /// The password was chosen by someone else (the first admin's printed one, or one an admin
    /// set): the user changes it before anything else.
    pub password_change_required: bool,
}

/// A staff account with its password hash, for sign-in.
#[derive(Debug, Clone)]
pub struct UserRecord {
    pub user: User,
    pub password_hash: String,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub full_name: String,
    pub password_hash: String,
    pub roles: Vec<Role>,
    /// See [`User::password_change_required`].
    pub password_change_required: bool,
}

/// A visit opened at the front office (steps 1-2) or filled in at the kiosk (steps 1-3).
#[derive(Debug, Clone, Default)]
pub struct OpenVisit {
    pub service: Option<String>,
    pub visitor: VisitorInput,
    /// Given at the kiosk: the visitor fills the form themselves.
    pub form: Option<FormInput>,
}

#[derive(Debug, Clone, Default)]
pub struct VisitFilter {
    pub status: Option<loket_domain::Status>,
    /// Office day the visit was opened.
    pub day: Option<NaiveDate>,
    pub limit: Option<u32>,
}

/// The outcome of step 4.
#[derive(Debug, Clone)]
pub struct Checked {
    pub visit: Visit,
    /// The missing or invalid fields when the form was not complete.
    pub incomplete: Option<FieldErrors>,
}

#[derive(Debug, Clone)]
pub struct Skipped {
    pub skipped: Visit,
    pub next: Option<Visit>,
}

/// The line of one service or of all: who waits, in calling order, and who is called.
#[derive(Debug, Clone, Default)]
pub struct Line {
    /// In the order they will be called.
    pub waiting: Vec<Visit>,
    pub called: Vec<Visit>,
}

/// A number on the display board at a counter: never a name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct BoardEntry {
    pub number: String,
    pub counter: String,
    pub call_count: u32,
    #[serde(with = "loket_domain::timestamp")]
    pub called_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DisplayBoard {
    pub calling: Vec<BoardEntry>,
    /// Numbers being served at a counter now.
    pub serving: Vec<BoardEntry>,
    /// The last five calls of the office day, newest first, whatever became of them since.
    #[serde(default)]
    pub recent: Vec<BoardEntry>,
    pub waiting: std::collections::BTreeMap<String, u64>,
    /// Numbers called three times and skipped, waiting to be called again at the next turn, in
    /// calling order: numbers only, so that an absent visitor can learn it from the board.
    #[serde(default)]
    pub skipped: Vec<String>,
}

/// An archived document, byte for byte.
#[derive(Debug, Clone)]
pub struct ArchivedDocument {
    pub version: u32,
    pub number: String,
    pub sha256: String,
    pub content: Vec<u8>,
    pub archived_at: DateTime<Utc>,
}

/// One archived version of a visit's form, as a list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ArchivedVersion {
    pub version: u32,
    pub number: String,
    #[serde(with = "loket_domain::timestamp")]
    pub archived_at: DateTime<Utc>,
    /// SHA-256 of the document, byte for byte, hex.
    pub sha256: String,
    /// The document's size in bytes.
    pub size: u64,
}

/// What the archive search looks for: words (in any text field, all of them), and filters.
#[derive(Debug, Clone, Default)]
pub struct ArchiveQuery {
    pub words: Option<SearchWords>,
    /// Office days of the visit, inclusive.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub category: Option<String>,
    /// A visitor role code (`penyedia`).
    pub visitor_role: Option<String>,
    pub outcome: Option<Outcome>,
    pub limit: u32,
    pub offset: u32,
    /// Matches counted (and ranked) up to this many, beyond which the newest come first;
    /// [`COUNTED_MAX`] when `None`, as the API asks.
    pub count_up_to: Option<u64>,
}

/// An archived visit found by the search, as its latest version shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveHit {
    pub visit_id: String,
    pub reference: String,
    pub number: String,
    pub version: u32,
    pub archived_at: DateTime<Utc>,
    pub day: NaiveDate,
    pub visitor_name: Option<String>,
    pub category: Option<String>,
    pub visitor_role: Option<String>,
    pub outcome: Outcome,
    pub subject: Option<String>,
    pub problem: Option<String>,
    pub analysis: Option<String>,
    /// The counter's answer, or LKPP's.
    pub answer: Option<String>,
}

/// One page of search results, and how many there are in all (counted up to 1,000).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArchivePage {
    pub hits: Vec<ArchiveHit>,
    /// The matches, at most 1,000.
    pub total: u64,
    /// More than 1,000 match (`total` is then 1,000); they are listed newest first.
    pub more: bool,
}

/// A mail claimed from the outbox, to send now.
#[derive(Debug, Clone)]
pub struct OutboxMail {
    pub id: String,
    pub visit_id: Option<String>,
    pub to: String,
    pub subject: String,
    pub body: String,
    /// `escalation` or `copy`.
    pub kind: String,
    /// The consultation form goes with it as PDF.
    pub attach_form: bool,
    pub message_id: Option<String>,
    /// Tries so far.
    pub attempts: i64,
}

/// A mail of the outbox as staff see it: waiting, sent, or failing (and why).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OutboxEntry {
    pub id: String,
    pub visit_id: Option<String>,
    pub reference: Option<String>,
    pub to: String,
    pub subject: String,
    /// `escalation`, `copy` or `answer`.
    pub kind: String,
    /// `pending` or `sent`.
    pub status: String,
    pub attempts: i64,
    /// Why the last try failed; null when none did.
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    /// When a pending mail is tried next; null once sent.
    pub next_attempt_at: Option<DateTime<Utc>>,
}

/// What live clients (display boards, counters) are told after a commit. Never personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum LiveEvent {
    Called {
        number: String,
        counter: String,
        call_count: u32,
    },
    Queue {
        service: String,
        waiting: u64,
    },
    /// A form was handed in to the front office (at the kiosk) or left the forms waiting for its
    /// check: the front office's list changed. Staff only; it says nothing of whose.
    Forms,
}

/// How a visit's archived document is made, with the office's logo when it has one: the bytes
/// that are stored and hashed, or why they cannot be made.
pub type DocumentRenderer =
    Arc<dyn Fn(&Visit, &OfficeSettings, &ArchiveStamp, Option<&Logo>) -> Result<Vec<u8>, String> + Send + Sync>;

/// A [`DocumentRenderer`] with the logo in force when the use case started: what the write use
/// cases call.
pub(crate) type BoundRenderer =
    Arc<dyn Fn(&Visit, &OfficeSettings, &ArchiveStamp) -> Result<Vec<u8>, String> + Send + Sync>;

/// A change to one visit, decided by the domain inside the store's transaction.
pub type Change = Box<dyn FnOnce(&mut Visit, &OfficeSettings) -> Result<Event, Refused> + Send + 'static>;

/// Which recorded changes to list: of one kind, made in `from..until`, newest first, `limit`
/// of them after the first `offset`.
#[derive(Debug, Clone, Default)]
pub struct ChangeFilter {
    pub kind: Option<ChangeKind>,
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub limit: u32,
    pub offset: u32,
}

/// Office settings.
#[async_trait]
pub trait SettingsStore: Send + Sync {
    async fn settings(&self) -> Result<Arc<OfficeSettings>>;
    /// Replaces one part of the settings, all of it or nothing, and records who changed it. In
    /// one transaction: the change is checked against the other settings as stored, and refused
    /// (`Refused::InUse`) when it would strand a visit now in the office; the part before and
    /// after goes to the change record. Returns the settings now in force.
    async fn change_settings(
        &self,
        change: SettingsChange,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<Arc<OfficeSettings>>;
    /// The change record: every change of the settings, the days off and the staff accounts
    /// (each written with its change, in its transaction), newest first.
    async fn changes(&self, filter: &ChangeFilter) -> Result<Vec<ChangeRecord>>;
}

/// The business calendar's non-working dates (libur nasional, cuti bersama). Each change empties
/// the settings cache (on every instance), since the settings carry the days off.
#[async_trait]
pub trait CalendarStore: Send + Sync {
    /// The days off of a year, in date order.
    async fn days_off(&self, year: i32) -> Result<Vec<DayOff>>;
    /// Adds a day off, or replaces the one of the same date.
    async fn put_day_off(&self, day: DayOff, by: &str, now: DateTime<Utc>) -> Result<()>;
    /// Removes the day off of a date; false when there was none.
    async fn delete_day_off(&self, date: NaiveDate, by: &str, now: DateTime<Utc>) -> Result<bool>;
    /// Adds (or replaces) many days off in one transaction, all of them or none: a date given
    /// twice is refused (`[i].date: duplicate`) and nothing is written. Returns how many.
    async fn import_days_off(&self, days: Vec<DayOff>, by: &str, now: DateTime<Utc>) -> Result<usize>;
}

/// The office's logo, printed on the consultation form. Kept in a table of its own, never in the
/// settings document: it is read where a form is drawn, and kept in memory once read until it
/// changes (on any instance).
#[async_trait]
pub trait LogoStore: Send + Sync {
    /// The office's logo, if it set one.
    async fn office_logo(&self) -> Result<Option<Arc<Logo>>>;
    /// Sets the logo (checked by the domain's rule and by the PDF's decoder before), replacing
    /// the one before; the change record keeps who, when, and the logo before and after.
    async fn put_office_logo(&self, logo: Logo, by: &str, now: DateTime<Utc>) -> Result<()>;
    /// Removes the logo, by `by` at `now` (on the change record); false when there was none.
    async fn delete_office_logo(&self, by: &str, now: DateTime<Utc>) -> Result<bool>;
}

/// Staff accounts and their sessions. Each change of an account (made by `by` at `now`) goes to
/// the change record, never its password.
#[async_trait]
pub trait UserStore: Send + Sync {
    async fn count_users(&self) -> Result<i64>;
    async fn add_user(&self, user: NewUser, by: &str, now: DateTime<Utc>) -> Result<()>;
    async fn user(&self, username: &str) -> Result<Option<UserRecord>>;
    async fn users(&self) -> Result<Vec<User>>;
    /// Sets a new password and ends the user's sessions; `change_required` when the user did not
    /// choose it. False when there is no such user.
    async fn set_password(
        &self,
        username: &str,
        password_hash: &str,
        change_required: bool,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<bool>;
    /// Disables (or enables) a user; disabling ends their sessions. The last enabled admin is
    /// not disabled (`Refused::LastAdmin`).
    async fn set_disabled(&self, username: &str, disabled: bool, by: &str, now: DateTime<Utc>) -> Result<bool>;
    /// Replaces a user's full name and roles (checked by the caller: one line, at least one
    /// role). None when there is no such user; `Refused::LastAdmin` when it would take the admin
    /// role from the last enabled admin. The user's sessions go on with the new roles.
    async fn change_user(
        &self,
        username: &str,
        full_name: &str,
        roles: &[Role],
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<User>>;
    /// The language the user chose for the pages (a code the web layer knows); false when there
    /// is no such user.
    async fn set_language(&self, username: &str, language: &str) -> Result<bool>;
    async fn add_session(
        &self,
        token_hash: &str,
        username: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<()>;
    /// The signed-in user of a token still valid at `now`.
    async fn session_user(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<User>>;
    async fn end_session(&self, token_hash: &str) -> Result<()>;
}

/// Visits through the SOP, except the calling rule (see [`LineStore`]).
#[async_trait]
pub trait VisitStore: Send + Sync {
    /// Steps 1-2 (and 3 from the kiosk).
    async fn open_visit(&self, open: OpenVisit, now: DateTime<Utc>, by: &str) -> Result<Visit>;
    async fn visit(&self, id: &str) -> Result<Option<Visit>>;
    async fn history(&self, id: &str) -> Result<Vec<Event>>;
    async fn visits(&self, filter: VisitFilter) -> Result<Vec<Visit>>;
    /// The visits at one counter (or at any) in one of `statuses`, oldest change first.
    async fn visits_at_counter(&self, counter: Option<&str>, statuses: &[loket_domain::Status]) -> Result<Vec<Visit>>;
    /// The escalations still waiting for LKPP's answer, oldest first, at most `limit`.
    async fn open_escalations(&self, limit: u32) -> Result<Vec<Visit>>;
    /// Applies one domain transition to a visit. A change to an archived visit archives a new
    /// version; an e-mail escalation puts its mail in the outbox.
    async fn change_visit(&self, id: &str, now: DateTime<Utc>, change: Change) -> Result<Visit>;
    /// Step 4, with 5-7 or 6.
    async fn check_visit(&self, id: &str, priority_lane: bool, now: DateTime<Utc>, by: &str) -> Result<Checked>;
    /// Step 12: the visitor's copy. A copy printed or e-mailed is a document fixed now, stored as
    /// an archived version (the archive then takes it), unless the one given before still says
    /// what the visit says. `for_anyone`: `by` may act on a visit another agent serves.
    async fn give_copy(&self, id: &str, via: CopyVia, now: DateTime<Utc>, by: &str, for_anyone: bool) -> Result<Visit>;
    /// Step 12: the original archived (the document given as the copy, when one was).
    async fn archive_visit(&self, id: &str, now: DateTime<Utc>, by: &str) -> Result<Visit>;
    async fn archived_document(&self, id: &str, version: Option<u32>) -> Result<Option<ArchivedDocument>>;
    /// Mails waiting in the outbox (recipient, subject), oldest first.
    async fn pending_mail(&self) -> Result<Vec<(String, String)>>;
    /// The latest visit of a returning visitor, found by the phone or e-mail they gave.
    async fn last_visit_by_contact(&self, contact: &Contact) -> Result<Option<Visit>>;
}

/// Step 8: the line and the counters, as counters and the display board see them.
#[async_trait]
pub trait LineStore: Send + Sync {
    /// The first waiting visit in line for the counter, called there. `None` when nobody
    /// waits. Two counters never get the same visit.
    async fn call_next(
        &self,
        counter: &str,
        service: Option<&str>,
        now: DateTime<Utc>,
        by: &str,
    ) -> Result<Option<Visit>>;
    /// Skip after the third call, call the next one at the same counter.
    async fn skip(&self, id: &str, now: DateTime<Utc>, by: &str) -> Result<Skipped>;
    /// A called or in-service visit sent to another counter that is free (409 `counter_busy`
    /// otherwise), keeping its place and timers.
    async fn transfer_visit(
        &self,
        id: &str,
        to: &loket_domain::visit::TransferRequest,
        now: DateTime<Utc>,
        by: &str,
    ) -> Result<Visit>;
    async fn queue(&self, service: Option<&str>) -> Result<Line>;
    async fn display(&self, service: Option<&str>) -> Result<DisplayBoard>;
    /// The last `limit` calls of the visits opened on office day `day`, newest first, whether
    /// they are still at the counter or done (the display board's "last calls").
    async fn recent_calls(&self, service: Option<&str>, day: NaiveDate, limit: usize) -> Result<Vec<BoardEntry>>;
    /// Ends the office days that are over (at the closing time, or at midnight): every visit
    /// still in line from them is closed as not served. Returns how many.
    async fn end_office_days(&self, now: DateTime<Utc>) -> Result<u64>;
    /// Live events, told after each commit (from every instance, on PostgreSQL).
    fn subscribe(&self) -> broadcast::Receiver<LiveEvent>;
}

/// The visitor's status page: tokens kept by their hash, valid until a given time.
#[async_trait]
pub trait StatusStore: Send + Sync {
    async fn add_status_token(
        &self,
        token_hash: &str,
        visit_id: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<()>;
    /// The visit of a token still valid at `now`; `None` for an unknown or expired token.
    async fn status_visit(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<Visit>>;
}

/// What reports read.
#[async_trait]
pub trait ReportStore: Send + Sync {
    /// Visits opened on the office days `from..=to`, each with its history.
    async fn visits_opened(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<Visit>>;
    /// The time-standards report of the visits opened on the office days `from..=to`, added up by
    /// the database in `measure` (clock or working time), the steps still running past their
    /// standard at `now` counted with the rest; `standards` (the current settings) are shown for a
    /// step none of whose records was judged.
    async fn time_standards(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        standards: &[StepStandard],
        now: DateTime<Utc>,
        measure: &Measure<'_>,
    ) -> Result<TimeStandardsReport>;
    /// The recap of the visits opened on the office days `from..=to`.
    async fn recap(&self, from: NaiveDate, to: NaiveDate) -> Result<Recap>;
    /// Waiting and service times of the visits opened on the office days `from..=to`, in `measure`.
    async fn times(&self, from: NaiveDate, to: NaiveDate, measure: TimeMeasure) -> Result<Times>;
    /// The steps of the period past their standard in `measure`, finished or still running at
    /// `now`: how many per step, and the first `limit` in the order they started.
    async fn overruns(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        limit: u32,
        now: DateTime<Utc>,
        measure: &Measure<'_>,
    ) -> Result<Overruns>;
    /// Every visit with a step still running that has a standard, whatever day it was opened:
    /// what the standards watch looks at.
    async fn visits_with_running_steps(&self) -> Result<Vec<Visit>>;
    /// The escalations of the visits opened on the office days `from..=to`: when each was made
    /// and answered, handed to `each` a month at a time; and the first `limit`, oldest first, not
    /// yet aged.
    async fn escalations(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        limit: u32,
        each: &mut (dyn FnMut(DateTime<Utc>, Option<DateTime<Utc>>) + Send),
    ) -> Result<Vec<EscalationRow>>;
}

/// The mail outbox (SOP steps 11 and 12): each mail claimed by one sender, sent once.
#[async_trait]
pub trait MailStore: Send + Sync {
    /// Up to `limit` mails due at `now`, held for this sender until `lease_until`.
    async fn claim_mail(&self, now: DateTime<Utc>, lease_until: DateTime<Utc>, limit: u32) -> Result<Vec<OutboxMail>>;
    /// The server took the mail; an escalation's mail ends step 11.
    async fn mail_sent(&self, id: &str, now: DateTime<Utc>) -> Result<()>;
    /// The server refused or could not be reached: tried again at `retry_at`.
    async fn mail_failed(&self, id: &str, error: &str, retry_at: DateTime<Utc>) -> Result<()>;
    /// The outbox, newest first.
    async fn outbox(&self, limit: u32) -> Result<Vec<OutboxEntry>>;
    /// A mail read from the office's mailbox, taken once (by its key, whichever instance reads
    /// it first): an auto-reply is ignored; a reply to an open e-mail escalation becomes LKPP's
    /// answer on the visit (the same transition as a typed one, its follow-ups included: the
    /// visitor's mail, a new archived version); anything else is left for a person.
    async fn take_reply(&self, mail: IncomingMail, now: DateTime<Utc>) -> Result<ReplyOutcome>;
    /// How many mails read from the mailbox named no open escalation.
    async fn unmatched_replies(&self) -> Result<u64>;
    /// The unmatched mails (mails that name an open escalation but are not plainly LKPP's
    /// answer), newest first, decided ones included, at most `limit`.
    async fn unmatched_mail(&self, limit: u32) -> Result<Vec<UnmatchedMail>>;
    /// A supervisor records an unmatched mail as LKPP's answer on the visit it names (the same
    /// transition and follow-ups as any answer, by `by`). `NotFound` for an unknown mail;
    /// `Refused::AlreadyDecided` once decided; `Refused::InvalidTransition` when the visit's
    /// escalation no longer waits.
    async fn confirm_unmatched_mail(&self, id: &str, by: &str, now: DateTime<Utc>) -> Result<UnmatchedMail>;
    /// A supervisor dismisses an unmatched mail: kept, marked dismissed, nothing recorded.
    async fn dismiss_unmatched_mail(&self, id: &str, by: &str, now: DateTime<Utc>) -> Result<UnmatchedMail>;
}

/// An unmatched mail (surat tak dikenali) as a supervisor sees it: a mail read from the office's
/// mailbox that names an open escalation but is not plainly LKPP's answer. Kept whatever is
/// decided, for the auditor.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnmatchedMail {
    pub id: String,
    /// When Loket read it from the mailbox.
    pub received_at: DateTime<Utc>,
    /// The sender's address, as its `From` header says (anyone can write it).
    pub from: Option<String>,
    pub subject: String,
    /// The answer taken from it (the quoted mail cut), as a confirmation records it.
    pub answer: String,
    pub message_id: Option<String>,
    /// LKPP's ticket number found in it by the office's pattern.
    pub lkpp_ticket: Option<String>,
    /// The visit it seems to name, and its reference.
    pub visit_id: Option<String>,
    pub reference: Option<String>,
    /// Why it was not taken by itself: `sender` (not LKPP's address or domain) or `thread` (from
    /// LKPP, but not a reply in the escalation mail's thread).
    pub doubt: loket_domain::inbox::Doubt,
    /// Its `Authentication-Results` headers (SPF, DKIM, DMARC), one a line, as the receiving
    /// servers wrote them; null without any.
    pub authentication_results: Option<String>,
    pub status: loket_domain::inbox::UnmatchedStatus,
    /// The supervisor who confirmed or dismissed it, and when.
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
}

/// A survey link as its page sees it.
#[derive(Debug, Clone)]
pub struct SurveyLink {
    pub visit: Visit,
    /// The visit's survey was answered already (through this link or another).
    pub answered: bool,
}

/// Which responses and served visits a report counts: visits of the office days `from..=to`,
/// optionally of one service and one staff member who served them.
#[derive(Debug, Clone, Default)]
pub struct SurveyFilter {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub service: Option<String>,
    pub agent: Option<String>,
}

/// The figures of one service and one staff member in a period: the visits served, and the
/// sums of the responses to their surveys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServedGroup {
    pub service: String,
    pub agent: String,
    pub served: u64,
    pub tally: Tally,
}

/// The satisfaction survey: links kept by their hash, one response per visit, and the sums the
/// index is computed from, added up by the database.
#[async_trait]
pub trait SurveyStore: Send + Sync {
    async fn add_survey_token(
        &self,
        token_hash: &str,
        visit_id: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<()>;
    /// The visit of a link still valid at `now`; `None` for an unknown or expired link. Reads only.
    async fn survey_link(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<SurveyLink>>;
    /// Records the answers of a link's visit: `NotFound` for an unknown or expired link,
    /// `Refused::SurveyAnswered` when the visit already has its response, `Refused::InvalidTransition`
    /// when the visit was not served.
    async fn answer_survey(&self, token_hash: &str, answers: Answers, now: DateTime<Utc>) -> Result<()>;
    /// Per service and staff member who served: the visits served in the period and the sums of
    /// their responses.
    async fn survey_groups(&self, filter: &SurveyFilter) -> Result<Vec<ServedGroup>>;
}

/// The archive (SOP step 12): found again by its words, every version listed.
#[async_trait]
pub trait ArchiveStore: Send + Sync {
    /// Archived visits with all of the query's words in their text, within the filters: the most
    /// relevant first, then the newest; with the total count.
    async fn search_archive(&self, query: &ArchiveQuery) -> Result<ArchivePage>;
    /// The archived visits with an answer (the counter's, or LKPP's) most like the visit's own
    /// problem (its subject and description): any of its significant words, more of them first.
    /// Never the visit itself. `NotFound` when there is no such visit.
    async fn similar_answered(&self, visit_id: &str, limit: u32) -> Result<Vec<ArchiveHit>>;
    /// Every archived version of a visit's form, oldest first (none when it is not archived).
    async fn archived_versions(&self, visit_id: &str) -> Result<Vec<ArchivedVersion>>;
}

/// All of the store, as the app holds it (`Arc<dyn Store>`).
pub trait Store:
    SettingsStore
    + UserStore
    + VisitStore
    + LineStore
    + ReportStore
    + StatusStore
    + MailStore
    + SurveyStore
    + CalendarStore
    + ArchiveStore
    + LogoStore
    + 'static
{
}

impl<
    T: SettingsStore
        + UserStore
        + VisitStore
        + LineStore
        + ReportStore
        + StatusStore
        + MailStore
        + SurveyStore
        + CalendarStore
        + ArchiveStore
        + LogoStore
        + 'static,
> Store for T
{
}

/// Picks the backend by the URL's scheme: `sqlite:` or `postgres:`/`postgresql:`.
pub async fn connect(url: &str, renderer: Option<DocumentRenderer>) -> Result<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::connect(url, renderer).await?))
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Ok(Arc::new(PgStore::connect(url, renderer).await?))
    } else {
        Err(StoreError::Database(sqlx::Error::Configuration(
            format!("unsupported database URL (use sqlite://… or postgres://…): {}", redact(url)).into(),
        )))
    }
}

/// A database URL without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

pub(crate) fn default_renderer() -> DocumentRenderer {
    Arc::new(|visit, _, stamp, _| loket_domain::archive::json_document(visit, stamp))
}

fn new_id() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

fn from_ms(v: i64) -> Result<DateTime<Utc>> {
    DateTime::from_timestamp_millis(v).ok_or_else(|| StoreError::Corrupt(format!("time {v} is out of range")))
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

fn roles_to_text(roles: &[Role]) -> String {
    roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(",")
}

fn roles_from_text(text: &str) -> Vec<Role> {
    text.split(',').filter_map(Role::parse).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_not_shown_in_urls() {
        assert_eq!(redact("postgres://loket:s3cret@db:5432/loket"), "postgres://loket:***@db:5432/loket");
        assert_eq!(redact("postgres://root@127.0.0.1/test"), "postgres://root@127.0.0.1/test");
        assert_eq!(redact("sqlite://loket.db"), "sqlite://loket.db");
    }
}
