use chrono::{Duration, NaiveDate, TimeZone};

use super::watch::{AlertLevel, Watch, alert_level};
use super::*;
use crate::escalation::{Channel, LkppAnswer};
use crate::form::FormInput;
use crate::guest_book::Visitor;
use crate::settings::OfficeSettings;
use crate::visit::{EscalationRequest, LinePlace, Status, Visit};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 2, 0, 0).unwrap()
}

fn at(minute: i64) -> DateTime<Utc> {
    t0() + Duration::minutes(minute)
}

/// An event as written before standards were recorded with it.
fn ev(kind: EventKind, minute: i64) -> Event {
    Event { kind, at: at(minute), by: "fo".into(), from: None, to: Status::Waiting, data: serde_json::json!({}) }
}

fn with_standards(pairs: &[(u8, u32)]) -> OfficeSettings {
    let mut s = OfficeSettings::default();
    for &(step, minutes) in pairs {
        s.time_standards.retain(|x| x.step != step);
        s.time_standards.push(StepStandard { step, minutes });
    }
    s
}

fn opened(settings: &OfficeSettings, minute: i64) -> Visit {
    let visitor = Visitor { name: Some("Budi".into()), ..Default::default() };
    Visit::open("v1".into(), "20261128-0001".into(), "A".into(), visitor, settings, at(minute), "fo").0
}

fn form(category: &str) -> FormInput {
    FormInput { category: Some(category.into()), description: Some("Lupa password".into()), ..Default::default() }
}

fn ticket() -> LinePlace {
    LinePlace {
        number: "A-001".into(),
        day: NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
        position: 1,
        priority_lane: false,
        status_token: "t".repeat(64),
    }
}

/// Opened at 0, form saved at 2, checked at 3, called at 10 by `hd`, started at 12.
fn in_service(settings: &OfficeSettings, category: &str) -> Visit {
    in_service_with(settings, &form(category))
}

fn in_service_with(settings: &OfficeSettings, form: &FormInput) -> Visit {
    let mut v = opened(settings, 0);
    v.save_form(None, form, settings, at(2), "fo").unwrap();
    v.enqueue(ticket(), settings, at(3), "fo").unwrap();
    v.call("1", settings, at(10), "hd").unwrap();
    v.start(settings, at(12), "hd").unwrap();
    v
}

fn escalation(channel: Channel) -> EscalationRequest {
    EscalationRequest {
        analysis: "needs LKPP".into(),
        channel,
        summary: "server error".into(),
        external_reference: (channel == Channel::Tts).then(|| "TTS-1".into()),
    }
}

/// The visit's steps at `now`, judged with the default settings as the current ones.
fn steps_at(v: &Visit, minute: i64) -> Vec<StepRecord> {
    steps(&v.history, &default_standards(), None, at(minute))
}

fn last(steps: &[StepRecord], step: u8) -> StepRecord {
    steps.iter().rev().find(|r| r.step == step).cloned().expect("step recorded")
}

#[test]
fn steps_are_read_from_history_in_order() {
    let h = [
        ev(EventKind::Created, 0),
        ev(EventKind::FormSaved, 4),
        ev(EventKind::Queued, 6),
        ev(EventKind::Called, 20),
        ev(EventKind::Started, 22),
        ev(EventKind::Answered, 40),
        ev(EventKind::Archived, 45),
    ];
    let s = steps(&h, &default_standards(), None, at(60));
    let numbers: Vec<u8> = s.iter().map(|r| r.step).collect();
    assert_eq!(numbers, [1, 2, 3, 4, 5, 7, 8, 9, 10, 12]);
    let step3 = &s[2];
    assert_eq!(step3.minutes(), Some(4.0));
    assert_eq!(step3.within_standard, Some(true));
    let step9 = last(&s, 9);
    assert_eq!(step9.minutes(), Some(18.0));
    assert_eq!(step9.standard_minutes, Some(30));
    assert_eq!(last(&s, 12).minutes(), Some(5.0));
    assert_eq!(s[0].within_standard, None, "step 1 has no standard");
}

