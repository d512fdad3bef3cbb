//! Apply progress on stderr, one line per resource start and finish with the elapsed time,
//! and the summary at the end: what was done, what failed (with the provider's message) and
//! what was skipped or not started.

use super::logs::{self, Heartbeat, Redactor};
use super::output::Output;
use infra::engine::{Action, ApplyReport, ProgressEvent};
use std::io::Write;

fn words(a: Action) -> (&'static str, &'static str, &'static str) {
    match a {
        Action::Create => ("creating", "created", "create"),
        Action::Update => ("updating", "updated", "update"),
        Action::Replace => ("replacing", "replaced", "replace"),
        Action::Delete => ("destroying", "destroyed", "destroy"),
        Action::Read => ("reading", "read", "read"),
        Action::Import => ("importing", "imported", "import"),
        Action::NoOp => ("checking", "unchanged", "check"),
    }
}

/// Providers do not know the project or the environment a run is for: their advice names the
/// command as `infra import --env <ENV> ...`, completed here for this run.
#[derive(Clone, Default)]
pub struct RunContext {
    pub dir: String,
    pub env: String,
    /// The run's secret values, never printed even if a cloud error quotes one.
    pub redactor: Redactor,
}

impl RunContext {
    pub fn complete(&self, text: &str) -> String {
        let text = &self.redactor.redact(text);
        let placeholder = "infra import --env <ENV> ";
        if self.env.is_empty() || !text.contains(placeholder) {
            return text.to_string();
        }
        let dir = if self.dir == "." {
            String::new()
        } else {
            format!("{} ", self.dir)
        };
        text.replace(
            placeholder,
            &format!("infra import {dir}--env {} ", self.env),
        )
    }
}

/// The line for one event.
pub fn line(e: &ProgressEvent) -> String {
    match e {
        ProgressEvent::Started { address, action } => format!("{address}: {}...", words(*action).0),
        ProgressEvent::Finished {
            address,
            action,
            elapsed,
            error: None,
        } => format!(
            "{address}: {} in {:.1}s",
            words(*action).1,
            elapsed.as_secs_f64()
        ),
        ProgressEvent::Finished {
            address,
            action,
            elapsed,
            error: Some(err),
        } => format!(
            "{address}: {} failed after {:.1}s: {err}",
            words(*action).2,
            elapsed.as_secs_f64()
        ),
        ProgressEvent::Waiting {
            address, message, ..
        } => format!("{address}: {message}"),
    }
}

/// A progress callback printing to stderr (nothing but errors with `--quiet`). On a terminal
/// it also keeps a live status line under the event lines: what is in flight and for how long,
/// redrawn four times a second until the callback is dropped. Without a terminal (a CI log), or
/// with `--log-format json`, a heartbeat line per operation still in flight instead (see
/// logs.rs); with `--log-format json` every event is one JSON object.
pub fn printer(out: &Output, run: RunContext) -> impl Fn(ProgressEvent) + Sync + use<> {
    use std::io::IsTerminal;
    let quiet = out.quiet;
    let json = logs::json();
    let tty = std::io::stderr().is_terminal();
    let live = (!quiet && tty && !json).then(Live::start);
    let heartbeat = (!quiet && (!tty || json)).then(Heartbeat::start);
    move |mut e: ProgressEvent| {
        let failed = matches!(&e, ProgressEvent::Finished { error: Some(_), .. });
        if quiet && !failed {
            return;
        }
        match &mut e {
            ProgressEvent::Finished {
                error: Some(err), ..
            } => *err = run.complete(err),
            ProgressEvent::Waiting { message, .. } => *message = run.redactor.redact(message),
            _ => {}
        }
        if let Some(h) = &heartbeat {
            h.event(&e);
        }
        if json {
            let (kind, fields) = logs::event_json(&e);
            logs::emit(kind, fields);
            return;
        }
        match &live {
            Some(live) => live.event(&e),
            None => {
                let mut err = std::io::stderr().lock();
                let _ = writeln!(err, "{}", line(&e));
            }
        }
    }
}

/// The live status line. The ticker thread holds only a weak reference, so it stops (and
/// clears the line) as soon as the printer is dropped at the end of the apply.
struct Live {
    inner: std::sync::Arc<LiveInner>,
}

struct LiveInner {
    in_flight:
        std::sync::Mutex<std::collections::BTreeMap<String, (std::time::Instant, &'static str)>>,
}

impl Live {
    fn start() -> Live {
        let inner = std::sync::Arc::new(LiveInner {
            in_flight: Default::default(),
        });
        let weak = std::sync::Arc::downgrade(&inner);
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(std::time::Duration::from_millis(250));
                let Some(inner) = weak.upgrade() else {
                    let _ = write!(std::io::stderr().lock(), "\r\x1b[K");
                    return;
                };
                inner.redraw(&mut std::io::stderr().lock());
            }
        });
        Live { inner }
    }

    fn event(&self, e: &ProgressEvent) {
        if let Ok(mut map) = self.inner.in_flight.lock() {
            match e {
                ProgressEvent::Started { address, action } => {
                    map.insert(
                        address.clone(),
                        (std::time::Instant::now(), words(*action).0),
                    );
                }
                ProgressEvent::Finished { address, .. } => {
                    map.remove(address);
                }
                ProgressEvent::Waiting { .. } => {}
            }
        }
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "\r\x1b[K{}", line(e));
        self.inner.redraw(&mut err);
    }
}

