//! The helpdesk counter (SOP steps 8-12): choose a counter, see its line (numbers and waiting
//! minutes only), call, re-call up to three times, skip after the third call (confirmed), start
//! the service, answer with the analysis, archive. Every action is a form that works without
//! JavaScript; `live.js` adds live updates and `counter.js` shortcuts.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use loket_app::counter::{self, AtCounter, CounterView};
use loket_app::{AppError, links, visits};
use loket_domain::archive::CopyVia;
use loket_domain::auth::Permission;
use loket_domain::escalation::{Channel, EscalationStatus};
use loket_domain::line::CALLS_BEFORE_SKIP;
use loket_domain::office::Counter;
use loket_domain::settings::OfficeSettings;
use loket_domain::standards::watch::AlertLevel;
use loket_domain::visit::{EscalationRequest, TransferRequest};
use loket_domain::{FieldErrors, Refused, Status, Visit};
use serde::Deserialize;
use std::collections::BTreeMap;

use super::session::{PageForm, PageStaff};
use super::visit_view::{Field, StepLine};
use super::{Frame, PageError, PageResult, refusal_key, see_other};
use crate::AppState;

#[derive(Deserialize, Default)]
pub struct CounterQuery {
    #[serde(default)]
    pub counter: Option<String>,
    /// The visit whose skip waits for a confirmation.
    #[serde(default)]
    pub confirm_skip: Option<String>,
    /// Words to find among the escalations waiting for LKPP (name, subject, number, reference,
    /// LKPP's ticket).
    #[serde(default)]
    pub lkpp_q: Option<String>,
}

pub struct CounterChoice {
    pub code: String,
    pub name: String,
    pub selected: bool,
}

pub struct WaitingRow {
    pub number: String,
    /// Since the number was given, a skip included.
    pub minutes: i64,
    pub priority_lane: bool,
    /// Called three times and skipped: called again at the next turn.
    pub skipped: bool,
}

/// The visit at this counter now.
pub struct CurrentVisit {
    pub id: String,
    pub number: String,
    pub status: String,
    pub called: bool,
    pub in_service: bool,
    pub call_count: u32,
    pub calls_max: u32,
    pub may_recall: bool,
    pub may_skip: bool,
    pub confirm_skip: bool,
    /// Seconds until the number may be called again or skipped; 0: now.
    pub next_call_in: u32,
    pub fields: Vec<Field>,
    /// Minutes the running step has taken, its standard, and how it stands (`ok`, `warn`,
    /// `over`), for the timer.
    pub elapsed_minutes: i64,
    pub standard_minutes: Option<u32>,
    pub timer_class: &'static str,
    pub step_started: String,
    /// The visit's history: every step against its standard.
    pub steps: Vec<StepLine>,
}

/// A visit answered or escalated at this counter: step 12, the visitor's copy, then the archive.
pub struct ArchiveRow {
    pub id: String,
    pub number: String,
    pub status: String,
    /// How the copy was given (in words), once recorded.
    pub copy: Option<String>,
    /// The copy was e-mailed and the mail server has not taken it yet: the archive waits.
    pub copy_pending: bool,
    /// The visitor gave an e-mail address: the copy may be sent there.
    pub has_email: bool,
    /// LKPP's answer to the escalation, once it came.
    pub lkpp_answer: Option<String>,
    /// LKPP's ticket number, taken from its answer by e-mail.
    pub lkpp_ticket: Option<String>,
}

/// An escalation to LKPP: waiting for LKPP's answer (typed in here when it comes by phone, TTS
/// or a mail read elsewhere), or answered.
pub struct EscalationRow {
    pub id: String,
    pub reference: String,
    pub number: String,
    /// Whose case it is: the visitor's name, the subject, the office day of the visit.
    pub visitor_name: String,
    pub subject: String,
    pub day: String,
    /// The question before LKPP's answer is saved: whose case it is.
    pub confirm: String,
    /// How the escalation stands, in words (`terkirim`).
    pub status: String,
    pub channel: String,
    pub external_reference: String,
    /// LKPP's answer, once it came.
    pub answer: Option<String>,
}

/// A mail the SMTP server has not taken yet, with why: never lost, tried again.
pub struct MailProblem {
    pub reference: String,
    pub to: String,
    pub kind: String,
    pub attempts: i64,
    pub error: String,
    /// When it is tried again (time of day).
    pub next_try: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "counter.html")]