#[test]
fn a_step_checked_twice_appears_twice() {
    let h = [
        ev(EventKind::Created, 0),
        ev(EventKind::FormSaved, 2),
        ev(EventKind::FoundIncomplete, 3),
        ev(EventKind::FormSaved, 10),
        ev(EventKind::Queued, 11),
    ];
    let s = steps(&h, &default_standards(), None, t0());
    let numbers: Vec<u8> = s.iter().map(|r| r.step).collect();
    assert_eq!(numbers, [1, 2, 3, 4, 6, 3, 4, 5, 7]);
    // The second fill took 7 minutes, over the standard of 5.
    assert_eq!(s[5].within_standard, Some(false));
}

#[test]
fn saving_again_before_the_check_extends_step_three() {
    let settings = OfficeSettings::default();
    let mut v = opened(&settings, 0);
    v.save_form(None, &form("password"), &settings, at(2), "fo").unwrap();
    v.save_form(None, &form("password"), &settings, at(4), "fo").unwrap();
    let s = steps_at(&v, 6);
    assert_eq!(s.iter().map(|r| r.step).collect::<Vec<_>>(), [1, 2, 3, 4]);
    assert_eq!(s[2].finished_at, Some(at(4)));
    assert_eq!((s[3].started_at, s[3].finished_at), (at(4), None), "the check starts from the last save");
}

#[test]
fn a_running_step_past_its_standard_shows_the_overrun() {
    let h = [
        ev(EventKind::Created, 0),
        ev(EventKind::FormSaved, 1),
        ev(EventKind::Queued, 2),
        ev(EventKind::Called, 3),
        ev(EventKind::Started, 4),
    ];
    let early = steps(&h, &default_standards(), Some(15), at(10));
    assert_eq!(early.last().map(|r| r.within_standard), Some(None));
    let late = steps(&h, &default_standards(), Some(15), at(30));
    let step9 = late.last().unwrap();
    assert_eq!(step9.standard_minutes, Some(15), "analysis standard from the priority table");
    assert_eq!(step9.within_standard, Some(false));
}

#[test]
fn filling_the_form_is_open_from_the_guest_book_entry() {
    let v = opened(&OfficeSettings::default(), 0);
    let step3 = last(&steps_at(&v, 5), 3);
    assert_eq!((step3.started_at, step3.finished_at, step3.within_standard), (at(0), None, None));
    let step3 = last(&steps_at(&v, 6), 3);
    assert_eq!(step3.within_standard, Some(false), "past 5 minutes while the form is still out");
}

#[test]
fn the_check_is_open_from_the_save() {
    let settings = OfficeSettings::default();
    let mut v = opened(&settings, 0);
    v.save_form(None, &form("password"), &settings, at(2), "fo").unwrap();
    let step4 = last(&steps_at(&v, 7), 4);
    assert_eq!((step4.started_at, step4.finished_at, step4.within_standard), (at(2), None, None));
    assert_eq!(last(&steps_at(&v, 8), 4).within_standard, Some(false));
    let incomplete = crate::errors::FieldErrors::default();
    v.mark_incomplete(&incomplete, &settings, at(9), "fo").unwrap();
    let s = steps_at(&v, 15);
    assert_eq!(last(&s, 4).within_standard, Some(false), "the check took 7 minutes");
    let again = last(&s, 3);
    assert_eq!((again.started_at, again.finished_at), (at(9), None), "step 3 runs again");
    assert_eq!(again.within_standard, Some(false));
}

#[test]
fn the_archive_is_open_from_the_answer() {
    let settings = OfficeSettings::default();
    let mut v = in_service(&settings, "password");
    v.answer("analysis", "answer", &settings, at(20), "hd").unwrap();
    let step12 = last(&steps_at(&v, 30), 12);
    assert_eq!((step12.started_at, step12.finished_at, step12.within_standard), (at(20), None, None));
    assert_eq!(last(&steps_at(&v, 31), 12).within_standard, Some(false));
}

