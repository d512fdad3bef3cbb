//! The chosen environment: its target, state location, protection and param values. Only the
//! chosen block is evaluated, so `env("AZURE_SUBSCRIPTION_ID")` in `prod` is not read when
//! planning `local`.

use super::build::Scope;
use super::expr::Cx;
use super::{NoKnowledge, Resolver};
use crate::check::ProgramData;
use crate::diag::{self, Diagnostic};
use crate::span::Span;
use crate::syntax::ast::{Expr, ExprKind};
use infra_provider_core::Value;
use infra_stdlib::Host;
use std::collections::{BTreeSet, HashMap};

#[derive(Debug, Clone, PartialEq)]
pub struct EnvironmentConfig {
    pub name: String,
    pub target: Target,
    /// A Hyper-V host for `hyperv.*` resources, beside (or instead of) the cloud target:
    /// `target = hyperv { ... }` or `target = [emulator {}, hyperv { ... }]`.
    pub hyperv: Option<HypervTarget>,
    pub state: StateConfig,
    /// Key sources and encryption at rest set in the `state` block (docs/state.md).
    pub state_keys: StateKeys,
    /// No delete or replace without `--allow-destroy`; sets `lifecycle.protect` everywhere.
    pub protect: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// No cloud: only built-in types.
    None,
    /// The built-in Azure emulator, on `port` if given.
    Emulator { port: Option<u16> },
    Azure {
        subscription: String,
        tenant: Option<String>,
        location: Option<String>,
    },
}

/// Where the Hyper-V provider runs its PowerShell: this machine when `host` is absent,
/// else over ssh. Empty strings count as absent, so `env("HYPERV_HOST", "")` can leave it out.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HypervTarget {
    pub host: Option<String>,
    pub user: Option<String>,
    pub port: Option<u16>,
    pub identity_file: Option<String>,
    pub known_hosts: Option<String>,
    /// The PowerShell program (and arguments, split at spaces): `pwsh` by default,
    /// `powershell.exe` for Windows PowerShell 5.1.
    pub pwsh: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StateConfig {
    /// A file under `.infra/` named after the environment, or `path`.
    Local { path: Option<String> },
    AzureBlob {
        account: String,
        container: String,
        key: String,
    },
}

/// A secret or key in a Key Vault: `vault` is the vault's name (`https://<name>.vault.azure.net`)
/// or its URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VaultItem {
    pub vault: String,
    pub name: String,
}

/// What wraps a state's data key when it is encrypted at rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Encryption {
    KeyVaultKey(VaultItem),
    KeyFile(String),
}

/// The `state` block's key settings: where the secret-fingerprint key comes from (`key_vault`,
/// `key_file`; none: `INFRA_STATE_KEY` or the default file) and the optional encryption at rest.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StateKeys {
    pub key_vault: Option<VaultItem>,
    pub key_file: Option<String>,
    pub encryption: Option<Encryption>,
}

type EnvResult = Result<(Option<EnvironmentConfig>, HashMap<String, Value>), Vec<Diagnostic>>;

/// How an environment's params are evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Params {
    /// Not at all: commands that only need to find the state (`state list`, `state unlock`)
    /// must not ask for secrets such as `env_secret(...)`.
    Skip,
    /// Every param must evaluate (plan, apply).
    Strict,
    /// A param that cannot be evaluated (a secret not set in this shell) becomes unknown, so
    /// that `infra output` can still show every output that does not need it.
    Lenient,
}

/// Evaluates the environment `name` (none: no config, no params).
pub(crate) fn evaluate_environment(
    data: &ProgramData,
    name: Option<&str>,
    host: &dyn Host,
    mode: Params,
) -> EnvResult {
    let Some(name) = name else {
        return Ok((None, HashMap::new()));
    };
    let Some(env) = data.environments.iter().find(|e| e.name.name == name) else {
        let known: Vec<&str> = data
            .environments
            .iter()
            .map(|e| e.name.name.as_str())
            .collect();
        let suggestion = diag::did_you_mean(name, known.iter().copied());
        return Err(vec![diag::names::unknown_environment(
            name,
            Span::NOWHERE,
            suggestion,
            &known,
        )]);
    };
    let scopes: [Scope; 0] = [];
    let cx = Cx::new(
        data,
        &scopes,
        &[],
        &[],
        None,
        host,
        &NoKnowledge as &dyn Resolver,
        None,
    );
    let mut config = EnvironmentConfig {
        name: name.to_string(),
        target: Target::None,
        hyperv: None,
        state: StateConfig::Local { path: None },
        state_keys: StateKeys::default(),
        protect: false,
    };
    let mut params = HashMap::new();
    let mut diags = Vec::new();
    for a in &env.body {
        let r = match a.name.name.as_str() {
            "target" => targets(&cx, &a.value, &mut config),
            "state" => tagged(&cx, &a.value)
                .and_then(|(tag, f)| {
                    Ok((
                        state(&tag, &f, a.value.span)?,
                        state_keys(&f, a.value.span)?,
                    ))
                })
                .map(|(s, k)| {
                    config.state = s;
                    config.state_keys = k;
                }),
            "protect" => value(&cx, &a.value).and_then(|v| match v {
                Value::Bool(b) => {
                    config.protect = b;
                    Ok(())
                }
                _ => Err(not_known("`protect`", "a bool", a.value.span)),
            }),
            "params" if mode == Params::Skip => Ok(()),
            "params" => match &a.value.kind {
                ExprKind::Object(entries) => {
                    for en in entries {
                        match cx.eval_top(&en.value, 0, &mut Vec::new(), &mut BTreeSet::new()) {
                            Ok(v) => {
                                params.insert(en.key.name.clone(), v);
                            }
                            Err(_) if mode == Params::Lenient => {
                                params.insert(en.key.name.clone(), Value::Unknown);
                            }
                            Err(d) => diags.push(d),
                        }
                    }
                    Ok(())
                }
                _ => Err(not_known("`params`", "an object", a.value.span)),
            },
            _ => Ok(()),
        };
        if let Err(d) = r {
            diags.push(d);
        }
    }
    if diags.is_empty() {
        Ok((Some(config), params))
    } else {
        Err(diags)
    }
}

