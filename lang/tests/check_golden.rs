//! Golden cases for the checker and evaluator: `tests/check/NAME.infra` (a one-file project)
//! or `tests/check/NAME/` (a project folder), each with `tests/check/NAME.expected`.
//!
//! A first line `// env: NAME` checks and evaluates for that environment. When the check
//! finds no error the case is also evaluated, and the resources, edges and outputs are shown
//! in redacted form (never a secret in clear). `UPDATE_GOLDEN=1` rewrites the expected files.

mod common;
#[path = "common/schemas.rs"]
mod schemas;

use infra_lang::check::{CheckOptions, check_with};
use infra_lang::diag::render::to_golden;
use infra_lang::eval::{Resolver, evaluate};
use infra_lang::project::Project;
use infra_provider_core::{Map, Value};
use std::path::{Path, PathBuf};

/// Fixed process environment for the cases.
pub struct FixedHost;

impl infra_stdlib::Host for FixedHost {
    fn env_var(&self, name: &str) -> Option<String> {
        match name {
            "PG_PASSWORD" => Some("canary-golden-7c1".into()),
            "REGION" => Some("westeurope".into()),
            _ => None,
        }
    }
    fn read_file(&self, path: &str) -> Result<String, String> {
        Err(format!("no file `{path}` in tests"))
    }
}

/// `core.data`'s output is its input; nothing else is known.
pub struct DataResolver;

impl Resolver for DataResolver {
    fn attributes(&self, _: &str, type_name: &str, inputs: &Map) -> Option<Map> {
        (type_name == "core.data").then(|| {
            let mut m = Map::new();
            m.insert(
                "output".to_string(),
                inputs.get("input").cloned().unwrap_or(Value::Null),
            );
            m
        })
    }
}

fn case_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/check")
}

fn cases() -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(case_dir())
        .expect("tests/check")
        .flatten()
    {
        let p = e.path();
        let Some(stem) = p.file_stem().map(|s| s.to_string_lossy().into_owned()) else {
            continue;
        };
        if p.is_dir() || p.extension().is_some_and(|x| x == "infra") {
            out.push((stem, p));
        }
    }
    out.sort();
    out
}

fn environment_of(project: &Project) -> Option<String> {
    let (_, first) = project.sources.files().next()?;
    let line = first.text.lines().next()?;
    line.strip_prefix("// env: ").map(|s| s.trim().to_string())
}

pub fn run(path: &Path) -> String {
    let project = if path.is_dir() {
        Project::load(path).expect("load case folder")
    } else {
        let text = std::fs::read_to_string(path).expect("read case");
        let name = path.file_name().expect("file name");
        Project::from_sources(vec![(PathBuf::from(name), text)]).expect("case project")
    };
    let env = environment_of(&project);
    let options = CheckOptions {
        environment: env.clone(),
    };
    let checked = check_with(&project, &schemas::schemas(), &options);
    let mut out = to_golden(&checked.diagnostics, &project.sources);
    let Some(program) = checked.program else {
        return out;
    };
    match evaluate(&program, env.as_deref(), &FixedHost, &DataResolver) {
        Err(diags) => {
            out.push_str("-- evaluation failed --\n");
            out.push_str(&to_golden(&diags, &project.sources));
        }
        Ok(ev) => {
            out.push_str("-- evaluation --\n");
            for r in &ev.resources {
                let deps: Vec<&str> = r.depends_on.iter().map(String::as_str).collect();
                let props = Value::Object((*r.properties).clone()).to_redacted_json();
                out.push_str(&format!(
                    "{}: {} <- [{}]\n  {props}\n",
                    r.address,
                    r.type_name,
                    deps.join(", ")
                ));
                let l = &r.lifecycle;
                if l.protect
                    || l.create_before_destroy
                    || !l.ignore_changes.is_empty()
                    || !l.timeouts.is_empty()
                {
                    out.push_str(&format!(
                        "  lifecycle protect={} create_before_destroy={} ignore_changes={:?} timeouts={:?}\n",
                        l.protect, l.create_before_destroy, l.ignore_changes, l.timeouts
                    ));
                }
            }
            for (name, (v, secret)) in &ev.outputs {
                let s = if *secret { ": secret" } else { "" };
                out.push_str(&format!("output {name}{s} = {}\n", v.to_redacted_json()));
            }
        }
    }
    out
}

#[test]
fn golden_cases() {
    let mut failures = Vec::new();
    let all = cases();
    assert!(!all.is_empty(), "no cases found");
    for (stem, path) in &all {
        let actual = run(path);
        assert!(
            !actual.contains("canary"),
            "{stem}: a secret reached the output\n{actual}"
        );
        if let Some(f) = common::compare(&case_dir().join(format!("{stem}.expected")), &actual) {
            failures.push(f);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Every code this crate's checker and evaluator emit has at least one golden case.
#[test]
fn every_code_has_a_case() {
    let mut all_expected = String::new();
    for (stem, _) in cases() {
        all_expected.push_str(
            &std::fs::read_to_string(case_dir().join(format!("{stem}.expected")))
                .unwrap_or_default(),
        );
    }
    let missing: Vec<&str> = infra_lang::diag::codes::ALL
        .iter()
        .map(|c| c.code)
        .filter(|c| !c.starts_with("E01"))
        .filter(|c| !all_expected.contains(&format!(" {c} ")))
        .collect();
    assert!(
        missing.is_empty(),
        "codes without a golden case: {missing:?}"
    );
}
