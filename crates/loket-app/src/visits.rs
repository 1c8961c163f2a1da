//! The visit through the SOP: the front office (steps 1-7), the counters (step 8) and the
//! helpdesk (steps 9-12). Each command is one transaction of the store; the rule it applies is the
//! domain's.

use chrono::{DateTime, NaiveDate, Utc};
use loket_domain::archive::CopyVia;
use loket_domain::auth::{Permission, Role};
use loket_domain::escalation::LkppAnswer;
use loket_domain::form::FormInput;
use loket_domain::guest_book::{Contact, VisitorInput};
use loket_domain::settings::OfficeSettings;
use loket_domain::visit::{EscalationRequest, TransferRequest};
use loket_domain::{Event, FieldErrors, Refused, Status, Visit};
use loket_store::{Line, OpenVisit, Skipped, User, VisitFilter};

use crate::{App, AppError, AppResult, require};

/// The most visits one list answers.
pub const LISTED: u32 = 500;

/// Applies one domain transition to the visit, as `staff`, in one transaction of the store.
async fn change<F>(app: &App, staff: &User, permission: Permission, id: &str, transition: F) -> AppResult<Visit>
where
    F: FnOnce(&mut Visit, &OfficeSettings, DateTime<Utc>, &str) -> Result<Event, Refused> + Send + 'static,
{
    require(staff, permission)?;
    let now = app.now();
    let by = staff.username.clone();
    Ok(app.store().change_visit(id, now, Box::new(move |v, s| transition(v, s, now, &by))).await?)
}

/// Whether `staff` may act on a visit another agent serves: a supervisor may (the event names
/// them); an agent acts only on the visits they serve ([`Visit::check_server`]).
pub fn acts_for_anyone(staff: &User) -> bool {
    staff.roles.contains(&Role::Supervisor)
}

/// Applies a transition the visit's server makes, in one transaction: refused (409
/// `served_by_another`) when another agent serves the visit, unless `staff` is a supervisor.
async fn serve<F>(app: &App, staff: &User, id: &str, transition: F) -> AppResult<Visit>
where
    F: FnOnce(&mut Visit, &OfficeSettings, DateTime<Utc>, &str) -> Result<Event, Refused> + Send + 'static,
{
    let for_anyone = acts_for_anyone(staff);
    change(app, staff, Permission::Helpdesk, id, move |v, s, now, by| {
        v.check_server(by, for_anyone)?;
        transition(v, s, now, by)
    })
    .await
}

/// The same check before a use case the store runs whole (the skip, the transfer, the archive),
/// on the visit as read just before. The archive's visit is answered: no call or transfer can
/// change its server any more. For the skip and the transfer, a transfer of the same visit
/// between this read and the write is the one case it misses (see docs/decisions.md).
async fn check_server(app: &App, staff: &User, id: &str) -> AppResult<()> {
    let visit = app.store().visit(id).await?.ok_or(AppError::NotFound)?;
    Ok(visit.check_server(&staff.username, acts_for_anyone(staff))?)
}

/// Steps 1-2: the guest book entry, and the form issued.
pub async fn open(app: &App, staff: &User, visitor: VisitorInput, service: Option<String>) -> AppResult<Visit> {
    require(staff, Permission::FrontOffice)?;
    let open = OpenVisit { service, visitor, form: None };
    Ok(app.store().open_visit(open, app.now(), &staff.username).await?)
}

/// Steps 1-3 by the visitor at the kiosk (no sign-in); the front office then checks the form.
pub async fn open_at_kiosk(
    app: &App,
    visitor: VisitorInput,
    service: Option<String>,
    form: FormInput,
) -> AppResult<Visit> {
    let open = OpenVisit { service, visitor, form: Some(form) };
    Ok(app.store().open_visit(open, app.now(), loket_domain::KIOSK_ACTOR).await?)
}

/// What a visitor's own form at the kiosk page lacks of what the office requires: the check of
/// step 4, run before the form is handed in, so that the visitor completes it at the tablet. The
/// kiosk API takes a form as handed in (the front office checks it), as its contract says.
pub async fn kiosk_form_missing(app: &App, visitor: &VisitorInput, form: &FormInput) -> AppResult<FieldErrors> {
    let settings = app.settings().await?;
    let visitor = loket_domain::guest_book::Visitor::default().apply(visitor);
    let form = loket_domain::form::Form::default().apply(form, &settings.priorities);
    match (visitor, form) {
        (Ok(visitor), Ok(form)) => Ok(loket_domain::form::completeness(
            &visitor,
            &form,
            &settings.office.required_fields,
            &settings.priorities,
        )),
        // What is wrong as typed is said by the opening itself.
        _ => Ok(FieldErrors::default()),
    }
}

