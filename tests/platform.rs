//! The reference platform (environments/) end to end on the embedded emulator, as the README
//! tells a newcomer: apply, outputs, an empty second plan, a one-parameter change giving exactly
//! one update, destroy, and an emulator left empty.

mod common;
use common::*;
use std::path::Path;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir").flatten() {
        let p = e.path();
        let name = e.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue; // a local run's .infra/ must not leak into the test
        }
        if p.is_dir() {
            copy_dir(&p, &to.join(&name));
        } else {
            std::fs::copy(&p, to.join(&name)).expect("copy");
        }
    }
}

#[test]
fn reference_platform_applies_replans_updates_and_destroys_on_the_emulator() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("environments");
    copy_dir(&repo().join("environments"), &dir);
    let run = |args: &[&str]| infra(args, tmp.path());

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
    assert!(
        out.contains("db_host = \"lw-local-pg.postgres.database.azure.com\""),
        "{out}"
    );
    assert!(stderr(&apply).contains("18 added"), "{}", stderr(&apply));

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
    let md = run(&[
        "plan",
        "environments",
        "--env",
        "local",
        "--format",
        "markdown",
    ]);
    assert!(md.status.success() && stdout(&md).len() < 60_000);
    assert!(stdout(&md).contains("api"), "{}", stdout(&md));
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

/// The README's main command, run as written (with the built binary standing in for
/// `cargo run --release --`) on a copy of the repository's `environments/`.
#[test]
fn the_readme_main_command_works_as_written() {
    let readme = std::fs::read_to_string(repo().join("README.md")).expect("README.md");
    let first = readme
        .split("```sh\n")
        .nth(1)
        .and_then(|b| b.lines().next())
        .expect("a sh block in the README");
    let args = first
        .strip_prefix("cargo run --release -- ")
        .unwrap_or_else(|| {
            panic!("README's first command is not `cargo run --release -- ...`: {first}")
        });
    let args: Vec<&str> = args.split_whitespace().collect();
    let tmp = tempfile::tempdir().expect("tempdir");
    copy_dir(
        &repo().join("environments"),
        &tmp.path().join("environments"),
    );
    let out = infra(&args, tmp.path());
    assert_eq!(
        out.status.code(),
        Some(0),
        "`{first}` failed:\n{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("api_url"),
        "outputs are shown: {}",
        stdout(&out)
    );
    let again = infra(
        &[
            "plan",
            "environments",
            "--env",
            "local",
            "--detailed-exitcode",
        ],
        tmp.path(),
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
