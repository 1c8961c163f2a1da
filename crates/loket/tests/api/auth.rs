use std::net::IpAddr;

use loket_domain::auth::Role;
use loket_web::limits::Limits;
use serde_json::{Value, json};

use crate::support::{Backend, PASSWORD, TestApp, spawn_app_with};

pub async fn login_gives_a_token_and_the_user(app: TestApp) {
    let token = app.staff("rina", &[Role::FrontOffice, Role::Helpdesk]).await;
    assert_eq!(token.len(), 64);
    let reply =
        app.send("POST", "/api/v1/auth/login", None, Some(json!({"username": "rina", "password": PASSWORD}))).await;
    let body = reply.expect(200);
    assert_eq!(body["user"], json!({"username": "rina", "full_name": "rina", "roles": ["front_office", "helpdesk"]}));
    let me = app.get(&token, "/api/v1/auth/me").await.expect(200);
    assert_eq!(me["username"], "rina");
}

pub async fn wrong_credentials_are_refused(app: TestApp) {
    app.staff("rina", &[Role::Helpdesk]).await;
    let wrong = json!({"username": "rina", "password": "salah"});
    app.send("POST", "/api/v1/auth/login", None, Some(wrong)).await.error(401, "invalid_credentials");
    let nobody = json!({"username": "siapa", "password": PASSWORD});
    app.send("POST", "/api/v1/auth/login", None, Some(nobody)).await.error(401, "invalid_credentials");
}

pub async fn a_missing_or_bad_token_is_unauthorized(app: TestApp) {
    app.send("GET", "/api/v1/visits", None, None).await.error(401, "unauthorized");
    app.get("not-a-token", "/api/v1/visits").await.error(401, "unauthorized");
    let res = app.http.get(app.url("/api/v1/visits")).header("Authorization", "Basic abc").send().await.unwrap();
    assert_eq!(res.status(), 401);
}

pub async fn logout_ends_the_token(app: TestApp) {
    let token = app.staff("rina", &[Role::Helpdesk]).await;
    app.get(&token, "/api/v1/queue").await.expect(200);
    app.post_empty(&token, "/api/v1/auth/logout").await.expect(204);
    app.get(&token, "/api/v1/queue").await.error(401, "unauthorized");
}

pub async fn a_role_that_does_not_allow_the_call_is_forbidden(app: TestApp) {
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let hd = app.staff("hd", &[Role::Helpdesk]).await;
    let admin = app.staff("adm", &[Role::Admin]).await;
    app.post(&hd, "/api/v1/visits", json!({"visitor": {"name": "Budi"}})).await.error(403, "forbidden");
    app.post_empty(&fo, "/api/v1/counters/1/call-next").await.error(403, "forbidden");
    app.post_empty(&admin, "/api/v1/counters/1/call-next").await.error(403, "forbidden");
    app.get(&fo, "/api/v1/settings/priorities").await.error(403, "forbidden");
    app.get(&hd, "/api/v1/reports/time-standards").await.error(403, "forbidden");
    // A supervisor may do what front office and helpdesk may.
    let sup = app.staff("sup", &[Role::Supervisor]).await;
    app.post(&sup, "/api/v1/visits", json!({"visitor": {"name": "Budi"}})).await.expect(201);
    app.post_empty(&sup, "/api/v1/counters/1/call-next").await.expect(204);
    app.get(&admin, "/api/v1/settings/priorities").await.expect(200);
}

pub async fn disabled_users_lose_their_sessions(app: TestApp) {
    let token = app.staff("rina", &[Role::Helpdesk]).await;
    app.store.set_disabled("rina", true, "admin", chrono::Utc::now()).await.unwrap();
    app.get(&token, "/api/v1/queue").await.error(401, "unauthorized");
    let login = json!({"username": "rina", "password": PASSWORD});
    app.send("POST", "/api/v1/auth/login", None, Some(login)).await.error(401, "invalid_credentials");
}

