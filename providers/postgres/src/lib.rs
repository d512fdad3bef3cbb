//! The PostgreSQL provider: objects inside a server (roles, databases, schemas, extensions,
//! grants), reached over the PostgreSQL protocol (tokio-postgres, TLS through the workspace's
//! rustls). Live state comes from the catalogs, so changes made behind infra's back show as
//! drift.
//!
//! A `connection` holds a password, which state keeps only as a fingerprint; the non-secret part
//! is recorded as the `endpoint` output, and reads and deletes take the password from the run's
//! configuration ([`Provider::prepare`]) or `PGPASSWORD`.

pub mod cluster;
pub mod connect;
mod import;
mod props;
pub mod quote;
pub mod scram;
pub mod tls;
pub mod types;

/// The client library, for callers (tests, tools) that talk to the same servers.
pub use tokio_postgres;

use connect::{Endpoint, Passwords, RolePasswords};
use infra_provider_core::{
    BoxFuture, ConcurrencyHints, CreateRequest, DesiredResource, ObjectState, OpContext,
    PlanRequest, PlannedObject, Props, Provider, ProviderError, ProviderResult, ResourceSchema,
    SchemaSet, UpdateRequest, Value, provider::plan_from_schema,
};
use types::{database, extension, grant, role, schema};

/// Adds the `postgres.*` types to a schema set.
pub fn register(set: &mut SchemaSet) {
    for s in schemas() {
        set.add(s);
    }
}

pub fn schemas() -> Vec<ResourceSchema> {
    vec![
        database::schema(),
        extension::schema(),
        grant::schema(),
        role::schema(),
        schema::schema(),
    ]
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Database,
    Extension,
    Grant,
    Role,
    Schema,
}

impl Kind {
    fn of(type_name: &str) -> ProviderResult<Kind> {
        match type_name {
            database::TYPE => Ok(Kind::Database),
            extension::TYPE => Ok(Kind::Extension),
            grant::TYPE => Ok(Kind::Grant),
            role::TYPE => Ok(Kind::Role),
            schema::TYPE => Ok(Kind::Schema),
            other => Err(ProviderError::UnknownType(other.to_string())),
        }
    }
    /// Objects that live inside one database (the resource's `database`, else the
    /// connection's), as opposed to cluster-wide ones.
    fn in_database(self) -> bool {
        matches!(self, Kind::Extension | Kind::Grant | Kind::Schema)
    }
}

#[derive(Debug, Default)]
pub struct PostgresProvider {
    passwords: Passwords,
    /// Configured role passwords, so reads can check the live verifiers (state has none).
    role_passwords: RolePasswords,
    /// The run's desired inputs by address: an import finds its server through them.
    desired: std::sync::Mutex<std::collections::HashMap<String, Props>>,
}

impl PostgresProvider {
    pub fn new() -> Self {
        Self::default()
    }
}

/// The endpoint an object of this kind is reached at, with the password the inputs give.
fn endpoint_of(kind: Kind, inputs: &Props) -> ProviderResult<Option<(Endpoint, Option<String>)>> {
    let db = if kind.in_database() {
        props::opt_str(inputs, "database")?
    } else {
        None
    };
    match (inputs.get("server"), inputs.get("connection")) {
        (Some(_), Some(_)) => Err(ProviderError::Invalid(
            "server and connection cannot both be set".into(),
        )),
        (Some(server), None) => Endpoint::from_server(server, db.as_deref()),
        (None, Some(conn)) => Endpoint::from_connection(conn, db.as_deref()),
        (None, None) => Err(ProviderError::Invalid(
            "server (a flexible server reference) or connection is required".into(),
        )),
    }
}

fn normalize(kind: Kind, inputs: &mut Props) -> ProviderResult<()> {
    match kind {
        Kind::Database => database::normalize(inputs),
        Kind::Extension => extension::normalize(inputs),
        Kind::Grant => grant::normalize(inputs),
        Kind::Role => role::normalize(inputs),
        Kind::Schema => schema::normalize(inputs),
    }
}

