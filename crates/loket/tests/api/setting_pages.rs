//! The supervisor's settings pages over HTTP: each saves all or nothing, names a bad value next to
//! its field, keeps everything typed, and says clearly what is still in use.

use loket_domain::auth::Role;
use serde_json::json;

use crate::pages::Browser;
use crate::support::{PASSWORD, TestApp};

async fn supervisor(app: &TestApp) -> (String, Browser<'_>) {
    let token = app.staff("sv_api", &[Role::Supervisor, Role::FrontOffice]).await;
    app.staff("sv", &[Role::Supervisor]).await;
    let mut b = Browser::new(app);
    b.sign_in("sv", PASSWORD).await;
    (token, b)
}

pub async fn a_bad_service_keeps_the_form_and_saves_nothing(app: TestApp) {
    let (token, mut b) = supervisor(&app).await;
    let before = app.get(&token, "/api/v1/settings/office").await.expect(200);
    let counters_before = app.get(&token, "/api/v1/settings/counters").await.expect(200);
    let page = b.get("/supervisor/settings/desks").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("id=\"services-0-code\" name=\"services-0-code\" type=\"text\" value=\"A\""),
        "{}",
        page.body
    );
    let csrf = page.csrf();
    let form = [
        ("_csrf", csrf.as_str()),
        ("services-0-code", "A"),
        ("services-0-name", "Konsultasi"),
        ("services-1-code", "b"),
        ("services-1-name", "Verifikasi <dokumen>"),
        ("counters-0-code", "1"),
        ("counters-0-name", "Loket 1"),
        ("counters-0-services", "A"),
        ("counters-1-code", "9"),
        ("counters-1-name", "Loket 9"),
        ("counters-1-services", "A, B"),
    ];
    let bad = b.post("/supervisor/settings/desks", &form).await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad.body.contains("id=\"services-1-code-error\""), "the bad code is named next to it");
    assert!(bad.body.contains("id=\"counters-1-services-error\""), "B is no service the office has");
    assert!(bad.body.contains("value=\"b\"") && bad.body.contains("value=\"A, B\""), "what was typed stays");
    assert!(bad.body.contains("value=\"Verifikasi &#60;dokumen&#62;\""), "and is escaped");
    assert_eq!(app.get(&token, "/api/v1/settings/office").await.expect(200), before, "nothing half-saved");
    assert_eq!(app.get(&token, "/api/v1/settings/counters").await.expect(200), counters_before);
    let mut good = form;
    good[3] = ("services-1-code", "B");
    let saved = b.post("/supervisor/settings/desks", &good).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(saved.location(), "/supervisor/settings/desks?saved=1");
    let counters = app.get(&token, "/api/v1/settings/counters").await.expect(200);
    assert_eq!(
        counters,
        json!([{"code": "1", "name": "Loket 1", "services": ["A"]}, {"code": "9", "name": "Loket 9", "services": ["A", "B"]}])
    );
    let office = app.get(&token, "/api/v1/settings/office").await.expect(200);
    assert_eq!(office["services"][1], json!({"code": "B", "name": "Verifikasi <dokumen>"}));
}

pub async fn a_service_with_visits_in_line_cannot_be_removed(app: TestApp) {
    let (token, mut b) = supervisor(&app).await;
    let csrf = b.get("/supervisor/settings/desks").await.csrf();
    let mut form = vec![
        ("_csrf", csrf.as_str()),
        ("services-0-code", "A"),
        ("services-0-name", "Konsultasi"),
        ("services-1-code", "B"),
        ("services-1-name", "Verifikasi"),
        ("counters-0-code", "1"),
        ("counters-0-name", "Loket 1"),
        ("counters-0-services", "A B"),
    ];
    assert_eq!(b.post("/supervisor/settings/desks", &form).await.status, 303);
    let v = app.post(&token, "/api/v1/visits", json!({"visitor": {"name": "Budi"}, "service": "B"})).await.expect(201);
    let id = crate::support::id(&v);
    app.put(&token, &format!("/api/v1/visits/{id}/form"), crate::support::complete_form()).await.expect(200);
    app.post_empty(&token, &format!("/api/v1/visits/{id}/check")).await.expect(200);
    form.push(("services-1-remove", "on"));
    form[7] = ("counters-0-services", "A");
    let refused = b.post("/supervisor/settings/desks", &form).await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert!(refused.body.contains("masih dipakai kunjungan yang sedang berjalan (layanan B)"), "{}", refused.body);
    assert!(refused.body.contains("id=\"services-error\""), "the list of services is marked");
    assert!(refused.body.contains("name=\"services-1-remove\" value=\"on\" checked"), "the tick stays");
    let office = app.get(&token, "/api/v1/settings/office").await.expect(200);
    assert_eq!(office["services"].as_array().map(Vec::len), Some(2), "B is still there");
}

