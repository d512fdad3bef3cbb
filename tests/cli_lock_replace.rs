//! `--lock-timeout` on local state (waits for the holder, then fails with who it is) and
//! `--replace ADDR` (plan shows the replacement and why; apply makes a new object; a saved plan
//! keeps it; an address infra does not manage is refused).

mod common;
use common::*;
use std::process::Stdio;
use std::time::{Duration, Instant};

const MAIN: &str = "resource a: core.data {\n  input = { name = \"a\" }\n}\n\n\
                    resource b: core.data {\n  input = { from = a.id }\n}\n";
const ENV: &str = "environment local {\n}\n";

fn sample() -> tempfile::TempDir {
    project(&[("main.infra", MAIN), ("environments/local.infra", ENV)])
}

fn ok(o: &std::process::Output) {
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(o), stderr(o));
}

fn id_of(dir: &std::path::Path, address: &str) -> String {
    let text = std::fs::read_to_string(dir.join(".infra/local.state.json")).expect("state");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("json");
    doc["resources"][address]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id for {address}: {text}"))
        .to_string()
}

#[test]
fn lock_timeout_waits_for_the_holder_then_gives_up_with_its_name() {
    let dir = sample();
    let store = infra::state::LocalStore::new(dir.path().join(".infra"), "local");
    let held = store.lock("r-test-holder", "apply").expect("lock");
    let started = Instant::now();
    let out = infra(
        &["plan", "--env", "local", "--lock-timeout", "1s"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(started.elapsed() >= Duration::from_secs(1));
    let err = stderr(&out);
    assert!(
        err.contains("waiting up to 1s") && err.contains("r-test-holder"),
        "{err}"
    );
    // Without the flag: refused at once, as before.
    let out = infra(&["plan", "--env", "local"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(!stderr(&out).contains("waiting up to"));

    let child = std::process::Command::new(env!("CARGO_BIN_EXE_infra"))
        .args([
            "apply",
            "--env",
            "local",
            "--auto-approve",
            "--lock-timeout",
            "30s",
        ])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    std::thread::sleep(Duration::from_millis(1500));
    drop(held);
    let out = child.wait_with_output().expect("wait");
    ok(&out);
    assert!(
        stderr(&out).contains("Apply complete: 2 added"),
        "{}",
        stderr(&out)
    );
    assert!(
        infra(
            &["plan", "--env", "local", "--lock-timeout", "5x"],
            dir.path()
        )
        .status
        .code()
            == Some(1)
    );
}

#[test]
fn replace_forces_a_new_object_with_the_reason_shown() {
    let dir = sample();
    let p = dir.path();
    ok(&infra(&["apply", "--env", "local", "--auto-approve"], p));
    let (a1, b1) = (id_of(p, "a"), id_of(p, "b"));

    let plan = infra(
        &[
            "plan",
            "--env",
            "local",
            "--replace",
            "a",
            "--detailed-exitcode",
        ],
        p,
    );
    assert_eq!(plan.status.code(), Some(2), "{}", stderr(&plan));
    let text = stdout(&plan);
    assert!(
        text.contains("-/+ a (core.data) will be replaced"),
        "{text}"
    );
    assert!(
        text.contains("replacement requested with --replace"),
        "{text}"
    );
    assert!(text.contains("1 to replace"), "{text}");

    ok(&infra(
        &[
            "apply",
            "--env",
            "local",
            "--auto-approve",
            "--replace",
            "a",
        ],
        p,
    ));
    let a2 = id_of(p, "a");
    assert_ne!(a1, a2, "a was not replaced");
    // b reads a.id, so it is updated to the new object's id.
    assert_eq!(b1, id_of(p, "b"));
    let state = std::fs::read_to_string(p.join(".infra/local.state.json")).expect("state");
    let doc: serde_json::Value = serde_json::from_str(&state).expect("json");
    assert!(
        doc["resources"]["b"].to_string().contains(&a2),
        "{}",
        doc["resources"]["b"]
    );

    // Through a saved plan.
    ok(&infra(
        &[
            "plan",
            "--env",
            "local",
            "--replace",
            "a",
            "--out",
            "r.plan",
        ],
        p,
    ));
    let shown = infra(&["show", "r.plan", "--format", "json"], p);
    assert!(stdout(&shown).contains("replacement requested with --replace"));
    ok(&infra(&["apply", "r.plan"], p));
    assert_ne!(a2, id_of(p, "a"));
    let none = infra(&["plan", "--env", "local", "--detailed-exitcode"], p);
    assert_eq!(none.status.code(), Some(0), "{}", stdout(&none));

    // Only what infra manages can be replaced.
    let out = infra(&["plan", "--env", "local", "--replace", "nope"], p);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("--replace nope names no resource"),
        "{}",
        stderr(&out)
    );
}
