//! Shared glue for the commands that work on an environment: load and check the project,
//! evaluate the environment, find and lock its state, build the providers, plan.
//!
//! Every function here prints its own error and returns the exit code to use (`Err(1)`), so
//! that commands stay a straight line of `?`.

use super::host::ProcessHost;
use super::output::Output;
use super::{providers, schemas};
use infra::engine::{self, Plan, PlanInput, PlanOptions, ProviderSet};
use infra::state::{BlobStore, LocalStore, SecretKey, State, StateStore, StoreLock};
use infra_lang::check::{CheckOptions, Program, check_with};
use infra_lang::eval::{EnvironmentConfig, Evaluation, Resolver, StateConfig, Target, evaluate};
use infra_lang::project::Project;
use infra_lang::span::SourceMap;
use infra_provider_core::{Cancel, Map, PlanRequest, Props, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Prints `error: {msg}` and gives exit code 1.
pub fn fail(msg: impl std::fmt::Display) -> u8 {
    if super::logs::json() {
        super::logs::emit("error", serde_json::json!({ "message": msg.to_string() }));
    } else {
        eprintln!("error: {msg}");
    }
    1
}

/// A checked project.
pub struct Checked {
    pub dir: PathBuf,
    /// The source text (diagnostics, the saved plan's configuration hash). The syntax trees
    /// are dropped once checked: the program holds what evaluation needs.
    pub sources: SourceMap,
    pub program: Program,
}

/// Loads and checks the project for `env`; diagnostics are printed (errors give exit 1).
pub fn load_checked(dir: &Path, env: &str, out: &Output) -> Result<Checked, u8> {
    let project = Project::load(dir).map_err(fail)?;
    let options = CheckOptions {
        environment: Some(env.to_string()),
    };
    let checked = check_with(&project, &schemas::all(), &options);
    let shown: Vec<_> = if out.quiet {
        checked
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .cloned()
            .collect()
    } else {
        checked.diagnostics.clone()
    };
    if !shown.is_empty() {
        out.diagnostics(&shown, &project.sources);
    }
    match (checked.has_errors(), checked.program) {
        (false, Some(program)) => Ok(Checked {
            dir: dir.to_path_buf(),
            sources: project.sources,
            program,
        }),
        _ => {
            eprintln!(
                "error: the configuration has errors (above); `infra validate` shows them too"
            );
            Err(1)
        }
    }
}

/// The environment's settings (target, state, protection), without evaluating resources.
pub fn env_config(c: &Checked, env: &str, out: &Output) -> Result<EnvironmentConfig, u8> {
    let host = ProcessHost::new(&c.dir);
    infra_lang::eval::environment_config(&c.program, env, &host).map_err(|diags| {
        out.diagnostics(&diags, &c.sources);
        1
    })
}

/// The state store of an environment: `DIR/.infra/<env>.*` for local state, a blob for
/// `azure_blob` (endpoint and credentials from the process environment).
pub fn store_for(dir: &Path, config: &EnvironmentConfig) -> Result<StateStore, u8> {
    let keys = super::state_keys::key_config(dir, config);
    match &config.state {
        StateConfig::Local { path: None } => Ok(StateStore::Local(
            LocalStore::new(dir.join(".infra"), &config.name).with_keys(keys),
        )),
        StateConfig::Local { path: Some(p) } => Err(fail(format!(
            "environment `{}`: `state = local {{ path = \"{p}\" }}` is not supported yet; remove \
             `path` to keep the state in .infra/{}.state.json",
            config.name, config.name
        ))),
        StateConfig::AzureBlob {
            account,
            container,
            key,
        } => BlobStore::from_env(account, container, key, &config.name)
            .map(|store| {
                let mut unlock = format!("infra state unlock --env {}", config.name);
                if dir != Path::new(".") {
                    unlock.push_str(&format!(" --dir {}", dir.display()));
                }
                StateStore::Blob(store.with_unlock_command(unlock).with_keys(keys))
            })
            .map_err(|e| fail(format!("environment `{}`: {e}", config.name))),
    }
}

/// A short id for this run, recorded in the lock.
pub fn run_id() -> String {
    let l = infra::state::new_lineage();
    format!("r-{}", &l[..8])
}

/// Locks the state, waiting up to `--lock-timeout` for another run to release it.
pub fn lock(store: &StateStore, operation: &str, out: &Output) -> Result<StoreLock, u8> {
    super::lock_wait::lock(store, &run_id(), operation, out).map_err(fail)
}

/// Hash of the configuration a saved plan binds to: every source file (path relative to the
/// project, bytes), the environment's name, and a keyed hash of every secret input as now
/// evaluated, so that a plan reviewed with one secret cannot be applied with another (secret
/// changes show only as `(secret) -> (secret)` in the plan itself).
pub fn config_hash(c: &Checked, env: &str, evaluation: &Evaluation, key: &SecretKey) -> String {
    let mut parts: Vec<(String, Vec<u8>)> = c
        .sources
        .files()
        .map(|(_, f)| {
            let rel = f.path.strip_prefix(&c.dir).unwrap_or(&f.path);
            (
                format!("file:{}", rel.display()),
                f.text.as_bytes().to_vec(),
            )
        })
        .collect();
    parts.push(("environment".into(), env.as_bytes().to_vec()));
    for r in &evaluation.resources {
        for (name, value) in r.properties.iter().filter(|(_, v)| v.contains_secret()) {
            parts.push((
                format!("secret:{}.{name}", r.address),
                key.hash(value).into_bytes(),
            ));
        }
    }
    engine::config_hash(&parts)
}

/// Answers the evaluator from recorded state and the provider's prediction: for `core.data`
/// the output is the input, known before apply.
pub struct StateResolver<'a> {
    pub state: &'a State,
    pub providers: &'a ProviderSet,
}

