//! The reference platform (environments/) end to end on the embedded emulator, as the README
//! tells a newcomer: apply, outputs, an empty second plan, a one-parameter change giving exactly
//! one update, destroy, and an emulator left empty. Each test works on a fresh `git clone` of the
//! repository, so a file the platform needs but git does not track fails here, not for users.

mod common;
use common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Whether the embedded emulator backs flexible servers with real PostgreSQL here (the
/// platform's local environment then manages the role, grant and extension in the database).
fn real_postgres() -> bool {
    std::env::var("INFRA_EMULATOR_POSTGRES").map_or(true, |v| v != "off")
        && infra_provider_postgres::cluster::find_bin().is_some()
}

/// The outputs and the count the README's main command shows, with or without PostgreSQL.
fn expected_apply() -> (&'static str, &'static str, &'static str) {
    if real_postgres() {
        (
            "db_host = \"127.0.0.1:",
            "db_objects = \"role trading_app, extensions pg_stat_statements in trading\"",
            "21 added",
        )
    } else {
        (
            "db_host = \"lw-local-pg.postgres.database.azure.com\"",
            "db_objects = \"skipped: the local emulator's PostgreSQL servers are ARM data only",
            "18 added",
        )
    }
}

/// A fresh clone of the repository's committed HEAD in `into`/repo; returns its root.
fn fresh_clone(into: &Path) -> PathBuf {
    let dest = into.join("repo");
    let out = Command::new("git")
        .args(["clone", "--quiet"])
        .arg(repo())
        .arg(&dest)
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git clone of {} failed (the test needs the repository's git history): {}",
        repo().display(),
        stderr(&out)
    );
    dest
}

#[test]
fn reference_platform_applies_replans_updates_and_destroys_on_the_emulator() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = fresh_clone(tmp.path());
    let dir = root.join("environments");
    let run = |args: &[&str]| infra(args, &root);

    let apply = run(&["apply", "environments", "--env", "local", "--auto-approve"]);
    assert_eq!(
        apply.status.code(),
        Some(0),
        "{}{}",
        stdout(&apply),
        stderr(&apply)
    );
    let out = stdout(&apply);
    assert!(out.contains("api_url = \"https://api.augeo.app\""), "{out}");
    let (db_host, db_objects, added) = expected_apply();
    assert!(out.contains(db_host), "{out}");
    assert!(out.contains(db_objects), "{out}");
    assert!(stderr(&apply).contains(added), "{}", stderr(&apply));

    let plan = run(&[
        "plan",
        "environments",
        "--env",
        "local",
        "--detailed-exitcode",
    ]);
    assert_eq!(
        plan.status.code(),
        Some(0),
        "false changes after apply:\n{}",
        stdout(&plan)
    );

    let local = dir.join("local.infra");
    let text = std::fs::read_to_string(&local).expect("local.infra");
    std::fs::write(&local, text.replace("\"api:dev\"", "\"api:dev-2\"")).expect("write");
    let plan = run(&[
        "plan",
        "environments",
        "--env",
        "local",
        "--detailed-exitcode",
        "--format",
        "json",
    ]);
    assert_eq!(plan.status.code(), Some(2), "{}", stderr(&plan));
    let json: serde_json::Value = serde_json::from_slice(&plan.stdout).expect("json");
    let s = &json["summary"];
    assert_eq!(
        (
            s["add"].as_i64(),
            s["change"].as_i64(),
            s["replace"].as_i64(),
            s["destroy"].as_i64()
        ),
        (Some(0), Some(1), Some(0), Some(0)),
        "{json}"
    );
    let updated: Vec<&str> = json["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|c| c["action"] == "update")
        .filter_map(|c| c["address"].as_str())
        .collect();
    assert_eq!(updated, ["module.api.app"], "{json}");
    let md = run(&[
        "plan",
        "environments",
        "--env",
        "local",
        "--format",
        "markdown",
    ]);
    assert!(md.status.success() && stdout(&md).len() < 60_000);
    assert!(stdout(&md).contains("module.api.app"), "{}", stdout(&md));
    let apply = run(&["apply", "environments", "--env", "local", "--auto-approve"]);
    assert_eq!(apply.status.code(), Some(0), "{}", stderr(&apply));
    let plan = run(&[
        "plan",
        "environments",
        "--env",
        "local",
        "--detailed-exitcode",
    ]);
    assert_eq!(plan.status.code(), Some(0), "{}", stdout(&plan));

    let destroy = run(&[
        "destroy",
        "environments",
        "--env",
        "local",
        "--auto-approve",
    ]);
    assert_eq!(
        destroy.status.code(),
        Some(0),
        "{}{}",
        stdout(&destroy),
        stderr(&destroy)
    );
    let data: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.join(".infra/emulator/emulator-state.json")).expect("emulator data"),
    )
    .expect("json");
    let left = data["resources"].as_object().expect("resources");
    assert!(
        left.is_empty(),
        "left in the emulator: {:?}",
        left.keys().collect::<Vec<_>>()
    );
}

