#!/usr/bin/env bash
# Two builds of Loket in one run: `bench/run.sh` on each in turn (before, after, before, after, …),
# all driven by this tree's load generator, each pass with the machine's commit limits measured
# right after its cycles. See docs/benchmarks.md.
#
#   BENCH_BEFORE=../other-worktree/target bash bench/compare.sh
#
# Environment:
#   BENCH_BEFORE         the build to compare with: a target directory (its release/loket is run)
#                        or a `loket` binary; required
#   BENCH_AFTER          the build to compare it to, as BENCH_BEFORE (default: this tree's release
#                        build, built first)
#   LOADGEN_BIN          with BENCH_AFTER, a prebuilt load generator (default: this tree's, built)
#   BENCH_BEFORE_LABEL   its name in the results (default: before)
#   BENCH_AFTER_LABEL    the name of this tree's build (default: git describe --always --dirty)
#   BENCH_PASSES         passes of each build, taken in turn (default 2)
#   BENCH_RESULTS        where the raw JSON lines go (default bench/results/compare.jsonl); each
#                        line of run.sh gains "side" (before/after) and "pass"
#   BENCH_SECONDS, BENCH_CLIENTS, LOKET_BENCH_POSTGRES_URL, BENCH_SERVER_ENV, CARGO_TARGET_DIR
#                        as for run.sh
#
# Writes a Markdown summary to stdout. Needs what run.sh needs.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
TARGET_DIR=${CARGO_TARGET_DIR:-target}
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR="$ROOT/$TARGET_DIR" ;; esac
PASSES=${BENCH_PASSES:-2}
RESULTS=${BENCH_RESULTS:-"$ROOT/bench/results/compare.jsonl"}
case "$RESULTS" in /*) ;; *) RESULTS="$ROOT/$RESULTS" ;; esac
BEFORE_LABEL=${BENCH_BEFORE_LABEL:-before}
AFTER_LABEL=${BENCH_AFTER_LABEL:-$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo after)}

log() { echo "compare: $*" >&2; }

[[ -n "${BENCH_BEFORE:-}" ]] || { log "set BENCH_BEFORE to the build to compare with (a target directory or a loket binary)"; exit 2; }
if [[ -d "$BENCH_BEFORE" ]]; then BEFORE_BIN="$BENCH_BEFORE/release/loket"; else BEFORE_BIN=$BENCH_BEFORE; fi
[[ -x "$BEFORE_BIN" ]] || { log "$BEFORE_BIN is missing or not executable"; exit 2; }

AFTER_BIN="$TARGET_DIR/release/loket"
LOADGEN=${LOADGEN_BIN:-"$TARGET_DIR/release/examples/loadgen"}
if [[ -n "${BENCH_AFTER:-}" ]]; then
    if [[ -d "$BENCH_AFTER" ]]; then AFTER_BIN="$BENCH_AFTER/release/loket"; else AFTER_BIN=$BENCH_AFTER; fi
    [[ -x "$AFTER_BIN" ]] || { log "$AFTER_BIN is missing or not executable"; exit 2; }
    if [[ -z "${LOADGEN_BIN:-}" ]]; then
        log "building this tree's load generator (release)"
        cargo build --release -p loket --example loadgen >&2
    fi
else
    log "building this tree (release)"
    cargo build --release -p loket --bin loket --example loadgen >&2
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/loket-compare.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
: >"$WORK/all.jsonl"

for pass in $(seq "$PASSES"); do
    for side in before after; do
        if [[ $side == before ]]; then bin=$BEFORE_BIN label=$BEFORE_LABEL; else bin=$AFTER_BIN label=$AFTER_LABEL; fi
        log "pass $pass of $PASSES: $side ($label, $bin)"
        LOKET_BIN="$bin" LOADGEN_BIN="$LOADGEN" BENCH_COMMIT="$label" BENCH_RESULTS="$WORK/pass.jsonl" \
            bash "$ROOT/bench/run.sh" >"$WORK/pass-$pass-$side.md" || { log "run.sh failed (pass $pass, $side)"; exit 1; }
        sed "s/}\$/,\"side\":\"$side\",\"pass\":$pass}/" "$WORK/pass.jsonl" >>"$WORK/all.jsonl"
    done
done

mkdir -p "$(dirname "$RESULTS")"
cp "$WORK/all.jsonl" "$RESULTS"
log "raw results: ${RESULTS#"$ROOT"/}"

# --- summary ---------------------------------------------------------------------------------
# One row per cycle measurement, and one per backend and pass for the commit limit measured then.
# On a shared machine other work only ever lowers a measurement, so the summary takes medians over
# the passes, and the machine's commit limit is the highest commits/s the run measured.
field() { sed -n "s/.*\"$2\":\(-\{0,1\}[0-9.]*\).*/\1/p" <<<"$1"; }
text() { sed -n "s/.*\"$2\":\"\([^\"]*\)\".*/\1/p" <<<"$1"; }
while read -r l; do
    side=$(text "$l" side) pass=$(field "$l" pass)
    case "$l" in
        *'"kind":"fsync"'*)
            echo "limit $side $pass sqlite $(field "$l" sqlite_commits_per_sec)"
            pg=$(field "$l" postgres_commits_per_sec)
            [[ -z "$pg" ]] || echo "limit $side $pass postgres $pg"
            ;;
        *'"kind":"cycle"'*)
            # Columns 6-11: cycles/s, call-next p99, errors, server CPU %, loadgen CPU %, machine busy %.
            echo "cycle $side $pass $(text "$l" backend) $(field "$l" clients) $(field "$l" cycles_per_sec)" \
                "$(field "$l" call_next_p99_ms) $(field "$l" errors) $(field "$l" server_cpu_pct)" \
                "$(field "$l" loadgen_cpu_pct) $(field "$l" machine_cpu_busy_pct)"
            ;;
    esac
