//! No input may make checking or evaluation panic: every golden case and the LANGUAGE.md
//! example, truncated at many points, with single lines removed, and with lines swapped.

#[path = "common/schemas.rs"]
mod schemas;

use infra_lang::check::{CheckOptions, check_with};
use infra_lang::eval::{NoKnowledge, evaluate};
use infra_lang::project::Project;
use std::path::{Path, PathBuf};

struct Host;

impl infra_stdlib::Host for Host {
    fn env_var(&self, name: &str) -> Option<String> {
        Some(format!("value-of-{name}"))
    }
    fn read_file(&self, path: &str) -> Result<String, String> {
        Err(format!("no {path}"))
    }
}

fn sources() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut out = Vec::new();
    let mut stack = vec![root.join("check"), root.join("eval")];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "infra") {
                out.push(std::fs::read_to_string(&p).unwrap_or_default());
            }
        }
    }
    out.sort();
    out
}

fn mutations(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let bounds: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
    for &b in bounds.iter().step_by(5) {
        out.push(text[..b].to_string());
    }
    let lines: Vec<&str> = text.lines().collect();
    for i in 0..lines.len() {
        let mut l = lines.clone();
        l.remove(i);
        out.push(l.join("\n"));
        if i + 1 < lines.len() {
            let mut l = lines.clone();
            l.swap(i, i + 1);
            out.push(l.join("\n"));
        }
    }
    out
}

fn run(text: &str) {
    let Ok(project) = Project::from_sources(vec![(PathBuf::from("main.infra"), text.to_string())])
    else {
        return;
    };
    let envs = [None, Some("local".to_string()), Some("dev".to_string())];
    for env in envs {
        let options = CheckOptions {
            environment: env.clone(),
        };
        let checked = check_with(&project, &schemas::schemas(), &options);
        let _ = infra_lang::diag::render::to_golden(&checked.diagnostics, &project.sources);
        if let Some(program) = checked.program {
            let _ = evaluate(&program, env.as_deref(), &Host, &NoKnowledge);
        }
    }
}

#[test]
fn mutated_sources_never_panic() {
    let mut count = 0;
    let mut failures = Vec::new();
    for text in sources() {
        for m in mutations(&text) {
            count += 1;
            if std::panic::catch_unwind(|| run(&m)).is_err() {
                failures.push(m);
            }
        }
    }
    assert!(count > 1000, "only {count} mutations");
    assert!(
        failures.is_empty(),
        "{} inputs panicked; first:\n{}",
        failures.len(),
        failures[0]
    );
}
