#!/usr/bin/env bash
# Loket's benchmark: the full visit cycle against a release build, on SQLite and (when reachable)
# PostgreSQL, with 1, 8 and 32 staff clients, next to the machine's own limits measured in the same
# run. See docs/benchmarks.md.
#
#   bash bench/run.sh
#
# Environment:
#   BENCH_SECONDS              seconds per measurement (default 10)
#   BENCH_CLIENTS              staff client counts (default "1 8 32"; at most 32)
#   LOKET_BENCH_POSTGRES_URL   PostgreSQL to use (default postgres://postgres@127.0.0.1:5432/test);
#                              a fresh schema is made in it and dropped at the end
#   CARGO_TARGET_DIR           as for cargo (default target)
#   LOKET_BIN, LOADGEN_BIN     prebuilt server and load generator to run instead of the release
#                              build in CARGO_TARGET_DIR; nothing is built when both are given
#   BENCH_SERVER_ENV           extra environment for the server only, as NAME=VALUE words
#   BENCH_RESULTS              where the raw JSON lines go (default bench/results/latest.jsonl)
#   BENCH_COMMIT               what to call the code measured (default: git describe --always --dirty)
#
# Writes the raw JSON lines to $BENCH_RESULTS and a Markdown summary to stdout.
# Needs bash, cargo, curl, awk; psql for the PostgreSQL part.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
SECS=${BENCH_SECONDS:-10}
CLIENTS=${BENCH_CLIENTS:-"1 8 32"}
PG_URL=${LOKET_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}
TARGET_DIR=${CARGO_TARGET_DIR:-target}
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR="$ROOT/$TARGET_DIR" ;; esac
LOKET=${LOKET_BIN:-"$TARGET_DIR/release/loket"}
LOADGEN=${LOADGEN_BIN:-"$TARGET_DIR/release/examples/loadgen"}
RESULTS_DIR="$ROOT/bench/results"
RESULTS=${BENCH_RESULTS:-"$RESULTS_DIR/latest.jsonl"}
case "$RESULTS" in /*) ;; *) RESULTS="$ROOT/$RESULTS" ;; esac
PASSWORD="bench-$RANDOM$RANDOM$RANDOM"
# Extra environment for the server only, e.g. BENCH_SERVER_ENV="MALLOC_MMAP_THRESHOLD_=131072".
read -r -a SERVER_ENV <<<"${BENCH_SERVER_ENV:-}"

log() { echo "bench: $*" >&2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/loket-bench.XXXXXX")
SERVER_PID=""
PG_SCHEMA=""
cleanup() {
    if [[ -n "$SERVER_PID" ]]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [[ -n "$PG_SCHEMA" ]]; then
        psql "$PG_URL" -qAtc "DROP SCHEMA IF EXISTS $PG_SCHEMA CASCADE" >/dev/null 2>&1 || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

# A top-level number from a one-line JSON object (the loadgen's output).
field() { sed -n "s/.*\"$2\":\(-\{0,1\}[0-9.]*\).*/\1/p" <<<"$1"; }
# The JSON object with more fields: with_fields '{"a":1}' '"b":2' -> {"a":1,"b":2}
with_fields() { echo "${1%\}},$2}"; }
# "VmRSS" or "VmHWM" of a process, in KiB.
mem_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

if [[ -n "${LOKET_BIN:-}" && -n "${LOADGEN_BIN:-}" ]]; then
    log "using $LOKET_BIN and $LOADGEN_BIN as they are"
else
    log "building (release)"
    cargo build --release -p loket --bin loket --example loadgen >&2
fi
for bin in "$LOKET" "$LOADGEN"; do
    [[ -x "$bin" ]] || { log "$bin is missing or not executable"; exit 1; }
done

mkdir -p "$(dirname "$RESULTS")"
: >"$WORK/results.jsonl"
record() { echo "$1" >>"$WORK/results.jsonl"; echo "$1" >&2; }

CPU_MODEL=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
DISK=$(df -P "$WORK" | awk 'NR == 2 { print $1 }')
DISK_DEV=$(basename "$DISK")
ROTATIONAL=$(cat "/sys/block/$DISK_DEV/queue/rotational" 2>/dev/null || echo "?")
# The commit measured, "-dirty" when tracked files differ from it (work in progress).
COMMIT=${BENCH_COMMIT:-$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo "?")}
record "{\"kind\":\"machine\",\"date\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\",\"commit\":\"$COMMIT\",\"nproc\":$(nproc),\"cpu\":\"$CPU_MODEL\",\"mem_total_kb\":$(awk '/^MemTotal/ { print $2 }' /proc/meminfo),\"temp_dir\":\"$WORK\",\"disk\":\"$DISK\",\"rotational\":\"$ROTATIONAL\",\"seconds\":$SECS,\"server_env\":\"${BENCH_SERVER_ENV:-}\",\"loket_bin\":\"$LOKET\"}"

