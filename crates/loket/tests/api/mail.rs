//! Mail over SMTP, against an SMTP server in the test process (`crate::smtp`, keeping what it
//! receives): the escalation to LKPP and the visitor's copy, with the form attached.

use std::sync::Arc;

use loket_domain::auth::Role;
use serde_json::{Value, json};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::smtp::SmtpSink;
use crate::support::{TestApp, id};

async fn set_mail(app: &TestApp, sup: &str, port: u16) -> Value {
    let body = json!({
        "smtp_host": "127.0.0.1", "smtp_port": port, "smtp_security": "plain",
        "smtp_username": "", "smtp_password": "rahasia-smtp", "from_address": "loket@lpse.example.go.id"
    });
    app.put(sup, "/api/v1/settings/mail", body).await.expect(200)
}

/// A local port nobody listens on (bound, read, and let go): a mail server that is down.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("port").local_addr().expect("addr").port()
}

async fn in_service(app: &TestApp, fo: &str, hd: &str) -> Value {
    let v = app.waiting_visit(fo, "Budi").await;
    app.post_empty(hd, "/api/v1/counters/1/call-next").await.expect(200);
    app.post_empty(hd, &format!("/api/v1/visits/{}/start", id(&v))).await.expect(200);
    v
}

pub async fn an_escalation_mail_reaches_the_smtp_server_with_the_form_attached(app: TestApp) {
    let sink = SmtpSink::start().await;
    let sup = app.staff("sup", &[Role::Supervisor]).await;
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let hd = app.staff("hd", &[Role::Helpdesk]).await;
    let shown = set_mail(&app, &sup, sink.port).await;
    assert_eq!(shown["smtp_password_set"], true);
    // The office has a public address: the visitor's copy carries a working survey link.
    let mut office = app.get(&sup, "/api/v1/settings/office").await.expect(200);
    office["public_url"] = json!("https://loket.lpse.example.go.id");
    app.put(&sup, "/api/v1/settings/office", office).await.expect(200);
    let read = app.get(&sup, "/api/v1/settings/mail").await.expect(200);
    assert!(!read.to_string().contains("rahasia-smtp") && !shown.to_string().contains("rahasia-smtp"), "write-only");
    let v = in_service(&app, &fo, &hd).await;
    let body = json!({"analysis": "Perlu LKPP", "channel": "email", "summary": "Akun terkunci permanen"});
    let esc = app.post(&hd, &format!("/api/v1/visits/{}/escalate", id(&v)), body).await.expect(200);
    assert_eq!(esc["escalation"]["status"], "pending");
    // Two senders at once (two instances on one database): the mail goes once.
    let (a, b) = tokio::join!(
        loket_mail::send_due(app.store.as_ref(), app.clock.now()),
        loket_mail::send_due(app.store.as_ref(), app.clock.now())
    );
    assert_eq!(a.expect("send") + b.expect("send"), 1, "sent once");
    assert_eq!(loket_mail::send_due(app.store.as_ref(), app.clock.now()).await.expect("send"), 0);
    let messages = sink.messages();
    assert_eq!(messages.len(), 1);
    let envelope = &sink.received()[0];
    assert_eq!(
        (envelope.from.as_str(), envelope.to.as_slice()),
        ("loket@lpse.example.go.id", &["helpdesk@lkpp.go.id".to_owned()][..])
    );
    let m = &messages[0];
    let reference = v["reference"].as_str().unwrap();
    assert!(m.contains(&format!("[{reference}]")), "our reference in brackets in the subject:\n{m}");
    assert!(m.contains("Auto-Submitted: auto-generated"), "{m}");
    // LKPP gets the original only: the visitor's copy, with their one-time survey link, stays
    // with the visitor.
    let parsed = mail_parser::MessageParser::default().parse(m.as_bytes()).expect("the mail parses");
    let pdf = parsed.attachments().next().expect("the form attached").contents().to_vec();
    let text = pdf_extract::extract_text_from_mem(&pdf).expect("the PDF reads back");
    assert!(text.contains(loket_documents::ORIGINAL_MARK), "{text}");
    assert!(
        !text.contains(loket_documents::COPY_MARK) && !text.contains("/survey/"),
        "no copy, no survey link: {text}"
    );
    assert!(m.contains("To: helpdesk@lkpp.go.id"), "{m}");
    assert!(m.contains("multipart/mixed") && m.contains("application/pdf"), "{m}");
    assert!(m.contains(&format!("formulir-{reference}.pdf")), "the form attached: {m}");
    let sent = app.get(&hd, &format!("/api/v1/visits/{}", id(&v))).await.expect(200);
    assert_eq!(sent["escalation"]["status"], "sent");
    let message_id = sent["escalation"]["external_reference"].as_str().expect("the Message-ID");
    assert!(m.contains(&format!("Message-ID: {message_id}")), "a unique Message-ID, kept: {m}");
    let step11 = sent["steps"].as_array().unwrap().iter().find(|s| s["step"] == 11).unwrap().clone();
    assert!(step11["finished_at"].is_string(), "step 11 ends when the mail is sent");
    let outbox = app.get(&hd, "/api/v1/mail").await.expect(200);
    assert_eq!(outbox[0]["status"], "sent");
}

