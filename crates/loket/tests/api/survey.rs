//! The satisfaction survey over HTTP: a link per served visit, opened without recording anything,
//! answered once through the API or the page; and the IKM report, checked against a hand
//! computation.

use loket_domain::auth::Role;
use serde_json::{Value, json};

use crate::pages::Browser;
use crate::support::{PASSWORD, TestApp, id};

/// A visit served by `hd` (signed in as `username`): answered, or escalated by e-mail.
async fn served(app: &TestApp, fo: &str, hd: &str, name: &str, escalate: bool) -> Value {
    let v = app.waiting_visit(fo, name).await;
    app.post_empty(hd, "/api/v1/counters/1/call-next").await.expect(200);
    let path = |p: &str| format!("/api/v1/visits/{}/{p}", id(&v));
    app.post_empty(hd, &path("start")).await.expect(200);
    if escalate {
        let body = json!({"analysis": "Galat server", "channel": "email", "summary": "Gagal unggah"});
        app.post(hd, &path("escalate"), body).await.expect(200)
    } else {
        app.post(hd, &path("answer"), json!({"analysis": "Lupa sandi", "answer": "Atur ulang sandi"})).await.expect(200)
    }
}

fn scores(values: [u8; 9]) -> Value {
    let names = [
        "requirements",
        "procedure",
        "completion_time",
        "cost",
        "product",
        "competence",
        "conduct",
        "complaints",
        "facilities",
    ];
    Value::Object(names.iter().zip(values).map(|(n, v)| ((*n).to_owned(), json!(v))).collect())
}

fn token_of(url: &Value) -> String {
    let url = url["survey_url"].as_str().expect("survey_url");
    assert!(url.starts_with("/survey/"), "{url}");
    url.trim_start_matches("/survey/").to_owned()
}

pub async fn a_served_visit_is_surveyed_once_and_opening_the_link_records_nothing(app: TestApp) {
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let hd = app.staff("hd", &[Role::Helpdesk]).await;
    let sup = app.staff("sup", &[Role::Supervisor]).await;
    let v = served(&app, &fo, &hd, "Budi", false).await;
    let waiting = app.waiting_visit(&fo, "Sari").await;
    app.post_empty(&hd, &format!("/api/v1/visits/{}/survey-link", id(&waiting))).await.error(409, "invalid_transition");
    app.post_empty(&hd, "/api/v1/visits/nope/survey-link").await.error(404, "not_found");
    let link = app.post_empty(&hd, &format!("/api/v1/visits/{}/survey-link", id(&v))).await.expect(200);
    let token = token_of(&link);
    let other = token_of(&app.post_empty(&sup, &format!("/api/v1/visits/{}/survey-link", id(&v))).await.expect(200));
    assert_ne!(token, other);

    // Opening the page, twice, records nothing.
    for _ in 0..2 {
        let page = reqwest::get(app.url(&format!("/survey/{token}"))).await.expect("page");
        assert_eq!(page.status(), 200);
        let html = page.text().await.expect("html");
        for text in ["Persyaratan", "Sangat sesuai", "Dikelola dengan baik", "Sopan dan ramah", "Gratis"] {
            assert!(html.contains(text), "{text}");
        }
    }
    let report = app.get(&sup, "/api/v1/reports/ikm").await.expect(200);
    assert_eq!(report["served"], 1);
    assert_eq!(report["ikm"], Value::Null, "no response yet");

    let answer = |token: String, body: Value| {
        let app = &app;
        async move { app.send("POST", &format!("/api/v1/surveys/{token}"), None, Some(body)).await }
    };
    let mut partial = scores([4; 9]);
    partial.as_object_mut().unwrap().remove("cost");
    partial["competence"] = json!(5);
    let refused = answer(token.clone(), json!({"scores": partial})).await.error(422, "validation");
    assert_eq!(refused["fields"]["cost"], "missing", "{refused}");
    assert_eq!(refused["fields"]["competence"], "invalid", "{refused}");
    answer("0".repeat(64), json!({"scores": scores([4; 9])})).await.error(404, "not_found");
    answer("short".into(), json!({"scores": scores([4; 9])})).await.error(404, "not_found");

    let body = json!({
        "scores": scores([4, 3, 2, 4, 3, 4, 4, 1, 3]),
        "comment": "Petugas ramah",
        "respondent": {"age_group": "30_39", "sex": "female", "education": "bachelor", "occupation": "private"}
    });
    assert_eq!(answer(token.clone(), body.clone()).await.expect(201)["recorded"], true);
    answer(token.clone(), body.clone()).await.error(409, "survey_answered");
    answer(other.clone(), body).await.error(409, "survey_answered");
    let used = reqwest::get(app.url(&format!("/survey/{other}"))).await.expect("page");
    assert_eq!(used.status(), 410);
    assert!(used.text().await.expect("html").contains("sudah diisi"));
    let unknown = reqwest::get(app.url(&format!("/survey/{}", "a".repeat(64)))).await.expect("page");
    assert_eq!(unknown.status(), 404);
    assert!(unknown.text().await.expect("html").contains("tidak dikenal"));
}