# Starts `loket serve` on a free port; sets SERVER_PID and SERVER_URL.
start_server() {
    local database=$1 out="$WORK/server-$2.out"
    # Made here: the server in the background may not have opened it when it is first read.
    : >"$out"
    env "${SERVER_ENV[@]}" LOKET_ADMIN_PASSWORD="$PASSWORD" LOKET_LOG=warn "$LOKET" serve --listen 127.0.0.1:0 --database "$database" \
        >"$out" 2>&1 &
    SERVER_PID=$!
    SERVER_URL=""
    for _ in $(seq 300); do
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            log "the server did not start:"; cat "$out" >&2; exit 1
        fi
        SERVER_URL=$(sed -n 's/^Loket listening on \(http:[^ ]*\).*/\1/p' "$out")
        if [[ -n "$SERVER_URL" ]] && curl -fsS "$SERVER_URL/api/v1/health" >/dev/null 2>&1; then
            return
        fi
        sleep 0.1
    done
    log "the server did not answer /api/v1/health within 30 s:"; cat "$out" >&2; exit 1
}

stop_server() {
    kill "$SERVER_PID"
    wait "$SERVER_PID" || true
    SERVER_PID=""
}

# One counter per staff client: codes 1..32, all serving A.
configure_counters() {
    local token counters="" i
    token=$(curl -fsS -X POST "$SERVER_URL/api/v1/auth/login" -H 'content-type: application/json' \
        -d "{\"username\":\"admin\",\"password\":\"$PASSWORD\"}" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
    [[ -n "$token" ]] || { log "cannot sign in as admin"; exit 1; }
    for i in $(seq 32); do
        counters+="${counters:+,}{\"code\":\"$i\",\"name\":\"Loket $i\",\"services\":[\"A\"]}"
    done
    curl -fsS -X PUT "$SERVER_URL/api/v1/settings/counters" -H "authorization: Bearer $token" \
        -H 'content-type: application/json' -d "[$counters]" >/dev/null
}

# The cycle with each client count against one backend.
bench_backend() {
    local backend=$1 database=$2 clients line
    log "$backend: starting the server"
    start_server "$database" "$backend"
    configure_counters
    record "{\"kind\":\"idle\",\"backend\":\"$backend\",\"server_rss_kb\":$(mem_kb "$SERVER_PID" VmRSS),\"server_hwm_kb\":$(mem_kb "$SERVER_PID" VmHWM)}"
    for clients in $CLIENTS; do
        log "$backend: cycle with $clients clients for $SECS s"
        # The load generator measures the CPU use of the server, of itself and of the machine over
        # its measured span (sign-in excluded); the server's memory is read here, after the run.
        line=$("$LOADGEN" cycle --url "$SERVER_URL" --user admin --password "$PASSWORD" \
            --clients "$clients" --seconds "$SECS" --server-pid "$SERVER_PID")
        line=$(with_fields "$line" "\"kind\":\"cycle\",\"backend\":\"$backend\",\"server_rss_kb\":$(mem_kb "$SERVER_PID" VmRSS),\"server_hwm_kb\":$(mem_kb "$SERVER_PID" VmHWM)")
        record "$line"
    done
    stop_server
}

bench_backend sqlite "sqlite://$WORK/loket.db"

PG_FOR_FSYNC=()
if command -v psql >/dev/null && psql "$PG_URL" -qAtc 'SELECT 1' >/dev/null 2>&1; then
    PG_SCHEMA="bench_$(date +%s)_$$"
    psql "$PG_URL" -qAtc "CREATE SCHEMA $PG_SCHEMA" >/dev/null
    case "$PG_URL" in *\?*) sep='&' ;; *) sep='?' ;; esac
    PG_SCHEMA_URL="$PG_URL${sep}options=-c%20search_path%3D$PG_SCHEMA"
    record "{\"kind\":\"postgres\",\"version\":\"$(psql "$PG_URL" -qAtc 'SHOW server_version')\",\"synchronous_commit\":\"$(psql "$PG_URL" -qAtc 'SHOW synchronous_commit')\",\"fsync\":\"$(psql "$PG_URL" -qAtc 'SHOW fsync')\"}"
    bench_backend postgres "$PG_SCHEMA_URL"
    PG_FOR_FSYNC=(--postgres "$PG_SCHEMA_URL")
else
    log "PostgreSQL at $PG_URL is not reachable (or psql is missing): skipped"
fi

log "machine limits: durable commits"
# The temporary directory is made where TMPDIR points, as the server's database was.
record "$(with_fields "$(TMPDIR="$WORK" "$LOADGEN" fsync --seconds "$SECS" "${PG_FOR_FSYNC[@]}")" '"kind":"fsync"')"
for clients in 1 32; do
    log "machine limits: no-op HTTP handler, $clients clients"
    record "$(with_fields "$("$LOADGEN" noop --clients "$clients" --seconds "$SECS")" '"kind":"noop"')"