pub async fn a_mail_the_server_refuses_waits_with_its_error_and_goes_later(app: TestApp) {
    let sup = app.staff("sup", &[Role::Supervisor]).await;
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let hd = app.staff("hd", &[Role::Helpdesk]).await;
    let closed = closed_port();
    set_mail(&app, &sup, closed).await;
    let v = in_service(&app, &fo, &hd).await;
    let path = |p: &str| format!("/api/v1/visits/{}/{p}", id(&v));
    app.post(&hd, &path("answer"), json!({"analysis": "a", "answer": "Perbarui sertifikat"})).await.expect(200);
    app.post(&hd, &path("copy"), json!({"via": "email"})).await.expect(200);
    assert_eq!(loket_mail::send_due(app.store.as_ref(), app.clock.now()).await.expect("send"), 0);
    let outbox = app.get(&sup, "/api/v1/mail").await.expect(200);
    assert_eq!((outbox[0]["status"].clone(), outbox[0]["attempts"].clone()), (json!("pending"), json!(1)));
    assert!(outbox[0]["last_error"].as_str().is_some_and(|e| e.contains("SMTP")), "{outbox}");
    // Not taken by the server: the copy is not given yet, and the archive waits for it.
    assert_eq!(app.get(&hd, &format!("/api/v1/visits/{}", id(&v))).await.expect(200)["copy"]["pending"], true);
    app.post_empty(&hd, &path("archive")).await.error(409, "copy_pending");
    let sink = SmtpSink::start().await;
    set_mail(&app, &sup, sink.port).await;
    assert_eq!(
        loket_mail::send_due(app.store.as_ref(), app.clock.now()).await.expect("send"),
        0,
        "not before its time"
    );
    app.clock.advance(chrono::Duration::seconds(31));
    assert_eq!(loket_mail::send_due(app.store.as_ref(), app.clock.now()).await.expect("send"), 1, "tried again");
    let messages = sink.messages();
    assert_eq!(messages.len(), 1);
    assert!(messages[0].contains("To: budi@majujaya.co.id") && messages[0].contains("Salinan formulir"));
    assert_eq!(sink.received()[0].to, ["budi@majujaya.co.id"], "the envelope's recipient");
    assert!(messages[0].contains("application/pdf"));
    let given = app.get(&hd, &format!("/api/v1/visits/{}", id(&v))).await.expect(200);
    assert_eq!(given["copy"]["pending"], false, "taken by the server: given");
    let history = app.get(&hd, &path("history")).await.expect(200);
    let sent = history.as_array().into_iter().flatten().find(|e| e["kind"] == "copy_sent").cloned().unwrap_or_default();
    assert_eq!(sent["by"], "system", "{history}");
    app.post_empty(&hd, &path("archive")).await.expect(200);
}

