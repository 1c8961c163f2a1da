//! Passwords: verified one at a time, and as slowly for a user who does not exist.

use std::sync::OnceLock;

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
