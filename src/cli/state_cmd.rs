//! `infra state list|show ADDR|mv FROM TO|rm ADDR|pull|push FILE|unlock|rekey --env E`: inspect and
//! repair state. Reading commands never write (an apply may be running); changing ones take the lock
//! and bump the serial, so that saved plans made before them are refused. Exit 0 / 1.

use super::output::Output;
use super::run::{self as shared, fail};
use infra::state::{State, StateStore, read_state, write_state};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: StateCommand,
    /// The environment whose state to use.
    #[arg(long, global = true)]
    env: Option<String>,
    /// The project folder.
    #[arg(long, global = true, default_value = ".")]
    dir: PathBuf,
}

#[derive(clap::Subcommand)]
enum StateCommand {
    /// List the addresses in the state, one per line.
    List,
    /// Show one resource as recorded (secrets as `(secret)`).
    Show { address: String },
    /// Rename a resource in the state (after renaming it in the configuration).
    Mv { from: String, to: String },
    /// Forget a resource: infra no longer manages it; the object itself is not deleted.
    Rm { address: String },
    /// Print the state as JSON on stdout.
    Pull,
    /// Replace the state with a file (e.g. one edited after `pull`).
    Push {
        file: PathBuf,
        /// Accept a file of another lineage or with an older serial.
        #[arg(long)]
        force: bool,
    },
    /// Break the lock of a remote state now (after its holder died), printing who held it.
    Unlock,
    /// Re-encrypt the state at rest with a new data key, wrapped by the current version of the
    /// configured key (`encryption = { ... }`); the previous file is kept as .bak.
    Rekey {
        /// Keep the data key; only wrap it again with the key's current version.
        #[arg(long)]
        keep_data_key: bool,
    },
}

pub fn run(args: Args, out: &Output) -> u8 {
    match state(args, out) {
        Ok(()) => 0,
        Err(code) => code,
    }
}

fn state(args: Args, out: &Output) -> Result<(), u8> {
    let Some(env) = args.env.as_deref() else {
        return Err(fail(
            "`infra state` needs --env ENV: the environment whose state to use",
        ));
    };
    let checked = shared::load_checked(&args.dir, env, out)?;
    let config = shared::env_config(&checked, env, out)?;
    let store = shared::store_for(&args.dir, &config)?;
    match args.command {
        StateCommand::List => {
            let state = store.peek().map_err(fail)?;
            let mut stdout = std::io::stdout().lock();
            for address in state.resources.keys() {
                let _ = writeln!(stdout, "{address}");
            }
            Ok(())
        }
        StateCommand::Show { address } => {
            let state = store.peek().map_err(fail)?;
            let rec = state
                .resources
                .get(&address)
                .ok_or_else(|| not_found(&address))?;
            print!("{}", show(&address, rec));
            Ok(())
        }
        StateCommand::Pull => {
            let state = store.peek().map_err(fail)?;
            let _ = std::io::stdout().write_all(&write_state(&state));
            Ok(())
        }
        StateCommand::Mv { from, to } => change(&store, "state mv", out, |s| {
            if s.resources.contains_key(&to) {
                return Err(format!(
                    "`{to}` is already in the state; remove it first (`infra state rm`)"
                ));
            }
            let rec = s.resources.remove(&from).ok_or_else(|| missing(&from))?;
            s.resources.insert(to.clone(), rec);
            Ok(format!("Moved {from} to {to}."))
        }),
        StateCommand::Rm { address } => change(&store, "state rm", out, |s| {
            s.resources
                .remove(&address)
                .ok_or_else(|| missing(&address))?;
            Ok(format!(
                "Removed {address} from the state. The object itself still exists; infra no \
                 longer manages it (the next plan will create it again if it is still configured)."
            ))
        }),
        StateCommand::Push { file, force } => push(&store, &file, force, out),
        StateCommand::Unlock => unlock(&store, env, out),
        StateCommand::Rekey { keep_data_key } => {
            super::state_rekey::rekey(&store, env, keep_data_key, out)
        }
    }
}

