//! What each of the provider's scripts does on the emulated host: the effect of the cmdlets
//! in its body, in the same order, so a script that fails half-way leaves what real
//! PowerShell would leave (`$ErrorActionPreference = 'Stop'`).

use super::records::Record;
use super::state::Host;
use super::{Enums, view};
use crate::scripts::Script;
use serde_json::{Value as Json, json};

type Answer = Result<Json, Record>;

const DEFAULT_VM_PATH: &str = "C:\\ProgramData\\Microsoft\\Windows\\Hyper-V";
const TEMPLATES: [&str; 3] = [
    "MicrosoftWindows",
    "MicrosoftUEFICertificateAuthority",
    "OpenSourceShieldedVM",
];

fn s(a: &Json, k: &str) -> String {
    a.get(k)
        .and_then(Json::as_str)
        .unwrap_or_default()
        .to_string()
}

fn i(a: &Json, k: &str) -> i64 {
    a.get(k).and_then(Json::as_i64).unwrap_or(0)
}

fn b(a: &Json, k: &str) -> bool {
    a.get(k).and_then(Json::as_bool).unwrap_or(false)
}

pub fn run(host: &mut Host, script: Script, a: &Json, mode: Enums) -> Answer {
    match script {
        Script::SwitchGet => Ok(host
            .find("switches", "Name", &s(a, "name"))
            .map_or(Json::Null, |sw| view::switch(sw, mode))),
        Script::SwitchCreate => switch_create(host, a, mode),
        Script::SwitchSet => switch_set(host, a, mode),
        Script::SwitchRemove => {
            let name = s(a, "name");
            host.list("switches").retain(|sw| {
                !sw["Name"]
                    .as_str()
                    .is_some_and(|n| n.eq_ignore_ascii_case(&name))
            });
            // Adapters on a removed switch stay, disconnected.
            for vm in host.list("vms").iter_mut() {
                for n in vm["NetworkAdapters"].as_array_mut().into_iter().flatten() {
                    if n["SwitchName"]
                        .as_str()
                        .is_some_and(|x| x.eq_ignore_ascii_case(&name))
                    {
                        n["SwitchName"] = Json::Null;
                    }
                }
            }
            Ok(Json::Null)
        }
        Script::VhdGet => Ok(host
            .find("vhds", "Path", &s(a, "path"))
            .map_or(Json::Null, |v| view::vhd(v, mode))),
        Script::VhdCreate => vhd_create(host, a, mode),
        Script::VhdResize => {
            let path = s(a, "path");
            let size = i(a, "size_bytes");
            let v = host.find("vhds", "Path", &path).ok_or_else(|| {
                Record::path_not_found(&path, "Microsoft.Vhd.PowerShell.Cmdlets.ResizeVhd")
            })?;
            v["Size"] = json!(size);
            if v["VhdType"] == "Fixed" {
                v["FileSize"] = json!(size);
            }
            Ok(view::vhd(v, mode))
        }
        Script::VhdRemove => {
            let path = s(a, "path");
            host.list("vhds").retain(|v| {
                !v["Path"]
                    .as_str()
                    .is_some_and(|p| p.eq_ignore_ascii_case(&path))
            });
            Ok(Json::Null)
        }
        Script::VmGet => Ok(host
            .find("vms", "Name", &s(a, "name"))
            .map_or(Json::Null, |v| transient(v, mode))),
        Script::VmCreate => vm_create(host, a, mode),
        Script::VmSet => {
            let name = s(a, "name");
            let idx = vm_index(host, &name)?;
            super::cmdlets::configure(host, idx, a)?;
            Ok(view::vm(&host.list("vms")[idx], mode))
        }
        Script::VmPower => {
            let name = s(a, "name");
            let idx = vm_index(host, &name)?;
            let want = s(a, "state");
            let state = host.list("vms")[idx]["State"]
                .as_str()
                .unwrap_or("Off")
                .to_string();
            if want == "running" && state != "Running" {
                start(host, idx);
            }
            if want == "off" && state != "Off" {
                stop(host, idx);
            }
            Ok(view::vm(&host.list("vms")[idx], mode))
        }
        Script::VmRemove => {
            let name = s(a, "name");
            if let Ok(idx) = vm_index(host, &name) {
                let vm = host.list("vms").remove(idx);
                let iso = seed_path(&vm);
                host.files().retain(|k, _| !k.eq_ignore_ascii_case(&iso));
            }
            Ok(Json::Null)
        }
    }
}

