//! Where the cursor is while the user types, read from the text rather than the tree: a half
//! written line rarely parses. Tracks brackets (skipping strings and comments) to find the
//! resource block and the property path the cursor is inside.

/// What completion should offer at the cursor.
#[derive(Debug, PartialEq)]
pub enum Context {
    /// A type after `resource x: `, `existing x: ` or `param x: `; `start` is where the typed
    /// part (dots included) begins.
    TypeName { start: usize, params: bool },
    /// An ARM type reference being typed inside quotes after `resource x: "`: `typed` is the
    /// text from the opening quote to the cursor, which starts at `start`.
    TypeRef { start: usize, typed: String },
    /// A property name inside a resource body (or a nested object of it).
    PropertyName {
        resource_type: String,
        path: Vec<String>,
        start: usize,
    },
    /// The value of a property (`sku = `): its enum values first.
    PropertyValue {
        resource_type: String,
        path: Vec<String>,
        start: usize,
        quoted: bool,
    },
    /// A setting name inside an `environment` block: `path` is empty at its top, `["params"]`
    /// inside `params = { }`, `["target", "azure"]` inside `target = azure { }`...
    EnvironmentSetting { path: Vec<String>, start: usize },
    /// `base.` followed by the typed part.
    Member { base: String, start: usize },
    /// The start of a top-level statement.
    Keyword { start: usize },
    /// Anywhere else an expression may go: names and functions.
    Expression { start: usize },
}

/// The open brackets before `offset`: (byte offset, bracket).
fn open_brackets(text: &str, offset: usize) -> Vec<(usize, u8)> {
    let bytes = text.as_bytes();
    let end = offset.min(bytes.len());
    let mut stack = Vec::new();
    let mut i = 0;
    while i < end {
        match bytes[i] {
            b'"' => {
                // Skip the string, including `${ ... }` parts (which may hold braces).
                i += 1;
                let mut depth = 0usize;
                while i < end {
                    match bytes[i] {
                        b'\\' => i += 1,
                        b'$' if bytes.get(i + 1) == Some(&b'{') => {
                            depth += 1;
                            i += 1;
                        }
                        b'}' if depth > 0 => depth -= 1,
                        b'"' if depth == 0 => break,
                        b'\n' if depth == 0 => break,
                        _ => {}
                    }
                    i += 1;
                }
            }
            b'#' => i = line_end(bytes, i),
            b'/' if bytes.get(i + 1) == Some(&b'/') => i = line_end(bytes, i),
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = text[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |j| i + 2 + j + 1);
            }
            b @ (b'{' | b'[' | b'(') => stack.push((i, b)),
            b'}' | b']' | b')' => {
                stack.pop();
            }
            _ => {}
        }
        i += 1;
    }
    stack
}

fn line_end(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |j| from + j)
}

fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind('\n').map_or(0, |i| i + 1)
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// `resource NAME: TYPE ... {` (or `existing`) on the line of an opening brace: the type.
fn resource_header(line: &str) -> Option<String> {
    let rest = line
        .trim_start()
        .strip_prefix("resource ")
        .or_else(|| line.trim_start().strip_prefix("existing "))?;
    let (_, after_colon) = rest.split_once(':')?;
    if let Some(quoted) = after_colon.trim_start().strip_prefix('"') {
        let ty = quoted.split('"').next().unwrap_or_default();
        return (!ty.is_empty()).then(|| ty.to_string());
    }
    let ty: String = after_colon
        .trim_start()
        .chars()
        .take_while(|c| is_word(*c) || *c == '.')
        .collect();
    (!ty.is_empty()).then_some(ty)
}

/// `IDENT =` (spaces allowed) at the end of `text`: the identifier.
fn assigned_name(text: &str) -> Option<String> {
    let before = text.trim_end().strip_suffix('=')?;
    if before.ends_with(['=', '!', '<', '>']) {
        return None;
    }
    let before = before.trim_end();
    let name: String = before
        .chars()
        .rev()
        .take_while(|c| is_word(*c))
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    (!name.is_empty()).then_some(name)
}

