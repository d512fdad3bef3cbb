//! A killed run does not poison the next: `kill -9` of `infra apply` while a slow create runs
//! in the cloud (a standalone emulator whose writes take 500 ms), then an immediate re-apply,
//! 20 times. The cloud still works on what the killed run asked for; the re-apply must wait
//! for it (ARM would answer 409 AnotherOperationInProgress to a write now) instead of failing,
//! and converge with no duplicate.

mod common;
use common::emulator::Emulator;
use common::*;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ROUNDS: usize = 20;
const SUB: &str = "11111111-2222-3333-4444-555555555555";

fn main_infra(caches: usize) -> String {
    let mut s = format!(
        "environment cloud {{\n  target = azure {{ subscription = \"{SUB}\" }}\n}}\n\n\
         resource rg: azure.resource_group {{\n  name     = \"kill-rg\"\n  location = \"westeurope\"\n}}\n"
    );
    for i in 0..caches {
        s.push_str(&format!(
            "\nresource cache{i}: azure.redis_cache {{\n  name           = \"kill-cache-{i}\"\n  resource_group = rg\n  sku            = \"Basic\"\n  capacity       = 0\n}}\n"
        ));
    }
    s
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

/// Starts an apply and kills it (SIGKILL) `delay` after it started creating `address`.
fn apply_and_kill(dir: &Path, env: &[(&str, &str)], address: &str, delay: Duration) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_infra"));
    cmd.args(["apply", "--env", "cloud", "--auto-approve"])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn apply");
    let mut reader = BufReader::new(child.stderr.take().expect("stderr"));
    let want = format!("{address}: creating...");
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            panic!("the apply ended before creating {address}:\n{seen}");
        }
        seen.push_str(&line);
        if line.trim_end() == want {
            break;
        }
    }
    std::thread::sleep(delay);
    let _ = child.kill(); // SIGKILL
    let _ = child.wait();
}

#[test]
fn twenty_killed_applies_during_a_slow_create_each_converge_at_once() {
    let data = tempfile::tempdir().expect("tempdir");
    let emulator = Emulator::start(&["--latency-ms", "500", "--retry-after", "0"], data.path());
    let env = emulator.azure_env();
    let dir = project(&[("main.infra", &main_infra(0))]);
    let p = dir.path();
    let first = infra_env(&["apply", "--env", "cloud", "--auto-approve"], p, &env);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));

    let started = Instant::now();
    let mut rng = Lcg(0x6b11_2026);
    let (mut converged, mut in_flight, mut waited) = (0, 0, 0);
    for round in 0..ROUNDS {
        std::fs::write(p.join("main.infra"), main_infra(round + 1)).expect("write");
        // The PUT goes out right after "creating..."; the create then runs 500 ms in the cloud.
        let delay = Duration::from_millis(50 + (rng.next_f64() * 350.0) as u64);
        apply_and_kill(p, &env, &format!("cache{round}"), delay);
        let id = format!(
            "/subscriptions/{SUB}/resourceGroups/kill-rg/providers/Microsoft.Cache/Redis/kill-cache-{round}?api-version=2024-11-01"
        );
        let live = emulator.send("GET", &id, None);
        if live.contains("\"Creating\"") {
            in_flight += 1;
        }
        let again = infra_env(&["apply", "--env", "cloud", "--auto-approve"], p, &env);
        let err = stderr(&again);
        assert_eq!(
            again.status.code(),
            Some(0),
            "round {round}: the re-apply failed (kill {delay:?} into the create):\n{err}"
        );
        if err.contains("waiting for") {
            waited += 1;
        }
        let plan = infra_env(&["plan", "--env", "cloud", "--detailed-exitcode"], p, &env);
        assert_eq!(
            plan.status.code(),
            Some(0),
            "round {round}: not converged:\n{}{}",
            stdout(&plan),
            stderr(&plan)
        );
        converged += 1;
    }
    // No duplicate: every cache once in the state, and once in the cloud.
    let list = infra_env(&["state", "list", "--env", "cloud"], p, &env);
    let addresses: Vec<String> = stdout(&list).lines().map(str::to_string).collect();
    let mut unique = addresses.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), addresses.len(), "{addresses:?}");
    assert_eq!(addresses.len(), ROUNDS + 1, "{addresses:?}");
    let caches = emulator.send(
        "GET",
        &format!(
            "/subscriptions/{SUB}/resourceGroups/kill-rg/providers/Microsoft.Cache/Redis?api-version=2024-11-01"
        ),
        None,
    );
    let caches: serde_json::Value = serde_json::from_str(&caches).expect("list JSON");
    assert_eq!(
        caches["value"].as_array().map(Vec::len),
        Some(ROUNDS),
        "{caches}"
    );
    eprintln!(
        "{converged}/{ROUNDS} killed applies converged at once; {in_flight} kills left the create running in the cloud, {waited} re-applies waited for it ({:?})",
        started.elapsed()
    );
    assert_eq!(converged, ROUNDS);
    assert!(
        in_flight >= ROUNDS / 2,
        "only {in_flight} of {ROUNDS} kills landed while the create ran: the timing is off"
    );
    assert!(waited > 0, "no re-apply had to wait");
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "took {:?}",
        started.elapsed()
    );
}
