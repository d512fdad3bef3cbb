//! The PUT bodies the provider sends, captured as they went over HTTP (the emulator's
//! request log), against the real request bodies in the vectors: same property paths and
//! JSON types, the vector's api-version, and nothing ARM owns. Every captured ARM body also
//! validates against Microsoft's type data for its type and api-version (`infra-azure-types`).

mod common;
mod request_shape;

use common::*;
use infra_azure_types::{Resolved, Severity, catalog, validate};
use infra_emulator::{Config, Emulator, RecordedRequest};
use infra_provider_azure::AzureProvider;
use infra_provider_core::{ObjectState, Props, Value};
use request_shape::{Expect, example_request, mismatches, read_only, recorded_request, union};
use serde_json::{Value as J, json};

async fn recording() -> (Emulator, AzureProvider) {
    let emu = infra_emulator::start(Config {
        record_requests: true,
        ..fast_emulator()
    })
    .await
    .expect("emulator starts");
    let p = provider_for(&emu);
    (emu, p)
}

fn from_json(v: J) -> Props {
    match Value::from_json(&v) {
        Value::Object(m) => m.into_iter().collect(),
        other => panic!("not an object: {other:?}"),
    }
}

/// The last PUT whose path is `path` (ARM compares paths case-insensitively).
fn last_put(emu: &Emulator, path: &str) -> RecordedRequest {
    emu.requests()
        .into_iter()
        .rev()
        .find(|r| r.method == "PUT" && r.path.eq_ignore_ascii_case(path))
        .unwrap_or_else(|| panic!("no PUT to {path} in {:#?}", emu.requests()))
}

struct Case<'a> {
    made: &'a ObjectState,
    real: J,
    api: &'a str,
    maps: &'a [&'a str],
    read_only: Vec<String>,
}

/// `Microsoft.Web/sites/slots` from `/subscriptions/s/resourceGroups/r/providers/Microsoft.Web/sites/a/slots/b`.
fn arm_type(path: &str) -> Option<String> {
    let Some((_, rest)) = path.rsplit_once("/providers/") else {
        let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
        return (segs.len() == 4 && segs[2].eq_ignore_ascii_case("resourceGroups"))
            .then(|| "Microsoft.Resources/resourceGroups".to_string());
    };
    let segs: Vec<&str> = rest.split('/').collect();
    let types: Vec<&str> = segs.iter().skip(1).step_by(2).copied().collect();
    Some(format!("{}/{}", segs.first()?, types.join("/")))
}

/// The error-severity violations of every ARM PUT captured so far, one line each.
fn schema_errors(emu: &Emulator) -> Vec<String> {
    let mut out = Vec::new();
    for r in emu
        .requests()
        .into_iter()
        .filter(|r| r.method == "PUT" && !r.path.starts_with("/kv/"))
    {
        let (Some(ty), Some(api)) = (arm_type(&r.path), r.api_version()) else {
            out.push(format!("{}: no type or api-version", r.path));
            continue;
        };
        let type_ref = format!("{ty}@{api}");
        let Resolved::Exact(schema) = catalog().resolve(&type_ref) else {
            out.push(format!("{type_ref}: not in the type data"));
            continue;
        };
        for v in validate(&schema, &r.body) {
            if v.severity == Severity::Error {
                out.push(format!("{type_ref} {}: {v}", r.path));
            }
        }
    }
    out
}

fn check(emu: &Emulator, case: Case<'_>) {
    let errors = schema_errors(emu);
    assert!(
        errors.is_empty(),
        "bodies break the type data:\n  {}",
        errors.join("\n  ")
    );
    let sent = last_put(emu, &case.made.id);
    assert_eq!(
        sent.api_version().as_deref(),
        Some(case.api),
        "{}: api-version",
        case.made.id
    );
    let found = mismatches(
        &sent.body,
        &Expect {
            real: &case.real,
            maps: case.maps,
            read_only: &case.read_only,
        },
    );
    assert!(
        found.is_empty(),
        "{}: the body differs from the real request:\n  {}\nsent: {}",
        case.made.id,
        found.join("\n  "),
        sent.body
    );
}

