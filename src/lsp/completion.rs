//! `textDocument/completion`: resource types after `resource x: `, property names (with type
//! and docs) inside a resource body, enum values after `prop = `, members after `x.`,
//! keywords at the start of a statement, and otherwise the names of the module and the
//! built-in functions.

use super::context::{self, Context};
use super::describe;
use super::position::LineIndex;
use infra_lang::syntax::ast::{self, Item};
use infra_provider_core::{SchemaSet, Type};
use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionTextEdit, Documentation, MarkupContent,
    MarkupKind, Position, TextEdit,
};

const KEYWORDS: [&str; 7] = [
    "resource",
    "existing",
    "param",
    "let",
    "output",
    "module",
    "environment",
];
const META: [(&str, &str); 6] = [
    (
        "depends_on",
        "Extra dependencies: resources to create before this one.",
    ),
    ("protect", "Refuse to delete or replace this resource."),
    (
        "delete_unmanaged",
        "Let this group's delete or replacement take objects infra does not manage.",
    ),
    ("ignore_changes", "Properties whose drift the plan ignores."),
    (
        "create_before_destroy",
        "On replacement, create the new object before deleting the old one.",
    ),
    (
        "timeouts",
        "Per-operation time limits: `create`, `update`, `delete`.",
    ),
];
const PRIMITIVES: [&str; 6] = ["string", "int", "float", "bool", "any", "secret"];

/// What completion needs besides the text: the schemas and the declarations in scope.
pub struct Scope<'a> {
    pub schemas: &'a SchemaSet,
    /// Items of the document's module (every file of its folder).
    pub items: Vec<&'a Item>,
    /// The output names of each `module` block's module, by block name.
    pub module_outputs: Vec<(String, Vec<String>)>,
}

pub fn complete(text: &str, position: Position, scope: &Scope<'_>) -> Vec<CompletionItem> {
    let idx = LineIndex::new(text);
    let offset = idx.offset(position);
    let edit = |start: usize, new_text: String| {
        Some(CompletionTextEdit::Edit(TextEdit::new(
            idx.range(start, offset),
            new_text,
        )))
    };
    match context::at(text, offset) {
        Context::TypeName { start, params } => {
            let mut items: Vec<CompletionItem> = scope
                .schemas
                .iter()
                .map(|s| CompletionItem {
                    label: s.type_name.clone(),
                    kind: Some(CompletionItemKind::CLASS),
                    detail: Some(first_sentence(&s.description)),
                    documentation: Some(markdown(describe::resource_type(s))),
                    text_edit: edit(start, s.type_name.clone()),
                    ..Default::default()
                })
                .collect();
            if params {
                items.extend(PRIMITIVES.iter().map(|p| CompletionItem {
                    label: p.to_string(),
                    kind: Some(CompletionItemKind::KEYWORD),
                    text_edit: edit(start, p.to_string()),
                    ..Default::default()
                }));
            }
            items
        }
        Context::TypeRef { start, typed } => super::typed::type_refs(scope.schemas, &typed)
            .into_iter()
            .map(|mut item| {
                let new_text = item
                    .insert_text
                    .take()
                    .unwrap_or_else(|| item.label.clone());
                item.text_edit = edit(start, new_text);
                item
            })
            .collect(),
        Context::EnvironmentSetting { path, start } => environment_settings(scope, &path)
            .into_iter()
            .map(|mut item| {
                item.text_edit = edit(start, format!("{} = ", item.label));
                item
            })
            .collect(),
        Context::PropertyName {
            resource_type,
            path,
            start,
        } => property_names(scope.schemas, &resource_type, &path)
            .into_iter()
            .map(|mut item| {
                item.text_edit = edit(start, format!("{} = ", item.label));
                item
            })
            .collect(),
        Context::PropertyValue {
            resource_type,
            path,
            start,
            quoted,
        } => {
            let path: Vec<&str> = path.iter().map(String::as_str).collect();
            let schema = scope.schemas.get(&resource_type);
            let typed_enum = schema
                .and_then(|s| s.typed.as_ref())
                .map(|t| super::typed::enum_values(t, &path))
                .filter(|v| !v.is_empty())
                .map(Type::Enum);
            let ty = typed_enum
                .as_ref()
                .or_else(|| schema.and_then(|s| describe::property_type(s, &path)));
            let mut items = match ty {
                Some(Type::Enum(values)) => values
                    .iter()
                    .map(|v| CompletionItem {
                        label: format!("\"{v}\""),
                        kind: Some(CompletionItemKind::ENUM_MEMBER),
                        filter_text: Some(format!("\"{v}")),
                        text_edit: edit(start, format!("\"{v}\"")),
                        ..Default::default()
                    })
                    .collect(),
                Some(Type::Bool) if !quoted => ["true", "false"]
                    .iter()
                    .map(|b| CompletionItem {
                        label: b.to_string(),
                        kind: Some(CompletionItemKind::VALUE),
                        ..Default::default()
                    })
                    .collect(),
                _ => Vec::new(),
            };
            if !quoted {
                items.extend(expression_items(scope));
            }
            items
        }
        Context::Member { base, .. } => member_items(scope, &base),
        Context::Keyword { .. } => KEYWORDS
            .iter()
            .map(|k| CompletionItem {
                label: k.to_string(),
                kind: Some(CompletionItemKind::KEYWORD),
                ..Default::default()
            })
            .collect(),
        Context::Expression { .. } => expression_items(scope),
    }
}

