//! In-memory rate limits: fixed windows per key. Each app instance counts for itself.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
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

    /// Counts a hit; when the key is over its limit, the hit is not counted and the answer is
    /// how long until its window ends (for `Retry-After`).
    pub fn hit(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let mut hits = self.counts();
        if hits.len() > 10_000 {
            hits.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let entry = hits.entry(key.to_owned()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        if entry.1 >= self.max {
            return Err(self.window.saturating_sub(now.duration_since(entry.0)));
        }
        entry.1 += 1;
        Ok(())
    }

    /// Takes back one hit of the key (an attempt that turned out well).
    pub fn refund(&self, key: &str) {
        if let Some(entry) = self.counts().get_mut(key) {
            entry.1 = entry.1.saturating_sub(1);
        }
    }

    /// Counts a hit with no limit, and answers how many the key had in its window before it.
    pub fn tally(&self, key: &str, now: Instant) -> u32 {
        let mut hits = self.counts();
        if hits.len() > 10_000 {
            hits.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let entry = hits.entry(key.to_owned()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        let before = entry.1;
        entry.1 = entry.1.saturating_add(1);
        before
    }

    pub fn clear(&self, key: &str) {
        self.counts().remove(key);
    }

    /// The counts. A panic elsewhere while they were held cannot have left a count half-written,
    /// so a poisoned lock is taken over: the limit holds (a skipped limit would be an open door).
    fn counts(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Instant, u32)>> {
        self.hits.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Sign-in attempts, counted so that a guesser is stopped where they guess and nobody else is
/// locked out by them: per address and user name (refused past
/// [`Limits::login_failures_per_user`]), per address over every name (refused past
/// [`Limits::login_failures_per_address`]), and per user name from anywhere, never refused: each
/// attempt past the same allowance waits longer before its check ([`slowdown`]). A user whose
/// name is being guessed from elsewhere still signs in, a little later.
pub struct LoginThrottle {
    pair: RateLimiter,
    address: RateLimiter,
    user: RateLimiter,
    allowance: u32,
    slowdown_max: Duration,
}

impl LoginThrottle {
    pub fn new(limits: &Limits) -> Self {
        LoginThrottle {
            pair: RateLimiter::new(limits.login_failures_per_user, limits.login_lockout),
            address: RateLimiter::new(limits.login_failures_per_address, limits.login_lockout),
            user: RateLimiter::new(u32::MAX, limits.login_lockout),
            allowance: limits.login_failures_per_user,
            slowdown_max: limits.login_slowdown_max,
        }
    }

    /// Counts an attempt before its (slow) check, so that concurrent guesses cannot slip past a
    /// limit. `Ok`: how long the attempt waits before its check; `Err`: refused, and how long
    /// until this address may try again.
    pub fn attempt(&self, address: &str, user: &str, now: Instant) -> Result<Duration, Duration> {
        let pair = pair_key(address, user);
        self.pair.hit(&pair, now)?;
        if let Err(wait) = self.address.hit(address, now) {
            self.pair.refund(&pair);
            return Err(wait);
        }
        Ok(slowdown(self.user.tally(user, now), self.allowance, self.slowdown_max))
    }

    /// A sign-in that worked gives its attempt back, and clears its address's guesses at the
    /// name; the guesses at the name from elsewhere still count.
    pub fn succeeded(&self, address: &str, user: &str) {
        self.pair.clear(&pair_key(address, user));
        self.address.refund(address);
        self.user.refund(user);
    }
}

fn pair_key(address: &str, user: &str) -> String {
    format!("{address} {user}")
}

/// How long an attempt at a user name waits when `earlier` attempts at it came first in the
/// window: nothing within the allowance, then 250 ms, doubling with each attempt, at most `max`.
pub fn slowdown(earlier: u32, allowance: u32, max: Duration) -> Duration {
    let Some(over) = earlier.checked_sub(allowance) else {
        return Duration::ZERO;
    };
    let factor = 1u32.checked_shl(over).unwrap_or(u32::MAX);
    Duration::from_millis(250).saturating_mul(factor).min(max)
}

/// The limits an office runs with.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Kiosk forms per client address per minute.
    pub kiosk_per_minute: u32,
    /// Returning-visitor look-ups per staff member per minute: enough for a clerk typing (the
    /// front office's script asks as they type), too few to read the guest book out by guessing.
    pub lookups_per_minute: u32,
    /// Sign-in attempts for one user name from one address, and from one address over every
    /// name, before that address is refused for `login_lockout`. Past the first, attempts at the
    /// name from any address are slowed down, never refused ([`LoginThrottle`]).
    pub login_failures_per_user: u32,
    pub login_failures_per_address: u32,
    pub login_lockout: Duration,
    /// The longest an attempt at a much-guessed user name waits before its check.
    pub login_slowdown_max: Duration,
    /// Connections: see [`ConnectionLimits`].
    pub connections: ConnectionLimits,
    /// Where tickets may be printed: the LAN at the printing ports 9100-9109, unless the server
    /// was started allowing any address (`--allow-any-printer-address`); see
    /// [`loket_domain::outbound`].
    pub printers: loket_domain::outbound::PrinterAddresses,
}

/// How long a connection may take, and how many may be open: a handful of slow or idle clients
/// must not hold every file descriptor of the process. The event stream is not cut: once its
/// answer has begun, only its heartbeat keeps it busy.
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    /// Time to send a request's headers, counted from the connection's start or from the end of
    /// the previous answer: it also closes a connection that sends nothing, or sits idle.
    pub header_timeout: Duration,
    /// Time to send a request's whole body once its headers are in (408 `request_timeout` after).
    pub body_timeout: Duration,
    /// Connections open at once; more wait to be accepted.
    pub max_connections: usize,
    /// Connections open at once from one client address; past it a new one is answered 429
    /// and closed, so that one client cannot take the slots everyone else needs. Behind a
    /// reverse proxy every client has the proxy's address: raise it to `max_connections`.
    pub max_connections_per_address: usize,
    /// Public event streams (`/api/v1/events`, needing no sign-in) open at once from one
    /// address, and in all; past either, 429. The total is also held below a quarter of
    /// `max_connections`, so streams never take the slots staff and the API need.
    pub public_streams_per_address: usize,
    pub max_public_streams: usize,
    /// At shutdown, how long requests in flight may take to finish.
    pub shutdown_grace: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(15),
            max_connections: 512,
            max_connections_per_address: 64,
            public_streams_per_address: 8,
            max_public_streams: 128,
            shutdown_grace: Duration::from_secs(20),
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            kiosk_per_minute: 30,
            lookups_per_minute: 30,
            login_failures_per_user: 5,
            login_failures_per_address: 20,
            login_lockout: Duration::from_secs(15 * 60),
            login_slowdown_max: Duration::from_secs(8),
            connections: ConnectionLimits::default(),
            printers: loket_domain::outbound::PrinterAddresses::default(),
        }
    }
}

impl ConnectionLimits {
    /// The public streams allowed in all: the setting, held below a quarter of the connections.
    pub fn public_streams(&self) -> usize {
        self.max_public_streams.min(self.max_connections / 4).max(1)
    }
}

/// Open things (connections, streams) counted per client address and in all, each held by a
/// [`Held`] that gives its place back when dropped.
#[derive(Debug)]
pub struct OpenCounts {
    per_address: usize,
    total: usize,
    open: Mutex<(HashMap<IpAddr, usize>, usize)>,
}

/// Why a place was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Full {
    /// This address holds as many as it may.
    Address,
    /// All places are taken.
    All,
}

