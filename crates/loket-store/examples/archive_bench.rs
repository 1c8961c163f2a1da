//! The archive search benchmark (see docs/benchmarks.md, "Archive search"): fills a fresh database
//! with N archived visits, written straight into the real schema (visits, archived_documents,
//! archive_search, in batches), then times searches through the store's use case
//! (`ArchiveStore::search_archive`, what `GET /api/v1/archive` calls) and similar answered visits
//! (`similar_answered`). Prints a Markdown summary and one JSON line.
//!
//!   archive_bench --database sqlite|postgres [--visits 100000] [--searches 400]
//!
//! PostgreSQL runs in a new schema of `LOKET_TEST_POSTGRES_URL` (or `--postgres URL`), dropped
//! at the end.

use std::process::ExitCode;
use std::time::Instant;

use chrono::{DateTime, TimeZone, Utc};
use loket_domain::Visit;
use loket_domain::archive::Archive;
use loket_domain::escalation::{Channel, Escalation, EscalationStatus};
use loket_domain::guest_book::{Visitor, VisitorRole};
use loket_domain::search::{ArchiveEntry, Outcome, SearchWords};
use loket_domain::settings::OfficeSettings;
use loket_store::{ArchiveQuery, Store};

/// A small deterministic generator (xorshift64*), so that every run fills the same archive.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const FIRST: &[&str] = &[
    "Budi", "Siti", "Agus", "Dewi", "Rudi", "Yohanes", "Made", "Ketut", "Andi", "Rina", "Hendra", "Sri", "Bambang",
    "Wayan", "Nur", "Fitri", "Dedi", "Ayu", "Joko", "Lestari", "Taufik", "Maria", "Yusuf", "Indah", "Rahmat", "Putu",
    "Fajar", "Wulan", "Arif", "Ratna",
];
const LAST: &[&str] = &[
    "Santoso",
    "Wijaya",
    "Hidayat",
    "Saputra",
    "Kurniawan",
    "Siregar",
    "Nasution",
    "Simanjuntak",
    "Pratama",
    "Lubis",
    "Harahap",
    "Setiawan",
    "Gunawan",
    "Hutapea",
    "Manurung",
    "Sitompul",
    "Kaligis",
    "Tanjung",
    "Rahayu",
    "Purba",
];
const ORG: &[&str] = &[
    "CV Maju Jaya",
    "PT Sinar Timur",
    "CV Karya Mandiri",
    "PT Bangun Nusantara",
    "Dinas Pekerjaan Umum",
    "Dinas Kesehatan",
    "Bappeda",
    "CV Sumber Rejeki",
    "PT Cipta Karya Abadi",
    "Sekretariat Daerah",
    "Dinas Pendidikan",
    "RSUD Kota",
    "CV Berkah Utama",
    "PT Mitra Konstruksi",
    "Inspektorat",
];
const CATEGORIES: &[&str] = &["registration", "password", "offer_upload", "tender", "e_purchasing", "sikap", "other"];
const ROLES: &[VisitorRole] = &[
    VisitorRole::Penyedia,
    VisitorRole::Penyedia,
    VisitorRole::Penyedia,
    VisitorRole::PaKpa,
    VisitorRole::Ppk,
    VisitorRole::PokjaPemilihan,
    VisitorRole::PejabatPengadaan,
    VisitorRole::Pphp,
    VisitorRole::Auditor,
    VisitorRole::Public,
];
const ROLE_CODES: &[&str] = &["penyedia", "pa_kpa", "ppk", "pokja_pemilihan", "pejabat_pengadaan", "auditor"];
const SUBJECTS: &[&str] = &[
    "Lupa password",
    "Akun terkunci",
    "Gagal unggah dokumen penawaran",
    "Verifikasi akun penyedia",
    "Jadwal tender berubah",
    "Tidak bisa login SPSE",
    "Apendo tidak bisa enkripsi",
    "Produk e-katalog tidak tampil",
    "Pendaftaran akun baru",
    "SIKaP tidak sinkron",
    "Sanggahan tidak terkirim",
    "Dokumen kualifikasi hilang",
    "Undangan pembuktian belum diterima",
    "Paket tidak muncul di daftar",
    "Ganti alamat email akun",
];
const PROBLEMS: &[&str] = &[
    "Pengguna lupa password akun SPSE dan tidak menerima email reset",
    "Akun penyedia terkunci setelah salah memasukkan kata sandi beberapa kali",
    "Dokumen penawaran gagal diunggah karena ukuran berkas melebihi batas",
    "Apendo menampilkan galat saat enkripsi dokumen penawaran harga",
    "Jadwal tender pada tahap pemasukan penawaran berubah tanpa pemberitahuan",
    "Verifikasi akun penyedia belum disetujui oleh verifikator LPSE",
    "Produk di e-katalog tidak tampil setelah perubahan harga",
    "Data kinerja penyedia di SIKaP tidak sinkron dengan kontrak",
    "Sanggahan tidak dapat dikirim karena tombol tidak aktif",
    "Dokumen kualifikasi yang sudah diunggah hilang dari daftar",
    "Penyedia tidak menerima undangan pembuktian kualifikasi melalui email",
    "Paket pengadaan langsung tidak muncul di daftar pejabat pengadaan",
    "Pengguna ingin mengganti alamat email akun karena email lama tidak aktif",
    "Sertifikat elektronik kedaluwarsa sehingga tidak bisa menandatangani",
    "Halaman SPSE lambat dan sering terputus saat unggah penawaran",
];
const DETAILS: &[&str] = &[
    "menggunakan peramban Chrome versi terbaru",
    "sudah mencoba dari komputer lain",
    "terjadi sejak kemarin sore",
    "pesan galat tidak jelas",
    "batas waktu tender tinggal dua hari",
    "koneksi internet kantor normal",
    "sudah menghubungi pokja pemilihan",
    "nomor paket tercantum pada formulir",
];
const ANSWERS: &[&str] = &[
    "Password direset oleh admin agency, pengguna diminta mengganti password setelah login",
    "Akun dibuka kembali setelah verifikasi identitas dengan KTP dan NIB",
    "Berkas dipecah menjadi beberapa bagian dan dikompres sebelum diunggah ulang",
    "Apendo diperbarui ke versi terbaru dan kunci publik diunduh ulang",
    "Perubahan jadwal sudah sesuai adendum, pengguna diarahkan membaca riwayat jadwal",
    "Verifikator menyetujui akun setelah dokumen NPWP dilengkapi",
    "Harga produk menunggu persetujuan PPK pada e-katalog",
    "Data SIKaP diperbarui manual oleh admin LPSE",
    "Cache peramban dibersihkan lalu sanggahan berhasil dikirim",
    "Alamat email diganti oleh admin agency setelah surat permohonan diterima",
];

