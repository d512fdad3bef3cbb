//! The embedded catalog against real Azure types.

use infra_azure_types::{Resolved, Severity, ViolationKind, catalog, validate};
use serde_json::json;
use std::sync::Arc;

fn exact(type_ref: &str) -> Arc<infra_azure_types::ResourceType> {
    match catalog().resolve(type_ref) {
        Resolved::Exact(ty) => ty,
        other => panic!("{type_ref} did not resolve exactly: {other:?}"),
    }
}

fn errors(type_ref: &str, body: serde_json::Value) -> Vec<String> {
    validate(&exact(type_ref), &body)
        .into_iter()
        .filter(|v| v.severity == Severity::Error)
        .map(|v| v.to_string())
        .collect()
}

#[test]
fn the_catalog_knows_thousands_of_types_sorted_with_versions_newest_last() {
    let names: Vec<&str> = catalog().type_names().collect();
    assert!(names.len() > 2600, "{}", names.len());
    let lower: Vec<String> = names.iter().map(|n| n.to_lowercase()).collect();
    assert!(lower.windows(2).all(|w| w[0] < w[1]));
    assert!(names.contains(&"Microsoft.Web/sites"));
    let versions = catalog().versions("microsoft.web/SITES");
    assert!(versions.contains(&"2025-03-01"), "{versions:?}");
    assert_eq!(versions.last(), Some(&"2025-03-01"));
    assert!(catalog().versions("Microsoft.Nope/things").is_empty());
}

#[test]
fn a_storage_account_name_follows_azures_naming_rule() {
    let ty = "Microsoft.Storage/storageAccounts@2026-04-01";
    let body = |name: &str| json!({"name": name, "location": "westeurope", "kind": "StorageV2", "sku": {"name": "Standard_LRS"}});
    assert_eq!(errors(ty, body("mystorage01")), Vec::<String>::new());
    let bad = errors(ty, body("My_Storage"));
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert!(
        bad[0].starts_with("name: 'My_Storage' does not match the pattern"),
        "{bad:?}"
    );
    let short = errors(ty, body("ab"));
    assert_eq!(
        short,
        ["name: length 2 is not between 3 and 24 (the length must be between 3 and 24)"]
    );
}

#[test]
fn a_strict_enum_refuses_other_values_and_an_open_enum_warns() {
    let ty = exact("Microsoft.Storage/storageAccounts@2026-04-01");
    let base = |tier: &str, sku: &str| json!({"location": "x", "kind": "StorageV2", "sku": {"name": sku}, "properties": {"accessTier": tier}});
    // accessTier is a strict enum (literals only).
    let v = validate(&ty, &base("Lukewarm", "Standard_LRS"));
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(
        (v[0].severity, v[0].path.clone()),
        (
            Severity::Error,
            vec!["properties".into(), "accessTier".into()]
        )
    );
    let ViolationKind::NotAllowed { allowed, .. } = &v[0].kind else {
        panic!("{v:?}")
    };
    assert!(allowed.contains(&"Hot".to_string()) && allowed.contains(&"Cool".to_string()));
    // A case-only difference is a warning: ARM compares enums case-insensitively.
    let v = validate(&ty, &base("hot", "Standard_LRS"));
    assert_eq!(
        v.iter().map(|v| v.severity).collect::<Vec<_>>(),
        [Severity::Warning]
    );
    // sku.name is an open enum (its union includes a plain string): a new SKU only warns.
    let v = validate(&ty, &base("Hot", "Premium_XYZ"));
    assert_eq!(
        v.iter().map(|v| v.severity).collect::<Vec<_>>(),
        [Severity::Warning]
    );
    assert_eq!(
        v[0].to_string().split(" 'Standard_GRS'").next(),
        Some("sku.name: 'Premium_XYZ' is not one of the known values 'Standard_LRS',")
    );
}

#[test]
fn required_properties_are_reported_but_not_the_name_from_the_url() {
    let bad = errors(
        "Microsoft.Storage/storageAccounts@2026-04-01",
        json!({"location": "x"}),
    );
    assert_eq!(
        bad,
        [
            "sku: required property 'sku' is missing",
            "kind: required property 'kind' is missing"
        ]
    );
}