/// Get-VM on a VM passing through a state: `"Transient": {"State": "Stopping", "Reads": n}`
/// in the state file makes the next n reads report that state (a guest rebooting, FINDINGS
/// §8.6), then the real one.
fn transient(vm: &mut Json, mode: Enums) -> Json {
    let reads = vm["Transient"]["Reads"].as_i64().unwrap_or(0);
    if reads <= 0 {
        return view::vm(vm, mode);
    }
    vm["Transient"]["Reads"] = json!(reads - 1);
    let mut shown = vm.clone();
    shown["State"] = vm["Transient"]["State"].clone();
    view::vm(&shown, mode)
}

fn switch_create(host: &mut Host, a: &Json, mode: Enums) -> Answer {
    let kind = s(a, "type");
    let external = kind == "External";
    if external && s(a, "net_adapter").is_empty() {
        return Err(Record::invalid_argument(
            "An external switch needs a network adapter (-NetAdapterName).".into(),
            "NewVMSwitch",
        ));
    }
    if !["Private", "Internal", "External"].contains(&kind.as_str()) {
        return Err(Record::invalid_argument(
            format!("Cannot convert \"{kind}\" to a switch type."),
            "NewVMSwitch",
        ));
    }
    let id = host.guid();
    let sw = json!({
        "Name": s(a, "name"),
        "Id": id,
        "SwitchType": kind,
        "AllowManagementOS": if external { b(a, "allow_management_os") } else { kind == "Internal" },
        "NetAdapterInterfaceDescription": if external { json!(format!("Emulated adapter ({})", s(a, "net_adapter"))) } else { Json::Null },
        "Notes": s(a, "notes"),
    });
    let v = view::switch(&sw, mode);
    host.list("switches").push(sw);
    Ok(v)
}

fn switch_set(host: &mut Host, a: &Json, mode: Enums) -> Answer {
    let name = s(a, "name");
    let sw = host
        .find("switches", "Name", &name)
        .ok_or_else(|| Record::switch_not_found(&name, "GetVMSwitch"))?;
    if sw["SwitchType"] == "External" {
        sw["AllowManagementOS"] = json!(b(a, "allow_management_os"));
        sw["NetAdapterInterfaceDescription"] =
            json!(format!("Emulated adapter ({})", s(a, "net_adapter")));
    }
    sw["Notes"] = json!(s(a, "notes"));
    Ok(view::switch(sw, mode))
}

fn vhd_create(host: &mut Host, a: &Json, mode: Enums) -> Answer {
    let path = s(a, "path");
    if host.find("vhds", "Path", &path).is_some()
        || host.files().keys().any(|k| k.eq_ignore_ascii_case(&path))
    {
        return Err(Record::file_exists(&path));
    }
    let format = if path.to_ascii_lowercase().ends_with(".vhd") {
        "VHD"
    } else {
        "VHDX"
    };
    let (kind, size, parent) = if let Some(src) = a.get("source").and_then(Json::as_str) {
        let from = host.find("vhds", "Path", src).ok_or_else(|| {
            Record::path_not_found(src, "Microsoft.PowerShell.Commands.CopyItemCommand")
        })?;
        (
            s(from, "VhdType"),
            i(from, "Size"),
            from.get("ParentPath").cloned().unwrap_or(Json::Null),
        )
    } else if s(a, "type") == "Differencing" {
        let p = s(a, "parent");
        let parent = host
            .find("vhds", "Path", &p)
            .ok_or_else(|| Record::path_not_found(&p, "Microsoft.Vhd.PowerShell.Cmdlets.NewVhd"))?;
        (
            "Differencing".to_string(),
            i(parent, "Size"),
            parent["Path"].clone(),
        )
    } else {
        (s(a, "type"), i(a, "size_bytes"), Json::Null)
    };
    let mut size = size;
    if let Some(want) = a.get("size_bytes").and_then(Json::as_i64)
        && want > size
    {
        size = want;
    }
    let id = host.guid();
    // Hyper-V answers the path as stored on disk, not as given (FINDINGS §8.1): modelled by
    // storing it in lower case.
    let disk = json!({
        "Path": path.to_lowercase(),
        "VhdFormat": format,
        "VhdType": kind,
        "Size": size,
        "FileSize": if kind == "Fixed" { size } else { 4_194_304 },
        "ParentPath": parent,
        "LogicalSectorSize": 512,
        "DiskIdentifier": id,
    });
    let v = view::vhd(&disk, mode);
    host.list("vhds").push(disk);
    Ok(v)
}

