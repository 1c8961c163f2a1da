//! The admin's screen: the staff accounts. Create a user with roles and a first password, set a
//! new password, disable and enable; each user's full name and roles are changed on their own
//! page ([`super::admin_user`]).

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use loket_app::AppError;
use loket_app::users::{self, NewUserInput};
use loket_domain::auth::{Permission, Role};
use loket_domain::errors::{FieldErrors, Refused};
use serde::Deserialize;

use super::login::password_problem;
use super::session::{PageForm, PageStaff};
use super::{Frame, PageError, PageResult, see_other};
use crate::AppState;

pub struct UserRow {
    pub username: String,
    pub full_name: String,
    pub roles: String,
    pub disabled: bool,
    pub is_me: bool,
}

pub struct RoleChoice {
    pub value: &'static str,
    pub label: String,
    pub checked: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin.html")]
pub struct AdminPage {
    pub page: Frame,
    pub users: Vec<UserRow>,
    pub roles: Vec<RoleChoice>,
    pub username: String,
    pub full_name: String,
    pub error: Option<String>,
    pub notice: Option<String>,
    pub field_errors: BTreeMap<&'static str, String>,
}

impl AdminPage {
    pub fn field_error(&self, name: &str) -> Option<&str> {
        self.field_errors.get(name).map(String::as_str)
    }
}

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    #[serde(default)]
    done: Option<String>,
}

#[derive(Default)]
struct Typed {
    username: String,
    full_name: String,
    roles: Vec<Role>,
    error: Option<String>,
    field_errors: BTreeMap<&'static str, String>,
}

async fn build(
    state: &AppState,
    staff: &PageStaff,
    typed: Typed,
    notice: Option<String>,
) -> Result<AdminPage, PageError> {
    let t = staff.tr();
    let role_label = |r: Role| t.get(&format!("role-{}", r.as_str().replace('_', "-")));
    let users = users::list(&state.app, &staff.user)
        .await
        .map_err(|e| PageError::from(e).for_staff(staff))?
        .into_iter()
        .map(|u| UserRow {
            roles: u.roles.iter().map(|r| role_label(*r)).collect::<Vec<_>>().join(", "),
            is_me: u.username == staff.user.username,
            username: u.username,
            full_name: u.full_name,
            disabled: u.disabled,
        })
        .collect();
    let roles = Role::ALL
        .into_iter()
        .map(|r| RoleChoice { value: r.as_str(), label: role_label(r), checked: typed.roles.contains(&r) })
        .collect();
    Ok(AdminPage {
        page: Frame::staff(state, staff, "admin-title", "/admin").await?,
        users,
        roles,
        username: typed.username,
        full_name: typed.full_name,
        error: typed.error,
        notice,
        field_errors: typed.field_errors,
    })
}

pub async fn page(State(state): State<AppState>, staff: PageStaff, Query(q): Query<NoticeQuery>) -> PageResult {
    staff.require(Permission::ManageUsers)?;
    let notice = q.done.as_deref().and_then(|d| match d {
        "created" => Some("admin-done-created"),
        "password" => Some("admin-done-password"),
        "disabled" => Some("admin-done-disabled"),
        "enabled" => Some("admin-done-enabled"),
        "changed" => Some("admin-done-changed"),
        _ => None,
    });
    let notice = notice.map(|k| staff.tr().get(k));
    Ok(build(&state, &staff, Typed::default(), notice).await?.into_response())
}

/// A new staff user: a valid, free user name, at least one role, a first password. The form
/// posts `username`, `full_name`, `password` and one `role` field per role ticked.
pub async fn create(
    State(state): State<AppState>,
    PageForm { staff, form }: PageForm<Vec<(String, String)>>,
) -> PageResult {
    staff.require(Permission::ManageUsers)?;
    let t = staff.tr();
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_owned()).unwrap_or_default();
    let password = form.iter().find(|(k, _)| k == "password").map(|(_, v)| v.clone()).unwrap_or_default();
    let roles: Vec<Role> = form.iter().filter(|(k, _)| k == "role").filter_map(|(_, v)| Role::parse(v)).collect();
    let mut typed =
        Typed { username: field("username"), full_name: field("full_name"), roles: roles.clone(), ..Typed::default() };
    let input = NewUserInput { username: typed.username.clone(), full_name: typed.full_name.clone(), password, roles };
    let fields = match users::create(&state.app, &staff.user, input).await {
        Ok(()) => return Ok(see_other("/admin?done=created")),
        Err(AppError::Refused(Refused::Validation(fields))) => fields,
        Err(e) => return Err(PageError::from(e).for_staff(&staff)),
    };
    for (field, reason) in &fields.0 {
        let (field, text) = match (field.as_str(), reason.as_str()) {
            ("username", "taken") => ("username", t.get("admin-username-taken")),
            ("username", _) => ("username", t.get("admin-username-invalid")),
            ("roles", _) => ("roles", t.get("admin-roles-missing")),
            ("full_name", reason) => ("full_name", super::setting_forms::reason_text(t, reason)),
            ("password", reason) => ("password", t.get(password_problem(&FieldErrors::one("password", reason)))),
            _ => continue,
        };
        typed.field_errors.insert(field, text);
    }
    typed.error = Some(t.get("error-validation"));
    let page = build(&state, &staff, typed, None).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    password: String,
}

/// A new password for a user (which ends their sessions); they change it at their next sign-in.
pub async fn reset_password(
    State(state): State<AppState>,
    Path(username): Path<String>,
    PageForm { staff, form }: PageForm<PasswordForm>,
) -> PageResult {
    match loket_app::auth::reset_password(&state.app, &staff.user, &username, form.password).await {
        Ok(()) => Ok(see_other("/admin?done=password")),
        Err(AppError::Refused(Refused::Validation(fields))) => {
            let typed = Typed { error: Some(staff.tr().get(password_problem(&fields))), ..Typed::default() };
            let page = build(&state, &staff, typed, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct DisabledForm {
    #[serde(default)]
    disabled: String,
}

/// Disables (ending the user's sessions) or enables a user. An admin does not disable themselves.
pub async fn set_disabled(
    State(state): State<AppState>,
    Path(username): Path<String>,
    PageForm { staff, form }: PageForm<DisabledForm>,
) -> PageResult {
    staff.require(Permission::ManageUsers)?;
    let disabled = form.disabled == "true";
    let refusal = match users::set_disabled(&state.app, &staff.user, &username, disabled).await {
        Ok(()) => None,
        Err(AppError::Refused(Refused::Validation(_))) => Some("admin-not-yourself"),
        Err(AppError::Refused(Refused::LastAdmin)) => Some("error-last-admin"),
        Err(e) => return Err(PageError::from(e).for_staff(&staff)),
    };
    if let Some(key) = refusal {
        let typed = Typed { error: Some(staff.tr().get(key)), ..Typed::default() };
        let page = build(&state, &staff, typed, None).await?;
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    Ok(see_other(if disabled { "/admin?done=disabled" } else { "/admin?done=enabled" }))
}
