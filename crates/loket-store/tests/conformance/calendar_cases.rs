//! The business calendar's days off: one per date, imported all or nothing, and read with the
//! settings.

use chrono::NaiveDate;
use loket_domain::Refused;
use loket_domain::calendar::{CalendarSettings, DayOff, DayOffKind, TimeMeasure};
use loket_domain::settings::SettingsChange;
use loket_store::StoreError;

use crate::cases::at;
use crate::support::{TestDb, raw_execute};

fn day(y: i32, m: u32, d: u32, kind: DayOffKind, name: &str) -> DayOff {
    DayOff { date: NaiveDate::from_ymd_opt(y, m, d).unwrap(), kind, name: name.into() }
}

pub async fn a_date_has_one_day_off_and_a_second_replaces_it(db: TestDb) {
    let store = db.store.clone();
    store.put_day_off(day(2027, 12, 24, DayOffKind::LiburNasional, "Salah"), "admin", at(0)).await.unwrap();
    store.put_day_off(day(2027, 12, 24, DayOffKind::CutiBersama, "Cuti Bersama Natal"), "admin", at(1)).await.unwrap();
    store.put_day_off(day(2028, 1, 1, DayOffKind::LiburNasional, "Tahun Baru 2028"), "admin", at(1)).await.unwrap();
    assert_eq!(store.days_off(2027).await.unwrap(), [day(2027, 12, 24, DayOffKind::CutiBersama, "Cuti Bersama Natal")]);
    assert_eq!(store.days_off(2028).await.unwrap().len(), 1, "listed by year");
    // The table itself refuses a second row for a date.
    let again = "INSERT INTO days_off (office_id, day, kind, name, updated_at, updated_by) \
                 VALUES ('default', '2027-12-24', 'cuti_bersama', 'x', 0, 'x')";
    assert!(raw_execute(&db.url, again).await.is_err(), "unique per date");
    assert!(store.delete_day_off(NaiveDate::from_ymd_opt(2027, 12, 24).unwrap(), "admin", at(3)).await.unwrap());
    assert!(
        !store.delete_day_off(NaiveDate::from_ymd_opt(2027, 12, 24).unwrap(), "admin", at(3)).await.unwrap(),
        "gone already"
    );
    assert!(store.days_off(2027).await.unwrap().is_empty());
}

pub async fn an_import_with_a_bad_entry_imports_nothing(db: TestDb) {
    let store = db.store.clone();
    let kept = day(2027, 1, 1, DayOffKind::LiburNasional, "Tahun Baru Masehi");
    store.put_day_off(kept.clone(), "admin", at(0)).await.unwrap();
    let batch = vec![
        day(2027, 1, 1, DayOffKind::CutiBersama, "would replace"),
        day(2027, 8, 17, DayOffKind::LiburNasional, "Hari Kemerdekaan"),
        day(2027, 8, 17, DayOffKind::CutiBersama, "twice"),
    ];
    let refused = store.import_days_off(batch, "admin", at(1)).await.unwrap_err();
    match refused {
        StoreError::Refused(Refused::Validation(f)) => assert_eq!(f.0["[2].date"], "duplicate"),
        other => panic!("expected a refused import, got {other:?}"),
    }
    assert_eq!(store.days_off(2027).await.unwrap(), [kept], "nothing of the import was written");

    let good = vec![
        day(2027, 1, 1, DayOffKind::LiburNasional, "Tahun Baru 2027 Masehi"),
        day(2027, 8, 17, DayOffKind::LiburNasional, "Hari Kemerdekaan"),
    ];
    assert_eq!(store.import_days_off(good.clone(), "admin", at(2)).await.unwrap(), 2);
    assert_eq!(store.days_off(2027).await.unwrap(), good);
}

pub async fn the_settings_carry_the_calendar_and_see_its_changes(db: TestDb) {
    let store = db.store.clone();
    let before = store.settings().await.unwrap();
    assert_eq!(before.calendar.time_measure, TimeMeasure::Clock);
    assert!(before.days_off.is_empty());
    let mut calendar = CalendarSettings { time_measure: TimeMeasure::Working, ..CalendarSettings::default() };
    calendar.opening_hours.saturday = calendar.opening_hours.monday.clone();
    store.change_settings(SettingsChange::Calendar(calendar.clone()), "admin", at(0)).await.unwrap();
    let d = day(2027, 8, 17, DayOffKind::LiburNasional, "Hari Kemerdekaan");
    store.put_day_off(d.clone(), "admin", at(1)).await.unwrap();
    let after = store.settings().await.unwrap();
    assert_eq!(after.calendar, calendar);
    assert_eq!(after.days_off.get(d.date), Some(&d), "the cached settings were renewed");
    store.import_days_off(vec![day(2027, 8, 18, DayOffKind::CutiBersama, "x")], "admin", at(2)).await.unwrap();
    assert_eq!(store.settings().await.unwrap().days_off.len(), 2);
    store.delete_day_off(d.date, "admin", at(3)).await.unwrap();
    assert_eq!(store.settings().await.unwrap().days_off.len(), 1);
}
