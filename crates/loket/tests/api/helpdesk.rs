use loket_domain::auth::Role;
use serde_json::{Value, json};
use sha2::Digest;

use crate::support::{TestApp, id};

/// A visit called at counter 1 and started: the visitor is at the counter.
pub async fn in_service(app: &TestApp) -> (String, Value) {
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let hd = app.staff("hd", &[Role::Helpdesk]).await;
    let v = app.waiting_visit(&fo, "Budi").await;
    app.post_empty(&hd, "/api/v1/counters/1/call-next").await.expect(200);
    let started = app.post_empty(&hd, &format!("/api/v1/visits/{}/start", id(&v))).await.expect(200);
    assert_eq!(started["status"], "in_service");
    (hd, started)
}

fn steps(v: &Value) -> Vec<u64> {
    v["steps"].as_array().unwrap().iter().map(|s| s["step"].as_u64().unwrap()).collect()
}

pub async fn a_visit_is_answered_and_archived(app: TestApp) {
    let (hd, v) = in_service(&app).await;
    let path = |p: &str| format!("/api/v1/visits/{}/{p}", id(&v));
    app.post(&hd, &path("answer"), json!({"analysis": "", "answer": ""})).await.error(422, "validation");
    app.post_empty(&hd, &path("archive")).await.error(409, "invalid_transition");
    let answered = app
        .post(&hd, &path("answer"), json!({"analysis": "Sertifikat kedaluwarsa", "answer": "Perbarui sertifikat"}))
        .await
        .expect(200);
    assert_eq!(answered["status"], "answered");
    assert_eq!(answered["answer"], "Perbarui sertifikat");
    let step9 = answered["steps"].as_array().unwrap().iter().find(|s| s["step"] == 9).unwrap().clone();
    assert_eq!(step9["standard_minutes"], 30, "offer_upload's analysis target");
    assert_eq!(step9["within_standard"], true);
    app.post_empty(&hd, &path("archive")).await.error(409, "copy_missing");
    app.post(&hd, &path("copy"), json!({"via": "printed"})).await.expect(200);
    let archived = app.post_empty(&hd, &path("archive")).await.expect(200);
    assert_eq!(archived["status"], "archived");
    assert_eq!(steps(&archived), [1, 2, 3, 4, 5, 7, 8, 9, 10, 12]);
    let number = archived["archive"]["number"].as_str().unwrap();
    assert!(number.starts_with("LPSE/") && number.ends_with("/0001"), "{number}");
    let doc = app.http.get(app.url(&path("archive/document"))).bearer_auth(&hd).send().await.unwrap();
    assert_eq!(doc.status(), 200);
    let bytes = doc.bytes().await.unwrap();
    assert_eq!(
        hex::encode(sha2::Sha256::digest(&bytes)),
        archived["archive"]["sha256"],
        "SHA-256 of the archived bytes"
    );
    app.post(&hd, &path("answer"), json!({"analysis": "a", "answer": "b"})).await.error(409, "invalid_transition");
    let history = app.get(&hd, &path("history")).await.expect(200);
    let kinds: Vec<&str> = history.as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["created", "form_saved", "queued", "called", "started", "answered", "copy_given", "archived"]);
}

