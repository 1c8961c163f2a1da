//! Durability: what was acknowledged survives SIGKILL.

use serde_json::{Value, json};

use crate::{serve, temp_db};

/// The server is killed with SIGKILL right after it answered; after a restart every
/// acknowledged visit and step is there.
async fn acknowledged_writes_survive_a_kill(db: &str) {
    let server = serve(db, Some("sandi-awal-123")).await;
    let token = server.login("admin", "sandi-awal-123").await.expect("admin");
    let form = json!({
        "visitor": {"organization": "CV Maju", "role": "penyedia", "phone": "081234567890"},
        "form": {"category": "password", "description": "Lupa password"}
    });
    let mut acknowledged: Vec<Value> = Vec::new();
    for i in 0..12 {
        let (s, v) = server
            .call("POST", "/api/v1/visits", Some(&token), Some(json!({"visitor": {"name": format!("v{i}")}})))
            .await;
        assert_eq!(s, 201);
        let id = v["id"].as_str().expect("id").to_owned();
        let mut last = v;
        if i % 3 != 0 {
            let (s, v) =
                server.call("PUT", &format!("/api/v1/visits/{id}/form"), Some(&token), Some(form.clone())).await;
            assert_eq!(s, 200);
            let (s, v2) = server.call("POST", &format!("/api/v1/visits/{id}/check"), Some(&token), None).await;
            assert_eq!(s, 200, "{v}");
            last = v2;
        }
        acknowledged.push(last);
    }
    let (s, called) = server.call("POST", "/api/v1/counters/1/call-next", Some(&token), None).await;
    assert_eq!(s, 200);
    let id = called["id"].as_str().expect("id").to_owned();
    server.call("POST", &format!("/api/v1/visits/{id}/start"), Some(&token), None).await;
    let answer = json!({"analysis": "a", "answer": "b"});
    server.call("POST", &format!("/api/v1/visits/{id}/answer"), Some(&token), Some(answer)).await;
    let copy = json!({"via": "printed"});
    let (s, _) = server.call("POST", &format!("/api/v1/visits/{id}/copy"), Some(&token), Some(copy)).await;
    assert_eq!(s, 200);
    let (s, archived) = server.call("POST", &format!("/api/v1/visits/{id}/archive"), Some(&token), None).await;
    assert_eq!(s, 200);
    // Killed the moment the last answer arrived.
    let mut child = server.child;
    child.start_kill().expect("SIGKILL");
    child.wait().await.expect("wait");
    for v in acknowledged.iter_mut() {
        if v["id"] == archived["id"] {
            *v = archived.clone();
        }
    }
    let mut again = serve(db, None).await;
    let token = again.login("admin", "sandi-awal-123").await.expect("admin after restart");
    for before in &acknowledged {
        let id = before["id"].as_str().expect("id");
        let (s, after) = again.call("GET", &format!("/api/v1/visits/{id}"), Some(&token), None).await;
        assert_eq!(s, 200, "visit {id} lost");
        assert_eq!(after["status"], before["status"]);
        assert_eq!(after["queue"]["number"], before["queue"]["number"]);
        assert_eq!(after["archive"], before["archive"]);
        let steps = |v: &Value| {
            v["steps"]
                .as_array()
                .expect("steps")
                .iter()
                .map(|s| (s["step"].clone(), s["finished_at"].clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(steps(&after), steps(before), "steps of {id}");
    }
    again.child.kill().await.expect("kill");
}

#[tokio::test]
async fn acknowledged_writes_survive_a_kill_on_sqlite() {
    let (_dir, db) = temp_db();
    acknowledged_writes_survive_a_kill(&db).await;
}

#[tokio::test]
async fn acknowledged_writes_survive_a_kill_on_postgres() {
    let Some(base) = loket_store::testing::postgres_url() else {
        return;
    };
    let db = loket_store::testing::fresh_postgres_url(&base).await;
    acknowledged_writes_survive_a_kill(&db).await;
}
