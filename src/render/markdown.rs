//! The pull-request comment view, never longer than the limit (GitHub refuses comments over
//! 65,536 characters). Whatever the plan's size, it starts with what a reviewer must see: the
//! summary, a count per type and the risky changes (deletes, replaces, what goes with a
//! container). Then one `<details>` per resource, cloud resources before local ones
//! (`core.data` last, so thousands of them never hide an Azure change), and, when cut, what was
//! left out and where the whole plan is.

use super::text::{attr_lines, is_empty_default, no_changes, output_line, summary_line};
use crate::engine::model::{Action, Plan, ResourceChange};
use std::collections::BTreeMap;
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
            full_plan_hint: "the saved plan (`infra show PLANFILE`)".into(),
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
        for a in c.attributes().iter().filter(|a| !is_empty_default(a)) {
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

/// Local resources (`core.*`) change nothing outside the state: shown after the cloud's.
fn is_local(type_name: &str) -> bool {
    type_name.starts_with("core.")
}

/// Appends `line` unless it would pass `limit`; counts what did not fit.
fn push_capped(out: &mut String, line: &str, limit: usize, left: &mut usize) {
    if *left == 0 && out.len() + line.len() <= limit {
        out.push_str(line);
    } else {
        *left += 1;
    }
}

/// `| type | add | change | replace | destroy |` for the types the plan changes, cloud first.
fn per_type(out: &mut String, pending: &[&ResourceChange]) {
    let mut counts: BTreeMap<(bool, &str), [usize; 4]> = BTreeMap::new();
    for c in pending {
        let slot = match c.action {
            Action::Create | Action::Import => 0,
            Action::Update => 1,
            Action::Replace => 2,
            Action::Delete => 3,
            Action::NoOp | Action::Read => continue,
        };
        counts
            .entry((is_local(&c.type_name), &c.type_name))
            .or_default()[slot] += 1;
    }
    if counts.is_empty() {
        return;
    }
    out.push_str("| type | add | change | replace | destroy |\n|---|---:|---:|---:|---:|\n");
    for ((_, t), [a, u, r, d]) in &counts {
        let _ = writeln!(out, "| `{}` | {a} | {u} | {r} | {d} |", html(t));
    }
    out.push('\n');
}

/// Every delete and replace, one line each, with the reason (blast radius included); capped to
/// `limit` characters of the comment so that the details still get room.
fn risky(
    out: &mut String,
    pending: &[&ResourceChange],
    unmanaged: &[crate::engine::model::Unmanaged],
    limit: usize,
    hint: &str,
) {
    let list: Vec<&&ResourceChange> = pending.iter().filter(|c| c.action.is_risky()).collect();
    if list.is_empty() && unmanaged.is_empty() {
        return;
    }
    out.push_str("#### ⚠️ Risky changes\n\n");
    let limit = out.len() + limit;
    let mut left = 0;
    for c in &list {
        let reason = c
            .reason
            .as_deref()
            .map(|r| format!(" — {}", html(r)))
            .unwrap_or_default();
        let line = format!(
            "- **{}** <code>{}</code> ({}){reason}\n",
            c.action.as_str(),
            html(&c.address),
            html(&c.type_name)
        );
        push_capped(out, &line, limit, &mut left);
    }
    for u in unmanaged {
        let line = format!(
            "- **delete, not managed by infra** <code>{}</code> — {}\n",
            html(&u.id),
            html(&u.reason)
        );
        push_capped(out, &line, limit, &mut left);
    }
    if left > 0 {
        let _ = writeln!(out, "- … and {left} more: see {hint}");
    }
    out.push('\n');
}

/// "2,950 `core.data`, 12 `azure.dns_record`": what a cut left out, by type.
fn omitted(types: &[String]) -> String {
    let mut counts: BTreeMap<(bool, &str), usize> = BTreeMap::new();
    for t in types {
        *counts.entry((is_local(t), t.as_str())).or_default() += 1;
    }
    let mut parts: Vec<String> = counts
        .iter()
        .take(12)
        .map(|((_, t), n)| format!("{n} `{}`", html(t)))
        .collect();
    if counts.len() > 12 {
        parts.push(format!("{} other types", counts.len() - 12));
    }
    parts.join(", ")
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
    let footer_reserve = 1_200 + opts.full_plan_hint.len();
    let budget = opts.max_chars.saturating_sub(footer_reserve);
    let mut pending: Vec<&ResourceChange> = plan.pending().collect();
    // Cloud before local, risky first within each, so that a cut never hides an Azure change
    // behind `core.data`, nor a replace or delete behind an update.
    pending.sort_by(|a, b| {
        (is_local(&a.type_name), !a.action.is_risky(), &a.address).cmp(&(
            is_local(&b.type_name),
            !b.action.is_risky(),
            &b.address,
        ))
    });
    per_type(&mut out, &pending);
    let risky_count = s.replace + s.destroy;
    if risky_count > 0 {
        let _ = writeln!(
            out,
            "⚠️ **{risky_count} resource(s) will be replaced or destroyed.**\n"
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
            "⚠️ **{} object(s) not managed by infra will be deleted with their container.**\n",
            plan.unmanaged.len()
        );
    }
    // The risky list gets at most half of what is left; the details the rest.
    let room = budget.saturating_sub(out.len()) / 2;
    risky(
        &mut out,
        &pending,
        &plan.unmanaged,
        room,
        &opts.full_plan_hint,
    );

    // (text, type) per block; drift and outputs have no type.
    let mut blocks: Vec<(String, Option<String>)> = Vec::new();
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
        blocks.push((
            format!(
                "<details><summary>drift: <code>{}</code> {what}</summary>\n\n{code}</details>\n",
                html(&d.address)
            ),
            Some(format!("drift of {}", d.type_name)),
        ));
    }
    blocks.extend(
        pending
            .iter()
            .map(|c| (details(c), Some(c.type_name.clone()))),
    );
    if !plan.output_changes.is_empty() {
        let mut body = String::new();
        for o in &plan.output_changes {
            let (mark, line) = output_line(o);
            let _ = writeln!(body, "{mark} {line}");
        }
        let f = fence(&body);
        blocks.push((
            format!(
                "<details><summary>Changes to outputs ({})</summary>\n\n{f}diff\n{body}{f}\n\n</details>\n",
                plan.output_changes.len()
            ),
            Some("output changes".into()),
        ));
    }
    if pending.is_empty() && plan.unmanaged.is_empty() {
        if plan.drift.is_empty() {
            out.push_str(&no_changes(plan));
            out.push('\n');
            return out;
        }
        blocks.push((format!("{}\n", no_changes(plan)), None));
    }

    let total = blocks.len();
    let mut left_out: Vec<String> = Vec::new();
    for (text, kind) in &blocks {
        // Once one block does not fit, nothing after it is shown: the order is the priority.
        if !left_out.is_empty() || out.len() + text.len() > budget {
            left_out.push(kind.clone().unwrap_or_else(|| "summary".into()));
            continue;
        }
        out.push_str(text);
    }
    if !left_out.is_empty() {
        let _ = write!(
            out,
            "\n_{} of {total} entries are not shown here to keep this comment under {} characters \
             ({}); the full plan is in {}._\n",
            left_out.len(),
            opts.max_chars,
            omitted(&left_out),
            opts.full_plan_hint
        );
    }
    out
}
