//! Refresh under ARM's throttling model: 1,000 GETs, zero 429s. The buckets are ARM's shape
//! with time running ten times faster (250 burst, 250/s refill) so the test takes seconds;
//! `cargo run --release --example refresh_bench` runs the ARM-scale figure (250, 25/s).

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use infra_emulator::{Bucket, Config, ThrottleModel};
use infra_provider_azure::{AzureConfig, AzureProvider, BucketSpec, BudgetConfig};
use infra_provider_core::Provider;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousand_reads_get_no_429() {
    let bucket = |c: f64, r: f64| Bucket {
        capacity: c,
        refill_per_sec: r,
    };
    let model = ThrottleModel {
        reads: bucket(250.0, 250.0),
        writes: bucket(200.0, 100.0),
        deletes: bucket(200.0, 100.0),
    };
    let emu = infra_emulator::start(Config {
        throttle: Some(model),
        ..fast_emulator()
    })
    .await
    .unwrap();
    let mut cfg = AzureConfig::new(SUB);
    cfg.client = fast_client(&emu.base_url());
    let spec = |b: Bucket| BucketSpec {
        capacity: b.capacity,
        refill_per_sec: b.refill_per_sec,
    };
    cfg.client.budget = BudgetConfig {
        reads: spec(model.reads),
        writes: spec(model.writes),
        deletes: spec(model.deletes),
        ..BudgetConfig::arm()
    };
    let p = Arc::new(AzureProvider::new(cfg).unwrap());
    let g = group(&p, "rg-refresh").await;

    let n = 1000;
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    let gate = Arc::new(tokio::sync::Semaphore::new(64));
    for _ in 0..n {
        let (p, g, gate) = (p.clone(), g.clone(), gate.clone());
        tasks.spawn(async move {
            let _slot = gate.acquire().await;
            p.read("azure.resource_group", &g, &ctx("r")).await
        });
    }
    while let Some(r) = tasks.join_next().await {
        assert!(r.unwrap().unwrap().is_some());
    }
    let wall = started.elapsed();
    let bound = Duration::from_secs_f64((n as f64 - 250.0) / 250.0);
    let stats = emu.stats();
    let client = p.client().stats();
    eprintln!(
        "refresh: {n} GETs, {} requests sent, {} throttled by the emulator, wall {:.2?} vs bucket bound {:.2?} ({:.2}x)",
        client.requests,
        stats.throttled,
        wall,
        bound,
        wall.as_secs_f64() / bound.as_secs_f64()
    );
    assert_eq!(stats.throttled, 0, "no 429 from the bucket model");
    assert_eq!(client.throttled, 0);
    assert!(
        wall < bound * 2,
        "the budget should not be much slower than the bucket allows: {wall:?}"
    );
}
