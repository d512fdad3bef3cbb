//! Encryption at rest (opt-in per environment, `encryption = { ... }` in the state block):
//! envelope encryption around the codec's bytes, never inside them. A random 256-bit data key
//! per state encrypts each record with AES-256-GCM (*ring*, rustls's provider); the
//! data key is stored wrapped, by a Key Vault key (`wrapKey`/`unwrapKey`, RSA-OAEP-256) or by a
//! local key file (AES-256-GCM). The file says what it is and which key opens it:
//!
//! ```text
//! infra-encrypted 1
//! {"kind":"state","cipher":"A256GCM","key":{"key_vault_key":{...,"version":"..."}},"wrapped_key":"<base64>"}
//! <base64 of nonce | ciphertext | tag>          one line per record (a state: one; a journal: one per line)
//! ```
//!
//! Every record's additional data is the kind, so a journal line cannot pass for a state.

use super::StateError;
use super::keysource::Wrapping;
use super::keyvault::{self, VaultRef};
use super::secrets::SecretKey;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

pub const MAGIC: &[u8] = b"infra-encrypted 1\n";
const CIPHER: &str = "A256GCM";

/// What an encrypted file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    State,
    Journal,
    Plan,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::State => "state",
            Kind::Journal => "journal",
            Kind::Plan => "plan",
        }
    }
}

/// The key that wraps a data key, as recorded in an encrypted file's header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyRef {
    KeyVaultKey {
        vault: String,
        name: String,
        version: String,
        alg: String,
    },
    KeyFile {
        path: String,
    },
}

impl std::fmt::Display for KeyRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyRef::KeyVaultKey {
                vault,
                name,
                version,
                ..
            } => write!(
                f,
                "Key Vault key {name} (version {version}) in vault {vault}"
            ),
            KeyRef::KeyFile { path } => write!(f, "key file {path}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub kind: String,
    pub cipher: String,
    pub key: KeyRef,
    pub wrapped_key: String,
    /// Saved plans: the environment, readable without the key (to find the key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<String>,
}

/// An unwrapped data key and how it is stored.
#[derive(Clone)]
pub struct DataKey {
    key: [u8; 32],
    key_ref: KeyRef,
    wrapped: Vec<u8>,
}

/// Never prints the key.
impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DataKey({})", self.key_ref)
    }
}

fn random<const N: usize>() -> Result<[u8; N], String> {
    let mut b = [0u8; N];
    SystemRandom::new()
        .fill(&mut b)
        .map_err(|_| "no randomness available".to_string())?;
    Ok(b)
}

fn aead(key: &[u8; 32]) -> Result<LessSafeKey, String> {
    UnboundKey::new(&AES_256_GCM, key)
        .map(LessSafeKey::new)
        .map_err(|_| "bad key length".to_string())
}

/// `nonce | ciphertext | tag`.
fn seal(key: &[u8; 32], aad: &[u8], plain: &[u8]) -> Result<Vec<u8>, String> {
    let nonce: [u8; NONCE_LEN] = random()?;
    let mut buf = plain.to_vec();
    aead(key)?
        .seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(aad),
            &mut buf,
        )
        .map_err(|_| "encryption failed".to_string())?;
    let mut out = nonce.to_vec();
    out.extend_from_slice(&buf);
    Ok(out)
}

fn open(key: &[u8; 32], aad: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
    if sealed.len() < NONCE_LEN {
        return None;
    }
    let (nonce, body) = sealed.split_at(NONCE_LEN);
    let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
    let mut buf = body.to_vec();
    let plain = aead(key)
        .ok()?
        .open_in_place(nonce, Aad::from(aad), &mut buf)
        .ok()?;
    Some(plain.to_vec())
}

fn aad(kind: Kind) -> Vec<u8> {
    format!("infra-encrypted 1/{}", kind.name()).into_bytes()
}

impl DataKey {
    /// `MAGIC` and the header line.
    pub fn header(&self, kind: Kind, env: Option<&str>) -> Vec<u8> {
        let h = Header {
            kind: kind.name().into(),
            cipher: CIPHER.into(),
            key: self.key_ref.clone(),
            wrapped_key: STANDARD.encode(&self.wrapped),
            env: env.map(str::to_string),
        };
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&serde_json::to_vec(&h).unwrap_or_default());
        out.push(b'\n');
        out
    }

    /// One record as a base64 line (with its newline).
    pub fn seal_line(&self, kind: Kind, plain: &[u8]) -> Result<Vec<u8>, String> {
        let mut line = STANDARD
            .encode(seal(&self.key, &aad(kind), plain)?)
            .into_bytes();
        line.push(b'\n');
        Ok(line)
    }

    fn open_line(&self, kind: Kind, line: &[u8]) -> Option<Vec<u8>> {
        let sealed = STANDARD.decode(line.trim_ascii()).ok()?;
        open(&self.key, &aad(kind), &sealed)
    }

    pub fn key_ref(&self) -> &KeyRef {
        &self.key_ref
    }
}