impl OpenCounts {
    pub fn new(per_address: usize, total: usize) -> Arc<OpenCounts> {
        Arc::new(OpenCounts { per_address, total, open: Mutex::new((HashMap::new(), 0)) })
    }

    /// A place for `address`, or why there is none.
    pub fn take(self: &Arc<Self>, address: IpAddr) -> Result<Held, Full> {
        let mut open = self.counts();
        if open.1 >= self.total {
            return Err(Full::All);
        }
        let mine = open.0.entry(address).or_insert(0);
        if *mine >= self.per_address {
            return Err(Full::Address);
        }
        *mine += 1;
        open.1 += 1;
        Ok(Held { counts: self.clone(), address })
    }

    /// How many `address` holds now.
    pub fn held_by(&self, address: IpAddr) -> usize {
        self.counts().0.get(&address).copied().unwrap_or(0)
    }

    fn give_back(&self, address: IpAddr) {
        let mut open = self.counts();
        if let Some(n) = open.0.get_mut(&address) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                open.0.remove(&address);
            }
        }
        open.1 = open.1.saturating_sub(1);
    }

    /// A poisoned lock is taken over: the counts are whole numbers changed in one step.
    fn counts(&self) -> std::sync::MutexGuard<'_, (HashMap<IpAddr, usize>, usize)> {
        self.open.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// One place taken in an [`OpenCounts`], given back when dropped.
#[derive(Debug)]
pub struct Held {
    counts: Arc<OpenCounts>,
    address: IpAddr,
}

