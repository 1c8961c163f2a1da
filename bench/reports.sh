#!/usr/bin/env bash
# The supervisors' reports over many visits: fills a fresh database straight through SQL with
# 50,000 visits in one month and 600,000 in one year (rows of `visits` with their report facts and
# steps, as the write path keeps them), starts the release server, and times each report of the
# month and of the year through the API, plus the recap's XLSX and PDF downloads, reading the
# server's peak memory (VmHWM) after each. SQLite, then PostgreSQL when it answers. See
# docs/benchmarks.md ("Reports").
#
#   bash bench/reports.sh
#
# Environment:
#   LOKET_BENCH_POSTGRES_URL   PostgreSQL to use (default postgres://postgres@127.0.0.1:5432/test);
#                              a fresh schema is made in it and dropped at the end
#   BENCH_MONTH_VISITS         visits of the month (default 50000)
#   BENCH_YEAR_VISITS          visits of the year, the month's included (default 600000)
#   CARGO_TARGET_DIR           as for cargo (default target)
#   LOKET_BIN                  a prebuilt server to run instead of the release build
# Needs bash, cargo, curl, awk, sqlite3; psql for the PostgreSQL part. Linux only (/proc).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
PG_URL=${LOKET_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}
MONTH_VISITS=${BENCH_MONTH_VISITS:-50000}
YEAR_VISITS=${BENCH_YEAR_VISITS:-600000}
TARGET_DIR=${CARGO_TARGET_DIR:-target}
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR="$ROOT/$TARGET_DIR" ;; esac
LOKET=${LOKET_BIN:-"$TARGET_DIR/release/loket"}
PASSWORD="bench-$RANDOM$RANDOM$RANDOM"

