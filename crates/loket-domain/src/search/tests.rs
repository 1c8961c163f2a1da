use chrono::TimeZone;

use super::*;
use crate::archive::Archive;
use crate::escalation::{Channel, Escalation, EscalationStatus};
use crate::guest_book::{Visitor, VisitorRole};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 2, 0, 0).unwrap()
}

fn archived() -> Visit {
    let settings = OfficeSettings::default();
    let visitor = Visitor {
        name: Some("Budi Santoso".into()),
        organization: Some("CV Maju Jaya".into()),
        role: Some(VisitorRole::PokjaPemilihan),
        phone: Some("0812-3456-7890".into()),
        email: Some("budi@example.co.id".into()),
    };
    let mut v = Visit::open("v1".into(), "K-20261128-0007".into(), "A".into(), visitor, &settings, now(), "fo").0;
    v.form.category = Some("password".into());
    v.form.subject = Some("Lupa password".into());
    v.form.description = Some("Akun terkunci setelah salah kata sandi".into());
    v.queue.number = Some("A-012".into());
    v.analysis = Some("Akun dikunci oleh sistem".into());
    v.answer = Some("Reset melalui admin agency".into());
    v.archive =
        Some(Archive { number: "LPSE/2026/11/0003".into(), archived_at: now(), sha256: "x".into(), version: 1 });
    v
}

fn words_of(text: &str) -> Vec<String> {
    words(text).collect()
}

#[test]
fn words_are_lowercased_runs_of_letters_and_digits() {
    assert_eq!(words_of("Budi@Example.co.id, A-012!"), ["budi", "example", "co", "id", "a", "012"]);
    assert_eq!(words_of("LPSE/2026/11/0003"), ["lpse", "2026", "11", "0003"]);
}

#[test]
fn an_entry_holds_every_text_field_as_words() {
    let entry = ArchiveEntry::of(&archived(), &OfficeSettings::default()).unwrap();
    for word in [
        "k",
        "20261128",
        "0007",
        "lpse",
        "0003",
        "a",
        "012",
        "budi",
        "santoso",
        "maju",
        "pokja",
        "pemilihan",
        "0812",
        "7890",
        "example",
        "password",
        "lupa",
        "akun",
        "terkunci",
        "dikunci",
        "reset",
        "agency",
        "answered",
    ] {
        assert!(entry.words.split(' ').any(|w| w == word), "{word} missing from {}", entry.words);
    }
    assert_eq!(entry.outcome, Outcome::Answered);
    assert!(entry.has_answer);
    assert_eq!(entry.visitor_role.as_deref(), Some("pokja_pemilihan"));
    assert_eq!(entry.day, NaiveDate::from_ymd_opt(2026, 11, 28).unwrap());
}

#[test]
fn an_escalation_without_lkpp_answer_has_no_answer_to_show() {
    let mut v = archived();
    v.answer = None;
    v.escalation = Some(Escalation {
        channel: Channel::Tts,
        status: EscalationStatus::Sent,
        external_reference: Some("TTS-4411".into()),
        sent_at: None,
        answer: None,
        summary: "Jadwal tender macet".into(),
        answered_at: None,
        lkpp_ticket: None,
    });
    let entry = ArchiveEntry::of(&v, &OfficeSettings::default()).unwrap();
    assert_eq!(entry.outcome, Outcome::Escalated);
    assert!(!entry.has_answer);
    assert!(entry.words.contains("tts 4411"));
    v.escalation.as_mut().unwrap().answer = Some("Sudah diperbaiki".into());
    let entry = ArchiveEntry::of(&v, &OfficeSettings::default()).unwrap();
    assert!(entry.has_answer);
    assert_eq!(entry.answer.as_deref(), Some("Sudah diperbaiki"));
}

#[test]
fn a_visit_not_archived_has_no_entry() {
    let mut v = archived();
    v.archive = None;
    assert!(ArchiveEntry::of(&v, &OfficeSettings::default()).is_none());
}