const OFFICE_DAY_VISITS: usize = 40;

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2020, 1, 6, 2, 0, 0).single().unwrap_or_default()
}

/// The i-th archived visit of the archive, as the store would have kept it.
fn visit(i: usize, rng: &mut Rng, settings: &OfficeSettings) -> Visit {
    let day_no = i / OFFICE_DAY_VISITS;
    let seq = i % OFFICE_DAY_VISITS + 1;
    let at = start() + chrono::Duration::days(day_no as i64) + chrono::Duration::minutes(seq as i64 * 10);
    let day = at.date_naive();
    let name = format!("{} {}", rng.pick(FIRST), rng.pick(LAST));
    let visitor = Visitor {
        name: Some(name),
        organization: Some(rng.pick(ORG).into()),
        role: Some(ROLES[rng.below(ROLES.len())]),
        phone: Some(format!("08{:010}", rng.next() % 10_000_000_000)),
        email: Some(format!("user{i}@example.co.id")),
    };
    let reference = format!("{}-{seq:04}", day.format("%Y%m%d"));
    let mut v = Visit::open(format!("{i:032x}"), reference, "A".into(), visitor, settings, at, "fo").0;
    v.form.category = Some(rng.pick(CATEGORIES).into());
    v.form.subject = Some(rng.pick(SUBJECTS).into());
    v.form.description = Some(format!("{}, {}.", rng.pick(PROBLEMS), rng.pick(DETAILS)));
    v.form.tender_code = Some(format!("{}", 10_000_000 + rng.next() % 89_999_999));
    v.queue.number = Some(format!("A-{seq:03}"));
    v.queue.day = Some(day);
    v.analysis = Some(format!("{} ({})", rng.pick(PROBLEMS), rng.pick(DETAILS)));
    if rng.below(5) == 0 {
        let answered = rng.below(2) == 0;
        v.escalation = Some(Escalation {
            channel: if rng.below(2) == 0 { Channel::Tts } else { Channel::Email },
            status: if answered { EscalationStatus::Answered } else { EscalationStatus::Sent },
            external_reference: Some(format!("TTS-{}-{:05}", day.format("%Y"), i)),
            sent_at: Some(at),
            answer: answered.then(|| rng.pick(ANSWERS).to_owned()),
            summary: rng.pick(PROBLEMS).into(),
            answered_at: answered.then_some(at),
            lkpp_ticket: None,
        });
    } else {
        v.answer = Some(rng.pick(ANSWERS).into());
    }
    let number = format!("LPSE/{}/{:06}", day.format("%Y/%m"), i + 1);
    v.archive = Some(Archive { number, archived_at: at, sha256: format!("{:064x}", i), version: 1 });
    v.status = loket_domain::Status::Archived;
    v
}

