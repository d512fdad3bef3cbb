//! `infra plan [DIR] --env E`: compare desired vs recorded vs live and print the plan (human,
//! markdown or JSON on stdout); `--out FILE` saves it for `infra apply FILE`. Exit 0; 1 error;
//! 2 changes present with `--detailed-exitcode`.

use super::output::Output;
use super::run::{self as shared, PlanRequestOpts};
use infra::engine::{Plan, PlanOptions, PlanToSave};
use infra::render::{HumanOptions, MarkdownOptions, render_markdown, write_human_io, write_json};
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// The project folder.
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// The environment to plan.
    #[arg(long)]
    env: String,
    /// Save the plan to this file, for `infra apply FILE`.
    #[arg(long)]
    out: Option<PathBuf>,
    /// How to print the plan on stdout.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Read the live objects first to find drift (`--refresh=false` to skip).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, num_args = 0..=1,
          default_missing_value = "true", require_equals = true)]
    refresh: bool,
    /// Only report drift; plan no change.
    #[arg(long)]
    refresh_only: bool,
    /// Plan the deletion of everything in the state.
    #[arg(long)]
    destroy: bool,
    /// Limit the plan to these addresses and what they depend on.
    #[arg(long = "target", value_name = "ADDR")]
    targets: Vec<String>,
    /// Replace this resource even if no change forces it (repeatable).
    #[arg(long = "replace", value_name = "ADDR")]
    replace: Vec<String>,
    /// Exit 2 when the plan has changes, 0 when it has none.
    #[arg(long)]
    detailed_exitcode: bool,
    /// Allow deleting or replacing resources marked `protect`.
    #[arg(long)]
    allow_destroy: bool,
}

#[derive(clap::ValueEnum, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Markdown,
    Json,
}

/// Prints a plan on stdout in the chosen format.
pub fn print_plan(plan: &Plan, format: Format, out: &Output) {
    let text = match format {
        Format::Human => {
            // Streamed: a large plan is never held whole as text.
            let stdout = std::io::BufWriter::new(std::io::stdout().lock());
            let opts = HumanOptions {
                color: out.stdout_color,
            };
            // A closed pipe (`infra plan | head`) is not an error worth a panic.
            let _ = write_human_io(plan, &opts, stdout);
            return;
        }
        Format::Markdown => render_markdown(
            plan,
            &MarkdownOptions {
                full_plan_hint: "the output of `infra plan` without `--format markdown`, or \
                                 `infra show PLANFILE` of a plan saved with `--out`"
                    .into(),
                ..MarkdownOptions::default()
            },
        ),
        Format::Json => {
            // Streamed: a large plan is never held whole as text.
            let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
            // A closed pipe (`infra plan | head`) is not an error worth a panic.
            let _ = write_json(plan, &mut stdout).and_then(|()| stdout.flush());
            return;
        }
    };
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`infra plan | head`) is not an error worth a panic.
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}

pub fn run(args: Args, out: &Output) -> u8 {
    match plan(args, out) {
        Ok(code) | Err(code) => code,
    }
}

fn plan(args: Args, out: &Output) -> Result<u8, u8> {
    let rt = shared::runtime()?;
    let session = shared::open_session(&args.dir, &args.env, "plan", &rt, out)?;
    let options = PlanOptions {
        destroy: args.destroy,
        allow_destroy: args.allow_destroy,
        refresh_only: args.refresh_only,
        targets: args.targets.clone(),
        imports: Default::default(),
        replace: args.replace.clone(),
    };
    let req = PlanRequestOpts {
        options: options.clone(),
        refresh: args.refresh || args.refresh_only,
    };
    let (evaluation, plan) = shared::plan_session(&session, &rt, req, out)?;
    print_plan(&plan, args.format, out);
    if let Some(path) = &args.out {
        if args.refresh_only {
            return Err(shared::fail(
                "--out saves changes to apply; a --refresh-only plan has none",
            ));
        }
        // A saved plan binds to the state's lineage: a state that exists only in memory so far
        // would get another lineage on the next load.
        if !session.store.is_saved() {
            session.store.save(&session.state).map_err(shared::fail)?;
        }
        let hash = shared::config_hash(&session.checked, &args.env, &evaluation, &session.key);
        PlanToSave::new(&plan, &hash, &options, Some(&args.env))
            .write_sealed(path, session.store.crypt(), &args.env)
            .map_err(shared::fail)?;
        out.info(&format!(
            "Saved the plan to {}. Show it with: infra show {}; apply exactly this plan with: infra apply {} {}",
            path.display(),
            path.display(),
            args.dir.display(),
            path.display()
        ));
    }
    let changes = !plan.is_empty() || (args.refresh_only && !plan.drift.is_empty());
    shared::leak_on_exit((evaluation, plan));
    session.finish(&rt);
    Ok(if args.detailed_exitcode && changes {
        2
    } else {
        0
    })
}