fn unlock(store: &StateStore, env: &str, out: &Output) -> Result<(), u8> {
    match store.unlock().map_err(fail)? {
        None => out.info(&format!(
            "The state of `{env}` is local ({}): its lock is an operating-system lock, released \
             by the kernel as soon as its holder ends, even if killed; there is nothing to break. \
             If a run holds it, wait for it or stop it.",
            store.location()
        )),
        Some(None) => out.info(&format!(
            "The state of `{env}` was not locked; nothing to do."
        )),
        Some(Some(info)) => out.info(&format!(
            "Broke the lock on the state of `{env}`, held by {} (pid {} on host {}) since {}, run \
             id {}, doing `{}`. If that run is still going, its next write will fail rather than \
             overwrite newer state.",
            info.owner,
            info.pid,
            info.host,
            infra::state::lock::format_utc(info.since_unix),
            info.run_id,
            info.operation
        )),
    }
    Ok(())
}

fn missing(address: &str) -> String {
    format!("`{address}` is not in the state; `infra state list` shows what is")
}

fn not_found(address: &str) -> u8 {
    fail(missing(address))
}

/// Locks, loads, changes, bumps the serial and saves.
fn change(
    store: &StateStore,
    operation: &str,
    out: &Output,
    f: impl FnOnce(&mut State) -> Result<String, String>,
) -> Result<(), u8> {
    let _lock = shared::lock(store, operation, out)?;
    let mut state = store.load().map_err(fail)?.state;
    let message = f(&mut state).map_err(fail)?;
    state.serial += 1;
    store.save(&state).map_err(fail)?;
    out.info(&message);
    Ok(())
}

fn push(store: &StateStore, file: &Path, force: bool, out: &Output) -> Result<(), u8> {
    let bytes = std::fs::read(file).map_err(|e| fail(format!("{}: {e}", file.display())))?;
    let mut pushed = read_state(&bytes, file).map_err(fail)?;
    change(store, "state push", out, |current| {
        if !force && pushed.lineage != current.lineage && !current.resources.is_empty() {
            return Err(format!(
                "{} has lineage {}, but the state has lineage {}: it is another environment's \
                 state; pass --force to replace it anyway",
                file.display(),
                pushed.lineage,
                current.lineage
            ));
        }
        if !force && pushed.lineage == current.lineage && pushed.serial < current.serial {
            return Err(format!(
                "{} has serial {}, older than the state's {}: it would undo later changes; pull \
                 again and redo the edit, or pass --force",
                file.display(),
                pushed.serial,
                current.serial
            ));
        }
        // The serial goes past both, so that plans saved against either are refused.
        pushed.serial = pushed.serial.max(current.serial);
        let n = pushed.resources.len();
        *current = std::mem::replace(&mut pushed, State::new(String::new()));
        Ok(format!(
            "Pushed {}: the state now holds {n} resource(s).",
            file.display()
        ))
    })
}

/// One record for people: secret inputs and withheld outputs as `(secret)`, never the hashes.
fn show(address: &str, rec: &infra::state::ResourceRecord) -> String {
    let mut s = format!("# {address}\ntype = {}\nid   = {}\n", rec.type_name, rec.id);
    s.push_str("inputs:\n");
    let mut inputs: Vec<(String, String)> = rec
        .inputs
        .iter()
        .map(|(k, v)| (k.clone(), infra::render::text::value(v)))
        .collect();
    inputs.extend(
        rec.secret_inputs
            .keys()
            .map(|k| (k.clone(), "(secret)".into())),
    );
    inputs.sort();
    for (k, v) in inputs {
        s.push_str(&format!("  {k} = {v}\n"));
    }
    s.push_str("outputs:\n");
    let mut outputs: Vec<(String, String)> = rec
        .all_outputs()
        .map(|(k, v)| (k.to_string(), infra::render::text::value(&v)))
        .collect();
    outputs.extend(
        rec.secret_outputs
            .iter()
            .map(|k| (k.clone(), "(secret)".into())),
    );
    outputs.sort();
    for (k, v) in outputs {
        s.push_str(&format!("  {k} = {v}\n"));
    }
    let deps: Vec<&str> = rec.dependencies.iter().map(String::as_str).collect();
    s.push_str(&format!("dependencies = [{}]\n", deps.join(", ")));
    s
}
