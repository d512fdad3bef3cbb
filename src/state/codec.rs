//! Reading and writing the state file. The reader never panics: whatever the bytes, it returns a
//! state or an error naming the file and what is wrong. `format_version` picks the decoder, so
//! a future version adds a decoder and an upgrade step here rather than breaking old files.

use super::StateError;
use super::model::{ResourceRecord, State};
use super::strict::Strict;
use std::path::Path;

pub const CURRENT_FORMAT_VERSION: u64 = 1;

fn corrupt(path: &Path, message: impl Into<String>) -> StateError {
    StateError::Corrupt {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// Largest serial a state may hold: every JSON reader (2^53 − 1 is exact in a double) reads
/// it exactly, and adding one can never wrap.
pub const MAX_SERIAL: u64 = (1 << 53) - 1;

/// How to get going again after a refusal, added to every reader error.
const FIX: &str = "fix the file by hand, or restore the previous version (`.bak` beside it)";

pub fn read_state(bytes: &[u8], path: &Path) -> Result<State, StateError> {
    let doc = serde_json::from_slice::<Strict>(bytes)
        .map(|s| s.0)
        .map_err(|e| corrupt(path, format!("not JSON: {e}; {FIX}")))?;
    let version = match doc.get("format_version") {
        Some(v) => v.as_u64().ok_or_else(|| {
            corrupt(
                path,
                format!("format_version must be a number (like 1), found {v}; {FIX}"),
            )
        })?,
        None => return Err(corrupt(path, format!("no format_version field; {FIX}"))),
    };
    match version {
        1 => decode_v1(doc, path),
        0 => Err(corrupt(
            path,
            format!("format_version 0 does not exist; {FIX}"),
        )),
        found => Err(StateError::TooNew {
            path: path.to_path_buf(),
            found,
            supported: CURRENT_FORMAT_VERSION,
        }),
    }
}

/// An address as the engine writes it: no control characters (a NUL or a line break would be
/// printed raw by every command that lists the state).
pub fn address_problem(address: &str) -> Option<String> {
    if address.is_empty() {
        return Some("a resource has an empty address".to_string());
    }
    address
        .chars()
        .find(|c| c.is_control())
        .map(|c| format!("the address {address:?} holds the control character {c:?}"))
}

fn decode_v1(doc: serde_json::Value, path: &Path) -> Result<State, StateError> {
    // Field by field, so that the error names the part of the file that is wrong.
    let lineage = match doc.get("lineage") {
        Some(serde_json::Value::String(s)) if !s.trim().is_empty() => s.clone(),
        Some(serde_json::Value::String(_)) => return Err(corrupt(path, "lineage is empty")),
        _ => {
            return Err(corrupt(
                path,
                format!("lineage is missing or not a string; {FIX}"),
            ));
        }
    };
    let serial = doc
        .get("serial")
        .and_then(serde_json::Value::as_u64)
        .ok_or_else(|| {
            corrupt(
                path,
                format!("serial is missing or not a non-negative integer; {FIX}"),
            )
        })?;
    if serial > MAX_SERIAL {
        return Err(corrupt(
            path,
            format!(
                "serial {serial} is above the largest allowed ({MAX_SERIAL}) and would overflow \
                 at the next save; {FIX}"
            ),
        ));
    }
    let resources = match doc.get("resources") {
        Some(serde_json::Value::Object(map)) => map,
        None => &serde_json::Map::new(),
        Some(_) => return Err(corrupt(path, "resources is not an object")),
    };
    let mut state = State::new(lineage);
    state.serial = serial;
    match doc.get("outputs") {
        None => {}
        Some(serde_json::Value::Object(map)) => {
            state.outputs = map.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        }
        Some(_) => return Err(corrupt(path, format!("outputs is not an object; {FIX}"))),
    }
    for (address, r) in resources {
        if let Some(problem) = address_problem(address) {
            return Err(corrupt(path, format!("{problem}; {FIX}")));
        }
        let record: ResourceRecord = serde_json::from_value(r.clone())
            .map_err(|e| corrupt(path, format!("resource `{address}`: {e}")))?;
        if record.type_name.is_empty() {
            return Err(corrupt(path, format!("resource `{address}` has no type")));
        }
        state.resources.insert(address.clone(), record);
    }
    Ok(state)
}

/// Pretty-printed so that `git diff` and humans can read it; keys in a stable order.
pub fn write_state(state: &State) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(state).unwrap_or_else(|_| b"{}".to_vec());
    out.push(b'\n');
    out
}

#[cfg(test)]
mod tests {
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
                    inputs,
                    secret_inputs,
                    outputs,
                    secret_outputs: BTreeSet::new(),
                    dependencies: deps,
                    protect,
                }
            })
    }

    fn state() -> impl Strategy<Value = State> {
        (
            "[a-f0-9-]{8,36}",
            any::<u32>(),
            prop::collection::btree_map("[a-z\\[\\]\".]{1,12}", record(), 0..6),
        )
            .prop_map(
                |(lineage, serial, resources): (String, u32, BTreeMap<_, _>)| State {
                    format_version: 1,
                    lineage,
                    serial: serial as u64,
                    resources,
                    outputs: BTreeMap::new(),
                },
            )
    }

    proptest! {
        #[test]
        fn write_then_read_round_trips(s in state()) {
            let bytes = write_state(&s);
            let back = read_state(&bytes, Path::new("s.json")).unwrap();
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
        let e = read_state(b"{\"format_version\": 1, \"lineage\": 3}", p)
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
}
