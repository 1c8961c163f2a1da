//! The staff pages over HTTP: sign-in with a cookie, redirects by role, the 403 page, CSRF
//! refusals, escaping of what visitors typed, the counter's forms and the front office's check.

use std::collections::BTreeMap;

use loket_domain::auth::Role;
use loket_web::limits::Limits;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, LOCATION, SET_COOKIE};

use crate::support::{Backend, PASSWORD, TestApp, id, spawn_app_with};

/// A browser in miniature: keeps cookies, does not follow redirects.
pub(crate) struct Browser<'a> {
    app: &'a TestApp,
    http: reqwest::Client,
    cookies: BTreeMap<String, String>,
}

pub(crate) struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub(crate) fn location(&self) -> &str {
        self.headers.get(LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default()
    }

    /// The value of the first hidden `_csrf` field.
    pub(crate) fn csrf(&self) -> String {
        let at = self.body.find("name=\"_csrf\" value=\"").expect("a CSRF field") + "name=\"_csrf\" value=\"".len();
        self.body[at..].split('"').next().unwrap_or_default().to_owned()
    }
}

impl<'a> Browser<'a> {
    pub(crate) fn new(app: &'a TestApp) -> Browser<'a> {
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
        Browser { app, http, cookies: BTreeMap::new() }
    }

    async fn send(&mut self, req: reqwest::RequestBuilder) -> Page {
        let cookie = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
        let res = req.header("cookie", cookie).send().await.expect("request");
        for value in res.headers().get_all(SET_COOKIE) {
            let text = value.to_str().expect("cookie text");
            let pair = text.split(';').next().unwrap_or_default();
            if let Some((k, v)) = pair.split_once('=') {
                if v.is_empty() {
                    self.cookies.remove(k)
                } else {
                    self.cookies.insert(k.to_owned(), v.to_owned())
                };
            }
        }
        Page { status: res.status(), headers: res.headers().clone(), body: res.text().await.expect("body") }
    }

    pub(crate) async fn get(&mut self, path: &str) -> Page {
        let req = self.http.get(self.app.url(path));
        self.send(req).await
    }

    /// A download: its status, headers and bytes.
    pub(crate) async fn bytes(&mut self, path: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
        let cookie = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
        let res = self.http.get(self.app.url(path)).header("cookie", cookie).send().await.expect("request");
        let (status, headers) = (res.status(), res.headers().clone());
        (status, headers, res.bytes().await.expect("body").to_vec())
    }

    pub(crate) async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let req = self.http.post(self.app.url(path)).form(form);
        self.send(req).await
    }

    /// A `multipart/form-data` form, as a browser sends a form with a file: each part a name,
    /// the file's name for a file, and the bytes.
    pub(crate) async fn post_multipart(&mut self, path: &str, parts: &[(&str, Option<&str>, &[u8])]) -> Page {
        let boundary = "----loket-test-boundary-7d1f";
        let mut body = Vec::new();
        for (name, file, bytes) in parts {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"").as_bytes(),
            );
            match file {
                Some(f) => body.extend_from_slice(
                    format!("; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
                ),
                None => body.extend_from_slice(b"\r\n\r\n"),
            }
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let req = self
            .http
            .post(self.app.url(path))
            .header("content-type", format!("multipart/form-data; boundary={boundary}"))
            .body(body);
        self.send(req).await
    }

    pub(crate) async fn sign_in(&mut self, username: &str, password: &str) -> Page {
        let login = self.get("/login").await;
        assert_eq!(login.status, 200);
        let token = login.csrf();
        self.post("/login", &[("_csrf", &token), ("username", username), ("password", password)]).await
    }
}

pub(crate) async fn user(app: &TestApp, name: &str, roles: &[Role]) {
    app.staff(name, roles).await;
}

pub async fn a_stranger_is_sent_to_the_sign_in_page(app: TestApp) {
    let mut b = Browser::new(&app);
    let root = b.get("/").await;
    assert_eq!(root.status, 303);
    assert_eq!(root.location(), "/login");
    assert_eq!(b.get("/counter").await.location(), "/login");
    let login = b.get("/login").await;
    assert_eq!(login.status, 200);
    assert!(login.body.contains("<html lang=\"id\">"), "Indonesian by default");
    assert!(login.body.contains("Nama pengguna"));
    let csp = login.headers.get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(login.headers.get("x-content-type-options").map(|v| v.as_bytes()), Some(&b"nosniff"[..]));
    assert!(login.headers.contains_key("referrer-policy"));
    let css = b.get("/assets/loket.css").await;
    assert_eq!(css.status, 200);
    assert!(css.headers.get("content-type").and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/css")));
}

pub async fn sign_in_lands_on_the_roles_home(app: TestApp) {
    for (name, role, home) in [
        ("fo", Role::FrontOffice, "/front-office"),
        ("hd", Role::Helpdesk, "/counter"),
        ("sv", Role::Supervisor, "/supervisor"),
        ("ad", Role::Admin, "/admin"),
    ] {
        user(&app, name, &[role]).await;
        let mut b = Browser::new(&app);
        let signed_in = b.sign_in(name, PASSWORD).await;
        assert_eq!(signed_in.status, 303, "{}", signed_in.body);
        assert_eq!(signed_in.location(), home);
        let cookie = signed_in
            .headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("loket_session="))
            .unwrap_or_else(|| panic!("a session cookie: {:?} {}", signed_in.headers, signed_in.body))
            .to_owned();
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
        assert!(!cookie.contains("Secure"), "plain HTTP: no Secure flag");
        assert_eq!(b.get("/").await.location(), home);
        let page = b.get(home).await;
        assert_eq!(page.status, 200, "{home}");
        assert!(page.body.contains("<html lang=\"id\">"));
        // Sign-out ends the session in the store, not just in the browser.
        let session = b.cookies.get("loket_session").cloned().expect("session");
        let out = b.post("/logout", &[("_csrf", &page.csrf())]).await;
        assert_eq!(out.location(), "/login");
        let mut replay = Browser::new(&app);
        replay.cookies.insert("loket_session".into(), session);
        assert_eq!(replay.get(home).await.location(), "/login", "a signed-out session no longer works");
    }
}

