//! `postgres.role`: a role (user or group) with login, password, memberships and a connection
//! limit. The password leaves infra only as a SCRAM-SHA-256 verifier computed here, so the
//! server (and its statement log) never sees it in clear.

use super::{connection_prop, endpoint_prop, exec, ident_list, server_prop};
use crate::connect::pg_error;
use crate::props;
use crate::quote::{check_ident, ident, literal};
use infra_provider_core::{PropertySchema, Props, ProviderResult, ResourceSchema, Type, Value};
use tokio_postgres::Client;

pub const TYPE: &str = "postgres.role";

pub fn schema() -> ResourceSchema {
    ResourceSchema::new(TYPE, "A PostgreSQL role: a user that logs in, or a group.")
        .prop(
            "name",
            PropertySchema::input(Type::String)
                .required()
                .create_only()
                .doc("The role name (at most 63 bytes; any characters)."),
        )
        .prop(
            "login",
            PropertySchema::input(Type::Bool).doc("Whether the role may log in; default false."),
        )
        .prop(
            "password",
            PropertySchema::input(Type::Secret).secret().doc(
                "The password, sent as a SCRAM-SHA-256 verifier. Compared by its fingerprint \
                 in state: a change is one update. A password changed behind infra's back is \
                 seen when the connection's user may read `pg_authid` (a superuser): the live \
                 verifier is checked against this password (`password_matches`); without that \
                 right (Azure's admin is not a superuser) such a change is not seen.",
            ),
        )
        .prop(
            "member_of",
            PropertySchema::input(Type::list(Type::String))
                .doc("Roles this role is a member of (granted, and revoked when removed)."),
        )
        .prop(
            "connection_limit",
            PropertySchema::input(Type::Int)
                .doc("Concurrent connections allowed; default -1 (no limit)."),
        )
        .prop("connection", connection_prop())
        .prop("server", server_prop())
        .prop("endpoint", endpoint_prop())
}

pub fn normalize(inputs: &mut Props) -> ProviderResult<()> {
    if let Some(name) = props::opt_str(inputs, "name")? {
        check_ident("role name", &name)?;
    }
    let login = props::opt_bool(inputs, "login")?.unwrap_or(false);
    inputs.insert("login".into(), Value::Bool(login));
    let limit = props::opt_int(inputs, "connection_limit")?.unwrap_or(-1);
    if limit < -1 {
        return Err(super::invalid(
            "connection_limit must be -1 (no limit) or more",
        ));
    }
    inputs.insert("connection_limit".into(), Value::Int(limit));
    // Never the user's to set: true whenever a password is configured, so that a live
    // verifier made from another password (`read` says false) shows as a change.
    inputs.remove(PASSWORD_MATCHES);
    if inputs.contains_key("password") {
        inputs.insert(PASSWORD_MATCHES.into(), Value::Bool(true));
    }
    if !props::any_unknown(inputs, &["member_of"]) {
        let members = ident_list(inputs, "member_of", "member_of role")?;
        inputs.insert("member_of".into(), props::list_value(&members));
    }
    Ok(())
}

pub fn id(inputs: &Props) -> String {
    format!(
        "role/{}",
        props::opt_str(inputs, "name")
            .ok()
            .flatten()
            .unwrap_or_default()
    )
}

/// The input that says whether the live password is the configured one.
pub const PASSWORD_MATCHES: &str = "password_matches";

/// The role's stored verifier, when the session may read `pg_authid` (superusers only; Azure's
/// admin may not): `None` when it may not or the role has no password.
async fn stored_verifier(client: &Client, name: &str) -> ProviderResult<Option<String>> {
    match client
        .query_opt(
            "SELECT rolpassword FROM pg_authid WHERE rolname = $1",
            &[&name],
        )
        .await
    {
        Ok(Some(row)) => Ok(row.try_get::<_, Option<String>>(0).ok().flatten()),
        Ok(None) => Ok(None),
        Err(e) if e.code() == Some(&tokio_postgres::error::SqlState::INSUFFICIENT_PRIVILEGE) => {
            Ok(None)
        }
        Err(e) => Err(pg_error(&e, "reading pg_authid", None)),
    }
}

