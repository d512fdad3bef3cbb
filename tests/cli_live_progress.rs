//! On a terminal, apply keeps a live status line (what is in flight, for how long) under the
//! event lines; without one, it prints one plain line per event. The terminal is a real pty,
//! made by util-linux's `script`.

mod common;
use common::*;

const MAIN: &str = "resource a: core.data {\n  input    = \"a\"\n  delay_ms = 900\n}\n\nresource b: core.data {\n  input    = a.output\n  delay_ms = 600\n}\n";

#[test]
fn a_terminal_gets_a_live_status_line_and_a_pipe_gets_plain_lines() {
    let dir = project(&[
        ("main.infra", MAIN),
        ("environments/local.infra", "environment local {}\n"),
    ]);
    let bin = env!("CARGO_BIN_EXE_infra");
    let cmd = format!(
        "{bin} apply {} --env local --auto-approve --color never",
        dir.path().display()
    );
    let tty = std::process::Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .env("NO_COLOR", "1")
        .output()
        .expect("script (util-linux) runs the apply in a pty");
    let text = String::from_utf8_lossy(&tty.stdout);
    assert!(tty.status.success(), "{text}");
    assert!(text.contains("1 in progress: a creating"), "{text}");
    assert!(
        text.contains("\x1b[K"),
        "the status line is redrawn in place: {text}"
    );
    assert!(text.contains("Apply complete: 2 added"), "{text}");

    let piped = project(&[
        ("main.infra", MAIN),
        ("environments/local.infra", "environment local {}\n"),
    ]);
    let out = infra(&["apply", "--env", "local", "--auto-approve"], piped.path());
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("a: creating...") && err.contains("b: created in"),
        "{err}"
    );
    assert!(
        !err.contains("in progress") && !err.contains('\x1b'),
        "no live view in a pipe: {err}"
    );
}
