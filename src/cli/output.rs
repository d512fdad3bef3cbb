//! Where and how commands print: colour choice, quiet mode, and diagnostics rendering.

use super::{ColorChoice, Global};
use infra_lang::SourceMap;
use infra_lang::diag::{Diagnostic, Severity, render};
use std::io::IsTerminal;

/// Most diagnostics rendered for people by one command (docs/diagnostics.md).
pub const MAX_SHOWN: usize = 200;

pub struct Output {
    /// Colour on stderr (diagnostics, progress).
    pub color: bool,
    /// Colour on stdout (plans).
    pub stdout_color: bool,
    pub quiet: bool,
    pub verbose: bool,
    /// `--lock-timeout`: how long to wait for a state another run has locked.
    pub lock_timeout: std::time::Duration,
}

impl Output {
    pub fn new(global: &Global) -> Output {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let pick = |tty: bool| match global.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => !no_color && tty,
        };
        Output {
            color: pick(std::io::stderr().is_terminal()),
            stdout_color: pick(std::io::stdout().is_terminal()),
            quiet: global.quiet,
            verbose: global.verbose,
            lock_timeout: global.lock_timeout,
        }
    }

    /// Prints diagnostics for people on stderr, rustc-style, followed by a count. At most
    /// [`MAX_SHOWN`] are rendered (errors before warnings are given room), then "... and N
    /// more": ten thousand rendered warnings help nobody, `--format json` lists them all.
    pub fn diagnostics(&self, diags: &[Diagnostic], sources: &SourceMap) {
        if super::logs::json() {
            for d in diags {
                if self.quiet && d.severity == Severity::Warning {
                    continue;
                }
                super::logs::emit(
                    "diagnostic",
                    serde_json::json!({"severity": if d.is_error() { "error" } else { "warning" },
                                       "code": d.code.to_string(), "message": &*d.message}),
                );
            }
            return;
        }
        let handler = if self.color {
            miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode())
        } else {
            miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
        };
        let wanted: Vec<&Diagnostic> = diags
            .iter()
            .filter(|d| !(self.quiet && d.severity == Severity::Warning))
            .collect();
        let errors = wanted.iter().filter(|d| d.is_error()).count();
        let mut warning_room = MAX_SHOWN.saturating_sub(errors);
        let mut error_room = MAX_SHOWN;
        let mut text = String::new();
        let mut hidden = 0;
        for d in &wanted {
            let room = if d.is_error() {
                &mut error_room
            } else {
                &mut warning_room
            };
            if *room == 0 {
                hidden += 1;
                continue;
            }
            *room -= 1;
            let report = render::Report::new(d, sources);
            if handler.render_report(&mut text, &report).is_err() {
                text.push_str(&format!("{}: {}\n", d.code, d.message));
            }
            text.push('\n');
        }
        if hidden > 0 {
            text.push_str(&format!(
                "... and {hidden} more (not shown; `--format json` lists every diagnostic)\n"
            ));
        }
        eprint!("{text}");
    }

    pub fn info(&self, line: &str) {
        if self.quiet {
        } else if super::logs::json() {
            super::logs::emit("info", serde_json::json!({ "message": line }));
        } else {
            eprintln!("{line}");
        }
    }
}

/// "1 error, 2 warnings" style count.
pub fn count_summary(diags: &[Diagnostic]) -> String {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}
