//! A supervisor's report as PDF on A4: the office, the report's title and period, its tables,
//! and a line for the signature of the head of the LPSE. Indonesian, as the form is: the office's
//! record, whatever language the screen that asked for it uses.

use krilla::Document;
use krilla::metadata::Metadata;

use super::{FONTS, Item, Pages, render};

/// One table of a report: a caption, its column names, its rows of cells as shown.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportTable {
    pub caption: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// What heads a report and who signs it.
pub struct ReportHead<'a> {
    pub office_name: &'a str,
    pub title: &'a str,
    /// The period in words (`1 November 2026 – 30 November 2026`).
    pub period: &'a str,
    /// When it was made, in words, in the office's time zone.
    pub made: &'a str,
}

/// The report as PDF bytes.
pub fn report_pdf(head: &ReportHead<'_>, tables: &[ReportTable]) -> Result<Vec<u8>, String> {
    let fonts = FONTS.as_ref().ok_or("the embedded fonts cannot be read")?;
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new().title(head.title.to_owned()).creator("Loket".to_owned()).producer("Loket".to_owned()),
    );
    let mut pages = Pages::new(fonts, "Laporan", head.title);
    let mut items = vec![
        Item::Title(head.office_name.to_owned()),
        Item::Heading(head.title.to_owned()),
        Item::Field("Periode".into(), head.period.to_owned()),
        Item::Field("Dibuat".into(), head.made.to_owned()),
    ];
    for table in tables {
        items.push(Item::Gap);
        items.push(Item::Heading(table.caption.clone()));
        items.push(Item::Table(table.clone()));
        if table.rows.is_empty() {
            items.push(Item::Text("Tidak ada data.".into()));
        }
    }
    items.push(Item::Gap);
    items.push(Item::Gap);
    items.push(Item::Signature);
    for item in &items {
        pages.put(item);
    }
    render(&mut document, fonts, pages.pages)?;
    document.finish().map_err(|e| format!("the PDF cannot be made: {e:?}"))
}
