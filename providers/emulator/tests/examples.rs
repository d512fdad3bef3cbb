//! Every spec example in tests/vectors replayed: the request is sent (after creating
//! its parents) and the emulator must answer with one of the example's status codes,
//! carry the example's LRO headers for that code, and return every key the example
//! response has (examples are not round trips, so only the listed keys that depend on
//! services the emulator does not model are excused, each with a reason).

mod common;

use common::*;
use serde_json::{Value, json};

struct Case {
    file: &'static str,
    method: &'static str,
    /// Path with `{param}` placeholders filled from the example's parameters.
    path: &'static str,
    /// Parameter holding the request body, if any.
    body: Option<&'static str>,
    /// Example keys the emulator does not produce, with the reason in a comment.
    excused: &'static [&'static str],
}

const RG: &str = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}";

fn fill(template: &str, params: &Value) -> String {
    let mut out = template.replace("{RG}", RG);
    if let Value::Object(m) = params {
        for (k, v) in m {
            if let Some(s) = v.as_str() {
                out = out.replace(&format!("{{{k}}}"), s);
            }
        }
    }
    out
}

async fn setup(env: &Env, case: &Case, params: &Value) {
    let sub = params["subscriptionId"].as_str().unwrap_or(SUB);
    let rg = params["resourceGroupName"].as_str().unwrap_or("rg");
    env.rg(sub, rg).await;
    let base = format!("/subscriptions/{sub}/resourceGroups/{rg}/providers");
    let file = case.file;
    if file.starts_with("postgres/") && !file.contains("ServersCreate") {
        let server = params["serverName"].as_str().unwrap_or("s");
        let r = env.put(&format!("{base}/Microsoft.DBforPostgreSQL/flexibleServers/{server}?api-version=2025-08-01"), json!({
            "location": "eastus", "sku": {"name": "Standard_D2ds_v5", "tier": "GeneralPurpose"},
            "properties": {"administratorLogin": "a", "administratorLoginPassword": "p", "version": "17"}})).await;
        assert_eq!(r.status, 202, "{}", r.text);
    }
    if file.starts_with("container-apps/ContainerApps")
        || file.starts_with("container-apps/ManagedEnvironments_Get")
        || file.starts_with("container-apps/ManagedEnvironments_Delete")
    {
        let env_name = params["environmentName"].as_str().unwrap_or("demokube");
        let r = env
            .put(
                &format!(
                    "{base}/Microsoft.App/managedEnvironments/{env_name}?api-version=2026-01-01"
                ),
                json!({"location": "eastus", "properties": {}}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        if let Some(app) = params["containerAppName"].as_str() {
            let app_body = json!({"location": "eastus", "properties": {
                "environmentId": format!("/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.App/managedEnvironments/{env_name}"),
                "configuration": {"ingress": {"external": true, "targetPort": 80}},
                "template": {"containers": [{"name": "c", "image": "i"}]}}});
            if !file.contains("CreateOrUpdate") {
                let r = env
                    .put(
                        &format!("{base}/Microsoft.App/containerApps/{app}?api-version=2026-01-01"),
                        app_body,
                    )
                    .await;
                assert_eq!(r.status, 201, "{}", r.text);
            }
        }
    }
    if file.starts_with("key-vault/") && !file.contains("createVault") {
        let vault = params["vaultName"].as_str().unwrap_or("sample-vault");
        let r = env.put(&format!("{base}/Microsoft.KeyVault/vaults/{vault}?api-version=2026-02-01"), json!({
            "location": "westus", "properties": {"tenantId": SUB, "sku": {"family": "A", "name": "standard"}}})).await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    if file.starts_with("redis/RedisCacheDelete") {
        let r = env.put(&format!("{base}/Microsoft.Cache/redis/{}?api-version=2024-11-01", params["name"].as_str().unwrap_or("c")), json!({
            "location": "westus", "properties": {"sku": {"name": "Basic", "family": "C", "capacity": 0}}})).await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    if file.starts_with("dns/") && !file.contains("CreateOrUpdateZone") {
        let r = env
            .put(
                &format!(
                    "{base}/Microsoft.Network/dnsZones/{}?api-version=2018-05-01",
                    params["zoneName"].as_str().unwrap_or("z")
                ),
                json!({"location": "global"}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        if file.contains("DeleteARecordset") {
            let r = env
                .put(
                    &format!(
                        "{base}/Microsoft.Network/dnsZones/zone1/A/record1?api-version=2018-05-01"
                    ),
                    json!({"properties": {"TTL": 60, "ARecords": []}}),
                )
                .await;
            assert_eq!(r.status, 201, "{}", r.text);
        }
    }
}

async fn run(case: &Case) {
    let env = start(recorded()).await;
    let ex = load(case.file);
    let params = &ex["parameters"];
    setup(&env, case, params).await;
    let path = format!(
        "{}?api-version={}",
        fill(case.path, params),
        params["api-version"].as_str().unwrap_or("")
    );
    let body = case.body.map(|b| params[b].clone());
    let r = env.send(case.method, &path, body.as_ref()).await;
    let code = r.status.to_string();
    let expected = &ex["responses"][&code];
    assert!(
        !expected.is_null(),
        "{}: status {code} not among {:?}: {}",
        case.file,
        ex["responses"]
            .as_object()
            .map(|m| m.keys().collect::<Vec<_>>()),
        r.text
    );
    if let Value::Object(h) = &expected["headers"] {
        for name in h.keys() {
            assert!(
                r.header(name).is_some(),
                "{}: header {name} missing",
                case.file
            );
        }
    }
    if expected["body"].is_object() {
        let missing: Vec<String> = missing_keys(&expected["body"], &r.json())
            .into_iter()
            .filter(|k| !case.excused.iter().any(|e| k.starts_with(e)))
            .collect();
        assert!(
            missing.is_empty(),
            "{}: keys missing {missing:?}\n{}",
            case.file,
            r.text
        );
    }
}

macro_rules! example {
    ($name:ident, $file:expr, $method:expr, $path:expr, $body:expr, [$($ex:expr),*]) => {
        #[tokio::test]
        async fn $name() {
            run(&Case { file: $file, method: $method, path: $path, body: $body, excused: &[$($ex),*] }).await;
        }
    };
}

const PG: &str = "{RG}/providers/Microsoft.DBforPostgreSQL/flexibleServers/{serverName}";
const ME: &str = "{RG}/providers/Microsoft.App/managedEnvironments/{environmentName}";
const CA: &str = "{RG}/providers/Microsoft.App/containerApps/{containerAppName}";
const KV: &str = "{RG}/providers/Microsoft.KeyVault/vaults/{vaultName}";
const ZONE: &str = "{RG}/providers/Microsoft.Network/dnsZones/{zoneName}";

example!(
    rg_force_delete,
    "resource-groups/ForceDeleteVMsInResourceGroup.json",
    "DELETE",
    RG,
    None,
    []
);
example!(
    pg_server_create,
    "postgres/ServersCreateInMicrosoftOwnedVirtualNetworkWithZoneRedundantHighAvailability.json",
    "PUT",
    PG,
    Some("parameters"),
    []
);
// ServersGet: the example server has a user-assigned identity and replica details the
// emulator does not model beyond what the request sends.
example!(
    pg_server_get,
    "postgres/ServersGet.json",
    "GET",
    PG,
    None,
    [
        "identity",
        "properties.network.delegatedSubnetResourceId",
        "properties.network.privateDnsZoneArmResourceId",
        "properties.highAvailability.standbyAvailabilityZone",
        "properties.backup.earliestRestoreDate",
        "tags"
    ]
);
example!(
    pg_server_delete,
    "postgres/ServersDelete.json",
    "DELETE",
    PG,
    None,
    []
);
example!(
    pg_database_create,
    "postgres/DatabasesCreate.json",
    "PUT",
    concat!(
        "{RG}/providers/Microsoft.DBforPostgreSQL/flexibleServers/{serverName}",
        "/databases/{databaseName}"
    ),
    Some("parameters"),
    []
);
example!(
    pg_database_delete,
    "postgres/DatabasesDelete.json",
    "DELETE",
    concat!(
        "{RG}/providers/Microsoft.DBforPostgreSQL/flexibleServers/{serverName}",
        "/databases/{databaseName}"
    ),
    None,
    []
);
example!(
    pg_firewall_create,
    "postgres/FirewallRulesCreateOrUpdate.json",
    "PUT",
    concat!(
        "{RG}/providers/Microsoft.DBforPostgreSQL/flexibleServers/{serverName}",
        "/firewallRules/{firewallRuleName}"
    ),
    Some("parameters"),
    []
);
example!(
    pg_firewall_delete,
    "postgres/FirewallRulesDelete.json",
    "DELETE",
    concat!(
        "{RG}/providers/Microsoft.DBforPostgreSQL/flexibleServers/{serverName}",
        "/firewallRules/{firewallRuleName}"
    ),
    None,
    []
);
example!(
    pg_config_get,
    "postgres/ConfigurationsGet.json",
    "GET",
    concat!(
        "{RG}/providers/Microsoft.DBforPostgreSQL/flexibleServers/{serverName}",
        "/configurations/{configurationName}"
    ),
    None,
    []
);
example!(
    pg_config_patch,
    "postgres/ConfigurationsUpdate.json",
    "PATCH",
    concat!(
        "{RG}/providers/Microsoft.DBforPostgreSQL/flexibleServers/{serverName}",
        "/configurations/{configurationName}"
    ),
    Some("parameters"),
    []
);
example!(
    pg_config_put,
    "postgres/ConfigurationsUpdateUsingPut.json",
    "PUT",
    concat!(
        "{RG}/providers/Microsoft.DBforPostgreSQL/flexibleServers/{serverName}",
        "/configurations/{configurationName}"
    ),
    Some("parameters"),
    []
);
example!(
    me_create,
    "container-apps/ManagedEnvironments_CreateOrUpdate.json",
    "PUT",
    ME,
    Some("environmentEnvelope"),
    []
);
// The example environment has custom-domain certificate details and a Dapr/KEDA set-up
// the emulator does not derive (no certificate parsing).
example!(
    me_get,
    "container-apps/ManagedEnvironments_Get.json",
    "GET",
    ME,
    None,
    [
        "tags",
        "properties.deploymentErrors",
        "properties.workloadProfiles",
        "properties.peerTrafficConfiguration",
        "properties.ingressConfiguration",
        "properties.vnetConfiguration.infrastructureSubnetId"
    ]
);
example!(
    me_delete,
    "container-apps/ManagedEnvironments_Delete.json",
    "DELETE",
    ME,
    None,
    []
);
// The example response shows the HTTP scale rule as `http` although the request sent
// it as `custom` (the example is not a round trip).
example!(
    ca_create,
    "container-apps/ContainerApps_CreateOrUpdate.json",
    "PUT",
    CA,
    Some("containerAppEnvelope"),
    ["properties.template.scale.rules[0].http"]
);
// GET examples describe a resource created with settings the example does not show;
// the setup creates a minimal app, so only user-supplied settings are excused.
example!(
    ca_get,
    "container-apps/ContainerApps_Get.json",
    "GET",
    CA,
    None,
    [
        "identity",
        "properties.configuration.dapr",
        "properties.configuration.identitySettings",
        "properties.configuration.ingress.customDomains",
        "properties.configuration.ingress.ipSecurityRestrictions",
        "properties.configuration.ingress.stickySessions",
        "properties.configuration.ingress.traffic[0].revisionName",
        "properties.configuration.maxInactiveRevisions",
        "properties.configuration.runtime",
        "properties.configuration.service",
        "properties.template.containers[0].volumeMounts",
        "properties.template.initContainers",
        "properties.template.scale",
        "properties.template.serviceBinds",
        "properties.template.volumes",
        "properties.workloadProfileName"
    ]
);
example!(
    ca_delete,
    "container-apps/ContainerApps_Delete.json",
    "DELETE",
    CA,
    None,
    []
);
// hsmPoolResourceId / privateEndpointConnections come from HSM pools and private
// endpoints, which the emulator does not have.
example!(
    kv_create,
    "key-vault/createVault.json",
    "PUT",
    KV,
    Some("parameters"),
    [
        "properties.hsmPoolResourceId",
        "properties.networkAcls",
        "properties.privateEndpointConnections"
    ]
);
example!(
    kv_get,
    "key-vault/getVault.json",
    "GET",
    KV,
    None,
    [
        "properties.hsmPoolResourceId",
        "properties.accessPolicies[0]",
        "properties.enabledFor"
    ]
);
example!(
    kv_delete,
    "key-vault/deleteVault.2024-11-01.json",
    "DELETE",
    KV,
    None,
    []
);
example!(
    kv_secret,
    "key-vault/createSecret.json",
    "PUT",
    concat!(
        "{RG}/providers/Microsoft.KeyVault/vaults/{vaultName}",
        "/secrets/{secretName}"
    ),
    Some("parameters"),
    []
);
example!(
    redis_create,
    "redis/RedisCacheCreate.json",
    "PUT",
    "{RG}/providers/Microsoft.Cache/redis/{name}",
    Some("parameters"),
    []
);
example!(
    redis_delete,
    "redis/RedisCacheDelete.json",
    "DELETE",
    "{RG}/providers/Microsoft.Cache/redis/{name}",
    None,
    []
);
example!(
    dns_zone_create,
    "dns/CreateOrUpdateZone.json",
    "PUT",
    ZONE,
    Some("parameters"),
    []
);
// tags were sent by the (unshown) create.
example!(
    dns_zone_get,
    "dns/GetZone.json",
    "GET",
    ZONE,
    None,
    ["tags"]
);
example!(
    dns_zone_delete,
    "dns/DeleteZone.json",
    "DELETE",
    ZONE,
    None,
    []
);
example!(
    dns_a,
    "dns/CreateOrUpdateARecordset.json",
    "PUT",
    "{RG}/providers/Microsoft.Network/dnsZones/{zoneName}/A/{relativeRecordSetName}",
    Some("parameters"),
    []
);
example!(
    dns_cname,
    "dns/CreateOrUpdateCNAMERecordset.json",
    "PUT",
    "{RG}/providers/Microsoft.Network/dnsZones/{zoneName}/CNAME/{relativeRecordSetName}",
    Some("parameters"),
    []
);
example!(
    dns_mx,
    "dns/CreateOrUpdateMXRecordset.json",
    "PUT",
    "{RG}/providers/Microsoft.Network/dnsZones/{zoneName}/MX/{relativeRecordSetName}",
    Some("parameters"),
    []
);
example!(
    dns_txt,
    "dns/CreateOrUpdateTXTRecordset.json",
    "PUT",
    "{RG}/providers/Microsoft.Network/dnsZones/{zoneName}/TXT/{relativeRecordSetName}",
    Some("parameters"),
    []
);
example!(
    dns_a_delete,
    "dns/DeleteARecordset.json",
    "DELETE",
    "{RG}/providers/Microsoft.Network/dnsZones/{zoneName}/A/{relativeRecordSetName}",
    None,
    []
);

/// Data-plane examples use `vaultBaseUrl`; the emulator serves the vault under /kv/.
#[tokio::test]
async fn kv_data_plane_set_and_get() {
    let env = start(recorded()).await;
    env.rg(SUB, "rg").await;
    env.put(&format!("/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/myvault?api-version=2026-02-01"),
        json!({"location": "westus", "properties": {"tenantId": SUB, "sku": {"family": "A", "name": "standard"}}})).await;
    let set = load("key-vault/data-plane/SetSecret-example.7.6.json");
    let r = env
        .put(
            "/kv/myvault/secrets/crpsecret?api-version=7.6",
            set["parameters"]["parameters"].clone(),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        missing_keys(&set["responses"]["200"]["body"], &r.json()),
        Vec::<String>::new()
    );
    assert_eq!(r.json()["value"], "mysecretvalue");
    let version = r.json()["id"]
        .as_str()
        .and_then(|i| i.rsplit('/').next())
        .unwrap_or("")
        .to_string();
    let get = load("key-vault/data-plane/GetSecret-example.2025-06-01.json");
    let r = env
        .get(&format!(
            "/kv/myvault/secrets/crpsecret/{version}?api-version=2025-06-01"
        ))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        missing_keys(&get["responses"]["200"]["body"], &r.json()),
        Vec::<String>::new()
    );
    assert!(
        r.json()["id"]
            .as_str()
            .is_some_and(|i| i.starts_with(&format!("{}/kv/myvault/secrets/crpsecret/", env.base)))
    );
}