const BATCH: usize = 200;

async fn fill(url: &str, n: usize, postgres: bool) -> Result<Vec<Visit>, String> {
    let settings = OfficeSettings::default();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let visits: Vec<Visit> = (0..n).map(|i| visit(i, &mut rng, &settings)).collect();
    let words = if postgres { "to_tsvector('simple', {})" } else { "{}" };
    macro_rules! insert_all {
        ($pool:expr, $db:ty) => {{
            let pool = $pool;
            for chunk in visits.chunks(BATCH) {
                let mut tx = pool.begin().await.map_err(|e| e.to_string())?;
                // visits
                let mut sql = String::from(
                    "INSERT INTO visits (id, office_id, reference, service, status, created_day, number, number_day, \
                     created_at, updated_at, data) VALUES ",
                );
                let cols = 11;
                sql.push_str(&values(chunk.len(), cols, |_, p| p));
                let mut q = sqlx::query::<$db>(&sql);
                for v in chunk {
                    let day = v.queue.day.map(|d| d.to_string()).unwrap_or_default();
                    let ms = v.created_at.timestamp_millis();
                    q = q
                        .bind(v.id.clone())
                        .bind("default")
                        .bind(v.reference.clone())
                        .bind("A")
                        .bind("archived")
                        .bind(day.clone())
                        .bind(v.queue.number.clone())
                        .bind(day)
                        .bind(ms)
                        .bind(ms)
                        .bind(serde_json::to_string(v).map_err(|e| e.to_string())?);
                }
                q.execute(&mut *tx).await.map_err(|e| e.to_string())?;
                // archived_documents: a small stand-in for each PDF (the search never reads it).
                let mut sql = String::from(
                    "INSERT INTO archived_documents (visit_id, version, number, sha256, content, archived_at) VALUES ",
                );
                sql.push_str(&values(chunk.len(), 6, |_, p| p));
                let mut q = sqlx::query::<$db>(&sql);
                for v in chunk {
                    let a = v.archive.clone().ok_or("not archived")?;
                    q = q
                        .bind(v.id.clone())
                        .bind(1i64)
                        .bind(a.number)
                        .bind(a.sha256)
                        .bind(format!("%PDF-1.7 bench {}", v.id).into_bytes())
                        .bind(a.archived_at.timestamp_millis());
                }
                q.execute(&mut *tx).await.map_err(|e| e.to_string())?;
                // archive_search and archive_search_texts, as the store writes them.
                let words_column = if postgres { ", words" } else { "" };
                let cols = if postgres { 13 } else { 12 };
                let mut sql = format!(
                    "INSERT INTO archive_search (visit_id, office_id, reference, number, version, archived_at, day, \
                     category, visitor_role, outcome, has_answer, visitor_name{words_column}) VALUES "
                );
                sql.push_str(&values(chunk.len(), cols, |c, p| if c == 12 { words.replace("{}", &p) } else { p }));
                let entries: Vec<ArchiveEntry> = chunk
                    .iter()
                    .map(|v| ArchiveEntry::of(v, &settings).ok_or("not archived"))
                    .collect::<Result<_, _>>()?;
                let mut q = sqlx::query::<$db>(&sql);
                for e in &entries {
                    q = q
                        .bind(e.visit_id.clone())
                        .bind("default")
                        .bind(e.reference.clone())
                        .bind(e.number.clone())
                        .bind(i64::from(e.version))
                        .bind(e.archived_at.timestamp_millis())
                        .bind(e.day.to_string())
                        .bind(e.category.clone())
                        .bind(e.visitor_role.clone())
                        .bind(e.outcome.as_str())
                        .bind(e.has_answer)
                        .bind(e.visitor_name.clone());
                    if postgres {
                        q = q.bind(e.words.clone());
                    }
                }
                q.execute(&mut *tx).await.map_err(|e| e.to_string())?;
                let mut sql = String::from(
                    "INSERT INTO archive_search_texts (visit_id, subject, problem, analysis, answer) VALUES ",
                );
                sql.push_str(&values(chunk.len(), 5, |_, p| p));
                let mut q = sqlx::query::<$db>(&sql);
                for e in &entries {
                    q = q
                        .bind(e.visit_id.clone())
                        .bind(e.subject.clone())
                        .bind(e.problem.clone())
                        .bind(e.analysis.clone())
                        .bind(e.answer.clone());
                }
                q.execute(&mut *tx).await.map_err(|e| e.to_string())?;
                if !postgres {
                    for e in &entries {
                        sqlx::query::<$db>(
                            "INSERT INTO archive_search_words (rowid, words) \
                             SELECT rowid, $2 FROM archive_search WHERE visit_id = $1",
                        )
                        .bind(e.visit_id.clone())
                        .bind(e.words.clone())
                        .execute(&mut *tx)
                        .await
                        .map_err(|e| e.to_string())?;
                    }
                }
                tx.commit().await.map_err(|e| e.to_string())?;
            }
            sqlx::query::<$db>("ANALYZE").execute(&pool).await.map_err(|e| e.to_string())?;
        }};
    }
    if postgres {
        insert_all!(sqlx::PgPool::connect(url).await.map_err(|e| e.to_string())?, sqlx::Postgres);
    } else {
        insert_all!(sqlx::SqlitePool::connect(url).await.map_err(|e| e.to_string())?, sqlx::Sqlite);
    }
    Ok(visits)
}

