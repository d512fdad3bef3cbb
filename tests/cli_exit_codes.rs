//! The exit codes pipelines rely on (docs/cli.md, "Exit codes"): 0 ok, 1 any error including a
//! usage error, 2 only for changes under `--detailed-exitcode`, 3 only for `fmt --check`.

mod common;
use common::*;

const MAIN: &str = "resource a: core.data {\n  input = { name = \"a\" }\n}\n";
const ENV: &str = "environment local {\n}\n";

fn sample() -> tempfile::TempDir {
    project(&[("main.infra", MAIN), ("environments/local.infra", ENV)])
}

fn code(args: &[&str], dir: &std::path::Path) -> (Option<i32>, String) {
    let out = infra(args, dir);
    (
        out.status.code(),
        format!("{}{}", stdout(&out), stderr(&out)),
    )
}

#[test]
fn exit_0_for_success_help_version_and_a_plan_without_changes() {
    let dir = sample();
    assert_eq!(code(&["--help"], dir.path()).0, Some(0));
    assert_eq!(code(&["plan", "--help"], dir.path()).0, Some(0));
    assert_eq!(code(&["--version"], dir.path()).0, Some(0));
    // Changes without --detailed-exitcode are a success.
    let (c, text) = code(&["plan", "--env", "local"], dir.path());
    assert_eq!(c, Some(0), "{text}");
    let (c, text) = code(&["apply", "--env", "local", "--auto-approve"], dir.path());
    assert_eq!(c, Some(0), "{text}");
    let (c, text) = code(
        &["plan", "--env", "local", "--detailed-exitcode"],
        dir.path(),
    );
    assert_eq!(c, Some(0), "no changes: {text}");
}

#[test]
fn exit_1_for_usage_errors_like_any_other_error() {
    let dir = sample();
    // A mistyped flag: clap alone would exit 2, read by a pipeline as "changes".
    let (c, text) = code(
        &["plan", "--env", "local", "--detailed-exitcod"],
        dir.path(),
    );
    assert_eq!(c, Some(1), "{text}");
    assert!(text.contains("--detailed-exitcod"), "{text}");
    // A missing required flag, with --detailed-exitcode given.
    let (c, text) = code(&["plan", "--detailed-exitcode"], dir.path());
    assert_eq!(c, Some(1), "{text}");
    assert!(text.contains("--env"), "{text}");
    // An unknown command, an invalid value.
    assert_eq!(code(&["plna"], dir.path()).0, Some(1));
    assert_eq!(
        code(&["plan", "--env", "local", "--format", "yaml"], dir.path()).0,
        Some(1)
    );
    // A configuration error, an unknown environment.
    let bad = project(&[
        ("main.infra", "resource a: core.data {\n  input = nope\n}\n"),
        ("environments/local.infra", ENV),
    ]);
    let (c, text) = code(
        &["plan", "--env", "local", "--detailed-exitcode"],
        bad.path(),
    );
    assert_eq!(c, Some(1), "{text}");
    let (c, text) = code(
        &["plan", "--env", "prod", "--detailed-exitcode"],
        dir.path(),
    );
    assert_eq!(c, Some(1), "{text}");
}

#[test]
fn exit_2_only_for_changes_under_detailed_exitcode() {
    let dir = sample();
    let (c, text) = code(
        &["plan", "--env", "local", "--detailed-exitcode"],
        dir.path(),
    );
    assert_eq!(c, Some(2), "{text}");
    assert!(text.contains("Plan: 1 to add"), "{text}");
}

#[test]
fn exit_3_only_for_fmt_check_finding_unformatted_files() {
    let dir = project(&[("main.infra", "resource a: core.data {input={name=\"a\"}}\n")]);
    let (c, text) = code(&["fmt", "--check"], dir.path());
    assert_eq!(c, Some(3), "{text}");
    let (c, text) = code(&["fmt"], dir.path());
    assert_eq!(c, Some(0), "{text}");
    let (c, text) = code(&["fmt", "--check"], dir.path());
    assert_eq!(c, Some(0), "{text}");
    // A file that does not parse is an error, not "unformatted".
    let bad = project(&[("main.infra", "resource a: core.data {\n")]);
    assert_eq!(code(&["fmt", "--check"], bad.path()).0, Some(1));
}
