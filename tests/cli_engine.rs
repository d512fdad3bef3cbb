//! `infra plan` / `apply` / `destroy` end to end on `core.data` projects: plans on empty and
//! full state, updates that stop where values stop changing, saved plans and staleness, the
//! views (JSON, markdown), confirmation without a terminal, locks, protection.

mod common;
use common::*;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const MAIN: &str = r#"param environment: string
param greeting: string = "hello"

resource a: core.data {
  input = { name = "a-${environment}", greeting = greeting }
}

resource b: core.data {
  input = { name = "b", from = a.output.name }
}

resource c: core.data {
  input = { name = "c", from = b.output.name, a_id = a.id }
}

output last = c.output.name
"#;

fn local(params: &str) -> String {
    format!("environment local {{\n  params = {{ {params} }}\n}}\n")
}

fn sample() -> tempfile::TempDir {
    project(&[
        ("main.infra", MAIN),
        (
            "environments/local.infra",
            &local("environment = \"local\""),
        ),
    ])
}

fn ok(out: &std::process::Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        stdout(out),
        stderr(out)
    );
}

fn apply(dir: &Path) {
    ok(&infra(
        &["apply", ".", "--env", "local", "--auto-approve"],
        dir,
    ));
}

fn json_plan(dir: &Path) -> serde_json::Value {
    let out = infra(&["plan", "--env", "local", "--format", "json"], dir);
    ok(&out);
    serde_json::from_slice(&out.stdout).expect("plan JSON")
}