pub async fn the_survey_page_keeps_every_choice_when_one_is_missing(app: TestApp) {
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    app.staff("hd", &[Role::Helpdesk]).await;
    let hd = app.send("POST", "/api/v1/auth/login", None, Some(json!({"username": "hd", "password": PASSWORD})));
    let hd = hd.await.expect(200)["token"].as_str().unwrap().to_owned();
    let v = served(&app, &fo, &hd, "Budi", false).await;

    // At the counter: the survey button opens a new link on the tablet.
    let mut counter = Browser::new(&app);
    counter.sign_in("hd", PASSWORD).await;
    let page = counter.get("/counter?counter=1").await;
    assert!(page.body.contains("Survei kepuasan"), "{}", page.body);
    let opened =
        counter.post(&format!("/counter/visits/{}/survey", id(&v)), &[("_csrf", &page.csrf()), ("counter", "1")]).await;
    assert_eq!(opened.status, 303);
    let path = opened.location().to_owned();
    assert!(path.starts_with("/survey/"), "{path}");

    let mut tablet = Browser::new(&app);
    let form = tablet.get(&path).await;
    assert_eq!(form.status, 200);
    let csrf = form.csrf();
    let mut fields: Vec<(&str, &str)> = vec![
        ("_csrf", &csrf),
        ("requirements", "4"),
        ("procedure", "3"),
        ("completion_time", "2"),
        ("product", "3"),
        ("competence", "4"),
        ("conduct", "4"),
        ("complaints", "1"),
        ("facilities", "3"),
        ("comment", "Antre <lama>"),
        ("sex", "male"),
    ];
    let refused = tablet.post(&path, &fields).await;
    assert_eq!(refused.status, 422);
    let html = &refused.body;
    assert!(html.contains("id=\"cost-error\""), "the missing element is named");
    assert!(html.contains("id=\"element-cost\"") && html.contains("Pilih salah satu jawaban"));
    for chosen in ["requirements-4", "procedure-3", "completion_time-2", "complaints-1", "facilities-3"] {
        let at = html.find(&format!("id=\"{chosen}\"")).unwrap_or_else(|| panic!("{chosen}"));
        let tag = &html[at..at + html[at..].find('>').unwrap()];
        assert!(tag.contains("checked"), "{chosen} stays chosen: {tag}");
    }
    assert!(
        html.contains("Antre &#60;lama&#62;") || html.contains("Antre &lt;lama&gt;"),
        "the comment is kept, escaped"
    );
    assert!(html.contains("<option value=\"male\" selected>"), "the respondent's choice is kept");
    assert!(!html.contains("id=\"cost-1\" name=\"cost\" value=\"1\" checked"));

    let csrf = refused.csrf();
    fields[0] = ("_csrf", &csrf);
    fields.push(("cost", "4"));
    let thanks = tablet.post(&path, &fields).await;
    assert_eq!(thanks.status, 200, "{}", thanks.body);
    assert!(thanks.body.contains("Terima kasih"));
    let again = tablet.get(&path).await;
    assert_eq!(again.status, 410);

    // A form without its token is refused.
    let forged = Browser::new(&app).post(&path, &[("requirements", "4")]).await;
    assert_eq!(forged.status, 403);
}

