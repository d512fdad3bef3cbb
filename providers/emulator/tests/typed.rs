//! Types the emulator does not model by hand are held to Microsoft's type data, over HTTP:
//! unknown namespaces, types and api-versions are refused as ARM refuses them, bodies are
//! validated, children need their parent, and responses echo what Azure would return.

mod common;

use common::*;
use serde_json::{Value, json};

const WEB: &str = "2025-03-01";

fn code(r: &Resp) -> (u16, Value) {
    (r.status, r.json()["error"]["code"].clone())
}

#[tokio::test]
async fn unknown_namespaces_types_and_versions_are_refused_as_arm_refuses_them() {
    let env = start(fast()).await;
    env.rg("s1", "rg").await;
    let r = env
        .put(
            &url("Microsoft.HyperV/virtualMachines/vm1", "2099-01-01"),
            json!({"location": "westeurope"}),
        )
        .await;
    assert_eq!(
        code(&r),
        (400, json!("InvalidResourceNamespace")),
        "{}",
        r.text
    );
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("'Microsoft.HyperV'")
    );

    let r = env
        .put(
            &url("Microsoft.Web/sitez/app1", WEB),
            json!({"location": "westeurope"}),
        )
        .await;
    assert_eq!(code(&r), (404, json!("InvalidResourceType")), "{}", r.text);
    assert_eq!(
        r.json()["error"]["message"],
        "The resource type 'sitez' could not be found in the namespace 'Microsoft.Web' for api version '2025-03-01'."
    );

    let r = env
        .put(
            &url("Microsoft.Web/sites/app1", "2099-01-01"),
            json!({"location": "westeurope"}),
        )
        .await;
    assert_eq!(
        code(&r),
        (400, json!("NoRegisteredProviderFound")),
        "{}",
        r.text
    );
    let message = r.json()["error"]["message"].as_str().unwrap().to_string();
    assert!(
        message.contains("API version '2099-01-01' for type 'sites'"),
        "{message}"
    );
    assert!(
        message.contains("The supported api-versions are '2025-03-01, 2023-12-01"),
        "{message}"
    );
    // Nothing was created by a refused PUT.
    assert_eq!(
        env.get(&url("Microsoft.Web/sites/app1", WEB)).await.status,
        404
    );
}

