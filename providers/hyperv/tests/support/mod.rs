//! An emulated Hyper-V host in a temp folder: a `pwsh` wrapper running the crate's
//! `infra-hyperv-emulator` binary over a state file, and helpers to drive the provider the way
//! the engine does (plan, then create/update/read/delete).
#![allow(dead_code)]

use infra_provider_core::{
    Cancel, CreateRequest, ObjectState, OpContext, PlanRequest, PlannedObject, Props, Provider,
    UpdateRequest, Value,
};
use infra_provider_hyperv::{HypervProvider, Shell};
use serde_json::{Value as Json, json};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

pub struct EmulatedHost {
    pub dir: tempfile::TempDir,
    pub state: PathBuf,
    pub pwsh: PathBuf,
}

pub const BASE_IMAGE: &str = "D:\\Images\\ubuntu-24.04-base.vhdx";

impl EmulatedHost {
    /// `enums` is `ints` (Windows PowerShell 5.1) or `strings` (PS 7 `-EnumsAsStrings`).
    pub fn new(enums: &str) -> EmulatedHost {
        let dir = tempfile::tempdir().expect("tempdir");
        let state = dir.path().join("host.json");
        let pwsh = dir.path().join("pwsh");
        write_wrapper(&pwsh, &state, enums);
        let host = EmulatedHost { dir, state, pwsh };
        host.edit(|doc| {
            doc["vhds"] = json!([{
                "Path": BASE_IMAGE, "VhdFormat": "VHDX", "VhdType": "Dynamic",
                "Size": 32i64 << 30, "FileSize": 2i64 << 30, "ParentPath": null,
                "LogicalSectorSize": 512, "DiskIdentifier": "0b0b0b0b-0000-4000-8000-000000000001",
            }]);
        });
        host
    }

    pub fn shell(&self) -> Shell {
        Shell::local(&self.pwsh.to_string_lossy())
    }

    pub fn provider(&self) -> HypervProvider {
        HypervProvider::new(self.shell())
    }

    pub fn read(&self) -> Json {
        let text = std::fs::read_to_string(&self.state).unwrap_or_else(|_| "{}".into());
        serde_json::from_str(&text).expect("state json")
    }

    /// Changes the host behind infra's back.
    pub fn edit(&self, f: impl FnOnce(&mut Json)) {
        let mut doc = self.read();
        if !doc.is_object() {
            doc = json!({});
        }
        f(&mut doc);
        std::fs::write(&self.state, doc.to_string()).expect("write state");
    }

    pub fn vm(&self, name: &str) -> Json {
        self.read()["vms"]
            .as_array()
            .and_then(|a| a.iter().find(|v| v["Name"] == name).cloned())
            .unwrap_or(Json::Null)
    }
}

/// The emulator binary of this crate.
pub fn emulator_bin() -> &'static str {
    env!("CARGO_BIN_EXE_infra-hyperv-emulator")
}

pub fn write_wrapper(path: &Path, state: &Path, enums: &str) {
    let text = format!(
        "#!/bin/sh\nINFRA_HYPERV_EMULATOR_ENUMS={enums} exec '{}' --state '{}' \"$@\"\n",
        emulator_bin(),
        state.display()
    );
    std::fs::write(path, text).expect("wrapper");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

pub fn ctx() -> OpContext {
    OpContext {
        cancel: Cancel::never(),
        address: "test".into(),
    }
}

pub fn props(v: Json) -> Props {
    match Value::from_json(&v) {
        Value::Object(m) => m,
        other => panic!("not an object: {other:?}"),
    }
}

pub fn plan(
    p: &HypervProvider,
    ty: &str,
    desired: &Props,
    prior: Option<&ObjectState>,
) -> PlannedObject {
    p.plan(PlanRequest {
        type_name: ty,
        address: "test",
        desired,
        prior,
    })
    .expect("plan")
}

pub async fn create(p: &HypervProvider, ty: &str, desired: &Props) -> ObjectState {
    let planned = plan(p, ty, desired, None);
    p.create(
        CreateRequest {
            type_name: ty,
            inputs: &planned.inputs,
            idempotency_key: "k",
        },
        &ctx(),
    )
    .await
    .unwrap_or_else(|e| panic!("create {ty}: {e}"))
}

pub async fn refresh(p: &HypervProvider, ty: &str, prior: &ObjectState) -> Option<ObjectState> {
    p.read(ty, prior, &ctx()).await.expect("read")
}

pub async fn update(
    p: &HypervProvider,
    ty: &str,
    prior: &ObjectState,
    planned: &PlannedObject,
) -> ObjectState {
    p.update(
        UpdateRequest {
            type_name: ty,
            prior,
            inputs: &planned.inputs,
        },
        &ctx(),
    )
    .await
    .unwrap_or_else(|e| panic!("update {ty}: {e}"))
}

/// The inputs whose values differ between a plan and the recorded object.
pub fn changed(planned: &PlannedObject, prior: &ObjectState) -> Vec<String> {
    let mut keys: Vec<String> = planned
        .inputs
        .keys()
        .chain(prior.inputs.keys())
        .filter(|k| planned.inputs.get(k) != prior.inputs.get(k))
        .cloned()
        .collect();
    keys.sort();
    keys.dedup();
    keys
}
