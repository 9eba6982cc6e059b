#!/usr/bin/env bash
# What the inspector page costs the gateway, and whether the page keeps up (BENCHMARKS.md, "the
# inspector: page closed and page open"). Four processes of one release build serve
# bench/template.yaml at the same time and are measured in alternation, ROUNDS times per path,
# so the machine's noise falls on all of them alike:
#   off      --no-inspector (the baseline)
#   closed   the inspector on, no page ever opened
#   stream   the inspector with a reader of its event stream (`curl -sN`): what the gateway
#            pays to record and send, nothing else
#   page     the inspector with a real page open in headless Chromium (and the same reader):
#            also what rendering the page costs a 2-core machine; the script prints the
#            share of a core Chromium used during these measurements
# After each measurement of `stream` and `page`, and a pause past its last batch interval, one
# marker request (`GET /inspector-marker-N`) goes to the server; the script waits for it on the event stream and reports the longest wait
# (the page keeps up when it stays within a second), and fails if a stream said `missed` (fell
# behind). It also prints how many requests the stream carried and how many it only counted.
# Usage: bench/inspector.sh [ROUNDS=3] [DURATION_SECONDS=5] [CONNECTIONS=10]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
rounds=${1:-3} duration=${2:-5} connections=${3:-10}
origin=http://localhost:5173
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium; }

cargo build --release -q -p gatewise --bin gatewise --example lambda_runtime_hello
mkdir -p bench/functions/rust
cp target/release/examples/lambda_runtime_hello bench/functions/rust/bootstrap

tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

declare -A url inspector
start() { # start NAME ARGS...: serves bench/template.yaml; sets url[NAME], inspector[NAME]
  local name=$1 out=$tmp/$1.out
  shift
  setsid target/release/gatewise serve bench/template.yaml --port 0 --invoke-port 0 "$@" \
    >"$out" 2>/dev/null &
  pids+=($!)
  for _ in $(seq 400); do
    if grep -q "Listening on" "$out"; then
      url[$name]=$(listening_url "$out")
      inspector[$name]=$(grep -o 'Inspector on http://[^ ]*' "$out" | cut -d' ' -f3 || true)
      return
    fi
    sleep 0.05
  done
  echo "gatewise did not start: $*" >&2
  exit 1
}
start off --no-inspector
start closed --inspector-port 0
start stream --inspector-port 0
start page --inspector-port 0

# The readers: appending (O_APPEND), so the file can be emptied between measurements.
for name in stream page; do
  curl -sN "${inspector[$name]}/events" >>"$tmp/$name.events" &
  pids+=($!)
done
chromium --headless=new --no-sandbox --disable-gpu --remote-debugging-port=0 \
  --user-data-dir="$tmp/chromium" "${inspector[page]}/" >/dev/null 2>&1 &
pids+=($!)
browser=$!

# CPU time (clock ticks) of a process and all its descendants.
tree_ticks() {
  local pid ticks=0 user system
  for pid in "$1" $(descendants "$1"); do
    read -r user system <<<"$(cpu_ticks "$pid")"
    ticks=$((ticks + user + system))
  done
  echo "$ticks"
}
browser_ticks=0 browser_seconds=0

cat >"$tmp/preflight.lua" <<EOF
wrk.method = "OPTIONS"
wrk.headers["Origin"] = "$origin"
wrk.headers["Access-Control-Request-Method"] = "GET"
EOF

# wrk_run URL ARGS...: "requests/s p50_ms p99_ms"
wrk_run() {
  local target=$1
  shift
  wrk -t2 -c"$connections" -d"${duration}s" --latency "$@" "$target" | wrk_summary
}

