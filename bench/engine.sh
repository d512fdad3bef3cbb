#!/usr/bin/env bash
# Engine overhead through the real binary on generated platform-shaped core.data projects
# (bench/gen.py: layers of 50, each resource referencing 1-3 of the layer before; no cloud).
# For N = 1k, 5k, 20k (override with SIZES="..."), median of RUNS (default 3) runs each:
#   validate              infra validate --env local
#   plan (empty)          infra plan --env local --refresh=false   (empty state)
#   apply                 infra apply --env local --auto-approve   (from an empty state)
#   re-plan               infra plan --env local                   (full state, with refresh)
#   json plan             infra plan --env local --refresh=false --format json (empty state)
# and for each the peak RSS (MiB, the largest of its runs, /usr/bin/time -f %M), plus the size
# of the state file apply wrote (KB).
# Targets (QUALITY.md, issue 16): at N=5,000 plan < 0.3 s, apply < 5 s, re-plan < 0.5 s, state
# < 1 MB; at N=20,000 peak RSS < 150 MiB for plan and re-plan.
# BIN=path/to/infra measures that binary instead of building this checkout's release binary.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet
  BIN=$PWD/target/release/infra
fi
bin=$BIN
runs=${RUNS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Runs a command; appends its wall time (s) to $work/times and keeps its peak RSS (KB) in $peak.
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
mib() { echo "$1 / 1024" | bc -l; }

printf '%6s | %9s %6s | %9s %6s | %8s | %9s %6s | %9s %6s | %9s\n' N validate MiB \
  "plan" MiB apply "re-plan" MiB "json plan" MiB "state KB"
for n in ${SIZES:-1000 5000 20000}; do
  p="$work/p$n"
  python3 bench/gen.py "$n" "$p"
  declare -A med=() rss=()
  for step in validate plan_empty json_plan apply plan_full; do
    : >"$work/times"
    peak=0
    for _ in $(seq "$runs"); do
      case $step in
        validate)   measure "$bin" validate "$p" --env local -q ;;
        plan_empty) rm -rf "$p/.infra"; measure "$bin" plan "$p" --env local --refresh=false ;;
        json_plan)  rm -rf "$p/.infra"; measure "$bin" plan "$p" --env local --refresh=false --format json ;;
        apply)      rm -rf "$p/.infra"; measure "$bin" apply "$p" --env local --auto-approve -q ;;
        plan_full)  measure "$bin" plan "$p" --env local ;;
      esac
    done
    med[$step]=$(median)
    rss[$step]=$peak
  done
  # The full-state plan must find nothing to do.
  "$bin" plan "$p" --env local --detailed-exitcode -q >/dev/null || {
    echo "N=$n: the plan after apply is not empty" >&2; exit 1; }
  size=$(stat -c %s "$p/.infra/local.state.json")
  printf '%6s | %9.3f %6.1f | %9.3f %6.1f | %8.3f | %9.3f %6.1f | %9.3f %6.1f | %9.1f\n' "$n" \
    "${med[validate]}" "$(mib "${rss[validate]}")" \
    "${med[plan_empty]}" "$(mib "${rss[plan_empty]}")" \
    "${med[apply]}" \
    "${med[plan_full]}" "$(mib "${rss[plan_full]}")" \
    "${med[json_plan]}" "$(mib "${rss[json_plan]}")" \
    "$(echo "$size / 1000" | bc -l)"
done
