//! Typed ARM references end to end over the embedded emulator: an App Service plan, a web
//! app, a slot placed by `parent`, and an output read from what the cloud filled in.

mod common;
use common::*;

const MAIN: &str = r#"param prefix: string = "typed"
param location: string = "westeurope"

resource rg: azure.resource_group {
  name     = "${prefix}-rg"
  location = location
}

resource plan: "Microsoft.Web/serverfarms@2025-03-01" {
  name           = "${prefix}-plan"
  resource_group = rg
  location       = location
  sku            = { name = "S1", tier = "Standard" }
  kind           = "linux"
  properties     = { reserved = true }
}

resource web: "Microsoft.Web/sites@2025-03-01" {
  name           = "${prefix}-web"
  resource_group = rg
  location       = location
  properties = {
    serverFarmId = plan.id
    httpsOnly    = true
    siteConfig   = { linuxFxVersion = "DOCKER|nginx:1.27" }
  }
}

resource staging: "Microsoft.Web/sites/slots@2025-03-01" {
  parent   = web
  name     = "staging"
  location = location
}

output web_id = web.id
output https = web.properties.httpsOnly
output host = web.properties.defaultHostName
output state = web.properties.provisioningState
output slot_id = staging.id
"#;

const LOCAL: &str = r#"environment local {
  target = emulator {}
}
"#;

fn ok(o: &std::process::Output) -> String {
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(o), stderr(o));
    stdout(o)
}

fn json_plan(p: &std::path::Path) -> serde_json::Value {
    let plan = infra(
        &[
            "plan",
            ".",
            "--env",
            "local",
            "--detailed-exitcode",
            "--format",
            "json",
        ],
        p,
    );
    serde_json::from_slice(&plan.stdout)
        .unwrap_or_else(|e| panic!("plan is not JSON ({e}): {}{}", stdout(&plan), stderr(&plan)))
}

fn actions(plan: &serde_json::Value, action: &str) -> Vec<String> {
    plan["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|c| c["action"] == action)
        .filter_map(|c| c["address"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn typed_app_service_applies_replans_empty_and_updates_one_thing() {
    let dir = project(&[("main.infra", MAIN), ("local.infra", LOCAL)]);
    let p = dir.path();

    let plan = json_plan(p);
    assert_eq!(plan["summary"]["add"], 4, "{plan}");

    ok(&infra(
        &["apply", ".", "--env", "local", "--auto-approve"],
        p,
    ));
    let out = ok(&infra(&["output", "--env", "local", "--json"], p));
    let outputs: serde_json::Value = serde_json::from_str(&out).expect("outputs JSON");
    let value = |k: &str| outputs[k]["value"].clone();
    assert!(
        value("web_id")
            .as_str()
            .is_some_and(|id| id
                .ends_with("/resourceGroups/typed-rg/providers/Microsoft.Web/sites/typed-web")),
        "{outputs}"
    );
    assert!(
        value("slot_id").as_str().is_some_and(
            |id| id.ends_with("/providers/Microsoft.Web/sites/typed-web/slots/staging")
        ),
        "{outputs}"
    );
    assert_eq!(value("https"), true, "{outputs}");
    // Read-only, filled in by the cloud, read from the object it answered.
    assert_eq!(value("state"), "Succeeded", "{outputs}");
    assert_eq!(value("host"), "typed-web.azurewebsites.net", "{outputs}");

    // Apply then plan is empty: nothing the cloud filled in shows as a change.
    let again = infra(&["plan", ".", "--env", "local", "--detailed-exitcode"], p);
    assert_eq!(
        again.status.code(),
        Some(0),
        "{}{}",
        stdout(&again),
        stderr(&again)
    );

    // A setting made outside infra, on a field the configuration does not manage.
    let data = p.join(".infra/emulator/emulator-state.json");
    let web_key = |v: &serde_json::Value| {
        v["resources"]
            .as_object()
            .and_then(|m| {
                m.keys()
                    .find(|k| k.ends_with("/microsoft.web/sites/typed-web"))
                    .cloned()
            })
            .expect("web in the emulator")
    };
    let mut emulator: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&data).expect("emulator data")).expect("JSON");
    let key = web_key(&emulator);
    emulator["resources"][&key]["body"]["properties"]["clientAffinityEnabled"] = true.into();
    std::fs::write(&data, emulator.to_string()).expect("write emulator data");
    let again = infra(&["plan", ".", "--env", "local", "--detailed-exitcode"], p);
    assert_eq!(
        again.status.code(),
        Some(0),
        "unmanaged fields make no change: {}",
        stdout(&again)
    );

    // One config change gives exactly one in-place update.
    std::fs::write(
        p.join("main.infra"),
        MAIN.replace("httpsOnly    = true", "httpsOnly    = false"),
    )
    .expect("write");
    let plan = json_plan(p);
    assert_eq!(actions(&plan, "update"), ["web"], "{plan}");
    assert_eq!(plan["summary"]["change"], 1, "{plan}");
    assert_eq!(plan["summary"]["add"], 0, "{plan}");
    ok(&infra(
        &["apply", ".", "--env", "local", "--auto-approve"],
        p,
    ));
    let again = infra(&["plan", ".", "--env", "local", "--detailed-exitcode"], p);
    assert_eq!(
        again.status.code(),
        Some(0),
        "{}{}",
        stdout(&again),
        stderr(&again)
    );
    // The update merged into the live object: the setting made outside infra survived.
    let emulator: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&data).expect("emulator data")).expect("JSON");
    let props = &emulator["resources"][&key]["body"]["properties"];
    assert_eq!(props["clientAffinityEnabled"], true, "{props}");
    assert_eq!(props["httpsOnly"], false, "{props}");

    // A deploy-time constant (the location) forces a replacement, with the reason.
    std::fs::write(
        p.join("main.infra"),
        MAIN.replace("httpsOnly    = true", "httpsOnly    = false")
            .replace(
                "  parent   = web\n  name     = \"staging\"\n  location = location",
                "  parent   = web\n  name     = \"staging\"\n  location = \"northeurope\"",
            ),
    )
    .expect("write");
    let plan = json_plan(p);
    let replaced: Vec<&serde_json::Value> = plan["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|c| c["action"] == "replace")
        .collect();
    assert_eq!(replaced.len(), 1, "{plan}");
    assert_eq!(replaced[0]["address"], "staging");
    assert!(
        replaced[0]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("location")),
        "{plan}"
    );

    ok(&infra(
        &["destroy", ".", "--env", "local", "--auto-approve"],
        p,
    ));
}
