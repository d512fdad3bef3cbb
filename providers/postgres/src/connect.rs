//! Where an object lives and how to reach it: the `connection` input, the passwords a run
//! knows, opening a session (TLS per `sslmode`, retried within a bound while the server cannot
//! accept connections) and turning PostgreSQL errors into provider errors.

use crate::props;
use crate::tls::{MakeRustls, client_config};
use infra_provider_core::{Cancel, ProviderError, ProviderResult, Value};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio_postgres::config::SslMode as PgSslMode;

/// How long connection failures that a restarting or starting server gives (refused, reset,
/// SQLSTATE 57P03 "cannot connect now", 08xxx) are retried before the error is reported.
/// `INFRA_PG_CONNECT_WAIT` (seconds) overrides it.
pub const DEFAULT_CONNECT_WAIT: Duration = Duration::from_secs(120);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    Disable,
    Prefer,
    Require,
    VerifyFull,
}

impl SslMode {
    pub const NAMES: [&'static str; 4] = ["disable", "prefer", "require", "verify-full"];

    fn parse(s: &str) -> ProviderResult<SslMode> {
        match s {
            "disable" => Ok(SslMode::Disable),
            "prefer" => Ok(SslMode::Prefer),
            "require" => Ok(SslMode::Require),
            "verify-full" => Ok(SslMode::VerifyFull),
            other => Err(ProviderError::Invalid(format!(
                "sslmode `{other}` is not one of {}",
                SslMode::NAMES.join(", ")
            ))),
        }
    }
    fn name(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyFull => "verify-full",
        }
    }
}

/// A server and the database to open on it, without the password (which state keeps only as a
/// fingerprint and which therefore comes from [`Passwords`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Endpoint {
    pub host: String,
    pub port: u16,
    pub user: String,
    pub database: String,
    pub sslmode: SslMode,
    pub ca_cert: Option<String>,
}

impl Endpoint {
    /// From a `connection` input; `database` (the resource's own) overrides the connection's.
    /// `None` while a part is only known after apply.
    pub fn from_connection(
        conn: &Value,
        database: Option<&str>,
    ) -> ProviderResult<Option<(Endpoint, Option<String>)>> {
        let conn = conn.unwrap_secret().0;
        if conn.contains_unknown() {
            return Ok(None);
        }
        let Value::Object(map) = conn else {
            return Err(ProviderError::Invalid(
                "connection must be an object { host, port, user, password, database, sslmode }"
                    .into(),
            ));
        };
        let host = props::req_str(map, "connection.host")?;
        let user = props::req_str(map, "connection.user")?;
        let port = match props::opt_int(map, "port")? {
            None => 5432,
            Some(p) => u16::try_from(p).ok().filter(|p| *p > 0).ok_or_else(|| {
                ProviderError::Invalid(format!("connection.port {p} is not a TCP port"))
            })?,
        };
        let db = match database {
            Some(d) => d.to_string(),
            None => props::opt_str(map, "database")?.unwrap_or_else(|| "postgres".into()),
        };
        let sslmode = SslMode::parse(&props::opt_str(map, "sslmode")?.unwrap_or("prefer".into()))?;
        let ca_cert = props::opt_str(map, "ca_cert")?;
        let password = props::opt_str(map, "password")?;
        Ok(Some((
            Endpoint {
                host,
                port,
                user,
                database: db,
                sslmode,
                ca_cert,
            },
            password,
        )))
    }

    /// From a `server` reference (an `azure.postgres_flexible_server`'s `fqdn`, `admin_login`
    /// and `admin_password`): port 5432 unless the fqdn ends in `:port` (the local emulator
    /// reports its cluster so), `sslmode` require, or prefer on a loopback address.
    pub fn from_server(
        server: &Value,
        database: Option<&str>,
    ) -> ProviderResult<Option<(Endpoint, Option<String>)>> {
        let (server, _) = server.unwrap_secret();
        let Value::Object(map) = server else {
            return Err(ProviderError::Invalid(
                "server must be a reference to an azure.postgres_flexible_server (e.g. \
                 `server = pg`)"
                    .into(),
            ));
        };
        let part = |k: &str| map.get(k).cloned().unwrap_or(Value::Null);
        let fqdn = part("fqdn");
        let login = part("admin_login");
        let password = part("admin_password");
        if fqdn.contains_unknown() || login.contains_unknown() || password.contains_unknown() {
            return Ok(None);
        }
        let fqdn = match fqdn.unwrap_secret().0 {
            Value::String(s) if !s.is_empty() => s.clone(),
            _ => {
                return Err(ProviderError::Invalid(
                    "the server has no fqdn: is it an azure.postgres_flexible_server?".into(),
                ));
            }
        };
        let (host, port) = split_port(&fqdn);
        let mut conn = infra_provider_core::Map::new();
        conn.insert("host".to_string(), Value::str(&host));
        conn.insert("port".to_string(), Value::Int(i64::from(port)));
        conn.insert("user".to_string(), login);
        conn.insert("password".to_string(), password);
        let sslmode = if is_loopback(&host) {
            "prefer"
        } else {
            "require"
        };
        conn.insert("sslmode".to_string(), Value::str(sslmode));
        Endpoint::from_connection(&Value::Object(conn), database)
    }

