//! ARM-scale refresh figure: 1,000 GETs through the provider against the emulator's
//! throttling model with ARM's read bucket (250 burst, 25/s refill). The lower bound any
//! client can reach without a 429 is (1000 - 250) / 25 = 30 s.
//!
//!     cargo run --release -p infra-provider-azure --example refresh_bench [N]

use std::sync::Arc;
use std::time::{Duration, Instant};

use infra_emulator::{Config, ThrottleModel};
use infra_provider_azure::{AzureConfig, AzureProvider};
use infra_provider_core::{Cancel, CreateRequest, OpContext, PlanRequest, Props, Provider, Value};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1000);
    let emu = infra_emulator::start(Config {
        throttle: Some(ThrottleModel::arm()),
        retry_after: Some(Duration::ZERO),
        ..Config::default()
    })
    .await?;
    let mut cfg = AzureConfig::new("00000000-0000-0000-0000-000000000000");
    cfg.client.endpoint = Some(emu.base_url());
    let p = Arc::new(AzureProvider::new(cfg)?);
    let ctx = OpContext {
        cancel: Cancel::never(),
        address: "bench".into(),
    };
    let desired: Props = [
        ("name".to_string(), Value::str("rg-bench")),
        ("location".to_string(), Value::str("westeurope")),
    ]
    .into();
    let planned = p.plan(PlanRequest {
        type_name: "azure.resource_group",
        address: "b",
        desired: &desired,
        prior: None,
    })?;
    let g = p
        .create(
            CreateRequest {
                type_name: "azure.resource_group",
                inputs: &planned.inputs,
                idempotency_key: "b",
            },
            &ctx,
        )
        .await?;

    let started = Instant::now();
    let gate = Arc::new(tokio::sync::Semaphore::new(p.concurrency().max_in_flight));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..n {
        let (p, g, gate, ctx) = (p.clone(), g.clone(), gate.clone(), ctx.clone());
        tasks.spawn(async move {
            let _slot = gate.acquire().await;
            p.read("azure.resource_group", &g, &ctx)
                .await
                .map(|o| o.is_some())
        });
    }
    let mut ok = 0;
    while let Some(r) = tasks.join_next().await {
        if matches!(r, Ok(Ok(true))) {
            ok += 1;
        }
    }
    let wall = started.elapsed().as_secs_f64();
    let bound = (n as f64 - 250.0).max(0.0) / 25.0;
    let stats = emu.stats();
    let client = p.client().stats();
    println!(
        "refresh_bench: {n} GETs ({ok} ok), {} requests, {} client retries, {} 429s from the bucket model, wall {wall:.2} s, bucket lower bound {bound:.2} s, ratio {:.3}",
        client.requests,
        client.retries,
        stats.throttled,
        if bound > 0.0 { wall / bound } else { 0.0 }
    );
    emu.shutdown().await;
    Ok(())
}
