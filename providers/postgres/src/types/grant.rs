//! `postgres.grant`: privileges of one role on a database, a schema, all tables in a schema,
//! or the tables a role will create in a schema (default privileges). Live privileges are read
//! from the ACLs (`datacl`, `nspacl`, `relacl`, `pg_default_acl`), so a revoke made behind
//! infra's back shows as drift and is granted again.

use super::{
    check_opt_ident, connection_prop, database_prop, endpoint_prop, exec, invalid, server_prop,
};
use crate::connect::pg_error;
use crate::props;
use crate::quote::{check_ident, ident};
use infra_provider_core::{PropertySchema, Props, ProviderResult, ResourceSchema, Type, Value};
use tokio_postgres::Client;

pub const TYPE: &str = "postgres.grant";
const OBJECT_TYPES: [&str; 4] = ["database", "schema", "tables", "default_tables"];

pub fn schema() -> ResourceSchema {
    ResourceSchema::new(
        TYPE,
        "Privileges of a role on a database, a schema, all tables in a schema, or (default \
         privileges) the tables created in a schema from now on.",
    )
    .prop(
        "role",
        PropertySchema::input(Type::String)
            .required()
            .create_only()
            .doc("The role the privileges are granted to."),
    )
    .prop(
        "object_type",
        PropertySchema::input(Type::enumeration(&OBJECT_TYPES))
            .required()
            .create_only()
            .doc(
                "`database` (the resource's `database`), `schema`, `tables` (all tables in \
                 `schema`, as they are now) or `default_tables` (tables `owner` creates in \
                 `schema` later).",
            ),
    )
    .prop(
        "privileges",
        PropertySchema::input(Type::list(Type::String))
            .required()
            .doc(
                "database: CREATE, CONNECT, TEMPORARY; schema: CREATE, USAGE; tables: SELECT, \
             INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER. Privileges not listed are \
             revoked.",
            ),
    )
    .prop(
        "with_grant_option",
        PropertySchema::input(Type::Bool).doc(
            "Whether the role may grant these privileges to others (`WITH GRANT OPTION`); \
             default false, and an option granted behind infra's back is revoked.",
        ),
    )
    .prop(
        "schema",
        PropertySchema::input(Type::String)
            .create_only()
            .doc("The schema, for `schema`, `tables` and `default_tables`."),
    )
    .prop(
        "owner",
        PropertySchema::input(Type::String)
            .create_only()
            .doc("For `default_tables`: whose future tables; default the connection's user."),
    )
    .prop("database", database_prop())
    .prop("connection", connection_prop())
    .prop("server", server_prop())
    .prop("endpoint", endpoint_prop())
}

fn allowed(object_type: &str) -> &'static [&'static str] {
    match object_type {
        "database" => &["CONNECT", "CREATE", "TEMPORARY"],
        "schema" => &["CREATE", "USAGE"],
        _ => &[
            "DELETE",
            "INSERT",
            "REFERENCES",
            "SELECT",
            "TRIGGER",
            "TRUNCATE",
            "UPDATE",
        ],
    }
}

pub fn normalize(inputs: &mut Props) -> ProviderResult<()> {
    if let Some(role) = props::opt_str(inputs, "role")? {
        check_ident("role", &role)?;
    }
    check_opt_ident(inputs, "schema", "schema")?;
    check_opt_ident(inputs, "owner", "owner")?;
    check_opt_ident(inputs, "database", "database")?;
    let option = props::opt_bool(inputs, "with_grant_option")?.unwrap_or(false);
    inputs.insert("with_grant_option".into(), Value::Bool(option));
    if props::any_unknown(inputs, &["object_type", "privileges", "schema"]) {
        return Ok(());
    }
    let object_type = props::req_str(inputs, "object_type")?;
    if !OBJECT_TYPES.contains(&object_type.as_str()) {
        return Err(invalid(format!(
            "object_type `{object_type}` is not one of {}",
            OBJECT_TYPES.join(", ")
        )));
    }
    if object_type != "database" && props::opt_str(inputs, "schema")?.is_none() {
        return Err(invalid(format!(
            "object_type `{object_type}` needs `schema`"
        )));
    }
    let ok = allowed(&object_type);
    let mut privileges = Vec::new();
    for p in props::str_list(inputs, "privileges")? {
        let mut p = p.trim().to_ascii_uppercase();
        if p == "TEMP" {
            p = "TEMPORARY".into();
        }
        if !ok.contains(&p.as_str()) {
            return Err(invalid(format!(
                "privilege `{p}` does not apply to {object_type}; use {}",
                ok.join(", ")
            )));
        }
        privileges.push(p);
    }
    privileges.sort();
    privileges.dedup();
    inputs.insert("privileges".into(), props::list_value(&privileges));
    Ok(())
}

