//! `infra fmt [--check] [PATH...]`: canonical formatting. Exit 0; 1 on errors; 3 when `--check`
//! finds unformatted files. `-` as a path formats standard input to standard output.

use super::output::Output;
use infra_lang::SourceMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct Args {
    /// Report unformatted files (exit 3) instead of rewriting them.
    #[arg(long)]
    check: bool,
    /// Files or folders (searched recursively for .infra files); `-` for standard input.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
}

pub fn run(args: Args, out: &Output) -> u8 {
    let mut failed = false;
    let mut unformatted = Vec::new();
    for path in &args.paths {
        if path.as_os_str() == "-" {
            let mut text = String::new();
            if let Err(e) = std::io::stdin().read_to_string(&mut text) {
                eprintln!("error: cannot read standard input: {e}");
                return 1;
            }
            match format_text(Path::new("<stdin>"), &text, out) {
                Some(formatted) if args.check => {
                    if formatted != text {
                        unformatted.push(PathBuf::from("<stdin>"));
                    }
                }
                Some(formatted) => {
                    let _ = std::io::stdout().write_all(formatted.as_bytes());
                }
                None => failed = true,
            }
            continue;
        }
        let files = match infra_files(path) {
            Ok(files) => files,
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", path.display());
                failed = true;
                continue;
            }
        };
        for file in files {
            let text = match std::fs::read_to_string(&file) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("error: cannot read {}: {e}", file.display());
                    failed = true;
                    continue;
                }
            };
            let Some(formatted) = format_text(&file, &text, out) else {
                failed = true;
                continue;
            };
            if formatted == text {
                continue;
            }
            if args.check {
                unformatted.push(file);
            } else if let Err(e) = std::fs::write(&file, formatted) {
                eprintln!("error: cannot write {}: {e}", file.display());
                failed = true;
            } else {
                out.info(&format!("formatted {}", file.display()));
            }
        }
    }
    for f in &unformatted {
        println!("{}", f.display());
    }
    if failed {
        1
    } else if !unformatted.is_empty() {
        out.info(&format!(
            "{} file(s) not formatted; run `infra fmt` to fix",
            unformatted.len()
        ));
        3
    } else {
        0
    }
}

/// Formats one file's text, printing its syntax errors (and returning None) if it has any.
fn format_text(path: &Path, text: &str, out: &Output) -> Option<String> {
    let mut sources = SourceMap::new();
    let id = sources.add(path, text);
    match infra_lang::fmt::format_source(id, text) {
        Ok(formatted) => Some(formatted),
        Err(diags) => {
            out.diagnostics(&diags, &sources);
            None
        }
    }
}

/// `.infra` files below a path (the path itself if it is a file), skipping state folders
/// (`.infra/`), build output and hidden folders. Sorted for stable output.
pub fn infra_files(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let p = entry?.path();
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if p.is_dir() {
                if !name.starts_with('.') && name != "target" && name != "node_modules" {
                    stack.push(p);
                }
            } else if p.extension().is_some_and(|e| e == "infra") {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}
