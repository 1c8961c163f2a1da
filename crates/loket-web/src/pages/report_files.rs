//! The reports' chart (an SVG drawn by the server) and their downloads: CSV, XLSX and PDF, each
//! made from the same tables as the page.

use axum::http::header;
use axum::response::IntoResponse;
use chrono::{DateTime, Utc};
use loket_app::reports::Period;
use loket_documents::{ReportHead, ReportTable, report_pdf};
use loket_domain::facts::Outcome;
use loket_domain::format::{self, Lang};
use loket_domain::settings::OfficeSettings;
use rust_xlsxwriter::{Format, Workbook};

use super::i18n::Tr;
use super::report_tables::{Shown, outcome_name};
use super::{PageError, PageResult};

/// One bar of a chart, in SVG units.
pub struct ChartBar {
    pub x: u32,
    pub y: u32,
    pub height: u32,
    pub label_x: u32,
    pub label: String,
    pub value: String,
    pub value_y: u32,
}

/// A bar chart: bars of `BAR` units with their value above and their label below.
pub struct Chart {
    pub caption: String,
    pub hint: String,
    pub bars: Vec<ChartBar>,
    pub width: u32,
    pub height: u32,
    pub baseline: u32,
    pub bar_width: u32,
}

const PLOT: u32 = 200;
const TOP: u32 = 20;
const GAP: u32 = 10;

impl Chart {
    /// Bars of `values` (label, value, value as shown), scaled to the largest (or to `full`).
    fn bars(caption: String, hint: String, values: Vec<(String, f64, String)>, full: Option<f64>, bar: u32) -> Chart {
        let max = full.unwrap_or_else(|| values.iter().map(|v| v.1).fold(0.0, f64::max)).max(1.0);
        let bars: Vec<ChartBar> = values
            .into_iter()
            .enumerate()
            .map(|(i, (label, value, shown))| {
                // Rounded to whole SVG units: the chart needs no finer.
                let height = (value.clamp(0.0, max) / max * f64::from(PLOT)).round() as u32;
                let x = GAP + (i as u32) * (bar + GAP);
                ChartBar {
                    x,
                    y: TOP + PLOT - height,
                    height,
                    label_x: x + bar / 2,
                    label,
                    value: shown,
                    value_y: TOP + PLOT - height - 4,
                }
            })
            .collect();
        Chart {
            caption,
            hint,
            width: GAP + (bars.len() as u32) * (bar + GAP),
            height: TOP + PLOT + 24,
            baseline: TOP + PLOT,
            bar_width: bar,
            bars,
        }
    }

    /// The chart of a report: visits by outcome, the waiting time's distribution, compliance per
    /// step, overruns per step, escalations open and answered.
    pub fn of(t: Tr, shown: &Shown) -> Chart {
        let lang = t.lang;
        let count = |label: String, n: u64| (label, n as f64, format::count(lang, n));
        match shown {
            Shown::Recap(r) => {
                let o = &r.outcomes;
                let values = Outcome::ALL
                    .iter()
                    .zip([o.answered, o.escalated, o.no_show, o.not_served, o.cancelled, o.open])
                    .map(|(&outcome, n)| count(outcome_name(t, outcome), n))
                    .collect();
                Chart::bars(t.get("reports-chart-outcomes"), t.get("reports-chart-outcomes-hint"), values, None, 86)
            }
            Shown::Times(times) => {
                let values = times
                    .waiting
                    .distribution
                    .iter()
                    .map(|b| {
                        let label = if b.to_minutes.is_some() {
                            b.from_minutes.to_string()
                        } else {
                            format!("{}+", b.from_minutes)
                        };
                        count(label, b.count)
                    })
                    .collect();
                Chart::bars(t.get("reports-chart-waiting"), t.get("reports-chart-waiting-hint"), values, None, 30)
            }
            Shown::Standards(r) => {
                let values = r
                    .steps
                    .iter()
                    .map(|s| {
                        let pct = s.compliance_pct.unwrap_or(0.0);
                        let shown = s.compliance_pct.map_or_else(|| "—".to_owned(), |p| format::percent(lang, p, 0));
                        (s.step.to_string(), pct, shown)
                    })
                    .collect();
                Chart::bars(t.get("report-chart"), t.get("report-chart-hint"), values, Some(100.0), 28)
            }
            Shown::Overruns(o) => {
                let values = (1..=12u8).map(|step| count(step.to_string(), o.of_step(step))).collect();
                Chart::bars(t.get("reports-chart-overruns"), t.get("reports-chart-overruns-hint"), values, None, 28)
            }
            Shown::Escalations(e) => {
                let values = vec![count(t.get("reports-open"), e.open), count(t.get("reports-answered"), e.answered)];
                Chart::bars(t.get("reports-chart-escalations"), String::new(), values, None, 86)
            }
        }
    }
}

