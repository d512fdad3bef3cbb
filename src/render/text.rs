//! Formatting shared by the human and markdown views: values, attribute lines, line diffs.

use crate::engine::model::{Action, AttrChange, Json, Summary};
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
    format!(
        "Plan: {} to add, {} to change, {} to replace, {} to destroy.",
        s.add, s.change, s.replace, s.destroy
    )
}

/// `+`, `~`, `-/+`, `-`, `<=`.
pub fn symbol(a: Action) -> &'static str {
    match a {
        Action::Create => "+",
        Action::Update => "~",
        Action::Replace => "-/+",
        Action::Delete => "-",
        Action::Read => "<=",
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

pub fn attr_lines(a: &AttrChange) -> AttrLines {
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
    match (&a.before, &a.after) {
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
