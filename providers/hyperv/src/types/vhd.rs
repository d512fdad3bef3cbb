//! `hyperv.vhd`: a virtual hard disk file (`New-VHD`, `Get-VHD`, `Resize-VHD`): new (dynamic
//! or fixed), a differencing child of a parent image, or a copy of an image. Its id is its
//! path.

use crate::enums::{VHD_FORMAT, VHD_TYPE};
use crate::props::{self, invalid};
use infra_provider_core::{PropertySchema, Props, ProviderResult, ResourceSchema, Type, Value};
use serde_json::{Value as Json, json};

pub const TYPE: &str = "hyperv.vhd";
const KINDS: [&str; 3] = ["dynamic", "fixed", "differencing"];
const GIB: i64 = 1 << 30;

pub fn schema() -> ResourceSchema {
    ResourceSchema::new(TYPE, "A Hyper-V virtual hard disk (.vhdx or .vhd) on the host.")
        .prop(
            "path",
            PropertySchema::input(Type::String)
                .required()
                .create_only()
                .doc("Where the file is on the host, e.g. `D:\\\\VMs\\\\web.vhdx`; also its id. Compared without case, as Hyper-V answers the case stored on disk."),
        )
        .prop(
            "type",
            PropertySchema::input(Type::enumeration(&KINDS))
                .create_only()
                .doc("`dynamic` (default), `fixed`, or `differencing` (needs `parent`)."),
        )
        .prop(
            "parent",
            PropertySchema::input(Type::String)
                .create_only()
                .doc("The parent image of a differencing disk (implies `type = \"differencing\"`)."),
        )
        .prop(
            "source",
            PropertySchema::input(Type::String)
                .create_only()
                .doc("An image to copy instead of making an empty disk (its type is kept)."),
        )
        .prop(
            "size_gb",
            PropertySchema::input(Type::Int).doc(
                "Virtual size in GiB: required for a new disk; a copy or child grows to it. Changing it resizes the disk (`Resize-VHD`).",
            ),
        )
        .prop(
            "format",
            PropertySchema::output(Type::String).doc("`VHDX` or `VHD`, as Get-VHD reports it."),
        )
        .prop(
            "disk_id",
            PropertySchema::output(Type::String).doc("The disk identifier GUID."),
        )
        .prop("id", PropertySchema::output(Type::String).doc("The path: what a reference to the disk stands for (a VM's `disks`)."))
}

pub fn normalize(inputs: &mut Props) -> ProviderResult<()> {
    let has_parent = inputs
        .get("parent")
        .is_some_and(|v| !matches!(v, Value::Null));
    let has_source = inputs
        .get("source")
        .is_some_and(|v| !matches!(v, Value::Null));
    if has_parent && has_source {
        return Err(invalid("`parent` and `source` exclude each other"));
    }
    props::default(
        inputs,
        "type",
        Value::str(if has_parent {
            "differencing"
        } else {
            "dynamic"
        }),
    );
    let kind = props::opt_str(inputs, "type")?;
    if kind.as_deref() == Some("differencing") && !has_parent {
        return Err(invalid("a differencing disk needs `parent`"));
    }
    if has_parent && kind.as_deref().is_some_and(|k| k != "differencing") {
        return Err(invalid("`parent` is only for `type = \"differencing\"`"));
    }
    if !has_parent
        && !has_source
        && !props::unknown(inputs, "size_gb")
        && props::opt_int(inputs, "size_gb")?.is_none()
    {
        return Err(invalid("a new disk needs `size_gb`"));
    }
    if let Some(s) = props::opt_int(inputs, "size_gb")?
        && !(1..=65536).contains(&s)
    {
        return Err(invalid(format!("size_gb must be 1 to 65536, not {s}")));
    }
    Ok(())
}

pub fn args(inputs: &Props) -> ProviderResult<Json> {
    let kind = props::req_str(inputs, "type")?;
    Ok(json!({
        "path": props::req_str(inputs, "path")?,
        "type": VHD_TYPE.encode(&kind, true),
        "parent": props::opt_str(inputs, "parent")?,
        "source": props::opt_str(inputs, "source")?,
        "size_bytes": props::opt_int(inputs, "size_gb")?.map(|g| g * GIB),
    }))
}

pub fn from_live(live: &Json, prior: &Props) -> ProviderResult<(Props, Props)> {
    let mut inputs = prior.clone();
    let known = |k: &str| props::opt_str(prior, k).ok().flatten();
    if let Some(p) = props::j_str(live, "Path") {
        let path = props::same_path(&p, known("path").as_deref());
        inputs.insert("path".into(), Value::str(path));
    }
    let kind = VHD_TYPE
        .decode(live.get("VhdType").unwrap_or(&Json::Null))
        .map_err(invalid)?
        .to_ascii_lowercase();
    // A copy keeps its source's type; only a type the user chose is compared.
    if known("source").is_none() {
        inputs.insert("type".into(), Value::str(&kind));
    }
    match props::j_str(live, "ParentPath").filter(|p| !p.is_empty()) {
        Some(p) => {
            let parent = props::same_path(&p, known("parent").as_deref());
            inputs.insert("parent".into(), Value::str(parent));
        }
        None => {
            inputs.remove("parent");
        }
    }
    if prior
        .get("size_gb")
        .is_some_and(|v| !matches!(v, Value::Null))
        && let Some(size) = props::j_int(live, "Size")
    {
        inputs.insert("size_gb".into(), Value::Int((size + GIB - 1) / GIB));
    }
    let mut outputs = Props::new();
    if let Some(f) = live.get("VhdFormat") {
        let f = VHD_FORMAT.decode(f).map_err(invalid)?;
        outputs.insert("format".into(), Value::str(f));
    }
    if let Some(id) = props::j_str(live, "DiskIdentifier") {
        outputs.insert("disk_id".into(), Value::str(id));
    }
    Ok((inputs, outputs))
}
