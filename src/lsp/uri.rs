//! `file://` URIs to paths and back. Editors percent-encode paths (spaces, `#`, non-ASCII);
//! the project loader works with plain paths.

use lsp_types::Uri;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The path of a `file:` URI; `None` for other schemes (`untitled:`, `vscode-notebook:`).
pub fn to_path(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    // `file://host/path`: only the local host (empty or `localhost`) names a file here.
    let path = match rest.find('/') {
        Some(0) => rest,
        Some(i) if &rest[..i] == "localhost" => &rest[i..],
        _ => return None,
    };
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let decoded = percent_decode(path)?;
    // `/C:/x` on Windows is `C:/x`.
    let bytes = decoded.as_bytes();
    if cfg!(windows) && bytes.len() > 2 && bytes[2] == b':' {
        return Some(PathBuf::from(&decoded[1..]));
    }
    Some(PathBuf::from(decoded))
}

/// The `file:` URI of an absolute path; `None` for a relative one (a bundled module).
pub fn from_path(path: &Path) -> Option<Uri> {
    if !path.is_absolute() {
        return None;
    }
    let text = path.to_string_lossy().replace('\\', "/");
    let mut out = String::from("file://");
    if !text.starts_with('/') {
        out.push('/');
    }
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~:".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Uri::from_str(&out).ok()
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(s: &str) -> Uri {
        Uri::from_str(s).unwrap()
    }

    #[test]
    fn decodes_percent_encoded_paths() {
        assert_eq!(
            to_path(&uri("file:///home/me/my%20proj/main.infra")),
            Some(PathBuf::from("/home/me/my proj/main.infra"))
        );
        assert_eq!(
            to_path(&uri("file:///tmp/caf%C3%A9/a.infra")),
            Some(PathBuf::from("/tmp/café/a.infra"))
        );
        assert_eq!(to_path(&uri("untitled:Untitled-1")), None);
        assert_eq!(to_path(&uri("file://server/share/a.infra")), None);
    }

    #[cfg(unix)]
    #[test]
    fn encodes_paths_so_that_they_round_trip() {
        let path = Path::new("/tmp/my proj/café#1/main.infra");
        let u = from_path(path).unwrap();
        assert_eq!(u.as_str(), "file:///tmp/my%20proj/caf%C3%A9%231/main.infra");
        assert_eq!(to_path(&u).as_deref(), Some(path));
        assert!(from_path(Path::new("std/naming/main.infra")).is_none());
    }
}
