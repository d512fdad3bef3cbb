//! The reference platform applied to a standalone `infra emulator` that injects faults (10% of
//! requests answered 429 with Retry-After, 5% answered 500), reached as Azure is: through
//! `target = azure { ... }` and `INFRA_AZURE_ENDPOINT`. The apply must still succeed, with no
//! duplicate object, and the next plan must be empty.

mod common;
use common::emulator::Emulator;
use common::*;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const FAULTY: &str = r#"environment faulty {
  target = azure { subscription = "11111111-2222-3333-4444-555555555555" }
  params = {
    environment       = "faulty"
    image             = "api:dev"
    db_admin_password = env_secret("PG_PASSWORD", "local-only")
    pg_in_database    = false
  }
}
"#;

/// A copy of the platform with the `faulty` environment (Azure target) added.
fn platform_copy() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("environments");
    copy_dir(&repo().join("environments"), &dir);
    std::fs::write(dir.join("faulty.infra"), FAULTY).expect("write env");
    tmp
}

#[test]
fn platform_apply_survives_injected_429s_and_500s_without_duplicates() {
    let data = tempfile::tempdir().expect("tempdir");
    let emulator = Emulator::start(&["--fault-429", "0.1", "--fault-500", "0.05"], data.path());
    let tmp = platform_copy();
    let env = emulator.azure_env();

    let apply = infra_env(
        &["apply", "environments", "--env", "faulty", "--auto-approve"],
        tmp.path(),
        &env,
    );
    assert_eq!(
        apply.status.code(),
        Some(0),
        "stderr:\n{}\nstdout:\n{}",
        stderr(&apply),
        stdout(&apply)
    );
    assert!(stderr(&apply).contains("18 added"), "{}", stderr(&apply));

    let plan = infra_env(
        &[
            "plan",
            "environments",
            "--env",
            "faulty",
            "--detailed-exitcode",
        ],
        tmp.path(),
        &env,
    );
    assert_eq!(
        plan.status.code(),
        Some(0),
        "{}{}",
        stdout(&plan),
        stderr(&plan)
    );

    // Faults were really injected, and nothing was made twice.
    let stats = emulator.send("GET", "/_admin/stats", None);
    let stats: serde_json::Value = serde_json::from_str(&stats).expect("stats JSON");
    let injected = stats["faults_injected"].as_u64().expect("faults_injected");
    assert!(injected > 0, "no fault was injected: {stats}");
    let list = infra_env(
        &["state", "list", "--env", "faulty", "--dir", "environments"],
        tmp.path(),
        &env,
    );
    let addresses: Vec<String> = stdout(&list).lines().map(str::to_string).collect();
    let mut unique = addresses.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(addresses.len(), 18, "{addresses:?}");
    assert_eq!(unique.len(), addresses.len());
    drop(emulator);
}

#[test]
fn ctrl_c_during_long_running_operations_leaves_a_state_the_next_apply_continues_from() {
    let data = tempfile::tempdir().expect("tempdir");
    // Every write takes 1.5 s: the interrupt lands while operations are in flight.
    let emulator = Emulator::start(&["--latency-ms", "1500"], data.path());
    let tmp = platform_copy();
    let env = emulator.azure_env();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_infra"));
    cmd.args(["apply", "environments", "--env", "faulty", "--auto-approve"])
        .current_dir(tmp.path())
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("apply");
    // Interrupt once the first resource has finished, whatever the machine's load: the
    // operations started after it are then in flight.
    let mut reader = BufReader::new(child.stderr.take().expect("stderr"));
    let mut err = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
        err.push_str(&line);
        if line.contains(": created in") {
            break;
        }
    }
    let pid = child.id().to_string();
    let sent = Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("kill");
    assert!(sent.success());
    let mut rest = String::new();
    let _ = std::io::Read::read_to_string(&mut reader, &mut rest);
    err.push_str(&rest);
    let status = child.wait().expect("wait");
    assert_eq!(
        status.code(),
        Some(1),
        "an interrupted apply exits 1:\n{err}"
    );
    assert!(
        err.contains("interrupted") || err.contains("Interrupt") || err.contains("stop"),
        "{err}"
    );

    let list = infra_env(
        &["state", "list", "--env", "faulty", "--dir", "environments"],
        tmp.path(),
        &env,
    );
    assert_eq!(
        list.status.code(),
        Some(0),
        "state readable: {}",
        stderr(&list)
    );
    let done = stdout(&list).lines().count();
    assert!(
        (1..18).contains(&done),
        "interrupted part-way: {done} recorded"
    );

    let apply = infra_env(
        &["apply", "environments", "--env", "faulty", "--auto-approve"],
        tmp.path(),
        &env,
    );
    assert_eq!(apply.status.code(), Some(0), "stderr:\n{}", stderr(&apply));
    assert!(
        stderr(&apply).contains(&format!("{} added", 18 - done)),
        "{}",
        stderr(&apply)
    );
    let plan = infra_env(
        &[
            "plan",
            "environments",
            "--env",
            "faulty",
            "--detailed-exitcode",
        ],
        tmp.path(),
        &env,
    );
    assert_eq!(plan.status.code(), Some(0), "{}", stdout(&plan));
    drop(emulator);
}

/// A long-running operation that ends Failed fails that resource with the cloud's code and
/// message; what depends on it is skipped, what does not is done, the failed one is not in the
/// state, and the next apply (the fault gone) finishes the rest.
#[test]
fn an_operation_ending_failed_fails_only_that_resource_and_what_needs_it() {
    let data = tempfile::tempdir().expect("tempdir");
    let emulator = Emulator::start(&[], data.path());
    let rule = r#"{"rules":[{"method":"PUT","path_contains":"flexibleServers/lw-faulty-pg","count":1,"fault":{"kind":"LroFailed","code":"ZoneCapacityExhausted","message":"No capacity for Standard_B1ms in zone 1"}}]}"#;
    emulator.send("POST", "/_admin/faults", Some(rule));
    let tmp = platform_copy();
    let env = emulator.azure_env();
    let apply = infra_env(
        &["apply", "environments", "--env", "faulty", "--auto-approve"],
        tmp.path(),
        &env,
    );
    assert_eq!(apply.status.code(), Some(1), "{}", stderr(&apply));
    let err = stderr(&apply);
    let failed = err
        .lines()
        .skip_while(|l| !l.starts_with("Failed:"))
        .nth(1)
        .unwrap_or_default()
        .to_string();
    assert!(
        failed.contains("pg (create)")
            && failed.contains("ZoneCapacityExhausted")
            && failed.contains("No capacity for Standard_B1ms in zone 1"),
        "{err}"
    );
    assert!(err.contains("Skipped (a dependency failed):"), "{err}");
    let list = infra_env(
        &["state", "list", "--env", "faulty", "--dir", "environments"],
        tmp.path(),
        &env,
    );
    let recorded: Vec<String> = stdout(&list).lines().map(str::to_string).collect();
    assert!(!recorded.iter().any(|a| a == "pg"), "{recorded:?}");
    for independent in ["rg", "kv", "cache", "zone"] {
        assert!(
            recorded.iter().any(|a| a == independent),
            "{independent}: {recorded:?}"
        );
    }
    assert!(recorded.len() < 18, "{recorded:?}");
    let again = infra_env(
        &["apply", "environments", "--env", "faulty", "--auto-approve"],
        tmp.path(),
        &env,
    );
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    let added = format!("{} added", 18 - recorded.len());
    assert!(
        stderr(&again).contains(&added),
        "{added}: {}",
        stderr(&again)
    );
    drop(emulator);
}
