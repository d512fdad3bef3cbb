//! `server = pg`: the object a flexible server reference carries (fqdn, admin login and
//! password) is enough to reach the server; the endpoint recorded for reads comes from it.

mod support;
use infra_provider_core::{Map, Provider, Value};
use infra_provider_postgres::PostgresProvider;
use support::*;

/// What the language passes for `server = pg`: the server's id and carried attributes.
fn server(fqdn: &str, login: &str, password: &str) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), Value::str("/subscriptions/s/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg"));
    m.insert("fqdn".into(), Value::str(fqdn));
    m.insert("admin_login".into(), Value::str(login));
    m.insert("admin_password".into(), Value::secret(Value::str(password)));
    Value::Object(m)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_reference_reaches_the_server_as_its_admin() {
    let dir = tempfile::tempdir().unwrap();
    let Some(c) = cluster(dir.path(), &Default::default()) else {
        return;
    };
    let srv = server(&format!("127.0.0.1:{}", c.port), &c.user, &c.password);
    let p = PostgresProvider::new();
    let db = create(
        &p,
        "postgres.database",
        &props(&[("name", Value::str("app")), ("server", srv.clone())]),
    )
    .await
    .expect("database created through the server reference");
    let ext = create(
        &p,
        "postgres.extension",
        &props(&[
            ("name", Value::str("pg_trgm")),
            ("database", Value::str("app")),
            ("server", srv.clone()),
        ]),
    )
    .await
    .expect("extension created in the resource's database");
    let Some(Value::Object(endpoint)) = ext.outputs.get("endpoint") else {
        panic!("no endpoint recorded: {:?}", ext.outputs);
    };
    assert_eq!(endpoint.get("host"), Some(&Value::str("127.0.0.1")));
    assert_eq!(endpoint.get("port"), Some(&Value::Int(i64::from(c.port))));
    assert_eq!(endpoint.get("user"), Some(&Value::str(&c.user)));
    assert_eq!(endpoint.get("database"), Some(&Value::str("app")));
    // Loopback: the local emulator's cluster; TLS when offered.
    assert_eq!(endpoint.get("sslmode"), Some(&Value::str("prefer")));
    assert!(!format!("{:?}", ext.outputs).contains(&c.password));

    // A fresh provider (a later run) learns the password from the configuration.
    let later = PostgresProvider::new();
    later.prepare(&[infra_provider_core::DesiredResource {
        address: "stats".into(),
        type_name: "postgres.extension".into(),
        properties: props(&[
            ("name", Value::str("pg_trgm")),
            ("database", Value::str("app")),
            ("server", srv.clone()),
        ])
        .into(),
        depends_on: Default::default(),
        lifecycle: Default::default(),
        existing: false,
    }]);
    assert!(read(&later, "postgres.extension", &ext).await.is_some());
    let client = admin(&c, "app").await;
    let n: i64 = client
        .query_one(
            "SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 1);
    assert!(read(&p, "postgres.database", &db).await.is_some());
}

#[test]
fn server_and_connection_together_are_refused_at_plan() {
    let p = PostgresProvider::new();
    let desired = props(&[
        ("name", Value::str("pg_trgm")),
        (
            "server",
            server("pg.postgres.database.azure.com", "pgadmin", "pw"),
        ),
        (
            "connection",
            Value::Object(Map::from([("host".to_string(), Value::str("h"))])),
        ),
    ]);
    let err = infra_provider_core::Provider::plan(
        &p,
        infra_provider_core::PlanRequest {
            type_name: "postgres.extension",
            address: "x",
            desired: &desired,
            prior: None,
        },
    )
    .unwrap_err();
    assert!(err.to_string().contains("cannot both be set"), "{err}");
}