pub struct CounterPage {
    pub page: Frame,
    pub counters: Vec<CounterChoice>,
    pub counter: String,
    pub counter_name: String,
    pub waiting: Vec<WaitingRow>,
    pub current: Option<CurrentVisit>,
    pub to_archive: Vec<ArchiveRow>,
    /// Escalations waiting for LKPP's answer, of every counter (the answer comes days later).
    pub escalations: Vec<EscalationRow>,
    /// Mails of the outbox whose sending failed, still waiting.
    pub mail_problems: Vec<MailProblem>,
    /// LKPP's answer typed for the visit `lkpp_visit`, kept when refused.
    pub lkpp_answer: String,
    pub lkpp_visit: String,
    /// LKPP's answer for `lkpp_visit` waits for a confirmation of whose case it is.
    pub lkpp_confirm: bool,
    /// The words the escalations were searched by, and how many wait in all.
    pub lkpp_q: String,
    pub escalations_total: usize,
    pub error: Option<String>,
    pub analysis: String,
    pub answer: String,
    pub channel: String,
    pub external_reference: String,
    pub summary: String,
    pub field_errors: BTreeMap<String, String>,
    /// The counters the visit at this counter may be transferred to.
    pub transfer_to: Vec<CounterChoice>,
    /// What a refused transfer typed.
    pub transfer_reason: String,
    pub transfer_agent: String,
    /// An SMTP server is set; until it is, the page says e-mail waits.
    pub mail_ready: bool,
}

impl CounterPage {
    /// The problem of a field of the answer or escalation form, if it has one.
    pub fn field_error(&self, name: &str) -> Option<&str> {
        self.field_errors.get(name).map(String::as_str)
    }
}

/// What a refused action typed, kept for the page that says why.
#[derive(Default)]
struct Typed {
    error: Option<String>,
    analysis: String,
    answer: String,
    channel: String,
    external_reference: String,
    summary: String,
    /// The problem of each field, by its name (`summary` → `Wajib diisi`).
    fields: BTreeMap<String, String>,
    lkpp_answer: String,
    lkpp_visit: String,
    /// LKPP's answer typed for `lkpp_visit` waits for the agent to confirm whose case it is.
    lkpp_confirm: bool,
    /// The words the escalations are searched by.
    lkpp_q: String,
    transfer_reason: String,
    transfer_agent: String,
}

pub async fn page(State(state): State<AppState>, staff: PageStaff, Query(q): Query<CounterQuery>) -> PageResult {
    staff.require(Permission::Helpdesk)?;
    let typed = Typed { lkpp_q: q.lkpp_q.unwrap_or_default(), ..Typed::default() };
    let page = build(&state, &staff, q.counter.as_deref(), q.confirm_skip.as_deref(), typed).await?;
    Ok(page.into_response())
}

fn minutes_since(at: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    (now - at).num_minutes().max(0)
}

pub fn status_text(t: super::i18n::Tr, status: Status) -> String {
    t.get(&format!("status-{}", status.as_str().replace('_', "-")))
}

async fn build(
    state: &AppState,
    staff: &PageStaff,
    counter: Option<&str>,
    confirm_skip: Option<&str>,
    typed: Typed,
) -> Result<CounterPage, PageError> {
    let t = staff.tr();
    let settings = state.store.settings().await?;
    let now = state.now();
    let chosen = counter.and_then(|c| settings.counter(c)).cloned();
    let counters = settings
        .counters
        .iter()
        .map(|c| CounterChoice {
            code: c.code.clone(),
            name: c.name.clone(),
            selected: chosen.as_ref().is_some_and(|x| x.code == c.code),
        })
        .collect();
    let page = Frame::staff(state, staff, "counter-title", "/counter")
        .await?
        .with_script("/assets/live.js")
        .with_script("/assets/counter.js")
        .with_script("/assets/suggestions.js");
    let blank = blank_page(page, counters, typed);
    let Some(chosen) = chosen else {
        return Ok(blank);
    };
    let Some(view) = counter::view(&state.app, &staff.user, &chosen.code).await? else {
        return Ok(blank);
    };
    Ok(counter_view(t, blank, &chosen, &view, &settings, now, confirm_skip))
}