fn not_known(what: &str, kind: &str, span: Span) -> Diagnostic {
    diag::eval::eval_error(
        format!("{what} must be {kind} known before apply"),
        span,
        "invalid value",
    )
}

/// Stands for an unset variable in an environment setting during validation.
const UNSET: &str = "(unset)";

/// A plain (not secret, known) value.
fn value(cx: &Cx<'_>, e: &Expr) -> Result<Value, Diagnostic> {
    let v = cx.eval_top(e, 0, &mut Vec::new(), &mut BTreeSet::new())?;
    if v.contains_secret() {
        return Err(diag::secrets::secret_to_plain(
            "an environment setting",
            e.span,
            None,
            "environment settings are shown in clear; pass credentials through the environment of the process instead",
        ));
    }
    if v.contains_unknown() {
        // Validation without the environment's variables (`validate --env E`): an unset
        // `env(...)` is the only unknown an environment block can hold, and its value does
        // not matter there (no cloud call, no state).
        if cx.host.unset_is_unknown() && matches!(v, Value::Unknown) {
            return Ok(Value::String(UNSET.to_string()));
        }
        return Err(not_known("an environment setting", "a value", e.span));
    }
    Ok(v)
}

/// Evaluated fields of a tagged value, with their spans for errors.
type Fields = HashMap<String, (Value, Span)>;

/// `tag { field = value, ... }` with its fields evaluated (spans kept for errors).
fn tagged(cx: &Cx<'_>, e: &Expr) -> Result<(String, Fields), Diagnostic> {
    let ExprKind::Tagged { tag, entries } = &e.kind else {
        return Err(not_known("this setting", "`kind { ... }`", e.span));
    };
    let mut fields = HashMap::new();
    for en in entries {
        fields.insert(en.key.name.clone(), (value(cx, &en.value)?, en.value.span));
    }
    Ok((tag.name.clone(), fields))
}

fn string(fields: &Fields, name: &str, span: Span) -> Result<Option<String>, Diagnostic> {
    match fields.get(name) {
        None => Ok(None),
        Some((Value::String(s), _)) => Ok(Some(s.clone())),
        Some((_, span)) => Err(not_known(&format!("`{name}`"), "a string", *span)),
    }
    .and_then(|v| {
        if v.as_deref() == Some("") {
            Err(not_known(&format!("`{name}`"), "a non-empty string", span))
        } else {
            Ok(v)
        }
    })
}

fn required(fields: &Fields, name: &str, span: Span) -> Result<String, Diagnostic> {
    string(fields, name, span)?.ok_or_else(|| not_known(&format!("`{name}`"), "a string", span))
}

fn target(tag: &str, fields: &Fields, span: Span) -> Result<Target, Diagnostic> {
    match tag {
        "azure" => Ok(Target::Azure {
            subscription: required(fields, "subscription", span)?,
            tenant: string(fields, "tenant", span)?,
            location: string(fields, "location", span)?,
        }),
        "emulator" => {
            let port = match fields.get("port") {
                None => None,
                Some((Value::Int(p), s)) => {
                    Some(u16::try_from(*p).map_err(|_| not_known("`port`", "a port number", *s))?)
                }
                Some((_, s)) => return Err(not_known("`port`", "an int", *s)),
            };
            Ok(Target::Emulator { port })
        }
        _ => Err(not_known(
            "`target`",
            "`azure { ... }`, `emulator { ... }` or `hyperv { ... }`",
            span,
        )),
    }
}

/// `target = KIND { ... }` or a list of them: at most one cloud and one Hyper-V host.
fn targets(cx: &Cx<'_>, e: &Expr, config: &mut EnvironmentConfig) -> Result<(), Diagnostic> {
    let items: Vec<&Expr> = match &e.kind {
        ExprKind::List(items) => items.iter().collect(),
        _ => vec![e],
    };
    let mut cloud = false;
    for item in items {
        let (tag, fields) = tagged(cx, item)?;
        if tag == "hyperv" {
            if config.hyperv.is_some() {
                return Err(diag::environment::duplicate_target("hyperv", item.span));
            }
            config.hyperv = Some(hyperv(&fields, item.span)?);
        } else {
            if cloud {
                return Err(diag::environment::duplicate_target("cloud", item.span));
            }
            cloud = true;
            config.target = target(&tag, &fields, item.span)?;
        }
    }
    Ok(())
}

