#!/usr/bin/env python3
"""Line coverage per module, from the llvm-cov export that `swift test --enable-code-coverage` writes.

    swift test --enable-code-coverage [--skip BerthIntegrationTests]
    python3 scripts/coverage.py [$(swift test --show-codecov-path)]

Prints one row per target under Sources/ (lines, covered, per cent), sorted by name, and the
total; test targets and the test support library are left out (they are not the product).
With --markdown the table is in README form. Exits 1 if the export cannot be read.
"""
import json
import os
import subprocess
import sys

LEFT_OUT = {"BerthTestSupport"}


def export_path(argv):
    paths = [a for a in argv if not a.startswith("--")]
    if paths:
        return paths[0]
    shown = subprocess.run(["swift", "test", "--show-codecov-path"], capture_output=True, text=True)
    return shown.stdout.strip()


def per_module(export):
    modules = {}
    for data in export.get("data", []):
        for entry in data.get("files", []):
            name = entry["filename"]
            marker = "/Sources/"
            if marker not in name or "/.build/" in name:
                continue
            module = name.split(marker, 1)[1].split("/", 1)[0]
            if module in LEFT_OUT:
                continue
            lines = entry["summary"]["lines"]
            total, covered = modules.get(module, (0, 0))
            modules[module] = (total + lines["count"], covered + lines["covered"])
    return modules


def main():
    markdown = "--markdown" in sys.argv
    path = export_path(sys.argv[1:])
    try:
        with open(path) as f:
            export = json.load(f)
    except (OSError, ValueError) as error:
        print("cannot read the coverage export %r: %s (run swift test --enable-code-coverage first)" % (path, error),
              file=sys.stderr)
        return 1
    modules = per_module(export)
    rows = [(m, t, c) for m, (t, c) in sorted(modules.items()) if t > 0]
    total = sum(t for _, t, _ in rows), sum(c for _, _, c in rows)
    rows.append(("total", total[0], total[1]))
    if markdown:
        print("| module | lines | covered | line coverage |")
        print("| --- | ---: | ---: | ---: |")
        for module, lines, covered in rows:
            print("| %s | %d | %d | %.1f %% |" % (module, lines, covered, 100.0 * covered / max(lines, 1)))
    else:
        print("%-16s %8s %8s %8s" % ("module", "lines", "covered", "cover"))
        for module, lines, covered in rows:
            print("%-16s %8d %8d %7.1f%%" % (module, lines, covered, 100.0 * covered / max(lines, 1)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
