//! The composition root for providers: which providers serve a run's resource types. Adding a
//! provider is one line in [`for_target`]; every command that plans or applies goes through it.

use infra::engine::ProviderSet;
use infra_lang::eval::Target;
use infra_provider_core::{CoreProvider, DesiredResource};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The providers for an environment's target.
pub fn for_target(target: &Target) -> ProviderSet {
    let _ = target; // The Azure provider will be built from it (endpoint, subscription).
    let mut set = ProviderSet::new();
    set.add(Arc::new(CoreProvider::new()));
    set
}

/// Refuses resources whose type no wired provider serves, naming the types and the addresses
/// that use them. `infra validate` does not go through here: it needs schemas only.
pub fn check_wired<'a>(
    resources: impl Iterator<Item = (&'a str, &'a str)>,
    providers: &ProviderSet,
) -> Result<(), String> {
    let mut missing: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (address, type_name) in resources {
        if providers.provider(type_name).is_none() {
            missing.entry(type_name).or_default().push(address);
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    let lines: Vec<String> = missing
        .iter()
        .map(|(t, addrs)| {
            let more = if addrs.len() > 3 {
                format!(" and {} more", addrs.len() - 3)
            } else {
                String::new()
            };
            let shown: Vec<&str> = addrs.iter().take(3).copied().collect();
            format!("  `{t}` (used by {}{more}): {}", shown.join(", "), why(t))
        })
        .collect();
    Err(format!(
        "these resource types cannot be planned or applied by this build:\n{}\n\
         `infra validate` checks them; to plan and apply now, use only built-in types (core.data)",
        lines.join("\n")
    ))
}

fn why(type_name: &str) -> &'static str {
    if type_name.starts_with("azure.") {
        "the Azure provider is not wired into the command line yet"
    } else {
        "no provider serves this type"
    }
}

/// The desired resources as (address, type) pairs, for [`check_wired`].
pub fn pairs(resources: &[DesiredResource]) -> impl Iterator<Item = (&str, &str)> {
    resources
        .iter()
        .map(|r| (r.address.as_str(), r.type_name.as_str()))
}
