//! The request budget: client-side token buckets shaped like ARM's (per subscription and
//! operation class) so that we spend tokens at the rate ARM refills them instead of finding
//! the limit by hitting 429s. The local buckets follow the server's word: every response's
//! `x-ms-ratelimit-remaining-subscription-{reads,writes,deletes}` lowers the local level to
//! what the server says is left (minus requests still in flight, which the server has not
//! counted in that figure yet), and a 429's Retry-After stops the class until it has passed.

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Capacity and refill rate of one bucket.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BucketSpec {
    pub capacity: f64,
    pub refill_per_sec: f64,
}

/// Buckets per class; `arm()` is ARM's documented regional model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BudgetConfig {
    pub reads: BucketSpec,
    pub writes: BucketSpec,
    pub deletes: BucketSpec,
    /// Refill a little slower than the server so that clock drift between the two never
    /// lets us run ahead of it.
    pub refill_safety: f64,
}

impl BudgetConfig {
    pub fn arm() -> Self {
        BudgetConfig {
            reads: BucketSpec {
                capacity: 250.0,
                refill_per_sec: 25.0,
            },
            writes: BucketSpec {
                capacity: 200.0,
                refill_per_sec: 10.0,
            },
            deletes: BucketSpec {
                capacity: 200.0,
                refill_per_sec: 10.0,
            },
            refill_safety: 0.99,
        }
    }
}

impl Default for BudgetConfig {
    fn default() -> Self {
        Self::arm()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpClass {
    Read,
    Write,
    Delete,
}

impl OpClass {
    pub fn of(method: &reqwest::Method) -> Self {
        match *method {
            reqwest::Method::GET | reqwest::Method::HEAD => OpClass::Read,
            reqwest::Method::DELETE => OpClass::Delete,
            _ => OpClass::Write,
        }
    }
    pub fn header(self) -> &'static str {
        match self {
            OpClass::Read => "x-ms-ratelimit-remaining-subscription-reads",
            OpClass::Write => "x-ms-ratelimit-remaining-subscription-writes",
            OpClass::Delete => "x-ms-ratelimit-remaining-subscription-deletes",
        }
    }
}

struct Level {
    tokens: f64,
    at: Instant,
    paused_until: Option<Instant>,
    /// Sequence numbers of the requests in flight, in the order they were sent.
    in_flight: BTreeSet<u64>,
    next_seq: u64,
    /// Until the server has told us its level once, at most half the bucket goes out: a
    /// bucket another process drained meets no full burst from us (what it refuses comes back
    /// with Retry-After), and a fresh one is not held to one request per round trip, which
    /// would add a whole write's latency to every apply.
    synced: bool,
}

struct Bucket {
    spec: BucketSpec,
    level: Mutex<Level>,
}

/// A permit for one request; dropping it marks the request as no longer in flight.
pub struct Permit<'a> {
    bucket: &'a Bucket,
    seq: u64,
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if let Ok(mut l) = self.bucket.level.lock() {
            l.in_flight.remove(&self.seq);
        }
    }
}

pub struct Budget {
    reads: Bucket,
    writes: Bucket,
    deletes: Bucket,
}

impl Budget {
    pub fn new(config: BudgetConfig) -> Self {
        let mk = |spec: BucketSpec| Bucket {
            spec: BucketSpec {
                capacity: spec.capacity.max(1.0),
                refill_per_sec: (spec.refill_per_sec * config.refill_safety).max(0.01),
            },
            level: Mutex::new(Level {
                tokens: spec.capacity.max(1.0),
                at: Instant::now(),
                paused_until: None,
                in_flight: BTreeSet::new(),
                next_seq: 0,
                synced: false,
            }),
        };
        Budget {
            reads: mk(config.reads),
            writes: mk(config.writes),
            deletes: mk(config.deletes),
        }
    }

    fn bucket(&self, class: OpClass) -> &Bucket {
        match class {
            OpClass::Read => &self.reads,
            OpClass::Write => &self.writes,
            OpClass::Delete => &self.deletes,
        }
    }

