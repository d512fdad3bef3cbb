//! Where the key that fingerprints secrets comes from, never beside the state by default: a
//! Key Vault secret (`key_vault = { vault, name }`), a key file (`key_file = "..."`),
//! `INFRA_STATE_KEY`, or (local state only) a file under the user's configuration folder,
//! `~/.config/infra/keys/<lineage>/<env>.key`. A key infra once kept at
//! `.infra/<env>.key` is moved there on first use (docs/state.md, "Secret-hash key").

use super::blob::key_from_base64;
use super::keyvault::{self, VaultRef};
use super::secrets::SecretKey;
use sha2::Digest;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The configured source of the secret-fingerprint key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum FingerprintSource {
    /// `INFRA_STATE_KEY`, else (local state) the default key file.
    #[default]
    Default,
    Vault(VaultRef),
    File(PathBuf),
}

/// What wraps a state's data key when the state is encrypted at rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wrapping {
    KeyVaultKey(VaultRef),
    KeyFile(PathBuf),
}

/// The key settings of one environment's state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyConfig {
    pub fingerprint: FingerprintSource,
    /// Local state: the folder of the key file used when nothing else is configured
    /// (`<dir>/<lineage>/<env>.key`: named after the state's lineage, so a copied or moved
    /// project keeps finding its key).
    pub default_dir: Option<PathBuf>,
    /// Local state: where infra kept the key before (`.infra/<env>.key`); moved from.
    pub legacy_file: Option<PathBuf>,
    /// Encryption at rest (opt-in).
    pub encryption: Option<Wrapping>,
}

/// The key, and what was done to find it (a migration), for the run to report.
pub struct FoundKey {
    pub key: SecretKey,
    pub note: Option<String>,
}

/// `$XDG_CONFIG_HOME/infra/keys`, else `$HOME/.config/infra/keys`; `None` without either.
pub fn default_key_dir(var: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let base = var("XDG_CONFIG_HOME")
        .filter(|v| !v.trim().is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            var("HOME")
                .filter(|v| !v.trim().is_empty())
                .map(|h| PathBuf::from(h).join(".config"))
        })?;
    Some(base.join("infra").join("keys"))
}

/// The default key file of a state: `<dir>/<lineage>/<env>.key` (a lineage that is not a plain
/// name is hashed, so it never escapes the folder).
pub fn default_key_file(dir: &Path, lineage: &str, env: &str) -> PathBuf {
    let plain = !lineage.is_empty()
        && lineage.len() <= 64
        && lineage
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    let folder = if plain {
        lineage.to_string()
    } else {
        let digest = sha2::Sha256::digest(lineage.as_bytes());
        digest[..16].iter().map(|b| format!("{b:02x}")).collect()
    };
    let name: String = env
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    dir.join(folder).join(format!("{name}.key"))
}

/// Reads the key from a Key Vault secret (the base64 of 32 bytes, as for `INFRA_STATE_KEY`).
pub fn from_vault(r: &VaultRef) -> Result<SecretKey, String> {
    match keyvault::get_secret(r) {
        Ok(Some(text)) => key_from_base64(&text).map_err(|e| {
            format!("the Key Vault secret {r} is not a usable secret-fingerprint key: {e}")
        }),
        Ok(None) => Err(format!(
            "the secret-fingerprint key is configured as Key Vault secret {r}, which does not \
             exist: create it once with `az keyvault secret set --vault-name {} --name {} \
             --value \"$(openssl rand -base64 32)\"` (or store an existing INFRA_STATE_KEY \
             there), and give this identity the \"Key Vault Secrets User\" role",
            r.vault, r.name
        )),
        Err(e) => Err(format!(
            "cannot read the secret-fingerprint key from Key Vault secret {r}: {e}"
        )),
    }
}

