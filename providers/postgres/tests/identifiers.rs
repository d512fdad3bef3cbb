//! Names a user controls reach PostgreSQL only quoted: quotes, spaces, `;`, unicode and names
//! of exactly 63 bytes make ordinary objects, and one byte more is refused before any SQL.

mod support;
use infra_provider_core::{PlanRequest, Provider, Value};
use infra_provider_postgres::PostgresProvider;
use infra_provider_postgres::connect::{Endpoint, connect};
use support::*;

fn names() -> Vec<String> {
    vec![
        r#"quo"te"#.into(),
        "with space".into(),
        "x; DROP ROLE infra_admin; --".into(),
        "Robert'); DROP TABLE students;--".into(),
        "ünïcødé 日本 🐘".into(),
        // 31 two-byte characters and one more byte: exactly the 63-byte limit.
        format!("{}a", "é".repeat(31)),
        "UPPER lower".into(),
        r"back\slash".into(),
    ]
}

#[tokio::test]
async fn hostile_names_make_ordinary_objects() {
    let dir = tempfile::tempdir().unwrap();
    let Some(c) = cluster(dir.path(), &Default::default()) else {
        return;
    };
    let p = PostgresProvider::new();
    let conn = connection(&c, "disable", &[]);
    let password = r#"pa'ss"wo;rd\ 🔑"#;
    for name in names() {
        assert!(name.len() <= 63, "{name}");
        let role = create(
            &p,
            "postgres.role",
            &props(&[
                ("name", Value::str(&name)),
                ("login", Value::Bool(true)),
                ("password", Value::secret(Value::str(password))),
                ("connection", conn.clone()),
            ]),
        )
        .await
        .unwrap_or_else(|e| panic!("role {name:?}: {e}"));
        let live = read(&p, "postgres.role", &role).await.expect("role exists");
        assert_eq!(live.inputs["name"], Value::str(&name));
        // The password was set exactly: the role logs in with it.
        let as_role = Endpoint {
            host: "127.0.0.1".into(),
            port: c.port,
            user: name.clone(),
            database: "postgres".into(),
            sslmode: infra_provider_postgres::connect::SslMode::Disable,
            ca_cert: None,
        };
        let client = connect(
            &as_role,
            Some(password),
            &infra_provider_core::Cancel::never(),
        )
        .await
        .unwrap_or_else(|e| panic!("login as {name:?}: {e}"));
        let who: String = client
            .query_one("SELECT current_user::text", &[])
            .await
            .unwrap()
            .get(0);
        assert_eq!(who, name);

        let db = create(
            &p,
            "postgres.database",
            &props(&[
                ("name", Value::str(&name)),
                ("owner", Value::str(&name)),
                ("connection", conn.clone()),
            ]),
        )
        .await
        .unwrap_or_else(|e| panic!("database {name:?}: {e}"));
        let schema = create(
            &p,
            "postgres.schema",
            &props(&[
                ("name", Value::str(&name)),
                ("owner", Value::str(&name)),
                ("database", Value::str(&name)),
                ("connection", conn.clone()),
            ]),
        )
        .await
        .unwrap_or_else(|e| panic!("schema {name:?}: {e}"));
        let live = read(&p, "postgres.schema", &schema)
            .await
            .expect("schema exists");
        assert_eq!(live.inputs["owner"], Value::str(&name));

        for (ty, obj) in [
            ("postgres.schema", &schema),
            ("postgres.database", &db),
            ("postgres.role", &role),
        ] {
            p.delete(ty, &recorded(obj), &ctx())
                .await
                .unwrap_or_else(|e| panic!("delete {ty} {name:?}: {e}"));
            assert!(
                read(&p, ty, obj).await.is_none(),
                "{ty} {name:?} still there"
            );
        }
    }
    // The admin role survived every name that tried to drop it.
    let admin = admin(&c, "postgres").await;
    let n: i64 = admin
        .query_one(
            "SELECT count(*) FROM pg_roles WHERE rolname = $1",
            &[&c.user],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 1);
}

#[test]
fn names_over_63_bytes_are_refused_at_plan() {
    let p = PostgresProvider::new();
    let conn = Value::Object(
        [("host", "h"), ("user", "u")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), Value::str(v)))
            .collect(),
    );
    let long = "é".repeat(32);
    for ty in [
        "postgres.role",
        "postgres.database",
        "postgres.schema",
        "postgres.extension",
    ] {
        let desired = props(&[("name", Value::str(&long)), ("connection", conn.clone())]);
        let err = p
            .plan(PlanRequest {
                type_name: ty,
                address: "a",
                desired: &desired,
                prior: None,
            })
            .unwrap_err();
        assert!(err.to_string().contains("64 bytes"), "{ty}: {err}");
    }
}
