//! Where the secret-fingerprint key comes from (docs/state.md, "Secret-hash key"): a Key Vault
//! secret read over HTTP from the emulator, the default file under the user's configuration
//! folder (never beside the state), and the move of a key infra once kept in `.infra/<env>.key`.

mod common;
use common::emulator::Emulator;
use common::*;
use infra::state::SecretKey;
use infra_provider_core::Value;
use std::path::Path;
use std::process::{Command, Output};

const SUB: &str = "11111111-2222-3333-4444-555555555555";
const CANARY: &str = "canary-5ec4e7-pw";
/// base64 of 32 bytes, as `INFRA_STATE_KEY` or the Key Vault secret holds it.
const STATE_KEY: &str = "c2VjcmV0LWZpbmdlcnByaW50LWtleS0zMi1ieXRlcyE=";

const MAIN: &str = r#"param token: secret

resource rg: azure.resource_group {
  name     = "keys-rg"
  location = "westeurope"
}

resource kv: azure.key_vault {
  name           = "appkv1"
  resource_group = rg
}

resource pw: azure.key_vault_secret {
  vault = kv
  name  = "pw"
  value = token
}
"#;

fn env_file(state: &str) -> String {
    format!(
        "environment dev {{\n  target = azure {{ subscription = \"{SUB}\" }}\n  state = {state}\n  \
         params = {{ token = env_secret(\"INFRA_TEST_TOKEN\") }}\n}}\n"
    )
}

fn run(dir: &Path, emulator: &Emulator, config_home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_infra"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("INFRA_AZURE_ENDPOINT", &emulator.base)
        .env("INFRA_TEST_TOKEN", CANARY)
        .env("XDG_CONFIG_HOME", config_home)
        .env_remove("INFRA_STATE_KEY")
        .env_remove("AZURE_TENANT_ID")
        .env_remove("AZURE_SUBSCRIPTION_ID")
        .output()
        .expect("run infra")
}

fn ok(out: &Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        stdout(out),
        stderr(out)
    );
    format!("{}{}", stdout(out), stderr(out))
}

fn failed(out: &Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(1),
        "stdout:\n{}\nstderr:\n{}",
        stdout(out),
        stderr(out)
    );
    stderr(out)
}

const APPLY: &[&str] = &["apply", "--env", "dev", "--auto-approve"];
const PLAN: &[&str] = &["plan", "--env", "dev", "--detailed-exitcode"];

fn make_vault(emulator: &Emulator, name: &str) {
    emulator.make_vault(SUB, name);
}

fn files_under(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push((
                p.display().to_string(),
                std::fs::read(&p).unwrap_or_default(),
            ));
        }
    }
    out
}

fn key_of(base64_text: &str) -> SecretKey {
    use base64::Engine;
    let bytes: [u8; 32] = base64::engine::general_purpose::STANDARD
        .decode(base64_text)
        .expect("base64")
        .try_into()
        .expect("32 bytes");
    SecretKey::from_bytes(bytes)
}

/// Whatever 32-byte run of `files` (raw, base64-decoded or hex-decoded) is tried as the key,
/// the guess is not confirmed against `state`.
fn assert_no_key_among(files: &[(String, Vec<u8>)], state: &str, guess: &Value) {
    for (name, body) in files {
        let text = String::from_utf8_lossy(body);
        use base64::Engine;
        let hex: Option<Vec<u8>> = text
            .trim()
            .len()
            .is_multiple_of(2)
            .then(|| {
                (0..text.trim().len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(text.trim().get(i..i + 2)?, 16).ok())
                    .collect()
            })
            .flatten();
        let candidates = [
            body.clone(),
            base64::engine::general_purpose::STANDARD
                .decode(text.trim())
                .unwrap_or_default(),
            hex.unwrap_or_default(),
        ];
        for c in candidates {
            for w in c.windows(32) {
                let k: [u8; 32] = w.try_into().expect("32");
                assert!(
                    !state.contains(&SecretKey::from_bytes(k).hash(guess)),
                    "{name} holds the key"
                );
            }
        }
    }
}

