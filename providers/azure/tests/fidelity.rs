//! The provider against the emulator where ARM's own rules decide the outcome: the tenant of
//! a vault nobody named comes from the subscription (as Bicep's `subscription().tenantId`),
//! normalised vault IP rules are no false change, and operations are followed through a
//! port-forward.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};

use common::*;
use infra_provider_azure::{AzureConfig, AzureProvider};
use infra_provider_core::{Provider, Value};
use serde_json::json;

#[tokio::test]
async fn a_vault_takes_the_subscriptions_tenant_when_none_is_configured() {
    let (emu, _) = start().await;
    let mut cfg = AzureConfig::new(SUB);
    cfg.tenant_id = None;
    cfg.client = fast_client(&emu.base_url());
    let p = AzureProvider::new(cfg).expect("provider");
    group(&p, "rg-tenant").await;
    let sub: serde_json::Value = http()
        .get(format!(
            "{}/subscriptions/{SUB}?api-version=2022-12-01",
            emu.base_url()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let tenant = sub["tenantId"]
        .as_str()
        .expect("the subscription says its tenant");
    let made = create(
        &p,
        "azure.key_vault",
        &props(&[
            ("name", s(&unique("kvtenant"))),
            ("resource_group", s("rg-tenant")),
        ]),
    )
    .await;
    assert_eq!(made.inputs["tenant_id"], s(tenant));
}

#[tokio::test]
async fn vault_ip_rules_read_back_as_ranges_are_no_change() {
    let (_emu, p) = start().await;
    group(&p, "rg-ip").await;
    let desired = props(&[
        ("type", s("Microsoft.KeyVault/vaults")),
        ("api_version", s("2026-02-01")),
        ("name", s(&unique("kvip"))),
        ("resource_group", s("rg-ip")),
        ("location", s("westeurope")),
        (
            "body",
            Value::from_json(&json!({"properties": {"tenantId": TENANT,
                "sku": {"family": "A", "name": "standard"},
                "networkAcls": {"defaultAction": "Deny", "bypass": "AzureServices",
                    "ipRules": [{"value": "1.2.3.4"}]}}})),
        ),
    ]);
    let made = create(&p, "azure.resource", &desired).await;
    let live = p
        .read("azure.resource", &made, &ctx("t"))
        .await
        .unwrap()
        .expect("there");
    let out = live.outputs["output"].to_redacted_json();
    assert_eq!(
        out.pointer("/properties/networkAcls/ipRules/0/value"),
        Some(&json!("1.2.3.4/32")),
        "the RP stores the range: {out}"
    );
    let planned = plan(&p, "azure.resource", &desired, Some(&live));
    assert_eq!(changed(&planned, &live), Vec::<String>::new());
}

/// Forwards every connection on a new loopback port to `to`, as `kubectl port-forward` or
/// an SSH tunnel does; returns the new port.
fn port_forward(to: std::net::SocketAddr) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let Ok(server) = TcpStream::connect(to) else {
                continue;
            };
            let pipe = |mut from: TcpStream, mut into: TcpStream| {
                std::thread::spawn(move || {
                    let mut buf = [0u8; 16384];
                    while let Ok(n) = from.read(&mut buf) {
                        if n == 0 || into.write_all(&buf[..n]).is_err() {
                            break;
                        }
                    }
                    let _ = into.shutdown(std::net::Shutdown::Write);
                });
            };
            if let (Ok(c2), Ok(s2)) = (client.try_clone(), server.try_clone()) {
                pipe(client, s2);
                pipe(server, c2);
            }
        }
    });
    port
}

#[tokio::test]
async fn long_running_operations_are_followed_through_a_port_forward() {
    let (emu, _) = start().await;
    let port = port_forward(emu.addr());
    let mut cfg = AzureConfig::new(SUB);
    cfg.tenant_id = Some(TENANT.into());
    cfg.client = fast_client(&format!("http://127.0.0.1:{port}"));
    let p = AzureProvider::new(cfg).expect("provider");
    group(&p, "rg-fwd").await;
    // Redis answers with Azure-AsyncOperation: the client only follows it to the host it
    // called, so this works only if the emulator builds it from the request's Host.
    let made = create(
        &p,
        "azure.redis_cache",
        &props(&[
            ("name", s("fwd")),
            ("resource_group", s("rg-fwd")),
            ("sku", s("Basic")),
            ("capacity", Value::Int(0)),
        ]),
    )
    .await;
    assert!(made.id.ends_with("/fwd"), "{}", made.id);
}
