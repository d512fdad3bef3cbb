//! Microsoft.DBforPostgreSQL/flexibleServers (+ databases, firewallRules,
//! configurations) @2025-08-01 (examples + azure-cli parameter_mgmt recording).
//! Every write is 202 with signed Azure-AsyncOperation and Location URLs on another
//! api-version; the server PUT also has a small `{"operation","startTime"}` body.
//! `administratorLoginPassword` is never echoed (nor stored); `administratorLogin`
//! cannot change. Server parameters exist without a PUT (system defaults).

use serde_json::{Map, Value, json};

use super::{Kind, Prepared, PutCtx, copy, create_only, default, properties, set_state};
use crate::error::ArmError;
use crate::lro::{DeleteLro, Lro};
use crate::path::ResPath;
use crate::store::{Entry, State, StatusStyle};
use crate::util::{fnv, region_short};

pub(crate) struct Server;
pub(crate) static SERVER: Server = Server;
pub(crate) struct Database;
pub(crate) static DATABASE: Database = Database;
pub(crate) struct FirewallRule;
pub(crate) static FIREWALL_RULE: FirewallRule = FirewallRule;
pub(crate) struct Configuration;
pub(crate) static CONFIGURATION: Configuration = Configuration;

fn storage_defaults(size: u64) -> (u64, &'static str) {
    match size {
        0..=32 => (120, "P4"),
        33..=64 => (240, "P6"),
        65..=128 => (500, "P10"),
        129..=256 => (1100, "P15"),
        257..=512 => (2300, "P20"),
        513..=1024 => (5000, "P30"),
        _ => (7500, "P40"),
    }
}

fn minor_version(major: &str) -> &'static str {
    match major {
        "17" => "9",
        "16" => "10",
        "15" => "14",
        "14" => "19",
        _ => "22",
    }
}

/// Location segment for PG operations: the server's short region name.
fn server_location(entry: &Entry, st: Option<&State>) -> String {
    let own = entry
        .body
        .get("location")
        .and_then(Value::as_str)
        .map(str::to_string);
    let loc = own.or_else(|| {
        let server_id = entry.id().rsplitn(3, '/').nth(2)?;
        st?.get(server_id)?
            .body
            .get("location")
            .and_then(Value::as_str)
            .map(str::to_string)
    });
    let loc = loc.unwrap_or_default();
    region_short(&loc).unwrap_or(&loc).to_string()
}

