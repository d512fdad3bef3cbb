//! `textDocument/semanticTokens/full/delta`: the tokens last sent for each document are kept
//! under a result id, and a delta request with that id gets only the change, as one edit of
//! the token array. Tokens are encoded relative to the previous one, so an edit in the middle of
//! a file changes only the tokens around it: the common prefix and suffix are the rest.

use lsp_types::{
    SemanticToken, SemanticTokens, SemanticTokensDelta, SemanticTokensEdit,
    SemanticTokensFullDeltaResult, Uri,
};
use std::collections::HashMap;

/// Integers per token in the LSP encoding (line, start, length, type, modifiers): edits count
/// in these, not in tokens.
const FIELDS: u32 = 5;

#[derive(Default)]
pub struct SemanticCache {
    next_id: u64,
    sent: HashMap<Uri, (String, Vec<SemanticToken>)>,
}

impl SemanticCache {
    /// Records `tokens` as the last sent for `uri` and gives them a fresh result id.
    pub fn full(&mut self, uri: &Uri, mut tokens: SemanticTokens) -> SemanticTokens {
        let id = self.remember(uri, tokens.data.clone());
        tokens.result_id = Some(id);
        tokens
    }

    /// The change from the tokens sent under `previous_id` to `tokens`; all of `tokens` when
    /// that id is not the last one sent for `uri` (an editor that lost track, a restart).
    pub fn delta(
        &mut self,
        uri: &Uri,
        previous_id: &str,
        tokens: SemanticTokens,
    ) -> SemanticTokensFullDeltaResult {
        let edits = match self.sent.get(uri) {
            Some((id, old)) if id == previous_id => Some(edits(old, &tokens.data)),
            _ => None,
        };
        match edits {
            Some(edits) => {
                let id = self.remember(uri, tokens.data);
                SemanticTokensFullDeltaResult::TokensDelta(SemanticTokensDelta {
                    result_id: Some(id),
                    edits,
                })
            }
            None => SemanticTokensFullDeltaResult::Tokens(self.full(uri, tokens)),
        }
    }

    pub fn forget(&mut self, uri: &Uri) {
        self.sent.remove(uri);
    }

    fn remember(&mut self, uri: &Uri, data: Vec<SemanticToken>) -> String {
        self.next_id += 1;
        let id = self.next_id.to_string();
        self.sent.insert(uri.clone(), (id.clone(), data));
        id
    }
}

/// One edit replacing what lies between the common prefix and the common suffix; none when
/// nothing changed.
pub fn edits(old: &[SemanticToken], new: &[SemanticToken]) -> Vec<SemanticTokensEdit> {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let (old_end, new_end) = (old.len() - suffix, new.len() - suffix);
    if prefix == old_end && prefix == new_end {
        return Vec::new();
    }
    vec![SemanticTokensEdit {
        start: count(prefix) * FIELDS,
        delete_count: count(old_end - prefix) * FIELDS,
        data: Some(new[prefix..new_end].to_vec()),
    }]
}

/// Token counts fit in u32: a document has fewer tokens than UTF-16 units, which LSP positions
/// already count in u32.
fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX / FIELDS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tok(line: u32, start: u32) -> SemanticToken {
        SemanticToken {
            delta_line: line,
            delta_start: start,
            length: 3,
            token_type: 1,
            token_modifiers_bitset: 0,
        }
    }

    /// Applies edits as a client does, on the flat integer array.
    fn apply(old: &[SemanticToken], edits: &[SemanticTokensEdit]) -> Vec<SemanticToken> {
        let mut flat: Vec<u32> = old
            .iter()
            .flat_map(|t| {
                [
                    t.delta_line,
                    t.delta_start,
                    t.length,
                    t.token_type,
                    t.token_modifiers_bitset,
                ]
            })
            .collect();
        for e in edits.iter().rev() {
            let data = e.data.iter().flatten().flat_map(|t| {
                [
                    t.delta_line,
                    t.delta_start,
                    t.length,
                    t.token_type,
                    t.token_modifiers_bitset,
                ]
            });
            let (s, d) = (e.start as usize, e.delete_count as usize);
            flat.splice(s..s + d, data);
        }
        flat.chunks(5)
            .map(|c| SemanticToken {
                delta_line: c[0],
                delta_start: c[1],
                length: c[2],
                token_type: c[3],
                token_modifiers_bitset: c[4],
            })
            .collect()
    }

    #[test]
    fn edits_rebuild_the_new_tokens_whatever_changed() {
        let base: Vec<_> = (0..6).map(|i| tok(1, i)).collect();
        let mut inserted = base.clone();
        inserted.insert(3, tok(0, 9));
        let mut removed = base.clone();
        removed.remove(0);
        let mut changed = base.clone();
        changed[5] = tok(2, 2);
        let cases = [
            (base.clone(), inserted),
            (base.clone(), removed),
            (base.clone(), changed),
            (base.clone(), Vec::new()),
            (Vec::new(), base.clone()),
            // Repeated tokens: prefix and suffix must not overlap.
            (vec![tok(1, 1); 3], vec![tok(1, 1); 5]),
            (vec![tok(1, 1); 5], vec![tok(1, 1); 2]),
        ];
        for (old, new) in cases {
            let e = edits(&old, &new);
            assert_eq!(apply(&old, &e), new, "{old:?} -> {new:?} with {e:?}");
            assert!(e.len() <= 1);
        }
    }

    #[test]
    fn an_insertion_sends_only_the_new_token() {
        let old: Vec<_> = (0..100).map(|i| tok(1, i)).collect();
        let mut new = old.clone();
        new.insert(50, tok(0, 4));
        let e = edits(&old, &new);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].start, 250);
        assert_eq!(e[0].delete_count, 0);
        assert_eq!(e[0].data.as_deref(), Some(&[tok(0, 4)][..]));
        assert!(edits(&old, &old).is_empty(), "no change, no edit");
    }

    #[test]
    fn a_stale_result_id_gets_the_whole_tokens_again() {
        let uri: Uri = "file:///p/main.infra".parse().unwrap();
        let mut cache = SemanticCache::default();
        let tokens = |data: Vec<SemanticToken>| SemanticTokens {
            result_id: None,
            data,
        };
        let first = cache.full(&uri, tokens(vec![tok(0, 1)]));
        let id = first.result_id.clone().unwrap();
        match cache.delta(&uri, "nonsense", tokens(vec![tok(0, 2)])) {
            SemanticTokensFullDeltaResult::Tokens(t) => {
                assert_eq!(t.data, vec![tok(0, 2)]);
                assert_ne!(t.result_id.as_deref(), Some(id.as_str()));
            }
            other => panic!("expected full tokens, got {other:?}"),
        }
        // `id` was superseded by the answer above.
        assert!(matches!(
            cache.delta(&uri, &id, tokens(vec![tok(0, 3)])),
            SemanticTokensFullDeltaResult::Tokens(_)
        ));
        cache.forget(&uri);
        assert!(cache.sent.is_empty());
    }
}
