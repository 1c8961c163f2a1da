//! The public screens over HTTP: the visitor's status link (made with the number, valid until
//! the end of the office day, showing nothing of anyone else) and the ticket on the desk's
//! ESC/POS printer (a TCP listener stands in for the printer).

use std::time::Duration;

use loket_domain::auth::Role;
use loket_domain::outbound::PrinterAddresses;
use loket_web::limits::Limits;
use serde_json::json;
use tokio::io::AsyncReadExt;

use crate::pages::{Browser, user};
use crate::support::{Backend, PASSWORD, TestApp, id, spawn_app_with};

/// A page's status and text.
async fn page(app: &TestApp, path: &str) -> (u16, String) {
    let res = app.http.get(app.url(path)).send().await.expect("request");
    (res.status().as_u16(), res.text().await.expect("text"))
}

/// The office's public address in these tests: not the address the tests reach the app on.
const PUBLIC_URL: &str = "https://antrian.lpse.example.go.id";

/// Prints the ticket of `visit` at "Meja 1", the request naming another host (`Host` is the
/// client's to choose).
async fn print_with_host(app: &TestApp, fo: &str, visit: &serde_json::Value, host: &str) -> serde_json::Value {
    let res = app
        .http
        .post(app.url(&format!("/api/v1/visits/{}/ticket/print", id(visit))))
        .bearer_auth(fo)
        .header("Host", host)
        .json(&json!({"desk": "Meja 1"}))
        .send()
        .await
        .expect("print");
    assert_eq!(res.status(), 200);
    res.json().await.expect("json")
}

/// An app that prints to this test's own printer, on this machine at any port (as the server
/// started with `--allow-any-printer-address` does).
async fn printing_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, Limits { printers: PrinterAddresses::Any, ..Limits::default() }).await
}

async fn set_printer(app: &TestApp, sup: &str, address: &str) {
    let mut office = app.get(sup, "/api/v1/settings/office").await.expect(200);
    office["ticket_printers"] = json!([{"desk": "Meja 1", "address": address}]);
    office["public_url"] = json!(PUBLIC_URL);
    app.put(sup, "/api/v1/settings/office", office).await.expect(200);
}

pub async fn the_ticket_reaches_the_desk_printer_with_its_number_and_qr_code(backend: Backend) {
    let Some(app) = printing_app(backend).await else {
        return;
    };
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let sup = app.staff("sup", &[Role::Supervisor]).await;
    let printer = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    set_printer(&app, &sup, &printer.local_addr().expect("addr").to_string()).await;
    let received = tokio::spawn(async move {
        let (mut socket, _) = printer.accept().await.expect("accept");
        let mut bytes = Vec::new();
        socket.read_to_end(&mut bytes).await.expect("read");
        bytes
    });
    let v = app.waiting_visit(&fo, "Budi Santoso").await;
    let printed = print_with_host(&app, &fo, &v, "evil.example").await;
    let bytes = tokio::time::timeout(Duration::from_secs(5), received).await.expect("in time").expect("printer task");
    let number = v["queue"]["number"].as_str().expect("number");
    assert_eq!(printed["number"], number);
    assert!(bytes.starts_with(&[0x1b, b'@']), "initialised");
    assert!(bytes.windows(number.len()).any(|w| w == number.as_bytes()), "the number is printed");
    // The QR code: stored with its data (GS ( k pL pH 1 P 0 <data>), then printed (GS ( k … 1 Q 0).
    let url = printed["status_url"].as_str().expect("status url");
    assert!(url.starts_with(PUBLIC_URL) && url.contains("/status/"), "from the office's public address: {url}");
    assert!(!bytes.windows(4).any(|w| w == b"evil"), "never from the request's Host");
    let mut store =
        vec![0x1d, b'(', b'k', ((url.len() + 3) % 256) as u8, ((url.len() + 3) / 256) as u8, 0x31, 0x50, 0x30];
    store.extend(url.as_bytes());
    assert!(bytes.windows(store.len()).any(|w| w == store.as_slice()), "the QR code holds the status link");
    assert!(bytes.windows(8).any(|w| w == [0x1d, b'(', b'k', 3, 0, 0x31, 0x51, 0x30]), "the QR code is printed");
    assert!(!bytes.windows(5).any(|w| w == b"Budi "), "no name on the ticket");
    // The printed link works.
    let path = &url[PUBLIC_URL.len()..];
    let (status, text) = page(&app, path).await;
    assert_eq!(status, 200);
    assert!(text.contains(number));
}