/// Resolves the key for a local state (the caller turns the error into a diagnostic naming
/// the state).
/// `lineage` and `env` name the default key file.
pub fn local_key(
    cfg: &KeyConfig,
    env_key: Option<&str>,
    lineage: &str,
    env: &str,
) -> Result<FoundKey, String> {
    let env_key = env_key.filter(|t| !t.trim().is_empty());
    let elsewhere = |key: SecretKey| -> Result<FoundKey, String> {
        refuse_legacy_beside(cfg.legacy_file.as_deref(), &key)?;
        Ok(FoundKey { key, note: None })
    };
    match &cfg.fingerprint {
        FingerprintSource::Vault(r) => elsewhere(from_vault(r)?),
        FingerprintSource::File(p) => file_with_migration(cfg.legacy_file.as_deref(), p),
        FingerprintSource::Default => match env_key {
            Some(text) => {
                elsewhere(key_from_base64(text).map_err(|e| format!("INFRA_STATE_KEY: {e}"))?)
            }
            None => match &cfg.default_dir {
                Some(d) => file_with_migration(
                    cfg.legacy_file.as_deref(),
                    &default_key_file(d, lineage, env),
                ),
                None => Err(
                    "no place for the secret-fingerprint key: neither XDG_CONFIG_HOME \
                             nor HOME is set; set `key_file = \"...\"` in the state block or \
                             INFRA_STATE_KEY (docs/state.md, \"Secret-hash key\")"
                        .into(),
                ),
            },
        },
    }
}

/// A key file that is configured for a remote state: read, never created (every machine and
/// pipeline must hold the same key).
pub fn existing_file(p: &Path) -> Result<SecretKey, String> {
    if !p.exists() {
        return Err(format!(
            "the secret-fingerprint key file {} does not exist: a remote state's key must be the \
             same for every run, so infra does not make one here; copy it from where the state \
             was first applied, or create it once with `openssl rand -hex 32 > {0} && chmod 600 \
             {0}` and distribute it",
            p.display()
        ));
    }
    SecretKey::load_or_create(p).map_err(|e| e.to_string())
}

/// The key in `target`, moving a key infra kept beside the state (`legacy`) there first.
fn file_with_migration(legacy: Option<&Path>, target: &Path) -> Result<FoundKey, String> {
    let note = match legacy.filter(|l| l.exists() && *l != target) {
        None => None,
        Some(old) => Some(move_legacy(old, target)?),
    };
    let key = SecretKey::load_or_create(target).map_err(|e| e.to_string())?;
    Ok(FoundKey { key, note })
}

fn read_trimmed(p: &Path) -> Result<String, String> {
    std::fs::read_to_string(p)
        .map(|t| t.trim().to_string())
        .map_err(|e| format!("{}: {e}", p.display()))
}

