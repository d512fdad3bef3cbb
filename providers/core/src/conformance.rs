//! The conformance suite every provider runs in its own tests: the round trips the engine
//! relies on. Call [`run_conformance`] with sample inputs for each resource type.

use crate::cancel::Cancel;
use crate::provider::{
    CreateRequest, ObjectState, OpContext, PlanRequest, Props, Provider, UpdateRequest,
};
use crate::value::Value;

/// Sample inputs for one resource type: `inputs` to create with, and optionally a second set
/// to update to (which must not force replacement).
#[derive(Debug, Clone)]
pub struct Sample {
    pub type_name: String,
    pub inputs: Props,
    pub update: Option<Props>,
}

/// Inputs as the engine compares them: secret inputs are never read back, so they are left out.
fn comparable(p: &Props) -> Props {
    p.iter()
        .filter(|(_, v)| !v.contains_secret())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn check(cond: bool, what: impl FnOnce() -> String) -> Result<(), String> {
    if cond { Ok(()) } else { Err(what()) }
}

async fn read_back(
    p: &dyn Provider,
    t: &str,
    obj: &ObjectState,
    ctx: &OpContext,
) -> Result<ObjectState, String> {
    match p.read(t, obj, ctx).await {
        Ok(Some(live)) => Ok(live),
        Ok(None) => Err(format!(
            "{t}: read after write says the object {} is gone",
            obj.id
        )),
        Err(e) => Err(format!("{t}: read failed: {e}")),
    }
}

fn plan_is_noop(
    p: &dyn Provider,
    s: &Sample,
    desired: &Props,
    live: &ObjectState,
) -> Result<(), String> {
    let t = s.type_name.as_str();
    let req = PlanRequest {
        type_name: t,
        address: "conformance",
        desired,
        prior: Some(live),
    };
    let planned = p
        .plan(req)
        .map_err(|e| format!("{t}: plan after write failed: {e}"))?;
    check(
        comparable(&planned.inputs) == comparable(&live.inputs),
        || {
            format!(
                "{t}: plan after write is not a no-op: normalised inputs differ from what was read"
            )
        },
    )?;
    for (k, v) in &planned.predicted_outputs {
        if v.contains_unknown() {
            continue;
        }
        check(live.outputs.get(k) == Some(v), || {
            format!("{t}: predicted output `{k}` differs from the real one")
        })?;
    }
    Ok(())
}

/// Runs create → read → plan (no-op) → repeat create (same object) → update → import →
/// delete → read (gone) → delete again (still fine) for each sample.
pub async fn run_conformance(p: &dyn Provider, samples: &[Sample]) -> Result<(), String> {
    let schemas = p.schemas();
    for (n, s) in samples.iter().enumerate() {
        let t = s.type_name.as_str();
        check(schemas.iter().any(|sc| sc.type_name == t), || {
            format!("{t}: no schema")
        })?;
        let ctx = OpContext {
            cancel: Cancel::never(),
            address: format!("conformance{n}"),
        };
        let req = PlanRequest {
            type_name: t,
            address: &ctx.address,
            desired: &s.inputs,
            prior: None,
        };
        let planned = p.plan(req).map_err(|e| format!("{t}: plan failed: {e}"))?;
        let key = format!("conformance/{t}/{n}");
        let create = CreateRequest {
            type_name: t,
            inputs: &planned.inputs,
            idempotency_key: &key,
        };
        let made = p
            .create(create.clone(), &ctx)
            .await
            .map_err(|e| format!("{t}: create failed: {e}"))?;
        let live = read_back(p, t, &made, &ctx).await?;
        check(comparable(&live.inputs) == comparable(&made.inputs), || {
            format!("{t}: read differs from create")
        })?;
        plan_is_noop(p, s, &s.inputs, &live)?;
        let again = p
            .create(create, &ctx)
            .await
            .map_err(|e| format!("{t}: repeated create failed: {e}"))?;
        check(again.id == made.id, || {
            format!("{t}: a repeated create made a second object")
        })?;

        let mut current = live;
        if let Some(update) = &s.update {
            let req = PlanRequest {
                type_name: t,
                address: &ctx.address,
                desired: update,
                prior: Some(&current),
            };
            let planned = p
                .plan(req)
                .map_err(|e| format!("{t}: plan of update failed: {e}"))?;
            let up = UpdateRequest {
                type_name: t,
                prior: &current,
                inputs: &planned.inputs,
            };
            let updated = p
                .update(up, &ctx)
                .await
                .map_err(|e| format!("{t}: update failed: {e}"))?;
            check(updated.id == current.id, || {
                format!("{t}: update changed the id")
            })?;
            current = read_back(p, t, &updated, &ctx).await?;
            plan_is_noop(p, s, update, &current)?;
        }

        let imported = p
            .import(t, &current.id, &ctx)
            .await
            .map_err(|e| format!("{t}: import failed: {e}"))?;
        let imported = imported.ok_or_else(|| format!("{t}: import by id found nothing"))?;
        check(
            comparable(&imported.inputs) == comparable(&current.inputs),
            || format!("{t}: import differs from read"),
        )?;

        p.delete(t, &current, &ctx)
            .await
            .map_err(|e| format!("{t}: delete failed: {e}"))?;
        let gone = p
            .read(t, &current, &ctx)
            .await
            .map_err(|e| format!("{t}: read after delete failed: {e}"))?;
        check(gone.is_none(), || {
            format!("{t}: object still there after delete")
        })?;
        p.delete(t, &current, &ctx)
            .await
            .map_err(|e| format!("{t}: deleting a gone object failed: {e}"))?;
    }
    Ok(())
}

/// A secret never leaves through a value's display form; providers use this in their own tests.
pub fn assert_no_secret_in(text: &str, secret: &Value) -> Result<(), String> {
    match secret.unwrap_secret().0.as_str() {
        Some(s) if !s.is_empty() && text.contains(s) => Err("secret value found in text".into()),
        _ => Ok(()),
    }
}