/// Without a public address the ticket has no QR code and says so, whatever the request's host.
pub async fn a_ticket_without_a_public_address_has_no_qr_code_and_says_so(backend: Backend) {
    let Some(app) = printing_app(backend).await else {
        return;
    };
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let sup = app.staff("sup", &[Role::Supervisor]).await;
    let printer = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    set_printer(&app, &sup, &printer.local_addr().expect("addr").to_string()).await;
    let mut office = app.get(&sup, "/api/v1/settings/office").await.expect(200);
    office["public_url"] = json!("");
    app.put(&sup, "/api/v1/settings/office", office).await.expect(200);
    let received = tokio::spawn(async move {
        let (mut socket, _) = printer.accept().await.expect("accept");
        let mut bytes = Vec::new();
        socket.read_to_end(&mut bytes).await.expect("read");
        bytes
    });
    let v = app.waiting_visit(&fo, "Budi Santoso").await;
    let printed = print_with_host(&app, &fo, &v, "evil.example").await;
    assert_eq!(printed["status_url"], json!(null), "{printed}");
    let bytes = tokio::time::timeout(Duration::from_secs(5), received).await.expect("in time").expect("printer task");
    assert!(!bytes.windows(3).any(|w| w == [0x1d, b'(', b'k']), "no QR code");
    assert!(String::from_utf8_lossy(&bytes).contains("alamat publik"), "the ticket says why");
    // The ticket page too.
    user(&app, "desk", &[Role::FrontOffice]).await;
    let mut b = Browser::new(&app);
    b.sign_in("desk", PASSWORD).await;
    let shown = b.get(&format!("/front-office/visits/{}/ticket", id(&v))).await;
    assert_eq!(shown.status, 200);
    assert!(!shown.body.contains("class=\"qr\""), "no QR code on the page");
    assert!(shown.body.contains("alamat publik"), "{}", shown.body);
}

pub async fn a_printer_that_does_not_answer_is_named_and_the_number_stays(backend: Backend) {
    let Some(app) = printing_app(backend).await else {
        return;
    };
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let sup = app.staff("sup", &[Role::Supervisor]).await;
    // A port nobody listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = closed.local_addr().expect("addr").to_string();
    drop(closed);
    set_printer(&app, &sup, &address).await;
    let v = app.waiting_visit(&fo, "Ani").await;
    let started = std::time::Instant::now();
    let path = format!("/api/v1/visits/{}/ticket/print", id(&v));
    app.post(&fo, &path, json!({"desk": "Meja 1"})).await.error(502, "printer_unreachable");
    assert!(started.elapsed() < Duration::from_secs(5));
    let after = app.get(&fo, &format!("/api/v1/visits/{}", id(&v))).await.expect(200);
    assert_eq!((after["status"].as_str(), &after["queue"]["number"]), (Some("waiting"), &v["queue"]["number"]));
    let unknown = app.post(&fo, &path, json!({"desk": "Meja 9"})).await.error(422, "validation");
    assert_eq!(unknown["fields"]["desk"], "unknown", "a desk without a printer is named: {unknown}");
}

pub async fn the_status_link_shows_the_visitors_place_and_nothing_else(app: TestApp) {
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let hd = app.staff("hd", &[Role::Helpdesk]).await;
    app.waiting_visit(&fo, "Bambang Sutrisno").await;
    let second = app.waiting_visit(&fo, "Kartika Dewi").await;
    let url = second["queue"]["status_url"].as_str().expect("the check gives the status link").to_owned();
    assert!(url.starts_with("/status/") && url.len() == "/status/".len() + 64, "{url}");
    let (status, text) = page(&app, &url).await;
    assert_eq!(status, 200);
    assert!(text.contains("A-002"), "{text}");
    assert!(text.contains("1 orang"), "one visit ahead: {text}");
    assert!(text.contains("belum dapat diperkirakan"), "no service finished yet: {text}");
    for personal in ["Bambang", "Kartika", "0812", "Maju Jaya", "A-001", "@"] {
        assert!(!text.contains(personal), "the status page shows {personal}");
    }
    // Every read of the visit gives the same link, as does a reprint.
    let read = app.get(&fo, &format!("/api/v1/visits/{}", id(&second))).await.expect(200);
    assert_eq!(read["queue"]["status_url"], json!(url), "every read of the visit shows the link (API.md)");
    let again = app.post_empty(&fo, &format!("/api/v1/visits/{}/status-link", id(&second))).await.expect(200);
    assert_eq!(again["status_url"], json!(url), "a reprinted ticket holds the same link");
    // Called: the page says where to go.
    app.post_empty(&hd, "/api/v1/counters/1/call-next").await.expect(200);
    app.post_empty(&hd, "/api/v1/counters/2/call-next").await.expect(200);
    let (_, text) = page(&app, &url).await;
    assert!(text.contains("Anda dipanggil ke loket 2"), "{text}");
    // Unknown and expired links get a clear page.
    let (status, text) = page(&app, &format!("/status/{}", "0".repeat(64))).await;
    assert_eq!(status, 404);
    assert!(text.contains("Tautan tidak berlaku"));
    let (status, _) = page(&app, "/status/abc").await;
    assert_eq!(status, 404);
    app.clock.advance(chrono::Duration::hours(25));
    let (status, text) = page(&app, &url).await;
    assert_eq!(status, 404, "the link ends with the office day");
    assert!(text.contains("Tautan tidak berlaku"));
}