#[tokio::test]
async fn resource_group_body_matches_the_recorded_request() {
    let (emu, p) = recording().await;
    let tags = json!({"a": "b"});
    let made = create(
        &p,
        "azure.resource_group",
        &from_json(json!({"name": "rg-body", "location": "westus", "tags": tags})),
    )
    .await;
    // The recording used 2020-06-01; the provider uses the latest stable (FINDINGS §0).
    check(
        &emu,
        Case {
            made: &made,
            real: recorded_request(
                "resource-groups/azure-cli_test_resource_group.extract.interactions.json",
                "PUT",
            ),
            api: "2025-04-01",
            maps: &["tags"],
            read_only: read_only(
                "resource-groups",
                "Microsoft.Resources/resourceGroups@2025-04-01",
            ),
        },
    );
}

#[tokio::test]
async fn dns_bodies_match_the_spec_examples() {
    let (emu, p) = recording().await;
    group(&p, "rg-dns").await;
    let zone = create(
        &p,
        "azure.dns_zone",
        &from_json(
            json!({"name": "contoso.com", "resource_group": "rg-dns", "tags": {"key1": "value1"}}),
        ),
    )
    .await;
    // The recorded zone PUT (azure-cli) sends `zoneType`, which the spec example leaves out.
    let real = recorded_request("dns/azure-cli_test_dns.interactions.json", "PUT");
    let zone_ro = read_only("dns", "Microsoft.Network/dnsZones@2018-05-01");
    check(
        &emu,
        Case {
            made: &zone,
            real,
            api: "2018-05-01",
            maps: &["tags"],
            read_only: zone_ro,
        },
    );
    let records = [
        (
            "azure.dns_a_record",
            json!({"addresses": ["127.0.0.1"], "ttl": 3600}),
            "dns/CreateOrUpdateARecordset.json",
        ),
        (
            "azure.dns_cname_record",
            json!({"target": "contoso.com", "ttl": 3600}),
            "dns/CreateOrUpdateCNAMERecordset.json",
        ),
        (
            "azure.dns_mx_record",
            json!({"records": [{"preference": 0, "exchange": "mail.contoso.com"}], "ttl": 3600}),
            "dns/CreateOrUpdateMXRecordset.json",
        ),
        (
            "azure.dns_txt_record",
            json!({"values": ["string1"], "ttl": 3600}),
            "dns/CreateOrUpdateTXTRecordset.json",
        ),
    ];
    for (t, extra, vector) in records {
        let mut desired = from_json(extra);
        desired.insert("zone".into(), Value::String(zone.id.clone()));
        desired.insert("name".into(), s("record1"));
        let made = create(&p, t, &desired).await;
        let (real, api) = example_request(vector);
        check(
            &emu,
            Case {
                made: &made,
                real,
                api: &api,
                maps: &["properties.metadata"],
                read_only: read_only("dns", "Microsoft.Network/dnsZones/A@2018-05-01"),
            },
        );
    }
}

#[tokio::test]
async fn key_vault_body_matches_the_spec_example() {
    let (emu, p) = recording().await;
    group(&p, "rg-kv").await;
    let made = create(
        &p,
        "azure.key_vault",
        &from_json(
            json!({"name": unique("kvbody"), "resource_group": "rg-kv", "location": "westus",
            "sku": "standard", "tenant_id": TENANT, "rbac": false, "public_network_access": true,
            "soft_delete_retention_days": 30, "purge_protection": true,
            "access_policies": [{"object_id": "00000000-0000-0000-0000-000000000000",
                "secrets": ["get", "list"], "keys": ["get"], "certificates": ["get"]}]}),
        ),
    )
    .await;
    let (example, api) = example_request("key-vault/createVault.json");
    // VaultProperties the example leaves out; the recorded deployment (FINDINGS §2.6) sent
    // enableRbacAuthorization and enablePurgeProtection, and the 2026-02-01 schema has
    // softDeleteRetentionInDays (an int, 7 to 90).
    let schema = json!({"properties": {"enableRbacAuthorization": true,
        "enablePurgeProtection": true, "softDeleteRetentionInDays": 90}});
    let real = union(&example, &schema);
    check(
        &emu,
        Case {
            made: &made,
            real,
            api: &api,
            maps: &["tags"],
            read_only: read_only("key-vault", "Microsoft.KeyVault/vaults@2026-02-01"),
        },
    );
}

