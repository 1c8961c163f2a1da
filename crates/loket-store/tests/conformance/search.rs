//! The archive search: found by every kind of text field, filtered, paged, a new version in place
//! of the old entry, and similar answered visits.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use loket_domain::escalation::Channel;
use loket_domain::form::FormInput;
use loket_domain::guest_book::{VisitorInput, VisitorRole};
use loket_domain::search::{Outcome, SearchWords};
use loket_domain::visit::EscalationRequest;
use loket_domain::{Status, Visit};
use loket_store::{ArchiveQuery, OpenVisit};

use crate::cases::{S, at, give_copy};
use crate::support::TestDb;

/// What a test visit says.
struct Case<'a> {
    name: &'a str,
    organization: &'a str,
    role: VisitorRole,
    phone: &'a str,
    email: &'a str,
    category: &'a str,
    subject: &'a str,
    description: &'a str,
    tender_code: &'a str,
    analysis: &'a str,
    /// Answered with this; escalated (TTS, `TTS-…`) when None.
    answer: Option<&'a str>,
    officer: &'a str,
}

impl Default for Case<'_> {
    fn default() -> Self {
        Case {
            name: "Budi Santoso",
            organization: "CV Maju Jaya",
            role: VisitorRole::Penyedia,
            phone: "0812-3456-7890",
            email: "budi@example.co.id",
            category: "password",
            subject: "Lupa password",
            description: "Tidak bisa masuk ke SPSE",
            tender_code: "10012345",
            analysis: "Akun dikunci sistem",
            answer: Some("Reset melalui admin agency"),
            officer: "rina",
        }
    }
}

/// A visit served at counter 1 as `case` says, its copy given, archived at `now`.
async fn archived(store: &S, case: Case<'_>, now: DateTime<Utc>) -> Visit {
    let visitor = VisitorInput {
        name: Some(case.name.into()),
        organization: Some(case.organization.into()),
        role: Some(case.role),
        phone: Some(case.phone.into()),
        email: Some(case.email.into()),
    };
    let form = FormInput {
        category: Some(case.category.into()),
        subject: Some(case.subject.into()),
        description: Some(case.description.into()),
        tender_code: Some(case.tender_code.into()),
        ..Default::default()
    };
    let open = OpenVisit { service: Some("A".into()), visitor, form: Some(form) };
    let v = store.open_visit(open, now, "kiosk").await.unwrap();
    store.check_visit(&v.id, false, now, "fo").await.unwrap();
    let called = store.call_next("1", None, now, case.officer).await.unwrap().unwrap();
    assert_eq!(called.id, v.id);
    let by = case.officer.to_owned();
    store.change_visit(&v.id, now, Box::new(move |v, s| v.start(s, now, &by))).await.unwrap();
    let (analysis, by) = (case.analysis.to_owned(), case.officer.to_owned());
    match case.answer {
        Some(answer) => {
            let answer = answer.to_owned();
            store.change_visit(&v.id, now, Box::new(move |v, s| v.answer(&analysis, &answer, s, now, &by))).await
        }
        None => {
            let req = EscalationRequest {
                analysis,
                channel: Channel::Tts,
                summary: "Jadwal tender tidak berubah".into(),
                external_reference: Some("TTS-2026-0777".into()),
            };
            store.change_visit(&v.id, now, Box::new(move |v, s| v.escalate(&req, s, now, &by))).await
        }
    }
    .unwrap();
    give_copy(store, &v.id, now).await;
    store.archive_visit(&v.id, now, case.officer).await.unwrap()
}

fn query(text: &str) -> ArchiveQuery {
    ArchiveQuery { words: SearchWords::query(text), limit: 20, ..Default::default() }
}

async fn found(store: &S, q: ArchiveQuery) -> Vec<String> {
    store.search_archive(&q).await.unwrap().hits.into_iter().map(|h| h.reference).collect()
}