pub async fn behind_https_the_cookie_is_secure(app: TestApp) {
    user(&app, "hd", &[Role::Helpdesk]).await;
    let mut b = Browser::new(&app);
    let login = b.get("/login").await;
    let req = b.http.post(app.url("/login")).header("x-forwarded-proto", "https").form(&[
        ("_csrf", login.csrf().as_str()),
        ("username", "hd"),
        ("password", PASSWORD),
    ]);
    let page = b.send(req).await;
    let cookie = page.headers.get(SET_COOKIE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert!(cookie.contains("; Secure"), "{cookie}");
}

pub async fn a_wrong_password_is_told_in_indonesian(app: TestApp) {
    user(&app, "hd", &[Role::Helpdesk]).await;
    let mut b = Browser::new(&app);
    let page = b.sign_in("hd", "salah-sekali").await;
    assert_eq!(page.status, 401);
    assert!(page.body.contains("Nama pengguna atau kata sandi salah"), "{}", page.body);
    assert!(page.body.contains("value=\"hd\""), "the user name typed is kept");
    assert!(!b.cookies.contains_key("loket_session"));
}

pub async fn too_many_attempts_say_how_long_to_wait(backend: Backend) {
    let limits = Limits { login_failures_per_user: 2, ..Limits::default() };
    let Some(app) = spawn_app_with(backend, limits).await else { return };
    user(&app, "hd", &[Role::Helpdesk]).await;
    let mut b = Browser::new(&app);
    for _ in 0..2 {
        assert_eq!(b.sign_in("hd", "salah").await.status, 401);
    }
    let page = b.sign_in("hd", PASSWORD).await;
    assert!(page.body.contains("Terlalu banyak percobaan, coba lagi dalam 15 menit"), "{}", page.body);
    assert!(!b.cookies.contains_key("loket_session"), "not even the right password passes now");
}

pub async fn a_form_without_its_csrf_token_is_refused(app: TestApp) {
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    app.waiting_visit(&fo, "Budi").await;
    user(&app, "hd", &[Role::Helpdesk]).await;
    let mut b = Browser::new(&app);
    b.sign_in("hd", PASSWORD).await;
    let refused = b.post("/counter/call-next", &[("counter", "1")]).await;
    assert_eq!(refused.status, 403);
    assert!(refused.body.contains("Formulir ditolak"), "{}", refused.body);
    let wrong = b.post("/counter/call-next", &[("counter", "1"), ("_csrf", "0000")]).await;
    assert_eq!(wrong.status, 403);
    let line = app.get(&fo, "/api/v1/queue").await.expect(200);
    assert_eq!(line["waiting"].as_array().map(Vec::len), Some(1), "nothing was called");
    // The sign-in form has its own token.
    let mut stranger = Browser::new(&app);
    let page = stranger.post("/login", &[("username", "hd"), ("password", PASSWORD)]).await;
    assert_eq!(page.status, 403);
}

pub async fn a_role_that_may_not_see_a_page_gets_403(app: TestApp) {
    user(&app, "hd", &[Role::Helpdesk]).await;
    let mut b = Browser::new(&app);
    b.sign_in("hd", PASSWORD).await;
    for path in ["/admin", "/supervisor", "/front-office"] {
        let page = b.get(path).await;
        assert_eq!(page.status, 403, "{path}");
        assert!(page.body.contains("Akses ditolak"), "{}", page.body);
        assert!(page.body.contains("href=\"/counter\""), "a way back to the agent's own screen");
    }
}

/// The role matrix of docs/api.md holds on every page with staff data: each role sees a page (200)
/// or is refused it (403), an admin alone never a page with a visitor's personal data, and an
/// auditor every page that reads and none that works a visit or manages users.
pub async fn every_page_follows_the_role_matrix(app: TestApp) {
    let archived = crate::helpdesk::in_service(&app).await.1;
    let fo = app.staff("fo-page", &[Role::FrontOffice]).await;
    let v = app.waiting_visit(&fo, "Sari").await;
    let vid = id(&v);
    let served = id(&archived);
    for (name, role) in [
        ("hd-page", Role::Helpdesk),
        ("sv-page", Role::Supervisor),
        ("ad-page", Role::Admin),
        ("au-page", Role::Auditor),
    ] {
        user(&app, name, &[role]).await;
    }
    // Columns: front office, helpdesk, supervisor, admin, auditor.
    let front = [true, false, true, false, false];
    let counter = [false, true, true, false, false];
    let visits = [true, true, true, false, true];
    let supervise = [false, false, true, true, true];
    let supervisor_only = [false, false, true, false, false];
    let admin = [false, false, false, true, false];
    let pages: Vec<(String, [bool; 5])> = vec![
        ("/front-office".into(), front),
        (format!("/front-office/visits/{vid}"), front),
        (format!("/front-office/visits/{vid}/ticket"), front),
        ("/counter?counter=1".into(), counter),
        (format!("/counter/visits/{served}/suggestions"), counter),
        (format!("/visits/{vid}/form.pdf"), visits),
        (format!("/visits/{vid}"), visits),
        ("/archive".into(), visits),
        ("/supervisor".into(), supervise),
        ("/supervisor/report".into(), supervise),
        ("/supervisor/ikm".into(), supervise),
        ("/supervisor/reports".into(), supervise),
        ("/supervisor/time-standards".into(), supervise),
        ("/supervisor/settings/office".into(), supervise),
        ("/supervisor/settings/priorities".into(), supervise),
        ("/supervisor/settings/desks".into(), supervise),
        ("/supervisor/settings/calendar".into(), supervise),
        ("/supervisor/settings/mail".into(), supervise),
        ("/supervisor/mail".into(), supervisor_only),
        ("/admin".into(), admin),
        ("/admin/users/fo".into(), admin),
        ("/password".into(), [true; 5]),
    ];
    for (i, who) in ["fo-page", "hd-page", "sv-page", "ad-page", "au-page"].into_iter().enumerate() {
        let mut b = Browser::new(&app);
        b.sign_in(who, PASSWORD).await;
        for (path, allowed) in &pages {
            let status = b.get(path).await.status.as_u16();
            let expected = if allowed[i] { 200 } else { 403 };
            assert_eq!(status, expected, "{who} on {path}");
        }
    }
}

pub async fn a_visitors_markup_is_shown_as_text(app: TestApp) {
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let name = "<img src=x onerror=alert(1)>";
    let visit = app.waiting_visit(&fo, name).await;
    user(&app, "front", &[Role::FrontOffice, Role::Helpdesk]).await;
    let mut b = Browser::new(&app);
    b.sign_in("front", PASSWORD).await;
    let book = b.get("/front-office").await;
    assert!(
        book.body.contains("&lt;img src=x onerror=alert(1)&gt;") || book.body.contains("&#60;img"),
        "{}",
        book.body
    );
    assert!(!book.body.contains(name));
    let form = b.get(&format!("/front-office/visits/{}", id(&visit))).await;
    assert!(!form.body.contains(name));
    let counter = b.get("/counter?counter=1").await;
    let call = b.post("/counter/call-next", &[("_csrf", &counter.csrf()), ("counter", "1")]).await;
    assert_eq!(call.status, 303);
    let called = b.get("/counter?counter=1").await;
    let start = format!("/counter/visits/{}/start", id(&visit));
    assert_eq!(b.post(&start, &[("_csrf", &called.csrf()), ("counter", "1")]).await.status, 303);
    let serving = b.get("/counter?counter=1").await;
    assert!(serving.body.contains("&lt;img") || serving.body.contains("&#60;img"), "{}", serving.body);
    assert!(!serving.body.contains(name));
    assert!(serving.body.contains("id=\"history\""), "the visit's history is at hand");
    assert!(serving.body.contains("9. Analisis"), "each step by its name");
}

/// The counter by its forms alone: call, re-call to 3/3, skip (confirmed), the next one is
/// called, and the skipped number comes back at the call after; then start, answer, archive.
pub async fn the_counter_calls_recalls_skips_and_the_skipped_number_returns(app: TestApp) {
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let first = app.waiting_visit(&fo, "Budi").await;
    let second = app.waiting_visit(&fo, "Sari").await;
    let (n1, n2) =
        (first["queue"]["number"].as_str().unwrap_or_default(), second["queue"]["number"].as_str().unwrap_or_default());
    user(&app, "hd", &[Role::Helpdesk]).await;
    let mut b = Browser::new(&app);
    b.sign_in("hd", PASSWORD).await;
    let chooser = b.get("/counter").await;
    assert!(chooser.body.contains("Pilih loket"));
    let page = b.get("/counter?counter=1").await;
    assert!(page.body.contains(n1) && page.body.contains(n2), "the line shows the numbers");
    assert!(!page.body.contains("Budi"), "the line shows numbers only");
    let csrf = page.csrf();
    let form = [("_csrf", csrf.as_str()), ("counter", "1")];
    assert_eq!(b.post("/counter/call-next", &form).await.location(), "/counter?counter=1");
    let called = b.get("/counter?counter=1").await;
    assert!(called.body.contains("Panggilan 1/3"), "{}", called.body);
    // The office's spacing of calls: the visitor is given 30 seconds to come.
    assert!(called.body.contains("data-seconds=\"30\""), "{}", called.body);
    assert!(called.body.contains("panggil ulang atau lewati dalam 30 detik"), "{}", called.body);
    assert!(called.body.contains("id=\"recall\" aria-keyshortcuts=\"F3\" disabled data-after-wait"));
    let v1 = id(&first);
    let too_soon = b.post(&format!("/counter/visits/{v1}/recall"), &form).await;
    assert_eq!(too_soon.status, 409);
    assert!(too_soon.body.contains("baru saja dipanggil"), "{}", too_soon.body);
    for n in 2..=3 {
        app.clock.advance(chrono::Duration::seconds(30));
        assert_eq!(b.post(&format!("/counter/visits/{v1}/recall"), &form).await.status, 303);
        assert!(b.get("/counter?counter=1").await.body.contains(&format!("Panggilan {n}/3")));
    }
    app.clock.advance(chrono::Duration::seconds(30));
    let third = b.get("/counter?counter=1").await;
    assert!(third.body.contains("id=\"recall\" aria-keyshortcuts=\"F3\" disabled"), "no fourth call");
    let refused = b.post(&format!("/counter/visits/{v1}/recall"), &form).await;
    assert_eq!(refused.status, 409);
    assert!(refused.body.contains("sudah dipanggil tiga kali"));
    let confirm = b.get(&format!("/counter?counter=1&confirm_skip={v1}")).await;
    assert!(confirm.body.contains(&format!("Lewati nomor {n1}?")), "{}", confirm.body);
    assert_eq!(b.post(&format!("/counter/visits/{v1}/skip"), &form).await.status, 303);
    let next = b.get("/counter?counter=1").await;
    assert!(next.body.contains(&format!("id=\"current-number\">{n2}<")), "the next one is called: {}", next.body);
    let v2 = id(&second);
    assert_eq!(b.post(&format!("/counter/visits/{v2}/start"), &form).await.status, 303);
    let answer = [
        ("_csrf", csrf.as_str()),
        ("counter", "1"),
        ("analysis", "Sertifikat kedaluwarsa"),
        ("answer", "Perbarui sertifikat"),
    ];
    assert_eq!(b.post(&format!("/counter/visits/{v2}/answer"), &answer).await.status, 303);
    let archive_without_copy = b.post(&format!("/counter/visits/{v2}/archive"), &form).await;
    assert_eq!(archive_without_copy.status, 409, "the copy comes first");
    assert!(archive_without_copy.body.contains("Salinan formulir untuk pengguna belum dicatat"));
    let no_way = b.post(&format!("/counter/visits/{v2}/copy"), &form).await;
    assert_eq!(no_way.status, 422, "a copy is given some way");
    let waiting = b.get("/counter?counter=1").await;
    assert!(waiting.body.contains(&format!("href=\"/visits/{v2}/form.pdf\"")), "the form to print");
    let pdf = b.get(&format!("/visits/{v2}/form.pdf")).await;
    assert_eq!(pdf.status, 200);
    assert!(pdf.body.starts_with("%PDF-") && pdf.headers["content-type"] == "application/pdf");
    let printed = [("_csrf", csrf.as_str()), ("counter", "1"), ("via", "printed")];
    assert_eq!(b.post(&format!("/counter/visits/{v2}/copy"), &printed).await.status, 303);
    assert!(b.get("/counter?counter=1").await.body.contains("Salinan: dicetak"));
    assert_eq!(b.post(&format!("/counter/visits/{v2}/archive"), &form).await.status, 303);
    let archived = app.get(&fo, &format!("/api/v1/visits/{v2}")).await.expect(200);
    assert_eq!(archived["status"], "archived");
    assert_eq!(archived["copy"]["via"], "printed");
    assert_eq!(b.post("/counter/call-next", &form).await.status, 303);
    let back = b.get("/counter?counter=1").await;
    assert!(
        back.body.contains(&format!("id=\"current-number\">{n1}<")),
        "the skipped number comes back: {}",
        back.body
    );
}

pub async fn the_staff_stream_takes_the_page_cookie(app: TestApp) {
    user(&app, "hd", &[Role::Helpdesk]).await;
    let mut b = Browser::new(&app);
    assert_eq!(b.get("/api/v1/events/staff").await.status, 401);
    b.sign_in("hd", PASSWORD).await;
    let cookie = format!("loket_session={}", b.cookies["loket_session"]);
    let res = app.http.get(app.url("/api/v1/events/staff")).header("cookie", cookie).send().await.expect("stream");
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap_or_default().starts_with("text/event-stream"));
}

