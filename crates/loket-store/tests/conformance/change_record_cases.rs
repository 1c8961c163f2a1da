//! The change record: each change of the settings, a day off or an account writes its record in
//! its own transaction; a refused change writes none; a password never enters it.

use chrono::NaiveDate;
use loket_domain::auth::Role;
use loket_domain::calendar::{DayOff, DayOffKind};
use loket_domain::change_record::ChangeKind;
use loket_domain::mail::MailSettings;
use loket_domain::settings::SettingsChange;
use loket_store::{ChangeFilter, NewUser};

use crate::cases::at;
use crate::support::TestDb;

fn all() -> ChangeFilter {
    ChangeFilter { limit: 100, ..ChangeFilter::default() }
}

pub async fn every_change_writes_its_record_with_its_change(db: TestDb) {
    let store = db.store.clone();
    let mut standards = store.settings().await.unwrap().time_standards.clone();
    let before = serde_json::to_value(&standards).unwrap();
    standards[0].minutes += 5;
    store.change_settings(SettingsChange::TimeStandards(standards.clone()), "sup", at(1)).await.unwrap();
    // Saved again as it is: nothing changed, nothing recorded.
    store.change_settings(SettingsChange::TimeStandards(standards.clone()), "sup", at(2)).await.unwrap();
    // Refused: no record either.
    assert!(store.change_settings(SettingsChange::TimeStandards(vec![]), "sup", at(3)).await.is_err());
    let mail = MailSettings {
        smtp_host: "smtp.lpse.example".into(),
        smtp_password: Some("rahasia-smtp".into()),
        ..MailSettings::default()
    };
    store.change_settings(SettingsChange::Mail(mail), "adm", at(4)).await.unwrap();
    let date = NaiveDate::from_ymd_opt(2027, 8, 17).unwrap();
    let day = DayOff { date, kind: DayOffKind::LiburNasional, name: "HUT RI".into() };
    store.put_day_off(day, "sup", at(5)).await.unwrap();
    store.delete_day_off(date, "sup", at(6)).await.unwrap();
    let user = NewUser {
        username: "rina".into(),
        full_name: "Rina".into(),
        password_hash: "$argon2id$hash-rahasia".into(),
        roles: vec![Role::Helpdesk],
        password_change_required: true,
    };
    store.add_user(user, "adm", at(7)).await.unwrap();
    store.change_user("rina", "Rina Wati", &[Role::Supervisor], "adm", at(8)).await.unwrap();
    store.set_password("rina", "$argon2id$hash-baru", true, "adm", at(9)).await.unwrap();
    store.set_disabled("rina", true, "adm", at(10)).await.unwrap();

    let changes = store.changes(&all()).await.unwrap();
    let kinds: Vec<(ChangeKind, Option<&str>)> = changes.iter().map(|c| (c.kind, c.subject.as_deref())).collect();
    assert_eq!(
        kinds,
        [
            (ChangeKind::User, Some("rina")),
            (ChangeKind::User, Some("rina")),
            (ChangeKind::User, Some("rina")),
            (ChangeKind::User, Some("rina")),
            (ChangeKind::DayOff, Some("2027-08-17")),
            (ChangeKind::DayOff, Some("2027-08-17")),
            (ChangeKind::Mail, None),
            (ChangeKind::TimeStandards, None),
        ],
        "newest first, one per change that changed something"
    );
    let standards_change = changes.last().unwrap();
    assert_eq!((standards_change.by.as_str(), standards_change.at), ("sup", at(1)));
    assert_eq!(standards_change.before, before);
    assert_eq!(standards_change.after, serde_json::to_value(&standards).unwrap());
    assert_eq!(changes[3].before, serde_json::Value::Null, "a new user had no before");
    assert_eq!(changes[2].after["roles"], serde_json::json!(["supervisor"]));
    assert_eq!(changes[0].after["disabled"], true);
    assert_eq!(changes[4].after, serde_json::Value::Null, "a removed day off is gone after");
    let text = serde_json::to_string(&changes.iter().map(|c| (&c.before, &c.after)).collect::<Vec<_>>()).unwrap();
    assert!(!text.contains("rahasia") && !text.contains("argon2"), "no password, no hash: {text}");
    assert_eq!(changes[6].after["smtp_password_set"], true);

    let days = store.changes(&ChangeFilter { kind: Some(ChangeKind::DayOff), ..all() }).await.unwrap();
    assert_eq!(days.len(), 2);
    let window = ChangeFilter { from: Some(at(5)), until: Some(at(7)), ..all() };
    assert_eq!(store.changes(&window).await.unwrap().len(), 2, "from inclusive, until exclusive");
    let page = store.changes(&ChangeFilter { limit: 3, offset: 6, ..all() }).await.unwrap();
    assert_eq!(page.iter().map(|c| c.kind).collect::<Vec<_>>(), [ChangeKind::Mail, ChangeKind::TimeStandards]);
}
