//! Each supervisor's report as tables of text (captions, column names, cells), the one shape the
//! page, the CSV, the spreadsheet and the PDF all show.

use loket_documents::ReportTable;
use loket_domain::facts::Outcome;
use loket_domain::format::{self, Lang};
use loket_domain::reports::{DayRecap, Durations, Escalations, KeyCount, Overruns, Recap, Times};
use loket_domain::settings::OfficeSettings;
use loket_domain::standards::TimeStandardsReport;

use super::i18n::Tr;

/// The reports of the page, one tab each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Report {
    Recap,
    Times,
    Standards,
    Overruns,
    Escalations,
}

impl Report {
    pub const ALL: [Report; 5] =
        [Report::Recap, Report::Times, Report::Standards, Report::Overruns, Report::Escalations];

    pub fn code(self) -> &'static str {
        match self {
            Report::Recap => "recap",
            Report::Times => "times",
            Report::Standards => "time-standards",
            Report::Overruns => "overruns",
            Report::Escalations => "escalations",
        }
    }

    pub fn parse(code: &str) -> Option<Report> {
        Report::ALL.into_iter().find(|r| r.code() == code)
    }

    pub fn title_key(self) -> &'static str {
        match self {
            Report::Recap => "reports-recap",
            Report::Times => "reports-times",
            Report::Standards => "reports-standards",
            Report::Overruns => "reports-overruns",
            Report::Escalations => "reports-escalations",
        }
    }
}

/// A report's figures, as the store gave them.
pub enum Shown {
    Recap(Recap),
    Times(Times),
    Standards(TimeStandardsReport),
    Overruns(Overruns),
    Escalations(Escalations),
}

/// Minutes with two decimals, as the page's language writes them (`83,33`).
fn minutes(lang: Lang, v: Option<f64>) -> String {
    format::maybe_decimal(lang, v, 2)
}

/// A count, its thousands grouped (`1.234`).
fn n(lang: Lang, v: u64) -> String {
    format::count(lang, v)
}

fn cols(t: Tr, keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| t.get(k)).collect()
}

pub fn outcome_name(t: Tr, outcome: Outcome) -> String {
    match outcome {
        Outcome::Open => t.get("reports-outcome-open"),
        o => t.get(&format!("status-{}", o.as_str().replace('_', "-"))),
    }
}

fn outcome_cells(d: &DayRecap) -> [u64; 6] {
    [d.answered, d.escalated, d.no_show, d.not_served, d.cancelled, d.open]
}

