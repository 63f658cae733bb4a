#!/usr/bin/env python3
"""Runs `make test`'s phases, then says what happened and what was left behind.

    python3 scripts/test-phases.py [--load N] 'NAME=COMMAND' ...

Each phase is a shell command, run in order with its output passed through as it comes.
A phase named "build" that fails stops the run; a failing test phase does not (the later
phases still say what they know), but the exit status is 1 if any phase failed.

At the end it prints one line per phase (tests run, passed, failed, skipped, seconds) read
from Swift Testing's output, and every skipped test or suite by name with its reason.

Temporary files: every phase runs with TMPDIR set to a folder of this run's own
(/tmp/berth-make-test-XXXXXX). berth's tests make their folders there (TemporaryDirectory,
the test servers, FileManager's temporaryDirectory all follow TMPDIR), and so does the
Swift toolchain, whose compiler driver leaves one empty `TemporaryDirectory.*` folder per
compile job and whose macro expansions go to `swift-generated-sources`. After the last
phase, anything berth-made still in that folder is a leak: it is listed and the run fails.
The folder is then removed, toolchain leftovers with it. Entries new in /tmp itself are
listed as a warning (on a shared machine they may be another process's).

--load N starts N busy loops (`yes > /dev/null`) for the whole run: the suite must pass on
a machine whose cores are all taken.
"""
import argparse
import atexit
import os
import re
import shutil
import subprocess
import signal
import sys
import tempfile
import time

PASSED = re.compile(r"^\S+ Test (?P<name>.+?) passed after [\d.]+ seconds")
FAILED = re.compile(r"^\S+ Test (?P<name>.+?) failed after [\d.]+ seconds")
SKIPPED = re.compile(r'^\S+ (?P<kind>Test|Suite) (?P<name>.+?) skipped(?:: "(?P<reason>.*)")?\.?$')
RUN_TOTAL = re.compile(r"^\S+ Test run with ")
# berth keeps its owner locks in /tmp/berth-UID between runs, by design (see OwnerLock).
OWNER_LOCKS = "berth-%d" % os.geteuid()


class Phase:
    def __init__(self, name, command):
        self.name, self.command = name, command
        self.passed, self.failed, self.skipped = [], [], []
        self.status, self.seconds = None, 0.0

    def read(self, line):
        line = line.rstrip("\n")
        if RUN_TOTAL.match(line):
            return
        if m := PASSED.match(line):
            self.passed.append(m["name"])
        elif m := FAILED.match(line):
            self.failed.append(m["name"])
        elif m := SKIPPED.match(line):
            name = m["name"] if m["kind"] == "Test" else "suite " + m["name"]
            self.skipped.append((name, m["reason"] or "no reason given"))

    def summary(self):
        verdict = "passed" if self.status == 0 else "FAILED (exit %s)" % self.status
        run = len(self.passed) + len(self.failed)
        return "%-16s %s: %d tests run, %d passed, %d failed, %d skipped, %.1f s" % (
            self.name, verdict, run, len(self.passed), len(self.failed), len(self.skipped), self.seconds)


RUNNING = []


def stop(*_):
    for process in RUNNING:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    sys.exit(143)


def run(phase, env):
    started = time.monotonic()
    # A group of its own, so that a SIGTERM to this script can stop the phase with it.
    process = subprocess.Popen(["bash", "-o", "pipefail", "-c", phase.command], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               encoding="utf-8", errors="replace", bufsize=1, start_new_session=True)
    RUNNING.append(process)
    for line in process.stdout:
        sys.stdout.write(line)
        sys.stdout.flush()
        phase.read(line)
    phase.status = process.wait()
    RUNNING.remove(process)
    phase.seconds = time.monotonic() - started


def leftovers(folder):
    """berth-made entries (every test folder, file and socket is named berth-*) and others."""
    try:
        names = sorted(os.listdir(folder))
    except FileNotFoundError:
        return [], []
    return [n for n in names if n.startswith("berth-")], [n for n in names if not n.startswith("berth-")]