/// The setting path inside an `environment NAME {` block the brackets lead to: each nested
/// object is `name = {` or `name = tag {`.
fn environment_owner(text: &str, stack: &[(usize, u8)]) -> Option<Vec<String>> {
    let (&(first, b'{'), rest) = stack.split_first()? else {
        return None;
    };
    let header = text[line_start(text, first)..first].trim_start();
    header.strip_prefix("environment ")?;
    let mut path = Vec::new();
    let mut prev = first;
    for &(at, bracket) in rest {
        if bracket != b'{' {
            return None;
        }
        let between = text[prev + 1..at].trim_end();
        let tag: String = between
            .chars()
            .rev()
            .take_while(|c| is_word(*c))
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let before_tag = &between[..between.len() - tag.len()];
        match assigned_name(before_tag) {
            Some(name) if !tag.is_empty() => path.extend([name, tag]),
            _ => path.push(assigned_name(between)?),
        }
        prev = at;
    }
    Some(path)
}

/// The resource block and property path the brackets lead to, if every bracket is one a
/// property can sit in.
fn property_owner(text: &str, stack: &[(usize, u8)]) -> Option<(String, Vec<String>)> {
    let (&(first, b'{'), rest) = stack.split_first()? else {
        return None;
    };
    let resource_type = resource_header(&text[line_start(text, first)..first])?;
    let mut path = Vec::new();
    let mut prev = first;
    for &(at, bracket) in rest {
        let between = &text[prev + 1..at];
        match (assigned_name(between), bracket) {
            (Some(name), b'{' | b'[') => path.push(name),
            // An object inside a list: the list's element.
            (None, b'{') if text.as_bytes()[prev] == b'[' && between.trim().is_empty() => {}
            (None, b'{') if text.as_bytes()[prev] == b'[' && between.trim().ends_with(',') => {}
            _ => return None,
        }
        prev = at;
    }
    // The innermost bracket must be an object to hold property names.
    Some((resource_type, path)).filter(|_| text.as_bytes()[prev] == b'{')
}

/// Inside the quotes of `resource x: "Microsoft.Web/si`: the reference typed so far.
fn type_ref_at(text: &str, offset: usize) -> Option<Context> {
    let line = &text[line_start(text, offset)..offset];
    let rest = line
        .trim_start()
        .strip_prefix("resource ")
        .or_else(|| line.trim_start().strip_prefix("existing "))?;
    let (_, after_colon) = rest.split_once(':')?;
    let typed = after_colon.trim_start().strip_prefix('"')?;
    if typed.contains('"') {
        return None;
    }
    Some(Context::TypeRef {
        start: offset - typed.len(),
        typed: typed.to_string(),
    })
}