/// `($1, $2, …), (…)` for `rows` rows of `cols` columns; `wrap` may dress a column's parameter.
fn values(rows: usize, cols: usize, wrap: impl Fn(usize, String) -> String) -> String {
    (0..rows)
        .map(|r| {
            let params: Vec<String> = (0..cols).map(|c| wrap(c, format!("${}", r * cols + c + 1))).collect();
            format!("({})", params.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The searches: what people at the desk and supervisors type, with and without filters.
fn searches(visits: &[Visit], count: usize) -> Vec<(String, ArchiveQuery)> {
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    let mut out = Vec::with_capacity(count);
    let last_day = visits.last().and_then(|v| v.queue.day).unwrap_or_default();
    for i in 0..count {
        let v = &visits[rng.below(visits.len())];
        let mut q = ArchiveQuery { limit: 20, ..Default::default() };
        let (kind, text): (&str, String) = match i % 14 {
            0 => ("common word", rng.pick(&["akun", "penawaran", "tender", "dokumen", "password", "email"]).into()),
            1 => (
                "two words",
                rng.pick(&["dokumen penawaran", "akun terkunci", "jadwal tender", "lupa password"]).into(),
            ),
            2 => ("name", v.visitor.name.clone().unwrap_or_default()),
            3 => ("first name", rng.pick(FIRST).into()),
            4 => ("reference", v.reference.clone()),
            5 => ("archive number", v.archive.as_ref().map(|a| a.number.clone()).unwrap_or_default()),
            6 => ("tender code", v.form.tender_code.clone().unwrap_or_default()),
            7 => ("phone", v.visitor.phone.clone().unwrap_or_default()),
            8 => ("prefix", rng.pick(&["terkun", "verif", "enkrip", "sanggah", "katal"]).into()),
            9 => {
                q.category = Some(rng.pick(CATEGORIES).into());
                q.outcome = Some(if rng.below(2) == 0 { Outcome::Answered } else { Outcome::Escalated });
                ("word, category, outcome", rng.pick(&["akun", "dokumen", "galat", "admin"]).into())
            }
            10 => {
                let from = last_day - chrono::Duration::days(30 + rng.below(2000) as i64);
                q.from = Some(from);
                q.to = Some(from + chrono::Duration::days(30));
                q.visitor_role = Some(rng.pick(ROLE_CODES).into());
                ("word, month, role", rng.pick(&["penawaran", "akun", "tender"]).into())
            }
            11 => {
                let from = last_day - chrono::Duration::days(rng.below(2000) as i64);
                q.from = Some(from);
                q.to = Some(from + chrono::Duration::days(7));
                ("week only, no words", String::new())
            }
            12 => {
                q.category = Some(rng.pick(CATEGORIES).into());
                q.offset = 20 * rng.below(5) as u32;
                ("category only, a later page", String::new())
            }
            _ => ("organization and word", format!("{} {}", rng.pick(ORG), rng.pick(&["akun", "dokumen"]))),
        };
        q.words = SearchWords::query(&text);
        out.push((format!("{kind}: {text}"), q));
    }
    out
}

struct Timing {
    sorted_ms: Vec<f64>,
}

impl Timing {
    fn new(mut ms: Vec<f64>) -> Timing {
        ms.sort_by(|a, b| a.total_cmp(b));
        Timing { sorted_ms: ms }
    }

    fn pct(&self, p: f64) -> f64 {
        let n = self.sorted_ms.len();
        if n == 0 {
            return 0.0;
        }
        let i = ((p / 100.0) * n as f64).ceil() as usize;
        self.sorted_ms[i.clamp(1, n) - 1]
    }

    fn max(&self) -> f64 {
        self.sorted_ms.last().copied().unwrap_or_default()
    }
}

struct Args {
    postgres: bool,
    visits: usize,
    searches: usize,
    postgres_url: Option<String>,
}

fn args() -> Result<Args, String> {
    let mut a = Args { postgres: false, visits: 100_000, searches: 420, postgres_url: None };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--database" => a.postgres = value()? == "postgres",
            "--visits" => a.visits = value()?.parse().map_err(|e| format!("--visits: {e}"))?,
            "--searches" => a.searches = value()?.parse().map_err(|e| format!("--searches: {e}"))?,
            "--postgres" => a.postgres_url = Some(value()?),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(a)
}

async fn run(a: Args) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let (url, base) = if a.postgres {
        let base = a
            .postgres_url
            .clone()
            .or_else(|| std::env::var("LOKET_TEST_POSTGRES_URL").ok())
            .ok_or("give --postgres URL or LOKET_TEST_POSTGRES_URL")?;
        (loket_store::testing::fresh_postgres_url(&base).await, Some(base))
    } else {
        (loket_store::testing::sqlite_url(dir.path()), None)
    };
    let store: std::sync::Arc<dyn Store> = loket_store::connect(&url, None).await.map_err(|e| e.to_string())?;
    let began = Instant::now();
    let visits = fill(&url, a.visits, a.postgres).await?;
    let filled = began.elapsed();
    let backend = if a.postgres { "postgres" } else { "sqlite" };
    eprintln!("{backend}: {} archived visits written in {:.1} s", visits.len(), filled.as_secs_f64());

    let queries = searches(&visits, a.searches);
    // Warm up: a server that runs has its pages in memory.
    for (_, q) in queries.iter().take(40) {
        store.search_archive(q).await.map_err(|e| e.to_string())?;
    }
    let mut times = Vec::with_capacity(queries.len());
    let mut slowest = (0.0, String::new());
    let mut found = 0u64;
    for (label, q) in &queries {
        let t = Instant::now();
        let page = store.search_archive(q).await.map_err(|e| e.to_string())?;
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        found += page.total;
        if ms > slowest.0 {
            slowest = (ms, format!("{label} ({} found)", page.total));
        }
        times.push(ms);
    }
    let search = Timing::new(times);
    let mut similar = Vec::new();
    let mut rng = Rng(42);
    for _ in 0..100 {
        let v = &visits[rng.below(visits.len())];
        let t = Instant::now();
        store.similar_answered(&v.id, 5).await.map_err(|e| e.to_string())?;
        similar.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let similar = Timing::new(similar);
    println!(
        "| {backend} | {} | {} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} |",
        visits.len(),
        queries.len(),
        search.pct(50.0),
        search.pct(95.0),
        search.max(),
        similar.pct(50.0),
        similar.pct(95.0),
        similar.max()
    );
    println!(
        "{}",
        serde_json::json!({
            "bench": "archive_search", "backend": backend, "visits": visits.len(), "searches": queries.len(),
            "fill_s": filled.as_secs_f64(), "mean_found": found as f64 / queries.len() as f64,
            "search_ms": {"p50": search.pct(50.0), "p95": search.pct(95.0), "max": search.max()},
            "slowest": slowest.1,
            "similar_ms": {"p50": similar.pct(50.0), "p95": similar.pct(95.0), "max": similar.max()},
        })
    );
    drop(store);
    if let (Some(base), Some(schema)) = (base, url.split("search_path%3D").nth(1)) {
        use sqlx::Connection;
        let mut admin = sqlx::PgConnection::connect(&base).await.map_err(|e| e.to_string())?;
        sqlx::query(&format!("DROP SCHEMA {schema} CASCADE")).execute(&mut admin).await.map_err(|e| e.to_string())?;
    }
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    let a = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("archive_bench: {e}");
            return ExitCode::from(2);
        }
    };
    match run(a).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("archive_bench: {e}");
            ExitCode::FAILURE
        }
    }
}
