//! Step 12: the copy given is the document archived, byte for byte.

use loket_domain::archive::CopyVia;
use loket_domain::escalation::{Channel, LkppAnswer};
use loket_domain::{EventKind, Refused, Status};
use loket_store::StoreError;
use serde_json::json;
use sha2::Digest;

use crate::cases::{S, at, escalated, ready_to_archive};
use crate::support::TestDb;

fn sha256(bytes: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(bytes))
}

/// The SHA-256 each copy event of the visit records, in order (`None` for a copy without a
/// document).
async fn copy_hashes(store: &S, id: &str) -> Vec<Option<String>> {
    let history = store.history(id).await.unwrap();
    history
        .iter()
        .filter(|e| e.kind == EventKind::CopyGiven)
        .map(|e| e.data["sha256"].as_str().map(str::to_owned))
        .collect()
}

pub async fn the_copy_given_is_the_archived_document_byte_for_byte(db: TestDb) {
    let store = db.store.clone();
    // Answered, its copy printed by the helper: the copy fixed version 1.
    let v = ready_to_archive(&store, "Budi", at(0)).await;
    let given = v.copy.as_ref().and_then(|c| c.document.clone()).expect("the copy names its document");
    assert_eq!((given.version, given.number.as_str()), (1, "LPSE/2026/11/0001"));
    let stored = store.archived_document(&v.id, Some(1)).await.unwrap().expect("the copy's document is kept");
    assert_eq!(sha256(&stored.content), given.sha256, "the copy's hash is of the stored bytes");
    assert_eq!(copy_hashes(&store, &v.id).await, [Some(given.sha256.clone())], "the event records the hash");

    // Given again by e-mail: the same document, nothing new fixed.
    let again = store.give_copy(&v.id, CopyVia::Email, at(1), "hd", false).await.unwrap();
    assert_eq!(again.copy.as_ref().and_then(|c| c.document.as_ref()), Some(&given));
    assert_eq!(copy_hashes(&store, &v.id).await, [Some(given.sha256.clone()), Some(given.sha256.clone())]);
    store.change_visit(&v.id, at(2), Box::new(move |v, _| v.copy_sent(at(2), "system"))).await.unwrap();

    // The archive takes the document given: same bytes, same hash, one version.
    let archived = store.archive_visit(&v.id, at(3), "hd").await.unwrap();
    let archive = archived.archive.clone().expect("archived");
    assert_eq!(
        (archive.sha256.as_str(), archive.version, archive.number.as_str()),
        (given.sha256.as_str(), 1, "LPSE/2026/11/0001")
    );
    assert_eq!(archive.archived_at, at(3), "archived when archived; the document says when it was fixed");
    let versions = store.archived_versions(&v.id).await.unwrap();
    assert_eq!(versions.len(), 1, "{versions:?}");
    let latest = store.archived_document(&v.id, None).await.unwrap().unwrap();
    assert_eq!(latest.content, stored.content, "byte for byte");
    let history = store.history(&v.id).await.unwrap();
    let event = history.last().unwrap();
    assert_eq!((event.kind, &event.data["sha256"]), (EventKind::Archived, &json!(given.sha256)));
}

pub async fn a_visit_changed_after_its_copy_archives_a_new_version_and_keeps_the_copy(db: TestDb) {
    let store = db.store.clone();
    let v = escalated(&store, Channel::Tts).await;
    let copied = store.give_copy(&v.id, CopyVia::Printed, at(11), "hd", false).await.unwrap();
    let given = copied.copy.unwrap().document.expect("document");
    // LKPP answers before the archive: the copy no longer says what the visit says.
    store
        .change_visit(
            &v.id,
            at(12),
            Box::new(move |v, _| v.answer_escalation(&LkppAnswer::typed("Sudah diperbaiki LKPP"), at(12), "hd")),
        )
        .await
        .unwrap();
    let archived = store.archive_visit(&v.id, at(13), "hd").await.unwrap();
    let archive = archived.archive.unwrap();
    assert_eq!((archive.version, archive.number.as_str()), (2, given.number.as_str()), "a new version, same number");
    assert_ne!(archive.sha256, given.sha256);
    let versions = store.archived_versions(&v.id).await.unwrap();
    let hashes: Vec<&str> = versions.iter().map(|v| v.sha256.as_str()).collect();
    assert_eq!(hashes, [given.sha256.as_str(), archive.sha256.as_str()], "the copy given stays version 1");
    let v2 = store.archived_document(&v.id, Some(2)).await.unwrap().unwrap();
    assert_eq!(sha256(&v2.content), archive.sha256);
}

