#!/usr/bin/env bash
# Measures requests/s and p50/p99 latency with wrk, in one run, for gatewise and, row by row, the
# tool a developer would otherwise run locally for the same thing (BENCHMARKS.md, "The peers"):
#   - a bare hyper "hello" server (the baseline; crates/gatewise-gateway/examples/hyper_hello.rs),
#   - a CORS preflight answered by a REST API MOCK (SAM `Cors`), next to the same OPTIONS sent to
#     the bare hyper server, to cargo-lambda's CORS layer and to serverless-offline,
#   - a warm Node function behind gatewise (/node), next to serverless-offline 13 (/dev/node),
#     with and without Origin,
#   - a warm Rust function behind gatewise (/rust: provided.al2023, AWS's lambda_runtime), next
#     to `cargo lambda watch` serving a lambda_http hello (as it comes, one instance, and with
#     one instance per connection), with and without Origin,
#   - gatewise alone: an unknown route, MOCK literal and Velocity templates, HTTP_PROXY.
# Every request carries `Origin: http://localhost:5173`, as a browser's would, unless its row
# says "no Origin". Each comparison row shows gatewise, the peer, and gatewise / peer in
# requests/s (above 1: gatewise serves more); gatewise-only rows are compared with the baseline.
#
# Usage: bench/run.sh [--no-peers] [DURATION_SECONDS=10] [CONNECTIONS=10]
#   --no-peers   neither install nor measure serverless-offline and cargo-lambda (gatewise and
#                the bare hyper baseline only)
#   WARMUP_SECONDS=10  the load a function endpoint gets before its first measurement (every
#                other measurement follows a 2 s warm-up)
# The peers are installed on first use (only what is missing) into GATEWISE_BENCH_CACHE, by
# default ${XDG_CACHE_HOME:-$HOME/.cache}/gatewise-bench:
#   serverless-offline/    npm i serverless@3 serverless-offline@13, and a copy of
#                          bench/peers/serverless-offline/ (the service is run from there)
#   cargo-lambda-venv/     a Python venv with `pip install cargo-lambda` (PyPI ships the binary)
#   cargo-lambda-target/   the build of bench/peers/cargo-lambda-hello/ (CARGO_TARGET_DIR)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

peers=1 args=()
for arg in "$@"; do
  case $arg in
    --no-peers) peers=0 ;;
    -h | --help) sed -n '2,/^set -e/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;;
    -*) echo "unknown option: $arg (see --help)" >&2; exit 2 ;;
    *) args+=("$arg") ;;
  esac
done
duration=${args[0]:-10}
connections=${args[1]:-10}
cache=${GATEWISE_BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gatewise-bench}
origin=http://localhost:5173
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }

tmp=$(mktemp -d)
leaders=() # PIDs of the servers, each started by setsid: its PID is its session's and group's id

alive() { local s; s=$(ps -o stat= -p "$1" 2>/dev/null) && [[ $s != Z* ]]; }
started() { ps -o lstart= -p "$1" 2>/dev/null || true; } # with the PID, tells a process from a later one
# Stops every server and everything it started. Each server's process group first gets SIGTERM
# and 5 s to shut down on its own (gatewise stops its function instances, cargo-lambda its
# functions); then SIGKILL goes to whatever is still alive of the processes listed before, and to
# their groups. They are listed before anything is killed: cargo-lambda runs each function
# instance in a session of its own (watchexec), out of reach of cargo-lambda's group, and they
# lose their parent once cargo-lambda is gone.
cleanup() {
  local all=() since=() p i any
  for p in "${leaders[@]}"; do
    for i in "$p" $(descendants "$p"); do all+=("$i"); since+=("$(started "$i")"); done
  done
  for p in "${leaders[@]}"; do kill -TERM -- "-$p" 2>/dev/null || true; done
  for _ in $(seq 50); do
    any=0
    for p in "${all[@]}"; do alive "$p" && { any=1; break; }; done
    ((any)) || break
    sleep 0.1
  done
  for i in "${!all[@]}"; do
    p=${all[i]}
    if alive "$p" && [[ $(started "$p") == "${since[i]}" ]]; then
      kill -KILL -- "-$p" 2>/dev/null || true
      kill -KILL "$p" 2>/dev/null || true
    fi
  done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start NAME PATTERN TIMEOUT COMMAND...: runs COMMAND in a session of its own (setsid does not
# fork here: a background job of this script is no group leader, so the PID is the group's id),
# its output in $tmp/NAME.log, and waits until that log matches the extended regex PATTERN.
start() {
  local name=$1 pattern=$2 timeout=$3 pid; shift 3
  echo "starting $name" >&2
  setsid "$@" >"$tmp/$name.log" 2>&1 </dev/null &
  pid=$!
  leaders+=("$pid")
  local deadline=$((SECONDS + timeout))
  until grep -Eq "$pattern" "$tmp/$name.log"; do
    if ! alive "$pid" || ((SECONDS >= deadline)); then
      echo "$name did not start: $*" >&2; tail -20 "$tmp/$name.log" >&2; exit 1
    fi
    sleep 0.1
  done
}

# wait_ok URL TIMEOUT: waits until a GET of URL answers 200 (the function is built and warm).
wait_ok() {
  local deadline=$((SECONDS + $2))
  until [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 60 "$1") == 200 ]]; do
    ((SECONDS < deadline)) || { echo "no 200 from $1 after $2 s" >&2; exit 1; }
    sleep 0.2
  done
}

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# ---- build and install ---------------------------------------------------------------------
cargo build --release -q -p gatewise --bin gatewise --example lambda_runtime_hello
cargo build --release -q -p gatewise-gateway --example hyper_hello
mkdir -p bench/functions/rust
cp target/release/examples/lambda_runtime_hello bench/functions/rust/bootstrap