/// The kiosk page: a form without its token is refused; one with it makes the visit (the front
/// office sees it), shares the API's rate limit, and a refusal says why in Indonesian.
pub async fn the_kiosk_page_takes_a_form_and_shares_the_rate_limit(backend: crate::support::Backend) {
    use loket_web::limits::Limits;
    let Some(app) = crate::support::spawn_app_with(backend, Limits { kiosk_per_minute: 3, ..Limits::default() }).await
    else {
        return;
    };
    let res = app.http.get(app.url("/kiosk")).send().await.expect("kiosk");
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("loket_kiosk="))
        .and_then(|c| c.split(';').next())
        .expect("the kiosk cookie")
        .to_owned();
    let html = res.text().await.expect("text");
    let token = html
        .split("name=\"_csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the form's token")
        .to_owned();
    let post = |body: Vec<(&'static str, String)>, with_cookie: bool| {
        let mut req = app.http.post(app.url("/kiosk"));
        if with_cookie {
            req = req.header("cookie", cookie.clone());
        }
        req.form(&body).send()
    };
    let form = |csrf: &str| {
        vec![
            ("_csrf", csrf.to_owned()),
            ("visitor.name", "Andi Pratama".to_owned()),
            ("visitor.phone", "0812-1111-2222".to_owned()),
            ("form.description", "Lupa kata sandi".to_owned()),
        ]
    };
    assert_eq!(post(form(&token), false).await.expect("post").status(), 403, "no cookie");
    assert_eq!(post(form("wrong"), true).await.expect("post").status(), 403, "a wrong token");
    // What the office requires is checked as the front office checks it: the visitor completes
    // the form at the tablet, nothing typed lost, nothing opened yet.
    let incomplete = post(form(&token), true).await.expect("post");
    assert_eq!(incomplete.status(), 422);
    let text = incomplete.text().await.expect("text");
    for field in ["visitor-organization-error", "visitor-role-error", "form-category-error"] {
        assert!(text.contains(&format!("id=\"{field}\"")), "{field} named: {text}");
    }
    assert!(text.contains("value=\"0812-1111-2222\""), "what was typed is kept");
    assert!(app.store.visits(Default::default()).await.expect("visits").is_empty(), "nothing opened");
    let complete = |csrf: &str| {
        let mut body = form(csrf);
        body.extend([
            ("visitor.organization", "CV Maju Jaya".to_owned()),
            ("visitor.role", "penyedia".to_owned()),
            ("form.category", "password".to_owned()),
        ]);
        body
    };
    let done = post(complete(&token), true).await.expect("post");
    assert_eq!(done.status(), 200);
    let text = done.text().await.expect("text");
    assert!(text.contains("Silakan menuju front office."), "{text}");
    let visits = app.store.visits(Default::default()).await.expect("visits");
    assert_eq!(visits.len(), 1);
    assert!(text.contains(&visits[0].reference));
    assert_eq!(visits[0].history[0].by, "kiosk");
    // The API's limit and the page's are one: the third form in the minute is refused, kept, and
    // the page says how long to wait.
    app.send(
        "POST",
        "/api/v1/kiosk/visits",
        None,
        Some(json!({"visitor": {"name": "B"}, "form": {"description": "x"}})),
    )
    .await
    .expect(201);
    let refused = post(form(&token), true).await.expect("post");
    assert_eq!(refused.status(), 422);
    let text = refused.text().await.expect("text");
    assert!(text.contains("Terlalu banyak formulir dari perangkat ini"), "{text}");
    assert!(text.contains("value=\"0812-1111-2222\""), "what was typed is kept");
    assert_eq!(app.store.visits(Default::default()).await.expect("visits").len(), 2);
}

/// By default tickets go only to printers on the network at the printing ports: a printer set to
/// the server itself or to another port is refused before anything is sent, with a short reason
/// (the printer was a port scanner: an open port printed, a closed one failed), and a link-local
/// address is refused when it is typed.
pub async fn a_printer_address_on_the_server_itself_or_another_port_is_refused(app: TestApp) {
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let sup = app.staff("sup", &[Role::Supervisor]).await;
    let open = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    set_printer(&app, &sup, &open.local_addr().expect("addr").to_string()).await;
    let v = app.waiting_visit(&fo, "Ani").await;
    let path = format!("/api/v1/visits/{}/ticket/print", id(&v));
    let refused = app.post(&fo, &path, json!({"desk": "Meja 1"})).await.error(502, "printer_unreachable");
    assert!(refused["message"].as_str().is_some_and(|m| m.contains("address not allowed")), "{refused}");
    let nothing = tokio::time::timeout(Duration::from_millis(300), open.accept()).await;
    assert!(nothing.is_err(), "nothing was sent to the port");
    let mut office = app.get(&sup, "/api/v1/settings/office").await.expect(200);
    office["ticket_printers"] = json!([{"desk": "Meja 1", "address": "169.254.169.254:80"}]);
    let bad = app.put(&sup, "/api/v1/settings/office", office).await.error(422, "validation");
    assert_eq!(bad["fields"]["ticket_printers[0].address"], "invalid");
}