/// The page before a counter is chosen; with one, its line and visits are filled in.
fn blank_page(page: Frame, counters: Vec<CounterChoice>, typed: Typed) -> CounterPage {
    CounterPage {
        page,
        counters,
        counter: String::new(),
        counter_name: String::new(),
        waiting: Vec::new(),
        current: None,
        to_archive: Vec::new(),
        escalations: Vec::new(),
        mail_problems: Vec::new(),
        lkpp_answer: typed.lkpp_answer,
        lkpp_visit: typed.lkpp_visit,
        lkpp_confirm: typed.lkpp_confirm,
        lkpp_q: typed.lkpp_q,
        escalations_total: 0,
        error: typed.error,
        analysis: typed.analysis,
        answer: typed.answer,
        channel: typed.channel,
        external_reference: typed.external_reference,
        summary: typed.summary,
        field_errors: typed.fields,
        transfer_to: Vec::new(),
        transfer_reason: typed.transfer_reason,
        transfer_agent: typed.transfer_agent,
        mail_ready: true,
    }
}

/// The page of a chosen counter: its line, the visit at it, the visits to archive, the
/// escalations and the mails that fail.
fn counter_view(
    t: super::i18n::Tr,
    mut blank: CounterPage,
    chosen: &Counter,
    view: &CounterView,
    settings: &OfficeSettings,
    now: DateTime<Utc>,
    confirm_skip: Option<&str>,
) -> CounterPage {
    blank.page.title = format!("{} — {}", blank.page.title, chosen.name);
    let waiting = view
        .waiting
        .iter()
        .map(|v| WaitingRow {
            number: v.queue.number.clone().unwrap_or_default(),
            minutes: v.queued_at().map_or(0, |at| minutes_since(at, now)),
            priority_lane: v.queue.priority_lane,
            skipped: v.waits_after_skip(),
        })
        .collect();
    let current = view.current.as_ref().map(|c| current_visit(t, c, settings, confirm_skip));
    let to_archive = view
        .to_archive
        .iter()
        .map(|v| ArchiveRow {
            id: v.id.clone(),
            number: v.queue.number.clone().unwrap_or_default(),
            status: status_text(t, v.status),
            copy: v.copy.as_ref().map(|c| match (c.pending, view.mail_ready) {
                (true, true) => t.get("counter-copy-via-email-pending"),
                (true, false) => t.get("counter-copy-via-email-no-mail"),
                (false, _) => t.get(&format!("counter-copy-via-{}", c.via.as_str())),
            }),
            copy_pending: v.copy.as_ref().is_some_and(|c| c.pending),
            has_email: v.visitor.email.as_deref().is_some_and(|e| !e.is_empty()),
            lkpp_answer: v.escalation.as_ref().and_then(|e| e.answer.clone()),
            lkpp_ticket: v.escalation.as_ref().and_then(|e| e.lkpp_ticket.clone()),
        })
        .collect();
    let all: Vec<EscalationRow> =
        view.escalations.iter().filter_map(|v| escalation_row(t, v, &view.outbox, view.mail_ready)).collect();
    let escalations_total = all.len();
    // Found by every word typed, in any of what tells the cases apart.
    let words: Vec<String> = blank.lkpp_q.split_whitespace().map(str::to_lowercase).collect();
    let escalations = all
        .into_iter()
        .filter(|e| {
            let text = [&e.number, &e.reference, &e.visitor_name, &e.subject, &e.external_reference, &e.day]
                .map(|s| s.to_lowercase())
                .join(" ");
            words.iter().all(|w| text.contains(w.as_str())) || e.id == blank.lkpp_visit
        })
        .collect();
    let mail_problems = super::mail_settings::failing_mail(t, &view.outbox, settings.zone());
    let transfer_to = view
        .others
        .iter()
        .map(|c| CounterChoice { code: c.code.clone(), name: c.name.clone(), selected: false })
        .collect();
    CounterPage {
        counter: chosen.code.clone(),
        counter_name: chosen.name.clone(),
        waiting,
        current,
        to_archive,
        escalations,
        mail_problems,
        transfer_to,
        mail_ready: view.mail_ready,
        escalations_total,
        ..blank
    }
}

