#!/usr/bin/env bash
# Property-based fuzzing of the live API from its OpenAPI document with schemathesis:
# no request may get a 5xx, and every documented response must match its schema.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/svitok-target}"
venv="${SVITOK_VENV:-$HOME/.cache/svitok-venv}"
[ -x "$venv/bin/schemathesis" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install -q "schemathesis>=4,<5"; }

cargo build -q --bin svitok
work=$(mktemp -d /tmp/svitok-fuzz.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
SVITOK_DATA_DIR="$work/data" SVITOK_LISTEN="127.0.0.1:$port" SVITOK_LOG=warn \
  "$CARGO_TARGET_DIR/debug/svitok" serve >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do curl -fsS "$base/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
token=$(python3 scripts/api_session.py "$base" "$work/data/outbox")

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