log() { echo "bench: $*" >&2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/loket-reports.XXXXXX")
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

mem_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

if [[ -z "${LOKET_BIN:-}" ]]; then
    log "building (release)"
    cargo build --release -p loket --bin loket >&2
fi
[[ -x "$LOKET" ]] || { log "$LOKET is missing"; exit 1; }

start_server() {
    local database=$1 out="$WORK/server-$2.out"
    : >"$out"
    LOKET_ADMIN_PASSWORD="$PASSWORD" LOKET_LOG=warn "$LOKET" serve --listen 127.0.0.1:0 --database "$database" \
        >"$out" 2>&1 &
    SERVER_PID=$!
    SERVER_URL=""
    for _ in $(seq 600); do
        kill -0 "$SERVER_PID" 2>/dev/null || { log "the server did not start:"; cat "$out" >&2; exit 1; }
        SERVER_URL=$(sed -n 's/^Loket listening on \(http:[^ ]*\).*/\1/p' "$out")
        if [[ -n "$SERVER_URL" ]] && curl -fsS "$SERVER_URL/api/v1/health" >/dev/null 2>&1; then
            return
        fi
        sleep 0.1
    done
    log "the server did not answer within 60 s"; cat "$out" >&2; exit 1
}

stop_server() {
    kill "$SERVER_PID"
    wait "$SERVER_PID" || true
    SERVER_PID=""
}

# The rows, the same SQL for both databases once `bench_n` holds one row per visit: its number
# `i`, its office day `day` and the epoch milliseconds of 08:00 that day in Jakarta `t0`.
# Visits of one day are 20 s apart; every 20th is a no-show, every 20th (+1) cancelled, three in
# 20 escalated (half of them answered by LKPP a day later), every 20th (+5) not served, the rest
# answered and archived. Waiting 0-39 minutes, service 3-47 minutes.
fill_sql() {
    cat <<'SQL'
INSERT INTO visits (id, office_id, reference, service, status, created_day, number, number_day, counter,
    priority_lane, position, created_at, updated_at, data)
SELECT 'b' || i, 'default', 'B' || i, 'A',
    CASE i % 20 WHEN 0 THEN 'no_show' WHEN 1 THEN 'cancelled' WHEN 5 THEN 'not_served'
        WHEN 2 THEN 'escalated' WHEN 3 THEN 'archived' WHEN 4 THEN 'escalated' ELSE 'archived' END,
    day, 'A-' || i, day, '1', FALSE, NULL, t0 + (i % 1000) * 20000, t0 + (i % 1000) * 20000 + 3600000, '{}'
FROM bench_n;
INSERT INTO visit_facts (visit_id, office_id, day, service, visitor_role, category, outcome, served_by, queued_at,
    called_at, started_at, served_at, waiting_ms, service_ms, escalation_channel, escalation_status,
    escalated_at, lkpp_answered_at, waiting_working_ms, service_working_ms)
SELECT 'b' || i, 'default', day, 'A',
    CASE i % 9 WHEN 0 THEN 'penyedia' WHEN 1 THEN 'pa_kpa' WHEN 2 THEN 'ppk' WHEN 3 THEN 'pokja_pemilihan'
        WHEN 4 THEN 'pejabat_pengadaan' WHEN 5 THEN 'pphp' WHEN 6 THEN 'auditor' WHEN 7 THEN 'public' ELSE 'other' END,
    CASE i % 7 WHEN 0 THEN 'registration' WHEN 1 THEN 'password' WHEN 2 THEN 'offer_upload' WHEN 3 THEN 'tender'
        WHEN 4 THEN 'e_purchasing' WHEN 5 THEN 'sikap' ELSE 'other' END,
    CASE WHEN i % 20 = 0 THEN 'no_show' WHEN i % 20 = 1 THEN 'cancelled' WHEN i % 20 = 5 THEN 'not_served'
        WHEN i % 20 IN (2, 3, 4) THEN 'escalated' ELSE 'answered' END,
    CASE WHEN i % 20 IN (0, 1, 5) THEN NULL ELSE 'hd' || (i % 6) END,
    t0, t0 + w, t0 + w + 60000, t0 + w + 60000 + s, w,
    CASE WHEN i % 20 IN (0, 1, 5) THEN NULL ELSE s END,
    CASE WHEN i % 20 IN (2, 3, 4) THEN (CASE WHEN i % 2 = 0 THEN 'tts' ELSE 'email' END) END,
    CASE WHEN i % 20 IN (2, 3, 4) THEN (CASE WHEN i % 40 < 20 THEN 'answered' ELSE 'sent' END) END,
    CASE WHEN i % 20 IN (2, 3, 4) THEN t0 + w + 60000 + s END,
    CASE WHEN i % 20 IN (2, 3, 4) AND i % 40 < 20 THEN t0 + w + 60000 + s + 86400000 END,
    w, CASE WHEN i % 20 IN (0, 1, 5) THEN NULL ELSE s END
FROM (SELECT i, day, t0 + (i % 1000) * 20000 AS t0, ((i * 7919) % 40) * 60000 + (i % 60) * 1000 AS w,
    ((i * 104729) % 45 + 3) * 60000 AS s FROM bench_n) v;
INSERT INTO visit_steps (visit_id, seq, office_id, day, step, started_at, ended_at, duration_ms, working_ms,
    standard_minutes, instant, by_user)
SELECT 'b' || i, k.seq, 'default', day, k.step, t0, t0 + k.base + (i % 7) * k.spread,
    k.base + (i % 7) * k.spread, k.base + (i % 7) * k.spread, k.standard, k.instant, 'hd' || (i % 6)
FROM bench_n CROSS JOIN bench_steps k;
SQL
}

steps_sql() {
    cat <<'SQL'
CREATE TABLE bench_steps (seq BIGINT, step BIGINT, base BIGINT, spread BIGINT, standard BIGINT, instant BOOLEAN);
INSERT INTO bench_steps VALUES (0, 3, 120000, 40000, 5, FALSE), (1, 4, 60000, 50000, 5, FALSE),
    (2, 8, 30000, 20000, NULL, FALSE), (3, 9, 600000, 300000, 30, FALSE), (4, 10, 0, 0, NULL, TRUE),
    (5, 12, 200000, 80000, 10, FALSE);
SQL
}

# Office days: the month is November 2026 (30 days); the rest of the year's visits fall in the
# other eleven months, spread evenly.
fill_sqlite() {
    local db=$1
    {
        echo "PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF; BEGIN;"
        steps_sql
        echo "CREATE TABLE bench_n (i BIGINT, day TEXT, t0 BIGINT);"
        echo "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $YEAR_VISITS - 1)"
        echo "INSERT INTO bench_n SELECT i, CASE WHEN i < $MONTH_VISITS THEN date('2026-11-01', '+' || (i * 30 / $MONTH_VISITS) || ' days')"
        echo "  ELSE date('2026-01-01', '+' || ((i - $MONTH_VISITS) * 304 / ($YEAR_VISITS - $MONTH_VISITS + 1)) || ' days') END, 0 FROM n;"
        echo "UPDATE bench_n SET t0 = (CAST(strftime('%s', day) AS BIGINT) + 3600) * 1000;"
        fill_sql
        echo "DROP TABLE bench_n; DROP TABLE bench_steps; COMMIT; ANALYZE;"
    } | sqlite3 "$db" >/dev/null
}

fill_postgres() {
    local url=$1
    {
        echo "BEGIN;"
        steps_sql
        echo "CREATE TABLE bench_n (i BIGINT, day TEXT, t0 BIGINT);"
        echo "INSERT INTO bench_n SELECT i, to_char(CASE WHEN i < $MONTH_VISITS THEN date '2026-11-01' + (i * 30 / $MONTH_VISITS)::int"
        echo "  ELSE date '2026-01-01' + ((i - $MONTH_VISITS) * 304 / ($YEAR_VISITS - $MONTH_VISITS + 1))::int END, 'YYYY-MM-DD'), 0"
        echo "  FROM generate_series(0, $YEAR_VISITS - 1) AS s(i);"
        echo "UPDATE bench_n SET t0 = (extract(epoch FROM day::date)::bigint + 3600) * 1000;"
        fill_sql
        # VACUUM as autovacuum would soon after: it marks the pages all-visible, so that the
        # report queries read the covering indexes alone, as they do on a database in use.
        echo "DROP TABLE bench_n; DROP TABLE bench_steps; COMMIT; VACUUM ANALYZE;"
    } | psql "$url" -qX -v ON_ERROR_STOP=1 >/dev/null
}

# Seconds of one GET, with the bearer token or the page cookie; fails on any status but 200.
timed() {
    curl -fsS -o "$WORK/out" -w '%{time_total}' "$@"
}

report_runs() {
    local backend=$1 token jar="$WORK/cookies-$1" csrf
    token=$(curl -fsS -X POST "$SERVER_URL/api/v1/auth/login" -H 'content-type: application/json' \
        -d "{\"username\":\"admin\",\"password\":\"$PASSWORD\"}" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
    csrf=$(curl -fsS -c "$jar" "$SERVER_URL/login" | sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' | head -1)
    curl -fsS -b "$jar" -c "$jar" -o /dev/null --data-urlencode "_csrf=$csrf" --data-urlencode "username=admin" \
        --data-urlencode "password=$PASSWORD" "$SERVER_URL/login"
    local scope from to month
    for scope in month year; do
        if [[ $scope == month ]]; then from=2026-11-01; to=2026-11-30; else from=2026-01-01; to=2026-12-31; fi
        for report in recap times time-standards overruns escalations; do
            local secs
            secs=$(timed -H "authorization: Bearer $token" "$SERVER_URL/api/v1/reports/$report?from=$from&to=$to")
            echo "| $backend | $scope | API $report | $secs | $(( $(mem_kb "$SERVER_PID" VmHWM) / 1024 )) |"
        done
        for format in xlsx pdf; do
            secs=$(timed -b "$jar" "$SERVER_URL/supervisor/reports?report=recap&period=range&from=$from&to=$to&format=$format")
            echo "| $backend | $scope | recap $format ($(stat -c %s "$WORK/out") bytes) | $secs | $(( $(mem_kb "$SERVER_PID" VmHWM) / 1024 )) |"
        done
        secs=$(timed -b "$jar" "$SERVER_URL/supervisor/reports?report=times&period=range&from=$from&to=$to")
        echo "| $backend | $scope | times page | $secs | $(( $(mem_kb "$SERVER_PID" VmHWM) / 1024 )) |"
    done
    # The same reports of the year with the office measuring in working time: they read the
    # working durations kept beside the clock ones.
    local calendar
    calendar=$(curl -fsS -H "authorization: Bearer $token" "$SERVER_URL/api/v1/settings/calendar" \
        | sed 's/"time_measure":"clock"/"time_measure":"working"/')
    curl -fsS -o /dev/null -X PUT -H "authorization: Bearer $token" -H 'content-type: application/json' \
        -d "$calendar" "$SERVER_URL/api/v1/settings/calendar"
    for report in times time-standards overruns escalations; do
        local secs
        secs=$(timed -H "authorization: Bearer $token" "$SERVER_URL/api/v1/reports/$report?from=2026-01-01&to=2026-12-31")
        echo "| $backend | year, working time | API $report | $secs | $(( $(mem_kb "$SERVER_PID" VmHWM) / 1024 )) |"
    done
    # The figures themselves, to see that the fill is what was meant.
    curl -fsS -H "authorization: Bearer $token" "$SERVER_URL/api/v1/reports/recap?from=2026-01-01&to=2026-12-31" \
        | sed -n 's/^{"from":"[^"]*","to":"[^"]*","visits":\([0-9]*\).*/(year: \1 visits)/p' >&2
}

echo "| backend | period | report | seconds | server peak RSS (MiB) |"
echo "|---|---|---|---|---|"

log "sqlite: making the schema and filling $YEAR_VISITS visits"
start_server "sqlite://$WORK/loket.db" sqlite
stop_server
start=$(date +%s)
fill_sqlite "$WORK/loket.db"
log "sqlite: filled in $(( $(date +%s) - start )) s"
start_server "sqlite://$WORK/loket.db" sqlite
echo "| sqlite | — | idle after start | — | $(( $(mem_kb "$SERVER_PID" VmHWM) / 1024 )) |"
report_runs sqlite
stop_server

if command -v psql >/dev/null && psql "$PG_URL" -qAtc 'SELECT 1' >/dev/null 2>&1; then
    PG_SCHEMA="bench_reports_$$"
    psql "$PG_URL" -qAtc "CREATE SCHEMA $PG_SCHEMA" >/dev/null
    sep='?'; [[ $PG_URL == *\?* ]] && sep='&'
    url="$PG_URL${sep}options=-c%20search_path%3D$PG_SCHEMA"
    log "postgres: making the schema and filling $YEAR_VISITS visits"
    start_server "$url" postgres
    stop_server
    start=$(date +%s)
    fill_postgres "$url"
    log "postgres: filled in $(( $(date +%s) - start )) s"
    start_server "$url" postgres
    echo "| postgres | — | idle after start | — | $(( $(mem_kb "$SERVER_PID" VmHWM) / 1024 )) |"
    report_runs postgres
    stop_server
else
    log "postgres: $PG_URL does not answer; skipped"
fi