/// An escalation still waiting for LKPP's answer; its mail, while the server has not taken it,
/// with the last error.
fn escalation_row(
    t: super::i18n::Tr,
    v: &Visit,
    outbox: &[loket_store::OutboxEntry],
    mail_ready: bool,
) -> Option<EscalationRow> {
    let esc = v.escalation.as_ref().filter(|e| e.status != EscalationStatus::Answered)?;
    let failing = outbox
        .iter()
        .find(|m| m.visit_id.as_deref() == Some(v.id.as_str()) && m.kind == "escalation" && m.status == "pending");
    let status = match (esc.status, failing.and_then(|m| m.last_error.as_deref())) {
        (EscalationStatus::Pending, Some(error)) => t.with2(
            "counter-escalation-failing",
            "error",
            error,
            "attempts",
            failing.map(|m| m.attempts).unwrap_or_default(),
        ),
        (EscalationStatus::Pending, None) if !mail_ready => t.get("counter-escalation-no-mail"),
        (EscalationStatus::Pending, None) => t.get("counter-escalation-pending"),
        (EscalationStatus::Sent, _) => t.get("counter-escalation-sent"),
        (EscalationStatus::Answered, _) => t.get("counter-escalation-answered"),
    };
    let channel = match esc.channel {
        Channel::Tts => "counter-escalation-tts",
        Channel::Email => "counter-escalation-email",
    };
    let dash = super::visit_view::or_dash;
    let day = v.queue.day.map(|d| super::dates::date(t, d)).unwrap_or_default();
    Some(EscalationRow {
        id: v.id.clone(),
        reference: v.reference.clone(),
        number: v.queue.number.clone().unwrap_or_default(),
        visitor_name: dash(&v.visitor.name),
        subject: dash(&v.form.subject),
        day: day.clone(),
        confirm: t.args(
            "counter-lkpp-confirm",
            &[
                ("number", v.queue.number.clone().unwrap_or_default()),
                ("name", dash(&v.visitor.name)),
                ("subject", dash(&v.form.subject)),
                ("day", day),
            ],
        ),
        status,
        channel: t.get(channel),
        external_reference: esc.external_reference.clone().unwrap_or_else(|| "—".to_owned()),
        answer: esc.answer.clone(),
    })
}

fn current_visit(
    t: super::i18n::Tr,
    at: &AtCounter,
    settings: &OfficeSettings,
    confirm_skip: Option<&str>,
) -> CurrentVisit {
    let v = &at.visit;
    let called = v.status == Status::Called;
    let records = &at.steps;
    let (elapsed, standard, started) = match &at.running {
        // In the office's measure (clock or working time), as the step's record has it.
        Some(s) => (s.measured_minutes.map_or(0, |m| m.floor().max(0.0) as i64), s.standard_minutes, s.started_at),
        None => (0, None, v.updated_at),
    };
    // The domain's rule, as the staff stream's alerts: a warning from 80%, an overrun past 100%.
    let timer_class = match at.alert {
        Some(AlertLevel::Overrun) => "over",
        Some(AlertLevel::Warning) => "warn",
        None => "ok",
    };
    let zone = settings.zone();
    let fields = super::visit_view::fields(t, settings, v);
    let steps = super::visit_view::step_lines(t, zone, records);
    CurrentVisit {
        id: v.id.clone(),
        number: v.queue.number.clone().unwrap_or_default(),
        status: status_text(t, v.status),
        called,
        in_service: v.status == Status::InService,
        call_count: v.queue.call_count,
        calls_max: CALLS_BEFORE_SKIP,
        may_recall: called && v.queue.call_count < CALLS_BEFORE_SKIP,
        may_skip: called && v.queue.call_count >= CALLS_BEFORE_SKIP,
        confirm_skip: called && confirm_skip == Some(v.id.as_str()) && v.queue.call_count >= CALLS_BEFORE_SKIP,
        next_call_in: at.next_call_in,
        fields,
        elapsed_minutes: elapsed,
        standard_minutes: standard,
        timer_class,
        step_started: super::dates::time(t, started, zone),
        steps,
    }
}

#[derive(Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    counter: String,
    #[serde(default)]
    analysis: String,
    #[serde(default)]
    answer: String,
    /// Step 11: `tts` or `email`, LKPP's ticket number, what is escalated.
    #[serde(default)]
    channel: String,
    #[serde(default)]
    external_reference: String,
    #[serde(default)]
    summary: String,
    /// Step 12: how the visitor got their copy: `printed`, `email`, `declined`.
    #[serde(default)]
    via: String,
    /// LKPP's answer to an escalation, typed in.
    #[serde(default)]
    lkpp_answer: String,
    /// `1` once the agent confirmed whose case the answer is for.
    #[serde(default)]
    confirm: String,
    /// A transfer: the counter, the colleague there (optional), why.
    #[serde(default)]
    transfer_counter: String,
    #[serde(default)]
    transfer_agent: String,
    #[serde(default)]
    transfer_reason: String,
}

fn back(counter: &str) -> String {
    format!("/counter?counter={}", encode(counter))
}

