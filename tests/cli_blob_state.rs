//! Remote state in Azure Blob Storage, against Azurite (the real storage emulator): apply and
//! plan, the lease lock (a second apply refused with who holds it; a killed holder's lease
//! expiring by itself or broken with `infra state unlock`; recovery from the journal), writes
//! refused on a stale ETag, no secret in any blob, and the error paths.

mod azurite;
mod common;
use azurite::{Azurite, CONTAINER};
use common::*;
use infra::state::blob::endpoint;
use infra::state::{BlobStore, State};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const MAIN: &str = r#"param environment: string
param token: secret

resource a: core.data {
  input = { name = "a-${environment}" }
}

resource b: core.data {
  input = { name = "b", from = a.output.name }
}

output name = b.output.name
output connection: secret = "Password=${token}"
"#;

const CANARY: &str = "canary-b10b5ec7";

fn env_file(key: &str) -> String {
    format!(
        "environment dev {{\n  state = azure_blob {{ account = \"devstoreaccount1\", container = \
         \"{CONTAINER}\", key = \"{key}\" }}\n  params = {{ environment = \"dev\", token = \
         env_secret(\"INFRA_TEST_TOKEN\") }}\n}}\n"
    )
}

fn sample(main: &str) -> tempfile::TempDir {
    project(&[
        ("main.infra", main),
        ("environments/dev.infra", &env_file("dev.json")),
    ])
}

/// A command line of `infra` with a clean environment pointed at `endpoint`.
/// The secret-fingerprint key the runs get, as a pipeline would from its secret store.
const STATE_KEY: &str = "c2VjcmV0LWZpbmdlcnByaW50LWtleS0zMi1ieXRlcyE=";

fn command(args: &[&str], dir: &Path, endpoint: &str, extra: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_infra"));
    cmd.args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("INFRA_BLOB_ENDPOINT", endpoint)
        .env("INFRA_TEST_TOKEN", CANARY)
        .env_remove("AZURE_STORAGE_KEY")
        .env("INFRA_STATE_KEY", STATE_KEY)
        .env_remove("INFRA_LEASE_SECONDS")
        .stdin(Stdio::null());
    for (k, v) in extra {
        cmd.env(k, v);
    }
    cmd
}

