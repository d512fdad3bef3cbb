#!/usr/bin/env bash
# The editor checks (run by scripts/test): the TextMate grammar's assertions, every valid
# `.infra` file of the repository tokenised, the VS Code extension packaged offline, and
# the Vim syntax checked through Vim's synID. Tools are installed into .ci/tools on first use.
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