fn recap_tables(t: Tr, r: &Recap, settings: &OfficeSettings) -> Vec<ReportTable> {
    let lang = t.lang;
    let outcome_columns: Vec<String> = Outcome::ALL.iter().map(|&o| outcome_name(t, o)).collect();
    let mut outcomes = ReportTable {
        caption: t.get("reports-by-outcome"),
        columns: cols(t, &["reports-outcome", "report-count"]),
        rows: Vec::new(),
    };
    for (name, count) in outcome_columns.iter().zip(outcome_cells(&r.outcomes)) {
        outcomes.rows.push(vec![name.clone(), n(lang, count)]);
    }
    outcomes.rows.push(vec![t.get("reports-total"), n(lang, r.visits)]);
    outcomes.rows.push(vec![t.get("reports-cancelled-in-service"), n(lang, r.outcomes.cancelled_in_service)]);
    let mut days =
        ReportTable { caption: t.get("reports-by-day"), columns: vec![t.get("reports-day")], rows: Vec::new() };
    days.columns.push(t.get("reports-visits"));
    days.columns.extend(outcome_columns);
    days.columns.push(t.get("reports-cancelled-in-service"));
    for d in &r.by_day {
        let mut row = vec![d.day.map(|d| format::date(lang, d)).unwrap_or_default(), n(lang, d.visits)];
        row.extend(outcome_cells(d).iter().map(|&c| n(lang, c)));
        row.push(n(lang, d.cancelled_in_service));
        days.rows.push(row);
    }
    let keyed = |caption: &str, key: &str, counts: &[KeyCount], name: &dyn Fn(&str) -> String| ReportTable {
        caption: t.get(caption),
        columns: cols(t, &[key, "report-count"]),
        rows: counts
            .iter()
            .map(|k| vec![k.key.as_deref().map_or_else(|| t.get("reports-none"), name), n(lang, k.count)])
            .collect(),
    };
    let role = |code: &str| t.get(&format!("visitor-role-{code}"));
    // By its name in the priority table; the code only for a category no longer in it.
    let category = |code: &str| settings.priorities.find(code).map_or_else(|| code.to_owned(), |c| c.name.clone());
    let agents = ReportTable {
        caption: t.get("reports-by-agent"),
        columns: cols(t, &["reports-agent", "status-answered", "status-escalated"]),
        rows: r.by_agent.iter().map(|a| vec![a.agent.clone(), n(lang, a.answered), n(lang, a.escalated)]).collect(),
    };
    let c = &r.copies;
    let copies = ReportTable {
        caption: t.get("reports-copies"),
        columns: cols(t, &["reports-copy", "report-count"]),
        rows: [
            ("reports-copy-given", c.given),
            ("reports-copy-pending", c.pending),
            ("reports-copy-declined", c.declined),
            ("reports-copy-not-recorded", c.not_recorded),
            ("reports-copy-not-given", c.not_given()),
        ]
        .iter()
        .map(|(key, count)| vec![t.get(key), n(t.lang, *count)])
        .collect(),
    };
    vec![
        outcomes,
        copies,
        keyed("reports-by-role", "reports-role", &r.by_role, &role),
        keyed("reports-by-category", "reports-category", &r.by_category, &category),
        agents,
        days,
    ]
}

fn durations_table(t: Tr, caption: &str, d: &Durations) -> [ReportTable; 2] {
    let lang = t.lang;
    let summary = ReportTable {
        caption: t.get(caption),
        columns: cols(t, &["report-count", "report-avg", "reports-median", "report-p90", "reports-max"]),
        rows: vec![vec![
            n(lang, d.count),
            minutes(lang, d.avg_minutes),
            minutes(lang, d.median_minutes),
            minutes(lang, d.p90_minutes),
            minutes(lang, d.max_minutes),
        ]],
    };
    let distribution = ReportTable {
        caption: format!("{} — {}", t.get(caption), t.get("reports-distribution")),
        columns: cols(t, &["reports-minutes", "report-count"]),
        rows: d
            .distribution
            .iter()
            .map(|b| {
                let range = match b.to_minutes {
                    Some(to) => format!("{}–{}", b.from_minutes, to),
                    None => format!("≥ {}", b.from_minutes),
                };
                vec![range, n(lang, b.count)]
            })
            .collect(),
    };
    [summary, distribution]
}

fn standards_table(t: Tr, r: &TimeStandardsReport) -> ReportTable {
    let lang = t.lang;
    ReportTable {
        caption: t.get("report-steps"),
        columns: cols(
            t,
            &[
                "report-step",
                "report-standard",
                "report-count",
                "report-within",
                "report-running-over",
                "report-not-judged",
                "report-cancelled",
                "report-compliance",
                "report-avg",
                "report-p90",
            ],
        ),
        rows: r
            .steps
            .iter()
            .map(|s| {
                vec![
                    s.step.to_string(),
                    s.standard_minutes.map_or_else(|| format::NONE.to_owned(), |m| n(lang, m.into())),
                    n(lang, s.count),
                    if s.instant { format::NONE.to_owned() } else { n(lang, s.within) },
                    n(lang, s.running_over),
                    n(lang, s.not_judged),
                    n(lang, s.cancelled),
                    s.compliance_pct.map_or_else(|| format::NONE.to_owned(), |p| format::percent(lang, p, 2)),
                    minutes(lang, s.avg_minutes),
                    minutes(lang, s.p90_minutes),
                ]
            })
            .collect(),
    }
}

