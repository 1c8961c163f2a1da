//! Unmatched mails (surat tak dikenali): a mail that names an open escalation is LKPP's answer
//! only from LKPP's address (or its domain) and in the escalation mail's thread. Anything else —
//! a stranger's "Re: [reference]", LKPP's mail without the thread headers — is kept for a
//! supervisor, recorded and mailed to the visitor only once one confirms it. Against a real
//! Dovecot, as in `imap.rs`.

use loket_domain::auth::Role;
use loket_mail::imap::Polled;
use serde_json::{Value, json};

use crate::imap::{Dovecot, escalated, imap_settings};
use crate::pages::Browser;
use crate::support::{PASSWORD, TestApp, id};

/// A mailbox read by the office, and a visit whose e-mail escalation waits for LKPP: the
/// supervisor's and the helpdesk agent's tokens, the visit, its escalation mail's Message-ID.
pub struct Escalated {
    pub dovecot: Dovecot,
    sup: String,
    hd: String,
    visit: Value,
    message_id: String,
}

impl Escalated {
    pub async fn start(app: &TestApp) -> Option<Escalated> {
        let dovecot = Dovecot::start().await?;
        let sup = app.staff("sup", &[Role::Supervisor]).await;
        let fo = app.staff("fo", &[Role::FrontOffice]).await;
        let hd = app.staff("hd", &[Role::Helpdesk]).await;
        app.put(&sup, "/api/v1/settings/imap", imap_settings(dovecot.port)).await.expect(200);
        let (visit, message_id) = escalated(app, &fo, &hd).await;
        Some(Escalated { dovecot, sup, hd, visit, message_id })
    }

    pub fn reference(&self) -> String {
        self.visit["reference"].as_str().expect("reference").to_owned()
    }

    pub async fn poll(&self, app: &TestApp) -> Polled {
        loket_mail::imap::poll(app.store.as_ref(), app.clock.now())
            .await
            .unwrap_or_else(|e| panic!("poll: {e}\n{}", self.dovecot.log()))
    }

    /// The escalation as the visit shows it now.
    async fn escalation(&self, app: &TestApp) -> Value {
        app.get(&self.hd, &format!("/api/v1/visits/{}", id(&self.visit))).await.expect(200)["escalation"].clone()
    }

    /// The mails to the visitor with LKPP's answer, in the outbox.
    async fn answers_to_visitor(&self, app: &TestApp) -> Vec<Value> {
        let outbox = app.get(&self.hd, "/api/v1/mail").await.expect(200);
        outbox.as_array().expect("outbox").iter().filter(|m| m["kind"] == "answer").cloned().collect()
    }
}

/// A stranger's mail naming the visit by its reference, as the phishing mail did.
fn strangers_reply(reference: &str) -> String {
    format!(
        "From: Helpdesk LKPP <helpdesk.lkpp@gmail.example>\nTo: loket@lpse.example.go.id\n\
         Subject: Re: [{reference}] Eskalasi LPSE\nMessage-ID: <phish-1@gmail.example>\n\
         Authentication-Results: mx.lpse.example.go.id; spf=fail smtp.mailfrom=gmail.example; dkim=none; dmarc=fail\n\n\
         Akun Anda dibekukan. Verifikasi di https://lpse-verifikasi.example/login\n"
    )
}

pub async fn a_strangers_reply_naming_the_reference_is_not_recorded_nor_mailed_and_waits_unmatched(app: TestApp) {
    let Some(e) = Escalated::start(&app).await else { return };
    e.dovecot.deliver(&strangers_reply(&e.reference())).await;
    // A stranger who also learned the escalation's Message-ID is no more LKPP for it.
    e.dovecot
        .deliver(&format!(
            "From: x@evil.example\nSubject: Re: Eskalasi\nMessage-ID: <phish-2@evil.example>\n\
             In-Reply-To: {}\n\nKlik tautan ini.\n",
            e.message_id
        ))
        .await;
    assert_eq!(e.poll(&app).await, Polled { kept: 2, ..Polled::default() });
    let escalation = e.escalation(&app).await;
    assert_eq!((escalation["status"].clone(), escalation["answer"].clone()), (json!("sent"), Value::Null));
    assert!(e.answers_to_visitor(&app).await.is_empty(), "nothing goes to the visitor");
    let history = app.get(&e.hd, &format!("/api/v1/visits/{}/history", id(&e.visit))).await.expect(200);
    assert!(!history.to_string().contains("escalation_answered"), "{history}");
    let listed = app.get(&e.sup, "/api/v1/mail/unmatched").await.expect(200);
    let listed = listed.as_array().expect("list");
    assert_eq!(listed.len(), 2, "{listed:?}");
    let phish = listed.iter().find(|m| m["message_id"] == "<phish-1@gmail.example>").expect("the phishing mail");
    assert_eq!(phish["from"], "helpdesk.lkpp@gmail.example");
    assert_eq!((phish["doubt"].clone(), phish["status"].clone()), (json!("sender"), json!("pending")));
    assert_eq!((phish["visit_id"].clone(), phish["reference"].clone()), (json!(id(&e.visit)), json!(e.reference())));
    assert_eq!(phish["answer"], "Akun Anda dibekukan. Verifikasi di https://lpse-verifikasi.example/login");
    assert_eq!(
        phish["authentication_results"],
        "mx.lpse.example.go.id; spf=fail smtp.mailfrom=gmail.example; dkim=none; dmarc=fail"
    );
    assert!(listed.iter().all(|m| m["doubt"] == "sender" && m["decided_by"].is_null()), "{listed:?}");
    assert_eq!(e.dovecot.unseen().await, 0, "kept in Loket: marked read");
}

