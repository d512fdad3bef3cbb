#!/usr/bin/env bash
# Builds the VS Code extension (.vsix) without network access once its npm packages are
# installed: `editors/vscode/package.sh [OUT.vsix]` (default: editors/vscode/infra-lang.vsix).
# Installs vsce into .ci/tools and the client library into editors/vscode/node_modules when
# missing (that step needs the npm registry).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:-$here/infra-lang.vsix}"
source "$root/editors/npm-tools.sh"

ensure_ci_tools "$root"
if [ ! -d "$here/node_modules/vscode-languageclient" ]; then
  npm_retry ci --no-audit --no-fund --silent --prefix "$here"
fi

# A proxy that refuses every connection: packaging must not depend on the network.
(cd "$here" && HTTPS_PROXY=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 npm_config_offline=true \
  "$root/.ci/tools/node_modules/.bin/vsce" package --skip-license --allow-missing-repository --out "$out")
