//! `target = azure { ... }` with no tenant anywhere (no `tenant`, no AZURE_TENANT_ID): a Key
//! Vault takes the subscription's tenant, as Bicep does, instead of failing.

mod common;
use common::emulator::Emulator;
use common::*;
use std::process::Command;

const MAIN: &str = r#"environment cloud {
  target = azure { subscription = "11111111-2222-3333-4444-555555555555" }
}

resource rg: azure.resource_group {
  name     = "tenant-rg"
  location = "westeurope"
}

resource kv: azure.key_vault {
  name           = "tenantkv1"
  resource_group = rg
}
"#;

#[test]
fn a_key_vault_needs_no_tenant_setting() {
    let data = tempfile::tempdir().expect("tempdir");
    let emulator = Emulator::start(&[], data.path());
    let dir = project(&[("main.infra", MAIN)]);
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_infra"))
            .args(args)
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .env("INFRA_AZURE_ENDPOINT", &emulator.base)
            .env_remove("AZURE_TENANT_ID")
            .env_remove("AZURE_SUBSCRIPTION_ID")
            .output()
            .expect("run infra")
    };
    let apply = run(&["apply", "--env", "cloud", "--auto-approve"]);
    assert_eq!(apply.status.code(), Some(0), "{}", stderr(&apply));
    let sub = emulator.send(
        "GET",
        "/subscriptions/11111111-2222-3333-4444-555555555555?api-version=2022-12-01",
        None,
    );
    let tenant = serde_json::from_str::<serde_json::Value>(&sub).expect("JSON")["tenantId"]
        .as_str()
        .expect("the subscription says its tenant")
        .to_string();
    let vault = emulator.send(
        "GET",
        "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/tenant-rg/providers/Microsoft.KeyVault/vaults/tenantkv1?api-version=2026-02-01",
        None,
    );
    assert!(
        vault.contains(&format!("\"tenantId\":\"{tenant}\"")),
        "{vault}"
    );
    let plan = run(&["plan", "--env", "cloud", "--detailed-exitcode"]);
    assert_eq!(
        plan.status.code(),
        Some(0),
        "{}{}",
        stdout(&plan),
        stderr(&plan)
    );
}
