#!/usr/bin/env python3
"""berth benchmark: cold apply vs. a raw Engine-API floor, no-op plans, one changed spec.

Run through `make bench` (builds berth, starts the private engine and sets BERTH and
DOCKER_HOST), or by hand:

    BERTH=.build/release/berth DOCKER_HOST=unix:///path/docker.sock python3 scripts/bench.py

Everything it makes carries its own owner label (berth's containers) or the label
`berth-bench.floor` (the floor's containers) and is removed at the end, also on failure.
Specs and state live in temporary folders. Exit 0 when every step ran (a MISS is a result,
not a failure); exit 1 when berth failed or the engine did not answer.

Standard library only. Talks to the engine at DOCKER_HOST only: a Unix socket or tcp://
on the loopback address; anything else is refused.
"""

import hashlib
import http.client
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from multiprocessing.pool import ThreadPool

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

IMAGE = os.environ.get("BENCH_IMAGE", "berth-demo/busybox:1")
COMMAND = ["sleep", "3600"]
PARALLEL = 8
N_SMALL = 50
N_LARGE = 1000
REPS_APPLY = int(os.environ.get("BENCH_REPS_APPLY", "4"))
SETTLE_S = float(os.environ.get("BENCH_SETTLE_S", "2"))  # pause after each removal: the engine tidies up
REPS_PLAN = int(os.environ.get("BENCH_REPS_PLAN", "5"))
REPS_CHANGE = int(os.environ.get("BENCH_REPS_CHANGE", "3"))
FLOOR_LABEL = "berth-bench.floor"

TARGET_APPLY_RATIO = 1.10
TARGET_PLAN_1000_S = 0.200
TARGET_CHANGE_S = 1.0


class BenchFailure(Exception):
    """Something actually failed (not a missed target)."""


# ---------------------------------------------------------------- Engine API client

class UnixHTTPConnection(http.client.HTTPConnection):
    """HTTPConnection over an AF_UNIX stream socket."""

    def __init__(self, path, timeout=60):
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path

    def connect(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self.unix_path)
        except OSError:
            sock.close()
            raise
        self.sock = sock


def parse_docker_host(value):
    """Returns a zero-argument connection factory; refuses anything not local."""
    if value.startswith("unix://"):
        path = value[len("unix://"):]
        return (lambda: UnixHTTPConnection(path)), path
    if value.startswith("tcp://"):
        parsed = urllib.parse.urlsplit(value)
        if parsed.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise BenchFailure(f"DOCKER_HOST={value}: this benchmark only talks to a local engine")
        host, port = parsed.hostname, parsed.port or 2375
        return (lambda: http.client.HTTPConnection(host, port, timeout=60)), f"{host}:{port}"
    raise BenchFailure(f"DOCKER_HOST={value}: expected unix:// or tcp://127.0.0.1")


class Engine:
    """Tiny Engine API client: one keep-alive connection per thread."""

    def __init__(self, factory):
        self.factory = factory
        self.local = threading.local()

    def _conn(self):
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.factory()
            self.local.conn = conn
        return conn

    def request(self, method, path, body=None, ok=(200, 201, 204, 304)):
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if data is not None else {}
        for attempt in (1, 2):
            conn = self._conn()
            try:
                conn.request(method, path, body=data, headers=headers)
                resp = conn.getresponse()
                payload = resp.read()
                break
            except (ConnectionError, http.client.HTTPException, OSError) as exc:
                conn.close()
                self.local.conn = None
                if attempt == 2:
                    raise BenchFailure(f"engine did not answer {method} {path}: {exc}") from exc
        if resp.status not in ok:
            raise BenchFailure(f"engine: {method} {path} -> {resp.status} {payload[:300]!r}")
        if payload and resp.getheader("Content-Type", "").startswith("application/json"):
            return resp.status, json.loads(payload)
        return resp.status, payload

    def containers(self, label):
        filters = urllib.parse.quote(json.dumps({"label": [label]}))
        _, found = self.request("GET", f"/containers/json?all=1&filters={filters}")
        return found

    def remove_labelled(self, label, pool):
        found = self.containers(label)
        pool.map(lambda c: self.request("DELETE", f"/containers/{c['Id']}?force=true", ok=(204, 404)), found)
        left = self.containers(label)
        if left:
            raise BenchFailure(f"{len(left)} containers labelled {label} still there after removal")
        return len(found)


