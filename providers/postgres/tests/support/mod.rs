//! A throwaway cluster per test and small helpers to drive the provider as the engine does.

#![allow(dead_code)]

use infra_provider_core::{
    Cancel, CreateRequest, ObjectState, OpContext, PlanRequest, Props, Provider, ProviderResult,
    UpdateRequest, Value,
};
use infra_provider_postgres::PostgresProvider;
use infra_provider_postgres::cluster::{Cluster, ClusterError, Options};

/// Starts a cluster, or says why not. Without PostgreSQL installed a developer's run skips
/// with the reason; CI (which installs it) fails instead.
pub fn cluster(dir: &std::path::Path, options: &Options) -> Option<Cluster> {
    match Cluster::start(dir, options) {
        Ok(c) => Some(c),
        Err(ClusterError::NotInstalled) if std::env::var("CI").is_err() => {
            eprintln!("SKIPPED: {}", ClusterError::NotInstalled);
            None
        }
        Err(e) => panic!("cannot start a PostgreSQL cluster: {e}"),
    }
}

pub fn connection(c: &Cluster, sslmode: &str, extra: &[(&str, Value)]) -> Value {
    let mut m = infra_provider_core::Map::new();
    m.insert("host".into(), Value::str("127.0.0.1"));
    m.insert("port".into(), Value::Int(i64::from(c.port)));
    m.insert("user".into(), Value::str(&c.user));
    m.insert("password".into(), Value::secret(Value::str(&c.password)));
    m.insert("sslmode".into(), Value::str(sslmode));
    for (k, v) in extra {
        m.insert(k.to_string(), v.clone());
    }
    Value::Object(m)
}

pub fn props(pairs: &[(&str, Value)]) -> Props {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

pub fn strs(items: &[&str]) -> Value {
    Value::List(items.iter().map(|s| Value::str(*s)).collect())
}

pub fn ctx() -> OpContext {
    OpContext {
        cancel: Cancel::never(),
        address: "test".into(),
    }
}

/// Plans (normalising) and creates, as apply does.
pub async fn create(
    p: &PostgresProvider,
    ty: &str,
    desired: &Props,
) -> ProviderResult<ObjectState> {
    let planned = p.plan(PlanRequest {
        type_name: ty,
        address: "test",
        desired,
        prior: None,
    })?;
    p.create(
        CreateRequest {
            type_name: ty,
            inputs: &planned.inputs,
            idempotency_key: "k",
        },
        &ctx(),
    )
    .await
}

pub async fn update(
    p: &PostgresProvider,
    ty: &str,
    prior: &ObjectState,
    desired: &Props,
) -> ProviderResult<ObjectState> {
    let planned = p.plan(PlanRequest {
        type_name: ty,
        address: "test",
        desired,
        prior: Some(prior),
    })?;
    p.update(
        UpdateRequest {
            type_name: ty,
            prior,
            inputs: &planned.inputs,
        },
        &ctx(),
    )
    .await
}

/// What state keeps of an object: no secret inputs (the engine stores only fingerprints).
pub fn recorded(obj: &ObjectState) -> ObjectState {
    let mut obj = obj.clone();
    obj.inputs.retain(|_, v| !v.contains_secret());
    obj
}

pub async fn read(p: &PostgresProvider, ty: &str, obj: &ObjectState) -> Option<ObjectState> {
    p.read(ty, &recorded(obj), &ctx()).await.expect("read")
}

/// A session as the cluster's admin, for changes made behind infra's back.
pub async fn admin(c: &Cluster, database: &str) -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(
        &format!(
            "host=127.0.0.1 port={} user={} password={} dbname={database}",
            c.port, c.user, c.password
        ),
        tokio_postgres::NoTls,
    )
    .await
    .expect("admin connection");
    tokio::spawn(conn);
    client
}
