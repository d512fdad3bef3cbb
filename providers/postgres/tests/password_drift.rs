//! A role password changed behind infra's back: seen through the live SCRAM verifier when the
//! connection may read `pg_authid` (a superuser), and honestly not seen when it may not (as
//! with Azure's admin, which is not a superuser).

mod support;
use infra_provider_core::Value;
use infra_provider_postgres::PostgresProvider;
use support::*;

fn role(password: &str, conn: Value) -> infra_provider_core::Props {
    props(&[
        ("name", Value::str("app")),
        ("login", Value::Bool(true)),
        ("password", Value::secret(Value::str(password))),
        ("connection", conn),
    ])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_changed_elsewhere_is_drift_for_a_superuser_only() {
    let dir = tempfile::tempdir().unwrap();
    let Some(c) = cluster(dir.path(), &Default::default()) else {
        return;
    };
    let p = PostgresProvider::new();
    let conn = connection(&c, "disable", &[]);
    let made = create(&p, "postgres.role", &role("configured-pw", conn.clone()))
        .await
        .expect("role");
    assert_eq!(
        made.inputs.get("password_matches"),
        Some(&Value::Bool(true))
    );
    let live = read(&p, "postgres.role", &made).await.expect("live");
    assert_eq!(
        live.inputs.get("password_matches"),
        Some(&Value::Bool(true))
    );

    let su = admin(&c, "postgres").await;
    su.batch_execute("ALTER ROLE app PASSWORD 'changed-elsewhere'")
        .await
        .unwrap();
    let live = read(&p, "postgres.role", &made).await.expect("live");
    assert_eq!(
        live.inputs.get("password_matches"),
        Some(&Value::Bool(false)),
        "the live verifier is not the configured password's"
    );
    let fixed = update(
        &p,
        "postgres.role",
        &live,
        &role("configured-pw", conn.clone()),
    )
    .await
    .expect("put back");
    let live = read(&p, "postgres.role", &fixed).await.expect("live");
    assert_eq!(
        live.inputs.get("password_matches"),
        Some(&Value::Bool(true))
    );

    // A manager that is not a superuser (CREATEROLE, like Azure's admin) cannot read
    // pg_authid: nothing is concluded, so no drift is claimed either way.
    su.batch_execute(
        "CREATE ROLE manager LOGIN CREATEROLE PASSWORD 'manager-pw'; \
         GRANT app TO manager WITH ADMIN OPTION",
    )
    .await
    .unwrap();
    let mut m = infra_provider_core::Map::new();
    m.insert("host".into(), Value::str("127.0.0.1"));
    m.insert("port".into(), Value::Int(i64::from(c.port)));
    m.insert("user".into(), Value::str("manager"));
    m.insert("password".into(), Value::secret(Value::str("manager-pw")));
    m.insert("sslmode".into(), Value::str("disable"));
    let as_manager = Value::Object(m);
    let p2 = PostgresProvider::new();
    let desired = role("configured-pw", as_manager);
    let planned = infra_provider_core::Provider::plan(
        &p2,
        infra_provider_core::PlanRequest {
            type_name: "postgres.role",
            address: "app",
            desired: &desired,
            prior: None,
        },
    )
    .unwrap();
    let managed = update(&p2, "postgres.role", &made, &desired)
        .await
        .expect("a CREATEROLE manager alters the role");
    assert_eq!(
        planned.inputs.get("password_matches"),
        Some(&Value::Bool(true))
    );
    su.batch_execute("ALTER ROLE app PASSWORD 'changed-again'")
        .await
        .unwrap();
    let mut recorded = managed.clone();
    recorded
        .inputs
        .insert("password_matches".into(), Value::Bool(true));
    let live = read(&p2, "postgres.role", &recorded).await.expect("live");
    assert_eq!(
        live.inputs.get("password_matches"),
        Some(&Value::Bool(true)),
        "unreadable verifier: the recorded value stands (drift not seen)"
    );
}
