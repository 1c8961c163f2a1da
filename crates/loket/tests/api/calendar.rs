//! The business calendar: opening hours and the time measure, days off one by one and from CSV,
//! and time standards measured in working time.

use chrono::{FixedOffset, TimeZone, Utc};
use loket_domain::auth::Role;
use serde_json::{Value, json};

use crate::support::{Reply, TestApp, complete_form, id};

/// Sends a CSV body with its content type.
async fn send_csv(app: &TestApp, token: &str, content_type: &str, body: &str) -> Reply {
    let res = app
        .http
        .post(app.url("/api/v1/calendar/days-off/import"))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body.to_owned())
        .send()
        .await
        .expect("request");
    let status = res.status();
    let bytes = res.bytes().await.expect("body");
    Reply { status, body: serde_json::from_slice(&bytes).unwrap_or(Value::Null) }
}

pub async fn days_off_are_kept_per_date_and_listed_by_year(app: TestApp) {
    let admin = app.staff("adm", &[Role::Admin]).await;
    let hd = app.staff("hd", &[Role::Helpdesk]).await;
    let path = "/api/v1/calendar/days-off/2027-08-17";
    let day = json!({"kind": "libur_nasional", "name": "Hari Kemerdekaan RI"});
    app.put(&hd, path, day.clone()).await.error(403, "forbidden");
    let put = app.put(&admin, path, day).await.expect(200);
    assert_eq!(put, json!({"date": "2027-08-17", "kind": "libur_nasional", "name": "Hari Kemerdekaan RI"}));
    let replaced = app.put(&admin, path, json!({"kind": "cuti_bersama", "name": "  Cuti  "})).await.expect(200);
    assert_eq!(replaced["name"], "Cuti", "trimmed");
    let list = app.get(&admin, "/api/v1/calendar/days-off?year=2027").await.expect(200);
    assert_eq!(list, json!([{"date": "2027-08-17", "kind": "cuti_bersama", "name": "Cuti"}]));
    assert_eq!(app.get(&admin, "/api/v1/calendar/days-off?year=2028").await.expect(200), json!([]));
    let bad = app.get(&admin, "/api/v1/calendar/days-off?year=abc").await.error(422, "validation");
    assert_eq!(bad["fields"]["year"], "invalid");
    let bad =
        app.put(&admin, "/api/v1/calendar/days-off/2027-02-30", json!({"kind": "cuti_bersama", "name": "x"})).await;
    assert_eq!(bad.error(422, "validation")["fields"]["date"], "invalid");
    let bad = app.put(&admin, path, json!({"kind": "libur", "name": "x"})).await.error(422, "validation");
    assert_eq!(bad["fields"]["kind"], "invalid");
    let bad = app.put(&admin, path, json!({"kind": "cuti_bersama", "name": " "})).await.error(422, "validation");
    assert_eq!(bad["fields"]["name"], "missing");
    let deleted = app.send("DELETE", path, Some(&admin), None).await;
    assert_eq!(deleted.status.as_u16(), 204);
    app.send("DELETE", path, Some(&admin), None).await.error(404, "not_found");
}

