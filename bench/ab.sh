#!/usr/bin/env bash
# Compares two gatewise binaries (e.g. before and after a change) on the benchmark stack, in one
# run: both serve bench/template.yaml at the same time and are measured in alternation, ROUNDS
# times per path, so the machine's noise falls on both alike. Prints the median requests/s and
# p50/p99 of each, and B/A.
# Usage: bench/ab.sh BINARY_A BINARY_B [ROUNDS=5] [DURATION_SECONDS=5] [CONNECTIONS=8]
# Build a binary of another commit with e.g.
#   git worktree add /tmp/before COMMIT && (cd /tmp/before && cargo build --release -p gatewise)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
a=$1 b=$2 rounds=${3:-5} duration=${4:-5} connections=${5:-8}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }

cargo build --release -q -p gatewise --example lambda_runtime_hello
mkdir -p bench/functions/rust
cp target/release/examples/lambda_runtime_hello bench/functions/rust/bootstrap

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

start() { # sets $url
  local out; out=$(mktemp)
  "$@" >"$out" 2>/dev/null &
  pids+=($!)
  for _ in $(seq 200); do
    if grep -q "Listening on" "$out"; then url=$(listening_url "$out"); return; fi
    sleep 0.05
  done
  echo "server did not start: $*" >&2; exit 1
}

start "$a" serve bench/template.yaml --port 0; url_a=$url
start "$b" serve bench/template.yaml --port 0; url_b=$url

# One wrk run: "requests/s p50 p99", latencies in ms.
run() {
  wrk -t2 -c"$connections" -d"${duration}s" --latency "$1" | wrk_summary
}

echo "wrk -t2 -c$connections -d${duration}s, $rounds alternating rounds, $(nproc) cores, $(date -u +%Y-%m-%d)"
echo "A: $a"
echo "B: $b"
printf '| %-34s | %12s | %12s | %8s | %8s | %8s | %8s | %6s |\n' path "A req/s" "B req/s" "A p50" "B p50" "A p99" "B p99" "B/A"
printf '|%s|%s|%s|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..36})" -------------- -------------- ---------- ---------- ---------- ---------- --------
for path in "/nope unknown route (403, no function)" "/node warm Node function" "/rust warm provided (lambda_runtime)"; do
  route=${path%% *} name=${path#* }
  wrk -t2 -c"$connections" -d2s "$url_a$route" >/dev/null
  wrk -t2 -c"$connections" -d2s "$url_b$route" >/dev/null
  results_a=() results_b=()
  for _ in $(seq "$rounds"); do
    results_a+=("$(run "$url_a$route")")
    results_b+=("$(run "$url_b$route")")
  done
  col() { printf '%s\n' "${@:2}" | awk -v c="$1" '{ print $c }' | median; }
  ra=$(col 1 "${results_a[@]}") rb=$(col 1 "${results_b[@]}")
  printf '| %-34s | %12.0f | %12.0f | %8.3f | %8.3f | %8.3f | %8.3f | %6.2f |\n' "$name" \
    "$ra" "$rb" "$(col 2 "${results_a[@]}")" "$(col 2 "${results_b[@]}")" \
    "$(col 3 "${results_a[@]}")" "$(col 3 "${results_b[@]}")" "$(awk -v a="$ra" -v b="$rb" 'BEGIN { print b / a }')"
done
