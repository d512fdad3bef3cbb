//! Faults from the cloud: throttling and server errors are retried without duplicates; an
//! operation ending Failed surfaces the cloud's code and message.

mod common;

use std::sync::Arc;

use common::*;
use infra_emulator::{Fault, FaultConfig, FaultRule};
use infra_provider_core::{CreateRequest, Provider, ProviderError, Value};

#[tokio::test]
async fn creates_survive_429s_and_500s_without_duplicates() {
    let (emu, p) = start().await;
    group(&p, "rg-faults").await;
    emu.set_faults(FaultConfig {
        throttle_probability: 0.10,
        internal_error_probability: 0.05,
        throttle_retry_after_secs: 1,
        ..FaultConfig::default()
    });
    let p = Arc::new(p);
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..40 {
        let p = p.clone();
        tasks.spawn(async move {
            let (t, desired) = if n % 4 == 0 {
                (
                    "azure.redis_cache",
                    props(&[
                        ("name", s(&format!("cache{n}"))),
                        ("resource_group", s("rg-faults")),
                        ("sku", s("Basic")),
                        ("capacity", Value::Int(0)),
                    ]),
                )
            } else {
                ("azure.resource_group", rg(&format!("rg-batch-{n}")))
            };
            let planned = plan(&p, t, &desired, None);
            let req = CreateRequest {
                type_name: t,
                inputs: &planned.inputs,
                idempotency_key: "k",
            };
            p.create(req, &ctx("t")).await.map(|o| o.id)
        });
    }
    let mut ids = Vec::new();
    while let Some(r) = tasks.join_next().await {
        ids.push(r.expect("task").expect("create succeeds despite faults"));
    }
    emu.set_faults(FaultConfig::default());
    let stats = emu.stats();
    assert!(stats.faults_injected > 0, "faults were injected: {stats:?}");
    let lower: std::collections::BTreeSet<String> =
        ids.iter().map(|i| i.to_ascii_lowercase()).collect();
    assert_eq!(lower.len(), 40, "every create made exactly one object");
    // The cloud holds exactly what we made: 30 new groups (+ the host group), 10 caches.
    let list = |path: String| {
        let client = http();
        async move {
            client
                .get(path)
                .send()
                .await
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap()
        }
    };
    let groups = list(format!(
        "{}/subscriptions/{SUB}/resourcegroups?api-version=2025-04-01",
        emu.base_url()
    ))
    .await;
    assert_eq!(
        groups["value"].as_array().map(Vec::len),
        Some(31),
        "no duplicate groups"
    );
    let caches = list(format!("{}/subscriptions/{SUB}/resourceGroups/rg-faults/providers/Microsoft.Cache/redis?api-version=2024-11-01", emu.base_url())).await;
    assert_eq!(
        caches["value"].as_array().map(Vec::len),
        Some(10),
        "no duplicate caches"
    );
    eprintln!(
        "faults injected: {}, client retries: {}",
        stats.faults_injected,
        p.client().stats().retries
    );
}

#[tokio::test]
async fn failed_operation_reports_the_cloud_code_and_message() {
    let (emu, p) = start().await;
    group(&p, "rg-lro").await;
    emu.set_faults(FaultConfig {
        rules: vec![FaultRule {
            method: Some("PUT".into()),
            path_contains: "redis/doomed".into(),
            count: 1,
            fault: Fault::LroFailed {
                code: "QuotaExceeded".into(),
                message: "Not enough Redis quota in West Europe.".into(),
            },
        }],
        ..FaultConfig::default()
    });
    let desired = props(&[
        ("name", s("doomed")),
        ("resource_group", s("rg-lro")),
        ("sku", s("basic")),
        ("capacity", Value::Int(0)),
    ]);
    let planned = plan(&p, "azure.redis_cache", &desired, None);
    let req = CreateRequest {
        type_name: "azure.redis_cache",
        inputs: &planned.inputs,
        idempotency_key: "k",
    };
    match p.create(req, &ctx("t")).await {
        Err(ProviderError::Cloud {
            code,
            message,
            retryable,
        }) => {
            assert_eq!(code, "QuotaExceeded");
            assert_eq!(message, "Not enough Redis quota in West Europe.");
            assert!(!retryable);
        }
        other => panic!("expected the cloud's error, got {other:?}"),
    }
}

#[tokio::test]
async fn plain_http_is_refused_off_loopback() {
    let mut cfg = infra_provider_azure::AzureConfig::new(SUB);
    cfg.client.endpoint = Some("http://example.com".into());
    let err = infra_provider_azure::AzureProvider::new(cfg)
        .err()
        .expect("refused");
    assert!(err.to_string().contains("loopback"), "{err}");
}
