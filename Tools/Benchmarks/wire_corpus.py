#!/usr/bin/env python3
"""Writes English prose, one paragraph a line, for the wire size figures (bench-wire sizes --corpus).

The demo generator's message texts are assembled from two dozen template sentences, which zlib
compresses far better than real messages; the size figures therefore also encode the same ops with
~340-byte texts cut from real prose. The prose is the paragraphs of Python's own documentation
(pydoc_data.topics, shipped with every CPython), without code, tables or indented blocks.

Usage: wire_corpus.py OUT
"""
import re
import sys

from pydoc_data.topics import topics


def paragraphs():
    for key in sorted(topics):
        for block in re.split(r"\n\s*\n", topics[key]):
            lines = block.split("\n")
            if any(line.startswith((" ", "\t")) for line in lines):
                continue  # code, tables, grammar, indented examples
            text = " ".join(line.strip() for line in lines)
            if len(text) < 80 or text.count(" ") < 12 or text.startswith(("*", ">>>", "|", "+")) or "***" in text:
                continue
            yield text


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    with open(sys.argv[1], "w") as out:
        for text in paragraphs():
            out.write(text + "\n")


if __name__ == "__main__":
    main()
