//! Time, behind one trait so tests can fix or move it (Moonfire NVR's `Clocks`): the wall clock (`now`,
//! what is recorded and shown), the monotonic clock (`monotonic`: timers, deadlines, rate limits,
//! refresh intervals), sleeping, and timed waits on a channel. This file is the only place outside the
//! benchmarks that reads `Instant::now()` or calls `thread::sleep` (the structure test holds it).
//! `SimulatedClock` moves both clocks on `sleep` and timed waits without waiting, so a timer of minutes
//! is tested in no time.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

pub trait Clock: Send + Sync {
    /// The wall clock.
    fn now(&self) -> DateTime<Utc>;

    /// The monotonic clock: never goes back, unrelated to the wall clock.
    fn monotonic(&self) -> Instant {
        Instant::now()
    }

    /// Waits `d`.
    fn sleep(&self, d: Duration) {
        std::thread::sleep(d);
    }

    /// Waits until the monotonic clock reads `deadline`. A simulated clock moves to it (never back), so
    /// that threads waiting on one simulated clock meet at their deadlines rather than add up waits.
    fn sleep_until(&self, deadline: Instant) {
        self.sleep(deadline.saturating_duration_since(self.monotonic()));
    }

    /// How long since `since` (a `monotonic()` reading).
    fn elapsed(&self, since: Instant) -> Duration {
        self.monotonic().saturating_duration_since(since)
    }

    /// Whether the clock is simulated: timed waits then move it instead of waiting.
    fn is_simulated(&self) -> bool {
        false
    }
}

/// Waits for a message on `rx` for at most `timeout` by `clock`: on a simulated clock a message already
/// there is taken, otherwise the clock moves by `timeout` and the wait times out at once.
pub fn recv_timeout<T>(
    clock: &dyn Clock,
    rx: &crossbeam_channel::Receiver<T>,
    timeout: Duration,
) -> Result<T, crossbeam_channel::RecvTimeoutError> {
    recv_deadline(clock, rx, clock.monotonic() + timeout)
}

/// Waits for a message on `rx` until the monotonic clock reads `deadline` (see `recv_timeout`; a
/// simulated clock moves to the deadline when nothing is there).
pub fn recv_deadline<T>(
    clock: &dyn Clock,
    rx: &crossbeam_channel::Receiver<T>,
    deadline: Instant,
) -> Result<T, crossbeam_channel::RecvTimeoutError> {
    if !clock.is_simulated() {
        return rx.recv_deadline(deadline);
    }
    match rx.try_recv() {
        Ok(message) => Ok(message),
        Err(crossbeam_channel::TryRecvError::Disconnected) => Err(crossbeam_channel::RecvTimeoutError::Disconnected),
        Err(crossbeam_channel::TryRecvError::Empty) => {
            clock.sleep_until(deadline);
            Err(crossbeam_channel::RecvTimeoutError::Timeout)
        }
    }
}

/// The monotonic clock of the process, for code that has no `Clock` of its own to ask (a thread that
/// paces real hardware: GStreamer pipelines, sockets). Prefer a `Clock` wherever one can be passed.
pub fn real_monotonic() -> Instant {
    Instant::now()
}

/// Sleeps in real time, for the same code as `real_monotonic`.
pub fn real_sleep(d: Duration) {
    std::thread::sleep(d);
}

/// Waits until `done()` holds or `deadline` has passed by `clock`, looking every `every`; says whether
/// it holds. Tests and tools wait on conditions with this, never on a fixed sleep.
pub fn wait_until(clock: &dyn Clock, deadline: Duration, every: Duration, mut done: impl FnMut() -> bool) -> bool {
    let until = clock.monotonic() + deadline;
    loop {
        if done() {
            return true;
        }
        if clock.monotonic() >= until {
            return false;
        }
        clock.sleep(every);
    }
}

