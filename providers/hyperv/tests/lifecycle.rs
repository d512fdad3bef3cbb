//! The provider against the emulated host, in both enum encodings: apply, an empty re-plan,
//! memory changed on a running VM (stop, change, start), a generation change (replace), drift
//! made on the host, and destroy.

mod support;
use infra_provider_core::{Provider, Value};
use serde_json::json;
use support::*;

async fn lifecycle(enums: &str) {
    let host = EmulatedHost::new(enums);
    let p = host.provider();

    let sw_in = props(json!({ "name": "infra-test", "type": "internal" }));
    let sw = create(&p, "hyperv.switch", &sw_in).await;
    assert_eq!(sw.id, "infra-test");
    assert_eq!(host.read()["switches"][0]["SwitchType"], "Internal");

    let disk_path = "D:\\VMs\\web\\OS.vhdx";
    let vhd_in = props(json!({ "path": disk_path, "parent": BASE_IMAGE }));
    let vhd = create(&p, "hyperv.vhd", &vhd_in).await;
    assert_eq!(vhd.inputs["type"], Value::str("differencing"));
    // The host stores the path in another case; the recorded input keeps the user's spelling.
    assert_eq!(host.read()["vhds"][1]["Path"], disk_path.to_lowercase());
    assert_eq!(vhd.inputs["path"], Value::str(disk_path));
    assert_eq!(vhd.outputs["format"], Value::str("VHDX"));

    let vm_in = props(json!({
        "name": "web",
        "memory_mb": 2048,
        "processor_count": 2,
        "disks": [disk_path],
        "network_adapters": [{ "switch": "infra-test" }],
        "secure_boot_template": "MicrosoftUEFICertificateAuthority",
        "user_data": "#cloud-config\npackages: [docker.io]\n",
    }));
    let vm = create(&p, "hyperv.vm", &vm_in).await;
    let live = host.vm("web");
    assert_eq!(live["State"], "Running");
    assert_eq!(live["MemoryStartup"], 2048i64 << 20);
    assert_eq!(live["HardDrives"][0]["ControllerType"], "SCSI");
    assert!(
        live["DvdDrives"][0]["Path"]
            .as_str()
            .unwrap_or_default()
            .ends_with("-cidata.iso")
    );
    assert!(matches!(&vm.outputs["ip_address"], Value::String(ip) if ip.starts_with("192.168.")));
    let iso_key = live["DvdDrives"][0]["Path"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        host.read()["files"][&iso_key].is_string(),
        "the seed ISO is on the host"
    );

    // Plan again: no change for any of the three.
    for (ty, obj, desired) in [
        ("hyperv.switch", &sw, &sw_in),
        ("hyperv.vhd", &vhd, &vhd_in),
        ("hyperv.vm", &vm, &vm_in),
    ] {
        let fresh = refresh(&p, ty, obj).await.expect("still there");
        let planned = plan(&p, ty, desired, Some(&fresh));
        assert_eq!(
            changed(&planned, &fresh),
            Vec::<String>::new(),
            "{ty} ({enums})"
        );
    }

    // Memory on a running VM: planned as stop, change, start; the host refuses the change
    // while running, so the update only succeeds if the provider stopped it first.
    let mut bigger = vm_in.clone();
    bigger.insert("memory_mb".into(), Value::Int(4096));
    let fresh = refresh(&p, "hyperv.vm", &vm).await.expect("vm");
    let planned = plan(&p, "hyperv.vm", &bigger, Some(&fresh));
    assert_eq!(changed(&planned, &fresh), ["memory_mb", "restart"]);
    let Value::String(reason) = &planned.inputs["restart"] else {
        panic!("no restart reason")
    };
    assert!(
        reason.starts_with(
            "stop, change memory_mb, start: Hyper-V changes these only while the VM is off"
        ),
        "{reason}"
    );
    assert!(planned.replace_on_change.contains("generation"));
    let vm = update(&p, "hyperv.vm", &fresh, &planned).await;
    assert!(
        !vm.inputs.contains_key("restart"),
        "the reason is never recorded"
    );
    assert_eq!(host.vm("web")["MemoryStartup"], 4096i64 << 20);
    assert_eq!(host.vm("web")["State"], "Running");

    // Generation: create-only, so a replacement.
    let mut gen1 = bigger.clone();
    gen1.insert("generation".into(), Value::Int(1));
    let planned = plan(&p, "hyperv.vm", &gen1, Some(&vm));
    assert!(changed(&planned, &vm).contains(&"generation".to_string()));
    assert!(planned.replace_on_change.contains("generation"));

    // Drift: stopped behind infra's back.
    host.edit(|doc| doc["vms"][0]["State"] = json!("Off"));
    let fresh = refresh(&p, "hyperv.vm", &vm).await.expect("vm");
    assert_eq!(fresh.inputs["state"], Value::str("off"));
    let planned = plan(&p, "hyperv.vm", &bigger, Some(&fresh));
    assert_eq!(
        changed(&planned, &fresh),
        ["state"],
        "starting needs no restart"
    );
    let vm = update(&p, "hyperv.vm", &fresh, &planned).await;
    assert_eq!(host.vm("web")["State"], "Running");

    // Drift: memory changed behind infra's back while running.
    host.edit(|doc| doc["vms"][0]["MemoryStartup"] = json!(1024i64 << 20));
    let fresh = refresh(&p, "hyperv.vm", &vm).await.expect("vm");
    assert_eq!(fresh.inputs["memory_mb"], Value::Int(1024));
    let planned = plan(&p, "hyperv.vm", &bigger, Some(&fresh));
    assert_eq!(changed(&planned, &fresh), ["memory_mb", "restart"]);
    let vm = update(&p, "hyperv.vm", &fresh, &planned).await;
    assert_eq!(host.vm("web")["MemoryStartup"], 4096i64 << 20);

    // The seed ejected behind infra's back shows as drift of user_data.
    host.edit(|doc| doc["vms"][0]["DvdDrives"] = json!([]));
    let fresh = refresh(&p, "hyperv.vm", &vm).await.expect("vm");
    let planned = plan(&p, "hyperv.vm", &bigger, Some(&fresh));
    assert!(changed(&planned, &fresh).contains(&"user_data".to_string()));
    let vm = update(&p, "hyperv.vm", &fresh, &planned).await;
    assert_eq!(
        host.vm("web")["DvdDrives"].as_array().map(Vec::len),
        Some(1)
    );

    // Destroy, in the engine's order; deleting again is a success.
    p.delete("hyperv.vm", &vm, &ctx()).await.expect("delete vm");
    p.delete("hyperv.vhd", &vhd, &ctx())
        .await
        .expect("delete vhd");
    p.delete("hyperv.switch", &sw, &ctx())
        .await
        .expect("delete switch");
    p.delete("hyperv.vm", &vm, &ctx())
        .await
        .expect("delete again");
    let doc = host.read();
    assert_eq!(doc["vms"], json!([]));
    assert_eq!(doc["switches"], json!([]));
    assert_eq!(
        doc["vhds"].as_array().map(Vec::len),
        Some(1),
        "only the base image is left"
    );
    assert_eq!(doc["files"], json!({}), "the seed ISO went with its VM");
    assert!(refresh(&p, "hyperv.vm", &vm).await.is_none());
}

