//! Round trips, errors, LRO outcomes, throttling, fault injection and persistence.

mod common;

use std::time::Duration;

use common::*;
use infra_emulator::{Bucket, Config, Fault, FaultConfig, FaultRule, Latency, ThrottleModel};
use serde_json::{Value, json};

#[tokio::test]
async fn request_errors_use_arm_shapes() {
    let env = start(fast()).await;
    let r = env.get(RG).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"]["code"], "MissingApiVersionParameter");
    let r = env
        .put(&url("Microsoft.Cache/redis/c", "2024-11-01"), redis_body())
        .await;
    assert_eq!(
        (r.status, r.json()["error"]["code"].clone()),
        (404, json!("ResourceGroupNotFound"))
    );
    env.rg("s1", "rg").await;
    let r = env
        .client
        .put(format!(
            "{}{}",
            env.base,
            url("Microsoft.Cache/redis/c", "2024-11-01")
        ))
        .body("{not json")
        .send()
        .await
        .expect("answered");
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["error"]["code"], "InvalidRequestContent");
    let r = env
        .put(
            &url(
                "Microsoft.DBforPostgreSQL/flexibleServers/nope/databases/d",
                "2025-08-01",
            ),
            json!({}),
        )
        .await;
    assert_eq!(
        (r.status, r.json()["error"]["code"].clone()),
        (404, json!("ParentResourceNotFound"))
    );
    let r = env
        .get(&url("Microsoft.Cache/redis/missing", "2024-11-01"))
        .await;
    assert_eq!(
        (r.status, r.json()["error"]["code"].clone()),
        (404, json!("ResourceNotFound"))
    );
    assert_eq!(r.header("x-ms-failure-cause").as_deref(), Some("gateway"));
    let r = env
        .put(
            &url("Microsoft.Cache/redis/c", "2024-11-01"),
            json!({"location": "mars", "properties": {}}),
        )
        .await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn create_only_changes_are_rejected() {
    let env = start(fast()).await;
    env.rg("s1", "rg").await;
    let r = env
        .put(
            &format!("{RG}?api-version=2025-04-01"),
            json!({"location": "eastus"}),
        )
        .await;
    assert_eq!(
        (r.status, r.json()["error"]["code"].clone()),
        (409, json!("InvalidResourceGroupLocation"))
    );
    let pg = url(
        "Microsoft.DBforPostgreSQL/flexibleServers/pg1",
        "2025-08-01",
    );
    assert_eq!(env.put(&pg, pg_body("admin1")).await.status, 202);
    env.get(&pg).await; // settles the (zero-latency) operation
    let r = env.put(&pg, pg_body("admin2")).await;
    assert_eq!(r.status, 400, "{}", r.text);
    let mut moved = pg_body("admin1");
    moved["location"] = json!("northeurope");
    assert_eq!(
        env.put(&pg, moved).await.json()["error"]["code"],
        "InvalidResourceLocation"
    );
}

#[tokio::test]
async fn redis_round_trip_any_case_path_and_delete() {
    let env = start(fast()).await;
    env.rg("s1", "rg").await;
    let lower = "/subscriptions/s1/resourcegroups/RG/providers/microsoft.cache/REDIS/Cache1?api-version=2024-11-01";
    let r = env.put(lower, json!({"location": "West Europe", "tags": {"a": "b"}, "properties": {"sku": {"name": "Standard", "family": "c", "capacity": 1}}})).await;
    assert_eq!(r.status, 201);
    let aao = r.header("azure-asyncoperation").expect("async url");
    assert_eq!(r.header("retry-after").as_deref(), Some("0"));
    assert_eq!(env.poll_async(&aao).await["status"], "Succeeded");
    let got = env
        .get(&url("Microsoft.Cache/Redis/cache1", "2024-11-01"))
        .await
        .json();
    assert_eq!(
        got["id"],
        "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Cache/Redis/Cache1"
    );
    assert_eq!(got["type"], "Microsoft.Cache/Redis");
    assert_eq!(got["location"], "West Europe");
    assert_eq!(got["tags"], json!({"a": "b"}));
    assert_eq!(
        got["properties"]["sku"],
        json!({"name": "Standard", "family": "C", "capacity": 1})
    );
    assert_eq!(
        got["properties"]["hostName"],
        "Cache1.redis.cache.windows.net"
    );
    assert_eq!(got["properties"]["provisioningState"], "Succeeded");
    assert!(got["properties"]["accessKeys"].is_null());
    let keys = env
        .send(
            "POST",
            &url("Microsoft.Cache/redis/cache1/listKeys", "2024-11-01"),
            None,
        )
        .await
        .json();
    assert!(keys["primaryKey"].is_string());
    let list = env
        .get(&url("Microsoft.Cache/redis", "2024-11-01"))
        .await
        .json();
    assert_eq!(list["value"].as_array().map(Vec::len), Some(1));
    let r = env
        .send(
            "DELETE",
            &url("Microsoft.Cache/redis/cache1", "2024-11-01"),
            None,
        )
        .await;
    assert_eq!(r.status, 202);
    let loc = r.header("location").expect("location");
    assert_eq!(env.get(&loc).await.status, 200);
    assert_eq!(
        env.get(&url("Microsoft.Cache/redis/cache1", "2024-11-01"))
            .await
            .status,
        404
    );
    assert_eq!(
        env.send(
            "DELETE",
            &url("Microsoft.Cache/redis/cache1", "2024-11-01"),
            None
        )
        .await
        .status,
        204
    );
}

