//! `infra apply [DIR] --env E [PLANFILE]`: carry out a saved plan, or plan afresh and ask for
//! confirmation (only on a terminal; elsewhere `--auto-approve` is required). Progress on
//! stderr; the state holds everything that was done, whatever happens. Exit 0 done; 1 error.

use super::output::Output;
use super::plan::{Format, print_plan};
use super::progress;
use super::run::{self as shared, KnownOutputs, PlanRequestOpts, Session, StateResolver, fail};
use infra::engine::{ApplyContext, ApplyOptions, Plan, PlanOptions, SavedPlan, apply};
use infra::state::State;
use infra_lang::eval::Evaluation;
use infra_provider_core::{Cancel, Props};
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct Args {
    /// The project folder, then optionally a plan file saved by `infra plan --out`. A single
    /// argument naming a file is taken as the plan file.
    #[arg(value_name = "DIR] [PLANFILE")]
    paths: Vec<PathBuf>,
    /// The environment to apply (with a plan file: taken from the file; if given, it must match).
    #[arg(long)]
    env: Option<String>,
    /// Apply without asking (required when standard input is not a terminal).
    #[arg(long)]
    auto_approve: bool,
    /// At most this many operations at once.
    #[arg(long, default_value_t = ApplyOptions::default().parallelism)]
    parallelism: usize,
    /// Limit the apply to these addresses and what they depend on.
    #[arg(long = "target", value_name = "ADDR")]
    targets: Vec<String>,
    /// Allow deleting or replacing resources marked `protect`.
    #[arg(long)]
    allow_destroy: bool,
    /// Replace this resource even if no change forces it (repeatable; without a plan file).
    #[arg(long = "replace", value_name = "ADDR")]
    replace: Vec<String>,
    /// Change nothing in the cloud: record in the state what changed outside infra (the drift
    /// `infra plan --refresh-only` shows), after confirmation.
    #[arg(long, conflicts_with_all = ["targets", "allow_destroy", "replace"])]
    refresh_only: bool,
}

/// `[DIR] [PLANFILE]`, or a lone plan file.
fn split_paths(paths: &[PathBuf]) -> (PathBuf, Option<PathBuf>) {
    match paths {
        [] => (PathBuf::from("."), None),
        [one] if one.is_file() => (PathBuf::from("."), Some(one.clone())),
        [one] => (one.clone(), None),
        [dir, plan] => (dir.clone(), Some(plan.clone())),
        _ => (PathBuf::new(), None),
    }
}

/// `--env`, or the environment recorded in the plan file; both given must agree.
fn environment(flag: Option<&str>, planfile: Option<&Path>) -> Result<String, u8> {
    let recorded = match planfile {
        Some(path) => SavedPlan::read(path).map_err(fail)?.env,
        None => None,
    };
    match (flag, recorded) {
        (Some(f), Some(r)) if f != r => Err(fail(format!(
            "the plan file was made for environment `{r}`, not `{f}`; drop --env, or plan `{f}` \
             with `infra plan --env {f} --out FILE`"
        ))),
        (Some(f), _) => Ok(f.to_string()),
        (None, Some(r)) => Ok(r),
        (None, None) if planfile.is_some() => Err(fail(
            "this plan file does not record its environment (saved by an older infra); pass --env",
        )),
        (None, None) => Err(fail(
            "--env is required: the environment to apply (or give a plan file saved by `infra plan --out`)",
        )),
    }
}

/// Refuses early when nobody can answer the confirmation question.
pub fn require_approval_possible(auto_approve: bool, command: &str) -> Result<(), u8> {
    if auto_approve || std::io::stdin().is_terminal() {
        return Ok(());
    }
    Err(fail(format!(
        "`infra {command}` asks for confirmation, but standard input is not a terminal; pass \
         --auto-approve to {command} without asking{}",
        if command == "apply" {
            ", or apply a reviewed plan file (`infra plan --out FILE`, then `infra apply FILE`)"
        } else {
            ""
        }
    )))
}

/// Asks on the terminal; only `yes` goes ahead.
pub fn confirm(question: &str) -> bool {
    eprint!("\n{question}\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    if std::io::stdin().lock().read_line(&mut answer).is_err() {
        return false;
    }
    answer.trim() == "yes"
}

pub fn run(args: Args, out: &Output) -> u8 {
    match run_apply(args, out) {
        Ok(code) | Err(code) => code,
    }
}