#[test]
fn a_query_keeps_nothing_of_the_index_syntax() {
    let q = SearchWords::query(r#"akun" OR password* NEAR(x) 'a':*"#).unwrap();
    assert_eq!(q.words, ["akun", "or", "password", "near", "x", "a"]);
    assert_eq!(q.fts5(), r#""akun" "or" "password" "near" "x" "a"*"#);
    assert_eq!(q.tsquery(), "'akun' & 'or' & 'password' & 'near' & 'x' & 'a':*");
}

#[test]
fn a_phone_number_is_one_word_as_it_is_stored() {
    let q = SearchWords::query(" 0812-3456 7890 ").unwrap();
    assert_eq!(q.phone.as_deref(), Some("081234567890"));
    assert_eq!(q.fts5(), r#"("0812" "3456" "7890"*) OR "081234567890"*"#);
    assert_eq!(q.tsquery(), "('0812' & '3456' & '7890':*) | '081234567890':*");
    assert_eq!(SearchWords::query("+62 812 3456 7890").unwrap().phone.as_deref(), Some("6281234567890"));
    assert_eq!(SearchWords::query("081234567890").unwrap().phone, None, "one word already");
    let mut v = archived();
    v.visitor.phone = Some("+6281234567890".into());
    let entry = ArchiveEntry::of(&v, &OfficeSettings::default()).unwrap();
    assert!(entry.words.contains("6281234567890") && entry.words.contains("081234567890"), "{}", entry.words);
}

#[test]
fn a_query_of_punctuation_only_is_no_query() {
    assert_eq!(SearchWords::query(" -- !? "), None);
    assert_eq!(SearchWords::query(""), None);
}

#[test]
fn a_long_query_is_cut_to_its_first_words() {
    let q = SearchWords::query(&(0..40).map(|i| format!("w{i}")).collect::<Vec<_>>().join(" ")).unwrap();
    assert_eq!(q.words.len(), QUERY_WORDS_MAX);
    let long = SearchWords::query(&"x".repeat(500)).unwrap();
    assert_eq!(long.words[0].chars().count(), WORD_CHARS_MAX);
}

#[test]
fn similar_visits_are_asked_for_by_the_significant_words_of_the_problem() {
    let q = SearchWords::similar_to("Saya tidak bisa masuk ke SPSE karena akun saya terkunci, 2026").unwrap();
    assert_eq!(q.words, ["masuk", "spse", "akun", "terkunci"]);
    assert_eq!(q.combine, Combine::Any);
    assert_eq!(q.fts5(), r#""masuk" OR "spse" OR "akun" OR "terkunci""#);
    assert_eq!(q.tsquery(), "'masuk' | 'spse' | 'akun' | 'terkunci'");
    assert_eq!(SearchWords::similar_to("saya tidak bisa, 2026"), None);
}

#[test]
fn a_snippet_shows_the_text_around_the_first_hit() {
    let text = "Pengguna datang pagi hari dengan laptop sendiri. Setelah beberapa kali mencoba, akun penyedia \
                terkunci karena salah memasukkan kata sandi lima kali berturut-turut di aplikasi.";
    let s = snippet(text, &["terkunci".into()], 60);
    assert!(s.contains("terkunci"), "{s}");
    assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
    assert!(s.chars().count() <= 62, "{s}");
    assert_eq!(snippet("pendek saja", &["x".into()], 60), "pendek saja");
    assert!(snippet(text, &["tidakada".into()], 40).starts_with("Pengguna datang"));
}

#[test]
fn outcomes_read_back_from_their_names() {
    for o in Outcome::ALL {
        assert_eq!(Outcome::parse(o.as_str()), Some(o));
    }
    assert_eq!(Outcome::parse("archived"), None);
}

#[test]
fn filters_are_words_of_the_index_and_of_the_query() {
    let entry = ArchiveEntry::of(&archived(), &OfficeSettings::default()).unwrap();
    for w in ["zzoanswered", "zzcpassword", "zzrpokjapemilihan"] {
        assert!(entry.words.split(' ').any(|x| x == w), "{w}");
    }
    assert_eq!(filter_word(Filter::Category, "offer_upload"), "zzcofferupload");
    let mut q = SearchWords::query("akun").unwrap();
    q.filters = vec![filter_word(Filter::Outcome, "escalated")];
    assert_eq!(q.fts5(), r#"("akun"*) AND "zzoescalated""#);
    assert_eq!(q.tsquery(), "('akun':*) & 'zzoescalated'");
}

#[test]
fn a_date_range_is_the_months_it_touches() {
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
    assert_eq!(month_words(d(2026, 11, 20), d(2027, 1, 3), 36), ["zzm202611", "zzm202612", "zzm202701"]);
    assert!(month_words(d(2020, 1, 1), d(2026, 1, 1), 36).is_empty(), "too many months: no month words");
    assert!(month_words(d(2026, 2, 1), d(2026, 1, 1), 36).is_empty());
    let entry = ArchiveEntry::of(&archived(), &OfficeSettings::default()).unwrap();
    assert!(entry.words.split(' ').any(|w| w == "zzm202611"));
    let mut q = SearchWords::query("akun").unwrap();
    q.one_of = vec!["zzm202611".into(), "zzm202612".into()];
    assert_eq!(q.fts5(), r#"("akun"*) AND ("zzm202611" OR "zzm202612")"#);
    assert_eq!(q.tsquery(), "('akun':*) & ('zzm202611' | 'zzm202612')");
}