    /// Wait until a token is available, take it, and count the request as in flight.
    pub async fn acquire(&self, class: OpClass) -> Permit<'_> {
        let bucket = self.bucket(class);
        loop {
            let wait = {
                let Ok(mut l) = bucket.level.lock() else {
                    return Permit {
                        bucket,
                        seq: u64::MAX,
                    };
                };
                let now = Instant::now();
                let elapsed = now.duration_since(l.at).as_secs_f64();
                l.tokens =
                    (l.tokens + elapsed * bucket.spec.refill_per_sec).min(bucket.spec.capacity);
                l.at = now;
                match l.paused_until {
                    Some(until) if until > now => until - now,
                    _ if !l.synced && l.in_flight.len() as f64 >= bucket.spec.capacity / 2.0 => {
                        Duration::from_millis(5)
                    }
                    _ if l.tokens >= 1.0 => {
                        l.tokens -= 1.0;
                        let seq = l.next_seq;
                        l.next_seq += 1;
                        l.in_flight.insert(seq);
                        return Permit { bucket, seq };
                    }
                    _ => Duration::from_secs_f64((1.0 - l.tokens) / bucket.spec.refill_per_sec),
                }
            };
            tokio::time::sleep(wait.max(Duration::from_millis(1))).await;
        }
    }

    /// The server's remaining count for a class, read from the response to the request that
    /// holds `permit`.
    pub fn observe_remaining(&self, permit: &Permit<'_>, remaining: f64) {
        let bucket = permit.bucket;
        if let Ok(mut l) = bucket.level.lock() {
            // Requests sent after this one may not be in the figure yet; those sent before it
            // are (ARM counts a request when it arrives). Counting them all again would run a
            // busy bucket below what the server allows.
            let others = l.in_flight.range(permit.seq.saturating_add(1)..).count() as f64;
            let server = (remaining - others).max(0.0);
            if !l.synced {
                l.tokens = server.min(bucket.spec.capacity);
                l.at = Instant::now();
                l.synced = true;
            } else if server < l.tokens {
                l.tokens = server;
            }
        }
    }

    /// A 429 (or 503) with Retry-After: nothing of this class goes out until it has passed.
    pub fn pause(&self, class: OpClass, for_: Duration) {
        let bucket = self.bucket(class);
        if let Ok(mut l) = bucket.level.lock() {
            let until = Instant::now() + for_;
            l.paused_until = Some(l.paused_until.map_or(until, |u| u.max(until)));
            l.tokens = 0.0;
            l.at = Instant::now();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> BudgetConfig {
        BudgetConfig {
            reads: BucketSpec {
                capacity: 5.0,
                refill_per_sec: 100.0,
            },
            refill_safety: 1.0,
            ..BudgetConfig::arm()
        }
    }

    #[tokio::test]
    async fn server_word_lowers_the_local_level() {
        let b = Budget::new(small());
        let p = b.acquire(OpClass::Read).await;
        b.observe_remaining(&p, 0.0);
        drop(p);
        let t = Instant::now();
        let _p = b.acquire(OpClass::Read).await;
        // An empty bucket refilling at 100/s yields its next token after ~10 ms.
        assert!(t.elapsed() >= Duration::from_millis(5), "{:?}", t.elapsed());
    }

    #[tokio::test]
    async fn pause_holds_the_class_only() {
        let b = Budget::new(small());
        b.pause(OpClass::Read, Duration::from_millis(40));
        let t = Instant::now();
        drop(b.acquire(OpClass::Write).await);
        assert!(t.elapsed() < Duration::from_millis(30));
        drop(b.acquire(OpClass::Read).await);
        assert!(t.elapsed() >= Duration::from_millis(40));
    }

    /// Before the server's first word, half the bucket may be in flight at once (not one
    /// request per round trip); the next waits until a response says what is left.
    #[tokio::test]
    async fn half_the_bucket_goes_out_before_the_server_has_spoken() {
        let b = Budget::new(BudgetConfig::arm());
        let mut held = Vec::new();
        for _ in 0..100 {
            let p = tokio::time::timeout(Duration::from_secs(1), b.acquire(OpClass::Write)).await;
            held.push(p.expect("within half the bucket, no wait"));
        }
        let more = tokio::time::timeout(Duration::from_millis(50), b.acquire(OpClass::Write)).await;
        assert!(more.is_err(), "the 101st waits for the server's word");
        b.observe_remaining(&held[0], 199.0);
        let next = tokio::time::timeout(Duration::from_secs(1), b.acquire(OpClass::Write)).await;
        assert!(next.is_ok(), "synced: the bucket's own level decides");
    }

    /// The server's figure already counts the requests sent before the one it answers; only
    /// those sent after it are taken off.
    #[tokio::test]
    async fn only_requests_sent_after_the_answered_one_are_taken_off() {
        let b = Budget::new(BudgetConfig::arm());
        let first = b.acquire(OpClass::Write).await;
        let second = b.acquire(OpClass::Write).await;
        let third = b.acquire(OpClass::Write).await;
        let tokens = |b: &Budget| b.writes.level.lock().map(|l| l.tokens).unwrap_or(-1.0);
        b.observe_remaining(&second, 50.0);
        assert!((tokens(&b) - 49.0).abs() < 0.01, "{}", tokens(&b));
        b.observe_remaining(&third, 40.0);
        assert!((tokens(&b) - 40.0).abs() < 0.01, "{}", tokens(&b));
        b.observe_remaining(&first, 45.0);
        assert!(
            (tokens(&b) - 40.0).abs() < 0.01,
            "a higher figure never raises the level"
        );
    }
}
