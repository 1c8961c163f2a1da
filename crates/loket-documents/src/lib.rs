//! The consultation form (formulir konsultasi, SOP steps 2-12) as a PDF on A4: the office, the
//! visit's reference and queue number, the visitor, the problem, the analysis, the answer or the
//! escalation (with LKPP's answer when it came), the officer, and each step's time against its
//! standard. The whole form is printed twice: the original for the archive, then, from a new
//! page, the copy marked "Salinan untuk pengguna" (SOP step 12). The copy ends with the visit's
//! satisfaction survey link, as text and as a QR code drawn in vector squares, when the visit has
//! one and the office set its public address.
//!
//! The office's logo, when it set one, stands at the top left of the form's head (on the first
//! page of the original and of the copy), 15 mm high, with the office's name beside it. A logo
//! that cannot be drawn never stops a form: it is left out, and the reason logged.
//!
//! The fonts are DejaVu Sans, taken from the `dejavu` crate and embedded (subset) in every
//! file, so the form looks the same on every machine. The text of the form is Indonesian: it is
//! the office's official record, not a screen that follows the user's language.

use std::sync::{Arc, LazyLock};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use krilla::Document;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::image::Image;
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::Fill;
use krilla::text::Font;
use loket_domain::archive::{ArchiveStamp, CopyVia};
use loket_domain::escalation::{Channel, EscalationStatus};
use loket_domain::format::{self, Lang};
use loket_domain::guest_book::VisitorRole;
use loket_domain::logo::Logo;
use loket_domain::settings::{OfficeSettings, survey_url};
use loket_domain::standards::{StepRecord, steps_measured};
use loket_domain::{EventKind, Visit};

mod layout;
mod logo;
mod report;

use layout::{Face, wrap};
pub use logo::check_logo;
use logo::{draw_image, logo_image};
pub use report::{ReportHead, ReportTable, report_pdf};

/// A4 in PDF points.
const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 50.0;
const LABEL_W: f32 = 150.0;
const BODY: f32 = 10.0;
const LINE: f32 = 14.0;

/// The mark of the visitor's copy (SOP step 12).
pub const COPY_MARK: &str = "Salinan untuk pengguna";
/// The mark of the original.
pub const ORIGINAL_MARK: &str = "Asli untuk arsip";

struct Fonts {
    regular: Font,
    bold: Font,
    regular_face: Face,
    bold_face: Face,
}

static FONTS: LazyLock<Option<Fonts>> = LazyLock::new(|| {
    let regular_bytes: &'static [u8] = dejavu::sans::regular();
    let bold_bytes: &'static [u8] = dejavu::sans::bold();
    Some(Fonts {
        regular: Font::new(regular_bytes.into(), 0)?,
        bold: Font::new(bold_bytes.into(), 0)?,
        regular_face: Face::new(regular_bytes)?,
        bold_face: Face::new(bold_bytes)?,
    })
});

/// What the form is made for: the office's settings (names, time zone, standards), and the
/// moment it shows (now, or the archive's).
pub struct FormContext<'a> {
    pub settings: &'a OfficeSettings,
    pub now: DateTime<Utc>,
    /// The archive stamp, for an archived version.
    pub stamp: Option<&'a ArchiveStamp>,
    /// The office's logo, if it set one.
    pub logo: Option<&'a Logo>,
}

/// The consultation form of `visit` as PDF bytes. A logo that cannot be drawn is left out (and
/// logged): the form is made without it.
pub fn form_pdf(visit: &Visit, cx: &FormContext<'_>) -> Result<Vec<u8>, String> {
    drawn(visit, cx, &[ORIGINAL_MARK, COPY_MARK])
}

/// The original alone, for a third party (the escalation mail to LKPP): the visitor's copy, with
/// their one-time survey link, is the visitor's and never leaves the office.
pub fn original_pdf(visit: &Visit, cx: &FormContext<'_>) -> Result<Vec<u8>, String> {
    drawn(visit, cx, &[ORIGINAL_MARK])
}

fn drawn(visit: &Visit, cx: &FormContext<'_>, marks: &[&'static str]) -> Result<Vec<u8>, String> {
    let Some(logo) = cx.logo else { return make_form(visit, cx, None, marks) };
    let drawn = logo_image(logo).and_then(|image| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| make_form(visit, cx, Some(&image), marks)))
            .unwrap_or_else(|_| Err("the logo's decoder failed".to_owned()))
    });
    drawn.or_else(|e| {
        tracing::warn!(reference = %visit.reference, error = ?e.to_string(), "the form is made without the office logo");
        make_form(visit, cx, None, marks)
    })
}

