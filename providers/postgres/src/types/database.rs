//! `postgres.database`: a database with its owner, encoding and template.

use super::{check_opt_ident, connection_prop, endpoint_prop, exec, server_prop};
use crate::connect::pg_error;
use crate::props;
use crate::quote::{check_ident, ident, literal};
use infra_provider_core::{PropertySchema, Props, ProviderResult, ResourceSchema, Type, Value};
use tokio_postgres::Client;

pub const TYPE: &str = "postgres.database";

pub fn schema() -> ResourceSchema {
    ResourceSchema::new(TYPE, "A PostgreSQL database.")
        .prop(
            "name",
            PropertySchema::input(Type::String)
                .required()
                .create_only()
                .doc("The database name (at most 63 bytes)."),
        )
        .prop(
            "owner",
            PropertySchema::input(Type::String)
                .doc("The owning role; default: the connection's user (then not managed)."),
        )
        .prop(
            "encoding",
            PropertySchema::input(Type::String)
                .create_only()
                .doc("Character set, e.g. `UTF8`; default `UTF8`."),
        )
        .prop(
            "template",
            PropertySchema::input(Type::String)
                .create_only()
                .doc("The template copied at creation; default the server's (`template1`)."),
        )
        .prop("connection", connection_prop())
        .prop("server", server_prop())
        .prop("endpoint", endpoint_prop())
}

/// PostgreSQL reports encodings upper-case without dashes (`UTF8`).
fn canonical_encoding(e: &str) -> String {
    e.to_ascii_uppercase().replace(['-', '_'], "")
}

pub fn normalize(inputs: &mut Props) -> ProviderResult<()> {
    if let Some(name) = props::opt_str(inputs, "name")? {
        check_ident("database name", &name)?;
    }
    check_opt_ident(inputs, "owner", "owner")?;
    check_opt_ident(inputs, "template", "template")?;
    if !props::any_unknown(inputs, &["encoding"]) {
        let enc = props::opt_str(inputs, "encoding")?.unwrap_or_else(|| "UTF8".into());
        inputs.insert("encoding".into(), Value::str(canonical_encoding(&enc)));
    }
    Ok(())
}

pub fn id(inputs: &Props) -> String {
    format!(
        "database/{}",
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
            "SELECT pg_get_userbyid(datdba)::text, pg_encoding_to_char(encoding)::text \
             FROM pg_database WHERE datname = $1",
            &[&name],
        )
        .await
        .map_err(|e| pg_error(&e, "reading pg_database", None))?;
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    let read_err = |e| pg_error(&e, "reading pg_database", None);
    let owner: String = row.try_get(0).map_err(read_err)?;
    let encoding: String = row.try_get(1).map_err(read_err)?;
    let mut live = Props::new();
    if inputs.contains_key("owner") {
        live.insert("owner".into(), Value::str(owner));
    }
    live.insert("encoding".into(), Value::str(canonical_encoding(&encoding)));
    Ok(Some(live))
}

pub async fn create(client: &Client, inputs: &Props) -> ProviderResult<()> {
    let name = props::req_str(inputs, "name")?;
    let mut sql = format!("CREATE DATABASE {}", ident(&name));
    if let Some(owner) = props::opt_str(inputs, "owner")? {
        sql.push_str(&format!(" OWNER {}", ident(&owner)));
    }
    if let Some(enc) = props::opt_str(inputs, "encoding")? {
        sql.push_str(&format!(" ENCODING {}", literal(&enc)));
    }
    if let Some(t) = props::opt_str(inputs, "template")? {
        sql.push_str(&format!(" TEMPLATE {}", ident(&t)));
    }
    exec(client, &sql, &format!("creating database `{name}`")).await
}

pub async fn update(client: &Client, inputs: &Props) -> ProviderResult<()> {
    super::set_owner(client, "DATABASE", inputs).await
}

pub async fn delete(client: &Client, inputs: &Props) -> ProviderResult<()> {
    let name = props::req_str(inputs, "name")?;
    let sql = format!("DROP DATABASE IF EXISTS {}", ident(&name));
    exec(client, &sql, &format!("dropping database `{name}`")).await
}
