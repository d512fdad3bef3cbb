//! The PostgreSQL provider through the `infra` binary against a throwaway cluster: apply a role,
//! a database, a schema, an extension and a grant; plan again (no changes); change the role's
//! password (one update, the password in no output); drop the extension and revoke the grant
//! behind infra's back (drift shown, then repaired); destroy.

mod common;
use common::*;
use infra_provider_postgres::cluster::{Cluster, ClusterError};
use infra_provider_postgres::tokio_postgres;

fn main_infra(port: u16) -> String {
    format!(
        r#"param admin_password: secret
param app_password: secret

let conn = {{ host = "127.0.0.1", port = {port}, user = "infra_admin", password = admin_password, sslmode = "prefer" }}

resource owner: postgres.role {{
  name       = "app owner; \"quoted\""
  login      = true
  password   = app_password
  connection = conn
}}

resource db: postgres.database {{
  name       = "app"
  owner      = owner.name
  connection = conn
}}

resource analytics: postgres.schema {{
  name       = "analytics"
  owner      = owner.name
  database   = db.name
  connection = conn
}}

resource trgm: postgres.extension {{
  name       = "pg_trgm"
  schema     = analytics.name
  database   = db.name
  connection = conn
}}

resource usage: postgres.grant {{
  role        = owner.name
  object_type = "schema"
  schema      = analytics.name
  privileges  = ["USAGE", "CREATE"]
  database    = db.name
  connection  = conn
}}

environment dev {{
  params = {{
    admin_password = env_secret("PGTEST_ADMIN", "")
    app_password   = env_secret("PGTEST_APP", "")
  }}
}}
"#
    )
}

fn start(dir: &std::path::Path) -> Option<Cluster> {
    match Cluster::start(dir, &Default::default()) {
        Ok(c) => Some(c),
        Err(ClusterError::NotInstalled) if std::env::var("CI").is_err() => {
            eprintln!("SKIPPED: {}", ClusterError::NotInstalled);
            None
        }
        Err(e) => panic!("cannot start a PostgreSQL cluster: {e}"),
    }
}

fn psql(c: &Cluster, db: &str, sql: &str) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let (client, conn) = tokio_postgres::connect(
            &format!(
                "host=127.0.0.1 port={} user={} password={} dbname={db}",
                c.port, c.user, c.password
            ),
            tokio_postgres::NoTls,
        )
        .await
        .expect("admin connection");
        tokio::spawn(conn);
        client.batch_execute(sql).await.expect("admin sql");
    });
}

fn can_login(c: &Cluster, user: &str, password: &str) -> bool {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut config = tokio_postgres::Config::new();
        config
            .host("127.0.0.1")
            .port(c.port)
            .user(user)
            .password(password)
            .dbname("app");
        match config.connect(tokio_postgres::NoTls).await {
            Ok((_client, conn)) => {
                drop(conn);
                true
            }
            Err(_) => false,
        }
    })
}

