# Shared set-up of the HTTP benchmarks (sourced): a release build, a work directory
# (readable by the postgres user, for a throwaway cluster inside it), servers started
# there and stopped on exit, free ports.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/svitok-target}"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
# SVITOK_BENCH_BIN measures another build (the commit before a change, say) with the same script.
if [ -n "${SVITOK_BENCH_BIN:-}" ]; then
  bin="$SVITOK_BENCH_BIN"
else
  cargo build -q --release --bin svitok
  bin="$CARGO_TARGET_DIR/release/svitok"
fi
work=$(mktemp -d /tmp/svitok-bench.XXXXXX)
chmod 755 "$work"  # the postgres user must reach the cluster inside
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  scripts/pg-throwaway.sh stop "$work/pg"
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