#[tokio::test]
async fn lifecycle_with_enums_as_numbers() {
    lifecycle("ints").await;
}

#[tokio::test]
async fn lifecycle_with_enums_as_names() {
    lifecycle("strings").await;
}

/// A create repeated after a crash (same idempotency key) finds the VM it made; any other
/// object of that name is refused with the import command.
#[tokio::test]
async fn a_create_takes_over_only_what_it_made() {
    let host = EmulatedHost::new("ints");
    let p = host.provider();
    let vm_in = props(json!({ "name": "taken", "state": "off", "notes": "mine" }));
    let first = create(&p, "hyperv.vm", &vm_in).await;
    assert_eq!(
        first.inputs["notes"],
        Value::str("mine"),
        "the mark is not an input"
    );
    assert_eq!(host.vm("taken")["Notes"], "mine\ninfra-create: k");
    let planned = plan(&p, "hyperv.vm", &vm_in, None);
    let create_with = |key: &'static str| {
        let inputs = planned.inputs.clone();
        let p = &p;
        async move {
            let req = infra_provider_core::CreateRequest {
                type_name: "hyperv.vm",
                inputs: &inputs,
                idempotency_key: key,
            };
            p.create(req, &ctx()).await
        }
    };
    let again = create_with("k").await.expect("the same create converges");
    assert_eq!(again.inputs, first.inputs);
    assert_eq!(host.read()["vms"].as_array().map(Vec::len), Some(1));
    let err = create_with("other").await.expect_err("refused");
    assert!(err.to_string().contains("infra import"), "{err}");
    let imported = p
        .import("hyperv.vm", "taken", &ctx())
        .await
        .expect("import")
        .expect("found");
    assert_eq!(imported.inputs["state"], Value::str("off"));

    // A disk has no notes: taken over only when it is exactly what the create would make.
    let disk = props(json!({ "path": "D:\\d.vhdx", "parent": BASE_IMAGE }));
    create(&p, "hyperv.vhd", &disk).await;
    create(&p, "hyperv.vhd", &disk).await;
    let other = props(json!({ "path": "D:\\d.vhdx", "size_gb": 10 }));
    let planned = plan(&p, "hyperv.vhd", &other, None);
    let req = infra_provider_core::CreateRequest {
        type_name: "hyperv.vhd",
        inputs: &planned.inputs,
        idempotency_key: "k",
    };
    assert!(
        p.create(req, &ctx()).await.is_err(),
        "a different disk is refused"
    );
}

