//! Background jobs of a running Loket. Each takes the time as it runs and leaves the rule to the
//! store and the domain.

use std::sync::Arc;
use std::time::Duration;

use loket_store::Store;

/// How often the office day's end is looked for.
const OFFICE_DAY_CHECK: Duration = Duration::from_secs(60);

/// Ends the office days that are over: at start, then every minute, the visits still in line
/// from a day that has closed are closed as not served. (The first call of a new day does the
/// same, so nothing waits on this job to be exact.)
pub fn spawn_office_day_closer(store: Arc<dyn Store>) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(OFFICE_DAY_CHECK);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            match store.end_office_days(chrono::Utc::now()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(visits = n, "office day over: visits still in line closed as not served"),
                Err(e) => tracing::error!(error = %e, "could not close the office day"),
            }
        }
    });
}