pub fn id(inputs: &Props, database: &str) -> String {
    let get = |k| props::opt_str(inputs, k).ok().flatten().unwrap_or_default();
    let on = match get("object_type").as_str() {
        "database" => format!("database {database}"),
        "schema" => format!("schema {database}.{}", get("schema")),
        "tables" => format!("tables in {database}.{}", get("schema")),
        _ => format!(
            "future tables of {} in {database}.{}",
            get("owner"),
            get("schema")
        ),
    };
    format!("grant/{} on {on}", get("role"))
}

struct Target {
    role: String,
    object_type: String,
    schema: String,
    owner: String,
    database: String,
}

fn target(inputs: &Props, database: &str, user: &str) -> ProviderResult<Target> {
    Ok(Target {
        role: props::req_str(inputs, "role")?,
        object_type: props::req_str(inputs, "object_type")?,
        schema: props::opt_str(inputs, "schema")?.unwrap_or_default(),
        owner: props::opt_str(inputs, "owner")?.unwrap_or_else(|| user.to_string()),
        database: database.to_string(),
    })
}

/// A privilege the role holds and whether it may grant it on (`WITH GRANT OPTION`).
type Held = (String, bool);

/// The privileges the role holds now; `None` when the role or the object is gone.
async fn live_privileges(client: &Client, t: &Target) -> ProviderResult<Option<Vec<Held>>> {
    let err = |e| pg_error(&e, "reading privileges", None);
    let role_rows = client
        .query("SELECT oid FROM pg_roles WHERE rolname = $1", &[&t.role])
        .await
        .map_err(err)?;
    if role_rows.is_empty() {
        return Ok(None);
    }
    let exists_sql = match t.object_type.as_str() {
        "database" => "SELECT 1 FROM pg_database WHERE datname = $1",
        _ => "SELECT 1 FROM pg_namespace WHERE nspname = $1",
    };
    let key = if t.object_type == "database" {
        &t.database
    } else {
        &t.schema
    };
    if client
        .query(exists_sql, &[key])
        .await
        .map_err(err)?
        .is_empty()
    {
        return Ok(None);
    }
    let rows = match t.object_type.as_str() {
        "database" => {
            client
                .query(
                    "SELECT a.privilege_type::text, bool_or(a.is_grantable) \
                     FROM pg_database d, aclexplode(d.datacl) a \
                     WHERE d.datname = $1 AND a.grantee = (SELECT oid FROM pg_roles WHERE rolname = $2) \
                     GROUP BY 1",
                    &[&t.database, &t.role],
                )
                .await
        }
        "schema" => {
            client
                .query(
                    "SELECT a.privilege_type::text, bool_or(a.is_grantable) \
                     FROM pg_namespace n, aclexplode(n.nspacl) a \
                     WHERE n.nspname = $1 AND a.grantee = (SELECT oid FROM pg_roles WHERE rolname = $2) \
                     GROUP BY 1",
                    &[&t.schema, &t.role],
                )
                .await
        }
        "tables" => {
            // A privilege counts when every table in the schema has it.
            client
                .query(
                    "WITH t AS (SELECT c.oid, c.relacl FROM pg_class c \
                       JOIN pg_namespace n ON n.oid = c.relnamespace \
                       WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')) \
                     SELECT p.privilege_type::text, bool_and(p.is_grantable) FROM t, aclexplode(t.relacl) p \
                     WHERE p.grantee = (SELECT oid FROM pg_roles WHERE rolname = $2) \
                     GROUP BY p.privilege_type HAVING count(DISTINCT t.oid) = (SELECT count(*) FROM t) \
                     UNION ALL SELECT NULL, NULL WHERE NOT EXISTS (SELECT 1 FROM t)",
                    &[&t.schema, &t.role],
                )
                .await
        }
        _ => {
            client
                .query(
                    "SELECT a.privilege_type::text, bool_or(a.is_grantable) \
                     FROM pg_default_acl d, aclexplode(d.defaclacl) a \
                     WHERE d.defaclobjtype = 'r' \
                     AND d.defaclnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1) \
                     AND d.defaclrole = (SELECT oid FROM pg_roles WHERE rolname = $3) \
                     AND a.grantee = (SELECT oid FROM pg_roles WHERE rolname = $2) \
                     GROUP BY 1",
                    &[&t.schema, &t.role, &t.owner],
                )
                .await
        }
    }
    .map_err(err)?;
    let mut privileges = Vec::new();
    for row in &rows {
        let p: Option<String> = row.try_get(0).map_err(err)?;
        let grantable: Option<bool> = row.try_get(1).map_err(err)?;
        match p {
            Some(p) => privileges.push((p, grantable.unwrap_or(false))),
            // No table in the schema: nothing lacks a privilege; say so with a marker.
            None => return Ok(Some(vec![(EMPTY.into(), false)])),
        }
    }
    privileges.sort();
    privileges.dedup_by(|a, b| a.0 == b.0);
    Ok(Some(privileges))
}

/// The marker for "all tables of a schema that has none": every grant holds vacuously.
const EMPTY: &str = "*";