pub async fn the_visitors_copy_is_an_event_and_the_archive_waits_for_it(app: TestApp) {
    let (hd, v) = in_service(&app).await;
    let path = |p: &str| format!("/api/v1/visits/{}/{p}", id(&v));
    app.post(&hd, &path("copy"), json!({"via": "printed"})).await.error(409, "invalid_transition");
    let body = json!({"analysis": "Perlu LKPP", "channel": "tts", "summary": "s", "external_reference": "T-9"});
    app.post(&hd, &path("escalate"), body).await.expect(200);
    app.post(&hd, &path("copy"), json!({"via": "fax"})).await.error(422, "validation");
    app.post(&hd, &path("copy"), json!({})).await.error(422, "validation");
    app.post_empty(&hd, &path("archive")).await.error(409, "copy_missing");
    // The visitor gave an address (support's waiting visit): the copy goes there, PDF attached.
    let mailed = app.post(&hd, &path("copy"), json!({"via": "email"})).await.expect(200);
    assert_eq!(mailed["copy"]["via"], "email");
    assert_eq!(mailed["copy"]["by"], "hd");
    assert_eq!(mailed["status"], "escalated", "the copy is an event, not a status");
    let outbox = app.store.pending_mail().await.unwrap();
    let copy = outbox.iter().find(|(_, subject)| subject.contains("Salinan formulir")).expect("the copy's mail");
    assert!(copy.1.contains(&format!("[{}]", v["reference"].as_str().unwrap())), "{copy:?}");
    assert_eq!(mailed["copy"]["pending"], true, "given once the mail server took it");
    app.post_empty(&hd, &path("archive")).await.error(409, "copy_pending");
    let declined = app.post(&hd, &path("copy"), json!({"via": "declined"})).await.expect(200);
    assert_eq!(declined["copy"]["via"], "declined", "the last one recorded is shown");
    let archived = app.post_empty(&hd, &path("archive")).await.expect(200);
    assert_eq!(archived["status"], "archived");
    let history = app.get(&hd, &path("history")).await.expect(200);
    let copies: Vec<&Value> = history.as_array().unwrap().iter().filter(|e| e["kind"] == "copy_given").collect();
    assert_eq!(copies.len(), 2);
    assert_eq!(copies[0]["data"]["via"], "email");
    assert_eq!(copies[1]["data"]["via"], "declined");
}

pub async fn a_copy_by_email_needs_the_visitors_address(app: TestApp) {
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let hd = app.staff("hd", &[Role::Helpdesk]).await;
    let v = app.post(&fo, "/api/v1/visits", json!({"visitor": {"name": "Sari"}})).await.expect(201);
    let path = |p: &str| format!("/api/v1/visits/{}/{p}", id(&v));
    let mut form = crate::support::complete_form();
    form["visitor"]["email"] = Value::Null;
    app.put(&fo, &path("form"), form).await.expect(200);
    app.post_empty(&fo, &path("check")).await.expect(200);
    app.post_empty(&hd, "/api/v1/counters/1/call-next").await.expect(200);
    app.post_empty(&hd, &path("start")).await.expect(200);
    let answered = app.post(&hd, &path("answer"), json!({"analysis": "a", "answer": "b"})).await.expect(200);
    assert_eq!(answered["visitor"]["email"], Value::Null);
    let err = app.post(&hd, &path("copy"), json!({"via": "email"})).await.error(422, "validation");
    assert_eq!(err["fields"], json!({"visitor.email": "missing"}));
    let now = app.get(&hd, &format!("/api/v1/visits/{}", id(&v))).await.expect(200);
    assert_eq!(now["copy"], Value::Null, "nothing recorded");
    app.post(&hd, &path("copy"), json!({"via": "printed"})).await.expect(200);
    assert!(app.store.pending_mail().await.unwrap().is_empty(), "a printed copy sends no mail");
}

pub async fn a_tts_escalation_needs_the_ticket_number(app: TestApp) {
    let (hd, v) = in_service(&app).await;
    let path = format!("/api/v1/visits/{}/escalate", id(&v));
    let body = json!({"analysis": "Galat server", "channel": "tts", "summary": "Penawaran gagal"});
    let err = app.post(&hd, &path, body.clone()).await.error(422, "validation");
    assert_eq!(err["fields"], json!({"external_reference": "missing"}));
    app.post(&hd, &path, json!({"analysis": "a", "channel": "fax", "summary": "s"})).await.error(422, "validation");
    let mut with_ticket = body;
    with_ticket["external_reference"] = json!("TTS-2026-0042");
    let esc = app.post(&hd, &path, with_ticket).await.expect(200);
    assert_eq!(esc["status"], "escalated");
    assert_eq!(esc["escalation"]["channel"], "tts");
    assert_eq!(esc["escalation"]["status"], "sent");
    assert_eq!(esc["escalation"]["external_reference"], "TTS-2026-0042");
    assert_eq!(steps(&esc), [1, 2, 3, 4, 5, 7, 8, 9, 11, 12]);
}

