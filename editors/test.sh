#!/usr/bin/env bash
# The editor checks (run by scripts/test): the TextMate grammar's assertions, every valid
# `.infra` file of the repository tokenised, the VS Code extension packaged offline, the
# Vim syntax checked through Vim's synID, and the tree-sitter grammar (editors/tree-sitter/
# check.sh, which needs the `tree-sitter` CLI). npm tools are installed into .ci/tools on first use.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
source editors/npm-tools.sh
ensure_ci_tools "$root"
bin="$root/.ci/tools/node_modules/.bin"

echo "== TextMate grammar: assertions"
(cd editors/vscode && "$bin/vscode-tmgrammar-test" -g syntaxes/infra.tmLanguage.json 'test/*.test.infra')

echo "== TextMate grammar: every valid .infra file of the repository"
node editors/vscode/test/tokenize-all.js "$root/.ci/tools/node_modules" "$root"

echo "== VS Code extension packages offline"
vsix="$(mktemp -d)/infra-lang.vsix"
editors/vscode/package.sh "$vsix" >/dev/null
# A zip's central directory names its files in clear text.
grep -aq 'extension/node_modules/vscode-languageclient/package.json' "$vsix" || {
  echo "error: the .vsix lacks vscode-languageclient" >&2
  exit 1
}
rm -rf "$(dirname "$vsix")"
echo "packaged"

echo "== Vim syntax, indent and ftplugin (synID over a sample)"
if ! command -v vim >/dev/null 2>&1; then
  # Debian's `vim` (not vim-tiny, which has no syntax highlighting).
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    for attempt in 1 2 3; do
      { apt-get update -qq && apt-get install -y -qq vim >/dev/null; } && break
      echo "apt-get install vim failed (attempt $attempt)" >&2
      sleep $((attempt * 5))
    done
  fi
  command -v vim >/dev/null 2>&1 || { echo "error: vim is needed for the Vim syntax check (apt-get install vim)" >&2; exit 1; }
fi
vim -Nu NONE -i NONE -es -S editors/vim/test/run.vim
echo "vim syntax ok"

echo "== tree-sitter grammar (generated sources, corpus, highlights, queries, every .infra file)"
command -v tree-sitter >/dev/null 2>&1 || {
  echo "error: the tree-sitter CLI is needed: cargo install tree-sitter-cli --locked --version 0.27.1" >&2
  exit 1
}
bash editors/tree-sitter/check.sh