fn is_empty_marker(have: &[Held]) -> bool {
    have.len() == 1 && have[0].0 == EMPTY
}

pub async fn read(
    client: &Client,
    inputs: &Props,
    database: &str,
    user: &str,
) -> ProviderResult<Option<Props>> {
    let t = target(inputs, database, user)?;
    let Some(have) = live_privileges(client, &t).await? else {
        return Ok(None);
    };
    let mut live = Props::new();
    if is_empty_marker(&have) {
        // A grant on all tables of an empty schema holds vacuously, option included.
        live.insert(
            "privileges".into(),
            props::list_value(&props::str_list(inputs, "privileges")?),
        );
        let option = props::opt_bool(inputs, "with_grant_option")?.unwrap_or(false);
        live.insert("with_grant_option".into(), Value::Bool(option));
        return Ok(Some(live));
    }
    let names: Vec<String> = have.iter().map(|(p, _)| p.clone()).collect();
    live.insert("privileges".into(), props::list_value(&names));
    // The option holds when every privilege held carries it.
    let option = !have.is_empty() && have.iter().all(|(_, g)| *g);
    live.insert("with_grant_option".into(), Value::Bool(option));
    Ok(Some(live))
}

#[derive(Clone, Copy, PartialEq)]
enum Change {
    Grant {
        option: bool,
    },
    Revoke,
    /// `REVOKE GRANT OPTION FOR`: the privilege stays, the right to pass it on goes.
    RevokeOption,
}

fn statement(t: &Target, change: Change, privileges: &[String]) -> String {
    let list = privileges.join(", ");
    let (verb, prep, suffix) = match change {
        Change::Grant { option } => (
            "GRANT",
            "TO",
            if option { " WITH GRANT OPTION" } else { "" },
        ),
        Change::Revoke => ("REVOKE", "FROM", ""),
        Change::RevokeOption => ("REVOKE GRANT OPTION FOR", "FROM", ""),
    };
    let role = ident(&t.role);
    match t.object_type.as_str() {
        "database" => format!(
            "{verb} {list} ON DATABASE {} {prep} {role}{suffix}",
            ident(&t.database)
        ),
        "schema" => format!(
            "{verb} {list} ON SCHEMA {} {prep} {role}{suffix}",
            ident(&t.schema)
        ),
        "tables" => format!(
            "{verb} {list} ON ALL TABLES IN SCHEMA {} {prep} {role}{suffix}",
            ident(&t.schema)
        ),
        _ => format!(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} {verb} {list} ON TABLES {prep} {role}{suffix}",
            ident(&t.owner),
            ident(&t.schema)
        ),
    }
}

/// Grants what is missing and revokes what is not listed.
pub async fn apply(
    client: &Client,
    inputs: &Props,
    database: &str,
    user: &str,
) -> ProviderResult<()> {
    let t = target(inputs, database, user)?;
    let want = props::str_list(inputs, "privileges")?;
    let option = props::opt_bool(inputs, "with_grant_option")?.unwrap_or(false);
    let mut have = live_privileges(client, &t).await?.unwrap_or_default();
    if is_empty_marker(&have) {
        have.clear();
    }
    let doing = format!("granting to `{}`", t.role);
    let held = |p: &String| have.iter().find(|(h, _)| h == p).map(|(_, g)| *g);
    // Missing, or held without the option that is wanted: GRANT (again) with it.
    let grant: Vec<String> = want
        .iter()
        .filter(|p| match held(p) {
            None => true,
            Some(g) => option && !g,
        })
        .cloned()
        .collect();
    if !grant.is_empty() {
        exec(
            client,
            &statement(&t, Change::Grant { option }, &grant),
            &doing,
        )
        .await?;
    }
    let drop_option: Vec<String> = want
        .iter()
        .filter(|p| !option && held(p) == Some(true))
        .cloned()
        .collect();
    if !drop_option.is_empty() {
        exec(
            client,
            &statement(&t, Change::RevokeOption, &drop_option),
            &doing,
        )
        .await?;
    }
    let extra: Vec<String> = have
        .iter()
        .filter(|(p, _)| !want.contains(p))
        .map(|(p, _)| p.clone())
        .collect();
    if !extra.is_empty() {
        exec(client, &statement(&t, Change::Revoke, &extra), &doing).await?;
    }
    Ok(())
}

pub async fn delete(
    client: &Client,
    inputs: &Props,
    database: &str,
    user: &str,
) -> ProviderResult<()> {
    let t = target(inputs, database, user)?;
    if live_privileges(client, &t).await?.is_none() {
        return Ok(());
    }
    // Only what this grant manages: another grant may hold the role's other privileges.
    let listed = props::str_list(inputs, "privileges")?;
    if listed.is_empty() {
        return Ok(());
    }
    exec(
        client,
        &statement(&t, Change::Revoke, &listed),
        &format!("revoking from `{}`", t.role),
    )
    .await
}
