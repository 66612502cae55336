#!/usr/bin/env bash
# Runs every test: unit tests and the integration suite on SQLite and PostgreSQL.
# Without SVITOK_TEST_DATABASE_URL it starts a throwaway PostgreSQL cluster when the
# server binaries are installed; with neither, the PostgreSQL half is skipped loudly
# (and fails under CI=true).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${SVITOK_TEST_DATABASE_URL:-}" ] && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  pgdir=$(mktemp -d /tmp/svitok-test-pg.XXXXXX)
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  SVITOK_TEST_DATABASE_URL=$(scripts/pg-throwaway.sh start "$pgdir" "$port")
  export SVITOK_TEST_DATABASE_URL
  trap 'scripts/pg-throwaway.sh stop "$pgdir"; rm -rf "$pgdir"' EXIT
  echo "test.sh: PostgreSQL cluster at $SVITOK_TEST_DATABASE_URL"
fi
# Every test process logs to here; after the suite no log line may hold a secret.
SVITOK_TEST_LOG_DIR=$(mktemp -d /tmp/svitok-test-logs.XXXXXX)
export SVITOK_TEST_LOG_DIR
rc=0
cargo nextest run --workspace --no-fail-fast "$@" || rc=$?
python3 scripts/scan-test-logs.py "$SVITOK_TEST_LOG_DIR" ${1:+--partial} || rc=1
rm -rf "$SVITOK_TEST_LOG_DIR"
exit "$rc"
