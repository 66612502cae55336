#!/usr/bin/env bash
# Authenticated GET /api/v1/me at 64 concurrent connections, on SQLite and PostgreSQL.
# The release server and wrk share the machine's cores, as they would on a laptop.
#   bench/http-me.sh            (DURATION=15 by default; BACKENDS="sqlite postgres")
source "$(dirname "$0")/lib.sh"

for backend in ${BACKENDS:-sqlite postgres}; do
  port=$(free_port)
  data="$work/$backend"
  db=""
  if [ "$backend" = postgres ]; then db=$(scripts/pg-throwaway.sh start "$work/pg" "$(free_port)"); fi
  env SVITOK_DATA_DIR="$data" SVITOK_LISTEN="127.0.0.1:$port" SVITOK_LOG=warn ${db:+SVITOK_DATABASE_URL=$db} \
    "$bin" serve >"$work/$backend.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null || { cat "$work/$backend.log"; exit 1; }
  token=$(python3 scripts/api_session.py "http://127.0.0.1:$port" "$data/outbox")
  echo "== $backend: GET /api/v1/me, 64 connections, ${DURATION:-15}s"
  wrk -t2 -c64 -d"${DURATION:-15}s" --latency -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/me" \
    | grep -E 'Requests/sec|Latency|50%|90%|99%|Non-2xx|Socket errors'
  echo "   server RSS after the run: $(ps -o rss= -p "${pids[-1]}" | awk '{printf "%.1f MiB", $1/1024}')"
done
