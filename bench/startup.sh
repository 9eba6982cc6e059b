#!/usr/bin/env bash
# Times `gatewise serve --warm lazy` from start to its `Listening on` line, on a generated
# template with N functions (default 50; half Node, half Python, each with its own code
# folder and one REST route, plus SAM CORS on the API), ROUNDS times; prints each time and
# the median. With `--warm lazy` no function starts before the first request, so this is the
# gateway's own start: reading the template, building the routes, binding the ports.
# Usage: bench/startup.sh [GATEWISE_BINARY=target/release/gatewise] [N=50] [ROUNDS=7]
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-target/release/gatewise}
count=${2:-50}
rounds=${3:-7}
[ "$binary" != target/release/gatewise ] || cargo build --release -q -p gatewise --bin gatewise

dir=$(mktemp -d)
pid=
cleanup() { [ -z "$pid" ] || kill "$pid" 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
python3 - "$count" "$dir" <<'PY'
import os, sys
count, root = int(sys.argv[1]), sys.argv[2]
lines = ["Transform: AWS::Serverless-2016-10-31",
         "Globals:",
         "  Api:",
         "    Cors: {AllowOrigin: \"'*'\", AllowHeaders: \"'Content-Type'\"}",
         "Resources:"]
for i in range(count):
    code = os.path.join(root, f"f{i}")
    os.makedirs(code)
    if i % 2:
        runtime, handler = "python3.12", "app.handler"
        open(os.path.join(code, "app.py"), "w").write(
            "def handler(event, context):\n    return {'statusCode': 200, 'body': 'ok'}\n")
    else:
        runtime, handler = "nodejs20.x", "app.handler"
        open(os.path.join(code, "app.js"), "w").write(
            "exports.handler = async () => ({ statusCode: 200, body: 'ok' });\n")
    lines += [f"  Function{i}:",
              "    Type: AWS::Serverless::Function",
              "    Properties:",
              f"      Runtime: {runtime}",
              f"      Handler: {handler}",
              f"      CodeUri: f{i}/",
              "      Events:",
              "        Get:",
              "          Type: Api",
              f"          Properties: {{Path: /f{i}, Method: get}}"]
open(os.path.join(root, "template.yaml"), "w").write("\n".join(lines) + "\n")
PY

times=()
for _ in $(seq "$rounds"); do
  out="$dir/out.txt"
  start=$(date +%s%N)
  "$binary" serve "$dir/template.yaml" --warm lazy --port 0 --invoke-port 0 >"$out" 2>&1 &
  pid=$!
  until grep -q "Listening on" "$out"; do
    kill -0 "$pid" 2>/dev/null || { cat "$out" >&2; echo "gatewise exited before listening" >&2; exit 1; }
    sleep 0.002
  done
  end=$(date +%s%N)
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
  times+=("$(( (end - start) / 1000000 ))")
done
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
echo "template: $count functions; start to 'Listening on' with --warm lazy, $rounds runs (ms): ${times[*]}"
echo "median: $median ms"