#[test]
fn an_email_escalation_is_step_eleven_until_it_has_left() {
    let settings = OfficeSettings::default();
    let mut v = in_service(&settings, "password");
    v.escalate(&escalation(Channel::Email), &settings, at(20), "hd").unwrap();
    let step11 = last(&steps_at(&v, 25), 11);
    assert_eq!((step11.finished_at, step11.within_standard), (None, None), "pending, within 5 minutes");
    assert_eq!(last(&steps_at(&v, 26), 11).within_standard, Some(false), "still pending after 6");
    v.escalation_sent(None, at(27), "mailer").unwrap();
    let step11 = last(&steps_at(&v, 40), 11);
    assert_eq!(step11.finished_at, Some(at(27)));
    assert_eq!(step11.within_standard, Some(false));
}

/// Step 11 by TTS ends when its ticket number is entered, with the escalation. The ticket was
/// made in LKPP's application at a time not recorded, so the step is instant: not measured, never
/// counted as within its standard, and the report counts it as not judged.
#[test]
fn a_tts_escalation_has_left_when_its_ticket_number_is_entered_and_is_not_judged() {
    let settings = OfficeSettings::default();
    let mut v = in_service(&settings, "password");
    v.escalate(&escalation(Channel::Tts), &settings, at(20), "hd").unwrap();
    let step11 = last(&steps_at(&v, 40), 11);
    assert_eq!((step11.finished_at, step11.instant, step11.within_standard), (Some(at(20)), true, None));
    assert_eq!((step11.standard_minutes, step11.measured_minutes), (Some(5), None), "its standard still shown");
    let r = report(&[(steps_at(&v, 40), None)], &default_standards());
    let row = &r.steps[10];
    assert_eq!((row.count, row.within, row.not_judged, row.compliance_pct, row.avg_minutes), (1, 0, 1, None, None));
    assert!(!row.instant, "step 11 by e-mail is measured");
}

#[test]
fn lkpps_answer_ends_an_escalation_whose_sending_was_not_recorded() {
    let settings = OfficeSettings::default();
    let mut v = in_service(&settings, "password");
    v.escalate(&escalation(Channel::Email), &settings, at(20), "hd").unwrap();
    v.answer_escalation(&LkppAnswer::typed("fixed"), at(24), "hd").unwrap();
    assert_eq!(last(&steps_at(&v, 40), 11).finished_at, Some(at(24)));
}

#[test]
fn a_step_keeps_the_standard_in_force_when_it_started() {
    let then = with_standards(&[(3, 10), (4, 8), (12, 20)]);
    let mut v = opened(&then, 0);
    // Judged at minute 7 against today's settings (step 3: 5 minutes): the 10 recorded hold.
    let step3 = last(&steps_at(&v, 7), 3);
    assert_eq!((step3.standard_minutes, step3.within_standard), (Some(10), None));
    v.save_form(None, &form("password"), &then, at(7), "fo").unwrap();
    let s = steps_at(&v, 14);
    assert_eq!(last(&s, 3).within_standard, Some(true));
    assert_eq!((last(&s, 4).standard_minutes, last(&s, 4).within_standard), (Some(8), None));
}

#[test]
fn the_analysis_keeps_the_categorys_target_in_force_when_it_started() {
    let settings = OfficeSettings::default();
    let v = in_service(&settings, "password");
    // The priority table now says 60 minutes for this category: the 15 recorded hold.
    let step9 = last(&steps(&v.history, &default_standards(), Some(60), at(30)), 9);
    assert_eq!((step9.standard_minutes, step9.within_standard), (Some(15), Some(false)));
    let uncategorised = in_service_with(&settings, &FormInput::default());
    assert_eq!(last(&steps_at(&uncategorised, 13), 9).standard_minutes, Some(30), "the step 9 setting");
}

