//! The standards watch: a background task that looks at the running steps of every visit that
//! has one, whatever day it was opened, every few seconds, and tells staff streams when one reaches 80% of its
//! standard (`warning`) and when it passes it (`overrun`), once each. The rule is the domain's
//! ([`loket_domain::standards::watch`]); here are its clock and its channel.

use std::time::Duration;

use chrono::{DateTime, Utc};
use loket_domain::Visit;
use loket_domain::standards::StepRecord;
use loket_domain::standards::watch::{StepAlert, Watch};
use loket_store::StoreError;
use tokio::sync::broadcast;

use crate::AppState;
use loket_domain::standards::visit_steps;

/// How often the watch looks, as `loket serve` runs it.
pub const EVERY: Duration = Duration::from_secs(5);

/// The channel of alerts to the staff event streams.
#[derive(Clone)]
pub struct Alerts(broadcast::Sender<StepAlert>);

impl Default for Alerts {
    fn default() -> Self {
        Alerts(broadcast::channel(256).0)
    }
}

impl Alerts {
    pub fn subscribe(&self) -> broadcast::Receiver<StepAlert> {
        self.0.subscribe()
    }
}

/// One look at `now`: sends each alert that is due and returns them. While no staff stream
/// listens nothing is read; steps then still past 80% or 100% are told to the next listener.
pub async fn tick(state: &AppState, watch: &mut Watch, now: DateTime<Utc>) -> Result<Vec<StepAlert>, StoreError> {
    if state.alerts.0.receiver_count() == 0 {
        return Ok(Vec::new());
    }
    let settings = state.store.settings().await?;
    // Every visit with a running step, of any day: a visit answered and never archived, or an
    // escalation mail never sent, still runs days later.
    let visits = state.store.visits_with_running_steps().await?;
    let measured: Vec<(Visit, Vec<StepRecord>)> = visits
        .into_iter()
        .map(|visit| {
            let steps = visit_steps(&visit, &settings, now);
            (visit, steps)
        })
        .collect();
    let due = watch.tick_measured(measured.iter().map(|(v, s)| (v, s.as_slice())), now, &settings.measure());
    for alert in &due {
        // No listener left since the check above: nothing to tell.
        let _ = state.alerts.0.send(alert.clone());
    }
    Ok(due)
}

/// Starts the watch on its own task: a look every `every`, at the app's clock.
pub fn spawn(state: AppState, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut watch = Watch::default();
        let mut interval = tokio::time::interval(every);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            interval.tick().await;
            if let Err(e) = tick(&state, &mut watch, state.now()).await {
                tracing::warn!(error = %e, "standards watch: could not read the running steps");
            }
        }
    })
}
