//! Staff accounts, for admins: a user's full name and roles.

use axum::Json;
use axum::extract::{Path, State};
use loket_app::users;
use loket_domain::auth::Role;
use serde::Deserialize;

use crate::AppState;
use crate::api::auth::UserView;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, Staff};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserChange {
    /// One line, at most 100 characters.
    pub full_name: String,
    /// At least one.
    pub roles: Vec<Role>,
}

/// Replaces a user's full name and roles. The last enabled admin keeps the admin role (409
/// `last_admin`). The user's sign-ins go on with the new roles.
#[utoipa::path(put, path = "/api/v1/users/{username}", tag = "users", request_body = UserChange, security(("bearer" = [])),
    params(("username" = String, Path, description = "The user name")),
    responses((status = 200, body = UserView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn change(
    State(state): State<AppState>,
    staff: Staff,
    Path(username): Path<String>,
    ApiJson(req): ApiJson<UserChange>,
) -> ApiResult<Json<UserView>> {
    let user = users::change(&state.app, &staff.user, &username, &req.full_name, &req.roles).await?;
    Ok(Json(UserView { username: user.username, full_name: user.full_name, roles: user.roles }))
}