/// Percent-encodes a query value.
pub fn encode(value: &str) -> String {
    serde_urlencoded::to_string([("v", value)]).map(|s| s[2..].to_owned()).unwrap_or_default()
}

/// The counter page again with why the action was refused, and what was typed.
async fn refused(state: &AppState, staff: &PageStaff, form: ActionForm, key: &str) -> PageResult {
    refused_with(state, staff, form, key, BTreeMap::new()).await
}

/// A refusal's status and its fields' messages: a field's problem is 422, as in the API; a rule
/// of the SOP that refused is 409.
fn refusal_answer(t: super::i18n::Tr, fields: BTreeMap<String, String>) -> (StatusCode, BTreeMap<String, String>) {
    let status = if fields.is_empty() { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
    (status, fields.into_iter().map(|(k, reason)| (k, t.get(super::field_reason_key(&reason)))).collect())
}

async fn refused_with(
    state: &AppState,
    staff: &PageStaff,
    form: ActionForm,
    key: &str,
    fields: BTreeMap<String, String>,
) -> PageResult {
    let t = staff.tr();
    let (status, fields) = refusal_answer(t, fields);
    let typed = Typed {
        error: Some(t.get(key)),
        analysis: form.analysis,
        answer: form.answer,
        channel: form.channel,
        external_reference: form.external_reference,
        summary: form.summary,
        fields,
        lkpp_answer: form.lkpp_answer,
        lkpp_visit: String::new(),
        lkpp_confirm: false,
        lkpp_q: String::new(),
        transfer_reason: form.transfer_reason,
        transfer_agent: form.transfer_agent,
    };
    let page = build(state, staff, Some(&form.counter), None, typed).await?;
    Ok((status, page).into_response())
}

/// The counter page again after LKPP's answer was refused, the answer typed kept at its visit.
async fn refused_lkpp(
    state: &AppState,
    staff: &PageStaff,
    form: ActionForm,
    id: &str,
    key: &str,
    fields: BTreeMap<String, String>,
) -> PageResult {
    let t = staff.tr();
    let (status, fields) = refusal_answer(t, fields);
    let typed = Typed {
        error: Some(t.get(key)),
        fields,
        lkpp_answer: form.lkpp_answer,
        lkpp_visit: id.to_owned(),
        ..Typed::default()
    };
    let page = build(state, staff, Some(&form.counter), None, typed).await?;
    Ok((status, page).into_response())
}

fn refusal(e: AppError) -> Result<&'static str, PageError> {
    refusal_fields(e).map(|(key, _)| key)
}

/// A refusal's sentence, and the problem of each field it names.
fn refusal_fields(e: AppError) -> Result<(&'static str, BTreeMap<String, String>), PageError> {
    match e {
        AppError::Refused(r) => {
            let fields = match &r {
                Refused::Validation(f) | Refused::FormIncomplete(f) => f.0.clone(),
                _ => BTreeMap::new(),
            };
            Ok((refusal_key(&r), fields))
        }
        AppError::NotFound => Ok(("error-not-found", BTreeMap::new())),
        other => Err(PageError::from(other)),
    }
}

/// Step 8: call the first visit in line at this counter.
pub async fn call_next(State(state): State<AppState>, PageForm { staff, form }: PageForm<ActionForm>) -> PageResult {
    staff.require(Permission::Helpdesk)?;
    match visits::call_next(&state.app, &staff.user, &form.counter, None).await {
        Ok(Some(_)) => Ok(see_other(&back(&form.counter))),
        Ok(None) => refused(&state, &staff, form, "counter-nobody-waits").await,
        Err(e) => {
            let key = refusal(e)?;
            refused(&state, &staff, form, key).await
        }
    }
}

