//! A small, hand-written ARM type catalog for the checker's typed-reference cases: the real
//! data lives in providers/azure-types, which this crate must not depend on. Each type has
//! just the shapes the rules need (enums open and strict, bounds, a pattern, a discriminated
//! object, read-only, write-only and sensitive properties, every placement).

#![allow(dead_code)]

use infra_provider_core::typed::{
    PatternMatcher, Placement, Resolution, TypeDef, TypeIdx, TypeProp, TypeResolver, TypedSchema,
    flags::*,
};
use std::sync::Arc;

/// Only the one pattern the fixture uses; any other is "cannot tell".
fn matcher(pattern: &str, value: &str) -> Option<bool> {
    (pattern == "^[a-z0-9]+$").then(|| {
        !value.is_empty()
            && value
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    })
}

#[derive(Default)]
struct Arena(Vec<TypeDef>);

impl Arena {
    fn add(&mut self, d: TypeDef) -> TypeIdx {
        self.0.push(d);
        (self.0.len() - 1) as TypeIdx
    }
    fn string(&mut self) -> TypeIdx {
        self.add(TypeDef::String {
            min_len: None,
            max_len: None,
            pattern: None,
            sensitive: false,
        })
    }
    fn enumeration(&mut self, values: &[&str], open: bool) -> TypeIdx {
        let mut members: Vec<TypeIdx> = values
            .iter()
            .map(|v| self.add(TypeDef::Literal(v.to_string())))
            .collect();
        if open {
            members.push(self.string());
        }
        self.add(TypeDef::Union(members))
    }
    fn object(&mut self, name: &str, props: Vec<TypeProp>) -> TypeIdx {
        self.add(TypeDef::Object {
            name: name.into(),
            props,
            additional: None,
            sensitive: false,
        })
    }
}

fn p(name: &str, ty: TypeIdx, flags: u8) -> TypeProp {
    TypeProp {
        name: name.into(),
        ty,
        flags,
    }
}

fn envelope(a: &mut Arena) -> Vec<TypeProp> {
    let name = a.add(TypeDef::String {
        min_len: Some(2),
        max_len: Some(24),
        pattern: Some("^[a-z0-9]+$".into()),
        sensitive: false,
    });
    let s = a.string();
    vec![
        p("id", s, READ_ONLY),
        p("type", s, READ_ONLY),
        p("name", name, REQUIRED | DEPLOY_TIME_CONSTANT | IDENTIFIER),
    ]
}

fn sites() -> TypedSchema {
    let mut a = Arena::default();
    let mut body = envelope(&mut a);
    let s = a.string();
    let b = a.add(TypeDef::Bool);
    let tags_val = a.string();
    let tags = a.add(TypeDef::Object {
        name: "tags".into(),
        props: vec![],
        additional: Some(tags_val),
        sensitive: false,
    });
    let kind = a.enumeration(&["app", "linux"], true);
    let sku_name = a.enumeration(&["S1", "B1"], false);
    let capacity = a.add(TypeDef::Int {
        min: Some(1),
        max: Some(10),
    });
    let sku = a.object(
        "Sku",
        vec![p("name", sku_name, REQUIRED), p("capacity", capacity, 0)],
    );
    let id_type = a.enumeration(&["SystemAssigned", "UserAssigned"], false);
    let identity = a.object(
        "Identity",
        vec![p("type", id_type, REQUIRED), p("principalId", s, READ_ONLY)],
    );
    let secret = a.add(TypeDef::String {
        min_len: None,
        max_len: None,
        pattern: None,
        sensitive: true,
    });
    let setting = a.object("Setting", vec![p("name", s, REQUIRED), p("value", s, 0)]);
    let settings = a.add(TypeDef::Array {
        item: setting,
        min_len: None,
        max_len: Some(2),
    });
    let config = a.object(
        "SiteConfig",
        vec![p("alwaysOn", b, 0), p("appSettings", settings, 0)],
    );
    let props = a.object(
        "SiteProperties",
        vec![
            p("serverFarmId", s, 0),
            p("httpsOnly", b, 0),
            p("defaultHostName", s, READ_ONLY),
            p("deployToken", s, WRITE_ONLY),
            p("adminPassword", secret, 0),
            p("siteConfig", config, 0),
        ],
    );
    body.extend([
        p("location", s, REQUIRED | DEPLOY_TIME_CONSTANT),
        p("tags", tags, 0),
        p("kind", kind, 0),
        p("sku", sku, 0),
        p("identity", identity, 0),
        p("properties", props, 0),
    ]);
    let root = a.object("Site", body);
    schema("Test.Web/sites", Placement::Group, a, root)
}

