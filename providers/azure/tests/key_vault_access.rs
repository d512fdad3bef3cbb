//! Key Vault access models against the emulator: RBAC by default, access policies when
//! RBAC is off, and both round-tripping with no change on the next plan.

mod common;

use common::*;
use infra_provider_core::conformance::{Sample, run_conformance};
use infra_provider_core::{Props, Provider, Value};

fn list(items: &[&str]) -> Value {
    Value::List(items.iter().map(|s| Value::str(*s)).collect())
}

fn policy(object: &str, secrets: &[&str]) -> Value {
    Value::Object(props(&[
        ("object_id", s(object)),
        ("secrets", list(secrets)),
        ("keys", list(&[])),
    ]))
}

fn vault(name: &str, extra: &[(&str, Value)]) -> Props {
    let mut p = props(&[("name", s(name)), ("resource_group", s("rg-kva"))]);
    p.extend(props(extra));
    p
}

#[tokio::test]
async fn access_policies_round_trip_and_switch_from_rbac() {
    let (_emu, p) = start().await;
    group(&p, "rg-kva").await;
    let name = unique("kvpol");
    let policies = Value::List(vec![
        policy("BBBBBBBB-0000-0000-0000-000000000002", &["Get", "List"]),
        policy("aaaaaaaa-0000-0000-0000-000000000001", &["get"]),
    ]);
    let sample = Sample {
        type_name: "azure.key_vault".into(),
        inputs: vault(&name, &[]),
        update: Some(vault(
            &name,
            &[
                ("rbac", Value::Bool(false)),
                ("access_policies", policies.clone()),
            ],
        )),
    };
    run_conformance(&p, &[sample])
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    // As ARM stores it: the vault's tenant on each policy, the permissions as sent.
    let name = unique("kvpol");
    let desired = vault(
        &name,
        &[("rbac", Value::Bool(false)), ("access_policies", policies)],
    );
    let made = create(&p, "azure.key_vault", &desired).await;
    let raw = p
        .client()
        .get(
            &made.id,
            "2026-02-01",
            &infra_provider_core::Cancel::never(),
        )
        .await
        .unwrap()
        .expect("vault");
    assert_eq!(raw["properties"]["enableRbacAuthorization"], false);
    let sent = &raw["properties"]["accessPolicies"];
    assert_eq!(sent.as_array().map(Vec::len), Some(2), "{sent}");
    assert!(
        sent.as_array()
            .unwrap()
            .iter()
            .all(|a| a["tenantId"] == TENANT)
    );
    let live = p
        .read("azure.key_vault", &made, &ctx("t"))
        .await
        .unwrap()
        .expect("vault");
    let planned = plan(&p, "azure.key_vault", &desired, Some(&live));
    assert!(
        changed(&planned, &live).is_empty(),
        "{:?}",
        changed(&planned, &live)
    );
}

#[tokio::test]
async fn rbac_is_the_default_and_policies_on_an_rbac_vault_are_refused() {
    let (_emu, p) = start().await;
    group(&p, "rg-kva").await;
    let made = create(&p, "azure.key_vault", &vault(&unique("kvrbac"), &[])).await;
    assert_eq!(made.inputs["rbac"], Value::Bool(true));
    assert!(!made.inputs.contains_key("access_policies"));

    let bad = vault(
        &unique("kvbad"),
        &[("access_policies", Value::List(vec![policy("o", &["get"])]))],
    );
    let planned = plan(&p, "azure.key_vault", &bad, None);
    let err = p
        .create(
            infra_provider_core::CreateRequest {
                type_name: "azure.key_vault",
                inputs: &planned.inputs,
                idempotency_key: "k",
            },
            &ctx("t"),
        )
        .await
        .expect_err("policies need rbac = false");
    assert!(err.to_string().contains("rbac = false"), "{err}");
}
