//! Where and how commands print: colour choice, quiet mode, and diagnostics rendering.

use super::{ColorChoice, Global};
use infra_lang::SourceMap;
use infra_lang::diag::{Diagnostic, Severity, render};
use std::io::IsTerminal;

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

    /// Prints diagnostics for people on stderr, rustc-style, followed by a count.
    pub fn diagnostics(&self, diags: &[Diagnostic], sources: &SourceMap) {
        if super::logs::json() {
            for d in diags {
                if self.quiet && d.severity == Severity::Warning {
                    continue;
                }
                super::logs::emit(
                    "diagnostic",
                    serde_json::json!({"severity": if d.is_error() { "error" } else { "warning" },
                                       "code": d.code.to_string(), "message": d.message}),
                );
            }
            return;
        }
        let handler = if self.color {
            miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode())
        } else {
            miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
        };
        let mut text = String::new();
        for d in diags {
            if self.quiet && d.severity == Severity::Warning {
                continue;
            }
            let report = render::Report::new(d, sources);
            if handler.render_report(&mut text, &report).is_err() {
                text.push_str(&format!("{}: {}\n", d.code, d.message));
            }
            text.push('\n');
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
