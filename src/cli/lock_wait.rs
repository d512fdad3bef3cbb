//! `--lock-timeout DURATION`: a run that finds the state locked (a local OS lock or a blob
//! lease) tries again until the duration has passed, then fails with the holder as without it.
//! Pipelines set it so that two jobs of one environment queue instead of failing.

use super::output::Output;
use infra::state::{LockError, StateStore, StoreLock};
use std::time::{Duration, Instant};

/// `30s`, `5m`, `1h`, `1m30s`, or plain seconds (`90`).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    if let Ok(secs) = t.parse::<u64>() {
        return Ok(Duration::from_secs(secs));
    }
    let mut total = 0u64;
    let mut number = String::new();
    for ch in t.chars() {
        if ch.is_ascii_digit() {
            number.push(ch);
            continue;
        }
        let unit = match ch {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            _ => {
                return Err(format!(
                    "`{text}`: expected a duration like 30s, 5m, 1h or 1m30s"
                ));
            }
        };
        let n: u64 = number
            .parse()
            .map_err(|_| format!("`{text}`: expected a number before `{ch}`"))?;
        total = total.saturating_add(n.saturating_mul(unit));
        number.clear();
    }
    if !number.is_empty() {
        return Err(format!(
            "`{text}`: a unit (s, m, h) is missing after {number}"
        ));
    }
    Ok(Duration::from_secs(total))
}

fn held(e: &LockError) -> bool {
    matches!(
        e,
        LockError::Held { .. }
            | LockError::HeldUnknown { .. }
            | LockError::LeaseHeld { .. }
            | LockError::LeaseHeldUnknown { .. }
    )
}

/// Takes the lock, waiting up to `out.lock_timeout` while another run holds it.
pub fn lock(
    store: &StateStore,
    run_id: &str,
    operation: &str,
    out: &Output,
) -> Result<StoreLock, LockError> {
    let started = Instant::now();
    let mut said = false;
    loop {
        match store.lock(run_id, operation) {
            Err(e) if held(&e) && started.elapsed() < out.lock_timeout => {
                if !said {
                    said = true;
                    out.info(&format!(
                        "the state is locked by another run; waiting up to {}s for it (--lock-timeout)",
                        out.lock_timeout.as_secs()
                    ));
                }
                let left = out.lock_timeout.saturating_sub(started.elapsed());
                std::thread::sleep(
                    Duration::from_millis(500)
                        .min(left)
                        .max(Duration::from_millis(10)),
                );
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
        assert!(parse_duration("5x").is_err());
        assert!(parse_duration("m").is_err());
        assert!(parse_duration("5m3").is_err());
    }
}
