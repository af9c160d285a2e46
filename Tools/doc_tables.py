"""Reads the machine-checked tables of ARCHITECTURE.md (used by check-imports.py and
check-environment.py; Python standard library only).

A checked table is an ordinary Markdown table under a `## ` heading. Its first row names the
columns; every body row is one entry. Names that a check compares (modules, variables, files) are
written in backticks; a cell of `—` means "none".
"""
import argparse
import os
import re
import sys

BACKTICKED = re.compile(r"`([^`]+)`")


def table(path, heading, columns):
    """The rows of the table under `## heading` in `path` whose header is `columns`, as
    (line number, {column: cell text}); exits 2 with one line on stderr when there is none."""
    lines = read(path).split("\n")
    in_section = False
    rows = None
    for number, line in enumerate(lines, start=1):
        if line.startswith("## "):
            if rows is not None:
                break
            in_section = line[3:].strip() == heading
            continue
        if not in_section:
            continue
        stripped = line.strip()
        if rows is None:
            if stripped.startswith("|") and cells(stripped) == columns:
                rows = []
            continue
        if not stripped.startswith("|"):
            if rows:
                break
            continue
        row = cells(stripped)
        if all(set(cell) <= set("-: ") for cell in row):
            continue
        if len(row) != len(columns):
            fail(f"{path}:{number}: a row of \"{heading}\" has {len(row)} cells, the header {len(columns)}")
        rows.append((number, dict(zip(columns, row))))
    if rows is None:
        header = "| " + " | ".join(columns) + " |"
        fail(f"{path}: no table \"{header}\" under \"## {heading}\"")
    return rows


def cells(line):
    """The cells of one Markdown table line, stripped."""
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def names(cell):
    """The backticked names in a cell, in order."""
    return BACKTICKED.findall(cell)


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(2)


def start(argv, usage):
    """Parses a check's command line (`--help` prints `usage`; `--root DIR`, by default the
    repository holding this script) and moves to the repository."""
    summary, _, details = usage.strip().partition("\n")
    parser = argparse.ArgumentParser(description=summary, epilog=details.strip(),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", metavar="DIR", help="the repository (default: the one holding this script)",
                        default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    os.chdir(parser.parse_args(argv).root)


def read(path):
    """The text of `path`; exits 2 with one line on stderr when it cannot be read."""
    try:
        return open(path, encoding="utf-8").read()
    except OSError as error:
        fail(f"cannot read {path}: {error.strerror}")


def report(problems, summary):
    """Prints each problem and then `summary` on stderr when there are any; the exit status."""
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(summary.format(count=len(problems)), file=sys.stderr)
        return 1
    return 0