pub async fn the_front_office_check_keeps_every_character_and_gives_a_number(app: TestApp) {
    user(&app, "fo", &[Role::FrontOffice]).await;
    let mut b = Browser::new(&app);
    b.sign_in("fo", PASSWORD).await;
    let book = b.get("/front-office").await;
    let csrf = book.csrf();
    let opened = b.post("/front-office/visits", &[("_csrf", &csrf), ("visitor.name", "Budi \"Santoso\" & Co")]).await;
    assert_eq!(opened.status, 303, "{}", opened.body);
    let path = opened.location().to_owned();
    let form = b.get(&path).await;
    assert!(
        form.body.contains("value=\"Budi &#34;Santoso&#34; &#38; Co\"")
            || form.body.contains("Budi &quot;Santoso&quot; &amp; Co"),
        "{}",
        form.body
    );
    let typed = [
        ("_csrf", csrf.as_str()),
        ("visitor.name", "Budi \"Santoso\" & Co"),
        ("visitor.organization", "CV Maju Jaya  "),
        ("visitor.role", "penyedia"),
        ("visitor.phone", ""),
        ("form.category", "offer_upload"),
        ("form.description", "Dokumen <b>penawaran</b> gagal\nterkirim"),
    ];
    let incomplete = b.post(&path, &typed).await;
    assert_eq!(incomplete.status, 422);
    assert!(incomplete.body.contains("Formulir belum lengkap"), "{}", incomplete.body);
    assert!(incomplete.body.contains("id=\"visitor-phone-error\">Wajib diisi<"), "the problem is next to its field");
    assert!(incomplete.body.contains("CV Maju Jaya  \""), "every character is kept, spaces too");
    assert!(
        incomplete.body.contains("Dokumen &#60;b&#62;penawaran&#60;/b&#62; gagal\nterkirim")
            || incomplete.body.contains("Dokumen &lt;b&gt;"),
        "{}",
        incomplete.body
    );
    assert!(incomplete.body.contains("<option value=\"penyedia\" selected>"));
    // A typo in the e-mail says what is wrong and what a good address looks like.
    let mut typo = typed.to_vec();
    typo.push(("visitor.email", "budi@majujaya"));
    let refused = b.post(&path, &typo).await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.body.contains("id=\"visitor-email-error\">Alamat e-mail tidak valid: contoh nama@domain.go.id<"),
        "{}",
        refused.body
    );
    let mut complete = typed.to_vec();
    complete[4] = ("visitor.phone", "0812-3456-7890");
    let done = b.post(&path, &complete).await;
    assert_eq!(done.status, 303, "{}", done.body);
    let ticket = b.get(&path).await;
    assert!(ticket.body.contains("id=\"queue-number\">A-001<"), "{}", ticket.body);
}

