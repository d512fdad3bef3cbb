#!/usr/bin/env bash
# Times `infra validate --env local` on generated projects of 1k, 5k and 20k core.data
# resources (median of 5 runs each, release build) and prints peak RSS.
# Target (docs/quality): N=5,000 under 0.2 s, linear growth.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/infra
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '%8s %12s %12s\n' N "median (s)" "peak RSS MB"
for n in ${SIZES:-1000 5000 20000}; do
  python3 bench/gen.py "$n" "$work/p$n"
  times=()
  rss=0
  for _ in 1 2 3 4 5; do
    start=$(date +%s.%N)
    /usr/bin/time -f '%M' -o "$work/rss" "$bin" validate "$work/p$n" --env local -q >/dev/null
    end=$(date +%s.%N)
    times+=("$(echo "$end - $start" | bc -l)")
    r=$(cat "$work/rss"); [ "$r" -gt "$rss" ] && rss=$r
  done
  median=$(printf '%s\n' "${times[@]}" | sort -g | sed -n 3p)
  printf '%8s %12.3f %12.1f\n' "$n" "$median" "$(echo "$rss / 1024" | bc -l)"
done