/// Whether stored bytes are an encrypted file.
pub fn is_encrypted(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC)
}

/// The header of an encrypted file, and the rest; `None` for a plain file.
pub fn parse(bytes: &[u8]) -> Option<Result<(Header, &[u8]), String>> {
    let rest = bytes.strip_prefix(MAGIC)?;
    let end = rest.iter().position(|b| *b == b'\n').unwrap_or(rest.len());
    Some(
        serde_json::from_slice::<Header>(&rest[..end])
            .map(|h| (h, rest.get(end + 1..).unwrap_or_default()))
            .map_err(|e| format!("the encryption header is not valid ({e})")),
    )
}

/// Whether a wrapping configuration is the one a key reference was made with.
fn matches(w: &Wrapping, r: &KeyRef) -> bool {
    match (w, r) {
        (Wrapping::KeyVaultKey(v), KeyRef::KeyVaultKey { vault, name, .. }) => {
            v.name.eq_ignore_ascii_case(name)
                && v.same_vault(&VaultRef {
                    vault: vault.clone(),
                    name: name.clone(),
                })
        }
        (Wrapping::KeyFile(p), KeyRef::KeyFile { path }) => p == Path::new(path),
        _ => false,
    }
}

/// Encryption for one store: the configured wrapping and the data key in use (unwrapped once
/// per process, reused for every save and journal record until `rekey`).
#[derive(Clone, Default)]
pub struct Crypt {
    wrapping: Option<Wrapping>,
    current: Arc<Mutex<Option<DataKey>>>,
}

impl std::fmt::Debug for Crypt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Crypt({:?})", self.wrapping)
    }
}

fn enc_err(path: &Path, message: String) -> StateError {
    StateError::Encryption {
        path: path.to_path_buf(),
        message,
    }
}

/// The key file that wraps data keys: made (mode 0600) when `create`, else it must exist.
fn wrapping_file(p: &Path, create: bool) -> Result<SecretKey, String> {
    if !create && !p.exists() {
        return Err(format!(
            "the key file {} is missing: restore it from your backup (without it the data \
             cannot be decrypted)",
            p.display()
        ));
    }
    SecretKey::load_or_create(p).map_err(|e| e.to_string())
}

impl Crypt {
    pub fn new(wrapping: Option<Wrapping>) -> Crypt {
        Crypt {
            wrapping,
            current: Arc::default(),
        }
    }

    pub fn enabled(&self) -> bool {
        self.wrapping.is_some()
    }

    fn cached(&self) -> Option<DataKey> {
        self.current.lock().ok().and_then(|c| c.clone())
    }

    fn remember(&self, k: &DataKey) {
        if let Ok(mut c) = self.current.lock() {
            *c = Some(k.clone());
        }
    }

    /// `infra state rekey`: a new data key (or, with `keep_data_key`, the one in use) wrapped
    /// with the current version of the configured key, used by every write from now on.
    /// Returns the key references before and after.
    pub fn rekey(
        &self,
        keep_data_key: bool,
        path: &Path,
    ) -> Result<(Option<KeyRef>, KeyRef), StateError> {
        let Some(w) = &self.wrapping else {
            return Err(enc_err(
                path,
                "`infra state rekey` needs encryption configured: add `encryption = { \
                 key_vault_key = { vault = \"...\", name = \"...\" } }` or `encryption = { \
                 key_file = \"...\" }` to the state block (docs/state.md, \"Encryption at rest\")"
                    .into(),
            ));
        };
        let old = self.cached();
        let key = match (&old, keep_data_key) {
            (Some(k), true) => k.key,
            _ => random().map_err(|m| enc_err(path, m))?,
        };
        let new = self.wrap_new(w, key, path)?;
        Ok((old.map(|k| k.key_ref), new.key_ref))
    }

    /// The data key for writing: the one in use if the configuration still names its wrapping
    /// key, else a new one wrapped now.
    pub fn data_key(&self, path: &Path) -> Result<Option<DataKey>, StateError> {
        let Some(w) = &self.wrapping else {
            return Ok(None);
        };
        if let Some(k) = self.cached().filter(|k| matches(w, &k.key_ref)) {
            return Ok(Some(k));
        }
        let key: [u8; 32] = random().map_err(|m| enc_err(path, m))?;
        self.wrap_new(w, key, path).map(Some)
    }

