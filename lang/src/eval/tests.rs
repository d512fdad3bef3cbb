//! Unit tests of the tricky parts of evaluation, on small programs over `core.data`.

use super::*;
use crate::check::check;
use crate::project::Project;
use infra_provider_core::{Map, PropertySchema, ResourceSchema, SchemaSet, Type};
use std::path::PathBuf;

struct NoHost;

impl Host for NoHost {
    fn env_var(&self, _: &str) -> Option<String> {
        None
    }
    fn read_file(&self, path: &str) -> Result<String, String> {
        Err(format!("no {path}"))
    }
}

/// `core.data`'s output equals its input, for the addresses listed.
struct Echo(&'static [&'static str]);

impl Resolver for Echo {
    fn attributes(&self, address: &str, _: &str, inputs: &Map) -> Option<Map> {
        self.0.contains(&address).then(|| {
            let mut m = Map::new();
            m.insert(
                "output".to_string(),
                inputs.get("input").cloned().unwrap_or(Value::Null),
            );
            m.insert("id".to_string(), Value::str(format!("id-of-{address}")));
            m
        })
    }
}

fn schemas() -> SchemaSet {
    let mut set = SchemaSet::new();
    set.add(
        ResourceSchema::new("core.data", "data")
            .prop("input", PropertySchema::input(Type::Any))
            .prop("output", PropertySchema::output(Type::Any)),
    );
    set
}

fn eval(src: &str, resolver: &dyn Resolver) -> Result<Evaluation, Vec<Diagnostic>> {
    let project = Project::from_sources(vec![(PathBuf::from("main.infra"), src.to_string())])
        .expect("project");
    let checked = check(&project, &schemas());
    let Some(program) = checked.program else {
        return Err(checked.diagnostics);
    };
    evaluate(&program, None, &NoHost, resolver)
}

fn addresses(ev: &Evaluation) -> Vec<&str> {
    ev.addresses().collect()
}