/// The `state` block's key settings (docs/state.md).
const KEY_VAULT_FIELD: (&str, &str) = (
    "key_vault",
    "The secret-fingerprint key from a Key Vault secret: `{ vault = \"...\", name = \"...\" }`.",
);
const ENCRYPTION_FIELD: (&str, &str) = (
    "encryption",
    "Encrypt state, journal and saved plans at rest: `{ key_vault_key = { vault = \"...\", name = \"...\" } }` or `{ key_file = \"...\" }`.",
);
const KEY_FILE_FIELD: (&str, &str) = (
    "key_file",
    "The secret-fingerprint key from this file (default for local state: under ~/.config/infra/keys).",
);

/// Settings of an `environment` block (docs/environments.md), and inside `params = { }` the
/// params the project declares.
fn environment_settings(scope: &Scope<'_>, path: &[String]) -> Vec<CompletionItem> {
    let fixed: &[(&str, &str)] = match path {
        [] => &[
            (
                "target",
                "Where resources go: `azure { subscription = \"...\" }` or `emulator { }`.",
            ),
            (
                "state",
                "Where state is kept: `local { }` (default) or `azure_blob { account, container, key }`.",
            ),
            (
                "params",
                "Values of the project's params for this environment.",
            ),
            (
                "protect",
                "`true`: nothing in this environment is deleted or replaced without --allow-destroy.",
            ),
        ],
        [t, tag] if t == "target" && tag == "azure" => &[
            ("subscription", "The Azure subscription id (required)."),
            ("tenant", "The Entra tenant id."),
            (
                "location",
                "The default location for resources that name none.",
            ),
        ],
        [t, tag] if t == "target" && tag == "emulator" => {
            &[("port", "A fixed loopback port for the embedded emulator.")]
        }
        [s, tag] if s == "state" && tag == "azure_blob" => &[
            ("account", "The storage account (required)."),
            ("container", "The blob container (required)."),
            ("key", "The state blob's name, e.g. `prod.json` (required)."),
            KEY_VAULT_FIELD,
            KEY_FILE_FIELD,
            ENCRYPTION_FIELD,
        ],
        [s, tag] if s == "state" && tag == "local" => &[
            (
                "path",
                "Where the state file is kept (default .infra/<env>.state.json).",
            ),
            KEY_VAULT_FIELD,
            KEY_FILE_FIELD,
            ENCRYPTION_FIELD,
        ],
        [p] if p == "params" => {
            return scope
                .items
                .iter()
                .filter_map(|i| match i {
                    Item::Param(p) => Some(CompletionItem {
                        label: p.name.name.clone(),
                        kind: Some(CompletionItemKind::VARIABLE),
                        detail: Some(format!(
                            "param{}",
                            if p.default.is_some() {
                                " (has a default)"
                            } else {
                                ""
                            }
                        )),
                        // Params without a default first: every environment must give them.
                        sort_text: Some(format!(
                            "{}{}",
                            u8::from(p.default.is_some()),
                            p.name.name
                        )),
                        ..Default::default()
                    }),
                    _ => None,
                })
                .collect();
        }
        _ => &[],
    };
    fixed
        .iter()
        .map(|(name, doc)| CompletionItem {
            label: name.to_string(),
            kind: Some(CompletionItemKind::PROPERTY),
            documentation: Some(markdown(doc.to_string())),
            ..Default::default()
        })
        .collect()
}

