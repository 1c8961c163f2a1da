//! The supervisor's satisfaction index (IKM) of a date range: per element the average score (NRR)
//! and its index, the IKM with its grade and the sample warning, per service and per staff member
//! who served, a bar chart of the nine elements drawn by the server as SVG, and the same tables as
//! CSV (`&format=csv`), XLSX and PDF (`xlsx`, `pdf`). The figures are `GET /api/v1/reports/ikm`'s,
//! added up by the database.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use loket_domain::auth::Permission;
use loket_domain::format::{self, Lang};
use loket_domain::office::office_day;
use loket_domain::settings::OfficeSettings;
use loket_domain::survey::{Element, Grade, Ikm};
use serde::Deserialize;

use loket_documents::ReportTable;

use super::i18n::Tr;
use super::report_files::{Download, ReportFile, field, report_download};
use super::session::PageStaff;
use super::{Frame, PageResult};
use crate::AppState;
use loket_app::reports::{self, IkmGroup, IkmReport, Period, period};

#[derive(Deserialize, Default)]
pub struct IkmQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    service: String,
    #[serde(default)]
    agent: String,
    #[serde(default)]
    format: String,
}

pub struct ElementRow {
    pub code: &'static str,
    pub name: String,
    pub average: String,
    pub index: String,
}

pub struct GroupRow {
    pub key: String,
    pub served: String,
    pub responses: String,
    pub index: String,
    pub grade: String,
    pub warning: bool,
}

pub struct GroupTable {
    pub title_key: &'static str,
    pub column_key: &'static str,
    pub id: &'static str,
    pub rows: Vec<GroupRow>,
}

pub struct Bar {
    pub x: u32,
    pub y: u32,
    pub height: u32,
    pub label_x: u32,
    pub code: &'static str,
    pub value: String,
    pub value_y: u32,
}

pub struct ServiceOption {
    pub code: String,
    pub name: String,
    pub selected: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "ikm.html")]
pub struct IkmPage {
    pub page: Frame,
    pub from: String,
    pub to: String,
    pub agent: String,
    pub services: Vec<ServiceOption>,
    pub error: Option<String>,
    pub period: String,
    pub served: String,
    pub responses: String,
    pub index: Option<String>,
    pub grade: Option<String>,
    pub warning: Option<String>,
    pub elements: Vec<ElementRow>,
    pub groups: Vec<GroupTable>,
    pub bars: Vec<Bar>,
    pub chart_width: u32,
    pub chart_height: u32,
    pub baseline: u32,
    pub bar_width: u32,
    pub csv: String,
    pub xlsx: String,
    pub pdf: String,
}

const CHART_HEIGHT: u32 = 200;
const BAR_WIDTH: u32 = 36;
const GAP: u32 = 14;
const TOP: u32 = 20;

/// A score or an index with two decimals, as `lang` writes it (`88,89`).
fn two(lang: Lang, v: f64) -> String {
    format::decimal(lang, v, 2)
}

fn grade_text(t: Tr, grade: Grade) -> String {
    let key = match grade {
        Grade::A => "ikm-grade-a",
        Grade::B => "ikm-grade-b",
        Grade::C => "ikm-grade-c",
        Grade::D => "ikm-grade-d",
    };
    t.get(key)
}

fn group_rows(t: Tr, groups: &[IkmGroup]) -> Vec<GroupRow> {
    groups
        .iter()
        .map(|g| GroupRow {
            key: g.key.clone(),
            served: format::count(t.lang, g.served),
            responses: format::count(t.lang, g.ikm.as_ref().map_or(0, |i| i.responses)),
            index: g.ikm.as_ref().map_or_else(|| "—".to_owned(), |i| two(t.lang, i.index)),
            grade: g.ikm.as_ref().map_or_else(|| "—".to_owned(), |i| grade_text(t, i.grade)),
            warning: g.ikm.as_ref().is_some_and(|i| i.sample_too_small),
        })
        .collect()
}

