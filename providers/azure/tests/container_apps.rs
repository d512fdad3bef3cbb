//! Container Apps environments and apps against the emulator.

mod common;

use common::*;
use infra_provider_core::conformance::{Sample, assert_no_secret_in, run_conformance};
use infra_provider_core::{Props, Provider, Value};

async fn workspace(
    p: &infra_provider_azure::AzureProvider,
    rg: &str,
) -> infra_provider_core::ObjectState {
    create(
        p,
        "azure.log_analytics_workspace",
        &props(&[("name", s("logs")), ("resource_group", s(rg))]),
    )
    .await
}

fn env(rg: &str, ws: &str, extra: &[(&str, Value)]) -> Props {
    let mut p = props(&[
        ("name", s("cae")),
        ("resource_group", s(rg)),
        ("logs", s(ws)),
    ]);
    p.extend(props(extra));
    p
}

#[tokio::test]
async fn container_app_environment_passes_conformance() {
    let (_emu, p) = start().await;
    group(&p, "rg-cae").await;
    let ws = workspace(&p, "rg-cae").await;
    let tags = Value::Object([("env".to_string(), s("prod"))].into());
    let sample = Sample {
        type_name: "azure.container_app_environment".into(),
        inputs: env("rg-cae", &ws.id, &[("internal", Value::Bool(false))]),
        update: Some(env("rg-cae", &ws.id, &[("tags", tags)])),
    };
    run_conformance(&p, &[sample])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}

#[tokio::test]
async fn environment_sends_the_shared_key_but_never_keeps_it() {
    let (_emu, p) = start().await;
    group(&p, "rg-cae").await;
    let ws = workspace(&p, "rg-cae").await;
    let key = ws.outputs["primary_shared_key"].clone();
    let made = create(
        &p,
        "azure.container_app_environment",
        &env("rg-cae", &ws.id, &[]),
    )
    .await;
    assert_no_secret_in(&format!("{made:?}"), &key).unwrap();
    assert_eq!(made.inputs["logs"], s(&ws.id));
    assert!(
        matches!(&made.outputs["default_domain"], Value::String(d) if d.ends_with(".azurecontainerapps.io"))
    );
    assert!(made.outputs.contains_key("static_ip"));
    let live = p
        .read("azure.container_app_environment", &made, &ctx("t"))
        .await
        .unwrap()
        .expect("env");
    let planned = plan(
        &p,
        "azure.container_app_environment",
        &env("rg-cae", &ws.id, &[]),
        Some(&live),
    );
    assert!(
        changed(&planned, &live).is_empty(),
        "{:?}",
        changed(&planned, &live)
    );
    // Internal without a VNet is refused before any request.
    let bad = plan(
        &p,
        "azure.container_app_environment",
        &props(&[
            ("name", s("cae2")),
            ("resource_group", s("rg-cae")),
            ("internal", Value::Bool(true)),
        ]),
        None,
    );
    let req = infra_provider_core::CreateRequest {
        type_name: "azure.container_app_environment",
        inputs: &bad.inputs,
        idempotency_key: "k",
    };
    assert!(p.create(req, &ctx("t")).await.is_err());
}
