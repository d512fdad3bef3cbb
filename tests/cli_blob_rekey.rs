//! Encryption at rest of a remote state, against Azurite: a plain state blob encrypted (with
//! its `.bak`) once encryption is configured, journal records sealed, `infra state rekey` with
//! the old version kept as `<key>.bak`, and a missing key refused without writing anything.

mod azurite;
mod common;
use azurite::{Azurite, CONTAINER};
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