/// The latest visit of a returning visitor, by phone or e-mail; `None` when nobody gave it.
pub async fn returning(app: &App, staff: &User, contact: &Contact) -> AppResult<Option<Visit>> {
    require(staff, Permission::FrontOffice)?;
    Ok(app.store().last_visit_by_contact(contact).await?)
}

/// A visit, by its id.
pub async fn get(app: &App, staff: &User, id: &str) -> AppResult<Visit> {
    require(staff, Permission::ReadVisits)?;
    app.store().visit(id).await?.ok_or(AppError::NotFound)
}

/// A visit as its record is read (by staff and auditors): the visit with its history, its steps
/// in the office's measure, and every fixed version of its form.
pub struct VisitRecord {
    pub visit: Visit,
    pub steps: Vec<loket_domain::standards::StepRecord>,
    pub versions: Vec<loket_store::ArchivedVersion>,
}

/// The record of one visit: what was written and corrected, each step, each event, each
/// document given or archived.
pub async fn record(app: &App, staff: &User, id: &str) -> AppResult<VisitRecord> {
    let visit = get(app, staff, id).await?;
    let settings = app.settings().await?;
    let steps = loket_domain::standards::visit_steps(&visit, &settings, app.now());
    let versions = app.store().archived_versions(id).await?;
    Ok(VisitRecord { visit, steps, versions })
}

/// The visit's history: every transition, who, when, from, to (the audit trail).
pub async fn history(app: &App, staff: &User, id: &str) -> AppResult<Vec<Event>> {
    get(app, staff, id).await?;
    Ok(app.store().history(id).await?)
}

/// The visits of a status and an office day (either may be absent), newest first, at most
/// [`LISTED`]; `status` and `day` as typed, each refused by name when it is not one.
pub async fn list(app: &App, staff: &User, status: Option<&str>, day: Option<&str>) -> AppResult<Vec<Visit>> {
    require(staff, Permission::ReadVisits)?;
    let mut errors = FieldErrors::default();
    let status = status.filter(|s| !s.is_empty()).and_then(|s| {
        let parsed = Status::parse(s);
        if parsed.is_none() {
            errors.add("status", "invalid");
        }
        parsed
    });
    let day = parse_day(day, "date", &mut errors);
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    Ok(app.store().visits(VisitFilter { status, day, limit: Some(LISTED) }).await?)
}

/// The visits of one office day, newest first: the front office's guest book of the day.
pub async fn of_day(app: &App, staff: &User, day: NaiveDate) -> AppResult<Vec<Visit>> {
    require(staff, Permission::ReadVisits)?;
    Ok(app.store().visits(VisitFilter { status: None, day: Some(day), limit: Some(LISTED) }).await?)
}

/// An office day as typed, exactly `YYYY-MM-DD`; absent when empty, and the field named in
/// `errors` when it is not a day.
pub fn parse_day(value: Option<&str>, field: &str, errors: &mut FieldErrors) -> Option<NaiveDate> {
    let v = value.map(str::trim).filter(|s| !s.is_empty())?;
    // Exactly `YYYY-MM-DD`: the parser alone would also take `2026-1-5`.
    let shaped = v.len() == 10
        && v.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    match NaiveDate::parse_from_str(v, "%Y-%m-%d").ok().filter(|_| shaped) {
        Some(d) => Some(d),
        None => {
            errors.add(field, "invalid");
            None
        }
    }
}

/// Step 3: saves whatever is given, complete or not; each given field is checked for its format.
pub async fn save_form(
    app: &App,
    staff: &User,
    id: &str,
    visitor: Option<VisitorInput>,
    form: FormInput,
) -> AppResult<Visit> {
    change(app, staff, Permission::FrontOffice, id, move |v, s, now, by| {
        v.save_form(visitor.as_ref(), &form, s, now, by)
    })
    .await
}

/// Step 4: a complete form gets its queue number (steps 5 and 7); an incomplete one is refused
/// naming each field (step 6), and keeps everything entered.
pub async fn check(app: &App, staff: &User, id: &str, priority_lane: bool) -> AppResult<Visit> {
    require(staff, Permission::FrontOffice)?;
    let checked = app.store().check_visit(id, priority_lane, app.now(), &staff.username).await?;
    match checked.incomplete {
        Some(fields) => Err(AppError::Refused(Refused::FormIncomplete(fields))),
        None => Ok(checked.visit),
    }
}

