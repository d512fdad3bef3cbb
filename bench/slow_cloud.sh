#!/usr/bin/env bash
# Apply wall time against a slow cloud (QUALITY.md, "Against a slow cloud the limit is physics"):
# a standalone `infra emulator --throttle --latency-ms L` completes every write after L ms and
# enforces ARM's token buckets (writes 200 burst + 10/s, reads 250 + 25/s). For each shape the
# lower bound is max(critical path x L, (writes - 200) / 10 + L, (reads - 250) / 25): the last
# write the bucket lets through still takes L. The target is a wall time within 10% of it. Each
# create is one GET (is the name free?) and one PUT.
#   wide    N independent resource groups
#   chain   N resource groups, each tagged with the previous one's id (a path of N writes)
# Usage: bash bench/slow_cloud.sh            (release build; RUNS=3 by default, median reported)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=$PWD/target/release/infra
runs=${RUNS:-3}
work=$(mktemp -d)
emu_pid=""
trap '[ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null; rm -rf "$work"' EXIT

gen() { # shape n dir
  local shape=$1 n=$2 dir=$3 i
  mkdir -p "$dir"
  {
    echo 'environment slow {'
    echo '  target = azure { subscription = "11111111-2222-3333-4444-555555555555" }'
    echo '}'
    for ((i = 0; i < n; i++)); do
      echo "resource rg$i: azure.resource_group {"
      echo "  name     = \"slow-$shape-$i\""
      echo '  location = "westeurope"'
      if [ "$shape" = chain ] && [ "$i" -gt 0 ]; then
        echo "  tags     = { previous = rg$((i - 1)).id }"
      fi
      echo '}'
    done
  } >"$dir/main.infra"
}

start_emulator() { # latency_ms
  "$bin" emulator --listen 127.0.0.1:0 --throttle --latency-ms "$1" 2>"$work/emu.log" >/dev/null &
  emu_pid=$!
  for _ in $(seq 100); do
    grep -q 'http://127.0.0.1:' "$work/emu.log" 2>/dev/null && break
    sleep 0.05
  done
  base=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/emu.log" | head -n1)
}

printf '%-6s %5s %7s %10s %10s %7s\n' shape N "L (ms)" "bound (s)" "apply (s)" ratio
for spec in "wide 100 2000" "chain 10 1000" "wide 400 200"; do
  read -r shape n latency <<<"$spec"
  path=$([ "$shape" = chain ] && echo "$n" || echo 1)
  bound=$(echo "a = $path * $latency / 1000; b = ($n - 200) / 10 + $latency / 1000; c = ($n - 250) / 25;
    m = a; if (b > m) m = b; if (c > m) m = c; m" | bc -l)
  times=()
  for ((r = 0; r < runs; r++)); do
    start_emulator "$latency"
    dir="$work/$shape-$n-$r"
    gen "$shape" "$n" "$dir"
    start=$(date +%s.%N)
    INFRA_AZURE_ENDPOINT=$base AZURE_TENANT_ID=99999999-0000-0000-0000-000000000000 \
      "$bin" apply "$dir" --env slow --auto-approve -q >/dev/null 2>"$work/err" || {
      echo "apply failed:" >&2; cat "$work/err" >&2; exit 1; }
    end=$(date +%s.%N)
    times+=("$(echo "$end - $start" | bc -l)")
    kill "$emu_pid"; wait "$emu_pid" 2>/dev/null || true; emu_pid=""
  done
  median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p")
  printf '%-6s %5s %7s %10.2f %10.2f %7.2f\n' "$shape" "$n" "$latency" "$bound" "$median" \
    "$(echo "$median / $bound" | bc -l)"
done
