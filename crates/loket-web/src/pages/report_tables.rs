//! Each supervisor's report as tables of text (captions, column names, cells), the one shape the
//! page, the CSV, the spreadsheet and the PDF all show.

use loket_documents::ReportTable;
use loket_domain::facts::Outcome;
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

fn minutes(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_owned(), |m| format!("{m:.2}"))
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
    let outcome_columns: Vec<String> = Outcome::ALL.iter().map(|&o| outcome_name(t, o)).collect();
    let mut outcomes = ReportTable {
        caption: t.get("reports-by-outcome"),
        columns: cols(t, &["reports-outcome", "report-count"]),
        rows: Vec::new(),
    };
    for (name, n) in outcome_columns.iter().zip(outcome_cells(&r.outcomes)) {
        outcomes.rows.push(vec![name.clone(), n.to_string()]);
    }
    outcomes.rows.push(vec![t.get("reports-total"), r.visits.to_string()]);
    outcomes.rows.push(vec![t.get("reports-cancelled-in-service"), r.outcomes.cancelled_in_service.to_string()]);
    let mut days =
        ReportTable { caption: t.get("reports-by-day"), columns: vec![t.get("reports-day")], rows: Vec::new() };
    days.columns.push(t.get("reports-visits"));
    days.columns.extend(outcome_columns);
    days.columns.push(t.get("reports-cancelled-in-service"));
    for d in &r.by_day {
        let mut row = vec![d.day.map(|d| d.to_string()).unwrap_or_default(), d.visits.to_string()];
        row.extend(outcome_cells(d).iter().map(u64::to_string));
        row.push(d.cancelled_in_service.to_string());
        days.rows.push(row);
    }
    let keyed = |caption: &str, key: &str, counts: &[KeyCount], name: &dyn Fn(&str) -> String| ReportTable {
        caption: t.get(caption),
        columns: cols(t, &[key, "report-count"]),
        rows: counts
            .iter()
            .map(|k| vec![k.key.as_deref().map_or_else(|| t.get("reports-none"), name), k.count.to_string()])
            .collect(),
    };
    let role = |code: &str| t.get(&format!("visitor-role-{code}"));
    let category =
        |code: &str| settings.priorities.find(code).map_or_else(|| code.to_owned(), |c| format!("{} ({code})", c.name));
    let agents = ReportTable {
        caption: t.get("reports-by-agent"),
        columns: cols(t, &["reports-agent", "status-answered", "status-escalated"]),
        rows: r
            .by_agent
            .iter()
            .map(|a| vec![a.agent.clone(), a.answered.to_string(), a.escalated.to_string()])
            .collect(),
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
        .map(|(key, n)| vec![t.get(key), n.to_string()])
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
    let summary = ReportTable {
        caption: t.get(caption),
        columns: cols(t, &["report-count", "report-avg", "reports-median", "report-p90", "reports-max"]),
        rows: vec![vec![
            d.count.to_string(),
            minutes(d.avg_minutes),
            minutes(d.median_minutes),
            minutes(d.p90_minutes),
            minutes(d.max_minutes),
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
                vec![range, b.count.to_string()]
            })
            .collect(),
    };
    [summary, distribution]
}

fn standards_table(t: Tr, r: &TimeStandardsReport) -> ReportTable {
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
                    s.standard_minutes.map_or_else(|| "—".to_owned(), |m| m.to_string()),
                    s.count.to_string(),
                    if s.instant { "—".to_owned() } else { s.within.to_string() },
                    s.running_over.to_string(),
                    s.not_judged.to_string(),
                    s.cancelled.to_string(),
                    s.compliance_pct.map_or_else(|| "—".to_owned(), |p| format!("{p:.2}%")),
                    minutes(s.avg_minutes),
                    minutes(s.p90_minutes),
                ]
            })
            .collect(),
    }
}

fn overruns_table(t: Tr, overruns: &Overruns, settings: &OfficeSettings) -> ReportTable {
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
                    o.started_at.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string(),
                    format!("{:.2}", o.minutes),
                    o.standard_minutes.to_string(),
                    t.get(if o.running { "reports-running" } else { "reports-finished" }),
                ]
            })
            .collect(),
    }
}

fn escalations_tables(t: Tr, e: &Escalations, settings: &OfficeSettings) -> [ReportTable; 2] {
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
            e.count.to_string(),
            e.open.to_string(),
            e.answered.to_string(),
            minutes(e.open_avg_age_minutes),
            minutes(e.open_max_age_minutes),
            minutes(e.answered_avg_age_minutes),
        ]],
    };
    let local = |at: chrono::DateTime<chrono::Utc>| at.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string();
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
                    r.channel.to_uppercase(),
                    t.get(&format!("reports-escalation-{}", r.status)),
                    r.escalated_by.clone(),
                    local(r.escalated_at),
                    r.answered_at.map(local).unwrap_or_default(),
                    format!("{:.2}", r.age_minutes),
                ]
            })
            .collect(),
    };
    [summary, list]
}

/// The tables of a report, in the language of `t`.
pub fn tables(t: Tr, shown: &Shown, settings: &OfficeSettings) -> Vec<ReportTable> {
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
                    r.waiting.count.to_string(),
                    minutes(r.waiting.avg_minutes),
                    minutes(r.waiting.p90_minutes),
                ]],
            };
            vec![standards_table(t, r), waiting]
        }
        Shown::Overruns(o) => vec![overruns_table(t, o, settings)],
        Shown::Escalations(e) => escalations_tables(t, e, settings).to_vec(),
    }
}
