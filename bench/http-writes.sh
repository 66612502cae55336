#!/usr/bin/env bash
# Audited writes at 16 concurrent connections: creating document cards (POST /documents)
# and editing cards (PATCH /documents/{id}, over 64 cards in turn). Each request writes
# the document, its history entry and its audit entry; on PostgreSQL, writers meet at the
# audit chain's head.
#   bench/http-writes.sh        (DURATION=10, CONNECTIONS=16, BACKENDS="sqlite postgres")
source "$(dirname "$0")/lib.sh"
password='зелёный трамвай едет в 7 утра'

cat >"$work/create.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"title": "Служебная записка о командировке", "kind": "Записка"}'
LUA
cat >"$work/edit.lua" <<'LUA'
local ids, n = {}, 0
for line in io.lines(os.getenv("IDS")) do ids[#ids + 1] = line end
wrk.method = "PATCH"
wrk.headers["Content-Type"] = "application/json"
request = function()
  n = n + 1
  local body = string.format('{"description": "Правка %d"}', n)
  return wrk.format(nil, "/api/v1/documents/" .. ids[(n % #ids) + 1], nil, body)
end
LUA

for backend in ${BACKENDS:-sqlite postgres}; do
  port=$(free_port)
  data="$work/$backend"
  db=""
  if [ "$backend" = postgres ]; then
    scripts/pg-throwaway.sh stop "$work/pg"
    db=$(scripts/pg-throwaway.sh start "$work/pg" "$(free_port)")
  fi
  export SVITOK_DATA_DIR="$data" SVITOK_LISTEN="127.0.0.1:$port" SVITOK_LOG=warn
  if [ -n "$db" ]; then export SVITOK_DATABASE_URL="$db"; else unset SVITOK_DATABASE_URL; fi
  printf '%s\n' "$password" | "$bin" user create --login clerk --email clerk@example.ru \
    --last-name Тестова --first-name Анна --password-stdin >/dev/null
  "$bin" serve >"$work/$backend.log" 2>&1 &
  pids+=($!)
  base="http://127.0.0.1:$port"
  for _ in $(seq 1 100); do curl -fsS "$base/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
  token=$(python3 scripts/api_session.py "$base" "$data/outbox" clerk "$password")
  for i in $(seq 1 64); do
    curl -fsS -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
      -d '{"title": "Карточка для правок"}' "$base/api/v1/documents" \
      | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
  done >"$work/ids"
  for what in create edit; do
    path=/api/v1/documents
    echo "== $backend: $what, ${CONNECTIONS:-16} connections, ${DURATION:-10}s"
    IDS="$work/ids" wrk -t2 -c"${CONNECTIONS:-16}" -d"${DURATION:-10}s" --latency -s "$work/$what.lua" \
      -H "Authorization: Bearer $token" "$base$path" | grep -E 'Requests/sec|50%|99%|Non-2xx|Socket errors'
  done
  # The chain holds after the concurrent writers.
  kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
  "$bin" audit verify | tail -n 1
done
