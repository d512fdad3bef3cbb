//! `infra show PLANFILE [--format human|markdown|json]`: print a plan saved by `infra plan
//! --out`, without the project, the state or the cloud (a pipeline's approval step or PR comment
//! job only has the artifact). Exit 0; 1 error.

use super::output::Output;
use super::plan::Format;
use super::run::fail;
use infra::engine::SavedPlan;
use infra::render::{HumanOptions, MarkdownOptions, render_human, render_markdown};
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// A plan file saved by `infra plan --out FILE`.
    planfile: PathBuf,
    /// How to print the plan on stdout.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Where readers find the whole plan, said when the markdown view is cut (a link to the
    /// run's plan artifact, say). Default: this plan file and the command that shows it.
    #[arg(long, value_name = "TEXT")]
    full_plan: Option<String>,
}

pub fn run(args: Args, out: &Output) -> u8 {
    match show(&args, out) {
        Ok(()) => 0,
        Err(code) => code,
    }
}

fn show(args: &Args, out: &Output) -> Result<(), u8> {
    let saved = SavedPlan::read(&args.planfile).map_err(fail)?;
    let text = match args.format {
        // The file's own JSON plan, exactly as saved.
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&saved.plan).map_err(fail)?;
            s.push('\n');
            s
        }
        format => {
            let plan = saved.displayed().map_err(|e| {
                fail(format!(
                    "{}: not a saved plan: {e}",
                    args.planfile.display()
                ))
            })?;
            if format == Format::Human {
                render_human(
                    &plan,
                    &HumanOptions {
                        color: out.stdout_color,
                    },
                )
            } else {
                let hint = args.full_plan.clone().unwrap_or_else(|| {
                    let name = args.planfile.display();
                    format!("the plan file `{name}` (`infra show {name}`)")
                });
                render_markdown(
                    &plan,
                    &MarkdownOptions {
                        full_plan_hint: hint,
                        ..MarkdownOptions::default()
                    },
                )
            }
        }
    };
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
    Ok(())
}