sls_dir=$cache/serverless-offline
cl_venv=$cache/cargo-lambda-venv
cl_target=$cache/cargo-lambda-target
cl_manifest=bench/peers/cargo-lambda-hello/Cargo.toml
if ((peers)); then
  mkdir -p "$cache"
  if [[ ! -x $sls_dir/node_modules/.bin/serverless || ! -f $sls_dir/node_modules/serverless-offline/package.json ]]; then
    echo "installing serverless@3 and serverless-offline@13 into $sls_dir" >&2
    mkdir -p "$sls_dir"
    [[ -f $sls_dir/package.json ]] || echo '{"private": true}' >"$sls_dir/package.json"
    (cd "$sls_dir" && npm install --no-audit --no-fund --loglevel=error serverless@3 serverless-offline@13) >&2
  fi
  # The service runs from the cache, where `plugins: [serverless-offline]` resolves.
  cp bench/peers/serverless-offline/serverless.yml bench/peers/serverless-offline/hello.js "$sls_dir/"
  if [[ ! -x $cl_venv/bin/cargo-lambda ]]; then
    echo "installing cargo-lambda (pip) into $cl_venv" >&2
    python3 -m venv "$cl_venv"
    "$cl_venv/bin/pip" install --quiet --disable-pip-version-check cargo-lambda >&2
  fi
  # Built once here, so `cargo lambda watch` (same profile, same target dir) finds it fresh.
  CARGO_TARGET_DIR=$cl_target cargo build --release -q --locked --manifest-path "$cl_manifest"
fi

# ---- servers ---------------------------------------------------------------------------------
start hyper "Listening on" 20 target/release/examples/hyper_hello
baseline=$(grep -o 'http://[^ ]*' "$tmp/hyper.log" | head -1)
start gatewise "Listening on" 60 target/release/gatewise serve bench/template.yaml --port 0 \
  --parameter-overrides "BackendUrl=${baseline%/}"
gatewise=$(listening_url "$tmp/gatewise.log")

if ((peers)); then
  # serverless-offline 13 runs a Node handler in a worker thread of its own process by default
  # (`--useInProcess` off), keeps it loaded between requests (`--reloadHandler` off), and starts
  # another worker only when every loaded one is busy. Those defaults are kept. Fake credentials
  # and no telemetry or notifications: nothing reaches AWS or the Serverless dashboard.
  start serverless-offline 'GET +\| +http://' 120 env -C "$sls_dir" \
    AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench AWS_REGION=us-east-1 \
    SLS_TELEMETRY_DISABLED=1 SLS_NOTIFICATIONS_MODE=off CI=1 \
    node_modules/.bin/serverless offline start --noSponsor --httpPort "$(free_port)" \
    --lambdaPort "$(free_port)" --websocketPort "$(free_port)" --albPort "$(free_port)"
  sls_node=$(grep -Eo 'GET +\| +http://[^ ]*/node' "$tmp/serverless-offline.log" | head -1 | grep -o 'http://.*')
  wait_ok "$sls_node" 60

  # cargo-lambda's watch server: function URLs at /lambda-url/<function>/<path>; the function is
  # started on the first request. By default it runs one instance (`--concurrency 1`) and
  # queues concurrent requests for it, where gatewise (like Lambda) runs one instance per
  # request in flight, so it is measured twice: as it comes, and with as many instances as wrk
  # has connections.
  cl_port=$(free_port) cl_scaled_port=$(free_port)
  start cargo-lambda "starting Runtime server" 120 env "PATH=$cl_venv/bin:$PATH" \
    "CARGO_TARGET_DIR=$cl_target" cargo lambda watch --release --manifest-path "$cl_manifest" \
    --invoke-address 127.0.0.1 --invoke-port "$cl_port"
  start cargo-lambda-scaled "starting Runtime server" 120 env "PATH=$cl_venv/bin:$PATH" \
    "CARGO_TARGET_DIR=$cl_target" cargo lambda watch --release --manifest-path "$cl_manifest" \
    --invoke-address 127.0.0.1 --invoke-port "$cl_scaled_port" --concurrency "$connections"
  cl_hello=http://127.0.0.1:$cl_port/lambda-url/cargo-lambda-hello/
  cl_scaled=http://127.0.0.1:$cl_scaled_port/lambda-url/cargo-lambda-hello/
  wait_ok "$cl_hello" 300
  wait_ok "$cl_scaled" 300
