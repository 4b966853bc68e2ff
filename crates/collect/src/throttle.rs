//! A rate limit on log lines: under a flood the server must not turn every refused request
//! into a line (the log would become the attack's amplifier), yet the coordinator must see
//! that something happened. So at most a few lines a second are written, and the lines left
//! out are counted and reported in one line when the next second begins.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Log lines written per second at most, before the rest are counted only.
pub(crate) const LINES_PER_SECOND: u32 = 20;

#[derive(Debug)]
pub(crate) struct LogThrottle {
    per_second: u32,
    state: Mutex<Window>,
}

#[derive(Debug)]
struct Window {
    started: Instant,
    written: u32,
    suppressed: u64,
}

impl LogThrottle {
    pub(crate) fn new(per_second: u32) -> Self {
        Self { per_second, state: Mutex::new(Window { started: Instant::now(), written: 0, suppressed: 0 }) }
    }

    /// Writes the line `emit` makes, unless this second's lines are used up.
    pub(crate) fn line(&self, emit: impl FnOnce()) {
        let now = Instant::now();
        let (write, suppressed_before) = {
            let mut window = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let suppressed = roll(&mut window, now);
            let write = window.written < self.per_second;
            if write {
                window.written += 1;
            } else {
                window.suppressed += 1;
            }
            (write, suppressed)
        };
        report_suppressed(suppressed_before);
        if write {
            emit();
        }
    }

    /// Reports the lines left out in a second that ended, even if no line follows (called
    /// once a second while the server runs).
    pub(crate) fn flush(&self) {
        let suppressed = {
            let mut window = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            roll(&mut window, Instant::now())
        };
        report_suppressed(suppressed);
    }
}

/// Starts a new second if the last one ended; the count it left out.
fn roll(window: &mut Window, now: Instant) -> u64 {
    if now.duration_since(window.started) < Duration::from_secs(1) {
        return 0;
    }
    let suppressed = window.suppressed;
    *window = Window { started: now, written: 0, suppressed: 0 };
    suppressed
}

fn report_suppressed(count: u64) {
    if count > 0 {
        tracing::warn!("{count} more log lines like the ones above were left out in the last second");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[test]
    fn a_burst_writes_the_allowance_then_counts_and_a_new_second_writes_again() {
        let throttle = LogThrottle::new(5);
        let written = AtomicU32::new(0);
        for _ in 0..1_000 {
            throttle.line(|| {
                written.fetch_add(1, Ordering::Relaxed);
            });
        }
        assert_eq!(written.load(Ordering::Relaxed), 5);
        assert_eq!(throttle.state.lock().unwrap().suppressed, 995);
        std::thread::sleep(Duration::from_millis(1_050));
        throttle.line(|| {
            written.fetch_add(1, Ordering::Relaxed);
        });
        assert_eq!(written.load(Ordering::Relaxed), 6);
        assert_eq!(throttle.state.lock().unwrap().suppressed, 0, "reported and reset");
    }
}
