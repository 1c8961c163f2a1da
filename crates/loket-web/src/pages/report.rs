//! The supervisor's time-standards report for a date range: a table per SOP step and a bar chart
//! of each step's compliance, an SVG drawn by the server (no script, no chart library).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use chrono::NaiveDate;
use loket_domain::auth::Permission;
use loket_domain::format::{self, Lang};
use loket_domain::office::office_day;
use serde::Deserialize;

use super::i18n::Tr;
use super::session::PageStaff;
use super::{Frame, PageResult};
use crate::AppState;
use loket_app::reports::{self, Period};
use loket_domain::standards::TimeStandardsReport;

#[derive(Deserialize, Default)]
pub struct PeriodQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

pub struct StepRow {
    pub step: u8,
    pub standard: String,
    pub count: u64,
    pub within: String,
    /// Of `count`, still running past the standard.
    pub running_over: u64,
    /// Of `count`, not judged (instant, without a standard).
    pub not_judged: u64,
    pub compliance: String,
    pub avg: String,
    pub p90: String,
}

/// One bar of the chart, in SVG units.
pub struct Bar {
    pub x: u32,
    pub y: u32,
    pub height: u32,
    pub label_x: u32,
    pub step: u8,
    pub value: String,
    pub value_y: u32,
}

pub const CHART_HEIGHT: u32 = 200;
const BAR_WIDTH: u32 = 28;
const GAP: u32 = 12;
const TOP: u32 = 20;

#[derive(Template, WebTemplate)]
#[template(path = "report.html")]
pub struct ReportPage {
    pub page: Frame,
    pub from: String,
    pub to: String,
    pub error: Option<String>,
    pub rows: Vec<StepRow>,
    pub bars: Vec<Bar>,
    pub chart_width: u32,
    pub chart_height: u32,
    pub baseline: u32,
    pub bar_width: u32,
    pub waiting: String,
    pub visits: u64,
    /// The office days covered, as words (`Sabtu, 28 November 2026`).
    pub period: String,
}

fn minutes(lang: Lang, v: Option<f64>) -> String {
    format::maybe_decimal(lang, v, 1)
}

pub async fn page(State(state): State<AppState>, staff: PageStaff, Query(q): Query<PeriodQuery>) -> PageResult {
    staff.require(Permission::Supervise)?;
    let t = staff.tr();
    let settings = state.store.settings().await?;
    let today = office_day(state.now(), settings.zone());
    let (from, to, error) = asked(&q, today);
    // As `GET /api/v1/reports/time-standards`.
    let summary = reports::time_standards(&state.app, &staff.user, Period { from, to }).await?;
    let frame = Frame::staff(&state, &staff, "report-title", "/supervisor").await?;
    let page = report_view(t, frame, &summary, Period { from, to }, error);
    let status = if page.error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok((status, page).into_response())
}

/// The office days asked for (at most a year and a day); today, with why, when they cannot be
/// read.
fn asked(q: &PeriodQuery, today: NaiveDate) -> (NaiveDate, NaiveDate, Option<&'static str>) {
    let parse =
        |s: &str| if s.is_empty() { Some(None) } else { NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().map(Some) };
    match (parse(&q.from), parse(&q.to)) {
        (Some(f), Some(t2)) => {
            let from = f.unwrap_or(today);
            let to = t2.unwrap_or(from);
            if to < from || (to - from).num_days() > 366 {
                (today, today, Some("report-bad-period"))
            } else {
                (from, to, None)
            }
        }
        _ => (today, today, Some("report-bad-period")),
    }
}

/// The table's row of each SOP step.
fn step_rows(t: Tr, summary: &TimeStandardsReport) -> Vec<StepRow> {
    summary
        .steps
        .iter()
        .map(|s| StepRow {
            step: s.step,
            standard: s.standard_minutes.map_or_else(|| "—".to_owned(), |m| t.with("minutes", "n", m)),
            count: s.count,
            within: if s.instant { "—".to_owned() } else { s.within.to_string() },
            running_over: s.running_over,
            not_judged: s.not_judged,
            compliance: s.compliance_pct.map_or_else(|| format::NONE.to_owned(), |p| format::percent(t.lang, p, 0)),
            avg: minutes(t.lang, s.avg_minutes),
            p90: minutes(t.lang, s.p90_minutes),
        })
        .collect()
}

/// The chart's bars: each step's compliance, out of 100%.
fn bars(lang: Lang, summary: &TimeStandardsReport) -> Vec<Bar> {
    summary
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let pct = s.compliance_pct.unwrap_or(0.0).clamp(0.0, 100.0);
            // Rounded to whole SVG units: the chart needs no finer.
            let height = (pct / 100.0 * f64::from(CHART_HEIGHT)).round() as u32;
            let x = GAP + (i as u32) * (BAR_WIDTH + GAP);
            Bar {
                x,
                y: TOP + CHART_HEIGHT - height,
                height,
                label_x: x + BAR_WIDTH / 2,
                step: s.step,
                value: s.compliance_pct.map_or_else(|| format::NONE.to_owned(), |p| format::percent(lang, p, 0)),
                value_y: TOP + CHART_HEIGHT - height - 4,
            }
        })
        .collect()
}

/// The page of the report.
fn report_view(
    t: Tr,
    page: Frame,
    summary: &TimeStandardsReport,
    Period { from, to }: Period,
    error: Option<&str>,
) -> ReportPage {
    let bars = bars(t.lang, summary);
    let chart_width = GAP + (bars.len() as u32) * (BAR_WIDTH + GAP);
    ReportPage {
        page,
        from: from.format("%Y-%m-%d").to_string(),
        to: to.format("%Y-%m-%d").to_string(),
        error: error.map(|k| t.get(k)),
        rows: step_rows(t, summary),
        bars,
        chart_width,
        chart_height: TOP + CHART_HEIGHT + 24,
        baseline: TOP + CHART_HEIGHT,
        bar_width: BAR_WIDTH,
        waiting: t.with2(
            "report-waiting",
            "count",
            summary.waiting.count,
            "avg",
            minutes(t.lang, summary.waiting.avg_minutes),
        ),
        visits: summary.outcomes.visits,
        period: super::dates::period(t, from, to),
    }
}
