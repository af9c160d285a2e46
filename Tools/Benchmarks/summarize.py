#!/usr/bin/env python3
"""Turns package-benchmark's JMH export into the compact tables Tools/benchmark.sh prints.

Replica benchmarks: each metric has two benchmarks, `<metric>.outpost` and `<metric>.sqlite` (the plain SQLite C-API
baseline of the same query on the same file, measured in the same run). Wall-clock figures are
per operation, in microseconds; the ratio is Outpost p50 / baseline p50.

Targets (README.md, "Benchmarks"): inbox list p50 under 1 ms (the unread filter is an
inbox list too), thread view under 2 ms, newest-50 search under 5 ms, reply under 1.5x the
baseline's single-row transaction.

Wire benchmarks (`wire.<direction>.<side>`): FrameCodec on a 10,000-op batch beside
raw swift-protobuf and raw zlib on the same bytes. Throughput is ops / p50; a ratio is the codec's
throughput over the baseline's (baseline p50 / codec p50). Target: the codec at least half as fast
as raw swift-protobuf doing the same work, that is with raw zlib (protobuf + deflate, inflate +
protobuf); the ratio to protobuf alone is shown beside it for information (it mostly measures how
long zlib takes on the batch's texts). Size figures (bytes on the wire, from `bench-wire sizes --json`): at most 200 B
per new message of ~340 B text, 32 B per read-state change, 1 KB of Hello + Welcome + Ack a round.

Usage: summarize.py RESULTS.jmh.json [MESSAGES] [--wire-sizes SIZES.json]
Exit status: 0, or 3 when a target is missed and OUTPOST_BENCH_STRICT=1.
"""
import json
import os
import sys

WALL = "Time (wall clock)"
MALLOC = "Malloc (total)"

# metric: (title, kind, limit) -- kind "abs": Outpost p50 below limit microseconds;
# kind "ratio": Outpost p50 below limit times the baseline p50.
METRICS = [
    ("inbox", "inbox list (50 rows)", "abs", 1000.0),
    ("unread", "unread filter (50 rows)", "abs", 1000.0),
    ("thread", "thread view", "abs", 2000.0),
    ("search", "search newest-50", "abs", 5000.0),
    ("reply", "reply (1 op, 1 txn)", "ratio", 1.5),
]


def load(path):
    results = {}
    with open(path) as handle:
        for element in json.load(handle):
            # "package.benchmark.<Target>.<name>", e.g. name "inbox.outpost" or "wire.encode.codec"
            key = element["benchmark"].split(".", 3)[-1]
            metrics = element.get("secondaryMetrics", {})
            wall = metrics.get(WALL)
            if wall is None:
                continue
            percentiles = wall["scorePercentiles"]
            malloc = metrics.get(MALLOC, {}).get("scorePercentiles", {})
            results[key] = {
                "p50": float(percentiles["50.0"]),
                "p99": float(percentiles["99.0"]),
                "n": element.get("measurementIterations", 0),
                "mallocs": malloc.get("50.0"),
            }
    return results


WIRE_ROWS = [
    ("encode.codec", "encode", "FrameCodec.encode(.ops)"),
    ("encode.protobuf", "", "raw protobuf serializedBytes()"),
    ("encode.zlib", "", "raw zlib deflate, level 6"),
    ("encode.protobuf-zlib", "", "raw protobuf + zlib deflate"),
    ("encode.codec-stored", "", "FrameCodec.encode, compress: false"),
    ("decode.codec", "decode", "FrameCodec.decode"),
    ("decode.protobuf", "", "raw protobuf init(serializedBytes:)"),
    ("decode.zlib", "", "raw zlib inflate"),
    ("decode.zlib-protobuf", "", "raw zlib inflate + protobuf"),
    ("decode.codec-stored", "", "FrameCodec.decode, stored frame"),
]

# (codec step, baseline step, title, minimum ratio or None for information)
WIRE_RATIOS = [
    ("encode.codec", "encode.protobuf-zlib", "encode: codec / (protobuf + zlib)", 0.5),
    ("encode.codec", "encode.protobuf", "encode: codec / protobuf alone", None),
    ("decode.codec", "decode.zlib-protobuf", "decode: codec / (zlib + protobuf)", 0.5),
    ("decode.codec", "decode.protobuf", "decode: codec / protobuf alone", None),
]


def table(header, rows):
    """Prints rows (tuples) in columns; a row that is a plain string is a note printed as it is."""
    cells = [header] + [row for row in rows if not isinstance(row, str)]
    widths = [max(len(str(row[i])) for row in cells) for i in range(len(header))]
    line = lambda row: "  ".join(str(cell).ljust(widths[i]) for i, cell in enumerate(row)).rstrip()
    print(line(header))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print(row if isinstance(row, str) else line(row))


