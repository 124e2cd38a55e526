//! Rate limits: a token bucket per connection (frames, pings included), wrong join codes, seat
//! tokens and keys per address and for the server (charged only on failure), and open
//! connections per address.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::time::Instant;

/// A token bucket: `burst` tokens, refilled at `per_sec`.
#[derive(Debug, Clone)]
pub(super) struct Bucket {
    tokens: f64,
    burst: f64,
    per_sec: f64,
    last: Instant,
}

impl Bucket {
    pub(super) fn new(burst: f64, per_sec: f64) -> Bucket {
        Bucket { tokens: burst, burst, per_sec, last: Instant::now() }
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.per_sec).min(self.burst);
        self.last = now;
    }

    /// Takes one token if there is one.
    pub(super) fn take(&mut self) -> bool {
        self.refill(Instant::now());
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// Whether a token is available, without taking it.
    #[cfg(test)]
    pub(super) fn has(&mut self) -> bool {
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
pub(super) enum Verdict {
    Allow,
    /// Refuse this frame with `rate_limited`.
    Refuse,
    /// Sustained abuse: close the connection (1008).
    Close,
}

/// Frames from one connection.
#[derive(Debug, Clone)]
pub(super) struct FrameLimiter {
    bucket: Bucket,
    over: u32,
    max_over: u32,
}

impl FrameLimiter {
    pub(super) fn new(burst: f64, per_sec: f64, max_over: u32) -> FrameLimiter {
        FrameLimiter { bucket: Bucket::new(burst, per_sec), over: 0, max_over }
    }

    pub(super) fn check(&mut self) -> Verdict {
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

/// The address a limit is kept for: an IPv4 address as it is (an IPv4-mapped IPv6 address as
/// its IPv4), an IPv6 address by its /64 (one subscriber usually has a whole /64).
pub(super) fn addr_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !u128::from(u64::MAX))),
        },
    }
}

/// Wrong guesses (join codes, seat tokens, keys): per address (IPv6 by /64) and for the whole
/// server.
///
/// A credential is always checked first, and a valid one is never refused or delayed here: only
/// failures are charged. While the failing address has budget left, and the server's budget
/// too, a failure is answered at once (a student's typo). Past either budget, a failure is
/// answered only after it has held one of a few "tarpit" slots for a pause, so the whole server
/// answers at most `slots / pause` failures per second past its budgets, however many addresses
/// guess; the caller then closes the failing connection. A class behind one address is never
/// locked out by a guesser beside it (see `docs/reliability.md` for the arithmetic).
pub(super) struct GuessLimiter {
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
    global: Mutex<Bucket>,
    burst: f64,
    per_sec: f64,
    tarpit: Semaphore,
    pause: Duration,
}

/// Addresses tracked before the full (forgiven) buckets are dropped.
const TRACKED: usize = 10_000;

/// How [`GuessLimiter::failed`] treated a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Charged {
    /// Within budget: answered at once.
    Free,
    /// Past a budget: answered after the tarpit; the failing connection should close.
    Tarpitted,
}

impl GuessLimiter {
    /// `burst` and `per_sec` per address; `global_burst` and `global_per_sec` for the server;
    /// past them, `slots` failures at a time are answered, each after `pause`.
    pub(super) fn new(
        burst: f64,
        per_sec: f64,
        global_burst: f64,
        global_per_sec: f64,
        slots: usize,
        pause: Duration,
    ) -> GuessLimiter {
        GuessLimiter {
            buckets: Mutex::new(HashMap::new()),
            global: Mutex::new(Bucket::new(global_burst, global_per_sec)),
            burst,
            per_sec,
            tarpit: Semaphore::new(slots.max(1)),
            pause,
        }
    }

    /// Whether this address still has failures left before the tarpit.
    #[cfg(test)]
    pub(super) fn within_budget(&self, ip: IpAddr) -> bool {
        let Ok(mut buckets) = self.buckets.lock() else { return true };
        buckets.get_mut(&addr_key(ip)).is_none_or(Bucket::has)
    }