#[tokio::test]
async fn redis_body_matches_the_spec_example() {
    let (emu, p) = recording().await;
    group(&p, "rg-redis").await;
    let made = create(
        &p,
        "azure.redis_cache",
        &from_json(
            json!({"name": "cache1", "resource_group": "rg-redis", "location": "eastus",
            "sku": "Premium", "capacity": 1, "non_ssl_port": true, "minimum_tls_version": "1.2",
            "redis_version": "6"}),
        ),
    )
    .await;
    let (real, api) = example_request("redis/RedisCacheCreate.json");
    check(
        &emu,
        Case {
            made: &made,
            real,
            api: &api,
            maps: &["tags", "properties.redisConfiguration"],
            read_only: read_only("redis", "Microsoft.Cache/redis@2024-11-01"),
        },
    );
}

#[tokio::test]
async fn postgres_bodies_match_the_spec_examples() {
    let (emu, p) = recording().await;
    group(&p, "rg-pg").await;
    let server = create(
        &p,
        "azure.postgres_flexible_server",
        &from_json(
            json!({"name": "pgbody", "resource_group": "rg-pg", "location": "eastus",
            "sku": "Standard_D4ds_v5", "version": "17", "admin_login": "exampleadministratorlogin",
            "availability_zone": "1", "storage_gb": 512, "high_availability": "zone_redundant",
            "backup": {"retention_days": 7, "geo_redundant": true},
            "tags": {"InCustomerVnet": "false"}}),
        )
        .into_iter()
        .chain([(
            "admin_password".to_string(),
            Value::secret(s("examplepassword")),
        )])
        .collect(),
    )
    .await;
    let (real, api) = example_request(
        "postgres/ServersCreateInMicrosoftOwnedVirtualNetworkWithZoneRedundantHighAvailability.json",
    );
    check(
        &emu,
        Case {
            made: &server,
            real,
            api: &api,
            maps: &["tags"],
            read_only: read_only(
                "postgres",
                "Microsoft.DBforPostgreSQL/flexibleServers@2025-08-01",
            ),
        },
    );
    let children = [
        (
            "azure.postgres_database",
            json!({"name": "db1", "charset": "utf8", "collation": "en_US.utf8"}),
            "postgres/DatabasesCreate.json",
            "databases",
        ),
        (
            "azure.postgres_firewall_rule",
            json!({"name": "all", "start_ip": "0.0.0.0", "end_ip": "255.255.255.255"}),
            "postgres/FirewallRulesCreateOrUpdate.json",
            "firewallRules",
        ),
        (
            "azure.postgres_configuration",
            json!({"name": "array_nulls", "value": "on"}),
            "postgres/ConfigurationsUpdateUsingPut.json",
            "configurations",
        ),
    ];
    for (t, extra, vector, child) in children {
        let mut desired = from_json(extra);
        desired.insert("server".into(), Value::String(server.id.clone()));
        let made = create(&p, t, &desired).await;
        let (real, api) = example_request(vector);
        check(
            &emu,
            Case {
                made: &made,
                real,
                api: &api,
                maps: &[],
                read_only: read_only(
                    "postgres",
                    &format!("Microsoft.DBforPostgreSQL/flexibleServers/{child}@2025-08-01"),
                ),
            },
        );
    }
}

