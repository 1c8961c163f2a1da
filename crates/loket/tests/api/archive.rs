//! The archive: searched by words and filters, every version listed and served, and the
//! answers of similar archived visits for the agent.

use loket_domain::auth::Role;
use serde_json::{Value, json};

use crate::support::{TestApp, id};

/// The front office's and the helpdesk agent's tokens.
struct Desk {
    fo: String,
    hd: String,
}

async fn desk(app: &TestApp) -> Desk {
    Desk { fo: app.staff("fo", &[Role::FrontOffice]).await, hd: app.staff("hd", &[Role::Helpdesk]).await }
}

/// A visit served at counter 1 with this form, answered (or escalated by TTS when `answer` is
/// None), its copy printed, archived. Returns the archived visit.
async fn archived(app: &TestApp, desk: &Desk, name: &str, form: Value, answer: Option<&str>) -> Value {
    let (fo, hd) = (&desk.fo, &desk.hd);
    let v = app.post(fo, "/api/v1/visits", json!({"visitor": {"name": name}})).await.expect(201);
    let path = |p: &str| format!("/api/v1/visits/{}/{p}", id(&v));
    app.put(fo, &path("form"), form).await.expect(200);
    app.post_empty(fo, &path("check")).await.expect(200);
    app.post_empty(hd, "/api/v1/counters/1/call-next").await.expect(200);
    app.post_empty(hd, &path("start")).await.expect(200);
    match answer {
        Some(answer) => app.post(hd, &path("answer"), json!({"analysis": "Dicek bersama", "answer": answer})).await,
        None => {
            let body = json!({"analysis": "Perlu LKPP", "channel": "tts", "summary": "Galat server", "external_reference": "TTS-9"});
            app.post(hd, &path("escalate"), body).await
        }
    }
    .expect(200);
    app.post(hd, &path("copy"), json!({"via": "printed"})).await.expect(200);
    app.post_empty(hd, &path("archive")).await.expect(200)
}

fn form(category: &str, role: &str, description: &str) -> Value {
    json!({
        "visitor": {"organization": "CV Maju Jaya", "role": role, "phone": "0812-3456-7890"},
        "form": {"category": category, "subject": "Masalah SPSE", "description": description}
    })
}

fn references(results: &Value) -> Vec<String> {
    results["items"].as_array().unwrap().iter().map(|i| i["reference"].as_str().unwrap().to_owned()).collect()
}

pub async fn the_archive_is_searched_by_words_and_filters(app: TestApp) {
    let desk = desk(&app).await;
    let locked = archived(
        &app,
        &desk,
        "Yohanes",
        form("password", "penyedia", "Akun penyedia terkunci setelah salah kata sandi"),
        Some("Akun dibuka oleh admin agency"),
    )
    .await;
    let upload =
        archived(&app, &desk, "Siti", form("offer_upload", "ppk", "Dokumen penawaran gagal diunggah"), None).await;
    let sup = app.staff("sup", &[Role::Supervisor]).await;
    let fo = desk.fo.clone();
    let all = app.get(&sup, "/api/v1/archive").await.expect(200);
    assert_eq!(all["total"], 2);
    assert_eq!(references(&all), [upload["reference"].as_str().unwrap(), locked["reference"].as_str().unwrap()]);

    let found = app.get(&fo, "/api/v1/archive?q=TERKUNCI%20sandi").await.expect(200);
    assert_eq!(references(&found), [locked["reference"].as_str().unwrap()]);
    let item = &found["items"][0];
    assert_eq!(item["id"], locked["id"]);
    assert_eq!(item["archive_number"], locked["archive"]["number"]);
    assert_eq!(item["version"], 1);
    assert_eq!(item["visitor_name"], "Yohanes");
    assert_eq!(item["category"], "password");
    assert_eq!(item["visitor_role"], "penyedia");
    assert_eq!(item["outcome"], "answered");
    assert!(item["snippet"].as_str().unwrap().contains("terkunci"), "{item}");
    // To the millisecond, as archives are kept.
    let at = |v: &Value| v.as_str().unwrap()[..23].to_owned();
    assert_eq!(at(&item["archived_at"]), at(&locked["archive"]["archived_at"]));

    let number = locked["archive"]["number"].as_str().unwrap();
    let by_number = app.get(&sup, &format!("/api/v1/archive?q={}", number.replace('/', "%2F"))).await.expect(200);
    assert_eq!(references(&by_number), [locked["reference"].as_str().unwrap()]);
    let by_ticket = app.get(&sup, "/api/v1/archive?q=TTS-9").await.expect(200);
    assert_eq!(references(&by_ticket), [upload["reference"].as_str().unwrap()]);

    for (filter, expected) in
        [("outcome=escalated", &upload), ("role=penyedia", &locked), ("category=offer_upload", &upload)]
    {
        let r = app.get(&sup, &format!("/api/v1/archive?{filter}")).await.expect(200);
        assert_eq!(references(&r), [expected["reference"].as_str().unwrap()], "{filter}");
    }
    // The office day (in the office's zone), not the UTC date of the archive: they differ from
    // 17:00 UTC on in Jakarta. Every visit here has the same one.
    let any = app.get(&sup, "/api/v1/archive?limit=1").await.expect(200);
    let day = any["items"][0]["day"].as_str().expect("an office day").to_owned();
    let today = app.get(&sup, &format!("/api/v1/archive?from={day}&to={day}&limit=1&offset=1")).await.expect(200);
    assert_eq!(
        (today["total"].clone(), today["limit"].clone(), today["offset"].clone()),
        (json!(2), json!(1), json!(1))
    );
    assert_eq!(references(&today), [locked["reference"].as_str().unwrap()]);
    let none = app.get(&sup, "/api/v1/archive?from=2000-01-01&to=2000-01-31").await.expect(200);
    assert_eq!((none["total"].clone(), references(&none).len()), (json!(0), 0));
}

