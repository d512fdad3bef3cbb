//! `core.data`: stores its `input` and returns it as `output`, like Terraform's
//! `terraform_data`. It lives only in state, which makes it the reference workload for engine
//! benchmarks and crash tests; the optional `delay_ms` stands in for a slow cloud.

use crate::provider::{
    BoxFuture, CreateRequest, ObjectState, OpContext, PlanRequest, PlannedObject, Props, Provider,
    ProviderError, ProviderResult, UpdateRequest,
};
use crate::schema::{PropertySchema, ResourceSchema};
use crate::types::Type;
use crate::value::Value;
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Mutex;
use std::time::Duration;

pub const DATA_TYPE: &str = "core.data";

/// The `core` provider. The objects it made or deleted in this process are remembered so that
/// `read` after `delete` says "gone" and `import` finds what `create` made; across processes the
/// recorded state is the only truth, as there is no cloud.
#[derive(Debug, Default)]
pub struct CoreProvider {
    objects: Mutex<HashMap<String, ObjectState>>,
    deleted: Mutex<HashSet<String>>,
}

impl CoreProvider {
    pub fn new() -> Self {
        Self::default()
    }

    fn remember(&self, obj: &ObjectState) {
        if let Ok(mut d) = self.deleted.lock() {
            d.remove(&obj.id);
        }
        if let Ok(mut o) = self.objects.lock() {
            o.insert(obj.id.clone(), obj.clone());
        }
    }
}

pub fn data_schema() -> ResourceSchema {
    ResourceSchema::new(
        DATA_TYPE,
        "Stores a value in state and returns it; no cloud call.",
    )
    .prop(
        "input",
        PropertySchema::input(Type::Any).doc("Any value to store."),
    )
    .prop(
        "delay_ms",
        PropertySchema::input(Type::Int).doc("Wait this long before create/update finish."),
    )
    .prop(
        "output",
        PropertySchema::output(Type::Any).doc("The stored input."),
    )
    .prop(
        "id",
        PropertySchema::output(Type::String).doc("A stable identifier."),
    )
}

fn check_type(type_name: &str) -> ProviderResult<()> {
    if type_name == DATA_TYPE {
        Ok(())
    } else {
        Err(ProviderError::UnknownType(type_name.to_string()))
    }
}

fn delay_of(inputs: &Props) -> ProviderResult<Duration> {
    match inputs.get("delay_ms").map(|v| v.unwrap_secret().0) {
        None | Some(Value::Null) => Ok(Duration::ZERO),
        Some(Value::Int(ms)) if *ms >= 0 => Ok(Duration::from_millis(*ms as u64)),
        Some(other) => Err(ProviderError::Invalid(format!(
            "delay_ms must be a non-negative int, not {}",
            other.kind()
        ))),
    }
}

/// "data-" and 16 hex digits of a hash of the key: random-looking, and the same for a retried
/// create, so that a create repeated after a crash yields the same object.
pub fn data_id(idempotency_key: &str) -> String {
    let digest = Sha256::digest(idempotency_key.as_bytes());
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("data-{hex}")
}

fn object(id: String, inputs: &Props) -> ObjectState {
    let output = inputs.get("input").cloned().unwrap_or(Value::Null);
    let mut outputs = Props::new();
    outputs.insert("output".into(), output);
    outputs.insert("id".into(), Value::String(id.clone()));
    ObjectState {
        id,
        inputs: inputs.clone(),
        outputs,
    }
}

async fn wait(inputs: &Props, ctx: &OpContext) -> ProviderResult<()> {
    let delay = delay_of(inputs)?;
    if !delay.is_zero() && !ctx.cancel.sleep(delay).await {
        return Err(ProviderError::Cancelled);
    }
    Ok(())
}

impl Provider for CoreProvider {
    fn name(&self) -> &str {
        "core"
    }

    fn schemas(&self) -> Vec<ResourceSchema> {
        vec![data_schema()]
    }

    fn plan(&self, req: PlanRequest<'_>) -> ProviderResult<PlannedObject> {
        check_type(req.type_name)?;
        if !req
            .desired
            .get("delay_ms")
            .is_some_and(Value::contains_unknown)
        {
            delay_of(req.desired)?;
        }
        let mut predicted = Props::new();
        let output = req.desired.get("input").cloned().unwrap_or(Value::Null);
        predicted.insert("output".into(), output);
        let id = req.prior.map(|p| Value::String(p.id.clone()));
        predicted.insert("id".into(), id.unwrap_or(Value::Unknown));
        Ok(PlannedObject {
            inputs: req.desired.clone(),
            replace_on_change: BTreeSet::new(),
            predicted_outputs: predicted,
        })
    }