fn property_names(
    schemas: &SchemaSet,
    resource_type: &str,
    path: &[String],
) -> Vec<CompletionItem> {
    let Some(schema) = schemas.get(resource_type) else {
        return Vec::new();
    };
    if let Some(t) = &schema.typed {
        let at: Vec<&str> = path.iter().map(String::as_str).collect();
        let mut items = super::typed::property_items(t, &at);
        if path.is_empty() {
            items.extend(
                ["resource_group", "parent", "scope"]
                    .iter()
                    .filter(|p| schema.properties.contains_key(**p))
                    .map(|p| CompletionItem {
                        label: p.to_string(),
                        kind: Some(CompletionItemKind::PROPERTY),
                        detail: Some("placement".to_string()),
                        sort_text: Some(format!("0{p}")),
                        ..Default::default()
                    }),
            );
            items.extend(meta_items());
        }
        return items;
    }
    if path.is_empty() {
        let mut items: Vec<CompletionItem> = schema
            .inputs()
            .map(|(name, p)| CompletionItem {
                label: name.clone(),
                kind: Some(CompletionItemKind::PROPERTY),
                detail: Some(describe::property_detail(name, p)),
                documentation: Some(markdown(describe::property(&schema.type_name, name, p))),
                // Required properties first.
                sort_text: Some(format!("{}{name}", if p.required { 0 } else { 1 })),
                ..Default::default()
            })
            .collect();
        items.extend(meta_items());
        return items;
    }
    let path: Vec<&str> = path.iter().map(String::as_str).collect();
    let Some(ty) = describe::property_type(schema, &path) else {
        return Vec::new();
    };
    describe::fields(ty)
        .into_iter()
        .map(|(name, ty, optional)| CompletionItem {
            label: name.to_string(),
            kind: Some(CompletionItemKind::FIELD),
            detail: Some(format!(
                "{name}: {ty}{}",
                if optional { "" } else { " (required)" }
            )),
            sort_text: Some(format!("{}{name}", u8::from(optional))),
            ..Default::default()
        })
        .collect()
}

fn meta_items() -> impl Iterator<Item = CompletionItem> {
    META.iter().map(|(name, doc)| CompletionItem {
        label: name.to_string(),
        kind: Some(CompletionItemKind::KEYWORD),
        detail: Some("lifecycle".to_string()),
        documentation: Some(markdown(doc.to_string())),
        sort_text: Some(format!("2{name}")),
        ..Default::default()
    })
}

