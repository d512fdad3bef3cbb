#!/usr/bin/env bash
# Checks the tree-sitter grammar (run by editors/test.sh): the committed generated sources are
# what `tree-sitter generate` makes of grammar.js, the corpus and highlight tests pass, every
# query compiles, and every syntactically valid `.infra` file of the repository parses with no
# ERROR or MISSING node. Needs the `tree-sitter` CLI (`cargo install tree-sitter-cli --locked
# --version 0.27.1`), Node.js (to read grammar.js), a C compiler and Neovim (whose own
# tree-sitter runtime must load the parser and the queries).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$here"

# ABI 14: the newest that Neovim 0.9-0.10, Helix and Zed all load (the CLI defaults to 15).
abi=14
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# The compiled parser goes to a scratch directory, not the user's cache.
export TREE_SITTER_LIBDIR="$tmp/lib"
mkdir -p "$TREE_SITTER_LIBDIR"

echo "== tree-sitter $(tree-sitter --version | awk '{print $2}'): generated sources are current"
tree-sitter generate --abi "$abi" --output "$tmp/src" grammar.js
for file in parser.c grammar.json node-types.json tree_sitter/parser.h tree_sitter/alloc.h tree_sitter/array.h; do
  if ! diff -q "src/$file" "$tmp/src/$file" >/dev/null; then
    echo "error: editors/tree-sitter/src/$file differs from what grammar.js generates;" >&2
    echo "run: (cd editors/tree-sitter && tree-sitter generate --abi $abi)" >&2
    diff "src/$file" "$tmp/src/$file" | head -20 >&2 || true
    exit 1
  fi
done
echo "generated sources match grammar.js"

echo "== tree-sitter test: corpus, queries, highlights"
tree-sitter test

echo "== every query compiles (the grammar's, Helix's and Zed's)"
"$root/editors/helix/gen-highlights.sh" "$tmp/helix-highlights.scm"
if ! diff -q "$root/editors/helix/queries/infra/highlights.scm" "$tmp/helix-highlights.scm" >/dev/null; then
  echo "error: editors/helix/queries/infra/highlights.scm is stale: run editors/helix/gen-highlights.sh" >&2
  exit 1
fi
for query in queries/*.scm "$root"/editors/helix/queries/infra/*.scm "$root"/editors/zed/languages/infra/*.scm; do
  tree-sitter query --quiet "$query" test/highlight/declarations.infra >/dev/null || {
    echo "error: $query does not compile" >&2
    exit 1
  }
done
echo "compiled $(ls queries/*.scm "$root"/editors/helix/queries/infra/*.scm "$root"/editors/zed/languages/infra/*.scm | wc -l) queries"

echo "== Neovim loads the parser and compiles every query"
command -v nvim >/dev/null 2>&1 || {
  echo "error: Neovim is needed for this check (apt-get install neovim)" >&2
  exit 1
}
# Built and installed as docs/editors.md tells Neovim users to.
mkdir -p "$tmp/nvim/parser" "$tmp/nvim/queries"
cc -shared -fPIC -O2 -I src src/parser.c src/scanner.c -o "$tmp/nvim/parser/infra.so"
ln -s "$here/queries" "$tmp/nvim/queries/infra"
INFRA_TS_RTP="$tmp/nvim" INFRA_TS_SAMPLE="$here/test/highlight/declarations.infra" \
  nvim --headless --clean -n -i NONE -u NONE -c "luafile $here/test/neovim.lua" </dev/null

echo "== every valid .infra file of the repository parses without ERROR or MISSING"
node "$root/editors/valid-infra-files.js" "$root" >"$tmp/files"
count="$(wc -l <"$tmp/files")"
if [ "$count" -lt 50 ]; then
  echo "error: only $count .infra files found under $root" >&2
  exit 1
fi
# `parse --quiet` prints only the files whose tree holds an ERROR or MISSING node.
if ! tree-sitter parse --quiet --paths "$tmp/files" >"$tmp/errors" 2>"$tmp/stderr" || [ -s "$tmp/errors" ]; then
  cat "$tmp/errors" "$tmp/stderr" >&2
  echo "error: the tree-sitter grammar does not read every valid .infra file" >&2
  exit 1
fi
echo "parsed $count .infra files without error"
