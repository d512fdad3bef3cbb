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

/// An environment, and a Key Vault secret the app reads through its identity.
async fn app_setup(
    p: &infra_provider_azure::AzureProvider,
) -> (
    infra_provider_core::ObjectState,
    infra_provider_core::ObjectState,
) {
    group(p, "rg-app").await;
    let ws = workspace(p, "rg-app").await;
    let env = create(
        p,
        "azure.container_app_environment",
        &env("rg-app", &ws.id, &[]),
    )
    .await;
    let kv = create(
        p,
        "azure.key_vault",
        &props(&[
            ("name", s(&unique("kvapp"))),
            ("resource_group", s("rg-app")),
        ]),
    )
    .await;
    let secret = create(
        p,
        "azure.key_vault_secret",
        &props(&[
            ("vault", Value::String(kv.id.clone())),
            ("name", s("db-url")),
            ("value", Value::secret(s("postgres://x"))),
        ]),
    )
    .await;
    (env, secret)
}

fn app(env: &str, image: &str, secret_ref: &str, extra: &[(&str, Value)]) -> Props {
    let obj = |pairs: &[(&str, Value)]| Value::Object(props(pairs));
    let mut p = props(&[
        ("name", s("api")),
        ("environment", s(env)),
        ("image", s(image)),
        ("identity", s("system")),
        (
            "ingress",
            obj(&[
                ("external", Value::Bool(true)),
                ("target_port", Value::Int(8080)),
            ]),
        ),
        ("env", obj(&[("RUST_LOG", s("info"))])),
        ("secrets", obj(&[("DATABASE_URL", s(secret_ref))])),
    ]);
    p.extend(props(extra));
    p
}

#[tokio::test]
async fn container_app_passes_conformance() {
    let (_emu, p) = start().await;
    let (env, secret) = app_setup(&p).await;
    let url = secret.outputs["versionless_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let replicas = Value::Object(props(&[
        ("min_replicas", Value::Int(1)),
        ("max_replicas", Value::Int(3)),
    ]));
    let sample = Sample {
        type_name: "azure.container_app".into(),
        inputs: app(&env.id, "nginx:1", &url, &[]),
        update: Some(app(
            &env.id,
            "nginx:2",
            &url,
            &[
                ("replicas", replicas),
                ("cpu", Value::Int(1)),
                ("memory", s("2Gi")),
            ],
        )),
    };
    run_conformance(&p, &[sample])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}

#[tokio::test]
async fn container_app_reads_identity_secrets_and_outputs() {
    let (_emu, p) = start().await;
    let (env, secret) = app_setup(&p).await;
    // The secret named by its ARM id: sent as the vault URL, recorded as written.
    let desired = app(&env.id, "nginx:1", &secret.id, &[]);
    let made = create(&p, "azure.container_app", &desired).await;
    let Value::Object(identity) = &made.outputs["identity"] else {
        panic!("identity output: {:?}", made.outputs.get("identity"));
    };
    assert!(matches!(&identity["principal_id"], Value::String(x) if !x.is_empty()));
    assert!(identity.contains_key("tenant_id"));
    assert_eq!(made.inputs["identity"], s("system"));
    assert!(matches!(&made.outputs["fqdn"], Value::String(f) if f.starts_with("api.")));
    assert!(made.outputs.contains_key("latest_revision_name"));
    assert!(matches!(&made.outputs["outbound_ip_addresses"], Value::List(l) if !l.is_empty()));
    assert_eq!(made.inputs["resource_group"], s("rg-app"));

    let raw = p
        .client()
        .get(
            &made.id,
            "2026-01-01",
            &infra_provider_core::Cancel::never(),
        )
        .await
        .unwrap()
        .expect("app");
    let secrets = &raw["properties"]["configuration"]["secrets"][0];
    assert_eq!(secrets["name"], "database-url");
    assert_eq!(secrets["identity"], "system");
    assert!(
        secrets["keyVaultUrl"]
            .as_str()
            .is_some_and(|u| u.ends_with("/secrets/db-url"))
    );
    let env_vars = raw["properties"]["template"]["containers"][0]["env"].to_string();
    assert!(
        env_vars.contains("\"secretRef\":\"database-url\""),
        "{env_vars}"
    );

    let live = p
        .read("azure.container_app", &made, &ctx("t"))
        .await
        .unwrap()
        .expect("app");
    let planned = plan(&p, "azure.container_app", &desired, Some(&live));
    assert!(
        changed(&planned, &live).is_empty(),
        "{:?}",
        changed(&planned, &live)
    );
    // A plan that changes nothing knows the identity object for whoever references it.
    assert_eq!(
        planned.predicted_outputs["identity"],
        made.outputs["identity"]
    );

    // Secrets without an identity are refused.
    let mut bad = desired.clone();
    bad.remove("identity");
    let planned = plan(&p, "azure.container_app", &bad, None);
    let req = infra_provider_core::CreateRequest {
        type_name: "azure.container_app",
        inputs: &planned.inputs,
        idempotency_key: "k",
    };
    assert!(p.create(req, &ctx("t")).await.is_err());
}

