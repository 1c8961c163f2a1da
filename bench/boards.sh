#!/usr/bin/env bash
# The display boards' benchmark: N boards (SSE clients of /api/v1/events) on one release build
# of Loket, then calls at a counter; reports how long each call took to reach every board (p50,
# p90, p99, max) and the server's resident memory. See docs/benchmarks.md, "Display boards".
#
#   bash bench/boards.sh
#
# Environment:
#   BOARDS        boards to connect (default 500)
#   CALLS         calls to make (default 30)
#   DATABASE      database URL (default: a fresh SQLite file)
#   CARGO_TARGET_DIR, LOKET_BIN, BOARDS_BIN   as for bench/run.sh: prebuilt binaries to use
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
TARGET_DIR=${CARGO_TARGET_DIR:-target}
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR="$ROOT/$TARGET_DIR" ;; esac
if [ -z "${LOKET_BIN:-}" ] || [ -z "${BOARDS_BIN:-}" ]; then
  cargo build --release -p loket --bin loket --example boards >&2
fi
LOKET=${LOKET_BIN:-"$TARGET_DIR/release/loket"}
BOARDS_BIN=${BOARDS_BIN:-"$TARGET_DIR/release/examples/boards"}
WORK=$(mktemp -d)
DATABASE=${DATABASE:-"sqlite://$WORK/loket.db"}
PASSWORD="bench-$RANDOM$RANDOM$RANDOM"
PORT=$((20000 + RANDOM % 20000))
cleanup() {
  if [ -n "${SERVER:-}" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

for user in fo:front_office hd:helpdesk; do
  LOKET_PASSWORD=$PASSWORD "$LOKET" user add "${user%%:*}" --role "${user##*:}" --database "$DATABASE" >/dev/null
done
LOKET_ADMIN_PASSWORD=$PASSWORD LOKET_LOG=warn "$LOKET" serve --listen "127.0.0.1:$PORT" --database "$DATABASE" &
SERVER=$!
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$PORT/api/v1/health" >/dev/null 2>&1 && break
  sleep 0.1
done
ulimit -n 4096 2>/dev/null || true
"$BOARDS_BIN" --base "http://127.0.0.1:$PORT" --boards "${BOARDS:-500}" --calls "${CALLS:-30}" \
  --front-office fo --helpdesk hd --password "$PASSWORD" --pid "$SERVER"