pub async fn english_is_one_click_away(app: TestApp) {
    let mut b = Browser::new(&app);
    let switched = b.get("/language/en?next=/login").await;
    assert_eq!(switched.location(), "/login");
    let login = b.get("/login").await;
    assert!(login.body.contains("<html lang=\"en\">"));
    assert!(login.body.contains("User name"));
    assert_eq!(b.get("/language/id?next=//evil.example").await.location(), "/", "only paths of this site");
    // A tab or a line break that a browser drops makes `//evil.example` of it; a line break would
    // also end the `Location` header (it was a 500).
    for next in ["/%09/evil.example", "/%0a/evil.example", "/%0d%0aSet-Cookie:%20x=1", "/%5C/evil.example", "/%C2%A0/x"]
    {
        let back = b.get(&format!("/language/id?next={next}")).await;
        assert_eq!((back.status.as_u16(), back.location()), (303, "/"), "{next}");
    }
    assert_eq!(b.get("/language/id?next=/archive%3Fq%3Dx").await.location(), "/archive?q=x", "a path with its query");
}

pub async fn the_counter_escalates_to_lkpp_and_names_what_is_missing(app: TestApp) {
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let visit = app.waiting_visit(&fo, "Budi").await;
    let v = id(&visit);
    user(&app, "hd", &[Role::Helpdesk]).await;
    let mut b = Browser::new(&app);
    b.sign_in("hd", PASSWORD).await;
    let csrf = b.get("/counter?counter=1").await.csrf();
    let form = [("_csrf", csrf.as_str()), ("counter", "1")];
    b.post("/counter/call-next", &form).await;
    b.post(&format!("/counter/visits/{v}/start"), &form).await;
    let escalate = format!("/counter/visits/{v}/escalate");
    let without_ticket = [
        ("_csrf", csrf.as_str()),
        ("counter", "1"),
        ("analysis", "Butuh reset di LKPP"),
        ("channel", "tts"),
        ("summary", "Akun terkunci <b>permanen</b>"),
    ];
    let refused = b.post(&escalate, &without_ticket).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("id=\"external-reference-error\""), "{}", refused.body);
    assert!(
        refused.body.contains("Akun terkunci &#60;b&#62;permanen&#60;/b&#62;")
            || refused.body.contains("Akun terkunci &lt;b&gt;")
    );
    assert!(refused.body.contains("Butuh reset di LKPP</textarea>"), "the analysis typed is kept");
    let mut with_ticket = without_ticket.to_vec();
    with_ticket.push(("external_reference", "TTS-2026-0042"));
    assert_eq!(b.post(&escalate, &with_ticket).await.status, 303);
    let escalated = app.get(&fo, &format!("/api/v1/visits/{v}")).await.expect(200);
    assert_eq!(escalated["status"], "escalated");
    assert_eq!(escalated["escalation"]["external_reference"], "TTS-2026-0042");
    assert!(b.get("/counter?counter=1").await.body.contains("Dieskalasi"), "waiting for the archive");
}

