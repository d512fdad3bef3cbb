//! Crash safety: `kill -9` during `infra apply` at 50 seeded random moments spread over the
//! apply's duration. After every kill the state is readable, every address is recorded once
//! with a unique id, and a re-apply converges (the next plan has no changes).
//!
//! Each round changes a parameter that flows into every resource, so every apply has the whole
//! graph to update (or, every fifth round, to create from an empty state).

mod common;
use common::*;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const N: usize = 40;
const WIDTH: usize = 8;
const KILLS: usize = 50;

fn main_infra() -> String {
    let mut s = String::from("param generation: string\n\n");
    for i in 0..N {
        let layer = i / WIDTH;
        let ups: Vec<String> = if layer == 0 {
            Vec::new()
        } else {
            let base = (layer - 1) * WIDTH;
            (0..1 + i % 2)
                .map(|k| format!("r{}.output.name", base + (i * 3 + k * 5) % WIDTH))
                .collect()
        };
        s.push_str(&format!(
            "resource r{i}: core.data {{\n  input = {{ name = \"r{i}-${{generation}}\", up = [{}] }}\n  delay_ms = {}\n}}\n\n",
            ups.join(", "),
            30 + (i * 37) % 51
        ));
    }
    s
}

fn set_generation(dir: &Path, generation: usize) {
    let env =
        format!("environment local {{\n  params = {{ generation = \"g{generation}\" }}\n}}\n");
    std::fs::write(dir.join("environments/local.infra"), env).expect("write env");
}

/// A small deterministic generator (the test must be reproducible).
struct Lcg(u64);

impl Lcg {
    fn next_f64(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn spawn_apply(dir: &Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_infra"))
        .args(["apply", "--env", "local", "--auto-approve", "-q"])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn apply")
}

/// The state is readable and every recorded id is unique.
fn check_state(dir: &Path, when: &str) -> BTreeSet<String> {
    let out = infra(&["state", "list", "--env", "local"], dir);
    assert_eq!(
        out.status.code(),
        Some(0),
        "state unreadable {when}: {}",
        stderr(&out)
    );
    let addresses: Vec<String> = stdout(&out).lines().map(str::to_string).collect();
    let unique: BTreeSet<String> = addresses.iter().cloned().collect();
    assert_eq!(unique.len(), addresses.len(), "duplicate address {when}");
    let pulled = infra(&["state", "pull", "--env", "local"], dir);
    assert_eq!(pulled.status.code(), Some(0), "{when}: {}", stderr(&pulled));
    let doc: serde_json::Value = serde_json::from_slice(&pulled.stdout).expect("state JSON");
    let ids: Vec<&str> = doc["resources"]
        .as_object()
        .map(|m| m.values().filter_map(|r| r["id"].as_str()).collect())
        .unwrap_or_default();
    let unique_ids: BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique_ids.len(), ids.len(), "duplicate id {when}");
    unique
}

fn converge(dir: &Path, when: &str) {
    let out = infra(&["apply", "--env", "local", "--auto-approve", "-q"], dir);
    assert_eq!(
        out.status.code(),
        Some(0),
        "re-apply {when}: {}",
        stderr(&out)
    );
    let out = infra(&["plan", "--env", "local", "--detailed-exitcode"], dir);
    assert_eq!(
        out.status.code(),
        Some(0),
        "not converged {when}:\n{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert_eq!(check_state(dir, when).len(), N, "resources lost {when}");
}

#[test]
fn kill_9_during_apply_never_loses_or_duplicates_anything() {
    let dir = project(&[("main.infra", &main_infra())]);
    let p = dir.path();
    std::fs::create_dir_all(p.join("environments")).expect("mkdir");
    set_generation(p, 0);

    // How long an apply of the whole graph takes here (updates, after a first create).
    let t = Instant::now();
    converge(p, "initially");
    set_generation(p, 1);
    let t2 = Instant::now();
    converge(p, "after the first update");
    let duration = t2.elapsed().max(t.elapsed() / 2);

    let mut rng = Lcg(0x5eed_2024);
    let started = Instant::now();
    let mut mid_apply = 0;
    for kill in 0..KILLS {
        let generation = kill + 2;
        if kill % 5 == 4 {
            // A fresh environment: the apply creates everything.
            std::fs::remove_dir_all(p.join(".infra")).expect("rm .infra");
        }
        set_generation(p, generation);
        let at = duration.mul_f64(rng.next_f64() * 1.1);
        let mut child = spawn_apply(p);
        std::thread::sleep(at);
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        // A journal left behind means the kill landed while resources were being applied.
        if p.join(".infra/local.journal").exists() {
            mid_apply += 1;
        }
        let when = format!("after kill {kill} at {at:?} of ~{duration:?}");
        check_state(p, &when);
        if kill % 10 == 9 {
            converge(p, &when);
        }
    }
    converge(p, "at the end");
    eprintln!("{mid_apply} of {KILLS} kills landed mid-apply (apply takes ~{duration:?})");
    assert!(
        mid_apply >= KILLS / 3,
        "only {mid_apply} of {KILLS} kills interrupted an apply: the timing is off"
    );
    assert!(
        started.elapsed() < Duration::from_secs(120),
        "the crash test took {:?}",
        started.elapsed()
    );
}