fn object_id(kind: Kind, inputs: &Props, endpoint: &Endpoint) -> String {
    let local = match kind {
        Kind::Database => database::id(inputs),
        Kind::Extension => extension::id(inputs),
        Kind::Grant => grant::id(inputs, &endpoint.database),
        Kind::Role => role::id(inputs),
        Kind::Schema => schema::id(inputs),
    };
    let place = if kind.in_database() {
        format!("{}:{}/{}", endpoint.host, endpoint.port, endpoint.database)
    } else {
        format!("{}:{}", endpoint.host, endpoint.port)
    };
    format!("postgres://{place}#{local}")
}

impl PostgresProvider {
    async fn client(
        &self,
        endpoint: &Endpoint,
        ctx: &OpContext,
    ) -> ProviderResult<tokio_postgres::Client> {
        let password = self.passwords.get(endpoint);
        connect::connect(endpoint, password.as_deref(), &ctx.cancel).await
    }

    fn remember_role_password(&self, kind: Kind, endpoint: &Endpoint, inputs: &Props) {
        if kind != Kind::Role {
            return;
        }
        if let (Ok(Some(name)), Ok(Some(password))) = (
            props::opt_str(inputs, "name"),
            props::opt_str(inputs, "password"),
        ) {
            self.role_passwords.remember(endpoint, &name, &password);
        }
    }

    /// The live managed inputs and extra outputs; `None` when the object is gone.
    async fn read_live(
        &self,
        kind: Kind,
        client: &tokio_postgres::Client,
        inputs: &Props,
        endpoint: &Endpoint,
    ) -> ProviderResult<Option<(Props, Props)>> {
        let mut outputs = Props::new();
        let live = match kind {
            Kind::Database => database::read(client, inputs).await?,
            Kind::Role => {
                let name = props::opt_str(inputs, "name")?.unwrap_or_default();
                let password = self.role_passwords.get(endpoint, &name);
                role::read_checking(client, inputs, password.as_deref()).await?
            }
            Kind::Schema => schema::read(client, inputs).await?,
            Kind::Grant => grant::read(client, inputs, &endpoint.database, &endpoint.user).await?,
            Kind::Extension => extension::read(client, inputs).await?.map(|(live, v)| {
                outputs.insert("installed_version".into(), Value::str(v));
                live
            }),
        };
        Ok(live.map(|l| (l, outputs)))
    }

    async fn write(
        &self,
        kind: Kind,
        inputs: &Props,
        id: Option<&str>,
        ctx: &OpContext,
    ) -> ProviderResult<ObjectState> {
        let mut inputs = inputs.clone();
        normalize(kind, &mut inputs)?;
        let (endpoint, password) = endpoint_of(kind, &inputs)?.ok_or_else(|| {
            ProviderError::Invalid("the connection is still unknown at apply".into())
        })?;
        self.passwords.remember(&endpoint, password.as_deref());
        self.remember_role_password(kind, &endpoint, &inputs);
        let client = connect::connect(&endpoint, password.as_deref(), &ctx.cancel).await?;
        let creating = id.is_none();
        match (kind, creating) {
            (Kind::Database, true) => database::create(&client, &inputs).await?,
            (Kind::Database, false) => database::update(&client, &inputs).await?,
            (Kind::Role, true) => role::create(&client, &inputs).await?,
            (Kind::Role, false) => role::update(&client, &inputs).await?,
            (Kind::Schema, true) => schema::create(&client, &inputs).await?,
            (Kind::Schema, false) => schema::update(&client, &inputs).await?,
            (Kind::Extension, true) => extension::create(&client, &inputs).await?,
            (Kind::Extension, false) => extension::update(&client, &inputs).await?,
            (Kind::Grant, _) => {
                grant::apply(&client, &inputs, &endpoint.database, &endpoint.user).await?
            }
        }
        let mut outputs = match self.read_live(kind, &client, &inputs, &endpoint).await? {
            Some((_, outputs)) => outputs,
            None => {
                return Err(ProviderError::Cloud {
                    code: "PostgreSQL".into(),
                    message: format!(
                        "`{}` is not in the catalogs right after it was written",
                        object_id(kind, &inputs, &endpoint)
                    ),
                    retryable: false,
                });
            }
        };
        outputs.insert("endpoint".into(), endpoint.to_value());
        Ok(ObjectState {
            id: id
                .map(str::to_string)
                .unwrap_or_else(|| object_id(kind, &inputs, &endpoint)),
            inputs,
            outputs,
        })
    }
}