    /// Wraps `key` with the current version of the configured wrapping key, and uses it from
    /// now on.
    fn wrap_new(&self, w: &Wrapping, key: [u8; 32], path: &Path) -> Result<DataKey, StateError> {
        let (key_ref, wrapped) = match w {
            Wrapping::KeyFile(p) => {
                let kek = wrapping_file(p, true).map_err(|m| enc_err(path, m))?;
                let wrapped =
                    seal(kek.bytes(), b"infra data key", &key).map_err(|m| enc_err(path, m))?;
                (
                    KeyRef::KeyFile {
                        path: p.display().to_string(),
                    },
                    wrapped,
                )
            }
            Wrapping::KeyVaultKey(r) => {
                let version = match keyvault::current_key_version(r) {
                    Ok(Some(v)) => v,
                    Ok(None) => {
                        return Err(enc_err(
                            path,
                            format!(
                                "encryption is configured with Key Vault key {r}, which does not \
                                 exist: create it once with `az keyvault key create --vault-name \
                                 {} --name {} --kty RSA --size 3072 --ops wrapKey unwrapKey`, and \
                                 give this identity the \"Key Vault Crypto User\" role",
                                r.vault, r.name
                            ),
                        ));
                    }
                    Err(e) => return Err(enc_err(path, format!("Key Vault key {r}: {e}"))),
                };
                let wrapped = keyvault::wrap(r, &version, &key)
                    .map_err(|e| enc_err(path, format!("cannot wrap the data key: {e}")))?;
                (
                    KeyRef::KeyVaultKey {
                        vault: r.vault.clone(),
                        name: r.name.clone(),
                        version,
                        alg: keyvault::WRAP_ALG.into(),
                    },
                    wrapped,
                )
            }
        };
        let k = DataKey {
            key,
            key_ref,
            wrapped,
        };
        self.remember(&k);
        Ok(k)
    }

    /// Unwraps the data key of a file's header. Only keys in the configured vault are asked
    /// for (a token is never sent where a file says); a key file may be any.
    fn unwrap_header(&self, h: &Header, path: &Path) -> Result<DataKey, StateError> {
        if let Some(k) = self.cached().filter(|k| k.key_ref == h.key) {
            let same = STANDARD
                .decode(&h.wrapped_key)
                .is_ok_and(|w| w == k.wrapped);
            if same {
                return Ok(k);
            }
        }
        let fix_config = |what: &str| {
            enc_err(
                path,
                format!(
                    "it is encrypted with {} ({what}): set `encryption = {}` in the state block \
                     (docs/state.md, \"Encryption at rest\")",
                    h.key,
                    match &h.key {
                        KeyRef::KeyVaultKey { vault, name, .. } => format!(
                            "{{ key_vault_key = {{ vault = \"{vault}\", name = \"{name}\" }} }}"
                        ),
                        KeyRef::KeyFile { path } => format!("{{ key_file = \"{path}\" }}"),
                    }
                ),
            )
        };
        let Some(w) = &self.wrapping else {
            return Err(fix_config("this environment configures no encryption"));
        };
        let wrapped = STANDARD
            .decode(&h.wrapped_key)
            .map_err(|e| enc_err(path, format!("the wrapped data key is not base64 ({e})")))?;
        let bad = |m: String| enc_err(path, m);
        let key: Vec<u8> = match &h.key {
            KeyRef::KeyFile { path: p } => {
                // The configured file first: the header records the path on the machine that
                // wrote it, which another machine (a pipeline) may keep elsewhere.
                let mut files: Vec<PathBuf> = Vec::new();
                if let Wrapping::KeyFile(c) = w {
                    files.push(c.clone());
                }
                if !files.iter().any(|f| f == Path::new(p)) {
                    files.push(PathBuf::from(p));
                }
                let present: Vec<&PathBuf> = files.iter().filter(|f| f.exists()).collect();
                let Some(first) = files.first() else {
                    return Err(fix_config("no key file is configured"));
                };
                if present.is_empty() {
                    let m = wrapping_file(first, false).err().unwrap_or_default();
                    return Err(bad(format!("encrypted with {}: {m}", h.key)));
                }
                present
                    .iter()
                    .find_map(|f| {
                        let kek = wrapping_file(f, false).ok()?;
                        open(kek.bytes(), b"infra data key", &wrapped)
                    })
                    .ok_or_else(|| {
                        bad(format!(
                            "{} is not the key this file was encrypted with (encrypted with {}; \
                             the data key does not unwrap): restore the key file it was written \
                             with",
                            present
                                .iter()
                                .map(|f| format!("key file {}", f.display()))
                                .collect::<Vec<_>>()
                                .join(" nor "),
                            h.key
                        ))
                    })?
            }
            KeyRef::KeyVaultKey {
                vault,
                name,
                version,
                ..
            } => {
                let r = VaultRef {
                    vault: vault.clone(),
                    name: name.clone(),
                };
                let configured_vault = match w {
                    Wrapping::KeyVaultKey(c) => c.same_vault(&r),
                    Wrapping::KeyFile(_) => false,
                };
                if !configured_vault {
                    return Err(fix_config("a vault this environment does not configure"));
                }
                keyvault::unwrap(&r, version, &wrapped).map_err(|e| {
                    bad(format!(
                        "cannot unwrap its data key with {}: {e}; if that key or version was \
                         deleted, recover it in the vault (soft delete keeps it 90 days)",
                        h.key
                    ))
                })?
            }
        };
        let key: [u8; 32] = key.try_into().map_err(|_| {
            bad(format!(
                "the data key unwrapped with {} is not 32 bytes",
                h.key
            ))
        })?;
        let k = DataKey {
            key,
            key_ref: h.key.clone(),
            wrapped,
        };
        self.remember(&k);
        Ok(k)
    }

