//! The app's clock: the web layer reads it and gives the time to everything below it.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Duration, Utc};

/// The system time, plus an offset that tests move forward to see time standards pass without
/// waiting for them. Clones share the offset.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::milliseconds(self.offset_ms.load(Ordering::Relaxed))
    }

    /// Moves this clock, and every clone of it, forward by `by`.
    pub fn advance(&self, by: Duration) {
        self.offset_ms.fetch_add(by.num_milliseconds(), Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_advanced_clock_is_ahead_for_every_clone() {
        let clock = Clock::default();
        let shared = clock.clone();
        clock.advance(Duration::minutes(30));
        let ahead = shared.now() - Utc::now();
        assert!(ahead > Duration::minutes(29) && ahead <= Duration::minutes(30), "{ahead}");
    }
}