pub async fn the_agent_types_in_lkpps_answer_and_sees_it(app: TestApp) {
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let hd = app.staff("hd0", &[Role::Helpdesk]).await;
    let v = app.waiting_visit(&fo, "Budi").await;
    let vid = id(&v);
    app.post_empty(&hd, "/api/v1/counters/1/call-next").await.expect(200);
    app.post_empty(&hd, &format!("/api/v1/visits/{vid}/start")).await.expect(200);
    let body = serde_json::json!({"analysis": "a", "channel": "tts", "summary": "s", "external_reference": "TTS-77"});
    app.post(&hd, &format!("/api/v1/visits/{vid}/escalate"), body).await.expect(200);
    user(&app, "hd", &[Role::Helpdesk]).await;
    let mut b = Browser::new(&app);
    b.sign_in("hd", PASSWORD).await;
    let page = b.get("/counter?counter=2").await;
    assert!(page.body.contains(&format!("id=\"escalation-{vid}\"")), "waiting for LKPP, seen at any counter");
    assert!(page.body.contains("TTS-77"));
    let csrf = page.csrf();
    let action = format!("/counter/visits/{vid}/escalation-answer");
    let empty = [("_csrf", csrf.as_str()), ("counter", "2"), ("lkpp_answer", "  ")];
    let refused = b.post(&action, &empty).await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains(&format!("id=\"lkpp-answer-{vid}-error\"")), "named at its field");
    assert!(!refused.body.contains("id=\"answer-error\""), "not at the service form's answer");
    // Each case says whose it is, and can be found by its words.
    assert!(page.body.contains("<strong class=\"visitor\">Budi</strong>"), "the visitor's name");
    let found = b.get("/counter?counter=2&lkpp_q=budi+tts-77").await;
    assert!(found.body.contains(&format!("id=\"escalation-{vid}\"")) && found.body.contains("1 dari 1 eskalasi"));
    let none = b.get("/counter?counter=2&lkpp_q=yusuf").await;
    assert!(!none.body.contains(&format!("id=\"escalation-{vid}\"")), "{}", none.body);
    assert!(none.body.contains("0 dari 1 eskalasi"), "{}", none.body);
    // Saving asks first whose case it is; nothing is saved until the agent confirms.
    let answer = [("_csrf", csrf.as_str()), ("counter", "2"), ("lkpp_answer", "Server SPSE <b>sudah</b> diperbaiki")];
    let asked = b.post(&action, &answer).await;
    assert_eq!(asked.status, 200);
    assert!(asked.body.contains("Simpan jawaban LKPP ini untuk A-001 · Budi"), "{}", asked.body);
    assert!(
        asked.body.contains("Server SPSE &#60;b&#62;sudah") || asked.body.contains("Server SPSE &lt;b&gt;sudah"),
        "kept"
    );
    let waiting = app.get(&fo, &format!("/api/v1/visits/{vid}")).await.expect(200);
    assert_ne!(waiting["escalation"]["status"], "answered", "not saved before the confirmation");
    let mut confirmed = answer.to_vec();
    confirmed.push(("confirm", "1"));
    assert_eq!(b.post(&action, &confirmed).await.status, 303);
    let answered = app.get(&fo, &format!("/api/v1/visits/{vid}")).await.expect(200);
    assert_eq!(answered["escalation"]["status"], "answered");
    assert_eq!(answered["escalation"]["answer"], "Server SPSE <b>sudah</b> diperbaiki");
    let at_counter = b.get("/counter?counter=1").await;
    assert!(
        at_counter.body.contains("Jawaban LKPP:</strong> Server SPSE &#60;b&#62;sudah")
            || at_counter.body.contains("Jawaban LKPP:</strong> Server SPSE &lt;b&gt;sudah"),
        "{}",
        at_counter.body
    );
    assert!(!at_counter.body.contains(&format!("id=\"escalation-{vid}\"")), "no longer waiting");
}