#[test]
fn a_step_without_a_standard_when_it_started_has_none_later() {
    let mut then = OfficeSettings::default();
    then.time_standards.retain(|s| s.step != 3);
    let v = opened(&then, 0);
    let step3 = last(&steps_at(&v, 30), 3);
    assert_eq!((step3.standard_minutes, step3.within_standard), (None, None));
}

#[test]
fn histories_written_before_standards_were_recorded_use_the_current_settings() {
    let h = [ev(EventKind::Created, 0), ev(EventKind::FormSaved, 7)];
    let current = [StepStandard { step: 3, minutes: 8 }];
    let step3 = last(&steps(&h, &current, None, at(10)), 3);
    assert_eq!((step3.standard_minutes, step3.within_standard), (Some(8), Some(true)));
}

#[test]
fn each_transition_records_the_standards_of_the_steps_it_starts() {
    let settings = OfficeSettings::default();
    let mut v = in_service(&settings, "password");
    v.answer("analysis", "answer", &settings, at(20), "hd").unwrap();
    let recorded: Vec<(EventKind, serde_json::Value)> =
        v.history.iter().map(|e| (e.kind, e.data["standards"].clone())).collect();
    use serde_json::json;
    assert_eq!(
        recorded,
        [
            (EventKind::Created, json!({"2": 5, "3": 5})),
            (EventKind::FormSaved, json!({"4": 5})),
            (EventKind::Queued, json!({"5": 5, "7": 5})),
            (EventKind::Called, json!({})),
            (EventKind::Started, json!({"9": 15})),
            (EventKind::Answered, json!({"12": 10})),
        ]
    );
}

#[test]
fn steps_done_in_the_same_instant_as_another_are_marked_instant_and_not_judged() {
    let settings = OfficeSettings::default();
    let mut v = in_service(&settings, "password");
    v.answer("analysis", "answer", &settings, at(20), "hd").unwrap();
    let s = steps_at(&v, 21);
    for r in &s {
        assert_eq!(r.instant, matches!(r.step, 2 | 5 | 6 | 7 | 10), "step {}", r.step);
        if r.instant {
            assert_eq!(r.within_standard, None, "step {} is not counted as met", r.step);
        }
    }
    assert_eq!(last(&s, 5).standard_minutes, Some(5), "the standard is still shown");
}

#[test]
fn step_seven_is_received_by_the_line_until_a_helpdesk_agent_calls() {
    let settings = OfficeSettings::default();
    let mut v = opened(&settings, 0);
    v.save_form(None, &form("password"), &settings, at(2), "fo").unwrap();
    v.enqueue(ticket(), &settings, at(3), "fo").unwrap();
    let step7 = last(&steps_at(&v, 4), 7);
    assert_eq!((step7.by.as_str(), step7.received_by.as_deref()), ("fo", Some(LINE_RECEIVER)));
    v.call("2", &settings, at(10), "hd").unwrap();
    let step7 = last(&steps_at(&v, 11), 7);
    assert_eq!((step7.by.as_str(), step7.received_by.as_deref()), ("fo", Some("hd")));
    assert_eq!(last(&steps_at(&v, 11), 5).received_by, None, "only step 7 is a handover");
}

#[test]
fn a_form_filled_at_the_kiosk_is_not_measured() {
    let settings = OfficeSettings::default();
    let mut v = opened(&settings, 0);
    v.save_form(None, &form("password"), &settings, at(0), crate::KIOSK_ACTOR).unwrap();
    let s = steps_at(&v, 30);
    let step3 = last(&s, 3);
    assert_eq!((step3.instant, step3.within_standard), (true, None), "filled before it was recorded");
    let r = report(&[(s, None)], &default_standards());
    assert_eq!((r.steps[2].count, r.steps[2].compliance_pct, r.steps[2].avg_minutes), (1, None, None));
    assert!(!r.steps[2].instant, "step 3 is measured when the front office gives the form");
}

