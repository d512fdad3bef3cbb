//! `infra apply --refresh-only`: a change made outside infra (a PUT straight to the cloud, as a
//! portal user would) is shown as drift, recorded in the state on confirmation without touching
//! the cloud, after which the refresh-only plan is empty and a normal plan shows what brings the
//! object back to the configuration.

mod common;
use common::emulator::Emulator;
use common::*;

const SUB: &str = "11111111-2222-3333-4444-555555555555";

const MAIN: &str = r#"resource rg: azure.resource_group {
  name     = "drift-rg"
  location = "westeurope"
  tags     = { owner = "platform" }
}

environment cloud {
  target = azure { subscription = "11111111-2222-3333-4444-555555555555" }
}
"#;

#[test]
fn drift_is_recorded_without_changing_the_cloud() {
    let data = tempfile::tempdir().expect("tempdir");
    let emulator = Emulator::start(&[], data.path());
    let dir = project(&[("main.infra", MAIN)]);
    let p = dir.path();
    let env = emulator.azure_env();
    let run = |args: &[&str]| infra_env(args, p, &env);
    let applied = run(&["apply", "--env", "cloud", "--auto-approve"]);
    assert_eq!(applied.status.code(), Some(0), "{}", stderr(&applied));
    let nothing = run(&[
        "apply",
        "--env",
        "cloud",
        "--refresh-only",
        "--auto-approve",
    ]);
    assert_eq!(nothing.status.code(), Some(0), "{}", stderr(&nothing));
    assert!(
        stderr(&nothing).contains("No changes outside infra"),
        "{}",
        stderr(&nothing)
    );

    let rg = format!("/subscriptions/{SUB}/resourcegroups/drift-rg?api-version=2025-04-01");
    emulator.send(
        "PUT",
        &rg,
        Some(r#"{"location":"westeurope","tags":{"owner":"portal-user"}}"#),
    );
    let drift = run(&[
        "plan",
        "--env",
        "cloud",
        "--refresh-only",
        "--detailed-exitcode",
    ]);
    assert_eq!(drift.status.code(), Some(2), "{}", stderr(&drift));
    // Drift listed, then no claim that nothing changed.
    let shown = stdout(&drift);
    assert!(!shown.contains("No changes"), "{shown}");
    assert!(
        shown.contains("Drift: 1 object(s) changed outside infra"),
        "{shown}"
    );
    assert!(stdout(&drift).contains("portal-user"), "{}", stdout(&drift));

    let accepted = run(&[
        "apply",
        "--env",
        "cloud",
        "--refresh-only",
        "--auto-approve",
    ]);
    assert_eq!(accepted.status.code(), Some(0), "{}", stderr(&accepted));
    assert!(
        stderr(&accepted).contains("Recorded 1 change(s)"),
        "{}",
        stderr(&accepted)
    );
    // The cloud was not touched.
    let live: serde_json::Value =
        serde_json::from_str(&emulator.send("GET", &rg, None)).expect("json");
    assert_eq!(live["tags"]["owner"], "portal-user");
    // The state now says what the cloud says: no drift left.
    let none = run(&[
        "plan",
        "--env",
        "cloud",
        "--refresh-only",
        "--detailed-exitcode",
    ]);
    assert_eq!(none.status.code(), Some(0), "{}", stdout(&none));
    // And a normal plan brings the tag back to the configuration.
    let plan = run(&["plan", "--env", "cloud", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&plan.stdout).expect("json plan");
    let change = &json["changes"][0];
    assert_eq!(
        (change["address"].as_str(), change["action"].as_str()),
        (Some("rg"), Some("update")),
        "{json}"
    );
    assert!(
        json["drift"].as_array().is_none_or(|d| d.is_empty()),
        "{json}"
    );
}

#[test]
fn refresh_only_takes_no_plan_file_and_no_target() {
    let dir = project(&[("main.infra", MAIN)]);
    let p = dir.path();
    std::fs::write(p.join("x.plan"), "{}").expect("write");
    let with_file = infra(
        &["apply", ".", "--env", "cloud", "x.plan", "--refresh-only"],
        p,
    );
    assert_eq!(with_file.status.code(), Some(1), "{}", stderr(&with_file));
    assert!(
        stderr(&with_file).contains("takes no plan file"),
        "{}",
        stderr(&with_file)
    );
    let with_target = infra(
        &[
            "apply",
            "--env",
            "cloud",
            "--refresh-only",
            "--target",
            "rg",
        ],
        p,
    );
    assert_ne!(with_target.status.code(), Some(0));
    assert!(
        stderr(&with_target).contains("cannot be used with"),
        "{}",
        stderr(&with_target)
    );
}
