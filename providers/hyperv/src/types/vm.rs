//! `hyperv.vm`: a virtual machine (`New-VM`, `Set-VM`, `Set-VMProcessor`, `Set-VMMemory`,
//! `Set-VMFirmware`, `Add-/Remove-VMHardDiskDrive`, `Add-/Remove-/Connect-/Set-VMNetworkAdapter`,
//! `Add-/Set-/Remove-VMDvdDrive`, `Start-VM`, `Stop-VM`, `Remove-VM`). Its id is its name.
//!
//! Settings Hyper-V changes only while the VM is off are planned as stop, change, start: the
//! plan carries a `restart` input saying so, which is never recorded.

use crate::enums::{CHECKPOINT_TYPE, ON_OFF, START_ACTION, STOP_ACTION, VM_STATE};
use crate::props::{self, invalid};
use infra_provider_core::{
    Field, PropertySchema, Props, ProviderResult, ResourceSchema, Type, Value,
};
use serde_json::{Value as Json, json};

pub const TYPE: &str = "hyperv.vm";
const MIB: i64 = 1 << 20;

/// Inputs a running VM cannot take (FINDINGS §4: memory and processor are refused with
/// InvalidState; firmware, drives and adapters the provider changes only while off, as the
/// other providers do).
pub const OFF_ONLY: [&str; 9] = [
    "processor_count",
    "memory_mb",
    "dynamic_memory",
    "memory_min_mb",
    "memory_max_mb",
    "secure_boot",
    "secure_boot_template",
    "disks",
    "network_adapters",
];

/// Power states a VM passes through on its own (lower case, as `state` reads them).
pub const TRANSITIONAL: [&str; 10] = [
    "starting",
    "stopping",
    "saving",
    "pausing",
    "resuming",
    "reset",
    "fastsaving",
    "forceshutdown",
    "forcereboot",
    "other",
];

fn adapter_type() -> Type {
    Type::Object(vec![
        Field::required("switch", Type::String),
        Field::optional("name", Type::String),
        Field::optional("mac", Type::String),
    ])
}

pub fn schema() -> ResourceSchema {
    let s = |t: Type| PropertySchema::input(t);
    ResourceSchema::new(TYPE, "A Hyper-V virtual machine.")
        .prop("name", s(Type::String).required().create_only().doc("The VM name; also its id."))
        .prop("generation", s(Type::Int).create_only().doc("1 (BIOS) or 2 (UEFI, the default). Fixed at creation: a change replaces the VM."))
        .prop("processor_count", s(Type::Int).doc("Virtual processors; default 1. Changed while the VM is off."))
        .prop("memory_mb", s(Type::Int).doc("Startup memory in MiB; default 1024. Changed while the VM is off."))
        .prop("dynamic_memory", s(Type::Bool).doc("Dynamic memory between `memory_min_mb` and `memory_max_mb`; default false."))
        .prop("memory_min_mb", s(Type::Int).doc("Dynamic memory minimum, MiB; default 512."))
        .prop("memory_max_mb", s(Type::Int).doc("Dynamic memory maximum, MiB; default 1048576."))
        .prop("disks", s(Type::list(Type::String)).doc("VHD paths (or `hyperv.vhd` references) in controller order; the first is the boot disk."))
        .prop("network_adapters", s(Type::list(adapter_type())).doc("`{ switch, name, mac }`: adapters on switches (names or `hyperv.switch` references); `mac` makes the address static (12 hex digits, separators allowed)."))
        .prop("secure_boot", s(Type::Bool).doc("Generation 2 only; default true."))
        .prop("secure_boot_template", s(Type::String).doc("`MicrosoftWindows` (default) or `MicrosoftUEFICertificateAuthority` (Linux guests such as Ubuntu)."))
        .prop("checkpoint_type", s(Type::enumeration(&CHECKPOINT_TYPE.names())).doc("Default `Production`."))
        .prop("automatic_start_action", s(Type::enumeration(&START_ACTION.names())).doc("What the VM does when the host starts; default `StartIfRunning`."))
        .prop("automatic_stop_action", s(Type::enumeration(&STOP_ACTION.names())).doc("What the VM does when the host stops; default `Save`."))
        .prop("notes", s(Type::String).doc("Free text kept on the VM."))
        .prop("state", s(Type::enumeration(&["running", "off"])).doc("Desired power state; default `running`. A VM found in another state is drift."))
        .prop("user_data", s(Type::String).secret().doc("cloud-init user data: written with meta-data to a NoCloud seed ISO (volume `cidata`) attached as a DVD. A secret property (it often carries passwords): plans show `(secret)` and state keeps a fingerprint."))
        .prop("hostname", s(Type::String).doc("The seed's `local-hostname`; default the VM name."))
        .prop("network_config", s(Type::String).doc("An optional cloud-init `network-config` for the seed."))
        .prop("ip_wait_seconds", s(Type::Int).doc("How long apply waits for a running VM to report an IPv4 address; default 0."))
        .prop("restart", s(Type::String).doc("Set by the plan, not by you: why the VM is stopped and started again."))
        .prop("vm_id", PropertySchema::output(Type::String).doc("The VM's GUID."))
        .prop("path", PropertySchema::output(Type::String).doc("Where Hyper-V keeps the VM's configuration."))
        .prop("ip_address", PropertySchema::output(Type::String).doc("The first IPv4 address the guest reports, if any."))
        .prop("id", PropertySchema::output(Type::String).doc("The VM name: what a reference to the VM stands for."))
}