#[tokio::test]
async fn lro_runs_for_the_configured_latency_and_can_fail() {
    let mut cfg = fast();
    cfg.latency.per_type.insert(
        "microsoft.dbforpostgresql/flexibleservers".into(),
        Duration::from_millis(300),
    );
    cfg.faults.rules.push(FaultRule {
        method: Some("PUT".into()),
        path_contains: "flexibleServers/bad".into(),
        count: 1,
        fault: Fault::LroFailed {
            code: "InternalServerError".into(),
            message: "boom".into(),
        },
    });
    let env = start(cfg).await;
    env.rg("s1", "rg").await;
    let good = url(
        "Microsoft.DBforPostgreSQL/flexibleServers/good",
        "2025-08-01",
    );
    let r = env.put(&good, pg_body("a")).await;
    let aao = r.header("azure-asyncoperation").expect("aao");
    assert_eq!(env.get(&aao).await.json()["status"], "InProgress");
    assert_eq!(
        env.get(&good).await.json()["properties"]["state"],
        "Provisioning"
    );
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert_eq!(env.get(&aao).await.json()["status"], "Succeeded");
    let server = env.get(&good).await;
    assert_eq!(server.json()["properties"]["state"], "Ready");
    assert!(
        !server.text.contains("canary-Secret-1"),
        "password never echoed"
    );
    let bad = url(
        "Microsoft.DBforPostgreSQL/flexibleServers/bad",
        "2025-08-01",
    );
    let r = env.put(&bad, pg_body("a")).await;
    tokio::time::sleep(Duration::from_millis(350)).await;
    let status = env
        .get(&r.header("azure-asyncoperation").expect("aao"))
        .await
        .json();
    assert_eq!(status["status"], "Failed");
    assert_eq!(
        status["error"],
        json!({"code": "InternalServerError", "message": "boom"})
    );
    assert_eq!(
        env.get(&bad).await.status,
        404,
        "a failed create leaves no server"
    );
    assert_eq!(env.emu.stats().faults_injected, 1);
}

#[tokio::test]
async fn throttling_sends_429_with_retry_after_and_counts() {
    let mut cfg = fast();
    cfg.throttle = Some(ThrottleModel {
        reads: Bucket {
            capacity: 5.0,
            refill_per_sec: 1.0,
        },
        ..ThrottleModel::arm()
    });
    let env = start(cfg).await;
    let mut codes = Vec::new();
    let mut remaining = Vec::new();
    for _ in 0..8 {
        let r = env
            .get("/subscriptions/s1/resourcegroups?api-version=2025-04-01")
            .await;
        remaining.push(r.header("x-ms-ratelimit-remaining-subscription-reads"));
        if r.status == 429 {
            assert!(
                r.header("retry-after")
                    .is_some_and(|s| s.parse::<u64>().is_ok())
            );
            assert_eq!(r.json()["error"]["code"], "TooManyRequests");
        }
        codes.push(r.status);
    }
    assert_eq!(codes.iter().filter(|c| **c == 429).count(), 3, "{codes:?}");
    assert_eq!(remaining[0].as_deref(), Some("4"));
    assert_eq!(env.emu.stats().throttled, 3);
    // Writes have their own bucket.
    assert_eq!(
        env.put(
            &format!("{RG}?api-version=2025-04-01"),
            json!({"location": "westus"})
        )
        .await
        .status,
        201
    );
}

