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
# cached replica, default Tools/Benchmarks/.cache), OUTPOST_BENCH_STRICT=1 (exit 3 on a missed
# target). The first 1M run builds the replica (a few minutes) and package-benchmark (about 2 min).
set -euo pipefail

cd "$(dirname "$0")/Benchmarks"
export OUTPOST_BENCH_MESSAGES="${OUTPOST_BENCH_MESSAGES:-1000000}"
results=".cache/results"

echo "== building (release)"
swift build -c release --product bench-fixture 2>&1 | grep -E "error|warning:|Compiling|Build complete" | tail -3

echo "== fixture"
.build/release/bench-fixture prepare
.build/release/bench-fixture check >.cache/check.txt || { cat .cache/check.txt; exit 1; }
grep -E "^  (ok|FAIL)" .cache/check.txt

echo "== benchmarks (package-benchmark; per-benchmark progress on stderr)"
rm -f "$results/Current_run.jmh.json"
swift package --allow-writing-to-package-directory benchmark run \
    --format jmh --path "$results" --no-progress "$@" 2>&1 \
    | grep -vE "^\[[0-9]+/[0-9]+\]|^Building|^Build of|Warning: running with the Swift runtime|skipping LD_PRELOAD|^$"

python3 summarize.py "$results/Current_run.jmh.json" "$OUTPOST_BENCH_MESSAGES"
