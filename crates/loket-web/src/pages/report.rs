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

use super::session::PageStaff;
use super::{Frame, PageResult};
use crate::AppState;

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
    let now = state.now();
    let today = office_day(now, settings.zone());
    let parse =
        |s: &str| if s.is_empty() { Some(None) } else { NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().map(Some) };
    let (from, to, error) = match (parse(&q.from), parse(&q.to)) {
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
    };
    // As `GET /api/v1/reports/time-standards`.
    let summary =
        loket_app::reports::time_standards(&state.app, &staff.user, loket_app::reports::Period { from, to }).await?;
    let rows = summary
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
        .collect();
    let bars: Vec<Bar> = summary
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
                value: s.compliance_pct.map_or_else(|| format::NONE.to_owned(), |p| format::percent(t.lang, p, 0)),
                value_y: TOP + CHART_HEIGHT - height - 4,
            }
        })
        .collect();
    let chart_width = GAP + (bars.len() as u32) * (BAR_WIDTH + GAP);
    let page = ReportPage {
        page: Frame::staff(&state, &staff, "report-title", "/supervisor").await?,
        from: from.format("%Y-%m-%d").to_string(),
        to: to.format("%Y-%m-%d").to_string(),
        error: error.map(|k| t.get(k)),
        rows,
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
        period: loket_domain::format::period(t.lang, from, to),
    };
    let status = if page.error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok((status, page).into_response())
}
