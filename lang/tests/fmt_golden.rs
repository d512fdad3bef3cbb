//! Golden formatting cases: each `tests/fmt/*.infra` formats to the `.formatted` beside it;
//! formatting is idempotent and keeps the tree. `UPDATE_GOLDEN=1` rewrites the goldens.

mod common;
#[path = "syntax/support.rs"]
mod support;

use infra_lang::FileId;
use infra_lang::fmt::format_source;
use std::path::Path;

/// Formats `text`, checking the two properties every output must have.
fn format_checked(name: &str, text: &str) -> String {
    let once = format_source(FileId(0), text).unwrap_or_else(|d| panic!("{name}: {d:#?}"));
    let twice = format_source(FileId(0), &once)
        .unwrap_or_else(|d| panic!("{name}: output does not parse: {d:#?}\n{once}"));
    assert_eq!(once, twice, "{name}: formatting is not idempotent");
    let before = support::without_spans(&support::parse_ok(text));
    let after = support::without_spans(&support::parse_ok(&once));
    assert_eq!(before, after, "{name}: formatting changed the tree");
    for c in infra_lang::syntax::parse(FileId(0), text).0.comments {
        assert!(
            once.contains(c.text.trim_end()),
            "{name}: comment {:?} lost",
            c.text
        );
    }
    for line in once.lines() {
        assert!(
            !line.ends_with([' ', '\t']) || once.contains("<<"),
            "{name}: trailing whitespace in {line:?}"
        );
    }
    once
}

#[test]
fn fmt_cases_match_their_golden_files() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fmt");
    let cases = common::cases(&dir, "infra");
    assert!(cases.len() >= 7, "only {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let text = std::fs::read_to_string(case).unwrap();
        let got = format_checked(&case.display().to_string(), &text);
        if let Some(f) = common::compare(&case.with_extension("formatted"), &got) {
            failures.push(f);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn design_examples_format_stably() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/syntax/language_examples.infra");
    let text = std::fs::read_to_string(path).unwrap();
    let out = format_checked("language_examples", &text);
    assert!(
        out.contains(
            "resource appdb: azure.postgres_database { server = pg, name = \"trading\" }\n"
        )
    );
    assert!(out.contains("  name     = \"${prefix}-rg\"\n  location = location\n"));
}

#[test]
fn blank_lines_are_capped_and_trailing_newline_added() {
    let out = format_checked("blank", "\n\nlet a = 1\n\n\n\nlet b = 2");
    assert_eq!(out, "let a = 1\n\nlet b = 2\n");
    assert_eq!(format_checked("empty", ""), "");
    assert_eq!(format_checked("comment only", "// c"), "// c\n");
}

#[test]
fn refuses_to_format_broken_source() {
    let err = format_source(FileId(0), "let a = 1\nresource r: t {\n  x = \n}\n").unwrap_err();
    assert_eq!(err[0].code, "E0100");
}
