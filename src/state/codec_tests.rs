use super::*;
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

fn json_leaf() -> impl Strategy<Value = serde_json::Value> {
    prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        (-1_000_000i32..1_000_000).prop_map(|i| serde_json::json!(f64::from(i) + 0.5)),
        ".{0,12}".prop_map(serde_json::Value::from),
    ]
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    json_leaf().prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            prop::collection::btree_map("[a-z]{1,5}", inner, 0..4)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

fn record() -> impl Strategy<Value = ResourceRecord> {
    (
        "[a-z]{1,6}\\.[a-z]{1,6}",
        "[a-z0-9-]{1,20}",
        prop::collection::btree_map("[a-z_]{1,8}", json_value(), 0..4),
        prop::collection::btree_map("[a-z_]{1,8}", "hmac-sha256:[0-9a-f]{64}", 0..2),
        prop::collection::btree_map("[a-z_]{1,8}", json_value(), 0..3),
        prop::collection::btree_set("[a-z]{1,8}", 0..3),
    )
        .prop_map(|(type_name, id, inputs, secret_inputs, outputs, deps)| {
            let protect = id.len() % 2 == 0;
            ResourceRecord {
                type_name,
                id,
                inputs: inputs.into(),
                secret_inputs,
                outputs,
                derived: None,
                secret_outputs: BTreeSet::new(),
                dependencies: deps.into_iter().collect(),
                protect,
            }
        })
}

fn state() -> impl Strategy<Value = State> {
    (
        "[a-f0-9-]{8,36}",
        any::<u32>(),
        prop::collection::btree_map("[a-z\\[\\]\".]{1,12}", record(), 0..6),
        prop::collection::btree_map("[a-z_]{1,8}", json_value(), 0..3),
    )
        .prop_map(
            |(lineage, serial, resources, outputs): (String, u32, BTreeMap<_, _>, _)| State {
                format_version: CURRENT_FORMAT_VERSION,
                lineage,
                serial: serial as u64,
                resources,
                outputs,
            },
        )
}

proptest! {
    #[test]
    fn write_then_read_round_trips(s in state()) {
        let bytes = write_state(&s);
        let back = read_state(&bytes, Path::new("s.json")).unwrap();
        // A loaded state (derived outputs kept unexpanded) is written back byte for byte.
        prop_assert_eq!(write_state(&back), bytes);
        prop_assert_eq!(back, s);
    }

    #[test]
    fn reader_never_panics_on_garbage(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = read_state(&bytes, Path::new("s.json"));
    }

    #[test]
    fn reader_never_panics_on_damaged_state(s in state(), cut in 0usize..2000, flip in any::<u8>()) {
        let mut bytes = write_state(&s);
        let at = cut.min(bytes.len().saturating_sub(1));
        if let Some(b) = bytes.get_mut(at) { *b ^= flip; }
        let _ = read_state(&bytes, Path::new("s.json"));
        bytes.truncate(at);
        let _ = read_state(&bytes, Path::new("s.json"));
    }
}

#[test]
fn errors_name_the_file_and_the_problem() {
    let p = Path::new("/x/prod.state.json");
    let e = read_state(b"{\"format_version\": 2, \"lineage\": 3}", p)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("/x/prod.state.json") && e.contains("lineage"),
        "{e}"
    );
    let e = read_state(b"{\"format_version\": 9}", p)
        .unwrap_err()
        .to_string();
    assert!(e.contains("newer"), "{e}");
    let e = read_state(b"", p).unwrap_err().to_string();
    assert!(e.contains("not JSON"), "{e}");
}

fn refusal(text: &str) -> String {
    let p = Path::new("/x/prod.state.json");
    let e = read_state(text.as_bytes(), p)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_else(|| panic!("accepted: {text}"));
    assert!(e.contains("/x/prod.state.json"), "names the file: {e}");
    assert!(e.contains(".bak"), "says the fix: {e}");
    e
}

