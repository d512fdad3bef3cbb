//! Logs for pipelines: `--log-format json` (one JSON object per line on stderr, per event),
//! the heartbeat that a log without a terminal gets for long operations ("still creating,
//! 30s"), refresh progress ("refreshing 40/180"), and the redaction of the run's secret
//! values from anything a provider says.

use infra::engine::{Action, ProgressEvent};
use infra_provider_core::Value;
use serde_json::{Value as Json, json};
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

static JSON_LOGS: AtomicBool = AtomicBool::new(false);

/// Set once from `--log-format` before any command runs.
pub fn set_json(on: bool) {
    JSON_LOGS.store(on, Ordering::Relaxed);
}

pub fn json() -> bool {
    JSON_LOGS.load(Ordering::Relaxed)
}

/// The heartbeat and refresh-progress interval: 20 s, or `INFRA_LOG_INTERVAL_SECS` (tests use
/// 1; anything from 1 to 3600).
pub fn interval() -> Duration {
    let secs = std::env::var("INFRA_LOG_INTERVAL_SECS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|s| (1..=3600).contains(s))
        .unwrap_or(20);
    Duration::from_secs(secs)
}

/// Writes one JSON object as a line on stderr, with the time (Unix seconds) first.
pub fn emit(event: &str, mut fields: Json) {
    let time = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| (d.as_millis() as f64) / 1000.0)
        .unwrap_or(0.0);
    let mut line = serde_json::Map::new();
    line.insert("time".into(), json!(time));
    line.insert("event".into(), json!(event));
    if let Some(o) = fields.as_object_mut() {
        line.append(o);
    }
    let text = Json::Object(line).to_string();
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

/// The run's secret values (every secret in the planned inputs), replaced by `(secret)` in
/// whatever a provider or the cloud says before it is printed. Values shorter than 4
/// characters are left alone: replacing `1` everywhere would garble every line.
#[derive(Clone, Default)]
pub struct Redactor(Arc<Vec<String>>);

impl Redactor {
    pub fn new<'a>(values: impl Iterator<Item = &'a Value>) -> Redactor {
        let mut found = Vec::new();
        for v in values {
            collect(v, false, &mut found);
        }
        found.retain(|s| s.chars().count() >= 4);
        // Longest first, so that a secret containing another is replaced whole.
        found.sort_by_key(|s| std::cmp::Reverse(s.len()));
        found.dedup();
        Redactor(Arc::new(found))
    }

    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for s in self.0.iter() {
            if out.contains(s.as_str()) {
                out = out.replace(s.as_str(), "(secret)");
            }
        }
        out
    }
}

fn collect(v: &Value, secret: bool, out: &mut Vec<String>) {
    match v {
        Value::Secret(inner) => collect(inner, true, out),
        Value::List(items) => items.iter().for_each(|i| collect(i, secret, out)),
        Value::Object(map) => map.values().for_each(|i| collect(i, secret, out)),
        Value::String(s) if secret => out.push(s.clone()),
        Value::Int(i) if secret => out.push(i.to_string()),
        Value::Float(f) if secret => out.push(f.to_string()),
        _ => {}
    }
}

/// The JSON object of one apply event: `start`, `finish`, `fail`, or the kind of wait
/// (`waiting-for-conflict`, `throttle-wait`, `retry`, `wait`).
pub fn event_json(e: &ProgressEvent) -> (&'static str, Json) {
    match e {
        ProgressEvent::Started { address, action } => (
            "start",
            json!({"address": address, "action": action.as_str()}),
        ),
        ProgressEvent::Finished {
            address,
            action,
            elapsed,
            error: None,
        } => (
            "finish",
            json!({"address": address, "action": action.as_str(), "duration_s": secs(*elapsed)}),
        ),
        ProgressEvent::Finished {
            address,
            action,
            elapsed,
            error: Some(err),
        } => (
            "fail",
            json!({"address": address, "action": action.as_str(), "duration_s": secs(*elapsed),
                   "code": cloud_code(err), "message": err}),
        ),
        ProgressEvent::Waiting {
            address,
            kind,
            code,
            message,
        } => (
            kind.as_str(),
            json!({"address": address, "code": code, "message": message}),
        ),
    }
}

fn secs(d: Duration) -> f64 {
    (d.as_secs_f64() * 1000.0).round() / 1000.0
}

/// The cloud's code at the head of a provider's message (`Conflict: ...`), if it looks like one.
fn cloud_code(message: &str) -> Option<&str> {
    let head = message.split(':').next()?.trim();
    let looks = !head.is_empty()
        && head.len() <= 64
        && head.chars().all(|c| c.is_ascii_alphanumeric() || c == '.');
    looks.then_some(head)
}

pub fn present(a: Action) -> &'static str {
    match a {
        Action::Create => "creating",
        Action::Update => "updating",
        Action::Replace => "replacing",
        Action::Delete => "destroying",
        Action::Read => "reading",
        Action::Import => "importing",
        Action::NoOp => "checking",
    }
}

type InFlight = Mutex<BTreeMap<String, (Instant, Action, Instant)>>;