/// Wrong passwords for a user name (in any case) from one address stop that address, and say
/// when to try again; the user signs in from another address all the same: a guesser cannot lock
/// anyone out.
pub async fn login_is_throttled_per_address_and_user_name(app: TestApp) {
    app.staff("rina", &[Role::Helpdesk]).await;
    for name in ["rina", "RINA", "Rina", "rina", "rinA"] {
        let wrong = json!({"username": name, "password": "salah"});
        app.send("POST", "/api/v1/auth/login", None, Some(wrong)).await.error(401, "invalid_credentials");
    }
    // From the guessing address, even the right password waits now, and is told how long.
    let right = json!({"username": "rina", "password": PASSWORD});
    let url = app.url("/api/v1/auth/login");
    let refused = app.http.post(url.clone()).json(&right).send().await.expect("login");
    assert_eq!(refused.status(), 429);
    let retry_after: u64 =
        refused.headers()["retry-after"].to_str().ok().and_then(|s| s.parse().ok()).expect("Retry-After");
    assert!((14 * 60..=15 * 60).contains(&retry_after), "about the lockout's 15 minutes: {retry_after}");
    let body: Value = refused.json().await.expect("json");
    assert_eq!(body["error"], "rate_limited");
    assert!(body["message"].as_str().is_some_and(|m| m.contains(&format!("{retry_after} s"))), "{body}");
    // From another address the user signs in (slowed a little, never refused).
    let elsewhere = reqwest::Client::builder().local_address(IpAddr::from([127, 0, 0, 2])).build().expect("client");
    let signed_in = elsewhere.post(url).json(&right).send().await.expect("login");
    assert_eq!(signed_in.status(), 200, "the user is not locked out by another's guesses");
}

pub async fn login_is_throttled_per_address(backend: Backend) {
    let limits = Limits { login_failures_per_address: 3, ..Limits::default() };
    let Some(app) = spawn_app_with(backend, limits).await else {
        return;
    };
    for name in ["a", "b", "c"] {
        let wrong = json!({"username": name, "password": "salah"});
        app.send("POST", "/api/v1/auth/login", None, Some(wrong)).await.error(401, "invalid_credentials");
    }
    let another = json!({"username": "d", "password": "salah"});
    app.send("POST", "/api/v1/auth/login", None, Some(another)).await.error(429, "rate_limited");
}

