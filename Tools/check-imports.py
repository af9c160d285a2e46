#!/usr/bin/env python3
"""Checks every Swift `import` of the package against ARCHITECTURE.md and Package.swift.

ARCHITECTURE.md, section "Allowed imports", has one row per target of Package.swift:

    | module | kind | may import |
    | `Merge` | pure | `InboxModel`, `Causality`, `Synchronization` |

`kind` is `pure` (no I/O: reads no clock, file, socket or environment), `I/O`, `main` (an
executable) or `test`. `may import` lists, in backticks, every module the target may import,
system modules (`Foundation`, `Glibc`, `Synchronization`, `Testing`, ...) included; `—` is none.

The check reads every `import` (with any attribute or access level: `@testable import`,
`public import`, `internal import`, `package import`, `import struct M.T`) in the Swift files of
each target's directory (Sources/<target>, Tests/<target>, or the `path:` Package.swift gives,
such as Tools/outpost and Tools/fuzz-frames), and reports, one line each on stderr:

- an import the target's row does not allow;
- an import of a non-system module that Package.swift does not declare among the target's
  dependencies (a module reached only through another package's dependencies);
- a dependency Package.swift declares that the row does not allow;
- a target without a row, a row without a target, a name in a row that is neither a target, a
  product Package.swift names, nor a system module;
- a `pure` row that allows a system module other than `Synchronization` (Wire alone may take
  Foundation, for swift-protobuf's `Data`), or an `I/O` module of this package.

Exit status: 0 when everything agrees, 1 on any violation, 2 when a file or table cannot be
read or the command line is wrong.
Python standard library only.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import doc_tables  # noqa: E402

HEADING = "Allowed imports"
COLUMNS = ["module", "kind", "may import"]
KINDS = {"pure", "I/O", "main", "test"}

# Modules of the toolchain and the operating system: never declared in Package.swift.
SYSTEM_MODULES = {
    "Swift", "_Concurrency", "_StringProcessing", "Synchronization", "Observation", "RegexBuilder",
    "Distributed", "Foundation", "FoundationEssentials", "FoundationInternationalization",
    "FoundationNetworking", "FoundationXML", "Dispatch", "Glibc", "Musl", "Darwin", "WinSDK",
    "Android", "Testing", "XCTest",
}
# What a pure module may import from the toolchain: no clock, file, socket or environment in here.
PURE_SYSTEM_MODULES = {"Synchronization"}
# The one exception, named with its reason: Wire takes `Data` from Foundation, the type swift-protobuf
# (itself built on Foundation) gives a `bytes` field, for the op payloads a batch carries.
PURE_EXCEPTIONS = {"Wire": {"Foundation", "FoundationEssentials"}}

IMPORT = re.compile(
    r"^\s*(?:@\w+(?:\([^)]*\))?\s+)*"
    r"(?:(?:public|package|internal|fileprivate|private|open)\s+)?"
    r"import\s+(?:(?:struct|class|enum|protocol|typealias|func|var|let)\s+)?"
    r"([A-Za-z_][A-Za-z0-9_]*)"
)
TARGET_START = re.compile(r"\.(target|executableTarget|testTarget|systemLibrary)\(\s*name:\s*\"([^\"]+)\"")
PRODUCT = re.compile(r"\.product\(\s*name:\s*\"([^\"]+)\"[^)]*\)")
STRING = re.compile(r"\"([^\"]+)\"")
PATH = re.compile(r"\bpath:\s*\"([^\"]+)\"")


def main(argv):
    doc_tables.start(argv, __doc__)

    targets = package_targets(doc_tables.read("Package.swift"))
    rows = doc_tables.table("ARCHITECTURE.md", HEADING, COLUMNS)
    problems = []
    allowed, kinds = {}, {}
    for line, row in rows:
        module = doc_tables.names(row["module"])
        where = f"ARCHITECTURE.md:{line}"
        if len(module) != 1:
            problems.append(f"{where}: the module cell must hold one backticked name, not {row['module']!r}")
            continue
        module = module[0]
        if row["kind"] not in KINDS:
            problems.append(f"{where}: {module}'s kind is {row['kind']!r}, not one of {', '.join(sorted(KINDS))}")
        if module not in targets:
            problems.append(f"{where}: a row for {module}, which is no target in Package.swift")
        kinds[module] = row["kind"]
        allowed[module] = (line, set(doc_tables.names(row["may import"])))

    products = {name for target in targets.values() for name in target["products"]}
    known = set(targets) | products | SYSTEM_MODULES
    for module, (line, names) in allowed.items():
        where = f"ARCHITECTURE.md:{line}"
        for name in sorted(names - known):
            problems.append(f"{where}: {module} may import {name}, which is neither a target, a product "
                            "Package.swift names, nor a system module")
        if kinds[module] != "pure":
            continue
        for name in sorted(names & SYSTEM_MODULES - PURE_SYSTEM_MODULES - PURE_EXCEPTIONS.get(module, set())):
            problems.append(f"{where}: {module} is pure, so it may not import {name} (system modules: "
                            f"{', '.join(sorted(PURE_SYSTEM_MODULES))} only; configuration is passed in)")
        for name in sorted(names & set(targets)):
            if kinds.get(name) not in (None, "pure"):
                problems.append(f"{where}: {module} is pure, so it may not import {name}, which does I/O")

    for name, target in sorted(targets.items()):
        if name not in allowed:
            problems.append(f"ARCHITECTURE.md: no \"{HEADING}\" row for {name} (Package.swift, {target['path']})")
            continue
        line, names = allowed[name]
        declared = target["targets"] | target["products"]
        for dependency in sorted(declared - names):
            problems.append(f"Package.swift: {name} depends on {dependency}; ARCHITECTURE.md:{line} does not "
                            "allow it")
        for path, number, module in swift_imports(target["path"]):
            if module == name:
                continue
            if module not in names:
                problems.append(f"{path}:{number}: {name} imports {module}; ARCHITECTURE.md:{line} does not "
                                "allow it")
            if module not in SYSTEM_MODULES and module not in declared:
                problems.append(f"{path}:{number}: {name} imports {module}, which Package.swift does not "
                                f"declare as a dependency of {name}")

    return doc_tables.report(problems, f"check-imports: {{count}} violation(s); "
                                        f"the rules: ARCHITECTURE.md, \"{HEADING}\"")


def package_targets(text):
    """Package.swift's targets: name -> {path, targets (target dependencies), products}."""
    starts = list(TARGET_START.finditer(text))
    end = text.find("swiftLanguageModes")
    targets = {}
    for index, match in enumerate(starts):
        kind, name = match.groups()
        block = text[match.start():starts[index + 1].start() if index + 1 < len(starts) else end]
        path = PATH.search(block)
        default = "Tests" if kind == "testTarget" else "Sources"
        dependencies = bracketed(block, "dependencies:")
        products = set(PRODUCT.findall(dependencies))
        bare = STRING.findall(PRODUCT.sub("", dependencies))
        targets[name] = {
            "path": path.group(1) if path else f"{default}/{name}",
            "targets": set(bare),
            "products": products,
        }
    return targets


def bracketed(block, label):
    """The text inside the `[...]` that follows `label` in `block` ("" when there is none)."""
    start = block.find(label)
    if start < 0:
        return ""
    start = block.index("[", start)
    depth = 0
    for position in range(start, len(block)):
        depth += {"[": 1, "]": -1}.get(block[position], 0)
        if depth == 0:
            return block[start + 1:position]
    return block[start + 1:]


def swift_imports(directory):
    """(file, line number, module) for every import in the Swift files under `directory`."""
    for folder, subfolders, files in os.walk(directory):
        subfolders.sort()
        for file in sorted(files):
            if not file.endswith(".swift"):
                continue
            path = os.path.join(folder, file)
            in_string = False
            for number, line in enumerate(doc_tables.read(path).split("\n"), start=1):
                if line.count('"""') % 2 == 1:
                    in_string = not in_string
                    continue
                match = None if in_string else IMPORT.match(line)
                if match:
                    yield path, number, match.group(1)



if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