fn hyperv(fields: &Fields, span: Span) -> Result<HypervTarget, Diagnostic> {
    let text = |name: &str| -> Result<Option<String>, Diagnostic> {
        match fields.get(name) {
            None => Ok(None),
            Some((Value::String(s), _)) if s.is_empty() || s == UNSET => Ok(None),
            Some((Value::String(s), _)) => Ok(Some(s.clone())),
            Some((_, span)) => Err(not_known(&format!("`{name}`"), "a string", *span)),
        }
    };
    let port = match fields.get("port") {
        None => None,
        Some((Value::Int(p), s)) => Some(
            u16::try_from(*p)
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| not_known("`port`", "a port number", *s))?,
        ),
        Some((_, s)) => return Err(not_known("`port`", "an int", *s)),
    };
    let t = HypervTarget {
        host: text("host")?,
        user: text("user")?,
        port,
        identity_file: text("identity_file")?,
        known_hosts: text("known_hosts")?,
        pwsh: text("pwsh")?,
    };
    let at = |name: &str| fields.get(name).map_or(span, |(_, s)| *s);
    for (name, v) in [("host", &t.host), ("user", &t.user)] {
        if let Some(v) = v
            && (v.starts_with('-') || v.chars().any(|c| c.is_whitespace() || c == '@'))
        {
            return Err(diag::environment::bad_hyperv(
                format!("`{v}` is not a valid ssh {name}"),
                at(name),
                "give the host name or address and the user apart: `host = \"hv01\", user = \"ci\"`",
            ));
        }
    }
    if t.host.is_none() {
        let ssh_only = [
            ("user", t.user.is_some()),
            ("port", t.port.is_some()),
            ("identity_file", t.identity_file.is_some()),
            ("known_hosts", t.known_hosts.is_some()),
        ];
        if let Some((name, _)) = ssh_only.iter().find(|(_, set)| *set) {
            return Err(diag::environment::bad_hyperv(
                format!("`{name}` is for ssh, but this Hyper-V target has no `host`"),
                at(name),
                "set `host` to reach the Hyper-V host over ssh, or remove the ssh settings to run PowerShell on this machine",
            ));
        }
    }
    Ok(t)
}

fn state(tag: &str, fields: &Fields, span: Span) -> Result<StateConfig, Diagnostic> {
    match tag {
        "local" => Ok(StateConfig::Local {
            path: string(fields, "path", span)?,
        }),
        "azure_blob" => Ok(StateConfig::AzureBlob {
            account: required(fields, "account", span)?,
            container: required(fields, "container", span)?,
            key: required(fields, "key", span)?,
        }),
        _ => Err(not_known(
            "`state`",
            "`local { ... }` or `azure_blob { ... }`",
            span,
        )),
    }
}

fn vault_item(v: &Value, what: &str, span: Span) -> Result<VaultItem, Diagnostic> {
    let field = |name: &str| match v {
        Value::Object(m) => match m.get(name) {
            Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
            _ => None,
        },
        _ => None,
    };
    match (field("vault"), field("name")) {
        (Some(vault), Some(name)) => Ok(VaultItem { vault, name }),
        _ => Err(diag::eval::eval_error(
            format!(
                "`{what}` must be `{{ vault = \"...\", name = \"...\" }}` with non-empty strings"
            ),
            span,
            "invalid value",
        )),
    }
}

fn state_keys(fields: &Fields, span: Span) -> Result<StateKeys, Diagnostic> {
    let key_vault = match fields.get("key_vault") {
        None => None,
        Some((v, s)) => Some(vault_item(v, "key_vault", *s)?),
    };
    let key_file = string(fields, "key_file", span)?;
    if key_vault.is_some() && key_file.is_some() {
        return Err(diag::eval::eval_error(
            "the secret-fingerprint key has one source: set `key_vault` or `key_file`, not both",
            span,
            "two key sources",
        ));
    }
    let encryption = match fields.get("encryption") {
        None => None,
        Some((Value::Object(m), s)) => match (m.get("key_vault_key"), m.get("key_file")) {
            (Some(v), None) => Some(Encryption::KeyVaultKey(vault_item(v, "key_vault_key", *s)?)),
            (None, Some(Value::String(f))) if !f.is_empty() => Some(Encryption::KeyFile(f.clone())),
            _ => {
                return Err(diag::eval::eval_error(
                    "`encryption` must be `{ key_vault_key = { vault = \"...\", name = \"...\" } }` \
                     or `{ key_file = \"...\" }` (one of them)",
                    *s,
                    "invalid value",
                ));
            }
        },
        Some((_, s)) => return Err(not_known("`encryption`", "an object", *s)),
    };
    Ok(StateKeys {
        key_vault,
        key_file,
        encryption,
    })
}
