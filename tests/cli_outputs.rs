//! Root outputs are recorded by apply, so "Changes to Outputs" shows an output whose
//! expression alone was edited (as Terraform does), and applying only that records it.

mod common;
use common::*;

const MAIN: &str = r#"resource a: core.data {
  input = { name = "first" }
}

resource b: core.data {
  input = { name = "second" }
}

output shown = a.output.name
output gone = b.output.name
"#;

const LOCAL: &str = "environment local {\n}\n";

fn ok(o: &std::process::Output) -> String {
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(o), stderr(o));
    stdout(o)
}

fn output_changes(p: &std::path::Path) -> Vec<serde_json::Value> {
    let plan = infra(&["plan", ".", "--env", "local", "--format", "json"], p);
    let v: serde_json::Value = serde_json::from_slice(&plan.stdout)
        .unwrap_or_else(|e| panic!("plan JSON ({e}): {}{}", stdout(&plan), stderr(&plan)));
    v["output_changes"].as_array().cloned().unwrap_or_default()
}

#[test]
fn an_edited_output_expression_is_planned_and_recorded_by_apply() {
    let dir = project(&[("main.infra", MAIN), ("environments/local.infra", LOCAL)]);
    let p = dir.path();
    ok(&infra(
        &["apply", ".", "--env", "local", "--auto-approve"],
        p,
    ));
    assert!(output_changes(p).is_empty());

    // Only the expressions change: no resource does.
    std::fs::write(
        p.join("main.infra"),
        MAIN.replace(
            "output shown = a.output.name",
            "output shown = b.output.name",
        )
        .replace("output gone = b.output.name\n", ""),
    )
    .expect("write");
    let changes = output_changes(p);
    assert_eq!(changes.len(), 2, "{changes:?}");
    let shown = changes
        .iter()
        .find(|c| c["name"] == "shown")
        .expect("shown");
    assert_eq!(shown["action"], "update", "{shown}");
    assert_eq!(shown["before"], "first", "{shown}");
    assert_eq!(shown["after"], "second", "{shown}");
    let gone = changes.iter().find(|c| c["name"] == "gone").expect("gone");
    assert_eq!(gone["action"], "delete", "{gone}");
    assert_eq!(gone["before"], "second", "{gone}");

    let human = ok(&infra(&["plan", ".", "--env", "local"], p));
    assert!(human.contains("Changes to Outputs"), "{human}");
    assert!(
        human.contains("first") && human.contains("second"),
        "{human}"
    );

    let applied = infra(&["apply", ".", "--env", "local", "--auto-approve"], p);
    ok(&applied);
    let said = format!("{}{}", stdout(&applied), stderr(&applied));
    assert!(said.contains("output values are recorded"), "{said}");
    assert!(
        output_changes(p).is_empty(),
        "recorded, so nothing is left to show"
    );
    // The state file holds the recorded value; a removed output is no longer recorded.
    let after = std::fs::read_dir(p.join(".infra"))
        .expect(".infra")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".json"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
        .find(|t| t.contains("\"lineage\""))
        .expect("a state file");
    let v: serde_json::Value = serde_json::from_str(&after).expect("state JSON");
    assert_eq!(v["outputs"]["shown"], "second", "{v}");
    assert!(v["outputs"].get("gone").is_none(), "{v}");
}
