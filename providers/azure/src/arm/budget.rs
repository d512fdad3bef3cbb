//! The request budget: client-side token buckets shaped like ARM's (per subscription and
//! operation class) so that we spend tokens at the rate ARM refills them instead of finding
//! the limit by hitting 429s. The local buckets follow the server's word: every response's
//! `x-ms-ratelimit-remaining-subscription-{reads,writes,deletes}` lowers the local level to
//! what the server says is left (minus requests still in flight, which the server has not
//! counted in that figure yet), and a 429's Retry-After stops the class until it has passed.

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
            refill_safety: 0.97,
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
    in_flight: u32,
    /// Until the server has told us its level once, only one request at a time goes out:
    /// a bucket another process drained must not meet a full burst from us.
    synced: bool,
}

struct Bucket {
    spec: BucketSpec,
    level: Mutex<Level>,
}

/// A permit for one request; dropping it marks the request as no longer in flight.
pub struct Permit<'a> {
    bucket: &'a Bucket,
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if let Ok(mut l) = self.bucket.level.lock() {
            l.in_flight = l.in_flight.saturating_sub(1);
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
                in_flight: 0,
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
                    return Permit { bucket };
                };
                let now = Instant::now();
                let elapsed = now.duration_since(l.at).as_secs_f64();
                l.tokens =
                    (l.tokens + elapsed * bucket.spec.refill_per_sec).min(bucket.spec.capacity);
                l.at = now;
                match l.paused_until {
                    Some(until) if until > now => until - now,
                    _ if !l.synced && l.in_flight > 0 => Duration::from_millis(5),
                    _ if l.tokens >= 1.0 => {
                        l.tokens -= 1.0;
                        l.in_flight += 1;
                        return Permit { bucket };
                    }
                    _ => Duration::from_secs_f64((1.0 - l.tokens) / bucket.spec.refill_per_sec),
                }
            };
            tokio::time::sleep(wait.max(Duration::from_millis(1))).await;
        }
    }

    /// The server's remaining count for a class, read from a response to a request that held
    /// a permit (so it is itself no longer counted in `in_flight` once the permit drops).
    pub fn observe_remaining(&self, class: OpClass, remaining: f64) {
        let bucket = self.bucket(class);
        if let Ok(mut l) = bucket.level.lock() {
            // Requests sent after the one that carried this figure are not in it yet; the
            // request itself still holds its permit, hence the - 1.
            let others = l.in_flight.saturating_sub(1) as f64;
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
        b.observe_remaining(OpClass::Read, 0.0);
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
}