pub async fn a_failing_mail_is_shown_at_the_counter_and_to_the_supervisor(app: TestApp) {
    use crate::pages::Browser;
    use crate::support::PASSWORD;
    let sup = app.staff("sup", &[Role::Supervisor]).await;
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let hd = app.staff("hd", &[Role::Helpdesk]).await;
    let closed = closed_port();
    set_mail(&app, &sup, closed).await;
    let v = in_service(&app, &fo, &hd).await;
    let body = json!({"analysis": "Perlu LKPP", "channel": "email", "summary": "Akun terkunci permanen"});
    app.post(&hd, &format!("/api/v1/visits/{}/escalate", id(&v)), body).await.expect(200);
    app.post(&hd, &format!("/api/v1/visits/{}/copy", id(&v)), json!({"via": "email"})).await.expect(200);
    let mut counter = Browser::new(&app);
    counter.sign_in("hd", PASSWORD).await;
    let before = counter.get("/counter?counter=1").await.body;
    assert!(before.contains("menunggu pengiriman e-mail"), "pending, not yet failing");
    assert_eq!(loket_mail::send_due(app.store.as_ref(), app.clock.now()).await.expect("send"), 0);
    let outbox = app.get(&sup, "/api/v1/mail").await.expect(200);
    assert!(outbox[0]["next_attempt_at"].is_string(), "{outbox}");
    assert!(outbox.as_array().unwrap().iter().all(|m| m["last_error"].is_string()), "both failed: {outbox}");
    let page = counter.get("/counter?counter=1").await.body;
    assert!(page.contains("e-mail belum diterima server (1 kali dicoba): SMTP"), "the escalation's mail fails: {page}");
    let mut supervisor = Browser::new(&app);
    supervisor.sign_in("sup", PASSWORD).await;
    let overview = supervisor.get("/supervisor").await.body;
    assert!(overview.contains("id=\"mail-problems\""), "{overview}");
    assert!(overview.contains("Dicoba lagi pukul") && overview.contains("helpdesk@lkpp.go.id"), "{overview}");
    assert!(overview.contains("budi@majujaya.co.id"), "the supervisor sees the visitor's address: {overview}");
    // An admin alone sees the overview, never a visitor's personal data (the role matrix).
    app.staff("admin2", &[Role::Admin]).await;
    let mut admin = Browser::new(&app);
    admin.sign_in("admin2", PASSWORD).await;
    let overview = admin.get("/supervisor").await.body;
    assert!(overview.contains("helpdesk@lkpp.go.id"), "LKPP's address is the office's: {overview}");
    assert!(!overview.contains("budi@majujaya.co.id"), "no visitor's address for an admin alone: {overview}");
    assert!(overview.contains("tidak untuk peran admin"), "{overview}");
}

/// A test CA, and the TLS side of a server on 127.0.0.1 whose certificate it signed: returns
/// the CA's PEM, for the office to trust, and the server's acceptor.
fn test_pki() -> (String, TlsAcceptor) {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    };
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("CA parameters");
    ca.distinguished_name.push(DnType::CommonName, "Loket test CA");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign];
    let ca_key = KeyPair::generate().expect("CA key");
    let ca_pem = ca.self_signed(&ca_key).expect("CA certificate").pem();
    let issuer = Issuer::new(ca, ca_key);
    let mut server = CertificateParams::new(vec!["127.0.0.1".to_owned()]).expect("server parameters");
    server.distinguished_name.push(DnType::CommonName, "127.0.0.1");
    server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let key = KeyPair::generate().expect("server key");
    let cert = server.signed_by(&key, &issuer).expect("server certificate");
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(vec![cert.der().clone()], PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())))
        .expect("server TLS configuration");
    (ca_pem, TlsAcceptor::from(Arc::new(config)))
}

pub async fn mail_goes_over_starttls_to_a_server_whose_ca_the_office_trusts(app: TestApp) {
    let (ca, tls) = test_pki();
    let sink = SmtpSink::start_with_starttls(tls).await;
    let sup = app.staff("sup", &[Role::Supervisor]).await;
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let hd = app.staff("hd", &[Role::Helpdesk]).await;
    let mut mail = json!({
        "smtp_host": "127.0.0.1", "smtp_port": sink.port, "smtp_security": "starttls",
        "smtp_username": "", "from_address": "loket@lpse.example.go.id"
    });
    app.put(&sup, "/api/v1/settings/mail", mail.clone()).await.expect(200);
    let v = in_service(&app, &fo, &hd).await;
    let body = json!({"analysis": "Perlu LKPP", "channel": "email", "summary": "Akun terkunci permanen"});
    app.post(&hd, &format!("/api/v1/visits/{}/escalate", id(&v)), body).await.expect(200);
    // A certificate no public CA signed is refused...
    assert_eq!(loket_mail::send_due(app.store.as_ref(), app.clock.now()).await.expect("send"), 0);
    let outbox = app.get(&sup, "/api/v1/mail").await.expect(200);
    assert!(
        outbox[0]["last_error"].as_str().is_some_and(|e| e.contains("certificate") || e.contains("TLS")),
        "{outbox}"
    );
    assert!(sink.messages().is_empty());
    // ...and taken once the office trusts its CA.
    mail["smtp_ca_pem"] = json!(ca);
    let shown = app.put(&sup, "/api/v1/settings/mail", mail.clone()).await.expect(200);
    assert!(shown["smtp_ca_pem"].as_str().is_some_and(|c| c.contains("BEGIN CERTIFICATE")));
    app.clock.advance(chrono::Duration::seconds(31));
    assert_eq!(loket_mail::send_due(app.store.as_ref(), app.clock.now()).await.expect("send"), 1, "sent over TLS");
    assert_eq!(sink.messages().len(), 1);
    mail["smtp_ca_pem"] = json!("not a certificate");
    let refused = app.put(&sup, "/api/v1/settings/mail", mail).await.error(422, "validation");
    assert_eq!(refused["fields"]["smtp_ca_pem"], "invalid");
}