pub async fn a_csv_with_bad_lines_names_each_and_imports_nothing(app: TestApp) {
    let admin = app.staff("adm", &[Role::Admin]).await;
    let sup = app.staff("sup", &[Role::Supervisor]).await;
    let hd = app.staff("hd", &[Role::Helpdesk]).await;
    let bad = "date,kind,name\n\
               2027-01-01,libur_nasional,Tahun Baru 2027 Masehi\n\
               2027-13-01,libur_nasional,Bulan salah\n\
               2027-03-10,Libur Nasional,Hari Suci Nyepi\n\
               2027-03-11,liburan,Jenis salah\n\
               2027-01-01,cuti_bersama,Tanggal dua kali\n";
    let refused = send_csv(&app, &admin, "text/csv", bad).await.error(422, "validation");
    assert_eq!(
        refused["fields"],
        json!({"lines[3].date": "invalid", "lines[5].kind": "invalid", "lines[6].date": "duplicate"})
    );
    assert_eq!(app.get(&admin, "/api/v1/calendar/days-off?year=2027").await.expect(200), json!([]), "nothing imported");
    send_csv(&app, &hd, "text/csv", bad).await.error(403, "forbidden");
    send_csv(&app, &admin, "application/json", bad).await.error(415, "unsupported_media_type");
    // Dates are checked as `PUT` checks one (the years 2000-2100: 38,460 days of the years
    // 3000-3105 went in before), and a file is bounded in lines.
    let far = "date,kind,name\n3000-01-01,libur_nasional,Jauh\n";
    assert_eq!(
        send_csv(&app, &admin, "text/csv", far).await.error(422, "validation")["fields"],
        json!({"lines[2].date": "invalid"})
    );
    app.put(&admin, "/api/v1/calendar/days-off/3000-01-01", json!({"kind": "libur_nasional", "name": "Jauh"}))
        .await
        .error(422, "validation");
    let mut long = String::from("date,kind,name\n");
    for day in
        (0..1200).filter_map(|n| chrono::NaiveDate::from_ymd_opt(2027, 1, 1)?.checked_add_days(chrono::Days::new(n)))
    {
        long.push_str(&format!("{day},cuti_bersama,Cuti\n"));
    }
    assert_eq!(
        send_csv(&app, &admin, "text/csv", &long).await.error(422, "validation")["fields"],
        json!({"lines[1001].file": "too_long"})
    );

    let good = "tanggal,jenis,nama\r\n\
                2027-01-01,Libur Nasional,Tahun Baru 2027 Masehi\r\n\
                2027-03-10,libur_nasional,Hari Suci Nyepi\r\n\
                2027-03-11,Cuti Bersama,\"Cuti Bersama Nyepi, Tahun Baru Saka\"\r\n";
    assert_eq!(send_csv(&app, &sup, "text/csv; charset=utf-8", good).await.expect(200), json!({"imported": 3}));
    let list = app.get(&admin, "/api/v1/calendar/days-off?year=2027").await.expect(200);
    let kinds: Vec<&str> = list.as_array().unwrap().iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["libur_nasional", "libur_nasional", "cuti_bersama"]);
    assert_eq!(list[2]["name"], "Cuti Bersama Nyepi, Tahun Baru Saka");
}

pub async fn opening_hours_and_the_measure_are_a_setting(app: TestApp) {
    let admin = app.staff("adm", &[Role::Admin]).await;
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let got = app.get(&admin, "/api/v1/settings/calendar").await.expect(200);
    assert_eq!(got["time_measure"], "clock");
    assert_eq!(got["opening_hours"]["monday"], json!([{"opens": "08:00", "closes": "16:00"}]));
    assert_eq!(got["opening_hours"]["sunday"], json!([]));
    app.get(&fo, "/api/v1/settings/calendar").await.error(403, "forbidden");
    let mut split = got.clone();
    split["opening_hours"]["friday"] =
        json!([{"opens": "08:00", "closes": "11:30"}, {"opens": "13:30", "closes": "16:30"}]);
    split["time_measure"] = json!("working");
    assert_eq!(app.put(&admin, "/api/v1/settings/calendar", split.clone()).await.expect(200), split);
    let mut bad = split.clone();
    bad["opening_hours"]["monday"] = json!([{"opens": "16:00", "closes": "08:00"}]);
    let refused = app.put(&admin, "/api/v1/settings/calendar", bad).await.error(422, "validation");
    assert_eq!(refused["fields"]["opening_hours.monday[0]"], "invalid");
    let mut bad = split.clone();
    bad["opening_hours"]["monday"] = json!([{"opens": "8", "closes": "16:00"}]);
    app.put(&admin, "/api/v1/settings/calendar", bad).await.error(422, "validation");
    let mut bad = split.clone();
    bad["time_measure"] = json!("hours");
    app.put(&admin, "/api/v1/settings/calendar", bad).await.error(422, "validation");
    assert_eq!(app.get(&admin, "/api/v1/settings/calendar").await.expect(200), split, "nothing refused was saved");
}