pub async fn the_ikm_report_equals_the_hand_computation(app: TestApp) {
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let hd = app.staff("hd", &[Role::Helpdesk]).await;
    let hd2 = app.staff("hd2", &[Role::Helpdesk]).await;
    let sup = app.staff("sup", &[Role::Supervisor]).await;
    let a = served(&app, &fo, &hd, "Budi", false).await;
    app.post(&hd, &format!("/api/v1/visits/{}/copy", id(&a)), json!({"via": "printed"})).await.expect(200);
    app.post_empty(&hd, &format!("/api/v1/visits/{}/archive", id(&a))).await.expect(200);
    let b = served(&app, &fo, &hd2, "Sari", true).await;
    served(&app, &fo, &hd2, "Tono", false).await; // served, never answers the survey
    for (visit, server, values) in [(&a, &hd, [4, 3, 2, 4, 3, 4, 4, 1, 3]), (&b, &hd2, [4; 9])] {
        let token =
            token_of(&app.post_empty(server, &format!("/api/v1/visits/{}/survey-link", id(visit))).await.expect(200));
        let body = json!({"scores": scores(values)});
        app.send("POST", &format!("/api/v1/surveys/{token}"), None, Some(body)).await.expect(201);
    }
    // By hand: the sums per element are 8 7 6 8 7 8 8 5 7; over two responses the averages are
    // 4, 3.5, 3, 4, 3.5, 4, 4, 2.5, 3.5, which add up to 32; 32 / 9 * 25 = 88.888… → 88.89, an A.
    // Three visits were served: a sample of three needs 3 responses (Krejcie-Morgan), so two is
    // too few.
    let report = app.get(&sup, "/api/v1/reports/ikm").await.expect(200);
    let ikm = &report["ikm"];
    assert_eq!(report["served"], 3);
    assert_eq!(ikm["responses"], 2);
    assert_eq!(ikm["index"], 88.89);
    assert_eq!(ikm["grade"], "A");
    assert_eq!(ikm["sample_needed"], 3);
    assert_eq!(ikm["sample_too_small"], true);
    let averages: Vec<f64> =
        ikm["elements"].as_array().unwrap().iter().map(|e| e["average"].as_f64().unwrap()).collect();
    assert_eq!(averages, [4.0, 3.5, 3.0, 4.0, 3.5, 4.0, 4.0, 2.5, 3.5]);
    assert_eq!(ikm["elements"][7]["code"], "U8");
    assert_eq!(ikm["elements"][7]["index"], 62.5);
    // Per staff member: hd's one response sums to 28, 28 / 9 * 25 = 77.78 (B); hd2's all-fours 100
    // (A) out of two visits served.
    let agents = report["by_agent"].as_array().unwrap();
    assert_eq!(agents.len(), 2);
    assert_eq!((agents[0]["key"].as_str(), agents[0]["served"].as_u64()), (Some("hd"), Some(1)));
    assert_eq!((agents[0]["ikm"]["index"].as_f64(), agents[0]["ikm"]["grade"].as_str()), (Some(77.78), Some("B")));
    assert_eq!((agents[1]["key"].as_str(), agents[1]["served"].as_u64()), (Some("hd2"), Some(2)));
    assert_eq!(agents[1]["ikm"]["index"], 100.0);
    assert_eq!(report["by_service"].as_array().unwrap().len(), 1);
    assert_eq!(report["by_service"][0]["served"], 3);

    let hd2_only = app.get(&sup, "/api/v1/reports/ikm?agent=hd2").await.expect(200);
    assert_eq!((hd2_only["served"].as_u64(), hd2_only["ikm"]["index"].as_f64()), (Some(2), Some(100.0)));
    let other_service = app.get(&sup, "/api/v1/reports/ikm?service=ZZ").await.expect(200);
    assert_eq!((other_service["served"].as_u64(), &other_service["ikm"]), (Some(0), &Value::Null));
    let past = app.get(&sup, "/api/v1/reports/ikm?from=2020-01-01&to=2020-01-31").await.expect(200);
    assert_eq!(past["served"], 0);
    app.get(&sup, "/api/v1/reports/ikm?from=kemarin").await.error(422, "validation");
    app.get(&hd, "/api/v1/reports/ikm").await.error(403, "forbidden");

    // The supervisor's page shows the same figures, and its CSV holds the same table.
    let mut browser = Browser::new(&app);
    browser.sign_in("sup", PASSWORD).await;
    let page = browser.get("/supervisor/ikm").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("<span id=\"ikm-index\" class=\"big\">88,89</span>"), "{}", page.body);
    assert!(page.body.contains("Sangat baik"));
    assert!(page.body.contains("id=\"ikm-warning\""), "the sample is too small");
    assert!(page.body.contains("<svg id=\"chart\""));
    assert!(
        page.body.contains("<td>U8</td><td>Penanganan pengaduan, saran dan masukan</td><td>2,50</td><td>62,50</td>")
    );
    // For people: Excel in the Indonesian locale (a byte order mark, `;`, decimal comma).
    let people = browser.get("/supervisor/ikm?format=csv&agent=hd").await;
    assert_eq!(people.status, 200);
    assert!(people.body.starts_with("\u{feff}Nilai IKM\r\n"), "{}", people.body);
    assert!(people.body.contains("\r\n1;1;\"77,78\";"), "{}", people.body);
    // For machines: commas, dot decimals, codes.
    let csv = browser.get("/supervisor/ikm?format=csv-plain&agent=hd").await;
    assert_eq!(csv.status, 200);
    assert!(csv.headers["content-type"].to_str().unwrap().starts_with("text/csv"));
    let rows: Vec<Vec<&str>> = csv.body.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(rows[0][..5], ["scope", "key", "served", "responses", "U1_nrr"]);
    assert_eq!(rows.len(), 4, "period, one service, one staff member: {rows:?}");
    let period = &rows[1];
    assert_eq!((period[0], period[2], period[3]), ("period", "1", "1"));
    assert_eq!(
        period[4..13],
        ["4.0000", "3.0000", "2.0000", "4.0000", "3.0000", "4.0000", "4.0000", "1.0000", "3.0000"]
    );
    assert_eq!((period[13], period[14]), ("77.78", "B"));
    assert_eq!((rows[3][0], rows[3][1]), ("agent", "hd"));
}

