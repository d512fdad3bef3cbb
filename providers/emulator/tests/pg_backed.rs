//! A flexible server backed by a real PostgreSQL cluster (when the server programs are
//! installed): the fqdn reaches it as the administrator, an ARM database is a real database,
//! a preload configuration takes effect on restart, and deleting the server (or shutting the
//! emulator down) stops the cluster.

mod common;
use common::*;
use infra_emulator::Config;
use infra_provider_postgres::tokio_postgres;
use serde_json::json;

async fn connect(fqdn: &str, db: &str) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
    let (host, port) = fqdn.split_once(':').expect("host:port");
    let (client, conn) = tokio_postgres::connect(
        &format!(
            "host={host} port={port} user=pgadmin password=canary-Secret-1 dbname={db} connect_timeout=5"
        ),
        tokio_postgres::NoTls,
    )
    .await?;
    tokio::spawn(conn);
    Ok(client)
}

async fn settle(env: &Env, r: &Resp) {
    if let Some(aao) = r.header("azure-asyncoperation") {
        let v = env.poll_async(&aao).await;
        assert_eq!(v["status"], "Succeeded", "{v}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flexible_server_is_a_real_cluster() {
    if infra_provider_postgres::cluster::find_bin().is_none() {
        assert!(std::env::var("CI").is_err(), "CI installs PostgreSQL");
        eprintln!("SKIPPED: PostgreSQL server programs are not installed");
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let config = Config {
        postgres_clusters: true,
        data_dir: Some(data.path().to_path_buf()),
        ..fast()
    };
    let env = start(config).await;
    env.rg("s1", "rg").await;
    let server = url(
        "Microsoft.DBforPostgreSQL/flexibleServers/real",
        "2025-08-01",
    );
    let r = env.put(&server, pg_body("pgadmin")).await;
    assert_eq!(r.status, 202, "{}", r.text);
    settle(&env, &r).await;
    let body = env.get(&server).await.json();
    let fqdn = body["properties"]["fullyQualifiedDomainName"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(fqdn.starts_with("127.0.0.1:"), "{fqdn}");
    assert!(!body.to_string().contains("canary-Secret-1"));
    let admin = connect(&fqdn, "postgres").await.expect("admin logs in");
    let su: bool = admin
        .query_one(
            "SELECT rolsuper FROM pg_roles WHERE rolname = 'pgadmin'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(su);

    let db = url(
        "Microsoft.DBforPostgreSQL/flexibleServers/real/databases/appdb",
        "2025-08-01",
    );
    let r = env.put(&db, json!({"properties": {}})).await;
    assert!(
        r.status == 202 || r.status == 200 || r.status == 201,
        "{}",
        r.text
    );
    settle(&env, &r).await;
    connect(&fqdn, "appdb")
        .await
        .expect("the ARM database exists in the cluster");

    let preload = url(
        "Microsoft.DBforPostgreSQL/flexibleServers/real/configurations/shared_preload_libraries",
        "2025-08-01",
    );
    let r = env
        .put(
            &preload,
            json!({"properties": {"value": "pg_stat_statements,timescaledb_if_missing", "source": "user-override"}}),
        )
        .await;
    // Unknown library names are refused by the parameter's allowed values.
    assert_eq!(r.status, 400, "{}", r.text);
    let r = env
        .put(
            &preload,
            json!({"properties": {"value": "pg_stat_statements,pg_cron", "source": "user-override"}}),
        )
        .await;
    settle(&env, &r).await;
    let before: String = admin
        .query_one("SHOW shared_preload_libraries", &[])
        .await
        .unwrap()
        .get(0);
    let restart = format!(
        "{RG}/providers/Microsoft.DBforPostgreSQL/flexibleServers/real/restart?api-version=2025-08-01"
    );
    let r = env.send("POST", &restart, Some(&json!({}))).await;
    assert_eq!(r.status, 202, "{}", r.text);
    settle(&env, &r).await;
    let after_restart = connect(&fqdn, "postgres")
        .await
        .expect("back after restart");
    let now: String = after_restart
        .query_one("SHOW shared_preload_libraries", &[])
        .await
        .unwrap()
        .get(0);
    // pg_cron is not installed here: only what the installation has is preloaded.
    assert_eq!(now, "pg_stat_statements", "before: {before}");

    // A new administrator password (an update of the server) is the cluster's too.
    let mut changed = pg_body("pgadmin");
    changed["properties"]["administratorLoginPassword"] = json!("canary-Secret-2");
    let r = env.put(&server, changed).await;
    assert!(r.status == 200 || r.status == 202, "{}", r.text);
    settle(&env, &r).await;
    let (host, port) = fqdn.split_once(':').unwrap();
    let login = |pw: &'static str| {
        let conn = format!("host={host} port={port} user=pgadmin password={pw} dbname=postgres");
        async move {
            tokio_postgres::connect(&conn, tokio_postgres::NoTls)
                .await
                .is_ok()
        }
    };
    assert!(login("canary-Secret-2").await, "the new password logs in");
    assert!(
        !login("canary-Secret-1").await,
        "the old one no longer does"
    );
    let r = env.put(&server, pg_body("pgadmin")).await;
    settle(&env, &r).await;
    assert!(login("canary-Secret-1").await);

    // The emulator goes and comes back with the same data: so does the cluster.
    env.emu.shutdown().await;
    assert!(
        connect(&fqdn, "postgres").await.is_err(),
        "stopped with the emulator"
    );
    let env = start(Config {
        postgres_clusters: true,
        data_dir: Some(data.path().to_path_buf()),
        ..fast()
    })
    .await;
    connect(&fqdn, "appdb")
        .await
        .expect("started again, same port and data");

    let r = env.send("DELETE", &server, None).await;
    settle(&env, &r).await;
    assert!(
        connect(&fqdn, "postgres").await.is_err(),
        "stopped with the server"
    );
    assert!(
        !data
            .path()
            .join("postgres")
            .read_dir()
            .unwrap()
            .any(|_| true)
    );
    env.emu.shutdown().await;
}
