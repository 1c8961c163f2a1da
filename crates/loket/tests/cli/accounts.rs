//! First start, staff accounts, and start-up failures.

use serde_json::json;

use crate::{loket, serve, temp_db};

#[tokio::test]
async fn first_start_creates_an_admin_with_a_one_time_password() {
    let (_dir, db) = temp_db();
    let mut server = serve(&db, None).await;
    let line = server.printed.iter().find(|l| l.contains("one-time password")).expect("the password is printed");
    let password = line.rsplit(' ').next().expect("password");
    assert!(password.len() >= 16);
    let token = server.login("admin", password).await.expect("the printed password signs in");
    // A printed password is changed before anything else.
    let (status, refused) = server.call("GET", "/api/v1/auth/me", Some(&token), None).await;
    assert_eq!((status, refused["error"].as_str()), (403, Some("password_change_required")), "{refused}");
    let weak = json!({"current": password, "new": "123456789012"});
    let (status, refused) = server.call("POST", "/api/v1/auth/password", Some(&token), Some(weak)).await;
    assert_eq!((status, refused["fields"]["new"].as_str()), (422, Some("common")), "{refused}");
    let change = json!({"current": password, "new": "sandi-admin-baru-7"});
    let (status, changed) = server.call("POST", "/api/v1/auth/password", Some(&token), Some(change)).await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["password_change_required"], false);
    let (status, _) = server.call("GET", "/api/v1/auth/me", Some(&token), None).await;
    assert_eq!(status, 401, "the old sign-in ended with the change");
    let token = changed["token"].as_str().expect("a new sign-in").to_owned();
    let (status, me) = server.call("GET", "/api/v1/auth/me", Some(&token), None).await;
    assert_eq!(status, 200);
    assert_eq!(me["roles"], json!(["admin", "supervisor"]));
    // A supervisor runs the whole SOP: the first admin can try Loket at once.
    let (status, _) =
        server.call("POST", "/api/v1/visits", Some(&token), Some(json!({"visitor": {"name": "Coba"}}))).await;
    assert_eq!(status, 201);
    server.child.kill().await.expect("kill");
    // A second start creates nobody and prints no password.
    let mut again = serve(&db, None).await;
    assert!(again.printed.iter().all(|l| !l.contains("password")), "{:?}", again.printed);
    again.child.kill().await.expect("kill");
}

#[tokio::test]
async fn the_admin_password_can_come_from_the_environment() {
    let (_dir, db) = temp_db();
    // Checked as every new password is: the server does not start with a weak one.
    let mut weak = loket(&["serve", "--listen", "127.0.0.1:0", "--database", &db]);
    let out = weak.env("LOKET_ADMIN_PASSWORD", "password1234").output().await.expect("run loket");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(err.contains("LOKET_ADMIN_PASSWORD") && err.contains("commonly used"), "{err}");
    let mut server = serve(&db, Some("sandi-awal-loket-1")).await;
    assert!(server.login("admin", "sandi-awal-loket-1").await.is_some());
    server.child.kill().await.expect("kill");
}