/// The index as tables, for the spreadsheet and the PDF: the period's index, its elements, and
/// the index per service and per staff member.
fn tables(t: Tr, report: &IkmReport) -> Vec<ReportTable> {
    let cols = |keys: &[&str]| keys.iter().map(|k| t.get(k)).collect::<Vec<_>>();
    let ikm = report.ikm.as_ref();
    let index = ReportTable {
        caption: t.get("ikm-index"),
        columns: cols(&["ikm-served", "ikm-responses-h", "ikm-index", "ikm-grade", "ikm-small"]),
        rows: vec![vec![
            format::count(t.lang, report.served),
            format::count(t.lang, ikm.map_or(0, |i| i.responses)),
            ikm.map_or_else(|| "—".to_owned(), |i| two(t.lang, i.index)),
            ikm.map_or_else(|| "—".to_owned(), |i| format!("{:?} ({})", i.grade, grade_text(t, i.grade))),
            ikm.map_or_else(String::new, |i| if i.sample_too_small { "✓".to_owned() } else { String::new() }),
        ]],
    };
    let elements = ReportTable {
        caption: t.get("ikm-elements"),
        columns: cols(&["ikm-code", "ikm-element", "ikm-nrr", "ikm-element-index"]),
        rows: Element::ALL
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let score = ikm.map(|ikm| ikm.elements[i]);
                vec![
                    format!("U{}", i + 1),
                    t.get(&format!("survey-element-{}", e.as_str())),
                    score.map_or_else(|| "—".to_owned(), |s| two(t.lang, s.average)),
                    score.map_or_else(|| "—".to_owned(), |s| two(t.lang, s.index)),
                ]
            })
            .collect(),
    };
    let groups = |caption: &str, column: &str, groups: &[IkmGroup]| ReportTable {
        caption: t.get(caption),
        columns: cols(&[column, "ikm-served", "ikm-responses-h", "ikm-index", "ikm-grade"]),
        rows: group_rows(t, groups).into_iter().map(|g| vec![g.key, g.served, g.responses, g.index, g.grade]).collect(),
    };
    vec![
        index,
        elements,
        groups("ikm-by-service", "ikm-service", &report.by_service),
        groups("ikm-by-agent", "ikm-agent-column", &report.by_agent),
    ]
}

/// The report as CSV for machines (`format=csv-plain`): a comma between cells, dot decimals,
/// codes; one row for the period, one per service, one per staff member; the nine
/// element averages (NRR), the IKM, its grade and the sample.
pub fn csv(report: &IkmReport) -> String {
    let mut out = String::from("scope,key,served,responses");
    for e in Element::ALL {
        out.push_str(&format!(",{}_nrr", e.code()));
    }
    out.push_str(",ikm,grade,sample_needed,sample_too_small\r\n");
    let mut row = |scope: &str, key: &str, served: u64, ikm: Option<&Ikm>| {
        out.push_str(&format!("{scope},{},{served},{}", field(key), ikm.map_or(0, |i| i.responses)));
        match ikm {
            Some(i) => {
                for e in &i.elements {
                    out.push_str(&format!(",{:.4}", e.average));
                }
                out.push_str(&format!(
                    ",{:.2},{:?},{},{}\r\n",
                    i.index,
                    i.grade,
                    i.sample_needed.unwrap_or_default(),
                    i.sample_too_small
                ));
            }
            // No response: the nine averages, the index, grade and sample are empty.
            None => out.push_str(&format!("{}\r\n", ",".repeat(13))),
        }
    };
    row("period", &format!("{}..{}", report.from, report.to), report.served, report.ikm.as_ref());
    for g in &report.by_service {
        row("service", &g.key, g.served, g.ikm.as_ref());
    }
    for g in &report.by_agent {
        row("agent", &g.key, g.served, g.ikm.as_ref());
    }
    out
}

pub async fn page(State(state): State<AppState>, staff: PageStaff, Query(q): Query<IkmQuery>) -> PageResult {
    staff.require(Permission::Supervise)?;
    let t = staff.tr();
    let settings = state.store.settings().await?;
    let today = office_day(state.now(), settings.zone());
    let (p, error) = asked(t, &q, today);
    let report = reports::ikm(&state.app, &staff.user, p, blank(&q.service), blank(&q.agent)).await?;
    if error.is_none() {
        // For machines: a comma between cells, dot decimals, codes (`format=csv-plain`).
        if q.format == "csv-plain" {
            return Ok(csv_download(&report, p));
        }
        if let Some(format) = Download::parse(&q.format) {
            let file = ReportFile { title_key: "ikm-title", name: "ikm", period: p, made_at: state.now() };
            return report_download(format, t, &settings, file, |doc_t| tables(doc_t, &report));
        }
    }
    let frame = Frame::staff(&state, &staff, "ikm-title", "/supervisor").await?;
    let page = ikm_view(t, frame, &report, &settings, p, error);
    let status = if page.error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok((status, page).into_response())
}

/// A field of the query, trimmed; `None` when blank.
fn blank(s: &str) -> Option<String> {
    (!s.trim().is_empty()).then(|| s.trim().to_owned())
}

/// The office days asked for; today, with why, when they cannot be read.
fn asked(t: Tr, q: &IkmQuery, today: NaiveDate) -> (Period, Option<String>) {
    match period(blank(&q.from).as_deref(), blank(&q.to).as_deref(), today) {
        Ok(p @ Period { from, to }) if to >= from => (p, None),
        _ => (Period { from: today, to: today }, Some(t.get("report-bad-period"))),
    }
}

