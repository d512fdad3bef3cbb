//! `postgres.extension`: `CREATE EXTENSION`, `ALTER EXTENSION ... UPDATE` / `SET SCHEMA`,
//! `DROP EXTENSION`. An extension the server does not have fails with PostgreSQL's own error.

use super::{check_opt_ident, connection_prop, database_prop, endpoint_prop, exec, server_prop};
use crate::connect::pg_error;
use crate::props;
use crate::quote::{check_ident, ident, literal};
use infra_provider_core::{PropertySchema, Props, ProviderResult, ResourceSchema, Type, Value};
use tokio_postgres::Client;

pub const TYPE: &str = "postgres.extension";

pub fn schema() -> ResourceSchema {
    ResourceSchema::new(TYPE, "An extension installed in a PostgreSQL database.")
        .prop(
            "name",
            PropertySchema::input(Type::String)
                .required()
                .create_only()
                .doc("The extension, e.g. `pg_trgm`, `timescaledb`."),
        )
        .prop(
            "version",
            PropertySchema::input(Type::String).doc(
                "The version to install or update to; default the server's default version \
                 (then not managed).",
            ),
        )
        .prop(
            "schema",
            PropertySchema::input(Type::String)
                .doc("The schema its objects go to; default the server's choice (not managed)."),
        )
        .prop("database", database_prop())
        .prop("connection", connection_prop())
        .prop("server", server_prop())
        .prop("endpoint", endpoint_prop())
        .prop(
            "installed_version",
            PropertySchema::output(Type::String).doc("The version installed."),
        )
}

pub fn normalize(inputs: &mut Props) -> ProviderResult<()> {
    if let Some(name) = props::opt_str(inputs, "name")? {
        check_ident("extension name", &name)?;
    }
    check_opt_ident(inputs, "schema", "schema")?;
    check_opt_ident(inputs, "database", "database")
}

pub fn id(inputs: &Props) -> String {
    format!(
        "extension/{}",
        props::opt_str(inputs, "name")
            .ok()
            .flatten()
            .unwrap_or_default()
    )
}

/// The managed inputs as live, and the installed version.
pub async fn read(client: &Client, inputs: &Props) -> ProviderResult<Option<(Props, String)>> {
    let name = props::req_str(inputs, "name")?;
    let rows = client
        .query(
            "SELECT e.extversion::text, n.nspname::text FROM pg_extension e \
             JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = $1",
            &[&name],
        )
        .await
        .map_err(|e| pg_error(&e, "reading pg_extension", None))?;
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    let read_err = |e| pg_error(&e, "reading pg_extension", None);
    let version: String = row.try_get(0).map_err(read_err)?;
    let schema: String = row.try_get(1).map_err(read_err)?;
    let mut live = Props::new();
    if inputs.contains_key("version") {
        live.insert("version".into(), Value::str(&version));
    }
    if inputs.contains_key("schema") {
        live.insert("schema".into(), Value::str(schema));
    }
    Ok(Some((live, version)))
}

pub async fn create(client: &Client, inputs: &Props) -> ProviderResult<()> {
    let name = props::req_str(inputs, "name")?;
    let mut sql = format!("CREATE EXTENSION {}", ident(&name));
    if let Some(schema) = props::opt_str(inputs, "schema")? {
        sql.push_str(&format!(" WITH SCHEMA {}", ident(&schema)));
    }
    if let Some(version) = props::opt_str(inputs, "version")? {
        sql.push_str(&format!(" VERSION {}", literal(&version)));
    }
    exec(client, &sql, &format!("creating extension `{name}`")).await
}

pub async fn update(client: &Client, inputs: &Props) -> ProviderResult<()> {
    let name = props::req_str(inputs, "name")?;
    let Some((_, installed)) = read(client, inputs).await? else {
        return create(client, inputs).await;
    };
    if let Some(version) = props::opt_str(inputs, "version")?
        && version != installed
    {
        let sql = format!(
            "ALTER EXTENSION {} UPDATE TO {}",
            ident(&name),
            literal(&version)
        );
        exec(client, &sql, &format!("updating extension `{name}`")).await?;
    }
    if let Some(schema) = props::opt_str(inputs, "schema")? {
        let sql = format!(
            "ALTER EXTENSION {} SET SCHEMA {}",
            ident(&name),
            ident(&schema)
        );
        let live = read(client, inputs).await?;
        let moved = live.is_some_and(|(l, _)| l.get("schema") != Some(&Value::str(&schema)));
        if moved {
            exec(client, &sql, &format!("moving extension `{name}`")).await?;
        }
    }
    Ok(())
}

pub async fn delete(client: &Client, inputs: &Props) -> ProviderResult<()> {
    let name = props::req_str(inputs, "name")?;
    let sql = format!("DROP EXTENSION IF EXISTS {}", ident(&name));
    exec(client, &sql, &format!("dropping extension `{name}`")).await
}
