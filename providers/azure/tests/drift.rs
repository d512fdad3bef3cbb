//! Drift and replacement: a change made behind the tool's back is seen by read and planned
//! as an update; a create-only change is planned as a replacement naming the property.

mod common;

use common::*;
use infra_provider_core::{Provider, Value};
use serde_json::json;

async fn patch_behind_our_back(base: &str, id: &str, patch: serde_json::Value) {
    let url = format!("{base}/_admin/resource?id={id}");
    let r = http()
        .patch(url)
        .json(&patch)
        .send()
        .await
        .expect("admin reachable");
    assert_eq!(r.status().as_u16(), 200, "admin patch failed");
}

fn tags(pairs: &[(&str, &str)]) -> Value {
    Value::Object(pairs.iter().map(|(k, v)| (k.to_string(), s(v))).collect())
}

#[tokio::test]
async fn tag_changed_outside_is_drift_and_plans_an_update() {
    let (emu, p) = start().await;
    let desired = props(&[
        ("name", s("rg-drift")),
        ("location", s("westeurope")),
        ("tags", tags(&[("owner", "team-a")])),
    ]);
    let made = create(&p, "azure.resource_group", &desired).await;
    patch_behind_our_back(
        &emu.base_url(),
        &made.id,
        json!({"tags": {"owner": "intruder"}}),
    )
    .await;
    let live = p
        .read("azure.resource_group", &made, &ctx("t"))
        .await
        .unwrap()
        .expect("still there");
    assert_eq!(
        live.inputs["tags"],
        tags(&[("owner", "intruder")]),
        "read shows the drift"
    );
    let planned = plan(&p, "azure.resource_group", &desired, Some(&live));
    assert_eq!(changed(&planned, &live), vec!["tags".to_string()]);
    assert!(
        !planned.replace_on_change.contains("tags"),
        "tags update in place"
    );
}

#[tokio::test]
async fn key_vault_setting_changed_outside_is_drift() {
    let (emu, p) = start().await;
    group(&p, "rg-kvdrift").await;
    let desired = props(&[
        ("name", s(&unique("kvdrift"))),
        ("resource_group", s("rg-kvdrift")),
        ("rbac", Value::Bool(true)),
    ]);
    let made = create(&p, "azure.key_vault", &desired).await;
    patch_behind_our_back(&emu.base_url(), &made.id, json!({"properties": {"enableRbacAuthorization": false, "publicNetworkAccess": "Disabled"}})).await;
    let live = p
        .read("azure.key_vault", &made, &ctx("t"))
        .await
        .unwrap()
        .expect("there");
    let planned = plan(&p, "azure.key_vault", &desired, Some(&live));
    // public_network_access is not set by the user: the cloud's choice is accepted.
    assert_eq!(changed(&planned, &live), vec!["rbac".to_string()]);
}

#[tokio::test]
async fn create_only_change_plans_a_replacement_naming_the_property() {
    let (_emu, p) = start().await;
    let made = create(&p, "azure.resource_group", &rg("rg-move")).await;
    let moved = props(&[("name", s("RG-MOVE")), ("location", s("North Europe"))]);
    let planned = plan(&p, "azure.resource_group", &moved, Some(&made));
    let changed = changed(&planned, &made);
    // The name differs only by case: ARM names are case-insensitive, so no change there.
    assert_eq!(changed, vec!["location".to_string()]);
    assert!(planned.replace_on_change.contains("location"));
}

#[tokio::test]
async fn purge_protection_cannot_be_turned_off() {
    let (_emu, p) = start().await;
    group(&p, "rg-purge").await;
    let name = unique("kvpurge");
    let on = props(&[
        ("name", s(&name)),
        ("resource_group", s("rg-purge")),
        ("purge_protection", Value::Bool(true)),
    ]);
    let made = create(&p, "azure.key_vault", &on).await;
    let off = props(&[
        ("name", s(&name)),
        ("resource_group", s("rg-purge")),
        ("purge_protection", Value::Bool(false)),
    ]);
    let err = p
        .plan(infra_provider_core::PlanRequest {
            type_name: "azure.key_vault",
            address: "kv",
            desired: &off,
            prior: Some(&made),
        })
        .expect_err("one-way switch");
    assert!(err.to_string().contains("purge_protection"), "{err}");
}

#[tokio::test]
async fn soft_deleted_vault_is_recovered_or_reported() {
    let (emu, p) = start().await;
    group(&p, "rg-soft").await;
    let name = unique("kvsoft");
    let desired = props(&[
        ("name", s(&name)),
        ("resource_group", s("rg-soft")),
        ("tags", tags(&[("v", "2")])),
    ]);
    let made = create(&p, "azure.key_vault", &desired).await;
    p.delete("azure.key_vault", &made, &ctx("t")).await.unwrap();
    let again = create(&p, "azure.key_vault", &desired).await;
    assert_eq!(again.id, made.id);
    assert_eq!(again.inputs["tags"], tags(&[("v", "2")]));

    p.delete("azure.key_vault", &again, &ctx("t"))
        .await
        .unwrap();
    let mut cfg = infra_provider_azure::AzureConfig::new(SUB);
    cfg.tenant_id = Some(TENANT.into());
    cfg.recover_soft_deleted_key_vaults = false;
    cfg.client = fast_client(&emu.base_url());
    let strict = infra_provider_azure::AzureProvider::new(cfg).unwrap();
    let planned = plan(&strict, "azure.key_vault", &desired, None);
    let req = infra_provider_core::CreateRequest {
        type_name: "azure.key_vault",
        inputs: &planned.inputs,
        idempotency_key: "k",
    };
    let err = strict
        .create(req, &ctx("t"))
        .await
        .expect_err("name held by a deleted vault");
    assert!(err.to_string().contains("soft-deleted"), "{err}");
}
