//! Staff sign-in with bearer tokens that expire and stop working at sign-out. Failed sign-ins
//! are counted per user name and per address; past the limit, sign-in answers 429 for a while.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::DateTime;
use loket_domain::auth::Role;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ClientIp, Staff};
use crate::signin::{self, SignInRefused, SignedIn};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct UserView {
    pub username: String,
    pub full_name: String,
    pub roles: Vec<Role>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct LoginResponse {
    pub token: String,
    pub user: UserView,
    pub expires_at: DateTime<chrono::Utc>,
    /// The password was chosen by someone else (the first admin's printed one, or one an admin
    /// set): every other call answers 403 `password_change_required` until
    /// `POST /api/v1/auth/password`.
    pub password_change_required: bool,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current: String,
    pub new: String,
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<Json<LoginResponse>> {
    let signed_in = signin::sign_in(&state, &req.username, req.password, ip).await.map_err(|e| match e {
        SignInRefused::Throttled(retry_after) => ApiError::RateLimited { retry_after },
        SignInRefused::Invalid => ApiError::InvalidCredentials,
        SignInRefused::Store(e) => ApiError::from(e),
    })?;
    let SignedIn { token, user: u, expires_at } = signed_in;
    Ok(Json(LoginResponse {
        token,
        password_change_required: u.password_change_required,
        user: UserView { username: u.username, full_name: u.full_name, roles: u.roles },
        expires_at,
    }))
}

/// One's own new password: the current one, and a new one of at least 12 characters that is not
/// a common password. Every session of the user ends, this one too: the answer is a new sign-in.
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth", request_body = PasswordChange, security(("bearer" = [])),
    responses((status = 200, body = LoginResponse), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn change_password(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(req): ApiJson<PasswordChange>,
) -> ApiResult<Json<LoginResponse>> {
    loket_app::auth::change_own_password(&state.app, &staff.user, req.current, req.new).await?;
    let (token, expires_at) = signin::start_session(&state, &staff.user.username).await?;
    let u = staff.user;
    Ok(Json(LoginResponse {
        token,
        password_change_required: false,
        user: UserView { username: u.username, full_name: u.full_name, roles: u.roles },
        expires_at,
    }))
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn logout(State(state): State<AppState>, staff: Staff) -> ApiResult<StatusCode> {
    loket_app::auth::sign_out(&state.app, &staff.token_hash).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in user.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = UserView), (status = 401, body = ErrorBody)))]
pub async fn me(staff: Staff) -> Json<UserView> {
    let u = staff.user;
    Json(UserView { username: u.username, full_name: u.full_name, roles: u.roles })
}
