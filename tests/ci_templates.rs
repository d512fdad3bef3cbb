//! The shell steps of the pipeline templates in docs/ci/, taken from the YAML as written and run
//! with bash against a project on the embedded emulator. First the install step: infra comes
//! from the pinned release (setup-infra on GitHub, azure-pipelines/install-infra.yml on Azure
//! Pipelines), here a local mirror made by scripts/release-build, checksum verified; the later
//! steps run the binary it installed, not the one cargo built. Then the plan step's exit-code
//! handling (0 no changes, 2 changes, anything else fails the step, a crash included), the job
//! summary, the markdown plan with its link, the apply of the saved plan, the drift check. (The
//! YAML itself is linted by scripts/lint-ci: actionlint and the Azure Pipelines schema.)

mod common;
use common::release::Mirror;
use common::*;
use std::path::{Path, PathBuf};
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
    // The key's own column: `- bash: |` opens a list item whose keys sit after the dash.
    let indent = line.len() - line.trim_start().trim_start_matches("- ").len();
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

/// Runs `script` with bash in `dir` as a runner would: `path` first on PATH (the system's after,
/// never cargo's target folder), `env` set.
fn run_step(script: &str, dir: &Path, path: &[&Path], env: &[(&str, &str)]) -> Step {
    let mut search: Vec<String> = path.iter().map(|p| p.display().to_string()).collect();
    search.push(std::env::var("PATH").unwrap_or_default());
    let (output, summary) = (dir.join("gh-output"), dir.join("gh-summary"));
    let _ = std::fs::remove_file(&output);
    let _ = std::fs::remove_file(&summary);
    let mut cmd = Command::new("bash");
    cmd.args(["-e", "-c", script])
        .current_dir(dir)
        .env("PATH", search.join(":"))
        .env("NO_COLOR", "1")
        .env("GITHUB_OUTPUT", &output)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("RUN_URL", "https://github.com/o/r/actions/runs/77")
        .env("SHA", "0123456789abcdef0123");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("bash");
    Step {
        code: out.status.code(),
        out: format!("{}{}", stdout(&out), stderr(&out)),
        output_file: std::fs::read_to_string(&output).unwrap_or_default(),
        summary: std::fs::read_to_string(&summary).unwrap_or_default(),
    }
}

/// The value after `key:` on the first line at or after the line containing `anchor`.
fn value_after(yaml: &str, anchor: &str, key: &str) -> String {
    let start = yaml.find(anchor).unwrap_or_else(|| panic!("no `{anchor}`"));
    yaml[start..]
        .lines()
        .find_map(|l| l.trim_start().strip_prefix(&format!("{key}:")))
        .unwrap_or_else(|| panic!("no `{key}:` after `{anchor}`"))
        .trim()
        .trim_matches('"')
        .to_string()
}

/// The version every job of the GitHub workflow pins: `uses: OWNER/infra/setup-infra@vX`
/// followed by `with: { version: X }`, the same in every job.
fn github_pin(yaml: &str) -> String {
    assert!(!yaml.contains("cargo install"), "a job still builds infra");
    let jobs = yaml
        .lines()
        .filter(|l| l.trim_start().starts_with("runs-on:"))
        .count();
    let steps: Vec<(&str, &str)> = yaml
        .lines()
        .zip(yaml.lines().skip(1))
        .filter_map(|(l, next)| {
            let tag = l.split("uses: OWNER/infra/setup-infra@v").nth(1)?;
            Some((tag.split_whitespace().next().unwrap_or(""), next.trim()))
        })
        .collect();
    assert_eq!(steps.len(), jobs, "every job installs with setup-infra");
    for (tag, with) in &steps {
        assert_eq!(
            *with,
            format!("with: {{ version: {tag} }}"),
            "tag and version differ"
        );
    }
    assert!(
        steps.iter().all(|(t, _)| *t == steps[0].0),
        "jobs pin different versions"
    );
    steps[0].0.to_string()
}

