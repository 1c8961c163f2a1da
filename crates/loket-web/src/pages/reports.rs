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
use loket_documents::{ReportHead, ReportTable};
use loket_domain::auth::Permission;
use loket_domain::office::office_day;

use serde::Deserialize;

use super::i18n::Tr;
use super::report_files::{Chart, Download, download};
use super::report_tables::{Report, Shown, tables};
use super::session::PageStaff;
use super::{Frame, PageResult};
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
    let (app, user, p) = (&state.app, &staff.user, Period { from, to });
    let shown = match report {
        Report::Recap => Shown::Recap(reports::recap(app, user, p).await?),
        Report::Times => Shown::Times(reports::times(app, user, p).await?),
        Report::Standards => Shown::Standards(reports::time_standards(app, user, p).await?),
        Report::Overruns => Shown::Overruns(reports::overruns(app, user, p).await?),
        Report::Escalations => Shown::Escalations(reports::escalations(app, user, p).await?),
    };
    let period_words = loket_domain::format::period(t.lang, from, to);
    let format = Download::parse(&q.format);
    if let (Some(format), None) = (format, &error) {
        let doc_t = Tr::new(format.lang(t.lang));
        let doc_period = loket_domain::format::period(doc_t.lang, from, to);
        let file = format!("{}-{from}-{to}", report.code());
        let made = loket_domain::format::long_date_time(doc_t.lang, now, settings.zone());
        let title = doc_t.get(report.title_key());
        let tables = tables(doc_t, &shown, &settings);
        let head =
            ReportHead { office_name: &settings.office.office_name, title: &title, period: &doc_period, made: &made };
        return download(doc_t.lang, format, &file, &head, &tables);
    }
    let query = |extra: Option<&str>, r: Report| {
        let mut pairs = vec![("report", r.code().to_owned()), ("period", period_kind.to_owned())];
        match period_kind {
            "day" => pairs.push(("day", from.to_string())),
            "month" => pairs.push(("month", from.format("%Y-%m").to_string())),
            _ => pairs.extend([("from", from.to_string()), ("to", to.to_string())]),
        }
        if let Some(f) = extra {
            pairs.push(("format", f.to_owned()));
        }
        format!("/supervisor/reports?{}", serde_urlencoded::to_string(pairs).unwrap_or_default())
    };
    let tabs = Report::ALL
        .iter()
        .map(|&r| Tab { code: r.code(), name: t.get(r.title_key()), href: query(None, r), current: r == report })
        .collect();
    let downloads =
        ["csv", "xlsx", "pdf"].into_iter().map(|f| Link { name: f, href: query(Some(f), report) }).collect();
    let page = ReportsPage {
        page: Frame::staff(&state, &staff, "reports-title", "/supervisor").await?,
        report: report.code(),
        tabs,
        period: period_kind,
        day: from.to_string(),
        month: from.format("%Y-%m").to_string(),
        from: from.to_string(),
        to: to.to_string(),
        error,
        heading: t.get(report.title_key()),
        period_words,
        chart: Chart::of(t, &shown),
        tables: tables(t, &shown, &settings),
        downloads,
    };
    let status = if page.error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok((status, page).into_response())
}
