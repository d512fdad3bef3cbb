//! `infra state`, `output`, `graph`, `import`, `init`, and the secret canary across every
//! command and every file infra writes.

mod common;
use common::*;
use std::path::Path;

const MAIN: &str = r#"param environment: string
param token: secret

let conn_string = "Server=db-${environment};Password=${token}"

resource a: core.data {
  input = { name = "a-${environment}" }
}

resource b: core.data {
  input = { name = "b", from = a.output.name }
}

output name = b.output.name
output connection: secret = conn_string
"#;

const LOCAL: &str = r#"environment local {
  params = { environment = "local", token = env_secret("INFRA_TEST_TOKEN") }
}
"#;

const CANARY: &str = "canary-3f9b71d2";

fn sample() -> tempfile::TempDir {
    project(&[("main.infra", MAIN), ("environments/local.infra", LOCAL)])
}

fn run(args: &[&str], dir: &Path) -> std::process::Output {
    infra_env(args, dir, &[("INFRA_TEST_TOKEN", CANARY)])
}

fn ok(out: &std::process::Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        stdout(out),
        stderr(out)
    );
    stdout(out)
}

fn no_canary(out: &std::process::Output, what: &str) {
    assert!(
        !stdout(out).contains(CANARY) && !stderr(out).contains(CANARY),
        "the secret leaked in {what}"
    );
}

fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("read_dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn the_secret_canary_never_leaves_the_process() {
    let dir = sample();
    let p = dir.path();
    for args in [
        &["validate", ".", "--env", "local"][..],
        &["plan", "--env", "local"],
        &["plan", "--env", "local", "--format", "json"],
        &["plan", "--env", "local", "--format", "markdown"],
        &["plan", "--env", "local", "--out", "saved.plan"],
        &["apply", "saved.plan", "--env", "local"],
        &["plan", "--env", "local", "--detailed-exitcode"],
        &["output", "--env", "local"],
        &["output", "--env", "local", "--json"],
        &["output", "connection", "--env", "local"],
        &["state", "pull", "--env", "local"],
        &["state", "show", "a", "--env", "local"],
        &["graph", "--env", "local"],
        &["destroy", "--env", "local", "--auto-approve"],
    ] {
        let out = run(args, p);
        ok(&out);
        no_canary(&out, &args.join(" "));
    }
    let files = files_under(p);
    assert!(files.iter().any(|f| f.ends_with("saved.plan")));
    assert!(files.iter().any(|f| f.ends_with(".infra/local.state.json")));
    for f in files {
        let bytes = std::fs::read(&f).expect("read");
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(CANARY), "the secret is in {}", f.display());
    }
}