fn run_apply(args: Args, out: &Output) -> Result<u8, u8> {
    if args.paths.len() > 2 {
        return Err(fail("usage: infra apply [DIR] --env ENV [PLANFILE]"));
    }
    let (dir, planfile) = split_paths(&args.paths);
    if planfile.is_none() {
        require_approval_possible(args.auto_approve, "apply")?;
    }
    if args.refresh_only && planfile.is_some() {
        return Err(fail(
            "--refresh-only records what changed outside infra and takes no plan file; \
             run it without one",
        ));
    }
    if planfile.is_some() && !args.replace.is_empty() {
        return Err(fail(
            "--replace goes with `infra plan --replace ADDR --out FILE`; a plan file already \
             says what it replaces",
        ));
    }
    let env = environment(args.env.as_deref(), planfile.as_deref())?;
    let rt = shared::runtime()?;
    let mut session = shared::open_session(&dir, &env, "apply", &rt, out)?;
    if args.refresh_only {
        let code = accept_drift(&session, &rt, args.auto_approve, out)?;
        session.finish(&rt);
        return Ok(code);
    }
    let (evaluation, plan) = match &planfile {
        Some(path) => saved_plan(&session, &rt, path, out)?,
        None => {
            let req = PlanRequestOpts {
                options: PlanOptions {
                    allow_destroy: args.allow_destroy,
                    targets: args.targets.clone(),
                    imports: Default::default(),
                    replace: args.replace.clone(),
                    ..PlanOptions::default()
                },
                refresh: true,
            };
            let (evaluation, plan) = shared::plan_session(&session, &rt, req, out)?;
            if !out.quiet || !args.auto_approve {
                print_plan(&plan, Format::Human, out);
            }
            if plan.is_empty() {
                if !plan.output_changes.is_empty() {
                    let Session {
                        state,
                        providers,
                        store,
                        ..
                    } = &mut session;
                    record_outputs(&evaluation, state, providers, store).map_err(fail)?;
                    out.info("No changes to resources; the new output values are recorded.");
                    return Ok(0);
                }
                out.info("No changes; nothing to apply.");
                return Ok(0);
            }
            if !args.auto_approve && !confirm("Do you want to perform these actions?") {
                return Err(fail("apply cancelled; nothing was changed"));
            }
            (evaluation, plan)
        }
    };
    let code = execute(
        &mut session,
        &rt,
        &evaluation,
        &plan,
        args.parallelism,
        "Apply",
        out,
    );
    shared::leak_on_exit((evaluation, plan));
    session.finish(&rt);
    Ok(code)
}

/// `apply --refresh-only`: shows the drift, and on confirmation records it in the state.
fn accept_drift(
    session: &Session,
    rt: &tokio::runtime::Runtime,
    auto_approve: bool,
    out: &Output,
) -> Result<u8, u8> {
    let req = PlanRequestOpts {
        options: PlanOptions {
            refresh_only: true,
            ..PlanOptions::default()
        },
        refresh: true,
    };
    let (evaluation, plan, live) = shared::plan_session_with_live(session, rt, req, out)?;
    shared::leak_on_exit(evaluation);
    if plan.drift.is_empty() {
        out.info("No changes outside infra; nothing to record.");
        return Ok(0);
    }
    print_plan(&plan, Format::Human, out);
    let question = "Record these changes in the state? Nothing in the cloud is changed.";
    if !auto_approve && !confirm(question) {
        return Err(fail("cancelled; the state was not changed"));
    }
    let accept: std::collections::BTreeSet<String> =
        plan.drift.iter().map(|d| d.address.clone()).collect();
    let live = live.unwrap_or_default();
    let (next, changed) = infra::engine::accept_drift(&session.state, &live, &accept);
    session.store.save(&next).map_err(fail)?;
    out.info(&format!(
        "Recorded {} change(s) made outside infra in the state: {}. `infra plan` now shows \
         what it takes to bring them back to the configuration.",
        changed.len(),
        changed.join(", ")
    ));
    Ok(0)
}

/// Re-derives a saved plan's operations and refuses it if anything moved since.
fn saved_plan(
    session: &Session,
    rt: &tokio::runtime::Runtime,
    path: &Path,
    out: &Output,
) -> Result<(Evaluation, Plan), u8> {
    let saved = SavedPlan::read(path).map_err(fail)?;
    let req = PlanRequestOpts {
        options: saved.options(),
        refresh: true,
    };
    let (evaluation, plan) = shared::plan_session(session, rt, req, out)?;
    let hash = shared::config_hash(&session.checked, &session.env, &evaluation, &session.key);
    saved.check_fresh(&session.state, &hash).map_err(fail)?;
    saved.check_matches(&plan).map_err(fail)?;
    if plan.is_empty() {
        out.info("The saved plan has no changes; nothing to do.");
    }
    Ok((evaluation, plan))
}

