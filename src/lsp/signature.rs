//! `textDocument/signatureHelp`: the signature of the standard library function whose
//! arguments the cursor is in, with the argument being typed. Found by scanning the text, not
//! the tree, because the call is usually incomplete while it is typed.

use lsp_types::{ParameterInformation, ParameterLabel, SignatureHelp, SignatureInformation};

enum Frame {
    Call { name: String, commas: u32 },
    Other,
    Str,
    Interp,
}

/// The innermost open call before `offset`: its function name and argument index.
fn open_call(text: &str, offset: usize) -> Option<(String, u32)> {
    let text = text.get(..offset)?;
    let bytes = text.as_bytes();
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let in_str = matches!(stack.last(), Some(Frame::Str));
        if in_str {
            match c {
                b'\\' => i += 1,
                b'"' | b'\n' => {
                    stack.pop();
                }
                b'$' if bytes.get(i + 1) == Some(&b'{') => {
                    stack.push(Frame::Interp);
                    i += 1;
                }
                _ => {}
            }
            i += 1;
            continue;
        }
        match c {
            b'"' => stack.push(Frame::Str),
            b'#' => i = text[i..].find('\n').map_or(bytes.len(), |n| i + n),
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = text[i..].find('\n').map_or(bytes.len(), |n| i + n)
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = text[i..].find("*/").map_or(bytes.len(), |n| i + n + 1)
            }
            b'(' => {
                let before = &text[..i];
                let start = before
                    .rfind(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
                    .map_or(0, |p| p + 1);
                let name = &before[start..];
                stack.push(if name.is_empty() {
                    Frame::Other
                } else {
                    Frame::Call {
                        name: name.to_string(),
                        commas: 0,
                    }
                });
            }
            b'[' | b'{' => stack.push(Frame::Other),
            b')' | b']' | b'}' => {
                stack.pop();
            }
            b',' => {
                if let Some(Frame::Call { commas, .. }) = stack.last_mut() {
                    *commas += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    stack.into_iter().rev().find_map(|f| match f {
        Frame::Call { name, commas } => Some((name, commas)),
        _ => None,
    })
}

pub fn signature_help(text: &str, offset: usize) -> Option<SignatureHelp> {
    let (name, argument) = open_call(text, offset)?;
    let sig = infra_stdlib::signature(&name)?;
    let label = sig.synopsis();
    // Each parameter as offsets into the label (`name?: type` between the parentheses).
    let mut parameters = Vec::new();
    let mut from = label.find('(').map_or(0, |p| p + 1);
    for p in &sig.params {
        if let Some(at) = label[from..].find(p.name) {
            let start = from + at;
            let end = label[start..]
                .find([',', ')'])
                .map_or(label.len(), |e| start + e);
            parameters.push(ParameterInformation {
                label: ParameterLabel::LabelOffsets([
                    label[..start].encode_utf16().count() as u32,
                    label[..end].encode_utf16().count() as u32,
                ]),
                documentation: None,
            });
            from = end;
        }
    }
    let last = parameters.len().saturating_sub(1) as u32;
    let active = if sig.variadic.is_some() {
        argument.min(last)
    } else {
        argument
    };
    Some(SignatureHelp {
        signatures: vec![SignatureInformation {
            label,
            documentation: Some(lsp_types::Documentation::String(sig.doc.to_string())),
            parameters: Some(parameters),
            active_parameter: Some(active),
        }],
        active_signature: Some(0),
        active_parameter: Some(active),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_innermost_call_and_argument_outside_strings() {
        let text = "let a = replace(lower(\"A,B\"), \"x(\", ";
        assert_eq!(open_call(text, text.len()), Some(("replace".into(), 2)));
        let text = "let a = \"${lower(x";
        assert_eq!(open_call(text, text.len()), Some(("lower".into(), 0)));
        let text = "let a = lower(x) // (";
        assert_eq!(open_call(text, text.len()), None);
    }
}