/// Guesses sent all at once are counted before the slow password check: at most the limit of
/// them are checked (once, every one of them was).
pub async fn concurrent_guesses_cannot_pass_the_limit(app: TestApp) {
    app.staff("rina", &[Role::Helpdesk]).await;
    let mut guesses = Vec::new();
    for i in 0..12 {
        let http = app.http.clone();
        let url = app.url("/api/v1/auth/login");
        guesses.push(tokio::spawn(async move {
            let body = json!({"username": "rina", "password": format!("tebakan-{i}")});
            http.post(url).json(&body).send().await.expect("login").status().as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for g in guesses {
        statuses.push(g.await.expect("task"));
    }
    let checked = statuses.iter().filter(|s| **s == 401).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!((checked, refused), (5, 7), "{statuses:?}");
}

/// The role matrix of docs/api.md, over every staff endpoint: each role is either let through
/// (any answer but 401/403) or refused with 403. An admin alone manages settings but reads no
/// visitor's personal data; every role reads the counters.
pub async fn every_endpoint_follows_the_role_matrix(app: TestApp) {
    const FO: u8 = 1;
    const HD: u8 = 2;
    const SUP: u8 = 4;
    const ADM: u8 = 8;
    const AUD: u8 = 16;
    let roles = [
        (FO, app.staff("fo", &[Role::FrontOffice]).await),
        (HD, app.staff("hd", &[Role::Helpdesk]).await),
        (SUP, app.staff("sup", &[Role::Supervisor]).await),
        (ADM, app.staff("adm", &[Role::Admin]).await),
        (AUD, app.staff("aud", &[Role::Auditor]).await),
    ];
    let sup = &roles[2].1;
    let visit = app.post(sup, "/api/v1/visits", json!({"visitor": {"name": "Budi"}})).await.expect(201);
    let id = visit["id"].as_str().unwrap().to_owned();
    let v = |rest: &str| format!("/api/v1/visits/{id}{rest}");
    let setting = |name: &str| format!("/api/v1/settings/{name}");
    let mut settings = Vec::new();
    for name in ["priorities", "time-standards", "counters", "office"] {
        let mut current = app.get(sup, &setting(name)).await.expect(200);
        if name == "priorities" {
            for c in current.as_array_mut().unwrap() {
                c.as_object_mut().unwrap().remove("is_example");
            }
        }
        settings.push((name, current));
    }
    let mut matrix: Vec<(&str, String, Option<serde_json::Value>, u8)> = vec![
        ("POST", "/api/v1/visits".into(), Some(json!({"visitor": {"name": "Siti"}})), FO | SUP),
        ("GET", "/api/v1/visits".into(), None, FO | HD | SUP | AUD),
        ("GET", v(""), None, FO | HD | SUP | AUD),
        ("GET", v("/history"), None, FO | HD | SUP | AUD),
        ("GET", v("/archive/document"), None, FO | HD | SUP | AUD),
        ("GET", v("/form.pdf"), None, FO | HD | SUP | AUD),
        ("GET", v("/archive"), None, FO | HD | SUP | AUD),
        ("GET", v("/suggestions"), None, HD | SUP),
        ("GET", "/api/v1/archive".into(), None, FO | HD | SUP | AUD),
        ("GET", "/api/v1/queue".into(), None, FO | HD | SUP | AUD),
        ("PUT", v("/form"), Some(json!({"form": {}})), FO | SUP),
        ("POST", v("/check"), None, FO | SUP),
        ("POST", v("/status-link"), None, FO | SUP),
        ("POST", v("/ticket/print"), Some(json!({"desk": "Meja 1"})), FO | SUP),
        ("POST", "/api/v1/counters/1/call-next".into(), None, HD | SUP),
        ("POST", v("/recall"), None, HD | SUP),
        ("POST", v("/skip"), None, HD | SUP),
        ("POST", v("/start"), None, HD | SUP),
        ("POST", v("/answer"), Some(json!({"analysis": "a", "answer": "b"})), HD | SUP),
        ("POST", v("/escalate"), Some(json!({"analysis": "a", "channel": "email", "summary": "s"})), HD | SUP),
        ("POST", v("/escalation/answer"), Some(json!({"answer": "b"})), HD | SUP),
        ("POST", v("/copy"), Some(json!({"via": "printed"})), HD | SUP),
        ("POST", v("/archive"), None, HD | SUP),
        ("POST", v("/cancel"), Some(json!({"reason": "pulang"})), FO | HD | SUP),
        ("GET", "/api/v1/reports/time-standards".into(), None, SUP | ADM | AUD),
        ("GET", "/api/v1/reports/ikm".into(), None, SUP | ADM | AUD),
        ("POST", v("/survey-link"), None, HD | SUP),
        ("GET", setting("counters"), None, FO | HD | SUP | ADM | AUD),
        ("GET", setting("mail"), None, SUP | ADM | AUD),
        ("PUT", setting("mail"), Some(json!({"from_address": "loket@lpse.example.go.id"})), SUP | ADM),
        ("GET", "/api/v1/mail".into(), None, HD | SUP),
        ("GET", "/api/v1/mail/unmatched".into(), None, SUP),
        ("POST", "/api/v1/mail/unmatched/none/confirm".into(), None, SUP),
        ("POST", "/api/v1/mail/unmatched/none/dismiss".into(), None, SUP),
    ];
    for (name, current) in settings {
        if name != "counters" {
            matrix.push(("GET", setting(name), None, SUP | ADM | AUD));
        }
        matrix.push(("PUT", setting(name), Some(current), SUP | ADM));
    }
    for (method, path, body, allowed) in matrix {
        for (role, token) in &roles {
            let reply = app.send(method, &path, Some(token), body.clone()).await;
            if allowed & role != 0 {
                assert!(
                    ![401, 403].contains(&reply.status.as_u16()),
                    "{method} {path} refused role {role}: {} {}",
                    reply.status,
                    reply.body
                );
            } else {
                assert_eq!(reply.status, 403, "{method} {path} let role {role} through: {}", reply.body);
            }
        }
    }
}
