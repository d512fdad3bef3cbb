//! The terminal view of a plan, with colour when asked for.

use super::text::{
    attr_lines, is_empty_default, no_changes, output_line, summary_line, symbol, verb,
};
use crate::engine::model::{Action, Plan};
use std::fmt::{self, Write};

#[derive(Debug, Clone, Copy, Default)]
pub struct HumanOptions {
    pub color: bool,
}

/// `--color auto|always|never` and `NO_COLOR`: the caller reads the environment and the
/// terminal so that rendering stays pure.
pub fn color_enabled(choice: &str, is_tty: bool, no_color_env: bool) -> bool {
    match choice {
        "always" => true,
        "never" => false,
        _ => is_tty && !no_color_env,
    }
}

struct Paint(bool);

impl Paint {
    fn code(&self, code: &str, s: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn mark(&self, mark: char, s: &str) -> String {
        match mark {
            '+' => self.code("32", s),
            '-' => self.code("31", s),
            '~' => self.code("33", s),
            _ => s.to_string(),
        }
    }
    fn action(&self, a: Action, s: &str) -> String {
        match a {
            Action::Create => self.code("32", s),
            Action::Update => self.code("33", s),
            Action::Replace | Action::Delete => self.code("31", s),
            Action::Read | Action::Import => self.code("36", s),
            Action::NoOp => s.to_string(),
        }
    }
}

fn attributes(
    out: &mut impl Write,
    p: &Paint,
    attrs: &[crate::engine::model::AttrChange],
) -> fmt::Result {
    for a in attrs.iter().filter(|a| !is_empty_default(a)) {
        let l = attr_lines(a);
        writeln!(
            out,
            "      {} {}",
            p.mark(l.mark, &l.mark.to_string()),
            l.head
        )?;
        for (mark, line) in &l.diff {
            writeln!(
                out,
                "          {}",
                p.mark(*mark, &format!("{mark} {line}"))
            )?;
        }
        if !l.diff.is_empty() {
            writeln!(out, "        EOT")?;
        }
    }
    Ok(())
}

pub fn render_human(plan: &Plan, opts: &HumanOptions) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = write_human(plan, opts, &mut out);
    out
}

/// Writes the terminal view as it is produced: a large plan is never held whole as text.
pub fn write_human_io<W: std::io::Write>(
    plan: &Plan,
    opts: &HumanOptions,
    w: W,
) -> std::io::Result<()> {
    struct Io<W> {
        w: W,
        error: Option<std::io::Error>,
    }
    impl<W: std::io::Write> Write for Io<W> {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            self.w.write_all(s.as_bytes()).map_err(|e| {
                self.error = Some(e);
                fmt::Error
            })
        }
    }
    let mut io = Io { w, error: None };
    match write_human(plan, opts, &mut io) {
        Ok(()) => io.w.flush(),
        Err(_) => Err(io
            .error
            .unwrap_or_else(|| std::io::Error::other("formatting the plan failed"))),
    }
}

pub fn write_human(plan: &Plan, opts: &HumanOptions, out: &mut impl Write) -> fmt::Result {
    let p = Paint(opts.color);
    if !plan.drift.is_empty() {
        writeln!(out, "{}\n", p.code("1", "Changes outside infra (drift):"))?;
        for d in &plan.drift {
            if d.deleted {
                writeln!(
                    out,
                    "  {} {} ({}) was deleted outside infra",
                    p.mark('-', "-"),
                    d.address,
                    d.type_name
                )?;
            } else {
                writeln!(
                    out,
                    "  {} {} ({}) changed outside infra",
                    p.mark('~', "~"),
                    d.address,
                    d.type_name
                )?;
                attributes(out, &p, &d.attributes)?;
            }
        }
        out.write_char('\n')?;
    }
    let pending: Vec<_> = plan.pending().collect();
    if pending.is_empty() && plan.unmanaged.is_empty() {
        writeln!(out, "{}\n", no_changes(plan))?;
        if plan.refresh_only {
            return Ok(());
        }
    } else {
        writeln!(
            out,
            "{}\n",
            p.code("1", "infra will perform these actions:")
        )?;
        for c in pending {
            let sym = p.action(c.action, symbol(c.action));
            let reason = c
                .reason
                .as_deref()
                .map(|r| format!(": {r}"))
                .unwrap_or_default();
            writeln!(
                out,
                "  {sym} {} ({}) {}{reason}",
                p.code("1", &c.address),
                c.type_name,
                verb(c.action)
            )?;
            if c.action != Action::Delete {
                attributes(out, &p, &c.attributes())?;
            }
            out.write_char('\n')?;
        }
    }
    if !plan.unmanaged.is_empty() {
        writeln!(
            out,
            "{}\n",
            p.code(
                "1",
                "Not managed by infra, and deleted with their container:"
            )
        )?;
        for u in &plan.unmanaged {
            writeln!(out, "  {} {} ({})", p.mark('-', "-"), u.id, u.reason)?;
        }
        out.write_char('\n')?;
    }
    writeln!(out, "{}", p.code("1", &summary_line(&plan.summary())))?;
    if !plan.output_changes.is_empty() {
        writeln!(out, "\n{}\n", p.code("1", "Changes to Outputs:"))?;
        for o in &plan.output_changes {
            let (mark, line) = output_line(o);
            writeln!(out, "  {} {line}", p.mark(mark, &mark.to_string()))?;
        }
    }
    Ok(())
}
