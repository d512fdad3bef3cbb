//! Shared test setup: an emulator started in-process and a provider pointed at it over HTTP.

#![allow(dead_code)]

use std::time::Duration;

use infra_emulator::{Config, Emulator};
use infra_provider_azure::{AzureConfig, AzureProvider, ClientOptions, RetryPolicy};
use infra_provider_core::{
    Cancel, ObjectState, OpContext, PlanRequest, PlannedObject, Props, Provider, Value,
};

pub const SUB: &str = "00000000-0000-0000-0000-000000000000";
pub const TENANT: &str = "11111111-1111-1111-1111-111111111111";

/// A plain HTTP client for poking the emulator directly, as a portal or another tool would.
pub fn http() -> reqwest::Client {
    infra_provider_azure::arm::install_crypto_provider();
    reqwest::Client::new()
}

pub fn fast_emulator() -> Config {
    Config {
        retry_after: Some(Duration::ZERO),
        ..Config::default()
    }
}

/// Client options for local tests: ARM's shapes, waits shrunk.
pub fn fast_client(base: &str) -> ClientOptions {
    ClientOptions {
        endpoint: Some(base.to_string()),
        retry: RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(200),
            max_retry_after: Duration::from_millis(50),
        },
        default_poll_interval: Duration::from_millis(20),
        max_poll_interval: Duration::from_millis(50),
        ..ClientOptions::default()
    }
}

pub fn provider_for(emu: &Emulator) -> AzureProvider {
    let mut cfg = AzureConfig::new(SUB);
    cfg.tenant_id = Some(TENANT.into());
    cfg.client = fast_client(&emu.base_url());
    AzureProvider::new(cfg).expect("provider builds")
}

pub async fn start() -> (Emulator, AzureProvider) {
    let emu = infra_emulator::start(fast_emulator())
        .await
        .expect("emulator starts");
    let p = provider_for(&emu);
    (emu, p)
}

pub fn ctx(address: &str) -> OpContext {
    OpContext {
        cancel: Cancel::never(),
        address: address.into(),
    }
}

pub fn props(pairs: &[(&str, Value)]) -> Props {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

pub fn s(v: &str) -> Value {
    Value::str(v)
}

pub fn plan(
    p: &AzureProvider,
    t: &str,
    desired: &Props,
    prior: Option<&ObjectState>,
) -> PlannedObject {
    p.plan(PlanRequest {
        type_name: t,
        address: "test",
        desired,
        prior,
    })
    .expect("plan")
}

/// Create through plan, as the engine does.
pub async fn create(p: &AzureProvider, t: &str, desired: &Props) -> ObjectState {
    let planned = plan(p, t, desired, None);
    let req = infra_provider_core::CreateRequest {
        type_name: t,
        inputs: &planned.inputs,
        idempotency_key: "k",
    };
    p.create(req, &ctx("test"))
        .await
        .unwrap_or_else(|e| panic!("create {t}: {e}"))
}

/// Names that differ between test runs in one emulator (vault names are global).
pub fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    format!("{prefix}{}", N.fetch_add(1, Ordering::Relaxed))
}

/// The changed inputs between planned and prior, ignoring secrets.
pub fn changed(planned: &PlannedObject, prior: &ObjectState) -> Vec<String> {
    let mut keys: std::collections::BTreeSet<&String> = planned.inputs.keys().collect();
    keys.extend(prior.inputs.keys());
    keys.into_iter()
        .filter(|k| !planned.inputs.get(k).is_some_and(Value::contains_secret))
        .filter(|k| planned.inputs.get(k) != prior.inputs.get(k))
        .cloned()
        .collect()
}

pub fn rg(name: &str) -> Props {
    props(&[("name", s(name)), ("location", s("West Europe"))])
}

pub async fn group(p: &AzureProvider, name: &str) -> ObjectState {
    create(p, "azure.resource_group", &rg(name)).await
}