fn run(args: &[&str], dir: &Path, endpoint: &str) -> Output {
    command(args, dir, endpoint, &[])
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
    stdout(out)
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

#[test]
fn apply_then_plan_is_empty_and_state_commands_work_on_the_blob() {
    let az = Azurite::start();
    let dir = sample(MAIN);
    let e = az.endpoint.as_str();
    let applied = run(APPLY, dir.path(), e);
    ok(&applied);
    assert!(stderr(&applied).contains("2 added"), "{}", stderr(&applied));

    let plan = run(
        &["plan", "--env", "dev", "--detailed-exitcode"],
        dir.path(),
        e,
    );
    ok(&plan);
    assert!(
        !dir.path().join(".infra/dev.state.json").exists(),
        "state went local"
    );

    let list = ok(&run(&["state", "list", "--env", "dev"], dir.path(), e));
    assert_eq!(list.lines().collect::<Vec<_>>(), ["a", "b"]);
    assert_eq!(
        ok(&run(&["output", "name", "--env", "dev"], dir.path(), e)).trim(),
        "b"
    );
    let pulled = ok(&run(&["state", "pull", "--env", "dev"], dir.path(), e));
    ok(&run(
        &["state", "mv", "a", "a2", "--env", "dev"],
        dir.path(),
        e,
    ));
    ok(&run(&["state", "rm", "b", "--env", "dev"], dir.path(), e));
    let list = ok(&run(&["state", "list", "--env", "dev"], dir.path(), e));
    assert_eq!(list.lines().collect::<Vec<_>>(), ["a2"]);
    // Putting the pulled state back restores both (its serial is older: --force).
    let file = dir.path().join("pulled.json");
    std::fs::write(&file, pulled).expect("write");
    ok(&run(
        &["state", "push", "pulled.json", "--force", "--env", "dev"],
        dir.path(),
        e,
    ));
    ok(&run(
        &["plan", "--env", "dev", "--detailed-exitcode"],
        dir.path(),
        e,
    ));

    // The previous version is kept beside the state.
    let names = az.client(CONTAINER).list().expect("list");
    assert!(names.contains(&"dev.json.bak".to_string()), "{names:?}");
    // The secret-fingerprint key is never stored beside the state.
    assert!(!names.iter().any(|n| n.ends_with(".key")), "{names:?}");
    assert!(
        !names.contains(&"dev.json.journal".to_string()),
        "{names:?}"
    );

    // Destroy empties it.
    ok(&run(
        &["destroy", "--env", "dev", "--auto-approve"],
        dir.path(),
        e,
    ));
    assert_eq!(
        ok(&run(&["state", "list", "--env", "dev"], dir.path(), e)),
        ""
    ); // Every run released its lease: there is nothing to break.
    let unlock = run(&["state", "unlock", "--env", "dev"], dir.path(), e);
    ok(&unlock);
    assert!(
        stderr(&unlock).contains("was not locked"),
        "{}",
        stderr(&unlock)
    );
}

/// Starts a slow apply and returns once `address` is reported created, with the rest of its
/// stderr as it comes.
fn start_apply(
    dir: &Path,
    endpoint: &str,
    extra: &[(&str, &str)],
    address: &str,
) -> (Child, Arc<Mutex<String>>) {
    let mut child = command(APPLY, dir, endpoint, extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start apply");
    let mut reader = BufReader::new(child.stderr.take().expect("stderr"));
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        let n = reader.read_line(&mut line).expect("read stderr");
        assert!(
            n > 0,
            "the apply ended before {address} was created:\n{seen}"
        );
        seen.push_str(&line);
        if line.starts_with(&format!("{address}: created")) {
            break;
        }
    }
    // Keep reading stderr so that the child never blocks on a full pipe.
    let rest = Arc::new(Mutex::new(String::new()));
    let sink = rest.clone();
    std::thread::spawn(move || {
        let mut line = String::new();
        while reader.read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
            if let Ok(mut s) = sink.lock() {
                s.push_str(&line);
            }
            line.clear();
        }
    });
    (child, rest)
}

const SLOW: &str = r#"param environment: string
param token: secret

resource a: core.data {
  input = "a"
}

resource b: core.data {
  input = a.output
  delay_ms = 60000
}
"#;

const SLOW_ENV: &[(&str, &str)] = &[("INFRA_LEASE_SECONDS", "15")];

#[test]
fn a_second_apply_is_refused_with_the_holder_and_how_to_unlock() {
    let az = Azurite::start();
    let dir = sample(SLOW);
    let e = az.endpoint.as_str();
    let (mut first, _) = start_apply(dir.path(), e, &[], "a");
    let second = run(APPLY, dir.path(), e);
    let err = failed(&second);
    for part in [
        "locked by",
        "since",
        "run id r-",
        "`apply`",
        "expires by itself within 60 s",
        "infra state unlock --env dev",
    ] {
        assert!(err.contains(part), "{part} missing in: {err}");
    }
    // Run from elsewhere, the hint names the project folder.
    let project_dir = dir.path().to_string_lossy().into_owned();
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let args = ["apply", &project_dir, "--env", "dev", "--auto-approve"];
    let out = command(&args, elsewhere.path(), e, &[])
        .output()
        .expect("run");
    let err = failed(&out);
    let hint = format!("infra state unlock --env dev --dir {project_dir}");
    assert!(err.contains(&hint), "{hint} missing in: {err}");
    let _ = first.kill();
    let _ = first.wait();
}

