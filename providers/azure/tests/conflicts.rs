//! ARM's retryable conflicts: a write meeting another operation still running on the same
//! object (`409 AnotherOperationInProgress`, e.g. one a killed run left behind) waits for it,
//! says so as a progress notice, and gives up only after the configured bound.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use infra_emulator::{Config, Emulator, Latency};
use infra_provider_azure::{AzureConfig, AzureProvider};
use infra_provider_core::notice;
use infra_provider_core::{CreateRequest, Provider, UpdateRequest, Value};
use serde_json::{Value as J, json};

const REDIS_API: &str = "2024-11-01";

async fn slow_redis() -> Emulator {
    let mut latency = Latency::default();
    latency
        .per_type
        .insert("microsoft.cache/redis".into(), Duration::from_millis(600));
    infra_emulator::start(Config {
        latency,
        ..fast_emulator()
    })
    .await
    .expect("emulator starts")
}

fn provider(emu: &Emulator, wait: Duration) -> AzureProvider {
    let mut cfg = AzureConfig::new(SUB);
    cfg.tenant_id = Some(TENANT.into());
    cfg.client = fast_client(&emu.base_url());
    cfg.client.conflict_wait = Some(wait);
    AzureProvider::new(cfg).expect("provider builds")
}

fn cache(capacity: i64) -> infra_provider_core::Props {
    props(&[
        ("name", s("busy")),
        ("resource_group", s("rg-busy")),
        ("sku", s("Basic")),
        ("capacity", Value::Int(capacity)),
    ])
}

/// Starts a capacity change through the ARM API directly (as another tool or a killed run
/// would): its operation runs for the configured latency.
async fn start_foreign_update(emu: &Emulator, id: &str) {
    let url = format!("{}{id}?api-version={REDIS_API}", emu.base_url());
    let mut body: J = http().get(&url).send().await.unwrap().json().await.unwrap();
    body["properties"]["sku"]["capacity"] = json!(2);
    let r = http().put(&url).json(&body).send().await.unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    // A second write now is refused the way ARM refuses it.
    let again = http().put(&url).json(&body).send().await.unwrap();
    assert_eq!(again.status().as_u16(), 409);
    let err: J = again.json().await.unwrap();
    assert_eq!(err["error"]["code"], "AnotherOperationInProgress", "{err}");
}

async fn made(p: &AzureProvider) -> infra_provider_core::ObjectState {
    group(p, "rg-busy").await;
    create(p, "azure.redis_cache", &cache(0)).await
}

#[tokio::test]
async fn an_update_waits_for_the_running_operation_and_says_so() {
    let emu = slow_redis().await;
    let p = provider(&emu, Duration::from_secs(30));
    let st = made(&p).await;
    start_foreign_update(&emu, &st.id).await;
    let planned = plan(&p, "azure.redis_cache", &cache(1), Some(&st));
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = seen.clone();
    let updated = notice::scope(
        Arc::new(move |m: &notice::Notice| sink.lock().unwrap().push(m.message.clone())),
        p.update(
            UpdateRequest {
                type_name: "azure.redis_cache",
                prior: &st,
                inputs: &planned.inputs,
            },
            &ctx("t"),
        ),
    )
    .await
    .expect("the update waits instead of failing");
    assert_eq!(updated.inputs["capacity"], Value::Int(1));
    let seen = seen.lock().unwrap();
    assert!(
        seen.iter()
            .any(|m| m.contains("waiting for another operation")
                && m.contains("AnotherOperationInProgress")),
        "no progress notice: {seen:?}"
    );
}

#[tokio::test]
async fn the_wait_is_bounded() {
    let emu = slow_redis().await;
    let p = provider(&emu, Duration::from_millis(100));
    let st = made(&p).await;
    start_foreign_update(&emu, &st.id).await;
    let planned = plan(&p, "azure.redis_cache", &cache(1), Some(&st));
    let err = p
        .update(
            UpdateRequest {
                type_name: "azure.redis_cache",
                prior: &st,
                inputs: &planned.inputs,
            },
            &ctx("t"),
        )
        .await
        .expect_err("still busy after the bound");
    let text = err.to_string();
    assert!(
        text.contains("AnotherOperationInProgress") && text.contains("INFRA_AZURE_CONFLICT_WAIT"),
        "{text}"
    );
}

#[tokio::test]
async fn a_create_finding_its_own_object_still_provisioning_waits_for_it() {
    let emu = slow_redis().await;
    let p = provider(&emu, Duration::from_secs(30));
    group(&p, "rg-busy").await;
    let planned = plan(&p, "azure.redis_cache", &cache(0), None);
    let req = || CreateRequest {
        type_name: "azure.redis_cache",
        inputs: &planned.inputs,
        idempotency_key: "run-1",
    };
    // The first run is cut off right after ARM accepted the PUT.
    let (cut, token) = infra_provider_core::Cancel::new();
    let first_ctx = infra_provider_core::OpContext {
        cancel: token,
        address: "cache".into(),
    };
    let first = p.create(req(), &first_ctx);
    tokio::pin!(first);
    tokio::select! {
        _ = &mut first => panic!("the create finished before the cut"),
        _ = tokio::time::sleep(Duration::from_millis(150)) => cut.cancel(),
    }
    let _ = first.await;
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = seen.clone();
    let st = notice::scope(
        Arc::new(move |m: &notice::Notice| sink.lock().unwrap().push(m.message.clone())),
        p.create(req(), &ctx("cache")),
    )
    .await
    .expect("the re-run converges");
    assert_eq!(st.inputs["capacity"], Value::Int(0));
    let seen = seen.lock().unwrap();
    assert!(
        seen.iter().any(|m| m.contains("to finish provisioning")),
        "{seen:?}"
    );
}
