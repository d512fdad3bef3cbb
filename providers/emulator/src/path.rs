//! Parsing of ARM request paths. ARM compares every path segment except names
//! case-insensitively, and echoes ids in the resource provider's canonical casing,
//! so parsing keeps what was sent and `canonical_type` restores known spellings.

use crate::util::decode_segment;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ArmPath {
    Subscription {
        sub: String,
    },
    ResourceGroups {
        sub: String,
    },
    ResourceGroup {
        sub: String,
        rg: String,
    },
    /// `/subscriptions/{sub}[/resourceGroups/{rg}]/resources`
    Resources {
        sub: String,
        rg: Option<String>,
    },
    /// The resource-group deletion poll: `/subscriptions/{sub}/operationresults/{token}`.
    OperationResult {
        token: String,
    },
    /// `/subscriptions/{sub}/providers/{ns}/locations/{loc}/{kind}/{id}[/...]`: operation
    /// status/result URLs and Key Vault's deleted vaults.
    Location {
        sub: String,
        namespace: String,
        location: String,
        kind: String,
        id: String,
        tail: Vec<String>,
    },
    Provider(ResPath),
    Unknown,
}

/// A path below a `/providers/{namespace}` segment.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ResPath {
    pub sub: String,
    pub rg: Option<String>,
    /// Everything before the last `/providers/`, as sent (e.g. `/subscriptions/s/resourcegroups/r`).
    pub scope: String,
    pub namespace: String,
    pub types: Vec<String>,
    /// As many names as types for an item; one fewer for a collection or an action.
    pub names: Vec<String>,
}

impl ResPath {
    pub(crate) fn is_item(&self) -> bool {
        !self.types.is_empty() && self.names.len() == self.types.len()
    }
    /// Lower-case `namespace/type[/child]`, the key used for behaviour and latency.
    pub(crate) fn type_key(&self) -> String {
        format!("{}/{}", self.namespace, self.types.join("/")).to_ascii_lowercase()
    }
    /// The item path this collection/action path hangs under, if any.
    pub(crate) fn owner(&self) -> Option<ResPath> {
        if self.is_item() || self.names.is_empty() {
            return None;
        }
        let mut p = self.clone();
        p.types.truncate(p.names.len());
        Some(p)
    }
    pub(crate) fn name(&self) -> &str {
        self.names.last().map(String::as_str).unwrap_or("")
    }
}

