//! The change record over HTTP: each change of the settings, the logo, a day off or a user is listed with
//! who made it and the part before and after; filters by kind and date; never a password; read
//! by supervisors, admins and auditors only; and its page.

use loket_domain::auth::Role;
use serde_json::{Value, json};

use crate::logo::{jpeg_logo, png_logo, put_logo};
use crate::pages::Browser;
use crate::support::{PASSWORD, TestApp};

fn changes(list: &Value) -> &Vec<Value> {
    list["changes"].as_array().expect("a list of changes")
}

/// The first listed change of `kind` (about `subject`, when given).
fn find<'a>(list: &'a Value, kind: &str, subject: Option<&str>) -> &'a Value {
    changes(list)
        .iter()
        .find(|c| c["kind"] == kind && subject.is_none_or(|s| c["subject"] == s))
        .unwrap_or_else(|| panic!("no {kind} change in {list}"))
}

pub async fn each_change_is_listed_with_who_and_before_and_after(app: TestApp) {
    let adm = app.staff("adm", &[Role::Admin, Role::Supervisor]).await;
    app.staff("rina", &[Role::Helpdesk]).await;

    let table = json!([{"code": "spse_baru", "name": "SPSE baru", "priority": 1, "analysis_minutes": 10, "resolution_minutes": 60}]);
    app.put(&adm, "/api/v1/settings/priorities", table).await.expect(200);
    let roles = json!({"full_name": "Rina Wati", "roles": ["helpdesk", "supervisor"]});
    app.put(&adm, "/api/v1/users/rina", roles).await.expect(200);
    let day = json!({"kind": "libur_nasional", "name": "HUT RI"});
    app.put(&adm, "/api/v1/calendar/days-off/2027-08-17", day).await.expect(200);
    let mail = json!({"smtp_host": "smtp.lpse.example", "smtp_password": "sandi-smtp-rahasia"});
    app.put(&adm, "/api/v1/settings/mail", mail).await.expect(200);

    let reply = app.get(&adm, "/api/v1/settings/changes").await;
    let list = reply.expect(200);
    assert_eq!(list["more"], false);
    let priorities = find(&list, "priorities", None);
    assert_eq!(priorities["by"], "adm");
    assert_eq!(priorities["after"]["categories"][0]["code"], "spse_baru");
    assert_ne!(priorities["before"], priorities["after"]);
    assert!(priorities["at"].as_str().is_some_and(|at| at.ends_with('Z')), "{priorities}");
    let user = find(&list, "user", Some("rina"));
    assert_eq!(user["by"], "adm");
    assert_eq!(user["before"], json!({"full_name": "rina", "roles": ["helpdesk"]}));
    assert_eq!(user["after"], json!({"full_name": "Rina Wati", "roles": ["helpdesk", "supervisor"]}));
    let day_off = find(&list, "day_off", Some("2027-08-17"));
    assert_eq!((&day_off["by"], &day_off["before"]), (&json!("adm"), &Value::Null));
    assert_eq!(day_off["after"], json!({"kind": "libur_nasional", "name": "HUT RI"}));
    let smtp = find(&list, "mail", None);
    assert_eq!(smtp["after"]["smtp_password_set"], true);
    let text = list.to_string();
    assert!(!text.contains("sandi-smtp-rahasia") && !text.contains(PASSWORD), "no password: {text}");
    assert!(!text.contains("argon2"), "no password hash");
    // Newest first.
    let ids: Vec<i64> = changes(&list).iter().map(|c| c["id"].as_i64().unwrap_or_default()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "{ids:?}");

    // Filters: by kind, by office days; bad ones are named.
    let days = app.get(&adm, "/api/v1/settings/changes?kind=day_off").await.expect(200);
    assert_eq!(changes(&days).len(), 1);
    let users = app.get(&adm, "/api/v1/settings/changes?kind=user").await.expect(200);
    assert!(changes(&users).iter().all(|c| c["kind"] == "user"));
    let past = app.get(&adm, "/api/v1/settings/changes?from=2001-01-01&to=2001-01-31").await.expect(200);
    assert!(changes(&past).is_empty(), "nothing was changed then");
    let since = app.get(&adm, "/api/v1/settings/changes?from=2001-01-01").await.expect(200);
    assert_eq!(changes(&since).len(), changes(&list).len(), "everything since then");
    // Found by the fuzzer: an offset past any record was answered 200.
    for offset in ["1000001", "2147483648"] {
        let path = format!("/api/v1/settings/changes?offset={offset}");
        let beyond = app.get(&adm, &path).await.error(422, "validation");
        assert_eq!(beyond["fields"], json!({"offset": "invalid"}));
    }
    let refused = app.get(&adm, "/api/v1/settings/changes?kind=logos&from=2027-13-01").await.error(422, "validation");
    assert_eq!(refused["fields"], json!({"kind": "invalid", "from": "invalid"}));
}

