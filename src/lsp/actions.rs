//! `textDocument/codeAction`: quick fixes for the diagnostics the editor sends back (apply a
//! "did you mean" suggestion, add the missing required properties with placeholders) and a
//! refactoring that moves a literal secret out of the file (`env_secret("NAME")`).

use super::analysis::Analysis;
use super::names;
use super::position::LineIndex;
use infra_lang::syntax::ast::{ExprKind, Item, StrPart, StrStyle};
use infra_provider_core::{SchemaSet, Type};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Diagnostic, NumberOrString, Range, TextEdit,
    Uri, WorkspaceEdit,
};
use std::collections::HashMap;

pub fn actions(
    analysis: &Analysis,
    uri: &Uri,
    text: &str,
    range: Range,
    diagnostics: &[Diagnostic],
    schemas: &SchemaSet,
) -> Vec<CodeActionOrCommand> {
    let mut out = Vec::new();
    for d in diagnostics {
        if let Some(suggestion) = did_you_mean(&d.message) {
            out.push(action(
                format!("Replace with {suggestion}"),
                CodeActionKind::QUICKFIX,
                uri,
                vec![TextEdit::new(d.range, suggestion)],
                Some(d.clone()),
            ));
        }
        let code = match &d.code {
            Some(NumberOrString::String(c)) => c.as_str(),
            _ => "",
        };
        if matches!(code, "E0302" | "E0804")
            && let Some(edit) = add_missing(analysis, text, d, schemas)
        {
            out.push(action(
                "Add the missing required properties".into(),
                CodeActionKind::QUICKFIX,
                uri,
                vec![edit],
                Some(d.clone()),
            ));
        }
    }
    out.extend(wrap_secrets(
        analysis,
        uri,
        text,
        range,
        diagnostics,
        schemas,
    ));
    out
}

fn action(
    title: String,
    kind: CodeActionKind,
    uri: &Uri,
    edits: Vec<TextEdit>,
    diagnostic: Option<Diagnostic>,
) -> CodeActionOrCommand {
    let preferred = diagnostic.is_some();
    CodeActionOrCommand::CodeAction(CodeAction {
        title,
        kind: Some(kind),
        diagnostics: diagnostic.map(|d| vec![d]),
        edit: Some(WorkspaceEdit::new(HashMap::from([(uri.clone(), edits)]))),
        is_preferred: Some(preferred),
        ..Default::default()
    })
}

/// The replacement a diagnostic's help suggests: `did you mean `x`?` gives `x`, and
/// `did you mean "x"?` (an enum value) gives `"x"`.
fn did_you_mean(message: &str) -> Option<String> {
    let rest = &message[message.find("did you mean ")? + "did you mean ".len()..];
    let quote = rest.chars().next()?;
    if quote != '`' && quote != '"' {
        return None;
    }
    let inner = &rest[1..];
    let word = &inner[..inner.find(quote)?];
    if word.is_empty() || word.contains('\n') {
        return None;
    }
    Some(if quote == '"' {
        format!("\"{word}\"")
    } else {
        word.to_string()
    })
}

