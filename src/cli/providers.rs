//! The composition root for providers: which providers serve a run's resource types. Adding a
//! provider is one line in [`for_target`]; every command that plans or applies goes through it.

use infra::engine::ProviderSet;
use infra_lang::eval::{HypervTarget, Target};
use infra_provider_azure::{AzureConfig, AzureProvider};
use infra_provider_core::{CoreProvider, DesiredResource};
use infra_provider_hyperv::{HypervProvider, Location, Shell};
use infra_provider_postgres::PostgresProvider;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The subscription the embedded emulator serves; any id works there, this one reads as fake.
pub const EMULATOR_SUBSCRIPTION: &str = "00000000-0000-0000-0000-000000000000";

/// The providers for an environment's target. `endpoint` is the running emulator's base URL
/// for `target = emulator {}`; for Azure it comes from `INFRA_AZURE_ENDPOINT` or the public
/// cloud. Commands that only predict values (no cloud call) may pass `None` for the emulator.
/// `hyperv` is the environment's Hyper-V host, if it has one.
pub fn for_target(
    target: &Target,
    hyperv: Option<&HypervTarget>,
    endpoint: Option<&str>,
) -> Result<ProviderSet, String> {
    let mut set = ProviderSet::new();
    set.add(Arc::new(CoreProvider::new()));
    // In-database objects need no target: each names its server in `connection`.
    set.add(Arc::new(PostgresProvider::new()));
    if let Some(h) = hyperv {
        set.add(Arc::new(HypervProvider::new(hyperv_shell(h)?)));
    }
    let azure = match target {
        Target::None => None,
        Target::Emulator { .. } => {
            let mut config = AzureConfig::new(EMULATOR_SUBSCRIPTION);
            config.client.endpoint = Some(endpoint.unwrap_or("http://127.0.0.1:9").to_string());
            // Key Vaults need a tenant; the emulator has one fixed tenant.
            config
                .tenant_id
                .get_or_insert_with(|| EMULATOR_SUBSCRIPTION.to_string());
            Some(config)
        }
        Target::Azure {
            subscription,
            tenant,
            ..
        } => {
            let mut config = AzureConfig::new(subscription.clone());
            if tenant.is_some() {
                config.tenant_id = tenant.clone();
            }
            Some(config)
        }
    };
    if let Some(config) = azure {
        let provider = AzureProvider::new(config)
            .map_err(|e| format!("cannot set up the Azure provider: {e}"))?;
        set.add(Arc::new(provider));
    }
    Ok(set)
}

/// The PowerShell a Hyper-V target runs: `pwsh` here, or the same over ssh.
fn hyperv_shell(h: &HypervTarget) -> Result<Shell, String> {
    let mut shell = Shell::local(h.pwsh.as_deref().unwrap_or("pwsh"));
    if let Some(host) = &h.host {
        shell.location = Location::Ssh {
            host: host.clone(),
            user: h.user.clone(),
            port: h.port,
            identity_file: h.identity_file.clone(),
            known_hosts: h.known_hosts.clone(),
        };
    }
    shell.check()?;
    Ok(shell)
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
         `infra validate` checks them all",
        lines.join("\n")
    ))
}

fn why(type_name: &str) -> &'static str {
    if type_name.starts_with("hyperv.") {
        "it needs a Hyper-V host in the environment: `target = hyperv { ... }` or, beside a \
         cloud, `target = [emulator {}, hyperv { ... }]` (docs/hyperv.md)"
    } else if type_name.starts_with("azure.") {
        "it needs `target = azure { ... }` or `target = emulator {}` in the environment, or its \
         ARM mapping is not implemented yet"
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