/// Runs setup-infra's step as the runner does for `uses: ...setup-infra` with `version` (and
/// `sha256`) and the mirror as `download-base`; the folder it added to GITHUB_PATH.
fn setup_infra(mirror: &Mirror, version: &str, sha256: &str, work: &Path) -> (Step, PathBuf) {
    let action = std::fs::read_to_string(repo().join("setup-infra/action.yml")).unwrap();
    let script = block(&action, "- name: Install infra", "run");
    let gh_path = work.join("gh-path");
    let base = mirror.base();
    let s = run_step(
        &script,
        work,
        &[],
        &[
            (
                "GITHUB_ACTION_PATH",
                &repo().join("setup-infra").display().to_string(),
            ),
            ("RUNNER_TEMP", &work.display().to_string()),
            ("GITHUB_PATH", &gh_path.display().to_string()),
            ("INFRA_DOWNLOAD_BASE", &base),
            ("INFRA_SHA256", sha256),
            ("VERSION", version),
            ("INFRA_TARGET", &mirror.target),
        ],
    );
    let added = std::fs::read_to_string(&gh_path).unwrap_or_default();
    (s, PathBuf::from(added.trim()))
}

#[test]
fn github_actions_install_and_steps_as_written() {
    let yaml = std::fs::read_to_string(repo().join("docs/ci/github-actions.yml")).unwrap();
    let version = github_pin(&yaml);
    let mirror = Mirror::new(&version);
    let work = tempfile::tempdir().unwrap();
    // The `with: sha256` pin holds the archive to the bytes listed in SHA256SUMS.
    let (s, installed) = setup_infra(&mirror, &version, &mirror.sha256(), work.path());
    assert_eq!(s.code, Some(0), "{}", s.out);
    assert!(
        s.out.contains(&format!("installed infra {version}")),
        "{}",
        s.out
    );
    assert!(installed.join("infra").is_file(), "{}", installed.display());
    let bin = installed.as_path();
    // A wrong pin installs nothing.
    let other = tempfile::tempdir().unwrap();
    let (s, _) = setup_infra(&mirror, &version, &"0".repeat(64), other.path());
    assert_eq!(s.code, Some(1), "{}", s.out);
    assert!(s.out.contains("checksum mismatch"), "{}", s.out);
    assert!(!other.path().join("infra-bin/infra").exists());

    let plan = block(&yaml, "- name: Plan", "run");
    let apply = block(&yaml, "- name: Apply the reviewed plan", "run");
    let drift = block(&yaml, "- name: Drift check", "run");
    let dir = project(&[
        ("environments/main.infra", MAIN),
        ("environments/prod.infra", PROD),
    ]);
    let p = dir.path();

    let s = run_step(&plan, p, &[bin], &[]);
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
    let a = run_step(&apply, p, &[bin], &[]);
    assert_eq!(a.code, Some(0), "{}", a.out);
    assert!(a.out.contains("Apply complete: 2 added"), "{}", a.out);

    let s = run_step(&plan, p, &[bin], &[]);
    assert_eq!(s.code, Some(0), "{}", s.out);
    assert!(
        s.output_file.contains("changes=false\n"),
        "{}",
        s.output_file
    );
    let d = run_step(&drift, p, &[bin], &[]);
    assert_eq!(d.code, Some(0), "{}", d.out);
    assert!(d.out.contains("No drift."), "{}", d.out);

    // A configuration error fails the step (exit 1 is not "changes").
    std::fs::write(
        p.join("environments/main.infra"),
        "resource x: core.data {\n  input = nope\n}\n",
    )
    .unwrap();
    let s = run_step(&plan, p, &[bin], &[]);
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
    let s = run_step(&plan, p, &[fake.path(), bin], &[]);
    assert_eq!(s.code, Some(1), "{}", s.out);
    assert!(s.out.contains("exit code 101"), "{}", s.out);
}

