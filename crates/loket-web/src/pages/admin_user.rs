//! The admin changes an existing user's full name and roles. The last enabled admin keeps the
//! admin role: the refusal is said on the page, and what was ticked stays.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use loket_app::{AppError, users};
use loket_domain::Refused;
use loket_domain::auth::{Permission, Role};

use super::admin::RoleChoice;
use super::session::{PageForm, PageStaff};
use super::setting_forms::reason_text;
use super::{Frame, PageError, PageResult, see_other};
use crate::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "admin_user.html")]
pub struct UserPage {
    pub page: Frame,
    pub username: String,
    pub full_name: String,
    pub roles: Vec<RoleChoice>,
    pub error: Option<String>,
    pub field_errors: BTreeMap<String, String>,
}

impl UserPage {
    pub fn field_error(&self, name: &str) -> Option<&str> {
        self.field_errors.get(name).map(String::as_str)
    }
}

async fn build(
    state: &AppState,
    staff: &PageStaff,
    username: &str,
    full_name: String,
    roles: &[Role],
    error: Option<String>,
    field_errors: BTreeMap<String, String>,
) -> Result<UserPage, PageError> {
    let t = staff.tr();
    let mut page = Frame::staff(state, staff, "admin-user-title", "/admin").await?;
    page.title = t.with("admin-user-title-of", "user", username);
    Ok(UserPage {
        page,
        username: username.to_owned(),
        full_name,
        roles: Role::ALL
            .into_iter()
            .map(|r| RoleChoice {
                value: r.as_str(),
                label: t.get(&format!("role-{}", r.as_str().replace('_', "-"))),
                checked: roles.contains(&r),
            })
            .collect(),
        error,
        field_errors,
    })
}

pub async fn page(State(state): State<AppState>, staff: PageStaff, Path(username): Path<String>) -> PageResult {
    staff.require(Permission::ManageUsers)?;
    let user =
        users::get(&state.app, &staff.user, &username).await.map_err(|e| PageError::from(e).for_staff(&staff))?;
    let page = build(&state, &staff, &user.username, user.full_name, &user.roles, None, BTreeMap::new()).await?;
    Ok(page.into_response())
}

/// Saves the full name and the roles ticked (`full_name`, one `role` field per role).
pub async fn save(
    State(state): State<AppState>,
    Path(username): Path<String>,
    PageForm { staff, form }: PageForm<Vec<(String, String)>>,
) -> PageResult {
    staff.require(Permission::ManageUsers)?;
    let t = staff.tr();
    let typed_name = form.iter().find(|(k, _)| k == "full_name").map(|(_, v)| v.clone()).unwrap_or_default();
    let typed_roles: Vec<Role> = form.iter().filter(|(k, _)| k == "role").filter_map(|(_, v)| Role::parse(v)).collect();
    let mut field_errors = BTreeMap::new();
    let (status, error) = match users::change(&state.app, &staff.user, &username, &typed_name, &typed_roles).await {
        Ok(_) => return Ok(see_other("/admin?done=changed")),
        Err(AppError::Refused(Refused::LastAdmin)) => (StatusCode::CONFLICT, t.get("error-last-admin")),
        Err(AppError::Refused(Refused::Validation(fields))) => {
            for (k, v) in &fields.0 {
                field_errors.insert(k.clone(), reason_text(t, v));
            }
            (StatusCode::UNPROCESSABLE_ENTITY, t.get("error-validation"))
        }
        Err(e) => return Err(PageError::from(e).for_staff(&staff)),
    };
    let page = build(&state, &staff, &username, typed_name, &typed_roles, Some(error), field_errors).await?;
    Ok((status, page).into_response())
}
