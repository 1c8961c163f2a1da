#!/usr/bin/env bash
# The server's instructions per visit cycle, counted by valgrind's callgrind: unlike seconds, the
# count does not depend on what else the machine is doing, so two builds can be compared on a
# busy machine. See docs/benchmarks.md.
#
#   bash bench/instructions.sh [LOKET_BIN ...]
#
# Each binary (default: this tree's release build) is started under callgrind on a fresh SQLite
# database, warmed up uninstrumented for 3 s, then counted while one staff client runs the whole
# visit cycle for BENCH_SECONDS (default 30). The sign-in's password hash (once per run) is taken
# out of the count. The archived form's PDF (made once per cycle, outside the database writer) is
# counted apart, so that builds archiving different documents can be compared on the rest, and so
# is the SQLite writer thread, which every write waits for. Prints one JSON line per binary.
#
# Environment: BENCH_SECONDS; LOADGEN_BIN (default target/release/examples/loadgen); BENCH_KEEP, a
# folder to keep the callgrind dumps in (one per thread), for callgrind_annotate.
# Needs valgrind (callgrind_annotate, callgrind_control), curl.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
SECS=${BENCH_SECONDS:-30}
LOADGEN=${LOADGEN_BIN:-"$ROOT/target/release/examples/loadgen"}
[[ $# -gt 0 ]] || set -- "$ROOT/target/release/loket"
command -v callgrind_control >/dev/null || { echo "instructions: valgrind is not installed" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/loket-callgrind.XXXXXX")
PID=""
cleanup() {
    [[ -z "$PID" ]] || kill "$PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

count() {
    local bin=$1 password="bench-$RANDOM$RANDOM" url="" token line total hashing document cycles
    rm -f "$WORK"/cg.out* "$WORK"/l.db*
    : >"$WORK/server.out"
    LOKET_ADMIN_PASSWORD=$password LOKET_LOG=warn valgrind --tool=callgrind --instr-atstart=no --separate-threads=yes \
        --callgrind-out-file="$WORK/cg.out" "$bin" serve --listen 127.0.0.1:0 --database "sqlite://$WORK/l.db" \
        >"$WORK/server.out" 2>&1 &
    PID=$!
    for _ in $(seq 600); do
        url=$(sed -n 's/^Loket listening on \(http:[^ ]*\).*/\1/p' "$WORK/server.out")
        [[ -n "$url" ]] && curl -fsS "$url/api/v1/health" >/dev/null 2>&1 && break
        sleep 0.2
    done
    [[ -n "$url" ]] || { echo "instructions: $bin did not start" >&2; cat "$WORK/server.out" >&2; exit 1; }
    token=$(curl -fsS -X POST "$url/api/v1/auth/login" -H 'content-type: application/json' \
        -d "{\"username\":\"admin\",\"password\":\"$password\"}" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
    curl -fsS -X PUT "$url/api/v1/settings/counters" -H "authorization: Bearer $token" \
        -H 'content-type: application/json' -d '[{"code":"1","name":"Loket 1","services":["A"]}]' >/dev/null
    "$LOADGEN" cycle --url "$url" --user admin --password "$password" --clients 1 --seconds 3 >/dev/null
    callgrind_control -i on "$PID" >/dev/null 2>&1
    line=$("$LOADGEN" cycle --url "$url" --user admin --password "$password" --clients 1 --seconds "$SECS")
    callgrind_control -i off "$PID" >/dev/null 2>&1
    callgrind_control -d "$PID" >/dev/null 2>&1
    kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
    if [[ -n "${BENCH_KEEP:-}" ]]; then mkdir -p "$BENCH_KEEP" && cp "$WORK"/cg.out.* "$BENCH_KEEP"/; fi
    # One dump per thread. The SQLite writer is the thread that commits (pagerWalFrames): on
    # SQLite every write of the office waits its turn for it.
    local dump t h d writer=0
    total=0 hashing=0 document=0
    for dump in "$WORK"/cg.out.*; do
        t=$(callgrind_annotate --auto=no "$dump" | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
        local inclusive
        inclusive=$(callgrind_annotate --auto=no --inclusive=yes --threshold=100 "$dump")
        h=$(awk '/argon2::Argon2::hash_password_into/ { gsub(",", "", $1); print $1; exit }' <<<"$inclusive")
        # The consultation form's PDF (none in builds that archive JSON).
        d=$(awk '/loket_documents::form_pdf/ { gsub(",", "", $1); print $1; exit }' <<<"$inclusive")
        total=$((total + ${t:-0})); hashing=$((hashing + ${h:-0})); document=$((document + ${d:-0}))
        if grep -q "pagerWalFrames" <<<"$inclusive"; then writer=$((writer + ${t:-0})); fi
    done
    cycles=$(sed -n 's/.*"cycles":\([0-9]*\).*/\1/p' <<<"$line")
    awk -v bin="$bin" -v t="$total" -v h="$hashing" -v d="$document" -v w="$writer" -v c="$cycles" 'BEGIN {
        printf "{\"kind\":\"instructions\",\"loket_bin\":\"%s\",\"cycles\":%d,\"instructions\":%d,\"sign_in_hash\":%d,\"document\":%d,\"instructions_per_cycle\":%d,\"document_per_cycle\":%d,\"instructions_per_cycle_without_document\":%d,\"writer_per_cycle\":%d}\n", bin, c, t, h, d, (t - h) / c, d / c, (t - h - d) / c, w / c }'
}

for bin in "$@"; do count "$bin"; done