pub async fn the_office_page_saves_all_or_nothing(app: TestApp) {
    let (token, mut b) = supervisor(&app).await;
    let page = b.get("/supervisor/settings/office").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<option value=\"Asia/Jakarta\" selected>"), "{}", page.body);
    let csrf = page.csrf();
    let too_long = "x".repeat(501);
    let mut form = vec![
        ("_csrf", csrf.as_str()),
        ("office_name", "LPSE Kota Makassar"),
        ("time_zone", "Asia/Makassar"),
        ("closing_time", "25:00"),
        ("calling.returns_after_skip", "0"),
        ("session_minutes", "480"),
        ("calling.seconds_between_calls", "601"),
        ("archive_pattern", "ARS/{yyyy}/{seq}"),
        ("lkpp_email", "helpdesk@lkpp.go.id"),
        ("running_text", too_long.as_str()),
    ];
    let bad = b.post("/supervisor/settings/office", &form).await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad.body.contains("id=\"closing-time-error\""), "{}", bad.body);
    assert!(bad.body.contains("id=\"calling-returns-after-skip-error\""), "the domain's check, at the same time");
    assert!(bad.body.contains("id=\"calling-seconds-between-calls-error\""), "ten minutes at most");
    assert!(bad.body.contains("id=\"running-text-error\""), "the running text's length, too");
    assert!(bad.body.contains("value=\"LPSE Kota Makassar\"") && bad.body.contains("value=\"25:00\""));
    assert!(bad.body.contains("<option value=\"Asia/Makassar\" selected>"), "the choice stays");
    let office = app.get(&token, "/api/v1/settings/office").await.expect(200);
    assert_eq!(office["office_name"], "LPSE", "nothing half-saved");
    form[3] = ("closing_time", "16.00");
    form[4] = ("calling.returns_after_skip", "2");
    form[6] = ("calling.seconds_between_calls", "45");
    form[9] = ("running_text", "Selamat datang di LPSE Kota Makassar");
    let saved = b.post("/supervisor/settings/office", &form).await;
    assert_eq!(saved.location(), "/supervisor/settings/office?saved=1", "{}", saved.body);
    let office = app.get(&token, "/api/v1/settings/office").await.expect(200);
    assert_eq!(office["office_name"], "LPSE Kota Makassar");
    assert_eq!(office["time_zone"], "Asia/Makassar");
    assert_eq!(office["closing_time"], "16:00:00");
    assert_eq!(office["calling"]["returns_after_skip"], 2);
    assert_eq!(office["calling"]["seconds_between_calls"], 45);
    assert_eq!(office["running_text"], "Selamat datang di LPSE Kota Makassar", "the display board's line");
    assert_eq!(office["services"].as_array().map(Vec::len), Some(1), "the services are untouched");
    assert!(b.get("/supervisor/settings/office?saved=1").await.body.contains("LPSE Kota Makassar"));
}