pub async fn the_admin_creates_resets_disables_and_enables_users(app: TestApp) {
    user(&app, "ad", &[Role::Admin]).await;
    let mut b = Browser::new(&app);
    b.sign_in("ad", PASSWORD).await;
    let csrf = b.get("/admin").await.csrf();
    let bad = b
        .post(
            "/admin/users",
            &[("_csrf", &csrf), ("username", "Rina Wati"), ("full_name", "Rina <Wati>"), ("password", "pendek")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("id=\"new-username-error\""));
    assert!(bad.body.contains("id=\"new-roles-error\""));
    assert!(bad.body.contains("id=\"new-password-error\""));
    assert!(
        bad.body.contains("value=\"Rina &#60;Wati&#62;\"") || bad.body.contains("value=\"Rina &lt;Wati&gt;\""),
        "typed is kept"
    );
    // The full name gets the domain's check, as through the API: no line breaks or bidi controls.
    for name in ["Rina\nadmin", "Rina \u{202e}itaW", &"R".repeat(101)] {
        let odd = b
            .post(
                "/admin/users",
                &[
                    ("_csrf", &csrf),
                    ("username", "rina"),
                    ("full_name", name),
                    ("role", "helpdesk"),
                    ("password", "kata-sandi-rina"),
                ],
            )
            .await;
        assert_eq!(odd.status, 422, "{name:?}");
        assert!(odd.body.contains("id=\"new-full-name-error\""), "{name:?} named at its field");
    }
    let created = b
        .post(
            "/admin/users",
            &[
                ("_csrf", &csrf),
                ("username", "rina"),
                ("full_name", "Rina Wati"),
                ("role", "front_office"),
                ("role", "helpdesk"),
                ("password", "kata-sandi-rina"),
            ],
        )
        .await;
    assert_eq!(created.location(), "/admin?done=created");
    let taken = b
        .post(
            "/admin/users",
            &[("_csrf", &csrf), ("username", "rina"), ("role", "helpdesk"), ("password", "kata-sandi-x")],
        )
        .await;
    assert!(taken.body.contains("sudah dipakai"), "{}", taken.body);
    let mut rina = Browser::new(&app);
    assert_eq!(rina.sign_in("rina", "kata-sandi-rina").await.location(), "/front-office");
    // The admin chose that password: rina changes it before anything else, on the page and the API.
    assert_eq!(rina.get("/front-office").await.location(), "/password");
    let page = rina.get("/password").await;
    assert!(page.body.contains("id=\"password-required\""), "the page says why");
    let mine = page.csrf();
    let change =
        |new, repeat| [("_csrf", mine.as_str()), ("current", "kata-sandi-rina"), ("new", new), ("repeat", repeat)];
    for (new, repeat, says) in [
        ("pendek-11ch", "pendek-11ch", "minimal 12 karakter"),
        ("qwertyuiop123", "qwertyuiop123", "terlalu umum"),
        ("kata-sandi-rina", "kata-sandi-rina", "harus berbeda"),
        ("sandi-pilihan-rina", "sandi-lain-rina", "tidak sama"),
    ] {
        let refused = rina.post("/password", &change(new, repeat)).await;
        assert_eq!(refused.status, 422, "{new}");
        assert!(refused.body.contains(says), "{new}: {says}");
    }
    let chosen = rina.post("/password", &change("sandi-pilihan-rina", "sandi-pilihan-rina")).await;
    assert_eq!(chosen.location(), "/password?done=1");
    assert_eq!(rina.get("/front-office").await.status, 200, "changed: the pages are open");
    let weak = b.post("/admin/users/rina/password", &[("_csrf", &csrf), ("password", "12345678")]).await;
    assert_eq!(weak.status, 422, "an admin's password follows the same rule");
    assert!(weak.body.contains("minimal 12 karakter"));
    assert_eq!(
        b.post("/admin/users/rina/password", &[("_csrf", &csrf), ("password", "sandi-baru-rina")]).await.status,
        303
    );
    assert_eq!(rina.get("/front-office").await.location(), "/login", "a new password ends the sessions");
    assert_eq!(Browser::new(&app).sign_in("rina", "sandi-baru-rina").await.status, 303);
    assert_eq!(b.post("/admin/users/rina/disabled", &[("_csrf", &csrf), ("disabled", "true")]).await.status, 303);
    assert_eq!(Browser::new(&app).sign_in("rina", "sandi-baru-rina").await.status, 401);
    assert_eq!(b.post("/admin/users/rina/disabled", &[("_csrf", &csrf), ("disabled", "false")]).await.status, 303);
    assert_eq!(Browser::new(&app).sign_in("rina", "sandi-baru-rina").await.status, 303);
    let myself = b.post("/admin/users/ad/disabled", &[("_csrf", &csrf), ("disabled", "true")]).await;
    assert_eq!(myself.status, 409);
}

pub async fn the_front_office_cancels_a_visit_with_a_reason(app: TestApp) {
    let fo_token = app.staff("fo1", &[Role::FrontOffice]).await;
    let visit = app.waiting_visit(&fo_token, "Budi").await;
    let path = format!("/front-office/visits/{}", id(&visit));
    user(&app, "fo", &[Role::FrontOffice]).await;
    let mut b = Browser::new(&app);
    b.sign_in("fo", PASSWORD).await;
    let page = b.get(&path).await;
    assert!(page.body.contains("Batalkan kunjungan"));
    let csrf = page.csrf();
    let without = b.post(&format!("{path}/cancel"), &[("_csrf", &csrf), ("reason", "  ")]).await;
    assert_eq!(without.status, 422);
    assert!(without.body.contains("id=\"reason-error\""), "{}", without.body);
    let done =
        b.post(&format!("{path}/cancel"), &[("_csrf", &csrf), ("reason", "Pengunjung pulang <lebih awal>")]).await;
    assert_eq!(done.location(), path);
    let cancelled = b.get(&path).await;
    assert!(cancelled.body.contains("Dibatalkan"), "{}", cancelled.body);
    assert!(
        cancelled.body.contains("Pengunjung pulang &#60;lebih awal&#62;")
            || cancelled.body.contains("&lt;lebih awal&gt;")
    );
    assert!(!cancelled.body.contains("id=\"cancel-visit\""), "no second cancel");
    let line = app.get(&fo_token, "/api/v1/queue").await.expect(200);
    assert_eq!(line["waiting"].as_array().map(Vec::len), Some(0));
}

pub async fn the_report_shows_a_changed_time_standard_and_draws_its_chart(app: TestApp) {
    let sv = app.staff("sv1", &[Role::Supervisor]).await;
    app.waiting_visit(&sv, "Budi").await;
    let standards = app.get(&sv, "/api/v1/settings/time-standards").await.expect(200);
    let mut changed = standards.as_array().cloned().unwrap_or_default();
    for s in &mut changed {
        if s["step"] == 9 {
            s["minutes"] = serde_json::json!(47);
        }
    }
    app.put(&sv, "/api/v1/settings/time-standards", serde_json::Value::Array(changed)).await.expect(200);
    user(&app, "sv", &[Role::Supervisor]).await;
    let mut b = Browser::new(&app);
    b.sign_in("sv", PASSWORD).await;
    let report = b.get("/supervisor/report").await;
    assert_eq!(report.status, 200);
    assert!(report.body.contains("<tr><td>9</td><td>47 menit</td>"), "{}", report.body);
    assert!(report.body.contains("<svg id=\"chart\""));
    assert!(report.body.contains("1 kunjungan"));
    let bad = b.get("/supervisor/report?from=2026-02-30").await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("Periode tidak valid"));
}