impl Kind for Server {
    fn put(&self, ctx: &PutCtx<'_>, _st: &mut State, body: Value) -> Result<Prepared, ArmError> {
        let location = ctx.location(&body, true)?;
        let mut p = properties(&body)?;
        let old = ctx.existing_body();
        if let (Some(prev), Some(new)) = (
            old.and_then(|o| o.pointer("/properties/administratorLogin"))
                .and_then(Value::as_str),
            p.get("administratorLogin").and_then(Value::as_str),
        ) && prev != new
        {
            return Err(ArmError::bad_request(
                "InvalidParameterValue",
                "The administrator login cannot be changed once the server is created.",
            ));
        }
        create_only(
            ctx,
            &body,
            "/properties/network/delegatedSubnetResourceId",
            old.and_then(|o| o.pointer("/properties/network/delegatedSubnetResourceId")),
        )?;
        if body.get("sku").is_none() && old.is_none() {
            return Err(ArmError::bad_request(
                "InvalidParameterValue",
                "The sku is required.",
            ));
        }
        let password_auth = p
            .get("authConfig")
            .and_then(|a| a.get("passwordAuth"))
            .and_then(Value::as_str)
            .is_none_or(|v| v.eq_ignore_ascii_case("Enabled"));
        if old.is_none()
            && password_auth
            && (p.get("administratorLogin").is_none()
                || p.get("administratorLoginPassword").is_none())
        {
            return Err(ArmError::bad_request(
                "InvalidParameterValue",
                "administratorLogin and administratorLoginPassword are required when password authentication is enabled.",
            ));
        }
        let password = p
            .get("administratorLoginPassword")
            .and_then(Value::as_str)
            .map(str::to_string);
        for secret in ["administratorLoginPassword", "createMode", "pointInTimeUTC"] {
            p.remove(secret);
        }
        // Keep the set-once login when an update omits it.
        if let Some(login) = old.and_then(|o| o.pointer("/properties/administratorLogin")) {
            default(&mut p, "administratorLogin", login.clone());
        }
        let size = p
            .get("storage")
            .and_then(|s| s.get("storageSizeGB"))
            .and_then(Value::as_u64)
            .unwrap_or(128);
        let (iops, tier) = storage_defaults(size);
        let mut storage = p
            .get("storage")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        default(&mut storage, "type", json!(""));
        default(&mut storage, "iops", json!(iops));
        default(&mut storage, "tier", json!(tier));
        default(&mut storage, "storageSizeGB", json!(size));
        default(&mut storage, "autoGrow", json!("Disabled"));
        p.insert("storage".into(), Value::Object(storage));
        default(&mut p, "dataEncryption", json!({"type": "SystemManaged"}));
        default(&mut p, "replica", json!({"role": "Primary", "capacity": 6}));
        default(&mut p, "network", json!({"publicNetworkAccess": "Enabled"}));
        p.insert("privateEndpointConnections".into(), json!([]));
        default(
            &mut p,
            "authConfig",
            json!({"activeDirectoryAuth": "Disabled", "passwordAuth": "Enabled"}),
        );
        let backed = old
            .and_then(|o| o.pointer("/properties/fullyQualifiedDomainName"))
            .and_then(Value::as_str)
            .filter(|f| f.starts_with("127.0.0.1:"))
            .map(str::to_string);
        let fqdn = match backed {
            Some(f) => {
                if let Some(pw) = &password {
                    crate::pg_cluster::set_password(&ctx.id, pw).map_err(|e| {
                        ArmError::new(
                            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                            "InternalServerError",
                            format!(
                                "The new administrator password was not set in the cluster: {e}"
                            ),
                        )
                    })?;
                }
                f
            }
            None if old.is_none()
                && ctx.app.config.postgres_clusters
                && crate::pg_cluster::available() =>
            {
                let login = p
                    .get("administratorLogin")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                crate::pg_cluster::create(
                    ctx.app.config.data_dir.as_deref(),
                    &ctx.app.base_url,
                    &ctx.id,
                    &login,
                    password.as_deref().unwrap_or_default(),
                    preload_default(),
                )
                .map_err(|e| {
                    ArmError::new(
                        axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                        "InternalServerError",
                        format!(
                            "The emulator could not start a PostgreSQL cluster for this server: \
                             {e} (INFRA_EMULATOR_POSTGRES=off keeps servers as ARM data only)"
                        ),
                    )
                })?
            }
            None => format!("{}.postgres.database.azure.com", ctx.name()),
        };
        p.insert("fullyQualifiedDomainName".into(), json!(fqdn));
        default(&mut p, "version", json!("17"));
        let major = p
            .get("version")
            .and_then(Value::as_str)
            .unwrap_or("17")
            .to_string();
        p.insert("minorVersion".into(), json!(minor_version(&major)));
        p.insert("state".into(), json!("Ready"));
        let zone = old
            .and_then(|o| o.pointer("/properties/availabilityZone"))
            .cloned()
            .unwrap_or_else(|| json!(((fnv(&ctx.id) % 3) + 1).to_string()));
        default(&mut p, "availabilityZone", zone);
        default(
            &mut p,
            "backup",
            json!({"backupRetentionDays": 7, "geoRedundantBackup": "Disabled"}),
        );
        let mut ha = p
            .get("highAvailability")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        default(&mut ha, "mode", json!("Disabled"));
        let enabled = ha
            .get("mode")
            .and_then(Value::as_str)
            .is_some_and(|m| !m.eq_ignore_ascii_case("Disabled"));
        ha.insert(
            "state".into(),
            json!(if enabled { "Healthy" } else { "NotEnabled" }),
        );
        p.insert("highAvailability".into(), Value::Object(ha));
        default(
            &mut p,
            "maintenanceWindow",
            json!({"customWindow": "Disabled", "dayOfWeek": 0, "startHour": 0, "startMinute": 0}),
        );
        p.insert("replicationRole".into(), json!("Primary"));
        p.insert("replicaCapacity".into(), json!(6));
        let mut out = Map::new();
        copy(&body, &mut out, &["sku", "identity"]);
        super::fill_identity(&mut out, &ctx.id);
        let created = old
            .and_then(|o| o.pointer("/systemData/createdAt"))
            .cloned()
            .unwrap_or_else(|| json!(ctx.now));
        out.insert("systemData".into(), json!({"createdAt": created}));
        out.insert("properties".into(), Value::Object(p));
        out.insert("location".into(), json!(location));
        // Recorded: no `tags` key at all when none were sent.
        copy(&body, &mut out, &["tags"]);
        let mut shell = ctx.shell();
        shell.extend(out);
        let mut prepared = Prepared::new(shell);
        // Kept (never shown) so that a later emulator run can reach the cluster as its admin.
        prepared.private = match (password, ctx.existing.as_ref()) {
            (Some(pw), _) => json!({ "administratorLoginPassword": pw }),
            (None, Some(e)) => e.private.clone(),
            (None, None) => Value::Null,
        };
        Ok(prepared)
    }
    fn lro(&self, _ctx: &PutCtx<'_>) -> Lro {
        Lro::Postgres {
            operation: Some("UpsertServerManagementOperationV2"),
        }
    }
    fn after_delete(&self, entry: &Entry, _st: &mut State) {
        crate::pg_cluster::delete(entry.id());
    }
    fn status_style(&self) -> StatusStyle {
        StatusStyle::Postgres
    }
    fn delete_lro(&self) -> DeleteLro {
        DeleteLro::Postgres
    }
    fn op_location(&self, entry: &Entry, st: &State) -> String {
        server_location(entry, Some(st))
    }
    fn pending(&self, body: &mut Value, create: bool) {
        set_state(
            body,
            "/properties/state",
            if create { "Provisioning" } else { "Updating" },
        );
    }
    fn finish(&self, entry: &mut Entry, ok: bool) -> bool {
        set_state(&mut entry.body, "/properties/state", "Ready");
        // A server whose creation failed does not exist afterwards.
        ok || entry.body.pointer("/properties/state").is_none()
    }
    /// ServerStartStopRestart: 202 with Azure-AsyncOperation and Location, as every write of
    /// this RP (the restart runs for the configured latency; writes meanwhile get 409).
    fn action_is_lro(&self, action: &str) -> bool {
        matches!(
            action.to_ascii_lowercase().as_str(),
            "restart" | "start" | "stop"
        )
    }
    fn action(
        &self,
        action: &str,
        entry: &Entry,
        st: &mut State,
    ) -> Result<Option<Value>, ArmError> {
        match action.to_ascii_lowercase().as_str() {
            "restart" | "start" | "stop" => {
                // Static parameters take effect on restart.
                let prefix = format!("{}/configurations", entry.id());
                for c in st.resources.values_mut().filter(|e| {
                    e.id()
                        .to_ascii_lowercase()
                        .starts_with(&prefix.to_ascii_lowercase())
                }) {
                    if let Some(p) = c.body.get_mut("properties").and_then(Value::as_object_mut) {
                        p.insert("isConfigPendingRestart".into(), json!(false));
                    }
                }
                if !action.eq_ignore_ascii_case("stop") {
                    let key = format!("{}/configurations/shared_preload_libraries", entry.id());
                    let preload = st
                        .get(&key)
                        .and_then(|c| c.body.pointer("/properties/value"))
                        .and_then(Value::as_str)
                        .unwrap_or(preload_default())
                        .to_string();
                    crate::pg_cluster::restart(entry.id(), &preload).map_err(|e| {
                        ArmError::new(
                            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                            "InternalServerError",
                            format!("The server's PostgreSQL cluster did not restart: {e}"),
                        )
                    })?;
                }
                Ok(None)
            }
            _ => super::generic::GENERIC.action(action, entry, st),
        }
    }
}