def self_test():
    """The parser against lines as Swift Testing prints them; exits 1 on a mismatch."""
    phase = Phase("unit", "")
    for line in [
        "◇ Test run started.",
        "✔ Test planIsPure() passed after 0.012 seconds.",
        '✔ Test "a display name" passed after 1.500 seconds with 1 known issue.',
        "✘ Test shortWrite() recorded an issue at JournalTests.swift:100:6: Expectation failed: 1 == 2",
        "✘ Test shortWrite() failed after 0.077 seconds with 1 issue.",
        '➜ Test needsKubectl() skipped: "kubectl is not installed"',
        "➜ Suite EngineRestartTests skipped.",
        "✔ Suite JournalTests passed after 0.146 seconds.",
        "✘ Test run with 3 tests in 2 suites failed after 0.188 seconds with 1 issue.",
    ]:
        phase.read(line + "\n")
    phase.status, phase.seconds = 1, 2.0
    checks = [
        (phase.passed, ["planIsPure()", '"a display name"']),
        (phase.failed, ["shortWrite()"]),
        (phase.skipped, [("needsKubectl()", "kubectl is not installed"), ("suite EngineRestartTests", "no reason given")]),
        (phase.summary(), "unit             FAILED (exit 1): 3 tests run, 2 passed, 1 failed, 2 skipped, 2.0 s"),
    ]
    bad = [(got, want) for got, want in checks if got != want]
    for got, want in bad:
        print("test-phases self-test: got %r, want %r" % (got, want), file=sys.stderr)
    return 1 if bad else 0


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--load", type=int, default=0, help="busy loops to run meanwhile")
    parser.add_argument("phases", nargs="+", help="NAME=COMMAND")
    args = parser.parse_args()
    phases = []
    for spec in args.phases:
        name, sep, command = spec.partition("=")
        if not sep or not name or not command:
            parser.error("a phase is NAME=COMMAND, not %r" % spec)
        phases.append(Phase(name, command))

    before = set(os.listdir("/tmp"))
    scratch = tempfile.mkdtemp(prefix="berth-make-test-", dir="/tmp")
    # As /tmp itself: anyone may enter and make things (tests act as other users too), and
    # only an entry's owner may remove it.
    os.chmod(scratch, 0o1777)
    # Also when a SIGTERM ends the run early (sys.exit in `stop` runs exit handlers).
    atexit.register(shutil.rmtree, scratch, True)
    env = dict(os.environ, TMPDIR=scratch)
    # A SIGTERM (CI's time limit, a person's kill) must still stop the busy loops below.
    signal.signal(signal.SIGTERM, stop)
    load = [subprocess.Popen(["yes"], stdout=subprocess.DEVNULL) for _ in range(args.load)]
    try:
        for phase in phases:
            run(phase, env)
            if phase.name == "build" and phase.status != 0:
                break
    finally:
        for busy in load:
            busy.kill()
            busy.wait()
    leaks, others = leftovers(scratch)
    shutil.rmtree(scratch, ignore_errors=True)
    newcomers = sorted(n for n in set(os.listdir("/tmp")) - before
                       if n.startswith("berth-") and n != OWNER_LOCKS)

    print("\n== make test: summary" + (" (with %d busy loops)" % args.load if args.load else ""))
    for phase in phases:
        print(phase.summary() if phase.status is not None else "%-16s not run" % phase.name)
    skipped = [(p.name, t, r) for p in phases for t, r in p.skipped]
    for phase_name, test, reason in skipped:
        print("  skipped in %s: %s: %s" % (phase_name, test, reason))
    for phase in phases:
        for test in phase.failed:
            print("  failed in %s: %s" % (phase.name, test))
    ok = all(p.status == 0 for p in phases)
    if leaks:
        ok = False
        print("LEAK: the tests left %d entries in their temporary folder: %s" % (len(leaks), ", ".join(leaks[:20])))
    else:
        print("temporary folder: nothing berth-made left behind")
    toolchain = [n for n in others if n.startswith("TemporaryDirectory.") or n == "swift-generated-sources"]
    if toolchain:
        print("  removed with it: %d leftovers of the Swift toolchain (TemporaryDirectory.*, swift-generated-sources)"
              % len(toolchain))
    foreign = [n for n in others if n not in toolchain]
    if foreign:
        print("  removed with it, made by other tools: " + ", ".join(foreign[:20]))
    if newcomers:
        print("warning: new in /tmp while the tests ran (a test ignoring TMPDIR, or another process): "
              + ", ".join(newcomers[:20]))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
