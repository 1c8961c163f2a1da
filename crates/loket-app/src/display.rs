//! The public display board: numbers called and served at the counters, the last calls of the
//! office day, how many wait. Numbers and counters only, never a name.

use loket_store::{BoardEntry, DisplayBoard};
use serde::Deserialize;

use crate::{App, AppResult};

/// Which calls a board shows, as its address asks.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DisplayQuery {
    /// A service code; every service when absent.
    pub service: Option<String>,
    /// Counter codes, comma-separated (`1,2`): only their calls; every counter when absent.
    pub counter: Option<String>,
}

impl DisplayQuery {
    pub fn service(&self) -> Option<&str> {
        self.service.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }

    pub fn counters(&self) -> Vec<String> {
        let list = self.counter.as_deref().unwrap_or_default().split(',');
        list.map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned).collect()
    }
}

/// How many of the day's last calls the board shows.
pub const RECENT: usize = 5;

/// The board of one service (or all) and some counters (or all), with the last [`RECENT`] calls
/// of the office day. Public.
pub async fn board(app: &App, service: Option<&str>, counters: &[String]) -> AppResult<DisplayBoard> {
    let mut board = app.store().display(service).await?;
    let settings = app.settings().await?;
    let today = loket_domain::office::office_day(app.now(), settings.zone());
    // Enough of the day's calls that five remain for any counters chosen.
    board.recent = app.store().recent_calls(service, today, 500).await?;
    if !counters.is_empty() {
        let kept = |e: &BoardEntry| counters.contains(&e.counter);
        board.calling.retain(kept);
        board.serving.retain(kept);
        board.recent.retain(kept);
    }
    board.recent.truncate(RECENT);
    Ok(board)
}
