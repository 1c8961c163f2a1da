//! What a helpdesk counter and the supervisor's overview show, read by queries made for them:
//! the visits at a counter by the counter's index, the escalations still open by their status,
//! never the newest visits filtered in memory.

use chrono::{DateTime, Utc};
use loket_domain::auth::Permission;
use loket_domain::office::Counter;
use loket_domain::settings::OfficeSettings;
use loket_domain::standards::watch::{AlertLevel, alert_level_measured};
use loket_domain::standards::{StepRecord, running_step, visit_steps};
use loket_domain::{Status, Visit};
use loket_store::{OutboxEntry, User};

use crate::{App, AppResult, require};

/// The most open escalations a counter lists, oldest first.
pub const ESCALATIONS_LISTED: u32 = 500;
/// The most mails of the outbox read for the failing ones.
const OUTBOX_READ: u32 = 200;

/// A visit at a counter with its steps now, and how its running step stands against its
/// standard (the domain's rule: a warning from 80%, an overrun past 100%, in the office's
/// measure).
#[derive(Debug, Clone)]
pub struct AtCounter {
    pub visit: Visit,
    pub steps: Vec<StepRecord>,
    pub running: Option<StepRecord>,
    pub alert: Option<AlertLevel>,
    /// Whole seconds until the called number may be called again or skipped (the office's
    /// spacing of calls); 0 when it may be now, or the visit is not called.
    pub next_call_in: u32,
}

impl AtCounter {
    fn new(visit: Visit, settings: &OfficeSettings, now: DateTime<Utc>) -> AtCounter {
        let steps = visit_steps(&visit, settings, now);
        let running = running_step(&steps).cloned();
        let alert = running.as_ref().and_then(|r| alert_level_measured(r, now, &settings.measure()));
        let next_call_in = match visit.status {
            Status::Called => settings.office.calling.seconds_until_next_call(visit.queue.called_at, now),
            _ => 0,
        };
        AtCounter { visit, steps, running, alert, next_call_in }
    }
}

/// One counter's screen.
#[derive(Debug, Clone)]
pub struct CounterView {
    pub counter: Counter,
    /// The visits waiting for the services the counter serves, in calling order.
    pub waiting: Vec<Visit>,
    /// The visit called or served here now.
    pub current: Option<AtCounter>,
    /// Visits answered or escalated here: step 12, the copy and the archive.
    pub to_archive: Vec<Visit>,
    /// Escalations still waiting for LKPP's answer, of every counter (it comes days later).
    pub escalations: Vec<Visit>,
    /// Mails of the outbox, newest first: the page shows those that fail.
    pub outbox: Vec<OutboxEntry>,
    /// The counters a visit may be transferred to: every other one.
    pub others: Vec<Counter>,
    /// An SMTP server is set: mail can leave. Until it is, e-mailed escalations and copies wait.
    pub mail_ready: bool,
}

/// The screen of counter `code`; `None` for a counter the office does not have.
pub async fn view(app: &App, staff: &User, code: &str) -> AppResult<Option<CounterView>> {
    require(staff, Permission::Helpdesk)?;
    let settings = app.settings().await?;
    let Some(counter) = settings.counter(code).cloned() else {
        return Ok(None);
    };
    let now = app.now();
    let store = app.store();
    let line = store.queue(None).await?;
    let waiting = line.waiting.into_iter().filter(|v| counter.services.contains(&v.service)).collect();
    let here = store
        .visits_at_counter(Some(code), &[Status::Called, Status::InService, Status::Answered, Status::Escalated])
        .await?;
    let (current, to_archive): (Vec<Visit>, Vec<Visit>) =
        here.into_iter().partition(|v| matches!(v.status, Status::Called | Status::InService));
    let current = current.into_iter().next().map(|v| AtCounter::new(v, &settings, now));
    let escalations = store.open_escalations(ESCALATIONS_LISTED).await?;
    let outbox = store.outbox(OUTBOX_READ).await?;
    let others = settings.counters.iter().filter(|c| c.code != counter.code).cloned().collect();
    let mail_ready = settings.mail.configured();
    Ok(Some(CounterView { counter, waiting, current, to_archive, escalations, outbox, others, mail_ready }))
}

/// The supervisor's overview: each counter with the visit it calls or serves, the waiting count
/// of each service, and the outbox.
#[derive(Debug, Clone)]
pub struct Overview {
    pub counters: Vec<(Counter, Option<AtCounter>)>,
    /// By service code.
    pub waiting: std::collections::BTreeMap<String, u64>,
    /// The mails' addressees are empty for a visitor's mail when `staff` may not read visits.
    pub outbox: Vec<OutboxEntry>,
    /// An SMTP server is set: mail can leave.
    pub mail_ready: bool,
}

pub async fn overview(app: &App, staff: &User) -> AppResult<Overview> {
    require(staff, Permission::Supervise)?;
    let settings = app.settings().await?;
    let now = app.now();
    let store = app.store();
    let mut busy = store.visits_at_counter(None, &[Status::Called, Status::InService]).await?;
    let counters = settings
        .counters
        .iter()
        .map(|c| {
            let visit = busy
                .iter()
                .position(|v| v.queue.counter.as_deref() == Some(c.code.as_str()))
                .map(|i| AtCounter::new(busy.swap_remove(i), &settings, now));
            (c.clone(), visit)
        })
        .collect();
    let waiting = store.display(None).await?.waiting;
    let mut outbox = store.outbox(OUTBOX_READ).await?;
    if !loket_domain::auth::allows(&staff.roles, Permission::ReadVisits) {
        // An admin alone reads no visitor's personal data: the visitor's address of a copy or
        // an answer is left out (the escalation's is LKPP's, the office's own setting).
        for mail in outbox.iter_mut().filter(|m| m.kind != "escalation") {
            mail.to = String::new();
        }
    }
    Ok(Overview { counters, waiting, outbox, mail_ready: settings.mail.configured() })
}