fn make_form(
    visit: &Visit,
    cx: &FormContext<'_>,
    logo: Option<&Image>,
    marks: &[&'static str],
) -> Result<Vec<u8>, String> {
    let fonts = FONTS.as_ref().ok_or("the embedded fonts cannot be read")?;
    let mut document = Document::new();
    let title = format!("Formulir konsultasi {}", visit.reference);
    // No creation date: the bytes depend on the visit alone, and the archive's hash is of them.
    document.set_metadata(Metadata::new().title(title).creator("Loket".to_owned()).producer("Loket".to_owned()));
    let lines = form_lines(visit, cx);
    let survey = survey_lines(visit, cx.settings)?;
    for &mark in marks {
        let mut pages = Pages::new(fonts, mark, &visit.reference);
        pages.logo = logo.cloned();
        for line in &lines {
            pages.put(line);
        }
        if mark == COPY_MARK {
            for line in &survey {
                pages.put(line);
            }
        }
        render(&mut document, fonts, pages.pages)?;
    }
    document.finish().map_err(|e| format!("the PDF cannot be made: {e:?}"))
}

/// How the store makes an archived document (the same shape as the store's `DocumentRenderer`).
pub type Renderer =
    Arc<dyn Fn(&Visit, &OfficeSettings, &ArchiveStamp, Option<&Logo>) -> Result<Vec<u8>, String> + Send + Sync>;

/// The renderer the store archives with: the form, stamped, with the logo in force.
pub fn archive_renderer() -> Renderer {
    Arc::new(|visit, settings, stamp, logo| {
        form_pdf(visit, &FormContext { settings, now: stamp.archived_at, stamp: Some(stamp), logo })
    })
}

/// One line of the form, before it is laid out.
#[derive(Debug, Clone, PartialEq)]
enum Item {
    Title(String),
    Heading(String),
    /// A label and its value, the value wrapped in its column.
    Field(String, String),
    /// A paragraph under a heading.
    Text(String),
    /// A row of the step table: cells at fixed columns.
    Row(Vec<String>, bool),
    /// A QR code: its modules, row by row (`true` dark), drawn as squares.
    Qr(Vec<Vec<bool>>),
    /// What follows, this high, is kept on one page.
    Keep(f32),
    /// A report's table: its columns as wide as their cells need, every cell wrapped in its
    /// column, the header repeated on each page the table runs onto.
    Table(ReportTable),
    /// The place for the signature of the head of the LPSE.
    Signature,
    Gap,
}

/// The side of one QR module, in points (a version 5 code is about 3 cm wide).
const QR_MODULE: f32 = 2.4;

/// The survey invitation of the visitor's copy: the link and its QR code.
fn survey_lines(visit: &Visit, settings: &OfficeSettings) -> Result<Vec<Item>, String> {
    let Some(url) = visit.survey_token.as_deref().and_then(|t| survey_url(&settings.office.public_url, t)) else {
        return Ok(Vec::new());
    };
    let code = qrcode::QrCode::new(url.as_bytes()).map_err(|e| format!("the QR code cannot be made: {e}"))?;
    let width = code.width();
    let colors = code.to_colors();
    let modules = colors.chunks(width).map(|row| row.iter().map(|c| *c == qrcode::Color::Dark).collect()).collect();
    // The heading, two lines of text (the link may wrap once more) and the code.
    let height = 6.0 + 21.0 + 4.0 * LINE + (width as f32 + 8.0) * QR_MODULE;
    Ok(vec![
        Item::Keep(height),
        Item::Gap,
        Item::Heading("Survei kepuasan masyarakat".into()),
        Item::Text("Mohon nilai layanan kami: pindai kode QR ini atau buka alamat berikut.".into()),
        Item::Text(url),
        Item::Qr(modules),
    ])
}

fn dash(s: &Option<String>) -> String {
    s.clone().filter(|s| !s.trim().is_empty()).unwrap_or_else(|| "-".into())
}

/// A moment as the form writes it, in the office's zone: `7 Desember 2026 09.55`.
fn local(t: DateTime<Utc>, zone: Tz) -> String {
    format::date_time(Lang::Id, t, zone)
}

fn role_name(role: VisitorRole) -> &'static str {
    match role {
        VisitorRole::Penyedia => "Penyedia",
        VisitorRole::PaKpa => "PA/KPA",
        VisitorRole::Ppk => "PPK",
        VisitorRole::PokjaPemilihan => "Pokja Pemilihan",
        VisitorRole::PejabatPengadaan => "Pejabat Pengadaan",
        VisitorRole::Pphp => "PPHP/PjPHP",
        VisitorRole::Auditor => "Auditor",
        VisitorRole::Public => "Masyarakat umum",
        VisitorRole::Other => "Lainnya",
    }
}