/// The actions on the visit at the counter: `recall`, `skip`, `transfer` (to another counter,
/// with the reason), `start`, `answer`, `escalate`, `survey` (the survey on the counter's tablet),
/// `copy` (step 12: printed, e-mailed or declined), `archive` (once the copy is recorded),
/// `escalation-answer` (LKPP's answer, typed in). Each is the application's use case, as the
/// API's.
pub async fn act(
    State(state): State<AppState>,
    Path((id, action)): Path<(String, String)>,
    PageForm { staff, form }: PageForm<ActionForm>,
) -> PageResult<Response> {
    staff.require(Permission::Helpdesk)?;
    let (app, user) = (&state.app, &staff.user);
    let result = match action.as_str() {
        "recall" => visits::recall(app, user, &id).await.map(drop),
        "skip" => visits::skip(app, user, &id).await.map(drop),
        "transfer" => return transfer(&state, &staff, &id, form).await,
        "start" => visits::start(app, user, &id).await.map(drop),
        "answer" => visits::answer(app, user, &id, form.analysis.clone(), form.answer.clone()).await.map(drop),
        "escalate" => {
            let Some(request) = escalation_request(&form) else {
                let fields = FieldErrors::one("channel", "missing").0;
                return refused_with(&state, &staff, form, "error-validation", fields).await;
            };
            visits::escalate(app, user, &id, request).await.map(drop)
        }
        "survey" => match links::survey_link(app, user, &id).await {
            // Opens the visit's survey on the counter's tablet: a new link, nothing recorded yet.
            Ok(url) => return Ok(see_other(&url)),
            Err(e) => Err(e),
        },
        "copy" => {
            let Some(via) = CopyVia::parse(&form.via) else {
                let fields = FieldErrors::one("via", "missing").0;
                return refused_with(&state, &staff, form, "error-validation", fields).await;
            };
            visits::give_copy(app, user, &id, via).await.map(drop)
        }
        "archive" => visits::archive(app, user, &id).await.map(drop),
        "escalation-answer" => return answer_escalation(&state, &staff, &id, form).await,
        _ => return Err(PageError::NotFound(staff.lang)),
    };
    acted(&state, &staff, form, result).await
}

/// Back to the counter once the action is done; else the counter page with why it was refused.
async fn acted(
    state: &AppState,
    staff: &PageStaff,
    form: ActionForm,
    result: Result<(), AppError>,
) -> PageResult<Response> {
    match result {
        Ok(()) => Ok(see_other(&back(&form.counter))),
        Err(e) => {
            let (key, fields) = refusal_fields(e)?;
            refused_with(state, staff, form, key, fields).await
        }
    }
}

/// Transfers the visit to another counter; a refusal names the transfer's fields, which have
/// their own names on the page.
async fn transfer(state: &AppState, staff: &PageStaff, id: &str, form: ActionForm) -> PageResult<Response> {
    let to = TransferRequest {
        counter: form.transfer_counter.clone(),
        agent: Some(form.transfer_agent.clone()).filter(|a| !a.trim().is_empty()),
        reason: form.transfer_reason.clone(),
    };
    match visits::transfer(&state.app, &staff.user, id, to).await {
        Ok(_) => Ok(see_other(&back(&form.counter))),
        Err(e) => {
            // The transfer's fields have their own names on the page.
            let (key, fields) = refusal_fields(e)?;
            let fields = fields.into_iter().map(|(k, v)| (format!("transfer_{k}"), v)).collect();
            refused_with(state, staff, form, key, fields).await
        }
    }
}

/// Step 11 as typed: the channel (`tts` or `email`; none when neither), LKPP's ticket number if
/// any, what is escalated.
fn escalation_request(form: &ActionForm) -> Option<EscalationRequest> {
    let channel = match form.channel.as_str() {
        "tts" => Channel::Tts,
        "email" => Channel::Email,
        _ => return None,
    };
    let reference = form.external_reference.trim();
    Some(EscalationRequest {
        analysis: form.analysis.clone(),
        channel,
        summary: form.summary.clone(),
        external_reference: (!reference.is_empty()).then(|| reference.to_owned()),
    })
}

/// Records LKPP's answer to the escalation, typed in; a refusal keeps it at its visit.
async fn answer_escalation(state: &AppState, staff: &PageStaff, id: &str, form: ActionForm) -> PageResult<Response> {
    // Numbers restart daily and LKPP answers days later: the page first shows whose case the
    // answer goes to, and saves it once the agent confirms.
    if form.confirm != "1" && !form.lkpp_answer.trim().is_empty() {
        let typed =
            Typed { lkpp_answer: form.lkpp_answer, lkpp_visit: id.to_owned(), lkpp_confirm: true, ..Typed::default() };
        let page = build(state, staff, Some(&form.counter), None, typed).await?;
        return Ok(page.into_response());
    }
    match visits::answer_escalation(&state.app, &staff.user, id, form.lkpp_answer.clone()).await {
        Ok(_) => Ok(see_other(&back(&form.counter))),
        Err(e) => {
            // The answer's field here is LKPP's, not the service form's.
            let (key, fields) = refusal_fields(e)?;
            let fields = fields.into_iter().map(|(k, v)| (if k == "answer" { "lkpp_answer".into() } else { k }, v));
            refused_lkpp(state, staff, form, id, key, fields.collect()).await
        }
    }
}
