//! `loket serve`: the first admin, the listener, graceful shutdown.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use loket_domain::auth::Role;
use loket_store::Store;
use loket_web::AppState;
use loket_web::limits::Limits;

/// On first start with no users, creates `admin` (admin and supervisor) with the password from
/// `LOKET_ADMIN_PASSWORD` (checked as every new password is), or a new one printed once, which
/// must be changed at the first sign-in.
async fn ensure_first_admin(store: &dyn Store) -> anyhow::Result<()> {
    if store.count_users().await? > 0 {
        // Users were added before the first start (`loket user add`): no first admin is made.
        if let Some(note) = crate::users::no_admin_note(store).await? {
            println!("{note}");
        }
        return Ok(());
    }
    let (password, generated) = match std::env::var("LOKET_ADMIN_PASSWORD") {
        Ok(p) if !p.is_empty() => (p, false),
        _ => {
            let alphabet: Vec<char> = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789".chars().collect();
            let p: String = (0..16).map(|_| alphabet[rand::random_range(0..alphabet.len())]).collect();
            (p, true)
        }
    };
    let roles = vec![Role::Admin, Role::Supervisor];
    crate::users::add_user(store, "admin", "Administrator", roles, &password, generated)
        .await
        .context("LOKET_ADMIN_PASSWORD")?;
    if generated {
        println!("First start: created user 'admin' with the one-time password: {password}");
        println!("Loket asks for a new password at the first sign-in.");
    } else {
        println!("First start: created user 'admin' with the password from LOKET_ADMIN_PASSWORD");
    }
    Ok(())
}

pub async fn serve(store: Arc<dyn Store>, listen: SocketAddr, limits: Limits) -> anyhow::Result<()> {
    ensure_first_admin(store.as_ref()).await?;
    let listener = tokio::net::TcpListener::bind(listen).await.with_context(|| format!("cannot listen on {listen}"))?;
    let addr = listener.local_addr()?;
    crate::jobs::spawn_office_day_closer(store.clone());
    loket_mail::spawn(store.clone(), loket_mail::EVERY);
    loket_mail::imap::spawn(store.clone());
    let connections = limits.connections.clone();
    let state = AppState::new(store, limits);
    loket_web::watch::spawn(state.clone(), loket_web::watch::EVERY);
    let app = loket_web::app(state.clone());
    println!("Loket listening on http://{addr}");
    tracing::info!(%addr, "listening");
    let shutdown = async move {
        signal().await;
        tracing::info!("shutting down: finishing the requests in flight");
        // Event streams end now; the server lets every other answer finish.
        state.close();
    };
    loket_web::server::serve(listener, app, &connections, shutdown).await.context("server stopped")?;
    tracing::info!("stopped");
    Ok(())
}

/// SIGTERM (a service manager stopping Loket) or Ctrl-C.
async fn signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