#[test]
fn an_app_service_plan_sku_is_an_object_of_strings_and_numbers() {
    let ty = "Microsoft.Web/serverfarms@2025-03-01";
    let ok = json!({"location": "westeurope", "kind": "linux", "sku": {"name": "S1", "tier": "Standard", "capacity": 2},
                    "properties": {"reserved": true}});
    assert_eq!(errors(ty, ok), Vec::<String>::new());
    let bad = errors(
        ty,
        json!({"location": "x", "sku": {"name": 1, "capacity": "two"}, "properties": {"reserved": "yes"}}),
    );
    assert_eq!(
        bad,
        [
            "sku.name: expected string, found integer",
            "sku.capacity: expected integer, found string",
            "properties.reserved: expected boolean, found string"
        ]
    );
}

#[test]
fn a_web_app_typo_gets_a_suggestion_and_a_case_difference_says_so() {
    let ty = "Microsoft.Web/sites@2025-03-01";
    let bad = errors(ty, json!({"location": "x", "propertiez": {}}));
    assert_eq!(
        bad,
        ["propertiez: unknown property 'propertiez' (did you mean 'properties'?)"]
    );
    let bad = errors(
        ty,
        json!({"location": "x", "properties": {"serverFarmid": "/subscriptions/x", "httpsOnly": true}}),
    );
    assert_eq!(
        bad,
        [
            "properties.serverFarmid: unknown property 'serverFarmid' (did you mean 'serverFarmId'? property names are case-sensitive)"
        ]
    );
    let nested = json!({"location": "x", "properties": {"siteConfig": {"linuxFxVersion": "DOCKER|nginx:1.27", "alwaysOn": true}}});
    assert_eq!(errors(ty, nested), Vec::<String>::new());
}

#[test]
fn read_only_properties_cannot_be_sent() {
    let bad = errors(
        "Microsoft.Storage/storageAccounts@2026-04-01",
        json!({"id": "/x", "location": "x", "kind": "StorageV2", "sku": {"name": "Standard_LRS"},
               "properties": {"provisioningState": "Succeeded"}}),
    );
    assert_eq!(
        bad,
        [
            "id: 'id' is read-only: Azure sets it, a request cannot",
            "properties.provisioningState: 'provisioningState' is read-only: Azure sets it, a request cannot"
        ]
    );
}

#[test]
fn a_kind_discriminated_type_checks_the_variant_the_kind_names() {
    let ty = "Microsoft.Resources/deploymentScripts@2023-08-01";
    let ok = json!({"location": "x", "kind": "AzureCLI", "properties": {"azCliVersion": "2.60.0", "retentionInterval": "P1D", "scriptContent": "echo hi"}});
    assert_eq!(errors(ty, ok), Vec::<String>::new());
    let ps_only = json!({"location": "x", "kind": "AzureCLI", "properties": {"azPowerShellVersion": "11.0", "azCliVersion": "2.60.0", "retentionInterval": "P1D"}});
    let bad = errors(ty, ps_only);
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert!(
        bad[0].starts_with("properties.azPowerShellVersion: unknown property"),
        "{bad:?}"
    );
    let bad = errors(ty, json!({"location": "x", "kind": "Bash"}));
    assert_eq!(
        bad,
        ["kind: 'Bash' is not a known variant; known: 'AzureCLI', 'AzurePowerShell'"]
    );
    let bad = errors(ty, json!({"location": "x"}));
    assert_eq!(bad, ["kind: required property 'kind' is missing"]);
}

#[test]
fn an_unknown_type_suggests_the_closest_known_types() {
    let Resolved::UnknownType { suggestions } =
        catalog().resolve("Microsoft.HyperV/virtualMachines@2099-01-01")
    else {
        panic!("HyperV resolved")
    };
    assert!(!suggestions.is_empty() && suggestions.len() <= 3);
    assert!(
        suggestions.contains(&"Microsoft.Compute/virtualMachines".to_string()),
        "{suggestions:?}"
    );
    let Resolved::UnknownType { suggestions } = catalog().resolve("Microsoft.Web/site@2025-03-01")
    else {
        panic!("site resolved")
    };
    assert_eq!(
        suggestions.first().map(String::as_str),
        Some("Microsoft.Web/sites")
    );
}