impl Drop for Held {
    fn drop(&mut self) {
        self.counts.give_back(self.address);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_over_its_limit_waits_for_the_next_window() {
        let limiter = RateLimiter::new(2, Duration::from_secs(60));
        let t = Instant::now();
        assert!(limiter.hit("a", t).is_ok());
        assert!(limiter.hit("a", t).is_ok());
        assert_eq!(limiter.hit("a", t + Duration::from_secs(20)), Err(Duration::from_secs(40)), "wait for the window");
        limiter.refund("a");
        assert!(limiter.hit("a", t).is_ok(), "a refunded hit frees a place");
        assert!(limiter.hit("a", t).is_err());
        assert!(limiter.hit("b", t).is_ok(), "keys are counted apart");
        assert!(limiter.hit("a", t + Duration::from_secs(61)).is_ok());
    }

    #[test]
    fn a_guessed_name_is_refused_where_it_is_guessed_and_slowed_elsewhere() {
        let limits = Limits { login_failures_per_user: 2, login_failures_per_address: 3, ..Limits::default() };
        let throttle = LoginThrottle::new(&limits);
        let t = Instant::now();
        assert_eq!(throttle.attempt("10.0.0.9", "fo", t), Ok(Duration::ZERO));
        assert_eq!(throttle.attempt("10.0.0.9", "fo", t), Ok(Duration::ZERO));
        assert_eq!(throttle.attempt("10.0.0.9", "fo", t), Err(limits.login_lockout), "refused where it was guessed");
        assert_eq!(
            throttle.attempt("10.0.0.5", "fo", t),
            Ok(Duration::from_millis(250)),
            "slowed, not refused, elsewhere"
        );
        assert_eq!(throttle.attempt("10.0.0.9", "rina", t), Ok(Duration::ZERO), "another name from the address");
        assert!(throttle.attempt("10.0.0.9", "budi", t).is_err(), "the address's own limit over every name");
        throttle.succeeded("10.0.0.5", "fo");
        assert_eq!(
            throttle.attempt("10.0.0.5", "fo", t),
            Ok(Duration::from_millis(250)),
            "guesses from elsewhere still count"
        );
    }

    #[test]
    fn the_slowdown_doubles_past_the_allowance_up_to_its_cap() {
        let max = Duration::from_secs(8);
        let waits: Vec<u128> = (0..12).map(|n| slowdown(n, 5, max).as_millis()).collect();
        assert_eq!(waits, [0, 0, 0, 0, 0, 250, 500, 1000, 2000, 4000, 8000, 8000]);
        assert_eq!(slowdown(u32::MAX, 5, max), max, "no overflow");
    }

    #[test]
    fn places_are_counted_per_address_and_in_all_and_given_back() {
        let counts = OpenCounts::new(2, 3);
        let (a, b, c) = (IpAddr::from([10, 0, 0, 1]), IpAddr::from([10, 0, 0, 2]), IpAddr::from([10, 0, 0, 3]));
        let a1 = counts.take(a).expect("first");
        let _a2 = counts.take(a).expect("second");
        assert_eq!(counts.take(a).unwrap_err(), Full::Address);
        let _b1 = counts.take(b).expect("another address");
        assert_eq!(counts.take(c).unwrap_err(), Full::All);
        drop(a1);
        assert_eq!(counts.held_by(a), 1);
        let _c1 = counts.take(c).expect("a place given back is free again");
        assert_eq!(counts.take(a).unwrap_err(), Full::All);
    }

    #[test]
    fn public_streams_never_take_more_than_a_quarter_of_the_connections() {
        let limits = ConnectionLimits { max_connections: 40, max_public_streams: 128, ..ConnectionLimits::default() };
        assert_eq!(limits.public_streams(), 10);
        let limits = ConnectionLimits { max_connections: 2, ..ConnectionLimits::default() };
        assert_eq!(limits.public_streams(), 1);
    }

    #[test]
    fn a_poisoned_limiter_still_limits() {
        let limiter = std::sync::Arc::new(RateLimiter::new(1, Duration::from_secs(60)));
        let now = Instant::now();
        assert!(limiter.hit("k", now).is_ok());
        let poisoner = limiter.clone();
        let _ = std::thread::spawn(move || {
            let _guard = poisoner.hits.lock();
            panic!("a panic while the counts are held");
        })
        .join();
        assert!(limiter.hits.is_poisoned());
        assert!(limiter.hit("k", now).is_err(), "the second hit is still refused");
    }
}
