//! Shared test helpers: a schema-driven test provider and builders for desired resources and
//! state records.

use super::providers::ProviderSet;
use crate::state::{ResourceRecord, SecretKey, State};
use infra_provider_core::provider::plan_from_schema;
use infra_provider_core::{
    BoxFuture, CoreProvider, CreateRequest, DesiredResource, Lifecycle, ObjectState, OpContext,
    PlanRequest, PlannedObject, PropertySchema, Props, Provider, ProviderResult, ResourceSchema,
    Type, UpdateRequest, Value,
};
use std::sync::Arc;

/// `test.thing`: `name` forces replacement, `password` is secret, `fqdn` is an output.
pub struct TestProvider;

pub fn thing_schema() -> ResourceSchema {
    ResourceSchema::new("test.thing", "a thing")
        .prop("name", PropertySchema::input(Type::String).create_only())
        .prop("size", PropertySchema::input(Type::Int))
        .prop("password", PropertySchema::input(Type::String).secret())
        .prop("tags", PropertySchema::input(Type::map(Type::String)))
        .prop("script", PropertySchema::input(Type::String))
        .prop("fqdn", PropertySchema::output(Type::String))
}

impl Provider for TestProvider {
    fn name(&self) -> &str {
        "test"
    }
    fn schemas(&self) -> Vec<ResourceSchema> {
        vec![thing_schema()]
    }
    fn plan(&self, req: PlanRequest<'_>) -> ProviderResult<PlannedObject> {
        Ok(plan_from_schema(&thing_schema(), req))
    }
    fn read<'a>(
        &'a self,
        _: &'a str,
        prior: &'a ObjectState,
        _: &'a OpContext,
    ) -> BoxFuture<'a, ProviderResult<Option<ObjectState>>> {
        Box::pin(async move { Ok(Some(prior.clone())) })
    }
    fn create<'a>(
        &'a self,
        req: CreateRequest<'a>,
        _: &'a OpContext,
    ) -> BoxFuture<'a, ProviderResult<ObjectState>> {
        Box::pin(async move {
            let mut outputs = Props::new();
            outputs.insert(
                "fqdn".into(),
                Value::str(format!("{}.example", req.idempotency_key.len())),
            );
            Ok(ObjectState {
                id: req.idempotency_key.into(),
                inputs: req.inputs.clone(),
                outputs,
            })
        })
    }
    fn update<'a>(
        &'a self,
        req: UpdateRequest<'a>,
        _: &'a OpContext,
    ) -> BoxFuture<'a, ProviderResult<ObjectState>> {
        Box::pin(async move {
            Ok(ObjectState {
                inputs: req.inputs.clone(),
                ..req.prior.clone()
            })
        })
    }
    fn delete<'a>(
        &'a self,
        _: &'a str,
        _: &'a ObjectState,
        _: &'a OpContext,
    ) -> BoxFuture<'a, ProviderResult<()>> {
        Box::pin(async { Ok(()) })
    }
    fn import<'a>(
        &'a self,
        _: &'a str,
        _: &'a str,
        _: &'a OpContext,
    ) -> BoxFuture<'a, ProviderResult<Option<ObjectState>>> {
        Box::pin(async { Ok(None) })
    }
}

pub fn providers() -> ProviderSet {
    ProviderSet::new()
        .with(Arc::new(CoreProvider::new()))
        .with(Arc::new(TestProvider))
}

pub fn key() -> SecretKey {
    SecretKey::from_bytes([7; 32])
}

pub fn props(pairs: &[(&str, Value)]) -> Props {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

pub fn desired(
    address: &str,
    type_name: &str,
    properties: Props,
    deps: &[&str],
) -> DesiredResource {
    DesiredResource {
        address: address.into(),
        type_name: type_name.into(),
        properties: properties.into(),
        depends_on: deps.iter().map(|s| s.to_string()).collect(),
        lifecycle: Lifecycle::default(),
        existing: false,
    }
}

/// A record as apply would have written it for these inputs and outputs.
pub fn record(type_name: &str, id: &str, inputs: Props, outputs: Props) -> ResourceRecord {
    let obj = ObjectState {
        id: id.into(),
        inputs: inputs.clone(),
        outputs,
    };
    ResourceRecord::from_object(
        type_name,
        &obj,
        &inputs,
        infra_provider_core::NameSet::new(),
        &key(),
    )
}

pub fn state_with(records: Vec<(&str, ResourceRecord)>) -> State {
    let mut s = State::new("lineage-1".into());
    s.serial = 3;
    for (a, r) in records {
        s.resources.insert(a.into(), r);
    }
    s
}