/// The names in backquotes after "missing required" in a diagnostic's first line.
fn missing_names(message: &str) -> Vec<String> {
    let first = message.lines().next().unwrap_or_default();
    let Some(at) = first.find("missing required") else {
        return Vec::new();
    };
    // The LSP message appends the label in parentheses: stop before it.
    let part = &first[at..];
    let part = part.find(" (").map_or(part, |end| &part[..end]);
    part.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// Inserts `name = placeholder` lines before the closing brace of the resource the
/// diagnostic is on (it points at the resource's name).
fn add_missing(
    analysis: &Analysis,
    text: &str,
    d: &Diagnostic,
    schemas: &SchemaSet,
) -> Option<TextEdit> {
    let missing = missing_names(&d.message);
    if missing.is_empty() {
        return None;
    }
    let idx = LineIndex::new(text);
    let at = idx.offset(d.range.start);
    let file = names::document_tree(analysis)?;
    let resource = file.items.iter().find_map(|i| match i {
        Item::Resource(r) if r.span.start as usize <= at && at <= r.span.end as usize => Some(r),
        _ => None,
    })?;
    let end = resource.span.end as usize;
    if !text.get(..end)?.ends_with('}') {
        return None;
    }
    let close = end - 1;
    let line_start = text[..close].rfind('\n').map_or(0, |i| i + 1);
    let indent = resource
        .body
        .first()
        .map(|a| {
            let s = a.span.start as usize;
            let ls = text[..s].rfind('\n').map_or(0, |i| i + 1);
            text[ls..s].to_string()
        })
        .filter(|i| i.chars().all(|c| c == ' ' || c == '\t') && !i.is_empty())
        .unwrap_or_else(|| "  ".into());
    let schema = schemas.get(&resource.type_name.name);
    let mut insert = String::new();
    // A body closed on its own line gets lines before the brace; `{ }` on one line, a new line.
    let own_line = text[line_start..close].trim().is_empty();
    if !own_line {
        insert.push('\n');
    }
    for name in &missing {
        let placeholder = match schema.and_then(|s| s.properties.get(name)).map(|p| &p.ty) {
            Some(Type::Int) | Some(Type::Float) => "0",
            Some(Type::Bool) => "false",
            Some(Type::List(_)) => "[]",
            Some(Type::Map(_)) | Some(Type::Object(_)) => "{}",
            _ => "\"\"",
        };
        insert.push_str(&format!("{indent}{name} = {placeholder}\n"));
    }
    let pos = if own_line { line_start } else { close };
    Some(TextEdit::new(idx.range(pos, pos), insert))
}

/// `value = "literal"` on a secret property becomes `value = env_secret("RESOURCE_VALUE")`:
/// the literal must not stay in the file (nor in version control).
fn wrap_secrets(
    analysis: &Analysis,
    uri: &Uri,
    text: &str,
    range: Range,
    diagnostics: &[Diagnostic],
    schemas: &SchemaSet,
) -> Vec<CodeActionOrCommand> {
    let Some(file) = names::document_tree(analysis) else {
        return Vec::new();
    };
    let idx = LineIndex::new(text);
    let (from, to) = (idx.offset(range.start), idx.offset(range.end));
    let flagged: Vec<(usize, usize)> = diagnostics
        .iter()
        .filter(|d| matches!(&d.code, Some(NumberOrString::String(c)) if c == "W0811"))
        .map(|d| (idx.offset(d.range.start), idx.offset(d.range.end)))
        .collect();
    let mut out = Vec::new();
    for item in &file.items {
        let Item::Resource(r) = item else { continue };
        let schema = schemas.get(&r.type_name.name);
        for a in &r.body {
            let (s, e) = (a.span.start as usize, a.span.end as usize);
            if e < from || s > to {
                continue;
            }
            let ExprKind::Str {
                parts,
                style: StrStyle::Quoted,
            } = &a.value.kind
            else {
                continue;
            };
            if parts.iter().any(|p| matches!(p, StrPart::Interp(_))) {
                continue;
            }
            let secret = schema
                .and_then(|s| s.properties.get(&a.name.name))
                .is_some_and(|p| p.secret)
                || flagged.iter().any(|(fs, fe)| *fs <= e && *fe >= s);
            if !secret {
                continue;
            }
            let var = format!("{}_{}", r.name.name, a.name.name).to_uppercase();
            let v = a.value.span;
            out.push(action(
                format!("Read the secret from the environment: env_secret(\"{var}\")"),
                CodeActionKind::REFACTOR_REWRITE,
                uri,
                vec![TextEdit::new(
                    idx.range(v.start as usize, v.end as usize),
                    format!("env_secret(\"{var}\")"),
                )],
                None,
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_suggestions_and_missing_names_from_messages() {
        assert_eq!(
            did_you_mean("unknown function `lowr`\nhelp: did you mean `lower`?").as_deref(),
            Some("lower")
        );
        assert_eq!(
            did_you_mean("x\nhelp: did you mean \"Standard\"? allowed: ...").as_deref(),
            Some("\"Standard\"")
        );
        assert_eq!(did_you_mean("no suggestion here"), None);
        assert_eq!(
            missing_names(
                "resource `rg` is missing required properties `location`, `name` (missing `location`, `name`)"
            ),
            vec!["location", "name"]
        );
    }
}
