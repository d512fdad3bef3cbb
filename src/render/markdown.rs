//! The pull-request comment view: summary first, one `<details>` per resource, risky actions
//! first and flagged, never longer than the limit (GitHub refuses comments over 65,536
//! characters), saying what was left out and where the full plan is.

use super::text::{attr_lines, is_empty_default, no_changes, output_line, summary_line};
use crate::engine::model::{Action, Plan, ResourceChange};
use std::fmt::Write;

#[derive(Debug, Clone)]
pub struct MarkdownOptions {
    pub max_chars: usize,
    /// Where the reader finds the whole plan, e.g. "the `plan.json` artifact of this run".
    pub full_plan_hint: String,
}

impl Default for MarkdownOptions {
    fn default() -> Self {
        MarkdownOptions {
            max_chars: 60_000,
            full_plan_hint: "the output of `infra plan` in the pipeline log".into(),
        }
    }
}

fn html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A fence longer than any backtick run inside, so that values cannot end the code block.
fn fence(body: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for ch in body.chars() {
        run = if ch == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    "`".repeat(longest.max(2) + 1)
}

fn flag(a: Action) -> &'static str {
    if a.is_risky() { "⚠️ " } else { "" }
}

fn details(c: &ResourceChange) -> String {
    let mut body = String::new();
    if c.action != Action::Delete {
        for a in c.attributes.iter().filter(|a| !is_empty_default(a)) {
            let l = attr_lines(a);
            let _ = writeln!(body, "{} {}", l.mark, l.head);
            for (mark, line) in &l.diff {
                let _ = writeln!(body, "{mark}     {line}");
            }
        }
    }
    let reason = c
        .reason
        .as_deref()
        .map(|r| format!(" — {}", html(r)))
        .unwrap_or_default();
    let mut out = format!(
        "<details><summary>{}<b>{}</b> <code>{}</code> ({}){reason}</summary>\n\n",
        flag(c.action),
        c.action.as_str(),
        html(&c.address),
        html(&c.type_name)
    );
    if !body.is_empty() {
        let f = fence(&body);
        let _ = write!(out, "{f}diff\n{body}{f}\n\n");
    }
    out.push_str("</details>\n");
    out
}

pub fn render_markdown(plan: &Plan, opts: &MarkdownOptions) -> String {
    let s = plan.summary();
    let mut out = String::from("### infra plan\n\n");
    let _ = writeln!(out, "**{}**\n", summary_line(&s));
    out.push_str("| add | change | replace | destroy | drift |\n|---:|---:|---:|---:|---:|\n");
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} | {} |\n",
        s.add,
        s.change,
        s.replace,
        s.destroy,
        plan.drift.len()
    );
    let risky = s.replace + s.destroy;
    if risky > 0 {
        let _ = writeln!(
            out,
            "⚠️ **{risky} resource(s) will be replaced or destroyed.**\n"
        );
    }
    if s.with_parent > 0 {
        let _ = writeln!(
            out,
            "⚠️ **{} of them go with a container that is replaced or destroyed.**\n",
            s.with_parent
        );
    }
    if !plan.unmanaged.is_empty() {
        let _ = writeln!(
            out,
            "⚠️ **{} object(s) not managed by infra will be deleted with their container:**\n",
            plan.unmanaged.len()
        );
        for u in &plan.unmanaged {
            let _ = writeln!(out, "- <code>{}</code> — {}", html(&u.id), html(&u.reason));
        }
        out.push('\n');
    }

    let mut blocks: Vec<String> = Vec::new();
    for d in &plan.drift {
        let what = if d.deleted {
            "was deleted outside infra"
        } else {
            "changed outside infra"
        };
        let mut body = String::new();
        for a in &d.attributes {
            let l = attr_lines(a);
            let _ = writeln!(body, "{} {}", l.mark, l.head);
        }
        let f = fence(&body);
        let code = if body.is_empty() {
            String::new()
        } else {
            format!("{f}diff\n{body}{f}\n\n")
        };
        blocks.push(format!(
            "<details><summary>drift: <code>{}</code> {what}</summary>\n\n{code}</details>\n",
            html(&d.address)
        ));
    }
    let mut pending: Vec<&ResourceChange> = plan.pending().collect();
    // Risky first, so that a cut never hides a replace or delete behind an update.
    pending.sort_by_key(|c| (!c.action.is_risky(), c.address.clone()));
    blocks.extend(pending.iter().map(|c| details(c)));
    if !plan.output_changes.is_empty() {
        let mut body = String::new();
        for o in &plan.output_changes {
            let (mark, line) = output_line(o);
            let _ = writeln!(body, "{mark} {line}");
        }
        let f = fence(&body);
        blocks.push(format!(
            "<details><summary>Changes to outputs ({})</summary>\n\n{f}diff\n{body}{f}\n\n</details>\n",
            plan.output_changes.len()
        ));
    }
    if pending.is_empty() && plan.unmanaged.is_empty() {
        if plan.drift.is_empty() {
            out.push_str(&no_changes(plan));
            out.push('\n');
            return out;
        }
        blocks.push(format!("{}\n", no_changes(plan)));
    }

    let total = blocks.len();
    let footer_reserve = 400 + opts.full_plan_hint.len();
    let budget = opts.max_chars.saturating_sub(footer_reserve);
    let mut shown = 0;
    for b in &blocks {
        if out.len() + b.len() > budget {
            break;
        }
        out.push_str(b);
        shown += 1;
    }
    if shown < total {
        let _ = write!(
            out,
            "\n_{} of {total} entries are not shown here to keep this comment under {} characters; \
             the full plan is in {}._\n",
            total - shown,
            opts.max_chars,
            opts.full_plan_hint
        );
    }
    out
}