pub async fn the_priority_table_and_the_required_fields_have_pages(app: TestApp) {
    let (token, mut b) = supervisor(&app).await;
    let page = b.get("/supervisor/settings/priorities").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("value=\"Lupa password / User ID\""));
    let csrf = page.csrf();
    let mut form = vec![
        ("_csrf", csrf.as_str()),
        ("categories-0-code", "password"),
        ("categories-0-name", "Lupa password"),
        ("categories-0-priority", "satu"),
        ("categories-0-analysis_minutes", "15"),
        ("categories-0-resolution_minutes", "30"),
        ("categories-1-code", "other"),
        ("categories-1-name", "Lainnya"),
        ("categories-1-priority", "3"),
        ("categories-1-analysis_minutes", "30"),
        ("categories-1-resolution_minutes", "480"),
        ("categories-2-code", "password"),
        ("categories-2-name", "Dua kali"),
        ("categories-2-priority", "2"),
        ("categories-2-analysis_minutes", "10"),
        ("categories-2-resolution_minutes", "20"),
    ];
    let bad = b.post("/supervisor/settings/priorities", &form).await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("id=\"categories-0-priority-error\""), "{}", bad.body);
    assert!(bad.body.contains("id=\"categories-2-code-error\">Sudah dipakai baris lain"), "{}", bad.body);
    assert!(bad.body.contains("value=\"satu\""));
    let before = app.get(&token, "/api/v1/settings/priorities").await.expect(200);
    assert_eq!(before.as_array().map(Vec::len), Some(7), "nothing half-saved");
    form[3] = ("categories-0-priority", "1");
    form.push(("categories-2-remove", "on"));
    let saved = b.post("/supervisor/settings/priorities", &form).await;
    assert_eq!(saved.location(), "/supervisor/settings/priorities?saved=1", "{}", saved.body);
    let after = app.get(&token, "/api/v1/settings/priorities").await.expect(200);
    let codes: Vec<&str> = after.as_array().into_iter().flatten().filter_map(|c| c["code"].as_str()).collect();
    assert_eq!(codes, ["password", "other"]);
    assert_eq!(after[0]["is_example"], false);

    let fields = b.get("/supervisor/settings/form-fields").await;
    assert!(fields.body.contains("name=\"required\" value=\"visitor.phone\" checked"), "{}", fields.body);
    let csrf = fields.csrf();
    let form = [("_csrf", csrf.as_str()), ("required", "visitor.name"), ("required", "visitor.email")];
    // The name, the category and the description are always required: saved with them added.
    let saved = b.post("/supervisor/settings/form-fields", &form).await;
    assert_eq!(saved.location(), "/supervisor/settings/form-fields?saved=1");
    let office = app.get(&token, "/api/v1/settings/office").await.expect(200);
    assert_eq!(
        office["required_fields"],
        json!(["visitor.name", "visitor.email", "form.category", "form.description"])
    );
    let odd = b
        .post("/supervisor/settings/form-fields", &[("_csrf", csrf.as_str()), ("required", "visitor.shoe_size")])
        .await;
    assert_eq!(odd.status, 422);
    assert_eq!(
        app.get(&token, "/api/v1/settings/office").await.expect(200)["required_fields"],
        office["required_fields"]
    );
    let hd = app.staff("hd", &[Role::Helpdesk]).await;
    drop(hd);
    let mut other = Browser::new(&app);
    other.sign_in("hd", PASSWORD).await;
    assert_eq!(other.get("/supervisor/settings/desks").await.status, 403, "a helpdesk agent may not");
}

pub async fn the_mail_page_never_shows_a_password_and_an_empty_one_keeps_it(app: TestApp) {
    let (token, mut b) = supervisor(&app).await;
    let page = b.get("/supervisor/settings/mail").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Belum ada kata sandi tersimpan"), "no password yet");
    let csrf = page.csrf();
    let mut form = vec![
        ("_csrf", csrf.as_str()),
        ("smtp_host", "smtp.lpse.example.go.id"),
        ("smtp_port", "587"),
        ("smtp_security", "starttls"),
        ("smtp_username", "loket"),
        ("smtp_password", "rahasia-smtp"),
        ("from_address", "loket@lpse.example.go.id"),
        ("imap.enabled", "yes"),
        ("imap.host", "imap.lpse.example.go.id"),
        ("imap.port", "993"),
        ("imap.security", "tls"),
        ("imap.username", "helpdesk"),
        ("imap.password", "rahasia-imap"),
        ("imap.mailbox", "INBOX"),
        ("imap.poll_seconds", "abc"),
        ("imap.ticket_pattern", "(tiket"),
    ];
    let bad = b.post("/supervisor/settings/mail", &form).await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    for id in ["imap-poll-seconds-error", "imap-ticket-pattern-error"] {
        assert!(bad.body.contains(&format!("id=\"{id}\"")), "{id} named");
    }
    assert!(bad.body.contains("value=\"(tiket\"") && bad.body.contains("value=\"smtp.lpse.example.go.id\""), "kept");
    assert!(!bad.body.contains("rahasia"), "a password is never written into the page");
    assert_eq!(app.get(&token, "/api/v1/settings/mail").await.expect(200)["smtp_host"], "", "nothing saved");
    form[14] = ("imap.poll_seconds", "120");
    form[15] = ("imap.ticket_pattern", r"Tiket\s*(\d+)");
    let saved = b.post("/supervisor/settings/mail", &form).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let page = b.get("/supervisor/settings/mail").await;
    assert!(!page.body.contains("rahasia"), "never shown back");
    assert_eq!(page.body.matches("Kata sandi tersimpan").count(), 2, "both passwords said to be stored");
    // Saved again with the password fields left empty: the stored ones are kept.
    form[5] = ("smtp_password", "");
    form[12] = ("imap.password", "");
    // Moving the server without its password is refused, named at the password's field.
    form[2] = ("smtp_port", "2525");
    let moved = b.post("/supervisor/settings/mail", &form).await;
    assert_eq!(moved.status, 422);
    assert!(moved.body.contains("ketik lagi kata sandinya"), "{}", moved.body);
    form[2] = ("smtp_port", "587");
    form[6] = ("from_address", "helpdesk@lpse.example.go.id");
    assert_eq!(b.post("/supervisor/settings/mail", &form).await.status, 303);
    let mail = app.get(&token, "/api/v1/settings/mail").await.expect(200);
    let kept = (mail["from_address"].clone(), mail["smtp_password_set"].clone());
    assert_eq!(kept, (json!("helpdesk@lpse.example.go.id"), json!(true)));
    let imap = app.get(&token, "/api/v1/settings/imap").await.expect(200);
    assert_eq!(imap["password_set"], true);
    assert_eq!(imap["poll_seconds"], 120);
    assert_eq!(imap["ticket_pattern"], r"Tiket\s*(\d+)");
    let stored = app.store.settings().await.expect("settings");
    assert_eq!(stored.mail.smtp_password.as_deref(), Some("rahasia-smtp"));
    assert_eq!(stored.imap.password.as_deref(), Some("rahasia-imap"));
}

