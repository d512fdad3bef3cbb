//! Per-family behaviour beyond the vectors: Key Vault soft delete and secrets, DNS
//! apex records, role assignments, container apps, PostgreSQL parameters.

mod common;

use common::*;
use serde_json::json;

#[tokio::test]
async fn key_vault_soft_delete_recover_purge() {
    let env = start(fast()).await;
    env.rg("s1", "rg").await;
    let vault = url("Microsoft.KeyVault/vaults/kv2", "2026-02-01");
    let body = json!({"location": "westeurope", "properties": {"tenantId": "t", "sku": {"family": "A", "name": "standard"}}});
    assert_eq!(env.put(&vault, body.clone()).await.status, 201);
    let v = env.get(&vault).await.json();
    assert_eq!(v["properties"]["vaultUri"], format!("{}/kv/kv2/", env.base));
    assert_eq!(v["tags"], json!({}));
    env.put(
        "/kv/kv2/secrets/s?api-version=2025-07-01",
        json!({"value": "x"}),
    )
    .await;
    assert_eq!(env.send("DELETE", &vault, None).await.status, 200);
    let deleted = "/subscriptions/s1/providers/Microsoft.KeyVault/locations/westeurope/deletedVaults/kv2?api-version=2026-02-01";
    assert_eq!(
        env.get(deleted).await.json()["properties"]["vaultId"],
        v["id"]
    );
    assert_eq!(env.put(&vault, body.clone()).await.status, 409);
    let mut recover = body.clone();
    recover["properties"]["createMode"] = json!("recover");
    assert_eq!(env.put(&vault, recover).await.status, 201);
    assert_eq!(
        env.get("/kv/kv2/secrets/s?api-version=2025-07-01")
            .await
            .json()["value"],
        "x"
    );
    env.send("DELETE", &vault, None).await;
    let purge = "/subscriptions/s1/providers/Microsoft.KeyVault/locations/westeurope/deletedVaults/kv2/purge?api-version=2026-02-01";
    assert_eq!(env.send("POST", purge, None).await.status, 200);
    assert_eq!(env.get(deleted).await.status, 404);
    assert_eq!(env.put(&vault, body).await.status, 201);
    assert_eq!(
        env.get("/kv/kv2/secrets/s?api-version=2025-07-01")
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn key_vault_secret_versions_and_delete() {
    let env = start(fast()).await;
    env.rg("s1", "rg").await;
    env.put(&url("Microsoft.KeyVault/vaults/kv3", "2026-02-01"), json!({"location": "westeurope", "properties": {"tenantId": "t", "sku": {"family": "A", "name": "standard"}}})).await;
    let a = env
        .put(
            "/kv/kv3/secrets/s?api-version=2025-07-01",
            json!({"value": "one"}),
        )
        .await
        .json();
    let b = env
        .put(
            "/kv/kv3/secrets/s?api-version=2025-07-01",
            json!({"value": "two"}),
        )
        .await
        .json();
    assert_ne!(a["id"], b["id"]);
    assert_eq!(
        env.get("/kv/kv3/secrets/s?api-version=2025-07-01")
            .await
            .json()["value"],
        "two"
    );
    let old = a["id"].as_str().unwrap_or("").replace(&env.base, "");
    assert_eq!(
        env.get(&format!("{old}?api-version=2025-07-01"))
            .await
            .json()["value"],
        "one"
    );
    let list = env
        .get("/kv/kv3/secrets?api-version=2025-07-01")
        .await
        .json();
    assert_eq!(list["value"].as_array().map(Vec::len), Some(1));
    assert!(list["value"][0].get("value").is_none());
    let d = env
        .send("DELETE", "/kv/kv3/secrets/s?api-version=2025-07-01", None)
        .await
        .json();
    assert!(d["recoveryId"].is_string() && d.get("value").is_none());
    assert_eq!(
        env.put(
            "/kv/kv3/secrets/s?api-version=2025-07-01",
            json!({"value": "3"})
        )
        .await
        .status,
        409
    );
    // Management-plane secret: never returns the value, readable on the data plane.
    let r = env
        .put(
            &url("Microsoft.KeyVault/vaults/kv3/secrets/m", "2026-02-01"),
            json!({"properties": {"value": "mv"}}),
        )
        .await;
    assert_eq!(r.status, 201);
    assert!(!r.text.contains("\"mv\""));
    assert_eq!(
        env.get("/kv/kv3/secrets/m?api-version=2025-07-01")
            .await
            .json()["value"],
        "mv"
    );
}

#[tokio::test]
async fn dns_apex_records_exist_and_stay() {
    let env = start(fast()).await;
    env.rg("s1", "rg").await;
    env.put(
        &url("Microsoft.Network/dnsZones/example.com", "2018-05-01"),
        json!({"location": "global"}),
    )
    .await;
    let r = env
        .put(
            &url(
                "Microsoft.Network/dnsZones/example.com/CNAME/www",
                "2018-05-01",
            ),
            json!({"properties": {"TTL": 300, "CNAMERecord": {"cname": "app.example.net"}}}),
        )
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(r.json()["properties"]["fqdn"], "www.example.com.");
    let sets = env
        .get(&url(
            "Microsoft.Network/dnsZones/example.com/recordsets",
            "2018-05-01",
        ))
        .await
        .json();
    let names: Vec<String> = sets["value"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| {
            format!(
                "{} {}",
                s["type"].as_str().unwrap_or(""),
                s["name"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(names.contains(&"Microsoft.Network/dnsZones/SOA @".to_string()));
    assert_eq!(
        env.get(&url("Microsoft.Network/dnsZones/example.com", "2018-05-01"))
            .await
            .json()["properties"]["numberOfRecordSets"],
        3
    );
    let r = env
        .send(
            "DELETE",
            &url("Microsoft.Network/dnsZones/example.com/NS/@", "2018-05-01"),
            None,
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["code"], "BadRequest", "DNS errors are unwrapped");
    let r = env
        .get(&url(
            "Microsoft.Network/dnsZones/example.com/A/none",
            "2018-05-01",
        ))
        .await;
    assert_eq!(
        (r.status, r.json()["code"].clone()),
        (404, json!("NotFound"))
    );
}

#[tokio::test]
async fn role_assignments_at_any_scope() {
    let env = start(fast()).await;
    env.rg("s1", "rg").await;
    env.put(&url("Microsoft.KeyVault/vaults/kv4", "2026-02-01"), json!({"location": "westeurope", "properties": {"tenantId": "t", "sku": {"family": "A", "name": "standard"}}})).await;
    let body = json!({"properties": {"roleDefinitionId": "/providers/Microsoft.Authorization/roleDefinitions/4633458b-17de-408a-b874-0445c86b69e6", "principalId": "p1", "principalType": "ServicePrincipal"}});
    let ra = format!(
        "{RG}/providers/Microsoft.KeyVault/vaults/kv4/providers/Microsoft.Authorization/roleAssignments/11111111-2222-3333-4444-555555555555?api-version=2022-04-01"
    );
    let r = env.put(&ra, body.clone()).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(
        r.json()["properties"]["scope"],
        format!("{RG}/providers/Microsoft.KeyVault/vaults/kv4")
    );
    let dup = ra.replace("11111111", "99999999");
    assert_eq!(
        env.put(&dup, body.clone()).await.json()["error"]["code"],
        "RoleAssignmentExists"
    );
    let sub_scope = "/subscriptions/s1/providers/Microsoft.Authorization/roleAssignments/21111111-2222-3333-4444-555555555555?api-version=2022-04-01";
    assert_eq!(env.put(sub_scope, body.clone()).await.status, 201);
    let missing_scope = ra.replace("kv4", "nokv");
    assert_eq!(env.put(&missing_scope, body.clone()).await.status, 404);
    // As ARM: a role definition that does not exist is refused.
    let mut unknown = body;
    unknown["properties"]["roleDefinitionId"] = json!(
        "/providers/Microsoft.Authorization/roleDefinitions/00000000-1111-2222-3333-444444444444"
    );
    let r = env.put(&ra.replace("11111111", "31111111"), unknown).await;
    assert_eq!(
        (r.status, r.json()["error"]["code"].clone()),
        (400, json!("RoleDefinitionDoesNotExist")),
        "{}",
        r.text
    );
}

#[tokio::test]
async fn container_app_defaults_secrets_and_environment_lro() {
    let env = start(fast()).await;
    env.rg("s1", "rg").await;
    let me = url("Microsoft.App/managedEnvironments/env1", "2026-01-01");
    let r = env.put(&me, json!({"location": "westeurope", "properties": {"appLogsConfiguration": {"destination": "log-analytics", "logAnalyticsConfiguration": {"customerId": "c", "sharedKey": "canary-shared-key"}}}})).await;
    assert_eq!(r.status, 201);
    assert_eq!(r.json()["properties"]["provisioningState"], "Waiting");
    assert!(!r.text.contains("canary-shared-key"));
    env.poll_async(&r.header("azure-asyncoperation").expect("aao"))
        .await;
    let app = url("Microsoft.App/containerApps/app1", "2026-01-01");
    let env_id = env.get(&me).await.json()["id"].clone();
    let r = env.put(&app, json!({"location": "westeurope", "properties": {"environmentId": env_id,
        "configuration": {"secrets": [{"name": "db", "value": "canary-app-secret"}], "ingress": {"external": true, "targetPort": 8080}},
        "template": {"containers": [{"name": "web", "image": "nginx"}]}}})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    env.poll_async(&r.header("azure-asyncoperation").expect("aao"))
        .await;
    let got = env.get(&app).await;
    assert!(!got.text.contains("canary-app-secret"));
    let v = got.json();
    assert_eq!(v["properties"]["managedEnvironmentId"], env_id);
    assert_eq!(
        v["properties"]["template"]["containers"][0]["resources"],
        json!({"cpu": 0.5, "memory": "1Gi"})
    );
    assert_eq!(
        v["properties"]["configuration"]["ingress"]["transport"],
        "auto"
    );
    assert!(
        v["properties"]["configuration"]["ingress"]["fqdn"]
            .as_str()
            .is_some_and(|f| f.starts_with("app1."))
    );
    let secrets = env
        .send(
            "POST",
            &url("Microsoft.App/containerApps/app1/listSecrets", "2026-01-01"),
            None,
        )
        .await
        .json();
    assert_eq!(
        secrets["value"][0],
        json!({"name": "db", "value": "canary-app-secret"})
    );
    assert_eq!(
        env.send("DELETE", &me, None).await.status,
        400,
        "environment still has apps"
    );
}

#[tokio::test]
async fn postgres_parameters_and_restart() {
    let env = start(fast()).await;
    env.rg("s1", "rg").await;
    env.put(
        &url("Microsoft.DBforPostgreSQL/flexibleServers/pg", "2025-08-01"),
        pg_body("a"),
    )
    .await;
    let cfg = url(
        "Microsoft.DBforPostgreSQL/flexibleServers/pg/configurations/shared_preload_libraries",
        "2025-08-01",
    );
    assert_eq!(
        env.get(&cfg).await.json()["properties"]["source"],
        "system-default"
    );
    let r = env.put(&cfg, json!({"properties": {"value": "pg_cron,pg_stat_statements,timescaledb", "source": "user-override"}})).await;
    assert_eq!(r.status, 202);
    let v = env.get(&cfg).await.json();
    assert_eq!(
        (
            v["properties"]["isConfigPendingRestart"].clone(),
            v["properties"]["source"].clone()
        ),
        (json!(true), json!("user-override"))
    );
    let bad = env
        .put(&cfg, json!({"properties": {"value": "nonsense"}}))
        .await;
    assert_eq!(bad.status, 400);
    env.send(
        "POST",
        &url(
            "Microsoft.DBforPostgreSQL/flexibleServers/pg/restart",
            "2025-08-01",
        ),
        None,
    )
    .await;
    assert_eq!(
        env.get(&cfg).await.json()["properties"]["isConfigPendingRestart"],
        false
    );
    let list = env
        .get(&url(
            "Microsoft.DBforPostgreSQL/flexibleServers/pg/configurations",
            "2025-08-01",
        ))
        .await
        .json();
    assert!(list["value"].as_array().is_some_and(|l| l.len() > 5));
}

#[tokio::test]
async fn built_in_role_definitions_are_found_by_name_and_by_id() {
    let env = start(fast()).await;
    env.rg("s1", "rg").await;
    let list = "/subscriptions/s1/providers/Microsoft.Authorization/roleDefinitions";
    let r = env
        .get(&format!(
            "{list}?$filter=roleName%20eq%20%27key%20vault%20secrets%20user%27&api-version=2022-04-01"
        ))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let found = r.json()["value"].clone();
    assert_eq!(found.as_array().map(Vec::len), Some(1), "{found}");
    assert_eq!(found[0]["properties"]["roleName"], "Key Vault Secrets User");
    let id = found[0]["id"].as_str().unwrap_or_default().to_string();
    assert_eq!(
        id,
        "/subscriptions/s1/providers/Microsoft.Authorization/roleDefinitions/4633458b-17de-408a-b874-0445c86b69e6"
    );
    // At a resource-group scope too, and by id.
    let at_rg = env
        .get(&format!(
            "{RG}/providers/Microsoft.Authorization/roleDefinitions?$filter=roleName%20eq%20%27Reader%27&api-version=2022-04-01"
        ))
        .await;
    assert_eq!(
        at_rg.json()["value"][0]["name"],
        "acdd72a7-3385-48ef-bd42-f606fba81ae7"
    );
    let one = env.get(&format!("{id}?api-version=2022-04-01")).await;
    assert_eq!(
        one.json()["properties"]["roleName"],
        "Key Vault Secrets User"
    );
    // An unknown name is an empty list; an unknown id is ARM's 404.
    let none = env
        .get(&format!(
            "{list}?$filter=roleName%20eq%20%27Nope%27&api-version=2022-04-01"
        ))
        .await;
    assert_eq!(none.json()["value"], json!([]));
    let missing = env
        .get(&format!(
            "{list}/00000000-0000-0000-0000-000000000009?api-version=2022-04-01"
        ))
        .await;
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.json()["error"]["code"],
        "RoleDefinitionDoesNotExist"
    );
    let all = env.get(&format!("{list}?api-version=2022-04-01")).await;
    assert!(all.json()["value"].as_array().is_some_and(|l| l.len() > 5));
}
