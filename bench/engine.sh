#!/usr/bin/env bash
# Engine overhead through the real binary on generated platform-shaped core.data projects
# (bench/gen.py: layers of 50, each resource referencing 1-3 of the layer before; no cloud).
# For N = 1k, 5k, 20k (override with SIZES="..."), median of RUNS (default 3) runs each:
#   validate              infra validate --env local
#   plan (empty)          infra plan --env local --refresh=false   (empty state)
#   apply                 infra apply --env local --auto-approve   (from an empty state)
#   plan (full)           infra plan --env local                   (full state, with refresh)
#   peak RSS              the largest of all the runs above (/usr/bin/time -f %M)
# Targets at N=5,000 (QUALITY.md): plan < 0.3 s, apply < 5 s, re-plan < 0.5 s, RSS < 150 MB.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=$PWD/target/release/infra
runs=${RUNS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Runs a command; appends its wall time (s) to $work/times and keeps the peak RSS (KB).
measure() {
  local start end
  start=$(date +%s.%N)
  /usr/bin/time -f '%M' -o "$work/rss" "$@" >/dev/null 2>"$work/err" || {
    echo "failed: $*" >&2; cat "$work/err" >&2; exit 1; }
  end=$(date +%s.%N)
  echo "$end - $start" | bc -l >>"$work/times"
  local r; r=$(tail -n1 "$work/rss")
  [ "$r" -gt "$peak" ] && peak=$r
  return 0
}

median() { sort -g "$work/times" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

printf '%7s %10s %12s %10s %11s %12s\n' N validate "plan(empty)" apply "plan(full)" "peak RSS MB"
for n in ${SIZES:-1000 5000 20000}; do
  p="$work/p$n"
  python3 bench/gen.py "$n" "$p"
  peak=0
  declare -A med=()
  for step in validate plan_empty apply plan_full; do
    : >"$work/times"
    for _ in $(seq "$runs"); do
      case $step in
        validate)   measure "$bin" validate "$p" --env local -q ;;
        plan_empty) rm -rf "$p/.infra"; measure "$bin" plan "$p" --env local --refresh=false ;;
        apply)      rm -rf "$p/.infra"; measure "$bin" apply "$p" --env local --auto-approve -q ;;
        plan_full)  measure "$bin" plan "$p" --env local ;;
      esac
    done
    med[$step]=$(median)
  done
  # The full-state plan must find nothing to do.
  "$bin" plan "$p" --env local --detailed-exitcode -q >/dev/null || {
    echo "N=$n: the plan after apply is not empty" >&2; exit 1; }
  printf '%7s %10.3f %12.3f %10.3f %11.3f %12.1f\n' "$n" "${med[validate]}" "${med[plan_empty]}" \
    "${med[apply]}" "${med[plan_full]}" "$(echo "$peak / 1024" | bc -l)"
done