/// The office logo on the office page: uploaded as a file, refused with the reason next to the
/// file input, shown once kept, removed with its button; a refused file changes nothing else.
pub async fn the_office_page_uploads_shows_and_removes_the_logo(app: TestApp) {
    let (token, mut b) = supervisor(&app).await;
    let page = b.get("/supervisor/settings/office").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Logo kantor") && page.body.contains("id=\"office-logo-none\""), "{}", page.body);
    assert!(page.body.contains("enctype=\"multipart/form-data\""), "a plain form with a file");
    let csrf = page.csrf();
    let office = app.get(&token, "/api/v1/settings/office").await.expect(200);

    let bad = b
        .post_multipart(LOGO_FORM, &[("_csrf", None, csrf.as_bytes()), ("logo", Some("logo.png"), b"bukan gambar")])
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad.body.contains("id=\"logo-error\">Bukan gambar PNG atau JPEG.<"), "{}", bad.body);
    assert!(bad.body.contains("value=\"LPSE\""), "the office's fields are on the page as stored");
    let none = b.post_multipart(LOGO_FORM, &[("_csrf", None, csrf.as_bytes()), ("logo", Some(""), b"")]).await;
    assert!(none.body.contains("Pilih berkas logo."), "{}", none.body);
    let forged = b
        .post_multipart(LOGO_FORM, &[("_csrf", None, b"palsu"), ("logo", Some("l.png"), &crate::logo::png_logo(8, 8))])
        .await;
    assert_eq!(forged.status, 403, "without the CSRF token nothing is done");
    app.get(&token, "/api/v1/settings/logo").await.error(404, "not_found");

    let logo = crate::logo::png_logo(40, 20);
    let saved =
        b.post_multipart(LOGO_FORM, &[("_csrf", None, csrf.as_bytes()), ("logo", Some("logo.png"), &logo)]).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(saved.location(), "/supervisor/settings/office?logo=saved");
    let page = b.get("/supervisor/settings/office?logo=saved").await;
    assert!(page.body.contains("Logo kantor sudah disimpan."));
    assert!(page.body.contains("src=\"/supervisor/settings/office/logo\""), "{}", page.body);
    let (status, headers, bytes) = b.bytes(LOGO_FORM).await;
    assert_eq!((status.as_u16(), &headers["content-type"]), (200, &"image/png".parse().unwrap()));
    assert_eq!(bytes, logo, "the image the page shows is the one uploaded");
    assert_eq!(app.get(&token, "/api/v1/settings/office").await.expect(200), office, "the other settings as they were");

    let removed = b.post("/supervisor/settings/office/logo/delete", &[("_csrf", &csrf)]).await;
    assert_eq!(removed.status, 303);
    assert_eq!(removed.location(), "/supervisor/settings/office?logo=removed");
    app.get(&token, "/api/v1/settings/logo").await.error(404, "not_found");
    assert_eq!(b.bytes(LOGO_FORM).await.0, 404);
}

const LOGO_FORM: &str = "/supervisor/settings/office/logo";
