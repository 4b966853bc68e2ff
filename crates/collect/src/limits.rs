//! Request rate limits per client address and per token: a fixed window per key.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug)]
pub(crate) struct RateLimiter {
    per_window: u32,
    window: Duration,
    seen: Mutex<HashMap<String, (Instant, u32)>>,
}

impl RateLimiter {
    pub(crate) fn new(per_window: u32, window: Duration) -> Self {
        Self { per_window, window, seen: Mutex::new(HashMap::new()) }
    }

    /// Counts a request for `key`; `false` once the key used up its window.
    pub(crate) fn allow(&self, key: &str) -> bool {
        let now = Instant::now();
        let mut seen = self.seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if seen.len() > 100_000 {
            seen.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let entry = seen.entry(key.to_owned()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        entry.1 += 1;
        entry.1 <= self.per_window
    }

    /// How long until a window opens again, for `Retry-After`.
    pub(crate) fn window_seconds(&self) -> u64 {
        self.window.as_secs().max(1)
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
}
