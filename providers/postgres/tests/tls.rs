//! `sslmode` as libpq means it, against a server with a self-signed certificate: `disable` is
//! plain, `prefer` and `require` are encrypted without checking the certificate, `verify-full`
//! checks it (refused without the CA, accepted with it as `ca_cert`). Errors carry the SQLSTATE
//! and never the password.

mod support;
use infra_provider_core::{Cancel, ProviderError, Value};
use infra_provider_postgres::PostgresProvider;
use infra_provider_postgres::cluster::{Options, have_openssl};
use infra_provider_postgres::connect::{Endpoint, SslMode, connect};
use support::*;

fn endpoint(port: u16, user: &str, host: &str, sslmode: SslMode, ca: Option<&str>) -> Endpoint {
    Endpoint {
        host: host.into(),
        port,
        user: user.into(),
        database: "postgres".into(),
        sslmode,
        ca_cert: ca.map(str::to_string),
    }
}

#[tokio::test]
async fn sslmode_is_honoured() {
    if !have_openssl() {
        eprintln!("SKIPPED: no `openssl` to make the server's self-signed certificate");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let Some(c) = cluster(
        dir.path(),
        &Options {
            tls: true,
            ..Default::default()
        },
    ) else {
        return;
    };
    let cert = c.certificate.clone().expect("certificate");
    let never = Cancel::never();
    let encrypted = |client: tokio_postgres::Client| async move {
        let row = client
            .query_one(
                "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                &[],
            )
            .await
            .unwrap();
        row.get::<_, bool>(0)
    };
    for (mode, host, want_tls) in [
        (SslMode::Disable, "127.0.0.1", false),
        (SslMode::Prefer, "127.0.0.1", true),
        (SslMode::Require, "127.0.0.1", true),
    ] {
        let e = endpoint(c.port, &c.user, host, mode, None);
        let client = connect(&e, Some(&c.password), &never).await.unwrap();
        assert_eq!(encrypted(client).await, want_tls, "{mode:?}");
    }
    // verify-full: the self-signed certificate is not trusted by the system...
    let e = endpoint(c.port, &c.user, "localhost", SslMode::VerifyFull, None);
    let err = connect(&e, Some(&c.password), &never)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.to_lowercase().contains("certificate"), "{err}");
    assert!(!err.contains(&c.password), "{err}");
    // ...but is with it as ca_cert, for the names it carries,
    for host in ["localhost", "127.0.0.1"] {
        let e = endpoint(c.port, &c.user, host, SslMode::VerifyFull, Some(&cert));
        let client = connect(&e, Some(&c.password), &never).await.unwrap();
        assert!(encrypted(client).await);
    }
    // and a ca_cert that is not PEM is a configuration error.
    let e = endpoint(
        c.port,
        &c.user,
        "localhost",
        SslMode::VerifyFull,
        Some("not a cert"),
    );
    assert!(matches!(
        connect(&e, Some(&c.password), &never).await,
        Err(ProviderError::Invalid(_))
    ));

    // The provider takes sslmode and ca_cert from `connection`.
    let p = PostgresProvider::new();
    let conn = connection(
        &c,
        "verify-full",
        &[
            ("ca_cert", Value::str(&cert)),
            ("host", Value::str("localhost")),
        ],
    );
    let role = create(
        &p,
        "postgres.role",
        &props(&[("name", Value::str("tls_role")), ("connection", conn)]),
    )
    .await
    .unwrap();
    assert_eq!(
        role.outputs["endpoint"].to_redacted_json()["sslmode"],
        "verify-full"
    );
    assert!(read(&p, "postgres.role", &role).await.is_some());
}

#[tokio::test]
async fn errors_carry_sqlstate_and_never_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let Some(c) = cluster(dir.path(), &Default::default()) else {
        return;
    };
    let never = Cancel::never();
    let wrong = "wrong-Pa55word-xyz";
    let e = endpoint(c.port, &c.user, "127.0.0.1", SslMode::Disable, None);
    let err = connect(&e, Some(wrong), &never).await.unwrap_err();
    let shown = err.to_string();
    assert!(shown.contains("SQLSTATE 28P01"), "{shown}");
    assert!(
        shown.contains(&format!("{}@127.0.0.1:{}", c.user, c.port)),
        "{shown}"
    );
    assert!(
        !shown.contains(wrong) && !format!("{err:?}").contains(wrong),
        "{shown}"
    );

    // A role password never appears in an error either, even when the statement fails.
    let p = PostgresProvider::new();
    let conn = connection(&c, "disable", &[]);
    let secret = "the-role-Pa55word";
    let desired = props(&[
        ("name", Value::str("dup")),
        ("password", Value::secret(Value::str(secret))),
        ("connection", conn),
    ]);
    create(&p, "postgres.role", &desired).await.unwrap();
    let err = create(&p, "postgres.role", &desired).await.unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(shown.contains("SQLSTATE 42710"), "{shown}");
    assert!(!shown.contains(secret), "{shown}");
    // Nor in the server's log, which records failed statements: only a SCRAM verifier is sent.
    assert!(!c.log().contains(secret), "password in the server log");
    assert!(
        c.log().contains("CREATE ROLE"),
        "the failed statement is logged"
    );
}
