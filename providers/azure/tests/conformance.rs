//! The core conformance suite, over HTTP against the in-process emulator.

mod common;

use common::*;
use infra_provider_core::conformance::{Sample, run_conformance};
use infra_provider_core::{Provider, Value};

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

fn list(items: &[&str]) -> Value {
    Value::List(items.iter().map(|x| s(x)).collect())
}

fn object(pairs: &[(&str, Value)]) -> Value {
    Value::Object(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    )
}

#[tokio::test]
async fn dns_zone_and_records_pass_conformance() {
    let (_emu, p) = start().await;
    group(&p, "rg-dns").await;
    let zone = create(
        &p,
        "azure.dns_zone",
        &props(&[("name", s("Example.COM")), ("resource_group", s("rg-dns"))]),
    )
    .await;
    let z = Value::String(zone.id.clone());
    let rec = |t: &str, name: &str, extra: &[(&str, Value)]| {
        let mut pr = props(&[("zone", z.clone()), ("name", s(name))]);
        pr.extend(props(extra));
        Sample {
            type_name: t.into(),
            inputs: pr,
            update: None,
        }
    };
    let long = "v=DKIM1; k=rsa; p=".to_string() + &"A".repeat(400);
    let mut samples = vec![
        Sample {
            type_name: "azure.dns_zone".into(),
            inputs: props(&[("name", s("other.org")), ("resource_group", s("rg-dns"))]),
            update: None,
        },
        rec(
            "azure.dns_a_record",
            "www",
            &[("addresses", list(&["10.0.0.1", "10.0.0.2"]))],
        ),
        rec(
            "azure.dns_cname_record",
            "app",
            &[
                ("target", s("app.azurecontainerapps.io")),
                ("ttl", Value::Int(300)),
            ],
        ),
        rec(
            "azure.dns_txt_record",
            "@",
            &[("values", list(&["v=spf1 -all", &long]))],
        ),
        rec(
            "azure.dns_mx_record",
            "@",
            &[(
                "records",
                Value::List(vec![object(&[
                    ("preference", Value::Int(10)),
                    ("exchange", s("mx1.example.com")),
                ])]),
            )],
        ),
    ];
    samples[1].update = Some(props(&[
        ("zone", z.clone()),
        ("name", s("www")),
        ("addresses", list(&["10.0.0.3"])),
        ("ttl", Value::Int(60)),
    ]));
    run_conformance(&p, &samples).await.unwrap();
    // The apex SOA and NS sets are still there: nothing touched them.
    let live = p
        .read("azure.dns_zone", &zone, &ctx("t"))
        .await
        .unwrap()
        .expect("zone");
    assert!(matches!(&live.outputs["name_servers"], Value::List(l) if !l.is_empty()));
}

#[tokio::test]
async fn redis_workspace_role_assignment_and_generic_pass_conformance() {
    let (_emu, p) = start().await;
    let g = group(&p, "rg-misc").await;
    let samples = vec![
        Sample {
            type_name: "azure.redis_cache".into(),
            inputs: props(&[
                ("name", s("cache1")),
                ("resource_group", s("rg-misc")),
                ("sku", s("basic")),
                ("capacity", Value::Int(0)),
                ("redis_version", s("6")),
            ]),
            update: Some(props(&[
                ("name", s("cache1")),
                ("resource_group", s("rg-misc")),
                ("sku", s("Standard")),
                ("capacity", Value::Int(1)),
            ])),
        },
        Sample {
            type_name: "azure.log_analytics_workspace".into(),
            inputs: props(&[("name", s("logs")), ("resource_group", s("rg-misc"))]),
            update: Some(props(&[
                ("name", s("logs")),
                ("resource_group", s("rg-misc")),
                ("retention_days", Value::Int(60)),
            ])),
        },
        Sample {
            type_name: "azure.role_assignment".into(),
            inputs: props(&[
                ("scope", Value::String(g.id.clone())),
                ("principal", s("22222222-2222-2222-2222-222222222222")),
                ("role", s("Key Vault Secrets User")),
            ]),
            update: None,
        },
    ];
    run_conformance(&p, &samples)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // azure.resource cannot be imported by id alone (no api-version), so it runs the
    // create/read/plan/update/delete part by hand.
    let made = create(&p, "azure.resource", &typed_generic()).await;
    let live = p
        .read("azure.resource", &made, &ctx("t"))
        .await
        .unwrap()
        .expect("there");
    let planned = plan(&p, "azure.resource", &typed_generic(), Some(&live));
    assert!(
        changed(&planned, &live).is_empty(),
        "{:?}",
        changed(&planned, &live)
    );
    p.delete("azure.resource", &live, &ctx("t")).await.unwrap();
    assert!(
        p.read("azure.resource", &live, &ctx("t"))
            .await
            .unwrap()
            .is_none()
    );
}

fn typed_generic() -> infra_provider_core::Props {
    props(&[
        ("type", s("Microsoft.Storage/storageAccounts")),
        ("api_version", s("2024-01-01")),
        ("name", s("stinfra")),
        ("resource_group", s("rg-misc")),
        ("location", s("West Europe")),
        (
            "body",
            object(&[
                ("kind", s("StorageV2")),
                ("sku", object(&[("name", s("Standard_LRS"))])),
            ]),
        ),
    ])
}
