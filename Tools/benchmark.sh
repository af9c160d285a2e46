#!/usr/bin/env bash
# Runs Outpost's replica benchmarks (Tools/Benchmarks, package-benchmark) and prints a compact
# table: each operation beside a plain SQLite C-API baseline of the same query on the same file,
# with the ratio and the DESIGN.md §7 target.
#
#   Tools/benchmark.sh                                   # 1M-message replica (built once, cached)
#   OUTPOST_BENCH_MESSAGES=100000 Tools/benchmark.sh     # a quick run
#   Tools/benchmark.sh --filter 'inbox.*'                # extra arguments go to package-benchmark
#
# Environment: OUTPOST_BENCH_MESSAGES (default 1000000), OUTPOST_BENCH_SEED (2026),
# OUTPOST_BENCH_SECONDS (time per benchmark, default 3), OUTPOST_BENCH_CACHE (folder of the
# cached replica, default Tools/Benchmarks/.cache), OUTPOST_BENCH_MALLOCS=1 (also count mallocs per
# operation; slows malloc-heavy code, so judge the timing targets on a run without it),
# OUTPOST_BENCH_STRICT=1 (exit 3 on a missed target). The first 1M run builds the replica (about
# 4 minutes) and package-benchmark (about 3 minutes); later runs take about 2 minutes.
set -euo pipefail

cd "$(dirname "$0")/Benchmarks"
export OUTPOST_BENCH_MESSAGES="${OUTPOST_BENCH_MESSAGES:-1000000}"
results="${OUTPOST_BENCH_CACHE:-$PWD/.cache}/results"
mkdir -p "$results"

echo "== building (release)"
swift build -c release --product bench-fixture >"$results/build.log" 2>&1 || { cat "$results/build.log"; exit 1; }
tail -1 "$results/build.log"

echo "== fixture"
.build/release/bench-fixture prepare
.build/release/bench-fixture check >"$results/check.txt" || { cat "$results/check.txt"; exit 1; }
grep -E "^  (ok|FAIL)" "$results/check.txt"

echo "== benchmarks (package-benchmark, one process per benchmark)"
rm -f "$results/Current_run.jmh.json"
swift package --allow-writing-to-package-directory benchmark run \
    --format jmh --path "$results" --no-progress "$@" 2>&1 \
    | { grep -vE "^\[[0-9]+/[0-9]+\]|^Building|^Build of|Warning: running with the Swift runtime|skipping LD_PRELOAD|^$" || true; }
test -s "$results/Current_run.jmh.json" || { echo "package-benchmark wrote no results" >&2; exit 1; }

python3 summarize.py "$results/Current_run.jmh.json" "$OUTPOST_BENCH_MESSAGES"