/// The `infra` commands the README shows, in order: lines of its `sh` blocks and inline code
/// spans that start with `cargo run --release -- `, as argument lists.
fn readme_commands(readme: &str) -> Vec<Vec<String>> {
    const PREFIX: &str = "cargo run --release -- ";
    let mut out = Vec::new();
    let mut in_sh = false;
    let mut in_other_fence = false;
    for line in readme.lines() {
        let fence = line.trim_start().starts_with("```");
        if fence {
            if in_sh || in_other_fence {
                in_sh = false;
                in_other_fence = false;
            } else if line.trim_start() == "```sh" {
                in_sh = true;
            } else {
                in_other_fence = true;
            }
            continue;
        }
        let candidates: Vec<&str> = if in_sh {
            vec![line.trim()]
        } else if in_other_fence {
            Vec::new()
        } else {
            // Inline code spans are the odd pieces between backticks.
            line.split('`').skip(1).step_by(2).collect()
        };
        for c in candidates {
            if let Some(args) = c.strip_prefix(PREFIX) {
                out.push(args.split_whitespace().map(str::to_string).collect());
            }
        }
    }
    out
}

#[test]
fn readme_commands_are_found_in_blocks_and_inline_code() {
    let readme = "Intro `cargo run --release -- plan x --env a`.\n\n```sh\ncargo run --release -- apply x\nbash scripts/test\n```\n\n```infra\ncargo run --release -- not a command\n```\n";
    assert_eq!(
        readme_commands(readme),
        vec![vec!["plan", "x", "--env", "a"], vec!["apply", "x"],]
    );
}

/// The README's commands, run as written (the built binary standing in for
/// `cargo run --release --`) on a fresh clone of the repository: the apply shows the outputs and
/// a plan afterwards is empty.
#[test]
fn the_readme_commands_work_on_a_fresh_clone() {
    let readme = std::fs::read_to_string(repo().join("README.md")).expect("README.md");
    let commands = readme_commands(&readme);
    let first = commands
        .first()
        .expect("a `cargo run --release --` command in the README");
    assert_eq!(
        first.first().map(String::as_str),
        Some("apply"),
        "the README's main command applies the platform: {first:?}"
    );
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = fresh_clone(tmp.path());
    assert!(
        !root.join("environments/.infra").exists(),
        "a fresh clone holds no state"
    );
    for args in &commands {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = infra(&args, &root);
        assert_eq!(
            out.status.code(),
            Some(0),
            "`cargo run --release -- {}` failed on a fresh clone:\n{}{}",
            args.join(" "),
            stdout(&out),
            stderr(&out)
        );
        let expected: &[&str] = match (args.first(), args.get(1)) {
            (Some(&"apply"), Some(&"environments")) => &[
                "api_url = \"https://api.augeo.app\"",
                "admin_url = \"https://admin.augeo.app\"",
                expected_apply().0,
                expected_apply().1,
            ],
            (Some(&"apply"), Some(&"examples/app-service")) => {
                &["web_url = \"https://shop-local-web.azurewebsites.net\""]
            }
            _ => &[],
        };
        let shown = stdout(&out);
        for output in expected {
            assert!(shown.contains(output), "apply shows {output}: {shown}");
        }
    }
    let again = infra(
        &[
            "plan",
            "environments",
            "--env",
            "local",
            "--detailed-exitcode",
        ],
        &root,
    );
    assert_eq!(
        again.status.code(),
        Some(0),
        "second plan not empty: {}",
        stdout(&again)
    );
    assert!(
        readme.contains("bash scripts/test"),
        "the README names the test command"
    );
}