done <"$RESULTS" >"$WORK/rows"

echo "## Before and after, $(date -u +%Y-%m-%d) ($(nproc) cores; $BEFORE_LABEL vs $AFTER_LABEL; $PASSES passes each, ${BENCH_SECONDS:-10} s per run)"
echo
echo "Medians over the passes. Commit limit: the highest commits/s of the backend measured in this run."
echo "Share: 7 writes x cycles/s / that limit. Paired: the median of after/before within each pass."
echo "Server CPU per cycle: server CPU time / cycles, in ms."
echo
echo "| backend | clients | cycles/s before | after | change | paired | commit limit | share before | share after | call-next p99 ms before | after | server CPU ms/cycle before | after | errors |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
awk '
    function median(list,    v, n, i, j, t) {
        n = split(list, v, " ")
        for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
        return n ? (n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2) : 0
    }
    $1 == "limit" { if ($5 > limit[$4]) limit[$4] = $5; next }
    $1 == "cycle" {
        k = $4 SUBSEP $5 SUBSEP $2
        cyc[k] = cyc[k] " " $6; p99[k] = p99[k] " " $7; err[$4, $5] += $8
        if ($6 > 0) cpu[k] = cpu[k] " " (10 * $9 / $6)
        at[$2, $3, $4, $5] = $6
        if (!(($4, $5) in seen)) { seen[$4, $5] = 1; order[++n] = $4 SUBSEP $5 }
        if ($3 > passes) passes = $3
    }
    END {
        for (j = 1; j <= n; j++) {
            split(order[j], bc, SUBSEP); b = bc[1]; x = bc[2]
            kb = b SUBSEP x SUBSEP "before"; ka = b SUBSEP x SUBSEP "after"
            cb = median(cyc[kb]); ca = median(cyc[ka]); pr = ""
            for (p = 1; p <= passes; p++)
                if (at["before", p, b, x] > 0 && at["after", p, b, x] != "") pr = pr " " (at["after", p, b, x] / at["before", p, b, x])
            lim = limit[b]
            printf "| %s | %s | %.0f | %.0f | %+.1f%% | %+.1f%% | %.0f | %s | %s | %.1f | %.1f | %.2f | %.2f | %d |\n", b, x, cb, ca,
                cb ? 100 * (ca - cb) / cb : 0, 100 * (median(pr) - 1), lim,
                lim ? sprintf("%.0f%%", 700 * cb / lim) : "", lim ? sprintf("%.0f%%", 700 * ca / lim) : "",
                median(p99[kb]), median(p99[ka]), median(cpu[kb]), median(cpu[ka]), err[b, x]
        }
    }' "$WORK/rows"
echo
echo "Each pass (other CPU: what the machine did besides the server and the load generator, in % of one core;"
echo "on PostgreSQL this includes PostgreSQL itself):"
echo
echo "| pass | build | backend | clients | cycles/s | commits/s (this pass) | call-next p99 ms | server CPU % | other CPU % |"
echo "|---:|---|---|---:|---:|---:|---:|---:|---:|"
awk -v before="$BEFORE_LABEL" -v after="$AFTER_LABEL" '
    $1 == "limit" { limit[$2, $3, $4] = $5; next }
    $1 == "cycle" { row[++n] = $0 }
    END {
        # (A pass measures its commit limit after its cycles: print once all is read.)
        for (i = 1; i <= n; i++) {
            split(row[i], r, " ")
            build = (r[2] == "before") ? before : after
            other = 2 * r[11] - r[9] - r[10]
            printf "| %s | %s | %s | %s | %s | %s | %s | %s | %.0f |\n", r[3], build, r[4], r[5], r[6], limit[r[2], r[3], r[4]], r[7], r[9], other
        }
    }' "$WORK/rows"
