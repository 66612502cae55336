#!/usr/bin/env bash
# The live API against its OpenAPI document: the document validates, a client generated
# from it covers every operation and runs a scenario, and schemathesis fuzzes every
# operation: no request may get a 5xx, and every documented response must match its schema.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/svitok-target}"
venv="${SVITOK_VENV:-$HOME/.cache/svitok-venv}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
[ -x "$venv/bin/schemathesis" ] || "$venv/bin/pip" install -q "schemathesis>=4,<5"
[ -x "$venv/bin/openapi-spec-validator" ] || "$venv/bin/pip" install -q "openapi-spec-validator>=0.7,<0.10"
[ -x "$venv/bin/openapi-python-client" ] || "$venv/bin/pip" install -q "openapi-python-client>=0.29,<0.30"

cargo build -q --bin svitok
work=$(mktemp -d /tmp/svitok-fuzz.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
SVITOK_DATA_DIR="$work/data" SVITOK_LISTEN="127.0.0.1:$port" SVITOK_LOG=warn \
  "$CARGO_TARGET_DIR/debug/svitok" serve >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do curl -fsS "$base/readyz" >/dev/null 2>&1 && break; sleep 0.1; done

# The document is a contract for other systems: it validates, and a client generated from
# it has every operation and works: it registers the fuzzer's user and logs it in.
curl -fsS "$base/api/v1/openapi.json" -o "$work/openapi.json"
"$venv/bin/openapi-spec-validator" "$work/openapi.json"
mkdir "$work/client"
( cd "$work/client" && "$venv/bin/openapi-python-client" generate --path "$work/openapi.json" --meta none ) \
  >"$work/generate.log" 2>&1 || { cat "$work/generate.log" >&2; exit 1; }
if grep -E '^(WARNING|Cannot|Unable|Error)' "$work/generate.log"; then
  echo "fuzz-api: the generated client leaves part of the document out" >&2
  exit 1
fi
# openapi-python-client 0.29 annotates a required body of several media types (our
# POST /documents: JSON or multipart) with `| Unset` and forgets the import (upstream
# issue #1451, fix in PR #1478); add the import, as a developer using it would.
grep -rlZ --include='*.py' '| Unset = UNSET' "$work/client" | while IFS= read -r -d '' f; do
  grep -q '^from \.\.\.types import .*\bUnset\b' "$f" || sed -i 's/^from \.\.\.types import Response, UNSET$/&, Unset/' "$f"
done
token=$("$venv/bin/python" scripts/client-scenario.py "$work/client" "$work/openapi.json" "$base" "$work/data/outbox")

run() {
  "$venv/bin/schemathesis" run "$base/api/v1/openapi.json" \
    --checks not_a_server_error,response_schema_conformance,content_type_conformance \
    --header "Authorization: Bearer $token" --max-examples "${FUZZ_EXAMPLES:-100}" \
    --seed 1 --no-color --warnings off "$@"
}
# Operations that end the fuzzer's own session go last, or everything after them is 401.
run --exclude-path /api/v1/auth/logout --exclude-path /api/v1/me/sessions
run --include-path /api/v1/auth/logout --include-path /api/v1/me/sessions
if grep -E 'panicked|internal error' "$work/server.log"; then
  echo "fuzz-api: the server logged internal errors" >&2
  exit 1
fi
echo "fuzz-api: no 5xx, all responses match their schemas"
