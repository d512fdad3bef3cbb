//! `infra show PLANFILE` and `infra apply PLANFILE` without `--env`, over the embedded
//! emulator: a plan of 3,000 `core.data` and 200 Azure resource groups, with a delete, whose
//! markdown view still shows the Azure changes and the delete.

mod common;
use common::*;

const V1: &str = r#"resource old: azure.resource_group {
  name     = "show-old"
  location = "westeurope"
}

resource kept: azure.resource_group {
  name     = "show-kept"
  location = "westeurope"
}
"#;

const V2: &str = r#"resource kept: azure.resource_group {
  name     = "show-kept"
  location = "westeurope"
}

resource rg: azure.resource_group for i in [for n in range(200): "${n}"] {
  name     = "show-rg-${i}"
  location = "westeurope"
}

resource data: core.data for i in [for n in range(3000): "${n}"] {
  input = { n = i, text = "some local value ${i}" }
}
"#;

const ENV: &str = "environment local {\n  target = emulator {}\n}\n";

fn ok(o: &std::process::Output) {
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(o), stderr(o));
}

#[test]
fn show_renders_a_saved_plan_and_apply_takes_its_environment() {
    let dir = project(&[("main.infra", V1), ("environments/local.infra", ENV)]);
    let p = dir.path();
    ok(&infra(&["apply", "--env", "local", "--auto-approve"], p));
    std::fs::write(p.join("main.infra"), V2).unwrap();
    let plan = infra(
        &[
            "plan",
            "--env",
            "local",
            "--out",
            "ci.plan",
            "--detailed-exitcode",
        ],
        p,
    );
    assert_eq!(plan.status.code(), Some(2), "{}", stderr(&plan));
    assert!(
        stderr(&plan).contains("infra show ci.plan"),
        "{}",
        stderr(&plan)
    );

    let human = infra(&["show", "ci.plan"], p);
    ok(&human);
    assert!(
        stdout(&human).contains("Plan: 3200 to add, 0 to change, 0 to replace, 1 to destroy."),
        "{}",
        stdout(&human)
    );
    assert_eq!(
        stdout(&human),
        stdout(&plan),
        "show prints what plan printed"
    );

    let json = infra(&["show", "ci.plan", "--format", "json"], p);
    ok(&json);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&json)).expect("json");
    assert_eq!(doc["format_version"], "1");
    assert_eq!(doc["summary"]["add"], 3200);
    assert_eq!(doc["summary"]["destroy"], 1);

    let md = infra(
        &[
            "show",
            "ci.plan",
            "--format",
            "markdown",
            "--full-plan",
            "the `plan` artifact of run 7",
        ],
        p,
    );
    ok(&md);
    let md = stdout(&md);
    assert!(md.chars().count() <= 60_000, "{}", md.len());
    let head = &md[..md.find("<details>").expect("details")];
    assert!(
        head.contains("| `azure.resource_group` | 200 | 0 | 0 | 1 |"),
        "{head}"
    );
    assert!(
        head.contains("| `core.data` | 3000 | 0 | 0 | 0 |"),
        "{head}"
    );
    assert!(head.contains("**delete** <code>old</code>"), "{head}");
    // Azure first: the delete, then resource groups, and core.data only after the last of them.
    let groups = md.matches("(azure.resource_group)</summary>").count()
        + md.matches("(azure.resource_group) — not in the configuration</summary>")
            .count();
    assert_eq!(groups, 201, "every Azure change is visible");
    let first_data = md.find("(core.data)</summary>").unwrap_or(md.len());
    let last_group = md.rfind("(azure.resource_group)</summary>").unwrap_or(0);
    assert!(last_group < first_data);
    let note = &md[md.rfind("\n_").expect("cut note")..];
    let data_shown = md.matches("(core.data)</summary>").count();
    assert!(
        note.contains(&format!("({} `core.data`)", 3000 - data_shown)),
        "{note}"
    );
    assert!(note.contains("the `plan` artifact of run 7"), "{note}");

    // The plan file carries its environment; a different --env is refused.
    let wrong = infra(&["apply", "ci.plan", "--env", "prod"], p);
    assert_eq!(wrong.status.code(), Some(1));
    assert!(
        stderr(&wrong).contains("made for environment `local`"),
        "{}",
        stderr(&wrong)
    );
    ok(&infra(&["apply", "ci.plan"], p));
    let again = infra(&["plan", "--env", "local", "--detailed-exitcode"], p);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
}

#[test]
fn show_refuses_what_is_not_a_plan_file() {
    let dir = project(&[("junk.plan", "{\"not\": \"a plan\"}")]);
    let out = infra(&["show", "junk.plan"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("not a saved plan"),
        "{}",
        stderr(&out)
    );
    let out = infra(&["show", "missing.plan"], dir.path());
    assert_eq!(out.status.code(), Some(1));
}
