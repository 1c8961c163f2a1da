//! Signing in, one use case for the API and the pages: the throttle (each attempt counts per
//! address and user name, per address, and per user name before the slow password check; a good
//! one gives it back; see [`crate::limits::LoginThrottle`]), the
//! password check against a dummy hash for unknown names, and a new session stored by its hash.
//! The API hands the token out as a bearer token, the pages put it in a cookie.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use loket_store::{StoreError, User};

use crate::AppState;
use loket_app::auth::{dummy_hash, verify};
use loket_store::token::hash_token as token_hash;

/// A sign-in that worked: the new session's token (only its hash is stored) and its expiry.
pub struct SignedIn {
    pub token: String,
    pub user: User,
    pub expires_at: DateTime<Utc>,
}

/// Why a sign-in did not work.
#[derive(Debug)]
pub enum SignInRefused {
    /// Too many attempts at this user name from this address, or from this address: wait this
    /// long.
    Throttled(Duration),
    /// A wrong user name or password, or a disabled user (one answer for all three).
    Invalid,
    Store(StoreError),
}

impl From<StoreError> for SignInRefused {
    fn from(e: StoreError) -> Self {
        SignInRefused::Store(e)
    }
}

/// Checks a user name and password and starts a session.
pub async fn sign_in(
    state: &AppState,
    username: &str,
    password: String,
    address: IpAddr,
) -> Result<SignedIn, SignInRefused> {
    let username = username.trim();
    let user_key = username.to_lowercase();
    let address_key = address.to_string();
    let throttle = &state.limiters.login;
    let wait = throttle.attempt(&address_key, &user_key, Instant::now()).map_err(SignInRefused::Throttled)?;
    if !wait.is_zero() {
        tokio::time::sleep(wait).await;
    }
    let record = state.store.user(username).await?;
    let hash = record.as_ref().map(|r| r.password_hash.clone()).unwrap_or_else(|| dummy_hash().to_owned());
    let valid = verify(password, hash).await;
    let Some(record) = record.filter(|r| valid && !r.user.disabled) else {
        // `?`: the name is logged as sent, escaped, so that it cannot forge a line of its own.
        tracing::info!(username = ?user_key, address = %address_key, "sign-in refused");
        return Err(SignInRefused::Invalid);
    };
    throttle.succeeded(&address_key, &user_key);
    let (token, expires_at) = start_session(state, &record.user.username).await?;
    tracing::info!(username = ?record.user.username, "signed in");
    Ok(SignedIn { token, user: record.user, expires_at })
}

/// A new session for `username`, lasting the office's `session_minutes`: its token and expiry.
pub async fn start_session(state: &AppState, username: &str) -> Result<(String, DateTime<Utc>), StoreError> {
    let token = loket_store::token::new_token();
    let now = state.now();
    let settings = state.store.settings().await?;
    let expires_at = now + chrono::Duration::minutes(i64::from(settings.office.session_minutes));
    state.store.add_session(&token_hash(&token), username, now, expires_at).await?;
    Ok((token, expires_at))
}
