#!/usr/bin/env bash
# Upload and download of one large file through the API (SIZE_MIB=1024 by default) with
# curl, on the default embedded setup; reports throughput and the server's peak memory
# (VmHWM), which must not grow with the file.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/svitok-target}"
cargo build -q --release --bin svitok
bin="$CARGO_TARGET_DIR/release/svitok"
size_mib="${SIZE_MIB:-1024}"
work=$(mktemp -d /tmp/svitok-bench.XXXXXX)
server=""
trap '[ -n "$server" ] && kill $server 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
SVITOK_DATA_DIR="$work/data" SVITOK_LISTEN="127.0.0.1:$port" SVITOK_LOG=warn SVITOK_MAX_UPLOAD=4GiB \
  "$bin" serve >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do curl -fsS "$base/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
token=$(python3 scripts/api_session.py "$base" "$work/data/outbox")
head -c "$((size_mib * 1024 * 1024))" /dev/urandom >"$work/big.bin"
rss() { awk '/VmRSS|VmHWM/ {printf "%s %.1f MiB  ", $1, $2/1024}' "/proc/$server/status"; }
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); file: $size_mib MiB"
echo "server before: $(rss)"
start=$(date +%s.%N)
id=$(curl -fsS -H "Authorization: Bearer $token" -F "file=@$work/big.bin;type=application/octet-stream" \
  "$base/api/v1/documents" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
end=$(date +%s.%N)
python3 -c "print(f'upload:   {$size_mib*1.048576/($end-$start):.0f} MB/s ({$end-$start:.1f} s)')"
echo "server after upload: $(rss)"
start=$(date +%s.%N)
curl -fsS -H "Authorization: Bearer $token" -o "$work/back.bin" "$base/api/v1/documents/$id/versions/1/content"
end=$(date +%s.%N)
python3 -c "print(f'download: {$size_mib*1.048576/($end-$start):.0f} MB/s ({$end-$start:.1f} s)')"
echo "server after download: $(rss)"
cmp "$work/big.bin" "$work/back.bin" && echo "the file came back identical"