/// The files a report is downloaded as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Download {
    Csv,
    Xlsx,
    Pdf,
}

impl Download {
    /// The language a file is made in: the PDF is the office's record, signed by its head, in
    /// Indonesian as the form is; the CSV is for the office's spreadsheet in the Indonesian locale
    /// (`;`, `83,33`); the XLSX follows the page (its numbers are numbers in any locale).
    pub fn lang(self, page: Lang) -> Lang {
        match self {
            Download::Xlsx => page,
            Download::Csv | Download::Pdf => Lang::Id,
        }
    }

    pub fn parse(s: &str) -> Option<Download> {
        match s {
            "csv" => Some(Download::Csv),
            "xlsx" => Some(Download::Xlsx),
            "pdf" => Some(Download::Pdf),
            _ => None,
        }
    }
}

/// A CSV field, never read as a formula by a spreadsheet: one that begins with `=`, `+`, `-`,
/// `@`, a tab or a carriage return gets a leading `'`; then it is quoted by the rules of RFC 4180
/// (a comma, a double quote or a line break inside) and also when it holds a semicolon or a tab,
/// the separators a spreadsheet in the Indonesian locale splits on: split there, a cell in the
/// middle of the value (`Registrasi;=1+1`) would begin a new cell, and a formula.
pub fn field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_owned() };
    if s.contains([',', ';', '\t', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s }
}

/// The byte order mark: it tells a spreadsheet the file is UTF-8 (without it Excel reads
/// `Kepuasan — …` as Windows-1252).
pub const BOM: &str = "\u{feff}";

/// The tables as CSV for a spreadsheet in the Indonesian locale (Excel on the office's
/// computers): UTF-8 with a byte order mark, cells separated by `;` (the comma is the decimal
/// mark there), the cells as the page shows them (`83,33`, `7 Desember 2026 09.55`). Each
/// table's caption on a line of its own, its column names, its rows, and an empty line before
/// the next.
pub fn csv(tables: &[ReportTable]) -> String {
    let mut out = String::from(BOM);
    for (i, table) in tables.iter().enumerate() {
        if i > 0 {
            out.push_str("\r\n");
        }
        out.push_str(&field(&table.caption));
        out.push_str("\r\n");
        for row in std::iter::once(&table.columns).chain(&table.rows) {
            out.push_str(&row.iter().map(|c| field(c)).collect::<Vec<_>>().join(";"));
            out.push_str("\r\n");
        }
    }
    out
}

/// A sheet's name: at most 31 characters, none of `[]:*?/\`, unique in the workbook.
fn sheet_name(caption: &str, i: usize) -> String {
    let clean: String = caption.chars().filter(|c| !"[]:*?/\\'".contains(*c)).take(27).collect();
    format!("{} {}", i + 1, clean.trim())
}

/// The tables as a workbook: one sheet per table, with the title and period above it; numbers
/// (as `lang` wrote them) are written as numbers, the spreadsheet shows them in its own locale.
pub fn xlsx(
    lang: Lang,
    title: &str,
    period: &str,
    tables: &[ReportTable],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    for (i, table) in tables.iter().enumerate() {
        let sheet = book.add_worksheet();
        sheet.set_name(sheet_name(&table.caption, i))?;
        sheet.write_string_with_format(0, 0, title, &bold)?;
        sheet.write_string(1, 0, period)?;
        sheet.write_string_with_format(2, 0, &table.caption, &bold)?;
        for (c, name) in table.columns.iter().enumerate() {
            sheet.write_string_with_format(4, c as u16, name, &bold)?;
        }
        for (r, row) in table.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (5 + r as u32, c as u16);
                match format::parse_decimal(lang, cell) {
                    Some(n) if n.is_finite() => sheet.write_number(r, c, n)?,
                    _ => sheet.write_string(r, c, cell)?,
                };
            }
        }
        sheet.set_column_width(0, 28)?;
    }
    book.save_to_buffer()
}

