//! Roles, databases, schemas, extensions and grants against a real server: created, read back
//! from the catalogs, changed behind infra's back (drift seen), repaired, updated and deleted.

mod support;
use infra_provider_core::{Provider, Value};
use infra_provider_postgres::PostgresProvider;
use support::*;

#[tokio::test]
async fn objects_drift_and_are_repaired() {
    let dir = tempfile::tempdir().unwrap();
    let Some(c) = cluster(dir.path(), &Default::default()) else {
        return;
    };
    let p = PostgresProvider::new();
    let conn = connection(&c, "prefer", &[]);
    let owner = create(
        &p,
        "postgres.role",
        &props(&[
            ("name", Value::str("app_owner")),
            ("connection", conn.clone()),
        ]),
    )
    .await
    .unwrap();
    let reader = create(
        &p,
        "postgres.role",
        &props(&[
            ("name", Value::str("app_reader")),
            ("login", Value::Bool(true)),
            ("connection_limit", Value::Int(5)),
            ("member_of", strs(&["app_owner"])),
            ("password", Value::secret(Value::str("s3cret-reader"))),
            ("connection", conn.clone()),
        ]),
    )
    .await
    .unwrap();
    let live = read(&p, "postgres.role", &reader).await.unwrap();
    assert_eq!(live.inputs["connection_limit"], Value::Int(5));
    assert_eq!(live.inputs["member_of"], strs(&["app_owner"]));
    assert_eq!(live.inputs["login"], Value::Bool(true));

    let db = create(
        &p,
        "postgres.database",
        &props(&[
            ("name", Value::str("app")),
            ("owner", Value::str("app_owner")),
            ("encoding", Value::str("utf-8")),
            ("template", Value::str("template0")),
            ("connection", conn.clone()),
        ]),
    )
    .await
    .unwrap();
    assert_eq!(db.inputs["encoding"], Value::str("UTF8"));
    let in_app = |extra: &[(&str, Value)]| {
        let mut v = props(extra);
        v.insert("database".into(), Value::str("app"));
        v.insert("connection".into(), conn.clone());
        v
    };
    let schema = create(
        &p,
        "postgres.schema",
        &in_app(&[("name", Value::str("analytics"))]),
    )
    .await
    .unwrap();
    let ext_desired = in_app(&[
        ("name", Value::str("pg_trgm")),
        ("version", Value::str("1.5")),
        ("schema", Value::str("analytics")),
    ]);
    let ext = create(&p, "postgres.extension", &ext_desired)
        .await
        .unwrap();
    assert_eq!(ext.outputs["installed_version"], Value::str("1.5"));
    let usage = create(
        &p,
        "postgres.grant",
        &in_app(&[
            ("role", Value::str("app_reader")),
            ("object_type", Value::str("schema")),
            ("schema", Value::str("analytics")),
            ("privileges", strs(&["usage"])),
        ]),
    )
    .await
    .unwrap();
    let admin = admin(&c, "app").await;
    admin
        .batch_execute(
            "CREATE TABLE analytics.events (id int); CREATE TABLE analytics.users (id int)",
        )
        .await
        .unwrap();
    let select = create(
        &p,
        "postgres.grant",
        &in_app(&[
            ("role", Value::str("app_reader")),
            ("object_type", Value::str("tables")),
            ("schema", Value::str("analytics")),
            ("privileges", strs(&["SELECT", "select"])),
        ]),
    )
    .await
    .unwrap();
    assert_eq!(select.inputs["privileges"], strs(&["SELECT"]));
    let future = create(
        &p,
        "postgres.grant",
        &in_app(&[
            ("role", Value::str("app_reader")),
            ("object_type", Value::str("default_tables")),
            ("schema", Value::str("analytics")),
            ("privileges", strs(&["SELECT", "INSERT"])),
        ]),
    )
    .await
    .unwrap();
    let connect_grant = create(
        &p,
        "postgres.grant",
        &in_app(&[
            ("role", Value::str("app_reader")),
            ("object_type", Value::str("database")),
            ("privileges", strs(&["CONNECT", "TEMP"])),
        ]),
    )
    .await
    .unwrap();
    assert_eq!(
        connect_grant.inputs["privileges"],
        strs(&["CONNECT", "TEMPORARY"])
    );
    // Every object reads back as it was written: no drift.
    for (ty, obj) in [
        ("postgres.role", &reader),
        ("postgres.database", &db),
        ("postgres.schema", &schema),
        ("postgres.extension", &ext),
        ("postgres.grant", &usage),
        ("postgres.grant", &select),
        ("postgres.grant", &future),
        ("postgres.grant", &connect_grant),
    ] {
        let live = read(&p, ty, obj)
            .await
            .unwrap_or_else(|| panic!("{} gone", obj.id));
        assert_eq!(live.inputs, recorded(obj).inputs, "{}", obj.id);
    }
    // A table made later by the owner of the default privileges is readable at once.
    admin
        .batch_execute("CREATE TABLE analytics.later (id int)")
        .await
        .unwrap();
    let n: i64 = admin
        .query_one(
            "SELECT count(*) FROM information_schema.role_table_grants \
             WHERE grantee = 'app_reader' AND table_name = 'later' AND privilege_type = 'INSERT'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 1);

    // Behind infra's back: a revoke, a dropped extension, a role that lost its membership.
    admin
        .batch_execute(
            "REVOKE SELECT ON analytics.events FROM app_reader; \
             REVOKE USAGE ON SCHEMA analytics FROM app_reader; \
             DROP EXTENSION pg_trgm; REVOKE app_owner FROM app_reader",
        )
        .await
        .unwrap();
    let drifted = read(&p, "postgres.grant", &select).await.unwrap();
    assert_eq!(
        drifted.inputs["privileges"],
        strs(&[]),
        "one table lost SELECT"
    );
    let drifted = read(&p, "postgres.grant", &usage).await.unwrap();
    assert_eq!(drifted.inputs["privileges"], strs(&[]));
    assert!(read(&p, "postgres.extension", &ext).await.is_none());
    let drifted = read(&p, "postgres.role", &reader).await.unwrap();
    assert_eq!(drifted.inputs["member_of"], strs(&[]));
    // Repaired by the same writes a plan would make.
    update(
        &p,
        "postgres.grant",
        &select,
        &recorded(&select).inputs_with(&conn),
    )
    .await
    .unwrap();
    update(
        &p,
        "postgres.grant",
        &usage,
        &recorded(&usage).inputs_with(&conn),
    )
    .await
    .unwrap();
    create(&p, "postgres.extension", &ext_desired)
        .await
        .unwrap();
    update(
        &p,
        "postgres.role",
        &reader,
        &recorded(&reader).inputs_with(&conn),
    )
    .await
    .unwrap();
    for (ty, obj) in [
        ("postgres.grant", &select),
        ("postgres.grant", &usage),
        ("postgres.extension", &ext),
        ("postgres.role", &reader),
    ] {
        let live = read(&p, ty, obj).await.unwrap();
        assert_eq!(live.inputs, recorded(obj).inputs, "{} not repaired", obj.id);
    }

    // ALTER EXTENSION ... UPDATE, and a privilege taken away by the configuration.
    let mut newer = ext_desired.clone();
    newer.insert("version".into(), Value::str("1.6"));
    let ext2 = update(&p, "postgres.extension", &ext, &newer)
        .await
        .unwrap();
    assert_eq!(ext2.outputs["installed_version"], Value::str("1.6"));
    let mut fewer = recorded(&future).inputs_with(&conn);
    fewer.insert("privileges".into(), strs(&["SELECT"]));
    let future2 = update(&p, "postgres.grant", &future, &fewer).await.unwrap();
    assert_eq!(
        read(&p, "postgres.grant", &future2).await.unwrap().inputs["privileges"],
        strs(&["SELECT"])
    );

    // An extension the server does not have fails with PostgreSQL's own error.
    let missing = create(
        &p,
        "postgres.extension",
        &in_app(&[("name", Value::str("timescaledb"))]),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(missing.contains("SQLSTATE 0A000"), "{missing}");
    assert!(missing.contains("timescaledb"), "{missing}");

    // Deleted in reverse order; each is gone afterwards.
    for (ty, obj) in [
        ("postgres.grant", &connect_grant),
        ("postgres.grant", &future2),
        ("postgres.grant", &select),
        ("postgres.grant", &usage),
        ("postgres.extension", &ext2),
    ] {
        p.delete(ty, &recorded(obj), &ctx())
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", obj.id));
    }
    let n: i64 = admin
        .query_one(
            "SELECT count(*) FROM information_schema.role_table_grants \
             WHERE grantee = 'app_reader' AND privilege_type = 'SELECT'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    // INSERT on `later` came from the default privileges when it was made, not from this grant.
    assert_eq!(n, 0, "SELECT revoked from every table");
    // A schema that still holds tables infra does not manage is not dropped with them.
    let refused = p
        .delete("postgres.schema", &recorded(&schema), &ctx())
        .await
        .unwrap_err()
        .to_string();
    assert!(refused.contains("SQLSTATE 2BP01"), "{refused}");
    admin
        .batch_execute("DROP TABLE analytics.events, analytics.users, analytics.later")
        .await
        .unwrap();
    p.delete("postgres.schema", &recorded(&schema), &ctx())
        .await
        .unwrap();
    assert!(read(&p, "postgres.schema", &schema).await.is_none());
    drop(admin);
    for (ty, obj) in [
        ("postgres.database", &db),
        ("postgres.role", &reader),
        ("postgres.role", &owner),
    ] {
        p.delete(ty, &recorded(obj), &ctx())
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", obj.id));
        assert!(read(&p, ty, obj).await.is_none(), "{} still there", obj.id);
    }
    // Objects inside a database that is gone read as gone.
    assert!(read(&p, "postgres.schema", &schema).await.is_none());
}

trait WithConn {
    fn inputs_with(&self, conn: &Value) -> infra_provider_core::Props;
}

impl WithConn for infra_provider_core::ObjectState {
    /// The recorded inputs with the connection put back, as the configuration gives them.
    fn inputs_with(&self, conn: &Value) -> infra_provider_core::Props {
        let mut i = self.inputs.clone();
        i.insert("connection".into(), conn.clone());
        i
    }
}