fn overruns_table(t: Tr, overruns: &Overruns, settings: &OfficeSettings) -> ReportTable {
    let lang = t.lang;
    let (total, list) = (overruns.total(), &overruns.list);
    let zone = settings.zone();
    ReportTable {
        caption: t.with2("reports-overruns-listed", "listed", list.len(), "total", total),
        columns: cols(
            t,
            &[
                "reports-reference",
                "reports-number",
                "report-step",
                "reports-by",
                "reports-started",
                "reports-took",
                "report-standard",
                "reports-state",
            ],
        ),
        rows: list
            .iter()
            .map(|o| {
                vec![
                    o.reference.clone(),
                    o.number.clone().unwrap_or_default(),
                    o.step.to_string(),
                    o.by.clone(),
                    format::date_time(lang, o.started_at, zone),
                    format::decimal(lang, o.minutes, 2),
                    n(lang, o.standard_minutes.into()),
                    t.get(if o.running { "reports-running" } else { "reports-finished" }),
                ]
            })
            .collect(),
    }
}

fn escalations_tables(t: Tr, e: &Escalations, settings: &OfficeSettings) -> [ReportTable; 2] {
    let lang = t.lang;
    let zone = settings.zone();
    let summary = ReportTable {
        caption: t.get("reports-escalations"),
        columns: cols(
            t,
            &[
                "report-count",
                "reports-open",
                "reports-answered",
                "reports-open-age",
                "reports-open-max",
                "reports-answered-age",
            ],
        ),
        rows: vec![vec![
            n(lang, e.count),
            n(lang, e.open),
            n(lang, e.answered),
            minutes(lang, e.open_avg_age_minutes),
            minutes(lang, e.open_max_age_minutes),
            minutes(lang, e.answered_avg_age_minutes),
        ]],
    };
    let local = |at: chrono::DateTime<chrono::Utc>| format::date_time(lang, at, zone);
    // The channel as a word (`E-mail`, `TTS`); its code only in the JSON API.
    let channel = |code: &str| {
        let key = format!("reports-channel-{code}");
        if t.has(&key) { t.get(&key) } else { code.to_owned() }
    };
    let list = ReportTable {
        caption: t.get("reports-escalation-list"),
        columns: cols(
            t,
            &[
                "reports-reference",
                "reports-channel",
                "reports-status",
                "reports-by",
                "reports-escalated-at",
                "reports-answered-at",
                "reports-age",
            ],
        ),
        rows: e
            .rows
            .iter()
            .map(|r| {
                vec![
                    r.reference.clone(),
                    channel(&r.channel),
                    t.get(&format!("reports-escalation-{}", r.status)),
                    r.escalated_by.clone(),
                    local(r.escalated_at),
                    r.answered_at.map(local).unwrap_or_default(),
                    format::decimal(lang, r.age_minutes, 2),
                ]
            })
            .collect(),
    };
    [summary, list]
}

/// The tables of a report, in the language of `t`.
pub fn tables(t: Tr, shown: &Shown, settings: &OfficeSettings) -> Vec<ReportTable> {
    let lang = t.lang;
    match shown {
        Shown::Recap(r) => recap_tables(t, r, settings),
        Shown::Times(times) => {
            let mut out = durations_table(t, "reports-waiting", &times.waiting).to_vec();
            out.extend(durations_table(t, "reports-service", &times.service));
            out
        }
        Shown::Standards(r) => {
            let waiting = ReportTable {
                caption: t.get("reports-waiting"),
                columns: cols(t, &["report-count", "report-avg", "report-p90"]),
                rows: vec![vec![
                    n(lang, r.waiting.count),
                    minutes(lang, r.waiting.avg_minutes),
                    minutes(lang, r.waiting.p90_minutes),
                ]],
            };
            vec![standards_table(t, r), waiting]
        }
        Shown::Overruns(o) => vec![overruns_table(t, o, settings)],
        Shown::Escalations(e) => escalations_tables(t, e, settings).to_vec(),
    }
}