def wire_tables(results, sizes):
    """Prints the wire tables; returns (targets checked, targets missed)."""
    checked = missed = 0
    figures = {figure["key"]: figure for figure in sizes}
    ops = 10000
    batch = figures.get("batch")
    timed = [key for key, _, _ in WIRE_ROWS if f"wire.{key}" in results]
    if timed:
        about = f", {batch['detail'].split(';')[0]}" if batch else ""  # texts, frame and payload bytes
        with_mallocs = any(results[f"wire.{key}"].get("mallocs") is not None for key in timed)
        print(f"\nOutpost wire codec, one {ops:,}-op batch{about} "
              "(wall clock per batch; ops/s = ops / p50)")
        header = ("", "step", "p50 / p99", "ops/s") + (("mallocs",) if with_mallocs else ())
        rows = []
        for key, group, title in WIRE_ROWS:
            r = results.get(f"wire.{key}")
            if r is None:
                continue
            row = (group, title, f"{fmt_time(r['p50'])} / {fmt_time(r['p99'])}", f"{ops / r['p50'] * 1e6:,.0f}")
            if with_mallocs:
                row += (f"{r['mallocs']:.0f}" if r.get("mallocs") is not None else "—",)
            rows.append(row)
        table(header, rows)
        rows = []
        for codec, base, title, minimum in WIRE_RATIOS:
            ours, theirs = results.get(f"wire.{codec}"), results.get(f"wire.{base}")
            if ours is None or theirs is None:
                continue
            ratio = theirs["p50"] / ours["p50"]
            if minimum is None:
                rows.append((title, f"{ratio:.2f}x", "(information)", ""))
                continue
            ok = ratio >= minimum
            checked += 1
            missed += 0 if ok else 1
            rows.append((title, f"{ratio:.2f}x", f">= {minimum:g}x", "pass" if ok else "FAIL"))
        if rows:
            print("\nthroughput ratios (codec ops/s / baseline ops/s = baseline p50 / codec p50)")
            table(("ratio", "value", "target", "result"), rows)
    if sizes:
        print("\nOutpost wire sizes (FrameCodec frames, 24-byte header included; not timed)")
        rows = []
        for figure in sizes:
            limit = figure.get("limit")
            if figure["key"].endswith(".max"):
                value = f"{figure['bytes']:.0f} devices"
            else:
                value = f"{figure['bytes']:,.1f} B"
            verdict = ""
            if limit is not None:
                ok = figure["bytes"] <= limit
                checked += 1
                missed += 0 if ok else 1
                verdict = "pass" if ok else "FAIL"
            rows.append((figure["title"], value, f"<= {limit:,.0f} B" if limit is not None else "", verdict))
            rows.append("    " + figure["detail"])
        table(("figure", "bytes", "target", "result"), rows)
    return checked, missed


def fmt_time(us):
    return f"{us / 1000:.2f} ms" if us >= 1000 else f"{us:.0f} µs"


def main():
    arguments = sys.argv[1:]
    sizes = []
    if "--wire-sizes" in arguments:
        index = arguments.index("--wire-sizes")
        if index + 1 >= len(arguments):
            sys.exit(__doc__)
        with open(arguments[index + 1]) as handle:
            sizes = json.load(handle)
        del arguments[index:index + 2]
    if not arguments:
        sys.exit(__doc__)
    results = load(arguments[0])
    messages = arguments[1] if len(arguments) > 1 else "?"
    header = ("metric", "Outpost p50/p99", "SQLite C p50/p99", "ratio", "mallocs O/C", "target", "result")
    rows = []
    missed = 0
    checked = 0
    for metric, title, kind, limit in METRICS:
        ours = results.get(f"{metric}.outpost")
        base = results.get(f"{metric}.sqlite")
        if ours is None and base is None:
            continue
        pair = lambda r: f"{fmt_time(r['p50'])} / {fmt_time(r['p99'])}" if r else "—"
        ratio = ours["p50"] / base["p50"] if ours and base and base["p50"] > 0 else None
        if kind == "abs":
            target = f"p50 < {fmt_time(limit)}"
            ok = ours is not None and ours["p50"] < limit
        else:
            target = f"< {limit:g}x base"
            ok = ratio is not None and ratio < limit
        if ours is not None:
            checked += 1
            missed += 0 if ok else 1
        count = lambda r: f"{r['mallocs']:.0f}" if r and r.get("mallocs") is not None else "—"
        mallocs = f"{count(ours)} / {count(base)}"
        rows.append((title, pair(ours), pair(base), f"{ratio:.1f}x" if ratio else "—", mallocs, target,
                     ("pass" if ok else "FAIL") if ours else "—"))

    with_mallocs = any(r.get("mallocs") is not None for r in results.values())
    if not with_mallocs:
        header = header[:4] + header[5:]
        rows = [row[:4] + row[5:] for row in rows]
    if rows:
        print(f"\nOutpost replica benchmarks, {messages} messages (wall clock per operation; "
              "ratio = Outpost p50 / SQLite C p50" + ("; mallocs: p50 per operation" if with_mallocs else "") + ")")
        table(header, rows)
    wire_checked, wire_missed = wire_tables(results, sizes)
    checked += wire_checked
    missed += wire_missed
    print(f"\n{checked - missed} of {checked} targets met")
    if missed and os.environ.get("OUTPOST_BENCH_STRICT") == "1":
        sys.exit(3)


if __name__ == "__main__":
    main()