#[test]
fn an_unknown_version_uses_the_nearest_known_one() {
    let Resolved::NearestVersion {
        requested,
        used,
        ty,
    } = catalog().resolve("Microsoft.Web/sites@2099-01-01")
    else {
        panic!("not nearest")
    };
    assert_eq!(
        (requested.as_str(), used.as_str()),
        ("2099-01-01", "2025-03-01")
    );
    assert_eq!(ty.api_version, "2025-03-01");
    let Resolved::NearestVersion { used, .. } = catalog().resolve("Microsoft.Web/sites@2016-01-01")
    else {
        panic!("not nearest")
    };
    assert_eq!(used, "2015-08-01");
}

#[test]
fn malformed_references_are_named_as_such() {
    for r in [
        "",
        "Microsoft.Web",
        "Microsoft.Web/sites",
        "Microsoft.Web/sites@",
        "/sites@2020-01-01",
        "a b/c@1",
    ] {
        assert!(
            matches!(catalog().resolve(r), Resolved::Malformed(_)),
            "{r}"
        );
    }
}

#[test]
fn child_types_know_their_parent_and_link_to_the_reference() {
    let slot = exact("Microsoft.Web/sites/slots@2025-03-01");
    assert!(slot.is_child());
    assert_eq!(slot.parent_type(), Some("Microsoft.Web/sites"));
    assert_eq!(slot.writable_scopes & 8, 8);
    let site = exact("Microsoft.Web/sites@2025-03-01");
    assert!(!site.is_child() && site.parent_type().is_none());
    assert_eq!(
        site.reference_url(),
        "https://learn.microsoft.com/azure/templates/microsoft.web/2025-03-01/sites"
    );
}

#[test]
fn every_type_in_the_catalog_resolves_and_validates_an_empty_body() {
    let mut n = 0;
    for name in catalog().type_names() {
        for version in catalog().versions(name) {
            let ty = exact(&format!("{name}@{version}"));
            let _ = validate(&ty, &json!({}));
            let _ = validate(
                &ty,
                &json!({"properties": {"x": [1, {"y": null}]}, "name": "a", "kind": "k"}),
            );
            n += 1;
        }
    }
    assert_eq!(n, catalog().len());
}

#[test]
fn a_fractional_number_passes_where_the_data_says_integer_but_bounds_still_hold() {
    // Microsoft.App/containerApps: resources.cpu is a double in the REST spec, an
    // "integer" in the type data.
    let ty = "Microsoft.App/containerApps@2026-01-01";
    let app = |cpu: serde_json::Value| {
        json!({"location": "x", "properties": {"template": {"containers": [{"name": "a", "image": "i",
            "resources": {"cpu": cpu, "memory": "1Gi"}}]}}})
    };
    assert_eq!(errors(ty, app(json!(0.5))), Vec::<String>::new());
    assert_eq!(
        errors(ty, app(json!("half"))),
        ["properties.template.containers[0].resources.cpu: expected integer, found string"]
    );
    let account = |days: serde_json::Value| {
        json!({"location": "x", "kind": "StorageV2", "sku": {"name": "Standard_LRS"},
            "properties": {"immutableStorageWithVersioning": {"enabled": true,
                "immutabilityPolicy": {"immutabilityPeriodSinceCreationInDays": days}}}})
    };
    let ty = "Microsoft.Storage/storageAccounts@2026-04-01";
    assert_eq!(errors(ty, account(json!(30))), Vec::<String>::new());
    assert_eq!(
        errors(ty, account(json!(0))),
        [
            "properties.immutableStorageWithVersioning.immutabilityPolicy.immutabilityPeriodSinceCreationInDays: 0 is out of range: the value must be between 1 and 146000"
        ]
    );
}
