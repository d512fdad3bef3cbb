//! The JSON view of a plan (docs/plan-json.md): versioned, keys in a fixed order.

use crate::engine::model::{AttrChange, Plan};
use serde_json::{Value, json};

fn attrs(list: &[AttrChange]) -> Value {
    Value::Array(
        list.iter()
            .map(|a| {
                let mut v = json!({
                    "path": a.path,
                    "before": a.before,
                    "after": a.after,
                    "output": a.output,
                    "forces_replacement": a.forces_replace,
                    "unknown": a.unknown,
                    "secret": a.secret,
                });
                // Only on an input no longer set (additive to format_version 1).
                if a.reset
                    && let Some(o) = v.as_object_mut()
                {
                    o.insert("reset".into(), json!(true));
                }
                v
            })
            .collect(),
    )
}

pub fn plan_json(plan: &Plan) -> Value {
    let s = plan.summary();
    let drift: Vec<Value> = plan
        .drift
        .iter()
        .map(|d| json!({"address": d.address, "type": d.type_name, "deleted": d.deleted, "attributes": attrs(&d.attributes)}))
        .collect();
    let changes: Vec<Value> = plan
        .changes
        .iter()
        .map(|c| {
            json!({
                "address": c.address,
                "type": c.type_name,
                "action": c.action.as_str(),
                "reason": c.reason,
                "before": c.before,
                "after": c.after,
                "unknown": c.unknown,
                "secret": c.secret,
                "attributes": attrs(&c.attributes),
                "parent": c.parent,
            })
        })
        .collect();
    let unmanaged: Vec<Value> = plan
        .unmanaged
        .iter()
        .map(|u| json!({"id": u.id, "parent": u.parent, "reason": u.reason}))
        .collect();
    let outputs: Vec<Value> = plan
        .output_changes
        .iter()
        .map(|o| {
            json!({"name": o.name, "action": o.action(), "before": o.before, "after": o.after,
                   "unknown": o.unknown, "secret": o.secret})
        })
        .collect();
    json!({
        "format_version": "1",
        "state": {"lineage": plan.lineage, "serial": plan.serial},
        "summary": {"add": s.add, "change": s.change, "replace": s.replace, "destroy": s.destroy, "import": s.import,
                    "with_parent": s.with_parent, "unmanaged": s.unmanaged},
        "drift": drift,
        "changes": changes,
        "unmanaged": unmanaged,
        "output_changes": outputs,
    })
}

pub fn render_json(plan: &Plan) -> String {
    let mut s = serde_json::to_string_pretty(&plan_json(plan)).unwrap_or_default();
    s.push('\n');
    s
}