/// What to complete at `offset` (a byte offset into `text`).
pub fn at(text: &str, offset: usize) -> Context {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let stack = open_brackets(text, offset);
    if stack.is_empty()
        && let Some(ctx) = type_ref_at(text, offset)
    {
        return ctx;
    }
    let inner = stack.last().map_or(0, |(at, _)| at + 1);
    let from = line_start(text, offset).max(inner);
    // The statement part of the line: after the last `,` outside strings, roughly.
    let segment_start = text[from..offset].rfind(',').map_or(from, |i| from + i + 1);
    let segment = &text[segment_start..offset];
    let word_len = segment
        .chars()
        .rev()
        .take_while(|c| is_word(*c))
        .map(char::len_utf8)
        .sum::<usize>();
    let word_start = offset - word_len;
    let before_word = &text[segment_start..word_start];

    // `x.` (and `x.ab`): members, unless it is a dotted type name being typed.
    let dotted_start = offset
        - segment
            .chars()
            .rev()
            .take_while(|c| is_word(*c) || *c == '.')
            .map(char::len_utf8)
            .sum::<usize>();
    let head = text[segment_start..dotted_start].trim();
    let is_type_position = stack.is_empty()
        && (head.starts_with("resource ")
            || head.starts_with("existing ")
            || head.starts_with("param "))
        && head.ends_with(':');
    if is_type_position {
        return Context::TypeName {
            start: dotted_start,
            params: head.starts_with("param "),
        };
    }
    if let Some(before_dot) = before_word.strip_suffix('.') {
        let base: String = before_dot
            .chars()
            .rev()
            .take_while(|c| is_word(*c))
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        if !base.is_empty() {
            return Context::Member {
                base,
                start: word_start,
            };
        }
    }
    if stack.is_empty() && before_word.trim().is_empty() {
        return Context::Keyword { start: word_start };
    }
    if before_word.trim().is_empty()
        && let Some(path) = environment_owner(text, &stack)
    {
        return Context::EnvironmentSetting {
            path,
            start: word_start,
        };
    }
    if let Some((resource_type, path)) = property_owner(text, &stack) {
        if before_word.trim().is_empty() {
            return Context::PropertyName {
                resource_type,
                path,
                start: word_start,
            };
        }
        let (value_head, quoted) = match before_word.strip_suffix('"') {
            Some(h) => (h, true),
            None => (before_word, false),
        };
        if let Some(name) = assigned_name(value_head) {
            let mut path = path;
            path.push(name);
            return Context::PropertyValue {
                resource_type,
                path,
                start: if quoted { word_start - 1 } else { word_start },
                quoted,
            };
        }
    }
    Context::Expression { start: word_start }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The context at the `|` in `src` (which is removed).
    fn ctx(src: &str) -> Context {
        let offset = src.find('|').unwrap();
        let text = src.replace('|', "");
        at(&text, offset)
    }

    #[test]
    fn a_type_after_the_colon_of_a_resource_or_param() {
        assert_eq!(
            ctx("resource kv: azure.ke|"),
            Context::TypeName {
                start: 13,
                params: false
            }
        );
        assert_eq!(
            ctx("let a = 1\nparam p: |"),
            Context::TypeName {
                start: 19,
                params: true
            }
        );
    }

    #[test]
    fn property_names_and_values_inside_a_resource() {
        let src = "resource kv: azure.key_vault {\n  name = \"a{b}\" // {\n  s|\n}\n";
        assert_eq!(
            ctx(src),
            Context::PropertyName {
                resource_type: "azure.key_vault".into(),
                path: vec![],
                start: src.find('|').unwrap() - 1,
            }
        );
        let src = "resource kv: azure.key_vault { name = \"x\", sku = \"pr|";
        assert!(matches!(
            ctx(src),
            Context::PropertyValue { ref path, quoted: true, .. } if path == &["sku"]
        ));
        let src = "resource kv: azure.key_vault {\n  access_policies = [{\n    obj|";
        assert!(matches!(
            ctx(src),
            Context::PropertyName { ref path, .. } if path == &["access_policies"]
        ));
    }

    #[test]
    fn type_references_in_quotes_and_typed_bodies() {
        assert_eq!(
            ctx("resource web: \"Microsoft.Web/si|"),
            Context::TypeRef {
                start: 15,
                typed: "Microsoft.Web/si".into()
            }
        );
        let src =
            "resource web: \"Microsoft.Web/sites@2025-03-01\" {\n  properties = {\n    https|";
        assert!(matches!(
            ctx(src),
            Context::PropertyName { ref resource_type, ref path, .. }
                if resource_type == "Microsoft.Web/sites@2025-03-01" && path == &["properties"]
        ));
    }

    #[test]
    fn members_keywords_and_expressions() {
        assert_eq!(
            ctx("output u = kv.ur|"),
            Context::Member {
                base: "kv".into(),
                start: 14
            }
        );
        assert_eq!(ctx("let a = 1\nre|"), Context::Keyword { start: 10 });
        assert_eq!(ctx("let a = lo|"), Context::Expression { start: 8 });
        let src = "resource kv: azure.key_vault {\n  name = lo|\n}";
        assert!(matches!(
            ctx(src),
            Context::PropertyValue { quoted: false, .. }
        ));
    }

    #[test]
    fn settings_inside_an_environment_block() {
        let path = |src: &str| match ctx(src) {
            Context::EnvironmentSetting { path, .. } => Some(path),
            _ => None,
        };
        assert_eq!(path("environment local {\n  ta|"), Some(vec![]));
        assert_eq!(
            path("environment prod {\n  params = {\n    im|"),
            Some(vec!["params".to_string()])
        );
        assert_eq!(
            path("environment prod {\n  target = azure { su|"),
            Some(vec!["target".to_string(), "azure".to_string()])
        );
        assert_eq!(
            path("environment e {\n  state = azure_blob {\n    account = \"a\",\n    |"),
            Some(vec!["state".to_string(), "azure_blob".to_string()])
        );
        // A value is an expression, not a setting name.
        assert_eq!(path("environment e {\n  protect = tr|"), None);
    }
}
