//! The `state` block's key settings (`key_vault`, `key_file`, `encryption`) as the state
//! store's [`KeyConfig`]: relative key files are under the project folder, `~/` under the home
//! folder; a local state's default key file is under the user's configuration folder, named after the
//! state's lineage.

use infra::state::keyvault::VaultRef;
use infra::state::{FingerprintSource, KeyConfig, Wrapping};
use infra_lang::eval::{Encryption, EnvironmentConfig, StateConfig, VaultItem};
use std::path::{Path, PathBuf};

fn vault(v: &VaultItem) -> VaultRef {
    VaultRef {
        vault: v.vault.clone(),
        name: v.name.clone(),
    }
}

/// `~/x` under `$HOME`, a relative path under the project folder.
fn path(dir: &Path, p: &str) -> PathBuf {
    if let Some(rest) = p.strip_prefix("~/")
        && let Ok(home) = std::env::var("HOME")
    {
        return PathBuf::from(home).join(rest);
    }
    dir.join(p)
}

pub fn key_config(dir: &Path, config: &EnvironmentConfig) -> KeyConfig {
    let k = &config.state_keys;
    let fingerprint = match (&k.key_vault, &k.key_file) {
        (Some(v), _) => FingerprintSource::Vault(vault(v)),
        (None, Some(f)) => FingerprintSource::File(path(dir, f)),
        (None, None) => FingerprintSource::Default,
    };
    let default_dir = match config.state {
        StateConfig::Local { .. } => {
            infra::state::keysource::default_key_dir(&|v| std::env::var(v).ok())
        }
        StateConfig::AzureBlob { .. } => None,
    };
    let encryption = k.encryption.as_ref().map(|e| match e {
        Encryption::KeyVaultKey(v) => Wrapping::KeyVaultKey(vault(v)),
        Encryption::KeyFile(f) => Wrapping::KeyFile(path(dir, f)),
    });
    KeyConfig {
        fingerprint,
        default_dir,
        legacy_file: None,
        encryption,
    }
}
