//! End to end over the embedded Azure emulator (`target = emulator {}`): the binary starts the
//! emulator in-process on a loopback port, the Azure provider talks to it over HTTP exactly as
//! to ARM, and its data persists under .infra/emulator between runs.

mod common;
use common::*;

const MAIN: &str = r#"param environment: string
param owner: string = "platform"
param app_secret: secret

let prefix = "lw-${environment}"

resource rg: azure.resource_group {
  name     = "${prefix}-rg"
  location = "westeurope"
  tags     = { owner = owner }
}

resource kv: azure.key_vault {
  name           = "${prefix}-kv"
  resource_group = rg
  rbac           = true
}

resource secret: azure.key_vault_secret {
  vault = kv
  name  = "app-secret"
  value = "token=${app_secret}"
}

resource zone: azure.dns_zone {
  name           = "example.com"
  resource_group = rg
}

resource www: azure.dns_cname_record {
  zone   = zone
  name   = "www"
  ttl    = 300
  target = cache.hostname
}

resource cache: azure.redis_cache {
  name           = "${prefix}-redis"
  resource_group = rg
  sku            = "Basic"
  capacity       = 1
}

resource glue: core.data {
  input = { redis = cache.hostname, vault = kv.uri }
}

output redis = cache.hostname
output vault = kv.uri
"#;

const LOCAL: &str = r#"environment local {
  target = emulator {}
  params = { environment = "local", app_secret = env_secret("APP_SECRET") }
}
"#;

const CANARY: &str = "canary-5b7e1f";

fn run(args: &[&str], dir: &std::path::Path) -> std::process::Output {
    infra_env(args, dir, &[("APP_SECRET", CANARY)])
}

fn all_text_under(dir: &std::path::Path, skip: &str) -> String {
    let mut text = String::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read_dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                if !p.ends_with(skip) {
                    stack.push(p);
                }
            } else {
                text.push_str(&String::from_utf8_lossy(&std::fs::read(&p).expect("read")));
            }
        }
    }
    text
}