fi
wait_ok "$gatewise/node" 60
wait_ok "$gatewise/rust" 60

# ---- measurements ----------------------------------------------------------------------------
# A CORS preflight as a browser sends it before a cross-origin request (wrk has no -X: a script).
cat >"$tmp/preflight.lua" <<EOF
wrk.method = "OPTIONS"
wrk.headers["Origin"] = "$origin"
wrk.headers["Access-Control-Request-Method"] = "GET"
EOF
notes=()

# measure KIND URL EXPECTED_STATUS [cors|function]: checks one request's status (and with
# `cors`, that the answer has Access-Control-Allow-Origin), runs wrk for 2 s (warm-up: grows the
# pools, fills caches), then measures; sets $result to "requests/s p50_ms p99_ms". Surprises
# become notes under the table. KIND: origin (GET with Origin), plain (GET, no Origin) or
# preflight (OPTIONS, Origin, Access-Control-Request-Method: GET).
# `function`: the first warm-up of URL lasts $warmup seconds instead. Under load, gatewise and
# the peers start instances or workers up to one per connection, and a Node instance needs
# thousands of requests before V8 has optimized its code: with 2 s, the first Node row measured
# half of what the same server answers a few seconds later.
warmup=${WARMUP_SECONDS:-10}
warmed=" "
measure() {
  local kind=$1 url=$2 expected=$3 wrk_args=() curl_args=() headers status report first=2
  case $kind in
    origin) wrk_args=(-H "Origin: $origin"); curl_args=(-H "Origin: $origin") ;;
    plain) ;;
    preflight) wrk_args=(-s "$tmp/preflight.lua")
      curl_args=(-X OPTIONS -H "Origin: $origin" -H "Access-Control-Request-Method: GET") ;;
  esac
  headers=$(curl -s -D - -o /dev/null "${curl_args[@]}" "$url" | tr -d '\r') || true
  status=$(awk 'NR == 1 { print $2 }' <<<"$headers")
  [[ $status == "$expected" ]] || notes+=("$kind $url answered $status, not $expected")
  if [[ ${4:-} == cors ]] && ! grep -qi '^access-control-allow-origin:' <<<"$headers"; then
    notes+=("$kind $url answered without Access-Control-Allow-Origin")
  fi
  if [[ ${4:-} == function && $warmed != *" $url "* ]]; then first=$warmup warmed+="$url "; fi
  wrk -t2 -c"$connections" -d"${first}s" "${wrk_args[@]}" "$url" >/dev/null
  report=$(wrk -t2 -c"$connections" -d"${duration}s" --latency "${wrk_args[@]}" "$url")
  if grep -q 'Socket errors' <<<"$report"; then
    notes+=("$kind $url: $(grep 'Socket errors' <<<"$report" | sed 's/^ *//')")
  fi
  result=$(wrk_summary <<<"$report")
}

widths=(53 10 8 8 44 10 8 8 5) # column widths; the first and the fifth column are text
row_format="| %-${widths[0]}s | %${widths[1]}s | %${widths[2]}s | %${widths[3]}s | %-${widths[4]}s"
row_format+=" | %${widths[5]}s | %${widths[6]}s | %${widths[7]}s | %${widths[8]}s |\n"
separator() {
  local i dashes
  for i in "${!widths[@]}"; do
    dashes=$(printf -- '-%.0s' $(seq $((widths[i] - 1))))
    if ((i == 0 || i == 4)); then printf '| :%s ' "$dashes"; else printf '| %s: ' "$dashes"; fi
  done
  echo '|'
}
# row NAME RESULT PEER PEER_RESULT: one table line; an empty PEER_RESULT prints dashes.
row() {
  local name=$1 peer=$3 r p ratio=-
  read -r -a r <<<"$2"
  read -r -a p <<<"${4:-- - -}"
  [[ -n ${4:-} ]] && ratio=$(awk -v a="${r[0]}" -v b="${p[0]}" 'BEGIN { printf "%.2f", a / b }')
  fmt() { [[ $1 == - ]] && echo - || printf "%.${2}f" "$1"; }
  printf "$row_format" "$name" "$(fmt "${r[0]}" 0)" "$(fmt "${r[1]}" 3)" "$(fmt "${r[2]}" 3)" \
    "$peer" "$(fmt "${p[0]}" 0)" "$(fmt "${p[1]}" 3)" "$(fmt "${p[2]}" 3)" "$ratio"
}

