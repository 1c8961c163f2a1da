//! The admin's screen: the staff accounts and their roles.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::IntoResponse;
use loket_domain::auth::Permission;

use super::session::PageStaff;
use super::{Frame, PageResult};
use crate::AppState;

pub struct UserRow {
    pub username: String,
    pub full_name: String,
    pub roles: String,
    pub disabled: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin.html")]
pub struct AdminPage {
    pub page: Frame,
    pub users: Vec<UserRow>,
}

pub async fn page(State(state): State<AppState>, staff: PageStaff) -> PageResult {
    staff.require(Permission::ManageUsers)?;
    let t = staff.tr();
    let users = state
        .store
        .users()
        .await?
        .into_iter()
        .map(|u| UserRow {
            roles: u
                .roles
                .iter()
                .map(|r| t.get(&format!("role-{}", r.as_str().replace('_', "-"))))
                .collect::<Vec<_>>()
                .join(", "),
            username: u.username,
            full_name: u.full_name,
            disabled: u.disabled,
        })
        .collect();
    let page = Frame::staff(&state, &staff, "admin-title", "/admin").await?;
    Ok(AdminPage { page, users }.into_response())
}
