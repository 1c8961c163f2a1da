//! LKPP's answer read from the office's mailbox, against a real IMAP server: a Dovecot process
//! started by the test on a free port, configured in a temporary directory (Debian:
//! `dovecot-imapd`). The test puts mails into the mailbox by IMAP `APPEND`, runs one poll, and
//! looks at the visit, the outbox and the mailbox.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::time::Duration;

use loket_domain::auth::Role;
use loket_mail::imap::Polled;
use serde_json::{Value, json};

use crate::support::{TestApp, id};

const DOVECOT: &str = "/usr/sbin/dovecot";
const USER: &str = "lkpp-inbox";
const PASSWORD: &str = "rahasia-imap";

/// A Dovecot serving one user's maildir over plain IMAP on 127.0.0.1; stopped on drop.
pub struct Dovecot {
    pub port: u16,
    child: std::process::Child,
    dir: tempfile::TempDir,
}

impl Dovecot {
    /// `None` (said loudly) when Dovecot is not installed on a developer's machine; in CI
    /// (`CI=true`) a missing Dovecot fails the test.
    pub async fn start() -> Option<Dovecot> {
        if !Path::new(DOVECOT).exists() {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "Dovecot ({DOVECOT}, Debian: dovecot-imapd) is needed"
            );
            eprintln!("SKIPPED: Dovecot ({DOVECOT}, Debian: dovecot-imapd) is not installed");
            return None;
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        // Dovecot's login processes run as its own users: they must reach the directory.
        std::fs::set_permissions(root, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        for sub in ["run", "state", "mail"] {
            std::fs::create_dir(root.join(sub)).expect("dir");
        }
        std::fs::write(root.join("passwd"), format!("{USER}:{{PLAIN}}{PASSWORD}\n")).expect("passwd");
        let meta = std::fs::metadata(root).expect("metadata");
        // Dovecot never gives mail access as root: as root, the mail belongs to `nobody`; as
        // anyone else, Dovecot runs wholly as that user.
        let (uid, gid, users) = if meta.uid() == 0 {
            std::os::unix::fs::chown(root.join("mail"), Some(65534), Some(65534)).expect("chown");
            (65534, 65534, String::new())
        } else {
            let name = std::process::Command::new("id").arg("-un").output().expect("id -un").stdout;
            let name = String::from_utf8_lossy(&name).trim().to_owned();
            let group = std::process::Command::new("id").arg("-gn").output().expect("id -gn").stdout;
            let group = String::from_utf8_lossy(&group).trim().to_owned();
            (
                meta.uid(),
                meta.gid(),
                format!(
                    "default_internal_user = {name}\ndefault_login_user = {name}\n\
                     default_internal_group = {group}\n"
                ),
            )
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0").expect("port").local_addr().expect("addr").port();
        let r = root.display();
        let conf = format!(
            "protocols = imap\nlisten = 127.0.0.1\nbase_dir = {r}/run\nstate_dir = {r}/state\n\
             log_path = {r}/dovecot.log\nssl = no\ndisable_plaintext_auth = no\nauth_mechanisms = plain login\n\
             mail_location = maildir:{r}/mail/%u\n{users}\
             passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u {r}/passwd\n}}\n\
             userdb {{\n  driver = static\n  args = uid={uid} gid={gid} home={r}/mail/%u\n}}\n\
             service imap-login {{\n  inet_listener imap {{\n    address = 127.0.0.1\n    port = {port}\n  }}\n\
               inet_listener imaps {{\n    port = 0\n  }}\n}}\n"
        );
        std::fs::write(root.join("dovecot.conf"), conf).expect("conf");
        let mut child = std::process::Command::new(DOVECOT)
            .args(["-F", "-c"])
            .arg(root.join("dovecot.conf"))
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("dovecot starts");
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                return Some(Dovecot { port, child, dir });
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
        let log = std::fs::read_to_string(root.join("dovecot.log")).unwrap_or_default();
        panic!("dovecot did not listen on {port}:\n{log}");
    }

    async fn session(&self) -> async_imap::Session<tokio::net::TcpStream> {
        let tcp = tokio::net::TcpStream::connect(("127.0.0.1", self.port)).await.expect("connect");
        let mut client = async_imap::Client::new(tcp);
        client.read_response().await.expect("greeting").expect("greeting");
        let mut session = client.login(USER, PASSWORD).await.map_err(|(e, _)| e).expect("login");
        session.select("INBOX").await.expect("select");
        session
    }

    /// Puts a mail into the mailbox, unread.
    pub async fn deliver(&self, raw: &str) {
        let mut session = self.session().await;
        session.append("INBOX", None, None, raw.replace('\n', "\r\n")).await.expect("append");
        session.logout().await.expect("logout");
    }

    /// How many mails are unread.
    pub async fn unseen(&self) -> usize {
        let mut session = self.session().await;
        let n = session.uid_search("UNSEEN").await.expect("search").len();
        session.logout().await.expect("logout");
        n
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("dovecot.log")).unwrap_or_default()
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The mailbox settings for the test's Dovecot.
pub fn imap_settings(port: u16) -> Value {
    json!({
        "enabled": true, "host": "127.0.0.1", "port": port, "security": "plain",
        "username": USER, "password": PASSWORD, "mailbox": "INBOX", "poll_seconds": 60,
        "ticket_pattern": r"(?i)nomor tiket\s*:\s*(\S+)"
    })
}

/// A visit escalated by e-mail, its mail handed to the server; returns the visit and the
/// escalation mail's Message-ID.
pub async fn escalated(app: &TestApp, fo: &str, hd: &str) -> (Value, String) {
    let v = app.waiting_visit(fo, "Budi").await;
    app.post_empty(hd, "/api/v1/counters/1/call-next").await.expect(200);
    app.post_empty(hd, &format!("/api/v1/visits/{}/start", id(&v))).await.expect(200);
    let body = json!({"analysis": "Perlu LKPP", "channel": "email", "summary": "Akun terkunci permanen"});
    app.post(hd, &format!("/api/v1/visits/{}/escalate", id(&v)), body).await.expect(200);
    // The SMTP side is tested in `mail.rs`: here the escalation is marked sent as the sender does.
    let now = app.clock.now();
    let claimed = app.store.claim_mail(now, now + chrono::Duration::minutes(5), 10).await.expect("claim");
    app.store.mail_sent(&claimed[0].id, now).await.expect("sent");
    (v, claimed[0].message_id.clone().expect("message id"))
}

pub async fn a_reply_in_the_mailbox_becomes_lkpps_answer_on_the_visit(app: TestApp) {
    let Some(dovecot) = Dovecot::start().await else { return };
    let sup = app.staff("sup", &[Role::Supervisor]).await;
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let hd = app.staff("hd", &[Role::Helpdesk]).await;
    let shown = app.put(&sup, "/api/v1/settings/imap", imap_settings(dovecot.port)).await.expect(200);
    let read = app.get(&sup, "/api/v1/settings/imap").await.expect(200);
    assert_eq!((shown["password_set"].clone(), read["password_set"].clone()), (json!(true), json!(true)));
    assert!(!read.to_string().contains(PASSWORD) && !shown.to_string().contains(PASSWORD), "write-only");
    let (v, message_id) = escalated(&app, &fo, &hd).await;
    let reference = v["reference"].as_str().expect("reference").to_owned();
    dovecot
        .deliver(&format!(
            "From: LKPP <noreply@lkpp.go.id>\nTo: loket@lpse.example.go.id\nSubject: Out of office: [{reference}]\n\
             Message-ID: <ooo-1@lkpp.go.id>\nIn-Reply-To: {message_id}\nAuto-Submitted: auto-replied\n\n\
             Saya sedang cuti.\n"
        ))
        .await;
    dovecot
        .deliver(&format!(
            "From: Helpdesk LKPP <helpdesk@lkpp.go.id>\nTo: loket@lpse.example.go.id\n\
             Subject: RE: [{reference}] Eskalasi LPSE\nMessage-ID: <answer-1@lkpp.go.id>\n\
             In-Reply-To: {message_id}\nReferences: {message_id}\nContent-Type: text/plain; charset=utf-8\n\n\
             Nomor tiket: TTS-2026-000123\nAkun sudah kami buka kembali.\n\n\
             On Sat, 28 Nov 2026, loket@lpse.example.go.id wrote:\n> Eskalasi permasalahan pengguna SPSE\n"
        ))
        .await;
    dovecot.deliver("From: someone@example.com\nSubject: Halo\nMessage-ID: <other@example.com>\n\nApa kabar?\n").await;
    let first = loket_mail::imap::poll(app.store.as_ref(), app.clock.now()).await.unwrap_or_else(|e| {
        panic!("poll: {e}\n{}", dovecot.log());
    });
    assert_eq!(first, Polled { answered: 1, auto_replies: 1, kept: 0, unmatched: 1, already_taken: 0 });
    let answered = app.get(&hd, &format!("/api/v1/visits/{}", id(&v))).await.expect(200);
    assert_eq!(answered["escalation"]["status"], "answered");
    assert_eq!(answered["escalation"]["answer"], "Nomor tiket: TTS-2026-000123\nAkun sudah kami buka kembali.");
    assert_eq!(answered["escalation"]["lkpp_ticket"], "TTS-2026-000123");
    let history = app.get(&hd, &format!("/api/v1/visits/{}/history", id(&v))).await.expect(200);
    let last = history.as_array().and_then(|h| h.last()).cloned().unwrap_or_default();
    assert_eq!(last["kind"], "escalation_answered", "{history}");
    assert_eq!(
        (last["data"]["via"].clone(), last["data"]["message_id"].clone()),
        (json!("email"), json!("<answer-1@lkpp.go.id>"))
    );
    let outbox = app.get(&hd, "/api/v1/mail").await.expect(200);
    let to_visitor: Vec<&Value> = outbox.as_array().unwrap().iter().filter(|m| m["kind"] == "answer").collect();
    assert_eq!(to_visitor.len(), 1, "{outbox}");
    assert_eq!(to_visitor[0]["to"], "budi@majujaya.co.id");
    assert_eq!(to_visitor[0]["status"], "pending");
    assert_eq!(dovecot.unseen().await, 1, "the answer and the auto-reply are marked read; the other mail is not");
    // A second poll takes nothing again.
    let second = loket_mail::imap::poll(app.store.as_ref(), app.clock.now()).await.expect("poll");
    assert_eq!(second, Polled { answered: 0, auto_replies: 0, kept: 0, unmatched: 0, already_taken: 1 });
    let again = app.get(&hd, &format!("/api/v1/visits/{}/history", id(&v))).await.expect(200);
    assert_eq!(again, history, "nothing recorded twice");
    let outbox_again = app.get(&hd, "/api/v1/mail").await.expect(200);
    assert_eq!(outbox_again.as_array().map(Vec::len), outbox.as_array().map(Vec::len));
    let read = app.get(&sup, "/api/v1/settings/imap").await.expect(200);
    assert_eq!(read["unmatched_replies"], 1, "the supervisor sees the mail nobody matched");
}

pub async fn a_wrong_imap_password_is_an_error_and_records_nothing(app: TestApp) {
    let Some(dovecot) = Dovecot::start().await else { return };
    let sup = app.staff("sup", &[Role::Supervisor]).await;
    let mut settings = imap_settings(dovecot.port);
    settings["password"] = json!("salah");
    app.put(&sup, "/api/v1/settings/imap", settings).await.expect(200);
    dovecot.deliver("From: a@lkpp.go.id\nSubject: [20260101-0001]\nMessage-ID: <x@y>\n\nok\n").await;
    let error = loket_mail::imap::poll(app.store.as_ref(), app.clock.now()).await.expect_err("refused");
    assert!(error.contains("login"), "{error}");
    assert_eq!(dovecot.unseen().await, 1);
    let bad = json!({"enabled": true, "host": "", "port": 0, "security": "plain", "username": "", "mailbox": "INBOX",
        "poll_seconds": 1, "ticket_pattern": "(["});
    let refused = app.put(&sup, "/api/v1/settings/imap", bad).await.error(422, "validation");
    for field in ["host", "port", "poll_seconds", "ticket_pattern", "username"] {
        assert!(refused["fields"][field].is_string(), "{field}: {refused}");
    }
}
