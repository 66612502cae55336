#!/usr/bin/env bash
# Signing a large version through the API (SIZE_MIB=1024 by default) on the default
# embedded setup: the server streams the encrypted file through decryption and SHA-256,
# then makes the CMS signature. Reports the time of the signing call and the server's
# peak memory (VmHWM), which must not grow with the file.
source "$(dirname "$0")/lib.sh"
password='зелёный трамвай едет в 7 утра'
size_mib="${SIZE_MIB:-1024}"
port=$(free_port)
base="http://127.0.0.1:$port"
export SVITOK_DATA_DIR="$work/data" SVITOK_LISTEN="127.0.0.1:$port" SVITOK_LOG=warn SVITOK_MAX_UPLOAD=4GiB
printf '%s\n' "$password" | "$bin" user create --login admin --email admin@example.ru \
  --last-name Админова --first-name Анна --all-rights --password-stdin >/dev/null
"$bin" serve >"$work/server.log" 2>&1 &
pids+=($!)
server=$!
for _ in $(seq 1 100); do curl -fsS "$base/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
token=$(python3 scripts/api_session.py "$base" "$work/data/outbox" admin "$password")
head -c "$((size_mib * 1024 * 1024))" /dev/urandom >"$work/big.bin"
id=$(curl -fsS -H "Authorization: Bearer $token" -F "file=@$work/big.bin;type=application/octet-stream" \
  "$base/api/v1/documents" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
echo "machine: $(nproc) cores; file: $size_mib MiB"
secs=$(python3 bench/sign_version.py "$base" "$work/data/outbox" "$token" "$id" 1)
python3 -c "print(f'sign {$size_mib} MiB: {$secs} s ({$size_mib*1.048576/$secs:.0f} MB/s through decryption + SHA-256)')"
awk '/VmHWM/ {printf "server peak RSS: %.1f MiB\n", $2/1024}' "/proc/$server/status"
sid=$(curl -fsS -H "Authorization: Bearer $token" "$base/api/v1/documents/$id/versions/1/signatures" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
curl -fsS -H "Authorization: Bearer $token" -o "$work/doc.p7s" "$base/api/v1/documents/$id/versions/1/signatures/$sid"
curl -fsS -o "$work/ca.pem" "$base/api/v1/pki/ca.pem"
start=$(date +%s.%N)
curl -fsS -H "Authorization: Bearer $token" "$base/api/v1/documents/$id/versions/1/signatures?verify=true" \
  | python3 -c 'import json,sys; print("server verification:", json.load(sys.stdin)["items"][0]["verification"]["status"])'
end=$(date +%s.%N)
python3 -c "print(f'verify {$size_mib} MiB through the API: {$end-$start:.2f} s')"
start=$(date +%s.%N)
openssl cms -verify -binary -inform DER -in "$work/doc.p7s" -content "$work/big.bin" -CAfile "$work/ca.pem" \
  -purpose any -out /dev/null 2>&1 | tail -1
end=$(date +%s.%N)
python3 -c "print(f'openssl cms -verify of the same: {$end-$start:.2f} s')"
