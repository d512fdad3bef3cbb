//! Typed ARM references checked with Microsoft's type data, through the binary: each folder
//! under `tests/typed/` is a project, and `tests/typed/NAME.json` holds what
//! `infra validate NAME --format json` prints for it, with the exit code.
//! `UPDATE_GOLDEN=1 cargo test --test cli_typed_validate` rewrites the expected files.

mod common;
use common::*;
use std::path::PathBuf;

fn case_dir() -> PathBuf {
    repo().join("tests/typed")
}

fn run(name: &str) -> String {
    let out = infra(&["validate", name, "--format", "json"], &case_dir());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{name}: not JSON ({e}): {}{}", stdout(&out), stderr(&out)));
    let pretty = serde_json::to_string_pretty(&json).unwrap_or_default();
    format!("{pretty}\nexit: {:?}\n", out.status.code())
}

#[test]
fn typed_cases_match_their_expected_json() {
    let mut names: Vec<String> = std::fs::read_dir(case_dir())
        .expect("tests/typed")
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(!names.is_empty());
    let mut failures = Vec::new();
    for name in &names {
        let actual = run(name);
        let path = case_dir().join(format!("{name}.json"));
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(&path, &actual).expect("write golden");
            continue;
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_default();
        if expected != actual {
            failures.push(format!(
                "--- {} (expected)\n{expected}\n--- actual\n{actual}",
                path.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n(run `UPDATE_GOLDEN=1 cargo test --test cli_typed_validate` to accept)",
        failures.join("\n\n")
    );
}

/// Every code of the typed family appears in some expected file: each check has a case.
#[test]
fn every_typed_code_has_a_case() {
    let mut all = String::new();
    for e in std::fs::read_dir(case_dir())
        .expect("tests/typed")
        .flatten()
    {
        if e.path().extension().is_some_and(|x| x == "json") {
            all.push_str(&std::fs::read_to_string(e.path()).unwrap_or_default());
        }
    }
    let missing: Vec<&str> = infra_lang::diag::codes::ALL
        .iter()
        .map(|c| c.code)
        .filter(|c| c.starts_with("E08") || c.starts_with("W08"))
        .filter(|c| !all.contains(&format!("\"{c}\"")))
        .collect();
    assert!(
        missing.is_empty(),
        "typed codes without a case: {missing:?}"
    );
}