#[test]
fn a_cancelled_visit_leaves_no_form_step_running() {
    let settings = OfficeSettings::default();
    let mut v = opened(&settings, 0);
    v.cancel("left", at(3), "fo").unwrap();
    let s = steps_at(&v, 60);
    assert_eq!(s.iter().map(|r| r.step).collect::<Vec<_>>(), [1, 2]);
}

#[test]
fn waiting_time_runs_from_the_number_to_the_first_call() {
    let h =
        [ev(EventKind::Created, 0), ev(EventKind::Queued, 5), ev(EventKind::Called, 17), ev(EventKind::Recalled, 19)];
    assert_eq!(waiting_minutes(&h), Some(12.0));
}

#[test]
fn the_report_counts_compliance_and_percentiles() {
    let mk = |m: i64| {
        let h = [ev(EventKind::Created, 0), ev(EventKind::FormSaved, m)];
        (steps(&h, &default_standards(), None, t0()), Some(m as f64))
    };
    let visits: Vec<_> = (1..=10).map(mk).collect();
    let r = report(&visits, &default_standards());
    let s3 = &r.steps[2];
    assert_eq!((s3.count, s3.within), (10, 5));
    assert_eq!(s3.compliance_pct, Some(50.0));
    assert_eq!(s3.avg_minutes, Some(5.5));
    assert_eq!(s3.p90_minutes, Some(9.0));
    assert_eq!(s3.standards_applied, [AppliedStandard { minutes: 5, count: 10 }]);
    assert_eq!(r.waiting.count, 10);
    assert_eq!(r.steps[7].compliance_pct, None, "step 8 has no standard");
}

#[test]
fn the_report_shows_the_standards_applied_not_the_current_setting() {
    let settings = OfficeSettings::default();
    let answered = |category: &str, minute: i64| {
        let mut v = in_service(&settings, category);
        v.answer("analysis", "answer", &settings, at(minute), "hd").unwrap();
        (steps_at(&v, 60), None)
    };
    // Analysis from minute 12: password (15) in 10 minutes, and in 20; offer_upload (30) in 20.
    let one = report(&[answered("password", 22), answered("password", 32)], &default_standards());
    let step9 = &one.steps[8];
    assert_eq!(step9.standard_minutes, Some(15), "not the 30 minutes of the step 9 setting");
    assert_eq!((step9.within, step9.compliance_pct), (1, Some(50.0)));
    let mixed = report(&[answered("password", 22), answered("offer_upload", 32)], &default_standards());
    let step9 = &mixed.steps[8];
    assert_eq!(step9.standard_minutes, None, "held to several standards");
    assert_eq!(
        step9.standards_applied,
        [AppliedStandard { minutes: 15, count: 1 }, AppliedStandard { minutes: 30, count: 1 }]
    );
    assert_eq!((step9.within, step9.compliance_pct), (2, Some(100.0)));
    let none = report(&[], &default_standards());
    assert_eq!(none.steps[8].standard_minutes, Some(30), "nothing counted: the current setting");
}

#[test]
fn the_report_marks_instant_steps_instead_of_counting_them_as_met() {
    let settings = OfficeSettings::default();
    let mut v = in_service(&settings, "password");
    v.answer("analysis", "answer", &settings, at(20), "hd").unwrap();
    let r = report(&[(steps_at(&v, 30), None)], &default_standards());
    for s in &r.steps {
        assert_eq!(s.instant, matches!(s.step, 2 | 5 | 6 | 7 | 10), "step {}", s.step);
    }
    let step5 = &r.steps[4];
    assert_eq!((step5.count, step5.within, step5.compliance_pct, step5.avg_minutes), (1, 0, None, None));
    assert!(step5.standards_applied.is_empty());
    assert_eq!(step5.standard_minutes, Some(5));
    assert_eq!(r.steps[3].compliance_pct, Some(100.0), "the check itself is measured");
}

#[test]
fn standards_must_be_positive_and_unique() {
    let bad = [
        StepStandard { step: 3, minutes: 0 },
        StepStandard { step: 3, minutes: 5 },
        StepStandard { step: 13, minutes: 5 },
    ];
    let e = validate_standards(&bad).unwrap_err();
    assert_eq!(e.0.len(), 3);
    assert!(validate_standards(&default_standards()).is_ok());
}