# ---------------------------------------------------------------- specs and the floor

def spec_name(i):
    return f"svc-{i:02d}" if i < 100 else f"svc-{i:04d}"


def spec_for(i, env_value=None):
    return {"name": spec_name(i), "image": IMAGE, "command": COMMAND,
            "env": {"N": env_value if env_value is not None else str(i)}}


def write_specs(folder, n):
    os.makedirs(folder, exist_ok=True)
    for i in range(1, n + 1):
        write_spec(folder, spec_for(i))


def write_spec(folder, spec):
    path = os.path.join(folder, spec["name"] + ".json")
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(spec, f)
    os.replace(tmp, path)


def floor_body(spec, owner, run_id):
    """The body berth sends (see BerthDocker/ContainerBody.swift), with the floor's own owner."""
    config_hash = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()
    return {
        "Image": spec["image"],
        "Hostname": f"{spec['name']}-1",
        "Env": [f"{k}={v}" for k, v in sorted(spec["env"].items())],
        "Cmd": spec["command"],
        "Labels": {
            "berth.owner": owner,
            "berth.name": spec["name"],
            "berth.replica": "1",
            "berth.config-hash": config_hash,
            FLOOR_LABEL: run_id,
        },
    }


def floor_apply(engine, pool, owner, run_id, n):
    """Create and start n containers, PARALLEL at a time: what berth does, minus berth."""
    def one(i):
        spec = spec_for(i)
        name = urllib.parse.quote(f"{owner}-{spec['name']}-1")
        _, created = engine.request("POST", f"/containers/create?name={name}", floor_body(spec, owner, run_id),
                                    ok=(201,))
        engine.request("POST", f"/containers/{created['Id']}/start", ok=(204, 304))

    start = time.perf_counter()
    pool.map(one, range(1, n + 1))
    return time.perf_counter() - start


# ---------------------------------------------------------------- berth runs

