//! The second reference project, `examples/app-service/`: an App Service platform written
//! mostly with typed ARM references. It validates clean, applies on the embedded emulator,
//! plans empty afterwards, and one config change gives exactly one update.

mod common;
use common::*;
use serde_json::Value;

fn ok(o: &std::process::Output) -> String {
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(o), stderr(o));
    stdout(o)
}

fn json_plan(p: &std::path::Path) -> Value {
    let plan = infra(&["plan", ".", "--env", "local", "--format", "json"], p);
    serde_json::from_slice(&plan.stdout)
        .unwrap_or_else(|e| panic!("plan is not JSON ({e}): {}{}", stdout(&plan), stderr(&plan)))
}

fn changes(plan: &Value) -> Vec<(String, String)> {
    plan["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|c| c["action"] != "no-op")
        .map(|c| {
            (
                c["address"].as_str().unwrap_or("").to_string(),
                c["action"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn app_service_platform_validates_applies_and_replans_clean() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    copy_dir(&repo().join("examples/app-service"), p);

    // Every typed reference is known to the data and every body checks clean.
    let v = infra(&["validate", ".", "--env", "local", "--format", "json"], p);
    let report: Value = serde_json::from_slice(&v.stdout).expect("validate JSON");
    assert_eq!(v.status.code(), Some(0), "{report}");
    assert_eq!(
        report["diagnostics"].as_array().map(Vec::len),
        Some(0),
        "{report}"
    );

    let plan = json_plan(p);
    let add = plan["summary"]["add"].as_u64().expect("add");
    assert!(add >= 29, "{plan}");

    let applied = infra(&["apply", ".", "--env", "local", "--auto-approve"], p);
    ok(&applied);
    let said = format!("{}{}", stdout(&applied), stderr(&applied));
    assert!(said.contains(&format!("{add} added")), "{said}");

    // Values the cloud fills in (host names, the app's identity) flowed where they were read.
    let outputs: Value =
        serde_json::from_str(&ok(&infra(&["output", "--env", "local", "--json"], p)))
            .expect("outputs JSON");
    assert_eq!(
        outputs["web_url"]["value"], "https://shop-local-web.azurewebsites.net",
        "{outputs}"
    );
    let static_url = outputs["static_url"]["value"].as_str().unwrap_or("");
    assert!(
        static_url.starts_with("https://shop-local-front-")
            && static_url.ends_with(".azurestaticapps.net"),
        "{outputs}"
    );

    // Apply then plan is empty: nothing the emulator filled in is a change.
    let again = infra(&["plan", ".", "--env", "local", "--detailed-exitcode"], p);
    assert_eq!(
        again.status.code(),
        Some(0),
        "{}{}",
        stdout(&again),
        stderr(&again)
    );

    // One config change (the WAF's rate limit) gives exactly one in-place update.
    let edge = p.join("edge.infra");
    let text = std::fs::read_to_string(&edge).expect("edge.infra");
    assert!(text.contains("rateLimitThreshold         = 100"));
    std::fs::write(
        &edge,
        text.replace(
            "rateLimitThreshold         = 100",
            "rateLimitThreshold         = 250",
        ),
    )
    .expect("write");
    let plan = json_plan(p);
    assert_eq!(
        changes(&plan),
        [("waf".to_string(), "update".to_string())],
        "{plan}"
    );
    ok(&infra(
        &["apply", ".", "--env", "local", "--auto-approve"],
        p,
    ));
    let again = infra(&["plan", ".", "--env", "local", "--detailed-exitcode"], p);
    assert_eq!(
        again.status.code(),
        Some(0),
        "{}{}",
        stdout(&again),
        stderr(&again)
    );
}

#[test]
fn app_service_typos_are_caught_before_any_cloud_call() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    copy_dir(&repo().join("examples/app-service"), p);
    let edge = p.join("edge.infra");
    let text = std::fs::read_to_string(&edge).expect("edge.infra");
    std::fs::write(
        &edge,
        text.replace(
            "rateLimitThreshold         = 100",
            "rateLimitThresold = 100",
        )
        .replace("mode = \"Prevention\"", "mode = \"Prevent\""),
    )
    .expect("write");
    let v = infra(&["validate", ".", "--env", "local", "--format", "json"], p);
    assert_eq!(v.status.code(), Some(1), "{}", stdout(&v));
    let text = stdout(&v);
    assert!(text.contains("rateLimitThresold"), "{text}");
    assert!(
        text.contains("rateLimitThreshold"),
        "the suggestion: {text}"
    );
    // `mode` is an open enum in the data: a warning, not an error.
    assert!(text.contains("Prevent"), "{text}");
    // Nothing was created: validate makes no cloud call and starts no emulator.
    assert!(!p.join(".infra/emulator").exists());
}
