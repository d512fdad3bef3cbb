#!/usr/bin/env bash
# Times `infra validate --env local` on generated projects of 1k, 5k and 20k core.data
# resources: median wall time and median peak RSS of RUNS runs each (release build).
#   BIN=path/to/infra  measure that binary instead of building this checkout's release
#   SIZES="1000 5000"  which project sizes;  RUNS=7  runs per size (default 5)
# Target (docs/cli.md, issue 16): linear growth; at N=20,000 under 150 MiB for the whole
# plan, so validate (parse, check, evaluate) well below that.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet -p infra
  BIN=target/release/infra
fi
runs=${RUNS:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
median() { sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
printf '%8s %12s %14s\n' N "median (s)" "peak RSS MiB"
for n in ${SIZES:-1000 5000 20000}; do
  python3 bench/gen.py "$n" "$work/p$n" >/dev/null
  : >"$work/times"
  : >"$work/rss"
  for _ in $(seq "$runs"); do
    /usr/bin/time -f '%e %M' -a -o "$work/stats" "$BIN" validate "$work/p$n" --env local -q >/dev/null
  done
  awk '{print $1}' "$work/stats" >"$work/times"
  awk '{print $2}' "$work/stats" >"$work/rss"
  rm -f "$work/stats"
  printf '%8s %12.3f %14.1f\n' "$n" "$(median <"$work/times")" "$(echo "$(median <"$work/rss") / 1024" | bc -l)"
done