pub async fn the_change_record_is_read_by_supervisors_admins_and_auditors_only(app: TestApp) {
    for (name, role, status) in [
        ("sup", Role::Supervisor, 200),
        ("adm", Role::Admin, 200),
        ("aud", Role::Auditor, 200),
        ("hd", Role::Helpdesk, 403),
        ("fo", Role::FrontOffice, 403),
    ] {
        let token = app.staff(name, &[role]).await;
        let reply = app.get(&token, "/api/v1/settings/changes").await;
        assert_eq!(reply.status.as_u16(), status, "{name}: {}", reply.body);
    }
    // The OpenAPI document names the kinds and the dates' format.
    let doc = app.send("GET", "/api/openapi.json", None, None).await.expect(200);
    let params = doc["paths"]["/api/v1/settings/changes"]["get"]["parameters"].as_array().cloned().unwrap_or_default();
    let param = |n: &str| params.iter().find(|p| p["name"] == n).cloned().unwrap_or_default();
    let kinds = param("kind")["schema"]["enum"].as_array().cloned().unwrap_or_default();
    assert_eq!(kinds.len(), 12, "every kind, and empty for all: {}", param("kind"));
    for kind in ["day_off", "time_standards", "logo"] {
        assert!(kinds.contains(&json!(kind)), "{kind}: {}", param("kind"));
    }
    for date in ["from", "to"] {
        assert_eq!(param(date)["schema"]["anyOf"][0]["format"], "date", "{}", param(date));
    }
}

/// The page lists the changes readably and filters them; a bad date is named, what was typed
/// stays.
pub async fn the_change_record_page_lists_and_filters(app: TestApp) {
    let adm = app.staff("adm", &[Role::Admin, Role::Supervisor]).await;
    let day = json!({"kind": "cuti_bersama", "name": "Cuti Bersama Natal"});
    app.put(&adm, "/api/v1/calendar/days-off/2027-12-24", day).await.expect(200);
    app.staff("rina", &[Role::Helpdesk]).await;
    app.put(&adm, "/api/v1/users/rina", json!({"full_name": "Rina Wati", "roles": ["supervisor"]})).await.expect(200);
    app.staff("inspektorat", &[Role::Auditor]).await;

    let mut b = Browser::new(&app);
    b.sign_in("inspektorat", PASSWORD).await;
    let home = b.get("/archive").await;
    assert!(home.body.contains("href=\"/supervisor/changes\""), "the record is in the auditor's navigation");
    let all = b.get("/supervisor/changes").await;
    assert_eq!(all.status, 200);
    assert!(all.body.contains("Catatan perubahan"));
    assert!(all.body.contains("Cuti Bersama Natal") && all.body.contains("2027-12-24"), "{}", all.body);
    assert!(all.body.contains("<del>rina</del> → <ins>Rina Wati</ins>"), "the name before and after: {}", all.body);
    assert!(all.body.contains("<del>helpdesk</del> → <ins>supervisor</ins>"), "the roles before and after");
    assert!(all.body.contains("<td>adm</td>"), "who changed it");
    let days = b.get("/supervisor/changes?kind=day_off").await;
    assert!(days.body.contains("Cuti Bersama Natal"));
    assert!(!days.body.contains("Rina Wati"), "only days off");
    let past = b.get("/supervisor/changes?from=2001-01-01&to=2001-01-02").await;
    assert!(past.body.contains("id=\"changes-empty\""));
    let bad = b.get("/supervisor/changes?kind=user&from=2027-02-30").await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("id=\"from-error\""), "{}", bad.body);
    assert!(bad.body.contains("value=\"2027-02-30\""), "what was typed stays");
    assert!(bad.body.contains("<option value=\"user\" selected>"), "the kind chosen stays");

    app.staff("hd", &[Role::Helpdesk]).await;
    let mut helpdesk = Browser::new(&app);
    helpdesk.sign_in("hd", PASSWORD).await;
    assert_eq!(helpdesk.get("/supervisor/changes").await.status, 403);
}