fn mac(s: &str) -> ProviderResult<String> {
    let hex: String = s
        .chars()
        .filter(|c| !matches!(c, ':' | '-' | '.'))
        .collect();
    if hex.len() != 12 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(invalid(format!(
            "`{s}` is not a MAC address (12 hex digits)"
        )));
    }
    Ok(hex.to_ascii_uppercase())
}

fn adapter_name(i: usize) -> String {
    if i == 0 {
        "Network Adapter".into()
    } else {
        format!("Network Adapter {}", i + 1)
    }
}

pub fn normalize(inputs: &mut Props) -> ProviderResult<()> {
    inputs.remove("restart");
    props::default(inputs, "generation", Value::Int(2));
    props::default(inputs, "processor_count", Value::Int(1));
    props::default(inputs, "memory_mb", Value::Int(1024));
    props::default(inputs, "dynamic_memory", Value::Bool(false));
    props::default(inputs, "disks", Value::List(Vec::new()));
    props::default(inputs, "network_adapters", Value::List(Vec::new()));
    props::default(inputs, "checkpoint_type", Value::str("Production"));
    props::default(
        inputs,
        "automatic_start_action",
        Value::str("StartIfRunning"),
    );
    props::default(inputs, "automatic_stop_action", Value::str("Save"));
    props::default(inputs, "notes", Value::str(""));
    props::default(inputs, "state", Value::str("running"));
    props::default(inputs, "ip_wait_seconds", Value::Int(0));
    let generation = props::opt_int(inputs, "generation")?;
    if let Some(g) = generation
        && g != 1
        && g != 2
    {
        return Err(invalid(format!("generation must be 1 or 2, not {g}")));
    }
    if props::opt_bool(inputs, "dynamic_memory")? == Some(true) {
        props::default(inputs, "memory_min_mb", Value::Int(512));
        props::default(inputs, "memory_max_mb", Value::Int(1 << 20));
    } else {
        inputs.remove("memory_min_mb");
        inputs.remove("memory_max_mb");
    }
    if generation == Some(2) {
        props::default(inputs, "secure_boot", Value::Bool(true));
        if props::opt_bool(inputs, "secure_boot")? == Some(true) {
            props::default(
                inputs,
                "secure_boot_template",
                Value::str("MicrosoftWindows"),
            );
        } else {
            inputs.remove("secure_boot_template");
        }
    } else if generation == Some(1) {
        if props::opt_bool(inputs, "secure_boot")? == Some(true) {
            return Err(invalid("secure boot needs generation 2"));
        }
        inputs.remove("secure_boot");
        inputs.remove("secure_boot_template");
    }
    if let Some(Value::List(items)) = inputs.get_mut("network_adapters") {
        for (i, item) in items.iter_mut().enumerate() {
            if let Value::Object(o) = item {
                if matches!(o.get("name"), None | Some(Value::Null)) {
                    o.insert("name".into(), Value::str(adapter_name(i)));
                }
                match o.get("mac").cloned() {
                    Some(Value::String(m)) => {
                        o.insert("mac".into(), Value::str(mac(&m)?));
                    }
                    Some(Value::Null) => {
                        o.remove("mac");
                    }
                    _ => {}
                }
            }
        }
    }
    if props::opt_str(inputs, "user_data")?.is_some() {
        if let Some(n) = props::opt_str(inputs, "name")? {
            props::default(inputs, "hostname", Value::str(n));
        }
    } else {
        inputs.remove("hostname");
        inputs.remove("network_config");
    }
    Ok(())
}

/// Why a running VM must stop for this change, or `None`.
pub fn restart_reason(desired: &Props, prior: &Props) -> Option<String> {
    let on = |p: &Props| props::opt_str(p, "state").ok().flatten().as_deref() == Some("running");
    if !on(prior) || !on(desired) {
        return None;
    }
    let changed: Vec<&str> = OFF_ONLY
        .iter()
        .copied()
        .filter(|k| desired.get(k) != prior.get(k))
        .collect();
    (!changed.is_empty()).then(|| {
        format!(
            "stop, change {}, start: Hyper-V changes these only while the VM is off",
            changed.join(", ")
        )
    })
}

