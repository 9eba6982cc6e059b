#!/usr/bin/env bash
# Times `gatewise routes` on a generated template with N functions (default 40,000), each with
# inline code and one REST route: template loading must stay linear in the number of resources.
# Usage: bench/big_template.sh [GATEWISE_BINARY=target/release/gatewise] [N=40000]
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-target/release/gatewise}
count=${2:-40000}
[ "$binary" != target/release/gatewise ] || cargo build --release -q -p gatewise --bin gatewise

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 - "$count" >"$dir/template.yaml" <<'PY'
import sys
count = int(sys.argv[1])
print("Transform: AWS::Serverless-2016-10-31\nResources:")
for i in range(count):
    print(f"""  Function{i}:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: "def handler(event, context): return {{'statusCode': 200}}"
      Events:
        Get:
          Type: Api
          Properties: {{Path: /f{i}, Method: get}}""")
PY
echo "template: $count functions, $(du -h "$dir/template.yaml" | cut -f1)"
start=$(date +%s.%N)
"$binary" routes -t "$dir/template.yaml" >"$dir/routes.txt"
end=$(date +%s.%N)
echo "routes: $(($(wc -l <"$dir/routes.txt") - 1)) rows in $(echo "$end - $start" | bc) s"