    /// Counts a failed guess from `ip`, and waits in the tarpit when a budget is spent. Answer
    /// the failure only after this returns.
    pub(super) async fn failed(&self, ip: IpAddr) -> Charged {
        let address_ok = match self.buckets.lock() {
            Ok(mut buckets) => {
                if buckets.len() >= TRACKED {
                    let now = Instant::now();
                    buckets.retain(|_, b| !b.full(now));
                }
                let (burst, per_sec) = (self.burst, self.per_sec);
                buckets.entry(addr_key(ip)).or_insert_with(|| Bucket::new(burst, per_sec)).take()
            }
            Err(_) => false,
        };
        let global_ok = self.global.lock().map(|mut g| g.take()).unwrap_or(false);
        if address_ok && global_ok {
            return Charged::Free;
        }
        // The semaphore is never closed; if it were, answering without the pause would still
        // be bounded by the connection caps.
        let _slot = self.tarpit.acquire().await;
        tokio::time::sleep(self.pause).await;
        Charged::Tarpitted
    }
}

/// Open WebSocket connections per address (IPv6 by /64), for the per-address caps.
#[derive(Default)]
pub(super) struct AddrCounter {
    open: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

/// One counted connection; dropping it uncounts it.
pub(super) struct AddrSlot {
    open: Arc<Mutex<HashMap<IpAddr, usize>>>,
    key: IpAddr,
}

impl AddrCounter {
    /// Counts one more connection from `ip` unless `max` are open already.
    pub(super) fn try_acquire(&self, ip: IpAddr, max: usize) -> Option<AddrSlot> {
        let key = addr_key(ip);
        let mut open = self.open.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let n = open.entry(key).or_insert(0);
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(AddrSlot { open: self.open.clone(), key })
    }
}

impl Drop for AddrSlot {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(n) = open.get_mut(&self.key) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                open.remove(&self.key);
            }
        }
    }
}

/// Largest HTTP request body (a source essay), in bytes.
pub(super) const MAX_BODY: usize = 1024 * 1024;

/// A size limit as people write it: "1 MiB" or "64 KiB" when it is a whole number of them, else
/// bytes.
pub(super) fn size_text(bytes: usize) -> String {
    const MIB: usize = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= 1024 && bytes.is_multiple_of(1024) {
        format!("{} KiB", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_size_limit_is_said_as_it_is_set() {
        assert_eq!(size_text(64 * 1024), "64 KiB");
        assert_eq!(size_text(1024 * 1024), "1 MiB");
        assert_eq!(size_text(100_000), "100000 bytes");
        assert_eq!(size_text(512), "512 bytes");
    }

    #[test]
    fn a_flood_is_refused_then_closed() {
        let mut limiter = FrameLimiter::new(3.0, 0.0, 2);
        let verdicts: Vec<Verdict> = (0..6).map(|_| limiter.check()).collect();
        use Verdict::*;
        assert_eq!(verdicts, [Allow, Allow, Allow, Refuse, Refuse, Close]);
    }

    #[tokio::test]
    async fn guesses_run_out_per_address_then_wait_in_the_tarpit() {
        let limiter = GuessLimiter::new(2.0, 0.0, 1000.0, 0.0, 1, Duration::from_millis(1));
        let ip: IpAddr = [10, 0, 0, 1].into();
        assert_eq!(limiter.failed(ip).await, Charged::Free);
        assert_eq!(limiter.failed(ip).await, Charged::Free);
        assert!(!limiter.within_budget(ip));
        assert_eq!(limiter.failed(ip).await, Charged::Tarpitted);
        assert!(limiter.within_budget([10, 0, 0, 2].into()));
        assert_eq!(limiter.failed([10, 0, 0, 2].into()).await, Charged::Free);
    }

    #[tokio::test]
    async fn the_server_budget_holds_for_many_addresses() {
        let limiter = GuessLimiter::new(100.0, 0.0, 3.0, 0.0, 1, Duration::from_millis(1));
        let charged: Vec<Charged> =
            futures_util::future::join_all((0..5u8).map(|i| limiter.failed(IpAddr::from([10, 0, 1, i])))).await;
        assert_eq!(charged.iter().filter(|c| **c == Charged::Free).count(), 3);
    }

    #[test]
    fn ipv6_is_grouped_by_64_and_mapped_v4_is_v4() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(addr_key(a), addr_key(b));
        assert_ne!(addr_key(a), addr_key(c));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(addr_key(mapped), IpAddr::from([192, 0, 2, 7]));
        let counter = AddrCounter::default();
        let one = counter.try_acquire(a, 2).expect("first");
        let _two = counter.try_acquire(b, 2).expect("second");
        assert!(counter.try_acquire(c, 2).is_some(), "another /64");
        assert!(counter.try_acquire(a, 2).is_none(), "the /64 is full");
        drop(one);
        assert!(counter.try_acquire(a, 2).is_some(), "a slot came back");
    }
}
