#!/usr/bin/env bash
# Runs moto's IAM and STS tests against Keyward (see README.md beside this
# file). Usage: tools/motosuite/run.sh MOTO_CHECKOUT [pytest args...]
# PYTHON names the interpreter (default python3), which needs moto 5.2.1,
# boto3, pytest and freezegun. MOTO_CHECKOUT is a checkout of moto at the tag of the installed moto
# (5.2.1); its tests/ are run, never copied into this repository.
set -euo pipefail
moto=${1:?usage: run.sh MOTO_CHECKOUT [pytest args...]}
shift
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=${MOTOSUITE_OUT:-$(mktemp -d)}
port=${MOTOSUITE_PORT:-5055}
go build -C "$repo" -o "$out/keyward" ./cmd/keyward
go build -C "$repo" -o "$out/motosuite" ./tools/motosuite
"$out/motosuite" -keyward "$out/keyward" -listen "127.0.0.1:$port" -log "$out/keyward.log" &
proxy=$!
trap 'kill -INT $proxy; wait $proxy 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf -X POST "http://127.0.0.1:$port/moto-api/reset" >/dev/null && break; sleep 0.1; done
cd "$moto"
set +e
TEST_SERVER_MODE=true TEST_SERVER_MODE_ENDPOINT="http://127.0.0.1:$port" AWS_DEFAULT_REGION=us-east-1 \
	"${PYTHON:-python3}" -m pytest -p no:cacheprovider -q -rA --junitxml="$out/junit.xml" \
	${@:-tests/test_iam tests/test_sts} >"$out/pytest.log" 2>&1
rc=$?
set -e
tail -1 "$out/pytest.log"
"${PYTHON:-python3}" "$here/categorize.py" "$out/junit.xml" "$here/results.tsv" || true
echo "output in $out"
exit $rc