/// Moves the app's clock to a local time in Jakarta (WIB, UTC+7 all year).
fn set_clock(app: &TestApp, y: i32, m: u32, d: u32, h: u32, min: u32) {
    let wib = FixedOffset::east_opt(7 * 3600).expect("UTC+7");
    let target = wib.with_ymd_and_hms(y, m, d, h, min, 0).unwrap().with_timezone(&Utc);
    app.clock.advance(target - app.clock.now());
}

/// Signs `username` in again (after the clock moved past their sign-in's lifetime).
async fn sign_in(app: &TestApp, username: &str) -> String {
    let body = json!({"username": username, "password": crate::support::PASSWORD});
    let reply = app.send("POST", "/api/v1/auth/login", None, Some(body)).await.expect(200);
    reply["token"].as_str().expect("token").to_owned()
}

fn step(v: &Value, n: u64) -> Value {
    v["steps"].as_array().expect("steps").iter().rev().find(|s| s["step"] == n).cloned().unwrap_or(Value::Null)
}

/// A form given out at 15:58 and returned at 08:01 the next working day took three working
/// minutes: within its five-minute standard in working time, not by the clock.
pub async fn in_working_time_a_step_over_a_closed_evening_is_within_its_standard(app: TestApp) {
    let admin = app.staff("adm", &[Role::Admin, Role::Supervisor]).await;
    let mut calendar = app.get(&admin, "/api/v1/settings/calendar").await.expect(200);
    calendar["time_measure"] = json!("working");
    app.put(&admin, "/api/v1/settings/calendar", calendar.clone()).await.expect(200);

    // Wednesday 3 March 2027, 15:58 WIB; Thursday is a holiday (in this test), Friday is open.
    set_clock(&app, 2027, 3, 3, 15, 58);
    let admin = sign_in(&app, "adm").await;
    let v = app.post(&admin, "/api/v1/visits", json!({"visitor": {"name": "Budi"}})).await.expect(201);
    let day = json!({"kind": "libur_nasional", "name": "Libur contoh"});
    app.put(&admin, "/api/v1/calendar/days-off/2027-03-04", day).await.expect(200);
    set_clock(&app, 2027, 3, 5, 8, 0);
    let admin = sign_in(&app, "adm").await;
    let running = app.get(&admin, &format!("/api/v1/visits/{}", id(&v))).await.expect(200);
    assert_eq!(step(&running, 3)["within_standard"], Value::Null, "two working minutes so far");
    assert_eq!(step(&running, 3)["measured_minutes"].as_f64().map(f64::round), Some(2.0));
    set_clock(&app, 2027, 3, 5, 8, 1);
    let saved = app.put(&admin, &format!("/api/v1/visits/{}/form", id(&v)), complete_form()).await.expect(200);
    assert_eq!(step(&saved, 3)["within_standard"], true);
    assert_eq!(step(&saved, 3)["measured_minutes"].as_f64().map(f64::round), Some(3.0));

    let report_path = "/api/v1/reports/time-standards?from=2027-03-03&to=2027-03-05";
    let report = app.get(&admin, report_path).await.expect(200);
    assert_eq!(report["steps"][2]["within"], 1);
    assert_eq!(report["steps"][2]["avg_minutes"].as_f64().map(f64::round), Some(3.0));

    // The same history by the clock: 40 hours, over its standard.
    calendar["time_measure"] = json!("clock");
    app.put(&admin, "/api/v1/settings/calendar", calendar).await.expect(200);
    let by_clock = app.get(&admin, &format!("/api/v1/visits/{}", id(&v))).await.expect(200);
    assert_eq!(step(&by_clock, 3)["within_standard"], false);
    assert!(step(&by_clock, 3)["measured_minutes"].as_f64().unwrap() > 2400.0);
    let report = app.get(&admin, report_path).await.expect(200);
    assert_eq!(report["steps"][2]["within"], 0);
}