class Berth:
    def __init__(self, binary, docker_host, owner):
        self.binary = binary
        self.env = dict(os.environ, DOCKER_HOST=docker_host)
        self.owner = owner

    def run(self, verb, specs, state, *extra, ok=(0,)):
        argv = [self.binary, verb, "--specs", specs, "--state", state, "--owner", self.owner, *extra]
        start = time.perf_counter()
        proc = subprocess.run(argv, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        elapsed = time.perf_counter() - start
        if proc.returncode not in ok:
            raise BenchFailure(f"{' '.join(argv)} exited {proc.returncode} (wanted {ok})\n"
                               f"stdout: {proc.stdout[-2000:]}\nstderr: {proc.stderr[-2000:]}")
        return elapsed, proc


def running_count(engine, label):
    return sum(1 for c in engine.containers(label) if c.get("State") == "running")


# ---------------------------------------------------------------- output

def ms(seconds):
    return f"{seconds * 1000:.0f} ms"


def runs(values):
    return ", ".join(f"{v * 1000:.0f}" for v in values) + " ms"


def verdict(ok):
    return "PASS" if ok else "MISS"


def main():
    binary = os.environ.get("BERTH", os.path.join(REPO, ".build/release/berth"))
    if not os.path.isabs(binary):
        binary = os.path.join(REPO, binary) if not os.path.exists(binary) else os.path.abspath(binary)
    if not os.access(binary, os.X_OK):
        raise BenchFailure(f"berth binary not found at {binary} (run `swift build -c release --product berth`)")
    docker_host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    factory, where = parse_docker_host(docker_host)
    engine = Engine(factory)

    _, pong = engine.request("GET", "/_ping")
    _, version = engine.request("GET", "/version")
    engine.request("GET", f"/images/{urllib.parse.quote(IMAGE)}/json", ok=(200,))

    tag = f"{os.getpid()}"
    owner = f"bench-{tag}"            # berth's containers: bench-PID-svc-NN-1
    owner_large = f"bench-{tag}-k"    # the 1,000-spec plan (nothing of it exists)
    floor_owner = f"floor-{tag}"      # the floor's containers: floor-PID-svc-NN-1
    berth = Berth(binary, docker_host, owner)
    berth_large = Berth(binary, docker_host, owner_large)
    pool = ThreadPool(PARALLEL)
    work = tempfile.mkdtemp(prefix="berth-bench-")
    results = []  # (label, figure, target, verdict, detail)

    print(f"berth bench: {binary}")
    print(f"engine: {docker_host} (Docker {version.get('Version')}, API {version.get('ApiVersion')}, "
          f"{version.get('Os')}/{version.get('Arch')}); host: {platform.node()} {os.cpu_count()} CPUs; "
          f"python {platform.python_version()}")
    print(f"image {IMAGE}, command {' '.join(COMMAND)}; owner {owner}; temp dir {work}")
    print()

    try:
        specs = os.path.join(work, "specs50")
        write_specs(specs, N_SMALL)

        # 1. Cold apply vs. floor, alternating, clean between runs.
        print(f"[1] cold apply of {N_SMALL} specs, --parallel {PARALLEL}, vs. raw Engine API floor "
              f"(ThreadPool({PARALLEL}), keep-alive connection per thread, create+start) ...", flush=True)
        floor_times, berth_times = [], []

        def run_floor(rep):
            run_id = f"{tag}-{rep}"
            t = floor_apply(engine, pool, floor_owner, run_id, N_SMALL)
            got = running_count(engine, f"{FLOOR_LABEL}={run_id}")
            if got != N_SMALL:
                raise BenchFailure(f"floor run {rep}: {got} of {N_SMALL} containers running")
            engine.remove_labelled(f"{FLOOR_LABEL}={run_id}", pool)
            time.sleep(SETTLE_S)
            return t

        def run_berth(rep, keep=False):
            st = os.path.join(work, f"state-cold-{rep}")
            t, _ = berth.run("apply", specs, st, "--parallel", str(PARALLEL))
            got = running_count(engine, f"berth.owner={owner}")
            if got != N_SMALL:
                raise BenchFailure(f"berth apply run {rep}: {got} of {N_SMALL} containers running")
            if not keep:
                engine.remove_labelled(f"berth.owner={owner}", pool)
                time.sleep(SETTLE_S)
            return t, st

        # Untimed warm-up of both, so neither timed run is the engine's first of the day.
        run_floor("warmup")
        run_berth("warmup")
        for rep in range(REPS_APPLY):
            order = ("floor", "berth") if rep % 4 in (0, 3) else ("berth", "floor")  # ABBA, BAAB, ...
            for who in order:
                if who == "floor":
                    floor_times.append(run_floor(rep))
                else:
                    berth_times.append(run_berth(rep)[0])
            print(f"    rep {rep + 1} ({' then '.join(order)}): floor {ms(floor_times[-1])}, "
                  f"berth {ms(berth_times[-1])}", flush=True)
        _, state = run_berth("converged", keep=True)  # untimed: berth's 50 in place for [2] and [3]
        floor_med, berth_med = statistics.median(floor_times), statistics.median(berth_times)
        ratio = berth_med / floor_med
        results.append((f"cold apply, {N_SMALL} specs (berth process wall time)", ms(berth_med), "", "",
                        f"runs {runs(berth_times)}"))
        results.append((f"floor: raw API create+start x{N_SMALL}", ms(floor_med), "", "",
                        f"runs {runs(floor_times)}"))
        results.append(("cold apply / floor", f"{ratio:.2f}x", f"<= {TARGET_APPLY_RATIO:.2f}x",
                        verdict(ratio <= TARGET_APPLY_RATIO), "medians"))

        # 2a. True no-op plan of the 50 converged specs.
        print(f"[2] plan: no-op of {N_SMALL}, and {N_LARGE} specs with nothing on the engine ...", flush=True)
        plan_small = []
        for _ in range(REPS_PLAN):
            t, _ = berth.run("plan", specs, state, "--detailed-exitcode", ok=(0,))
            plan_small.append(t)
        med = statistics.median(plan_small)
        results.append((f"no-op plan, {N_SMALL} specs (exit 0)", ms(med), "", "", f"runs {runs(plan_small)}"))

        # 2b. Plan of 1,000 specs whose containers do not exist: 1,000 creates planned.
        specs_large = os.path.join(work, "specs1000")
        state_large = os.path.join(work, "state-1000")
        write_specs(specs_large, N_LARGE)
        plan_large, creates = [], None
        for i in range(REPS_PLAN):
            t, proc = berth_large.run("plan", specs_large, state_large, "--detailed-exitcode", ok=(2,))
            plan_large.append(t)
        _, proc = berth_large.run("plan", specs_large, state_large, "--json", ok=(0, 2))
        try:
            creates = sum(1 for a in json.loads(proc.stdout).get("actions", []) if a.get("op") == "create")
        except (ValueError, AttributeError):
            creates = None
        med = statistics.median(plan_large)
        results.append((f"plan, {N_LARGE} specs ({N_LARGE} creates planned, exit 2)", ms(med),
                        f"< {ms(TARGET_PLAN_1000_S)}", verdict(med < TARGET_PLAN_1000_S),
                        f"runs {runs(plan_large)}"))

        # 3. One changed spec: apply replaces its one container.
        print(f"[3] one changed spec (env) among {N_SMALL} converged, berth apply ...", flush=True)
        change_times = []
        for rep in range(REPS_CHANGE):
            value = "changed" if rep % 2 == 0 else "1"
            write_spec(specs, spec_for(1, env_value=value))
            before = {c["Id"] for c in engine.containers(f"berth.owner={owner}")}
            t, _ = berth.run("apply", specs, state, "--parallel", str(PARALLEL))
            after = {c["Id"] for c in engine.containers(f"berth.owner={owner}")}
            if len(after - before) != 1 or len(before - after) != 1:
                raise BenchFailure(f"changed-spec apply {rep}: {len(before - after)} containers replaced, wanted 1")
            berth.run("plan", specs, state, "--detailed-exitcode", ok=(0,))  # converged again (untimed)
            change_times.append(t)
        med = statistics.median(change_times)
        results.append(("apply after 1 changed spec (1 replace)", ms(med), f"< {ms(TARGET_CHANGE_S)}",
                        verdict(med < TARGET_CHANGE_S), f"runs {runs(change_times)}"))
    finally:
        cleanup_errors = []
        # The floor's containers all carry berth.owner=floor-PID (and berth-bench.floor=PID-REP).
        for label in (f"berth.owner={owner}", f"berth.owner={owner_large}", f"berth.owner={floor_owner}"):
            try:
                engine.remove_labelled(label, pool)
            except Exception as exc:  # report, keep cleaning
                cleanup_errors.append(f"{label}: {exc}")
        pool.close()
        shutil.rmtree(work, ignore_errors=True)
        if cleanup_errors:
            print("cleanup problems:\n  " + "\n  ".join(cleanup_errors), file=sys.stderr)

    print()
    headers = ("measurement", "median", "target", "", "detail")
    rows = [headers] + [tuple(r) for r in results]
    widths = [max(len(r[i]) for r in rows) for i in range(len(headers))]
    for idx, r in enumerate(rows):
        print("  ".join(c.ljust(widths[i]) for i, c in enumerate(r)).rstrip())
        if idx == 0:
            print("  ".join("-" * w for w in widths))
    print()
    print("conditions:")
    print(f"  cold apply: `berth apply --specs S --state FRESH --owner {owner} --parallel {PARALLEL}`, "
          f"{REPS_APPLY} reps alternating with the floor (ABBA order,\n"
          f"    after one untimed warm-up of each), all containers removed (force) and {SETTLE_S:g} s pause between runs;")
    print(f"    berth is timed as a whole process (start-up, spec reading, listing, journal included); "
          f"the floor in-process from first request to last start.")
    print(f"    both send the same {N_SMALL} create bodies (image, cmd, env, hostname, 4 berth labels) and {N_SMALL} starts.")
    print(f"  plans: `berth plan --specs S --state ST --owner O --detailed-exitcode`, whole process, "
          f"median of {REPS_PLAN}; the {N_LARGE}-spec plan is not a no-op: none of its containers exist"
          + (f" ({creates} creates in --json)" if creates else "") + ".")
    print(f"  changed spec: env of svc-01 flipped, `berth apply ... --parallel {PARALLEL}`, median of "
          f"{REPS_CHANGE}; each run replaces exactly one container (checked), then plan exits 0 (checked).")
    print(f"  all spec containers: {IMAGE} `{' '.join(COMMAND)}` (engine runs with --init, so stops are immediate).")
    print("  cleanup: done (berth's, the floor's containers and the temp dir removed).")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchFailure as exc:
        print(f"bench: FAILED: {exc}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