impl Resolver for StateResolver<'_> {
    fn attributes(&self, address: &str, type_name: &str, inputs: &Map) -> Option<Map> {
        let record = self
            .state
            .resources
            .get(address)
            .filter(|r| r.type_name == type_name);
        let prior = record.map(|r| r.object_state());
        let provider = self.providers.provider(type_name)?;
        let req = PlanRequest {
            type_name,
            address,
            desired: inputs,
            prior: prior.as_ref(),
        };
        match provider.plan(req) {
            Ok(planned) => Some(planned.predicted_outputs),
            Err(_) => record.map(|r| r.output_values()),
        }
    }
}

/// Answers from the outputs the engine knows while planning or applying.
pub struct KnownOutputs<'a>(pub &'a dyn Fn(&str) -> Option<Props>);

impl Resolver for KnownOutputs<'_> {
    fn attributes(&self, address: &str, _: &str, _: &Map) -> Option<Map> {
        (self.0)(address)
    }
}

/// Evaluates the program for `env`, with what the state knows.
pub fn evaluate_with(
    c: &Checked,
    env: &str,
    resolver: &dyn Resolver,
    out: &Output,
) -> Result<Evaluation, u8> {
    let host = ProcessHost::new(&c.dir);
    evaluate(&c.program, Some(env), &host, resolver).map_err(|diags| {
        out.diagnostics(&diags, &c.sources);
        eprintln!("error: evaluation for environment `{env}` failed (above)");
        1
    })
}

pub fn runtime() -> Result<tokio::runtime::Runtime, u8> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| fail(format!("cannot start the async runtime: {e}")))
}

/// Everything a command needs to plan or apply one environment, with the state locked.
pub struct Session {
    pub checked: Checked,
    pub env: String,
    pub store: StateStore,
    pub providers: ProviderSet,
    pub key: SecretKey,
    pub state: State,
    pub _lock: StoreLock,
    /// The embedded emulator, for `target = emulator {}`: runs as long as the session.
    pub emulator: Option<infra_emulator::Emulator>,
}

impl Session {
    /// Stops the embedded emulator (saving its data) and releases the lock; the rest is left
    /// to the end of the process (see [`leak_on_exit`]).
    pub fn finish(self, rt: &tokio::runtime::Runtime) {
        let Session {
            checked,
            store,
            providers,
            state,
            _lock,
            emulator,
            ..
        } = self;
        if let Some(emulator) = emulator {
            rt.block_on(emulator.shutdown());
        }
        drop(_lock);
        leak_on_exit((checked, store, providers, state));
    }
}

