#!/usr/bin/env python3
"""Corpus helpers for the outpost-fuzz-frames libFuzzer target (Protocol/vectors/README.md, "Fuzzing").

  corpus.py seeds OUT_DIR
      Copies Protocol/vectors/wire/*.bin to OUT_DIR and adds each deflated vector re-wrapped as an
      uncompressed frame (honest lengths and CRC-32), so that mutations reach real payloads.

  corpus.py pick CONTROL_FILE OUT_DIR [N]
      Reads a libFuzzer merge control file (-merge_control_file) and copies to OUT_DIR the N inputs
      (default 50) that cover the most edges, chosen greedily (smallest first on ties).
"""
import os
import shutil
import struct
import sys
import zlib

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def seeds(out):
    os.makedirs(out, exist_ok=True)
    wire = os.path.join(ROOT, "Protocol", "vectors", "wire")
    for name in sorted(os.listdir(wire)):
        if not name.endswith(".bin"):
            continue
        frame = open(os.path.join(wire, name), "rb").read()
        shutil.copy(os.path.join(wire, name), out)
        if frame[5] & 1:
            payload = zlib.decompress(frame[24:])
            op_count = struct.unpack(">I", frame[16:20])[0]
            header = b"OPST" + bytes([1, 0, 0, 0]) + struct.pack(
                ">IIII", len(payload), len(payload), op_count, zlib.crc32(payload))
            with open(os.path.join(out, name[:-4] + "-uncompressed.bin"), "wb") as f:
                f.write(header + payload)


def pick(control, out, count):
    lines = open(control).read().split("\n")
    total = int(lines[0])
    files = lines[2:2 + total]
    cover = {}
    for line in lines[2 + total:]:
        parts = line.split()
        if parts and parts[0] == "COV":
            cover[int(parts[1])] = set(map(int, parts[2:]))
    everything = set().union(*cover.values()) if cover else set()
    chosen, covered = [], set()
    while len(chosen) < count and cover:
        best = max(cover, key=lambda i: (len(cover[i] - covered), -os.path.getsize(files[i])))
        if not cover[best] - covered:
            break
        chosen.append(best)
        covered |= cover[best]
    os.makedirs(out, exist_ok=True)
    for index in chosen:
        shutil.copy(files[index], out)
    size = sum(os.path.getsize(files[i]) for i in chosen)
    print(f"{len(chosen)} inputs, {size} bytes, {len(covered)} of {len(everything)} edges")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "seeds":
        seeds(sys.argv[2])
    elif len(sys.argv) in (4, 5) and sys.argv[1] == "pick":
        pick(sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) == 5 else 50)
    else:
        sys.exit(__doc__)
