//! ARM's per-subscription token buckets (reads, writes, deletes). Since 2024 ARM
//! throttles this way per region; the emulator keeps one set of buckets per
//! subscription, which is what a single-region tool run sees.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// Capacity and refill rate of one bucket.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bucket {
    pub capacity: f64,
    pub refill_per_sec: f64,
}

/// Token buckets per operation class. `ThrottleModel::arm()` gives ARM's documented numbers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ThrottleModel {
    pub reads: Bucket,
    pub writes: Bucket,
    pub deletes: Bucket,
}

impl ThrottleModel {
    /// Reads 250 burst / 25 per s; writes 200 / 10 per s; deletes 200 / 10 per s.
    pub fn arm() -> Self {
        ThrottleModel {
            reads: Bucket {
                capacity: 250.0,
                refill_per_sec: 25.0,
            },
            writes: Bucket {
                capacity: 200.0,
                refill_per_sec: 10.0,
            },
            deletes: Bucket {
                capacity: 200.0,
                refill_per_sec: 10.0,
            },
        }
    }
}

impl Default for ThrottleModel {
    fn default() -> Self {
        Self::arm()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum OpClass {
    Read,
    Write,
    Delete,
}

impl OpClass {
    pub(crate) fn of(method: &str) -> Self {
        match method {
            "GET" | "HEAD" => OpClass::Read,
            "DELETE" => OpClass::Delete,
            _ => OpClass::Write,
        }
    }
    pub(crate) fn header(self) -> &'static str {
        match self {
            OpClass::Read => "x-ms-ratelimit-remaining-subscription-reads",
            OpClass::Write => "x-ms-ratelimit-remaining-subscription-writes",
            OpClass::Delete => "x-ms-ratelimit-remaining-subscription-deletes",
        }
    }
    /// What the header says when throttling is off: the values seen in recordings.
    fn unthrottled(self) -> u64 {
        match self {
            OpClass::Read => 11999,
            OpClass::Write => 1199,
            OpClass::Delete => 14999,
        }
    }
}

struct Level {
    tokens: f64,
    at: Instant,
}

pub(crate) struct Throttle {
    model: Mutex<Option<ThrottleModel>>,
    levels: Mutex<HashMap<(String, OpClass), Level>>,
}

impl Throttle {
    pub(crate) fn new(model: Option<ThrottleModel>) -> Self {
        Throttle {
            model: Mutex::new(model),
            levels: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn reset(&self) {
        if let Ok(mut l) = self.levels.lock() {
            l.clear();
        }
    }

    /// Take one token: `Ok(remaining)` or `Err(wait until a token is back)`.
    pub(crate) fn take(&self, sub: &str, class: OpClass) -> Result<u64, Duration> {
        let model = match self.model.lock() {
            Ok(m) => *m,
            Err(_) => None,
        };
        let Some(model) = model else {
            return Ok(class.unthrottled());
        };
        let bucket = match class {
            OpClass::Read => model.reads,
            OpClass::Write => model.writes,
            OpClass::Delete => model.deletes,
        };
        let Ok(mut levels) = self.levels.lock() else {
            return Ok(0);
        };
        let now = Instant::now();
        let level = levels
            .entry((sub.to_ascii_lowercase(), class))
            .or_insert(Level {
                tokens: bucket.capacity,
                at: now,
            });
        let elapsed = now.duration_since(level.at).as_secs_f64();
        level.tokens = (level.tokens + elapsed * bucket.refill_per_sec).min(bucket.capacity);
        level.at = now;
        if level.tokens >= 1.0 {
            level.tokens -= 1.0;
            Ok(level.tokens.floor() as u64)
        } else {
            let rate = bucket.refill_per_sec.max(0.001);
            Err(Duration::from_secs_f64((1.0 - level.tokens) / rate))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empties_then_refuses_with_a_wait() {
        let t = Throttle::new(Some(ThrottleModel {
            reads: Bucket {
                capacity: 3.0,
                refill_per_sec: 1.0,
            },
            ..ThrottleModel::arm()
        }));
        assert_eq!(t.take("s", OpClass::Read), Ok(2));
        assert_eq!(t.take("s", OpClass::Read), Ok(1));
        assert_eq!(t.take("s", OpClass::Read), Ok(0));
        let wait = t.take("s", OpClass::Read).expect_err("bucket is empty");
        assert!(wait <= Duration::from_secs(1));
        // Other classes and subscriptions have their own buckets.
        assert_eq!(t.take("s", OpClass::Write), Ok(199));
        assert_eq!(t.take("other", OpClass::Read), Ok(2));
    }

    #[test]
    fn disabled_reports_recorded_values() {
        let t = Throttle::new(None);
        assert_eq!(t.take("s", OpClass::Delete), Ok(14999));
    }
}
