//! Blast radius on the reference platform, over a standalone `infra emulator` reached as Azure
//! is: changing the resource group's `location` replaces the group, and the plan lists every
//! object inside it with its reason and parent; an object made in the group outside infra
//! (a portal-style PUT) makes the plan refuse; with --allow-destroy the apply completes (no
//! `ParentResourceNotFound`, nothing "deleted outside infra") and the next plan is empty.

mod common;
use common::emulator::Emulator;
use common::*;

const SUB: &str = "11111111-2222-3333-4444-555555555555";

const BLAST: &str = r#"environment blast {
  target = azure { subscription = "11111111-2222-3333-4444-555555555555" }
  params = {
    environment       = "blast"
    image             = "api:dev"
    db_admin_password = env_secret("PG_PASSWORD", "local-only")
    pg_in_database    = false
  }
}
"#;

fn platform_copy() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("environments");
    copy_dir(&repo().join("environments"), &dir);
    std::fs::write(dir.join("blast.infra"), BLAST).expect("write env");
    tmp
}

/// The group's own `location` (and only the group's) moves to northeurope.
fn move_group(dir: &std::path::Path) {
    let main = dir.join("environments/main.infra");
    let text = std::fs::read_to_string(&main).expect("main.infra");
    let block = "resource rg: azure.resource_group {\n  name     = \"${prefix}-rg\"\n  location = location\n";
    assert!(text.contains(block), "the platform's group block changed");
    let moved = block.replace("location = location", "location = \"northeurope\"");
    std::fs::write(&main, text.replace(block, &moved)).expect("write");
}

fn json_plan(dir: &std::path::Path, env: &[(&str, &str)]) -> (Option<i32>, String, String) {
    let out = infra_env(
        &[
            "plan",
            "environments",
            "--env",
            "blast",
            "--detailed-exitcode",
            "--format",
            "json",
        ],
        dir,
        env,
    );
    (out.status.code(), stdout(&out), stderr(&out))
}

#[test]
fn moving_the_group_lists_its_content_refuses_unmanaged_objects_and_applies_with_consent() {
    let data = tempfile::tempdir().expect("tempdir");
    let emulator = Emulator::start(&[], data.path());
    let tmp = platform_copy();
    let env = emulator.azure_env();
    let run = |args: &[&str]| infra_env(args, tmp.path(), &env);

    let apply = run(&["apply", "environments", "--env", "blast", "--auto-approve"]);
    assert_eq!(apply.status.code(), Some(0), "{}", stderr(&apply));
    let state_list = run(&["state", "list", "--dir", "environments", "--env", "blast"]);
    assert_eq!(state_list.status.code(), Some(0), "{}", stderr(&state_list));
    let managed: Vec<String> = stdout(&state_list)
        .lines()
        .map(|l| l.split_whitespace().next().unwrap_or("").to_string())
        .filter(|a| !a.is_empty())
        .collect();
    assert!(managed.len() >= 18, "{managed:?}");

    move_group(tmp.path());
    let (code, out, err) = json_plan(tmp.path(), &env);
    assert_eq!(code, Some(2), "{err}");
    let plan: serde_json::Value = serde_json::from_str(&out).expect("json plan");
    let changes = plan["changes"].as_array().expect("changes");
    let rg = changes
        .iter()
        .find(|c| c["address"] == "rg")
        .expect("rg in the plan");
    assert_eq!(rg["action"], "replace", "{rg}");
    // Everything recorded inside the group goes with it, each saying why and with what.
    let inside: Vec<&serde_json::Value> = changes.iter().filter(|c| c["parent"] == "rg").collect();
    // Every managed object of the platform lives in its one group.
    assert_eq!(inside.len(), managed.len() - 1, "{out}");
    for c in &inside {
        assert_eq!(c["action"], "replace", "{c}");
        assert_eq!(
            c["reason"], "replaced because its parent rg is replaced",
            "{c}"
        );
    }
    for c in changes {
        let address = c["address"].as_str().unwrap_or("");
        if address != "rg" && c["action"] != "read" {
            assert!(
                c["parent"] == "rg" || !managed.iter().any(|m| m == address),
                "{address} stays as it is while its group is replaced: {c}"
            );
        }
    }
    assert_eq!(plan["summary"]["with_parent"], inside.len());
    let human = run(&["plan", "environments", "--env", "blast"]);
    // The server is made anew: its host, read by an output, is listed as changing.
    assert!(
        stdout(&human).contains("Changes to Outputs:")
            && stdout(&human).contains(
                "~ db_host = \"lw-blast-pg.postgres.database.azure.com\" -> (known after apply)"
            ),
        "{}",
        stdout(&human)
    );
    assert!(
        stdout(&human).contains(&format!("{} of these with their container", inside.len())),
        "{}",
        stdout(&human)
    );

    // A zone made in the group outside infra, as from the portal.
    let zone = format!(
        "/subscriptions/{SUB}/resourceGroups/lw-blast-rg/providers/Microsoft.Network/dnsZones/portal-made.example"
    );
    emulator.send(
        "PUT",
        &format!("{zone}?api-version=2018-05-01"),
        Some(r#"{"location":"global"}"#),
    );
    let (code, _, err) = json_plan(tmp.path(), &env);
    assert_eq!(
        code,
        Some(1),
        "a plan deleting an unmanaged zone must be refused"
    );
    assert!(err.contains(&zone), "{err}");
    assert!(err.contains("--allow-destroy"), "{err}");

    let apply = run(&[
        "apply",
        "environments",
        "--env",
        "blast",
        "--auto-approve",
        "--allow-destroy",
    ]);
    let apply_err = stderr(&apply);
    assert_eq!(
        apply.status.code(),
        Some(0),
        "{apply_err}{}",
        stdout(&apply)
    );
    assert!(!apply_err.contains("ParentResourceNotFound"), "{apply_err}");
    assert!(
        stdout(&apply).contains(&zone),
        "the apply's plan lists the unmanaged zone"
    );

    let (code, out, err) = json_plan(tmp.path(), &env);
    assert_eq!(code, Some(0), "not converged: {err}{out}");
    let plan: serde_json::Value = serde_json::from_str(&out).expect("json plan");
    assert_eq!(
        plan["drift"],
        serde_json::json!([]),
        "nothing deleted outside infra"
    );
}
