#!/usr/bin/env bash
# Runs Outpost's benchmarks (Tools/Benchmarks, package-benchmark) and prints compact tables:
# - replica: each operation beside a plain SQLite C-API baseline of the same query on the same file,
#   with the ratio and the target (README.md, "Benchmarks");
# - wire: FrameCodec encode and decode of a 10,000-op batch beside raw swift-protobuf and raw zlib
#   on the same bytes, and the wire sizes (bytes per message, per read-state change, per sync round).
#
#   Tools/benchmark.sh                                   # everything; 1M-message replica (built once, cached)
#   OUTPOST_BENCH_MESSAGES=100000 Tools/benchmark.sh     # a quick replica run
#   Tools/benchmark.sh --filter 'inbox.*'                # extra arguments go to package-benchmark
#   Tools/benchmark.sh --filter 'wire.*'                 # only the wire codec: no replica, about 1 minute
#   Tools/benchmark.sh --filter sync                     # only sync, end to end over loopback (about 3 minutes)
#   Tools/benchmark.sh --filter sync.latency             # one sync part: sync.first-sync, sync.latency, sync.devices
#
# - sync: real `outpost server` and device processes (bench-sync): a first sync of 100k messages
#   beside the plain SQLite apply of the same rows, with the device's peak memory; commit → visible
#   on another device, p50/p99, beside the local reply and query; 100 devices syncing at once, p99
#   round, beside one device alone.
#
# When every --filter starts with "wire" (or "sync"), the replica fixture is neither built nor checked.
#
# Environment: OUTPOST_BENCH_MESSAGES (default 1000000), OUTPOST_BENCH_SEED (2026),
# OUTPOST_BENCH_SECONDS (time per benchmark, default 3), OUTPOST_BENCH_CACHE (folder of the
# cached replica, default Tools/Benchmarks/.cache), OUTPOST_BENCH_MALLOCS=1 (also count mallocs per
# operation; slows malloc-heavy code, so judge the timing targets on a run without it),
# OUTPOST_BENCH_STRICT=1 (exit 3 on a missed target), OUTPOST_WIRE_TEXT=prose (time the wire batch
# with ~340 B of English prose as message texts instead of the demo's templated sentences, which
# deflate about 8x where real text deflates about 3x), OUTPOST_BENCH_SYNC_MESSAGES (first sync, 100000),
# OUTPOST_BENCH_SYNC_RUNS (3), OUTPOST_BENCH_SYNC_PROBES (1000), OUTPOST_BENCH_SYNC_DEVICES (100),
# OUTPOST_BENCH_SYNC_SECONDS (30). The first 1M run builds the replica (about
# 4 minutes) and package-benchmark (about 3 minutes); later runs take about 2 minutes.
set -euo pipefail

cd "$(dirname "$0")/Benchmarks"
export OUTPOST_BENCH_MESSAGES="${OUTPOST_BENCH_MESSAGES:-1000000}"
results="${OUTPOST_BENCH_CACHE:-$PWD/.cache}/results"
mkdir -p "$results"

# Which parts the filters select: replica benchmarks unless every filter starts with "wire", wire
# benchmarks unless no filter does.
filters=()
previous=""
for argument in "$@"; do
    case "$argument" in
        --filter=*) filters+=("${argument#--filter=}") ;;
    esac
    [ "$previous" = "--filter" ] && filters+=("$argument")
    previous="$argument"
done
replica=1
wire=1
sync=1
sync_parts=()
if [ ${#filters[@]} -gt 0 ]; then
    replica=0
    wire=0
    sync=0
    for filter in "${filters[@]}"; do
        case "$filter" in
            wire*) wire=1 ;;
            sync.first-sync|sync.latency|sync.devices) sync=1; sync_parts+=("${filter#sync.}") ;;
            sync*) sync=1 ;;
            *) replica=1 ;;
        esac
    done
fi

echo "== building (release)"
# SwiftPM keeps the build plan of the main package (a path dependency here) and does not notice a
# source file added to it since; dropping the plan makes it read the package again (seconds).
rm -f .build/release.yaml
build() {
    swift build -c release --product "$1" >"$results/build.log" 2>&1 || { cat "$results/build.log"; exit 1; }
    tail -1 "$results/build.log"
}
if [ $replica = 1 ]; then build bench-fixture; fi
if [ $wire = 1 ]; then build bench-wire; fi
if [ $sync = 1 ]; then build outpost; build bench-sync; fi

if [ $replica = 1 ]; then
    echo "== fixture"
    .build/release/bench-fixture prepare
    .build/release/bench-fixture check >"$results/check.txt" || { cat "$results/check.txt"; exit 1; }
    grep -E "^  (ok|FAIL)" "$results/check.txt"
fi

sizes=()
if [ $wire = 1 ]; then
    echo "== wire sizes"
    corpus=()
    if python3 wire_corpus.py "$results/prose.txt" 2>"$results/corpus.log"; then
        corpus=(--corpus "$results/prose.txt")
        [ "${OUTPOST_WIRE_TEXT:-demo}" = prose ] && export OUTPOST_WIRE_CORPUS="$results/prose.txt"
    else
        echo "no prose corpus (python3 with pydoc_data needed): prose figures skipped" >&2
    fi
    .build/release/bench-wire sizes --json "${corpus[@]}" >"$results/wire-sizes.json"
    sizes=(--wire-sizes "$results/wire-sizes.json")
fi

if [ $sync = 1 ]; then
    echo "== sync, end to end over loopback (bench-sync)"
    .build/release/bench-sync "${sync_parts[@]}" --json "$results/sync.json"
fi
[ $replica = 1 ] || [ $wire = 1 ] || exit 0

echo "== benchmarks (package-benchmark, one process per benchmark)"
rm -f "$results/Current_run.jmh.json"
swift package --allow-writing-to-package-directory benchmark run \
    --format jmh --path "$results" --no-progress "$@" 2>&1 \
    | { grep -vE "^\[[0-9]+/[0-9]+\]|^Building|^Build of|Warning: running with the Swift runtime|skipping LD_PRELOAD|^$" || true; }
test -s "$results/Current_run.jmh.json" || { echo "package-benchmark wrote no results" >&2; exit 1; }

python3 summarize.py "$results/Current_run.jmh.json" "$OUTPOST_BENCH_MESSAGES" "${sizes[@]}"
