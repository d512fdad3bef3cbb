//! Formatting shared by the human and markdown views: values, attribute lines, line diffs.

use crate::engine::model::{Action, AttrChange, Json, OutputChange, Plan, Summary};
use similar::{ChangeTag, TextDiff};

const UNKNOWN: &str = "(known after apply)";
const SECRET: &str = "(secret)";

/// A value as shown: JSON, with the redaction markers bare rather than quoted.
pub fn value(v: &Json) -> String {
    match v {
        Json::String(s) if s == UNKNOWN || s == SECRET => s.clone(),
        other => other.to_string(),
    }
}

pub fn summary_line(s: &Summary) -> String {
    let imports = if s.import > 0 {
        format!("{} to import, ", s.import)
    } else {
        String::new()
    };
    let mut line = format!(
        "Plan: {imports}{} to add, {} to change, {} to replace, {} to destroy",
        s.add, s.change, s.replace, s.destroy
    );
    if s.with_parent > 0 {
        line.push_str(&format!(
            "; {} of these with their container",
            s.with_parent
        ));
    }
    if s.unmanaged > 0 {
        line.push_str(&format!(
            "; {} object(s) not managed by infra go with their container",
            s.unmanaged
        ));
    }
    line.push('.');
    line
}

/// `+`, `~`, `-/+`, `-`, `<=`.
pub fn symbol(a: Action) -> &'static str {
    match a {
        Action::Create => "+",
        Action::Update => "~",
        Action::Replace => "-/+",
        Action::Delete => "-",
        Action::Read => "<=",
        Action::Import => "<-",
        Action::NoOp => " ",
    }
}

pub fn verb(a: Action) -> &'static str {
    match a {
        Action::Create => "will be created",
        Action::Update => "will be updated in place",
        Action::Replace => "will be replaced",
        Action::Delete => "will be destroyed",
        Action::Read => "will be read",
        Action::Import => "will be imported",
        Action::NoOp => "is unchanged",
    }
}

/// One line of an attribute change, before indentation. `kind` is the leading mark; multi-line
/// strings on both sides become a line diff, returned as extra lines.
pub struct AttrLines {
    pub mark: char,
    pub head: String,
    pub diff: Vec<(char, String)>,
}

/// An attribute set to an empty value where there was none (`+ tags = {}`), or an empty value
/// removed: nothing a reader needs to see.
pub fn is_empty_default(a: &AttrChange) -> bool {
    let empty = |v: &Json| match v {
        Json::Null => true,
        Json::Object(m) => m.is_empty(),
        Json::Array(l) => l.is_empty(),
        _ => false,
    };
    match (&a.before, &a.after) {
        (None, Some(v)) | (Some(v), None) => empty(v),
        _ => false,
    }
}

/// The name an ARM id ends with, for a reference shown as what it refers to.
fn arm_name(s: &str) -> Option<&str> {
    let parts: Vec<&str> = s.trim_end_matches('/').split('/').collect();
    (parts.len() >= 5 && parts[0].is_empty() && parts[1].eq_ignore_ascii_case("subscriptions"))
        .then(|| parts.last().copied())
        .flatten()
        .filter(|n| !n.is_empty())
}

/// An input that refers to another object holds its ARM id; it is shown as the object's name,
/// as references by name are (`resource_group = "app-rg"`), unless the names alone would hide
/// the change (the same name in another group).
fn references_by_name(a: &AttrChange) -> (Option<Json>, Option<Json>) {
    let short = |v: &Option<Json>| match v {
        Some(Json::String(s)) if !a.output => arm_name(s).map(|n| Json::String(n.to_string())),
        _ => None,
    };
    let (b, c) = (short(&a.before), short(&a.after));
    let hides = a.before.is_some() && a.after.is_some() && b.is_some() && b == c;
    if hides {
        return (a.before.clone(), a.after.clone());
    }
    (
        b.or_else(|| a.before.clone()),
        c.or_else(|| a.after.clone()),
    )
}

pub fn attr_lines(a: &AttrChange) -> AttrLines {
    let (before, after) = references_by_name(a);
    let note = if a.forces_replace {
        "  # forces replacement"
    } else {
        ""
    };
    let name = if a.output {
        format!("{} (output)", a.path)
    } else {
        a.path.clone()
    };
    match (&before, &after) {
        (None, Some(after)) => AttrLines {
            mark: '+',
            head: format!("{name} = {}", value(after)),
            diff: vec![],
        },
        // An input no longer set is reset by the update, not left as it was.
        (Some(before), None) if a.reset => AttrLines {
            mark: '-',
            head: format!("{name} = {} -> (reset to default){note}", value(before)),
            diff: vec![],
        },
        (Some(before), None) => AttrLines {
            mark: '-',
            head: format!("{name} = {}", value(before)),
            diff: vec![],
        },
        (Some(Json::String(b)), Some(Json::String(c)))
            if !a.secret && (b.contains('\n') || c.contains('\n')) =>
        {
            let diff = TextDiff::from_lines(b.as_str(), c.as_str())
                .iter_all_changes()
                .map(|ch| {
                    let mark = match ch.tag() {
                        ChangeTag::Delete => '-',
                        ChangeTag::Insert => '+',
                        ChangeTag::Equal => ' ',
                    };
                    (mark, ch.value().trim_end_matches('\n').to_string())
                })
                .collect();
            AttrLines {
                mark: '~',
                head: format!("{name} = <<-EOT{note}"),
                diff,
            }
        }
        (Some(before), Some(after)) => AttrLines {
            mark: '~',
            head: format!("{name} = {} -> {}{note}", value(before), value(after)),
            diff: vec![],
        },
        (None, None) => AttrLines {
            mark: ' ',
            head: name,
            diff: vec![],
        },
    }
}

/// What a plan with nothing to apply says. After drift it does not claim "no changes": with
/// `--refresh-only` the drift is the news; otherwise the configuration already agrees with it.
pub fn no_changes(plan: &Plan) -> String {
    match (plan.drift.len(), plan.refresh_only) {
        (0, _) => "No changes. The infrastructure matches the configuration.".into(),
        (n, true) => format!(
            "Drift: {n} object(s) changed outside infra (above). Nothing in the cloud changes; \
             `infra apply --refresh-only` records them in the state as they are now."
        ),
        (_, false) => "No changes to apply: the configuration already agrees with what changed \
             outside infra (above)."
            .into(),
    }
}

/// One line of "Changes to Outputs": mark and text.
pub fn output_line(o: &OutputChange) -> (char, String) {
    let v = |x: &Json| value(x);
    match (&o.before, &o.after) {
        (None, Some(a)) => ('+', format!("{} = {}", o.name, v(a))),
        (Some(b), None) => ('-', format!("{} = {}", o.name, v(b))),
        (Some(b), Some(a)) => ('~', format!("{} = {} -> {}", o.name, v(b), v(a))),
        (None, None) => ('~', o.name.clone()),
    }
}

#[cfg(test)]
mod reset_tests {
    use super::*;

    #[test]
    fn an_input_no_longer_set_reads_as_reset_and_a_deleted_one_does_not() {
        let mut a = AttrChange {
            path: "ttl".into(),
            before: Some(Json::from(300)),
            after: None,
            forces_replace: false,
            unknown: false,
            secret: false,
            output: false,
            reset: true,
        };
        assert_eq!(attr_lines(&a).head, "ttl = 300 -> (reset to default)");
        a.reset = false;
        assert_eq!(attr_lines(&a).head, "ttl = 300");
    }
}