fn slots() -> TypedSchema {
    let mut a = Arena::default();
    let mut body = envelope(&mut a);
    let s = a.string();
    let b = a.add(TypeDef::Bool);
    let props = a.object("SlotProperties", vec![p("httpsOnly", b, 0)]);
    body.extend([
        p("location", s, DEPLOY_TIME_CONSTANT),
        p("properties", props, 0),
    ]);
    let root = a.object("Slot", body);
    schema(
        "Test.Web/sites/slots",
        Placement::Child {
            parent_type: "Test.Web/sites".into(),
        },
        a,
        root,
    )
}

fn locks() -> TypedSchema {
    let mut a = Arena::default();
    let mut body = envelope(&mut a);
    let level = a.enumeration(&["CanNotDelete", "ReadOnly"], false);
    let props = a.object("LockProperties", vec![p("level", level, REQUIRED)]);
    body.push(p("properties", props, REQUIRED));
    let root = a.object("Lock", body);
    schema("Test.Auth/locks", Placement::Extension, a, root)
}

fn rules() -> TypedSchema {
    let mut a = Arena::default();
    let mut body = envelope(&mut a);
    let threshold = a.add(TypeDef::Int {
        min: Some(10),
        max: None,
    });
    let s = a.string();
    let rate = a.object("RateRule", vec![p("threshold", threshold, REQUIRED)]);
    let matching = a.object("MatchRule", vec![p("pattern", s, REQUIRED)]);
    let priority = a.add(TypeDef::Int {
        min: Some(1),
        max: Some(100),
    });
    let props = a.add(TypeDef::Discriminated {
        name: "Rule".into(),
        discriminator: "ruleType".into(),
        base: vec![p("ruleType", s, REQUIRED), p("priority", priority, 0)],
        elements: vec![("Rate".into(), rate), ("Match".into(), matching)],
    });
    body.push(p("properties", props, REQUIRED));
    let root = a.object("RuleSet", body);
    schema("Test.Net/rules", Placement::Group, a, root)
}

fn budgets() -> TypedSchema {
    let mut a = Arena::default();
    let body = envelope(&mut a);
    let root = a.object("Budget", body);
    schema("Test.Cost/budgets", Placement::Subscription, a, root)
}

fn schema(name: &str, placement: Placement, a: Arena, body: TypeIdx) -> TypedSchema {
    TypedSchema {
        type_name: name.into(),
        api_version: "2025-01-01".into(),
        placement,
        defs: a.0,
        body,
        matcher: PatternMatcher(matcher),
    }
}

pub struct Fixture;

const NAMES: [&str; 5] = [
    "Test.Auth/locks",
    "Test.Cost/budgets",
    "Test.Net/rules",
    "Test.Web/sites",
    "Test.Web/sites/slots",
];

impl TypeResolver for Fixture {
    fn resolve(&self, type_ref: &str) -> Resolution {
        let Some((name, version)) = type_ref.split_once('@') else {
            return Resolution::Malformed("no `@api-version`".into());
        };
        let ty = match name.to_ascii_lowercase().as_str() {
            "test.web/sites" => sites(),
            "test.web/sites/slots" => slots(),
            "test.auth/locks" => locks(),
            "test.net/rules" => rules(),
            "test.cost/budgets" => budgets(),
            _ => {
                let lower = name.to_ascii_lowercase();
                let suggestions = NAMES
                    .iter()
                    .filter(|n| {
                        n.split('/').next().map(str::to_ascii_lowercase)
                            == lower.split('/').next().map(str::to_string)
                    })
                    .map(|n| n.to_string())
                    .collect();
                return Resolution::UnknownType { suggestions };
            }
        };
        if version == "2025-01-01" {
            Resolution::Found(Arc::new(ty))
        } else {
            Resolution::NearestVersion {
                requested: version.into(),
                used: "2025-01-01".into(),
                schema: Arc::new(ty),
            }
        }
    }
    fn type_names(&self) -> Vec<String> {
        NAMES.iter().map(|s| s.to_string()).collect()
    }
    fn versions(&self, _: &str) -> Vec<String> {
        vec!["2025-01-01".into()]
    }
}
