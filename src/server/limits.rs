//! Rate limits: a token bucket per connection (frames) and one per IP address (wrong join codes,
//! seat tokens and keys).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use tokio::time::Instant;

/// A token bucket: `burst` tokens, refilled at `per_sec`.
#[derive(Debug, Clone)]
pub struct Bucket {
    tokens: f64,
    burst: f64,
    per_sec: f64,
    last: Instant,
}

impl Bucket {
    pub fn new(burst: f64, per_sec: f64) -> Bucket {
        Bucket { tokens: burst, burst, per_sec, last: Instant::now() }
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.per_sec).min(self.burst);
        self.last = now;
    }

    /// Takes one token if there is one.
    pub fn take(&mut self) -> bool {
        self.refill(Instant::now());
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// Whether a token is available, without taking it.
    pub fn has(&mut self) -> bool {
        self.refill(Instant::now());
        self.tokens >= 1.0
    }

    fn full(&mut self, now: Instant) -> bool {
        self.refill(now);
        self.tokens >= self.burst
    }
}

/// What the per-connection limiter says about one more frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allow,
    /// Refuse this frame with `rate_limited`.
    Refuse,
    /// Sustained abuse: close the connection (1008).
    Close,
}

/// Frames from one connection.
#[derive(Debug, Clone)]
pub struct FrameLimiter {
    bucket: Bucket,
    over: u32,
    max_over: u32,
}

impl FrameLimiter {
    pub fn new(burst: f64, per_sec: f64, max_over: u32) -> FrameLimiter {
        FrameLimiter { bucket: Bucket::new(burst, per_sec), over: 0, max_over }
    }

    pub fn check(&mut self) -> Verdict {
        if self.bucket.take() {
            self.over = 0;
            Verdict::Allow
        } else {
            self.over += 1;
            if self.over > self.max_over {
                Verdict::Close
            } else {
                Verdict::Refuse
            }
        }
    }
}

/// Wrong guesses (join codes, seat tokens, keys) by IP address.
pub struct GuessLimiter {
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
    burst: f64,
    per_sec: f64,
}

/// Addresses tracked before the full (forgiven) buckets are dropped.
const TRACKED: usize = 10_000;

impl GuessLimiter {
    pub fn new(burst: f64, per_sec: f64) -> GuessLimiter {
        GuessLimiter { buckets: Mutex::new(HashMap::new()), burst, per_sec }
    }

    /// Whether this address may try (it has wrong guesses left).
    pub fn may_try(&self, ip: IpAddr) -> bool {
        let Ok(mut buckets) = self.buckets.lock() else { return true };
        buckets.get_mut(&ip).is_none_or(Bucket::has)
    }

    /// Counts a wrong guess.
    pub fn failed(&self, ip: IpAddr) {
        let Ok(mut buckets) = self.buckets.lock() else { return };
        if buckets.len() >= TRACKED {
            let now = Instant::now();
            buckets.retain(|_, b| !b.full(now));
        }
        let (burst, per_sec) = (self.burst, self.per_sec);
        buckets.entry(ip).or_insert_with(|| Bucket::new(burst, per_sec)).take();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flood_is_refused_then_closed() {
        let mut limiter = FrameLimiter::new(3.0, 0.0, 2);
        let verdicts: Vec<Verdict> = (0..6).map(|_| limiter.check()).collect();
        use Verdict::*;
        assert_eq!(verdicts, [Allow, Allow, Allow, Refuse, Refuse, Close]);
    }

    #[test]
    fn guesses_run_out_per_address() {
        let limiter = GuessLimiter::new(2.0, 0.0);
        let ip: IpAddr = [10, 0, 0, 1].into();
        assert!(limiter.may_try(ip));
        limiter.failed(ip);
        limiter.failed(ip);
        assert!(!limiter.may_try(ip));
        assert!(limiter.may_try([10, 0, 0, 2].into()));
    }
}
