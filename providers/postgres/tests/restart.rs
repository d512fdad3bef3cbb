//! A server that is down or restarting (as a flexible server is after a preload change) is
//! retried within the bound, and the object is then written; a server preloaded and restarted
//! serves an extension that needs `shared_preload_libraries`.

mod support;
use infra_provider_core::Value;
use infra_provider_postgres::PostgresProvider;
use infra_provider_postgres::tokio_postgres;
use std::time::{Duration, Instant};
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarting_server_is_waited_for() {
    let dir = tempfile::tempdir().unwrap();
    let Some(mut c) = cluster(dir.path(), &Default::default()) else {
        return;
    };
    let conn = connection(&c, "disable", &[]);
    let admin_check = (c.port, c.user.clone(), c.password.clone());
    c.stop();
    let restarter = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(2));
        c.restart_with_preload(&["pg_stat_statements".into()])
            .expect("start with the preload");
        c
    });
    let started = Instant::now();
    let p = PostgresProvider::new();
    let ext = create(
        &p,
        "postgres.extension",
        &props(&[
            ("name", Value::str("pg_stat_statements")),
            ("connection", conn),
        ]),
    )
    .await
    .expect("created once the server is back");
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(1500),
        "did not wait: {waited:?}"
    );
    assert!(
        waited < Duration::from_secs(60),
        "waited too long: {waited:?}"
    );
    eprintln!("waited {waited:?} for the server to come back");
    let c = restarter.join().unwrap();
    assert!(read(&p, "postgres.extension", &ext).await.is_some());
    // Preloaded: the extension's view answers (without the preload it raises 55000).
    let (client, conn) = tokio_postgres::connect(
        &format!(
            "host=127.0.0.1 port={} user={} password={} dbname=postgres",
            admin_check.0, admin_check.1, admin_check.2
        ),
        tokio_postgres::NoTls,
    )
    .await
    .unwrap();
    tokio::spawn(conn);
    client
        .query("SELECT count(*) FROM pg_stat_statements", &[])
        .await
        .expect("pg_stat_statements is loaded");
    drop(c);
}