    /// The non-secret output recorded in state, from which reads and deletes find the server.
    pub fn to_value(&self) -> Value {
        let mut m = infra_provider_core::Map::new();
        m.insert("host".into(), Value::str(&self.host));
        m.insert("port".into(), Value::Int(i64::from(self.port)));
        m.insert("user".into(), Value::str(&self.user));
        m.insert("database".into(), Value::str(&self.database));
        m.insert("sslmode".into(), Value::str(self.sslmode.name()));
        if let Some(ca) = &self.ca_cert {
            m.insert("ca_cert".into(), Value::str(ca));
        }
        Value::Object(m)
    }

    pub fn from_value(v: &Value) -> ProviderResult<Endpoint> {
        match Endpoint::from_connection(v, None)? {
            Some((e, _)) => Ok(e),
            None => Err(ProviderError::Invalid(
                "the recorded endpoint is incomplete".into(),
            )),
        }
    }

    pub fn with_database(&self, database: &str) -> Endpoint {
        Endpoint {
            database: database.to_string(),
            ..self.clone()
        }
    }

    /// `user@host:port/database`, for messages.
    pub fn display(&self) -> String {
        format!(
            "{}@{}:{}/{}",
            self.user, self.host, self.port, self.database
        )
    }

    fn server_key(&self) -> (String, u16, String) {
        (self.host.clone(), self.port, self.user.clone())
    }
}

/// `host:port` into its parts; a plain host name (Azure's fqdn) is on 5432.
fn split_port(fqdn: &str) -> (String, u16) {
    if let Some((host, port)) = fqdn.rsplit_once(':')
        && !host.contains(':')
        && let Ok(port) = port.parse::<u16>()
        && port > 0
    {
        return (host.to_string(), port);
    }
    (fqdn.to_string(), 5432)
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Passwords by server and user, learnt from the run's configuration and from creates and
/// updates: reads and deletes get only what state recorded, which never holds a password.
#[derive(Default)]
pub struct Passwords(Mutex<HashMap<(String, u16, String), String>>);

impl Passwords {
    pub fn remember(&self, endpoint: &Endpoint, password: Option<&str>) {
        if let (Some(p), Ok(mut m)) = (password, self.0.lock()) {
            m.insert(endpoint.server_key(), p.to_string());
        }
    }
    /// The run's password for this server and user, else libpq's `PGPASSWORD`.
    pub fn get(&self, endpoint: &Endpoint) -> Option<String> {
        let known = self
            .0
            .lock()
            .ok()
            .and_then(|m| m.get(&endpoint.server_key()).cloned());
        known.or_else(|| std::env::var("PGPASSWORD").ok())
    }
}

/// Configured role passwords by server and role name, learnt like [`Passwords`]; reads use
/// them to check the live verifier (a password changed behind infra's back).
#[derive(Default)]
pub struct RolePasswords(Mutex<HashMap<(String, u16, String), String>>);

impl RolePasswords {
    pub fn remember(&self, endpoint: &Endpoint, role: &str, password: &str) {
        if let Ok(mut m) = self.0.lock() {
            m.insert(
                (endpoint.host.clone(), endpoint.port, role.to_string()),
                password.to_string(),
            );
        }
    }
    pub fn get(&self, endpoint: &Endpoint, role: &str) -> Option<String> {
        self.0
            .lock()
            .ok()?
            .get(&(endpoint.host.clone(), endpoint.port, role.to_string()))
            .cloned()
    }
}

// Never the passwords themselves.
impl std::fmt::Debug for Passwords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Passwords(..)")
    }
}
impl std::fmt::Debug for RolePasswords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RolePasswords(..)")
    }
}

fn connect_wait() -> Duration {
    std::env::var("INFRA_PG_CONNECT_WAIT")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .map(Duration::from_secs)
        .unwrap_or(DEFAULT_CONNECT_WAIT)
}

/// Whether a failed connection attempt may succeed later: the server is starting, stopping or
/// restarting (refused, reset, closed, SQLSTATE 57P03 / 57P01 / 08xxx). Authentication, TLS and
/// missing databases are final.
fn transient(e: &tokio_postgres::Error) -> bool {
    if let Some(code) = e.code() {
        let c = code.code();
        return c == "57P03" || c == "57P01" || c.starts_with("08");
    }
    if e.is_closed() {
        return true;
    }
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind::*;
            return matches!(
                io.kind(),
                ConnectionRefused
                    | ConnectionReset
                    | ConnectionAborted
                    | UnexpectedEof
                    | TimedOut
                    | NotConnected
                    | BrokenPipe
            );
        }
        source = s.source();
    }
    false
}