#[test]
fn the_reader_is_strict_about_types_keys_serials_and_addresses() {
    let e = refusal(r#"{"format_version":"1","lineage":"l","serial":1}"#);
    assert!(e.contains("format_version must be a number"), "{e}");
    let e = refusal(r#"{"format_version":1,"lineage":"l","serial":1,"serial":0}"#);
    assert!(e.contains("duplicate key `serial`"), "{e}");
    let e = refusal(&format!(
        r#"{{"format_version":1,"lineage":"l","serial":{}}}"#,
        u64::MAX
    ));
    assert!(e.contains("would overflow"), "{e}");
    let ok = format!(r#"{{"format_version":1,"lineage":"l","serial":{MAX_SERIAL}}}"#);
    assert_eq!(
        read_state(ok.as_bytes(), Path::new("s"))
            .map(|s| s.serial)
            .ok(),
        Some(MAX_SERIAL)
    );
    for bad in [r"a\u0000b", r"a\nb", r"a\u001bb"] {
        let e = refusal(&format!(
            r#"{{"format_version":1,"lineage":"l","serial":1,"resources":{{"{bad}":{{"type":"t","id":"i"}}}}}}"#
        ));
        assert!(e.contains("control character"), "{e}");
    }
}

/// A `core.data` record as apply records it: its output repeats its input, `id` its id.
fn data_record(i: usize, deps: &[usize]) -> ResourceRecord {
    let input = serde_json::json!({
        "name": format!("b-bench-{i}"),
        "layer": i / 50,
        "upstream": deps.iter().map(|d| format!("b-bench-{d}")).collect::<Vec<_>>(),
    });
    let id = format!(
        "data-{:016x}",
        (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)
    );
    ResourceRecord {
        type_name: "core.data".into(),
        id: id.clone(),
        inputs: [("input".to_string(), input.clone())].into(),
        secret_inputs: BTreeMap::new(),
        outputs: [
            ("id".to_string(), serde_json::Value::from(id)),
            ("output".to_string(), input),
        ]
        .into(),
        derived: None,
        secret_outputs: BTreeSet::new(),
        dependencies: deps.iter().map(|d| format!("r{d}")).collect(),
        protect: false,
    }
}

fn data_state(n: usize) -> State {
    let mut s = State::new("5f0c2a1e-9b7d-4c3e-a1f2-0d9e8c7b6a54".into());
    s.serial = 7;
    for i in 0..n {
        let deps: Vec<usize> = if i < 50 {
            vec![]
        } else {
            (0..1 + i % 3)
                .map(|k| (i / 50 - 1) * 50 + (i * 7 + k * 13) % 50)
                .collect()
        };
        s.resources.insert(format!("r{i}"), data_record(i, &deps));
    }
    s
}

#[test]
fn each_resource_is_one_line_and_repeated_outputs_are_written_once() {
    let mut s = data_state(3);
    s.outputs.insert("last".into(), "b-bench-2".into());
    let text = String::from_utf8(write_state(&s)).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    // Header, the root outputs (one per line), `"resources":{`, a line per resource, the close.
    assert_eq!(lines.len(), 1 + 3 + 1 + 3 + 1, "{text}");
    assert!(
        lines[0].starts_with(r#"{"format_version":2,"lineage":"#),
        "{text}"
    );
    assert!(
        lines[0].contains(r#""derived_outputs":{"core.data":{"id":"id","output":"inputs.input"}}"#),
        "{text}"
    );
    for i in 0..3 {
        let line = lines
            .iter()
            .find(|l| l.starts_with(&format!("\"r{i}\":")))
            .unwrap();
        assert_eq!(line.matches(&format!("b-bench-{i}\"")).count(), 1, "{line}");
        assert!(!line.contains("\"outputs\""), "{line}");
    }
    assert_eq!(read_state(text.as_bytes(), Path::new("s")).unwrap(), s);
}

#[test]
fn a_loaded_state_keeps_derived_outputs_unexpanded_and_answers_them() {
    let s = data_state(3);
    let bytes = write_state(&s);
    let back = read_state(&bytes, Path::new("s")).unwrap();
    let (r0, r1) = (&back.resources["r0"], &back.resources["r1"]);
    // No second copy of the input: the records of a type share one derivation.
    assert!(r0.outputs.is_empty(), "{r0:?}");
    assert!(std::sync::Arc::ptr_eq(
        r0.derived.as_ref().unwrap(),
        r1.derived.as_ref().unwrap()
    ));
    let want = &s.resources["r0"];
    assert_eq!(r0.output("output").as_deref(), want.inputs.get("input"));
    assert_eq!(
        r0.output("id").as_deref(),
        Some(&serde_json::json!(want.id))
    );
    assert_eq!(r0.output("nope"), None);
    assert_eq!(r0.recorded_outputs(), want.recorded_outputs());
    // What the journal writes of a loaded record holds its outputs in full.
    let journaled: ResourceRecord =
        serde_json::from_str(&serde_json::to_string(r0).unwrap()).unwrap();
    assert!(journaled.derived.is_none());
    assert_eq!(journaled.outputs, want.outputs);
    assert_eq!(write_state(&back), bytes);
}

#[test]
fn five_thousand_resources_take_less_than_a_megabyte() {
    let s = data_state(5_000);
    let bytes = write_state(&s);
    assert!(bytes.len() < 1_000_000, "{} bytes", bytes.len());
    assert_eq!(read_state(&bytes, Path::new("s")).unwrap(), s);
}

#[test]
fn a_record_unlike_the_others_of_its_type_keeps_its_own_outputs() {
    let mut s = data_state(3);
    let odd = s.resources.get_mut("r1").unwrap();
    odd.outputs
        .insert("output".into(), serde_json::json!({"changed": true}));
    odd.outputs.remove("id");
    let text = String::from_utf8(write_state(&s)).unwrap();
    let line = text.lines().find(|l| l.starts_with("\"r1\":")).unwrap();
    assert!(
        line.contains(r#""outputs":{"output":{"changed":true}}"#),
        "{line}"
    );
    assert!(line.contains(r#""derived_outputs":{}"#), "{line}");
    assert_eq!(read_state(text.as_bytes(), Path::new("s")).unwrap(), s);
}

/// A state as format_version 1 wrote it: pretty-printed, every output written out.
const VERSION_1: &str = r#"{
  "format_version": 1,
  "lineage": "5f0c2a1e-9b7d-4c3e-a1f2-0d9e8c7b6a54",
  "serial": 12,
  "resources": {
    "module.app.web": {
      "type": "core.data",
      "id": "data-1f3a9c0e5b7d2468",
      "inputs": {
        "input": {
          "name": "web-frontend-eu"
        }
      },
      "secret_inputs": {
        "password": "hmac-sha256:9c1e"
      },
      "outputs": {
        "id": "data-1f3a9c0e5b7d2468",
        "output": {
          "name": "web-frontend-eu"
        }
      },
      "secret_outputs": [
        "connection_string"
      ],
      "dependencies": [
        "module.app.plan"
      ],
      "protect": true
    }
  },
  "outputs": {
    "url": "https://web.example"
  }
}
"#;

#[test]
fn a_version_1_state_is_read_and_written_back_as_version_2() {
    let s = read_state(VERSION_1.as_bytes(), Path::new("s")).unwrap();
    assert_eq!(s.format_version, CURRENT_FORMAT_VERSION);
    assert_eq!(s.serial, 12);
    let r = &s.resources["module.app.web"];
    assert_eq!(
        r.outputs["output"],
        serde_json::json!({"name": "web-frontend-eu"})
    );
    assert_eq!(r.outputs["id"], "data-1f3a9c0e5b7d2468");
    assert_eq!(r.secret_inputs["password"], "hmac-sha256:9c1e");
    assert!(r.protect && r.secret_outputs.contains("connection_string"));
    assert_eq!(s.outputs["url"], "https://web.example");
    let upgraded = write_state(&s);
    assert!(upgraded.starts_with(b"{\"format_version\":2,"));
    assert!(
        upgraded.len() < VERSION_1.len() * 2 / 3,
        "{}",
        String::from_utf8_lossy(&upgraded)
    );
    assert_eq!(read_state(&upgraded, Path::new("s")).unwrap(), s);
}

#[test]
fn derived_outputs_are_refused_when_they_cannot_be_followed() {
    let head = r#"{"format_version":2,"lineage":"l","serial":1,"#;
    let e = refusal(&format!(
        r#"{head}"resources":{{"a":{{"type":"t","id":"i","derived_outputs":{{"o":"nowhere"}}}}}}}}"#
    ));
    assert!(e.contains("neither `id` nor `inputs.NAME`"), "{e}");
    let e = refusal(&format!(
        r#"{head}"derived_outputs":{{"t":{{"o":"inputs.x"}}}},"resources":{{"a":{{"type":"t","id":"i"}}}}}}"#
    ));
    assert!(e.contains("the input `x`, which it does not have"), "{e}");
    let e = refusal(&format!(
        r#"{head}"resources":{{"a":{{"type":"t","id":"i","outputs":{{"o":1}},"derived_outputs":{{"o":"id"}}}}}}}}"#
    ));
    assert!(e.contains("both written out and derived"), "{e}");
    let e = refusal(
        r#"{"format_version":1,"lineage":"l","serial":1,"derived_outputs":{"t":{"o":"id"}}}"#,
    );
    assert!(e.contains("format_version 2, not 1"), "{e}");
    let e = refusal(&format!(
        r#"{head}"resources":{{"a":{{"type":"t","id":"i","inputs":{{"x":{{"k":1,"k":2}}}}}}}}}}"#
    ));
    assert!(e.contains("resource `a`: duplicate key `k`"), "{e}");
    let e = refusal(&format!(
        r#"{head}"resources":{{"a":{{"type":"t","id":"i"}},"a":{{"type":"t","id":"i"}}}}}}"#
    ));
    assert!(e.contains("duplicate key `a`"), "{e}");
    let e = refusal(&format!(r#"{head}"resources":{{"a":{{"type":"t"}}}}}}"#));
    assert!(e.contains("resource `a`: missing field `id`"), "{e}");
}