/// Skips freeing large structures (tens of milliseconds for a 5,000-resource project) when the
/// process is about to end anyway: the operating system takes the memory back at once.
/// Only for values without side effects on drop.
pub fn leak_on_exit<T>(value: T) {
    std::mem::forget(value);
}

/// Loads, checks, locks and reads the state of `env` for `operation` (`plan`, `apply`...).
pub fn open_session(
    dir: &Path,
    env: &str,
    operation: &str,
    rt: &tokio::runtime::Runtime,
    out: &Output,
) -> Result<Session, u8> {
    let checked = load_checked(dir, env, out)?;
    let config = env_config(&checked, env, out)?;
    let store = store_for(dir, &config)?;
    let lock = lock(&store, operation, out)?;
    let loaded = store.load().map_err(fail)?;
    if loaded.recovered > 0 || !loaded.skipped_journal_lines.is_empty() {
        out.info(&format!(
            "recovered {} finished resource(s) from an apply that did not complete",
            loaded.recovered
        ));
        for l in &loaded.skipped_journal_lines {
            out.info(&format!("  skipped journal line {}: {}", l.line, l.reason));
        }
        if let Some(kept) = &loaded.journal_kept_as {
            out.info(&format!(
                "  the journal was kept as {kept}: the skipped records' resources may exist \
                 without being in the state; `infra plan` shows what differs, `infra import` adopts them"
            ));
        }
    }
    let found = store.secret_key(&loaded.state.lineage).map_err(fail)?;
    if let Some(note) = &found.note {
        out.info(note);
    }
    let key = found.key;
    let emulator = match &config.target {
        Target::Emulator { port } => Some(start_emulator(dir, *port, rt, out)?),
        _ => None,
    };
    let endpoint = emulator.as_ref().map(|e| e.base_url());
    let providers =
        providers::for_target(&config.target, config.hyperv.as_ref(), endpoint.as_deref())
            .map_err(fail)?;
    Ok(Session {
        checked,
        env: env.to_string(),
        store,
        providers,
        key,
        state: loaded.state,
        _lock: lock,
        emulator,
    })
}

/// Starts the embedded Azure emulator on a loopback port (a free one unless the environment
/// names it) with its data under `DIR/.infra/emulator/`, so that local resources survive
/// between runs exactly as cloud ones would.
fn start_emulator(
    dir: &Path,
    port: Option<u16>,
    rt: &tokio::runtime::Runtime,
    out: &Output,
) -> Result<infra_emulator::Emulator, u8> {
    // The port is part of what the cloud answers (a vault's URI), so it must be the same on
    // every run of the project: derived from the project's path unless the environment names
    // one; the next few ports are tried if it is taken.
    // The port first used is recorded beside the emulator's data, so that a project copied
    // or moved elsewhere with its .infra/ keeps the URIs its resources were given.
    let data_dir = dir.join(".infra").join("emulator");
    let port_file = data_dir.join("port");
    let ports: Vec<u16> = match port {
        Some(p) => vec![p],
        None => {
            let recorded = std::fs::read_to_string(&port_file)
                .ok()
                .and_then(|t| t.trim().parse::<u16>().ok())
                .filter(|p| *p >= 1024);
            match recorded {
                Some(p) => vec![p],
                None => {
                    let base = stable_port(dir);
                    (0..16).map(|i| base + i).collect()
                }
            }
        }
    };
    let mut last_error = String::new();
    for p in ports {
        let config = infra_emulator::Config {
            listen: std::net::SocketAddr::from(([127, 0, 0, 1], p)),
            data_dir: Some(data_dir.clone()),
            // Operations finish at once locally; no reason to make the client wait between polls.
            retry_after: Some(std::time::Duration::ZERO),
            postgres_clusters: super::host::emulator_postgres(),
            ..Default::default()
        };
        match rt.block_on(infra_emulator::start(config)) {
            Ok(emulator) => {
                if port.is_none() && !port_file.exists() {
                    // Best effort: without it only a copy of the project would get new URIs.
                    let _ = std::fs::create_dir_all(&data_dir);
                    let _ = std::fs::write(&port_file, format!("{p}\n"));
                }
                if out.verbose {
                    out.info(&format!(
                        "embedded Azure emulator on {}",
                        emulator.base_url()
                    ));
                }
                return Ok(emulator);
            }
            Err(e) => last_error = e.to_string(),
        }
    }
    Err(fail(format!(
        "cannot start the embedded Azure emulator: {last_error}; is another run of this project \
         (or a copy of it) in progress? Otherwise set a free port with `target = emulator {{ port \
         = N }}` (the port used so far is recorded in {})",
        port_file.display()
    )))
}