/// Opens a session. Transient failures are retried with backoff for up to
/// [`DEFAULT_CONNECT_WAIT`]; the error then names the server and how long it was tried.
pub async fn connect(
    endpoint: &Endpoint,
    password: Option<&str>,
    cancel: &Cancel,
) -> ProviderResult<tokio_postgres::Client> {
    let wait = connect_wait();
    let started = Instant::now();
    let mut delay = Duration::from_millis(200);
    let tls = client_config(
        endpoint.sslmode == SslMode::VerifyFull,
        endpoint.ca_cert.as_deref(),
    )
    .map(MakeRustls)
    .map_err(ProviderError::Invalid)?;
    loop {
        match connect_once(endpoint, password, &tls).await {
            Ok(client) => return Ok(client),
            Err(e) if transient(&e) && started.elapsed() + delay <= wait => {
                if !cancel.sleep(delay).await {
                    return Err(ProviderError::Cancelled);
                }
                delay = (delay * 2).min(Duration::from_secs(3));
            }
            Err(e) => {
                let mut err = pg_error(
                    &e,
                    &format!("connecting to {}", endpoint.display()),
                    password,
                );
                if transient(&e)
                    && let ProviderError::Cloud { message, .. } = &mut err
                {
                    message.push_str(&format!(
                        " (retried for {}s; INFRA_PG_CONNECT_WAIT sets the bound)",
                        started.elapsed().as_secs()
                    ));
                }
                return Err(err);
            }
        }
    }
}

async fn connect_once(
    endpoint: &Endpoint,
    password: Option<&str>,
    tls: &MakeRustls,
) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
    let mut config = tokio_postgres::Config::new();
    config
        .host(&endpoint.host)
        .port(endpoint.port)
        .user(&endpoint.user)
        .dbname(&endpoint.database)
        .application_name("infra")
        .connect_timeout(Duration::from_secs(10));
    if let Some(p) = password {
        config.password(p);
    }
    config.ssl_mode(match endpoint.sslmode {
        SslMode::Disable => PgSslMode::Disable,
        SslMode::Prefer => PgSslMode::Prefer,
        SslMode::Require | SslMode::VerifyFull => PgSslMode::Require,
    });
    let (client, conn) = config.connect(tls.clone()).await?;
    // The connection task ends when the client is dropped.
    tokio::spawn(conn);
    Ok(client)
}

/// A provider error from a PostgreSQL error: its SQLSTATE and message (with detail and hint),
/// never the password, whatever a message might echo.
pub fn pg_error(e: &tokio_postgres::Error, doing: &str, password: Option<&str>) -> ProviderError {
    let (code, message) = match e.as_db_error() {
        Some(db) => {
            let mut m = format!("{doing}: {}", db.message());
            if let Some(d) = db.detail() {
                m.push_str(&format!(" ({d})"));
            }
            if let Some(h) = db.hint() {
                m.push_str(&format!("; hint: {h}"));
            }
            (format!("SQLSTATE {}", db.code().code()), m)
        }
        None => {
            let mut m = format!("{doing}: {e}");
            if let Some(src) = std::error::Error::source(e) {
                let s = src.to_string();
                if !m.contains(&s) {
                    m.push_str(&format!(": {s}"));
                }
            }
            ("PostgreSQL".to_string(), m)
        }
    };
    let message = match password {
        Some(p) if !p.is_empty() => message.replace(p, "(secret)"),
        _ => message,
    };
    ProviderError::Cloud {
        code,
        message,
        retryable: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(fqdn: Value) -> Value {
        let mut m = infra_provider_core::Map::new();
        m.insert("id".into(), Value::str("/subscriptions/s/x"));
        m.insert("fqdn".into(), fqdn);
        m.insert("admin_login".into(), Value::str("pgadmin"));
        m.insert("admin_password".into(), Value::secret(Value::str("pw")));
        Value::Object(m)
    }

    #[test]
    fn an_azure_server_is_reached_on_5432_with_tls_required() {
        let (e, password) = Endpoint::from_server(
            &server(Value::str("pg.postgres.database.azure.com")),
            Some("app"),
        )
        .unwrap()
        .unwrap();
        assert_eq!(e.host, "pg.postgres.database.azure.com");
        assert_eq!(e.port, 5432);
        assert_eq!(e.user, "pgadmin");
        assert_eq!(e.database, "app");
        assert_eq!(e.sslmode, SslMode::Require);
        assert_eq!(password.as_deref(), Some("pw"));
    }

    #[test]
    fn the_emulators_host_and_port_fqdn_gives_the_port() {
        let (e, _) = Endpoint::from_server(&server(Value::str("127.0.0.1:54329")), None)
            .unwrap()
            .unwrap();
        assert_eq!((e.host.as_str(), e.port), ("127.0.0.1", 54329));
        assert_eq!(e.database, "postgres");
        assert_eq!(e.sslmode, SslMode::Prefer);
    }

    #[test]
    fn an_fqdn_known_only_after_apply_waits() {
        assert!(
            Endpoint::from_server(&server(Value::Unknown), None)
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn a_bare_id_is_refused_with_the_fix() {
        let err = Endpoint::from_server(&Value::str("/subscriptions/s/x"), None).unwrap_err();
        assert!(err.to_string().contains("server = pg"), "{err}");
    }
}
