//! The standalone emulator saves every acknowledged write before answering: stopped with
//! SIGTERM right after a burst of PUTs, it comes back with all of them.

mod common;
use common::emulator::Emulator;

const SUB: &str = "11111111-2222-3333-4444-555555555555";

#[test]
fn a_sigterm_right_after_the_answers_loses_no_write() {
    let data = tempfile::tempdir().expect("tempdir");
    let emulator = Emulator::start(&[], data.path());
    for i in 0..20 {
        emulator.send(
            "PUT",
            &format!("/subscriptions/{SUB}/resourcegroups/kept-{i}?api-version=2025-04-01"),
            Some(r#"{"location": "westeurope", "tags": {"n": "x"}}"#),
        );
    }
    emulator.terminate();

    let again = Emulator::start(&[], data.path());
    let listed = again.send(
        "GET",
        &format!("/subscriptions/{SUB}/resourcegroups?api-version=2025-04-01"),
        None,
    );
    let listed: serde_json::Value = serde_json::from_str(&listed).expect("JSON");
    let names: Vec<&str> = listed["value"]
        .as_array()
        .map(|v| v.iter().filter_map(|g| g["name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(names.len(), 20, "{names:?}");
    let last = again.send(
        "GET",
        &format!("/subscriptions/{SUB}/resourcegroups/kept-19?api-version=2025-04-01"),
        None,
    );
    assert!(last.contains("westeurope"), "{last}");
}
