//! The core conformance suite, over HTTP against the in-process emulator.

mod common;

use common::*;
use infra_provider_core::Value;
use infra_provider_core::conformance::{Sample, run_conformance};

#[tokio::test]
async fn resource_group_and_key_vault_pass_conformance() {
    let (_emu, p) = start().await;
    let g = group(&p, "rg-host").await;
    let gid = Value::String(g.id.clone());
    let samples = vec![
        Sample {
            type_name: "azure.resource_group".into(),
            inputs: rg("rg-conf"),
            update: Some(props(&[
                ("name", s("rg-conf")),
                ("location", s("westeurope")),
                (
                    "tags",
                    Value::Object([("env".to_string(), s("test"))].into()),
                ),
            ])),
        },
        Sample {
            type_name: "azure.key_vault".into(),
            inputs: props(&[
                ("name", s(&unique("kvconf"))),
                ("resource_group", gid.clone()),
                ("rbac", Value::Bool(true)),
            ]),
            update: None,
        },
    ];
    let mut samples = samples;
    let kv_name = samples[1].inputs["name"].clone();
    samples[1].update = Some(props(&[
        ("name", kv_name),
        ("resource_group", s("rg-host")),
        ("rbac", Value::Bool(true)),
        ("purge_protection", Value::Bool(true)),
        ("sku", s("Premium")),
    ]));
    run_conformance(&p, &samples).await.unwrap();
}

#[tokio::test]
async fn key_vault_secret_passes_conformance() {
    let (_emu, p) = start().await;
    let g = group(&p, "rg-sec").await;
    let kv = create(
        &p,
        "azure.key_vault",
        &props(&[
            ("name", s(&unique("kvsec"))),
            ("resource_group", Value::String(g.id.clone())),
        ]),
    )
    .await;
    let secret = |v: &str| {
        props(&[
            ("vault", Value::String(kv.id.clone())),
            ("name", s("db-password")),
            ("value", Value::secret(s(v))),
            ("content_type", s("text/plain")),
        ])
    };
    let sample = Sample {
        type_name: "azure.key_vault_secret".into(),
        inputs: secret("one"),
        update: Some(secret("two")),
    };
    run_conformance(&p, &[sample]).await.unwrap();
}