/// The arguments of `vm.create` and `vm.set`; `seed` is the seed ISO, if any.
pub fn args(inputs: &Props, seed: Option<&[u8]>) -> ProviderResult<Json> {
    use base64::Engine;
    let int = |k: &str| props::opt_int(inputs, k).map(|v| v.unwrap_or(0));
    let dynamic = props::opt_bool(inputs, "dynamic_memory")?.unwrap_or(false);
    let adapters: Vec<Json> = match inputs.get("network_adapters") {
        Some(Value::List(items)) => items
            .iter()
            .map(|a| {
                let o = match a {
                    Value::Object(o) => o,
                    _ => return Err(invalid("network_adapters items must be objects")),
                };
                Ok(json!({
                    "name": props::req_str(o, "name")?,
                    "switch": props::req_str(o, "switch")?,
                    "mac": props::opt_str(o, "mac")?,
                }))
            })
            .collect::<ProviderResult<_>>()?,
        _ => Vec::new(),
    };
    let disks: Vec<Json> = match inputs.get("disks") {
        Some(v) => match props::to_json(v) {
            Json::Array(a) => a,
            _ => return Err(invalid("disks must be a list of paths")),
        },
        None => Vec::new(),
    };
    Ok(json!({
        "name": props::req_str(inputs, "name")?,
        "generation": int("generation")?,
        "processor_count": int("processor_count")?,
        "memory_startup": int("memory_mb")? * MIB,
        "dynamic_memory": dynamic,
        "memory_minimum": dynamic.then(|| int("memory_min_mb").map(|m| m * MIB)).transpose()?,
        "memory_maximum": dynamic.then(|| int("memory_max_mb").map(|m| m * MIB)).transpose()?,
        "secure_boot": props::opt_bool(inputs, "secure_boot")?.unwrap_or(false),
        "secure_boot_template": props::opt_str(inputs, "secure_boot_template")?,
        "checkpoint_type": props::req_str(inputs, "checkpoint_type")?,
        "automatic_start_action": props::req_str(inputs, "automatic_start_action")?,
        "automatic_stop_action": props::req_str(inputs, "automatic_stop_action")?,
        "notes": props::opt_str(inputs, "notes")?.unwrap_or_default(),
        "disks": disks,
        "network_adapters": adapters,
        "seed_iso": seed.map(|b| base64::engine::general_purpose::STANDARD.encode(b)),
        "state": props::req_str(inputs, "state")?,
    }))
}

/// The seed ISO the inputs ask for.
pub fn seed(inputs: &Props) -> ProviderResult<Option<Vec<u8>>> {
    let Some(user_data) = props::opt_str(inputs, "user_data")? else {
        return Ok(None);
    };
    let name = props::req_str(inputs, "name")?;
    let host = props::opt_str(inputs, "hostname")?.unwrap_or(name);
    let net = props::opt_str(inputs, "network_config")?;
    crate::seed::build(&host, &user_data, net.as_deref())
        .map(Some)
        .map_err(|e| invalid(e.to_string()))
}

fn decode(e: &crate::enums::Enum, o: &Json, key: &str) -> ProviderResult<&'static str> {
    e.decode(o.get(key).unwrap_or(&Json::Null)).map_err(invalid)
}

/// The power state as the `state` input spells it (`running`, `off`, or Hyper-V's name in
/// lower case for anything else, which then shows as drift).
pub fn power(view: &Json) -> ProviderResult<String> {
    let vm = view.get("VM").unwrap_or(&Json::Null);
    Ok(decode(&VM_STATE, vm, "State")?.to_ascii_lowercase())
}

/// The first IPv4 address the guest reports.
pub fn ipv4(view: &Json) -> Option<String> {
    props::j_list(view, "NetworkAdapters")
        .into_iter()
        .flat_map(|n| props::j_strings(n, "IPAddresses"))
        .find(|a| a.contains('.') && a != "0.0.0.0")
}