pub async fn lkpps_reply_without_the_thread_headers_waits_until_a_supervisor_confirms_it(app: TestApp) {
    let Some(e) = Escalated::start(&app).await else { return };
    e.dovecot
        .deliver(&format!(
            "From: Helpdesk LKPP <helpdesk@lkpp.go.id>\nSubject: [{}] Jawaban eskalasi\n\
             Message-ID: <fresh-1@lkpp.go.id>\n\nNomor tiket: TTS-2026-000456\nAkun sudah dibuka.\n",
            e.reference()
        ))
        .await;
    assert_eq!(e.poll(&app).await, Polled { kept: 1, ..Polled::default() });
    assert_eq!(e.escalation(&app).await["status"], "sent", "not recorded by itself");
    let listed = app.get(&e.sup, "/api/v1/mail/unmatched").await.expect(200);
    assert_eq!(
        (listed[0]["doubt"].clone(), listed[0]["lkpp_ticket"].clone()),
        (json!("thread"), json!("TTS-2026-000456"))
    );
    let mail_id = listed[0]["id"].as_str().expect("id").to_owned();
    let confirmed = app.post_empty(&e.sup, &format!("/api/v1/mail/unmatched/{mail_id}/confirm")).await.expect(200);
    assert_eq!((confirmed["status"].clone(), confirmed["decided_by"].clone()), (json!("confirmed"), json!("sup")));
    assert!(confirmed["decided_at"].is_string(), "{confirmed}");
    let escalation = e.escalation(&app).await;
    assert_eq!(escalation["status"], "answered");
    assert_eq!(escalation["answer"], "Nomor tiket: TTS-2026-000456\nAkun sudah dibuka.");
    assert_eq!(escalation["lkpp_ticket"], "TTS-2026-000456");
    let history = app.get(&e.hd, &format!("/api/v1/visits/{}/history", id(&e.visit))).await.expect(200);
    let last = history.as_array().and_then(|h| h.last()).cloned().unwrap_or_default();
    assert_eq!((last["kind"].clone(), last["by"].clone()), (json!("escalation_answered"), json!("sup")), "{history}");
    assert_eq!(
        (last["data"]["via"].clone(), last["data"]["confirmed_by"].clone(), last["data"]["message_id"].clone()),
        (json!("email"), json!("sup"), json!("<fresh-1@lkpp.go.id>"))
    );
    let to_visitor = e.answers_to_visitor(&app).await;
    assert_eq!(to_visitor.len(), 1, "{to_visitor:?}");
    assert_eq!(
        (to_visitor[0]["to"].clone(), to_visitor[0]["status"].clone()),
        (json!("budi@majujaya.co.id"), json!("pending"))
    );
    // Decided once.
    app.post_empty(&e.sup, &format!("/api/v1/mail/unmatched/{mail_id}/confirm")).await.error(409, "already_decided");
    app.post_empty(&e.sup, &format!("/api/v1/mail/unmatched/{mail_id}/dismiss")).await.error(409, "already_decided");
    app.post_empty(&e.sup, "/api/v1/mail/unmatched/nope/confirm").await.error(404, "not_found");
    assert_eq!(e.answers_to_visitor(&app).await.len(), 1, "mailed once");
}

pub async fn a_dismissed_unmatched_mail_stays_listed_as_dismissed(app: TestApp) {
    let Some(e) = Escalated::start(&app).await else { return };
    e.dovecot.deliver(&strangers_reply(&e.reference())).await;
    e.poll(&app).await;
    let listed = app.get(&e.sup, "/api/v1/mail/unmatched").await.expect(200);
    let mail_id = listed[0]["id"].as_str().expect("id").to_owned();
    let dismissed = app.post_empty(&e.sup, &format!("/api/v1/mail/unmatched/{mail_id}/dismiss")).await.expect(200);
    assert_eq!((dismissed["status"].clone(), dismissed["decided_by"].clone()), (json!("dismissed"), json!("sup")));
    let after = app.get(&e.sup, "/api/v1/mail/unmatched").await.expect(200);
    assert_eq!(after.as_array().map(Vec::len), Some(1), "kept for the auditor");
    assert_eq!((after[0]["id"].clone(), after[0]["status"].clone()), (json!(mail_id), json!("dismissed")));
    assert_eq!(after[0]["subject"], listed[0]["subject"]);
    assert_eq!(e.escalation(&app).await["status"], "sent");
    assert!(e.answers_to_visitor(&app).await.is_empty());
}

