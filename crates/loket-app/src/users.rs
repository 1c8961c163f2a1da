//! Staff accounts, for admins: create a user with roles and a first password, change a user's
//! full name and roles, disable and enable. Passwords are in [`crate::auth`].

use loket_domain::auth::{Permission, Role, check_password, parse_full_name, parse_roles, valid_username};
use loket_domain::errors::FieldErrors;
use loket_store::{NewUser, StoreError, User};

use crate::i18n::Lang;
use crate::{App, AppError, AppResult, auth, require};

/// Every staff user, for the admin's list.
pub async fn list(app: &App, staff: &User) -> AppResult<Vec<User>> {
    require(staff, Permission::ManageUsers)?;
    Ok(app.store().users().await?)
}

/// One user, for the admin's page of them.
pub async fn get(app: &App, staff: &User, username: &str) -> AppResult<User> {
    require(staff, Permission::ManageUsers)?;
    Ok(app.store().user(username).await?.ok_or(AppError::NotFound)?.user)
}

/// A new user as typed by the admin.
pub struct NewUserInput {
    pub username: String,
    /// Left empty, the user name stands for it.
    pub full_name: String,
    pub password: String,
    pub roles: Vec<Role>,
}

/// Creates a user: a valid (`username`: `invalid`), free (`username`: `taken`) user name, a full
/// name by the domain's rule, at least one role (`roles`: `missing`), a first password by the
/// domain's rule (`password`: `too_short`, `common`). Every problem is named at once. The user
/// changes the password at their first sign-in.
pub async fn create(app: &App, staff: &User, input: NewUserInput) -> AppResult<()> {
    require(staff, Permission::ManageUsers)?;
    let mut errors = FieldErrors::default();
    if !valid_username(&input.username) {
        errors.add("username", "invalid");
    }
    if input.roles.is_empty() {
        errors.add("roles", "missing");
    }
    let full_name =
        if input.full_name.is_empty() { Ok(input.username.clone()) } else { parse_full_name(&input.full_name) };
    if let Err(e) = &full_name {
        for reason in e.0.values() {
            errors.add("full_name", reason);
        }
    }
    if let Err(reason) = check_password(&input.password) {
        errors.add("password", reason);
    }
    let full_name = match full_name {
        Ok(name) if errors.is_empty() => name,
        _ => return Err(AppError::validation(errors)),
    };
    let user = NewUser {
        username: input.username,
        full_name,
        password_hash: auth::hash(input.password).await?,
        roles: input.roles,
        // The admin chose it: the user changes it at their first sign-in.
        password_change_required: true,
    };
    let username = user.username.clone();
    match app.store().add_user(user, &staff.username, app.now()).await {
        Ok(()) => {}
        Err(StoreError::Duplicate) => return Err(AppError::field("username", "taken")),
        Err(e) => return Err(e.into()),
    }
    tracing::info!(username = ?username, by = ?staff.username, "user created");
    Ok(())
}

/// Replaces a user's full name and roles, every problem named; the last enabled admin keeps the
/// admin role (`Refused::LastAdmin`). The user's sign-ins go on with the new roles.
pub async fn change(app: &App, staff: &User, username: &str, full_name: &str, roles: &[Role]) -> AppResult<User> {
    require(staff, Permission::ManageUsers)?;
    let (full_name, roles) = match (parse_full_name(full_name), parse_roles(roles)) {
        (Ok(n), Ok(r)) => (n, r),
        (n, r) => {
            let mut errors = FieldErrors::default();
            errors.merge(n.err().unwrap_or_default());
            errors.merge(r.err().unwrap_or_default());
            return Err(AppError::validation(errors));
        }
    };
    let user = app
        .store()
        .change_user(username, &full_name, &roles, &staff.username, app.now())
        .await?
        .ok_or(AppError::NotFound)?;
    tracing::info!(?username, roles = ?user.roles, by = ?staff.username, "user changed");
    Ok(user)
}

/// Disables (ending the user's sessions) or enables a user. An admin does not disable themselves
/// (`disabled`: `yourself`); the last enabled admin stays (`Refused::LastAdmin`).
pub async fn set_disabled(app: &App, staff: &User, username: &str, disabled: bool) -> AppResult<()> {
    require(staff, Permission::ManageUsers)?;
    if disabled && username == staff.username {
        return Err(AppError::field("disabled", "yourself"));
    }
    if !app.store().set_disabled(username, disabled, &staff.username, app.now()).await? {
        return Err(AppError::NotFound);
    }
    tracing::info!(?username, disabled, by = ?staff.username, "user disabled or enabled");
    Ok(())
}

/// One's own language, kept with the user so that it follows them to any desk. Every signed-in
/// user may set their own.
pub async fn set_own_language(app: &App, staff: &User, lang: Lang) -> AppResult<()> {
    app.store().set_language(&staff.username, lang.code()).await?;
    Ok(())
}