/// A guest rebooting passes through Stopping/Starting: reads wait for it to settle instead of
/// reporting drift.
#[tokio::test]
async fn a_transitional_state_is_waited_out() {
    let host = EmulatedHost::new("strings");
    let p = host.provider();
    let vm = create(&p, "hyperv.vm", &props(json!({ "name": "reboots" }))).await;
    host.edit(|d| d["vms"][0]["Transient"] = json!({ "State": "Stopping", "Reads": 2 }));
    let fresh = refresh(&p, "hyperv.vm", &vm).await.expect("vm");
    assert_eq!(fresh.inputs["state"], Value::str("running"));
    assert_eq!(
        host.vm("reboots")["Transient"]["Reads"],
        0,
        "it read until the state settled"
    );
}

/// Critical states are numbered differently by Hyper-V module versions: never a wrong name,
/// and a VM in one is not touched.
#[tokio::test]
async fn critical_states_read_as_critical_in_every_numbering() {
    for enums in ["ints", "ints-legacy", "strings"] {
        let host = EmulatedHost::new(enums);
        let p = host.provider();
        let vm = create(&p, "hyperv.vm", &props(json!({ "name": "sick" }))).await;
        host.edit(|d| d["vms"][0]["State"] = json!("OffCritical"));
        let fresh = refresh(&p, "hyperv.vm", &vm).await.expect("vm");
        assert_eq!(fresh.inputs["state"], Value::str("critical"), "{enums}");
        let planned = plan(
            &p,
            "hyperv.vm",
            &props(json!({ "name": "sick" })),
            Some(&fresh),
        );
        assert_eq!(changed(&planned, &fresh), ["state"]);
        let err = p
            .update(
                infra_provider_core::UpdateRequest {
                    type_name: "hyperv.vm",
                    prior: &fresh,
                    inputs: &planned.inputs,
                },
                &ctx(),
            )
            .await
            .expect_err("not touched");
        assert!(err.to_string().contains("critical state"), "{err}");
        assert_eq!(host.vm("sick")["State"], "OffCritical");
    }
}