/// Properties of a resource named `base` (outputs included: they are what `x.` reads), or
/// the outputs of a module block named `base`.
fn member_items(scope: &Scope<'_>, base: &str) -> Vec<CompletionItem> {
    let resource_type = scope.items.iter().find_map(|item| match item {
        Item::Resource(r) if r.name.name == base => Some(r.type_name.name.as_str()),
        Item::Param(p) if p.name.name == base => match &p.ty.kind {
            ast::TypeExprKind::Named(n) => Some(n.as_str()),
            _ => None,
        },
        _ => None,
    });
    let Some(schema) = resource_type.and_then(|t| scope.schemas.get(t)) else {
        let outputs = scope.module_outputs.iter().find(|(m, _)| m == base);
        return outputs
            .map(|(_, names)| {
                names
                    .iter()
                    .map(|n| CompletionItem {
                        label: n.clone(),
                        kind: Some(CompletionItemKind::PROPERTY),
                        detail: Some(format!("output of module `{base}`")),
                        ..Default::default()
                    })
                    .collect()
            })
            .unwrap_or_default();
    };
    let mut items: Vec<CompletionItem> = schema
        .properties
        .iter()
        .map(|(name, p)| CompletionItem {
            label: name.clone(),
            kind: Some(CompletionItemKind::PROPERTY),
            detail: Some(describe::property_detail(name, p)),
            documentation: Some(markdown(describe::property(&schema.type_name, name, p))),
            ..Default::default()
        })
        .collect();
    if !schema.properties.contains_key("id") {
        items.push(CompletionItem {
            label: "id".to_string(),
            kind: Some(CompletionItemKind::PROPERTY),
            detail: Some("id: string (output)".to_string()),
            ..Default::default()
        });
    }
    items
}

fn expression_items(scope: &Scope<'_>) -> Vec<CompletionItem> {
    let mut items: Vec<CompletionItem> = scope
        .items
        .iter()
        .filter(|i| !matches!(i, Item::Output(_) | Item::Environment(_) | Item::Import(_)))
        .map(|item| {
            let (kind, detail) = match item {
                Item::Function(f) => (
                    CompletionItemKind::FUNCTION,
                    format!("fn {}({} parameters)", f.name.name, f.params.len()),
                ),
                Item::Param(_) => (CompletionItemKind::VARIABLE, "param".to_string()),
                Item::Let(_) => (CompletionItemKind::VARIABLE, "let".to_string()),
                Item::Resource(r) => (CompletionItemKind::CLASS, r.type_name.name.clone()),
                _ => (CompletionItemKind::MODULE, "module".to_string()),
            };
            CompletionItem {
                label: item.name().name.clone(),
                kind: Some(kind),
                detail: Some(detail),
                sort_text: Some(format!("0{}", item.name().name)),
                ..Default::default()
            }
        })
        .collect();
    items.extend(infra_stdlib::signatures().iter().map(|sig| CompletionItem {
        label: sig.name.to_string(),
        kind: Some(CompletionItemKind::FUNCTION),
        detail: Some(sig.synopsis()),
        documentation: Some(markdown(describe::function(sig))),
        sort_text: Some(format!("1{}", sig.name)),
        ..Default::default()
    }));
    items.extend(["true", "false", "null"].iter().map(|k| CompletionItem {
        label: k.to_string(),
        kind: Some(CompletionItemKind::KEYWORD),
        sort_text: Some(format!("2{k}")),
        ..Default::default()
    }));
    items
}

fn markdown(value: String) -> Documentation {
    Documentation::MarkupContent(MarkupContent {
        kind: MarkupKind::Markdown,
        value,
    })
}

