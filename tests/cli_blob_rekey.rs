//! Encryption at rest of a remote state, against Azurite: a plain state blob encrypted (with
//! its `.bak`) once encryption is configured, journal records sealed, `infra state rekey` with
//! the old version kept as `<key>.bak`, and a missing key refused without writing anything; and
//! a remote state whose keys both live in the (emulated) Key Vault, from which no guessed
//! password can be confirmed.

mod azurite;
mod common;
use azurite::{Azurite, CONTAINER};
use common::emulator::Emulator;
use common::*;
use infra::state::blob::endpoint;
use infra::state::{BlobStore, JournalEntry, KeyConfig, ResourceRecord, Wrapping};
use std::path::Path;
use std::process::{Command, Output, Stdio};

const MAIN: &str = r#"param name: string

resource a: core.data {
  input = { name = "visible-${name}" }
}
"#;

const STATE_KEY: &str = "c2VjcmV0LWZpbmdlcnByaW50LWtleS0zMi1ieXRlcyE=";

fn env_file(extra: &str, name: &str) -> String {
    format!(
        "environment dev {{\n  state = azure_blob {{ account = \"devstoreaccount1\", container = \
         \"{CONTAINER}\", key = \"dev.json\"{extra} }}\n  params = {{ name = \"{name}\" }}\n}}\n"
    )
}

