//! `infra init [DIR]`: scaffold a project that validates, plans and applies out of the box
//! (built-in `core.data` resources, no cloud): `main.infra`, `environments/local.infra` and a
//! `.gitignore` for state and saved plans. Never overwrites a file. Exit 0 / 1.

use super::output::Output;
use super::run::fail;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct Args {
    /// The folder to create the project in (created if missing).
    #[arg(default_value = ".")]
    dir: PathBuf,
}

const MAIN: &str = r#"// A starting point. `core.data` stores a value in state and returns it: no cloud needed.
// Replace these with your own resources; `infra schema` lists the types.

param environment: string
param greeting: string = "hello"

let prefix = "app-${environment}"

resource settings: core.data {
  input = { name = "${prefix}-settings", greeting = greeting }
}

resource service: core.data {
  input = { name = "${prefix}-service", settings = settings.output.name }
}

output service_name = service.output.name
"#;

const LOCAL: &str = r#"// `infra plan --env local`: no cloud; state in .infra/local.state.json.
environment local {
  params = { environment = "local" }
}
"#;

const GITIGNORE: &str = "# infra: state, its secret-hash key and saved plans stay out of version control\n.infra/\n*.plan\n";

pub fn files() -> [(&'static str, &'static str); 3] {
    [
        ("main.infra", MAIN),
        ("environments/local.infra", LOCAL),
        (".gitignore", GITIGNORE),
    ]
}

pub fn run(args: Args, out: &Output) -> u8 {
    let existing: Vec<String> = files()
        .iter()
        .map(|(name, _)| args.dir.join(name))
        .filter(|p| p.exists())
        .map(|p| p.display().to_string())
        .collect();
    if !existing.is_empty() {
        return fail(format!(
            "not overwriting {}; run `infra init` in an empty folder, or move these away first",
            existing.join(", ")
        ));
    }
    for (name, text) in files() {
        if let Err(e) = write(&args.dir.join(name), text) {
            return fail(e);
        }
    }
    out.info(&format!(
        "Created a project in {}. Next:\n  infra validate {0} --env local\n  infra plan {0} --env local\n  infra apply {0} --env local",
        args.dir.display()
    ));
    0
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    // `create_new`: a file that appeared since the check is still not overwritten.
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()))
        .map_err(|e| format!("{}: {e}", path.display()))
}