/// Without a terminal, a line per operation still in flight every [`interval`]:
/// `pg: still creating, 40s`. Stops when dropped.
pub struct Heartbeat {
    in_flight: Arc<InFlight>,
}

impl Heartbeat {
    pub fn start() -> Heartbeat {
        let in_flight: Arc<InFlight> = Arc::default();
        let weak: Weak<InFlight> = Arc::downgrade(&in_flight);
        let every = interval();
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(Duration::from_millis(200).min(every));
                let Some(map) = weak.upgrade() else { return };
                let Ok(mut map) = map.lock() else { return };
                let now = Instant::now();
                for (address, (started, action, last)) in map.iter_mut() {
                    if now.duration_since(*last) >= every {
                        *last = now;
                        beat(address, *action, now.duration_since(*started));
                    }
                }
            }
        });
        Heartbeat { in_flight }
    }

    pub fn event(&self, e: &ProgressEvent) {
        let Ok(mut map) = self.in_flight.lock() else {
            return;
        };
        match e {
            ProgressEvent::Started { address, action } => {
                let now = Instant::now();
                map.insert(address.clone(), (now, *action, now));
            }
            ProgressEvent::Finished { address, .. } => {
                map.remove(address);
            }
            ProgressEvent::Waiting { .. } => {}
        }
    }
}

fn beat(address: &str, action: Action, elapsed: Duration) {
    if json() {
        emit(
            "heartbeat",
            json!({"address": address, "action": action.as_str(), "duration_s": elapsed.as_secs()}),
        );
    } else {
        let _ = writeln!(
            std::io::stderr().lock(),
            "{address}: still {}, {}s",
            present(action),
            elapsed.as_secs()
        );
    }
}

/// Refresh progress: `refreshing 0/180` at the start, `refreshing 40/180` every [`interval`],
/// `refreshed 180 objects in 3.2s` at the end (when dropped).
pub struct RefreshProgress {
    pub done: Arc<AtomicUsize>,
    total: usize,
    started: Instant,
    stop: Arc<AtomicBool>,
    quiet: bool,
}

impl RefreshProgress {
    pub fn start(total: usize, quiet: bool) -> RefreshProgress {
        let done = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        if !quiet {
            refresh_line(0, total);
            let (d, s, every) = (done.clone(), stop.clone(), interval());
            std::thread::spawn(move || {
                let mut last = Instant::now();
                while !s.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(200).min(every));
                    if last.elapsed() >= every && !s.load(Ordering::Relaxed) {
                        last = Instant::now();
                        refresh_line(d.load(Ordering::Relaxed), total);
                    }
                }
            });
        }
        RefreshProgress {
            done,
            total,
            started: Instant::now(),
            stop,
            quiet,
        }
    }
}

impl Drop for RefreshProgress {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if self.quiet {
            return;
        }
        let done = self.done.load(Ordering::Relaxed);
        let elapsed = self.started.elapsed();
        if json() {
            emit(
                "refresh",
                json!({"done": done, "total": self.total, "duration_s": secs(elapsed), "finished": true}),
            );
        } else {
            let _ = writeln!(
                std::io::stderr().lock(),
                "refreshed {done} of {} object(s) in {:.1}s",
                self.total,
                elapsed.as_secs_f64()
            );
        }
    }
}

fn refresh_line(done: usize, total: usize) {
    if json() {
        emit("refresh", json!({"done": done, "total": total}));
    } else {
        let _ = writeln!(std::io::stderr().lock(), "refreshing {done}/{total}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_longest_first_and_short_values_left_alone() {
        let inputs = [
            Value::str("public-name"),
            Value::Object(infra_provider_core::Map::from([
                ("pw".to_string(), Value::secret(Value::str("hunter22"))),
                (
                    "conn".to_string(),
                    Value::secret(Value::str("db;pw=hunter22")),
                ),
                ("n".to_string(), Value::secret(Value::Int(7))),
            ])),
        ];
        let r = Redactor::new(inputs.iter());
        assert_eq!(
            r.redact("Bad: db;pw=hunter22 and hunter22 for public-name, 7 times"),
            "Bad: (secret) and (secret) for public-name, 7 times"
        );
    }

    #[test]
    fn events_carry_address_action_duration_and_cloud_code() {
        let (kind, v) = event_json(&ProgressEvent::Finished {
            address: "rg".into(),
            action: Action::Create,
            elapsed: Duration::from_millis(1234),
            error: Some("ResourceGroupBeingDeleted: wait (HTTP 409)".into()),
        });
        assert_eq!(kind, "fail");
        assert_eq!(v["address"], "rg");
        assert_eq!(v["action"], "create");
        assert_eq!(v["duration_s"], 1.234);
        assert_eq!(v["code"], "ResourceGroupBeingDeleted");
        let (kind, v) = event_json(&ProgressEvent::Waiting {
            address: "pg".into(),
            kind: infra_provider_core::notice::NoticeKind::Conflict,
            code: Some("AnotherOperationInProgress".into()),
            message: "waiting".into(),
        });
        assert_eq!(kind, "waiting-for-conflict");
        assert_eq!(v["code"], "AnotherOperationInProgress");
        assert_eq!(cloud_code("timed out after 5s"), None);
    }
}