#[tokio::test]
async fn fault_rules_and_probabilities() {
    let env = start(fast()).await;
    env.rg("s1", "rg").await;
    let pg = url("Microsoft.DBforPostgreSQL/flexibleServers/x", "2025-08-01");
    let faults = json!({"rules": [{"method": "PUT", "path_contains": "/flexibleServers/x", "count": 2, "fault": {"kind": "InternalServerError"}}]});
    assert_eq!(
        env.send("POST", "/_admin/faults", Some(&faults))
            .await
            .status,
        204
    );
    assert_eq!(env.put(&pg, pg_body("a")).await.status, 500);
    assert_eq!(env.put(&pg, pg_body("a")).await.status, 500);
    assert_eq!(env.put(&pg, pg_body("a")).await.status, 202);
    env.emu.set_faults(FaultConfig {
        server_busy_probability: 1.0,
        ..FaultConfig::default()
    });
    let r = env.put(&pg, pg_body("a")).await;
    assert_eq!(
        (r.status, r.json()["error"]["code"].clone()),
        (409, json!("ServerIsBusy"))
    );
    assert_eq!(env.get(&pg).await.status, 200, "reads are not busy");
    env.emu.set_faults(FaultConfig {
        throttle_probability: 1.0,
        throttle_retry_after_secs: 7,
        ..FaultConfig::default()
    });
    let r = env.get(&pg).await;
    assert_eq!(
        (r.status, r.header("retry-after")),
        (429, Some("7".to_string()))
    );
    env.emu.set_faults(FaultConfig {
        unavailable_probability: 1.0,
        ..FaultConfig::default()
    });
    assert_eq!(env.get(&pg).await.status, 503);
    env.emu.set_faults(FaultConfig {
        drop_probability: 1.0,
        ..FaultConfig::default()
    });
    let dropped = env.client.get(format!("{}{pg}", env.base)).send().await;
    assert!(dropped.is_err(), "connection closed without a response");
    env.emu.set_faults(FaultConfig::default());
    assert_eq!(env.get(&pg).await.status, 200);
    let stats = env.get("/_admin/stats").await.json();
    assert_eq!(stats["dropped_connections"], 1);
    assert!(
        stats["requests_by_method"]["PUT"]
            .as_u64()
            .is_some_and(|n| n >= 5)
    );
}

#[tokio::test]
async fn state_survives_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = Config {
        data_dir: Some(dir.path().to_path_buf()),
        ..fast()
    };
    let env = start(cfg.clone()).await;
    env.rg("s1", "rg").await;
    let vault = url("Microsoft.KeyVault/vaults/kv1", "2026-02-01");
    env.put(&vault, json!({"location": "westeurope", "properties": {"tenantId": "t", "sku": {"family": "A", "name": "standard"}}})).await;
    assert_eq!(
        env.put(
            "/kv/kv1/secrets/db-password?api-version=2025-07-01",
            json!({"value": "v1"})
        )
        .await
        .status,
        200
    );
    env.emu.shutdown().await;
    let env = start(cfg).await;
    assert_eq!(env.get(&vault).await.status, 200);
    let r = env
        .get("/kv/kv1/secrets/db-password?api-version=2025-07-01")
        .await;
    assert_eq!(r.json()["value"], "v1");
    assert!(dir.path().join("emulator-state.json").exists());
}

#[tokio::test]
async fn admin_drift_and_reset() {
    let env = start(Config {
        latency: Latency::default(),
        ..fast()
    })
    .await;
    env.rg("s1", "rg").await;
    let kv = url("Microsoft.KeyVault/vaults/kv5", "2026-02-01");
    env.put(&kv, json!({"location": "westeurope", "properties": {"tenantId": "t", "sku": {"family": "A", "name": "standard"}}})).await;
    let id = env.get(&kv).await.json()["id"]
        .as_str()
        .unwrap_or("")
        .to_string();
    let r = env
        .send(
            "PATCH",
            &format!("/_admin/resource?id={id}"),
            Some(&json!({"tags": {"drift": "yes"}, "properties": {"enabledForDeployment": true}})),
        )
        .await;
    assert_eq!(r.status, 200);
    let v = env.get(&kv).await.json();
    assert_eq!(
        (
            v["tags"]["drift"].clone(),
            v["properties"]["enabledForDeployment"].clone()
        ),
        (json!("yes"), json!(true))
    );
    assert_eq!(env.send("POST", "/_admin/reset", None).await.status, 204);
    assert_eq!(env.get(&kv).await.status, 404);
}

#[tokio::test]
async fn requests_are_recorded_only_when_asked() {
    let quiet = start(fast()).await;
    quiet.rg("s1", "rg").await;
    assert!(quiet.emu.requests().is_empty(), "off by default");

    let env = start(Config {
        record_requests: true,
        ..fast()
    })
    .await;
    env.rg("s1", "rg").await;
    let put = env
        .put(&url("Microsoft.Cache/redis/c", "2024-11-01"), redis_body())
        .await;
    assert_eq!(put.status, 201);
    let log = env.get("/_admin/requests").await.json();
    let last = log
        .as_array()
        .and_then(|l| l.last())
        .expect("recorded requests");
    assert_eq!(last["method"], "PUT");
    assert!(
        last["path"]
            .as_str()
            .is_some_and(|p| p.ends_with("/redis/c"))
    );
    assert_eq!(last["body"], redis_body());
    assert_eq!(
        env.emu.requests().last().and_then(|r| r.api_version()),
        Some("2024-11-01".to_string())
    );
    env.emu.clear_requests();
    assert!(env.emu.requests().is_empty());
}
