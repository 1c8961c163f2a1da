//! The supervisors' reports (`/supervisor/reports`): the recap, waiting and service times, the
//! time standards with their overruns, and the escalations, for a day, a month or a range of
//! office days; each with a chart drawn by the server as SVG, and as CSV, XLSX and PDF
//! (`&format=`). The figures are those of `GET /api/v1/reports/…`, added up by the database.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use chrono::{Datelike, Months, NaiveDate};
use loket_documents::ReportTable;
use loket_domain::auth::Permission;
use loket_domain::office::office_day;
use loket_domain::settings::OfficeSettings;
use serde::Deserialize;

use super::i18n::Tr;
use super::report_files::{Chart, Download, ReportFile, report_download};
use super::report_tables::{Report, Shown, tables};
use super::session::PageStaff;
use super::{Frame, PageError, PageResult};
use crate::AppState;
use loket_app::reports::{self, Period, period};

#[derive(Deserialize, Default)]
pub struct ReportsQuery {
    #[serde(default)]
    report: String,
    /// `day`, `month` or `range`.
    #[serde(default)]
    period: String,
    #[serde(default)]
    day: String,
    /// `YYYY-MM`.
    #[serde(default)]
    month: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    /// `csv`, `xlsx` or `pdf`; the page otherwise.
    #[serde(default)]
    format: String,
}

pub struct Tab {
    pub code: &'static str,
    pub name: String,
    pub href: String,
    pub current: bool,
}

pub struct Link {
    pub name: &'static str,
    pub href: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "reports.html")]
pub struct ReportsPage {
    pub page: Frame,
    pub report: &'static str,
    pub tabs: Vec<Tab>,
    pub period: &'static str,
    pub day: String,
    pub month: String,
    pub from: String,
    pub to: String,
    pub error: Option<String>,
    pub heading: String,
    pub period_words: String,
    pub chart: Chart,
    pub tables: Vec<ReportTable>,
    pub downloads: Vec<Link>,
}

/// The office days a query asks for: a day, a month (the default, this month) or a range.
fn asked(q: &ReportsQuery, today: NaiveDate) -> Option<(&'static str, NaiveDate, NaiveDate)> {
    let day = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
    match q.period.as_str() {
        "day" => {
            let d = if q.day.trim().is_empty() { today } else { day(&q.day)? };
            Some(("day", d, d))
        }
        "range" => {
            let blank = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
            let Period { from, to } = period(blank(&q.from).as_deref(), blank(&q.to).as_deref(), today).ok()?;
            (to >= from).then_some(("range", from, to))
        }
        "" | "month" => {
            let first =
                if q.month.trim().is_empty() { today.with_day(1)? } else { day(&format!("{}-01", q.month.trim()))? };
            let last = first.checked_add_months(Months::new(1))?.pred_opt()?;
            Some(("month", first, last))
        }
        _ => None,
    }
}

pub async fn page(State(state): State<AppState>, staff: PageStaff, Query(q): Query<ReportsQuery>) -> PageResult {
    staff.require(Permission::Supervise)?;
    let t = staff.tr();
    let settings = state.store.settings().await?;
    let now = state.now();
    let today = office_day(now, settings.zone());
    let report = Report::parse(&q.report).unwrap_or(Report::Recap);
    let (period_kind, from, to, error) = match asked(&q, today) {
        Some((kind, from, to)) => (kind, from, to, None),
        None => ("day", today, today, Some(t.get("report-bad-period"))),
    };
    let asked = Asked { report, period_kind, period: Period { from, to } };
    let shown = shown(&state, &staff, report, asked.period).await?;
    if let (Some(format), None) = (Download::parse(&q.format), &error) {
        let file =
            ReportFile { title_key: report.title_key(), name: report.code(), period: asked.period, made_at: now };
        return report_download(format, t, &settings, file, |doc_t| tables(doc_t, &shown, &settings));
    }
    let frame = Frame::staff(&state, &staff, "reports-title", "/supervisor").await?;
    let page = reports_view(t, frame, &asked, &shown, &settings, error);
    let status = if page.error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok((status, page).into_response())
}

/// What the page shows: which report, and for which office days.
struct Asked {
    report: Report,
    /// `day`, `month` or `range`.
    period_kind: &'static str,
    period: Period,
}

/// The report's figures, as `GET /api/v1/reports/…`.
async fn shown(state: &AppState, staff: &PageStaff, report: Report, p: Period) -> Result<Shown, PageError> {
    let (app, user) = (&state.app, &staff.user);
    Ok(match report {
        Report::Recap => Shown::Recap(reports::recap(app, user, p).await?),
        Report::Times => Shown::Times(reports::times(app, user, p).await?),
        Report::Standards => Shown::Standards(reports::time_standards(app, user, p).await?),
        Report::Overruns => Shown::Overruns(reports::overruns(app, user, p).await?),
        Report::Escalations => Shown::Escalations(reports::escalations(app, user, p).await?),
    })
}

/// The page's link to a report of the same office days, as a page or as a file (`csv`, …).
fn report_link(asked: &Asked, format: Option<&str>, r: Report) -> String {
    let Period { from, to } = asked.period;
    let mut pairs = vec![("report", r.code().to_owned()), ("period", asked.period_kind.to_owned())];
    match asked.period_kind {
        "day" => pairs.push(("day", from.to_string())),
        "month" => pairs.push(("month", from.format("%Y-%m").to_string())),
        _ => pairs.extend([("from", from.to_string()), ("to", to.to_string())]),
    }
    if let Some(f) = format {
        pairs.push(("format", f.to_owned()));
    }
    format!("/supervisor/reports?{}", serde_urlencoded::to_string(pairs).unwrap_or_default())
}

/// The page of a report.
fn reports_view(
    t: Tr,
    page: Frame,
    asked: &Asked,
    shown: &Shown,
    settings: &OfficeSettings,
    error: Option<String>,
) -> ReportsPage {
    let (report, Period { from, to }) = (asked.report, asked.period);
    let tabs = Report::ALL
        .iter()
        .map(|&r| Tab {
            code: r.code(),
            name: t.get(r.title_key()),
            href: report_link(asked, None, r),
            current: r == report,
        })
        .collect();
    let downloads = ["csv", "xlsx", "pdf"]
        .into_iter()
        .map(|f| Link { name: f, href: report_link(asked, Some(f), report) })
        .collect();
    ReportsPage {
        page,
        report: report.code(),
        tabs,
        period: asked.period_kind,
        day: from.to_string(),
        month: from.format("%Y-%m").to_string(),
        from: from.to_string(),
        to: to.to_string(),
        error,
        heading: t.get(report.title_key()),
        period_words: super::dates::period(t, from, to),
        chart: Chart::of(t, shown),
        tables: tables(t, shown, settings),
        downloads,
    }
}
