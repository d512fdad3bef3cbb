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
    md
}

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