/// Children share the server's operation pattern but have no 202 body (examples).
macro_rules! pg_child_lro {
    () => {
        fn lro(&self, _ctx: &PutCtx<'_>) -> Lro {
            Lro::Postgres { operation: None }
        }
        fn status_style(&self) -> StatusStyle {
            StatusStyle::Postgres
        }
        fn delete_lro(&self) -> DeleteLro {
            DeleteLro::Postgres
        }
        fn op_location(&self, entry: &Entry, st: &State) -> String {
            server_location(entry, Some(st))
        }
        fn pending(&self, _body: &mut Value, _create: bool) {}
        fn finish(&self, _entry: &mut Entry, _ok: bool) -> bool {
            true
        }
    };
}

fn child(ctx: &PutCtx<'_>, props: Map<String, Value>) -> Prepared {
    let mut out = ctx.shell();
    out.insert("properties".into(), Value::Object(props));
    Prepared::new(out)
}

/// The server a child id sits under (`.../flexibleServers/NAME/databases/DB`).
fn server_of(child_id: &str) -> &str {
    child_id.rsplitn(3, '/').nth(2).unwrap_or_default()
}

/// Azure's default `shared_preload_libraries`.
fn preload_default() -> &'static str {
    parameter("shared_preload_libraries")
        .map(|p| p.1)
        .unwrap_or_default()
}

