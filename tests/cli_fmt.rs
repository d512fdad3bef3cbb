//! `infra fmt`: rewrites, `--check` (exit 3), syntax errors (exit 1), stdin.

mod common;
use common::*;
use std::io::Write;
use std::process::Stdio;

const MESSY: &str = "// the group\nresource rg: azure.resource_group {\nname=\"a\"   // trailing\n    location =   \"westeurope\"\n}\n";

#[test]
fn check_reports_unformatted_files_with_exit_3_and_changes_nothing() {
    let dir = project(&[("main.infra", MESSY)]);
    let out = infra(&["fmt", "--check", "."], dir.path());
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stdout(&out).contains("main.infra"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("main.infra")).unwrap(),
        MESSY
    );
}

#[test]
fn fmt_rewrites_keeps_comments_and_is_then_clean() {
    let dir = project(&[("main.infra", MESSY)]);
    let out = infra(&["fmt"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(dir.path().join("main.infra")).unwrap();
    assert!(text.contains("// the group"), "{text}");
    assert!(text.contains("// trailing"), "{text}");
    assert!(text.contains("  name     = \"a\""), "{text}");
    let again = infra(&["fmt", "--check"], dir.path());
    assert_eq!(again.status.code(), Some(0), "{}", stdout(&again));
}

#[test]
fn syntax_error_exits_1_with_a_located_diagnostic_and_leaves_the_file() {
    let bad = "resource rg: azure.resource_group {\n  name = \n}\n";
    let dir = project(&[("bad.infra", bad)]);
    let out = infra(&["fmt"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("E01"), "{err}");
    assert!(err.contains("bad.infra"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("bad.infra")).unwrap(),
        bad
    );
}

#[test]
fn dash_formats_stdin_to_stdout() {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_infra"))
        .args(["fmt", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(MESSY.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("// the group\nresource rg: azure.resource_group {\n"),
        "{text}"
    );
}

#[test]
fn the_reference_platform_is_formatted() {
    let out = infra(&["fmt", "--check", "environments"], &repo());
    assert_eq!(out.status.code(), Some(0), "unformatted: {}", stdout(&out));
}