/// `key_vault = { vault, name }`: the key is read from a Key Vault secret over HTTP (here the
/// emulator's); missing, the run is refused with the command that creates it. Nothing in the
/// project folder nor the configuration folder can confirm a guessed password afterwards.
#[test]
fn the_key_comes_from_a_key_vault_secret_and_nothing_stored_confirms_a_guess() {
    let data = tempfile::tempdir().expect("tempdir");
    let emulator = Emulator::start(&[], data.path());
    let config_home = tempfile::tempdir().expect("tempdir");
    make_vault(&emulator, "statekv1");
    let state = format!(
        "local {{ key_vault = {{ vault = \"{}/kv/statekv1\", name = \"fingerprint\" }} }}",
        emulator.base
    );
    let dir = project(&[
        ("main.infra", MAIN),
        ("environments/dev.infra", &env_file(&state)),
    ]);
    let err = failed(&run(dir.path(), &emulator, config_home.path(), APPLY));
    assert!(
        err.contains("fingerprint in vault")
            && err.contains("does not exist")
            && err.contains("az keyvault secret set --vault-name"),
        "{err}"
    );
    emulator.send(
        "PUT",
        "/kv/statekv1/secrets/fingerprint?api-version=2025-07-01",
        Some(&format!("{{\"value\":\"{STATE_KEY}\"}}")),
    );
    ok(&run(dir.path(), &emulator, config_home.path(), APPLY));
    ok(&run(dir.path(), &emulator, config_home.path(), PLAN));
    let state_text =
        std::fs::read_to_string(dir.path().join(".infra/dev.state.json")).expect("state");
    let guess = Value::str(CANARY);
    assert!(
        state_text.contains(&key_of(STATE_KEY).hash(&guess)),
        "the fingerprint is keyed with the vault's secret"
    );
    let mut stored = files_under(&dir.path().join(".infra"));
    stored.retain(|(n, _)| !n.contains("/emulator/"));
    assert!(!stored.is_empty());
    stored.extend(files_under(config_home.path()));
    assert!(
        !stored.iter().any(|(n, _)| n.ends_with(".key")),
        "no key file is made: {:?}",
        stored.iter().map(|(n, _)| n).collect::<Vec<_>>()
    );
    assert_no_key_among(&stored, &state_text, &guess);
    // A value in the vault that is not a key is refused, not used.
    emulator.send(
        "PUT",
        "/kv/statekv1/secrets/fingerprint?api-version=2025-07-01",
        Some("{\"value\":\"short\"}"),
    );
    let err = failed(&run(dir.path(), &emulator, config_home.path(), PLAN));
    assert!(err.contains("not a usable secret-fingerprint key"), "{err}");
    assert!(!err.contains("short"), "the value is never echoed: {err}");
}

/// A local state's key goes to the configuration folder; a key infra kept beside the state
/// (`.infra/<env>.key`) is moved there on first use, keeping its value, so the recorded
/// fingerprints stay valid (the plan after the move is empty).
#[test]
fn a_local_key_lives_in_the_config_folder_and_an_old_one_is_moved_there() {
    let data = tempfile::tempdir().expect("tempdir");
    let emulator = Emulator::start(&[], data.path());
    let config_home = tempfile::tempdir().expect("tempdir");
    let dir = project(&[
        ("main.infra", MAIN),
        ("environments/dev.infra", &env_file("local {}")),
    ]);
    let old_hex = "5a".repeat(32);
    std::fs::create_dir_all(dir.path().join(".infra")).expect("mkdir");
    std::fs::write(dir.path().join(".infra/dev.key"), &old_hex).expect("old key");
    let out = ok(&run(dir.path(), &emulator, config_home.path(), APPLY));
    assert!(
        out.contains("moved the secret-fingerprint key from") && out.contains("dev.key"),
        "{out}"
    );
    assert!(!dir.path().join(".infra/dev.key").exists());
    let keys: Vec<_> = files_under(config_home.path())
        .into_iter()
        .filter(|(n, _)| n.ends_with("/dev.key"))
        .collect();
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert_eq!(String::from_utf8_lossy(&keys[0].1), old_hex);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&keys[0].0)
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let state_text =
        std::fs::read_to_string(dir.path().join(".infra/dev.state.json")).expect("state");
    let old = SecretKey::from_bytes([0x5a; 32]);
    assert!(state_text.contains(&old.hash(&Value::str(CANARY))));
    let out = ok(&run(dir.path(), &emulator, config_home.path(), PLAN));
    assert!(!out.contains("moved"), "{out}");
    assert_no_key_among(
        &files_under(&dir.path().join(".infra"))
            .into_iter()
            .filter(|(n, _)| !n.contains("/emulator/"))
            .collect::<Vec<_>>(),
        &state_text,
        &Value::str(CANARY),
    );
}

