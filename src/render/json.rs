//! The JSON view of a plan (docs/plan-json.md): versioned, keys in a fixed order. Written
//! straight from the plan through borrowed views, so that a large plan is streamed to its
//! writer rather than copied into a JSON tree and a string first.

use crate::engine::model::{AttrChange, Json, Plan, ResourceChange};
use serde::{Serialize, Serializer};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Write;

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Serialize)]
struct AttrView<'a> {
    path: &'a str,
    before: &'a Option<Json>,
    after: &'a Option<Json>,
    output: bool,
    forces_replacement: bool,
    unknown: bool,
    secret: bool,
    /// Only on an input no longer set (additive to format_version 1).
    #[serde(skip_serializing_if = "is_false")]
    reset: bool,
}

struct Attrs<'a>(Cow<'a, [AttrChange]>);

impl Serialize for Attrs<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|a| AttrView {
            path: &a.path,
            before: &a.before,
            after: &a.after,
            output: a.output,
            forces_replacement: a.forces_replace,
            unknown: a.unknown,
            secret: a.secret,
            reset: a.reset,
        }))
    }
}

#[derive(Serialize)]
struct DriftView<'a> {
    address: &'a str,
    #[serde(rename = "type")]
    type_name: &'a str,
    deleted: bool,
    attributes: Attrs<'a>,
}

#[derive(Serialize)]
struct ChangeView<'a> {
    address: &'a str,
    #[serde(rename = "type")]
    type_name: &'a str,
    action: &'static str,
    reason: &'a Option<String>,
    before: &'a Option<BTreeMap<String, Json>>,
    after: Option<Cow<'a, BTreeMap<String, Json>>>,
    unknown: &'a [String],
    secret: &'a [String],
    attributes: Attrs<'a>,
    parent: &'a Option<String>,
}

impl<'a> From<&'a ResourceChange> for ChangeView<'a> {
    fn from(c: &'a ResourceChange) -> Self {
        ChangeView {
            address: &c.address,
            type_name: &c.type_name,
            action: c.action.as_str(),
            reason: &c.reason,
            before: &c.before,
            // A create's display values are made here, one change at a time.
            after: c.after(),
            unknown: &c.unknown,
            secret: &c.secret,
            attributes: Attrs(c.attributes()),
            parent: &c.parent,
        }
    }
}

#[derive(Serialize)]
struct UnmanagedView<'a> {
    id: &'a str,
    parent: &'a str,
    reason: &'a str,
}

#[derive(Serialize)]
struct OutputView<'a> {
    name: &'a str,
    action: &'static str,
    before: &'a Option<Json>,
    after: &'a Option<Json>,
    unknown: bool,
    secret: bool,
}

#[derive(Serialize)]
struct StateView<'a> {
    lineage: &'a str,
    serial: u64,
}

#[derive(Serialize)]
struct SummaryView {
    add: usize,
    change: usize,
    replace: usize,
    destroy: usize,
    import: usize,
    with_parent: usize,
    unmanaged: usize,
}

/// A list written element by element from the plan's own.
struct List<'a, T, V>(&'a [T], fn(&'a T) -> V);

impl<'a, T, V: Serialize> Serialize for List<'a, T, V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(self.1))
    }
}

#[derive(Serialize)]
struct PlanView<'a> {
    format_version: &'static str,
    state: StateView<'a>,
    summary: SummaryView,
    drift: List<'a, crate::engine::model::Drift, DriftView<'a>>,
    changes: List<'a, ResourceChange, ChangeView<'a>>,
    unmanaged: List<'a, crate::engine::model::Unmanaged, UnmanagedView<'a>>,
    output_changes: List<'a, crate::engine::model::OutputChange, OutputView<'a>>,
}

fn view(plan: &Plan) -> PlanView<'_> {
    let s = plan.summary();
    PlanView {
        format_version: "1",
        state: StateView {
            lineage: &plan.lineage,
            serial: plan.serial,
        },
        summary: SummaryView {
            add: s.add,
            change: s.change,
            replace: s.replace,
            destroy: s.destroy,
            import: s.import,
            with_parent: s.with_parent,
            unmanaged: s.unmanaged,
        },
        drift: List(&plan.drift, |d| DriftView {
            address: &d.address,
            type_name: &d.type_name,
            deleted: d.deleted,
            attributes: Attrs(Cow::Borrowed(&d.attributes)),
        }),
        changes: List(&plan.changes, ChangeView::from),
        unmanaged: List(&plan.unmanaged, |u| UnmanagedView {
            id: &u.id,
            parent: &u.parent,
            reason: &u.reason,
        }),
        output_changes: List(&plan.output_changes, |o| OutputView {
            name: &o.name,
            action: o.action(),
            before: &o.before,
            after: &o.after,
            unknown: o.unknown,
            secret: o.secret,
        }),
    }
}

/// The JSON plan as a value (what a saved plan read back holds).
pub fn plan_json(plan: &Plan) -> Json {
    serde_json::to_value(view(plan)).unwrap_or_default()
}

/// The JSON plan as something to serialise in place (what a saved plan being written embeds):
/// the same document as [`plan_json`] without building it as a tree first.
pub struct PlanJson<'a>(pub &'a Plan);

impl Serialize for PlanJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        view(self.0).serialize(s)
    }
}

/// Writes the JSON plan, pretty-printed and ending in a line break, as it is produced.
pub fn write_json<W: Write>(plan: &Plan, mut w: W) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut w, &view(plan))?;
    w.write_all(b"\n")
}

pub fn render_json(plan: &Plan) -> String {
    let mut out = Vec::new();
    let _ = write_json(plan, &mut out);
    String::from_utf8(out).unwrap_or_default()
}
