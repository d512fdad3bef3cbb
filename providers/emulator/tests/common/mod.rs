//! Shared test helpers: start an emulator, send requests, compare JSON shapes.

#![allow(dead_code)]

use std::time::Duration;

use infra_emulator::{Config, Emulator};
use reqwest::Method;
use serde_json::{Value, json};

pub const SUB: &str = "00000000-0000-0000-0000-000000000000";

pub struct Resp {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }
}

pub struct Env {
    pub emu: Emulator,
    pub base: String,
    pub client: reqwest::Client,
}

/// Fast local settings: no latency, Retry-After 0.
pub fn fast() -> Config {
    Config {
        retry_after: Some(Duration::ZERO),
        ..Config::default()
    }
}

/// Headers exactly as recorded.
pub fn recorded() -> Config {
    Config {
        retry_after: None,
        ..Config::default()
    }
}

pub async fn start(config: Config) -> Env {
    let emu = infra_emulator::start(config)
        .await
        .expect("emulator starts");
    let base = emu.base_url();
    Env {
        emu,
        base,
        client: {
            // reqwest is built without a crypto provider of its own (the workspace's is *ring*).
            let _ = rustls::crypto::ring::default_provider().install_default();
            reqwest::Client::new()
        },
    }
}

impl Env {
    pub async fn send(&self, method: &str, path: &str, body: Option<&Value>) -> Resp {
        let url = if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{path}", self.base)
        };
        let method = Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self.client.request(method, url);
        if let Some(b) = body {
            req = req.json(b);
        }
        let r = req.send().await.expect("request is answered");
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let text = r.text().await.unwrap_or_default();
        Resp {
            status,
            headers,
            text,
        }
    }
    pub async fn put(&self, path: &str, body: Value) -> Resp {
        self.send("PUT", path, Some(&body)).await
    }
    pub async fn get(&self, path: &str) -> Resp {
        self.send("GET", path, None).await
    }
    pub async fn rg(&self, sub: &str, rg: &str) {
        let r = self
            .put(
                &format!("/subscriptions/{sub}/resourcegroups/{rg}?api-version=2025-04-01"),
                serde_json::json!({"location": "westeurope"}),
            )
            .await;
        assert!(
            r.status == 201 || r.status == 200,
            "rg create: {} {}",
            r.status,
            r.text
        );
    }
    /// Poll an Azure-AsyncOperation URL until a terminal status.
    pub async fn poll_async(&self, url: &str) -> Value {
        for _ in 0..200 {
            let r = self.get(url).await;
            assert_eq!(r.status, 200, "poll {url}: {}", r.text);
            let v = r.json();
            if v["status"] != "InProgress" {
                return v;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("operation never finished: {url}");
    }
}

/// Paths (`a.b[0].c`) present in `expected` but missing from `actual`, recursively;
/// arrays are compared through their first elements.
pub fn missing_keys(expected: &Value, actual: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk(expected, actual, "", &mut out);
    out
}

fn walk(e: &Value, a: &Value, at: &str, out: &mut Vec<String>) {
    match (e, a) {
        (Value::Object(em), Value::Object(am)) => {
            for (k, ev) in em {
                let p = if at.is_empty() {
                    k.clone()
                } else {
                    format!("{at}.{k}")
                };
                match am.get(k) {
                    Some(av) => walk(ev, av, &p, out),
                    None => out.push(p),
                }
            }
        }
        (Value::Array(ea), Value::Array(aa)) => {
            if let (Some(e0), Some(a0)) = (ea.first(), aa.first()) {
                walk(e0, a0, &format!("{at}[0]"), out);
            }
        }
        _ => {}
    }
}

/// Both directions: same key sets at every level (for recordings, which are round trips).
pub fn same_shape(expected: &Value, actual: &Value) -> (Vec<String>, Vec<String>) {
    (
        missing_keys(expected, actual),
        missing_keys(actual, expected),
    )
}

pub fn load(rel: &str) -> Value {
    let path = format!("{}/tests/vectors/{rel}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Path and query of a recorded absolute URL.
pub fn path_of(uri: &str) -> String {
    let rest = uri.splitn(4, '/').nth(3).unwrap_or("");
    format!("/{rest}")
}

/// A resource group `rg` in subscription `s1`, used by most behaviour tests.
pub const RG: &str = "/subscriptions/s1/resourceGroups/rg";

pub fn url(rest: &str, api: &str) -> String {
    format!("{RG}/providers/{rest}?api-version={api}")
}

pub fn redis_body() -> Value {
    json!({"location": "westeurope", "properties": {"sku": {"name": "Basic", "family": "c", "capacity": 0}}})
}

pub fn pg_body(login: &str) -> Value {
    json!({"location": "westeurope", "sku": {"name": "Standard_B1ms", "tier": "Burstable"},
           "properties": {"administratorLogin": login, "administratorLoginPassword": "canary-Secret-1", "version": "16"}})
}
