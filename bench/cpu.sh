#!/usr/bin/env bash
# Where a path's CPU goes: runs one wrk measurement against a running server and prints, next to
# requests/s and p50/p99, the CPU time per request spent by the server process itself and by
# every process it started (function instances), split into user and system time, from
# /proc/PID/stat before and after. Answers "is it gatewise or the function runtime?" without
# a profiler; for the why inside gatewise, record a profile with
#   perf record -F 4000 --call-graph dwarf,16384 -p SERVER_PID -- sleep 3
# Usage: bench/cpu.sh SERVER_PID WRK_ARGS...   e.g. bench/cpu.sh 1234 -t2 -c10 -d10s URL/node
set -euo pipefail
. "$(dirname "$0")/lib.sh"
server=$1
shift
ticks=$(getconf CLK_TCK)

# "user system" ticks of the server, then of everything below it.
snapshot() {
  local self children=(0 0) pid
  self=$(cpu_ticks "$server")
  for pid in $(descendants "$server"); do
    read -r u s <<<"$(cpu_ticks "$pid")"
    children=($((children[0] + u)) $((children[1] + s)))
  done
  echo "$self ${children[*]}"
}

read -r su0 ss0 cu0 cs0 <<<"$(snapshot)"
report=$(wrk --latency "$@")
read -r su1 ss1 cu1 cs1 <<<"$(snapshot)"
requests=$(awk '/requests in/ { print $1 }' <<<"$report")
awk -v n="$requests" -v hz="$ticks" \
  -v rps="$(awk '/Requests\/sec/ { print $2 }' <<<"$report")" \
  -v p50="$(awk '$1 == "50%" { print $2 }' <<<"$report")" \
  -v p99="$(awk '$1 == "99%" { print $2 }' <<<"$report")" \
  -v su=$((su1 - su0)) -v ss=$((ss1 - ss0)) -v cu=$((cu1 - cu0)) -v cs=$((cs1 - cs0)) '
  function us(t) { return t * 1e6 / hz / n }
  BEGIN {
    printf "%s requests/s, p50 %s, p99 %s; CPU per request: server %.1f us (user %.1f, system %.1f), its processes %.1f us (user %.1f, system %.1f)\n",
      rps, p50, p99, us(su + ss), us(su), us(ss), us(cu + cs), us(cu), us(cs)
  }'