const STEP_NAMES: [&str; 12] = [
    "Buku tamu",
    "Formulir diberikan",
    "Formulir diisi",
    "Formulir diperiksa",
    "Nomor antrian",
    "Diminta melengkapi",
    "Formulir ke helpdesk",
    "Pemanggilan",
    "Analisis",
    "Jawaban",
    "Eskalasi ke LKPP",
    "Salinan dan arsip",
];

fn form_lines(visit: &Visit, cx: &FormContext<'_>) -> Vec<Item> {
    let settings = cx.settings;
    let zone = settings.zone();
    let office = &settings.office;
    let mut out = vec![
        Item::Title(office.office_name.clone()),
        Item::Heading("Formulir Konsultasi Permasalahan Pengguna SPSE".into()),
        Item::Field("Referensi".into(), visit.reference.clone()),
        Item::Field("Nomor antrian".into(), dash(&visit.queue.number)),
        Item::Field("Tanggal".into(), local(visit.created_at, zone)),
    ];
    if let Some(stamp) = cx.stamp {
        out.push(Item::Field("Nomor arsip".into(), format!("{} (versi {})", stamp.number, stamp.version)));
        out.push(Item::Field("Ditetapkan".into(), local(stamp.archived_at, zone)));
    }
    let v = &visit.visitor;
    out.push(Item::Gap);
    out.push(Item::Heading("Data pengguna".into()));
    out.push(Item::Field(label("visitor.name").into(), dash(&v.name)));
    out.push(Item::Field(label("visitor.organization").into(), dash(&v.organization)));
    out.push(Item::Field(label("visitor.role").into(), v.role.map_or("-", role_name).into()));
    out.push(Item::Field(label("visitor.phone").into(), dash(&v.phone)));
    out.push(Item::Field(label("visitor.email").into(), dash(&v.email)));
    let f = &visit.form;
    let category = f.category.as_deref().and_then(|c| settings.priorities.find(c));
    out.push(Item::Gap);
    out.push(Item::Heading("Permasalahan".into()));
    out.push(Item::Field(
        label("form.category").into(),
        category.map_or_else(|| dash(&f.category), |c| format!("{} (prioritas {})", c.name, c.priority)),
    ));
    out.push(Item::Field(label("form.subject").into(), dash(&f.subject)));
    out.push(Item::Field(label("form.spse_user_id").into(), dash(&f.spse_user_id)));
    out.push(Item::Field(label("form.tender_code").into(), dash(&f.tender_code)));
    out.push(Item::Field(label("form.description").into(), dash(&f.description)));
    out.push(Item::Gap);
    out.push(Item::Heading("Analisis".into()));
    out.push(Item::Text(dash(&visit.analysis)));
    if let Some(answer) = &visit.answer {
        out.push(Item::Heading("Jawaban / solusi".into()));
        out.push(Item::Text(answer.clone()));
    }
    if let Some(esc) = &visit.escalation {
        out.push(Item::Heading("Eskalasi ke helpdesk LKPP".into()));
        let channel = match esc.channel {
            Channel::Email => format!("E-mail ke {}", office.lkpp_email),
            Channel::Tts => "TTS (tiket helpdesk LKPP)".into(),
        };
        out.push(Item::Field("Saluran".into(), channel));
        let status = match esc.status {
            EscalationStatus::Pending => "menunggu pengiriman",
            EscalationStatus::Sent => "terkirim",
            EscalationStatus::Answered => "dijawab LKPP",
        };
        out.push(Item::Field("Status".into(), status.into()));
        out.push(Item::Field("Referensi LKPP".into(), dash(&esc.external_reference)));
        out.push(Item::Field("Dikirim".into(), esc.sent_at.map_or("-".into(), |t| local(t, zone))));
        out.push(Item::Field("Ringkasan".into(), esc.summary.clone()));
        out.push(Item::Field("Jawaban LKPP".into(), dash(&esc.answer)));
    }
    let officer = visit
        .history
        .iter()
        .rev()
        .find(|e| matches!(e.kind, EventKind::Answered | EventKind::Escalated | EventKind::Started))
        .map(|e| e.by.clone());
    out.push(Item::Gap);
    out.push(Item::Field("Petugas helpdesk".into(), dash(&officer)));
    if let Some(copy) = &visit.copy {
        let via = match copy.via {
            CopyVia::Printed => "dicetak",
            CopyVia::Email => "dikirim lewat e-mail",
            CopyVia::Declined => "tidak diminta pengguna",
        };
        out.push(Item::Field("Salinan".into(), format!("{via}, {}", local(copy.at, zone))));
    }
    let corrections = loket_domain::corrections::corrections(&visit.history);
    if !corrections.is_empty() {
        // What was written before each correction, by whom and when: nothing written is lost.
        out.push(Item::Gap);
        out.push(Item::Heading("Perubahan isian".into()));
        for c in corrections {
            let text = format!(
                "semula «{}», menjadi «{}»; diubah oleh {}, {}",
                dash(&c.before),
                dash(&c.after),
                c.by,
                local(c.at, zone)
            );
            out.push(Item::Field(label(&c.field).to_owned(), text));
        }
    }
    out.push(Item::Gap);
    out.push(Item::Heading("Waktu tiap langkah terhadap mutu baku waktu".into()));
    let header = ["Langkah", "Mulai", "Lama", "Standar", "Hasil"].map(String::from).to_vec();
    out.push(Item::Row(header, true));
    let analysis = settings.analysis_minutes(f.category.as_deref());
    for r in steps_measured(&visit.history, &settings.time_standards, analysis, cx.now, &settings.measure()) {
        out.push(Item::Row(step_row(&r, zone), false));
    }
    out
}

