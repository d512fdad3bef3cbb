//! `import` blocks end to end over a standalone emulator reached as Azure is: objects made
//! outside infra (portal-style PUTs) are adopted through the plan ("will be imported", then the
//! update the configuration implies), applied like any change, and the next plan is empty.

mod common;
use common::emulator::Emulator;
use common::*;

const SUB: &str = "11111111-2222-3333-4444-555555555555";

const MAIN: &str = r#"let subscription = "11111111-2222-3333-4444-555555555555"

resource rg: azure.resource_group {
  name     = "hand-rg"
  location = "westeurope"
  tags     = { owner = "platform" }
}

resource zone: azure.dns_zone for name in ["a.example", "b.example"] {
  name           = name
  resource_group = rg
}

import {
  to = rg
  id = "/subscriptions/${subscription}/resourceGroups/hand-rg"
}

import {
  to = zone["a.example"]
  id = "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/hand-rg/providers/Microsoft.Network/dnsZones/a.example"
}

environment cloud {
  target = azure { subscription = "11111111-2222-3333-4444-555555555555" }
}
"#;

#[test]
fn import_blocks_adopt_objects_made_outside_infra_through_the_plan() {
    let data = tempfile::tempdir().expect("tempdir");
    let emulator = Emulator::start(&[], data.path());
    let env = emulator.azure_env();
    let rg = format!("/subscriptions/{SUB}/resourceGroups/hand-rg");
    emulator.send(
        "PUT",
        &format!("{rg}?api-version=2025-04-01"),
        Some(r#"{"location":"westeurope","tags":{"owner":"someone"}}"#),
    );
    emulator.send(
        "PUT",
        &format!("{rg}/providers/Microsoft.Network/dnsZones/a.example?api-version=2018-05-01"),
        Some(r#"{"location":"global"}"#),
    );
    let dir = project(&[("main.infra", MAIN)]);
    let p = dir.path();
    let run = |args: &[&str]| infra_env(args, p, &env);

    let plan = run(&["plan", "--env", "cloud"]);
    assert_eq!(plan.status.code(), Some(0), "{}", stderr(&plan));
    let shown = stdout(&plan);
    assert!(
        shown.contains(&format!(
            "<- rg (azure.resource_group) will be imported: imported from {rg}, then updated in place"
        )),
        "{shown}"
    );
    assert!(
        shown.contains("~ tags = {\"owner\":\"someone\"} -> {\"owner\":\"platform\"}"),
        "{shown}"
    );
    assert!(
        shown.contains("zone[\"a.example\"] (azure.dns_zone) will be imported"),
        "{shown}"
    );
    assert!(
        shown.contains("+ zone[\"b.example\"] (azure.dns_zone) will be created"),
        "{shown}"
    );
    assert!(
        shown.contains("Plan: 2 to import, 1 to add, 0 to change"),
        "{shown}"
    );

    let json = run(&["plan", "--env", "cloud", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json plan");
    assert_eq!(json["summary"]["import"], 2, "{json}");
    let actions: Vec<(&str, &str)> = json["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| {
            (
                c["address"].as_str().unwrap_or(""),
                c["action"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert!(actions.contains(&("rg", "import")), "{actions:?}");

    let apply = run(&["apply", "--env", "cloud", "--auto-approve"]);
    assert_eq!(apply.status.code(), Some(0), "{}", stderr(&apply));
    assert!(
        stderr(&apply).contains("Apply complete: 2 imported, 1 added, 0 changed"),
        "{}",
        stderr(&apply)
    );
    // The group is the one made by hand, now with the configuration's tags.
    let live: serde_json::Value =
        serde_json::from_str(&emulator.send("GET", &format!("{rg}?api-version=2025-04-01"), None))
            .expect("group json");
    assert_eq!(live["tags"]["owner"], "platform", "{live}");

    let again = run(&["plan", "--env", "cloud", "--detailed-exitcode"]);
    assert_eq!(
        again.status.code(),
        Some(0),
        "{}{}",
        stdout(&again),
        stderr(&again)
    );
}

/// A block whose object does not exist, or naming an instance the configuration does not
/// make, fails the plan saying which.
#[test]
fn an_import_of_nothing_or_into_no_instance_is_refused() {
    let data = tempfile::tempdir().expect("tempdir");
    let emulator = Emulator::start(&[], data.path());
    let env = emulator.azure_env();
    let text = MAIN.replace("to = zone[\"a.example\"]", "to = zone[\"c.example\"]");
    let dir = project(&[("main.infra", &text)]);
    let plan = infra_env(&["plan", "--env", "cloud"], dir.path(), &env);
    assert_eq!(plan.status.code(), Some(1), "{}", stdout(&plan));
    assert!(
        stderr(&plan).contains("import into rg: nothing exists at /subscriptions/"),
        "{}",
        stderr(&plan)
    );
    emulator.send(
        "PUT",
        &format!("/subscriptions/{SUB}/resourceGroups/hand-rg?api-version=2025-04-01"),
        Some(r#"{"location":"westeurope"}"#),
    );
    let plan = infra_env(&["plan", "--env", "cloud"], dir.path(), &env);
    assert_eq!(plan.status.code(), Some(1), "{}", stdout(&plan));
    assert!(
        stderr(&plan)
            .contains("import into zone[\"c.example\"]: the configuration makes no such instance"),
        "{}",
        stderr(&plan)
    );
}
