#!/usr/bin/env bash
# The archive search benchmark: 100,000 archived visits written straight into a fresh database
# (the real schema, in batches), then timed searches through the store's use case, on SQLite and
# on PostgreSQL. See docs/benchmarks.md, "Archive search".
#
#   bash bench/archive.sh
#
# Environment:
#   ARCHIVE_VISITS             archived visits to write (default 100000)
#   ARCHIVE_SEARCHES           searches to time (default 420)
#   LOKET_BENCH_POSTGRES_URL   PostgreSQL to use (default postgres://postgres@127.0.0.1:5432/test;
#                              a schema of its own, dropped at the end); skipped when unreachable
#   CARGO_TARGET_DIR, ARCHIVE_BENCH_BIN   as for bench/run.sh: a prebuilt binary to run
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
TARGET_DIR=${CARGO_TARGET_DIR:-target}
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR="$ROOT/$TARGET_DIR" ;; esac
if [ -z "${ARCHIVE_BENCH_BIN:-}" ]; then
  cargo build --release -p loket-store --example archive_bench >&2
fi
BIN=${ARCHIVE_BENCH_BIN:-"$TARGET_DIR/release/examples/archive_bench"}
PG=${LOKET_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}
ARGS=(--visits "${ARCHIVE_VISITS:-100000}" --searches "${ARCHIVE_SEARCHES:-420}")

echo "| backend | archived visits | searches | search p50 ms | p95 ms | max ms | similar p50 ms | p95 ms | max ms |"
echo "|---|---|---|---|---|---|---|---|---|"
"$BIN" --database sqlite "${ARGS[@]}"
if command -v psql >/dev/null && psql "$PG" -c 'SELECT 1' >/dev/null 2>&1; then
  "$BIN" --database postgres --postgres "$PG" "${ARGS[@]}"
else
  echo "PostgreSQL at $PG does not answer: skipped" >&2
fi