/// The report as a CSV file.
fn csv_download(report: &IkmReport, Period { from, to }: Period) -> Response {
    let name = format!("attachment; filename=\"ikm-{from}-{to}.csv\"");
    ([(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, name)], csv(report))
        .into_response()
}

/// The nine elements: the average score (NRR) and index of each.
fn element_rows(t: Tr, report: &IkmReport) -> Vec<ElementRow> {
    Element::ALL
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let score = report.ikm.as_ref().map(|ikm| ikm.elements[i]);
            ElementRow {
                code: ["U1", "U2", "U3", "U4", "U5", "U6", "U7", "U8", "U9"][i],
                name: t.get(&format!("survey-element-{}", e.as_str())),
                average: score.map_or_else(|| "—".to_owned(), |s| two(t.lang, s.average)),
                index: score.map_or_else(|| "—".to_owned(), |s| two(t.lang, s.index)),
            }
        })
        .collect()
}

/// The chart's bars: each element's index, out of 100.
fn bars(report: &IkmReport, elements: &[ElementRow]) -> Vec<Bar> {
    elements
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let value = report.ikm.as_ref().map_or(0.0, |ikm| ikm.elements[i].index).clamp(0.0, 100.0);
            let height = (value / 100.0 * f64::from(CHART_HEIGHT)).round() as u32;
            let x = GAP + (i as u32) * (BAR_WIDTH + GAP);
            Bar {
                x,
                y: TOP + CHART_HEIGHT - height,
                height,
                label_x: x + BAR_WIDTH / 2,
                code: row.code,
                value: row.index.clone(),
                value_y: TOP + CHART_HEIGHT - height - 4,
            }
        })
        .collect()
}

/// The page's link to the same report as a file (`csv`, `xlsx`, `pdf`).
fn file_link(report: &IkmReport, Period { from, to }: Period, format: &str) -> String {
    let query = serde_urlencoded::to_string([
        ("from", from.to_string()),
        ("to", to.to_string()),
        ("service", report.service.clone().unwrap_or_default()),
        ("agent", report.agent.clone().unwrap_or_default()),
        ("format", format.to_owned()),
    ])
    .unwrap_or_default();
    format!("/supervisor/ikm?{query}")
}

/// The page of the report.
fn ikm_view(
    t: Tr,
    page: Frame,
    report: &IkmReport,
    settings: &OfficeSettings,
    p: Period,
    error: Option<String>,
) -> IkmPage {
    let elements = element_rows(t, report);
    let bars = bars(report, &elements);
    let chart_width = GAP + (bars.len() as u32) * (BAR_WIDTH + GAP);
    let services = settings
        .office
        .services
        .iter()
        .map(|s| ServiceOption {
            code: s.code.clone(),
            name: s.name.clone(),
            selected: report.service.as_deref() == Some(&s.code),
        })
        .collect();
    let ikm = report.ikm.as_ref();
    let group =
        |title_key, column_key, id, groups| GroupTable { title_key, column_key, id, rows: group_rows(t, groups) };
    IkmPage {
        page,
        from: p.from.to_string(),
        to: p.to.to_string(),
        agent: report.agent.clone().unwrap_or_default(),
        services,
        error,
        period: super::dates::period(t, p.from, p.to),
        served: format::count(t.lang, report.served),
        responses: format::count(t.lang, ikm.map_or(0, |i| i.responses)),
        index: ikm.map(|i| two(t.lang, i.index)),
        grade: ikm.map(|i| format!("{:?} ({})", i.grade, grade_text(t, i.grade))),
        warning: ikm.filter(|i| i.sample_too_small).map(|i| {
            t.with2(
                "ikm-sample-too-small",
                "responses",
                format::count(t.lang, i.responses),
                "needed",
                format::count(t.lang, i.sample_needed.unwrap_or_default()),
            )
        }),
        elements,
        groups: vec![
            group("ikm-by-service", "ikm-service", "by-service", &report.by_service),
            group("ikm-by-agent", "ikm-agent-column", "by-agent", &report.by_agent),
        ],
        bars,
        chart_width,
        chart_height: TOP + CHART_HEIGHT + 24,
        baseline: TOP + CHART_HEIGHT,
        bar_width: BAR_WIDTH,
        csv: file_link(report, p, "csv"),
        xlsx: file_link(report, p, "xlsx"),
        pdf: file_link(report, p, "pdf"),
    }
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn csv_fields_are_quoted_and_never_formulas() {
        assert_eq!(field("hd"), "hd");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("=1+1"), "'=1+1");
        assert_eq!(field("say \"x\""), "\"say \"\"x\"\"\"");
    }
}
