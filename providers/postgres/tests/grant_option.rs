//! `with_grant_option`: granted with the privileges, read back from the ACL's grantable bit,
//! and taken away (the privileges stay) when turned off.

mod support;
use infra_provider_core::Value;
use infra_provider_postgres::PostgresProvider;
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_grant_option_is_granted_read_and_revoked() {
    let dir = tempfile::tempdir().unwrap();
    let Some(c) = cluster(dir.path(), &Default::default()) else {
        return;
    };
    let su = admin(&c, "postgres").await;
    su.batch_execute("CREATE ROLE reader; CREATE SCHEMA data")
        .await
        .unwrap();
    let p = PostgresProvider::new();
    let grant = |option: bool| {
        props(&[
            ("role", Value::str("reader")),
            ("object_type", Value::str("schema")),
            ("schema", Value::str("data")),
            ("privileges", strs(&["USAGE", "CREATE"])),
            ("with_grant_option", Value::Bool(option)),
            ("connection", connection(&c, "disable", &[])),
        ])
    };
    let grantable = || async {
        su.query(
            "SELECT a.privilege_type::text, a.is_grantable FROM pg_namespace n, \
             aclexplode(n.nspacl) a WHERE n.nspname = 'data' \
             AND a.grantee = 'reader'::regrole ORDER BY 1",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get::<_, String>(0), r.get::<_, bool>(1)))
        .collect::<Vec<_>>()
    };
    let made = create(&p, "postgres.grant", &grant(true))
        .await
        .expect("grant");
    assert_eq!(
        grantable().await,
        [("CREATE".to_string(), true), ("USAGE".to_string(), true)]
    );
    let live = read(&p, "postgres.grant", &made).await.expect("live");
    assert_eq!(
        live.inputs.get("with_grant_option"),
        Some(&Value::Bool(true))
    );

    let off = update(&p, "postgres.grant", &live, &grant(false))
        .await
        .expect("option off");
    assert_eq!(
        grantable().await,
        [("CREATE".to_string(), false), ("USAGE".to_string(), false)],
        "privileges kept, option gone"
    );
    let live = read(&p, "postgres.grant", &off).await.expect("live");
    assert_eq!(
        live.inputs.get("with_grant_option"),
        Some(&Value::Bool(false))
    );
}
