//! `postgres.schema`: a schema (namespace) in a database, with its owner.

use super::{check_opt_ident, connection_prop, database_prop, endpoint_prop, exec, server_prop};
use crate::connect::pg_error;
use crate::props;
use crate::quote::{check_ident, ident};
use infra_provider_core::{PropertySchema, Props, ProviderResult, ResourceSchema, Type, Value};
use tokio_postgres::Client;

pub const TYPE: &str = "postgres.schema";

pub fn schema() -> ResourceSchema {
    ResourceSchema::new(TYPE, "A schema in a PostgreSQL database.")
        .prop(
            "name",
            PropertySchema::input(Type::String)
                .required()
                .create_only()
                .doc("The schema name (at most 63 bytes)."),
        )
        .prop(
            "owner",
            PropertySchema::input(Type::String)
                .doc("The owning role; default: the connection's user (then not managed)."),
        )
        .prop("database", database_prop())
        .prop("connection", connection_prop())
        .prop("server", server_prop())
        .prop("endpoint", endpoint_prop())
}

pub fn normalize(inputs: &mut Props) -> ProviderResult<()> {
    if let Some(name) = props::opt_str(inputs, "name")? {
        check_ident("schema name", &name)?;
    }
    check_opt_ident(inputs, "owner", "owner")?;
    check_opt_ident(inputs, "database", "database")
}

pub fn id(inputs: &Props) -> String {
    format!(
        "schema/{}",
        props::opt_str(inputs, "name")
            .ok()
            .flatten()
            .unwrap_or_default()
    )
}

pub async fn read(client: &Client, inputs: &Props) -> ProviderResult<Option<Props>> {
    let name = props::req_str(inputs, "name")?;
    let rows = client
        .query(
            "SELECT pg_get_userbyid(nspowner)::text FROM pg_namespace WHERE nspname = $1",
            &[&name],
        )
        .await
        .map_err(|e| pg_error(&e, "reading pg_namespace", None))?;
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    let owner: String = row
        .try_get(0)
        .map_err(|e| pg_error(&e, "reading pg_namespace", None))?;
    let mut live = Props::new();
    if inputs.contains_key("owner") {
        live.insert("owner".into(), Value::str(owner));
    }
    Ok(Some(live))
}

pub async fn create(client: &Client, inputs: &Props) -> ProviderResult<()> {
    let name = props::req_str(inputs, "name")?;
    let mut sql = format!("CREATE SCHEMA {}", ident(&name));
    if let Some(owner) = props::opt_str(inputs, "owner")? {
        sql.push_str(&format!(" AUTHORIZATION {}", ident(&owner)));
    }
    exec(client, &sql, &format!("creating schema `{name}`")).await
}

pub async fn update(client: &Client, inputs: &Props) -> ProviderResult<()> {
    super::set_owner(client, "SCHEMA", inputs).await
}

pub async fn delete(client: &Client, inputs: &Props) -> ProviderResult<()> {
    let name = props::req_str(inputs, "name")?;
    let sql = format!("DROP SCHEMA IF EXISTS {}", ident(&name));
    exec(client, &sql, &format!("dropping schema `{name}`")).await
}