done

cp "$WORK/results.jsonl" "$RESULTS"
log "raw results: ${RESULTS#"$ROOT"/}"

# --- summary ---------------------------------------------------------------------------------
lines() { grep "\"kind\":\"$1\"" "$RESULTS" || true; }
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
FSYNC=$(lines fsync)
SQLITE_COMMITS=$(field "$FSYNC" sqlite_commits_per_sec)
PG_COMMITS=$(field "$FSYNC" postgres_commits_per_sec)
NOOP1=""; NOOP32=""
while read -r l; do
    case "$(field "$l" noop_clients)" in
        1) NOOP1=$l ;;
        32) NOOP32=$l ;;
    esac
done < <(lines noop)

echo "## Loket benchmark, $(date -u +%Y-%m-%d) ($(nproc) cores, $CPU_MODEL; commit $COMMIT; $SECS s per run)"
echo
echo "| backend | clients | cycles/s | call-next p50 ms | call-next p99 ms | errors | requests/s | server CPU % | loadgen CPU % | machine busy % | server RSS MB (peak) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
while read -r l; do
    [[ -n "$l" ]] || continue
    echo "| $(sed -n 's/.*"backend":"\([a-z]*\)".*/\1/p' <<<"$l") | $(field "$l" clients) | $(field "$l" cycles_per_sec) | $(field "$l" call_next_p50_ms) | $(field "$l" call_next_p99_ms) | $(field "$l" errors) | $(field "$l" requests_per_sec) | $(field "$l" server_cpu_pct) | $(field "$l" loadgen_cpu_pct) | $(field "$l" machine_cpu_busy_pct) | $(mb "$(field "$l" server_rss_kb)") ($(mb "$(field "$l" server_hwm_kb)")) |"
done < <(lines cycle)
echo
echo "Machine limits, same run:"
echo
echo "| measure | value |"
echo "|---|---:|"
echo "| SQLite commits/s (WAL, synchronous=FULL, one writer) | $SQLITE_COMMITS |"
echo "| raw fdatasync/s (4 KiB appends) | $(field "$FSYNC" fdatasyncs_per_sec) |"
[[ -z "$PG_COMMITS" ]] || echo "| PostgreSQL commits/s (one connection) | $PG_COMMITS |"
echo "| no-op handler, 1 client: req/s (p50 / p99 ms) | $(field "$NOOP1" requests_per_sec) ($(field "$NOOP1" p50_ms) / $(field "$NOOP1" p99_ms)) |"
echo "| no-op handler, 32 clients: req/s (p50 / p99 ms) | $(field "$NOOP32" requests_per_sec) ($(field "$NOOP32" p50_ms) / $(field "$NOOP32" p99_ms)) |"
echo

# Targets: >= 400 cycles/s on SQLite; PostgreSQL within half of that (>= 200); call-next p99 < 50 ms
# at 32 clients; server peak RSS < 40 MB.
best() { lines cycle | grep "\"backend\":\"$1\"" | while read -r l; do field "$l" cycles_per_sec; done | sort -g | tail -1; }
# (Empty when no run had 32 clients.)
p99_at_32() { lines cycle | grep "\"backend\":\"$1\"" | grep '"clients":32,' | while read -r l; do field "$l" call_next_p99_ms; done || true; }
peak() { lines cycle | grep "\"backend\":\"$1\"" | while read -r l; do field "$l" server_hwm_kb; done | sort -g | tail -1; }
verdict() { awk "BEGIN { exit !($1) }" && echo "met" || echo "**missed**"; }
SQLITE_BEST=$(best sqlite)
echo "| target | measured | |"
echo "|---|---:|---|"
echo "| SQLite >= 400 cycles/s | $SQLITE_BEST (= $(awk -v c="$SQLITE_BEST" -v f="$SQLITE_COMMITS" 'BEGIN { printf "%.0f%%", 700 * c / f }') of the commit limit at 7 writes per cycle) | $(verdict "$SQLITE_BEST >= 400") |"
if [[ -n "$PG_COMMITS" ]]; then
    PG_BEST=$(best postgres)
    echo "| PostgreSQL within half of the SQLite target (>= 200) | $PG_BEST (= $(awk -v p="$PG_BEST" -v s="$SQLITE_BEST" 'BEGIN { printf "%.0f%%", 100 * p / s }') of SQLite's measured best) | $(verdict "$PG_BEST >= 200") |"
fi
for backend in sqlite postgres; do
    p=$(p99_at_32 "$backend")
    [[ -n "$p" ]] && echo "| $backend call-next p99 at 32 clients < 50 ms | $p ms | $(verdict "$p < 50") |"
    k=$(peak "$backend")
    [[ -n "$k" ]] && echo "| $backend server peak RSS < 40 MB | $(mb "$k") MB | $(verdict "$k < 40 * 1024") |"
done
true