#[tokio::test]
async fn an_older_version_missing_from_the_snapshot_is_checked_against_the_nearest_one() {
    let env = start(fast()).await;
    env.rg("s1", "rg").await;
    let r = env
        .put(
            &url("Microsoft.Web/serverfarms/plan", "2022-09-01"),
            json!({"location": "westeurope"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = env
        .put(
            &url("Microsoft.Web/serverfarms/plan", "2022-09-01"),
            json!({"location": "westeurope", "sku": {"nam": "S1"}}),
        )
        .await;
    assert_eq!(
        code(&r),
        (400, json!("InvalidRequestContent")),
        "{}",
        r.text
    );
}

#[tokio::test]
async fn bodies_are_validated_and_refused_naming_the_path() {
    let env = start(fast()).await;
    env.rg("s1", "rg").await;
    let site = url("Microsoft.Web/sites/app1", WEB);
    let r = env
        .put(&site, json!({"location": "westeurope", "propertiez": {}}))
        .await;
    assert_eq!(
        code(&r),
        (400, json!("InvalidRequestContent")),
        "{}",
        r.text
    );
    assert_eq!(r.json()["error"]["target"], "propertiez");
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("did you mean 'properties'"),
        "{}",
        r.text
    );

    let r = env
        .put(&site, json!({"location": "westeurope", "properties": {"httpsOnly": "yes", "serverFarmid": "/x"}}))
        .await;
    assert_eq!(
        code(&r),
        (400, json!("InvalidRequestContent")),
        "{}",
        r.text
    );
    let details = r.json()["error"]["details"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let targets: Vec<&str> = details
        .iter()
        .filter_map(|d| d["target"].as_str())
        .collect();
    assert_eq!(
        targets,
        ["properties.httpsOnly", "properties.serverFarmid"],
        "{}",
        r.text
    );

    // Read-only values cannot be set; required ones must be there.
    let r = env
        .put(
            &site,
            json!({"location": "westeurope", "properties": {"defaultHostName": "evil.example"}}),
        )
        .await;
    assert_eq!(
        r.json()["error"]["target"],
        "properties.defaultHostName",
        "{}",
        r.text
    );
    let r = env.put(&site, json!({"properties": {}})).await;
    assert_eq!(r.json()["error"]["target"], "location", "{}", r.text);

    // The name in the URL follows the type's naming rule.
    let bad = url("Microsoft.Storage/storageAccounts/My_Storage", "2026-04-01");
    let body =
        json!({"location": "westeurope", "kind": "StorageV2", "sku": {"name": "Standard_LRS"}});
    let r = env.put(&bad, body.clone()).await;
    assert_eq!(
        code(&r),
        (400, json!("InvalidRequestContent")),
        "{}",
        r.text
    );
    assert_eq!(r.json()["error"]["target"], "name");
    let r = env
        .put(
            &url(
                "Microsoft.Storage/storageAccounts/mystorage01",
                "2026-04-01",
            ),
            body,
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
}

#[tokio::test]
async fn a_child_needs_its_parent() {
    let env = start(fast()).await;
    env.rg("s1", "rg").await;
    let slot = url("Microsoft.Web/sites/app1/slots/staging", WEB);
    let r = env.put(&slot, json!({"location": "westeurope"})).await;
    assert_eq!(
        code(&r),
        (404, json!("ParentResourceNotFound")),
        "{}",
        r.text
    );
    let r = env
        .put(
            &url("Microsoft.Web/sites/app1", WEB),
            json!({"location": "westeurope"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = env.put(&slot, json!({"location": "westeurope"})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(
        r.json()["properties"]["defaultHostName"],
        "app1-staging.azurewebsites.net"
    );
}

#[tokio::test]
async fn responses_echo_the_body_with_what_azure_fills_and_without_write_only_values() {
    let env = start(fast()).await;
    env.rg("s1", "rg").await;
    let plan = url("Microsoft.Web/serverfarms/plan1", WEB);
    let r = env
        .put(&plan, json!({"location": "westeurope", "kind": "linux", "sku": {"name": "S1", "tier": "Standard"},
                           "properties": {"reserved": true}}))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let v = r.json();
    assert_eq!(
        v["id"],
        format!("{RG}/providers/Microsoft.Web/serverfarms/plan1")
    );
    assert_eq!(
        (v["name"].clone(), v["type"].clone()),
        (json!("plan1"), json!("Microsoft.Web/serverfarms"))
    );
    assert_eq!(v["sku"], json!({"name": "S1", "tier": "Standard"}));
    assert_eq!(v["properties"]["reserved"], true);
    assert_eq!(v["properties"]["provisioningState"], "Succeeded");

    // siteConfig is write-only in the type data: accepted, never returned.
    let site = url("Microsoft.Web/sites/web1", WEB);
    let body = json!({"location": "westeurope", "properties": {"serverFarmId": v["id"], "httpsOnly": true,
                      "siteConfig": {"linuxFxVersion": "DOCKER|nginx:1.27"}}});
    let r = env.put(&site, body.clone()).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let got = env.get(&site).await.json();
    assert_eq!(got["properties"]["httpsOnly"], true);
    assert_eq!(
        got["properties"]["defaultHostName"],
        "web1.azurewebsites.net"
    );
    assert!(got["properties"].get("siteConfig").is_none(), "{got}");
    // The GET body PUT back (read-only values unchanged) is accepted, as ARM accepts it.
    let r = env.put(&site, got.clone()).await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[tokio::test]
async fn a_read_only_value_is_ignored_when_it_matches_the_server_and_refused_otherwise() {
    let env = start(fast()).await;
    env.rg("s1", "rg").await;
    let acr = url(
        "Microsoft.ContainerRegistry/registries/Shared",
        "2023-07-01",
    );
    let body = |login: &str| json!({"location": "westeurope", "sku": {"name": "Basic"}, "properties": {"loginServer": login}});
    let r = env.put(&acr, body("evil.azurecr.io")).await;
    assert_eq!(
        code(&r),
        (400, json!("InvalidRequestContent")),
        "{}",
        r.text
    );
    assert_eq!(r.json()["error"]["target"], "properties.loginServer");
    let r = env.put(&acr, body("shared.azurecr.io")).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json()["properties"]["loginServer"], "shared.azurecr.io");
}