/// Carries out `plan`: progress on stderr, Ctrl-C handling, summary, outputs. Returns the
/// exit code.
pub fn execute(
    session: &mut Session,
    rt: &tokio::runtime::Runtime,
    evaluation: &Evaluation,
    plan: &Plan,
    parallelism: usize,
    verb: &str,
    out: &Output,
) -> u8 {
    let state = std::mem::replace(&mut session.state, State::new(String::new()));
    let session = &*session;
    let run = progress::RunContext {
        dir: session.checked.dir.display().to_string(),
        env: session.env.clone(),
        redactor: super::logs::Redactor::new(
            plan.ops
                .iter()
                .flat_map(|op| op.inputs.values())
                .chain(evaluation.outputs.values().map(|(v, _)| v)),
        ),
    };
    let progress = progress::printer(out, run.clone());
    let (stop_handle, stop) = Cancel::new();
    let (abort_handle, abort) = Cancel::new();
    let re = |address: &str, outs: &dyn Fn(&str) -> Option<Props>| {
        evaluation
            .reevaluate(address, &KnownOutputs(outs))
            .map_err(|d| d.message.to_string())
    };
    let cx = ApplyContext {
        providers: &session.providers,
        key: &session.key,
        store: Some(&session.store),
        reevaluate: Some(&re),
        progress: &progress,
        cancel: &stop,
        abort: &abort,
        options: ApplyOptions {
            parallelism: parallelism.max(1),
        },
    };
    let result = rt.block_on(async {
        let watcher = tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_err() {
                return;
            }
            eprintln!(
                "\nInterrupted: no new operation will start; waiting for the ones in flight to \
                 finish, then the state is saved. Press Ctrl-C again to abort them."
            );
            stop_handle.cancel();
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!("\nAborting the operations in flight; the state keeps what finished.");
                abort_handle.cancel();
            }
        });
        // Let the watcher run once, so that its handler is installed before any work starts.
        tokio::task::yield_now().await;
        let r = apply(plan, state, &cx).await;
        watcher.abort();
        r
    });
    let (mut state, report) = match result {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    if let Err(e) = record_outputs(evaluation, &mut state, &session.providers, &session.store) {
        return fail(e);
    }
    progress::summary(&report, verb, out, &run);
    if !report.cancelled.is_empty() {
        eprintln!("The run was interrupted; the state was saved with everything that finished.");
    }
    // After a destroy the outputs describe nothing that exists any more.
    if !state.resources.is_empty() {
        print_outputs(evaluation, &state, session, out);
    }
    shared::leak_on_exit(state);
    u8::from(!report.is_success())
}

/// Stores the root outputs the state now gives (plain, fully known values; secrets never) and
/// saves the state when they differ from those recorded, so the next plan compares outputs with
/// what was applied, not with what the current configuration would have made of the old state.
fn record_outputs(
    evaluation: &Evaluation,
    state: &mut State,
    providers: &infra::engine::ProviderSet,
    store: &infra::state::StateStore,
) -> Result<(), String> {
    let resolver = StateResolver { state, providers };
    let recorded: std::collections::BTreeMap<String, serde_json::Value> =
        if state.resources.is_empty() {
            Default::default()
        } else {
            let Ok(outputs) = evaluation.reevaluate_outputs(&resolver) else {
                return Ok(());
            };
            outputs
                .into_iter()
                .filter(|(_, (v, secret))| !secret && !v.contains_secret() && !v.contains_unknown())
                .map(|(k, (v, _))| (k, v.to_redacted_json()))
                .collect()
        };
    if recorded == state.outputs {
        return Ok(());
    }
    state.outputs = recorded;
    store.save(state).map_err(|e| e.to_string())
}

/// The root outputs as the new state makes them, secrets as `(secret)`.
fn print_outputs(evaluation: &Evaluation, state: &State, session: &Session, out: &Output) {
    if evaluation.outputs.is_empty() || out.quiet {
        return;
    }
    let resolver = StateResolver {
        state,
        providers: &session.providers,
    };
    let Ok(outputs) = evaluation.reevaluate_outputs(&resolver) else {
        return;
    };
    let mut text = String::from("\nOutputs:\n\n");
    for (name, (value, secret)) in &outputs {
        let shown = if *secret {
            "(secret)".to_string()
        } else {
            shared::shown(value)
        };
        text.push_str(&format!("{name} = {shown}\n"));
    }
    print!("{text}");
}