marker=0 longest_wait=0 missed=0 carried=0 counted=0
# check_stream NAME: the marker request reaches NAME's event stream; records the wait.
check_stream() {
  local name=$1 file=$tmp/$1.events started waited
  marker=$((marker + 1))
  # Past the load's last batch (a quarter second): a request in a batch that already had
  # its share of records is only counted.
  sleep 0.6
  started=$(date +%s%N)
  curl -s -o /dev/null "${url[$name]}/inspector-marker-$marker"
  until grep -q "inspector-marker-$marker\"" "$file"; do
    waited=$((($(date +%s%N) - started) / 1000000))
    if ((waited > 5000)); then
      echo "the marker never reached the $name stream" >&2
      exit 1
    fi
    sleep 0.01
  done
  waited=$((($(date +%s%N) - started) / 1000000))
  ((waited > longest_wait)) && longest_wait=$waited
  missed=$((missed + $(grep -c '^event: missed' "$file" || true)))
  carried=$((carried + $(grep -o '"id":' "$file" | wc -l)))
  counted=$((counted + $(grep -o '"skipped":[0-9]*' "$file" | awk -F: '{ s += $2 } END { print s + 0 }')))
  : >"$file"
}

declare -A results
names=(off closed stream page)
for round in $(seq "$rounds"); do
  for path in preflight node; do
    for i in 0 1 2 3; do
      # A different server goes first in each round.
      name=${names[$(((i + round) % 4))]}
      case $path in
        preflight) args=(-s "$tmp/preflight.lua") target=${url[$name]}/mock ;;
        node) args=(-H "Origin: $origin") target=${url[$name]}/node ;;
      esac
      # Warm-up: Node instances need thousands of requests before V8 optimizes them.
      wrk -t2 -c"$connections" -d"$([[ $round == 1 && $path == node ]] && echo 10 || echo 2)s" \
        "${args[@]}" "$target" >/dev/null
      [[ $name == stream || $name == page ]] && : >"$tmp/$name.events"
      before=$(tree_ticks "$browser")
      results[$path.$name]+="$(wrk_run "$target" "${args[@]}")"$'\n'
      if [[ $name == page ]]; then
        browser_ticks=$((browser_ticks + $(tree_ticks "$browser") - before))
        browser_seconds=$((browser_seconds + duration))
      fi
      if [[ $name == stream || $name == page ]]; then check_stream "$name"; fi
    done
  done
done

echo "wrk -t2 -c$connections -d${duration}s, $rounds alternating rounds, $(nproc) cores," \
  "$(date -u '+%Y-%m-%d %H:%M UTC'); medians; latencies in ms; ratio = req/s / off req/s"
printf '| %-9s | %-9s | %-45s | %9s | %7s | %7s | %5s |\n' path inspector "req/s (rounds)" "median" p50 p99 ratio
printf '| :-------- | :-------- | :-------------------------------------------- | --------: | ------: | ------: | ----: |\n'
for path in preflight node; do
  base=$(awk 'NF { print $1 }' <<<"${results[$path.off]}" | median)
  for name in "${names[@]}"; do
    data=${results[$path.$name]}
    rps=$(awk 'NF { print $1 }' <<<"$data" | median)
    p50=$(awk 'NF { print $2 }' <<<"$data" | median)
    p99=$(awk 'NF { print $3 }' <<<"$data" | median)
    all=$(awk 'NF { printf "%s%.0f", (n++ ? " / " : ""), $1 }' <<<"$data")
    printf '| %-9s | %-9s | %-45s | %9.0f | %7.3f | %7.3f | %5.2f |\n' "$path" "$name" "$all" \
      "$rps" "$p50" "$p99" "$(awk -v a="$rps" -v b="$base" 'BEGIN { print a / b }')"
  done
done
echo "Chromium showing the page used $(awk -v t="$browser_ticks" -v hz="$(getconf CLK_TCK)" \
  -v s="$browser_seconds" 'BEGIN { printf "%.0f", 100 * t / hz / s }') % of a core during" \
  "the page rows (all its processes)"
echo "streams: $carried requests carried, $counted counted only (over the recording limit)," \
  "$missed 'missed' events; a marker request reached the stream within $longest_wait ms at worst"
((missed == 0)) || { echo "a stream fell behind" >&2; exit 1; }
