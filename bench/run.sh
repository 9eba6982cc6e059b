#!/usr/bin/env bash
# Measures requests/s and p50/p99 latency with wrk, in one run, for:
#   1. a bare hyper "hello" server (the baseline),
#   2. gatewise answering an unknown route (gateway work only: routing + a gateway response),
#   3. gatewise in front of a warm Node function,
#   4. gatewise in front of a warm `provided` function (AWS's Rust lambda_runtime client),
#   5. gatewise answering from a MOCK with a literal template, and from one rendering Velocity,
#   6. gatewise as an HTTP_PROXY in front of the bare hyper server (the integration's own cost).
# Usage: bench/run.sh [DURATION_SECONDS=10] [CONNECTIONS=8]
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10}
connections=${2:-8}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }

cargo build --release -q -p gatewise --bin gatewise --example lambda_runtime_hello
cargo build --release -q -p gatewise-gateway --example hyper_hello
mkdir -p bench/functions/rust
cp target/release/examples/lambda_runtime_hello bench/functions/rust/bootstrap

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# Starts a server that prints "Listening on URL" and sets $url. It runs in this shell (not in
# a $(…) subshell), so its PID reaches the cleanup trap.
start() {
  local out; out=$(mktemp)
  "$@" >"$out" 2>/dev/null &
  pids+=($!)
  for _ in $(seq 200); do
    if grep -q "Listening on" "$out"; then url=$(grep -o 'http://[^ ]*' "$out" | head -1); return; fi
    sleep 0.05
  done
  echo "server did not start: $*" >&2; exit 1
}

measure() { # name url
  local report
  wrk -t2 -c"$connections" -d2s "$2" >/dev/null  # warm-up: grows the pools, fills caches
  report=$(wrk -t2 -c"$connections" -d"${duration}s" --latency "$2")
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$report")
  p50=$(awk '$1=="50%" {print $2}' <<<"$report")
  p99=$(awk '$1=="99%" {print $2}' <<<"$report")
  printf '| %-44s | %10s | %8s | %8s |\n' "$1" "$rps" "$p50" "$p99"
}

start target/release/examples/hyper_hello; baseline=$url
start target/release/gatewise serve bench/template.yaml --port 0 --parameter-overrides "BackendUrl=${baseline%/}"; gatewise=$url

echo "wrk -t2 -c$connections -d${duration}s, $(nproc) cores, $(date -u +%Y-%m-%d)"
printf '| %-44s | %10s | %8s | %8s |\n' "server" "requests/s" "p50" "p99"
printf '|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..46})" "------------" "----------" "----------"
measure "bare hyper hello (baseline)" "$baseline/"
measure "gatewise, unknown route (403, no function)" "$gatewise/nope"
measure "gatewise + warm Node function" "$gatewise/node"
measure "gatewise + warm provided (lambda_runtime)" "$gatewise/rust"
measure "gatewise MOCK, literal template" "$gatewise/mock"
measure "gatewise MOCK, Velocity template" "$gatewise/mock-vtl?name=bench"
measure "gatewise HTTP_PROXY -> bare hyper hello" "$gatewise/proxy"