/// The form's fields as the form names them.
const FIELD_LABELS: [(&str, &str); 10] = [
    ("visitor.name", "Nama"),
    ("visitor.organization", "Instansi/Perusahaan"),
    ("visitor.role", "Peran"),
    ("visitor.phone", "Telepon"),
    ("visitor.email", "E-mail"),
    ("form.category", "Kategori"),
    ("form.subject", "Perihal"),
    ("form.description", "Uraian"),
    ("form.spse_user_id", "User ID SPSE"),
    ("form.tender_code", "Kode tender"),
];

/// A field's name on the form (`Nama` for `visitor.name`).
fn label(field: &str) -> &str {
    FIELD_LABELS.iter().find(|(f, _)| *f == field).map_or(field, |(_, l)| l)
}

/// A step's row: its time as the office measures it (clock or working time).
fn step_row(r: &StepRecord, zone: Tz) -> Vec<String> {
    let name = STEP_NAMES.get(usize::from(r.step).saturating_sub(1)).copied().unwrap_or("-");
    let took = match r.measured_minutes {
        Some(m) if !r.instant => format!("{} menit", m.floor().max(0.0) as i64),
        _ => "-".to_owned(),
    };
    let judged = match r.within_standard {
        Some(true) => "sesuai",
        Some(false) => "melewati",
        None => "-",
    };
    vec![
        format!("{}. {name}", r.step),
        local(r.started_at, zone),
        took,
        r.standard_minutes.map_or("-".into(), |m| format!("{m} menit")),
        judged.into(),
    ]
}

/// What is drawn on a page.
#[derive(Debug, Clone, PartialEq)]
enum Draw {
    Text { x: f32, y: f32, text: String, size: f32, bold: bool },
    Rule { y: f32 },
    Square { x: f32, y: f32, side: f32 },
    Image { image: Image, x: f32, y: f32, w: f32, h: f32 },
}

/// Lays the lines out on A4 pages, starting a new page when one is full.
struct Pages {
    fonts: &'static Fonts,
    mark: &'static str,
    reference: String,
    pages: Vec<Vec<Draw>>,
    y: f32,
    /// The office's logo, drawn beside the title.
    logo: Option<Image>,
}

/// Where the step table's columns begin; the second is wide enough for `31 Desember 2026 09.55`.
const COLUMNS: [f32; 5] = [0.0, 150.0, 280.0, 345.0, 415.0];

/// The type size of a report table's cells, their line height, and the room between columns.
const CELL_SIZE: f32 = 8.5;
const CELL_LEADING: f32 = 11.0;
const CELL_PAD: f32 = 6.0;