impl LiveInner {
    fn redraw(&self, err: &mut impl Write) {
        let Ok(map) = self.in_flight.lock() else {
            return;
        };
        let _ = write!(err, "\r\x1b[K{}", status(&map));
        let _ = err.flush();
    }
}

/// `3 in progress: pg creating 12.0s, kv creating 1.2s, ...`, at most 100 characters.
fn status(map: &std::collections::BTreeMap<String, (std::time::Instant, &'static str)>) -> String {
    if map.is_empty() {
        return String::new();
    }
    let mut items: Vec<(&String, &(std::time::Instant, &str))> = map.iter().collect();
    items.sort_by_key(|(_, (t, _))| *t);
    let mut text = format!("{} in progress:", items.len());
    for (address, (started, verb)) in items {
        let item = format!(" {address} {verb} {:.1}s,", started.elapsed().as_secs_f64());
        if text.chars().count() + item.chars().count() > 96 {
            text.push_str(" ...");
            return text;
        }
        text.push_str(&item);
    }
    text.pop();
    text
}

/// Prints the end of an apply on stderr. `verb` is `Apply` or `Destroy`.
pub fn summary(report: &ApplyReport, verb: &str, out: &Output, run: &RunContext) {
    let count = |a: Action| report.done.iter().filter(|(_, x)| *x == a).count();
    if logs::json() {
        let failed: Vec<_> = report
            .failed
            .iter()
            .map(|f| {
                serde_json::json!({"address": f.address, "action": f.action.as_str(),
                                        "error": run.complete(&f.error.to_string())})
            })
            .collect();
        let skipped: Vec<_> = report
            .skipped
            .iter()
            .map(|s| serde_json::json!({"address": s.address, "because": s.because}))
            .collect();
        logs::emit(
            "summary",
            serde_json::json!({
                "command": verb.to_lowercase(),
                "success": report.is_success(),
                "imported": count(Action::Import), "added": count(Action::Create),
                "changed": count(Action::Update), "replaced": count(Action::Replace),
                "destroyed": count(Action::Delete),
                "failed": failed, "skipped": skipped, "not_started": report.cancelled,
            }),
        );
        return;
    }
    if report.is_success() {
        if out.quiet {
            return;
        }
        eprintln!(
            "\n{verb} complete: {}{} added, {} changed, {} replaced, {} destroyed.",
            match count(Action::Import) {
                0 => String::new(),
                n => format!("{n} imported, "),
            },
            count(Action::Create),
            count(Action::Update),
            count(Action::Replace),
            count(Action::Delete)
        );
        return;
    }
    let mut text = format!("\n{verb} did not finish.\n");
    if !report.failed.is_empty() {
        text.push_str("Failed:\n");
        for f in &report.failed {
            text.push_str(&format!(
                "  {} ({}): {}\n",
                f.address,
                words(f.action).2,
                run.complete(&f.error.to_string())
            ));
        }
    }
    if !report.skipped.is_empty() {
        text.push_str("Skipped (a dependency failed):\n");
        for s in &report.skipped {
            text.push_str(&format!("  {} (depends on {})\n", s.address, s.because));
        }
    }
    if !report.cancelled.is_empty() {
        text.push_str("Not started (interrupted):\n");
        for a in &report.cancelled {
            text.push_str(&format!("  {a}\n"));
        }
    }
    text.push_str(&format!(
        "Done: {}, failed: {}, skipped: {}, not started: {}.\n\
         The state holds everything that was done; fix the cause and run the command again to \
         continue.",
        report.done.len(),
        report.failed.len(),
        report.skipped.len(),
        report.cancelled.len()
    ));
    eprintln!("{text}");
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn provider_advice_is_completed_with_the_project_and_environment() {
        let advice = "x exists. Adopt it with `infra import --env <ENV> rg /subscriptions/s/resourceGroups/x`";
        let here = RunContext {
            dir: ".".into(),
            env: "prod".into(),
            ..RunContext::default()
        };
        assert!(
            here.complete(advice)
                .contains("`infra import --env prod rg /subscriptions/")
        );
        let there = RunContext {
            dir: "environments".into(),
            env: "local".into(),
            ..RunContext::default()
        };
        assert!(
            there
                .complete(advice)
                .contains("`infra import environments --env local rg ")
        );
        assert_eq!(RunContext::default().complete(advice), advice);
    }

    #[test]
    fn lines_name_the_resource_the_action_and_the_time() {
        let started = ProgressEvent::Started {
            address: "rg".into(),
            action: Action::Create,
        };
        assert_eq!(line(&started), "rg: creating...");
        let done = ProgressEvent::Finished {
            address: "rg".into(),
            action: Action::Create,
            elapsed: Duration::from_millis(300),
            error: None,
        };
        assert_eq!(line(&done), "rg: created in 0.3s");
        let failed = ProgressEvent::Finished {
            address: "kv".into(),
            action: Action::Delete,
            elapsed: Duration::from_millis(1200),
            error: Some("Conflict: busy".into()),
        };
        assert_eq!(
            line(&failed),
            "kv: destroy failed after 1.2s: Conflict: busy"
        );
        let waiting = ProgressEvent::Waiting {
            address: "pg".into(),
            kind: infra_provider_core::notice::NoticeKind::Conflict,
            code: None,
            message: "waiting for another operation on x to finish".into(),
        };
        assert_eq!(
            line(&waiting),
            "pg: waiting for another operation on x to finish"
        );
    }
}
