//! How the emulated host's objects look through the provider's scripts: the properties each
//! script selects (`Select-Object ...`), with enums as numbers or names.

use super::Enums;
use crate::enums::{
    CHECKPOINT_TYPE, CONTROLLER_TYPE, DVD_MEDIA_TYPE, Enum, ON_OFF, START_ACTION, STOP_ACTION,
    SWITCH_TYPE, VHD_FORMAT, VHD_TYPE, VM_STATE,
};
use serde_json::{Map, Value as Json, json};

fn pick(o: &Json, keys: &[&str], enums: &[(&str, &Enum)], mode: Enums) -> Json {
    let mut m = Map::new();
    for k in keys {
        let v = o.get(*k).cloned().unwrap_or(Json::Null);
        let v = match (enums.iter().find(|(e, _)| e == k), &v) {
            (Some((_, e)), Json::String(name)) => match crate::enums::CRITICAL_STATES
                .iter()
                .find(|(n, _, _)| *k == "State" && n == name)
            {
                Some((n, _, _)) if mode == Enums::Strings => Json::String(n.to_string()),
                Some((_, _, old)) if mode == Enums::IntsLegacy && *old >= 0 => Json::from(*old),
                Some((_, new, _)) => Json::from(*new),
                None => e.encode(name, mode == Enums::Strings),
            },
            _ => v,
        };
        m.insert((*k).to_string(), v);
    }
    Json::Object(m)
}

pub fn switch(s: &Json, mode: Enums) -> Json {
    pick(
        s,
        &[
            "Name",
            "Id",
            "SwitchType",
            "AllowManagementOS",
            "NetAdapterInterfaceDescription",
            "Notes",
        ],
        &[("SwitchType", &SWITCH_TYPE)],
        mode,
    )
}

pub fn vhd(v: &Json, mode: Enums) -> Json {
    pick(
        v,
        &[
            "Path",
            "VhdFormat",
            "VhdType",
            "Size",
            "FileSize",
            "ParentPath",
            "LogicalSectorSize",
            "DiskIdentifier",
        ],
        &[("VhdFormat", &VHD_FORMAT), ("VhdType", &VHD_TYPE)],
        mode,
    )
}

pub fn vm(v: &Json, mode: Enums) -> Json {
    let generation = v.get("Generation").and_then(Json::as_i64).unwrap_or(2);
    let firmware = if generation == 2 {
        pick(
            v,
            &["SecureBoot", "SecureBootTemplate"],
            &[("SecureBoot", &ON_OFF)],
            mode,
        )
    } else {
        Json::Null
    };
    let list = |key: &str, keys: &[&str], enums: &[(&str, &Enum)]| -> Json {
        Json::Array(
            v.get(key)
                .and_then(Json::as_array)
                .map(|a| a.iter().map(|d| pick(d, keys, enums, mode)).collect())
                .unwrap_or_default(),
        )
    };
    json!({
        "VM": pick(
            v,
            &["Name", "Id", "State", "Generation", "Path", "ProcessorCount", "MemoryStartup", "MemoryMinimum", "MemoryMaximum", "DynamicMemoryEnabled", "AutomaticStartAction", "AutomaticStopAction", "CheckpointType", "Notes"],
            &[("State", &VM_STATE), ("AutomaticStartAction", &START_ACTION), ("AutomaticStopAction", &STOP_ACTION), ("CheckpointType", &CHECKPOINT_TYPE)],
            mode,
        ),
        "Firmware": firmware,
        "HardDrives": list("HardDrives", &["ControllerType", "ControllerNumber", "ControllerLocation", "Path"], &[("ControllerType", &CONTROLLER_TYPE)]),
        "NetworkAdapters": list("NetworkAdapters", &["Name", "SwitchName", "MacAddress", "DynamicMacAddressEnabled", "IPAddresses"], &[]),
        "DvdDrives": list("DvdDrives", &["ControllerType", "ControllerNumber", "ControllerLocation", "Path", "DvdMediaType"], &[("ControllerType", &CONTROLLER_TYPE), ("DvdMediaType", &DVD_MEDIA_TYPE)]),
    })
}
