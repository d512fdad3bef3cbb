//! The transport: hostile names stay data end to end, PowerShell's printed error records are
//! read, and a run is bounded (timeout) and stoppable (cancel), killing the child.

mod support;
use infra_provider_core::{Cancel, Provider, Value};
use infra_provider_hyperv::Shell;
use infra_provider_hyperv::error::HvError;
use infra_provider_hyperv::scripts::Script;
use serde_json::json;
use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};
use support::*;

const HOSTILE: [&str; 7] = [
    "it's \"quoted\"",
    "$(Remove-VM -Name * -Force)",
    "back`tick`n `$env:PATH",
    "with spaces  and\ttab",
    "line1\nline2",
    "'@\n$x = 1\n@'",
    "; exit 0 #",
];

#[tokio::test]
async fn hostile_names_are_only_data() {
    let host = EmulatedHost::new("strings");
    let p = host.provider();
    for name in HOSTILE {
        let sw = create(
            &p,
            "hyperv.switch",
            &props(json!({ "name": name, "notes": name })),
        )
        .await;
        let vm = create(
            &p,
            "hyperv.vm",
            &props(json!({
                "name": name, "state": "off", "notes": name,
                "network_adapters": [{ "switch": name, "name": name }],
            })),
        )
        .await;
        let doc = host.read();
        assert_eq!(doc["switches"][0]["Name"], name);
        assert_eq!(doc["vms"][0]["Name"], name);
        assert_eq!(doc["vms"][0]["NetworkAdapters"][0]["SwitchName"], name);
        let fresh = refresh(&p, "hyperv.vm", &vm).await.expect("read back");
        assert_eq!(fresh.inputs["name"], Value::str(name));
        assert_eq!(fresh.inputs["notes"], Value::str(name));
        p.delete("hyperv.vm", &vm, &ctx()).await.expect("delete vm");
        p.delete("hyperv.switch", &sw, &ctx())
            .await
            .expect("delete switch");
        let doc = host.read();
        assert_eq!(doc["vms"], json!([]), "{name:?}");
        assert_eq!(doc["switches"], json!([]), "{name:?}");
    }
}

fn script(dir: &std::path::Path, name: &str, body: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).expect("write");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    path.to_string_lossy().into_owned()
}

#[tokio::test]
async fn a_printed_error_record_keeps_its_category_and_id() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sample = format!(
        "{}/tests/fixtures/error-get-vm-notfound.stderr.txt",
        env!("CARGO_MANIFEST_DIR")
    );
    let prog = script(
        dir.path(),
        "pwsh",
        &format!("cat >/dev/null; cat '{sample}' >&2; exit 1"),
    );
    let err = Shell::local(&prog)
        .run(
            Script::VmGet,
            &json!({ "name": "minikube" }),
            &Cancel::never(),
        )
        .await
        .expect_err("error");
    let HvError::Ps(rec) = &err else {
        panic!("{err}")
    };
    assert_eq!(rec.category, "InvalidArgument");
    assert_eq!(
        rec.fully_qualified_error_id,
        "InvalidParameter,Microsoft.HyperV.PowerShell.Commands.GetVM"
    );
    let provider_error = infra_provider_core::ProviderError::from(err.clone());
    let text = provider_error.to_string();
    assert!(text.starts_with("InvalidParameter,Microsoft.HyperV.PowerShell.Commands.GetVM: Hyper-V was unable to find"), "{text}");
    assert!(text.contains("(CategoryInfo: InvalidArgument)"), "{text}");
}

fn alive(pid: &str) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
        && !std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .unwrap_or_default()
            .contains(") Z ")
}

#[tokio::test]
async fn cancel_and_timeout_kill_the_child() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pid_file = dir.path().join("pid");
    let prog = script(
        dir.path(),
        "pwsh",
        &format!("echo $$ > '{}'; exec sleep 60", pid_file.display()),
    );

    let (handle, token) = Cancel::new();
    let shell = Shell::local(&prog);
    let started = Instant::now();
    let run = tokio::spawn(async move {
        shell
            .run(Script::VmGet, &json!({ "name": "x" }), &token)
            .await
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    handle.cancel();
    let r = run.await.expect("join");
    assert!(matches!(r, Err(HvError::Cancelled)), "{r:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    let pid = std::fs::read_to_string(&pid_file)
        .expect("pid")
        .trim()
        .to_string();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!alive(&pid), "the child {pid} still runs after cancel");

    let mut shell = Shell::local(&prog);
    shell.timeout = Duration::from_secs(1);
    let started = Instant::now();
    let r = shell
        .run(Script::VmGet, &json!({ "name": "x" }), &Cancel::never())
        .await;
    assert!(matches!(r, Err(HvError::Timeout(1))), "{r:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    let pid = std::fs::read_to_string(&pid_file)
        .expect("pid")
        .trim()
        .to_string();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!alive(&pid), "the child {pid} still runs after the timeout");

    let missing = Shell::local("/nonexistent/pwsh")
        .run(Script::VmGet, &json!({}), &Cancel::never())
        .await;
    assert!(matches!(missing, Err(HvError::Spawn { .. })), "{missing:?}");
}
