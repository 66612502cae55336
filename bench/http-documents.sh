#!/usr/bin/env bash
# Document lists and the inbox at 64 connections, with DOCS documents present (created
# through the API), at two sizes to show whether latency stays flat.
#   bench/http-documents.sh     (SIZES="1000 100000", DURATION=10, BACKENDS="sqlite postgres")
source "$(dirname "$0")/lib.sh"
password='зелёный трамвай едет в 7 утра'
login() { python3 scripts/api_session.py "$1" "$2" "$3" "$password"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# The bench cluster's processes: its postmaster and the backends it forked.
pg_ticks() {
  local main
  main=$(head -n 1 "$work/pg/data/postmaster.pid" 2>/dev/null) || { echo 0; return; }
  # A backend may exit between listing and reading; it then counts as nothing.
  for p in "$main" $(pgrep -P "$main" || true); do cpu_ticks "$p" 2>/dev/null || true; done \
    | awk '{s += $1} END {print s + 0}'
}
per_request() { echo $(( $1 * 1000000 / $(getconf CLK_TCK) / $2 )); }

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
      # CPU seconds the server (and PostgreSQL) spent per request: what a deployment with
      # cores of their own could serve, since here wrk and the database share them.
      server0=$(cpu_ticks "${pids[-1]}"); db0=$(pg_ticks)
      out=$(wrk -t2 -c64 -d"${DURATION:-10}s" --latency -H "Authorization: Bearer $1" "$base$2")
      server1=$(cpu_ticks "${pids[-1]}"); db1=$(pg_ticks)
      echo "$out" | grep -E 'Requests/sec|50%|99%|Non-2xx'
      requests=$(echo "$out" | awk '/requests in/ {print $1}')
      line="   CPU per request: server $(per_request $((server1 - server0)) "$requests") us"
      if [ -n "$db" ]; then line="$line, PostgreSQL $(per_request $((db1 - db0)) "$requests") us"; fi
      echo "$line"
    done
    kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
  done
done