pub async fn the_archive_search_finds_a_visit_by_every_kind_of_text_field(db: TestDb) {
    let store = db.store.clone();
    let other = archived(&store, Case { name: "Siti", email: "siti@dinas.go.id", ..Case::default() }, at(0)).await;
    let v = archived(
        &store,
        Case {
            name: "Yohanes Kaligis",
            organization: "PT Sinar Timur",
            phone: "0813-9988-7766",
            email: "yohanes@sinartimur.co.id",
            subject: "Dokumen penawaran gagal diunggah",
            description: "Apendo menolak berkas ukuran besar",
            tender_code: "77120001",
            analysis: "Berkas melebihi batas unggah",
            answer: Some("Pecah berkas menjadi beberapa bagian"),
            officer: "dewi",
            ..Case::default()
        },
        at(5),
    )
    .await;
    let archive = v.archive.clone().unwrap();
    let number = v.queue.number.clone().unwrap();
    for q in [
        v.reference.as_str(),
        archive.number.as_str(),
        number.as_str(),
        "yohanes kaligis",
        "Sinar Timur",
        "0813-9988-7766",
        "yohanes@sinartimur.co.id",
        "gagal diunggah",
        "apendo",
        "77120001",
        "melebihi batas",
        "pecah berkas",
        "dewi",
        "YOHANES",
    ] {
        assert_eq!(found(&store, query(q)).await, vec![v.reference.clone()], "searching {q:?}");
    }
    // Every word must be there; the last one is also the start of a word.
    assert_eq!(found(&store, query("apendo siti")).await, Vec::<String>::new());
    assert_eq!(found(&store, query("berk")).await, vec![v.reference.clone()]);
    assert_eq!(found(&store, query("berk apendo")).await, Vec::<String>::new(), "only the last word is a prefix");
    // The category and the outcome are words too; both visits have them.
    let mut both = found(&store, query("password answered")).await;
    both.sort();
    let mut expected = vec![v.reference.clone(), other.reference.clone()];
    expected.sort();
    assert_eq!(both, expected);

    let escalated = archived(&store, Case { name: "Rudi", answer: None, ..Case::default() }, at(6)).await;
    for q in ["TTS-2026-0777", "tts", "jadwal tender tidak berubah", "escalated"] {
        assert_eq!(found(&store, query(q)).await, vec![escalated.reference.clone()], "searching {q:?}");
    }
}

