//! The display board (`/display`, a TV in the waiting room): the numbers being called with their
//! counter, the last five calls, how many wait per service, the office's name, date and clock,
//! and a running text. Numbers and counters only, never a name (SOP step 8).
//!
//! The page is complete as served; its script (`display.js`) keeps it live over the public event
//! stream, reads the whole board again after every reconnect, and speaks each call (the words
//! come with the call, from [`loket_domain::announcement`]).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use loket_store::{BoardEntry, DisplayBoard};

use super::i18n::Tr;
use super::{PageResult, session};
use crate::AppState;
use loket_app::display::{DisplayQuery, RECENT, board};

pub struct CallRow {
    pub number: String,
    pub counter: String,
}

pub struct WaitingRow {
    pub service: String,
    pub name: String,
    pub count: u64,
}

#[derive(Template, WebTemplate)]
#[template(path = "display.html")]
pub struct DisplayPage {
    pub t: Tr,
    pub lang: &'static str,
    pub office_name: String,
    pub running_text: String,
    /// The office's time zone, for the clock (`Asia/Jakarta`).
    pub zone: String,
    pub date: String,
    pub time: String,
    /// The filters as given, for the script's reads of the board.
    pub service: String,
    pub counters: String,
    pub calling: Vec<CallRow>,
    pub recent: Vec<CallRow>,
    pub waiting: Vec<WaitingRow>,
    /// Numbers skipped, called again at the next turn.
    pub skipped: Vec<String>,
}

/// The board's calls as shown: the current calls (newest first) and the last five calls.
pub fn calls(board: &DisplayBoard) -> (Vec<CallRow>, Vec<CallRow>) {
    let row = |e: &BoardEntry| CallRow { number: e.number.clone(), counter: e.counter.clone() };
    (board.calling.iter().map(row).collect(), board.recent.iter().take(RECENT).map(row).collect())
}

pub async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<DisplayQuery>,
) -> PageResult<Response> {
    let t = Tr::new(session::lang(&headers));
    let settings = state.store.settings().await?;
    let counters = q.counters();
    let board = board(&state.app, q.service(), &counters).await?;
    let (calling, recent) = calls(&board);
    let waiting = board
        .waiting
        .iter()
        .map(|(code, count)| WaitingRow {
            service: code.clone(),
            name: settings.office.services.iter().find(|s| &s.code == code).map(|s| s.name.clone()).unwrap_or_default(),
            count: *count,
        })
        .collect();
    let now = state.now().with_timezone(&settings.zone());
    Ok(DisplayPage {
        t,
        lang: t.lang.code(),
        office_name: settings.office.office_name.clone(),
        running_text: settings.office.running_text.clone(),
        zone: settings.office.time_zone.clone(),
        // As the board's script writes them once it runs (`Senin, 7 Desember 2026`, `09.55`).
        date: loket_domain::format::long_date(t.lang, now.date_naive()),
        time: loket_domain::format::clock(t.lang, now.time()),
        service: q.service().unwrap_or_default().to_owned(),
        counters: counters.join(","),
        calling,
        recent,
        waiting,
        skipped: board.skipped.clone(),
    }
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn entry(number: &str, counter: &str, minute: u32) -> BoardEntry {
        BoardEntry {
            number: number.into(),
            counter: counter.into(),
            call_count: 1,
            called_at: Utc.with_ymd_and_hms(2026, 11, 28, 2, minute, 0).unwrap(),
        }
    }

    #[test]
    fn the_board_lists_the_current_calls_and_the_last_five() {
        let board = DisplayBoard {
            calling: vec![entry("A-007", "2", 9), entry("A-006", "1", 8)],
            serving: vec![entry("A-005", "1", 5)],
            recent: [("A-007", "2", 9), ("A-006", "1", 8), ("A-005", "1", 5), ("A-004", "1", 4), ("A-003", "1", 3)]
                .into_iter()
                .map(|(n, c, m)| entry(n, c, m))
                .collect(),
            waiting: Default::default(),
            skipped: Vec::new(),
        };
        let (calling, recent) = calls(&board);
        assert_eq!(calling.iter().map(|c| c.number.as_str()).collect::<Vec<_>>(), ["A-007", "A-006"]);
        let numbers: Vec<&str> = recent.iter().map(|c| c.number.as_str()).collect();
        assert_eq!(numbers, ["A-007", "A-006", "A-005", "A-004", "A-003"]);
    }
}