impl Kind for Database {
    fn after_delete(&self, entry: &Entry, _st: &mut State) {
        let name = entry
            .body
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if let Err(e) = crate::pg_cluster::client(
            server_of(entry.id()),
            "dropdb",
            &["--if-exists", "--", name],
        ) {
            eprintln!("emulator: dropping database {name} in the cluster: {e}");
        }
    }
    fn put(&self, ctx: &PutCtx<'_>, _st: &mut State, body: Value) -> Result<Prepared, ArmError> {
        if ctx.created() {
            crate::pg_cluster::client(server_of(&ctx.id), "createdb", &["--", ctx.name()])
                .map_err(|e| {
                    ArmError::new(
                        axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                        "InternalServerError",
                        format!("The database was not created in the server's cluster: {e}"),
                    )
                })?;
        }
        let mut p = properties(&body)?;
        default(&mut p, "charset", json!("UTF8"));
        default(&mut p, "collation", json!("en_US.utf8"));
        for k in ["/properties/charset", "/properties/collation"] {
            create_only(
                ctx,
                &json!({"properties": p}),
                k,
                ctx.existing_body().and_then(|b| b.pointer(k)),
            )?;
        }
        Ok(child(ctx, p))
    }
    pg_child_lro!();
}

impl Kind for FirewallRule {
    fn put(&self, ctx: &PutCtx<'_>, _st: &mut State, body: Value) -> Result<Prepared, ArmError> {
        let p = properties(&body)?;
        for k in ["startIpAddress", "endIpAddress"] {
            let ok = p
                .get(k)
                .and_then(Value::as_str)
                .is_some_and(|ip| ip.parse::<std::net::Ipv4Addr>().is_ok());
            if !ok {
                return Err(ArmError::bad_request(
                    "InvalidParameterValue",
                    format!("Invalid value given for parameter '{k}'."),
                ));
            }
        }
        Ok(child(ctx, p))
    }
    pg_child_lro!();
}

/// (name, default, dataType, allowedValues, dynamic, description)
const PARAMETERS: &[(&str, &str, &str, &str, bool, &str)] = &[
    (
        "array_nulls",
        "on",
        "Boolean",
        "on,off",
        true,
        "Enables input of NULL (case insensitive) to be considered as NULL value rather than the literal String 'NULL'.",
    ),
    (
        "constraint_exclusion",
        "partition",
        "Enumeration",
        "partition,on,off",
        true,
        "Enables the planner to use constraints to optimize queries.",
    ),
    (
        "azure.extensions",
        "",
        "Set",
        "BTREE_GIN,BTREE_GIST,CITEXT,CUBE,HSTORE,LTREE,PG_CRON,PG_PREWARM,PG_STAT_STATEMENTS,PG_TRGM,PGCRYPTO,POSTGIS,TIMESCALEDB,UUID-OSSP,VECTOR",
        true,
        "Specifies which extensions are allowed to be created in the server.",
    ),
    (
        "shared_preload_libraries",
        "pg_cron,pg_stat_statements",
        "Set",
        "auto_explain,azure_storage,pg_cron,pg_failover_slots,pg_hint_plan,pg_partman_bgw,pg_prewarm,pg_squeeze,pg_stat_statements,pgaudit,pglogical,timescaledb,wal2json",
        false,
        "Sets which shared libraries are preloaded at server start.",
    ),
    (
        "max_connections",
        "859",
        "Integer",
        "25-5000",
        false,
        "Sets the maximum number of concurrent connections to the database server.",
    ),
    (
        "log_min_duration_statement",
        "-1",
        "Integer",
        "-1-2147483647",
        true,
        "Sets the minimum execution time above which statements will be logged.",
    ),
    (
        "require_secure_transport",
        "on",
        "Boolean",
        "on,off",
        true,
        "Whether client connections to the server are required to use some form of secure transport.",
    ),
    (
        "timezone",
        "UTC",
        "String",
        "[A-Za-z0-9/+_-]+",
        true,
        "Sets the time zone for displaying and interpreting time stamps.",
    ),
    (
        "work_mem",
        "4096",
        "Integer",
        "4096-2097151",
        true,
        "Sets the amount of memory to be used by internal sort operations and hash tables.",
    ),
];