/// Waits until the journal blob holds a record for `address`: the apply hands records to a
/// background writer, so "created" on the terminal may come just before it is stored.
fn wait_for_journal(az: &Azurite, address: &str) {
    let client = az.client(CONTAINER);
    let deadline = Instant::now() + Duration::from_secs(30);
    let needle = format!("\"address\":\"{address}\"");
    loop {
        let body = client
            .get("dev.json.journal")
            .expect("read journal")
            .map(|f| String::from_utf8_lossy(&f.body).into_owned())
            .unwrap_or_default();
        if body.contains(&needle) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "no journal record for {address}: {body}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn kill9(child: &mut Child) {
    let status = Command::new("kill")
        .args(["-9", &child.id().to_string()])
        .status()
        .expect("kill -9");
    assert!(status.success());
    let _ = child.wait();
}

#[test]
fn a_killed_apply_leaves_a_lease_that_unlock_breaks_and_the_journal_is_recovered() {
    let az = Azurite::start();
    let dir = sample(SLOW);
    let e = az.endpoint.as_str();
    let (mut first, _) = start_apply(dir.path(), e, SLOW_ENV, "a");
    wait_for_journal(&az, "a");
    kill9(&mut first);

    // The dead process's lease still holds...
    let refused = command(APPLY, dir.path(), e, SLOW_ENV)
        .output()
        .expect("run");
    assert!(failed(&refused).contains("expires by itself within 15 s"));
    // ...until it is broken, which names who held it.
    let unlocked = command(&["state", "unlock", "--env", "dev"], dir.path(), e, &[])
        .output()
        .expect("run");
    ok(&unlocked);
    assert!(
        stderr(&unlocked).contains("doing `apply`"),
        "{}",
        stderr(&unlocked)
    );

    // The next run continues: `a` comes from the journal, only `b` is created.
    let fast = SLOW.replace("delay_ms = 60000", "delay_ms = 0");
    std::fs::write(dir.path().join("main.infra"), fast).expect("write");
    let next = command(APPLY, dir.path(), e, SLOW_ENV)
        .output()
        .expect("run");
    ok(&next);
    let err = stderr(&next);
    assert!(err.contains("recovered 1 finished resource"), "{err}");
    assert!(err.contains("1 added"), "{err}");
    assert!(!err.contains("a: created"), "a was created twice: {err}");
}

#[test]
fn a_killed_applys_lease_expires_by_itself() {
    let az = Azurite::start();
    let dir = sample(SLOW);
    let e = az.endpoint.as_str();
    let (mut first, _) = start_apply(dir.path(), e, SLOW_ENV, "a");
    wait_for_journal(&az, "a");
    kill9(&mut first);
    let fast = SLOW.replace("delay_ms = 60000", "delay_ms = 0");
    std::fs::write(dir.path().join("main.infra"), fast).expect("write");
    // Nobody breaks the lease: retry until it has expired (15 s after the last renewal).
    let deadline = Instant::now() + Duration::from_secs(90);
    let next = loop {
        let out = command(APPLY, dir.path(), e, SLOW_ENV)
            .output()
            .expect("run");
        if out.status.code() == Some(0) {
            break out;
        }
        assert!(stderr(&out).contains("locked by"), "{}", stderr(&out));
        assert!(Instant::now() < deadline, "the lease never expired");
        std::thread::sleep(Duration::from_secs(1));
    };
    let err = stderr(&next);
    assert!(err.contains("recovered 1 finished resource"), "{err}");
    assert!(err.contains("1 added"), "{err}");
}

fn store(az: &Azurite, key: &str) -> BlobStore {
    let e = az.endpoint.clone();
    let vars = move |k: &str| (k == "INFRA_BLOB_ENDPOINT").then(|| e.clone());
    let endpoint = endpoint::resolve("devstoreaccount1", CONTAINER, &vars).expect("endpoint");
    BlobStore::new(endpoint, key, "dev").expect("store")
}

#[test]
fn a_write_on_a_stale_etag_is_refused_and_nothing_is_lost() {
    let az = Azurite::start();
    let mine = store(&az, "race.json");
    let theirs = store(&az, "race.json");
    let mut s = mine.load().expect("load").state;
    mine.save(&s).expect("first save");
    let mut t = theirs.load().expect("load").state;
    s.serial = 1;
    mine.save(&s).expect("save on the ETag just read");
    t.serial = 7;
    let err = theirs.save(&t).expect_err("stale write").to_string();
    assert!(err.contains("changed by someone else"), "{err}");
    assert_eq!(mine.load().expect("load").state.serial, 1);
    // A blob written through the lock is refused to a writer without the lease.
    let lock = mine.lock("r-1", "apply").expect("lock");
    let other = store(&az, "race.json");
    let u: State = other.load().expect("load").state;
    let err = other
        .save(&u)
        .expect_err("write without the lease")
        .to_string();
    assert!(err.contains("lock") || err.contains("lease"), "{err}");
    drop(lock);
}

#[test]
fn journal_records_are_group_committed_and_all_stored() {
    use infra::state::{JournalEntry, StateStore};
    let az = Azurite::start();
    let store = StateStore::Blob(store(&az, "journal.json"));
    let state = store.load().expect("load").state;
    store.save(&state).expect("save");
    let mut journal = store.open_journal(&state).expect("journal");
    for i in 0..300 {
        journal
            .append(&JournalEntry::Remove {
                address: format!("r{i}"),
            })
            .expect("append");
    }
    journal.sync().expect("sync");
    let client = az.client(CONTAINER);
    let stored = client
        .get("journal.json.journal")
        .expect("get")
        .expect("journal");
    let text = String::from_utf8_lossy(&stored.body);
    assert_eq!(text.lines().count(), 301, "header + 300 records");
    assert!(
        text.lines().last().unwrap_or("").contains("\"r299\""),
        "{text}"
    );
    let blocks = client
        .properties("journal.json.journal")
        .expect("properties")
        .and_then(|p| p.committed_blocks)
        .expect("block count");
    // One block for the header, then records grouped: far fewer blocks than records.
    assert!(blocks < 150, "{blocks} blocks for 300 records");
    // Ending the apply stores the state and removes the journal.
    store.commit(&state, Some(journal)).expect("commit");
    assert!(client.get("journal.json.journal").expect("get").is_none());
}

/// A damaged line in a blob journal costs only itself, and the journal is kept aside as
/// evidence instead of being deleted.
#[test]
fn a_damaged_blob_journal_is_folded_around_the_damage_and_kept() {
    use infra::state::{JournalEntry, StateStore};
    let az = Azurite::start();
    let writer = StateStore::Blob(store(&az, "dmg.json"));
    let state = writer.load().expect("load").state;
    writer.save(&state).expect("save");
    let mut journal = writer.open_journal(&state).expect("journal");
    for i in 0..3 {
        journal
            .append(&JournalEntry::Remove {
                address: format!("r{i}"),
            })
            .expect("append");
    }
    journal.sync().expect("sync");
    drop(journal);
    let client = az.client(CONTAINER);
    let body = client
        .get("dmg.json.journal")
        .expect("get")
        .expect("journal")
        .body;
    let mut text = String::from_utf8_lossy(&body).into_owned();
    text = text.replacen("{\"op\":\"remove\",\"address\":\"r1\"}", "{\"op\":", 1);
    client
        .put(
            "dmg.json.journal",
            text.clone().into_bytes(),
            &Default::default(),
        )
        .expect("damage");
    let loaded = StateStore::Blob(store(&az, "dmg.json"))
        .load()
        .expect("load");
    assert_eq!(loaded.recovered, 2);
    assert_eq!(loaded.skipped_journal_lines.len(), 1);
    assert_eq!(loaded.skipped_journal_lines[0].line, 3);
    let kept = loaded.journal_kept_as.expect("kept");
    let kept_name = kept.rsplit('/').next().unwrap_or("").to_string();
    assert!(kept_name.starts_with("dmg.json.journal.damaged-"), "{kept}");
    let copy = client.get(&kept_name).expect("get").expect("kept copy");
    assert_eq!(String::from_utf8_lossy(&copy.body), text);
    assert!(client.get("dmg.json.journal").expect("get").is_none());
}

#[test]
fn no_secret_reaches_any_blob() {
    let az = Azurite::start();
    let dir = sample(MAIN);
    let e = az.endpoint.as_str();
    ok(&run(APPLY, dir.path(), e));
    ok(&run(&["plan", "--env", "dev"], dir.path(), e));
    let client = az.client(CONTAINER);
    let names = client.list().expect("list");
    assert!(names.len() >= 2, "{names:?}");
    for name in names {
        let body = client
            .get(&name)
            .expect("get")
            .map(|f| f.body)
            .unwrap_or_default();
        assert!(
            !String::from_utf8_lossy(&body).contains(CANARY),
            "the secret is in blob {name}"
        );
    }
}

/// What the state store holds cannot confirm a guessed password: the state keeps only
/// HMAC(key, value), and the key is in no blob. With the key (the pipeline's secret) the same
/// guess does match, so the check below could fail.
#[test]
fn a_guessed_password_cannot_be_confirmed_from_the_store() {
    use base64::Engine;
    use infra::state::SecretKey;
    use infra_provider_core::Value;
    let az = Azurite::start();
    // A password stored in a (emulated) Key Vault: the state keeps its fingerprint.
    let main = "param environment: string\nparam token: secret\n\
        resource rg: azure.resource_group { name = \"rg-${environment}\", location = \"westeurope\" }\n\
        resource kv: azure.key_vault { name = \"kv-${environment}\", resource_group = rg, rbac = true }\n\
        resource pw: azure.key_vault_secret { vault = kv, name = \"pw\", value = token }\n";
    let env = env_file("dev.json").replace(
        "environment dev {\n",
        "environment dev {\n  target = emulator {}\n",
    );
    let dir = project(&[("main.infra", main), ("environments/dev.infra", &env)]);
    let e = az.endpoint.as_str();
    ok(&run(APPLY, dir.path(), e));
    let client = az.client(CONTAINER);
    let bodies: Vec<(String, Vec<u8>)> = client
        .list()
        .expect("list")
        .into_iter()
        .map(|n| {
            let body = client
                .get(&n)
                .expect("get")
                .map(|f| f.body)
                .unwrap_or_default();
            (n, body)
        })
        .collect();
    let state = bodies
        .iter()
        .find(|(n, _)| n == "dev.json")
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .expect("state blob");
    let guess = Value::str(CANARY);
    let key_bytes: [u8; 32] = base64::engine::general_purpose::STANDARD
        .decode(STATE_KEY)
        .expect("base64")
        .try_into()
        .expect("32 bytes");
    let with_key = SecretKey::from_bytes(key_bytes).hash(&guess);
    assert!(
        state.contains(&with_key),
        "the fingerprint is the keyed hash"
    );
    for (name, body) in &bodies {
        let text = String::from_utf8_lossy(body);
        assert!(!text.contains(STATE_KEY), "the key is in blob {name}");
        // Any 32-byte run of a blob (raw, base64 or hex) tried as the key confirms nothing.
        let candidates = [
            body.clone(),
            base64::engine::general_purpose::STANDARD
                .decode(text.trim())
                .unwrap_or_default(),
        ];
        for c in candidates {
            for w in c.windows(32) {
                let k: [u8; 32] = w.try_into().expect("32");
                assert!(
                    !state.contains(&SecretKey::from_bytes(k).hash(&guess)),
                    "{name}"
                );
            }
        }
    }
}

/// Without a key source a remote state is refused with the set-up steps; a state whose key
/// still sits in `<key>.key` (as infra once kept it) is refused with the migration steps, and
/// works once they are done.
#[test]
fn a_remote_state_needs_a_key_kept_apart_and_old_states_migrate() {
    let az = Azurite::start();
    let dir = sample(MAIN);
    let e = az.endpoint.as_str();
    let out = command(APPLY, dir.path(), e, &[("INFRA_STATE_KEY", "")])
        .output()
        .expect("run");
    let err = failed(&out);
    assert!(
        err.contains("set INFRA_STATE_KEY") && err.contains("openssl rand"),
        "{err}"
    );
    // An older state: its key in the blob beside it.
    let client = az.client(CONTAINER);
    client
        .put(
            "dev.json.key",
            STATE_KEY.as_bytes().to_vec(),
            &Default::default(),
        )
        .expect("old key blob");
    let out = command(APPLY, dir.path(), e, &[("INFRA_STATE_KEY", "")])
        .output()
        .expect("run");
    let err = failed(&out);
    assert!(
        err.contains("dev.json.key") && err.contains("Move it"),
        "{err}"
    );
    let err = failed(&run(APPLY, dir.path(), e));
    assert!(err.contains("delete that blob"), "{err}");
    client.delete("dev.json.key").expect("delete");
    ok(&run(APPLY, dir.path(), e));
}

#[test]
fn error_paths_say_what_to_do() {
    let az = Azurite::start();
    let dir = sample(MAIN);

    // Missing container.
    let other = project(&[
        ("main.infra", MAIN),
        (
            "environments/dev.infra",
            &env_file("dev.json").replace(&format!("\"{CONTAINER}\""), "\"nosuch\""),
        ),
    ]);
    let err = failed(&run(&["plan", "--env", "dev"], other.path(), &az.endpoint));
    assert!(
        err.contains("container `nosuch` does not exist")
            && err.contains("az storage container create"),
        "{err}"
    );

    // Nothing listening.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    let err = failed(&run(
        &["plan", "--env", "dev"],
        dir.path(),
        &format!("http://127.0.0.1:{port}/devstoreaccount1"),
    ));
    assert!(err.contains("cannot reach Azure Blob Storage"), "{err}");

    // Plain http to another host.
    let err = failed(&run(
        &["plan", "--env", "dev"],
        dir.path(),
        "http://storage.example.com/acct",
    ));
    assert!(err.contains("plain http") && err.contains("https"), "{err}");

    // Local state: unlock explains there is nothing to break.
    let local = project(&[
        ("main.infra", "resource a: core.data {\n  input = 1\n}\n"),
        ("environments/local.infra", "environment local {}\n"),
    ]);
    let out = run(
        &["state", "unlock", "--env", "local"],
        local.path(),
        &az.endpoint,
    );
    ok(&out);
    assert!(
        stderr(&out).contains("released by the kernel"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_run_whose_lock_was_broken_cannot_save_and_loses_nothing() {
    let az = Azurite::start();
    // `b` takes long enough for the unlock to happen while it is in flight.
    let dir = sample(&SLOW.replace("delay_ms = 60000", "delay_ms = 8000"));
    let e = az.endpoint.as_str();
    let (mut first, stderr_rest) = start_apply(dir.path(), e, &[], "a");
    ok(&run(&["state", "unlock", "--env", "dev"], dir.path(), e));
    let status = first.wait().expect("wait");
    // The reader thread may still be copying the last lines.
    let deadline = Instant::now() + Duration::from_secs(10);
    let text = loop {
        let text = stderr_rest.lock().map(|s| s.clone()).unwrap_or_default();
        if text.contains("error:") || Instant::now() > deadline {
            break text;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(
        status.code(),
        Some(1),
        "the run saved without its lock: {text}"
    );
    assert!(
        text.contains("was lost") && text.contains("nothing was written"),
        "{text}"
    );
    // Its finished work was journaled, so the next run keeps it and has nothing left to do.
    let next = run(APPLY, dir.path(), e);
    let err = ok(&next) + &stderr(&next);
    assert!(err.contains("recovered 2 finished resource"), "{err}");
    ok(&run(
        &["plan", "--env", "dev", "--detailed-exitcode"],
        dir.path(),
        e,
    ));
}

/// A run whose lock was broken may still be appending to the journal while the next run
/// recovers it: every record that reached the journal ends up in the state (the fold is redone
/// when the journal changed before its removal), or its append fails for its writer.
#[test]
fn records_appended_during_recovery_are_never_lost() {
    use infra::state::{JournalEntry, ResourceRecord, StateStore};
    let az = Azurite::start();
    let old = StateStore::Blob(store(&az, "busy.json"));
    let state = old.load().expect("load").state;
    old.save(&state).expect("save");
    let mut journal = old.open_journal(&state).expect("journal");
    let stored = Arc::new(Mutex::new(Vec::new()));
    let writer = {
        let stored = Arc::clone(&stored);
        std::thread::spawn(move || {
            for i in 0..60 {
                let address = format!("r{i}");
                let resource = ResourceRecord {
                    type_name: "core.data".into(),
                    id: format!("data-{i}"),
                    inputs: Default::default(),
                    secret_inputs: Default::default(),
                    outputs: Default::default(),
                    derived: None,
                    secret_outputs: Default::default(),
                    dependencies: Default::default(),
                    protect: false,
                };
                let entry = JournalEntry::Put {
                    address: address.clone(),
                    resource,
                };
                if journal
                    .append(&entry)
                    .and_then(|()| journal.sync())
                    .is_err()
                {
                    break;
                }
                stored.lock().expect("stored").push(address);
                std::thread::sleep(Duration::from_millis(3));
            }
        })
    };
    let recovering = store(&az, "busy.json");
    while stored.lock().expect("stored").len() < 3 {
        std::thread::sleep(Duration::from_millis(2));
    }
    let first = recovering.load();
    writer.join().expect("writer");
    let state = match first {
        Ok(loaded) => {
            assert!(loaded.recovered >= 3, "{}", loaded.recovered);
            loaded.state
        }
        // The writer outpaced every retry: nothing was removed, and once it stops the
        // journal is recovered whole.
        Err(e) => {
            assert!(e.to_string().contains("kept changing"), "{e}");
            recovering
                .load()
                .expect("load after the writer stopped")
                .state
        }
    };
    let stored = stored.lock().expect("stored").clone();
    let missing: Vec<&String> = stored
        .iter()
        .filter(|a| !state.resources.contains_key(a.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "journaled but lost: {missing:?} of {}",
        stored.len()
    );
    let client = az.client(CONTAINER);
    assert!(client.get("busy.json.journal").expect("get").is_none());
}

/// `--lock-timeout`: a plan that finds the lease held waits for it instead of failing, and
/// fails with the holder once the timeout has passed.
#[test]
fn lock_timeout_waits_for_a_held_lease() {
    let az = Azurite::start();
    let dir = sample(MAIN);
    let e = az.endpoint.as_str();
    ok(&run(APPLY, dir.path(), e));
    let holder = store(&az, "dev.json");
    let lease = holder.lock("r-holder", "apply").expect("lock");
    let started = Instant::now();
    let short = run(
        &["plan", "--env", "dev", "--lock-timeout", "2s"],
        dir.path(),
        e,
    );
    let err = failed(&short);
    assert!(started.elapsed() >= Duration::from_secs(2), "{err}");
    assert!(
        err.contains("waiting up to 2s") && err.contains("r-holder"),
        "{err}"
    );
    let child = command(
        &["plan", "--env", "dev", "--lock-timeout", "60s"],
        dir.path(),
        e,
        &[],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .expect("spawn");
    std::thread::sleep(Duration::from_secs(2));
    drop(lease);
    let out = child.wait_with_output().expect("wait");
    ok(&out);
    assert!(
        stderr(&out).contains("waiting up to 60s"),
        "{}",
        stderr(&out)
    );
}