#[test]
fn a_running_step_warns_at_80_percent_and_overruns_past_its_standard() {
    let settings = OfficeSettings::default();
    let v = opened(&settings, 0);
    let step3 = |minute: i64| alert_level(&last(&steps_at(&v, minute), 3), at(minute));
    assert_eq!(step3(3), None);
    assert_eq!(step3(4), Some(AlertLevel::Warning), "4 of 5 minutes");
    assert_eq!(step3(5), Some(AlertLevel::Warning), "at the standard, still within it");
    assert_eq!(alert_level(&last(&steps_at(&v, 5), 3), at(5) + Duration::seconds(1)), Some(AlertLevel::Overrun));
    let step1 = last(&steps_at(&v, 60), 1);
    assert_eq!(alert_level(&step1, at(60)), None, "no standard");
}

#[test]
fn the_watch_warns_once_and_overruns_once() {
    let settings = OfficeSettings::default();
    let v = opened(&settings, 0);
    let mut watch = Watch::default();
    let mut tick = |minute: i64| {
        let s = steps_at(&v, minute);
        watch.tick([(&v, s.as_slice())], at(minute)).into_iter().map(|a| (a.step, a.level)).collect::<Vec<_>>()
    };
    assert_eq!(tick(1), []);
    assert_eq!(tick(4), [(3, AlertLevel::Warning)]);
    assert_eq!(tick(5), [], "warned once");
    assert_eq!(tick(6), [(3, AlertLevel::Overrun)]);
    assert_eq!(tick(7), [], "overran once");
}

#[test]
fn the_watch_names_the_visit_and_the_step() {
    let settings = OfficeSettings::default();
    let v = in_service(&settings, "password");
    let s = steps_at(&v, 30);
    let alerts = Watch::default().tick([(&v, s.as_slice())], at(30));
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    let a = &alerts[0];
    assert_eq!(a.level, AlertLevel::Overrun, "first seen past its standard: only the overrun");
    assert_eq!(
        (a.visit_id.as_str(), a.reference.as_str(), a.number.as_deref()),
        ("v1", "20261128-0001", Some("A-001"))
    );
    assert_eq!((a.step, a.standard_minutes, a.started_at, a.counter.as_deref()), (9, 15, at(12), Some("1")));
}

#[test]
fn the_watch_tells_a_step_done_again_anew() {
    let settings = OfficeSettings::default();
    let mut v = opened(&settings, 0);
    let mut watch = Watch::default();
    let s = steps_at(&v, 6);
    assert_eq!(watch.tick([(&v, s.as_slice())], at(6)).len(), 1);
    v.save_form(None, &form("password"), &settings, at(7), "fo").unwrap();
    v.mark_incomplete(&crate::errors::FieldErrors::default(), &settings, at(8), "fo").unwrap();
    let s = steps_at(&v, 14);
    let again = watch.tick([(&v, s.as_slice())], at(14));
    assert_eq!(again.iter().map(|a| (a.step, a.started_at)).collect::<Vec<_>>(), [(3, at(8))]);
}

/// An event at a local time in Jakarta.
fn ev_local(kind: EventKind, d: u32, h: u32, m: u32) -> Event {
    let at = chrono_tz::Asia::Jakarta.with_ymd_and_hms(2026, 11, d, h, m, 0).unwrap().with_timezone(&Utc);
    Event { kind, at, by: "fo".into(), from: None, to: Status::Waiting, data: serde_json::json!({}) }
}

