#!/usr/bin/env python3
"""Turns package-benchmark's JMH export into the compact table Tools/benchmark.sh prints.

Each metric has two benchmarks, `<metric>.outpost` and `<metric>.sqlite` (the plain SQLite C-API
baseline of the same query on the same file, measured in the same run). Wall-clock figures are
per operation, in microseconds; the ratio is Outpost p50 / baseline p50.

Targets (DESIGN.md section 7, issue 2 item 11): inbox list p50 under 1 ms (the unread filter is an
inbox list too), thread view under 2 ms, newest-50 search under 5 ms, reply under 2x the
baseline's single-row transaction.

Usage: summarize.py RESULTS.jmh.json [MESSAGES]
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
    ("reply", "reply (1 op, 1 txn)", "ratio", 2.0),
]


def load(path):
    results = {}
    with open(path) as handle:
        for element in json.load(handle):
            name = element["benchmark"].rsplit(".", 2)
            key = ".".join(name[-2:])  # e.g. "inbox.outpost"
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


def fmt_time(us):
    return f"{us / 1000:.2f} ms" if us >= 1000 else f"{us:.0f} µs"


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    results = load(sys.argv[1])
    messages = sys.argv[2] if len(sys.argv) > 2 else "?"
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
    widths = [max(len(str(row[i])) for row in [header] + rows) for i in range(len(header))]
    line = lambda row: "  ".join(str(cell).ljust(widths[i]) for i, cell in enumerate(row)).rstrip()
    print(f"\nOutpost replica benchmarks, {messages} messages (wall clock per operation; "
          "ratio = Outpost p50 / SQLite C p50" + ("; mallocs: p50 per operation" if with_mallocs else "") + ")")
    print(line(header))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print(line(row))
    print(f"{checked - missed} of {checked} targets met")
    if missed and os.environ.get("OUTPOST_BENCH_STRICT") == "1":
        sys.exit(3)


if __name__ == "__main__":
    main()
