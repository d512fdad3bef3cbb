//! The shell steps of the pipeline templates in docs/ci/, taken from the YAML as written and run
//! with bash against a project on the embedded emulator: the plan step's exit-code handling
//! (0 no changes, 2 changes, anything else fails the step, a crash included), the job summary,
//! the markdown plan with its link, the apply of the saved plan, the drift check. (The YAML
//! itself is linted by scripts/lint-ci: actionlint and the Azure Pipelines schema.)

mod common;
use common::*;
use std::path::Path;
use std::process::Command;

/// The block scalar under `key: |` that follows the line containing `anchor`, dedented.
fn block(yaml: &str, anchor: &str, key: &str) -> String {
    let lines: Vec<&str> = yaml.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.contains(anchor))
        .unwrap_or_else(|| panic!("no `{anchor}` in the template"));
    let (at, line) = lines[start..]
        .iter()
        .enumerate()
        .find(|(_, l)| l.trim_start().starts_with(&format!("{key}: |")))
        .map(|(i, l)| (start + i, *l))
        .unwrap_or_else(|| panic!("no `{key}: |` after `{anchor}`"));
    let indent = line.len() - line.trim_start().len();
    let body: Vec<&str> = lines[at + 1..]
        .iter()
        .take_while(|l| l.trim().is_empty() || l.len() - l.trim_start().len() > indent)
        .copied()
        .collect();
    let cut = body
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    body.iter()
        .map(|l| l.get(cut..).unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

const MAIN: &str = "resource rg: azure.resource_group {\n  name     = \"ci-rg\"\n  location = \"westeurope\"\n}\n\nresource note: core.data {\n  input = { rg = rg.name }\n}\n";
const PROD: &str = "environment prod {\n  target = emulator {}\n}\n";

struct Step {
    code: Option<i32>,
    out: String,
    output_file: String,
    summary: String,
}

/// Runs `script` with bash in `dir`, `infra` on PATH (or `bin` first), as a runner would.
fn run_step(script: &str, dir: &Path, bin: Option<&Path>) -> Step {
    let infra_dir = Path::new(env!("CARGO_BIN_EXE_infra"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = format!(
        "{}{}:{}",
        bin.map(|b| format!("{}:", b.display())).unwrap_or_default(),
        infra_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let (output, summary) = (dir.join("gh-output"), dir.join("gh-summary"));
    let _ = std::fs::remove_file(&output);
    let _ = std::fs::remove_file(&summary);
    let out = Command::new("bash")
        .args(["-e", "-c", script])
        .current_dir(dir)
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .env("GITHUB_OUTPUT", &output)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("RUN_URL", "https://github.com/o/r/actions/runs/77")
        .env("SHA", "0123456789abcdef0123")
        .output()
        .expect("bash");
    Step {
        code: out.status.code(),
        out: format!("{}{}", stdout(&out), stderr(&out)),
        output_file: std::fs::read_to_string(&output).unwrap_or_default(),
        summary: std::fs::read_to_string(&summary).unwrap_or_default(),
    }
}

#[test]
fn github_actions_steps_as_written() {
    let yaml = std::fs::read_to_string(repo().join("docs/ci/github-actions.yml")).unwrap();
    let plan = block(&yaml, "- name: Plan", "run");
    let apply = block(&yaml, "- name: Apply the reviewed plan", "run");
    let drift = block(&yaml, "- name: Drift check", "run");
    let dir = project(&[
        ("environments/main.infra", MAIN),
        ("environments/prod.infra", PROD),
    ]);
    let p = dir.path();

    let s = run_step(&plan, p, None);
    assert_eq!(s.code, Some(0), "{}", s.out);
    assert!(s.output_file.contains("exitcode=2\n"), "{}", s.output_file);
    assert!(
        s.output_file.contains("changes=true\n"),
        "{}",
        s.output_file
    );
    let md = std::fs::read_to_string(p.join("plan.md")).unwrap();
    assert!(md.starts_with("### infra plan"), "{md}");
    assert!(
        md.contains("| `azure.resource_group` | 1 | 0 | 0 | 0 |"),
        "{md}"
    );
    assert!(
        s.summary
            .contains("at 0123456789ab ([run](https://github.com/o/r/actions/runs/77))")
    );
    assert!(s.summary.contains("Plan: 2 to add"), "{}", s.summary);
    assert!(
        std::fs::read_to_string(p.join("plan.txt"))
            .unwrap()
            .contains("Plan: 2 to add")
    );

    // The apply job runs the saved plan, environment taken from the file.
    let a = run_step(&apply, p, None);
    assert_eq!(a.code, Some(0), "{}", a.out);
    assert!(a.out.contains("Apply complete: 2 added"), "{}", a.out);

    let s = run_step(&plan, p, None);
    assert_eq!(s.code, Some(0), "{}", s.out);
    assert!(
        s.output_file.contains("changes=false\n"),
        "{}",
        s.output_file
    );
    let d = run_step(&drift, p, None);
    assert_eq!(d.code, Some(0), "{}", d.out);
    assert!(d.out.contains("No drift."), "{}", d.out);

    // A configuration error fails the step (exit 1 is not "changes").
    std::fs::write(
        p.join("environments/main.infra"),
        "resource x: core.data {\n  input = nope\n}\n",
    )
    .unwrap();
    let s = run_step(&plan, p, None);
    assert_eq!(s.code, Some(1), "{}", s.out);
    assert!(
        s.out
            .contains("::error::infra plan failed with exit code 1"),
        "{}",
        s.out
    );
    assert!(s.output_file.contains("exitcode=1\n"));

    // So does a crash (101) or a kill (137): only 0 and 2 pass.
    let fake = tempfile::tempdir().unwrap();
    let script = fake.path().join("infra");
    std::fs::write(&script, "#!/bin/sh\nexit 101\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let s = run_step(&plan, p, Some(fake.path()));
    assert_eq!(s.code, Some(1), "{}", s.out);
    assert!(s.out.contains("exit code 101"), "{}", s.out);
}

#[test]
fn azure_pipelines_plan_step_as_written() {
    let yaml = std::fs::read_to_string(repo().join("docs/ci/azure-pipelines.yml")).unwrap();
    let plan = block(&yaml, "displayName: Plan", "inlineScript");
    let dir = project(&[
        ("environments/main.infra", MAIN),
        ("environments/prod.infra", PROD),
    ]);
    // `az account show` is what the AzureCLI@2 task provides; here a stand-in.
    let fake = tempfile::tempdir().unwrap();
    let az = fake.path().join("az");
    std::fs::write(
        &az,
        "#!/bin/sh\necho 11111111-2222-3333-4444-555555555555\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).unwrap();
    let s = run_step(&plan, dir.path(), Some(fake.path()));
    assert_eq!(s.code, Some(0), "{}", s.out);
    assert!(
        s.out
            .contains("##vso[task.setvariable variable=changes;isOutput=true]true"),
        "{}",
        s.out
    );
    assert!(s.out.contains("##vso[task.uploadsummary]"), "{}", s.out);
    let md = std::fs::read_to_string(dir.path().join("plan.md")).unwrap();
    assert!(md.contains("Plan: 2 to add"), "{md}");
}
