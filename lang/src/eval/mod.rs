//! Evaluation: from a checked [`Program`] and an environment to the desired resources, their
//! dependency edges and the outputs. Values carry their markers: `Unknown` for what is only
//! known after apply, `Secret` for anything derived from a secret.
//!
//! Declarations are evaluated in the order the checker computed (dependencies first), so
//! evaluation never recurses from one declaration into another. What the engine knows about
//! resources (recorded state, provider predictions) comes in through a [`Resolver`].

// Diagnostics are the error type throughout evaluation: errors are the cold path, and the
// engine and CLI consume `Diagnostic` directly.
#![allow(clippy::result_large_err)]

mod build;
mod environment;
mod expr;
mod host;
mod ops;
mod place;
#[cfg(test)]
mod tests;

use crate::check::Program;
use crate::diag::{self, Diagnostic};
use crate::span::Span;
use infra_provider_core::{DesiredResource, Map, Value};
use infra_stdlib::Host;
use std::collections::{BTreeMap, HashMap};

pub use environment::{
    Encryption, EnvironmentConfig, HypervTarget, StateConfig, StateKeys, Target, VaultItem,
};

/// What the engine knows about a resource's attributes.
pub trait Resolver {
    /// Attributes known for the resource at `address` whose inputs evaluate to `inputs`
    /// (recorded state, a provider's prediction...); `None` when nothing is known.
    fn attributes(&self, address: &str, type_name: &str, inputs: &Map) -> Option<Map>;
}

/// A resolver that knows nothing: every attribute the cloud sets is `Unknown`.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoKnowledge;

impl Resolver for NoKnowledge {
    fn attributes(&self, _: &str, _: &str, _: &Map) -> Option<Map> {
        None
    }
}

/// The result of evaluating a program for one environment.
///
/// Deliberately not `Debug`: values inside are `Value::Secret` and must only leave through
/// `Value`'s redacting `Display` or `to_redacted_json`.
pub struct Evaluation {
    /// Every resource instance, in dependency order (ties by address).
    pub resources: Vec<DesiredResource>,
    /// Root outputs: value and whether the output is declared `secret`.
    pub outputs: BTreeMap<String, (Value, bool)>,
    pub environment: Option<EnvironmentConfig>,
    /// Params that could not be evaluated and were taken as unknown ([`evaluate_lenient`]
    /// only), sorted.
    pub unevaluated_params: Vec<String>,
    pub(crate) state: build::State,
}

impl Evaluation {
    /// Re-evaluates the properties of one resource instance with what `resolver` knows now
    /// (used during apply once upstream unknowns are known). Costs about the size of that
    /// resource's body: params, lets and outputs are taken from this evaluation, and only
    /// those that contained unknowns are recomputed.
    pub fn reevaluate(&self, address: &str, resolver: &dyn Resolver) -> Result<Map, Diagnostic> {
        let Some(&inst) = self.state.by_address.get(address) else {
            return Err(diag::eval::eval_error(
                format!("no resource `{address}` in this evaluation"),
                Span::NOWHERE,
                "unknown address",
            ));
        };
        let host = host::ReplayHost(&self.state.host_cache);
        let reeval = place::Reeval::default();
        let cx = self
            .state
            .cx(&self.resources, &host, resolver, Some(&reeval));
        cx.with_needs(|cx| cx.instance_properties(inst))
    }

    /// Re-evaluates the root outputs with what `resolver` knows now.
    pub fn reevaluate_outputs(
        &self,
        resolver: &dyn Resolver,
    ) -> Result<BTreeMap<String, (Value, bool)>, Vec<Diagnostic>> {
        let host = host::ReplayHost(&self.state.host_cache);
        let reeval = place::Reeval::default();
        let cx = self
            .state
            .cx(&self.resources, &host, resolver, Some(&reeval));
        let mut out = BTreeMap::new();
        let mut diags = Vec::new();
        for (name, d, secret) in self.state.root_outputs() {
            match cx.with_needs(|cx| cx.slot_value(0, d).map(|(v, _)| v)) {
                Ok(v) => {
                    out.insert(name.to_string(), (v, secret));
                }
                Err(e) => diags.push(e),
            }
        }
        if diags.is_empty() {
            Ok(out)
        } else {
            Err(diags)
        }
    }

