//! Request rate limits per client address and per token: a fixed window per key, in
//! constant memory per key (a keyed 64-bit fingerprint, whatever the key's length) and a
//! hard bound on the number of keys (windows that ended go first, then the oldest half).
//!
//! Not `governor` (nor `tower_governor` over it): its keyed store makes an entry for every
//! new key and forgets keys only when `retain_recent` is called, which drops just the keys
//! whose window ended, so a flood of new keys within one window has no bound at all.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The most keys remembered at once.
const MAX_KEYS: usize = 100_000;

#[derive(Debug)]
pub(crate) struct RateLimiter {
    per_window: u32,
    window: Duration,
    max_keys: usize,
    /// Keyed per process, so nobody can craft keys that collide.
    hasher: RandomState,
    seen: Mutex<HashMap<u64, (Instant, u32)>>,
}

impl RateLimiter {
    pub(crate) fn new(per_window: u32, window: Duration) -> Self {
        Self::bounded(per_window, window, MAX_KEYS)
    }

    fn bounded(per_window: u32, window: Duration, max_keys: usize) -> Self {
        Self {
            per_window,
            window,
            max_keys: max_keys.max(2),
            hasher: RandomState::new(),
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a request for `key`; `false` once the key used up its window.
    pub(crate) fn allow(&self, key: &str) -> bool {
        let now = Instant::now();
        let fingerprint = self.hasher.hash_one(key);
        let mut seen = self.seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if !seen.contains_key(&fingerprint) && seen.len() >= self.max_keys {
            make_room(&mut seen, now, self.window);
        }
        let entry = seen.entry(fingerprint).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        entry.1 = entry.1.saturating_add(1);
        entry.1 <= self.per_window
    }

    /// How long until a window opens again, for `Retry-After`.
    pub(crate) fn window_seconds(&self) -> u64 {
        self.window.as_secs().max(1)
    }

    #[cfg(test)]
    fn keys(&self) -> usize {
        self.seen.lock().map(|s| s.len()).unwrap_or_default()
    }
}

/// Drops the windows that ended; if that frees too little, the older half of the rest, so
/// the next many new keys need no scan (amortised constant time under a flood).
fn make_room(seen: &mut HashMap<u64, (Instant, u32)>, now: Instant, window: Duration) {
    let full = seen.len();
    seen.retain(|_, (start, _)| now.duration_since(*start) < window);
    if seen.len() * 4 > full * 3 {
        let mut starts: Vec<Instant> = seen.values().map(|(start, _)| *start).collect();
        let middle = starts.len() / 2;
        let (_, cut, _) = starts.select_nth_unstable(middle);
        let cut = *cut;
        seen.retain(|_, (start, _)| *start > cut);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_refused_after_its_allowance_and_others_are_not() {
        let limiter = RateLimiter::new(3, Duration::from_secs(60));
        assert!((0..3).all(|_| limiter.allow("a")));
        assert!(!limiter.allow("a"));
        assert!(limiter.allow("b"));
        let short = RateLimiter::new(1, Duration::from_millis(20));
        assert!(short.allow("a") && !short.allow("a"));
        std::thread::sleep(Duration::from_millis(30));
        assert!(short.allow("a"), "a new window");
    }

    #[test]
    fn a_flood_of_new_keys_stays_within_the_bound_and_long_keys_cost_no_more() {
        let limiter = RateLimiter::bounded(5, Duration::from_secs(60), 1_000);
        let long = "x".repeat(65_000);
        for i in 0..5_000 {
            limiter.allow(&format!("token:{long}{i}"));
            assert!(limiter.keys() <= 1_000, "bounded after {i} keys");
        }
        // A key in use keeps counting while the flood goes on.
        let limiter = RateLimiter::bounded(3, Duration::from_secs(60), 100);
        assert!((0..3).all(|_| limiter.allow("expert")));
        for i in 0..40 {
            limiter.allow(&format!("noise-{i}"));
        }
        assert!(!limiter.allow("expert"), "its window is remembered");
    }
}