/// The logo uploaded, replaced and removed: each on the record with who and when, the logo before
/// and after by its media type, size and SHA-256, never its bytes; listed by its own kind, on the
/// API and the page.
pub async fn the_logo_changes_are_listed_by_type_size_and_hash(app: TestApp) {
    use sha2::Digest;
    let sup = app.staff("sup", &[Role::Supervisor]).await;
    let adm = app.staff("adm", &[Role::Admin]).await;
    let (png, jpeg) = (png_logo(64, 48), jpeg_logo(40, 40));
    let facts = |kind: &str, bytes: &[u8]| json!({"content_type": kind, "size_bytes": bytes.len(), "sha256": hex::encode(sha2::Sha256::digest(bytes))});
    put_logo(&app, &sup, "image/png", png.clone()).await.expect(204);
    put_logo(&app, &sup, "image/png", png.clone()).await.expect(204);
    put_logo(&app, &adm, "image/jpeg", jpeg.clone()).await.expect(204);
    put_logo(&app, &adm, "image/png", b"GIF89a".to_vec()).await.error(422, "invalid_logo");
    app.send("DELETE", "/api/v1/settings/logo", Some(&sup), None).await.expect(204);
    app.send("DELETE", "/api/v1/settings/logo", Some(&sup), None).await.expect(204);

    let list = app.get(&sup, "/api/v1/settings/changes?kind=logo").await.expect(200);
    let seen: Vec<(Value, Value, Value, Value)> = changes(&list)
        .iter()
        .map(|c| (c["kind"].clone(), c["by"].clone(), c["before"].clone(), c["after"].clone()))
        .collect();
    let logo = json!("logo");
    assert_eq!(
        seen,
        [
            (logo.clone(), json!("sup"), facts("image/jpeg", &jpeg), Value::Null),
            (logo.clone(), json!("adm"), facts("image/png", &png), facts("image/jpeg", &jpeg)),
            (logo, json!("sup"), Value::Null, facts("image/png", &png)),
        ],
        "set, replaced, removed; the same logo again, a refused one and a removal of none are not changes"
    );
    assert!(changes(&list).iter().all(|c| c["subject"].is_null() && c["at"].as_str().is_some()));
    let all = app.get(&sup, "/api/v1/settings/changes").await.expect(200);
    let others: Vec<&Value> = changes(&all).iter().filter(|c| c["kind"] != "logo" && c["kind"] != "user").collect();
    assert!(others.is_empty(), "nothing but the logo (and the two accounts made) was changed: {others:?}");

    let mut b = Browser::new(&app);
    b.sign_in("sup", PASSWORD).await;
    let page = b.get("/supervisor/changes?kind=logo").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<option value=\"logo\" selected>Logo kantor</option>"), "{}", page.body);
    assert!(page.body.contains(&hex::encode(sha2::Sha256::digest(&jpeg))), "the hash is shown");
}
