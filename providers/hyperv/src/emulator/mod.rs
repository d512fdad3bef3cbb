//! The emulated Hyper-V host: a stand-in for `pwsh -NoProfile -NonInteractive -Command -` that
//! answers the provider's scripts (recognised by their header, and only when their text is
//! exactly the provider's) over a JSON state file of switches, disks, VMs and files, with the
//! output shapes and error records FINDINGS.md documents. It runs as `infra emulator hyperv`
//! or the `infra-hyperv-emulator` binary; docs/hyperv.md says what it mirrors and what not.

mod cmdlets;
mod records;
mod state;
mod view;

use crate::scripts;
use records::Record;
use std::io::{Read, Write};
use std::path::PathBuf;

/// How the emulated host writes enums.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enums {
    /// Windows PowerShell 5.1 (and PS 7 without `-EnumsAsStrings`): numbers.
    Ints,
    /// PowerShell 7 with `-EnumsAsStrings`: names.
    Strings,
    /// Numbers, with the VMState numbering of older Hyper-V modules above 32782.
    IntsLegacy,
}

/// The emulator's settings, from flags or the environment.
#[derive(Debug, Clone)]
pub struct Options {
    pub state: PathBuf,
    pub enums: Enums,
    /// Base images the host has before infra runs (`--image PATH`, repeatable).
    pub images: Vec<String>,
}

pub const USAGE: &str = "usage: infra emulator hyperv [--state FILE] [--enums ints|strings|ints-legacy] [--image PATH]... [-- pwsh arguments, ignored]\n\
  reads one infra-hyperv script on stdin and answers as a Hyper-V host would;\n\
  --image PATH: a base VHDX the host has before infra runs (added to the state when missing);\n\
  FILE defaults to $INFRA_HYPERV_EMULATOR_STATE, else ./hyperv-host.json;\n\
  enums default to $INFRA_HYPERV_EMULATOR_ENUMS, else ints (Windows PowerShell 5.1);\n\
  ints-legacy: numbers with the VMState numbering of older Hyper-V modules above 32782";

/// Reads the options; PowerShell's own flags (`-NoProfile -NonInteractive -Command -`) are
/// accepted and ignored, so the emulator can stand where `pwsh` is called.
pub fn options(args: &[String]) -> Result<Options, String> {
    let mut state = std::env::var_os("INFRA_HYPERV_EMULATOR_STATE").map(PathBuf::from);
    let mut enums = std::env::var("INFRA_HYPERV_EMULATOR_ENUMS").ok();
    let mut images = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--state" => state = it.next().map(PathBuf::from),
            "--image" => match it.next() {
                Some(p) if !p.is_empty() => images.push(p.clone()),
                _ => return Err(format!("--image needs a path\n{USAGE}")),
            },
            "--enums" => enums = it.next().cloned(),
            "-h" | "--help" => return Err(USAGE.into()),
            _ => {}
        }
    }
    let enums = match enums.as_deref() {
        None | Some("ints") | Some("") => Enums::Ints,
        Some("strings") => Enums::Strings,
        Some("ints-legacy") => Enums::IntsLegacy,
        Some(other) => {
            return Err(format!(
                "--enums must be ints, strings or ints-legacy, not `{other}`\n{USAGE}"
            ));
        }
    };
    Ok(Options {
        state: state.unwrap_or_else(|| PathBuf::from("hyperv-host.json")),
        enums,
        images,
    })
}

/// Runs one script from `input`; returns the process exit code.
pub fn run(opts: &Options, input: &mut dyn Read, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let mut text = String::new();
    if let Err(e) = input.read_to_string(&mut text) {
        let _ = writeln!(err, "cannot read the script: {e}");
        return 1;
    }
    let (script, args) = match scripts::parse(&text) {
        Ok(v) => v,
        Err(why) => {
            // What pwsh prints for an error it did not catch: the record on stderr, exit 1.
            let _ = write!(err, "{}", Record::not_infra_script(&why).stderr_text());
            return 1;
        }
    };
    let _lock = match state::Lock::take(&opts.state) {
        Ok(l) => l,
        Err(e) => {
            let _ = writeln!(err, "{e}");
            return 1;
        }
    };
    let mut host = match state::Host::load(&opts.state) {
        Ok(h) => h,
        Err(e) => {
            let _ = writeln!(err, "{e}");
            return 1;
        }
    };
    for image in &opts.images {
        host.ensure_image(image);
    }
    let answer = cmdlets::run(&mut host, script, &args, opts.enums);
    if let Err(e) = host.save(&opts.state) {
        let _ = writeln!(err, "{e}");
        return 1;
    }
    match answer {
        Ok(result) => {
            let line = serde_json::json!({ "result": result });
            let _ = writeln!(out, "{line}");
            0
        }
        Err(record) => {
            let _ = writeln!(out, "{}", record.json());
            1
        }
    }
}

/// The entry point of both binaries' `main`.
pub fn main_with(args: &[String]) -> i32 {
    let opts = match options(args) {
        Ok(o) => o,
        Err(msg) => {
            eprintln!("{msg}");
            return 2;
        }
    };
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    run(
        &opts,
        &mut stdin.lock(),
        &mut stdout.lock(),
        &mut stderr.lock(),
    )
}
