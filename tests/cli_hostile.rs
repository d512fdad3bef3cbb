//! Hostile input shapes (issue 15): very long lines, tens of thousands of diagnostics, and
//! ten-thousand-deep `? :` and operator chains. Each must end with a located diagnostic (or
//! succeed where valid), never a panic, and in time linear in its size.

mod common;
use common::*;
use std::time::{Duration, Instant};

/// Far above what these take (well under a second in a release build, about 3 s for the
/// largest in a debug build on a quiet machine) and far below what the quadratic paths took
/// in a debug build (33 s for 20,000 diagnostics). Wide because CI runs tests in parallel on
/// 2 cores: the figures themselves come from the bench, not from here.
const LIMIT: Duration = Duration::from_secs(15);

fn timed(args: &[&str], dir: &std::path::Path) -> (std::process::Output, Duration) {
    let t = Instant::now();
    let out = infra(args, dir);
    (out, t.elapsed())
}

fn no_panic(out: &std::process::Output) {
    let err = stderr(out);
    assert!(!err.contains("panicked"), "{err}");
    assert_ne!(out.status.code(), Some(101), "{err}");
}

#[test]
fn an_error_past_column_65535_is_rendered_around_its_span() {
    let text = format!("let x = {}}}\n", " ".repeat(70_000));
    let proj = project(&[("main.infra", &text)]);
    let (out, took) = timed(&["validate", "."], proj.path());
    no_panic(&out);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    // The file's own position, and an excerpt cut around the span instead of 70,000 spaces.
    assert!(err.contains("main.infra:1:70009"), "{err}");
    assert!(err.contains('…'), "{err}");
    assert!(err.len() < 4_000, "{} bytes of output", err.len());
    assert!(took < LIMIT, "{took:?}");
}

#[test]
fn twenty_thousand_diagnostics_render_in_linear_time_and_are_capped() {
    let text: String = (0..20_000).map(|i| format!("let v{i} = {i}\n")).collect();
    let proj = project(&[("main.infra", &text)]);
    let (out, took) = timed(&["validate", "."], proj.path());
    no_panic(&out);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(err.matches("is never used").count(), 200, "cap of 200");
    assert!(
        err.contains("... and 19800 more"),
        "{}",
        &err[err.len() - 300..]
    );
    assert!(err.contains("20000 warnings"));
    assert!(took < LIMIT, "{took:?}");
}

#[test]
fn errors_are_shown_before_the_cap_fills_with_warnings() {
    let mut text: String = (0..500).map(|i| format!("let v{i} = {i}\n")).collect();
    text.push_str("output o = nope\n");
    let proj = project(&[("main.infra", &text)]);
    let out = infra(&["validate", "."], proj.path());
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("unknown reference `nope`"), "{err}");
    assert!(
        err.contains("... and 301 more"),
        "{}",
        &err[err.len() - 300..]
    );
}

#[test]
fn ten_thousand_deep_chains_are_refused_quickly_in_validate_and_fmt() {
    let ternary = format!(
        "let c = true\nlet x = {}0\noutput o = x\n",
        "c ? 1 : ".repeat(10_000)
    );
    let plus = format!("let x = 1{}\noutput o = x\n", " + 1".repeat(10_000));
    let parens = format!(
        "let x = {}1{}\noutput o = x\n",
        "(".repeat(10_000),
        ")".repeat(10_000)
    );
    let then_nesting = format!(
        "let c = true\nlet x = {}1{}\noutput o = x\n",
        "c ? ".repeat(10_000),
        " : 0".repeat(10_000)
    );
    let mixed = format!(
        "let c = true\nlet x = {}0\noutput o = x\n",
        "c && c || 1 < 2 ? [1 + 2 * 3] : ".repeat(10_000)
    );
    let lists = format!(
        "let x = {}1{}\noutput o = x\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    for text in [ternary, plus, parens, then_nesting, mixed, lists] {
        let proj = project(&[("main.infra", &text)]);
        for args in [
            &["validate", "."][..],
            &["fmt", "."],
            &["fmt", "--check", "."],
        ] {
            let (out, took) = timed(args, proj.path());
            no_panic(&out);
            assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
            assert!(stderr(&out).contains("E0100"), "{args:?}: {}", stderr(&out));
            assert!(took < LIMIT, "{args:?}: {took:?}");
        }
        let json = infra(&["validate", ".", "--format", "json"], proj.path());
        assert!(stdout(&json).contains("\"E0100\""), "{}", stdout(&json));
    }
}

#[test]
fn chains_within_the_limit_validate_and_format() {
    let text = format!(
        "let c = true\nlet x = {}0\nlet y = 1{}\noutput o = x + y\n",
        "c ? 1 : ".repeat(150),
        " + 1".repeat(150)
    );
    let proj = project(&[("main.infra", &text)]);
    let out = infra(&["validate", "."], proj.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = infra(&["fmt", "."], proj.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}