fn eq(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

pub(crate) fn parse(path: &str) -> ArmPath {
    let segs: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(decode_segment)
        .collect();
    if segs.len() < 2 || !eq(&segs[0], "subscriptions") {
        return ArmPath::Unknown;
    }
    let sub = segs[1].clone();
    let last_providers = (2..segs.len().saturating_sub(1))
        .rev()
        .find(|&i| eq(&segs[i], "providers"));
    if let Some(i) = last_providers {
        let scope_segs = &segs[..i];
        let namespace = segs[i + 1].clone();
        let rest = &segs[i + 2..];
        if rest.is_empty() {
            return ArmPath::Unknown;
        }
        if scope_segs.len() == 2 && eq(&rest[0], "locations") && rest.len() >= 4 {
            return ArmPath::Location {
                sub,
                namespace,
                location: rest[1].clone(),
                kind: rest[2].clone(),
                id: rest[3].clone(),
                tail: rest[4..].to_vec(),
            };
        }
        let rg = (scope_segs.len() >= 4 && eq(&scope_segs[2], "resourcegroups"))
            .then(|| scope_segs[3].clone());
        let (types, names) =
            rest.iter()
                .enumerate()
                .fold((vec![], vec![]), |(mut t, mut n), (j, s)| {
                    if j % 2 == 0 {
                        t.push(s.clone());
                    } else {
                        n.push(s.clone());
                    }
                    (t, n)
                });
        return ArmPath::Provider(ResPath {
            sub,
            rg,
            scope: format!("/{}", scope_segs.join("/")),
            namespace,
            types,
            names,
        });
    }
    match segs.len() {
        2 => ArmPath::Subscription { sub },
        3 if eq(&segs[2], "resourcegroups") => ArmPath::ResourceGroups { sub },
        3 if eq(&segs[2], "resources") => ArmPath::Resources { sub, rg: None },
        4 if eq(&segs[2], "resourcegroups") => ArmPath::ResourceGroup {
            sub,
            rg: segs[3].clone(),
        },
        4 if eq(&segs[2], "operationresults") => ArmPath::OperationResult {
            token: segs[3].clone(),
        },
        5 if eq(&segs[2], "resourcegroups") && eq(&segs[4], "resources") => ArmPath::Resources {
            sub,
            rg: Some(segs[3].clone()),
        },
        _ => ArmPath::Unknown,
    }
}

/// Canonical spellings of the namespaces and types the emulator knows. Redis is the
/// one RP that answers with a different casing than its documented path (`Redis`).
const CANONICAL: &[(&str, &[&str])] = &[
    ("Microsoft.OperationalInsights", &["workspaces"]),
    ("Microsoft.App", &["managedEnvironments", "containerApps"]),
    (
        "Microsoft.DBforPostgreSQL",
        &[
            "flexibleServers",
            "databases",
            "firewallRules",
            "configurations",
        ],
    ),
    (
        "Microsoft.KeyVault",
        &["vaults", "secrets", "deletedVaults"],
    ),
    ("Microsoft.Cache", &["Redis"]),
    (
        "Microsoft.Network",
        &[
            "dnsZones", "A", "AAAA", "CNAME", "TXT", "MX", "NS", "SOA", "SRV", "CAA", "PTR",
        ],
    ),
    (
        "Microsoft.Authorization",
        &["roleAssignments", "roleDefinitions"],
    ),
];

/// Canonical namespace and type segments; unknown ones are echoed as sent.
pub(crate) fn canonical_type(namespace: &str, types: &[String]) -> (String, Vec<String>) {
    let Some((ns, known)) = CANONICAL.iter().find(|(ns, _)| eq(ns, namespace)) else {
        return (namespace.to_string(), types.to_vec());
    };
    let types = types
        .iter()
        .map(|t| {
            known
                .iter()
                .find(|k| eq(k, t))
                .map(|k| k.to_string())
                .unwrap_or_else(|| t.clone())
        })
        .collect();
    (ns.to_string(), types)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_resource_group_any_case() {
        assert_eq!(
            parse("/subscriptions/s/resourcegroups/rg"),
            ArmPath::ResourceGroup {
                sub: "s".into(),
                rg: "rg".into()
            }
        );
        assert_eq!(
            parse("/SUBSCRIPTIONS/s/resourceGroups/rg"),
            ArmPath::ResourceGroup {
                sub: "s".into(),
                rg: "rg".into()
            }
        );
    }

    #[test]
    fn parses_child_resource_and_collection() {
        let ArmPath::Provider(p) = parse(
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/x/databases/d",
        ) else {
            panic!("not a provider path")
        };
        assert!(p.is_item());
        assert_eq!(
            p.type_key(),
            "microsoft.dbforpostgresql/flexibleservers/databases"
        );
        assert_eq!(p.rg.as_deref(), Some("rg"));
        assert_eq!(p.names[0], "x");
        let ArmPath::Provider(c) =
            parse("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Cache/redis")
        else {
            panic!("not a provider path")
        };
        assert!(!c.is_item());
    }

    #[test]
    fn extension_scope_uses_last_providers() {
        let ArmPath::Provider(p) = parse(
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/v/providers/Microsoft.Authorization/roleAssignments/g",
        ) else {
            panic!("not a provider path")
        };
        assert_eq!(
            p.scope,
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/v"
        );
        assert_eq!(p.namespace, "Microsoft.Authorization");
    }

    #[test]
    fn location_paths_decode_display_names() {
        let ArmPath::Location { location, kind, .. } = parse(
            "/subscriptions/s/providers/Microsoft.Cache/locations/West%20US/asyncOperations/1",
        ) else {
            panic!("not a location path")
        };
        assert_eq!(location, "West US");
        assert_eq!(kind, "asyncOperations");
    }

    #[test]
    fn canonical_casing() {
        let (ns, t) = canonical_type("microsoft.cache", &["redis".to_string()]);
        assert_eq!((ns.as_str(), t[0].as_str()), ("Microsoft.Cache", "Redis"));
    }
}
