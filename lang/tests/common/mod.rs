//! Golden-file comparison shared by the integration tests of this crate.
//! `UPDATE_GOLDEN=1 cargo test -p infra-lang` rewrites the expected files.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// All files with the given extension below `dir`, sorted.
pub fn cases(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == ext) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Compares `actual` with the golden file, or rewrites it under `UPDATE_GOLDEN=1`.
/// Returns a description of the mismatch, if any, so a test can report all cases at once.
pub fn compare(expected_path: &Path, actual: &str) -> Option<String> {
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(expected_path, actual).expect("write golden file");
        return None;
    }
    let expected = std::fs::read_to_string(expected_path).unwrap_or_default();
    if expected == actual {
        None
    } else {
        Some(format!(
            "--- {} (expected)\n{expected}\n--- actual\n{actual}\n(run `UPDATE_GOLDEN=1 cargo test -p infra-lang` to accept)",
            expected_path.display()
        ))
    }
}
