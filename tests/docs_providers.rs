//! docs/providers.md is generated from `infra schema --json`. This test renders the schemas
//! and compares the result with the file. To regenerate the file after a schema change:
//!
//! ```sh
//! UPDATE_DOCS=1 cargo test --test docs_providers
//! ```

use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

fn schema_json() -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_infra"))
        .args(["schema", "--json"])
        .output()
        .expect("run infra schema --json");
    assert!(
        out.status.success(),
        "infra schema --json failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("infra schema --json prints JSON")
}

/// Text for one table cell: no line breaks, pipes escaped (also inside code spans, as GFM
/// tables require).
fn cell(text: &str) -> String {
    text.replace('\n', " ").replace('|', "\\|")
}

fn yes(v: &Value) -> &'static str {
    if v.as_bool().unwrap_or(false) {
        "yes"
    } else {
        ""
    }
}

/// The provider reference, in the order the JSON gives the types and properties.
fn render(doc: &Value) -> String {
    let mut md = String::new();
    md.push_str("# Provider reference\n\n");
    md.push_str(
        "<!-- Generated from `infra schema --json` by tests/docs_providers.rs. Do not edit by \
         hand: run `UPDATE_DOCS=1 cargo test --test docs_providers`. -->\n\n",
    );
    md.push_str(
        "Every resource type this build knows, with its properties. `infra schema TYPE` prints \
         the same in a terminal. Columns: **required** (must be set), **forces replacement** \
         (changing it deletes and re-creates the object), **secret** (never shown, stored only \
         as a keyed hash), **output** (set by the cloud: read it, do not set it). When a \
         property reads back with another type than it is set with, the type column shows \
         both.\n",
    );
    let types = doc["types"].as_array().expect("`types` is an array");
    for t in types {
        let name = t["type"].as_str().unwrap_or_default();
        md.push_str(&format!("\n## {name}\n\n"));
        md.push_str(&format!(
            "{}\n\n",
            t["description"].as_str().unwrap_or_default()
        ));
        md.push_str(
            "| property | type | required | forces replacement | secret | output | description |\n",
        );
        md.push_str("|---|---|---|---|---|---|---|\n");
        let props = t["properties"]
            .as_object()
            .expect("`properties` is an object");
        for (prop, p) in props {
            let ty = p["type"].as_str().unwrap_or_default();
            let read = p["read_type"].as_str().unwrap_or(ty);
            let ty = if read == ty {
                format!("`{ty}`")
            } else {
                format!("`{ty}`, reads as `{read}`")
            };
            md.push_str(&format!(
                "| `{prop}` | {} | {} | {} | {} | {} | {} |\n",
                cell(&ty),
                yes(&p["required"]),
                yes(&p["create_only"]),
                yes(&p["secret"]),
                yes(&p["output"]),
                cell(p["description"].as_str().unwrap_or_default()),
            ));
        }
    }
    md.push_str(TYPED_LAYER);
    md
}

/// The hand-written part: how every other ARM type is known (not a dump of the types).
const TYPED_LAYER: &str = "
## Every other ARM type: the typed layer

Besides the curated `azure.*` types above, infra knows every Azure Resource Manager resource
type that has a stable api-version: 2,695 types in 3,543 type/version entries (the newest stable
version of each type, plus the versions the curated types use). `infra schema
\"Microsoft.Web/sites@2025-03-01\"` prints one of them (add `--json` for tools); without
`@version` it shows the newest known one.

**Where the data comes from.** Microsoft generates machine-readable type data from its REST API
specifications (the data Bicep and azapi check against). `scripts/gen-azure-types` turns a
snapshot of it (`../shared/azure-types`, beside the checkout) into the project's own compact
form, `providers/azure-types/data/azure-types.bin`: names, types, flags and constraints only,
Microsoft's descriptions left out (the schema view links each type to its REST reference
instead). Types are deduplicated and the file is cut into deflate-compressed chunks, one per
source file; it is about 1 MB and is embedded in the binary. `scripts/test` regenerates it and
fails when the committed file differs.

**How a lookup works.** Nothing is read at start-up. The first lookup inflates the index (a few
milliseconds), and a type's chunk is inflated the first time a type in it is needed, then kept.
A reference is `Namespace/type[/child]@api-version`; names and versions are compared
case-insensitively. An api-version the data does not list (users pin older ones) is checked
against the nearest known version of the same type, with a warning that says which. An unknown
type is an error that names the closest known types.

**What is checked.** A body is checked property by property: unknown properties (with a
did-you-mean, also for a difference in case only: ARM names are case-sensitive), the JSON type of
each value, values outside a strict enum (an open enum, one that also accepts any string, only
warns; so does a case-only difference), required properties, read-only properties that cannot be
sent, string length and pattern (Azure's naming rules, e.g. a storage account name is 3 to 24
lower-case letters and digits), integer bounds, array lengths, and tagged unions by their
discriminator (`kind`). The top-level `name` is checked when given but not required: it travels
in the URL. The data's integer type also stands for decimal numbers (`cpu = 0.5` passes). A few
patterns use regular-expression features the checker does not have (look-around); those are not
checked.

**The emulator enforces the same schemas.** For every type it does not model by hand, the
built-in emulator refuses what ARM refuses: an unknown namespace (`InvalidResourceNamespace`),
an unknown type (`InvalidResourceType`), an api-version later than any the data knows
(`NoRegisteredProviderFound`, listing the supported versions; an older one it does not list may
be real, so it is checked against the nearest known version), a body that breaks the schema
(`InvalidRequestContent`, with the offending path as `target`), and a child whose parent does
not exist (`ParentResourceNotFound`). It answers with the body as sent plus `id`, `name`,
`type`, `properties.provisioningState`, `systemData` and the read-only values it can fill (a web
app's `defaultHostName`, a registry's `loginServer`); write-only values (passwords, `siteConfig`
of a web app) are never returned. A read-only value sent back unchanged is ignored, as ARM does.
";

#[test]
fn providers_md_matches_the_schemas() {
    let rendered = render(&schema_json());
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/providers.md");
    if std::env::var("UPDATE_DOCS").as_deref() == Ok("1") {
        std::fs::write(&path, &rendered).expect("write docs/providers.md");
        return;
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    if on_disk != rendered {
        let first = on_disk
            .lines()
            .zip(rendered.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(on_disk.lines().count().min(rendered.lines().count()));
        panic!(
            "docs/providers.md is out of date with `infra schema --json` (first difference at \
             line {}); regenerate it with `UPDATE_DOCS=1 cargo test --test docs_providers`",
            first + 1
        );
    }
}
