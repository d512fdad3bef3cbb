//! Where the key that fingerprints secrets comes from, never beside the state by default: a
//! Key Vault secret (`key_vault = { vault, name }`), a key file (`key_file = "..."`),
//! `INFRA_STATE_KEY`, or (local state only) a file under the user's configuration folder,
//! `~/.config/infra/keys/<project>-<id>/<env>.key`. A key infra once kept at
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
    /// Local state: the key file used when nothing else is configured.
    pub default_file: Option<PathBuf>,
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

/// `$XDG_CONFIG_HOME/infra/keys/<folder>-<id>/<env>.key`, else under `$HOME/.config`: `<id>`
/// is a hash of the project folder's absolute path, so two checkouts never share a key file by
/// accident. `None` without either variable.
pub fn default_key_file(
    project: &Path,
    env: &str,
    var: &dyn Fn(&str) -> Option<String>,
) -> Option<PathBuf> {
    let base = var("XDG_CONFIG_HOME")
        .filter(|v| !v.trim().is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            var("HOME")
                .filter(|v| !v.trim().is_empty())
                .map(|h| PathBuf::from(h).join(".config"))
        })?;
    let abs = std::fs::canonicalize(project).unwrap_or_else(|_| project.to_path_buf());
    let digest = sha2::Sha256::digest(abs.to_string_lossy().as_bytes());
    let id: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
    let folder = abs
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "project".into());
    let safe: String = folder
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    Some(
        base.join("infra")
            .join("keys")
            .join(format!("{safe}-{id}"))
            .join(format!("{env}.key")),
    )
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
pub fn local_key(cfg: &KeyConfig, env_key: Option<&str>) -> Result<FoundKey, String> {
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
            None => match &cfg.default_file {
                Some(p) => file_with_migration(cfg.legacy_file.as_deref(), p),
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

    fn cfg(dir: &Path) -> KeyConfig {
        KeyConfig {
            default_file: Some(dir.join("home/infra/keys/p/dev.key")),
            legacy_file: Some(dir.join("proj/.infra/dev.key")),
            ..KeyConfig::default()
        }
    }

    #[test]
    fn a_new_local_key_goes_to_the_config_folder_not_beside_the_state() {
        let dir = tempfile::tempdir().unwrap();
        let c = cfg(dir.path());
        let found = local_key(&c, None).unwrap();
        assert!(found.note.is_none());
        let file = c.default_file.clone().unwrap();
        assert!(file.exists());
        assert!(!c.legacy_file.clone().unwrap().exists());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let again = local_key(&c, None).unwrap();
        assert!(again.key.same_as(&found.key));
    }

    #[test]
    fn an_old_key_beside_the_state_is_moved_and_keeps_its_value() {
        let dir = tempfile::tempdir().unwrap();
        let c = cfg(dir.path());
        let legacy = c.legacy_file.clone().unwrap();
        let old = SecretKey::load_or_create(&legacy).unwrap();
        let found = local_key(&c, None).unwrap();
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
            let keys_dir = c.default_file.clone().unwrap();
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
        let err = local_key(&c, None).err().unwrap();
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
        assert!(local_key(&c, Some(&text)).is_ok());
        let legacy = c.legacy_file.clone().unwrap();
        std::fs::create_dir_all(legacy.parent().unwrap()).unwrap();
        std::fs::write(&legacy, "09".repeat(32)).unwrap();
        let err = local_key(&c, Some(&text)).err().unwrap();
        assert!(err.contains("delete that file"), "{err}");
        std::fs::write(&legacy, "0a".repeat(32)).unwrap();
        let err = local_key(&c, Some(&text)).err().unwrap();
        assert!(err.contains("not the one"), "{err}");
    }

    #[test]
    fn the_default_key_file_is_per_project_under_the_config_folder() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        let b = dir.path().join("b");
        std::fs::create_dir_all(&a).unwrap();
        std::fs::create_dir_all(&b).unwrap();
        let var = |k: &str| (k == "HOME").then(|| "/home/u".to_string());
        let fa = default_key_file(&a, "dev", &var).unwrap();
        let fb = default_key_file(&b, "dev", &var).unwrap();
        assert!(fa.starts_with("/home/u/.config/infra/keys"), "{fa:?}");
        assert!(fa.ends_with("dev.key"));
        assert_ne!(fa, fb);
        let none = |_: &str| None;
        assert!(default_key_file(&a, "dev", &none).is_none());
        let xdg = |k: &str| (k == "XDG_CONFIG_HOME").then(|| "/cfg".to_string());
        assert!(
            default_key_file(&a, "dev", &xdg)
                .unwrap()
                .starts_with("/cfg/infra/keys")
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