#[test]
fn apply_plan_drift_and_destroy_through_the_cli() {
    let cluster_dir = tempfile::tempdir().unwrap();
    let Some(c) = start(cluster_dir.path()) else {
        return;
    };
    let dir = project(&[("main.infra", &main_infra(c.port))]);
    let p = dir.path();
    let first = "first-App-pw-1";
    let second = "second-App-pw-2";
    let run = |args: &[&str], app_pw: &str| {
        let out = infra_env(
            args,
            p,
            &[
                ("PGTEST_ADMIN", c.password.as_str()),
                ("PGTEST_APP", app_pw),
            ],
        );
        let all = format!("{}{}", stdout(&out), stderr(&out));
        for secret in [first, second, c.password.as_str()] {
            assert!(
                !all.contains(secret),
                "a password in the output of {args:?}:\n{all}"
            );
        }
        (out.status.code(), all)
    };
    let state_has_no_password = || {
        for e in walk(&p.join(".infra")) {
            let text = std::fs::read(&e).unwrap_or_default();
            let text = String::from_utf8_lossy(&text);
            for secret in [first, second, c.password.as_str()] {
                assert!(!text.contains(secret), "a password in {}", e.display());
            }
        }
    };

    let (code, out) = run(&["apply", "--env", "dev", "--auto-approve"], first);
    assert_eq!(code, Some(0), "{out}");
    assert!(can_login(&c, "app owner; \"quoted\"", first), "{out}");
    state_has_no_password();

    let (code, out) = run(&["plan", "--env", "dev", "--detailed-exitcode"], first);
    assert_eq!(code, Some(0), "a second plan changes nothing:\n{out}");

    // A new password: one update, of the role only.
    let (code, out) = run(&["plan", "--env", "dev", "--detailed-exitcode"], second);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("owner"), "{out}");
    assert!(out.contains("1 to change"), "{out}");
    for other in ["db", "analytics", "trgm", "usage"] {
        assert!(
            !out.lines()
                .any(|l| l.trim_start().starts_with(&format!("~ {other}"))),
            "{other} changes too:\n{out}"
        );
    }
    let (code, out) = run(&["apply", "--env", "dev", "--auto-approve"], second);
    assert_eq!(code, Some(0), "{out}");
    assert!(can_login(&c, "app owner; \"quoted\"", second));
    assert!(!can_login(&c, "app owner; \"quoted\"", first));
    state_has_no_password();

    // Behind infra's back.
    psql(
        &c,
        "app",
        "DROP EXTENSION pg_trgm; REVOKE CREATE ON SCHEMA analytics FROM \"app owner; \"\"quoted\"\"\"",
    );
    let (code, out) = run(&["plan", "--env", "dev", "--detailed-exitcode"], second);
    assert_eq!(code, Some(2), "drift is a change:\n{out}");
    assert!(out.contains("trgm"), "{out}");
    assert!(out.contains("usage"), "{out}");
    let (code, out) = run(&["apply", "--env", "dev", "--auto-approve"], second);
    assert_eq!(code, Some(0), "{out}");
    let (code, out) = run(&["plan", "--env", "dev", "--detailed-exitcode"], second);
    assert_eq!(code, Some(0), "repaired:\n{out}");

    // A password set behind infra's back: the cluster's admin is a superuser, so the live
    // verifier is checked against the configured password; one update puts it back.
    psql(
        &c,
        "app",
        "ALTER ROLE \"app owner; \"\"quoted\"\"\" PASSWORD 'someone-else-pw'",
    );
    assert!(!can_login(&c, "app owner; \"quoted\"", second));
    let (code, out) = run(&["plan", "--env", "dev", "--detailed-exitcode"], second);
    assert_eq!(code, Some(2), "password drift is a change:\n{out}");
    assert!(out.contains("password_matches"), "{out}");
    assert!(out.contains("1 to change"), "{out}");
    assert!(!out.contains("someone-else-pw"), "{out}");
    let (code, out) = run(&["apply", "--env", "dev", "--auto-approve"], second);
    assert_eq!(code, Some(0), "{out}");
    assert!(can_login(&c, "app owner; \"quoted\"", second), "{out}");
    let (code, out) = run(&["plan", "--env", "dev", "--detailed-exitcode"], second);
    assert_eq!(code, Some(0), "password repaired:\n{out}");

    let (code, out) = run(&["destroy", "--env", "dev", "--auto-approve"], second);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        !can_login(&c, "app owner; \"quoted\"", second),
        "role dropped"
    );
    let (code, out) = run(&["plan", "--env", "dev", "--detailed-exitcode"], second);
    assert_eq!(code, Some(2), "everything to create again:\n{out}");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = e.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// The server and the extension in one graph: the extension's connection reads the flexible