#[test]
fn apply_plan_update_destroy_round_trip_over_the_emulator() {
    let dir = project(&[("main.infra", MAIN), ("local.infra", LOCAL)]);
    let p = dir.path();

    let apply = run(&["apply", ".", "--env", "local", "--auto-approve"], p);
    assert_eq!(
        apply.status.code(),
        Some(0),
        "{}{}",
        stdout(&apply),
        stderr(&apply)
    );
    assert!(
        stdout(&apply).contains("lw-local-redis.redis.cache.windows.net"),
        "{}",
        stdout(&apply)
    );

    // Apply then plan is empty: no false change from the values the cloud filled in.
    let plan = run(&["plan", ".", "--env", "local", "--detailed-exitcode"], p);
    assert_eq!(
        plan.status.code(),
        Some(0),
        "{}{}",
        stdout(&plan),
        stderr(&plan)
    );

    // One param change gives exactly one in-place update.
    std::fs::write(
        p.join("main.infra"),
        MAIN.replace("\"platform\"", "\"data-team\""),
    )
    .expect("write");
    let plan = run(
        &[
            "plan",
            ".",
            "--env",
            "local",
            "--detailed-exitcode",
            "--format",
            "json",
        ],
        p,
    );
    assert_eq!(plan.status.code(), Some(2), "{}", stderr(&plan));
    let json: serde_json::Value = serde_json::from_slice(&plan.stdout).expect("json plan");
    assert_eq!(json["summary"]["change"], 1, "{json}");
    assert_eq!(json["summary"]["add"], 0, "{json}");
    let changed: Vec<&str> = json["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|c| c["action"] == "update")
        .filter_map(|c| c["address"].as_str())
        .collect();
    assert_eq!(changed, ["rg"]);
    let markdown = run(&["plan", ".", "--env", "local", "--format", "markdown"], p);
    assert!(stdout(&markdown).len() < 60_000);
    let apply = run(&["apply", ".", "--env", "local", "--auto-approve"], p);
    assert_eq!(apply.status.code(), Some(0), "{}", stderr(&apply));
    let plan = run(&["plan", ".", "--env", "local", "--detailed-exitcode"], p);
    assert_eq!(plan.status.code(), Some(0), "{}", stdout(&plan));

    // The secret reached the cloud but nothing of ours: outputs, plans, state, keys, journal.
    for o in [&apply, &plan, &markdown] {
        assert!(!stdout(o).contains(CANARY) && !stderr(o).contains(CANARY));
    }
    assert!(!all_text_under(&p.join(".infra"), "emulator").contains(CANARY));
    assert!(
        all_text_under(&p.join(".infra/emulator"), "-").contains(CANARY),
        "the emulator holds the value"
    );

    let destroy = run(&["destroy", ".", "--env", "local", "--auto-approve"], p);
    assert_eq!(
        destroy.status.code(),
        Some(0),
        "{}{}",
        stdout(&destroy),
        stderr(&destroy)
    );
    let list = run(&["state", "list", "--env", "local"], p);
    assert_eq!(stdout(&list).trim(), "", "{}", stdout(&list));
    let emulator: serde_json::Value = serde_json::from_slice(
        &std::fs::read(p.join(".infra/emulator/emulator-state.json")).expect("emulator data"),
    )
    .expect("emulator data is JSON");
    let left = emulator["resources"].as_object().expect("resources");
    assert!(
        left.is_empty(),
        "left in the emulator: {:?}",
        left.keys().collect::<Vec<_>>()
    );
    // Key Vault soft delete: the vault waits in deletedVaults, as in Azure.
    assert!(emulator["deleted_vaults"].get("lw-local-kv").is_some());
}

#[test]
fn a_saved_plan_is_refused_when_a_secret_changed_since_it_was_reviewed() {
    let dir = project(&[("main.infra", MAIN), ("local.infra", LOCAL)]);
    let p = dir.path();
    let plan = infra_env(
        &["plan", ".", "--env", "local", "--out", "reviewed.plan"],
        p,
        &[("APP_SECRET", "first")],
    );
    assert_eq!(plan.status.code(), Some(0), "{}", stderr(&plan));
    let other = infra_env(
        &["apply", ".", "--env", "local", "reviewed.plan"],
        p,
        &[("APP_SECRET", "second")],
    );
    assert_eq!(other.status.code(), Some(1), "{}", stderr(&other));
    assert!(stderr(&other).contains("secret"), "{}", stderr(&other));
    assert!(!stderr(&other).contains("second") && !stderr(&other).contains("first"));
    let same = infra_env(
        &["apply", ".", "--env", "local", "reviewed.plan"],
        p,
        &[("APP_SECRET", "first")],
    );
    assert_eq!(same.status.code(), Some(0), "{}", stderr(&same));
}

#[test]
fn a_changed_secret_reaches_what_references_the_secrets_new_version() {
    let dir = project(&[("main.infra", MAIN), ("local.infra", LOCAL)]);
    let p = dir.path();
    // Read directly, through a let, and as an output: all three must follow the new version.
    let main = format!(
        "{MAIN}\nresource uses: core.data {{\n  input = secret.id\n}}\n\
         let secret_ref = \"@Microsoft.KeyVault(SecretUri=${{secret.id}})\"\n\
         resource uses_let: core.data {{\n  input = secret_ref\n}}\n\
         output secret_id = secret.id\n"
    );
    std::fs::write(p.join("main.infra"), main).expect("write");
    let first = infra_env(
        &["apply", ".", "--env", "local", "--auto-approve"],
        p,
        &[("APP_SECRET", "one")],
    );
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    // Only the secret's value changes: the plan cannot show it, but must not hide its effect.
    let plan = infra_env(
        &["plan", ".", "--env", "local", "--format", "json"],
        p,
        &[("APP_SECRET", "two")],
    );
    let json: serde_json::Value = serde_json::from_slice(&plan.stdout).expect("json");
    let updated: Vec<&str> = json["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|c| c["action"] == "update")
        .filter_map(|c| c["address"].as_str())
        .collect();
    assert_eq!(updated, ["secret", "uses", "uses_let"], "{json}");
    let second = infra_env(
        &["apply", ".", "--env", "local", "--auto-approve"],
        p,
        &[("APP_SECRET", "two")],
    );
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    // The outputs printed by apply are those of the new state, not the plan-time values.
    let state = std::fs::read_to_string(p.join(".infra/local.state.json")).expect("state");
    let state: serde_json::Value = serde_json::from_str(&state).expect("state json");
    // An output that repeats the record's id or an input is written once (docs/state.md).
    let secret = &state["resources"]["secret"];
    let new_id = secret["outputs"]["id"]
        .as_str()
        .or(secret["id"].as_str())
        .expect("secret id in state")
        .to_string();
    assert!(
        stdout(&second).contains(&format!("secret_id = \"{new_id}\"")),
        "apply printed:\n{}\nstate has {new_id}",
        stdout(&second)
    );
    assert_eq!(
        state["resources"]["uses_let"]["inputs"]["input"],
        format!("@Microsoft.KeyVault(SecretUri={new_id})").as_str()
    );
    let again = infra_env(
        &["plan", ".", "--env", "local", "--detailed-exitcode"],
        p,
        &[("APP_SECRET", "two")],
    );
    assert_eq!(again.status.code(), Some(0), "{}", stdout(&again));
}

/// Copying or moving a project with its .infra/ keeps it working: the emulator port (part of
/// a vault's URI, recorded in state and in the emulator's data) is the one first used.
#[test]
fn a_copied_project_keeps_its_emulator_port_and_plans_no_change() {
    let dir = project(&[("main.infra", MAIN), ("local.infra", LOCAL)]);
    let applied = run(
        &["apply", ".", "--env", "local", "--auto-approve"],
        dir.path(),
    );
    assert_eq!(applied.status.code(), Some(0), "{}", stderr(&applied));
    let copy = tempfile::tempdir().expect("tempdir");
    let status = std::process::Command::new("cp")
        .arg("-a")
        .arg(format!("{}/.", dir.path().display()))
        .arg(copy.path())
        .status()
        .expect("cp");
    assert!(status.success());
    drop(dir);
    let plan = run(
        &["plan", ".", "--env", "local", "--detailed-exitcode"],
        copy.path(),
    );
    assert_eq!(
        plan.status.code(),
        Some(0),
        "{}{}",
        stdout(&plan),
        stderr(&plan)
    );
}

/// An object in the cloud that the state does not know (here: the state file was lost, the
/// emulator's data kept) is not silently taken over by a create: the apply fails naming the
/// import command for this project and environment, and the import adopts it.
#[test]
fn a_create_over_an_unmanaged_object_fails_with_the_import_command() {
    let dir = project(&[("main.infra", MAIN), ("local.infra", LOCAL)]);
    let p = dir.path();
    let applied = run(&["apply", ".", "--env", "local", "--auto-approve"], p);
    assert_eq!(applied.status.code(), Some(0), "{}", stderr(&applied));
    std::fs::remove_file(p.join(".infra/local.state.json")).expect("lose the state");
    let again = run(&["apply", ".", "--env", "local", "--auto-approve"], p);
    assert_eq!(again.status.code(), Some(1), "{}", stderr(&again));
    let err = stderr(&again);
    let id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/lw-local-rg";
    let command = format!("infra import --env local rg {id}");
    assert!(
        err.contains("already exists but is not in the state"),
        "{err}"
    );
    assert!(err.contains(&command), "{err}");
    assert!(!err.contains("<ENV>"), "{err}");
    let args: Vec<&str> = command.split(' ').skip(1).collect();
    let imported = run(&args, p);
    assert_eq!(imported.status.code(), Some(0), "{}", stderr(&imported));
    let plan = run(&["plan", ".", "--env", "local", "--format", "json"], p);
    let json: serde_json::Value = serde_json::from_slice(&plan.stdout).expect("json plan");
    let rg = json["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .find(|c| c["address"] == "rg")
        .expect("rg in the plan");
    assert_eq!(rg["action"], "no-op", "{rg}");
}

/// Commands that only read the state do not evaluate the environment's params, so they need
/// none of its secrets (`env_secret`) to be set.
#[test]
fn state_commands_need_no_secret_inputs() {
    let dir = project(&[("main.infra", MAIN), ("local.infra", LOCAL)]);
    let p = dir.path();
    let applied = run(&["apply", ".", "--env", "local", "--auto-approve"], p);
    assert_eq!(applied.status.code(), Some(0), "{}", stderr(&applied));
    let list = infra_env(&["state", "list", "--env", "local"], p, &[]);
    assert_eq!(list.status.code(), Some(0), "{}", stderr(&list));
    assert!(
        stdout(&list).lines().any(|l| l.trim() == "secret"),
        "{}",
        stdout(&list)
    );
    // Outputs that do not need the secret are shown without it.
    let outputs = infra_env(&["output", "--env", "local", "--json"], p, &[]);
    assert_eq!(outputs.status.code(), Some(0), "{}", stderr(&outputs));
    let json: serde_json::Value = serde_json::from_slice(&outputs.stdout).expect("json");
    assert!(
        json["vault"]["value"]
            .as_str()
            .is_some_and(|v| v.contains("/kv/lw-local-kv")),
        "{json}"
    );
    // Planning does need them, and says which one is missing.
    let plan = infra_env(&["plan", ".", "--env", "local"], p, &[]);
    assert_eq!(plan.status.code(), Some(1));
    assert!(stderr(&plan).contains("APP_SECRET"), "{}", stderr(&plan));
}

/// An output that needs a param this shell cannot evaluate is unknown, with a note naming the
/// param; the others are shown.
#[test]
fn an_output_needing_an_unset_param_is_unknown_and_the_note_names_it() {
    let main = format!("{MAIN}\noutput greeting = \"hello ${{environment}}-${{owner}}\"\n");
    let local = LOCAL.replace(
        "params = { environment = \"local\", app_secret = env_secret(\"APP_SECRET\") }",
        "params = { environment = \"local\", owner = env(\"OWNER\"), app_secret = env_secret(\"APP_SECRET\") }",
    );
    assert_ne!(local, LOCAL);
    let dir = project(&[("main.infra", &main), ("local.infra", &local)]);
    let p = dir.path();
    let applied = infra_env(
        &["apply", ".", "--env", "local", "--auto-approve"],
        p,
        &[("APP_SECRET", CANARY), ("OWNER", "ops")],
    );
    assert_eq!(applied.status.code(), Some(0), "{}", stderr(&applied));
    let outputs = infra_env(&["output", "--env", "local", "--json"], p, &[]);
    assert_eq!(outputs.status.code(), Some(0), "{}", stderr(&outputs));
    let json: serde_json::Value = serde_json::from_slice(&outputs.stdout).expect("json");
    assert!(json["redis"]["value"].is_string(), "{json}");
    assert!(
        !json["greeting"]["value"]
            .as_str()
            .is_some_and(|v| v.contains("hello")),
        "{json}"
    );
    let err = stderr(&outputs);
    assert!(err.contains("greeting") && err.contains("owner"), "{err}");
    let full = infra_env(
        &["output", "greeting", "--env", "local"],
        p,
        &[("OWNER", "ops")],
    );
    assert_eq!(stdout(&full).trim(), "hello local-ops", "{}", stderr(&full));
}
