//! The change record as it is read: every change of the settings, the days off and the staff
//! accounts, newest first, for supervisors, admins and auditors.

use loket_domain::FieldErrors;
use loket_domain::auth::Permission;
use loket_domain::change_record::{ChangeKind, ChangeRecord};
use loket_domain::office::day_start;
use loket_store::{ChangeFilter, User};

use crate::visits::parse_day;
use crate::{App, AppError, AppResult, require};

/// The furthest back a list may start: far beyond any office's record, and within what the
/// databases' integers hold.
pub const OFFSET_MAX: u32 = 1_000_000;

/// The most changes one list answers; `offset` pages further back.
pub const LISTED: u32 = 500;

/// What a reader asked for, as typed: a kind (`priorities`, `day_off`, …), the first and last
/// office day (`YYYY-MM-DD`, in the office's time zone), and how many of the newest to skip.
#[derive(Debug, Clone, Default)]
pub struct Asked<'a> {
    pub kind: Option<&'a str>,
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
    pub offset: u32,
}

/// One list of changes, newest first, and whether older ones match too.
#[derive(Debug, Clone, Default)]
pub struct Changes {
    pub changes: Vec<ChangeRecord>,
    pub more: bool,
}

/// The changes asked for, at most [`LISTED`]. A kind or a day that is not one is named
/// (`kind`, `from`, `to`: `invalid`), every problem at once; `to` before `from` lists nothing.
pub async fn list(app: &App, staff: &User, asked: Asked<'_>) -> AppResult<Changes> {
    require(staff, Permission::ReadSettings)?;
    let mut errors = FieldErrors::default();
    let kind = match asked.kind.map(str::trim).filter(|k| !k.is_empty()) {
        None => None,
        Some(k) => {
            let kind = ChangeKind::parse(k);
            if kind.is_none() {
                errors.add("kind", "invalid");
            }
            kind
        }
    };
    if asked.offset > OFFSET_MAX {
        errors.add("offset", "invalid");
    }
    let from = parse_day(asked.from, "from", &mut errors);
    let to = parse_day(asked.to, "to", &mut errors);
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    let zone = app.settings().await?.zone();
    let filter = ChangeFilter {
        kind,
        from: from.map(|d| day_start(d, zone)),
        until: to.map(|d| day_start(d.succ_opt().unwrap_or(d), zone)),
        limit: LISTED + 1,
        offset: asked.offset,
    };
    let mut changes = app.store().changes(&filter).await?;
    let more = changes.len() > LISTED as usize;
    changes.truncate(LISTED as usize);
    Ok(Changes { changes, more })
}