/// The stored SMTP and IMAP passwords go only to the server they were given for: moving the
/// server (host, port, security or CA) without the password again is refused, so nobody sends
/// the stored one to a server of their own (it was: `AUTH PLAIN` at a fake server).
pub async fn moving_the_mail_server_needs_its_password_again(app: TestApp) {
    let sup = app.staff("sup", &[Role::Supervisor]).await;
    let shown = set_mail(&app, &sup, 2525).await;
    assert_eq!(shown["smtp_password_set"], true);
    let mut mail = json!({
        "smtp_host": "127.0.0.1", "smtp_port": 2525, "smtp_security": "plain",
        "smtp_username": "", "from_address": "helpdesk@lpse.example.go.id"
    });
    let kept = app.put(&sup, "/api/v1/settings/mail", mail.clone()).await.expect(200);
    assert_eq!(kept["smtp_password_set"], true, "the same server keeps its password");
    for (field, value) in
        [("smtp_host", json!("evil.example")), ("smtp_port", json!(2526)), ("smtp_security", json!("tls"))]
    {
        let mut moved = mail.clone();
        moved[field] = value;
        let refused = app.put(&sup, "/api/v1/settings/mail", moved).await.error(422, "validation");
        assert_eq!(refused["fields"], json!({"smtp_password": "required"}), "{field}");
    }
    mail["smtp_host"] = json!("smtp.baru.example.go.id");
    mail["smtp_password"] = json!("sandi-server-baru");
    app.put(&sup, "/api/v1/settings/mail", mail).await.expect(200);

    let imap = json!({"enabled": false, "host": "imap.example.go.id", "port": 993, "security": "tls",
        "username": "loket", "password": "rahasia-imap", "mailbox": "INBOX", "poll_seconds": 60});
    app.put(&sup, "/api/v1/settings/imap", imap.clone()).await.expect(200);
    let mut moved = imap.clone();
    moved.as_object_mut().expect("object").remove("password");
    moved["host"] = json!("127.0.0.1");
    let refused = app.put(&sup, "/api/v1/settings/imap", moved).await.error(422, "validation");
    assert_eq!(refused["fields"], json!({"password": "required"}));
}

/// Staff see why a mail was not sent in Loket's own words, never the server's text (an SMTP
/// server's banner came back in `last_error`: a way to read any service's banner through the
/// outbox); the server's text goes to the log. A link-local server is refused as it is typed.
pub async fn a_servers_own_text_never_reaches_staff(app: TestApp) {
    let sup = app.staff("sup", &[Role::Supervisor]).await;
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let hd = app.staff("hd", &[Role::Helpdesk]).await;
    let server = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = server.local_addr().expect("addr").port();
    tokio::spawn(async move {
        use tokio::io::AsyncWriteExt;
        while let Ok((mut socket, _)) = server.accept().await {
            let _ = socket.write_all(b"554 SECRET-BANNER redis_version:7.2 go away\r\n").await;
        }
    });
    set_mail(&app, &sup, port).await;
    let v = in_service(&app, &fo, &hd).await;
    let body = json!({"analysis": "Perlu LKPP", "channel": "email", "summary": "Akun terkunci permanen"});
    app.post(&hd, &format!("/api/v1/visits/{}/escalate", id(&v)), body).await.expect(200);
    assert_eq!(loket_mail::send_due(app.store.as_ref(), app.clock.now()).await.expect("send"), 0);
    let outbox = app.get(&sup, "/api/v1/mail").await.expect(200);
    assert_eq!(outbox[0]["last_error"], "SMTP: refused by the server (554)", "{outbox}");
    assert!(!outbox.to_string().contains("SECRET"), "{outbox}");

    let mut moved = json!({
        "smtp_host": "169.254.169.254", "smtp_port": 80, "smtp_security": "plain",
        "smtp_username": "", "smtp_password": "x", "from_address": "loket@lpse.example.go.id"
    });
    let refused = app.put(&sup, "/api/v1/settings/mail", moved.clone()).await.error(422, "validation");
    assert_eq!(refused["fields"]["smtp_host"], "invalid");
    moved["smtp_host"] = json!("fe80::1");
    app.put(&sup, "/api/v1/settings/mail", moved).await.error(422, "validation");
}