    /// The plain bytes of a state or plan file as read (a plain one is passed through: it is
    /// encrypted on the next write).
    pub fn open_file<'a>(
        &self,
        bytes: &'a [u8],
        kind: Kind,
        path: &Path,
    ) -> Result<Cow<'a, [u8]>, StateError> {
        let Some(parsed) = parse(bytes) else {
            return Ok(Cow::Borrowed(bytes));
        };
        let (h, rest) = parsed.map_err(|m| enc_err(path, m))?;
        if h.kind != kind.name() {
            return Err(enc_err(
                path,
                format!("this is an encrypted {}, not a {}", h.kind, kind.name()),
            ));
        }
        let k = self.unwrap_header(&h, path)?;
        let line = rest.split(|b| *b == b'\n').next().unwrap_or_default();
        k.open_line(kind, line).map(Cow::Owned).ok_or_else(|| {
            enc_err(
                path,
                "the encrypted content does not decrypt (damaged, or changed without the key): \
                 restore the .bak beside it"
                    .into(),
            )
        })
    }

    /// The plain journal: every record that decrypts, and an invalid line in place of one
    /// that does not (a torn last write), so the journal reader reports it as skipped.
    pub fn open_journal<'a>(
        &self,
        bytes: &'a [u8],
        path: &Path,
    ) -> Result<Cow<'a, [u8]>, StateError> {
        let Some(parsed) = parse(bytes) else {
            return Ok(Cow::Borrowed(bytes));
        };
        let (h, rest) = parsed.map_err(|m| enc_err(path, m))?;
        let k = self.unwrap_header(&h, path)?;
        let mut plain = Vec::with_capacity(rest.len());
        for line in rest.split(|b| *b == b'\n') {
            if line.trim_ascii().is_empty() {
                continue;
            }
            match k.open_line(Kind::Journal, line) {
                Some(p) => plain.extend_from_slice(&p),
                None => plain.extend_from_slice(b"(an encrypted record that does not decrypt)\n"),
            }
        }
        Ok(Cow::Owned(plain))
    }

    /// The bytes to store for a state or plan: encrypted when configured.
    pub fn seal_file(
        &self,
        plain: Vec<u8>,
        kind: Kind,
        env: Option<&str>,
        path: &Path,
    ) -> Result<Vec<u8>, StateError> {
        let Some(k) = self.data_key(path)? else {
            return Ok(plain);
        };
        let mut out = k.header(kind, env);
        out.extend(k.seal_line(kind, &plain).map_err(|m| enc_err(path, m))?);
        Ok(out)
    }
}

/// A saved plan's plain bytes, opened with the key its header names (a saved plan is shown
/// and applied without the project's configuration at hand). A Key Vault key is asked for only
/// at a Key Vault host (`*.vault.azure.net` and the sovereign clouds') or this machine, so a
/// file cannot send a token anywhere else.
pub fn open_plan<'a>(bytes: &'a [u8], path: &Path) -> Result<Cow<'a, [u8]>, StateError> {
    let Some(parsed) = parse(bytes) else {
        return Ok(Cow::Borrowed(bytes));
    };
    let (h, _) = parsed.map_err(|m| enc_err(path, m))?;
    let wrapping = match &h.key {
        KeyRef::KeyFile { path: p } => Wrapping::KeyFile(p.into()),
        KeyRef::KeyVaultKey { vault, name, .. } => {
            let r = VaultRef {
                vault: vault.clone(),
                name: name.clone(),
            };
            if !r.is_key_vault_host() {
                return Err(enc_err(
                    path,
                    format!(
                        "it is encrypted with {}, which is not at a Key Vault host",
                        h.key
                    ),
                ));
            }
            Wrapping::KeyVaultKey(r)
        }
    };
    Crypt::new(Some(wrapping)).open_file(bytes, Kind::Plan, path)
}