pub async fn a_declined_copy_fixes_no_document_and_the_archive_makes_one(db: TestDb) {
    let store = db.store.clone();
    let v = escalated(&store, Channel::Tts).await;
    let declined = store.give_copy(&v.id, CopyVia::Declined, at(11), "hd", false).await.unwrap();
    assert_eq!(declined.copy.as_ref().map(|c| (c.via, c.document.is_none())), Some((CopyVia::Declined, true)));
    assert!(store.archived_document(&v.id, None).await.unwrap().is_none(), "nothing fixed");
    assert_eq!(copy_hashes(&store, &v.id).await, [None]);
    let archived = store.archive_visit(&v.id, at(12), "hd").await.unwrap();
    let archive = archived.archive.unwrap();
    assert_eq!(archive.version, 1);
    let doc = store.archived_document(&v.id, None).await.unwrap().unwrap();
    assert_eq!(sha256(&doc.content), archive.sha256);
}

pub async fn a_copy_for_a_visit_another_agent_serves_fixes_nothing(db: TestDb) {
    let store = db.store.clone();
    let v = escalated(&store, Channel::Tts).await;
    let err = store.give_copy(&v.id, CopyVia::Printed, at(11), "hd2", false).await.unwrap_err();
    assert!(matches!(err, StoreError::Refused(Refused::ServedByAnother { .. })), "{err:?}");
    assert!(store.archived_document(&v.id, None).await.unwrap().is_none(), "nothing fixed");
    let unchanged = store.visit(&v.id).await.unwrap().unwrap();
    assert_eq!((unchanged.status, unchanged.copy.is_none()), (Status::Escalated, true));
    // A supervisor may.
    let given = store.give_copy(&v.id, CopyVia::Printed, at(12), "spv", true).await.unwrap();
    assert!(given.copy.unwrap().document.is_some());
}

pub async fn the_recap_counts_the_copies_not_given(db: TestDb) {
    use loket_domain::reports::CopyCounts;
    let store = db.store.clone();
    let printed = crate::cases::answered(&store, "a", at(0)).await;
    store.give_copy(&printed.id, CopyVia::Printed, at(1), "hd", true).await.unwrap();
    let mailed = crate::cases::answered(&store, "b", at(2)).await;
    store.give_copy(&mailed.id, CopyVia::Email, at(3), "hd", true).await.unwrap();
    let declined = crate::cases::answered(&store, "c", at(4)).await;
    store.give_copy(&declined.id, CopyVia::Declined, at(5), "hd", true).await.unwrap();
    crate::cases::answered(&store, "d", at(6)).await;
    crate::cases::waiting(&store, "e", "A", false, at(7)).await;
    let day = at(0).date_naive();
    let counts = store.recap(day, day).await.unwrap().copies;
    assert_eq!(counts, CopyCounts { given: 1, pending: 1, declined: 1, not_recorded: 1 });
    assert_eq!(counts.not_given(), 3);
    // The mail server takes the e-mailed copy: given.
    store.change_visit(&mailed.id, at(8), Box::new(move |v, _| v.copy_sent(at(8), "system"))).await.unwrap();
    let counts = store.recap(day, day).await.unwrap().copies;
    assert_eq!(counts, CopyCounts { given: 2, pending: 0, declined: 1, not_recorded: 1 });
}