#[test]
fn in_working_time_a_step_over_a_closed_weekend_is_within_its_standard() {
    use crate::calendar::{Calendar, DaysOff, OpeningHours};
    // Friday 27 November 15:58 to Monday 30 November 08:02, WIB: four working minutes.
    let h = [ev_local(EventKind::Created, 27, 15, 58), ev_local(EventKind::FormSaved, 30, 8, 2)];
    let (hours, off) = (OpeningHours::default(), DaysOff::default());
    let working =
        Measure::Working { calendar: Calendar { hours: &hours, days_off: &off }, zone: chrono_tz::Asia::Jakarta };
    let now = h[1].at;
    let by_clock = last(&steps_measured(&h, &default_standards(), None, now, &Measure::Clock), 3);
    let at_work = last(&steps_measured(&h, &default_standards(), None, now, &working), 3);
    assert_eq!(by_clock.within_standard, Some(false));
    assert_eq!(by_clock.measured_minutes, by_clock.minutes());
    assert_eq!(at_work.within_standard, Some(true));
    assert_eq!(at_work.measured_minutes, Some(4.0));
    assert_eq!(at_work.minutes(), by_clock.minutes(), "the record's times are the clock's");
    // While running over the weekend, it is not yet over its standard in working time.
    let running = last(&steps_measured(&h[..1], &default_standards(), None, now, &working), 3);
    assert_eq!(running.within_standard, None);
    assert_eq!(super::watch::alert_level_measured(&running, now, &working), Some(AlertLevel::Warning), "4 of 5");
    assert_eq!(alert_level(&running, now), Some(AlertLevel::Overrun));
    let minutes_later = now + Duration::minutes(2);
    assert_eq!(super::watch::alert_level_measured(&running, minutes_later, &working), Some(AlertLevel::Overrun));
    // The report and the waiting time use the same measure.
    let report = report(&[(vec![at_work], None)], &default_standards());
    assert_eq!(report.steps[2].avg_minutes, Some(4.0));
    let queued = [ev_local(EventKind::Queued, 27, 15, 59), ev_local(EventKind::Called, 30, 8, 1)];
    assert_eq!(waiting_minutes_measured(&queued, &working), Some(2.0));
}

#[test]
fn each_step_names_who_performed_it_and_who_started_and_ended_it() {
    let h = [
        Event { by: "fo1".into(), ..ev(EventKind::Created, 0) },
        Event { by: "fo1".into(), ..ev(EventKind::FormSaved, 4) },
        Event { by: "fo2".into(), ..ev(EventKind::Queued, 6) },
        Event { by: "hd1".into(), ..ev(EventKind::Called, 20) },
        Event { by: "hd1".into(), ..ev(EventKind::Started, 22) },
        Event { by: "hd1".into(), ..ev(EventKind::Answered, 40) },
        Event { by: "sup".into(), ..ev(EventKind::CopyGiven, 44) },
        Event { by: "sup".into(), ..ev(EventKind::Archived, 45) },
    ];
    let s = steps(&h, &default_standards(), None, at(60));
    let check = last(&s, 4);
    assert_eq!((check.by.as_str(), check.started_by.as_str()), ("fo2", "fo1"), "the check is who checked");
    assert_eq!(check.finished_by.as_deref(), Some("fo2"));
    let archive = last(&s, 12);
    assert_eq!((archive.by.as_str(), archive.started_by.as_str()), ("sup", "hd1"), "the archive is who archived");
    let analysis = last(&s, 9);
    assert_eq!((analysis.by.as_str(), analysis.finished_by.as_deref()), ("hd1", Some("hd1")));
    let running = last(&steps(&h[..6], &default_standards(), None, at(41)), 12);
    assert_eq!((running.by.as_str(), running.finished_by.as_deref()), ("hd1", None), "running: who started it");
}