/// One journal record, encrypted, as a line.
pub fn journal_line(k: &DataKey, plain: &[u8], path: &Path) -> Result<Vec<u8>, StateError> {
    k.seal_line(Kind::Journal, plain)
        .map_err(|m| enc_err(path, m))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crypt(dir: &Path, name: &str) -> Crypt {
        Crypt::new(Some(Wrapping::KeyFile(dir.join(name))))
    }

    #[test]
    fn a_state_round_trips_and_says_which_key_opens_it() {
        let dir = tempfile::tempdir().unwrap();
        let c = crypt(dir.path(), "k1");
        let p = Path::new("dev.state.json");
        let sealed = c
            .seal_file(b"{\"serial\":1}".to_vec(), Kind::State, None, p)
            .unwrap();
        assert!(sealed.starts_with(MAGIC));
        assert!(!String::from_utf8_lossy(&sealed).contains("serial"));
        let (h, _) = parse(&sealed).unwrap().unwrap();
        assert_eq!(h.cipher, "A256GCM");
        assert!(matches!(&h.key, KeyRef::KeyFile { path } if path.ends_with("k1")));
        // A fresh process (nothing cached) opens it with the key file.
        let fresh = crypt(dir.path(), "k1");
        assert_eq!(
            &*fresh.open_file(&sealed, Kind::State, p).unwrap(),
            b"{\"serial\":1}"
        );
        // A plain file is read as it is (upgraded on the next write).
        assert_eq!(&*fresh.open_file(b"{}", Kind::State, p).unwrap(), b"{}");
        // Kinds are bound: a state is not a plan.
        assert!(fresh.open_file(&sealed, Kind::Plan, p).is_err());
    }

    #[test]
    fn a_missing_or_wrong_key_is_refused_naming_the_file_the_key_and_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        let c = crypt(dir.path(), "k1");
        let p = Path::new("dev.state.json");
        let sealed = c.seal_file(b"{}".to_vec(), Kind::State, None, p).unwrap();
        // Not configured at all.
        let err = Crypt::new(None)
            .open_file(&sealed, Kind::State, p)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("dev.state.json") && err.contains("key_file") && err.contains("k1"),
            "{err}"
        );
        // A key file elsewhere (another machine's path) is found through the configuration.
        std::fs::copy(dir.path().join("k1"), dir.path().join("k1.copy")).unwrap();
        let elsewhere = crypt(dir.path(), "k1.copy");
        assert_eq!(
            &*elsewhere.open_file(&sealed, Kind::State, p).unwrap(),
            b"{}"
        );
        std::fs::remove_file(dir.path().join("k1.copy")).unwrap();
        // Another key in the same place.
        let key_path = dir.path().join("k1");
        std::fs::rename(&key_path, dir.path().join("k1.old")).unwrap();
        let err = crypt(dir.path(), "k1")
            .open_file(&sealed, Kind::State, p)
            .unwrap_err();
        assert!(err.to_string().contains("is missing"), "{err}");
        std::fs::write(&key_path, "ab".repeat(32)).unwrap();
        let err = crypt(dir.path(), "k1")
            .open_file(&sealed, Kind::State, p)
            .unwrap_err();
        assert!(err.to_string().contains("not the key"), "{err}");
    }

    #[test]
    fn a_damaged_journal_line_costs_only_itself() {
        let dir = tempfile::tempdir().unwrap();
        let c = crypt(dir.path(), "k");
        let p = Path::new("dev.journal");
        let k = c.data_key(p).unwrap().unwrap();
        let mut bytes = k.header(Kind::Journal, None);
        bytes.extend(journal_line(&k, b"{\"a\":1}\n", p).unwrap());
        bytes.extend(journal_line(&k, b"{\"b\":2}\n", p).unwrap());
        let torn = journal_line(&k, b"{\"c\":3}\n", p).unwrap();
        bytes.extend_from_slice(&torn[..torn.len() / 2]);
        let plain = crypt(dir.path(), "k").open_journal(&bytes, p).unwrap();
        let text = String::from_utf8_lossy(&plain);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[..2], ["{\"a\":1}", "{\"b\":2}"]);
        assert!(lines[2].contains("does not decrypt"));
    }
}