/// A form archived while its escalation mail waited for the server said "menunggu pengiriman"
/// for ever. When the mail leaves, the archive gets a new version that says it was sent.
pub async fn a_form_archived_before_its_escalation_left_gets_a_version_saying_it_left(app: TestApp) {
    let sup = app.staff("sup", &[Role::Supervisor]).await;
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let hd = app.staff("hd", &[Role::Helpdesk]).await;
    let closed = closed_port();
    set_mail(&app, &sup, closed).await;
    let v = in_service(&app, &fo, &hd).await;
    let path = |p: &str| format!("/api/v1/visits/{}/{p}", id(&v));
    let body = json!({"analysis": "Perlu LKPP", "channel": "email", "summary": "Server error saat unggah"});
    app.post(&hd, &path("escalate"), body).await.expect(200);
    app.post(&hd, &path("copy"), json!({"via": "printed"})).await.expect(200);
    let archived = app.post_empty(&hd, &path("archive")).await.expect(200);
    assert_eq!(
        (archived["archive"]["version"].as_i64(), &archived["escalation"]["status"]),
        (Some(1), &json!("pending"))
    );
    assert_eq!(loket_mail::send_due(app.store.as_ref(), app.clock.now()).await.expect("send"), 0, "not taken");

    let sink = SmtpSink::start().await;
    set_mail(&app, &sup, sink.port).await;
    app.clock.advance(chrono::Duration::seconds(31));
    assert_eq!(loket_mail::send_due(app.store.as_ref(), app.clock.now()).await.expect("send"), 1);
    let now = app.get(&hd, &format!("/api/v1/visits/{}", id(&v))).await.expect(200);
    assert_eq!(now["escalation"]["status"], "sent");
    assert_eq!(now["archive"]["version"], 2, "a new archived version: {now}");
    assert_ne!(now["archive"]["sha256"], archived["archive"]["sha256"]);
    assert_eq!(now["archive"]["number"], archived["archive"]["number"], "the same archive number");
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// Step 12 freezes one document: the copy printed (the form's PDF once the copy is recorded),
/// the copy e-mailed and the archive are the same bytes, and each copy event records its SHA-256.
pub async fn the_printed_and_the_mailed_copy_are_the_archived_document_byte_for_byte(app: TestApp) {
    let sink = SmtpSink::start().await;
    let sup = app.staff("sup", &[Role::Supervisor]).await;
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let hd = app.staff("hd", &[Role::Helpdesk]).await;
    set_mail(&app, &sup, sink.port).await;
    let v = in_service(&app, &fo, &hd).await;
    let path = |p: &str| format!("/api/v1/visits/{}/{p}", id(&v));
    app.post(&hd, &path("answer"), json!({"analysis": "a", "answer": "Perbarui sertifikat"})).await.expect(200);
    let pdf = |path: String| {
        let (http, url, hd) = (app.http.clone(), app.url(&path), hd.clone());
        async move { http.get(url).bearer_auth(hd).send().await.unwrap().bytes().await.unwrap().to_vec() }
    };
    let preview = pdf(path("form.pdf")).await;

    let printed = app.post(&hd, &path("copy"), json!({"via": "printed"})).await.expect(200);
    let given = printed["copy"]["document"].clone();
    let sha = given["sha256"].as_str().expect("the copy names its document").to_owned();
    assert_eq!(given["version"], 1);
    let printed_pdf = pdf(path("form.pdf")).await;
    assert_eq!(sha256_hex(&printed_pdf), sha, "what the counter prints is the document given");
    assert_eq!(printed_pdf, pdf(path("form.pdf")).await, "printed again: the same bytes");
    assert_ne!(sha256_hex(&preview), sha, "the form before the copy is a preview, made each time");
    let text = pdf_extract::extract_text_from_mem(&printed_pdf).expect("the PDF reads back");
    let number = given["number"].as_str().unwrap();
    assert!(text.contains(number) && text.contains("Ditetapkan"), "the copy carries its archive number: {text}");
    assert!(text.contains(loket_documents::COPY_MARK), "{text}");

    app.post(&hd, &path("copy"), json!({"via": "email"})).await.expect(200);
    assert_eq!(loket_mail::send_due(app.store.as_ref(), app.clock.now()).await.expect("send"), 1);
    let messages = sink.messages();
    let parsed = mail_parser::MessageParser::default().parse(messages[0].as_bytes()).expect("the mail parses");
    let attached = parsed.attachments().next().expect("the form attached").contents().to_vec();
    assert_eq!(sha256_hex(&attached), sha, "the mailed copy is the document given");

    let archived = app.post_empty(&hd, &path("archive")).await.expect(200);
    assert_eq!(
        (archived["archive"]["sha256"].as_str(), archived["archive"]["version"].as_i64()),
        (Some(sha.as_str()), Some(1))
    );
    assert_eq!(sha256_hex(&pdf(path("form.pdf")).await), sha, "the archive is the copy, byte for byte");
    let history = app.get(&hd, &path("history")).await.expect(200);
    let copies: Vec<&Value> = history.as_array().unwrap().iter().filter(|e| e["kind"] == "copy_given").collect();
    assert_eq!(copies.len(), 2);
    assert!(copies.iter().all(|c| c["data"]["sha256"] == json!(sha)), "each copy event records the hash: {history}");
}

/// With no mail server set, an e-mailed escalation or copy is not shown as sent: the counter and
/// the supervisor's overview say mail waits, and each waiting mail says why.
pub async fn without_a_mail_server_the_counter_and_the_overview_say_mail_waits(app: TestApp) {
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let hd = app.staff("hd-api", &[Role::Helpdesk]).await;
    let sup = app.staff("sup-api", &[Role::Supervisor]).await;
    let v = in_service(&app, &fo, &hd).await;
    let body = json!({"analysis": "Perlu LKPP", "channel": "email", "summary": "Akun terkunci permanen"});
    app.post(&hd, &format!("/api/v1/visits/{}/escalate", id(&v)), body).await.expect(200);
    assert_eq!(loket_mail::send_due(app.store.as_ref(), app.clock.now()).await.expect("send"), 0, "nowhere to send");
    // The next visitor at the counter: the escalation form is there again.
    let next = app.waiting_visit(&fo, "Sari").await;
    app.post_empty(&hd, "/api/v1/counters/1/call-next").await.expect(200);
    app.post_empty(&hd, &format!("/api/v1/visits/{}/start", id(&next))).await.expect(200);
    for (name, roles) in [("hd", vec![Role::Helpdesk]), ("sup", vec![Role::Supervisor])] {
        crate::pages::user(&app, name, &roles).await;
    }
    let mut counter = crate::pages::Browser::new(&app);
    counter.sign_in("hd", crate::support::PASSWORD).await;
    let page = counter.get("/counter?counter=1").await;
    assert!(page.body.contains("id=\"mail-not-ready\""), "{}", page.body);
    assert!(page.body.contains("Server surat (SMTP) belum diatur"));
    assert!(page.body.contains("menunggu: server surat belum diatur"), "the escalation says why it waits");
    assert!(page.body.contains("eskalasi lewat e-mail akan menunggu"), "the e-mail choice says why");
    assert!(page.body.contains("salinan lewat e-mail menunggu"), "the copy's e-mail choice says why");
    let mut overview = crate::pages::Browser::new(&app);
    overview.sign_in("sup", crate::support::PASSWORD).await;
    let page = overview.get("/supervisor").await;
    assert!(page.body.contains("id=\"mail-not-ready\"") && page.body.contains("/supervisor/settings/mail"));
    // Once a server is set, the pages say nothing of it.
    set_mail(&app, &sup, closed_port()).await;
    assert!(!counter.get("/counter?counter=1").await.body.contains("mail-not-ready"));
    assert!(!overview.get("/supervisor").await.body.contains("mail-not-ready"));
}