/// The live inputs and outputs from the `vm.get` view.
pub fn from_live(view: &Json, prior: &Props) -> ProviderResult<(Props, Props)> {
    let vm = view.get("VM").unwrap_or(&Json::Null);
    let mut inputs = prior.clone();
    inputs.remove("restart");
    let set = |inputs: &mut Props, k: &str, v: Value| {
        inputs.insert(k.to_string(), v);
    };
    if let Some(n) = props::j_str(vm, "Name") {
        set(&mut inputs, "name", Value::str(n));
    }
    let generation = props::j_int(vm, "Generation").unwrap_or(2);
    set(&mut inputs, "generation", Value::Int(generation));
    if let Some(p) = props::j_int(vm, "ProcessorCount") {
        set(&mut inputs, "processor_count", Value::Int(p));
    }
    if let Some(m) = props::j_int(vm, "MemoryStartup") {
        set(&mut inputs, "memory_mb", Value::Int(m / MIB));
    }
    let dynamic = props::j_bool(vm, "DynamicMemoryEnabled").unwrap_or(false);
    set(&mut inputs, "dynamic_memory", Value::Bool(dynamic));
    // Minimum and maximum are reported even for static memory (FINDINGS §8.7).
    for (k, j) in [
        ("memory_min_mb", "MemoryMinimum"),
        ("memory_max_mb", "MemoryMaximum"),
    ] {
        match props::j_int(vm, j) {
            Some(m) if dynamic => set(&mut inputs, k, Value::Int(m / MIB)),
            _ => {
                inputs.remove(k);
            }
        }
    }
    set(
        &mut inputs,
        "checkpoint_type",
        Value::str(decode(&CHECKPOINT_TYPE, vm, "CheckpointType")?),
    );
    set(
        &mut inputs,
        "automatic_start_action",
        Value::str(decode(&START_ACTION, vm, "AutomaticStartAction")?),
    );
    set(
        &mut inputs,
        "automatic_stop_action",
        Value::str(decode(&STOP_ACTION, vm, "AutomaticStopAction")?),
    );
    set(
        &mut inputs,
        "notes",
        Value::str(props::without_mark(
            &props::j_str(vm, "Notes").unwrap_or_default(),
        )),
    );
    set(&mut inputs, "state", Value::str(power(view)?));
    if generation == 2 {
        let fw = view.get("Firmware").unwrap_or(&Json::Null);
        let on = decode(&ON_OFF, fw, "SecureBoot")? == "On";
        inputs.insert("secure_boot".into(), Value::Bool(on));
        match props::j_str(fw, "SecureBootTemplate") {
            Some(t) if on => {
                inputs.insert("secure_boot_template".into(), Value::str(t));
            }
            _ => {
                inputs.remove("secure_boot_template");
            }
        }
    }
    let known: Vec<String> = match prior.get("disks") {
        Some(v) => match props::to_json(v) {
            Json::Array(a) => a
                .iter()
                .filter_map(Json::as_str)
                .map(str::to_string)
                .collect(),
            _ => Vec::new(),
        },
        None => Vec::new(),
    };
    let mut drives: Vec<&Json> = props::j_list(view, "HardDrives");
    drives.sort_by_key(|d| {
        (
            props::j_int(d, "ControllerNumber").unwrap_or(0),
            props::j_int(d, "ControllerLocation").unwrap_or(0),
        )
    });
    let disks: Vec<Value> = drives
        .iter()
        .filter_map(|d| props::j_str(d, "Path"))
        .map(|p| {
            let k = known.iter().find(|k| k.eq_ignore_ascii_case(&p));
            Value::str(props::same_path(&p, k.map(String::as_str)))
        })
        .collect();
    inputs.insert("disks".into(), Value::List(disks));
    let adapters: Vec<Value> = props::j_list(view, "NetworkAdapters")
        .into_iter()
        .map(|n| {
            let mut o = Props::new();
            o.insert(
                "name".into(),
                Value::str(props::j_str(n, "Name").unwrap_or_default()),
            );
            o.insert(
                "switch".into(),
                props::j_str(n, "SwitchName").map_or(Value::Null, Value::str),
            );
            // A dynamic address is Hyper-V's business (000000000000 until the first start).
            if props::j_bool(n, "DynamicMacAddressEnabled") == Some(false)
                && let Some(m) = props::j_str(n, "MacAddress")
            {
                o.insert("mac".into(), Value::str(m.to_ascii_uppercase()));
            }
            Value::Object(o)
        })
        .collect();
    inputs.insert("network_adapters".into(), Value::List(adapters));
    let seeded = props::j_list(view, "DvdDrives").iter().any(|d| {
        props::j_str(d, "Path").is_some_and(|p| p.to_ascii_lowercase().ends_with("-cidata.iso"))
    });
    if !seeded {
        // The seed was ejected or removed behind infra's back.
        inputs.remove("user_data");
        inputs.remove("hostname");
        inputs.remove("network_config");
    }
    let mut outputs = Props::new();
    if let Some(id) = props::j_str(vm, "Id") {
        outputs.insert("vm_id".into(), Value::str(id));
    }
    if let Some(p) = props::j_str(vm, "Path") {
        outputs.insert("path".into(), Value::str(p));
    }
    outputs.insert(
        "ip_address".into(),
        ipv4(view).map_or(Value::Null, Value::str),
    );
    Ok((inputs, outputs))
}