/// The live object; with `password` (the configured one, when the run knows it) also
/// `password_matches` when the stored verifier can be read and concludes.
pub async fn read_checking(
    client: &Client,
    inputs: &Props,
    password: Option<&str>,
) -> ProviderResult<Option<Props>> {
    let Some(mut live) = read(client, inputs).await? else {
        return Ok(None);
    };
    if let Some(password) = password {
        let name = props::req_str(inputs, "name")?;
        let verdict = match stored_verifier(client, &name).await? {
            Some(v) => crate::scram::check(&v, password),
            // Readable and no password at all: not the configured one.
            None if can_read_authid(client).await => crate::scram::Verdict::Differs,
            None => crate::scram::Verdict::Unknown,
        };
        match verdict {
            crate::scram::Verdict::Matches => {
                live.insert(PASSWORD_MATCHES.into(), Value::Bool(true));
            }
            crate::scram::Verdict::Differs => {
                live.insert(PASSWORD_MATCHES.into(), Value::Bool(false));
            }
            crate::scram::Verdict::Unknown => {}
        }
    }
    Ok(Some(live))
}

async fn can_read_authid(client: &Client) -> bool {
    client
        .query_opt("SELECT 1 FROM pg_authid LIMIT 1", &[])
        .await
        .is_ok()
}

pub async fn read(client: &Client, inputs: &Props) -> ProviderResult<Option<Props>> {
    let name = props::req_str(inputs, "name")?;
    let rows = client
        .query(
            "SELECT r.rolcanlogin, r.rolconnlimit, ARRAY(SELECT g.rolname::text \
             FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid \
             WHERE m.member = r.oid ORDER BY 1) FROM pg_roles r WHERE r.rolname = $1",
            &[&name],
        )
        .await
        .map_err(|e| pg_error(&e, "reading pg_roles", None))?;
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    let read_err = |e| pg_error(&e, "reading pg_roles", None);
    let login: bool = row.try_get(0).map_err(read_err)?;
    let limit: i32 = row.try_get(1).map_err(read_err)?;
    let members: Vec<String> = row.try_get(2).map_err(read_err)?;
    let mut live = Props::new();
    live.insert("login".into(), Value::Bool(login));
    live.insert("connection_limit".into(), Value::Int(i64::from(limit)));
    live.insert("member_of".into(), props::list_value(&members));
    Ok(Some(live))
}

fn options(inputs: &Props) -> ProviderResult<String> {
    let login = props::opt_bool(inputs, "login")?.unwrap_or(false);
    let limit = props::opt_int(inputs, "connection_limit")?.unwrap_or(-1);
    let mut sql = format!(
        "{} CONNECTION LIMIT {limit}",
        if login { "LOGIN" } else { "NOLOGIN" }
    );
    if let Some(password) = props::opt_str(inputs, "password")? {
        let verifier = postgres_protocol::password::scram_sha_256(password.as_bytes());
        sql.push_str(&format!(" PASSWORD {}", literal(&verifier)));
    }
    Ok(sql)
}

async fn set_members(client: &Client, name: &str, inputs: &Props) -> ProviderResult<()> {
    let want = ident_list(inputs, "member_of", "member_of role")?;
    let have = match read(client, inputs).await? {
        Some(live) => props::str_list(&live, "member_of")?,
        None => Vec::new(),
    };
    for g in want.iter().filter(|g| !have.contains(g)) {
        let sql = format!("GRANT {} TO {}", ident(g), ident(name));
        exec(client, &sql, &format!("granting role `{g}` to `{name}`")).await?;
    }
    for g in have.iter().filter(|g| !want.contains(g)) {
        let sql = format!("REVOKE {} FROM {}", ident(g), ident(name));
        exec(client, &sql, &format!("revoking role `{g}` from `{name}`")).await?;
    }
    Ok(())
}

pub async fn create(client: &Client, inputs: &Props) -> ProviderResult<()> {
    let name = props::req_str(inputs, "name")?;
    let sql = format!("CREATE ROLE {} {}", ident(&name), options(inputs)?);
    exec(client, &sql, &format!("creating role `{name}`")).await?;
    set_members(client, &name, inputs).await
}

pub async fn update(client: &Client, inputs: &Props) -> ProviderResult<()> {
    let name = props::req_str(inputs, "name")?;
    let sql = format!("ALTER ROLE {} {}", ident(&name), options(inputs)?);
    exec(client, &sql, &format!("altering role `{name}`")).await?;
    set_members(client, &name, inputs).await
}

pub async fn delete(client: &Client, inputs: &Props) -> ProviderResult<()> {
    let name = props::req_str(inputs, "name")?;
    let sql = format!("DROP ROLE IF EXISTS {}", ident(&name));
    exec(client, &sql, &format!("dropping role `{name}`")).await
}