pub async fn only_a_supervisor_reads_and_decides_unmatched_mail(app: TestApp) {
    let sup = app.staff("sup", &[Role::Supervisor]).await;
    app.get(&sup, "/api/v1/mail/unmatched").await.expect(200);
    for (name, roles) in [
        ("hd", &[Role::Helpdesk][..]),
        ("fo", &[Role::FrontOffice][..]),
        ("adm", &[Role::Admin][..]),
        ("hdfo", &[Role::Helpdesk, Role::FrontOffice][..]),
    ] {
        let token = app.staff(name, roles).await;
        app.get(&token, "/api/v1/mail/unmatched").await.error(403, "forbidden");
        app.post_empty(&token, "/api/v1/mail/unmatched/x/confirm").await.error(403, "forbidden");
        app.post_empty(&token, "/api/v1/mail/unmatched/x/dismiss").await.error(403, "forbidden");
    }
    let mut admin = Browser::new(&app);
    admin.sign_in("adm", PASSWORD).await;
    assert_eq!(admin.get("/supervisor/mail").await.status, 403);
    let overview = admin.get("/supervisor").await.body;
    assert!(!overview.contains("id=\"unmatched-link\""), "an admin alone is not shown the link");
}

pub async fn the_supervisor_sees_the_authentication_results_escaped_and_confirms_on_the_page(app: TestApp) {
    let Some(e) = Escalated::start(&app).await else { return };
    e.dovecot
        .deliver(&format!(
            "From: someone@lkpp.go.id\nSubject: Re: [{}] <b>Eskalasi</b>\nMessage-ID: <page-1@lkpp.go.id>\n\
             Authentication-Results: mx.lpse; spf=pass <script>alert(1)</script>\n\nSudah dibuka.\n",
            e.reference()
        ))
        .await;
    e.poll(&app).await;
    let mut sup = Browser::new(&app);
    sup.sign_in("sup", PASSWORD).await;
    let overview = sup.get("/supervisor").await.body;
    assert!(
        overview.contains("id=\"unmatched-link\"") && overview.contains("Surat tak dikenali <strong>(1)</strong>"),
        "{overview}"
    );
    let page = sup.get("/supervisor/mail").await;
    assert_eq!(page.status, 200);
    let body = page.body;
    assert!(shown_as_text(&body, "mx.lpse; spf=pass <script>alert(1)</script>"), "escaped: {body}");
    assert!(!body.contains("<script>alert(1)"), "{body}");
    assert!(shown_as_text(&body, "<b>Eskalasi</b>") && body.contains("someone@lkpp.go.id"), "{body}");
    assert!(body.contains("Dari LKPP, tetapi bukan balasan pada utas surat eskalasi"), "{body}");
    let mail_id = body.split("data-id=\"").nth(1).and_then(|s| s.split('"').next()).expect("a row").to_owned();
    let done = sup.post("/supervisor/mail/confirm", &[("_csrf", &page_csrf(&body)), ("id", &mail_id)]).await;
    assert_eq!((done.status.as_u16(), done.location()), (303, "/supervisor/mail?done=confirmed"));
    let after = sup.get("/supervisor/mail?done=confirmed").await.body;
    assert!(
        after.contains("id=\"unmatched-notice\"") && after.contains("Dikonfirmasi sebagai jawaban LKPP oleh sup"),
        "{after}"
    );
    assert!(!after.contains("action=\"/supervisor/mail/confirm\""), "decided: no more buttons");
    assert_eq!(e.escalation(&app).await["answer"], "Sudah dibuka.");
    assert_eq!(e.answers_to_visitor(&app).await.len(), 1);
    let again = sup.post("/supervisor/mail/dismiss", &[("_csrf", &page_csrf(&after)), ("id", &mail_id)]).await;
    assert_eq!(again.status, 409);
    assert!(again.body.contains("Surat ini sudah dikonfirmasi atau diabaikan."), "{}", again.body);
}

/// Whether the page shows `text` as text: its markup escaped (either way askama may write it).
fn shown_as_text(body: &str, text: &str) -> bool {
    let numeric = text.replace('<', "&#60;").replace('>', "&#62;");
    let named = text.replace('<', "&lt;").replace('>', "&gt;");
    body.contains(&numeric) || body.contains(&named)
}

fn page_csrf(body: &str) -> String {
    let at = body.find("name=\"_csrf\" value=\"").expect("a CSRF field") + "name=\"_csrf\" value=\"".len();
    body[at..].split('"').next().unwrap_or_default().to_owned()
}