/// A port in 40000..60000 from the project folder's absolute path (FNV-1a).
fn stable_port(dir: &Path) -> u16 {
    let path = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let mut hash: u32 = 0x811c_9dc5;
    for b in path.to_string_lossy().bytes() {
        hash = (hash ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    40_000 + (hash % 20_000) as u16
}

/// How to plan.
pub struct PlanRequestOpts {
    pub options: PlanOptions,
    pub refresh: bool,
}

pub use infra::engine::Live;

/// Evaluates, refreshes (unless told not to) and plans. Returns the evaluation too: apply
/// re-evaluates with it.
pub fn plan_session(
    s: &Session,
    rt: &tokio::runtime::Runtime,
    req: PlanRequestOpts,
    out: &Output,
) -> Result<(Evaluation, Plan), u8> {
    plan_session_with_live(s, rt, req, out).map(|(evaluation, plan, _)| (evaluation, plan))
}

/// As [`plan_session`], also returning what the refresh read.
pub fn plan_session_with_live(
    s: &Session,
    rt: &tokio::runtime::Runtime,
    req: PlanRequestOpts,
    out: &Output,
) -> Result<(Evaluation, Plan, Option<Live>), u8> {
    let resolver = StateResolver {
        state: &s.state,
        providers: &s.providers,
    };
    let mut evaluation = evaluate_with(&s.checked, &s.env, &resolver, out)?;
    s.providers.prepare(&evaluation.resources);
    let recorded = s
        .state
        .resources
        .iter()
        .map(|(a, r)| (a.as_str(), r.type_name.as_str()));
    providers::check_wired(
        providers::pairs(&evaluation.resources).chain(recorded),
        &s.providers,
    )
    .map_err(fail)?;
    let live = if req.refresh && !s.state.resources.is_empty() {
        let never = Cancel::never();
        let progress =
            super::logs::RefreshProgress::start(engine::refresh_count(&s.state, None), out.quiet);
        let fut = engine::refresh_counted(&s.state, &s.providers, 64, &never, None, &progress.done);
        let result = rt.block_on(fut);
        drop(progress);
        Some(result.map_err(|e| {
            fail(format!(
                "{e}; plan with --refresh=false to use the recorded state"
            ))
        })?)
    } else {
        None
    };
    let allow_destroy = req.options.allow_destroy;
    let mut req = req;
    if !req.options.destroy && !req.options.refresh_only {
        req.options.imports = read_imports(s, rt, &evaluation)?;
    }
    // From here on only re-evaluation reads attributes, through the engine's outputs.
    evaluation.forget_attributes();
    let re = |address: &str, outs: &dyn Fn(&str) -> Option<Props>| {
        evaluation
            .reevaluate(address, &KnownOutputs(outs))
            .map_err(|d| d.message.to_string())
    };
    let input = PlanInput {
        desired: &evaluation.resources,
        state: &s.state,
        live: live.as_ref(),
        providers: &s.providers,
        key: &s.key,
        reevaluate: Some(&re),
        options: req.options,
    };
    let mut plan = engine::plan(&input).map_err(fail)?;
    // Objects infra does not manage go with a group it deletes: ask the cloud what the
    // groups being deleted or replaced hold (none asked when no group goes).
    let never = Cancel::never();
    let found = rt
        .block_on(engine::contained::inspect(&plan, &s.providers, &never))
        .map_err(|e| fail(format!("listing what a group holds: {e}")))?;
    engine::blast::add_unmanaged(&mut plan, &s.state, &found, allow_destroy).map_err(fail)?;
    plan.output_changes = output_changes(&evaluation, &s.state, &plan);
    Ok((evaluation, plan, live))
}

/// The objects the `import` blocks adopt, read by their ids, by address. A block whose
/// resource the state already holds is done (nothing to read) if the ids agree, refused if not.
fn read_imports(
    s: &Session,
    rt: &tokio::runtime::Runtime,
    evaluation: &Evaluation,
) -> Result<BTreeMap<String, infra_provider_core::ObjectState>, u8> {
    let mut out = BTreeMap::new();
    let never = Cancel::never();
    for block in s.checked.program.imports() {
        let id = evaluation
            .import_id(block)
            .map_err(|d| fail(format!("import into {}: {}", block.address, d.message)))?;
        if let Some(rec) = s.state.resources.get(&block.address) {
            if rec.id.eq_ignore_ascii_case(&id) {
                continue;
            }
            return Err(fail(format!(
                "import into {}: the state already holds {} there; remove the import block, or `infra state rm {} --env {}` first",
                block.address, rec.id, block.address, s.env
            )));
        }
        let Some(r) = evaluation
            .resources
            .iter()
            .find(|r| r.address == block.address)
        else {
            return Err(fail(format!(
                "import into {}: the configuration makes no such instance for environment `{}`",
                block.address, s.env
            )));
        };
        let provider = s.providers.provider(&r.type_name).ok_or_else(|| {
            fail(format!(
                "import into {}: no provider for `{}`",
                block.address, r.type_name
            ))
        })?;
        let ctx = infra_provider_core::OpContext {
            cancel: never.clone(),
            address: block.address.clone(),
        };
        let found = rt
            .block_on(provider.import(&r.type_name, &id, &ctx))
            .map_err(|e| fail(format!("import into {}: {e}", block.address)))?;
        let Some(obj) = found else {
            return Err(fail(format!(
                "import into {}: nothing exists at {}",
                block.address, id
            )));
        };
        out.insert(block.address.clone(), obj);
    }
    Ok(out)
}

/// The root outputs as the recorded state gives them against what the plan predicts; empty
/// when either side cannot be evaluated (an output reading what the state withholds) or the
/// plan only reports drift.
fn output_changes(
    evaluation: &Evaluation,
    state: &infra::state::State,
    plan: &Plan,
) -> Vec<infra::engine::OutputChange> {
    if plan.refresh_only || evaluation.outputs.is_empty() {
        return Vec::new();
    }
    let recorded = |a: &str| state.resources.get(a).map(|r| r.output_values());
    let before = if state.resources.is_empty() {
        None
    } else {
        match evaluation.reevaluate_outputs(&KnownOutputs(&recorded)) {
            Ok(mut b) => {
                // What the last apply recorded wins over what the current expressions make of
                // the recorded resources: an output whose expression changed shows as changed.
                // Recorded outputs no longer declared show as removed.
                for (name, value) in &state.outputs {
                    b.insert(name.clone(), (Value::from_json(value), false));
                }
                Some(b)
            }
            Err(_) => return Vec::new(),
        }
    };
    let destroyed =
        plan.ops.iter().all(|o| o.action == engine::Action::Delete) && !plan.ops.is_empty();
    let after = if destroyed {
        BTreeMap::new()
    } else {
        let predicted = |a: &str| plan.predicted.get(a)?.get(a, state);
        match evaluation.reevaluate_outputs(&KnownOutputs(&predicted)) {
            Ok(a) => a,
            Err(_) => return Vec::new(),
        }
    };
    engine::outputs::output_changes(before.as_ref(), &after)
}

/// A value for people: secrets as `(secret)`, unknowns as `(known after apply)`.
pub fn shown(v: &Value) -> String {
    infra::render::text::value(&v.to_redacted_json())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_emulator_port_is_stable_per_project_and_in_range() {
        let a = super::stable_port(std::path::Path::new("/tmp/project-a"));
        assert_eq!(
            a,
            super::stable_port(std::path::Path::new("/tmp/project-a"))
        );
        assert!((40_000..60_000).contains(&a));
        assert_ne!(
            a,
            super::stable_port(std::path::Path::new("/tmp/project-b"))
        );
    }
}