fn vm_index(host: &mut Host, name: &str) -> Result<usize, Record> {
    host.list("vms")
        .iter()
        .position(|v| {
            v["Name"]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
        .ok_or_else(|| Record::vm_not_found(name))
}

fn vm_create(host: &mut Host, a: &Json, mode: Enums) -> Answer {
    let generation = i(a, "generation");
    if generation != 1 && generation != 2 {
        return Err(Record::invalid_argument(
            format!("Generation {generation} is not supported."),
            "NewVM",
        ));
    }
    let id = host.guid();
    let vm = json!({
        "Name": s(a, "name"),
        "Id": id,
        "State": "Off",
        "Generation": generation,
        "Path": DEFAULT_VM_PATH,
        "ProcessorCount": 1,
        "MemoryStartup": i(a, "memory_startup"),
        "MemoryMinimum": 536_870_912i64,
        "MemoryMaximum": 1_099_511_627_776i64,
        "DynamicMemoryEnabled": false,
        "AutomaticStartAction": "StartIfRunning",
        "AutomaticStopAction": "Save",
        "CheckpointType": "Production",
        "Notes": "",
        "SecureBoot": "On",
        "SecureBootTemplate": "MicrosoftWindows",
        "HardDrives": [],
        "NetworkAdapters": [],
        "DvdDrives": [],
    });
    host.list("vms").push(vm);
    let idx = host.list("vms").len() - 1;
    configure(host, idx, a)?;
    if s(a, "state") == "running" {
        start(host, idx);
    }
    Ok(view::vm(&host.list("vms")[idx], mode))
}

fn seed_path(vm: &Json) -> String {
    format!("{}\\{}-cidata.iso", s(vm, "Path"), s(vm, "Id"))
}

/// `Set-InfraVMConfig`: each step as the script orders it, refusing on a running VM what
/// Hyper-V refuses there.
pub fn configure(host: &mut Host, idx: usize, a: &Json) -> Result<(), Record> {
    let switches: Vec<String> = host
        .list("switches")
        .iter()
        .map(|sw| s(sw, "Name"))
        .collect();
    let vhds: Vec<String> = host.list("vhds").iter().map(|v| s(v, "Path")).collect();
    let mut vm = host.list("vms")[idx].clone();
    let result = configure_vm(&mut vm, a, &switches, &vhds);
    // What was set before a failure stays set, as on a real host.
    let iso = seed_path(&vm);
    let seed = a.get("seed_iso").and_then(Json::as_str).map(str::to_string);
    host.list("vms")[idx] = vm;
    result?;
    match seed {
        Some(data) => {
            host.files().insert(iso, json!(data));
        }
        None => {
            host.files().retain(|k, _| !k.eq_ignore_ascii_case(&iso));
        }
    }
    Ok(())
}

fn configure_vm(
    vm: &mut Json,
    a: &Json,
    switches: &[String],
    vhds: &[String],
) -> Result<(), Record> {
    let name = s(vm, "Name");
    let id = s(vm, "Id");
    let running = vm["State"] != "Off";
    let gen1 = vm["Generation"] == 1;
    if i(vm, "ProcessorCount") != i(a, "processor_count") {
        if running {
            return Err(Record::invalid_state(
                &name,
                &id,
                "Processor",
                "SetVMProcessor",
            ));
        }
        vm["ProcessorCount"] = json!(i(a, "processor_count"));
    }
    let dynamic = b(a, "dynamic_memory");
    let mut mem = b(vm, "DynamicMemoryEnabled") != dynamic
        || i(vm, "MemoryStartup") != i(a, "memory_startup");
    if dynamic {
        mem = mem
            || i(vm, "MemoryMinimum") != i(a, "memory_minimum")
            || i(vm, "MemoryMaximum") != i(a, "memory_maximum");
    }
    if mem {
        if running {
            return Err(Record::invalid_state(&name, &id, "Memory", "SetVMMemory"));
        }
        if dynamic
            && !(i(a, "memory_minimum") <= i(a, "memory_startup")
                && i(a, "memory_startup") <= i(a, "memory_maximum"))
        {
            return Err(Record::invalid_argument(
                "The minimum memory must not exceed the startup memory, nor the startup memory the maximum.".into(),
                "SetVMMemory",
            ));
        }
        vm["DynamicMemoryEnabled"] = json!(dynamic);
        vm["MemoryStartup"] = json!(i(a, "memory_startup"));
        if dynamic {
            vm["MemoryMinimum"] = json!(i(a, "memory_minimum"));
            vm["MemoryMaximum"] = json!(i(a, "memory_maximum"));
        }
    }
    for (k, arg) in [
        ("CheckpointType", "checkpoint_type"),
        ("AutomaticStartAction", "automatic_start_action"),
        ("AutomaticStopAction", "automatic_stop_action"),
        ("Notes", "notes"),
    ] {
        vm[k] = json!(s(a, arg));
    }
    if !gen1 {
        let on = vm["SecureBoot"] == "On";
        let want = b(a, "secure_boot");
        let template = s(a, "secure_boot_template");
        if want != on || (want && s(vm, "SecureBootTemplate") != template) {
            if running {
                return Err(Record::invalid_state(
                    &name,
                    &id,
                    "Firmware",
                    "SetVMFirmware",
                ));
            }
            if want && !TEMPLATES.contains(&template.as_str()) {
                return Err(Record::invalid_argument(
                    format!("The secure boot template \"{template}\" is not known."),
                    "SetVMFirmware",
                ));
            }
            vm["SecureBoot"] = json!(if want { "On" } else { "Off" });
            if want {
                vm["SecureBootTemplate"] = json!(template);
            }
        }
    }
    // Hard drives: removed, then added at the first free location.
    let want: Vec<String> = a["disks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Json::as_str)
        .map(str::to_string)
        .collect();
    if let Some(d) = vm["HardDrives"].as_array_mut() {
        d.retain(|x| {
            want.iter()
                .any(|w| w.eq_ignore_ascii_case(x["Path"].as_str().unwrap_or_default()))
        });
    }
    for w in &want {
        let have = vm["HardDrives"].as_array().into_iter().flatten().any(|x| {
            x["Path"]
                .as_str()
                .is_some_and(|p| p.eq_ignore_ascii_case(w))
        });
        if have {
            continue;
        }
        let stored = vhds
            .iter()
            .find(|p| p.eq_ignore_ascii_case(w))
            .ok_or_else(|| {
                Record::path_not_found(w, "Microsoft.HyperV.PowerShell.Commands.AddVMHardDiskDrive")
            })?;
        let slot = attach(vm, gen1, running, "AddVMHardDiskDrive", &name, &id)?;
        let mut drive = slot;
        drive["Path"] = json!(stored);
        push(vm, "HardDrives", drive);
    }
    // Network adapters.
    let wanted: Vec<Json> = a["network_adapters"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let names: Vec<String> = wanted.iter().map(|w| s(w, "name")).collect();
    if let Some(n) = vm["NetworkAdapters"].as_array_mut() {
        n.retain(|x| names.contains(&s(x, "Name")));
    }
    for w in &wanted {
        let sw = s(w, "switch");
        if !switches.iter().any(|x| x.eq_ignore_ascii_case(&sw)) {
            return Err(Record::switch_not_found(&sw, "AddVMNetworkAdapter"));
        }
        let pos = vm["NetworkAdapters"]
            .as_array()
            .into_iter()
            .flatten()
            .position(|x| s(x, "Name") == s(w, "name"));
        let pos = match pos {
            Some(p) => p,
            None => {
                if running && gen1 {
                    return Err(Record::invalid_state(
                        &name,
                        &id,
                        "Network Adapter",
                        "AddVMNetworkAdapter",
                    ));
                }
                push(
                    vm,
                    "NetworkAdapters",
                    json!({
                        "Name": s(w, "name"), "SwitchName": sw, "MacAddress": "000000000000",
                        "DynamicMacAddressEnabled": true, "IPAddresses": [],
                    }),
                );
                vm["NetworkAdapters"].as_array().map_or(0, |x| x.len() - 1)
            }
        };
        let n = &mut vm["NetworkAdapters"][pos];
        n["SwitchName"] = json!(sw);
        match w.get("mac").and_then(Json::as_str) {
            Some(m) => {
                n["MacAddress"] = json!(m.to_ascii_uppercase());
                n["DynamicMacAddressEnabled"] = json!(false);
            }
            None => n["DynamicMacAddressEnabled"] = json!(true),
        }
    }
    // The seed DVD.
    let iso = seed_path(vm);
    let has_dvd = vm["DvdDrives"].as_array().is_some_and(|d| !d.is_empty());
    if a.get("seed_iso").and_then(Json::as_str).is_some() {
        if has_dvd {
            vm["DvdDrives"][0]["Path"] = json!(iso);
            vm["DvdDrives"][0]["DvdMediaType"] = json!("ISO");
        } else {
            let mut dvd = attach(vm, gen1, running, "AddVMDvdDrive", &name, &id)?;
            dvd["Path"] = json!(iso);
            dvd["DvdMediaType"] = json!("ISO");
            push(vm, "DvdDrives", dvd);
        }
    } else if has_dvd && let Some(d) = vm["DvdDrives"].as_array_mut() {
        d.remove(0);
    }
    Ok(())
}

fn push(vm: &mut Json, key: &str, item: Json) {
    if !vm[key].is_array() {
        vm[key] = json!([]);
    }
    if let Some(a) = vm[key].as_array_mut() {
        a.push(item);
    }
}

/// The first free controller location: IDE 0:0..1:1 on generation 1 (no hot-add there,
/// FINDINGS §4), SCSI 0:n on generation 2.
fn attach(
    vm: &Json,
    gen1: bool,
    running: bool,
    cmdlet: &str,
    name: &str,
    id: &str,
) -> Result<Json, Record> {
    let used: Vec<(i64, i64)> = ["HardDrives", "DvdDrives"]
        .iter()
        .flat_map(|k| vm[*k].as_array().cloned().unwrap_or_default())
        .map(|d| (i(&d, "ControllerNumber"), i(&d, "ControllerLocation")))
        .collect();
    if gen1 {
        if running {
            let device = if cmdlet == "AddVMDvdDrive" {
                "DVD Drive"
            } else {
                "Virtual Hard Disk"
            };
            return Err(Record::invalid_state(name, id, device, cmdlet));
        }
        let slot = [(0, 0), (0, 1), (1, 0), (1, 1)]
            .into_iter()
            .find(|s| !used.contains(s))
            .ok_or_else(|| Record::location_not_available(cmdlet))?;
        Ok(
            json!({ "ControllerType": "IDE", "ControllerNumber": slot.0, "ControllerLocation": slot.1 }),
        )
    } else {
        let loc = (0..64)
            .find(|l| !used.contains(&(0, *l)))
            .ok_or_else(|| Record::location_not_available(cmdlet))?;
        Ok(json!({ "ControllerType": "SCSI", "ControllerNumber": 0, "ControllerLocation": loc }))
    }
}

/// Start-VM: the guest boots and, with integration services, reports an address at once.
fn start(host: &mut Host, idx: usize) {
    let mut macs = Vec::new();
    let count = host.list("vms")[idx]["NetworkAdapters"]
        .as_array()
        .map_or(0, Vec::len);
    for _ in 0..count {
        macs.push(host.mac());
    }
    let vm = &mut host.list("vms")[idx];
    vm["State"] = json!("Running");
    let id_byte = s(vm, "Id").chars().take(8).collect::<String>();
    let n = u32::from_str_radix(&id_byte, 16).unwrap_or(1);
    for (k, nic) in vm["NetworkAdapters"]
        .as_array_mut()
        .into_iter()
        .flatten()
        .enumerate()
    {
        if nic["MacAddress"] == "000000000000" {
            nic["MacAddress"] = json!(macs.get(k).cloned().unwrap_or_default());
        }
        if nic["SwitchName"].is_string() {
            nic["IPAddresses"] = json!([
                format!("192.168.{}.{}", 100 + k, 10 + n % 200),
                "fe80::215:5dff:fe00:1"
            ]);
        }
    }
}

/// Stop-VM: the guest's addresses go with it.
fn stop(host: &mut Host, idx: usize) {
    let vm = &mut host.list("vms")[idx];
    vm["State"] = json!("Off");
    for nic in vm["NetworkAdapters"].as_array_mut().into_iter().flatten() {
        nic["IPAddresses"] = json!([]);
    }
}