fn parameter(
    name: &str,
) -> Option<&'static (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    bool,
    &'static str,
)> {
    PARAMETERS.iter().find(|p| p.0.eq_ignore_ascii_case(name))
}

fn config_entry(
    id: &str,
    param: &(&str, &str, &str, &str, bool, &str),
    value: &str,
    source: &str,
    pending: bool,
) -> Entry {
    let (name, default_value, data_type, allowed, dynamic, description) = *param;
    Entry::new(json!({
        "id": id, "name": name, "type": "Microsoft.DBforPostgreSQL/flexibleServers/configurations",
        "properties": {
            "description": description, "allowedValues": allowed, "dataType": data_type,
            "defaultValue": default_value,
            "documentationLink": format!("https://www.postgresql.org/docs/17/runtime-config.html#GUC-{}", name.to_ascii_uppercase().replace(['_', '.'], "-")),
            "isConfigPendingRestart": pending, "isDynamicConfig": dynamic, "isReadOnly": false,
            "source": source, "value": value,
        }
    }))
}

impl Kind for Configuration {
    fn put(&self, ctx: &PutCtx<'_>, _st: &mut State, body: Value) -> Result<Prepared, ArmError> {
        let param = parameter(ctx.name()).ok_or_else(|| {
            ArmError::bad_request(
                "ConfigurationNotExists",
                format!(
                    "The configuration '{}' does not exist for this server version.",
                    ctx.name()
                ),
            )
        })?;
        let p = properties(&body)?;
        let value = p
            .get("value")
            .and_then(Value::as_str)
            .unwrap_or(param.1)
            .to_string();
        if matches!(param.2, "Boolean" | "Enumeration" | "Set") {
            let allowed: Vec<String> = param.3.split(',').map(str::to_ascii_lowercase).collect();
            let bad = value
                .split(',')
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .find(|v| !allowed.contains(&v.to_ascii_lowercase()));
            if let Some(bad) = bad {
                return Err(ArmError::bad_request(
                    "InvalidParameterValue",
                    format!(
                        "Invalid value given for parameter '{}': '{bad}'. Allowed values: '{}'.",
                        param.0, param.3
                    ),
                ));
            }
        }
        let source = p
            .get("source")
            .and_then(Value::as_str)
            .unwrap_or("user-override")
            .to_string();
        let mut e = config_entry(&ctx.id, param, &value, &source, !param.4);
        if let Some(name) = e.body.get_mut("name") {
            *name = json!(ctx.name());
        }
        Ok(Prepared {
            body: e.body,
            private: Value::Null,
        })
    }
    pg_child_lro!();
    fn before_delete(&self, _entry: &Entry, _st: &State) -> Result<(), ArmError> {
        Err(ArmError::new(
            axum::http::StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "Server parameters cannot be deleted.",
        ))
    }
    fn implicit(&self, path: &ResPath, id: &str, _st: &State) -> Option<Entry> {
        let param = parameter(path.name())?;
        Some(config_entry(id, param, param.1, "system-default", false))
    }
    fn implicit_list(&self, owner_id: &str, st: &State) -> Vec<Entry> {
        let server_id = st
            .get(owner_id)
            .map(|e| e.id().to_string())
            .unwrap_or_else(|| owner_id.to_string());
        PARAMETERS
            .iter()
            .map(|p| {
                config_entry(
                    &format!("{server_id}/configurations/{}", p.0),
                    p,
                    p.1,
                    "system-default",
                    false,
                )
            })
            .collect()
    }
}
