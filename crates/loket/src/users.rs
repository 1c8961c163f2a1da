//! `loket user …`: staff accounts from the command line. The change record names the command
//! line's changes as `system`'s.

use anyhow::{Context, bail};
use loket_domain::auth::{PASSWORD_MIN, Role, check_password, parse_full_name, parse_roles, valid_username};
use loket_domain::{Refused, SYSTEM_ACTOR};
use loket_store::{NewUser, Store, StoreError};

use crate::cli::{UserCommand, open};

/// The password from `LOKET_PASSWORD`, else asked for twice on the terminal.
fn password() -> anyhow::Result<String> {
    if let Ok(p) = std::env::var("LOKET_PASSWORD") {
        return Ok(p);
    }
    let first = rpassword::prompt_password("Password: ").context("cannot read the password")?;
    let second = rpassword::prompt_password("Again: ").context("cannot read the password")?;
    if first != second {
        bail!("the passwords differ");
    }
    Ok(first)
}

/// A new password's hash, once the domain's rule took it (at least 12 characters, not common).
async fn checked_hash(password: &str) -> anyhow::Result<String> {
    match check_password(password) {
        Ok(()) => {
            let password = password.to_owned();
            Ok(tokio::task::spawn_blocking(move || password_auth::generate_hash(password)).await?)
        }
        Err("too_short") => bail!("the password needs at least {PASSWORD_MIN} characters"),
        Err(_) => bail!("the password is a commonly used one, easy to guess: choose another"),
    }
}

pub async fn add_user(
    store: &dyn Store,
    name: &str,
    full_name: &str,
    roles: Vec<Role>,
    password: &str,
    change_required: bool,
) -> anyhow::Result<()> {
    if !valid_username(name) {
        bail!(
            "user names are lower-case letters, digits, '.', '_' and '-' (at most 64), and not kiosk, system or line"
        );
    }
    let hash = checked_hash(password).await?;
    let user = NewUser {
        username: name.to_owned(),
        full_name: full_name.to_owned(),
        password_hash: hash,
        roles,
        password_change_required: change_required,
    };
    match store.add_user(user, SYSTEM_ACTOR, chrono::Utc::now()).await {
        Err(StoreError::Duplicate) => bail!("user {name} exists already"),
        other => Ok(other?),
    }
}

/// What to say when no enabled account has the admin role: `loket serve` makes the first admin
/// only on a database without any user, so after a `loket user add` of other roles none is ever
/// made, and nobody can manage the accounts from the pages.
pub async fn no_admin_note(store: &dyn Store) -> anyhow::Result<Option<String>> {
    let users = store.users().await?;
    if users.iter().any(|u| !u.disabled && u.roles.contains(&Role::Admin)) {
        return Ok(None);
    }
    Ok(Some(
        "Note: no account has the admin role. `loket serve` creates the first admin ('admin') only \
         when there are no users at all, so it will not make one now. Add an admin yourself: \
         loket user add NAME --role admin"
            .to_owned(),
    ))
}

pub async fn run(command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Add { name, roles, full_name, database } => {
            let store = open(&database).await?;
            let password = password()?;
            add_user(store.as_ref(), &name, full_name.as_deref().unwrap_or(&name), roles, &password, false).await?;
            println!("user {name} added");
            if let Some(note) = no_admin_note(store.as_ref()).await? {
                println!("{note}");
            }
        }
        UserCommand::List { database } => {
            let store = open(&database).await?;
            for u in store.users().await? {
                let roles: Vec<&str> = u.roles.iter().map(|r| r.as_str()).collect();
                let state = if u.disabled { "  (disabled)" } else { "" };
                println!("{}\t{}\t{}{state}", u.username, u.full_name, roles.join(","));
            }
        }
        UserCommand::Passwd { name, database } => {
            let store = open(&database).await?;
            let password = password()?;
            let hash = checked_hash(&password).await?;
            if !store.set_password(&name, &hash, false, SYSTEM_ACTOR, chrono::Utc::now()).await? {
                bail!("no user {name}");
            }
            println!("password of {name} changed; their sessions have ended");
        }
        UserCommand::Disable { name, database } => {
            let store = open(&database).await?;
            match store.set_disabled(&name, true, SYSTEM_ACTOR, chrono::Utc::now()).await {
                Ok(true) => {}
                Ok(false) => bail!("no user {name}"),
                Err(StoreError::Refused(Refused::LastAdmin)) => {
                    bail!("{name} is the last enabled admin and stays enabled; make another admin first")
                }
                Err(e) => return Err(e.into()),
            }
            println!("user {name} disabled");
        }
        UserCommand::Set { name, roles, full_name, database } => {
            let store = open(&database).await?;
            let Some(current) = store.user(&name).await? else { bail!("no user {name}") };
            let full_name = parse_full_name(full_name.as_deref().unwrap_or(&current.user.full_name))
                .map_err(|_| anyhow::anyhow!("the full name must be one line of at most 100 characters"))?;
            let roles = parse_roles(&roles).map_err(|_| anyhow::anyhow!("give at least one role"))?;
            match store.change_user(&name, &full_name, &roles, SYSTEM_ACTOR, chrono::Utc::now()).await {
                Ok(Some(u)) => {
                    let roles: Vec<&str> = u.roles.iter().map(|r| r.as_str()).collect();
                    println!("user {name}: {} ({})", u.full_name, roles.join(","));
                }
                Ok(None) => bail!("no user {name}"),
                Err(StoreError::Refused(Refused::LastAdmin)) => {
                    bail!("{name} is the last enabled admin and keeps the admin role; make another admin first")
                }
                Err(e) => return Err(e.into()),
            }
        }
        UserCommand::Enable { name, database } => {
            let store = open(&database).await?;
            if !store.set_disabled(&name, false, SYSTEM_ACTOR, chrono::Utc::now()).await? {
                bail!("no user {name}");
            }
            println!("user {name} enabled");
        }
    }
    Ok(())
}