#[test]
fn secret_outputs_show_only_when_asked() {
    let dir = sample();
    let p = dir.path();
    let out = run(&["output", "--env", "local"], p);
    assert_eq!(out.status.code(), Some(1), "nothing applied yet");
    assert!(stderr(&out).contains("infra apply"), "{}", stderr(&out));
    ok(&run(&["apply", "--env", "local", "--auto-approve"], p));
    let text = ok(&run(&["output", "--env", "local"], p));
    assert_eq!(text, "connection = (secret)\nname = \"b\"\n");
    let text = ok(&run(&["output", "name", "--env", "local"], p));
    assert_eq!(text, "b\n");
    let text = ok(&run(&["output", "--env", "local", "--show-secrets"], p));
    assert!(text.contains(CANARY), "{text}");
    let text = ok(&run(
        &[
            "output",
            "connection",
            "--env",
            "local",
            "--show-secrets",
            "--json",
        ],
        p,
    ));
    assert_eq!(
        text.trim(),
        format!("\"Server=db-local;Password={CANARY}\"")
    );
    let out = run(&["output", "nope", "--env", "local"], p);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("connection, name"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn state_list_show_mv_rm_pull_push() {
    let dir = sample();
    let p = dir.path();
    ok(&run(&["apply", "--env", "local", "--auto-approve"], p));
    assert_eq!(ok(&run(&["state", "list", "--env", "local"], p)), "a\nb\n");
    let show = ok(&run(&["state", "show", "b", "--env", "local"], p));
    assert!(
        show.contains("type = core.data") && show.contains("dependencies = [a]"),
        "{show}"
    );
    let out = run(&["state", "show", "zz", "--env", "local"], p);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("state list"), "{}", stderr(&out));

    let pulled = ok(&run(&["state", "pull", "--env", "local"], p));
    let doc: serde_json::Value = serde_json::from_str(&pulled).expect("state JSON");
    let serial = doc["serial"].as_u64().expect("serial");
    std::fs::write(p.join("pulled.json"), &pulled).unwrap();

    ok(&run(&["state", "mv", "b", "b2", "--env", "local"], p));
    assert_eq!(ok(&run(&["state", "list", "--env", "local"], p)), "a\nb2\n");
    let out = run(&["state", "mv", "a", "b2", "--env", "local"], p);
    assert_eq!(
        out.status.code(),
        Some(1),
        "moving onto an existing address"
    );
    ok(&run(&["state", "rm", "b2", "--env", "local"], p));
    assert_eq!(ok(&run(&["state", "list", "--env", "local"], p)), "a\n");
    let out = run(&["state", "rm", "b2", "--env", "local"], p);
    assert_eq!(out.status.code(), Some(1));

    // The pulled file is older than the state now: refused unless forced.
    let out = run(&["state", "push", "pulled.json", "--env", "local"], p);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("older"), "{}", stderr(&out));
    ok(&run(
        &["state", "push", "pulled.json", "--env", "local", "--force"],
        p,
    ));
    assert_eq!(ok(&run(&["state", "list", "--env", "local"], p)), "a\nb\n");
    let doc: serde_json::Value =
        serde_json::from_str(&ok(&run(&["state", "pull", "--env", "local"], p))).unwrap();
    assert!(doc["serial"].as_u64().unwrap() > serial + 2);

    // Another lineage is refused.
    let mut other = doc.clone();
    other["lineage"] = "another-lineage".into();
    std::fs::write(p.join("other.json"), other.to_string()).unwrap();
    let out = run(&["state", "push", "other.json", "--env", "local"], p);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("lineage"), "{}", stderr(&out));
    // And the state converges again.
    ok(&run(&["plan", "--env", "local", "--detailed-exitcode"], p));
}

#[test]
fn graph_shows_the_edges() {
    let dir = sample();
    let dot = ok(&run(&["graph", "--env", "local"], dir.path()));
    assert!(dot.starts_with("digraph"), "{dot}");
    assert!(dot.contains("\"b\" -> \"a\";"), "{dot}");
    let json = ok(&run(
        &["graph", "--env", "local", "--format", "json"],
        dir.path(),
    ));
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["edges"][0]["from"], "b");
    assert_eq!(doc["edges"][0]["to"], "a");
    assert_eq!(doc["nodes"].as_array().map(Vec::len), Some(2));
}

#[test]
fn import_needs_a_declared_address_and_an_existing_object() {
    let dir = sample();
    let p = dir.path();
    let out = run(&["import", "--env", "local", "zz", "data-1"], p);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("declares no resource `zz`"),
        "{}",
        stderr(&out)
    );
    let out = run(&["import", ".", "--env", "local", "a", "data-0000"], p);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no core.data object"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn init_scaffolds_a_project_that_works_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    ok(&infra(&["init", "proj"], p));
    let proj = p.join("proj");
    let ignore = std::fs::read_to_string(proj.join(".gitignore")).unwrap();
    assert!(
        ignore.contains(".infra/") && ignore.contains("*.plan"),
        "{ignore}"
    );
    ok(&infra(&["fmt", "--check", "."], &proj));
    ok(&infra(&["validate", "--env", "local"], &proj));
    let plan = ok(&infra(&["plan", "--env", "local"], &proj));
    assert!(plan.contains("Plan: 2 to add"), "{plan}");
    ok(&infra(
        &["apply", "--env", "local", "--auto-approve"],
        &proj,
    ));
    ok(&infra(
        &["plan", "--env", "local", "--detailed-exitcode"],
        &proj,
    ));

    let before = std::fs::read_to_string(proj.join("main.infra")).unwrap();
    let out = infra(&["init", "proj"], p);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("not overwriting"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(proj.join("main.infra")).unwrap(),
        before
    );
}
