#!/usr/bin/env python3
"""Checks that every environment variable the code reads is in ARCHITECTURE.md, and back.

ARCHITECTURE.md, section "Environment variables", has one row per variable:

    | variable | what it does | read in | set by |
    | `OUTPOST_REPLICA` | ... | `Sources/OutpostCLI/ReplicaOptions.swift` | the user |

The check scans the code (Swift, Python and shell files under Sources, Tests and Tools, build
folders left out; Package.swift; .ci/run) for variable names: every `OUTPOST_...` name, and any
other name in a read or write of the environment (`getenv("X")`, `environment["X"]`,
`os.environ.get("X")`, `os.environ["X"]`, `$X` or `${X...}` in a shell script). It reports, one
line each on stderr:

- a name in the code without a row, and a row whose name the code never mentions;
- a `read in` file that does not exist or does not mention the name, and a file that reads the
  name literally (`getenv("X")`, `environment["X"]` not assigned to, `os.environ`, a shell `$X`)
  but is not in `read in`;
- a name mentioned in the sources of a module that ARCHITECTURE.md's "Allowed imports" table
  calls `pure`: pure modules read no environment, their configuration is passed in.

Exit status: 0 when everything agrees, 1 on any difference, 2 when a file or table cannot be
read or the command line is wrong.
Python standard library only.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import doc_tables  # noqa: E402

HEADING = "Environment variables"
COLUMNS = ["variable", "what it does", "read in", "set by"]
ROOTS = ["Sources", "Tests", "Tools", "Package.swift", ".ci/run"]
SKIPPED_FOLDERS = {".build", ".cache", ".swiftpm", "screenshots", "__pycache__"}
SUFFIXES = (".swift", ".py", ".sh")
# The checks themselves: their help text shows the patterns with example names.
SKIPPED_FILES = {"Tools/check-environment.py", "Tools/check-imports.py", "Tools/doc_tables.py"}
# The shell's own variables: set by bash, not by anyone running the code.
SHELL_VARIABLES = {"PWD", "OLDPWD", "RANDOM", "LINENO", "SECONDS", "IFS", "UID", "EUID", "BASH_SOURCE"}

PROJECT_NAME = re.compile(r"\bOUTPOST_[A-Z0-9_]*[A-Z0-9]\b")
LITERAL_ACCESS = re.compile(
    r"(?:getenv\(\s*|environment\[\s*|environ\.get\(\s*|environ\[\s*)\"([A-Z_][A-Z0-9_]*)\"(\s*\]\s*=(?!=))?")
SHELL_READ = re.compile(r"\$\{?([A-Z_][A-Z0-9_]*)")


def main(argv):
    doc_tables.start(argv, __doc__)

    mentions, reads = scan()
    problems = []
    documented = {}
    for line, row in doc_tables.table("ARCHITECTURE.md", HEADING, COLUMNS):
        name = doc_tables.names(row["variable"])
        if len(name) != 1:
            problems.append(f"ARCHITECTURE.md:{line}: the variable cell must hold one backticked name")
            continue
        name = name[0]
        documented[name] = line
        files = doc_tables.names(row["read in"])
        if not files:
            problems.append(f"ARCHITECTURE.md:{line}: {name} has no backticked file in \"read in\"")
        for path in files:
            if not os.path.isfile(path):
                problems.append(f"ARCHITECTURE.md:{line}: {name} is read in {path}, which does not exist")
            elif path not in mentions.get(name, {}):
                problems.append(f"ARCHITECTURE.md:{line}: {name} is read in {path}, which does not mention it")
        for path, number in sorted(reads.get(name, {}).items()):
            if path not in files:
                problems.append(f"{path}:{number}: reads {name}; ARCHITECTURE.md:{line} does not list the file "
                                "in \"read in\"")
        if name not in mentions:
            problems.append(f"ARCHITECTURE.md:{line}: {name} is in the table but no code mentions it")

    for name, places in sorted(mentions.items()):
        if name not in documented:
            path, number = sorted(places.items())[0]
            problems.append(f"{path}:{number}: {name} is not in ARCHITECTURE.md, \"{HEADING}\"")

    pure = [line_row for line_row in doc_tables.table("ARCHITECTURE.md", "Allowed imports",
                                                      ["module", "kind", "may import"])
            if line_row[1]["kind"] == "pure"]
    for _, row in pure:
        for module in doc_tables.names(row["module"]):
            folder = f"Sources/{module}/"
            for name, places in sorted(mentions.items()):
                for path, number in sorted(places.items()):
                    if path.startswith(folder):
                        problems.append(f"{path}:{number}: {module} is pure and may not read {name}; pass the "
                                        "setting in")

    return doc_tables.report(problems, f"check-environment: {{count}} difference(s); "
                                        f"the table: ARCHITECTURE.md, \"{HEADING}\"")


def scan():
    """name -> {file: first line mentioning it}, and name -> {file: first line reading it literally}."""
    mentions, reads = {}, {}
    for path in code_files():
        shell = path.endswith(".sh") or path == ".ci/run"
        for number, line in enumerate(doc_tables.read(path).split("\n"), start=1):
            found = set(PROJECT_NAME.findall(line))
            for match in LITERAL_ACCESS.finditer(line):
                found.add(match.group(1))
                if match.group(2) is None:
                    reads.setdefault(match.group(1), {}).setdefault(path, number)
            if shell and not line.lstrip().startswith("#"):
                for name in SHELL_READ.findall(line):
                    if name not in SHELL_VARIABLES:
                        found.add(name)
                        reads.setdefault(name, {}).setdefault(path, number)
            for name in found:
                mentions.setdefault(name, {}).setdefault(path, number)
    return mentions, reads


def code_files():
    for root in ROOTS:
        if os.path.isfile(root):
            yield root
            continue
        for folder, subfolders, files in os.walk(root):
            subfolders[:] = sorted(name for name in subfolders if name not in SKIPPED_FOLDERS)
            for file in sorted(files):
                path = os.path.join(folder, file)
                if file.endswith(SUFFIXES) and path not in SKIPPED_FILES:
                    yield path



if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
