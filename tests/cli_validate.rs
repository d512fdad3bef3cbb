//! `infra validate`: exit codes, human and JSON diagnostics, environments, secrets.

mod common;
use common::*;

fn json_diags(out: &std::process::Output) -> Vec<serde_json::Value> {
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", stdout(out)));
    v["diagnostics"]
        .as_array()
        .expect("diagnostics array")
        .clone()
}

#[test]
fn reference_platform_validates_for_local() {
    let out = infra(&["validate", "environments", "--env", "local"], &repo());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn reference_platform_validates_without_an_environment() {
    let out = infra(&["validate", "environments"], &repo());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// A pull request job validates production without its variables: they are unknowns, named
/// in a note; plan still requires them.
#[test]
fn prod_validates_without_its_variables_but_plan_needs_them() {
    let out = infra(&["validate", "environments", "--env", "prod"], &repo());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(
            "not set, so validated as unknown values: AZURE_SUBSCRIPTION_ID, PG_ADMIN_PASSWORD"
        ),
        "{err}"
    );
    let out = infra(
        &[
            "validate",
            "environments",
            "--env",
            "prod",
            "--format",
            "json",
        ],
        &repo(),
    );
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        v["unset_variables"],
        serde_json::json!(["AZURE_SUBSCRIPTION_ID", "PG_ADMIN_PASSWORD"])
    );
    let out = infra(&["plan", "environments", "--env", "prod"], &repo());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("environment variable `AZURE_SUBSCRIPTION_ID` is not set"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn prod_never_prints_its_secret() {
    let canary = "canary-7c1d9e";
    let out = infra_env(
        &[
            "validate",
            "environments",
            "--env",
            "prod",
            "--format",
            "json",
        ],
        &repo(),
        &[
            ("PG_ADMIN_PASSWORD", canary),
            ("AZURE_SUBSCRIPTION_ID", "sub-1"),
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(!stdout(&out).contains(canary) && !stderr(&out).contains(canary));
}

#[test]
fn unknown_property_is_reported_with_a_suggestion_and_exit_1() {
    let dir = project(&[(
        "main.infra",
        "resource rg: azure.resource_group {\n  name = \"a\"\n  locaton = \"westeurope\"\n}\n",
    )]);
    let out = infra(&["validate", "."], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("E0300"), "{err}");
    assert!(err.contains("location"), "did-you-mean missing: {err}");

    let out = infra(&["validate", ".", "--format", "json"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let diags = json_diags(&out);
    let d = diags
        .iter()
        .find(|d| d["code"] == "E0300")
        .expect("E0300 present");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["line"], 3);
    assert_eq!(d["column"], 3);
    assert_eq!(d["end_line"], 3);
    assert_eq!(d["end_column"], 10);
    assert!(d["file"].as_str().unwrap().ends_with("main.infra"));
    assert!(d["help"].as_str().unwrap_or("").contains("location"));
}

#[test]
fn all_syntax_errors_of_a_file_are_reported_in_one_run() {
    let dir = project(&[(
        "main.infra",
        "let a = \nlet ok = 1\nresource r: azure.resource_group { name = }\noutput o = ok\n",
    )]);
    let out = infra(&["validate", ".", "--format", "json"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<i64> = json_diags(&out)
        .iter()
        .filter_map(|d| d["line"].as_i64())
        .collect();
    assert!(lines.contains(&1) && lines.contains(&3), "{lines:?}");
}

#[test]
fn unknown_environment_lists_the_known_ones() {
    let out = infra(&["validate", "environments", "--env", "staging"], &repo());
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("staging") && err.contains("local") && err.contains("prod"),
        "{err}"
    );
}

#[test]
fn a_missing_folder_is_a_clear_error() {
    let dir = project(&[]);
    let out = infra(&["validate", "does-not-exist"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("does-not-exist"), "{}", stderr(&out));
}

#[test]
fn every_malformed_fixture_gives_a_located_error_and_no_panic() {
    let dir = repo().join("tests/fixtures/malformed");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).expect("fixtures") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "infra") {
            continue;
        }
        count += 1;
        let proj = project(&[]);
        std::fs::write(
            proj.path().join("main.infra"),
            std::fs::read(&path).expect("read"),
        )
        .expect("write");
        let out = infra(&["validate", ".", "--format", "json"], proj.path());
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}: {}",
            path.display(),
            stderr(&out)
        );
        assert!(!stderr(&out).contains("panicked"), "{}", path.display());
        // The human rendering too: miette once panicked on columns past 65,535.
        let human = infra(&["validate", "."], proj.path());
        assert_eq!(human.status.code(), Some(1), "{}", path.display());
        assert!(stderr(&human).contains("error"), "{}", path.display());
        let diags = json_diags(&out);
        assert!(
            diags
                .iter()
                .any(|d| d["severity"] == "error" && d["line"].as_i64().unwrap_or(0) >= 1),
            "{}: {diags:?}",
            path.display()
        );
    }
    assert!(count >= 10, "only {count} fixtures");
}

#[test]
fn ephemeral_is_named_after_the_branch() {
    let out = infra_env(
        &["validate", "environments", "--env", "ephemeral"],
        &repo(),
        &[
            ("PG_ADMIN_PASSWORD", "x"),
            ("AZURE_SUBSCRIPTION_ID", "sub-1"),
            ("BRANCH", "Feature-42"),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = infra_env(
        &["validate", "environments", "--env", "ephemeral"],
        &repo(),
        &[("AZURE_SUBSCRIPTION_ID", "s")],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("validated as unknown values: PG_ADMIN_PASSWORD"),
        "{}",
        stderr(&out)
    );
}