pub async fn a_query_is_never_read_as_the_index_syntax(db: TestDb) {
    let store = db.store.clone();
    let v = archived(&store, Case::default(), at(0)).await;
    for q in [
        r#"lupa" OR "x"#,
        "lupa*",
        "(lupa",
        "lupa AND NOT",
        "'lupa':* | x",
        "lupa & !x",
        "NEAR(lupa password)",
        "-lupa",
    ] {
        let page = store.search_archive(&query(q)).await;
        assert!(page.is_ok(), "{q:?}: {page:?}");
    }
    assert_eq!(found(&store, query(r#"lupa" OR "x"#)).await, Vec::<String>::new(), "OR is a word to find");
    assert_eq!(found(&store, query("(lupa")).await, vec![v.reference.clone()]);
    // Words alone: punctuation only is no query at all, and lists everything.
    assert_eq!(query("!!").words, None);
}

pub async fn the_archive_search_filters_by_day_category_role_and_outcome(db: TestDb) {
    let store = db.store.clone();
    let day1 = at(0);
    let day2 = at(0) + Duration::days(1);
    let a = archived(&store, Case::default(), day1).await;
    let b = archived(&store, Case { category: "tender", role: VisitorRole::Ppk, ..Case::default() }, day2).await;
    let c =
        archived(&store, Case { answer: None, role: VisitorRole::Ppk, ..Case::default() }, day2 + Duration::minutes(1))
            .await;
    let all = |q: ArchiveQuery| ArchiveQuery { limit: 20, ..q };
    let d1 = NaiveDate::from_ymd_opt(2026, 11, 27);
    let d2 = NaiveDate::from_ymd_opt(2026, 11, 28);
    assert_eq!(found(&store, all(ArchiveQuery { to: d1, ..Default::default() })).await, vec![a.reference.clone()]);
    assert_eq!(
        found(&store, all(ArchiveQuery { from: d2, to: d2, ..Default::default() })).await,
        [c.reference.clone(), b.reference.clone()],
        "newest first"
    );
    assert_eq!(
        found(&store, all(ArchiveQuery { category: Some("tender".into()), ..Default::default() })).await,
        vec![b.reference.clone()]
    );
    assert_eq!(
        found(&store, all(ArchiveQuery { visitor_role: Some("ppk".into()), ..Default::default() })).await,
        [c.reference.clone(), b.reference.clone()]
    );
    assert_eq!(
        found(&store, all(ArchiveQuery { outcome: Some(Outcome::Escalated), ..Default::default() })).await,
        vec![c.reference.clone()]
    );
    assert_eq!(
        found(&store, all(ArchiveQuery { outcome: Some(Outcome::Answered), from: d2, ..query("lupa") })).await,
        vec![b.reference.clone()]
    );
    // Pages: the total counts every match, the page holds `limit` of them from `offset`.
    let page = store.search_archive(&ArchiveQuery { limit: 2, offset: 1, ..Default::default() }).await.unwrap();
    assert_eq!(page.total, 3);
    assert_eq!(page.hits.iter().map(|h| h.reference.clone()).collect::<Vec<_>>(), [b.reference, a.reference]);
    let past = store.search_archive(&ArchiveQuery { limit: 2, offset: 5, ..Default::default() }).await.unwrap();
    assert_eq!((past.total, past.hits.len()), (3, 0));
}

pub async fn the_most_relevant_visit_comes_first(db: TestDb) {
    let store = db.store.clone();
    let once = archived(&store, Case { description: "Akun terkunci", ..Case::default() }, at(0)).await;
    let often = archived(
        &store,
        Case { description: "Akun terkunci, terkunci lagi, tetap terkunci", analysis: "terkunci", ..Case::default() },
        at(-60),
    )
    .await;
    assert_eq!(found(&store, query("terkunci")).await, [often.reference, once.reference]);
}

pub async fn past_the_count_the_newest_matches_come_first_and_more_is_said(db: TestDb) {
    let store = db.store.clone();
    // The most relevant is the oldest: ranked, it comes first; past the count, last.
    let often = Case { description: "Akun terkunci, terkunci lagi, tetap terkunci", ..Case::default() };
    let oldest = archived(&store, often, at(-90)).await;
    let middle = archived(&store, Case { description: "Akun terkunci", ..Case::default() }, at(-60)).await;
    let newest = archived(&store, Case { description: "Terkunci", ..Case::default() }, at(-30)).await;
    let ask = |up_to: u64| ArchiveQuery { count_up_to: Some(up_to), ..query("terkunci") };
    let ranked = store.search_archive(&ask(3)).await.unwrap();
    assert_eq!((ranked.total, ranked.more), (3, false));
    assert_eq!(ranked.hits.first().map(|h| h.reference.as_str()), Some(oldest.reference.as_str()));
    let past = store.search_archive(&ask(2)).await.unwrap();
    assert_eq!((past.total, past.more), (2, true), "counted up to the cap, and more said");
    let order: Vec<&str> = past.hits.iter().map(|h| h.reference.as_str()).collect();
    assert_eq!(order, [newest.reference.as_str(), middle.reference.as_str(), oldest.reference.as_str()]);
    // Without words, the same rule.
    let all =
        store.search_archive(&ArchiveQuery { limit: 20, count_up_to: Some(1), ..Default::default() }).await.unwrap();
    assert_eq!((all.total, all.more, all.hits.len()), (1, true, 3));
    assert_eq!(loket_store::COUNTED_MAX, 1000, "the API counts up to 1,000");
}

pub async fn a_new_version_replaces_the_search_entry_and_every_version_is_listed(db: TestDb) {
    let store = db.store.clone();
    let v = archived(&store, Case { answer: None, ..Case::default() }, at(0)).await;
    assert!(found(&store, query("diperbaiki")).await.is_empty());
    let later = at(600);
    let answered = store
        .change_visit(
            &v.id,
            later,
            Box::new(move |v, _| {
                v.answer_escalation(&loket_domain::escalation::LkppAnswer::typed("Sudah diperbaiki LKPP"), later, "hd")
            }),
        )
        .await
        .unwrap();
    assert_eq!(answered.status, Status::Archived);
    let page = store.search_archive(&query("diperbaiki")).await.unwrap();
    assert_eq!(page.total, 1);
    let hit = &page.hits[0];
    assert_eq!((hit.version, hit.answer.as_deref()), (2, Some("Sudah diperbaiki LKPP")));
    assert_eq!(hit.archived_at, later);
    assert_eq!(store.search_archive(&query("")).await.unwrap().total, 1, "one entry per visit");
    let versions = store.archived_versions(&v.id).await.unwrap();
    assert_eq!(versions.iter().map(|x| x.version).collect::<Vec<_>>(), [1, 2]);
    let first = store.archived_document(&v.id, Some(1)).await.unwrap().unwrap();
    assert_eq!((versions[0].sha256.clone(), versions[0].size), (first.sha256, first.content.len() as u64));
    assert_eq!(versions[1].number, versions[0].number);
    assert!(store.archived_versions("nope").await.unwrap().is_empty());
}

pub async fn similar_answered_visits_leave_out_the_visit_itself_and_unanswered_ones(db: TestDb) {
    let store = db.store.clone();
    let locked = "Akun penyedia terkunci setelah salah kata sandi";
    let answered = archived(&store, Case { description: locked, ..Case::default() }, at(0)).await;
    let unanswered = archived(&store, Case { description: locked, answer: None, ..Case::default() }, at(1)).await;
    let unrelated =
        archived(&store, Case { subject: "Jadwal", description: "Jadwal tender bergeser", ..Case::default() }, at(2))
            .await;
    let this = archived(&store, Case { description: locked, ..Case::default() }, at(3)).await;
    let similar = store.similar_answered(&this.id, 5).await.unwrap();
    let refs: Vec<_> = similar.iter().map(|h| h.reference.clone()).collect();
    assert_eq!(refs.first(), Some(&answered.reference), "{refs:?}");
    assert!(!refs.contains(&this.reference), "never the visit itself");
    assert!(!refs.contains(&unanswered.reference), "only visits with an answer");
    assert!(refs.len() <= 2 && refs.iter().all(|r| *r == answered.reference || *r == unrelated.reference));
    assert_eq!(similar[0].answer.as_deref(), Some("Reset melalui admin agency"));

    // LKPP's answer makes an escalated visit a suggestion.
    let later = at(600);
    store
        .change_visit(
            &unanswered.id,
            later,
            Box::new(move |v, _| {
                v.answer_escalation(&loket_domain::escalation::LkppAnswer::typed("Dibuka oleh LKPP"), later, "hd")
            }),
        )
        .await
        .unwrap();
    let refs: Vec<_> = store.similar_answered(&this.id, 5).await.unwrap().into_iter().map(|h| h.reference).collect();
    assert!(refs.contains(&unanswered.reference), "{refs:?}");
    // A visit in service, not archived, is asked about the same way; one visit at most.
    assert_eq!(store.similar_answered(&this.id, 1).await.unwrap().len(), 1);
    assert!(matches!(store.similar_answered("nope", 5).await, Err(loket_store::StoreError::NotFound)));
}