#[tokio::test]
async fn container_registry_passes_conformance_and_reads_as_existing() {
    let (_emu, p) = start().await;
    group(&p, "rg-acr").await;
    let reg = |extra: &[(&str, Value)]| {
        let mut r = props(&[("name", s("acrinfra")), ("resource_group", s("rg-acr"))]);
        r.extend(props(extra));
        r
    };
    let sample = Sample {
        type_name: "azure.container_registry".into(),
        inputs: reg(&[]),
        update: Some(reg(&[
            ("sku", s("standard")),
            ("admin_enabled", Value::Bool(false)),
        ])),
    };
    run_conformance(&p, &[sample])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // A registry made elsewhere, as ARM reports it, read through `existing`.
    let id = format!(
        "/subscriptions/{SUB}/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/shared"
    );
    let body = serde_json::json!({"location": "westeurope", "sku": {"name": "Premium"},
        "properties": {"loginServer": "shared.azurecr.io", "adminUserEnabled": false}});
    p.client()
        .write(
            reqwest::Method::PUT,
            &id,
            "2023-07-01",
            &body,
            &infra_provider_core::Cancel::never(),
        )
        .await
        .unwrap();
    let found = p
        .read_existing(
            "azure.container_registry",
            &props(&[("name", s("shared")), ("resource_group", s("rg-acr"))]),
            &ctx("t"),
        )
        .await
        .unwrap()
        .expect("registry");
    assert_eq!(found.outputs["login_server"], s("shared.azurecr.io"));
    assert_eq!(found.inputs["sku"], s("Premium"));
}

#[tokio::test]
async fn revisions_mode_and_sidecars_round_trip() {
    let (_emu, p) = start().await;
    let (env, _) = app_setup(&p).await;
    let sidecar = |image: &str| {
        Value::List(vec![Value::Object(props(&[
            ("name", s("log-shipper")),
            ("image", s(image)),
            ("args", Value::List(vec![s("--quiet")])),
            ("env", Value::Object(props(&[("LEVEL", s("warn"))]))),
        ]))])
    };
    let plain = |extra: &[(&str, Value)]| {
        let mut a = props(&[
            ("name", s("multi")),
            ("environment", s(&env.id)),
            ("image", s("nginx:1")),
        ]);
        a.extend(props(extra));
        a
    };
    let sample = Sample {
        type_name: "azure.container_app".into(),
        inputs: plain(&[
            ("revisions_mode", s("multiple")),
            ("sidecars", sidecar("fluent-bit:2")),
        ]),
        update: Some(plain(&[("sidecars", sidecar("fluent-bit:3"))])),
    };
    run_conformance(&p, &[sample])
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    let made = create(
        &p,
        "azure.container_app",
        &plain(&[
            ("name", s("multi2")),
            ("revisions_mode", s("Multiple")),
            ("sidecars", sidecar("fluent-bit:2")),
        ]),
    )
    .await;
    let raw = p
        .client()
        .get(
            &made.id,
            "2026-01-01",
            &infra_provider_core::Cancel::never(),
        )
        .await
        .unwrap()
        .expect("app");
    assert_eq!(
        raw["properties"]["configuration"]["activeRevisionsMode"],
        "Multiple"
    );
    let containers = &raw["properties"]["template"]["containers"];
    assert_eq!(containers[1]["name"], "log-shipper");
    assert_eq!(containers[1]["image"], "fluent-bit:2");
    assert_eq!(containers[1]["args"], serde_json::json!(["--quiet"]));
}