/// The widths of a report table's columns within `width`: each as wide as its widest cell (a
/// header only as its longest word, it wraps), grown in proportion when they all fit; when they
/// do not, the columns narrower than an equal share keep their width and the others share the
/// rest in proportion, their cells wrapped.
fn column_widths(fonts: &Fonts, table: &ReportTable, width: f32) -> Vec<f32> {
    let n = table.rows.iter().map(Vec::len).chain([table.columns.len(), 1]).max().unwrap_or(1);
    let mut natural = vec![0.0f32; n];
    for (i, name) in table.columns.iter().enumerate() {
        let longest = name.split(' ').map(|w| fonts.bold_face.width(w, CELL_SIZE)).fold(0.0, f32::max);
        natural[i] = natural[i].max(longest + CELL_PAD);
    }
    for row in &table.rows {
        for (i, cell) in row.iter().enumerate() {
            natural[i] = natural[i].max(fonts.regular_face.width(cell, CELL_SIZE) + CELL_PAD);
        }
    }
    let total: f32 = natural.iter().sum();
    if total <= width {
        return natural.iter().map(|w| w * width / total.max(1.0)).collect();
    }
    let mut kept = vec![false; n];
    loop {
        let free = width - (0..n).filter(|&i| kept[i]).map(|i| natural[i]).sum::<f32>();
        let open: Vec<usize> = (0..n).filter(|&i| !kept[i]).collect();
        let share = free / open.len().max(1) as f32;
        let narrow: Vec<usize> = open.iter().copied().filter(|&i| natural[i] <= share).collect();
        if narrow.is_empty() {
            let open_total: f32 = open.iter().map(|&i| natural[i]).sum();
            for &i in &open {
                natural[i] *= free / open_total.max(1.0);
            }
            return natural;
        }
        for i in narrow {
            kept[i] = true;
        }
    }
}

impl Pages {
    fn new(fonts: &'static Fonts, mark: &'static str, reference: &str) -> Self {
        Pages { fonts, mark, reference: reference.to_owned(), pages: Vec::new(), y: 0.0, logo: None }
    }

    fn put(&mut self, item: &Item) {
        let width = PAGE_W - 2.0 * MARGIN;
        match item {
            Item::Title(t) => match self.logo.clone() {
                Some(image) => self.title_with_logo(t, image),
                None => self.lines(std::slice::from_ref(t), 0.0, 16.0, true, 22.0),
            },
            Item::Heading(t) => {
                self.room(LINE * 2.0);
                self.y += 4.0;
                self.lines(&wrap(&self.fonts.bold_face, t, 12.0, width), 0.0, 12.0, true, 17.0);
            }
            Item::Field(label, value) => {
                let value_lines = wrap(&self.fonts.regular_face, value, BODY, width - LABEL_W);
                self.room(LINE);
                self.text(MARGIN, self.y, label, BODY, true);
                self.lines(&value_lines, LABEL_W, BODY, false, LINE);
            }
            Item::Text(t) => self.lines(&wrap(&self.fonts.regular_face, t, BODY, width), 0.0, BODY, false, LINE),
            Item::Row(cells, bold) => {
                self.room(LINE);
                for (cell, x) in cells.iter().zip(COLUMNS) {
                    self.text(MARGIN + x, self.y, cell, 9.0, *bold);
                }
                self.y += 13.0;
            }
            Item::Qr(modules) => {
                // A quiet zone of four modules around it (ISO/IEC 18004).
                let side = (modules.len() as f32 + 8.0) * QR_MODULE;
                self.room(side);
                let top = self.y + 4.0 * QR_MODULE;
                let left = MARGIN + 4.0 * QR_MODULE;
                for (r, row) in modules.iter().enumerate() {
                    for (c, dark) in row.iter().enumerate() {
                        if *dark {
                            let (x, y) = (left + c as f32 * QR_MODULE, top + r as f32 * QR_MODULE);
                            self.draw(Draw::Square { x, y, side: QR_MODULE });
                        }
                    }
                }
                self.y += side;
            }
            Item::Keep(height) => self.room(*height),
            Item::Table(table) => self.table(table),
            Item::Signature => {
                self.room(LINE * 6.0);
                let x = PAGE_W - MARGIN - 200.0;
                self.text(x, self.y, "Mengetahui,", BODY, false);
                self.text(x, self.y + LINE, "Kepala LPSE", BODY, true);
                self.text(x, self.y + LINE * 5.0, "(................................................)", BODY, false);
                self.text(x, self.y + LINE * 6.0, "NIP.", BODY, false);
                self.y += LINE * 7.0;
            }
            Item::Gap => self.y += 6.0,
        }
    }