/// Moves `.infra/<env>.key` to `target` (0600, its folder 0700), or removes it when `target`
/// already holds the same key; refuses when they differ, with the two ways out.
fn move_legacy(old: &Path, target: &Path) -> Result<String, String> {
    let content = read_trimmed(old)?;
    // Refuse a file that is not a key before moving it anywhere.
    SecretKey::load_or_create(old).map_err(|e| e.to_string())?;
    if target.exists() {
        if read_trimmed(target)? != content {
            return Err(format!(
                "two different secret-fingerprint keys: {} (where infra kept it beside the \
                 state) and {}. The state's fingerprints were made with the first if it was last \
                 applied by an older infra: then `mv -f {0} {1}`; otherwise delete {0}",
                old.display(),
                target.display()
            ));
        }
    } else {
        if let Some(dir) = target.parent() {
            let mut b = std::fs::DirBuilder::new();
            b.recursive(true);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
            b.create(dir)
                .map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let io = |e: std::io::Error| format!("{}: {e}", target.display());
        let mut f = opts.open(target).map_err(io)?;
        f.write_all(content.as_bytes()).map_err(io)?;
        f.sync_all().map_err(io)?;
    }
    std::fs::remove_file(old).map_err(|e| format!("{}: {e}", old.display()))?;
    Ok(format!(
        "moved the secret-fingerprint key from {} (beside the state) to {}; back it up apart \
         from the state",
        old.display(),
        target.display()
    ))
}

/// With the key from Key Vault or the environment, a key file still beside the state is
/// refused: whoever reads the folder could confirm guesses with it.
fn refuse_legacy_beside(legacy: Option<&Path>, key: &SecretKey) -> Result<(), String> {
    let Some(old) = legacy.filter(|l| l.exists()) else {
        return Ok(());
    };
    let same = SecretKey::load_or_create(old)
        .map(|k| k.same_as(key))
        .unwrap_or(false);
    Err(if same {
        format!(
            "the secret-fingerprint key is still stored beside the state, in {}, although the \
             configured source holds the same key: delete that file",
            old.display()
        )
    } else {
        format!(
            "the configured secret-fingerprint key is not the one this state was written with \
             (kept in {} beside the state): store that file's key (`xxd -r -p {0} | base64`) in \
             the configured source, then delete the file; or delete the file to accept that \
             every secret plans as changed once",
            old.display()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINEAGE: &str = "5f0c2a1e-9b7d-4c3e-a1f2-0d9e8c7b6a54";

    fn cfg(dir: &Path) -> KeyConfig {
        KeyConfig {
            default_dir: Some(dir.join("home/infra/keys")),
            legacy_file: Some(dir.join("proj/.infra/dev.key")),
            ..KeyConfig::default()
        }
    }

    #[test]
    fn a_new_local_key_goes_to_the_config_folder_not_beside_the_state() {
        let dir = tempfile::tempdir().unwrap();
        let c = cfg(dir.path());
        let found = local_key(&c, None, LINEAGE, "dev").unwrap();
        assert!(found.note.is_none());
        let file = default_key_file(&c.default_dir.clone().unwrap(), LINEAGE, "dev");
        assert!(file.ends_with(format!("{LINEAGE}/dev.key")));
        assert!(file.exists());
        assert!(!c.legacy_file.clone().unwrap().exists());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let again = local_key(&c, None, LINEAGE, "dev").unwrap();
        assert!(again.key.same_as(&found.key));
    }

    #[test]
    fn an_old_key_beside_the_state_is_moved_and_keeps_its_value() {
        let dir = tempfile::tempdir().unwrap();
        let c = cfg(dir.path());
        let legacy = c.legacy_file.clone().unwrap();
        let old = SecretKey::load_or_create(&legacy).unwrap();
        let found = local_key(&c, None, LINEAGE, "dev").unwrap();
        assert!(
            found.key.same_as(&old),
            "same key, so the hashes stay valid"
        );
        let note = found.note.unwrap();
        assert!(note.contains("moved") && note.contains("dev.key"), "{note}");
        assert!(!legacy.exists());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let keys_dir = default_key_file(&c.default_dir.clone().unwrap(), LINEAGE, "dev");
            let mode = std::fs::metadata(keys_dir.parent().unwrap())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o700);
        }
        // Two different keys: refused, nothing moved or lost.
        let other = SecretKey::load_or_create(&legacy);
        assert!(other.is_ok());
        std::fs::write(&legacy, "ab".repeat(32)).unwrap();
        let err = local_key(&c, None, LINEAGE, "dev").err().unwrap();
        assert!(
            err.contains("two different") && err.contains("mv -f"),
            "{err}"
        );
        assert!(legacy.exists());
    }

    #[test]
    fn with_the_key_from_the_environment_a_file_beside_the_state_is_refused() {
        use base64::Engine;
        let dir = tempfile::tempdir().unwrap();
        let c = cfg(dir.path());
        let text = base64::engine::general_purpose::STANDARD.encode([9u8; 32]);
        assert!(local_key(&c, Some(&text), LINEAGE, "dev").is_ok());
        let legacy = c.legacy_file.clone().unwrap();
        std::fs::create_dir_all(legacy.parent().unwrap()).unwrap();
        std::fs::write(&legacy, "09".repeat(32)).unwrap();
        let err = local_key(&c, Some(&text), LINEAGE, "dev").err().unwrap();
        assert!(err.contains("delete that file"), "{err}");
        std::fs::write(&legacy, "0a".repeat(32)).unwrap();
        let err = local_key(&c, Some(&text), LINEAGE, "dev").err().unwrap();
        assert!(err.contains("not the one"), "{err}");
    }

    #[test]
    fn the_default_key_file_is_per_state_under_the_config_folder() {
        let var = |k: &str| (k == "HOME").then(|| "/home/u".to_string());
        let dir = default_key_dir(&var).unwrap();
        assert_eq!(dir, Path::new("/home/u/.config/infra/keys"));
        let none = |_: &str| None;
        assert!(default_key_dir(&none).is_none());
        let xdg = |k: &str| (k == "XDG_CONFIG_HOME").then(|| "/cfg".to_string());
        assert_eq!(default_key_dir(&xdg).unwrap(), Path::new("/cfg/infra/keys"));
        assert_eq!(
            default_key_file(&dir, LINEAGE, "dev"),
            dir.join(LINEAGE).join("dev.key")
        );
        // A lineage that is not a plain name never escapes the folder.
        let odd = default_key_file(&dir, "../../etc", "dev");
        assert!(
            odd.starts_with(&dir) && !odd.to_string_lossy().contains(".."),
            "{odd:?}"
        );
    }

    #[test]
    fn a_remote_states_key_file_is_never_made_up() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("state.key");
        let err = existing_file(&p).err().unwrap();
        assert!(err.contains("openssl rand -hex 32"), "{err}");
        assert!(!p.exists());
    }
}