echo "wrk -t2 -c$connections -d${duration}s (after a 2 s warm-up each, ${warmup} s before a function's first), $(nproc) cores," \
  "$(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg) at start;" \
  "requests carry Origin: $origin unless marked \"no Origin\"; latencies in ms;" \
  "ratio = req/s / peer req/s"
printf "$row_format" "row" "req/s" "p50" "p99" "peer" "peer req/s" "peer p50" "peer p99" "ratio"
separator

measure origin "$baseline/" 200; base=$result
row "bare hyper hello (baseline)" "$base" "-"

measure preflight "$gatewise/mock" 200 cors; gw_preflight=$result
measure preflight "$baseline/" 200
row "preflight: gatewise REST MOCK (OPTIONS /mock)" "$gw_preflight" "bare hyper hello, same OPTIONS" "$result"
if ((peers)); then
  measure preflight "$cl_hello" 200 cors
  row "preflight: gatewise REST MOCK (OPTIONS /mock)" "$gw_preflight" "cargo-lambda watch, its CORS layer" "$result"
  # serverless.yml declares no `cors`: serverless-offline answers the preflight all the same.
  measure preflight "$sls_node" 200 cors
  row "preflight: gatewise REST MOCK (OPTIONS /mock)" "$gw_preflight" "serverless-offline 13, its preflight hook" "$result"
fi

for kind in origin plain; do
  label=; [[ $kind == plain ]] && label=", no Origin"
  measure "$kind" "$gatewise/node" 200 function; gw=$result
  if ((peers)); then
    measure "$kind" "$sls_node" 200 function
    row "warm Node: gatewise /node$label" "$gw" "serverless-offline 13 /dev/node$label" "$result"
  else
    row "warm Node: gatewise /node$label" "$gw" "- (--no-peers)"
  fi
done
for kind in origin plain; do
  label=; [[ $kind == plain ]] && label=", no Origin"
  measure "$kind" "$gatewise/rust" 200 function; gw=$result
  if ((peers)); then
    measure "$kind" "$cl_hello" 200 function
    row "warm Rust: gatewise /rust (lambda_runtime)$label" "$gw" "cargo-lambda watch (lambda_http)$label" "$result"
    if [[ $kind == origin ]]; then
      measure "$kind" "$cl_scaled" 200 function
      row "warm Rust: gatewise /rust (lambda_runtime)$label" "$gw" "cargo-lambda watch --concurrency $connections$label" "$result"
    fi
  else
    row "warm Rust: gatewise /rust (lambda_runtime)$label" "$gw" "- (--no-peers)"
  fi
done

measure origin "$gatewise/nope" 403
row "gatewise, unknown route (403, no function)" "$result" "bare hyper hello (baseline)" "$base"
measure origin "$gatewise/mock" 200
row "gatewise MOCK, literal template" "$result" "bare hyper hello (baseline)" "$base"
measure origin "$gatewise/mock-vtl?name=bench" 200
row "gatewise MOCK, Velocity template" "$result" "bare hyper hello (baseline)" "$base"
measure origin "$gatewise/proxy" 200
row "gatewise HTTP_PROXY -> bare hyper hello" "$result" "bare hyper hello (baseline)" "$base"

echo
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at the end."
if ((peers)); then
  version() { node -p "require('fs').readFileSync(0, 'utf8').match(/\"version\": *\"([^\"]*)\"/)[1]" <"$sls_dir/node_modules/$1/package.json"; }
  echo "peers: serverless $(version serverless), serverless-offline $(version serverless-offline)" \
    "(worker threads), $(PATH=$cl_venv/bin:$PATH cargo lambda --version | cut -d' ' -f1-2)," \
    "lambda_http $(grep -A1 '^name = "lambda_http"' bench/peers/cargo-lambda-hello/Cargo.lock | sed -n 's/^version = "\(.*\)"/\1/p')."
fi
for note in "${notes[@]}"; do echo "note: $note"; done