/// Whether an error says the database to connect to does not exist: everything in it is gone.
fn database_gone(e: &ProviderError) -> bool {
    matches!(e, ProviderError::Cloud { code, .. } if code == "SQLSTATE 3D000")
}

impl Provider for PostgresProvider {
    fn name(&self) -> &str {
        "postgres"
    }

    fn schemas(&self) -> Vec<ResourceSchema> {
        schemas()
    }

    fn concurrency(&self) -> ConcurrencyHints {
        // Each operation opens its own session; stay well under max_connections.
        ConcurrencyHints { max_in_flight: 8 }
    }

    fn prepare(&self, desired: &[DesiredResource]) {
        for r in desired
            .iter()
            .filter(|r| r.type_name.starts_with("postgres."))
        {
            let Ok(kind) = Kind::of(&r.type_name) else {
                continue;
            };
            if let Ok(Some((endpoint, password))) = endpoint_of(kind, &r.properties) {
                self.passwords.remember(&endpoint, password.as_deref());
                self.remember_role_password(kind, &endpoint, &r.properties);
            }
            if let Ok(mut d) = self.desired.lock() {
                d.insert(r.address.clone(), Props::clone(&r.properties));
            }
        }
    }

    fn plan(&self, req: PlanRequest<'_>) -> ProviderResult<PlannedObject> {
        let kind = Kind::of(req.type_name)?;
        let schema = schemas()
            .into_iter()
            .find(|s| s.type_name == req.type_name)
            .ok_or_else(|| ProviderError::UnknownType(req.type_name.into()))?;
        let mut planned = plan_from_schema(&schema, req);
        normalize(kind, &mut planned.inputs)?;
        let endpoint = endpoint_of(kind, &planned.inputs)?;
        let endpoint_value = endpoint
            .as_ref()
            .map(|(e, _)| e.to_value())
            .unwrap_or(Value::Unknown);
        planned
            .predicted_outputs
            .insert("endpoint".into(), endpoint_value);
        if kind == Kind::Extension {
            let wanted = props::opt_str(&planned.inputs, "version").ok().flatten();
            let recorded = req.prior.and_then(|p| p.outputs.get("installed_version"));
            let v = match (wanted, recorded) {
                (Some(v), _) => Value::str(v),
                (None, Some(r)) => r.clone(),
                (None, None) => Value::Unknown,
            };
            planned
                .predicted_outputs
                .insert("installed_version".into(), v);
        }
        Ok(planned)
    }