pub async fn the_visitors_copy_carries_the_visits_survey_link(app: TestApp) {
    let sup = app.staff("sup", &[Role::Supervisor]).await;
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let hd = app.staff("hd", &[Role::Helpdesk]).await;
    let mut office = app.get(&sup, "/api/v1/settings/office").await.expect(200);
    office["public_url"] = json!("loket.lpse.example.go.id");
    let refused = app.put(&sup, "/api/v1/settings/office", office.clone()).await.error(422, "validation");
    assert_eq!(refused["fields"]["public_url"], "invalid");
    office["public_url"] = json!("https://loket.lpse.example.go.id/");
    app.put(&sup, "/api/v1/settings/office", office).await.expect(200);
    let v = served(&app, &fo, &hd, "Budi", false).await;
    assert!(!v.to_string().contains("survey_token"), "the token is not in the visit's answer");
    let pdf = crate::helpdesk::get_pdf(&app, &hd, &format!("/api/v1/visits/{}/form.pdf", id(&v))).await;
    let text = crate::helpdesk::pdf_text(&pdf);
    let (_, copy) = text.split_once("Salinan untuk pengguna").expect("the copy");
    let (original, _) = text.split_once("Salinan untuk pengguna").expect("the original");
    assert!(!original.contains("/survey/"), "the original for the archive has no link");
    let start = copy.find("https://loket.lpse.example.go.id/survey/").expect("the survey link on the copy");
    let token: String = copy[start..]
        .trim_start_matches("https://loket.lpse.example.go.id/survey/")
        .chars()
        .filter(|c| !c.is_whitespace())
        .take(64)
        .collect();
    assert_eq!(token.len(), 64, "{copy}");
    let page = app.http.get(app.url(&format!("/survey/{token}"))).send().await.expect("survey page");
    assert_eq!(page.status(), 200, "the printed link opens the visit's survey");
    let again = crate::helpdesk::get_pdf(&app, &hd, &format!("/api/v1/visits/{}/form.pdf", id(&v))).await;
    assert_eq!(again, pdf, "one link per visit: the same copy every time");
}
