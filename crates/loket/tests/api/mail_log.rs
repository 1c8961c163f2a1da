//! The log, read back: what a mail or a mail server says is logged escaped (tracing's `?`),
//! so that a subject cannot forge a log line or send a terminal escape; a page's failure is
//! logged with its cause and the request's id.

use std::sync::{Arc, Mutex};

use tracing::instrument::WithSubscriber;

use crate::support::TestApp;
use crate::unmatched_mail::Escalated;

/// What a log subscriber wrote, kept in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

/// A subject encoded to hide a line break and a terminal escape (`=?UTF-8?B?…?=` decoding to
/// "x\n2026-12-07T00:00:00Z INFO signed in username=admin\x1b[2J") is logged escaped: one record
/// is one line, the forged line stays inside it, and no ESC byte reaches the log.
pub async fn a_mail_subject_cannot_forge_a_log_line(app: TestApp) {
    let Some(e) = Escalated::start(&app).await else { return };
    let forged = "=?UTF-8?B?eAoyMDI2LTEyLTA3VDAwOjAwOjAwWiBJTkZPIHNpZ25lZCBpbiB1c2VybmFtZT1hZG1pbhtbMko=?=";
    e.dovecot
        .deliver(&format!("From: a@example.com\nSubject: {forged}\nMessage-ID: <log-1@example.com>\n\nhalo\n"))
        .await;
    e.dovecot
        .deliver(&format!(
            "From: b@example.com\nSubject: Re: [{}] {forged}\nMessage-ID: <log-2@example.com>\n\nhalo\n",
            e.reference()
        ))
        .await;
    let log = Captured::default();
    let subscriber =
        tracing_subscriber::fmt().with_env_filter("loket_mail=info").with_writer(log.clone()).with_ansi(false).finish();
    let polled = e.poll(&app).with_subscriber(subscriber).await;
    assert_eq!((polled.unmatched, polled.kept), (1, 1), "{polled:?}");
    let text = String::from_utf8(log.0.lock().expect("log buffer").clone()).expect("utf-8 log");
    assert!(!text.contains('\u{1b}'), "no ESC byte in the log: {text:?}");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "one line per record: {text}");
    for line in &lines {
        assert!(line.contains(" WARN loket_mail::imap: "), "each line is a record of its own: {line}");
        assert!(line.contains(r#"x\n2026-12-07T00:00:00Z INFO signed in username=admin\u{1b}[2J"#), "{line}");
    }
    assert!(!text.lines().any(|l| l.starts_with("2026-12-07T00:00:00Z")), "no forged line: {text}");
}

/// The cause of a failure, and the failure it caused.
#[derive(Debug)]
struct Failed(std::io::Error);

impl std::fmt::Display for Failed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the office settings could not be read")
    }
}

impl std::error::Error for Failed {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

async fn a_page_that_fails() -> loket_web::pages::PageResult {
    let disk = std::io::Error::other("disk I/O error on loket.db");
    Err(loket_web::pages::PageError::Internal(Box::new(Failed(disk))))
}

/// A page's 500 logs its whole cause chain with the request's id, as the API's does: a report
/// from a desk ("Terjadi kesalahan") leads to the log line, and the line says why.
pub async fn a_pages_500_logs_its_cause_chain_with_the_request_id() {
    use tower::ServiceExt;
    let router = axum::Router::new().route("/broken", axum::routing::get(a_page_that_fails));
    let app = loket_web::middleware::around(router);
    let log = Captured::default();
    let subscriber =
        tracing_subscriber::fmt().with_env_filter("loket_web=error").with_writer(log.clone()).with_ansi(false).finish();
    let request = axum::http::Request::get("/broken").body(axum::body::Body::empty()).expect("request");
    let answer = app.oneshot(request).with_subscriber(subscriber).await.expect("an answer");
    assert_eq!(answer.status(), 500);
    let id = answer.headers()["x-request-id"].to_str().expect("id").to_owned();
    let body = axum::body::to_bytes(answer.into_body(), 1 << 20).await.expect("body");
    let page = String::from_utf8_lossy(&body);
    assert!(!page.contains("disk I/O"), "the cause stays in the log: {page}");
    let text = String::from_utf8(log.0.lock().expect("log buffer").clone()).expect("utf-8 log");
    let line = text.lines().find(|l| l.contains("internal error")).unwrap_or_default();
    assert!(line.contains(&id), "the request's id: {text}");
    assert!(
        line.contains("the office settings could not be read: disk I/O error on loket.db"),
        "the whole chain: {text}"
    );
}