#[tokio::test]
async fn key_vault_secret_body_matches_the_data_plane_example() {
    let (emu, p) = recording().await;
    group(&p, "rg-kvs").await;
    let vault = create(
        &p,
        "azure.key_vault",
        &from_json(json!({"name": unique("kvsbody"), "resource_group": "rg-kvs"})),
    )
    .await;
    let mut desired = from_json(json!({"name": "crpsecret", "vault": vault.id}));
    desired.insert("value".into(), Value::secret(s("mysecretvalue")));
    create(&p, "azure.key_vault_secret", &desired).await;
    let sent = emu
        .requests()
        .into_iter()
        .rev()
        .find(|r| r.method == "PUT" && r.path.ends_with("/secrets/crpsecret"))
        .expect("a data-plane Set");
    let (real, _) = example_request("key-vault/data-plane/SetSecret-example.7.6.json");
    // The example is 7.6; the provider uses the newest stable data-plane version
    // (FINDINGS §0: date-based versions follow 7.6).
    assert_eq!(sent.api_version().as_deref(), Some("2025-07-01"));
    let found = mismatches(
        &sent.body,
        &Expect {
            real: &real,
            maps: &["tags"],
            read_only: &[],
        },
    );
    assert!(found.is_empty(), "{found:?}: {}", sent.body);
}

#[tokio::test]
async fn container_apps_bodies_match_the_spec_examples() {
    let (emu, p) = recording().await;
    group(&p, "rg-ca").await;
    let ws = create(
        &p,
        "azure.log_analytics_workspace",
        &from_json(json!({"name": "logs", "resource_group": "rg-ca"})),
    )
    .await;
    let env = create(
        &p,
        "azure.container_app_environment",
        &from_json(
            json!({"name": "demokube", "resource_group": "rg-ca", "location": "eastus",
            "logs": ws.id, "zone_redundant": true}),
        ),
    )
    .await;
    let (example, api) = example_request("container-apps/ManagedEnvironments_CreateOrUpdate.json");
    // The recorded create (azure-powershell) names the logs `destination`; the example does not.
    let recorded = recorded_request(
        "container-apps/azure-powershell_AzContainerAppManagedEnv.extract.json",
        "PUT",
    );
    let real = union(&example, &recorded);
    check(
        &emu,
        Case {
            made: &env,
            real,
            api: &api,
            maps: &["tags"],
            read_only: read_only(
                "container-apps",
                "Microsoft.App/managedEnvironments@2026-01-01",
            ),
        },
    );
    let app = create(
        &p,
        "azure.container_app",
        &from_json(json!({"name": "testcontainerapp0", "environment": env.id,
            "image": "repo/testcontainerapp0:v1", "identity": "system",
            "ingress": {"external": true, "target_port": 3000},
            "replicas": {"min_replicas": 1, "max_replicas": 5},
            "cpu": 0.5, "memory": "1Gi", "command": ["/bin/sh"], "args": ["-c", "echo"],
            "env": {"RUST_LOG": "info"}, "revisions_mode": "Multiple",
            "sidecars": [{"name": "sidecar", "image": "fluent-bit:3", "cpu": 0.25, "memory": "0.5Gi",
                "args": ["--quiet"], "env": {"LEVEL": "warn"}}]})),
    )
    .await;
    let (example, api) = example_request("container-apps/ContainerApps_CreateOrUpdate.json");
    check(
        &emu,
        Case {
            made: &app,
            real: container_app_reference(&example),
            api: &api,
            maps: &["tags"],
            read_only: read_only("container-apps", "Microsoft.App/containerApps@2026-01-01"),
        },
    );
}

/// The app example, plus what no vector shows but the containerApps schema defines
/// (bicep-types-az `Microsoft.App/containerApps` types: `configuration.activeRevisionsMode`,
/// `configuration.secrets[].{name,keyVaultUrl,identity}`, `ingress.transport`, and the
/// `BaseContainer` fields `env[].{name,value,secretRef}`, `command`, `args`, `resources`
/// that app containers share with the example's init container).
fn container_app_reference(example: &J) -> J {
    let init = example
        .pointer("/properties/template/initContainers/0")
        .cloned()
        .unwrap_or(J::Null);
    let container = union(
        &init,
        &json!({"env": [{"name": "N", "value": "v", "secretRef": "s"}]}),
    );
    let schema = json!({"properties": {
        "configuration": {
            "activeRevisionsMode": "Single",
            "secrets": [{"name": "s", "keyVaultUrl": "https://v/secrets/s", "identity": "system"}],
            "ingress": {"transport": "auto"}
        },
        "template": {"containers": [container]}
    }});
    union(example, &schema)
}