pub async fn an_email_escalation_waits_in_the_outbox(app: TestApp) {
    let (hd, v) = in_service(&app).await;
    let body = json!({"analysis": "Perlu LKPP", "channel": "email", "summary": "Akun terkunci permanen"});
    let esc = app.post(&hd, &format!("/api/v1/visits/{}/escalate", id(&v)), body).await.expect(200);
    assert_eq!(esc["escalation"]["status"], "pending");
    assert_eq!(esc["escalation"]["sent_at"], Value::Null);
    let outbox = app.store.pending_mail().await.unwrap();
    assert_eq!(outbox.len(), 1);
}

pub async fn lkpp_answers_after_the_archive_as_a_new_version(app: TestApp) {
    let (hd, v) = in_service(&app).await;
    let path = |p: &str| format!("/api/v1/visits/{}/{p}", id(&v));
    app.post(&hd, &path("escalation/answer"), json!({"answer": "x"})).await.error(409, "invalid_transition");
    let body = json!({"analysis": "a", "channel": "tts", "summary": "s", "external_reference": "T-1"});
    app.post(&hd, &path("escalate"), body).await.expect(200);
    app.post(&hd, &path("copy"), json!({"via": "declined"})).await.expect(200);
    let first = app.post_empty(&hd, &path("archive")).await.expect(200);
    assert_eq!(first["archive"]["version"], 1);
    let answered = app.post(&hd, &path("escalation/answer"), json!({"answer": "Sudah diperbaiki"})).await.expect(200);
    assert_eq!(answered["status"], "archived");
    assert_eq!(answered["escalation"]["status"], "answered");
    assert_eq!(answered["archive"]["version"], 2);
    assert_eq!(answered["archive"]["number"], first["archive"]["number"]);
    assert_ne!(answered["archive"]["sha256"], first["archive"]["sha256"]);
    let v1 = app.http.get(app.url(&path("archive/document?version=1"))).bearer_auth(&hd).send().await.unwrap();
    let bytes = v1.bytes().await.unwrap();
    assert_eq!(hex::encode(sha2::Sha256::digest(&bytes)), first["archive"]["sha256"], "version 1 kept byte for byte");
}

pub async fn a_step_out_of_order_is_an_invalid_transition(app: TestApp) {
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let hd = app.staff("hd", &[Role::Helpdesk]).await;
    let v = app.waiting_visit(&fo, "a").await;
    let err = app.post_empty(&hd, &format!("/api/v1/visits/{}/start", id(&v))).await.error(409, "invalid_transition");
    assert!(err["message"].as_str().unwrap().contains("waiting"));
    app.put(&fo, &format!("/api/v1/visits/{}/form", id(&v)), json!({"form": {}}))
        .await
        .error(409, "invalid_transition");
    app.post_empty(&fo, &format!("/api/v1/visits/{}/check", id(&v))).await.error(409, "invalid_transition");
}

/// The PDF's text, read back from the document itself (pdf-extract, through the fonts'
/// ToUnicode maps): the glyphs in the order they are drawn, a new line where the text moves
/// down, a space where it jumps right.
pub fn pdf_text(pdf: &[u8]) -> String {
    pdf_extract::extract_text_from_mem(pdf).expect("the PDF's text reads back")
}

pub async fn get_pdf(app: &TestApp, token: &str, path: &str) -> Vec<u8> {
    let res = app.http.get(app.url(path)).bearer_auth(token).send().await.expect("form.pdf");
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    res.bytes().await.expect("bytes").to_vec()
}