#[test]
fn a_finished_steps_time_and_verdict_are_fixed_when_it_finishes() {
    let mut settings = with_standards(&[(9, 30)]);
    let mut v = in_service(&settings, "other");
    v.answer("analysis", "answer", &settings, at(52), "hd").unwrap();
    // Written on a Saturday, while the office measured by the clock: 40 minutes, past 30.
    seal_finished_steps(&mut v.history, 0, &Measure::Clock);
    let sealed = v.history.iter().find(|e| e.kind == EventKind::Answered).unwrap();
    assert_eq!(sealed.data["measured"]["9"], serde_json::json!({"clock": 2_400_000, "working": 2_400_000}));
    // The office now measures working time: a Saturday counts nothing, yet the step keeps the
    // time and the verdict it finished with.
    settings.calendar.time_measure = crate::calendar::TimeMeasure::Working;
    let now_measured = visit_steps(&v, &settings, at(600));
    let step9 = last(&now_measured, 9);
    assert_eq!((step9.measured_minutes, step9.within_standard), (Some(40.0), Some(false)));
    // Unsealed, the same history would read 0 minutes, within.
    let mut unsealed = v.clone();
    for e in &mut unsealed.history {
        if let Some(data) = e.data.as_object_mut() {
            data.remove("measured");
        }
    }
    let recomputed = last(&visit_steps(&unsealed, &settings, at(600)), 9);
    assert_eq!(recomputed.within_standard, Some(true), "the weekend is not working time: {recomputed:?}");
    // Sealing again changes nothing.
    let before = v.history.clone();
    seal_finished_steps(&mut v.history, 0, &settings.working_time());
    assert_eq!(v.history, before);
}

/// A step still running past its standard is counted and judged as not within, and stays out of
/// the times (not known yet); within its standard it is not judged yet.
#[test]
fn the_report_counts_a_step_still_running_past_its_standard_as_not_within() {
    let settings = OfficeSettings::default();
    let mut v = in_service(&settings, "offer_upload");
    v.answer("analysis", "answer", &settings, at(20), "hd").unwrap();
    let within = report(&[(steps_at(&v, 30), None)], &default_standards());
    assert_eq!((within.steps[11].count, within.steps[11].running_over), (0, 0));
    let past = report(&[(steps_at(&v, 31), None)], &default_standards());
    let s12 = &past.steps[11];
    assert_eq!(
        (s12.count, s12.within, s12.running_over, s12.compliance_pct, s12.avg_minutes),
        (1, 0, 1, Some(0.0), None)
    );
    let mut totals = StepTotals { step: 12, ..StepTotals::default() };
    assert_eq!(totals.add_running_over(at(20), 10, at(30), &Measure::Clock), None);
    assert_eq!(totals.add_running_over(at(20), 10, at(31), &Measure::Clock), Some(11 * 60_000));
    assert_eq!((totals.count, totals.judged, totals.within, totals.running_over), (1, 1, 0, 1));
}

/// A visit cancelled at the visitor's request in service ends its analysis without a result: its
/// own outcome, with the reason, not judged as a met analysis, and counted apart by the report.
#[test]
fn an_analysis_cancelled_in_service_is_not_judged_and_keeps_its_reason() {
    let settings = OfficeSettings::default();
    let mut v = in_service(&settings, "password");
    v.cancel("Pengunjung harus pergi", at(20), "hd").unwrap();
    let step9 = last(&steps_at(&v, 40), 9);
    assert_eq!((step9.finished_at, step9.within_standard), (Some(at(20)), None));
    assert_eq!(
        (step9.outcome, step9.reason.as_deref()),
        (Some(StepOutcome::Cancelled), Some("Pengunjung harus pergi"))
    );
    let r = report(&[(steps_at(&v, 40), None)], &default_standards());
    let row = &r.steps[8];
    assert_eq!(
        (row.count, row.within, row.cancelled, row.not_judged, row.compliance_pct, row.avg_minutes),
        (1, 0, 1, 1, None, None)
    );
    // Cancelled while waiting: no analysis ran, none is recorded.
    let mut waiting = opened(&settings, 0);
    waiting.save_form(None, &form("password"), &settings, at(2), "fo").unwrap();
    waiting.enqueue(ticket(), &settings, at(3), "fo").unwrap();
    waiting.cancel("pulang", at(5), "fo").unwrap();
    assert!(!steps_at(&waiting, 10).iter().any(|r| r.step == 9));
}