#[test]
fn for_each_keys_are_sorted_stable_and_quoted() {
    let src = r#"
resource l: core.data for x in ["b", "a", "say \"hi\""] { input = x }
resource m: core.data for k, v in { z = 1, y = 2 } { input = "${k}=${v}" }
resource i: core.data for n, x in ["p", "q"] { input = n }
"#;
    let ev = eval(src, &NoKnowledge).expect("evaluates");
    assert_eq!(
        addresses(&ev),
        vec![
            r#"i["p"]"#,
            r#"i["q"]"#,
            r#"l["a"]"#,
            r#"l["b"]"#,
            r#"l["say \"hi\""]"#,
            r#"m["y"]"#,
            r#"m["z"]"#
        ]
    );
    let input = |a: &str| {
        ev.resources
            .iter()
            .find(|r| r.address == a)
            .map(|r| r.properties["input"].clone())
    };
    assert_eq!(input(r#"m["y"]"#), Some(Value::str("y=2")));
    assert_eq!(
        input(r#"i["q"]"#),
        Some(Value::Int(1)),
        "with two variables over a list, the first is the index"
    );
}

#[test]
fn for_each_rejects_duplicates_and_non_string_keys() {
    let dup = eval(
        r#"resource l: core.data for x in ["a", "a"] { input = x }"#,
        &NoKnowledge,
    )
    .err()
    .expect("fails");
    assert_eq!(
        dup.iter().map(|d| d.code).collect::<Vec<_>>(),
        vec!["E0701"]
    );
    let ints = eval(
        "let xs = [1, 2]\nresource l: core.data for x in xs { input = x }",
        &NoKnowledge,
    )
    .err()
    .expect("fails");
    assert_eq!(
        ints.iter().map(|d| d.code).collect::<Vec<_>>(),
        vec!["E0301"],
        "caught by the checker"
    );
}

#[test]
fn resources_are_in_topological_order_with_ties_by_address() {
    let src = r#"
resource z: core.data { input = 1 }
resource b: core.data { input = z.output }
resource a: core.data { input = b.output }
resource c: core.data { input = 2 }
"#;
    let ev = eval(src, &NoKnowledge).expect("evaluates");
    assert_eq!(addresses(&ev), vec!["c", "z", "b", "a"]);
    let a = &ev.resources[3];
    assert_eq!(
        a.depends_on.iter().map(String::as_str).collect::<Vec<_>>(),
        vec!["b"]
    );
}

#[test]
fn whole_for_resource_depends_on_every_instance_and_one_key_on_one() {
    let src = r#"
resource r: core.data for x in ["a", "b"] { input = x }
resource all: core.data { input = r }
resource one: core.data { input = r["b"].output }
"#;
    let ev = eval(src, &Echo(&[r#"r["a"]"#, r#"r["b"]"#])).expect("evaluates");
    let find = |a: &str| {
        ev.resources
            .iter()
            .find(|r| r.address == a)
            .expect("resource")
    };
    let deps = |a: &str| find(a).depends_on.iter().cloned().collect::<Vec<_>>();
    assert_eq!(deps("all"), vec![r#"r["a"]"#, r#"r["b"]"#]);
    assert_eq!(deps("one"), vec![r#"r["b"]"#]);
    assert_eq!(
        find("one").properties["input"],
        Value::str("b"),
        "resolved through the resolver"
    );
    let Value::Object(ids) = &find("all").properties["input"] else {
        panic!("object of ids")
    };
    assert_eq!(ids["a"], Value::str(r#"id-of-r["a"]"#));
}

#[test]
fn reevaluate_uses_what_the_resolver_learned() {
    let src = r#"
resource a: core.data { input = "x" }
let mid = "${a.output}-y"
resource b: core.data { input = mid }
"#;
    let ev = eval(src, &NoKnowledge).expect("evaluates");
    let b = ev.resources.iter().find(|r| r.address == "b").expect("b");
    assert_eq!(b.properties["input"], Value::Unknown);
    let fresh = ev.reevaluate("b", &Echo(&["a"])).expect("reevaluates");
    assert_eq!(fresh["input"], Value::str("x-y"));
    // The evaluation itself is unchanged: re-evaluation is a query.
    assert_eq!(
        ev.reevaluate("b", &NoKnowledge).expect("again")["input"],
        Value::Unknown
    );
}

/// Answers `output = <fixed text>` for every resource: what the cloud says now.
struct Says(&'static str);

impl Resolver for Says {
    fn attributes(&self, _: &str, _: &str, _: &Map) -> Option<Map> {
        let mut m = Map::new();
        m.insert("output".to_string(), Value::str(self.0));
        Some(m)
    }
}

/// A value that was known at plan time (the old version of a secret's id) but changed during
/// apply must not be served from the evaluation's cache: lets and outputs that read resources
/// are recomputed, not only those that held unknowns.
#[test]
fn reevaluation_recomputes_lets_and_outputs_that_read_resources() {
    let src = r#"
resource a: core.data { input = "x" }
let via_let = "${a.output}/suffix"
resource b: core.data { input = via_let }
output seen = via_let
output direct = a.output
"#;
    let ev = eval(src, &Says("v1")).expect("evaluates");
    let b = ev.resources.iter().find(|r| r.address == "b").expect("b");
    assert_eq!(b.properties["input"], Value::str("v1/suffix"));
    let fresh = ev.reevaluate("b", &Says("v2")).expect("reevaluates");
    assert_eq!(fresh["input"], Value::str("v2/suffix"));
    let outputs = ev.reevaluate_outputs(&Says("v2")).expect("outputs");
    assert_eq!(outputs["seen"].0, Value::str("v2/suffix"));
    assert_eq!(outputs["direct"].0, Value::str("v2"));
}

#[test]
fn meta_properties_go_to_the_lifecycle() {
    let src = r#"
resource a: core.data { input = 1 }
resource b: core.data {
  input = 2
  depends_on = [a]
  protect = true
  ignore_changes = ["input"]
  timeouts = { create = "1m" }
}
"#;
    let ev = eval(src, &NoKnowledge).expect("evaluates");
    let b = &ev.resources[1];
    assert_eq!(b.address, "b");
    assert_eq!(b.properties.keys().collect::<Vec<_>>(), vec!["input"]);
    assert!(b.lifecycle.protect);
    assert_eq!(b.lifecycle.ignore_changes, vec!["input".to_string()]);
    assert_eq!(b.lifecycle.timeouts.get("create"), Some(&60));
    assert!(b.depends_on.contains("a"));
}

#[test]
fn a_cycle_is_reported_once_with_its_whole_path() {
    let diags = eval(
        "let a = b\nlet b = c\nlet c = a\noutput o = a\n",
        &NoKnowledge,
    )
    .err()
    .expect("fails");
    let cycles: Vec<&Diagnostic> = diags.iter().filter(|d| d.code == "E0400").collect();
    assert_eq!(cycles.len(), 1);
    assert_eq!(
        &*cycles[0].message,
        "dependency cycle: `a` -> `b` -> `c` -> `a`"
    );
    assert_eq!(cycles[0].labels.len(), 3);
}