pub async fn the_form_pdf_reads_back_and_the_archived_one_never_changes(app: TestApp) {
    let (hd, v) = in_service(&app).await;
    let path = |p: &str| format!("/api/v1/visits/{}/{p}", id(&v));
    let answer = json!({"analysis": "Sertifikat kedaluwarsa", "answer": "Perbarui sertifikat elektronik di SPSE"});
    app.post(&hd, &path("answer"), answer).await.expect(200);
    let live = get_pdf(&app, &hd, &path("form.pdf")).await;
    let text = pdf_text(&live);
    let reference = v["reference"].as_str().unwrap();
    for expected in [reference, "Budi", "Perbarui sertifikat elektronik di SPSE", "Salinan untuk pengguna", "A-001"] {
        assert!(text.contains(expected), "{expected:?} in the PDF:\n{text}");
    }
    app.post(&hd, &path("copy"), json!({"via": "printed"})).await.expect(200);
    let archived = app.post_empty(&hd, &path("archive")).await.expect(200);
    let first = get_pdf(&app, &hd, &path("form.pdf")).await;
    assert_eq!(hex::encode(sha2::Sha256::digest(&first)), archived["archive"]["sha256"], "the archived bytes");
    assert!(pdf_text(&first).contains(archived["archive"]["number"].as_str().unwrap()), "stamped with its number");
    app.clock.advance(chrono::Duration::minutes(90));
    let later = get_pdf(&app, &hd, &path("form.pdf")).await;
    assert_eq!(later, first, "byte-identical later");
    let fo = app.staff("fo2", &[Role::FrontOffice]).await;
    assert_eq!(get_pdf(&app, &fo, &path("form.pdf")).await, first, "any staff role reads it");
    let missing = app.http.get(app.url("/api/v1/visits/nope/form.pdf")).bearer_auth(&hd).send().await.unwrap();
    assert_eq!(missing.status(), 404);
}

/// A called visit is served by the agent who called it: another agent may not start, answer,
/// escalate, give the copy, archive or hand out its survey link (409 `served_by_another`, naming
/// who serves it), so IKM scores cannot be stuffed through another's visits; a supervisor may
/// act for the agent, and the history names the supervisor.
pub async fn only_who_serves_a_visit_or_a_supervisor_acts_on_it(app: TestApp) {
    let (hd, v) = in_service(&app).await;
    let other = app.staff("hd2", &[Role::Helpdesk]).await;
    let sup = app.staff("sup", &[Role::Supervisor]).await;
    let path = |p: &str| format!("/api/v1/visits/{}/{p}", id(&v));
    let answer = json!({"analysis": "Sertifikat kedaluwarsa", "answer": "Perbarui sertifikat"});
    let refused = app.post(&other, &path("answer"), answer.clone()).await.error(409, "served_by_another");
    assert!(refused["message"].as_str().is_some_and(|m| m.contains("hd")), "names who serves it: {refused}");
    let escalation = json!({"analysis": "Perlu LKPP", "channel": "email", "summary": "Tidak bisa masuk"});
    app.post(&other, &path("escalate"), escalation).await.error(409, "served_by_another");
    app.post(&hd, &path("answer"), answer).await.expect(200);
    app.post(&other, &path("copy"), json!({"via": "printed"})).await.error(409, "served_by_another");
    app.post_empty(&other, &path("survey-link")).await.error(409, "served_by_another");
    // The supervisor acts for the agent, on the record.
    app.post(&sup, &path("copy"), json!({"via": "printed"})).await.expect(200);
    app.post_empty(&other, &path("archive")).await.error(409, "served_by_another");
    app.post_empty(&hd, &path("archive")).await.expect(200);
    app.post_empty(&other, &path("survey-link")).await.error(409, "served_by_another");
    app.post_empty(&hd, &path("survey-link")).await.expect(200);
    let history = app.get(&hd, &path("history")).await.expect(200);
    let copy = history.as_array().unwrap().iter().find(|e| e["kind"] == "copy_given").expect("the copy");
    assert_eq!(copy["by"], "sup", "the supervisor is on the record");

    // A called visit: another agent may neither start it nor skip it.
    let fo = app.staff("fo2", &[Role::FrontOffice]).await;
    let w = app.waiting_visit(&fo, "Siti").await;
    app.post_empty(&hd, "/api/v1/counters/2/call-next").await.expect(200);
    app.post_empty(&other, &format!("/api/v1/visits/{}/start", id(&w))).await.error(409, "served_by_another");
    app.post_empty(&other, &format!("/api/v1/visits/{}/recall", id(&w))).await.error(409, "served_by_another");
    app.post_empty(&hd, &format!("/api/v1/visits/{}/start", id(&w))).await.expect(200);
}
