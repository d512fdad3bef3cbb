#!/usr/bin/env bash
# Side by side with Terraform on the same graphs (bench/gen.py; `terraform_data` for Terraform,
# `core.data` for infra, local state, no cloud). For N = 1k, 5k, 20k (SIZES="..." to change),
# median of RUNS (default 3) runs of each, the two tools in turn in the same loop so that a
# drifting machine affects both alike:
#   validate      terraform validate            | infra validate --env local
#   plan          terraform plan -refresh=false | infra plan --env local --refresh=false  (empty state)
#   re-plan       terraform plan                | infra plan --env local                  (full state)
# Terraform's re-plan needs the state an apply writes. A Terraform apply grows with N² (it
# rewrites the state after every resource: over an hour at 5k), so by default the state is the
# one bench/gen.py --terraform-state writes (identical to a real apply's but for ids, lineage and
# serial), checked first: `terraform plan -detailed-exitcode` on it must find no changes.
# TF_APPLY=1 runs the real apply instead. Without `terraform` on PATH the script says so and
# prints infra's figures alone. Goals (issue 16): validate >= 50x, plan and re-plan
# >= 100x Terraform at 5k and 20k.
# BIN=path/to/infra measures that binary instead of building this checkout's release binary.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet
  BIN=$PWD/target/release/infra
fi
runs=${RUNS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tf=$(command -v terraform || true)
if [ -z "$tf" ]; then
  echo "terraform is not on PATH: printing infra's figures only (install Terraform for the ratios)"
else
  echo "terraform: $("$tf" version 2>/dev/null | head -n1)"
fi

# time_of NAME CMD...: wall seconds of one run appended to $work/NAME; output thrown away.
time_of() {
  local name=$1 start end
  shift
  start=$(date +%s.%N)
  "$@" >/dev/null 2>"$work/err" || { echo "failed: $*" >&2; cat "$work/err" >&2; exit 1; }
  end=$(date +%s.%N)
  echo "$end - $start" | bc -l >>"$work/$name"
}
median() { sort -g "$work/$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ratio() { [ "$1" = - ] && echo - || printf '%.0fx' "$(echo "$1 / $2" | bc -l)"; }
secs() { [ "$1" = - ] && echo - || printf '%.3f' "$1"; }

printf '%6s | %-8s %9s %9s %7s\n' N step terraform infra ratio
for n in ${SIZES:-1000 5000 20000}; do
  p="$work/i$n" t="$work/t$n"
  python3 bench/gen.py "$n" "$p"
  python3 bench/gen.py "$n" "$t" --terraform
  rm -f "$work"/{tf,in}_*
  if [ -n "$tf" ]; then
    (cd "$t" && "$tf" init -input=false >/dev/null 2>&1)
  fi
  for _ in $(seq "$runs"); do
    [ -n "$tf" ] && time_of tf_validate "$tf" -chdir="$t" validate
    time_of in_validate "$BIN" validate "$p" --env local -q
    [ -n "$tf" ] && time_of tf_plan "$tf" -chdir="$t" plan -refresh=false -input=false -lock=false
    rm -rf "$p/.infra"
    time_of in_plan "$BIN" plan "$p" --env local --refresh=false
  done
  "$BIN" apply "$p" --env local --auto-approve -q >/dev/null
  tf_full=""
  if [ -n "$tf" ] && [ "${TF_APPLY:-0}" = 1 ]; then
    "$tf" -chdir="$t" apply -auto-approve -input=false >/dev/null 2>&1
    tf_full=1
  elif [ -n "$tf" ]; then
    python3 bench/gen.py "$n" "$work/s$n" --terraform-state
    cp "$work/s$n/terraform.tfstate" "$t/terraform.tfstate"
    # The check is the first timed re-plan: exit 0 only when Terraform finds nothing to change.
    time_of tf_replan "$tf" -chdir="$t" plan -input=false -lock=false -detailed-exitcode
    tf_full=1 tf_checked=1
  fi
  for _ in $(seq "$runs"); do
    if [ -n "$tf_full" ] && [ -z "${tf_checked:-}" ]; then
      time_of tf_replan "$tf" -chdir="$t" plan -input=false -lock=false
    fi
    tf_checked=""
    time_of in_replan "$BIN" plan "$p" --env local
  done
  for step in validate plan replan; do
    i=$(median "in_$step")
    if [ -f "$work/tf_$step" ]; then t_med=$(median "tf_$step"); else t_med=-; fi
    printf '%6s | %-8s %9s %9.3f %7s\n' "$n" "$step" "$(secs "$t_med")" "$i" "$(ratio "$t_med" "$i")"
  done
done