pub async fn a_bad_time_standard_keeps_the_form_and_saves_nothing(app: TestApp) {
    let sv_token = app.staff("sv1", &[Role::Supervisor]).await;
    let before = app.get(&sv_token, "/api/v1/settings/time-standards").await.expect(200);
    user(&app, "sv", &[Role::Supervisor]).await;
    let mut b = Browser::new(&app);
    b.sign_in("sv", PASSWORD).await;
    let page = b.get("/supervisor/time-standards").await;
    assert!(
        page.body.contains("id=\"step-9\" name=\"step-9\" type=\"text\" inputmode=\"numeric\" value=\"30\""),
        "{}",
        page.body
    );
    let csrf = page.csrf();
    let bad = b
        .post(
            "/supervisor/time-standards",
            &[("_csrf", &csrf), ("step-3", "0"), ("step-9", "setengah jam"), ("step-11", "7")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("id=\"step-9-error\""));
    assert!(bad.body.contains("value=\"setengah jam\""), "what was typed stays");
    assert!(bad.body.contains("value=\"7\""));
    let zero = b.post("/supervisor/time-standards", &[("_csrf", &csrf), ("step-3", "0"), ("step-9", "40")]).await;
    assert_eq!(zero.status, 422);
    assert!(zero.body.contains("id=\"step-3-error\""), "the domain's refusal is named at its step");
    assert_eq!(app.get(&sv_token, "/api/v1/settings/time-standards").await.expect(200), before, "nothing half-saved");
    let good = b.post("/supervisor/time-standards", &[("_csrf", &csrf), ("step-3", "6"), ("step-9", "47")]).await;
    assert_eq!(good.location(), "/supervisor/time-standards?saved=1");
    let report = b.get("/supervisor/report").await;
    assert!(report.body.contains("<tr><td>9</td><td>47 menit</td>"), "{}", report.body);
}

pub async fn the_admin_changes_roles_and_the_last_admin_keeps_the_role(app: TestApp) {
    user(&app, "ad", &[Role::Admin]).await;
    let ad_token = app.staff("ad2", &[Role::Helpdesk]).await;
    user(&app, "rina", &[Role::Helpdesk]).await;
    let mut b = Browser::new(&app);
    b.sign_in("ad", PASSWORD).await;
    let admin = b.get("/admin").await;
    assert!(admin.body.contains("href=\"/admin/users/rina\""), "{}", admin.body);
    let edit = b.get("/admin/users/rina").await;
    assert_eq!(edit.status, 200);
    assert!(edit.body.contains("name=\"role\" value=\"helpdesk\" checked"), "{}", edit.body);
    let csrf = edit.csrf();
    let bad = b.post("/admin/users/rina", &[("_csrf", &csrf), ("full_name", "Rina\u{202E} Wati")]).await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("id=\"full-name-error\"") && bad.body.contains("id=\"roles-error\""), "{}", bad.body);
    let saved = b
        .post(
            "/admin/users/rina",
            &[("_csrf", &csrf), ("full_name", "Rina Wati"), ("role", "front_office"), ("role", "helpdesk")],
        )
        .await;
    assert_eq!(saved.location(), "/admin?done=changed");
    let mut rina = Browser::new(&app);
    assert_eq!(rina.sign_in("rina", PASSWORD).await.location(), "/front-office", "the new role is her first screen");
    // The only admin may not drop the admin role, nor be disabled by the command of another.
    let last = b.post("/admin/users/ad", &[("_csrf", &csrf), ("full_name", "Admin"), ("role", "supervisor")]).await;
    assert_eq!(last.status, 409);
    assert!(last.body.contains("Admin aktif terakhir tidak boleh kehilangan peran admin"), "{}", last.body);
    assert!(last.body.contains("name=\"role\" value=\"supervisor\" checked"), "what was ticked stays");
    assert_eq!(b.get("/admin").await.status, 200, "still an admin");
    // The API: admins only; a second admin lets the first one go.
    let ad = app.staff("boss", &[Role::Admin]).await;
    app.put(&ad_token, "/api/v1/users/rina", serde_json::json!({"full_name": "R", "roles": ["helpdesk"]}))
        .await
        .error(403, "forbidden");
    app.put(&ad, "/api/v1/users/nobody", serde_json::json!({"full_name": "N", "roles": ["helpdesk"]}))
        .await
        .error(404, "not_found");
    let invalid = app
        .put(&ad, "/api/v1/users/rina", serde_json::json!({"full_name": " ", "roles": []}))
        .await
        .error(422, "validation");
    assert_eq!(invalid["fields"], serde_json::json!({"full_name": "missing", "roles": "missing"}));
    let changed = app
        .put(&ad, "/api/v1/users/ad", serde_json::json!({"full_name": "Admin Lama", "roles": ["supervisor"]}))
        .await
        .expect(200);
    assert_eq!(changed["roles"], serde_json::json!(["supervisor"]));
    app.put(&ad, "/api/v1/users/boss", serde_json::json!({"full_name": "Boss", "roles": ["helpdesk"]}))
        .await
        .error(409, "last_admin");
    assert_eq!(b.get("/admin").await.status, 403, "ad's open sign-in has the new roles at once");
}

