#!/usr/bin/env bash
# Editor latency: drives `infra lsp` over stdio (bench/lsp.py) on generated projects and prints,
# per edit kind, the median and max time from sending a didChange to receiving the
# diagnostics for that version. Sizes are in lines of main.infra (3 lines per resource).
# Target (issue 16): 20,000 lines within 30 ms; docs/quality: 5,000 lines within 100 ms.
#   BIN=path/to/infra SIZES="5000 20000" RUNS=5 bash bench/lsp.sh
# TOKENS=1 also asks for semantic tokens right after each edit, as VS Code does.
# VALUE_READS=1: every resource reads the `let` as a value, not inside a string; TYPED_READS=1:
# as the `location` of resource groups (changing its type makes an error in each of them).
# VS=path/to/other/infra gives the same edits to a second build, edit by edit in turn, and
# prints both with their ratio (the only comparison this machine's drifting speed allows).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${BIN:-}
if [ -z "$bin" ]; then
  cargo build --release --quiet -p infra
  bin=target/release/infra
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for lines in ${SIZES:-5000 20000}; do
  n=$((lines / 3))
  python3 bench/gen.py "$n" "$work/p$lines"
  python3 bench/lsp.py "$bin" "$work/p$lines" "${RUNS:-5}" ${TOKENS:+--tokens} ${VS:+--vs "$VS"} ${VALUE_READS:+--value-reads} ${TYPED_READS:+--typed-reads}
done
