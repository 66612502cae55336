#!/usr/bin/env bash
# GET /api/v1/users (a page of 50, and a search) with 10,000 users present, as an
# administrator, 64 connections, on SQLite and PostgreSQL.
#   bench/http-users.sh        (USERS=10000, DURATION=15, BACKENDS="sqlite postgres")
source "$(dirname "$0")/lib.sh"
password='зелёный трамвай едет в 7 утра'

for backend in ${BACKENDS:-sqlite postgres}; do
  port=$(free_port)
  data="$work/$backend"
  db=""
  if [ "$backend" = postgres ]; then db=$(scripts/pg-throwaway.sh start "$work/pg" "$(free_port)"); fi
  export SVITOK_DATA_DIR="$data" SVITOK_LISTEN="127.0.0.1:$port" SVITOK_LOG=warn
  if [ -n "$db" ]; then export SVITOK_DATABASE_URL="$db"; else unset SVITOK_DATABASE_URL; fi
  printf '%s\n' "$password" | "$bin" user create --login admin --email admin@example.ru \
    --last-name Админова --first-name Анна --all-rights --password-stdin >/dev/null
  "$bin" serve >"$work/$backend.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
  token=$(python3 scripts/api_session.py "http://127.0.0.1:$port" "$data/outbox" admin "$password")
  started=$(date +%s)
  python3 bench/seed_users.py "http://127.0.0.1:$port" "$token" "${USERS:-10000}"
  echo "== $backend: seeded ${USERS:-10000} users through the API in $(( $(date +%s) - started )) s"
  for query in "limit=50" "limit=50&offset=5000" "q=%D0%B1%D1%83%D1%85%D0%B3&limit=50"; do
    echo "-- GET /api/v1/users?$query, 64 connections, ${DURATION:-15}s"
    wrk -t2 -c64 -d"${DURATION:-15}s" --latency -H "Authorization: Bearer $token" \
      "http://127.0.0.1:$port/api/v1/users?$query" | grep -E 'Requests/sec|50%|99%|Non-2xx'
  done
done
