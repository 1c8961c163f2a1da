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
use serde::Deserialize;

use super::i18n::Tr;
use super::{PageResult, session};
use crate::AppState;

/// `?service=A` shows one service; `?counter=1,2` the calls of these counters only.
#[derive(Deserialize, Default)]
pub struct BoardQuery {
    #[serde(default)]
    pub service: Option<String>,
    #[serde(default)]
    pub counter: Option<String>,
}

impl BoardQuery {
    fn service(&self) -> Option<&str> {
        self.service.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }

    fn counters(&self) -> Vec<String> {
        self.counter
            .as_deref()
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect()
    }
}

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
}

/// How many calls the board lists under the current ones.
pub const RECENT: usize = 5;

/// The board's calls as shown: the current calls (newest first) and the last five calls, both
/// kept to the chosen counters.
pub fn calls(board: &DisplayBoard, counters: &[String]) -> (Vec<CallRow>, Vec<CallRow>) {
    let shown = |e: &&BoardEntry| counters.is_empty() || counters.contains(&e.counter);
    let row = |e: &BoardEntry| CallRow { number: e.number.clone(), counter: e.counter.clone() };
    let calling = board.calling.iter().filter(shown).map(row).collect();
    let mut all: Vec<&BoardEntry> = board.calling.iter().chain(&board.serving).filter(shown).collect();
    all.sort_by_key(|e| std::cmp::Reverse(e.called_at));
    let recent = all.into_iter().take(RECENT).map(row).collect();
    (calling, recent)
}

pub async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<BoardQuery>,
) -> PageResult<Response> {
    let t = Tr::new(session::lang(&headers));
    let settings = state.store.settings().await?;
    let board = state.store.display(q.service()).await?;
    let counters = q.counters();
    let (calling, recent) = calls(&board, &counters);
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
        date: now.format("%d-%m-%Y").to_string(),
        time: now.format("%H:%M").to_string(),
        service: q.service().unwrap_or_default().to_owned(),
        counters: counters.join(","),
        calling,
        recent,
        waiting,
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
    fn the_last_five_calls_are_the_newest_of_the_chosen_counters() {
        let board = DisplayBoard {
            calling: vec![entry("A-007", "2", 9), entry("A-006", "1", 8)],
            serving: (1..=5).map(|i| entry(&format!("A-00{i}"), "1", i)).collect(),
            waiting: Default::default(),
        };
        let (calling, recent) = calls(&board, &[]);
        assert_eq!(calling.iter().map(|c| c.number.as_str()).collect::<Vec<_>>(), ["A-007", "A-006"]);
        let numbers: Vec<&str> = recent.iter().map(|c| c.number.as_str()).collect();
        assert_eq!(numbers, ["A-007", "A-006", "A-005", "A-004", "A-003"]);
        let (calling, recent) = calls(&board, &["2".to_owned()]);
        assert_eq!(calling.len(), 1);
        assert_eq!(recent.len(), 1);
    }
}
