//! resolve and validate never panic, whatever they are given.

use infra_azure_types::{catalog, validate};
use proptest::prelude::*;
use serde_json::Value;

fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,30}".prop_map(Value::String),
        prop_oneof![
            Just("properties"),
            Just("sku"),
            Just("kind"),
            Just("name"),
            Just("location")
        ]
        .prop_map(|s| Value::String(s.into())),
    ];
    leaf.prop_recursive(4, 40, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        Just("properties".to_string()),
                        Just("sku".to_string()),
                        Just("kind".to_string()),
                        Just("name".to_string()),
                        Just("siteConfig".to_string()),
                        "[a-zA-Z]{1,12}"
                    ],
                    inner
                ),
                0..6
            )
            .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

const TYPES: &[&str] = &[
    "Microsoft.Web/sites@2025-03-01",
    "Microsoft.Storage/storageAccounts@2026-04-01",
    "Microsoft.Resources/deploymentScripts@2023-08-01",
    "Microsoft.Network/frontDoorWebApplicationFirewallPolicies@2025-03-01",
];

proptest! {
    // Each unknown reference is compared with every known type name: keep the debug run short.
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn resolve_never_panics(s in ".{0,60}") {
        let _ = catalog().resolve(&s);
        let _ = catalog().versions(&s);
    }

    #[test]
    fn resolve_never_panics_on_near_references(ns in "[A-Za-z.]{0,20}", t in "[A-Za-z/]{0,20}", v in "[0-9a-z-]{0,14}") {
        let _ = catalog().resolve(&format!("{ns}/{t}@{v}"));
    }

    #[test]
    fn validate_never_panics(body in json(), which in 0..TYPES.len()) {
        if let Some(ty) = catalog().resolve(TYPES[which]).resource_type() {
            let _ = validate(ty, &body);
        }
    }
}
