//! `hyperv.switch`: a virtual switch (`New-VMSwitch`, `Get-VMSwitch`, `Set-VMSwitch`,
//! `Remove-VMSwitch`). Its id is its name.

use crate::enums::SWITCH_TYPE;
use crate::props::{self, invalid};
use infra_provider_core::{PropertySchema, Props, ProviderResult, ResourceSchema, Type, Value};
use serde_json::{Value as Json, json};

pub const TYPE: &str = "hyperv.switch";
const KINDS: [&str; 3] = ["private", "internal", "external"];

pub fn schema() -> ResourceSchema {
    ResourceSchema::new(TYPE, "A Hyper-V virtual switch.")
        .prop(
            "name",
            PropertySchema::input(Type::String)
                .required()
                .create_only()
                .doc("The switch name; also its id."),
        )
        .prop(
            "type",
            PropertySchema::input(Type::enumeration(&KINDS))
                .create_only()
                .doc("`private` (VMs only), `internal` (VMs and the host, the default) or `external` (bound to `net_adapter`)."),
        )
        .prop(
            "net_adapter",
            PropertySchema::input(Type::String)
                .doc("The host network adapter an `external` switch is bound to (`Get-NetAdapter` name)."),
        )
        .prop(
            "allow_management_os",
            PropertySchema::input(Type::Bool)
                .doc("Whether the host shares an `external` switch's adapter; default true."),
        )
        .prop("notes", PropertySchema::input(Type::String).doc("Free text kept on the switch."))
        .prop(
            "switch_id",
            PropertySchema::output(Type::String).doc("The GUID Hyper-V gave the switch."),
        )
        .prop("id", PropertySchema::output(Type::String).doc("The switch name: what a reference to the switch stands for."))
}

pub fn normalize(inputs: &mut Props) -> ProviderResult<()> {
    props::default(inputs, "type", Value::str("internal"));
    props::default(inputs, "notes", Value::str(""));
    let kind = props::opt_str(inputs, "type")?;
    if kind.as_deref() == Some("external") {
        props::default(inputs, "allow_management_os", Value::Bool(true));
        if !props::unknown(inputs, "net_adapter")
            && props::opt_str(inputs, "net_adapter")?.is_none()
        {
            return Err(invalid("an external switch needs `net_adapter`"));
        }
    } else if kind.is_some() {
        if props::opt_str(inputs, "net_adapter")?.is_some() {
            return Err(invalid("`net_adapter` is only for `type = \"external\"`"));
        }
        inputs.remove("net_adapter");
        inputs.remove("allow_management_os");
    }
    Ok(())
}

pub fn args(inputs: &Props) -> ProviderResult<Json> {
    let kind = props::req_str(inputs, "type")?;
    let dotnet = SWITCH_TYPE.encode(&kind, true);
    Ok(json!({
        "name": props::req_str(inputs, "name")?,
        "type": dotnet,
        "notes": props::opt_str(inputs, "notes")?.unwrap_or_default(),
        "net_adapter": props::opt_str(inputs, "net_adapter")?,
        "allow_management_os": props::opt_bool(inputs, "allow_management_os")?.unwrap_or(true),
    }))
}

/// The live inputs and outputs. The adapter is not read back: Get-VMSwitch reports its
/// interface description, not its name (FINDINGS §3.2).
pub fn from_live(live: &Json, prior: &Props) -> ProviderResult<(Props, Props)> {
    let mut inputs = prior.clone();
    let kind = SWITCH_TYPE
        .decode(live.get("SwitchType").unwrap_or(&Json::Null))
        .map_err(invalid)?
        .to_ascii_lowercase();
    if let Some(n) = props::j_str(live, "Name") {
        inputs.insert("name".into(), Value::str(n));
    }
    inputs.insert("type".into(), Value::str(&kind));
    inputs.insert(
        "notes".into(),
        Value::str(props::without_mark(
            &props::j_str(live, "Notes").unwrap_or_default(),
        )),
    );
    if kind == "external" {
        if let Some(b) = props::j_bool(live, "AllowManagementOS") {
            inputs.insert("allow_management_os".into(), Value::Bool(b));
        }
    } else {
        inputs.remove("net_adapter");
        inputs.remove("allow_management_os");
    }
    let mut outputs = Props::new();
    if let Some(id) = props::j_str(live, "Id") {
        outputs.insert("switch_id".into(), Value::str(id));
    }
    Ok((inputs, outputs))
}
