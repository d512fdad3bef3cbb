//! Environment blocks: `target`, `state`, `params` and `protect`, checked against the root
//! module's params. Environment blocks see no declarations, only literals and functions.

use super::DeclKind;
use super::module::ModuleChecker;
use crate::diag;
use crate::span::Span;
use crate::syntax::ast::{self, Expr, ExprKind};
use infra_provider_core::{Field, Type};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

const SETTINGS: [&str; 4] = ["target", "state", "params", "protect"];

/// A tagged form allowed for a setting: its tag and fields (name, type, required).
struct Variant {
    tag: &'static str,
    fields: Vec<(&'static str, Type, bool)>,
}

fn targets() -> [Variant; 3] {
    [
        Variant {
            tag: "azure",
            fields: vec![
                ("subscription", Type::String, true),
                ("tenant", Type::String, false),
                ("location", Type::String, false),
            ],
        },
        Variant {
            tag: "emulator",
            fields: vec![("port", Type::Int, false)],
        },
        Variant {
            tag: "hyperv",
            fields: vec![
                ("host", Type::String, false),
                ("user", Type::String, false),
                ("port", Type::Int, false),
                ("identity_file", Type::String, false),
                ("known_hosts", Type::String, false),
                ("pwsh", Type::String, false),
            ],
        },
    ]
}

/// `{ vault = "...", name = "..." }`: a secret or key in a Key Vault.
fn vault_item() -> Type {
    Type::Object(vec![
        Field::required("vault", Type::String),
        Field::required("name", Type::String),
    ])
}

/// Where the secret-fingerprint key and the encryption at rest come from (docs/state.md).
fn key_fields() -> [(&'static str, Type, bool); 3] {
    [
        ("key_vault", vault_item(), false),
        ("key_file", Type::String, false),
        (
            "encryption",
            Type::Object(vec![
                Field::optional("key_vault_key", vault_item()),
                Field::optional("key_file", Type::String),
            ]),
            false,
        ),
    ]
}

fn states() -> [Variant; 2] {
    let mut local = vec![("path", Type::String, false)];
    local.extend(key_fields());
    let mut blob = vec![
        ("account", Type::String, true),
        ("container", Type::String, true),
        ("key", Type::String, true),
    ];
    blob.extend(key_fields());
    [
        Variant {
            tag: "local",
            fields: local,
        },
        Variant {
            tag: "azure_blob",
            fields: blob,
        },
    ]
}

impl ModuleChecker<'_> {
    /// Checks every environment block of the root module; with `chosen`, also that it exists
    /// (E0205) and gives every param without a default (E0308). Returns the blocks.
    pub(crate) fn check_environments(
        &mut self,
        chosen: Option<&str>,
    ) -> Vec<Arc<ast::Environment>> {
        let saved = std::mem::take(&mut self.locals);
        self.in_environment = true;
        let params: BTreeMap<String, (Type, bool)> = self
            .decls
            .iter()
            .filter(|d| d.kind == DeclKind::Param)
            .map(|d| {
                let has_default = matches!(&*d.item, ast::Item::Param(p) if p.default.is_some());
                (d.name.clone(), (d.ty.ty.clone(), has_default))
            })
            .collect();
        let envs = self.environments.clone();
        for env in &envs {
            let given = self.check_environment(env, &params);
            if chosen == Some(env.name.name.as_str()) {
                let missing: Vec<&str> = params
                    .iter()
                    .filter(|(k, (_, has_default))| !has_default && !given.contains_key(k.as_str()))
                    .map(|(k, _)| k.as_str())
                    .collect();
                if !missing.is_empty() {
                    self.diags.push(diag::types::missing_params(
                        Some(&env.name.name),
                        &missing,
                        env.name.span,
                    ));
                }
            }
        }
        if let Some(name) = chosen
            && !envs.iter().any(|e| e.name.name == name)
        {
            let known: Vec<&str> = envs.iter().map(|e| e.name.name.as_str()).collect();
            let suggestion = diag::did_you_mean(name, known.iter().copied());
            self.diags.push(diag::names::unknown_environment(
                name,
                Span::NOWHERE,
                suggestion,
                &known,
            ));
        }
        self.in_environment = false;
        self.locals = saved;
        envs
    }

    /// Returns the params the environment gives, with their spans.
    fn check_environment(
        &mut self,
        env: &ast::Environment,
        params: &BTreeMap<String, (Type, bool)>,
    ) -> HashMap<String, Span> {
        let mut seen: HashMap<&str, Span> = HashMap::new();
        let mut given = HashMap::new();
        for a in &env.body {
            if let Some(&first) = seen.get(a.name.name.as_str()) {
                self.diags.push(diag::types::duplicate_property(
                    &a.name.name,
                    a.name.span,
                    first,
                ));
                continue;
            }
            seen.insert(&a.name.name, a.name.span);
            match a.name.name.as_str() {
                "target" => self.check_targets(&a.value),
                "state" => self.check_tagged(&a.value, "state", &states()),
                "params" => given = self.check_env_params(&a.value, params),
                "protect" => {
                    self.check_value(&a.value, &Type::Bool);
                }
                other => {
                    let suggestion = diag::did_you_mean(other, SETTINGS);
                    let help = match suggestion {
                        Some(s) => format!(
                            "did you mean `{s}`? an environment sets target, state, params and protect"
                        ),
                        None => "an environment sets target, state, params and protect".to_string(),
                    };
                    self.diags.push(diag::types::bad_environment(
                        format!("unknown environment setting `{other}`"),
                        a.name.span,
                        Some(help),
                    ));
                    self.infer(&a.value);
                }
            }
        }
        given
    }

    /// One target, or a list of at most one cloud and one Hyper-V host (E1200).
    fn check_targets(&mut self, value: &Expr) {
        let ExprKind::List(items) = &value.kind else {
            self.check_tagged(value, "target", &targets());
            return;
        };
        let (mut cloud, mut hyperv) = (false, false);
        for item in items {
            self.check_tagged(item, "target", &targets());
            if let ExprKind::Tagged { tag, .. } = &item.kind {
                let seen = if tag.name == "hyperv" {
                    &mut hyperv
                } else {
                    &mut cloud
                };
                if *seen {
                    let kind = if tag.name == "hyperv" {
                        "hyperv"
                    } else {
                        "cloud"
                    };
                    self.diags
                        .push(diag::environment::duplicate_target(kind, item.span));
                }
                *seen = true;
            }
        }
    }

    fn check_tagged(&mut self, value: &Expr, setting: &str, variants: &[Variant]) {
        let forms = variants
            .iter()
            .map(|v| format!("`{} {{ ... }}`", v.tag))
            .collect::<Vec<_>>()
            .join(" or ");
        let ExprKind::Tagged { tag, entries } = &value.kind else {
            self.infer(value);
            self.diags.push(diag::types::bad_environment(
                format!("`{setting}` must be {forms}"),
                value.span,
                None,
            ));
            return;
        };
        let Some(variant) = variants.iter().find(|v| v.tag == tag.name) else {
            let suggestion = diag::did_you_mean(&tag.name, variants.iter().map(|v| v.tag));
            let help = match suggestion {
                Some(s) => format!("did you mean `{s}`? expected {forms}"),
                None => format!("expected {forms}"),
            };
            self.diags.push(diag::types::bad_environment(
                format!("unknown {setting} `{}`", tag.name),
                tag.span,
                Some(help),
            ));
            return;
        };
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for en in entries {
            if let Some(&first) = seen.get(en.key.name.as_str()) {
                self.diags.push(diag::types::duplicate_property(
                    &en.key.name,
                    en.key.span,
                    first,
                ));
                continue;
            }
            seen.insert(&en.key.name, en.key.span);
            match variant.fields.iter().find(|(n, _, _)| *n == en.key.name) {
                Some((name, ty, _)) => {
                    self.secret_origin = None;
                    let got = self.check_value(&en.value, ty);
                    self.secret_into_plain(
                        &got,
                        &format!("the {setting} setting `{name}`"),
                        en.value.span,
                        "environment settings are shown in clear; pass credentials through the environment of the process instead",
                    );
                }
                None => {
                    let suggestion =
                        diag::did_you_mean(&en.key.name, variant.fields.iter().map(|(n, _, _)| *n));
                    let owner = format!("{setting} `{}`", variant.tag);
                    self.diags.push(diag::types::unknown_property(
                        &owner,
                        &en.key.name,
                        en.key.span,
                        suggestion,
                    ));
                    self.infer(&en.value);
                }
            }
        }
        let missing: Vec<&str> = variant
            .fields
            .iter()
            .filter(|(n, _, req)| *req && !seen.contains_key(n))
            .map(|(n, _, _)| *n)
            .collect();
        if !missing.is_empty() {
            let owner = format!("{setting} `{}`", variant.tag);
            self.diags
                .push(diag::types::missing_properties(&owner, &missing, tag.span));
        }
    }

    fn check_env_params(
        &mut self,
        value: &Expr,
        params: &BTreeMap<String, (Type, bool)>,
    ) -> HashMap<String, Span> {
        let mut given: HashMap<String, Span> = HashMap::new();
        let ExprKind::Object(entries) = &value.kind else {
            self.infer(value);
            self.diags.push(diag::types::bad_environment(
                "`params` must be an object: `params = { name = value, ... }`",
                value.span,
                None,
            ));
            return given;
        };
        for en in entries {
            if let Some(&first) = given.get(&en.key.name) {
                self.diags.push(diag::types::duplicate_property(
                    &en.key.name,
                    en.key.span,
                    first,
                ));
                continue;
            }
            given.insert(en.key.name.clone(), en.key.span);
            match params.get(&en.key.name) {
                Some((ty, _)) => {
                    self.secret_origin = None;
                    let got = self.check_value(&en.value, ty);
                    let what = format!("param `{}`", en.key.name);
                    let help = format!("declare the param as `param {}: secret`", en.key.name);
                    self.secret_into_param(&got, ty, &what, en.value.span, &help);
                }
                None => {
                    let suggestion =
                        diag::did_you_mean(&en.key.name, params.keys().map(String::as_str));
                    self.diags.push(diag::types::unknown_param(
                        &en.key.name,
                        en.key.span,
                        suggestion,
                    ));
                    self.infer(&en.value);
                }
            }
        }
        given
    }
}