/// server's `fqdn` and `admin_login` (or `server = pg` carries them), so it waits for the server (whose `extensions` allow-lists,
/// preloads and restarts); the plan shows the host as known after apply and no password.
#[test]
fn an_extension_waits_for_its_flexible_server() {
    let main = r#"param admin_password: secret

resource rg: azure.resource_group {
  name     = "chain-rg"
  location = "westeurope"
}

resource pg: azure.postgres_flexible_server {
  name           = "chain-pg"
  resource_group = rg
  version        = "16"
  sku            = "Standard_B1ms"
  admin_login    = "pgadmin"
  admin_password = admin_password
  extensions     = ["pg_stat_statements"]
}

resource stats: postgres.extension {
  name       = "pg_stat_statements"
  connection = { host = pg.fqdn, user = pg.admin_login, password = admin_password, sslmode = "require" }
}

resource trgm: postgres.extension {
  name     = "pg_trgm"
  database = "app"
  server   = pg
}

environment local {
  target = emulator {}
  params = { admin_password = env_secret("PGCHAIN_PW", "") }
}
"#;
    let dir = project(&[("main.infra", main)]);
    let pw = "chain-Admin-pw-9";
    let plan = infra_env(
        &["plan", "--env", "local"],
        dir.path(),
        &[("PGCHAIN_PW", pw)],
    );
    let out = format!("{}{}", stdout(&plan), stderr(&plan));
    assert_eq!(plan.status.code(), Some(0), "{out}");
    assert!(
        out.contains("+ stats (postgres.extension) will be created"),
        "{out}"
    );
    assert!(out.contains(r#""host":"(known after apply)""#), "{out}");
    assert!(
        out.contains("+ trgm (postgres.extension) will be created"),
        "{out}"
    );
    assert!(out.contains("Plan: 4 to add"), "{out}");
    assert!(!out.contains(pw), "{out}");
    let graph = infra_env(
        &["graph", "--env", "local"],
        dir.path(),
        &[("PGCHAIN_PW", pw)],
    );
    for edge in [r#""stats" -> "pg";"#, r#""trgm" -> "pg";"#] {
        assert!(stdout(&graph).contains(edge), "{}", stdout(&graph));
    }
}

/// Objects made by hand are adopted by `import` blocks with the provider's short ids; the plan
/// shows them as imported, apply records them (and sets the configured password), and the next
/// plan is empty. A grant with `with_grant_option` is applied, then its option revoked behind
/// infra's back: drift, repaired.
#[test]
fn import_blocks_adopt_objects_made_by_hand() {
    let cluster_dir = tempfile::tempdir().unwrap();
    let Some(c) = start(cluster_dir.path()) else {
        return;
    };
    psql(
        &c,
        "postgres",
        "CREATE ROLE \"hand made\" LOGIN PASSWORD 'old-hand-pw'",
    );
    psql(&c, "postgres", "CREATE DATABASE legacy");
    psql(
        &c,
        "legacy",
        "CREATE SCHEMA reports; CREATE EXTENSION pg_trgm",
    );
    let port = c.port;
    let main = format!(
        r#"param admin_password: secret
param app_password: secret

let conn = {{ host = "127.0.0.1", port = {port}, user = "infra_admin", password = admin_password, sslmode = "prefer" }}

resource hand: postgres.role {{
  name       = "hand made"
  login      = true
  password   = app_password
  connection = conn
}}

resource legacy: postgres.database {{
  name       = "legacy"
  connection = conn
}}

resource reports: postgres.schema {{
  name       = "reports"
  database   = "legacy"
  connection = conn
}}

resource trgm: postgres.extension {{
  name       = "pg_trgm"
  database   = "legacy"
  connection = conn
}}

resource usage: postgres.grant {{
  role              = hand.name
  object_type       = "schema"
  schema            = reports.name
  privileges        = ["USAGE"]
  with_grant_option = true
  database          = "legacy"
  connection        = conn
}}

import {{
  to = hand
  id = "role/hand made"
}}

import {{
  to = legacy
  id = "database/legacy"
}}

import {{
  to = reports
  id = "schema/reports"
}}

import {{
  to = trgm
  id = "postgres://127.0.0.1:{port}/legacy#extension/pg_trgm"
}}

environment dev {{
  params = {{
    admin_password = env_secret("PGTEST_ADMIN", "")
    app_password   = env_secret("PGTEST_APP", "")
  }}
}}
"#
    );
    let dir = project(&[("main.infra", &main)]);
    let p = dir.path();
    let new_pw = "new-Hand-pw-3";
    let run = |args: &[&str]| {
        let out = infra_env(
            args,
            p,
            &[
                ("PGTEST_ADMIN", c.password.as_str()),
                ("PGTEST_APP", new_pw),
            ],
        );
        let all = format!("{}{}", stdout(&out), stderr(&out));
        assert!(!all.contains(new_pw) && !all.contains(&c.password), "{all}");
        (out.status.code(), all)
    };
    let (code, out) = run(&["plan", "--env", "dev", "--detailed-exitcode"]);
    assert_eq!(code, Some(2), "{out}");
    for a in ["hand", "legacy", "reports", "trgm"] {
        assert!(
            out.contains(&format!("<- {a} (postgres.")),
            "{a} not imported:\n{out}"
        );
    }
    assert!(
        out.contains("+ usage (postgres.grant) will be created"),
        "{out}"
    );
    let (code, out) = run(&["apply", "--env", "dev", "--auto-approve"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(can_login_db(&c, "hand made", new_pw, "legacy"), "{out}");
    let (code, out) = run(&["plan", "--env", "dev", "--detailed-exitcode"]);
    assert_eq!(code, Some(0), "adopted, nothing left to do:\n{out}");

    psql(
        &c,
        "legacy",
        "REVOKE GRANT OPTION FOR USAGE ON SCHEMA reports FROM \"hand made\"",
    );
    let (code, out) = run(&["plan", "--env", "dev", "--detailed-exitcode"]);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("with_grant_option"), "{out}");
    let (code, out) = run(&["apply", "--env", "dev", "--auto-approve"]);
    assert_eq!(code, Some(0), "{out}");
    let (code, out) = run(&["plan", "--env", "dev", "--detailed-exitcode"]);
    assert_eq!(code, Some(0), "option granted again:\n{out}");

    // A wrong kind of id is refused with the form to write.
    let bad = main.replace("id = \"schema/reports\"", "id = \"reports\"");
    std::fs::write(p.join("main.infra"), bad).unwrap();
    std::fs::remove_dir_all(p.join(".infra")).unwrap();
    let (code, out) = run(&["plan", "--env", "dev"]);
    assert_ne!(code, Some(0), "{out}");
    assert!(out.contains("is not `schema/NAME`"), "{out}");
}

fn can_login_db(c: &Cluster, user: &str, password: &str, db: &str) -> bool {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut config = tokio_postgres::Config::new();
        config
            .host("127.0.0.1")
            .port(c.port)
            .user(user)
            .password(password)
            .dbname(db);
        config.connect(tokio_postgres::NoTls).await.is_ok()
    })
}

/// The whole chain through the embedded emulator backed by a real cluster: the flexible server
/// (allow-list, a preload configuration that needs a restart, the restart), then the role,
/// database and extensions inside it through `server = pg`, in that order; the preload is in
/// effect when `CREATE EXTENSION` runs; a second plan is empty; destroy leaves nothing.
#[test]
fn the_chain_from_flexible_server_to_create_extension_on_the_emulator() {
    if infra_provider_postgres::cluster::find_bin().is_none() {
        assert!(std::env::var("CI").is_err(), "CI installs PostgreSQL");
        eprintln!("SKIPPED: {}", ClusterError::NotInstalled);
        return;
    }
    let main = r#"param admin_password: secret

resource rg: azure.resource_group {
  name     = "chain-rg"
  location = "westeurope"
}

resource pg: azure.postgres_flexible_server {
  name           = "chain-pg"
  resource_group = rg
  version        = "16"
  sku            = "Standard_B1ms"
  admin_login    = "pgadmin"
  admin_password = admin_password
  extensions     = ["pg_stat_statements", "pg_prewarm"]
}

resource owner: postgres.role {
  name   = "app_owner"
  server = pg
}

resource db: postgres.database {
  name   = "app"
  owner  = owner.name
  server = pg
}

resource prewarm: postgres.extension {
  name     = "pg_prewarm"
  database = db.name
  server   = pg
}

resource stats: postgres.extension {
  name     = "pg_stat_statements"
  database = db.name
  server   = pg
}

output host = pg.fqdn

environment local {
  target = emulator {}
  params = { admin_password = env_secret("PGCHAIN_PW", "") }
}
"#;
    let dir = project(&[("main.infra", main)]);
    let pw = "chain-Admin-pw-9";
    let run = |args: &[&str]| {
        let out = infra_env(args, dir.path(), &[("PGCHAIN_PW", pw)]);
        let all = format!("{}{}", stdout(&out), stderr(&out));
        assert!(
            !all.contains(pw),
            "the password in the output of {args:?}:\n{all}"
        );
        (out.status.code(), all)
    };
    let started = std::time::Instant::now();
    let (code, out) = run(&["apply", "--env", "local", "--auto-approve"]);
    let took = started.elapsed();
    assert_eq!(code, Some(0), "{out}");
    let at = |needle: &str| {
        out.find(needle)
            .unwrap_or_else(|| panic!("`{needle}` not in:\n{out}"))
    };
    assert!(at("pg: created") < at("owner: creating"), "{out}");
    assert!(at("pg: created") < at("prewarm: creating"), "{out}");
    assert!(at("db: created") < at("stats: creating"), "{out}");
    assert!(out.contains("Apply complete: 6 added"), "{out}");
    eprintln!("chain applied in {took:?}");

    let (code, out) = run(&["plan", "--env", "local", "--detailed-exitcode"]);
    assert_eq!(code, Some(0), "a second plan is empty:\n{out}");

    // The cluster itself: reached at the fqdn the emulator reports, as the server's admin.
    let (_, out) = run(&["output", "host", "--env", "local"]);
    let host = out.trim().trim_matches('"').to_string();
    let (h, port) = host.split_once(':').expect("host:port");
    assert_eq!(h, "127.0.0.1");
    // The emulator (and so the cluster) only runs during a command: ask through one that
    // keeps it up, the emulator itself.
    let data = dir.path().join(".infra/emulator");
    let mut emu = std::process::Command::new(env!("CARGO_BIN_EXE_infra"))
        .args(["emulator", "--listen", "127.0.0.1:0", "--data"])
        .arg(&data)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("emulator");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let checked = rt.block_on(async {
        let mut last = String::new();
        for _ in 0..100 {
            match tokio_postgres::connect(
                &format!("host=127.0.0.1 port={port} user=pgadmin password={pw} dbname=app"),
                tokio_postgres::NoTls,
            )
            .await
            {
                Ok((client, conn)) => {
                    tokio::spawn(conn);
                    let preload: String = client
                        .query_one("SHOW shared_preload_libraries", &[])
                        .await
                        .unwrap()
                        .get(0);
                    let exts: Vec<String> = client
                        .query("SELECT extname::text FROM pg_extension ORDER BY 1", &[])
                        .await
                        .unwrap()
                        .iter()
                        .map(|r| r.get(0))
                        .collect();
                    let owner: String = client
                        .query_one(
                            "SELECT pg_get_userbyid(datdba)::text FROM pg_database WHERE datname = 'app'",
                            &[],
                        )
                        .await
                        .unwrap()
                        .get(0);
                    return Ok((preload, exts, owner));
                }
                Err(e) => last = e.to_string(),
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        Err(last)
    });
    // The test's own sessions end before the database is dropped.
    drop(rt);
    // SIGTERM: the emulator stops its clusters before it exits.
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &emu.id().to_string()])
        .status();
    let _ = emu.wait();
    let (preload, exts, owner) = checked.expect("the cluster answers while the emulator runs");
    assert!(
        preload.contains("pg_prewarm"),
        "restarted with the preload: {preload}"
    );
    assert!(exts.contains(&"pg_prewarm".to_string()), "{exts:?}");
    assert!(exts.contains(&"pg_stat_statements".to_string()), "{exts:?}");
    assert_eq!(owner, "app_owner");

    let (code, out) = run(&["destroy", "--env", "local", "--auto-approve"]);
    assert_eq!(code, Some(0), "{out}");
}
