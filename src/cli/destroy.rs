//! `infra destroy [DIR] --env E [--auto-approve]`: delete everything in the state, in reverse
//! dependency order. Resources marked `protect` (or a protected environment) need
//! `--allow-destroy`. Exit 0 done; 1 error.

use super::apply::{confirm, execute, require_approval_possible};
use super::output::Output;
use super::plan::{Format, print_plan};
use super::run::{self as shared, PlanRequestOpts, fail};
use infra::engine::{ApplyOptions, PlanOptions};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// The project folder.
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// The environment to destroy.
    #[arg(long)]
    env: String,
    /// Destroy without asking (required when standard input is not a terminal).
    #[arg(long)]
    auto_approve: bool,
    /// Allow deleting resources marked `protect`.
    #[arg(long)]
    allow_destroy: bool,
    /// At most this many operations at once.
    #[arg(long, default_value_t = ApplyOptions::default().parallelism)]
    parallelism: usize,
}

pub fn run(args: Args, out: &Output) -> u8 {
    match destroy(args, out) {
        Ok(code) | Err(code) => code,
    }
}

fn destroy(args: Args, out: &Output) -> Result<u8, u8> {
    require_approval_possible(args.auto_approve, "destroy")?;
    let rt = shared::runtime()?;
    let mut session = shared::open_session(&args.dir, &args.env, "destroy", &rt, out)?;
    let req = PlanRequestOpts {
        options: PlanOptions {
            destroy: true,
            allow_destroy: args.allow_destroy,
            ..PlanOptions::default()
        },
        refresh: true,
    };
    let (evaluation, plan) = shared::plan_session(&session, &rt, req, out)?;
    print_plan(&plan, Format::Human, out);
    if plan.is_empty() {
        out.info(&format!(
            "Nothing to destroy: the state of `{}` is empty.",
            args.env
        ));
        return Ok(0);
    }
    let question = format!(
        "Do you really want to destroy all {} resource(s) of environment `{}`?",
        plan.summary().destroy,
        args.env
    );
    if !args.auto_approve && !confirm(&question) {
        return Err(fail("destroy cancelled; nothing was changed"));
    }
    let code = execute(
        &mut session,
        &rt,
        &evaluation,
        &plan,
        args.parallelism,
        "Destroy",
        out,
    );
    shared::leak_on_exit((evaluation, plan));
    session.finish(&rt);
    Ok(code)
}
