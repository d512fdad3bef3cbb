//! Points where the emulator must answer as ARM does (held-out audit against the specs):
//! DNS zone names per resource group, operation URLs on the Host the client used, the
//! PostgreSQL restart as a long-running operation, normalised Key Vault IP rules, the
//! subscription's tenant, and ARM's 409 while an operation runs.

mod common;

use std::time::Duration;

use common::*;
use infra_emulator::Latency;
use serde_json::json;

#[tokio::test]
async fn the_same_zone_name_lives_in_two_resource_groups() {
    let env = start(fast()).await;
    env.rg("s1", "rg").await;
    env.rg("s1", "rg2").await;
    let a = env
        .put(
            &url("Microsoft.Network/dnsZones/contoso.com", "2018-05-01"),
            json!({"location": "global"}),
        )
        .await;
    assert_eq!(a.status, 201, "{}", a.text);
    let b = env
        .put(
            "/subscriptions/s1/resourceGroups/rg2/providers/Microsoft.Network/dnsZones/contoso.com?api-version=2018-05-01",
            json!({"location": "global"}),
        )
        .await;
    assert_eq!(b.status, 201, "{}", b.text);
    assert_ne!(a.json()["id"], b.json()["id"]);
}

#[tokio::test]
async fn operation_urls_follow_the_host_the_client_used() {
    let env = start(fast()).await;
    env.rg("s1", "rg").await;
    // As through a port-forward or a proxy: the client addressed another host and port.
    let r = env
        .client
        .put(format!(
            "{}{}",
            env.base,
            url("Microsoft.Cache/redis/c1", "2024-11-01")
        ))
        .header("host", "arm.proxy.test:8443")
        .header("x-forwarded-proto", "https")
        .json(&redis_body())
        .send()
        .await
        .expect("answered");
    assert_eq!(r.status().as_u16(), 201);
    for h in ["azure-asyncoperation", "location"] {
        let v = r.headers()[h].to_str().unwrap_or("");
        assert!(v.starts_with("https://arm.proxy.test:8443/"), "{h}: {v}");
    }
    // Without a forwarded Host, the address the client really used.
    let r = env
        .put(&url("Microsoft.Cache/redis/c2", "2024-11-01"), redis_body())
        .await;
    let aao = r.header("azure-asyncoperation").unwrap_or_default();
    assert!(aao.starts_with(&env.base), "{aao}");
}

#[tokio::test]
async fn postgres_restart_is_a_long_running_operation() {
    let mut cfg = fast();
    cfg.latency = Latency::fixed(Duration::from_millis(200));
    let env = start(cfg).await;
    env.rg("s1", "rg").await;
    let server = url(
        "Microsoft.DBforPostgreSQL/flexibleServers/pg1",
        "2025-08-01",
    );
    let r = env.put(&server, pg_body("admin1")).await;
    env.poll_async(&r.header("azure-asyncoperation").expect("aao"))
        .await;
    let restart = url(
        "Microsoft.DBforPostgreSQL/flexibleServers/pg1/restart",
        "2025-08-01",
    );
    let r = env.send("POST", &restart, None).await;
    assert_eq!(r.status, 202, "{}", r.text);
    assert!(r.header("location").is_some());
    let aao = r.header("azure-asyncoperation").expect("aao");
    assert_eq!(env.get(&aao).await.json()["status"], "InProgress");
    // A write while it restarts is refused as ARM refuses it.
    let busy = env.put(&server, pg_body("admin1")).await;
    assert_eq!(busy.status, 409, "{}", busy.text);
    assert_eq!(busy.json()["error"]["code"], "AnotherOperationInProgress");
    assert!(
        busy.json()["error"]["message"].as_str().is_some_and(
            |m| m.starts_with("Another operation on this or dependent resource is in progress")
        ),
        "{}",
        busy.text
    );
    assert_eq!(env.poll_async(&aao).await["status"], "Succeeded");
    assert_eq!(env.put(&server, pg_body("admin1")).await.status, 202);
}

#[tokio::test]
async fn vault_ip_rules_come_back_as_ranges() {
    let env = start(fast()).await;
    env.rg("s1", "rg").await;
    let r = env
        .put(
            &url("Microsoft.KeyVault/vaults/kvip", "2026-02-01"),
            json!({"location": "westeurope", "properties": {"tenantId": "t",
                "sku": {"family": "A", "name": "standard"},
                "networkAcls": {"defaultAction": "Deny", "bypass": "AzureServices",
                    "ipRules": [{"value": "1.2.3.4"}, {"value": "10.0.0.0/24"}]}}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let got = env
        .get(&url("Microsoft.KeyVault/vaults/kvip", "2026-02-01"))
        .await
        .json();
    assert_eq!(
        got["properties"]["networkAcls"]["ipRules"],
        json!([{"value": "1.2.3.4/32"}, {"value": "10.0.0.0/24"}])
    );
}

#[tokio::test]
async fn the_subscription_says_its_tenant() {
    let env = start(fast()).await;
    let r = env.get("/subscriptions/s1?api-version=2022-12-01").await;
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(v["subscriptionId"], "s1");
    assert!(v["tenantId"].as_str().is_some_and(|t| t.len() == 36), "{v}");
}