/// Runs the install step template's script as the agent does for `- template:` with its
/// defaults (plus `sha256`) and the mirror as `downloadBase`; its output and the folder it
/// prepended to PATH.
fn install_infra_azure(mirror: &Mirror, sha256: &str, work: &Path) -> (Step, Option<PathBuf>) {
    let template =
        std::fs::read_to_string(repo().join("docs/ci/azure-pipelines/install-infra.yml")).unwrap();
    let script = block(&template, "steps:", "- bash");
    // The step's env maps the template's parameters to what the script reads.
    for (var, param) in [
        ("INFRA_VERSION", "version"),
        ("INFRA_SHA256", "sha256"),
        ("INFRA_DOWNLOAD_BASE", "downloadBase"),
    ] {
        assert!(
            template.contains(&format!("{var}: ${{{{ parameters.{param} }}}}")),
            "{var} is not mapped from parameters.{param}"
        );
    }
    let (temp, tools) = (work.join("agent-temp"), work.join("agent-tools"));
    std::fs::create_dir_all(&temp).unwrap();
    let base = mirror.base();
    let s = run_step(
        &script,
        work,
        &[],
        &[
            ("INFRA_VERSION", &mirror.version),
            ("INFRA_SHA256", sha256),
            ("INFRA_DOWNLOAD_BASE", &base),
            ("INFRA_TARGET", &mirror.target),
            ("AGENT_TEMPDIRECTORY", &temp.display().to_string()),
            ("AGENT_TOOLSDIRECTORY", &tools.display().to_string()),
        ],
    );
    let dir = s
        .out
        .lines()
        .find_map(|l| l.strip_prefix("##vso[task.prependpath]"))
        .map(PathBuf::from);
    (s, dir)
}

/// The version the Azure Pipelines install template pins, used by every job of the pipeline.
fn azure_pin() -> String {
    let yaml = std::fs::read_to_string(repo().join("docs/ci/azure-pipelines.yml")).unwrap();
    assert!(!yaml.contains("cargo install"), "a job still builds infra");
    let jobs = yaml
        .lines()
        .filter(|l| {
            let l = l.trim_start();
            l.starts_with("- job:") || l.starts_with("- deployment:")
        })
        .count();
    let installs = yaml
        .lines()
        .filter(|l| {
            l.trim_start()
                .starts_with("- template: azure-pipelines/install-infra.yml")
        })
        .count();
    assert_eq!(installs, jobs, "every job installs with the template");
    let template =
        std::fs::read_to_string(repo().join("docs/ci/azure-pipelines/install-infra.yml")).unwrap();
    value_after(&template, "- name: version", "default")
}

#[test]
fn both_pipelines_pin_the_same_release() {
    let gh = std::fs::read_to_string(repo().join("docs/ci/github-actions.yml")).unwrap();
    assert_eq!(github_pin(&gh), azure_pin());
}

#[test]
fn azure_pipelines_install_and_plan_steps_as_written() {
    let mirror = Mirror::new(&azure_pin());
    let work = tempfile::tempdir().unwrap();
    let (s, installed) = install_infra_azure(&mirror, "", work.path());
    assert_eq!(s.code, Some(0), "{}", s.out);
    let installed = installed.unwrap_or_else(|| panic!("no prependpath: {}", s.out));
    assert!(installed.join("infra").is_file());
    assert!(s.out.contains("infra "), "{}", s.out);
    // The downloaded files are gone; only the binary stays.
    assert!(!work.path().join("agent-temp/infra-install").exists());

    // A pinned sha256 that the release does not match installs nothing and fails the job.
    let other = tempfile::tempdir().unwrap();
    let (s, dir) = install_infra_azure(&mirror, &"0".repeat(64), other.path());
    assert_eq!(s.code, Some(1), "{}", s.out);
    assert!(
        s.out
            .contains("##vso[task.logissue type=error]checksum mismatch"),
        "{}",
        s.out
    );
    assert!(dir.is_none(), "{}", s.out);
    assert!(!other.path().join("agent-tools").exists());

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
    let s = run_step(&plan, dir.path(), &[fake.path(), &installed], &[]);
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