    fn read<'a>(
        &'a self,
        type_name: &'a str,
        prior: &'a ObjectState,
        _ctx: &'a OpContext,
    ) -> BoxFuture<'a, ProviderResult<Option<ObjectState>>> {
        Box::pin(async move {
            check_type(type_name)?;
            if self.deleted.lock().is_ok_and(|d| d.contains(&prior.id)) {
                return Ok(None);
            }
            let known = self
                .objects
                .lock()
                .ok()
                .and_then(|o| o.get(&prior.id).cloned());
            Ok(Some(known.unwrap_or_else(|| prior.clone())))
        })
    }

    fn create<'a>(
        &'a self,
        req: CreateRequest<'a>,
        ctx: &'a OpContext,
    ) -> BoxFuture<'a, ProviderResult<ObjectState>> {
        Box::pin(async move {
            check_type(req.type_name)?;
            wait(req.inputs, ctx).await?;
            let obj = object(data_id(req.idempotency_key), req.inputs);
            self.remember(&obj);
            Ok(obj)
        })
    }

    fn update<'a>(
        &'a self,
        req: UpdateRequest<'a>,
        ctx: &'a OpContext,
    ) -> BoxFuture<'a, ProviderResult<ObjectState>> {
        Box::pin(async move {
            check_type(req.type_name)?;
            wait(req.inputs, ctx).await?;
            let obj = object(req.prior.id.clone(), req.inputs);
            self.remember(&obj);
            Ok(obj)
        })
    }

    fn delete<'a>(
        &'a self,
        type_name: &'a str,
        prior: &'a ObjectState,
        _ctx: &'a OpContext,
    ) -> BoxFuture<'a, ProviderResult<()>> {
        Box::pin(async move {
            check_type(type_name)?;
            if let Ok(mut o) = self.objects.lock() {
                o.remove(&prior.id);
            }
            if let Ok(mut d) = self.deleted.lock() {
                d.insert(prior.id.clone());
            }
            Ok(())
        })
    }

    fn import<'a>(
        &'a self,
        type_name: &'a str,
        id: &'a str,
        _ctx: &'a OpContext,
    ) -> BoxFuture<'a, ProviderResult<Option<ObjectState>>> {
        Box::pin(async move {
            check_type(type_name)?;
            Ok(self.objects.lock().ok().and_then(|o| o.get(id).cloned()))
        })
    }

    fn read_existing<'a>(
        &'a self,
        type_name: &'a str,
        properties: &'a Props,
        _ctx: &'a OpContext,
    ) -> BoxFuture<'a, ProviderResult<Option<ObjectState>>> {
        Box::pin(async move {
            check_type(type_name)?;
            let key = format!("existing:{}", Value::Object(properties.clone()));
            Ok(Some(object(data_id(&key), properties)))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformance::{Sample, run_conformance};

    #[tokio::test]
    async fn core_data_passes_conformance() {
        let mut a = Props::new();
        a.insert("input".into(), Value::str("hello"));
        let mut b = Props::new();
        b.insert(
            "input".into(),
            Value::List(vec![Value::Int(1), Value::Bool(true)]),
        );
        b.insert("delay_ms".into(), Value::Int(1));
        let sample = Sample {
            type_name: DATA_TYPE.into(),
            inputs: a,
            update: Some(b),
        };
        run_conformance(&CoreProvider::new(), &[sample])
            .await
            .unwrap();
    }

    #[test]
    fn ids_are_stable_per_key_and_look_random() {
        assert_eq!(data_id("l/a"), data_id("l/a"));
        assert_ne!(data_id("l/a"), data_id("l/b"));
        assert_eq!(data_id("x").len(), "data-".len() + 16);
    }

    #[test]
    fn output_is_predicted_from_input() {
        let mut d = Props::new();
        d.insert("input".into(), Value::Int(3));
        let req = PlanRequest {
            type_name: DATA_TYPE,
            address: "a",
            desired: &d,
            prior: None,
        };
        let p = CoreProvider::new().plan(req).unwrap();
        assert_eq!(p.predicted_outputs["output"], Value::Int(3));
        assert_eq!(p.predicted_outputs["id"], Value::Unknown);
    }

    #[test]
    fn bad_delay_is_refused_at_plan() {
        let mut d = Props::new();
        d.insert("delay_ms".into(), Value::Int(-1));
        let req = PlanRequest {
            type_name: DATA_TYPE,
            address: "a",
            desired: &d,
            prior: None,
        };
        assert!(CoreProvider::new().plan(req).is_err());
    }
}