fn is_encrypted(path: &Path) -> bool {
    std::fs::read(path)
        .map(|b| b.starts_with(b"infra-encrypted 1\n"))
        .unwrap_or(false)
}

fn header(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).expect("read");
    serde_json::from_str(text.lines().nth(1).expect("header line")).expect("header JSON")
}

/// `encryption = { key_file = ... }`: a plain state is encrypted on the first write after the
/// opt-in; state, backup and saved plan hold no name or value in clear; a saved plan is shown
/// and applied; without the key file every reader refuses, naming the file, the key and the fix.
#[test]
fn state_and_saved_plans_are_encrypted_with_a_key_file_and_refused_without_it() {
    let data = tempfile::tempdir().expect("tempdir");
    let emulator = Emulator::start(&[], data.path());
    let config_home = tempfile::tempdir().expect("tempdir");
    let keys = tempfile::tempdir().expect("tempdir");
    let key_file = keys.path().join("dev-state.key");
    let dir = project(&[
        ("main.infra", MAIN),
        ("environments/dev.infra", &env_file("local {}")),
    ]);
    ok(&run(dir.path(), &emulator, config_home.path(), APPLY));
    let state = dir.path().join(".infra/dev.state.json");
    assert!(!is_encrypted(&state));
    let encrypted_env = env_file(&format!(
        "local {{ encryption = {{ key_file = \"{}\" }} }}",
        key_file.display()
    ));
    std::fs::write(dir.path().join("environments/dev.infra"), &encrypted_env).expect("env");
    // The opt-in: the next write (here the plan's save before --out) encrypts.
    let plan_file = dir.path().join("dev.plan");
    let out = run(
        dir.path(),
        &emulator,
        config_home.path(),
        &[
            "plan",
            "--env",
            "dev",
            "--out",
            plan_file.to_str().expect("utf-8"),
        ],
    );
    ok(&out);
    ok(&run(dir.path(), &emulator, config_home.path(), APPLY));
    assert!(is_encrypted(&state), "the state is encrypted once written");
    assert!(
        is_encrypted(&dir.path().join(".infra/dev.state.json.bak")),
        "no plain copy stays in the backup"
    );
    assert!(key_file.exists());
    let h = header(&state);
    assert_eq!(h["kind"], "state");
    assert_eq!(h["cipher"], "A256GCM");
    assert_eq!(h["key"]["key_file"]["path"], key_file.display().to_string());
    for f in [&state, &plan_file] {
        let text = std::fs::read_to_string(f).expect("read");
        for clear in ["keys-rg", "appkv1", "hmac-sha256", "lineage", CANARY] {
            assert!(!text.contains(clear), "{clear} in {}", f.display());
        }
    }
    assert!(is_encrypted(&plan_file));
    let shown = ok(&run(
        dir.path(),
        &emulator,
        config_home.path(),
        &["show", plan_file.to_str().expect("utf-8")],
    ));
    assert!(
        shown.contains("pw") || shown.contains("No changes"),
        "{shown}"
    );
    ok(&run(dir.path(), &emulator, config_home.path(), PLAN));
    ok(&run(
        dir.path(),
        &emulator,
        config_home.path(),
        &["state", "list", "--env", "dev"],
    ));
    // The key file gone: refused, naming the state file, the key file and what to do.
    std::fs::rename(&key_file, keys.path().join("moved.key")).expect("move the key");
    let err = failed(&run(dir.path(), &emulator, config_home.path(), PLAN));
    assert!(
        err.contains("dev.state.json") && err.contains("dev-state.key") && err.contains("restore"),
        "{err}"
    );
    let err = failed(&run(
        dir.path(),
        &emulator,
        config_home.path(),
        &["state", "list", "--env", "dev"],
    ));
    assert!(err.contains("is missing"), "{err}");
    // Another key in its place does not open it either.
    std::fs::write(&key_file, "cd".repeat(32)).expect("other key");
    let err = failed(&run(dir.path(), &emulator, config_home.path(), PLAN));
    assert!(err.contains("not the key"), "{err}");
    // Encryption taken out of the configuration: refused, saying which setting opens it.
    std::fs::rename(keys.path().join("moved.key"), &key_file).expect("restore the key");
    std::fs::write(
        dir.path().join("environments/dev.infra"),
        env_file("local {}"),
    )
    .expect("env");
    let err = failed(&run(dir.path(), &emulator, config_home.path(), PLAN));
    assert!(
        err.contains("configures no encryption") && err.contains("key_file ="),
        "{err}"
    );
}