    fn read<'a>(
        &'a self,
        type_name: &'a str,
        prior: &'a ObjectState,
        ctx: &'a OpContext,
    ) -> BoxFuture<'a, ProviderResult<Option<ObjectState>>> {
        Box::pin(async move {
            let kind = Kind::of(type_name)?;
            let endpoint = recorded_endpoint(prior)?;
            let client = match self.client(&endpoint, ctx).await {
                Err(e) if kind.in_database() && database_gone(&e) => return Ok(None),
                other => other?,
            };
            let Some((live, mut outputs)) = self
                .read_live(kind, &client, &prior.inputs, &endpoint)
                .await?
            else {
                return Ok(None);
            };
            let mut inputs = prior.inputs.clone();
            inputs.extend(live);
            outputs.insert("endpoint".into(), endpoint.to_value());
            Ok(Some(ObjectState {
                id: prior.id.clone(),
                inputs,
                outputs,
            }))
        })
    }

    fn create<'a>(
        &'a self,
        req: CreateRequest<'a>,
        ctx: &'a OpContext,
    ) -> BoxFuture<'a, ProviderResult<ObjectState>> {
        Box::pin(async move {
            let kind = Kind::of(req.type_name)?;
            self.write(kind, req.inputs, None, ctx).await
        })
    }

    fn update<'a>(
        &'a self,
        req: UpdateRequest<'a>,
        ctx: &'a OpContext,
    ) -> BoxFuture<'a, ProviderResult<ObjectState>> {
        Box::pin(async move {
            let kind = Kind::of(req.type_name)?;
            self.write(kind, req.inputs, Some(&req.prior.id), ctx).await
        })
    }

    fn delete<'a>(
        &'a self,
        type_name: &'a str,
        prior: &'a ObjectState,
        ctx: &'a OpContext,
    ) -> BoxFuture<'a, ProviderResult<()>> {
        Box::pin(async move {
            let kind = Kind::of(type_name)?;
            let endpoint = recorded_endpoint(prior)?;
            let client = match self.client(&endpoint, ctx).await {
                Err(e) if kind.in_database() && database_gone(&e) => return Ok(()),
                other => other?,
            };
            let inputs = &prior.inputs;
            match kind {
                Kind::Database => database::delete(&client, inputs).await,
                Kind::Role => role::delete(&client, inputs).await,
                Kind::Schema => schema::delete(&client, inputs).await,
                Kind::Extension => extension::delete(&client, inputs).await,
                Kind::Grant => {
                    grant::delete(&client, inputs, &endpoint.database, &endpoint.user).await
                }
            }
        })
    }

    fn import<'a>(
        &'a self,
        type_name: &'a str,
        id: &'a str,
        ctx: &'a OpContext,
    ) -> BoxFuture<'a, ProviderResult<Option<ObjectState>>> {
        Box::pin(async move {
            let kind = Kind::of(type_name)?;
            let desired = self
                .desired
                .lock()
                .ok()
                .and_then(|d| d.get(&ctx.address).cloned())
                .ok_or_else(|| {
                    ProviderError::Invalid(format!(
                        "{} is not in this run's configuration: declare it with its server or \
                         connection, then import",
                        ctx.address
                    ))
                })?;
            let mut inputs = desired;
            normalize(kind, &mut inputs)?;
            let (endpoint, password) = endpoint_of(kind, &inputs)?.ok_or_else(|| {
                ProviderError::Invalid(
                    "the server is known only after apply: apply it first, then import".into(),
                )
            })?;
            let name = import::name_from_id(kind, id, &endpoint)?;
            self.passwords.remember(&endpoint, password.as_deref());
            // What the configuration gives stands for what the catalogs do not say; the
            // connection's secrets are not the object's.
            for k in ["server", "connection", "password"] {
                inputs.remove(k);
            }
            inputs.insert("name".into(), Value::str(&name));
            let client = match self.client(&endpoint, ctx).await {
                Err(e) if kind.in_database() && database_gone(&e) => return Ok(None),
                other => other?,
            };
            let Some((live, mut outputs)) =
                self.read_live(kind, &client, &inputs, &endpoint).await?
            else {
                return Ok(None);
            };
            inputs.extend(live);
            outputs.insert("endpoint".into(), endpoint.to_value());
            // Recorded under the id the import gave, so a block left in place is seen as done.
            Ok(Some(ObjectState {
                id: id.to_string(),
                inputs,
                outputs,
            }))
        })
    }
}

fn recorded_endpoint(prior: &ObjectState) -> ProviderResult<Endpoint> {
    let v = prior.outputs.get("endpoint").ok_or_else(|| {
        ProviderError::Invalid(format!(
            "`{}` has no recorded endpoint; apply it again to record one",
            prior.id
        ))
    })?;
    Endpoint::from_value(v)
}
