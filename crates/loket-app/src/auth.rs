//! Passwords: verified and hashed one at a time, and as slowly for a user who does not exist;
//! one's own new password, and the one an admin sets.

use std::sync::OnceLock;

use loket_domain::auth::{Permission, check_password};
use loket_domain::errors::FieldErrors;
use loket_store::User;

use crate::{App, AppError, AppResult, require};

/// A hash to verify against when the user does not exist, so that the answer takes as long.
pub fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| password_auth::generate_hash("loket-no-such-user"))
}

/// Argon2 takes about 19 MiB per hash: one at a time keeps a burst of sign-ins (the morning
/// shift) from multiplying the server's memory, and a flood of guesses from taking every core.
static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);

/// Whether `password` matches `hash`.
pub async fn verify(password: String, hash: String) -> bool {
    let Ok(_permit) = HASHING.acquire().await else {
        return false;
    };
    tokio::task::spawn_blocking(move || password_auth::verify_password(password.as_bytes(), &hash).is_ok())
        .await
        .unwrap_or(false)
}

/// A new password's hash (Argon2), one at a time as [`verify`] is, off the async threads.
pub async fn hash(password: String) -> AppResult<String> {
    let Ok(_permit) = HASHING.acquire().await else {
        return Err(AppError::internal("the password hashing queue is closed"));
    };
    tokio::task::spawn_blocking(move || password_auth::generate_hash(password))
        .await
        .map_err(|e| AppError::internal(format!("password hashing: {e}")))
}

/// One's own new password: the current one verified (`current`: `invalid`), the new one by the
/// domain's rule (`new`: `too_short`, `common`) and not the current one again (`new`:
/// `unchanged`). It ends every session of the user (the caller starts a new one) and clears a
/// required change.
pub async fn change_own_password(app: &App, staff: &User, current: String, new: String) -> AppResult<()> {
    let record = app.store().user(&staff.username).await?.ok_or(AppError::NotFound)?;
    let mut errors = FieldErrors::default();
    let same = current == new;
    if !verify(current, record.password_hash).await {
        errors.add("current", "invalid");
    }
    if let Err(reason) = check_password(&new) {
        errors.add("new", reason);
    } else if same {
        errors.add("new", "unchanged");
    }
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    app.store().set_password(&staff.username, &hash(new).await?, false, &staff.username, app.now()).await?;
    tracing::info!(username = ?staff.username, "password changed");
    Ok(())
}

/// A password an admin sets for a user (`password`: `too_short`, `common`): it ends the user's
/// sessions, and the user changes it at their next sign-in.
pub async fn reset_password(app: &App, staff: &User, username: &str, password: String) -> AppResult<()> {
    require(staff, Permission::ManageUsers)?;
    check_password(&password).map_err(|reason| AppError::validation(FieldErrors::one("password", reason)))?;
    if !app.store().set_password(username, &hash(password).await?, true, &staff.username, app.now()).await? {
        return Err(AppError::NotFound);
    }
    tracing::info!(?username, by = ?staff.username, "password set");
    Ok(())
}

/// Signs out: the session of `token_hash` (the signed-in user's own) ends.
pub async fn sign_out(app: &App, token_hash: &str) -> AppResult<()> {
    Ok(app.store().end_session(token_hash).await?)
}