/// `encryption = { key_vault_key = ... }`: the data key is wrapped by the emulator's Key Vault
/// (wrapKey/unwrapKey, RSA-OAEP-256); a missing key is refused with the command that makes it.
#[test]
fn state_is_encrypted_with_a_key_vault_key() {
    let data = tempfile::tempdir().expect("tempdir");
    let emulator = Emulator::start(&[], data.path());
    let config_home = tempfile::tempdir().expect("tempdir");
    make_vault(&emulator, "statekv2");
    let state = format!(
        "local {{ encryption = {{ key_vault_key = {{ vault = \"{}/kv/statekv2\", name = \"wrap\" }} }} }}",
        emulator.base
    );
    let dir = project(&[
        ("main.infra", MAIN),
        ("environments/dev.infra", &env_file(&state)),
    ]);
    let err = failed(&run(dir.path(), &emulator, config_home.path(), APPLY));
    assert!(
        err.contains("wrap in vault") && err.contains("az keyvault key create"),
        "{err}"
    );
    let created = emulator.send(
        "POST",
        "/kv/statekv2/keys/wrap/create?api-version=2025-07-01",
        Some(r#"{"kty":"RSA","key_size":2048,"key_ops":["wrapKey","unwrapKey"]}"#),
    );
    let kid = serde_json::from_str::<serde_json::Value>(&created).expect("JSON")["key"]["kid"]
        .as_str()
        .expect("kid")
        .to_string();
    ok(&run(dir.path(), &emulator, config_home.path(), APPLY));
    ok(&run(dir.path(), &emulator, config_home.path(), PLAN));
    let path = dir.path().join(".infra/dev.state.json");
    assert!(is_encrypted(&path));
    let h = header(&path);
    let recorded = &h["key"]["key_vault_key"];
    assert_eq!(recorded["name"], "wrap");
    assert_eq!(recorded["alg"], "RSA-OAEP-256");
    assert!(kid.ends_with(recorded["version"].as_str().expect("version")));
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(!text.contains("appkv1") && !text.contains("hmac-sha256"));
}

fn wrapped_key(path: &Path) -> String {
    header(path)["wrapped_key"]
        .as_str()
        .expect("wrapped_key")
        .to_string()
}

/// `infra state rekey`: a new data key (the state re-encrypted, the old file kept as .bak and
/// still readable with the key), then a new key file swapped in by configuration; without the
/// key it is refused and nothing is written; without encryption configured it says how.
#[test]
fn rekey_makes_a_new_data_key_and_refuses_without_the_key() {
    let data = tempfile::tempdir().expect("tempdir");
    let emulator = Emulator::start(&[], data.path());
    let config_home = tempfile::tempdir().expect("tempdir");
    let keys = tempfile::tempdir().expect("tempdir");
    let with_key = |name: &str| {
        env_file(&format!(
            "local {{ encryption = {{ key_file = \"{}\" }} }}",
            keys.path().join(name).display()
        ))
    };
    let dir = project(&[
        ("main.infra", MAIN),
        ("environments/dev.infra", &env_file("local {}")),
    ]);
    let rekey = ["state", "rekey", "--env", "dev"];
    let err = failed(&run(dir.path(), &emulator, config_home.path(), &rekey));
    assert!(err.contains("needs encryption configured"), "{err}");
    std::fs::write(dir.path().join("environments/dev.infra"), with_key("a.key")).expect("env");
    ok(&run(dir.path(), &emulator, config_home.path(), APPLY));
    let state = dir.path().join(".infra/dev.state.json");
    let bak = dir.path().join(".infra/dev.state.json.bak");
    let before = wrapped_key(&state);
    let before_bytes = std::fs::read(&state).expect("state");
    let out = ok(&run(dir.path(), &emulator, config_home.path(), &rekey));
    assert!(
        out.contains("Re-encrypted") && out.contains("a new data key"),
        "{out}"
    );
    assert_ne!(wrapped_key(&state), before, "a new data key");
    assert_eq!(
        std::fs::read(&bak).expect("bak"),
        before_bytes,
        "the old file is the .bak"
    );
    ok(&run(dir.path(), &emulator, config_home.path(), PLAN));
    // --keep-data-key keeps the data key's wrapping under the same key file working too.
    ok(&run(
        dir.path(),
        &emulator,
        config_home.path(),
        &["state", "rekey", "--env", "dev", "--keep-data-key"],
    ));
    ok(&run(dir.path(), &emulator, config_home.path(), PLAN));
    // A new key file: configured, rekeyed (the old one is read through the header), then the
    // old key file is no longer needed.
    std::fs::write(dir.path().join("environments/dev.infra"), with_key("b.key")).expect("env");
    ok(&run(dir.path(), &emulator, config_home.path(), &rekey));
    assert!(
        header(&state)["key"]["key_file"]["path"]
            .as_str()
            .expect("path")
            .ends_with("b.key")
    );
    std::fs::remove_file(keys.path().join("a.key")).expect("drop the old key");
    ok(&run(dir.path(), &emulator, config_home.path(), PLAN));
    // Missing key: refused, nothing written.
    std::fs::rename(keys.path().join("b.key"), keys.path().join("b.moved")).expect("move");
    let current = std::fs::read(&state).expect("state");
    let err = failed(&run(dir.path(), &emulator, config_home.path(), &rekey));
    assert!(err.contains("b.key") && err.contains("is missing"), "{err}");
    assert_eq!(std::fs::read(&state).expect("state"), current);
}

/// A new version of the Key Vault key (`az keyvault key rotate`): `state rekey` wraps the data
/// key with it, and the state still opens.
#[test]
fn rekey_wraps_with_the_key_vault_keys_new_version() {
    let data = tempfile::tempdir().expect("tempdir");
    let emulator = Emulator::start(&[], data.path());
    let config_home = tempfile::tempdir().expect("tempdir");
    make_vault(&emulator, "statekv3");
    let create = || {
        let created = emulator.send(
            "POST",
            "/kv/statekv3/keys/wrap/create?api-version=2025-07-01",
            Some(r#"{"kty":"RSA"}"#),
        );
        let kid = serde_json::from_str::<serde_json::Value>(&created).expect("JSON")["key"]["kid"]
            .as_str()
            .expect("kid")
            .to_string();
        kid.rsplit('/').next().expect("version").to_string()
    };
    let v1 = create();
    let state = format!(
        "local {{ encryption = {{ key_vault_key = {{ vault = \"{}/kv/statekv3\", name = \"wrap\" }} }} }}",
        emulator.base
    );
    let dir = project(&[
        ("main.infra", MAIN),
        ("environments/dev.infra", &env_file(&state)),
    ]);
    ok(&run(dir.path(), &emulator, config_home.path(), APPLY));
    let path = dir.path().join(".infra/dev.state.json");
    let version = |p: &Path| header(p)["key"]["key_vault_key"]["version"].clone();
    assert_eq!(version(&path), v1.as_str());
    let v2 = create();
    // Without rekey the data key stays wrapped by the version it was made with.
    ok(&run(dir.path(), &emulator, config_home.path(), PLAN));
    assert_eq!(version(&path), v1.as_str());
    let out = ok(&run(
        dir.path(),
        &emulator,
        config_home.path(),
        &["state", "rekey", "--env", "dev", "--keep-data-key"],
    ));
    assert!(out.contains(&v2) && out.contains(&v1), "{out}");
    assert_eq!(version(&path), v2.as_str());
    assert_eq!(
        version(&dir.path().join(".infra/dev.state.json.bak")),
        v1.as_str()
    );
    ok(&run(dir.path(), &emulator, config_home.path(), PLAN));
}
