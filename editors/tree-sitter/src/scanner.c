// External scanner for heredocs: `<<EOT` / `<<-EOT`, then lines up to the one holding only the
// marker (indentation and trailing blanks allowed), as in lang/src/syntax/grammar.pest. The
// markers of open heredocs are a stack (a heredoc can sit in an interpolation of another).
//
// Tokens: `heredoc_start` is the marker after `<<`/`<<-` (the rest of its line must be blank);
// `heredoc_content` is text up to a `$` (the grammar lexes `$`, `${` and `$${` itself) or up to
// the closing line; `heredoc_end` is the closing line's indentation and marker.

#include "tree_sitter/alloc.h"
#include "tree_sitter/parser.h"

#include <string.h>

enum TokenType { HEREDOC_START, HEREDOC_CONTENT, HEREDOC_END, ERROR_SENTINEL };

#define MAX_DEPTH 8
#define MAX_MARKER 64

typedef struct {
  uint8_t depth;
  uint8_t len[MAX_DEPTH];
  char marker[MAX_DEPTH][MAX_MARKER];
} Scanner;

static bool is_ident_start(int32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_ident_char(int32_t c) { return is_ident_start(c) || (c >= '0' && c <= '9'); }

static bool is_blank(int32_t c) { return c == ' ' || c == '\t' || c == '\r'; }

void *tree_sitter_infra_external_scanner_create(void) { return ts_calloc(1, sizeof(Scanner)); }

void tree_sitter_infra_external_scanner_destroy(void *payload) { ts_free(payload); }

unsigned tree_sitter_infra_external_scanner_serialize(void *payload, char *buffer) {
  Scanner *s = (Scanner *)payload;
  unsigned size = 0;
  buffer[size++] = (char)s->depth;
  for (uint8_t i = 0; i < s->depth; i++) {
    buffer[size++] = (char)s->len[i];
    memcpy(buffer + size, s->marker[i], s->len[i]);
    size += s->len[i];
  }
  return size;
}

void tree_sitter_infra_external_scanner_deserialize(void *payload, const char *buffer,
                                                    unsigned length) {
  Scanner *s = (Scanner *)payload;
  s->depth = 0;
  if (length == 0) return;
  unsigned pos = 0;
  uint8_t depth = (uint8_t)buffer[pos++];
  for (uint8_t i = 0; i < depth && i < MAX_DEPTH && pos < length; i++) {
    uint8_t len = (uint8_t)buffer[pos++];
    if (len > MAX_MARKER || pos + len > length) break;
    s->len[i] = len;
    memcpy(s->marker[i], buffer + pos, len);
    pos += len;
    s->depth = i + 1;
  }
}

static bool scan_start(Scanner *s, TSLexer *lexer) {
  while (lexer->lookahead == ' ' || lexer->lookahead == '\t') lexer->advance(lexer, true);
  if (!is_ident_start(lexer->lookahead) || s->depth == MAX_DEPTH) return false;
  uint8_t len = 0;
  char buf[MAX_MARKER];
  while (is_ident_char(lexer->lookahead)) {
    if (len == MAX_MARKER) return false;
    buf[len++] = (char)lexer->lookahead;
    lexer->advance(lexer, false);
  }
  lexer->mark_end(lexer);
  while (is_blank(lexer->lookahead)) lexer->advance(lexer, false);
  if (lexer->lookahead != '\n') return false;
  memcpy(s->marker[s->depth], buf, len);
  s->len[s->depth] = len;
  s->depth++;
  lexer->result_symbol = HEREDOC_START;
  return true;
}

static bool scan_body(Scanner *s, TSLexer *lexer) {
  const char *marker = s->marker[s->depth - 1];
  uint8_t len = s->len[s->depth - 1];
  bool has_content = false;
  bool line_start = lexer->get_column(lexer) == 0;
  for (;;) {
    if (lexer->eof(lexer)) {
      // An unclosed heredoc: the compiler reports it (E0103); here the tree gets an error.
      if (!has_content) return false;
      lexer->mark_end(lexer);
      lexer->result_symbol = HEREDOC_CONTENT;
      return true;
    }
    if (line_start) {
      line_start = false;
      // Content, if any, ends before a closing line.
      lexer->mark_end(lexer);
      bool advanced = false;
      while (lexer->lookahead == ' ' || lexer->lookahead == '\t') {
        lexer->advance(lexer, false);
        advanced = true;
      }
      uint8_t i = 0;
      while (i < len && lexer->lookahead == (unsigned char)marker[i]) {
        lexer->advance(lexer, false);
        advanced = true;
        i++;
      }
      if (i == len && !is_ident_char(lexer->lookahead)) {
        if (!has_content) lexer->mark_end(lexer);
        while (is_blank(lexer->lookahead)) lexer->advance(lexer, false);
        if (lexer->lookahead == '\n' || lexer->eof(lexer)) {
          if (has_content) {
            lexer->result_symbol = HEREDOC_CONTENT;
          } else {
            s->depth--;
            lexer->result_symbol = HEREDOC_END;
          }
          return true;
        }
      }
      if (advanced) has_content = true;
      continue;
    }
    int32_t c = lexer->lookahead;
    if (c == '$') {
      // `$`, `${` and `$${` are the grammar's tokens.
      if (!has_content) return false;
      lexer->mark_end(lexer);
      lexer->result_symbol = HEREDOC_CONTENT;
      return true;
    }
    lexer->advance(lexer, false);
    has_content = true;
    if (c == '\n') line_start = true;
  }
}

bool tree_sitter_infra_external_scanner_scan(void *payload, TSLexer *lexer,
                                             const bool *valid_symbols) {
  Scanner *s = (Scanner *)payload;
  if (valid_symbols[ERROR_SENTINEL]) return false;
  if ((valid_symbols[HEREDOC_CONTENT] || valid_symbols[HEREDOC_END]) && s->depth > 0) {
    return scan_body(s, lexer);
  }
  if (valid_symbols[HEREDOC_START]) return scan_start(s, lexer);
  return false;
}
