//! Byte offsets (what spans hold) to and from LSP positions (line and UTF-16 code unit, what
//! every editor speaks). A position past the end of a line means the end of that line.

use lsp_types::{Position, Range};

/// Line starts of one text, for converting in both directions.
#[derive(Debug, Clone)]
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> LineIndex<'a> {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, starts }
    }

    /// The position of a byte offset; an offset inside a character counts as its start.
    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.starts[line];
        let character = self.text[start..offset].encode_utf16().count();
        Position::new(line as u32, character as u32)
    }

    pub fn range(&self, start: usize, end: usize) -> Range {
        Range::new(self.position(start), self.position(end))
    }

    /// The byte offset of a position, clamped to the end of its line (before `\r\n`) and to
    /// the end of the text.
    pub fn offset(&self, position: Position) -> usize {
        let Some(&start) = self.starts.get(position.line as usize) else {
            return self.text.len();
        };
        let line_end = self
            .starts
            .get(position.line as usize + 1)
            .map_or(self.text.len(), |next| next - 1);
        column(self.text, start, line_end, position.character)
    }

    /// The range covering the whole text.
    pub fn whole(&self) -> Range {
        self.range(0, self.text.len())
    }
}

/// [`LineIndex::offset`] without an index: reads the text only as far as the position's
/// line (an edit near the top of a large file converts two positions).
pub fn offset_in(text: &str, position: Position) -> usize {
    let line = position.line as usize;
    let start = if line == 0 {
        0
    } else {
        match text.match_indices('\n').nth(line - 1) {
            Some((i, _)) => i + 1,
            None => return text.len(),
        }
    };
    let line_end = text
        .get(start..)
        .and_then(|rest| rest.find('\n'))
        .map_or(text.len(), |i| start + i);
    column(text, start, line_end, position.character)
}

/// The byte offset of UTF-16 column `character` in the line `text[start..line_end]`
/// (without its `\r`), clamped to the line's end.
fn column(text: &str, start: usize, line_end: usize, character: u32) -> usize {
    let line = &text[start..line_end];
    let line = line.strip_suffix('\r').unwrap_or(line);
    let mut units = 0usize;
    for (i, c) in line.char_indices() {
        if units >= character as usize {
            return start + i;
        }
        units += c.len_utf16();
    }
    start + line.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn offset_without_an_index_is_offset_with_one(
            text in "[a\u{e9}\u{1F511}\r\n]{0,40}",
            line in 0u32..12,
            character in 0u32..12,
        ) {
            let p = Position::new(line, character);
            prop_assert_eq!(offset_in(&text, p), LineIndex::new(&text).offset(p));
        }
    }

    #[test]
    fn counts_utf16_units_after_non_ascii_text() {
        // `é` is 2 bytes and 1 unit; `🔑` is 4 bytes and 2 units.
        let text = "let é = \"🔑x\"\nname\n";
        let idx = LineIndex::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(idx.position(x), Position::new(0, 11));
        assert_eq!(idx.offset(Position::new(0, 11)), x);
        let name = text.find("name").unwrap();
        assert_eq!(idx.position(name), Position::new(1, 0));
        assert_eq!(idx.offset(Position::new(1, 2)), name + 2);
    }

    #[test]
    fn round_trips_every_character_boundary() {
        let text = "a\u{e9}\u{1F511}b\r\n\u{4e2d}c\n";
        let idx = LineIndex::new(text);
        // Line terminators aside: a position between `\r` and `\n` is the end of its line.
        for (i, _) in text
            .char_indices()
            .filter(|(_, c)| *c != '\n' && *c != '\r')
        {
            assert_eq!(idx.offset(idx.position(i)), i, "offset {i}");
        }
    }

    #[test]
    fn clamps_positions_past_a_line_or_the_text() {
        let text = "ab\r\ncd";
        let idx = LineIndex::new(text);
        assert_eq!(idx.offset(Position::new(0, 99)), 2, "before the \\r\\n");
        assert_eq!(idx.offset(Position::new(1, 99)), text.len());
        assert_eq!(idx.offset(Position::new(7, 0)), text.len());
        // Inside the surrogate pair of a 4-byte character: its start.
        let key = "\u{1F511}";
        assert_eq!(LineIndex::new(key).position(2), Position::new(0, 0));
        assert_eq!(
            idx.whole(),
            Range::new(Position::new(0, 0), Position::new(1, 2))
        );
    }
}