fn run(args: &[&str], dir: &Path, az: &Azurite) -> Output {
    Command::new(env!("CARGO_BIN_EXE_infra"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("INFRA_BLOB_ENDPOINT", &az.endpoint)
        .env("INFRA_STATE_KEY", STATE_KEY)
        .env_remove("AZURE_STORAGE_KEY")
        .env_remove("INFRA_LEASE_SECONDS")
        .stdin(Stdio::null())
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

fn blob(az: &Azurite, name: &str) -> Vec<u8> {
    az.client(CONTAINER)
        .get(name)
        .expect("get")
        .map(|f| f.body)
        .unwrap_or_default()
}

fn encrypted(bytes: &[u8]) -> bool {
    bytes.starts_with(b"infra-encrypted 1\n")
}

fn wrapped_key(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let h: serde_json::Value =
        serde_json::from_str(text.lines().nth(1).expect("header")).expect("JSON");
    h["wrapped_key"].as_str().expect("wrapped_key").to_string()
}

const APPLY: &[&str] = &["apply", "--env", "dev", "--auto-approve"];
const REKEY: &[&str] = &["state", "rekey", "--env", "dev"];

#[test]
fn a_blob_state_is_encrypted_rekeyed_and_refused_without_its_key() {
    let az = Azurite::start();
    let keys = tempfile::tempdir().expect("tempdir");
    let key_file = keys.path().join("dev-state.key");
    let encryption = format!(", encryption = {{ key_file = \"{}\" }}", key_file.display());
    let dir = project(&[
        ("main.infra", MAIN),
        ("environments/dev.infra", &env_file("", "one")),
    ]);
    ok(&run(APPLY, dir.path(), &az));
    assert!(!encrypted(&blob(&az, "dev.json")));
    // Opt in: the next locked run encrypts the state and its backup.
    std::fs::write(
        dir.path().join("environments/dev.infra"),
        env_file(&encryption, "two"),
    )
    .expect("env");
    ok(&run(APPLY, dir.path(), &az));
    let state = blob(&az, "dev.json");
    assert!(encrypted(&state));
    assert!(encrypted(&blob(&az, "dev.json.bak")));
    for name in ["dev.json", "dev.json.bak"] {
        let text = String::from_utf8_lossy(&blob(&az, name)).into_owned();
        assert!(
            !text.contains("visible-") && !text.contains("lineage"),
            "{name}"
        );
    }
    ok(&run(
        &["plan", "--env", "dev", "--detailed-exitcode"],
        dir.path(),
        &az,
    ));
    // Rekey: a new data key; the previous blob is the backup.
    let out = ok(&run(REKEY, dir.path(), &az));
    assert!(out.contains("Re-encrypted"), "{out}");
    let rekeyed = blob(&az, "dev.json");
    assert_ne!(wrapped_key(&rekeyed), wrapped_key(&state));
    assert_eq!(blob(&az, "dev.json.bak"), state);
    ok(&run(
        &["plan", "--env", "dev", "--detailed-exitcode"],
        dir.path(),
        &az,
    ));
    let listed = ok(&run(&["state", "list", "--env", "dev"], dir.path(), &az));
    assert!(listed.contains('a'), "{listed}");
    // Journal records are sealed too (the store, as an apply uses it).
    let e = az.endpoint.clone();
    let vars = move |k: &str| (k == "INFRA_BLOB_ENDPOINT").then(|| e.clone());
    let ep = endpoint::resolve("devstoreaccount1", CONTAINER, &vars).expect("endpoint");
    let store = BlobStore::new(ep, "dev.json", "dev")
        .expect("store")
        .with_keys(KeyConfig {
            encryption: Some(Wrapping::KeyFile(key_file.clone())),
            ..KeyConfig::default()
        });
    let loaded = store.load().expect("load").state;
    let mut journal = store.open_journal(&loaded).expect("journal");
    let record: ResourceRecord = loaded.resources["a"].clone();
    journal
        .append(&JournalEntry::Put {
            address: "journaled-address".into(),
            resource: record,
        })
        .expect("append");
    journal.sync().expect("sync");
    let raw = blob(&az, "dev.json.journal");
    assert!(encrypted(&raw));
    assert!(!String::from_utf8_lossy(&raw).contains("journaled-address"));
    let peeked = store.peek().expect("peek");
    assert!(peeked.resources.contains_key("journaled-address"));
    drop(journal);
    // The next run folds the encrypted journal in.
    ok(&run(&["plan", "--env", "dev"], dir.path(), &az));
    assert!(blob(&az, "dev.json.journal").is_empty());
    // Without the key: refused, naming the blob and the key file; nothing written.
    std::fs::rename(&key_file, keys.path().join("elsewhere.key")).expect("move the key");
    let before = blob(&az, "dev.json");
    let out = run(REKEY, dir.path(), &az);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("dev.json") && err.contains("dev-state.key") && err.contains("is missing"),
        "{err}"
    );
    assert_eq!(blob(&az, "dev.json"), before);
}

const SUB: &str = "11111111-2222-3333-4444-555555555555";
const CANARY: &str = "canary-remote-5e";

/// `key_vault` (the fingerprint key as a Key Vault secret) and `encryption = { key_vault_key }`
/// on a blob state: everything the container holds is encrypted, and no 32-byte run of any
/// blob (raw, base64- or hex-decoded) confirms the password against the fingerprint the state
/// holds (read through `infra state pull`, which has the keys). A new key version and `state
/// rekey` keep it readable.
#[test]
fn a_remote_state_with_its_keys_in_key_vault_confirms_no_guess() {
    use base64::Engine;
    use infra::state::SecretKey;
    use infra_provider_core::Value;
    let az = Azurite::start();
    let data = tempfile::tempdir().expect("tempdir");
    let emulator = Emulator::start(&[], data.path());
    emulator.make_vault(SUB, "remotekv1");
    emulator.send(
        "PUT",
        "/kv/remotekv1/secrets/fingerprint?api-version=2025-07-01",
        Some(&format!("{{\"value\":\"{STATE_KEY}\"}}")),
    );
    let new_key_version = || {
        emulator.send(
            "POST",
            "/kv/remotekv1/keys/state/create?api-version=2025-07-01",
            Some(r#"{"kty":"RSA"}"#),
        )
    };
    new_key_version();
    let vault = format!("{}/kv/remotekv1", emulator.base);
    let main = "param token: secret\n\
        resource rg: azure.resource_group { name = \"remote-rg\", location = \"westeurope\" }\n\
        resource kv: azure.key_vault { name = \"appkv9\", resource_group = rg }\n\
        resource pw: azure.key_vault_secret { vault = kv, name = \"pw\", value = token }\n";
    let env = format!(
        "environment dev {{\n  target = azure {{ subscription = \"{SUB}\" }}\n  state = azure_blob \
         {{ account = \"devstoreaccount1\", container = \"{CONTAINER}\", key = \"dev.json\", \
         key_vault = {{ vault = \"{vault}\", name = \"fingerprint\" }}, encryption = {{ \
         key_vault_key = {{ vault = \"{vault}\", name = \"state\" }} }} }}\n  params = {{ token = \
         env_secret(\"INFRA_TEST_TOKEN\") }}\n}}\n"
    );
    let dir = project(&[("main.infra", main), ("environments/dev.infra", &env)]);
    let infra = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_infra"))
            .args(args)
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .env("INFRA_BLOB_ENDPOINT", &az.endpoint)
            .env("INFRA_AZURE_ENDPOINT", &emulator.base)
            .env("INFRA_TEST_TOKEN", CANARY)
            .env_remove("INFRA_STATE_KEY")
            .env_remove("AZURE_STORAGE_KEY")
            .env_remove("AZURE_TENANT_ID")
            .env_remove("AZURE_SUBSCRIPTION_ID")
            .stdin(Stdio::null())
            .output()
            .expect("run infra")
    };
    ok(&infra(APPLY));
    new_key_version();
    ok(&infra(&[
        "state",
        "rekey",
        "--env",
        "dev",
        "--keep-data-key",
    ]));
    ok(&infra(&["plan", "--env", "dev", "--detailed-exitcode"]));
    let pulled = ok(&infra(&["state", "pull", "--env", "dev"]));
    let key: [u8; 32] = base64::engine::general_purpose::STANDARD
        .decode(STATE_KEY)
        .expect("base64")
        .try_into()
        .expect("32 bytes");
    let guess = Value::str(CANARY);
    let fingerprint = SecretKey::from_bytes(key).hash(&guess);
    assert!(
        pulled.contains(&fingerprint),
        "the state keeps the keyed hash"
    );
    let client = az.client(CONTAINER);
    let names = client.list().expect("list");
    assert!(names.len() >= 2, "{names:?}");
    for name in names {
        let body = blob(&az, &name);
        let text = String::from_utf8_lossy(&body).into_owned();
        assert!(encrypted(&body), "{name} is encrypted");
        assert!(
            !text.contains(CANARY) && !text.contains("hmac-sha256"),
            "{name}"
        );
        let mut candidates = vec![body.clone()];
        for line in text.lines() {
            candidates.push(
                base64::engine::general_purpose::STANDARD
                    .decode(line.trim())
                    .unwrap_or_default(),
            );
        }
        for c in candidates {
            for w in c.windows(32) {
                let k: [u8; 32] = w.try_into().expect("32");
                assert_ne!(
                    SecretKey::from_bytes(k).hash(&guess),
                    fingerprint,
                    "{name} holds the key"
                );
            }
        }
    }
}