/// The front office's one step: the form saved (step 3), then checked (step 4). A refused save
/// checks nothing; an incomplete form is refused naming each field, everything typed kept.
pub async fn save_and_check(
    app: &App,
    staff: &User,
    id: &str,
    visitor: VisitorInput,
    form: FormInput,
    priority_lane: bool,
) -> AppResult<Visit> {
    save_form(app, staff, id, Some(visitor), form).await?;
    check(app, staff, id, priority_lane).await
}

/// Only before service starts, with the reason.
pub async fn cancel(app: &App, staff: &User, id: &str, reason: String) -> AppResult<Visit> {
    change(app, staff, Permission::Cancel, id, move |v, _, now, by| v.cancel(&reason, now, by)).await
}

/// Step 8: the first visit in line for the counter (of one service, or of every service it
/// serves) called there; `None` when nobody waits.
pub async fn call_next(app: &App, staff: &User, counter: &str, service: Option<&str>) -> AppResult<Option<Visit>> {
    require(staff, Permission::Helpdesk)?;
    Ok(app.store().call_next(counter, service, app.now(), &staff.username).await?)
}

/// Step 8: the same number called again; three calls in all.
pub async fn recall(app: &App, staff: &User, id: &str) -> AppResult<Visit> {
    serve(app, staff, id, |v, settings, now, by| v.recall(settings.office.calling, now, by)).await
}

/// Step 8: skipped after the third call; the next in line is called at the same counter.
pub async fn skip(app: &App, staff: &User, id: &str) -> AppResult<Skipped> {
    require(staff, Permission::Helpdesk)?;
    check_server(app, staff, id).await?;
    Ok(app.store().skip(id, app.now(), &staff.username).await?)
}

/// A called or in-service visit sent to another counter (and colleague), with the reason: it
/// keeps its place and timers, and its number shows at the new counter.
pub async fn transfer(app: &App, staff: &User, id: &str, to: TransferRequest) -> AppResult<Visit> {
    require(staff, Permission::Helpdesk)?;
    check_server(app, staff, id).await?;
    if let Some(agent) = to.agent.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        let colleague = app.store().user(agent).await?;
        let serves = colleague
            .is_some_and(|c| !c.user.disabled && loket_domain::auth::allows(&c.user.roles, Permission::Helpdesk));
        if !serves {
            return Err(AppError::field("agent", "unknown"));
        }
    }
    Ok(app.store().transfer_visit(id, &to, app.now(), &staff.username).await?)
}

/// The visitor is at the counter.
pub async fn start(app: &App, staff: &User, id: &str) -> AppResult<Visit> {
    serve(app, staff, id, |v, s, now, by| v.start(s, now, by)).await
}

/// Steps 9-10: analysed and answered in writing.
pub async fn answer(app: &App, staff: &User, id: &str, analysis: String, answer: String) -> AppResult<Visit> {
    serve(app, staff, id, move |v, s, now, by| v.answer(&analysis, &answer, s, now, by)).await
}

/// Steps 9 and 11: escalated to the LKPP helpdesk.
pub async fn escalate(app: &App, staff: &User, id: &str, request: EscalationRequest) -> AppResult<Visit> {
    serve(app, staff, id, move |v, s, now, by| v.escalate(&request, s, now, by)).await
}

/// LKPP's answer, typed in. After the archive, the archive gets a new version. Any helpdesk
/// agent may type it in, not only the visit's server: an escalation waits at every counter, and
/// LKPP may answer days later, when its agent is away (the history names who typed it).
pub async fn answer_escalation(app: &App, staff: &User, id: &str, answer: String) -> AppResult<Visit> {
    change(app, staff, Permission::Helpdesk, id, move |v, _, now, by| {
        v.answer_escalation(&LkppAnswer::typed(&answer), now, by)
    })
    .await
}

/// Step 12: the visitor's copy of the form.
pub async fn give_copy(app: &App, staff: &User, id: &str, via: CopyVia) -> AppResult<Visit> {
    require(staff, Permission::Helpdesk)?;
    Ok(app.store().give_copy(id, via, app.now(), &staff.username, acts_for_anyone(staff)).await?)
}

/// Step 12: archived once the copy is recorded.
pub async fn archive(app: &App, staff: &User, id: &str) -> AppResult<Visit> {
    require(staff, Permission::Helpdesk)?;
    check_server(app, staff, id).await?;
    Ok(app.store().archive_visit(id, app.now(), &staff.username).await?)
}

/// The line of one service or of all: who waits, in calling order, and who is called.
pub async fn line(app: &App, staff: &User, service: Option<&str>) -> AppResult<Line> {
    require(staff, Permission::ReadVisits)?;
    Ok(app.store().queue(service.filter(|s| !s.is_empty())).await?)
}
