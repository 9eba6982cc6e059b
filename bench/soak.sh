#!/usr/bin/env bash
# A bounded soak: N requests (default 1,000,000) with wrk against one warm Node function
# through gatewise (bench/soak.yaml, one instance), printing the resident memory of gatewise
# and of the instance after warm-up, after 100,000 requests and at the end, as a Markdown
# table. The instance is measured twice: as found (which moves with V8's collection cycle by
# 10-20 MB) and after a request that runs a full garbage collection first (what it keeps).
# Memory that keeps growing between 100k and N is a leak; the check at the end says whether
# gatewise and the collected instance stayed within 10 %.
# Usage: bench/soak.sh [REQUESTS=1000000] [CONNECTIONS=8]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
total=${1:-1000000}
connections=${2:-8}
first=100000
[ "$total" -gt "$first" ] || { echo "REQUESTS must be above $first" >&2; exit 2; }
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
cargo build --release -q -p gatewise --bin gatewise

work=$(mktemp -d)
gatewise_pid=
cleanup() {
  [ -z "$gatewise_pid" ] || kill "$gatewise_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# wrk runs for a duration, not a number of requests: each thread stops after its share and
# leaves a file behind; once every thread has, SIGINT ends wrk (its main thread otherwise
# sleeps out the whole -d) and it prints its report.
cat >"$work/count.lua" <<'LUA'
local threads, limit, done, marker = 0, 0, 0, ""
function setup(thread) threads = threads + 1; thread:set("id", threads) end
function init(args) limit = tonumber(args[1]); marker = args[2] .. "/done." .. id end
function response()
  done = done + 1
  if done == limit then io.open(marker, "w"):close(); wrk.thread:stop() end
end
LUA

target/release/gatewise serve bench/soak.yaml --port 0 --no-watch >"$work/out" 2>/dev/null &
gatewise_pid=$!
for _ in $(seq 200); do grep -q "Listening on" "$work/out" && break; sleep 0.05; done
url="$(listening_url "$work/out")/node"

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
instance() { # the Node process gatewise started (its keeper is a shell, not node)
  local pid
  for pid in $(pgrep -P "$gatewise_pid"); do
    [ "$(cat "/proc/$pid/comm")" = node ] && { echo "$pid"; return; }
  done
  echo "no Node instance under gatewise" >&2; exit 1
}
run() { # requests
  local threads=2 wrk_pid
  rm -f "$work"/done.*
  wrk -t"$threads" -c"$connections" -d1h -s "$work/count.lua" "$url" -- $(($1 / threads)) "$work" \
    >"$work/wrk.txt" &
  wrk_pid=$!
  until [ "$(find "$work" -name 'done.*' | wc -l)" -ge "$threads" ]; do
    kill -0 "$wrk_pid" 2>/dev/null || { cat "$work/wrk.txt" >&2; echo "wrk ended early" >&2; exit 1; }
    sleep 0.5
  done
  kill -INT "$wrk_pid"
  wait "$wrk_pid" || true
  awk '/requests in/ {sub(/,$/, "", $4); printf "%s requests in %s", $1, $4} /Requests\/sec/ {print ", " $2 " req/s"}' \
    "$work/wrk.txt"
}
row() { # label; sets g, n (as found) and c (after a full collection)
  g=$(rss_kb "$gatewise_pid"); n=$(rss_kb "$node")
  curl -s -o /dev/null "$url?gc=1"
  c=$(rss_kb "$node")
  printf '| %s | %s kB | %s kB | %s kB |\n' "$1" "$g" "$n" "$c"
}
curl -s -o /dev/null "$url"
node=$(instance)
echo "soak: $total requests, wrk -t2 -c$connections, $(nproc) cores, $(date -u +%Y-%m-%d)" >&2
rows=("$(row "after warm-up (1 request)")")
run "$first" >&2
[ "$(instance)" = "$node" ] || { echo "the instance was replaced during the soak" >&2; exit 1; }
row "after $first requests" >"$work/row"
rows+=("$(cat "$work/row")")
read -r at_first_g at_first_c < <(awk -F'|' '{gsub(/[ kB]/, ""); print $3, $5}' "$work/row")
run $((total - first)) >&2
[ "$(instance)" = "$node" ] || { echo "the instance was replaced during the soak" >&2; exit 1; }
row "after $total requests" >"$work/row"
rows+=("$(cat "$work/row")")
read -r end_g end_c < <(awk -F'|' '{gsub(/[ kB]/, ""); print $3, $5}' "$work/row")

echo "| requests served | gatewise RSS | Node instance RSS | Node instance RSS after a full GC |"
echo "| --- | ---: | ---: | ---: |"
printf '%s\n' "${rows[@]}"
growth() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%+.1f %%", (b - a) * 100 / a}'; }
flat() { awk -v a="$1" -v b="$2" 'BEGIN {d = (b - a) / a; print (d <= 0.10 && d >= -0.10) ? "flat" : "NOT flat"}'; }
echo "| change from $first to $total | $(growth "$at_first_g" "$end_g") ($(flat "$at_first_g" "$end_g")) | | $(growth "$at_first_c" "$end_c") ($(flat "$at_first_c" "$end_c")) |"
