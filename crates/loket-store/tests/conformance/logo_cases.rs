//! The office's logo: one per office, replaced and removed, read back as stored, and archived
//! documents made with the logo in force when they were made.

use std::sync::Arc;

use loket_domain::change_record::ChangeKind;
use loket_domain::logo::Logo;
use loket_store::ChangeFilter;
use serde_json::{Value, json};
use sha2::Digest;

use crate::cases::at;
use crate::support::TestDb;

/// A PNG's signature and header: what the domain's rule reads.
fn png(width: u32, height: u32) -> Logo {
    let mut b = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    b.extend_from_slice(&13u32.to_be_bytes());
    b.extend_from_slice(b"IHDR");
    b.extend_from_slice(&width.to_be_bytes());
    b.extend_from_slice(&height.to_be_bytes());
    b.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
    Logo::parse(b).expect("a PNG header")
}

pub async fn the_office_logo_is_kept_replaced_and_removed(db: TestDb) {
    let store = db.store.clone();
    assert!(store.office_logo().await.unwrap().is_none(), "none at first");
    store.put_office_logo(png(10, 20), "admin", at(0)).await.unwrap();
    assert_eq!(store.office_logo().await.unwrap().as_deref(), Some(&png(10, 20)));
    store.put_office_logo(png(30, 40), "admin", at(1)).await.unwrap();
    assert_eq!(store.office_logo().await.unwrap().as_deref(), Some(&png(30, 40)), "replaced, not the one kept");
    assert!(store.delete_office_logo("admin", at(2)).await.unwrap());
    assert!(store.office_logo().await.unwrap().is_none());
    assert!(!store.delete_office_logo("admin", at(3)).await.unwrap(), "gone already");
}

/// The archive renderer is given the logo in force; a document archived before a change keeps
/// the bytes it was stored with.
pub async fn archived_documents_are_made_with_the_logo_in_force(db: TestDb) {
    let renderer: loket_store::DocumentRenderer = Arc::new(|visit, _, stamp, logo| {
        let mut doc = loket_domain::archive::json_document(visit, stamp)?;
        doc.extend_from_slice(format!("logo:{:?}", logo.map(Logo::size)).as_bytes());
        Ok(doc)
    });
    let store = crate::support::with_renderer(&db, renderer).await;
    store.put_office_logo(png(10, 20), "admin", at(0)).await.unwrap();
    let v = crate::cases::ready_to_archive(&store, "a", at(0)).await;
    store.archive_visit(&v.id, at(1), "hd").await.unwrap();
    let first = store.archived_document(&v.id, None).await.unwrap().expect("archived");
    assert!(first.content.ends_with(b"logo:Some((10, 20))"));
    store.delete_office_logo("admin", at(1)).await.unwrap();
    let again = store.archived_document(&v.id, None).await.unwrap().expect("archived");
    assert_eq!(again.content, first.content, "the stored bytes never change");
    let w = crate::cases::ready_to_archive(&store, "b", at(2)).await;
    store.archive_visit(&w.id, at(3), "hd").await.unwrap();
    let second = store.archived_document(&w.id, None).await.unwrap().expect("archived");
    assert!(second.content.ends_with(b"logo:None"));
}

/// Each upload, replacement and removal of the logo is on the change record, written with it:
/// who, when, and the logo before and after by its type, size and SHA-256, never its bytes.
pub async fn the_logo_changes_are_on_the_change_record(db: TestDb) {
    let store = db.store.clone();
    let (first, second) = (png(10, 20), png(30, 40));
    let facts = |l: &Logo| {
        json!({
            "content_type": "image/png",
            "size_bytes": l.bytes().len(),
            "sha256": hex::encode(sha2::Sha256::digest(l.bytes())),
        })
    };
    store.put_office_logo(first.clone(), "admin", at(1)).await.unwrap();
    store.put_office_logo(first.clone(), "admin", at(2)).await.unwrap();
    store.put_office_logo(second.clone(), "sup", at(3)).await.unwrap();
    assert!(store.delete_office_logo("sup", at(4)).await.unwrap());
    assert!(!store.delete_office_logo("sup", at(5)).await.unwrap());

    let filter = ChangeFilter { kind: Some(ChangeKind::Logo), limit: 100, ..ChangeFilter::default() };
    let changes = store.changes(&filter).await.unwrap();
    let seen: Vec<_> = changes.iter().map(|c| (c.by.as_str(), c.at, c.subject.clone(), &c.before, &c.after)).collect();
    assert_eq!(
        seen,
        [
            ("sup", at(4), None, &facts(&second), &Value::Null),
            ("sup", at(3), None, &facts(&first), &facts(&second)),
            ("admin", at(1), None, &Value::Null, &facts(&first)),
        ],
        "set, replaced, removed, newest first; the same logo again and a removal of none change nothing"
    );
    assert!(changes.iter().all(|c| c.kind == ChangeKind::Logo));
    let all = ChangeFilter { limit: 100, ..ChangeFilter::default() };
    assert_eq!(store.changes(&all).await.unwrap().len(), 3, "nothing else recorded");
    let other = ChangeFilter { kind: Some(ChangeKind::Office), ..all };
    assert!(store.changes(&other).await.unwrap().is_empty());
}
