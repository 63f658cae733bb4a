#!/usr/bin/env python3
"""Line coverage per module, from llvm-cov's export of what `swift test --enable-code-coverage` ran.

    swift test --enable-code-coverage [--skip BerthIntegrationTests]
    python3 scripts/coverage.py [--build-path .build] [--save NAME] [--markdown] [EXPORT.json]

Without EXPORT.json it merges the raw profiles in BUILD/debug/codecov and those kept by
earlier `--save NAME` calls with llvm-profdata, and exports with llvm-cov. `swift test` empties
codecov/ at every run and writes its own export only when every test passed, so to add up the
unit and the integration phases: run one, `--save unit`, run the other, then read the table.
Prints one row per target under Sources/ (lines, covered, per cent) and the total; test
targets and the test support library are left out. --markdown prints the README's table.
Exits 1 if there is nothing to read.
"""
import glob
import json
import os
import shutil
import subprocess
import sys

LEFT_OUT = {"BerthTestSupport"}


def tool(name):
    """An LLVM tool of the Swift toolchain in use."""
    swift = shutil.which("swift")
    beside = os.path.join(os.path.dirname(os.path.realpath(swift)), name) if swift else None
    return beside if beside and os.path.exists(beside) else (shutil.which(name) or name)


def option(args, name, default=None):
    if name not in args:
        return default
    i = args.index(name)
    value = args[i + 1]
    del args[i:i + 2]
    return value


def load_export(args):
    """The export named on the command line, or one made from the build's raw profiles."""
    build = option(args, "--build-path", ".build")
    codecov = os.path.join(build, "debug", "codecov")
    kept = os.path.join(build, "debug", "codecov-kept")
    save = option(args, "--save")
    if save:
        folder = os.path.join(kept, save)
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
        for raw in glob.glob(os.path.join(codecov, "*.profraw")):
            shutil.copy(raw, folder)
    if args:
        with open(args[0]) as f:
            return json.load(f)
    raw = sorted(glob.glob(os.path.join(codecov, "*.profraw")) + glob.glob(os.path.join(kept, "*", "*.profraw")))
    if not raw:
        raise OSError("no raw profiles in %s" % codecov)
    merged = os.path.join(codecov, "merged.profdata")
    subprocess.run([tool("llvm-profdata"), "merge", "-sparse", "-o", merged] + raw, check=True)
    binary = os.path.join(build, "debug", "berthPackageTests.xctest")
    # The berth executable too: the integration tests' `berth watch` children run it.
    executable = os.path.join(build, "debug", "berth")
    objects = ["-object", executable] if os.path.exists(executable) else []
    out = subprocess.run([tool("llvm-cov"), "export", "-summary-only", "-instr-profile=" + merged, binary] + objects,
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


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
    args = sys.argv[1:]
    markdown = "--markdown" in args
    args = [a for a in args if a != "--markdown"]
    try:
        export = load_export(args)
    except (OSError, ValueError, subprocess.CalledProcessError) as error:
        print("cannot read the coverage: %s (run swift test --enable-code-coverage first)" % error, file=sys.stderr)
        return 1
    rows = [(m, t, c) for m, (t, c) in sorted(per_module(export).items()) if t > 0]
    rows.append(("total", sum(r[1] for r in rows), sum(r[2] for r in rows)))
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