async fn run(args: &[&str], password: Option<&str>) -> (bool, String, String) {
    let mut cmd = loket(args);
    if let Some(p) = password {
        cmd.env("LOKET_PASSWORD", p);
    }
    let out = cmd.output().await.expect("run loket");
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

#[tokio::test]
async fn staff_accounts_are_managed_from_the_command_line() {
    let (_dir, db) = temp_db();
    let (ok, added, err) = run(
        &[
            "user",
            "add",
            "rina",
            "--role",
            "front_office",
            "--role",
            "helpdesk",
            "--full-name",
            "Rina Wati",
            "--database",
            &db,
        ],
        Some("rahasia-loket-123"),
    )
    .await;
    assert!(ok, "{err}");
    // Added before the first start: `serve` will make no first admin, and that is said.
    assert!(added.contains("no account has the admin role") && added.contains("--role admin"), "{added}");
    let (ok, out, _) = run(&["user", "list", "--database", &db], None).await;
    assert!(ok);
    assert!(out.contains("rina\tRina Wati\tfront_office,helpdesk"), "{out}");
    let (ok, _, err) =
        run(&["user", "add", "rina", "--role", "helpdesk", "--database", &db], Some("rahasia-loket-123")).await;
    assert!(!ok && err.contains("exists"), "{err}");
    let (ok, _, err) =
        run(&["user", "add", "budi", "--role", "boss", "--database", &db], Some("rahasia-loket-123")).await;
    assert!(!ok && err.contains("unknown role"), "{err}");
    let (ok, _, err) = run(&["user", "add", "budi", "--role", "helpdesk", "--database", &db], Some("short")).await;
    assert!(!ok && err.contains("12 characters"), "{err}");
    let (ok, _, err) =
        run(&["user", "add", "budi", "--role", "helpdesk", "--database", &db], Some("qwertyuiop123")).await;
    assert!(!ok && err.contains("commonly used"), "{err}");

    let mut server = serve(&db, Some("sandi-awal-loket-1")).await;
    assert!(server.printed.iter().any(|l| l.contains("no account has the admin role")), "{:?}", server.printed);
    let token = server.login("rina", "rahasia-loket-123").await.expect("rina signs in");
    let (ok, _, _) = run(&["user", "passwd", "rina", "--database", &db], Some("sandi-baru-loket-456")).await;
    assert!(ok);
    assert_eq!(server.call("GET", "/api/v1/queue", Some(&token), None).await.0, 401, "a new password ends sessions");
    assert!(server.login("rina", "rahasia-loket-123").await.is_none());
    let token = server.login("rina", "sandi-baru-loket-456").await.expect("new password");
    let (ok, _, _) = run(&["user", "disable", "rina", "--database", &db], None).await;
    assert!(ok);
    assert_eq!(server.call("GET", "/api/v1/queue", Some(&token), None).await.0, 401, "disabling ends sessions");
    let (ok, out, _) = run(&["user", "list", "--database", &db], None).await;
    assert!(ok && out.contains("(disabled)"));
    let (ok, _, err) = run(&["user", "disable", "nobody", "--database", &db], None).await;
    assert!(!ok && err.contains("no user nobody"));
    let (ok, out, err) =
        run(&["user", "set", "rina", "--role", "supervisor", "--full-name", "Rina W.", "--database", &db], None).await;
    assert!(ok && out.contains("Rina W. (supervisor)"), "{out}{err}");
    let (ok, out, err) =
        run(&["user", "add", "boss", "--role", "admin", "--database", &db], Some("rahasia-loket-123")).await;
    assert!(ok, "{err}");
    assert!(!out.contains("admin role"), "an admin now exists: {out}");
    let (ok, _, err) = run(&["user", "set", "boss", "--role", "supervisor", "--database", &db], None).await;
    assert!(!ok && err.contains("last enabled admin"), "{err}");
    let (ok, _, err) = run(&["user", "disable", "boss", "--database", &db], None).await;
    assert!(!ok && err.contains("last enabled admin"), "{err}");
    let (ok, _, err) = run(&["user", "set", "nobody", "--role", "helpdesk", "--database", &db], None).await;
    assert!(!ok && err.contains("no user nobody"), "{err}");
    server.child.kill().await.expect("kill");
}

/// Each start-up failure is one clear line and a non-zero exit, never a panic.
#[tokio::test]
async fn start_up_failures_are_one_clear_line() {
    let cases: [(&[&str], &str); 4] = [
        (&["migrate", "--database", "mysql://localhost/loket"], "unsupported database URL"),
        (&["migrate", "--database", "postgres://loket@127.0.0.1:1/loket"], "Connection refused"),
        (&["migrate", "--database", "sqlite:///no/such/folder/loket.db"], "unable to open database file"),
        (&["migrate", "--database", "sqlite::memory:"], "in-memory SQLite database is not supported"),
    ];
    for (args, expected) in cases {
        let (ok, _, err) = run(args, None).await;
        assert!(!ok);
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 1, "{err}");
        assert!(lines[0].starts_with("error: ") && lines[0].contains(expected), "{err}");
        assert!(!err.contains("panicked"));
    }
    let (_dir, db) = temp_db();
    let mut server = serve(&db, Some("sandi-awal-loket-1")).await;
    let addr = server.base.trim_start_matches("http://").to_owned();
    let (ok, _, err) = run(&["serve", "--listen", &addr, "--database", &db], None).await;
    assert!(!ok);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(&format!("cannot listen on {addr}")) && err.contains("in use"), "{err}");
    server.child.kill().await.expect("kill");
}
