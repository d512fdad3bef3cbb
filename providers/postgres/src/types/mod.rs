//! One file per resource type: its schema, plan-time normalisation, and the SQL that reads,
//! creates, updates and deletes it. Every name goes through [`crate::quote`].

pub mod database;
pub mod extension;
pub mod grant;
pub mod role;
pub mod schema;

use crate::connect::pg_error;
use crate::props;
use infra_provider_core::{Field, PropertySchema, Props, ProviderError, ProviderResult, Type};
use tokio_postgres::Client;

/// The `connection` input every type takes.
pub fn connection_type() -> Type {
    Type::Object(vec![
        Field::required("host", Type::String),
        Field::optional("port", Type::Int),
        Field::required("user", Type::String),
        Field::optional("password", Type::Secret),
        Field::optional("database", Type::String),
        Field::optional(
            "sslmode",
            Type::enumeration(&crate::connect::SslMode::NAMES),
        ),
        Field::optional("ca_cert", Type::String),
    ])
}

pub fn connection_prop() -> PropertySchema {
    PropertySchema::input(connection_type()).doc(
        "The server, or `server` instead: `{ host, port = 5432, user, password, database = \"postgres\", sslmode = \
         \"prefer\", ca_cert }`. `sslmode` is libpq's: `disable`, `prefer` and `require` \
         (encrypted, certificate not checked), `verify-full` (chain and host name checked \
         against the system roots and `ca_cert`, PEM). The password is a secret: state keeps a \
         fingerprint, and reads use the one the configuration gives (else `PGPASSWORD`). A server \
         that refuses connections or says it is starting or restarting is retried for up to \
         120 s (`INFRA_PG_CONNECT_WAIT`, seconds); a wrong password or certificate fails at once.",
    )
}

/// The type a flexible server reference is checked against; its attributes below.
pub const FLEXIBLE_SERVER: &str = "azure.postgres_flexible_server";
pub const SERVER_ATTRIBUTES: [&str; 3] = ["fqdn", "admin_login", "admin_password"];

pub fn server_prop() -> PropertySchema {
    PropertySchema::input(Type::Resource(FLEXIBLE_SERVER.into()))
        .carries(&SERVER_ATTRIBUTES)
        .instead_of("connection")
        .doc(
            "Instead of `connection`: a reference to an `azure.postgres_flexible_server` \
             (`server = pg`). The object is reached at the server's `fqdn`, port 5432, as its \
             `admin_login` with its `admin_password`, `sslmode = \"require\"` (`prefer` on a \
             loopback address: the local emulator's cluster), in database `postgres` unless the \
             resource sets `database`. The reference orders the object after the server, its \
             extension allow-list, preload and restart. An `fqdn` of the form `host:port` (the \
             local emulator's) gives the port.",
        )
}

pub fn endpoint_prop() -> PropertySchema {
    PropertySchema::output(Type::Map(Box::new(Type::Any)))
        .doc("Where the object lives: `{ host, port, user, database, sslmode }` (no password).")
}

pub fn database_prop() -> PropertySchema {
    PropertySchema::input(Type::String)
        .create_only()
        .doc("The database the object lives in; default: the connection's `database`.")
}

/// Runs one statement, turning a failure into an error with its SQLSTATE.
pub async fn exec(client: &Client, sql: &str, doing: &str) -> ProviderResult<()> {
    client
        .batch_execute(sql)
        .await
        .map_err(|e| pg_error(&e, doing, None))
}

/// The one in-place change databases and schemas have: their owner (`kind` is the SQL
/// keyword, `DATABASE` or `SCHEMA`).
pub async fn set_owner(client: &Client, kind: &str, inputs: &Props) -> ProviderResult<()> {
    let name = props::req_str(inputs, "name")?;
    if let Some(owner) = props::opt_str(inputs, "owner")? {
        let sql = format!(
            "ALTER {kind} {} OWNER TO {}",
            crate::quote::ident(&name),
            crate::quote::ident(&owner)
        );
        let doing = format!("changing the owner of {} `{name}`", kind.to_lowercase());
        exec(client, &sql, &doing).await?;
    }
    Ok(())
}

/// Normalised names of a list input, each checked.
pub fn ident_list(inputs: &Props, key: &str, what: &str) -> ProviderResult<Vec<String>> {
    let mut v = props::str_list(inputs, key)?;
    for name in &v {
        crate::quote::check_ident(what, name)?;
    }
    v.sort();
    v.dedup();
    Ok(v)
}

pub fn check_opt_ident(inputs: &Props, key: &str, what: &str) -> ProviderResult<()> {
    if let Some(name) = props::opt_str(inputs, key)? {
        crate::quote::check_ident(what, &name)?;
    }
    Ok(())
}

pub fn invalid(msg: impl Into<String>) -> ProviderError {
    ProviderError::Invalid(msg.into())
}