pub async fn a_bad_search_is_refused_and_named(app: TestApp) {
    let sup = app.staff("sup", &[Role::Supervisor]).await;
    let err = app
        .get(&sup, "/api/v1/archive?from=2026-13-01&role=boss&outcome=archived&limit=0&offset=x")
        .await
        .error(422, "validation");
    for field in ["from", "role", "outcome", "limit", "offset"] {
        assert_eq!(err["fields"][field], "invalid", "{field}: {err}");
    }
    let long = "a".repeat(201);
    let err = app.get(&sup, &format!("/api/v1/archive?q={long}")).await.error(422, "validation");
    assert_eq!(err["fields"]["q"], "too_long");
    app.get(&sup, "/api/v1/archive?catgory=password").await.error(400, "bad_request");
    // A typed parameter given empty is not "any": the API takes what its schema says.
    let err = app.get(&sup, "/api/v1/archive?role=&to=&outcome=answered&q=").await.error(422, "validation");
    assert_eq!((err["fields"]["role"].as_str(), err["fields"]["to"].as_str()), (Some("invalid"), None));
    app.get(&sup, "/api/v1/archive?q=&category=&from=&to=").await.expect(200);
    app.get(&sup, "/api/v1/archive?limit=101").await.error(422, "validation");
    // The index's own syntax is only words here.
    let odd = app.get(&sup, "/api/v1/archive?q=%22a%22%20OR%20(b*%20%26%20!c%3A*").await.expect(200);
    assert_eq!(odd["total"], 0);
}

pub async fn every_archived_version_is_listed_and_served(app: TestApp) {
    let desk = desk(&app).await;
    let v = archived(&app, &desk, "Rudi", form("tender", "ppk", "Jadwal tender bergeser"), None).await;
    let hd = desk.hd.clone();
    let path = |p: &str| format!("/api/v1/visits/{}/{p}", id(&v));
    let one = app.get(&hd, &path("archive")).await.expect(200);
    assert_eq!(one.as_array().unwrap().len(), 1);
    app.post(&hd, &path("escalation/answer"), json!({"answer": "Jadwal sudah diperbaiki LKPP"})).await.expect(200);
    let versions = app.get(&hd, &path("archive")).await.expect(200);
    let versions = versions.as_array().unwrap();
    assert_eq!(versions.iter().map(|x| x["version"].as_u64().unwrap()).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(versions[0]["number"], versions[1]["number"]);
    assert_eq!(versions[0]["sha256"], v["archive"]["sha256"]);
    for x in versions {
        let n = x["version"].as_u64().unwrap();
        let pdf = app.http.get(app.url(&path(&format!("form.pdf?version={n}")))).bearer_auth(&hd).send().await.unwrap();
        assert_eq!(pdf.status(), 200);
        let disposition = pdf.headers()["content-disposition"].to_str().unwrap().to_owned();
        assert!(disposition.ends_with(&format!("-v{n}.pdf\"")), "the file names its version: {disposition}");
        let bytes = pdf.bytes().await.unwrap();
        assert_eq!(bytes.len() as u64, x["size"].as_u64().unwrap());
        use sha2::Digest;
        assert_eq!(hex::encode(sha2::Sha256::digest(&bytes)), x["sha256"], "version {n} byte for byte");
    }
    let missing = app.http.get(app.url(&path("form.pdf?version=3"))).bearer_auth(&hd).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    // The search shows the latest version, once.
    let found = app.get(&hd, "/api/v1/archive?q=diperbaiki").await.expect(200);
    assert_eq!(found["total"], 1);
    assert_eq!(found["items"][0]["version"], 2);
    app.get(&hd, "/api/v1/visits/nope/archive").await.error(404, "not_found");
}

pub async fn the_agent_sees_answers_of_similar_archived_visits(app: TestApp) {
    let desk = desk(&app).await;
    let answered = archived(
        &app,
        &desk,
        "Agus",
        form("password", "penyedia", "Akun penyedia terkunci setelah salah kata sandi"),
        Some("Akun dibuka oleh admin agency"),
    )
    .await;
    archived(&app, &desk, "Dedi", form("password", "penyedia", "Akun penyedia terkunci lagi"), None).await;
    let (fo, hd) = (desk.fo.clone(), desk.hd.clone());
    let v = app.post(&fo, "/api/v1/visits", json!({"visitor": {"name": "Rina"}})).await.expect(201);
    let path = |p: &str| format!("/api/v1/visits/{}/{p}", id(&v));
    app.put(&fo, &path("form"), form("password", "penyedia", "Akun saya terkunci, tidak bisa masuk")).await.expect(200);
    let suggestions = app.get(&hd, &path("suggestions")).await.expect(200);
    let list = suggestions.as_array().unwrap();
    assert_eq!(list.len(), 1, "only the answered one: {suggestions}");
    assert_eq!(list[0]["reference"], answered["reference"]);
    assert_eq!(list[0]["answer"], "Akun dibuka oleh admin agency");
    assert_eq!(list[0]["problem"], "Akun penyedia terkunci setelah salah kata sandi");
    assert_eq!(list[0]["outcome"], "answered");
    let own = app.get(&hd, &format!("/api/v1/visits/{}/suggestions", id(&answered))).await.expect(200);
    assert!(own.as_array().unwrap().iter().all(|s| s["id"] != answered["id"]), "never itself");
    app.get(&hd, "/api/v1/visits/nope/suggestions").await.error(404, "not_found");
}
