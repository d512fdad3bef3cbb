//! The params of `textDocument/publishDiagnostics`, written as JSON directly: after a `let`
//! is renamed a file can have thousands of diagnostics that differ only in their range, and
//! serde's generic path (escaping the same message again for each, formatting nested maps)
//! was a tenth of the edit's time. The bytes are exactly what `serde_json` writes for the
//! same values (tested below); a diagnostic with related information goes through serde.

use super::diagnostics::EditorDiagnostic;
use lsp_types::{Position, Uri};
use std::sync::Arc;

/// `{"uri":…,"diagnostics":[…],"version":…}` as `serde_json::to_vec` of lsp-types'
/// `PublishDiagnosticsParams` would write it.
pub fn params_json(
    uri: &Uri,
    diagnostics: &[EditorDiagnostic],
    version: Option<i32>,
) -> serde_json::Result<Vec<u8>> {
    // About 240 bytes per diagnostic.
    let mut out = Vec::with_capacity(64 + diagnostics.len() * 240);
    out.extend_from_slice(b"{\"uri\":");
    serde_json::to_writer(&mut out, uri)?;
    out.extend_from_slice(b",\"diagnostics\":[");
    // The last message escaped, reused while the next diagnostics share it.
    let mut escaped: Option<(Arc<str>, Vec<u8>)> = None;
    for (i, d) in diagnostics.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        if d.related_information.is_some() {
            serde_json::to_writer(&mut out, d)?;
            continue;
        }
        out.extend_from_slice(b"{\"range\":{\"start\":");
        position(&mut out, d.range.start);
        out.extend_from_slice(b",\"end\":");
        position(&mut out, d.range.end);
        out.push(b'}');
        if let Some(s) = d.severity {
            out.extend_from_slice(b",\"severity\":");
            serde_json::to_writer(&mut out, &s)?;
        }
        if let Some(code) = d.code {
            out.extend_from_slice(b",\"code\":");
            serde_json::to_writer(&mut out, code)?;
        }
        out.extend_from_slice(b",\"source\":");
        serde_json::to_writer(&mut out, d.source)?;
        out.extend_from_slice(b",\"message\":");
        match &escaped {
            Some((m, bytes)) if Arc::ptr_eq(m, &d.message) => out.extend_from_slice(bytes),
            _ => {
                let bytes = serde_json::to_vec(&*d.message)?;
                out.extend_from_slice(&bytes);
                escaped = Some((Arc::clone(&d.message), bytes));
            }
        }
        out.push(b'}');
    }
    out.push(b']');
    if let Some(v) = version {
        out.extend_from_slice(b",\"version\":");
        number(&mut out, i64::from(v));
    }
    out.push(b'}');
    Ok(out)
}

fn position(out: &mut Vec<u8>, p: Position) {
    out.extend_from_slice(b"{\"line\":");
    number(out, i64::from(p.line));
    out.extend_from_slice(b",\"character\":");
    number(out, i64::from(p.character));
    out.push(b'}');
}

/// An integer in decimal, without `fmt`'s machinery (four per diagnostic).
fn number(out: &mut Vec<u8>, n: i64) {
    if n < 0 {
        out.push(b'-');
    }
    let mut v = n.unsigned_abs();
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::{
        DiagnosticRelatedInformation, DiagnosticSeverity, Location, PublishDiagnosticsParams, Range,
    };
    use proptest::prelude::*;

    fn diag(range: Range, message: &Arc<str>) -> EditorDiagnostic {
        EditorDiagnostic {
            range,
            severity: Some(DiagnosticSeverity::ERROR),
            code: Some("E0200"),
            source: "infra",
            message: Arc::clone(message),
            related_information: None,
        }
    }

    /// What lsp-types' own type serializes to, for the same values.
    fn reference(uri: &Uri, list: &[EditorDiagnostic], version: Option<i32>) -> String {
        let diagnostics = list
            .iter()
            .map(|d| lsp_types::Diagnostic {
                range: d.range,
                severity: d.severity,
                code: d.code.map(|c| lsp_types::NumberOrString::String(c.into())),
                source: Some(d.source.into()),
                message: d.message.to_string(),
                related_information: d.related_information.clone(),
                ..Default::default()
            })
            .collect();
        let params = PublishDiagnosticsParams {
            uri: uri.clone(),
            diagnostics,
            version,
        };
        serde_json::to_string(&params).unwrap()
    }

    #[test]
    fn shared_messages_related_information_and_bare_diagnostics_read_as_lsp_types_writes_them() {
        let uri: Uri = "file:///p/main%20file.infra".parse().unwrap();
        let shared: Arc<str> = Arc::from("unknown reference `p` (not declared)\nhelp: \"q\"?");
        let r = |l, c| Range::new(Position::new(l, c), Position::new(l, c + 3));
        let mut related = diag(r(9, 0), &Arc::from("cycle"));
        related.related_information = Some(vec![DiagnosticRelatedInformation {
            location: Location::new(uri.clone(), r(2, 1)),
            message: "through here".into(),
        }]);
        let list = vec![
            diag(r(0, 0), &shared),
            diag(r(4_000_000, 7), &shared),
            related,
            diag(r(12, 5), &shared),
            EditorDiagnostic::at_start("cannot load the project: \u{1}\t".into()),
        ];
        for version in [None, Some(0), Some(-3), Some(i32::MAX)] {
            let got = params_json(&uri, &list, version).unwrap();
            assert_eq!(
                String::from_utf8(got).unwrap(),
                reference(&uri, &list, version)
            );
        }
        let empty = params_json(&uri, &[], Some(1)).unwrap();
        assert_eq!(
            String::from_utf8(empty).unwrap(),
            reference(&uri, &[], Some(1))
        );
    }

    proptest! {
        #[test]
        fn any_range_and_message_read_as_lsp_types_writes_them(
            lines in prop::collection::vec((any::<u32>(), any::<u32>()), 1..6),
            message in "(?s).{0,40}",
            version in any::<Option<i32>>(),
        ) {
            let uri: Uri = "file:///a.infra".parse().unwrap();
            let message: Arc<str> = Arc::from(message.as_str());
            let list: Vec<EditorDiagnostic> = lines
                .iter()
                .map(|&(l, c)| diag(Range::new(Position::new(l, c), Position::new(c, l)), &message))
                .collect();
            let got = String::from_utf8(params_json(&uri, &list, version).unwrap()).unwrap();
            prop_assert_eq!(got, reference(&uri, &list, version));
        }
    }
}