fn first_sentence(text: &str) -> String {
    match text.find(". ") {
        Some(i) => text[..=i].to_string(),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use infra_provider_core::{PropertySchema as P, ResourceSchema};

    fn schemas() -> SchemaSet {
        let mut set = SchemaSet::new();
        set.add(
            ResourceSchema::new("test.vault", "A vault. For tests.")
                .prop(
                    "name",
                    P::input(Type::String).required().doc("The vault's name."),
                )
                .prop(
                    "sku",
                    P::input(Type::enumeration(&["standard", "premium"])).doc("Tier."),
                )
                .prop("uri", P::output(Type::String).doc("Where it answers.")),
        );
        set
    }

    fn labels(text_with_cursor: &str, items: &[&Item]) -> Vec<String> {
        let offset = text_with_cursor.find('|').unwrap();
        let text = text_with_cursor.replace('|', "");
        let set = schemas();
        let scope = Scope {
            schemas: &set,
            items: items.to_vec(),
            module_outputs: vec![("web".into(), vec!["url".into()])],
        };
        let position = LineIndex::new(&text).position(offset);
        complete(&text, position, &scope)
            .into_iter()
            .map(|i| i.label)
            .collect()
    }

    #[test]
    fn offers_input_properties_and_lifecycle_but_not_outputs() {
        let got = labels("resource v: test.vault {\n  |\n}\n", &[]);
        assert!(got.contains(&"name".to_string()), "{got:?}");
        assert!(got.contains(&"protect".to_string()), "{got:?}");
        assert!(
            !got.contains(&"uri".to_string()),
            "outputs cannot be set: {got:?}"
        );
    }

    #[test]
    fn offers_enum_values_types_and_members() {
        let got = labels("resource v: test.vault {\n  sku = |\n}\n", &[]);
        assert!(got.starts_with(&["\"standard\"".to_string(), "\"premium\"".to_string()]));
        assert_eq!(labels("resource v: te|", &[]), vec!["test.vault"]);
        let (file, _) = infra_lang::syntax::parse(
            infra_lang::FileId(0),
            "resource v: test.vault { name = \"a\" }\n",
        );
        let items: Vec<&Item> = file.items.iter().collect();
        let got = labels("output u = v.|", &items);
        assert!(got.contains(&"uri".to_string()), "{got:?}");
        assert_eq!(labels("output o = web.|", &items), vec!["url"]);
        let got = labels("let x = |", &items);
        assert!(
            got.contains(&"v".to_string()) && got.contains(&"lower".to_string()),
            "{got:?}"
        );
    }

    #[test]
    fn offers_environment_settings_and_the_projects_params() {
        let got = labels("environment local {\n  |\n}\n", &[]);
        assert_eq!(got, ["target", "state", "params", "protect"]);
        let got = labels("environment prod {\n  target = azure { | }\n}\n", &[]);
        assert_eq!(got, ["subscription", "tenant", "location"]);
        let got = labels("environment prod {\n  state = azure_blob {\n    |", &[]);
        assert_eq!(
            got,
            [
                "account",
                "container",
                "key",
                "key_vault",
                "key_file",
                "encryption"
            ]
        );
        let (file, _) = infra_lang::syntax::parse(
            infra_lang::FileId(0),
            "param image: string\nparam region: string = \"westeurope\"\nlet x = 1\n",
        );
        let items: Vec<&Item> = file.items.iter().collect();
        let got = labels("environment prod {\n  params = {\n    |\n  }\n}\n", &items);
        assert_eq!(got, ["image", "region"]);
    }

    #[test]
    fn never_panics_at_any_position_of_half_written_text() {
        let text = "param p: str\u{e9}ng = \"caf\u{e9} ${lower(\"\u{1F511}\")}\" # {\n\
                    resource v: test.vault {\n  name = \"a{\" /* } */\n  sku = [{ x = \n\
                    }\n  tags = { a = v. }\nlet q = v.na\nresource w: te";
        let set = schemas();
        let scope = Scope {
            schemas: &set,
            items: Vec::new(),
            module_outputs: Vec::new(),
        };
        let idx = LineIndex::new(text);
        for (i, _) in text.char_indices() {
            let _ = complete(text, idx.position(i), &scope);
        }
        for line in 0..12 {
            for character in [0, 3, 7, 200] {
                let _ = complete(text, Position::new(line, character), &scope);
            }
        }
    }
}