pub async fn a_users_language_is_stored_with_the_user_and_wins_over_the_cookie(app: TestApp) {
    user(&app, "fo", &[Role::FrontOffice]).await;
    let mut b = Browser::new(&app);
    b.get("/language/id").await;
    b.sign_in("fo", PASSWORD).await;
    let page = b.get("/front-office").await;
    assert!(page.body.contains("<html lang=\"id\">"));
    assert!(page.body.contains("action=\"/language/en\""), "a signed-in user switches with a form");
    let csrf = page.csrf();
    assert_eq!(b.post("/language/en", &[("next", "/front-office")]).await.status, 403, "not without the token");
    let switched = b.post("/language/en", &[("_csrf", &csrf), ("next", "/front-office")]).await;
    assert_eq!(switched.location(), "/front-office");
    let english = b.get("/front-office").await;
    assert!(english.body.contains("<html lang=\"en\">"), "{}", english.body);
    assert!(english.body.contains("Find a returning visitor"));
    // At another desk, whose browser says Indonesian, the user's choice wins.
    let mut other = Browser::new(&app);
    other.get("/language/id").await;
    assert!(other.get("/login").await.body.contains("<html lang=\"id\">"), "anonymous pages keep the cookie");
    other.sign_in("fo", PASSWORD).await;
    let there = other.get("/front-office").await;
    assert!(there.body.contains("<html lang=\"en\">"), "the stored choice wins over the cookie");
    assert!(there.body.contains("Saturday") || there.body.contains("day, "), "dates in English too");
    let back = b.post("/language/id", &[("_csrf", &csrf), ("next", "//evil.example")]).await;
    assert_eq!(back.location(), "/", "only paths of this site");
    assert!(other.get("/front-office").await.body.contains("<html lang=\"id\">"));
}
