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
async fn an_older_or_preview_version_missing_from_the_snapshot_is_checked_against_the_nearest_one()
{
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
    // The data holds no previews: an older preview is checked by the next known version; a
    // preview later than every known version has no schema that could judge it.
    let site = url("Microsoft.Web/sites/app1", "2024-04-01-preview");
    let r = env
        .put(&site, json!({"location": "westeurope", "propertiez": {}}))
        .await;
    assert_eq!(
        code(&r),
        (400, json!("InvalidRequestContent")),
        "{}",
        r.text
    );
    let later = url("Microsoft.Web/sites/app1", "2099-01-01-preview");
    let r = env
        .put(
            &later,
            json!({"location": "westeurope", "properties": {"newThing": true}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
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

/// The ARM types of an App Service platform (plan, app, slot, autoscale, static web app,
/// Application Insights, identity, email, Front Door with WAF, budgets), written as their
/// REST references show them, are accepted at group, subscription and resource scope.
#[tokio::test]
async fn an_app_service_platform_is_accepted_at_every_scope() {
    let env = start(fast()).await;
    env.rg("s1", "rg").await;
    let rg_id = RG;
    let puts: Vec<(String, Value)> = vec![
        (url("Microsoft.Web/serverfarms/plan", WEB), json!({"location": "westeurope", "kind": "linux",
            "sku": {"name": "S1", "tier": "Standard"}, "properties": {"reserved": true}})),
        (url("Microsoft.Web/sites/web", WEB), json!({"location": "westeurope", "kind": "app,linux,container",
            "identity": {"type": "SystemAssigned"},
            "properties": {"serverFarmId": format!("{rg_id}/providers/Microsoft.Web/serverfarms/plan"), "httpsOnly": true,
                "siteConfig": {"linuxFxVersion": "DOCKER|nginx:1.27", "alwaysOn": true,
                    "appSettings": [{"name": "A", "value": "b"}]}}})),
        (url("Microsoft.Web/sites/web/slots/staging", WEB), json!({"location": "westeurope",
            "properties": {"serverFarmId": format!("{rg_id}/providers/Microsoft.Web/serverfarms/plan")}})),
        (url("Microsoft.Insights/autoscalesettings/web-autoscale", "2022-10-01"), json!({"location": "westeurope",
            "properties": {"enabled": true, "targetResourceUri": format!("{rg_id}/providers/Microsoft.Web/serverfarms/plan"),
                "profiles": [{"name": "default", "capacity": {"minimum": "1", "maximum": "3", "default": "1"},
                    "rules": [{"metricTrigger": {"metricName": "CpuPercentage", "metricResourceUri": format!("{rg_id}/providers/Microsoft.Web/serverfarms/plan"),
                        "timeGrain": "PT1M", "statistic": "Average", "timeWindow": "PT5M", "timeAggregation": "Average",
                        "operator": "GreaterThan", "threshold": 70},
                        "scaleAction": {"direction": "Increase", "type": "ChangeCount", "value": "1", "cooldown": "PT5M"}}]}]}})),
        (url("Microsoft.Web/staticSites/spa", WEB), json!({"location": "westeurope", "sku": {"name": "Free", "tier": "Free"},
            "properties": {}})),
        (url("Microsoft.OperationalInsights/workspaces/logs", "2023-09-01"), json!({"location": "westeurope"})),
        (url("Microsoft.Insights/components/ai", "2020-02-02"), json!({"location": "westeurope", "kind": "web",
            "properties": {"Application_Type": "web",
                "WorkspaceResourceId": format!("{rg_id}/providers/Microsoft.OperationalInsights/workspaces/logs")}})),
        (url("Microsoft.ManagedIdentity/userAssignedIdentities/app-id", "2023-01-31"), json!({"location": "westeurope"})),
        (url("Microsoft.Communication/emailServices/mail", "2023-04-01"), json!({"location": "global",
            "properties": {"dataLocation": "Europe"}})),
        (url("Microsoft.Communication/emailServices/mail/domains/example.com", "2023-04-01"), json!({"location": "global",
            "properties": {"domainManagement": "CustomerManaged"}})),
        (url("Microsoft.Network/FrontDoorWebApplicationFirewallPolicies/waf", "2024-02-01"), json!({"location": "global",
            "sku": {"name": "Standard_AzureFrontDoor"},
            "properties": {"policySettings": {"enabledState": "Enabled", "mode": "Prevention"},
                "customRules": {"rules": [{"name": "ratelimit", "priority": 1, "ruleType": "RateLimitRule",
                    "rateLimitDurationInMinutes": 1, "rateLimitThreshold": 100, "action": "Block",
                    "matchConditions": [{"matchVariable": "RequestUri", "operator": "Contains", "matchValue": ["/"]}]}]}}})),
        (url("Microsoft.Cdn/profiles/fd", "2024-02-01"), json!({"location": "global", "sku": {"name": "Standard_AzureFrontDoor"}})),
        (format!("{RG}/providers/Microsoft.Consumption/budgets/rg-budget?api-version=2024-08-01"), json!({"properties": {
            "category": "Cost", "amount": 100, "timeGrain": "Monthly", "timePeriod": {"startDate": "2026-01-01T00:00:00Z"},
            "notifications": {"actual80": {"enabled": true, "operator": "GreaterThan", "threshold": 80, "contactEmails": ["ops@example.com"]},
                              "actual100": {"enabled": true, "operator": "GreaterThanOrEqualTo", "threshold": 100, "contactEmails": ["ops@example.com"]}}}})),
        ("/subscriptions/s1/providers/Microsoft.Consumption/budgets/sub-budget?api-version=2024-08-01".to_string(), json!({"properties": {
            "category": "Cost", "amount": 500, "timeGrain": "Monthly", "timePeriod": {"startDate": "2026-01-01T00:00:00Z"}}})),
        (format!("{RG}/providers/Microsoft.Web/sites/web/providers/Microsoft.Insights/diagnosticSettings/to-logs?api-version=2021-05-01-preview"),
            json!({"properties": {"workspaceId": format!("{rg_id}/providers/Microsoft.OperationalInsights/workspaces/logs"),
                "logs": [{"category": "AppServiceHTTPLogs", "enabled": true}]}})),
    ];
    for (path, body) in puts {
        let r = env.put(&path, body).await;
        assert!(
            r.status == 200 || r.status == 201,
            "{path}: {} {}",
            r.status,
            r.text
        );
    }
}