/// A report as the file asked for (`file` its name without the extension), its numbers and
/// dates written in `lang`.
pub fn download(lang: Lang, format: Download, file: &str, head: &ReportHead<'_>, tables: &[ReportTable]) -> PageResult {
    let (mime, ext, body) = match format {
        Download::Csv => ("text/csv; charset=utf-8", "csv", csv(tables).into_bytes()),
        Download::Xlsx => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
            xlsx(lang, head.title, head.period, tables)
                .map_err(|e| PageError::Internal(format!("spreadsheet: {e}").into()))?,
        ),
        Download::Pdf => {
            ("application/pdf", "pdf", report_pdf(head, tables).map_err(|e| PageError::Internal(e.into()))?)
        }
    };
    let disposition = format!("attachment; filename=\"{file}.{ext}\"");
    Ok(([(header::CONTENT_TYPE, mime.to_owned()), (header::CONTENT_DISPOSITION, disposition)], body).into_response())
}

/// What a report's file is made of: its title, its name before the period (`ikm`, `recap`), the
/// office days it covers and when it was made.
pub struct ReportFile<'a> {
    pub title_key: &'a str,
    pub name: &'a str,
    pub period: Period,
    pub made_at: DateTime<Utc>,
}

/// A report as the file asked for, its tables written in the file's language: the PDF is the
/// office's record, signed by its head, in Indonesian as the form is; the others in the page's.
pub fn report_download(
    format: Download,
    t: Tr,
    settings: &OfficeSettings,
    file: ReportFile<'_>,
    tables: impl FnOnce(Tr) -> Vec<ReportTable>,
) -> PageResult {
    // The file's language: the PDF and the CSV in Indonesian, the XLSX as the page ([`Download::lang`]).
    let lang = format.lang(t.lang);
    let doc_t = Tr::new(lang);
    let Period { from, to } = file.period;
    let words = super::dates::period(doc_t, from, to);
    let made = super::dates::date_time(doc_t, file.made_at, settings.zone());
    let title = doc_t.get(file.title_key);
    let name = format!("{}-{from}-{to}", file.name);
    let head = ReportHead { office_name: &settings.office.office_name, title: &title, period: &words, made: &made };
    download(lang, format, &name, &head, &tables(doc_t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_has_each_tables_caption_columns_and_rows() {
        let t = ReportTable { caption: "A, b".into(), columns: vec!["x".into()], rows: vec![vec!["=1".into()]] };
        assert_eq!(csv(&[t.clone(), t]), "\u{feff}\"A, b\"\r\nx\r\n'=1\r\n\r\n\"A, b\"\r\nx\r\n'=1\r\n");
        let two = ReportTable {
            caption: "T".into(),
            columns: vec!["a".into(), "b".into()],
            rows: vec![vec!["83,33".into(), "1.234".into()]],
        };
        assert_eq!(csv(&[two]), "\u{feff}T\r\na;b\r\n\"83,33\";1.234\r\n");
    }

    #[test]
    fn no_cell_becomes_a_formula_whatever_the_separator() {
        // Excel in the Indonesian locale splits on `;`: the value stays one cell, quoted.
        assert_eq!(field("Registrasi;=1+1;@SUM(1+1)"), "\"Registrasi;=1+1;@SUM(1+1)\"");
        assert_eq!(field("a\t=1"), "\"a\t=1\"");
        for start in ["=", "+", "-", "@", "\t", "\r"] {
            let f = field(&format!("{start}1+1"));
            let inner = f.trim_start_matches('"');
            assert!(inner.starts_with('\''), "{start:?} begins a cell: {f}");
        }
        assert_eq!(field("kata \"kunci\""), "\"kata \"\"kunci\"\"\"");
        assert_eq!(field("biasa"), "biasa");
    }

    #[test]
    fn the_overruns_chart_counts_every_overrun_not_only_the_listed_ones() {
        use loket_domain::reports::{Overruns, StepCount};
        let t = Tr::new(super::super::i18n::Lang::Id);
        let shown = Shown::Overruns(Overruns { by_step: vec![StepCount { step: 9, count: 1500 }], list: Vec::new() });
        let chart = Chart::of(t, &shown);
        let step9 = chart.bars.iter().find(|b| b.label == "9").map(|b| b.value.as_str());
        assert_eq!(step9, Some("1.500"));
    }

    #[test]
    fn sheet_names_are_short_and_plain() {
        assert!(sheet_name("Per [langkah]: SOP/waktu yang sangat panjang sekali", 0).chars().count() <= 31);
        assert!(!sheet_name("a/b", 1).contains('/'));
    }
}
