//! Every `infra` example in docs/language.md and in the design's LANGUAGE.md (copied into
//! tests/fixtures/language_design/) must parse and check, as the docs promise.

mod common;
use common::*;

/// The fenced blocks of a markdown file whose info string starts with `infra`, with the info string.
fn blocks(markdown: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in markdown.lines() {
        match &mut current {
            None => {
                if let Some(info) = line.strip_prefix("```infra") {
                    current = Some((format!("infra{info}"), String::new()));
                }
            }
            Some((_, body)) => {
                if line.starts_with("```") {
                    out.push(current.take().expect("open block"));
                } else {
                    body.push_str(line);
                    body.push('\n');
                }
            }
        }
    }
    out
}

#[test]
fn language_reference_examples_check() {
    let md = std::fs::read_to_string(repo().join("docs/language.md")).expect("docs/language.md");
    let all = blocks(&md);
    assert!(all.len() >= 8, "only {} examples", all.len());
    for (i, (info, body)) in all.iter().enumerate() {
        let dir = project(&[("main.infra", body)]);
        let out = if info.contains("fragment") {
            infra(&["fmt", "."], dir.path())
        } else {
            infra(&["validate", "."], dir.path())
        };
        assert!(
            out.status.code() == Some(0),
            "example {} ({info}) of docs/language.md fails:\n{body}\n{}{}",
            i + 1,
            stdout(&out),
            stderr(&out)
        );
    }
}

#[test]
fn design_examples_check_together() {
    let dir = repo().join("tests/fixtures/language_design");
    let out = infra(
        &[
            "validate",
            dir.to_str().expect("utf8 path"),
            "--env",
            "local",
        ],
        &repo(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}
