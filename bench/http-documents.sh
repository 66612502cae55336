#!/usr/bin/env bash
# Document lists and the inbox at 64 connections, with DOCS documents present (created
# through the API), at two sizes to show whether latency stays flat.
#   bench/http-documents.sh     (SIZES="1000 100000", DURATION=10, BACKENDS="sqlite postgres")
source "$(dirname "$0")/lib.sh"
password='зелёный трамвай едет в 7 утра'
login() { python3 scripts/api_session.py "$1" "$2" "$3" "$password"; }

for backend in ${BACKENDS:-sqlite postgres}; do
  for docs in ${SIZES:-1000 100000}; do
    port=$(free_port)
    data="$work/$backend-$docs"
    db=""
    if [ "$backend" = postgres ]; then
      scripts/pg-throwaway.sh stop "$work/pg"
      db=$(scripts/pg-throwaway.sh start "$work/pg" "$(free_port)")
    fi
    export SVITOK_DATA_DIR="$data" SVITOK_LISTEN="127.0.0.1:$port" SVITOK_LOG=warn
    if [ -n "$db" ]; then export SVITOK_DATABASE_URL="$db"; else unset SVITOK_DATABASE_URL; fi
    for who in clerk reader; do
      printf '%s\n' "$password" | "$bin" user create --login "$who" --email "$who@example.ru" \
        --last-name Тестова --first-name Анна --password-stdin >/dev/null
    done
    "$bin" serve >"$work/$backend-$docs.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
    base="http://127.0.0.1:$port"
    clerk=$(login "$base" "$data/outbox" clerk)
    reader=$(login "$base" "$data/outbox" reader)
    reader_id=$(curl -fsS -H "Authorization: Bearer $reader" "$base/api/v1/me" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
    started=$(date +%s)
    python3 bench/seed_documents.py "$base" "$clerk" "$docs" "$reader_id" 10
    echo "== $backend, $docs documents (every 10th sent to the reader), seeded in $(( $(date +%s) - started )) s"
    # A freshly seeded PostgreSQL has no statistics yet and plans the first minute badly;
    # autovacuum would analyze it shortly, so measure the steady state.
    if [ -n "$db" ]; then psql "$db" -qc ANALYZE; fi
    for target in "$clerk /api/v1/documents?limit=50" "$clerk /api/v1/documents?limit=50&kind=%D0%90%D0%BA%D1%82" \
                  "$reader /api/v1/inbox?limit=50" "$reader /api/v1/documents?limit=50"; do
      set -- $target
      echo "-- GET $2"
      wrk -t2 -c64 -d"${DURATION:-10}s" --latency -H "Authorization: Bearer $1" "$base$2" \
        | grep -E 'Requests/sec|50%|99%|Non-2xx'
    done
    kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
  done
done