    /// The cloud id an import block names for this environment: its string, or its
    /// expression evaluated with this evaluation's params and lets. An id not known before
    /// apply is an error.
    pub fn import_id(&self, block: &crate::check::ImportBlock) -> Result<String, Diagnostic> {
        let Some(e) = &block.id_expr else {
            return Ok(block.id.clone());
        };
        struct Nothing;
        impl Resolver for Nothing {
            fn attributes(&self, _: &str, _: &str, _: &Map) -> Option<Map> {
                None
            }
        }
        let host = host::ReplayHost(&self.state.host_cache);
        let cx = self.state.cx(&self.resources, &host, &Nothing, None);
        let mut locals = Vec::new();
        let mut deps = std::collections::BTreeSet::new();
        match cx.eval_top(e, 0, &mut locals, &mut deps)? {
            Value::String(s) => Ok(s),
            _ => Err(diag::eval::eval_error(
                "this import id is not known before apply",
                e.span,
                "not known yet",
            )),
        }
    }

    /// Frees what the resolver told the first evaluation about each resource (a copy of
    /// every resource's outputs). Re-evaluation asks its own resolver and never reads them;
    /// only [`Evaluation::import_id`] does, so call this once the import ids are known.
    pub fn forget_attributes(&mut self) {
        for i in &mut self.state.instances {
            i.attrs = None;
        }
    }

    /// Addresses of all resource instances, in the order of `resources`.
    pub fn addresses(&self) -> impl Iterator<Item = &str> {
        self.resources.iter().map(|r| r.address.as_str())
    }
}

/// Evaluates only the environment block `env` (target, state, protection): what commands that
/// work on state alone need, without evaluating the resources (or reading their secrets).
pub fn environment_config(
    program: &Program,
    env: &str,
    host: &dyn Host,
) -> Result<EnvironmentConfig, Vec<Diagnostic>> {
    let (config, _) = environment::evaluate_environment(
        &program.data,
        Some(env),
        host,
        environment::Params::Skip,
    )?;
    config.ok_or_else(|| {
        vec![diag::eval::eval_error(
            format!("environment `{env}` was not evaluated"),
            Span::NOWHERE,
            "unknown environment",
        )]
    })
}

/// Evaluates `program` for the environment `env` (`None`: no environment; params take their
/// defaults). Function effects go through `host`; attributes the cloud sets through
/// `resolver`.
pub fn evaluate(
    program: &Program,
    env: Option<&str>,
    host: &dyn Host,
    resolver: &dyn Resolver,
) -> Result<Evaluation, Vec<Diagnostic>> {
    evaluate_with_params(program, env, host, resolver, environment::Params::Strict)
}

/// As [`evaluate`], but a param that cannot be evaluated (an `env_secret` not set in this
/// shell) is unknown instead of an error: for reading outputs from state, where only the
/// outputs that need that param should suffer.
pub fn evaluate_lenient(
    program: &Program,
    env: Option<&str>,
    host: &dyn Host,
    resolver: &dyn Resolver,
) -> Result<Evaluation, Vec<Diagnostic>> {
    evaluate_with_params(program, env, host, resolver, environment::Params::Lenient)
}

fn evaluate_with_params(
    program: &Program,
    env: Option<&str>,
    host: &dyn Host,
    resolver: &dyn Resolver,
    mode: environment::Params,
) -> Result<Evaluation, Vec<Diagnostic>> {
    let recording = host::RecordingHost::new(host);
    let (environment, params) =
        environment::evaluate_environment(&program.data, env, &recording, mode)?;
    // An environment's params are known before apply: an unknown one is one that failed.
    let mut unevaluated_params: Vec<String> = params
        .iter()
        .filter(|(_, v)| matches!(v, Value::Unknown))
        .map(|(k, _)| k.clone())
        .collect();
    unevaluated_params.sort();
    let protect_all = environment.as_ref().is_some_and(|e| e.protect);
    let mut builder = build::Builder::new(program.clone(), &recording, resolver, protect_all);
    let inputs: HashMap<String, (Value, build::Deps)> = params
        .into_iter()
        .map(|(k, v)| (k, (v, build::Deps::default())))
        .collect();
    builder.run_root(inputs, env);
    let (resources, outputs, mut state, mut diags) = builder.finish();
    if !diags.is_empty() {
        diag::sort(&mut diags);
        return Err(diags);
    }
    state.host_cache = recording.into_cache();
    Ok(Evaluation {
        resources,
        outputs,
        environment,
        unevaluated_params,
        state,
    })
}
