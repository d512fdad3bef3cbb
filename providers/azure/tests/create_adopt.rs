//! A create never takes over an object it did not make: the target is read first, and an
//! existing object fails the create before anything is written, with the import command.
//! The object an interrupted run of the same create made is recognised and carried on.

mod common;

use common::*;
use infra_emulator::Config;
use infra_provider_core::{CreateRequest, Provider, ProviderError, Value};
use reqwest::Method;
use serde_json::json;

async fn recording() -> (
    infra_emulator::Emulator,
    infra_provider_azure::AzureProvider,
) {
    let emu = infra_emulator::start(Config {
        record_requests: true,
        ..fast_emulator()
    })
    .await
    .expect("emulator starts");
    let p = provider_for(&emu);
    (emu, p)
}

async fn create_with_key(
    p: &infra_provider_azure::AzureProvider,
    t: &str,
    desired: &infra_provider_core::Props,
    key: &str,
) -> Result<infra_provider_core::ObjectState, ProviderError> {
    let planned = plan(p, t, desired, None);
    let req = CreateRequest {
        type_name: t,
        inputs: &planned.inputs,
        idempotency_key: key,
    };
    p.create(req, &ctx("azure.redis_cache.cache")).await
}

fn redis(name: &str) -> infra_provider_core::Props {
    props(&[
        ("name", s(name)),
        ("resource_group", s("rg-adopt")),
        ("location", s("westeurope")),
        ("sku", s("Basic")),
        ("capacity", Value::Int(0)),
    ])
}

#[tokio::test]
async fn creating_over_an_object_made_elsewhere_fails_before_writing() {
    let (emu, p) = recording().await;
    group(&p, "rg-adopt").await;
    let id = format!(
        "/subscriptions/{SUB}/resourceGroups/rg-adopt/providers/Microsoft.Cache/redis/shared"
    );
    let theirs = json!({"location": "westeurope", "tags": {"owner": "someone-else"},
        "properties": {"sku": {"name": "Standard", "family": "C", "capacity": 1}}});
    let cancel = infra_provider_core::Cancel::never();
    p.client()
        .write(Method::PUT, &id, "2024-11-01", &theirs, &cancel)
        .await
        .expect("made elsewhere");
    let before = p.client().get(&id, "2024-11-01", &cancel).await.unwrap();
    emu.clear_requests();

    let err = create_with_key(&p, "azure.redis_cache", &redis("shared"), "lineage/addr/")
        .await
        .expect_err("must not adopt");
    let msg = err.to_string();
    assert!(msg.contains("already exists"), "{msg}");
    // ARM compares ids case-insensitively; the message gives the id as ARM reports it.
    let import = format!("infra import --env <ENV> azure.redis_cache.cache {id}");
    assert!(msg.to_lowercase().contains(&import.to_lowercase()), "{msg}");
    let after = p.client().get(&id, "2024-11-01", &cancel).await.unwrap();
    assert_eq!(before, after, "the object is untouched");
    let writes: Vec<_> = emu
        .requests()
        .into_iter()
        .filter(|r| r.method != "GET")
        .collect();
    assert!(writes.is_empty(), "nothing written: {writes:?}");
}

#[tokio::test]
async fn a_create_costs_one_read_and_a_rerun_after_a_crash_finds_its_own_object() {
    let (emu, p) = recording().await;
    group(&p, "rg-adopt").await;
    emu.clear_requests();
    let made = create_with_key(&p, "azure.redis_cache", &redis("mine"), "lineage/addr/")
        .await
        .expect("create");
    let before_put: Vec<_> = emu
        .requests()
        .into_iter()
        .take_while(|r| r.method != "PUT")
        .map(|r| r.method)
        .collect();
    assert_eq!(before_put, ["GET"], "one existence check before the PUT");
    // The marker is the provider's, never the user's.
    assert_eq!(made.inputs["tags"], Value::Object(Default::default()));

    // The state never recorded it (a crash): the same create, re-run, carries on.
    let again = create_with_key(&p, "azure.redis_cache", &redis("mine"), "lineage/addr/")
        .await
        .expect("the re-run of the same create");
    assert_eq!(again.id, made.id);
    // Another configuration (another key) is refused the same object.
    let err = create_with_key(&p, "azure.redis_cache", &redis("mine"), "other/addr/")
        .await
        .expect_err("someone else's");
    assert!(err.to_string().contains("already exists"), "{err}");
    // Once updated, the object carries only the user's tags.
    let tags = Value::Object([("env".to_string(), s("prod"))].into());
    let mut desired = redis("mine");
    desired.insert("tags".into(), tags.clone());
    let planned = plan(&p, "azure.redis_cache", &desired, Some(&made));
    let updated = p
        .update(
            infra_provider_core::UpdateRequest {
                type_name: "azure.redis_cache",
                prior: &made,
                inputs: &planned.inputs,
            },
            &ctx("t"),
        )
        .await
        .expect("update");
    assert_eq!(updated.inputs["tags"], tags);
    let raw = p
        .client()
        .get(
            &made.id,
            "2024-11-01",
            &infra_provider_core::Cancel::never(),
        )
        .await
        .unwrap()
        .expect("cache");
    assert_eq!(raw["tags"], json!({"env": "prod"}));
}

#[tokio::test]
async fn a_key_vault_secret_set_elsewhere_is_not_overwritten() {
    let (_emu, p) = start().await;
    group(&p, "rg-adopt").await;
    let vault = create(
        &p,
        "azure.key_vault",
        &props(&[
            ("name", s(&unique("kvadopt"))),
            ("resource_group", s("rg-adopt")),
        ]),
    )
    .await;
    let secret = props(&[
        ("vault", Value::String(vault.id.clone())),
        ("name", s("db-password")),
        ("value", Value::secret(s("theirs"))),
    ]);
    create(&p, "azure.key_vault_secret", &secret).await;
    let mut mine = secret.clone();
    mine.insert("value".into(), Value::secret(s("mine")));
    let planned = plan(&p, "azure.key_vault_secret", &mine, None);
    let err = p
        .create(
            CreateRequest {
                type_name: "azure.key_vault_secret",
                inputs: &planned.inputs,
                idempotency_key: "another/run/",
            },
            &ctx("azure.key_vault_secret.db"),
        )
        .await
        .expect_err("must not overwrite");
    let msg = err.to_string();
    assert!(msg.contains("already exists"), "{msg}");
    assert!(msg.contains("azure.key_vault_secret.db"), "{msg}");
    assert!(!msg.contains("theirs") && !msg.contains("mine"), "{msg}");
}
