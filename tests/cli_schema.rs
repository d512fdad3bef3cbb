//! `infra schema` for ARM types from Microsoft's type data: the human view, --json, and
//! the errors for unknown types and versions.

use serde_json::Value;
use std::process::{Command, Output};

fn schema(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_infra"))
        .arg("schema")
        .args(args)
        .output()
        .expect("run infra schema")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn an_arm_type_prints_its_properties_flags_constraints_and_reference() {
    let out = schema(&["Microsoft.Web/sites@2025-03-01"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("Microsoft.Web/sites@2025-03-01\n"),
        "{text}"
    );
    assert!(
        text.contains("  reference: https://learn.microsoft.com/azure/templates/microsoft.web/2025-03-01/sites\n"),
        "{text}"
    );
    assert!(
        text.contains("\n  id: string [read-only, create-only]\n"),
        "{text}"
    );
    assert!(text.contains("\n    serverFarmId: string\n"), "{text}");
    assert!(
        text.contains("\n    siteConfig: object [write-only]\n"),
        "{text}"
    );
    assert!(text.contains("\n      linuxFxVersion: string\n"), "{text}");

    let text = stdout(&schema(&["Microsoft.Storage/storageAccounts@2026-04-01"]));
    assert!(
        text.contains(
            "\n  name: string [required, create-only, length 3..24, pattern ^[a-z0-9]+$]\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("\n    accessTier: 'Hot' | 'Cool' | 'Premium' | 'Cold' | 'Smart'\n"),
        "{text}"
    );
}

#[test]
fn json_gives_the_same_facts() {
    let out = schema(&["microsoft.storage/STORAGEACCOUNTS@2026-04-01", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["type"], "Microsoft.Storage/storageAccounts");
    assert_eq!(v["writable_scopes"], serde_json::json!(["resource group"]));
    let props = &v["body"]["properties"];
    assert_eq!(
        props["name"]["flags"],
        serde_json::json!(["required", "create-only"])
    );
    assert_eq!(props["name"]["type"]["pattern"], "^[a-z0-9]+$");
    assert_eq!(props["name"]["type"]["max_length"], 24);
    let tier = &props["properties"]["type"]["properties"]["accessTier"]["type"];
    assert_eq!(
        (tier["kind"].clone(), tier["open"].clone()),
        (Value::from("enum"), Value::from(false))
    );
    let sku = &props["sku"]["type"]["properties"]["name"]["type"];
    assert_eq!(sku["open"], true);
    assert!(
        sku["values"]
            .as_array()
            .unwrap()
            .contains(&Value::from("Standard_LRS"))
    );

    let v: Value = serde_json::from_slice(
        &schema(&["Microsoft.Resources/deploymentScripts", "--json"]).stdout,
    )
    .expect("json");
    assert_eq!(v["body"]["kind"], "tagged_union");
    assert_eq!(v["body"]["discriminator"], "kind");
    assert!(v["body"]["variants"]["AzureCLI"]["properties"]["properties"].is_object());
}

#[test]
fn an_unknown_type_fails_with_suggestions_and_an_unknown_version_warns() {
    let out = schema(&["Microsoft.HyperV/virtualMachines@2099-01-01"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("unknown resource type `Microsoft.HyperV/virtualMachines`"),
        "{err}"
    );
    assert!(err.contains("Microsoft.Compute/virtualMachines"), "{err}");

    let out = schema(&["Microsoft.Web/sites@2099-01-01", "--json"]);
    assert!(out.status.success());
    assert!(
        stderr(&out).contains("showing the nearest known version, 2025-03-01"),
        "{}",
        stderr(&out)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        (v["api_version"].clone(), v["requested_api_version"].clone()),
        ("2025-03-01".into(), "2099-01-01".into())
    );

    let out = schema(&["Microsoft.Web/sites@"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("not a type reference"),
        "{}",
        stderr(&out)
    );
}