    /// A report's table: see [`Item::Table`].
    fn table(&mut self, table: &ReportTable) {
        let widths = column_widths(self.fonts, table, PAGE_W - 2.0 * MARGIN);
        self.table_row(&table.columns, &widths, true, None);
        for row in &table.rows {
            self.table_row(row, &widths, false, Some(&table.columns));
        }
    }

    /// One row of a table, as high as its longest cell; on a new page, the `header` first.
    fn table_row(&mut self, cells: &[String], widths: &[f32], bold: bool, header: Option<&[String]>) {
        let face = if bold { &self.fonts.bold_face } else { &self.fonts.regular_face };
        let lines: Vec<Vec<String>> =
            cells.iter().zip(widths).map(|(cell, w)| wrap(face, cell, CELL_SIZE, w - CELL_PAD)).collect();
        let height = lines.iter().map(Vec::len).max().unwrap_or(1).max(1) as f32 * CELL_LEADING;
        let pages = self.pages.len();
        self.room(height);
        if let Some(header) = header.filter(|_| self.pages.len() != pages) {
            self.table_row(header, widths, true, None);
        }
        let mut x = MARGIN;
        for (cell, w) in lines.iter().zip(widths) {
            for (k, line) in cell.iter().enumerate() {
                self.text(x, self.y + k as f32 * CELL_LEADING, line, CELL_SIZE, bold);
            }
            x += w;
        }
        self.y += height + 1.0;
    }

    fn draw(&mut self, d: Draw) {
        if let Some(page) = self.pages.last_mut() {
            page.push(d);
        }
    }

    /// Lines at `indent`, each on its own line, a new page when needed.
    fn lines(&mut self, lines: &[String], indent: f32, size: f32, bold: bool, leading: f32) {
        for l in lines {
            self.room(leading);
            self.text(MARGIN + indent, self.y, l, size, bold);
            self.y += leading;
        }
    }

    /// Makes sure `height` fits on the page, starting a new one otherwise.
    fn room(&mut self, height: f32) {
        if self.pages.is_empty() || self.y + height > PAGE_H - MARGIN - 20.0 {
            self.pages.push(Vec::new());
            self.y = MARGIN + 12.0;
            let mark = format!("{}  ·  {}  ·  halaman {}", self.mark, self.reference, self.pages.len());
            self.text(MARGIN, MARGIN - 10.0, &mark, 9.0, true);
            if let Some(page) = self.pages.last_mut() {
                page.push(Draw::Rule { y: MARGIN - 4.0 });
            }
        }
    }

    fn text(&mut self, x: f32, y: f32, text: &str, size: f32, bold: bool) {
        if let Some(page) = self.pages.last_mut() {
            page.push(Draw::Text { x, y, text: text.to_owned(), size, bold });
        }
    }
}

/// Draws the laid-out pages into the document.
fn render(document: &mut Document, fonts: &Fonts, pages: Vec<Vec<Draw>>) -> Result<(), String> {
    let settings = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or("A4 is not a page size")?;
    for draws in pages {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        surface.set_fill(Some(Fill::default()));
        for d in draws {
            match d {
                Draw::Text { x, y, text, size, bold } => {
                    let (font, face) = if bold {
                        (fonts.bold.clone(), &fonts.bold_face)
                    } else {
                        (fonts.regular.clone(), &fonts.regular_face)
                    };
                    surface.draw_glyphs(Point::from_xy(x, y), &face.glyphs(&text), font, &text, size, false);
                }
                Draw::Rule { y } => fill_rect(&mut surface, MARGIN, y, PAGE_W - 2.0 * MARGIN, 0.6),
                Draw::Square { x, y, side } => fill_rect(&mut surface, x, y, side, side),
                Draw::Image { image, x, y, w, h } => draw_image(&mut surface, image, x, y, w, h),
            }
        }
        surface.finish();
        page.finish();
    }
    Ok(())
}

fn fill_rect(surface: &mut krilla::surface::Surface<'_>, x: f32, y: f32, w: f32, h: f32) {
    let mut pb = PathBuilder::new();
    if let Some(rect) = Rect::from_xywh(x, y, w, h) {
        pb.push_rect(rect);
    }
    if let Some(path) = pb.finish() {
        surface.draw_path(&path);
    }
}

#[cfg(test)]
mod tests;