fn actions(plan: &serde_json::Value) -> Vec<(String, String)> {
    plan["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| {
            (
                c["address"].as_str().unwrap_or("").to_string(),
                c["action"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn plan_on_empty_state_shows_creates() {
    let dir = sample();
    let out = infra(&["plan", ".", "--env", "local"], dir.path());
    ok(&out);
    let text = stdout(&out);
    assert!(
        text.contains("Plan: 3 to add, 0 to change, 0 to replace, 0 to destroy."),
        "{text}"
    );
    assert!(text.contains("+ a (core.data) will be created"), "{text}");
    // Planning records nothing.
    assert!(!dir.path().join(".infra/local.state.json").exists());
    let out = infra(
        &["plan", "--env", "local", "--detailed-exitcode"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn apply_then_plan_has_no_changes() {
    let dir = sample();
    let out = infra(&["apply", "--env", "local", "--auto-approve"], dir.path());
    ok(&out);
    let err = stderr(&out);
    assert!(
        err.contains("a: creating...") && err.contains("a: created in "),
        "{err}"
    );
    assert!(err.contains("Apply complete: 3 added"), "{err}");
    assert!(stdout(&out).contains("last = \"c\""), "{}", stdout(&out));
    let out = infra(
        &["plan", "--env", "local", "--detailed-exitcode"],
        dir.path(),
    );
    ok(&out);
    assert!(stdout(&out).contains("No changes."), "{}", stdout(&out));
    let out = infra(
        &[
            "plan",
            "--env",
            "local",
            "--detailed-exitcode",
            "--refresh=false",
        ],
        dir.path(),
    );
    ok(&out);
}

#[test]
fn a_changed_input_updates_only_what_changes() {
    let dir = sample();
    apply(dir.path());
    // The greeting is not part of a.output.name: only `a` changes.
    let env = local("environment = \"local\", greeting = \"hi\"");
    std::fs::write(dir.path().join("environments/local.infra"), env).unwrap();
    let plan = json_plan(dir.path());
    assert_eq!(plan["format_version"], "1");
    assert_eq!(
        actions(&plan),
        [("a", "update"), ("b", "no-op"), ("c", "no-op")]
            .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    assert_eq!(plan["summary"]["change"], 1);
    apply(dir.path());
    // The environment name flows into a.output.name, hence into b, not into c (b's name is fixed).
    let env = local("environment = \"dev\", greeting = \"hi\"");
    std::fs::write(dir.path().join("environments/local.infra"), env).unwrap();
    let plan = json_plan(dir.path());
    assert_eq!(
        actions(&plan),
        [("a", "update"), ("b", "update"), ("c", "no-op")]
            .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    apply(dir.path());
    let out = infra(
        &["plan", "--env", "local", "--detailed-exitcode"],
        dir.path(),
    );
    ok(&out);
}

#[test]
fn saved_plan_applies_and_a_stale_one_is_refused() {
    let dir = sample();
    let p = dir.path();
    ok(&infra(
        &["plan", "--env", "local", "--out", "first.plan"],
        p,
    ));
    let saved: serde_json::Value =
        serde_json::from_slice(&std::fs::read(p.join("first.plan")).unwrap()).unwrap();
    assert_eq!(saved["plan"]["format_version"], "1");
    // One argument naming a file is the plan file; no confirmation is needed.
    let out = infra(&["apply", "first.plan", "--env", "local"], p);
    ok(&out);
    assert!(
        stderr(&out).contains("Apply complete: 3 added"),
        "{}",
        stderr(&out)
    );
    // Applying it again: the state moved on.
    let out = infra(&["apply", ".", "first.plan", "--env", "local"], p);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("stale"), "{}", stderr(&out));

    // A plan made, then the state changes under it (another apply): refused.
    let env = local("environment = \"local\", greeting = \"hi\"");
    std::fs::write(p.join("environments/local.infra"), env).unwrap();
    ok(&infra(
        &["plan", "--env", "local", "--out", "second.plan"],
        p,
    ));
    apply(p);
    let out = infra(&["apply", "second.plan", "--env", "local"], p);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("stale") && err.contains("infra plan"), "{err}");

    // A plan made, then the configuration changes: refused.
    let env = local("environment = \"local\", greeting = \"hey\"");
    std::fs::write(p.join("environments/local.infra"), env).unwrap();
    ok(&infra(
        &["plan", "--env", "local", "--out", "third.plan"],
        p,
    ));
    let env = local("environment = \"local\", greeting = \"yo\"");
    std::fs::write(p.join("environments/local.infra"), env).unwrap();
    let out = infra(&["apply", "third.plan", "--env", "local"], p);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("configuration") && stderr(&out).contains("changed since"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn markdown_plan_stays_under_the_comment_limit() {
    let mut main = String::new();
    for i in 0..400 {
        main.push_str(&format!(
            "resource r{i}: core.data {{\n  input = {{ name = \"r{i}\", text = \"{}\" }}\n}}\n\n",
            "x".repeat(200)
        ));
    }
    let dir = project(&[
        ("main.infra", &main),
        ("environments/local.infra", "environment local {}\n"),
    ]);
    let out = infra(
        &["plan", "--env", "local", "--format", "markdown"],
        dir.path(),
    );
    ok(&out);
    let md = stdout(&out);
    assert!(md.chars().count() < 60_000, "{} chars", md.chars().count());
    assert!(
        md.contains("Plan: 400 to add"),
        "{}",
        &md[..200.min(md.len())]
    );
    assert!(md.contains("not shown"), "the cut is not said");
    assert!(!md.contains('\u{1b}'), "ANSI codes in markdown");
}

/// Runs the binary with standard input closed, failing the test if it does not end in time.
fn run_bounded(args: &[&str], dir: &Path, limit: Duration) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_infra"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let start = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("`infra {}` did not end within {limit:?}", args.join(" "));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

#[test]
fn apply_without_a_terminal_or_approval_refuses_instead_of_hanging() {
    let dir = sample();
    for cmd in ["apply", "destroy"] {
        let out = run_bounded(
            &[cmd, "--env", "local"],
            dir.path(),
            Duration::from_secs(30),
        );
        assert_eq!(out.status.code(), Some(1));
        let err = stderr(&out);
        assert!(
            err.contains("not a terminal") && err.contains("--auto-approve"),
            "{err}"
        );
    }
    assert!(!dir.path().join(".infra/local.state.json").exists());
}

#[test]
fn a_held_lock_is_refused_with_its_holder() {
    let dir = sample();
    let store = infra::state::LocalStore::new(dir.path().join(".infra"), "local");
    let held = store.lock("r-test-holder", "apply").expect("lock");
    let out = infra(&["apply", "--env", "local", "--auto-approve"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let pid = std::process::id().to_string();
    for part in ["locked by", pid.as_str(), "r-test-holder", "kill", "apply"] {
        assert!(err.contains(part), "`{part}` missing: {err}");
    }
    drop(held);
    apply(dir.path());
}

#[test]
fn a_second_apply_while_one_runs_is_refused() {
    let dir = project(&[
        (
            "main.infra",
            "resource slow: core.data {\n  input = \"x\"\n  delay_ms = 3000\n}\n",
        ),
        ("environments/local.infra", "environment local {}\n"),
    ]);
    let mut first = Command::new(env!("CARGO_BIN_EXE_infra"))
        .args(["apply", "--env", "local", "--auto-approve"])
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let lock = dir.path().join(".infra/local.lock");
    let start = Instant::now();
    while std::fs::read_to_string(&lock)
        .unwrap_or_default()
        .is_empty()
    {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "lock never taken"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = infra(&["apply", "--env", "local", "--auto-approve"], dir.path());
    let _ = first.kill();
    let _ = first.wait();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("locked by") && err.contains(&first.id().to_string()),
        "{err}"
    );
}

#[test]
fn destroy_empties_the_state_and_protect_needs_allow_destroy() {
    let dir = project(&[
        (
            "main.infra",
            "resource keep: core.data {\n  input = \"k\"\n  protect = true\n}\n\nresource tmp: core.data {\n  input = keep.output\n}\n",
        ),
        ("environments/local.infra", "environment local {}\n"),
    ]);
    let p = dir.path();
    apply(p);
    let out = infra(&["destroy", "--env", "local", "--auto-approve"], p);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("keep") && err.contains("--allow-destroy"),
        "{err}"
    );
    let list = infra(&["state", "list", "--env", "local"], p);
    assert_eq!(stdout(&list), "keep\ntmp\n");

    let out = infra(
        &[
            "destroy",
            "--env",
            "local",
            "--auto-approve",
            "--allow-destroy",
        ],
        p,
    );
    ok(&out);
    let err = stderr(&out);
    // Reverse order: the dependent goes first.
    let (t, k) = (err.find("tmp: destroyed"), err.find("keep: destroying"));
    assert!(t.is_some() && k.is_some() && t < k, "{err}");
    let list = infra(&["state", "list", "--env", "local"], p);
    ok(&list);
    assert_eq!(stdout(&list), "");
}

#[test]
fn azure_types_need_an_azure_or_emulator_target() {
    let dir = project(&[
        (
            "main.infra",
            "resource rg: azure.resource_group {\n  name = \"rg\"\n  location = \"westeurope\"\n}\n",
        ),
        ("environments/local.infra", "environment local {}\n"),
    ]);
    ok(&infra(&["validate", "--env", "local"], dir.path()));
    let out = infra(&["plan", "--env", "local"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("azure.resource_group") && err.contains("target = emulator {}"),
        "{err}"
    );
}

#[test]
fn configuration_errors_exit_1_with_diagnostics() {
    let dir = project(&[
        ("main.infra", "resource a: core.data {\n  inptu = 1\n}\n"),
        ("environments/local.infra", "environment local {}\n"),
    ]);
    let out = infra(&["plan", "--env", "local"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("E0300"), "{}", stderr(&out));
}

#[test]
fn ctrl_c_stops_scheduling_lets_in_flight_work_finish_and_saves() {
    use std::io::{BufRead, BufReader};
    let dir = project(&[
        (
            "main.infra",
            "resource a: core.data {\n  input = \"a\"\n  delay_ms = 600\n}\n\nresource b: core.data {\n  input = a.output\n  delay_ms = 600\n}\n",
        ),
        ("environments/local.infra", "environment local {}\n"),
    ]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_infra"))
        .args(["apply", "--env", "local", "--auto-approve"])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let mut seen = String::new();
    for line in lines.by_ref() {
        let line = line.expect("line");
        seen.push_str(&line);
        seen.push('\n');
        if line.contains("a: creating") {
            break;
        }
    }
    let pid = child.id().to_string();
    let sent = Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("kill");
    assert!(sent.success());
    for line in lines {
        seen.push_str(&line.expect("line"));
        seen.push('\n');
    }
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(1), "{seen}");
    assert!(seen.contains("Interrupted"), "{seen}");
    assert!(
        seen.contains("a: created"),
        "in-flight work did not finish: {seen}"
    );
    assert!(
        !seen.contains("b: creating"),
        "b started after the interrupt: {seen}"
    );
    assert!(seen.contains("Not started (interrupted):\n  b"), "{seen}");
    let list = infra(&["state", "list", "--env", "local"], dir.path());
    assert_eq!(stdout(&list), "a\n");
    apply(dir.path());
    ok(&infra(
        &["plan", "--env", "local", "--detailed-exitcode"],
        dir.path(),
    ));
}
