//! The emulated host answers with the property names and JSON types of real Hyper-V output:
//! every object a script returns is checked against captured `ConvertTo-Json` samples
//! (tests/fixtures, from FINDINGS.md's samples/), in both enum encodings.

mod support;
use infra_provider_core::Cancel;
use infra_provider_hyperv::scripts::Script;
use serde_json::{Value as Json, json};
use support::*;

fn sample(name: &str) -> Json {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).expect("sample")).expect("json")
}

/// Properties the samples lack for a stated reason.
const NOT_IN_SAMPLES: [&str; 2] = [
    // Module 2.0.0.0 has it; the captured firmware object is from an older host (FINDINGS §2.5).
    "SecureBootTemplate",
    // Module 2.0.0.0 has it; absent from the 2017 capture (FINDINGS §3.1).
    "CheckpointType",
];

fn kind(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "bool",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

/// Every property of `got` is in `sample`, with the same JSON type (null matches anything
/// nullable; enums are names when `strings`).
fn same_shape(what: &str, got: &Json, sample: &Json, enums: &[&str], strings: bool) {
    let Some(obj) = got.as_object() else {
        panic!("{what}: not an object: {got}")
    };
    for (k, v) in obj {
        if NOT_IN_SAMPLES.contains(&k.as_str()) {
            continue;
        }
        let Some(s) = sample.get(k) else {
            panic!("{what}: `{k}` is not a property real Hyper-V writes")
        };
        if enums.contains(&k.as_str()) {
            let want = if strings { "string" } else { "number" };
            assert_eq!(kind(v), want, "{what}.{k} = {v}");
            continue;
        }
        // Collapsed or empty lists come as "" at the sample's depth; ours are deeper.
        let ok = kind(v) == kind(s)
            || v.is_null()
            || s.is_null()
            || (v.is_array() && s.as_str() == Some(""));
        assert!(
            ok,
            "{what}.{k}: {} here, {} in the sample ({v} vs {s})",
            kind(v),
            kind(s)
        );
    }
}

async fn check(enums: &str) {
    let host = EmulatedHost::new(enums);
    let p = host.provider();
    let strings = enums == "strings";
    create(&p, "hyperv.switch", &props(json!({ "name": "sw" }))).await;
    create(
        &p,
        "hyperv.vhd",
        &props(json!({ "path": "D:\\VMs\\a.vhdx", "parent": BASE_IMAGE })),
    )
    .await;
    create(
        &p,
        "hyperv.vm",
        &props(json!({
            "name": "a", "disks": ["D:\\VMs\\a.vhdx"], "network_adapters": [{ "switch": "sw" }],
            "user_data": "#cloud-config\n",
        })),
    )
    .await;
    let shell = host.shell();
    let run = |s: Script, a: Json| {
        let shell = shell.clone();
        async move { shell.run(s, &a, &Cancel::never()).await.expect("script") }
    };
    let sw = run(Script::SwitchGet, json!({ "name": "sw" })).await;
    same_shape(
        "Get-VMSwitch",
        &sw,
        &sample("get-vmswitch.fog-mock.json"),
        &["SwitchType"],
        strings,
    );
    let vhd = run(Script::VhdGet, json!({ "path": "D:\\VMs\\a.vhdx" })).await;
    same_shape(
        "Get-VHD",
        &vhd,
        &sample("get-vhd.fog-mock.json"),
        &["VhdFormat", "VhdType"],
        strings,
    );
    let view = run(Script::VmGet, json!({ "name": "a" })).await;
    same_shape(
        "Get-VM",
        &view["VM"],
        &sample("get-vm.fog-mock.depth2.json"),
        &[
            "State",
            "AutomaticStartAction",
            "AutomaticStopAction",
            "CheckpointType",
        ],
        strings,
    );
    assert_eq!(
        view["VM"]["State"],
        if strings { json!("Running") } else { json!(2) }
    );
    same_shape(
        "Get-VMFirmware",
        &view["Firmware"],
        &sample("get-vmfirmware.fog-mock.json"),
        &["SecureBoot"],
        strings,
    );
    same_shape(
        "Get-VMHardDiskDrive",
        &view["HardDrives"][0],
        &sample("get-vmharddiskdrive.fog-mock.json"),
        &["ControllerType"],
        strings,
    );
    same_shape(
        "Get-VMNetworkAdapter",
        &view["NetworkAdapters"][0],
        &sample("get-vmnetworkadapter.fog-mock.json"),
        &[],
        strings,
    );
    same_shape(
        "Get-VMDvdDrive",
        &view["DvdDrives"][0],
        &sample("get-vmdvddrive.fog-mock.json"),
        &["ControllerType", "DvdMediaType"],
        strings,
    );
    // GUIDs lower case, MACs 12 upper-case hex digits with Hyper-V's prefix (FINDINGS §1.3).
    let id = view["VM"]["Id"].as_str().unwrap_or_default();
    assert_eq!(id, id.to_lowercase());
    let mac = view["NetworkAdapters"][0]["MacAddress"]
        .as_str()
        .unwrap_or_default();
    assert!(mac.len() == 12 && mac.starts_with("00155D"), "{mac}");

    // A missing VM: the record of FINDINGS §5.1, with its category and id.
    let err = shell
        .run(
            Script::VmPower,
            &json!({ "name": "nope", "state": "running" }),
            &Cancel::never(),
        )
        .await
        .expect_err("missing");
    let infra_provider_hyperv::error::HvError::Ps(rec) = err else {
        panic!("{err}")
    };
    assert_eq!(
        rec.message,
        "Hyper-V was unable to find a virtual machine with name \"nope\"."
    );
    assert_eq!(rec.category, "InvalidArgument");
    assert_eq!(
        rec.fully_qualified_error_id,
        "InvalidParameter,Microsoft.HyperV.PowerShell.Commands.GetVM"
    );

    // Memory on a running VM: the InvalidState record of FINDINGS §4.
    let mut args = infra_provider_hyperv::types::vm::args(
        &props(json!({ "name": "a", "generation": 2, "processor_count": 1, "memory_mb": 4096,
            "dynamic_memory": false, "checkpoint_type": "Production", "automatic_start_action": "StartIfRunning",
            "automatic_stop_action": "Save", "state": "running", "secure_boot": true,
            "secure_boot_template": "MicrosoftWindows", "disks": ["D:\\VMs\\a.vhdx"],
            "network_adapters": [{ "name": "Network Adapter", "switch": "sw" }] })),
        None,
    )
    .expect("args");
    args["notes"] = json!("");
    let err = shell
        .run(Script::VmSet, &args, &Cancel::never())
        .await
        .expect_err("running");
    let infra_provider_hyperv::error::HvError::Ps(rec) = err else {
        panic!("{err}")
    };
    assert_eq!(rec.category, "InvalidOperation");
    assert_eq!(
        rec.fully_qualified_error_id,
        "InvalidState,Microsoft.HyperV.PowerShell.Commands.SetVMMemory"
    );
    assert!(rec.message.starts_with("Failed to modify device 'Memory'.\n'a' failed to modify device 'Memory'. (Virtual machine ID "), "{}", rec.message);
}

#[tokio::test]
async fn shapes_match_real_output_with_numbers() {
    check("ints").await;
}

#[tokio::test]
async fn shapes_match_real_output_with_names() {
    check("strings").await;
}