/// The system's wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that shows a set instant until moved (tests, demo generation, benchmarks).
#[derive(Debug)]
pub struct FixedClock(Mutex<DateTime<Utc>>);

impl FixedClock {
    pub fn new(at: DateTime<Utc>) -> Self {
        Self(Mutex::new(at))
    }

    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = at;
    }

    pub fn advance(&self, by: chrono::Duration) {
        let mut guard = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *guard += by;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A clock that moves only when told, or when something sleeps or waits on it (tests of timers,
/// retries and pacing). Both its wall clock and its monotonic clock move together.
#[derive(Debug)]
pub struct SimulatedClock {
    base: Instant,
    state: Mutex<(DateTime<Utc>, Duration)>,
}

impl SimulatedClock {
    pub fn new(at: DateTime<Utc>) -> Self {
        Self { base: Instant::now(), state: Mutex::new((at, Duration::ZERO)) }
    }

    /// Moves both clocks by `by`.
    pub fn advance(&self, by: Duration) {
        let mut guard = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        guard.0 += chrono::Duration::from_std(by).unwrap_or(chrono::Duration::MAX);
        guard.1 += by;
    }
}

impl Clock for SimulatedClock {
    fn now(&self) -> DateTime<Utc> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner).0
    }

    fn monotonic(&self) -> Instant {
        self.base + self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner).1
    }

    fn sleep(&self, d: Duration) {
        self.advance(d);
    }

    fn sleep_until(&self, deadline: Instant) {
        let mut guard = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let target = deadline.saturating_duration_since(self.base);
        if target > guard.1 {
            let by = target - guard.1;
            guard.0 += chrono::Duration::from_std(by).unwrap_or(chrono::Duration::MAX);
            guard.1 = target;
        }
    }

    fn is_simulated(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_simulated_clock_moves_on_sleep_and_on_a_timed_wait_without_waiting() {
        let at = DateTime::parse_from_rfc3339("2026-12-06T08:00:00Z").unwrap().with_timezone(&Utc);
        let clock = SimulatedClock::new(at);
        let start = clock.monotonic();
        clock.sleep(Duration::from_secs(3600));
        assert_eq!(clock.elapsed(start), Duration::from_secs(3600));
        assert_eq!(clock.now(), at + chrono::Duration::hours(1));
        let (tx, rx) = crossbeam_channel::bounded::<u8>(1);
        assert_eq!(
            recv_timeout(&clock, &rx, Duration::from_secs(30)),
            Err(crossbeam_channel::RecvTimeoutError::Timeout)
        );
        assert_eq!(clock.elapsed(start), Duration::from_secs(3630));
        tx.send(7).unwrap();
        assert_eq!(recv_timeout(&clock, &rx, Duration::from_secs(30)), Ok(7));
        assert_eq!(clock.elapsed(start), Duration::from_secs(3630), "a message there does not move the clock");
        // A condition that turns true after two looks: waited for in simulated time.
        let mut looks = 0;
        assert!(wait_until(&clock, Duration::from_secs(10), Duration::from_secs(1), || {
            looks += 1;
            looks == 3
        }));
        assert_eq!(clock.elapsed(start), Duration::from_secs(3632));
        assert!(!wait_until(&clock, Duration::from_secs(5), Duration::from_secs(1), || false), "the deadline ends it");
        // Two waiters on one deadline meet there; a deadline passed does not move the clock back.
        let at = clock.monotonic() + Duration::from_secs(10);
        clock.sleep_until(at);
        clock.sleep_until(at);
        assert_eq!(clock.monotonic(), at);
        clock.sleep_until(at - Duration::from_secs(5));
        assert_eq!(clock.monotonic(), at);
        assert_eq!(
            recv_deadline(&clock, &rx, at + Duration::from_secs(2)),
            Err(crossbeam_channel::RecvTimeoutError::Timeout)
        );
        assert_eq!(clock.monotonic(), at + Duration::from_secs(2));
    }
}
