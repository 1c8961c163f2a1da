//! In-memory rate limits: fixed windows per key. Each app instance counts for itself.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// At most `max` hits per key in any window of `window`.
pub struct RateLimiter {
    max: u32,
    window: Duration,
    hits: Mutex<HashMap<String, (Instant, u32)>>,
}

impl RateLimiter {
    pub fn new(max: u32, window: Duration) -> Self {
        RateLimiter { max, window, hits: Mutex::new(HashMap::new()) }
    }

    /// Counts a hit; false when the key is over its limit (the hit is then not counted).
    pub fn hit(&self, key: &str, now: Instant) -> bool {
        let Ok(mut hits) = self.hits.lock() else { return true };
        if hits.len() > 10_000 {
            hits.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let entry = hits.entry(key.to_owned()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        if entry.1 >= self.max {
            return false;
        }
        entry.1 += 1;
        true
    }

    /// Takes back one hit of the key (an attempt that turned out well).
    pub fn refund(&self, key: &str) {
        if let Ok(mut hits) = self.hits.lock()
            && let Some(entry) = hits.get_mut(key)
        {
            entry.1 = entry.1.saturating_sub(1);
        }
    }

    /// How long until the key may be counted again; `None` when it may be now.
    pub fn retry_after(&self, key: &str, now: Instant) -> Option<Duration> {
        let hits = self.hits.lock().ok()?;
        let (start, count) = hits.get(key)?;
        let elapsed = now.duration_since(*start);
        (*count >= self.max && elapsed < self.window).then(|| self.window - elapsed)
    }

    pub fn clear(&self, key: &str) {
        if let Ok(mut hits) = self.hits.lock() {
            hits.remove(key);
        }
    }
}

/// The limits an office runs with.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Kiosk forms per client address per minute.
    pub kiosk_per_minute: u32,
    /// Failed sign-ins per user name, and per address, before sign-in is refused for a while.
    pub login_failures_per_user: u32,
    pub login_failures_per_address: u32,
    pub login_lockout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            kiosk_per_minute: 30,
            login_failures_per_user: 5,
            login_failures_per_address: 20,
            login_lockout: Duration::from_secs(15 * 60),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_over_its_limit_waits_for_the_next_window() {
        let limiter = RateLimiter::new(2, Duration::from_secs(60));
        let t = Instant::now();
        assert!(limiter.hit("a", t));
        assert!(limiter.hit("a", t));
        assert!(!limiter.hit("a", t));
        limiter.refund("a");
        assert!(limiter.hit("a", t), "a refunded hit frees a place");
        assert!(!limiter.hit("a", t));
        assert!(limiter.hit("b", t), "keys are counted apart");
        assert_eq!(limiter.retry_after("a", t + Duration::from_secs(20)), Some(Duration::from_secs(40)));
        assert_eq!(limiter.retry_after("b", t), None);
        assert!(limiter.hit("a", t + Duration::from_secs(61)));
    }
}
