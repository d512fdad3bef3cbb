# Shared by the editor scripts: installs the npm tools the editor checks need into .ci/tools
# (gitignored), idempotently and with retries, pinned to exact versions.

npm_retry() {
  local attempt
  for attempt in 1 2 3; do
    npm "$@" && return 0
    echo "npm $1 failed (attempt $attempt)" >&2
    sleep $((attempt * 5))
  done
  echo "error: npm $* failed three times; the editor checks need the npm registry once" >&2
  return 1
}

ensure_ci_tools() {
  local root="$1"
  local bin="$root/.ci/tools/node_modules/.bin"
  if [ ! -x "$bin/vscode-tmgrammar-test" ] || [ ! -x "$bin/vsce" ]; then
    echo "== installing vscode-tmgrammar-test and @vscode/vsce into .ci/tools"
    npm_retry install --no-audit --no-fund --silent --prefix "$root/.ci/tools" \
      vscode-tmgrammar-test@0.1.3 @vscode/vsce@3.7.1
  fi
}
