#!/usr/bin/env python3
"""berth benchmark: cold apply vs. a raw Engine-API floor, no-op plans, one changed spec;
`berth watch`: file-to-running, healing a killed container, idle CPU and memory; and the
swarm target: cold converge of 20 services vs. `docker stack deploy`, no-op plan, one changed
service; an app folder with a 20,000-file build context: no-op plan and watch idle CPU
(`scripts/bench.py --context-only` runs that part alone); the ssh:// transport against unix://
(`scripts/bench.py --ssh-only`, section [10] alone); three engines (the default and
engine.sh's instances b and c, started if they do not run) as the named targets of a berth.json:
cold apply of 50 specs fanned out to 150 containers against the slowest engine's raw floor,
the no-op plan across them, and the same with one target over ssh:// (`--targets-only`,
section [12] alone); and, when BERTH_RELEASE_FILE names
the file `make release` built, that file beside BERTH_BASELINE (a previous build; default the
normal one): stripped size, plan of 50 specs, idle watch RSS (`--release-only` runs that alone);
and a rollout of 10 replicas, 2 at a time, berth against Swarm's own rolling update of the
same 10 tasks (section [13], `--rollout-only` alone, BENCH_REPS_ROLLOUT reps).

Run through `make bench` (builds berth, starts the private engine and sets BERTH and
DOCKER_HOST), or by hand:

    BERTH=.build/release/berth DOCKER_HOST=unix:///path/docker.sock python3 scripts/bench.py

Everything it makes carries its own owner label (berth's containers and services) or the label
`berth-bench.floor` (the floor's containers), or belongs to the stack `bench-PID-stack`
(services, network), and is removed at the end, also on failure.
Specs and state live in temporary folders. Every `berth watch` started here is stopped with
SIGTERM (SIGKILL if it does not stop) before anything is removed. Exit 0 when every step ran (a MISS is a result,
not a failure); exit 1 when berth failed or the engine did not answer.

Standard library only, plus the docker CLI (`docker stack deploy`). Talks to the engine at
DOCKER_HOST only: a Unix socket or tcp:// on the loopback address; anything else is refused.
The engine must be a swarm manager (`scripts/engine.sh up --swarm`, as `make bench` does).
"""

import hashlib
import hmac
import http.client
import json
import os
import platform
import re
import signal
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from datetime import datetime, timezone
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
REPS_WATCH = int(os.environ.get("BENCH_REPS_WATCH", "5"))  # file-to-running reps
HEAL_REPLICAS = 5                                           # one kill per replica
IDLE_S = float(os.environ.get("BENCH_IDLE_S", "60"))
IDLE_SPECS, IDLE_REPLICAS = 10, 10
DEBOUNCE = "100ms"  # berth watch's default, passed explicitly
POLL_S = 0.010
FLOOR_LABEL = "berth-bench.floor"
N_SWARM, SWARM_REPLICAS = 20, 2
REPS_SWARM = int(os.environ.get("BENCH_REPS_SWARM", "3"))  # cold converge reps of each, alternating
SWARM_POLL_S = 0.050                                       # GET /tasks while waiting for tasks
SWARM_SERVICE_LABEL = "com.docker.swarm.service.name"      # on every task container
STACK_LABEL = "com.docker.stack.namespace"                 # on a stack's services, networks, containers

TARGET_APPLY_RATIO = 1.10
TARGET_PLAN_1000_S = 0.200
TARGET_CHANGE_S = 1.0
TARGET_FILE_OVER_FLOOR_S = 0.300
TARGET_HEAL_S = 1.0
TARGET_IDLE_CPU_PCT = 0.5
TARGET_IDLE_RSS_MB = 30.0
TARGET_SWARM_RATIO = 1.00
TARGET_SWARM_PLAN_S = 0.100
CTX_FILES = int(os.environ.get("BENCH_CTX_FILES", "20000"))   # [8]: the app folder's build context
CTX_MB = float(os.environ.get("BENCH_CTX_MB", "270"))
TARGET_CTX_PLAN_S = 0.200
REPS_RELEASE_PLAN = int(os.environ.get("BENCH_REPS_RELEASE_PLAN", "11"))  # [11]: plan of 50 specs, each binary
RELEASE_IDLE_S = float(os.environ.get("BENCH_RELEASE_IDLE_S", "30"))      # [11]: idle before RSS is read
TARGET_RELEASE_MB = 20.0
TARGET_RELEASE_RSS_MB = 15.0
TARGET_RELEASE_PLAN_S = 0.030


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
        # berth's owner network (OWNER-default) and the spec networks carry the owner label too:
        # they go with the containers, so no section leaves networks behind.
        _, nets = self.request("GET", f"/networks?{filters(label=[label])}")
        for n in nets or []:
            self.request("DELETE", f"/networks/{n['Id']}", ok=(204, 404))
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


def listed(engine, labels=(), name=None, all_states=False):
    """GET /containers/json with label (and exact name) filters."""
    filters = {"label": list(labels)}
    if name:
        filters["name"] = [f"^/{name}$"]
    query = ("all=1&" if all_states else "") + "filters=" + urllib.parse.quote(json.dumps(filters))
    _, found = engine.request("GET", f"/containers/json?{query}")
    return found


def wait_until(what, predicate, timeout, poll=POLL_S):
    """Polls predicate() every `poll` s; returns the perf_counter time it first held."""
    deadline = time.perf_counter() + timeout
    while True:
        if predicate():
            return time.perf_counter()
        if time.perf_counter() > deadline:
            raise BenchFailure(f"{what}: not after {timeout:g} s")
        time.sleep(poll)


# ---------------------------------------------------------------- swarm

def swarm_spec(i, env_value=None):
    spec = spec_for(i, env_value)
    spec.update(target="swarm", replicas=SWARM_REPLICAS, swarm={"TaskTemplate": {"ContainerSpec": {"Init": True}}})
    return spec


def write_compose(path, n):
    """The same n services for `docker stack deploy` (compose file 3.8; `init` needs 3.7)."""
    lines = ['version: "3.8"', "services:"]
    for i in range(1, n + 1):
        spec = swarm_spec(i)
        lines += [f"  {spec['name']}:", f"    image: {json.dumps(spec['image'])}",
                  f"    command: {json.dumps(spec['command'])}", "    init: true", "    environment:"]
        lines += [f"      {k}: {json.dumps(v)}" for k, v in sorted(spec["env"].items())]
        lines += ["    deploy:", f"      replicas: {spec['replicas']}"]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def filters(**by):
    return "filters=" + urllib.parse.quote(json.dumps({k.replace("_", "-"): v for k, v in by.items()}))


def services(engine, label):
    _, found = engine.request("GET", f"/services?{filters(label=[label])}")
    return found


def running_tasks(engine, service_ids, env=None):
    """Tasks of those services that Swarm wants running and that run (with `env` in their Env, if given)."""
    _, tasks = engine.request("GET", f"/tasks?{filters(desired_state=['running'])}")
    return [t for t in tasks if t.get("ServiceID") in service_ids and t.get("Status", {}).get("State") == "running"
            and (env is None or env in ((t.get("Spec") or {}).get("ContainerSpec") or {}).get("Env", []))]


def tasks_running(engine, label):
    return len(running_tasks(engine, {s["ID"] for s in services(engine, label)}))


def task_containers(engine, prefix):
    """Containers (any state) of swarm tasks whose service name starts with prefix."""
    _, found = engine.request("GET", f"/containers/json?all=1&{filters(label=[SWARM_SERVICE_LABEL])}")
    return [c for c in found if (c.get("Labels") or {}).get(SWARM_SERVICE_LABEL, "").startswith(prefix)]


def remove_swarm(engine, label, prefix, timeout=120):
    """Deletes the services carrying label, waits until their task containers are gone, then
    deletes the networks carrying label (the stack's). Returns (services removed, seconds waited)."""
    found = services(engine, label)
    t0 = time.perf_counter()
    for s in found:
        engine.request("DELETE", f"/services/{s['ID']}", ok=(200, 404))
    wait_until(f"task containers of {prefix}* gone", lambda: not task_containers(engine, prefix), timeout, 0.1)
    _, nets = engine.request("GET", f"/networks?{filters(label=[label])}")
    for n in nets:
        engine.request("DELETE", f"/networks/{n['Id']}", ok=(204, 404))
    return len(found), time.perf_counter() - t0


# ---------------------------------------------------------------- berth watch

class Watch:
    """A `berth watch` process, its stderr in a file; stop() sends SIGTERM and waits."""

    def __init__(self, berth, specs, state, log_path, registry, source=None):
        where = source if source is not None else ["--specs", specs]
        self.argv = [berth.binary, "watch", *where, "--state", state, "--owner", berth.owner, "--debounce", DEBOUNCE]
        self.log_path = log_path
        self.log_file = open(log_path, "w")
        self.proc = subprocess.Popen(self.argv, env=berth.env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=self.log_file)
        self.pid = self.proc.pid
        registry.append(self)  # stopped in main's cleanup whatever happens next
        wait_until("berth watch start-up", lambda: self.alive() and "berth watch: owner" in self.log(), 15, 0.02)

    def alive(self):
        if self.proc.poll() is not None:
            raise BenchFailure(f"{' '.join(self.argv)} exited {self.proc.returncode}\n{self.tail()}")
        return True

    def log(self, offset=0):
        with open(self.log_path, errors="replace") as f:
            f.seek(offset)
            return f.read()

    def log_size(self):
        return os.path.getsize(self.log_path)

    def tail(self, n=15):
        return "watch log (last lines):\n  " + "\n  ".join(self.log().splitlines()[-n:])

    def wait_quiet(self, quiet_s, timeout=60):
        """Until the log has not grown for quiet_s (the watch has nothing more to say)."""
        last, since = self.log_size(), time.perf_counter()
        deadline = since + timeout
        while time.perf_counter() - since < quiet_s:
            self.alive()
            if time.perf_counter() > deadline:
                raise BenchFailure(f"berth watch kept logging for {timeout} s\n{self.tail()}")
            time.sleep(0.05)
            size = self.log_size()
            if size != last:
                last, since = size, time.perf_counter()

    def stop(self, timeout=30):
        """SIGTERM; returns (exit code, seconds to exit); SIGKILL after timeout (code then -9)."""
        if self.proc.poll() is not None:
            self.log_file.close()
            return self.proc.returncode, 0.0
        start = time.perf_counter()
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.log_file.close()
        return rc, time.perf_counter() - start

    def cpu_seconds(self):
        """utime + stime of the whole process (all threads), from /proc/PID/stat."""
        with open(f"/proc/{self.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_mb(self):
        return self.memory_mb()["VmRSS"]

    def memory_mb(self):
        """VmRSS, its split (RssAnon: heap and stacks, returned only by freeing; RssFile: pages
        of the binary and libraries, still in the page cache when dropped) and VmHWM (peak)."""
        fields = {}
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                name, _, value = line.partition(":")
                if name in ("VmRSS", "RssAnon", "RssFile", "RssShmem", "VmHWM"):
                    fields[name] = int(value.split()[0]) / 1024
        if "VmRSS" not in fields:
            raise BenchFailure(f"no VmRSS in /proc/{self.pid}/status")
        return fields


def log_events(text):
    """[(unix time, message)] from berth's text log lines ("<RFC3339> message")."""
    out = []
    for line in text.splitlines():
        stamp, _, message = line.partition(" ")
        try:
            when = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc).timestamp()
        except ValueError:
            continue
        out.append((when, message))
    return out


# ---------------------------------------------------------------- output

def ms(seconds):
    return f"{seconds * 1000:.0f} ms"


def runs(values):
    return ", ".join(f"{v * 1000:.0f}" for v in values) + " ms"


def verdict(ok):
    return "PASS" if ok else "MISS"


# ---------------------------------------------------------------- [8] a large build context

def bench_large_context(berth_ctx, engine, work, results, watches):
    """No-op plan and idle watch over an app folder whose build context holds CTX_FILES files
    (CTX_MB in all): the context's digests come from the state folder's cache, not from
    reading every file again. The first plan with a fresh state folder is the uncached cost."""
    specs = os.path.join(work, "specs-ctx")
    app = os.path.join(specs, "big")
    print(f"[8] app folder with a {CTX_FILES}-file, {CTX_MB:g} MB build context: no-op plan, watch idle CPU ...", flush=True)
    size = max(8, int(CTX_MB * 1024 * 1024 / CTX_FILES))
    block = os.urandom(size)
    for i in range(CTX_FILES):
        folder = os.path.join(app, "data", f"{i % 100:02d}")
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, f"f{i:05d}.bin"), "wb") as f:
            f.write(i.to_bytes(8, "little") + block[8:])
    with open(os.path.join(app, "Dockerfile"), "w") as f:
        f.write(f"FROM {IMAGE}\nCMD [\"sleep\", \"3600\"]\n")
    with open(os.path.join(app, "app.json"), "w") as f:
        json.dump({"name": "big", "docker": {"HostConfig": {"Init": True}}}, f)
    # Files changed less than 2 s before they are hashed are not cached (racily clean).
    time.sleep(2.5)
    state = os.path.join(work, "state-ctx")
    t_apply, _ = berth_ctx.run("apply", specs, state)
    cold = [berth_ctx.run("plan", specs, os.path.join(work, f"state-ctx-cold-{rep}"), "--detailed-exitcode")[0]
            for rep in range(2)]
    plans = [berth_ctx.run("plan", specs, state, "--detailed-exitcode")[0] for _ in range(REPS_PLAN)]
    plan_s = statistics.median(plans)
    results.append((f"no-op plan, app folder of {CTX_FILES} files ({CTX_MB:g} MB)", ms(plan_s), f"< {ms(TARGET_CTX_PLAN_S)}",
                    verdict(plan_s < TARGET_CTX_PLAN_S),
                    f"runs {runs(plans)}; without the digest cache (fresh state folder) {runs(cold)}; "
                    f"the build-and-run apply took {ms(t_apply)}"))
    watch = Watch(berth_ctx, specs, state, os.path.join(work, "watch-ctx.log"), watches)
    watch.wait_quiet(3.0)
    cpu0, w0 = watch.cpu_seconds(), time.perf_counter()
    end = w0 + IDLE_S
    while time.perf_counter() < end:
        watch.alive()
        time.sleep(min(1.0, max(0.0, end - time.perf_counter())))
    cpu1, w1 = watch.cpu_seconds(), time.perf_counter()
    rc, _ = watch.stop()
    if rc != 0:
        raise BenchFailure(f"berth watch (large context) exited {rc} on SIGTERM\n{watch.tail()}")
    cpu_pct = (cpu1 - cpu0) / (w1 - w0) * 100
    results.append((f"watch idle CPU, app folder of {CTX_FILES} files, {w1 - w0:.0f} s", f"{cpu_pct:.2f} % of a core",
                    f"< {TARGET_IDLE_CPU_PCT:g} %", verdict(cpu_pct < TARGET_IDLE_CPU_PCT),
                    f"{(cpu1 - cpu0) * 1000:.0f} ms CPU (utime+stime); resyncs read the context's digests from the cache"))


def remove_context_bench(engine, pool, owner_ctx):
    """The [8] container and the app images berth built for it."""
    engine.remove_labelled(f"berth.owner={owner_ctx}", pool)
    _, found = engine.request("GET", "/images/json?filters=" + urllib.parse.quote(json.dumps({"reference": ["berth-app/big"]})))
    for image in found or []:
        engine.request("DELETE", f"/images/{image['Id']}?force=1", ok=(200, 404, 409))


# ---------------------------------------------------------------- [9] git push -> webhook -> running

REPS_GIT = int(os.environ.get("BENCH_REPS_GIT", "5"))
TARGET_GIT_OVER_FLOOR_S = 1.0


def git(*args, cwd=None):
    proc = subprocess.run(["git", *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          env=dict(os.environ, GIT_TERMINAL_PROMPT="0"))
    if proc.returncode != 0:
        raise BenchFailure(f"git {' '.join(args)} exited {proc.returncode}: {proc.stderr.strip()}")
    return proc.stdout


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def post_push_hook(port, secret, body):
    """What a GitHub-style server sends after a push: the body signed with the shared secret."""
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("POST", "/hooks/git", body=body, headers={
            "Content-Type": "application/json", "X-GitHub-Event": "push", "X-Hub-Signature-256": signature})
        response = conn.getresponse()
        response.read()
        if response.status != 202:
            raise BenchFailure(f"POST /hooks/git answered {response.status}, wanted 202")
    finally:
        conn.close()


def bench_git_webhook(berth, engine, work, results, watches, floor_owner, tag):
    """A commit pushed to a bare repository, the push webhook posted, until its container runs."""
    print(f"[9] berth watch --git: `git push` of a commit adding a spec, then its signed push webhook, until the "
          f"container runs, vs. raw create+start, {REPS_GIT} reps ...", flush=True)
    origin, clone = os.path.join(work, "origin.git"), os.path.join(work, "clone")
    git("init", "-q", "--bare", "-b", "main", origin)
    git("clone", "-q", origin, clone)
    git("config", "user.email", "bench@example.org", cwd=clone)
    git("config", "user.name", "bench", cwd=clone)
    specs = os.path.join(clone, "specs")
    os.makedirs(specs)
    write_spec(specs, spec_for(900))
    git("add", "-A", cwd=clone)
    git("commit", "-q", "-m", "first spec", cwd=clone)
    git("push", "-q", "origin", "HEAD:main", cwd=clone)
    secret_file = os.path.join(work, "webhook-secret")
    secret = "bench-" + tag
    with open(secret_file, "w") as f:
        f.write(secret + "\n")
    os.chmod(secret_file, 0o600)
    port = free_port()
    state = os.path.join(work, "state-git")
    watch = Watch(berth, None, state, os.path.join(work, "watch-git.log"), watches,
                  source=["--git", "file://" + origin, "--branch", "main", "--path", "specs", "--interval", "10m",
                          "--listen", f"127.0.0.1:{port}", "--webhook-secret-file", secret_file])
    first = f"{berth.owner}-{spec_name(900)}-1"
    wait_until(f"{first} running (the repository's first commit)", lambda: watch.alive() and any(
        c.get("State") == "running" for c in listed(engine, [f"berth.owner={berth.owner}"], first)), 60)
    watch.wait_quiet(1.0)
    times, floors = [], []
    for rep in range(REPS_GIT):
        spec = spec_for(901 + rep)
        floor_name = urllib.parse.quote(f"{floor_owner}-{spec['name']}-1")
        t0 = time.perf_counter()
        _, created = engine.request("POST", f"/containers/create?name={floor_name}",
                                    floor_body(spec, floor_owner, f"{tag}-g{rep}"), ok=(201,))
        engine.request("POST", f"/containers/{created['Id']}/start", ok=(204, 304))
        floors.append(time.perf_counter() - t0)
        write_spec(specs, spec)
        git("add", "-A", cwd=clone)
        git("commit", "-q", "-m", f"add {spec['name']}", cwd=clone)
        body = json.dumps({"ref": "refs/heads/main"}).encode()
        name = f"{berth.owner}-{spec['name']}-1"
        t0 = time.perf_counter()
        git("push", "-q", "origin", "HEAD:main", cwd=clone)
        post_push_hook(port, secret, body)
        t1 = wait_until(f"{name} running after its commit was pushed", lambda: watch.alive() and any(
            c.get("State") == "running" for c in listed(engine, [f"berth.owner={berth.owner}"], name)), 30)
        times.append(t1 - t0)
        watch.wait_quiet(0.5)
        print(f"    rep {rep + 1}: floor {ms(floors[-1])}, push-to-running {ms(times[-1])}", flush=True)
    rc, _ = watch.stop()
    if rc != 0:
        print(f"    berth watch (git) exited {rc} on SIGTERM, not 0\n    {watch.tail()}", flush=True)
    med, floor_med = statistics.median(times), statistics.median(floors)
    over = med - floor_med
    results.append(("git push + webhook -> running", ms(med), "", "", f"runs {runs(times)}"))
    results.append(("floor: raw API create+start x1", ms(floor_med), "", "", f"runs {runs(floors)}"))
    results.append(("push-to-running minus floor", f"{over * 1000:+.0f} ms", f"< +{ms(TARGET_GIT_OVER_FLOOR_S)}",
                    verdict(over < TARGET_GIT_OVER_FLOOR_S), "medians; Argo CD polls every 3 min, Flux every 1 min"))


# ---------------------------------------------------------------- [10] ssh:// against unix://

SSH_REPS = int(os.environ.get("BENCH_SSH_REPS", "200"))
SSH_LOGINS = int(os.environ.get("BENCH_SSH_LOGINS", "10"))


class LoopbackSSHD:
    """A throwaway OpenSSH server on 127.0.0.1 whose sessions reach `docker_host` (the same
    set-up as BerthTestSupport's SSHTestServer): own host key, one authorised key, own
    known_hosts. Stopped (SIGTERM, then SIGKILL) and its folder removed by `stop()`."""

    def __init__(self, docker_host, work):
        sshd = shutil.which("sshd") or "/usr/sbin/sshd"
        if not os.access(sshd, os.X_OK):
            raise BenchFailure("sshd is not installed (Debian package openssh-server; run `make deps`)")
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
        self.dir = tempfile.mkdtemp(prefix="berth-bench-sshd-", dir=work)
        for name in ("host", "client"):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", f"{self.dir}/{name}"], check=True)
        shutil.copy(f"{self.dir}/client.pub", f"{self.dir}/authorized_keys")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        with open(f"{self.dir}/known_hosts", "w") as out, open(f"{self.dir}/host.pub") as key:
            out.write(f"[127.0.0.1]:{self.port} {key.read().strip()}\n")
        with open(f"{self.dir}/sshd_config", "w") as out:
            out.write(f"Port {self.port}\nListenAddress 127.0.0.1\nHostKey {self.dir}/host\n"
                      f"PidFile {self.dir}/sshd.pid\nAuthorizedKeysFile {self.dir}/authorized_keys\n"
                      "PasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\n"
                      f"UsePAM no\nStrictModes no\nPrintMotd no\nMaxStartups 100:30:200\nSetEnv DOCKER_HOST={docker_host}\n")
        self.log = open(f"{self.dir}/sshd.log", "w")
        self.proc = subprocess.Popen([sshd, "-D", "-e", "-f", f"{self.dir}/sshd_config"], stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=self.log)
        wait_until("sshd listening", lambda: self._listening(), 30)

    def _listening(self):
        if self.proc.poll() is not None:
            raise BenchFailure(f"sshd exited {self.proc.returncode}; log {self.dir}/sshd.log")
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            return True
        except OSError:
            return False

    def argv(self):
        """berth's ssh command line for this server (SSHDestination.arguments)."""
        return ["ssh", "-T", "-o", "BatchMode=yes", "-o", "ConnectTimeout=5", "-i", f"{self.dir}/client",
                "-o", "IdentitiesOnly=yes", "-o", f"UserKnownHostsFile={self.dir}/known_hosts",
                "-o", "StrictHostKeyChecking=yes", "-p", str(self.port), "--", "root@127.0.0.1",
                "docker", "system", "dial-stdio"]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class SSHChild:
    """berth's ssh transport in miniature: ssh's stdin and stdout are one end of a socket
    pair, HTTP/1.1 kept alive over the other."""

    def __init__(self, argv):
        ours, theirs = socket.socketpair()
        self.proc = subprocess.Popen(argv, stdin=theirs, stdout=theirs, stderr=subprocess.PIPE, start_new_session=True)
        theirs.close()
        self.conn = http.client.HTTPConnection("localhost", timeout=60)
        self.conn.sock = ours

    def ping(self):
        self.conn.request("GET", "/_ping")
        response = self.conn.getresponse()
        body = response.read()
        if response.status != 200 or body != b"OK":
            raise BenchFailure(f"GET /_ping over ssh answered {response.status} {body[:80]!r}: "
                               f"{self.proc.stderr.read1(4096).decode(errors='replace') if self.proc.poll() is not None else ''}")

    def close(self):
        self.conn.sock.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stderr.close()


def bench_ssh_transport(docker_host, work, results):
    """[10] Per-request cost of ssh:// against unix://: GET /_ping as berth sends it on each
    transport (unix: a connection per request; ssh: one kept-alive ssh child), and the cost of
    a new child (an ssh login)."""
    if not docker_host.startswith("unix://"):
        raise BenchFailure("[10] needs a unix:// DOCKER_HOST (sshd's sessions reach the engine through it)")
    path = docker_host[len("unix://"):]
    print(f"\n[10] ssh:// against unix://: {SSH_REPS} x GET /_ping each way, {SSH_LOGINS} new ssh children", flush=True)

    def unix_ping():
        conn = UnixHTTPConnection(path)
        try:
            conn.request("GET", "/_ping", headers={"Connection": "close"})
            response = conn.getresponse()
            if response.read() != b"OK":
                raise BenchFailure(f"GET /_ping on {docker_host} answered {response.status}")
        finally:
            conn.close()

    sshd = LoopbackSSHD(docker_host, work)
    try:
        unix_times, ssh_times, logins = [], [], []
        child = SSHChild(sshd.argv())
        try:
            child.ping()  # the login, not timed here
            for _ in range(SSH_REPS):
                t0 = time.perf_counter()
                unix_ping()
                unix_times.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                child.ping()
                ssh_times.append(time.perf_counter() - t0)
        finally:
            child.close()
        for _ in range(SSH_LOGINS):
            t0 = time.perf_counter()
            fresh = SSHChild(sshd.argv())
            try:
                fresh.ping()
                logins.append(time.perf_counter() - t0)
            finally:
                fresh.close()
    finally:
        sshd.stop()
    unix_med, ssh_med, login_med = (statistics.median(v) for v in (unix_times, ssh_times, logins))
    print(f"    unix {unix_med * 1000:.2f} ms, ssh kept alive {ssh_med * 1000:.2f} ms, new ssh child {ms(login_med)}", flush=True)
    results.append((f"GET /_ping over unix:// (connection per request), x{SSH_REPS}", f"{unix_med * 1000:.2f} ms", "", "", ""))
    results.append((f"GET /_ping over ssh:// (one kept-alive ssh child), x{SSH_REPS}", f"{ssh_med * 1000:.2f} ms", "", "",
                    f"+{(ssh_med - unix_med) * 1000:.2f} ms a request"))
    results.append((f"first request on a new ssh child (an ssh login), x{SSH_LOGINS}", ms(login_med), "", "",
                    f"runs {runs(logins)}"))


def main_ssh_only():
    """`scripts/bench.py --ssh-only`: section [10] alone."""
    docker_host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    work, results = tempfile.mkdtemp(prefix="berth-bench-"), []
    print(f"berth bench [10] only: engine {docker_host}; temp dir {work}")
    try:
        bench_ssh_transport(docker_host, work, results)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for row in results:
        print("  ".join(row))
    return 0


# ---------------------------------------------------------------- [11] the release file

def stripped_mb(binary, work):
    """(stripped size, size as built) of `binary` in MiB; the strip runs on a copy."""
    copy = os.path.join(work, "stripped-" + os.path.basename(binary))
    shutil.copyfile(binary, copy)
    subprocess.run(["strip", copy], check=True)
    sizes = os.path.getsize(copy) / 1048576, os.path.getsize(binary) / 1048576
    os.remove(copy)
    return sizes


def bench_release(engine, pool, work, results, watches, tag, docker_host, release, baseline):
    """[11] the release file (`make release`: static, FoundationEssentials) beside `baseline`
    (BERTH_BASELINE, e.g. a release build of the code before issue 16; else the normal
    build): stripped size, `berth plan` of 50 specs, and watch RSS idle with 100 containers."""
    print(f"[11] release file {release} beside {baseline}: stripped size, plan of {N_SMALL} specs "
          f"(median of {REPS_RELEASE_PLAN}), watch RSS after {RELEASE_IDLE_S:g} s idle with "
          f"{IDLE_SPECS * IDLE_REPLICAS} containers ...", flush=True)
    specs = os.path.join(work, "specs-release50")
    write_specs(specs, N_SMALL)
    idle_specs = os.path.join(work, "specs-release-idle")
    os.makedirs(idle_specs, exist_ok=True)
    for i in range(1, IDLE_SPECS + 1):
        write_spec(idle_specs, {"name": f"idle-{i:02d}", "image": IMAGE, "command": COMMAND,
                                "env": {"N": str(i)}, "replicas": IDLE_REPLICAS})
    figures = {}
    for which, binary in (("release", release), ("previous", baseline)):
        owner = f"bench-{tag}-r{which[0]}"
        berth = Berth(binary, docker_host, owner)
        stripped, built = stripped_mb(binary, work)
        state = os.path.join(work, f"state-release-plan-{which}")
        berth.run("plan", specs, state, ok=(0,))  # untimed warm-up (page cache)
        plans = sorted(berth.run("plan", specs, state, ok=(0,))[0] for _ in range(REPS_RELEASE_PLAN))
        n_idle = IDLE_SPECS * IDLE_REPLICAS
        watch = Watch(berth, idle_specs, os.path.join(work, f"state-release-idle-{which}"),
                      os.path.join(work, f"watch-release-{which}.log"), watches)
        wait_until(f"{n_idle} containers running",
                   lambda: watch.alive() and running_count(engine, f"berth.owner={owner}") == n_idle, 300, 0.1)
        watch.wait_quiet(3.0)
        time.sleep(RELEASE_IDLE_S)
        watch.alive()
        memory = watch.memory_mb()
        rc, _ = watch.stop()
        engine.remove_labelled(f"berth.owner={owner}", pool)
        if rc != 0:
            raise BenchFailure(f"berth watch ({which}) exited {rc} on SIGTERM\n{watch.tail()}")
        figures[which] = (stripped, built, statistics.median(plans), plans, memory)
    for which, binary in (("release", release), ("previous", baseline)):
        stripped, built, plan, plans, memory = figures[which]
        rss = memory["VmRSS"]
        name = os.path.basename(binary) if which == "release" else f"previous build ({binary})"
        target = which == "release"
        results.append((f"{name}: size, stripped", f"{stripped:.1f} MB",
                        f"< {TARGET_RELEASE_MB:g} MB" if target else "", verdict(stripped < TARGET_RELEASE_MB) if target else "",
                        f"{built:.1f} MB as built"))
        results.append((f"{name}: plan, {N_SMALL} specs ({N_SMALL} creates)", ms(plan),
                        f"< {ms(TARGET_RELEASE_PLAN_S)}" if target else "", verdict(plan < TARGET_RELEASE_PLAN_S) if target else "",
                        f"runs {runs(plans)}"))
        results.append((f"{name}: watch RSS after {RELEASE_IDLE_S:g} s idle, {IDLE_SPECS * IDLE_REPLICAS} containers",
                        f"{rss:.1f} MB", f"< {TARGET_RELEASE_RSS_MB:g} MB" if target else "",
                        verdict(rss < TARGET_RELEASE_RSS_MB) if target else "",
                        "VmRSS; " + ", ".join(f"{name} {memory[name]:.1f} MB" for name in ("RssAnon", "RssFile", "VmHWM") if name in memory)))


def release_binaries(default_baseline):
    """(release file, baseline) from BERTH_RELEASE_FILE and BERTH_BASELINE, or None."""
    release = os.environ.get("BERTH_RELEASE_FILE")
    if not release:
        return None
    baseline = os.environ.get("BERTH_BASELINE") or default_baseline
    for binary in (release, baseline):
        if not os.access(binary, os.X_OK):
            raise BenchFailure(f"{binary} is not an executable file (make release; BERTH_BASELINE=a previous build)")
    return os.path.abspath(release), os.path.abspath(baseline)


def main_release_only():
    """`scripts/bench.py --release-only`: section [11] alone."""
    binaries = release_binaries(os.environ.get("BERTH", os.path.join(REPO, ".build/release/berth")))
    if binaries is None:
        raise BenchFailure("set BERTH_RELEASE_FILE to the release file (make release)")
    docker_host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    factory, _ = parse_docker_host(docker_host)
    engine = Engine(factory)
    tag = f"{os.getpid()}"
    pool, work, results, watches = ThreadPool(PARALLEL), tempfile.mkdtemp(prefix="berth-bench-"), [], []
    print(f"berth bench [11] only; temp dir {work}")
    try:
        bench_release(engine, pool, work, results, watches, tag, docker_host, *binaries)
    finally:
        for watch in watches:
            if watch.proc.poll() is None:
                watch.stop()
        for which in ("r", "p"):
            engine.remove_labelled(f"berth.owner=bench-{tag}-r{which}", pool)
        pool.close()
        shutil.rmtree(work, ignore_errors=True)
    for row in results:
        print("  ".join(row))
    return 0


def main_git_only():
    """`scripts/bench.py --git-only`: section [9] alone."""
    binary = os.environ.get("BERTH", os.path.join(REPO, ".build/release/berth"))
    factory, _ = parse_docker_host(os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock"))
    engine = Engine(factory)
    tag = f"{os.getpid()}"
    owner, floor_owner = f"bench-{tag}-g", f"floor-{tag}-g"
    berth = Berth(os.path.abspath(binary), os.environ.get("DOCKER_HOST"), owner)
    pool, work, results, watches = ThreadPool(PARALLEL), tempfile.mkdtemp(prefix="berth-bench-"), [], []
    print(f"berth bench [9] only: {binary}; owner {owner}; temp dir {work}")
    try:
        bench_git_webhook(berth, engine, work, results, watches, floor_owner, tag)
    finally:
        for watch in watches:
            if watch.proc.poll() is None:
                watch.stop()
        engine.remove_labelled(f"berth.owner={owner}", pool)
        engine.remove_labelled(f"berth.owner={floor_owner}", pool)
        pool.close()
        shutil.rmtree(work, ignore_errors=True)
    for row in results:
        print("  ".join(row))
    return 0


def main_context_only():
    """`scripts/bench.py --context-only`: section [8] alone."""
    binary = os.environ.get("BERTH", os.path.join(REPO, ".build/release/berth"))
    factory, _ = parse_docker_host(os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock"))
    engine = Engine(factory)
    owner_ctx = f"bench-{os.getpid()}-c"
    berth_ctx = Berth(os.path.abspath(binary), os.environ.get("DOCKER_HOST"), owner_ctx)
    pool, work, results, watches = ThreadPool(PARALLEL), tempfile.mkdtemp(prefix="berth-bench-"), [], []
    print(f"berth bench [8] only: {binary}; owner {owner_ctx}; temp dir {work}")
    try:
        bench_large_context(berth_ctx, engine, work, results, watches)
    finally:
        for watch in watches:
            if watch.proc.poll() is None:
                watch.stop()
        remove_context_bench(engine, pool, owner_ctx)
        pool.close()
        shutil.rmtree(work, ignore_errors=True)
    for row in results:
        print("  ".join(row))
    return 0


# ---------------------------------------------------------------- [12] many targets: three engines

N_TARGETS_SPECS = 50
TARGETS_INSTANCES = ("", "b", "c")                  # scripts/engine.sh instances: default, b, c
TARGETS_NAMES = ("eng-a", "eng-b", "eng-c")         # berth.json's targets, one per engine
TARGETS_GROUP = "engines"
TARGETS_SSH = 2                                     # index of the target reached over ssh:// in [12]'s third part
REPS_TARGETS_APPLY = int(os.environ.get("BENCH_REPS_TARGETS_APPLY", "2"))
REPS_TARGETS_PLAN = int(os.environ.get("BENCH_REPS_TARGETS_PLAN", "9"))
TARGETS_LOGINS = int(os.environ.get("BENCH_TARGETS_LOGINS", "5"))
TARGET_TARGETS_APPLY_RATIO = 1.20
TARGET_TARGETS_PLAN_S = 0.100


def engine_sh(instance, *args):
    """scripts/engine.sh ARGS for one instance ("" is the default engine); (exit code, last stdout line)."""
    env = dict(os.environ, BERTH_ENGINE_INSTANCE=instance) if instance else \
        {k: v for k, v in os.environ.items() if k != "BERTH_ENGINE_INSTANCE"}
    proc = subprocess.run([os.path.join(HERE, "engine.sh"), *args], env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)
    lines = proc.stdout.strip().splitlines()
    return proc.returncode, (lines[-1] if lines else ""), proc.stderr


def targets_engines(docker_host):
    """(hosts, started): the default engine is DOCKER_HOST; b and c are started with engine.sh
    when they do not run (those are in `started`, and are stopped at the end)."""
    hosts, started = [docker_host], []
    for instance in TARGETS_INSTANCES[1:]:
        rc, host, _ = engine_sh(instance, "status")
        if rc != 0:
            print(f"    starting engine {instance} (scripts/engine.sh up) ...", flush=True)
            rc, host, err = engine_sh(instance, "up")
            if rc != 0 or not host.startswith("unix://"):
                raise BenchFailure(f"BERTH_ENGINE_INSTANCE={instance} scripts/engine.sh up exited {rc}: {err.strip()[-500:]}")
            started.append(instance)
        else:
            _, host, _ = engine_sh(instance, "host")
        hosts.append(host)
    return hosts, started


def targets_spec(i):
    spec = spec_for(i)
    spec.update(target=TARGETS_GROUP, docker={"HostConfig": {"Init": True}})
    return spec


def write_targets_config(path, hosts, ssh=None):
    """berth.json: one docker target per engine and the group of all three; `ssh` (a
    LoopbackSSHD) puts the TARGETS_SSH-th target behind it instead of its unix:// socket."""
    targets = {name: {"platform": "docker", "host": host} for name, host in zip(TARGETS_NAMES, hosts)}
    if ssh is not None:
        targets[TARGETS_NAMES[TARGETS_SSH]] = {
            "platform": "docker", "host": "ssh://root@127.0.0.1",
            "ssh": {"identityFile": f"{ssh.dir}/client", "knownHostsFile": f"{ssh.dir}/known_hosts", "port": ssh.port}}
    with open(path, "w") as f:
        json.dump({"targets": targets, "groups": {TARGETS_GROUP: list(TARGETS_NAMES)}}, f, indent=1)


def targets_floor(engine, pool, owner, run_id, target, n):
    """Create and start n containers on one engine through its API, PARALLEL at a time: the
    body berth sends to a named target (HostConfig.Init, berth.target), the floor's own owner."""
    def one(i):
        spec = targets_spec(i)
        body = floor_body(spec, owner, run_id)
        body["HostConfig"] = {"Init": True}
        body["Labels"]["berth.target"] = target
        name = urllib.parse.quote(f"{owner}-{target}-{spec['name']}-1")
        _, created = engine.request("POST", f"/containers/create?name={name}", body, ok=(201,))
        engine.request("POST", f"/containers/{created['Id']}/start", ok=(204, 304))

    start = time.perf_counter()
    pool.map(one, range(1, n + 1))
    return time.perf_counter() - start


class CountingProxy:
    """A Unix socket in front of an engine's that forwards every byte and keeps what clients
    sent, so the HTTP requests of one berth run can be counted afterwards."""

    def __init__(self, engine_path, path):
        self.engine_path, self.path, self.sent, self.connections = engine_path, path, [], 0
        self.lock = threading.Lock()
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(path)
        self.server.listen(64)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            upstream.connect(self.engine_path)
            with self.lock:
                self.connections += 1
                sent = []
                self.sent.append(sent)
            threading.Thread(target=self._pump, args=(client, upstream, sent), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, None), daemon=True).start()

    @staticmethod
    def _pump(src, dst, keep):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if keep is not None:
                    keep.append(data)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def requests(self):
        """The request lines clients sent (method and path, no API version), in no particular order."""
        with self.lock:
            streams = [b"".join(s) for s in self.sent]
        return [m.group(1).decode() + " " + re.sub(r"^/v[0-9.]+/", "/", m.group(2).decode().split("?")[0])
                for stream in streams for m in re.finditer(rb"(GET|HEAD|POST|PUT|DELETE) (/\S*) HTTP/1\.[01]\r\n", stream)]

    def close(self):
        self.server.close()
        try:
            os.unlink(self.path)
        except OSError:
            pass


def bench_targets(binary, work, results, tag, docker_host, pool):
    """[12] Three engines as three named targets of berth.json and one group: cold apply of
    50 specs fanned out to 150 containers against the raw floor of the slowest engine alone;
    a no-op plan across the three; the same plan with one target over ssh://."""
    if not docker_host.startswith("unix://"):
        raise BenchFailure("[12] needs a unix:// DOCKER_HOST (the ssh part's sessions reach an engine through its socket)")
    n_all = N_TARGETS_SPECS * len(TARGETS_NAMES)
    print(f"\n[12] many targets: {N_TARGETS_SPECS} specs x {len(TARGETS_NAMES)} engines (group {TARGETS_GROUP}) = {n_all} "
          f"containers, cold apply --parallel {PARALLEL} vs. the slowest engine's raw floor; no-op plan; one target over ssh://",
          flush=True)
    hosts, started = targets_engines(docker_host)
    engines = [Engine(parse_docker_host(h)[0]) for h in hosts]
    owner, floor_owner = f"bench-{tag}-t", f"floor-{tag}-t"
    berth = Berth(binary, docker_host, owner)
    specs, config = os.path.join(work, "specs-targets"), os.path.join(work, "berth-targets.json")
    os.makedirs(specs, exist_ok=True)
    for i in range(1, N_TARGETS_SPECS + 1):
        write_spec(specs, targets_spec(i))
    write_targets_config(config, hosts)
    sshd = proxy = None
    try:
        for e, h in zip(engines, hosts):
            e.request("GET", f"/images/{urllib.parse.quote(IMAGE)}/json", ok=(200,))
            e.remove_labelled(f"berth.owner={owner}", pool)

        def run_floors(rep):
            """Each engine alone, one after the other: 50 create+start at 8 in parallel."""
            times = []
            for e, target in zip(engines, TARGETS_NAMES):
                run_id = f"{tag}-t{rep}-{target}"
                times.append(targets_floor(e, pool, floor_owner, run_id, target, N_TARGETS_SPECS))
                got = running_count(e, f"{FLOOR_LABEL}={run_id}")
                if got != N_TARGETS_SPECS:
                    raise BenchFailure(f"floor on {target}: {got} of {N_TARGETS_SPECS} running")
                e.remove_labelled(f"{FLOOR_LABEL}={run_id}", pool)
                time.sleep(SETTLE_S)
            return times

        def run_floor_together(rep):
            """All three engines at once, 8 in parallel on each (24 requests in flight)."""
            pools = [ThreadPool(PARALLEL) for _ in engines]
            run_ids = [f"{tag}-t{rep}-all-{t}" for t in TARGETS_NAMES]
            try:
                t0 = time.perf_counter()
                jobs = [p.apply_async(targets_floor, (e, p, floor_owner, r, t, N_TARGETS_SPECS))
                        for p, e, r, t in zip(pools, engines, run_ids, TARGETS_NAMES)]
                for j in jobs:
                    j.get()
                took = time.perf_counter() - t0
            finally:
                for p in pools:
                    p.close()
            for e, r in zip(engines, run_ids):
                e.remove_labelled(f"{FLOOR_LABEL}={r}", pool)
            time.sleep(SETTLE_S)
            return took

        def run_berth(rep, keep=False, parallel=PARALLEL):
            state = os.path.join(work, f"state-targets-{rep}")
            t, _ = berth.run("apply", specs, state, "--config", config, "--parallel", str(parallel), "--allow-mass-create")
            got = [running_count(e, f"berth.owner={owner}") for e in engines]
            if got != [N_TARGETS_SPECS] * len(engines):
                raise BenchFailure(f"berth apply across targets, run {rep}: running per engine {got}, wanted {N_TARGETS_SPECS} each")
            if not keep:
                for e in engines:
                    e.remove_labelled(f"berth.owner={owner}", pool)
                time.sleep(SETTLE_S)
            return t, state

        floors, together, applies = [], [], []
        for rep in range(REPS_TARGETS_APPLY):
            if rep % 2 == 0:
                floors.append(run_floors(rep))
                together.append(run_floor_together(rep))
                t, state = run_berth(rep)
            else:
                t, state = run_berth(rep)
                floors.append(run_floors(rep))
                together.append(run_floor_together(rep))
            applies.append(t)
            print(f"    rep {rep + 1}: floors {', '.join(ms(f) for f in floors[-1])} (one engine at a time), "
                  f"all three at once {ms(together[-1])}, berth apply {ms(t)}", flush=True)
        # berth's --parallel bounds actions across all targets: 8 is about 2.7 per engine. One
        # more apply with 8 per engine shows what that bound costs; its 150 stay for the plans.
        wide = PARALLEL * len(engines)
        t_wide, state = run_berth("wide", keep=True, parallel=wide)
        print(f"    berth apply --parallel {wide}: {ms(t_wide)}", flush=True)
        slowest = [max(f) for f in floors]
        apply_med, slowest_med, together_med = (statistics.median(v) for v in (applies, slowest, together))
        ratio = apply_med / slowest_med
        results.append((f"targets: cold apply, {N_TARGETS_SPECS} specs x {len(TARGETS_NAMES)} engines = {n_all} containers",
                        ms(apply_med), "", "", f"runs {runs(applies)}; --parallel {PARALLEL} --allow-mass-create"))
        results.append((f"targets floor: slowest engine alone, raw create+start x{N_TARGETS_SPECS}, {PARALLEL} threads",
                        ms(slowest_med), "", "", "per engine " + "; ".join(runs(f) for f in floors)))
        results.append(("targets cold apply / slowest engine's floor", f"{ratio:.2f}x", f"<= {TARGET_TARGETS_APPLY_RATIO:.2f}x",
                        verdict(ratio <= TARGET_TARGETS_APPLY_RATIO), "medians"))
        results.append((f"targets floor: all {len(engines)} engines at once, {PARALLEL} threads each ({n_all} containers)",
                        ms(together_med), "", "", f"runs {runs(together)}; berth / this {apply_med / together_med:.2f}x"))
        results.append((f"targets: cold apply, same {n_all}, --parallel {wide} ({PARALLEL} per engine), one run", ms(t_wide),
                        "", "", f"/ slowest engine's floor {t_wide / slowest_med:.2f}x; / all three at once "
                        f"{t_wide / together_med:.2f}x"))

        # 2. No-op plan across the three targets, the 150 containers running.
        def plans(cfg, what):
            times = []
            for _ in range(REPS_TARGETS_PLAN):
                t, proc = berth.run("plan", specs, state, "--config", cfg, "--detailed-exitcode", ok=(0, 2))
                if proc.returncode != 0:
                    raise BenchFailure(f"{what}: not a no-op (exit {proc.returncode}): {proc.stdout.strip()[:300]!r}")
                times.append(t)
            return times

        berth.run("plan", specs, state, "--config", config, "--detailed-exitcode")  # untimed warm-up
        plan_unix = plans(config, "no-op plan across targets")
        unix_med = statistics.median(plan_unix)
        results.append((f"targets: no-op plan, {len(TARGETS_NAMES)} targets, {n_all} containers (exit 0)", ms(unix_med),
                        f"< {ms(TARGET_TARGETS_PLAN_S)}", verdict(unix_med < TARGET_TARGETS_PLAN_S), f"runs {runs(plan_unix)}"))

        # What berth asks one target's engine in that plan: through a counting proxy.
        ssh_name, ssh_host = TARGETS_NAMES[TARGETS_SSH], hosts[TARGETS_SSH]
        proxy = CountingProxy(ssh_host[len("unix://"):], os.path.join(work, "count.sock"))
        counted = os.path.join(work, "berth-targets-counted.json")
        write_targets_config(counted, [*hosts[:TARGETS_SSH], f"unix://{proxy.path}", *hosts[TARGETS_SSH + 1:]])
        berth.run("plan", specs, state, "--config", counted, "--detailed-exitcode")
        time.sleep(0.2)  # the pumps see berth's sockets close
        asked = proxy.requests()
        kinds = {}
        for r in asked:
            key = r.split(" ")[0] + " " + ("/containers/ID/json" if r.startswith("GET /containers/") and r.endswith("/json")
                                           and not r.startswith("GET /containers/json") else r.split(" ")[1])
            kinds[key] = kinds.get(key, 0) + 1
        n_requests = len(asked)
        if not n_requests:
            raise BenchFailure(f"the counting proxy in front of {ssh_name} saw no request")
        print(f"    {ssh_name} is asked {n_requests} requests on {proxy.connections} connections per plan: "
              + ", ".join(f"{v} x {k}" for k, v in sorted(kinds.items(), key=lambda kv: -kv[1])), flush=True)

        # 3. The same plan with that target over ssh://, through a loopback sshd reaching its engine.
        sshd = LoopbackSSHD(ssh_host, work)
        ssh_config = os.path.join(work, "berth-targets-ssh.json")
        write_targets_config(ssh_config, hosts, ssh=sshd)
        berth.run("plan", specs, state, "--config", ssh_config, "--detailed-exitcode")  # untimed warm-up
        log = os.path.join(sshd.dir, "sshd.log")
        logins_before = open(log, errors="replace").read().count("Accepted publickey")
        plan_ssh, plan_unix2 = [], []
        for _ in range(REPS_TARGETS_PLAN):  # alternating, so load drifts hit both
            plan_ssh += plans_once(berth, specs, state, ssh_config)
            plan_unix2 += plans_once(berth, specs, state, config)
        logins = open(log, errors="replace").read().count("Accepted publickey") - logins_before
        login_times = []
        for _ in range(TARGETS_LOGINS):
            t0 = time.perf_counter()
            child = SSHChild(sshd.argv())
            try:
                child.ping()
                login_times.append(time.perf_counter() - t0)
            finally:
                child.close()
        ssh_med, unix2_med, login_med = (statistics.median(v) for v in (plan_ssh, plan_unix2, login_times))
        per_plan_logins = logins / REPS_TARGETS_PLAN
        diff = ssh_med - unix2_med
        per_request = diff / n_requests
        past_logins = (diff - per_plan_logins * login_med) / n_requests
        results.append((f"targets: no-op plan, {ssh_name} over ssh://, the others unix://", ms(ssh_med), "", "",
                        f"runs {runs(plan_ssh)}; {per_plan_logins:g} ssh login(s) per plan"))
        results.append(("targets: the same no-op plan, all unix:// (alternating with it)", ms(unix2_med), "", "",
                        f"runs {runs(plan_unix2)}"))
        results.append((f"ssh plan minus unix plan / {n_requests} requests to {ssh_name}", f"{per_request * 1000:+.2f} ms",
                        "", "", f"plan-level {diff * 1000:+.0f} ms; it holds {per_plan_logins:g} ssh login(s) "
                        f"(a new ssh child, {ms(login_med)} median of {TARGETS_LOGINS}): past the logins "
                        f"{past_logins * 1000:+.2f} ms a request"))
    finally:
        cleanup = []
        if proxy is not None:
            proxy.close()
        if sshd is not None:
            sshd.stop()
        for e, h in zip(engines, hosts):
            for label in (f"berth.owner={owner}", f"berth.owner={floor_owner}"):
                try:
                    e.remove_labelled(label, pool)
                except Exception as exc:  # report, keep cleaning
                    cleanup.append(f"{h} {label}: {exc}")
        for instance in started:
            rc, _, err = engine_sh(instance, "down")
            if rc != 0:
                cleanup.append(f"BERTH_ENGINE_INSTANCE={instance} scripts/engine.sh down exited {rc}: {err.strip()[-300:]}")
        if cleanup:
            print("[12] cleanup problems:\n  " + "\n  ".join(cleanup), file=sys.stderr)


def plans_once(berth, specs, state, config):
    t, proc = berth.run("plan", specs, state, "--config", config, "--detailed-exitcode", ok=(0, 2))
    if proc.returncode != 0:
        raise BenchFailure(f"plan with {os.path.basename(config)}: not a no-op (exit {proc.returncode}): "
                           f"{proc.stdout.strip()[:300]!r}")
    return [t]


def main_targets_only():
    """`scripts/bench.py --targets-only`: section [12] alone."""
    binary = os.path.abspath(os.environ.get("BERTH", os.path.join(REPO, ".build/release/berth")))
    if not os.access(binary, os.X_OK):
        raise BenchFailure(f"berth binary not found at {binary} (run `swift build -c release --product berth`)")
    docker_host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    pool, work, results = ThreadPool(PARALLEL), tempfile.mkdtemp(prefix="berth-bench-"), []
    print(f"berth bench [12] only: {binary}; engine {docker_host} and instances b, c; temp dir {work}")
    try:
        bench_targets(binary, work, results, f"{os.getpid()}", docker_host, pool)
    finally:
        pool.close()
        shutil.rmtree(work, ignore_errors=True)
    for row in results:
        print("  ".join(row))
    return 0


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
    _, info = engine.request("GET", "/info")
    if not (info.get("Swarm") or {}).get("ControlAvailable"):
        raise BenchFailure(f"the engine at {docker_host} is not a swarm manager (`scripts/engine.sh up --swarm`)")
    docker_cli = shutil.which("docker")
    if docker_cli is None:
        raise BenchFailure("the docker CLI is not on PATH (needed for `docker stack deploy`)")
    cli = subprocess.run([docker_cli, "-H", docker_host, "version", "--format", "{{.Client.Version}}"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout.strip()

    tag = f"{os.getpid()}"
    owner = f"bench-{tag}"            # berth's containers: bench-PID-svc-NN-1
    owner_large = f"bench-{tag}-k"    # the 1,000-spec plan (nothing of it exists)
    owner_heal = f"bench-{tag}-h"     # berth watch: the healed 5-replica spec
    owner_idle = f"bench-{tag}-i"     # berth watch: 10 specs x 10 replicas, idle
    floor_owner = f"floor-{tag}"      # the floor's containers: floor-PID-svc-NN-1
    owner_swarm = f"bench-{tag}-s"    # berth's swarm services: bench-PID-s-svc-NN
    owner_ctx = f"bench-{tag}-c"      # [8]: the app folder with a large build context
    owner_git = f"bench-{tag}-g"      # [9]: berth watch --git
    stack = f"bench-{tag}-stack"      # docker stack deploy: services bench-PID-stack_svc-NN
    berth = Berth(binary, docker_host, owner)
    berth_large = Berth(binary, docker_host, owner_large)
    berth_heal = Berth(binary, docker_host, owner_heal)
    berth_idle = Berth(binary, docker_host, owner_idle)
    berth_swarm = Berth(binary, docker_host, owner_swarm)
    berth_ctx = Berth(binary, docker_host, owner_ctx)
    berth_git = Berth(binary, docker_host, owner_git)
    watches = []      # every berth watch started, stopped in the cleanup if still running
    watch_exits = []  # (part, exit code, seconds from SIGTERM to exit)
    pool = ThreadPool(PARALLEL)
    work = tempfile.mkdtemp(prefix="berth-bench-")
    results = []  # (label, figure, target, verdict, detail)
    release = None  # [11]: (release file, previous build) when BERTH_RELEASE_FILE is set

    print(f"berth bench: {binary}")
    print(f"engine: {docker_host} (Docker {version.get('Version')}, API {version.get('ApiVersion')}, "
          f"{version.get('Os')}/{version.get('Arch')}); host: {platform.node()} {os.cpu_count()} CPUs; "
          f"python {platform.python_version()}")
    print(f"swarm: node {(info.get('Swarm') or {}).get('NodeID')}, {(info.get('Swarm') or {}).get('Nodes')} node(s); "
          f"docker CLI {cli or '?'} at {docker_cli}")
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

        def stop_watch(watch, part):
            rc, took = watch.stop()
            watch_exits.append((part, rc, took))
            if rc != 0:
                print(f"    berth watch ({part}) exited {rc} on SIGTERM, not 0\n    {watch.tail()}", flush=True)

        # 4. berth watch: a complete spec file renamed into the converged folder -> its container running.
        print(f"[4] berth watch: spec file renamed into the folder of {N_SMALL} converged specs until its "
              f"container runs, vs. raw create+start of an equal container, {REPS_WATCH} reps ...", flush=True)
        staging = os.path.join(work, "staging")  # outside the specs folder, same filesystem
        os.makedirs(staging)
        watch = Watch(berth, specs, state, os.path.join(work, "watch-file.log"), watches)
        watch.wait_quiet(1.0)
        if running_count(engine, f"berth.owner={owner}") != N_SMALL:
            raise BenchFailure(f"berth watch start-up changed the {N_SMALL} converged containers\n{watch.tail()}")
        file_times, file_floor, phases = [], [], []
        for rep in range(REPS_WATCH):
            spec = spec_for(N_SMALL + 1 + rep)  # svc-51, svc-52, ...: a new spec every rep
            # The engine's own create+start of an equal container, right before (floor's owner label).
            floor_name = urllib.parse.quote(f"{floor_owner}-{spec['name']}-1")
            t0 = time.perf_counter()
            _, created = engine.request("POST", f"/containers/create?name={floor_name}",
                                        floor_body(spec, floor_owner, f"{tag}-w{rep}"), ok=(201,))
            engine.request("POST", f"/containers/{created['Id']}/start", ok=(204, 304))
            file_floor.append(time.perf_counter() - t0)
            time.sleep(0.5)
            staged = os.path.join(staging, spec["name"] + ".json")
            with open(staged, "w") as f:
                json.dump(spec, f)
            name = f"{owner}-{spec['name']}-1"
            offset = watch.log_size()
            wall, t0 = time.time(), time.perf_counter()
            os.rename(staged, os.path.join(specs, spec["name"] + ".json"))
            t1 = wait_until(f"{name} running after its spec file was renamed into the folder",
                            lambda: watch.alive() and any(c.get("State") == "running"
                                                          for c in listed(engine, [f"berth.owner={owner}"], name)), 30)
            file_times.append(t1 - t0)
            watch.wait_quiet(0.5)
            # Where the time went, from the watch's own log (millisecond stamps).
            events = log_events(watch.log(offset))
            fired = next((w for w, m in events if m == "specs changed: reconciling"), None)
            done = next((w for w, m in events if m.startswith(f"create docker container {spec['name']} #1")
                         and m.endswith(": ok")), None)
            if fired is not None and done is not None:
                phases.append((fired - wall, done - fired, wall + (t1 - t0) - done))
            print(f"    rep {rep + 1}: floor {ms(file_floor[-1])}, file-to-running {ms(file_times[-1])}", flush=True)
        stop_watch(watch, "file-to-running")
        engine.remove_labelled(f"berth.owner={floor_owner}", pool)
        file_med, floor1_med = statistics.median(file_times), statistics.median(file_floor)
        over = file_med - floor1_med
        where = ""
        if phases:
            where = ("; rename->debounce fired {:.0f}, ->create+start logged ok {:.0f}, ->seen by poll {:.0f} ms"
                     .format(*(statistics.median(p[i] for p in phases) * 1000 for i in range(3))))
        results.append(("watch: spec file renamed in -> running", ms(file_med), "", "", f"runs {runs(file_times)}"))
        results.append(("floor: raw API create+start x1", ms(floor1_med), "", "", f"runs {runs(file_floor)}"))
        results.append(("file-to-running minus floor", f"{over * 1000:+.0f} ms", f"<= +{ms(TARGET_FILE_OVER_FLOOR_S)}",
                        verdict(over <= TARGET_FILE_OVER_FLOOR_S), "medians" + where))

        # 5. Heal: kill a managed container, time until its replica runs again.
        print(f"[5] berth watch: heal after POST /containers/ID/kill, replica 1..{HEAL_REPLICAS} of a "
              f"{HEAL_REPLICAS}-replica spec once each ...", flush=True)
        heal_specs = os.path.join(work, "specs-heal")
        os.makedirs(heal_specs)
        write_spec(heal_specs, {"name": "heal", "image": IMAGE, "command": COMMAND, "replicas": HEAL_REPLICAS})
        watch = Watch(berth_heal, heal_specs, os.path.join(work, "state-heal"),
                      os.path.join(work, "watch-heal.log"), watches)
        wait_until(f"{HEAL_REPLICAS} replicas running",
                   lambda: watch.alive() and running_count(engine, f"berth.owner={owner_heal}") == HEAL_REPLICAS, 60, 0.05)
        watch.wait_quiet(1.0)
        heal_times, heal_actions, heal_logged = [], [], []
        heal_log_start = watch.log_size()
        for replica in range(1, HEAL_REPLICAS + 1):
            labels = [f"berth.owner={owner_heal}", "berth.name=heal", f"berth.replica={replica}"]
            found = listed(engine, labels)
            if len(found) != 1:
                raise BenchFailure(f"heal replica {replica}: {len(found)} running containers, wanted 1")
            old = found[0]["Id"]
            _, info = engine.request("GET", f"/containers/{old}/json")
            started = info["State"]["StartedAt"]

            def healed():
                watch.alive()
                for c in listed(engine, labels):  # running only
                    if c["Id"] != old:
                        return True
                    _, now = engine.request("GET", f"/containers/{old}/json", ok=(200, 404))
                    if isinstance(now, dict) and now["State"]["Running"] and now["State"]["StartedAt"] != started:
                        return True
                return False

            offset = watch.log_size()
            wall, t0 = time.time(), time.perf_counter()
            engine.request("POST", f"/containers/{old}/kill", ok=(204,))
            t1 = wait_until(f"heal replica {replica} running again after kill", healed, 30)
            heal_times.append(t1 - t0)
            watch.wait_quiet(0.5)
            acted = [(w, m) for w, m in log_events(watch.log(offset)) if f" heal #{replica}" in m]
            heal_actions += [m for _, m in acted]
            if acted:
                heal_logged.append(acted[0][0] - wall)
            print(f"    replica {replica}: running again after {ms(heal_times[-1])}", flush=True)
            if replica < HEAL_REPLICAS:
                # berth counts heals per spec, not per replica: stay clear of the crash-loop wait
                # (1 s, 2 s, 4 s, 8 s after the previous heal), so no kill is held back.
                time.sleep(2 ** (replica - 1) + 0.5)
        crash_loop = [m for _, m in log_events(watch.log(heal_log_start)) if "crash-looping" in m]
        stop_watch(watch, "heal")
        med = statistics.median(heal_times)
        results.append((f"watch: heal after kill ({HEAL_REPLICAS} replicas, 1 kill each)", ms(med),
                        f"< {ms(TARGET_HEAL_S)}", verdict(med < TARGET_HEAL_S),
                        f"runs {runs(heal_times)}"
                        + (f"; kill->heal logged ok {ms(statistics.median(heal_logged))} (median)" if heal_logged else "")
                        + (f"; {len(crash_loop)} crash-loop waits logged" if crash_loop else "")))

        # 6. Idle cost with 100 managed containers, created by the watch itself.
        n_idle = IDLE_SPECS * IDLE_REPLICAS
        print(f"[6] berth watch: idle with {n_idle} containers ({IDLE_SPECS} specs x {IDLE_REPLICAS} replicas), "
              f"CPU over {IDLE_S:g} s, RSS at the end ...", flush=True)
        idle_specs = os.path.join(work, "specs-idle")
        os.makedirs(idle_specs)
        for i in range(1, IDLE_SPECS + 1):
            write_spec(idle_specs, {"name": f"idle-{i:02d}", "image": IMAGE, "command": COMMAND,
                                    "env": {"N": str(i)}, "replicas": IDLE_REPLICAS})
        t0 = time.perf_counter()
        watch = Watch(berth_idle, idle_specs, os.path.join(work, "state-idle"),
                      os.path.join(work, "watch-idle.log"), watches)
        t1 = wait_until(f"{n_idle} containers running",
                        lambda: watch.alive() and running_count(engine, f"berth.owner={owner_idle}") == n_idle, 300, 0.1)
        converge = t1 - t0
        watch.wait_quiet(3.0)
        offset = watch.log_size()
        cpu0, w0 = watch.cpu_seconds(), time.perf_counter()
        end = w0 + IDLE_S
        while time.perf_counter() < end:
            watch.alive()
            time.sleep(min(1.0, max(0.0, end - time.perf_counter())))
        cpu1, w1 = watch.cpu_seconds(), time.perf_counter()
        rss = watch.rss_mb()
        idle_lines = len(watch.log(offset).splitlines())
        still = running_count(engine, f"berth.owner={owner_idle}")
        stop_watch(watch, "idle")
        cpu_pct = (cpu1 - cpu0) / (w1 - w0) * 100
        results.append((f"watch idle CPU, {n_idle} containers, {w1 - w0:.0f} s", f"{cpu_pct:.2f} % of a core",
                        f"< {TARGET_IDLE_CPU_PCT:g} %", verdict(cpu_pct < TARGET_IDLE_CPU_PCT),
                        f"{(cpu1 - cpu0) * 1000:.0f} ms CPU (utime+stime); {idle_lines} log lines in the window; "
                        f"{still}/{n_idle} running at the end"))
        results.append((f"watch RSS after idle, {n_idle} containers", f"{rss:.1f} MB", f"< {TARGET_IDLE_RSS_MB:g} MB",
                        verdict(rss < TARGET_IDLE_RSS_MB), f"VmRSS; the watch created the {n_idle} in {converge:.1f} s"))

        codes = [rc for _, rc, _ in watch_exits]
        results.append((f"watch stopped by SIGTERM (x{len(watch_exits)})", "exit " + ", ".join(map(str, codes)),
                        "exit 0", verdict(all(rc == 0 for rc in codes)),
                        "stop took " + runs([t for _, _, t in watch_exits])))

        bench_large_context(berth_ctx, engine, work, results, watches)
        remove_context_bench(engine, pool, owner_ctx)

        bench_git_webhook(berth_git, engine, work, results, watches, floor_owner, tag)
        for label in (f"berth.owner={owner_git}", f"berth.owner={floor_owner}"):
            engine.remove_labelled(label, pool)

        # 12. Three engines as named targets (starts engines b and c when they do not run), on
        # an otherwise idle default engine: the docker-target containers of [1]-[6] go first.
        for label in (f"berth.owner={owner}", f"berth.owner={owner_heal}", f"berth.owner={owner_idle}"):
            engine.remove_labelled(label, pool)
        time.sleep(SETTLE_S)
        bench_targets(binary, work, results, tag, docker_host, pool)

        # 10. The release file beside the previous build (when `make bench` made one).
        release = release_binaries(binary)
        if release is not None:
            bench_release(engine, pool, work, results, watches, tag, docker_host, *release)

        # 13. A rollout of 10 replicas: berth's container rollout against Swarm's rolling update.
        bench_rollout(binary, engine, work, results, tag, docker_host, pool)

        # 7. Swarm target: cold converge vs. docker stack deploy, no-op plan, one changed service.
        n_tasks = N_SWARM * SWARM_REPLICAS
        print(f"[7] swarm: cold converge of {N_SWARM} services x {SWARM_REPLICAS} replicas until all {n_tasks} "
              f"tasks run, berth apply vs. docker stack deploy, alternating, {REPS_SWARM} reps each ...", flush=True)
        # The docker-target containers of [1]-[6] go first: the swarm runs on an otherwise idle engine.
        for label in (f"berth.owner={owner}", f"berth.owner={owner_heal}", f"berth.owner={owner_idle}"):
            engine.remove_labelled(label, pool)
        time.sleep(SETTLE_S)
        swarm_specs = os.path.join(work, "specs-swarm")
        os.makedirs(swarm_specs)
        for i in range(1, N_SWARM + 1):
            write_spec(swarm_specs, swarm_spec(i))
        compose = os.path.join(work, "compose.yml")
        write_compose(compose, N_SWARM)
        berth_label, berth_prefix = f"berth.owner={owner_swarm}", f"{owner_swarm}-"
        stack_label, stack_prefix = f"{STACK_LABEL}={stack}", f"{stack}_"
        cold_berth, cold_stack, proc_berth, proc_stack, removal = [], [], [], [], []

        def all_tasks_running(label, what, t0):
            t1 = wait_until(f"{what}: all {n_tasks} tasks running", lambda: tasks_running(engine, label) == n_tasks,
                            180, SWARM_POLL_S)
            got = len(services(engine, label))
            if got != N_SWARM:
                raise BenchFailure(f"{what}: {got} services, wanted {N_SWARM}")
            return t1 - t0

        def swarm_berth(rep, keep=False):
            st = os.path.join(work, f"state-swarm-{rep}")
            t0 = time.perf_counter()
            t, _ = berth_swarm.run("apply", swarm_specs, st, "--parallel", str(PARALLEL))
            took = all_tasks_running(berth_label, f"berth apply (swarm) run {rep}", t0)
            if not keep:
                removal.append(remove_swarm(engine, berth_label, berth_prefix)[1])
                time.sleep(SETTLE_S)
            return took, t, st

        def swarm_stack(rep):
            argv = [docker_cli, "-H", docker_host, "stack", "deploy", "-c", compose, "--resolve-image", "never", stack]
            t0 = time.perf_counter()
            proc = subprocess.run(argv, env=dict(os.environ, DOCKER_HOST=docker_host),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            t = time.perf_counter() - t0
            if proc.returncode != 0:
                raise BenchFailure(f"{' '.join(argv)} exited {proc.returncode}\n"
                                   f"stdout: {proc.stdout[-2000:]}\nstderr: {proc.stderr[-2000:]}")
            took = all_tasks_running(stack_label, f"docker stack deploy run {rep}", t0)
            removal.append(remove_swarm(engine, stack_label, stack_prefix)[1])
            time.sleep(SETTLE_S)
            return took, t

        for rep in range(REPS_SWARM):  # berth, stack, berth, stack, ...
            took, t, _ = swarm_berth(rep)
            cold_berth.append(took)
            proc_berth.append(t)
            took, t = swarm_stack(rep)
            cold_stack.append(took)
            proc_stack.append(t)
            print(f"    rep {rep + 1} (berth then stack): berth {ms(cold_berth[-1])} (apply process {ms(proc_berth[-1])}), "
                  f"stack deploy {ms(cold_stack[-1])} (process {ms(proc_stack[-1])})", flush=True)
        _, _, swarm_state = swarm_berth("converged", keep=True)  # untimed: berth's 20 in place for the rest
        berth_med, stack_med = statistics.median(cold_berth), statistics.median(cold_stack)
        ratio = berth_med / stack_med
        results.append((f"swarm: cold converge, {N_SWARM} services x {SWARM_REPLICAS}, berth apply -> {n_tasks} tasks run",
                        ms(berth_med), "", "", f"runs {runs(cold_berth)}; apply process {runs(proc_berth)}"))
        results.append((f"swarm: docker stack deploy, same {N_SWARM} services -> {n_tasks} tasks run", ms(stack_med),
                        "", "", f"runs {runs(cold_stack)}; deploy process {runs(proc_stack)}"))
        results.append(("swarm cold converge: berth / stack deploy", f"{ratio:.2f}x", f"<= {TARGET_SWARM_RATIO:.2f}x",
                        verdict(ratio <= TARGET_SWARM_RATIO), "medians"))

        print(f"    no-op plan of the {N_SWARM} converged services, {REPS_PLAN} reps ...", flush=True)
        plan_swarm, plan_codes = [], []
        for _ in range(REPS_PLAN):
            t, proc = berth_swarm.run("plan", swarm_specs, swarm_state, "--detailed-exitcode", ok=(0, 2))
            plan_swarm.append(t)
            plan_codes.append(proc.returncode)
        med = statistics.median(plan_swarm)
        noop = all(rc == 0 for rc in plan_codes)
        results.append((f"swarm: no-op plan, {N_SWARM} services (exit 0)", ms(med), f"< {ms(TARGET_SWARM_PLAN_S)}",
                        verdict(noop and med < TARGET_SWARM_PLAN_S), f"runs {runs(plan_swarm)}"
                        + ("" if noop else f"; NOT a no-op: exit codes {plan_codes}, {proc.stdout.strip()[:200]!r}")))

        print(f"    one changed service (env of svc-01), berth apply, {REPS_CHANGE} reps ...", flush=True)
        change_proc, change_tasks, change_done = [], [], []
        for rep in range(REPS_CHANGE):
            value = "changed" if rep % 2 == 0 else "1"
            write_spec(swarm_specs, swarm_spec(1, env_value=value))
            before = {s["ID"]: (s["Spec"]["Name"], s["Version"]["Index"]) for s in services(engine, berth_label)}
            target_id = next(sid for sid, (name, _) in before.items() if name == f"{owner_swarm}-svc-01")
            t0 = time.perf_counter()
            t, _ = berth_swarm.run("apply", swarm_specs, swarm_state, "--parallel", str(PARALLEL))
            t1 = wait_until(f"svc-01's {SWARM_REPLICAS} tasks with N={value} running",
                            lambda: len(running_tasks(engine, {target_id}, f"N={value}")) == SWARM_REPLICAS,
                            120, SWARM_POLL_S)
            after = {s["ID"]: (s["Spec"]["Name"], s["Version"]["Index"]) for s in services(engine, berth_label)}
            updated = sorted(name for sid, (name, version) in after.items() if before.get(sid, (name, None))[1] != version)
            if set(after) != set(before) or updated != [f"{owner_swarm}-svc-01"]:
                raise BenchFailure(f"changed-service apply {rep}: services updated {updated}, "
                                   f"{len(after)} services (were {len(before)}); wanted svc-01 alone")
            # Untimed: Swarm finishes the rolling update (its monitor period) before the next rep.
            t2 = wait_until("svc-01's update completed",
                            lambda: ((engine.request("GET", f"/services/{target_id}")[1].get("UpdateStatus") or {})
                                     .get("State") == "completed"), 120, 0.1)
            berth_swarm.run("plan", swarm_specs, swarm_state, "--detailed-exitcode", ok=(0,))  # converged again
            change_proc.append(t)
            change_tasks.append(t1 - t0)
            change_done.append(t2 - t0)
            print(f"    rep {rep + 1}: apply {ms(t)}, updated tasks running {ms(t1 - t0)}, "
                  f"UpdateStatus completed {ms(t2 - t0)}", flush=True)
        results.append(("swarm: apply after 1 changed service (process)", ms(statistics.median(change_proc)), "", "",
                        f"runs {runs(change_proc)}"))
        results.append((f"swarm: changed service's {SWARM_REPLICAS} new tasks running", ms(statistics.median(change_tasks)),
                        "", "", f"runs {runs(change_tasks)}; from the apply's start; UpdateStatus completed "
                        f"{ms(statistics.median(change_done))} (median)"))
    finally:
        cleanup_errors = []
        # Watches first: a running watch would put back what is removed below.
        for watch in watches:
            if watch.proc.poll() is None:
                rc, _ = watch.stop()
                if rc != 0:
                    cleanup_errors.append(f"berth watch pid {watch.pid} exited {rc} on SIGTERM")
        # The floor's containers all carry berth.owner=floor-PID (and berth-bench.floor=PID-REP).
        for label in (f"berth.owner={owner}", f"berth.owner={owner_large}", f"berth.owner={floor_owner}",
                      f"berth.owner={owner_heal}", f"berth.owner={owner_idle}", f"berth.owner={owner_git}",
                      f"berth.owner=bench-{tag}-rr", f"berth.owner=bench-{tag}-rp"):
            try:
                engine.remove_labelled(label, pool)
            except Exception as exc:  # report, keep cleaning
                cleanup_errors.append(f"{label}: {exc}")
        try:
            remove_context_bench(engine, pool, owner_ctx)
        except Exception as exc:  # report, keep cleaning
            cleanup_errors.append(f"berth.owner={owner_ctx}: {exc}")
        # berth's swarm services and the stack (services, then its network once the tasks are gone).
        for label, prefix in ((f"berth.owner={owner_swarm}", f"{owner_swarm}-"), (f"{STACK_LABEL}={stack}", f"{stack}_")):
            try:
                remove_swarm(engine, label, prefix)
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
    print(f"  berth watch: `berth watch --specs S --state ST --owner O --debounce {DEBOUNCE}` (resync 60s, the default), "
          f"stderr to a file; each part starts its own watch\n"
          f"    and stops it with SIGTERM (exit code checked, in the table).")
    print(f"  file-to-running: watch on the {N_SMALL} converged specs of the apply runs; a complete new spec "
          f"(svc-{N_SMALL + 1}..) written outside the folder on the same\n"
          f"    filesystem, then os.rename'd into it; timed from the rename to the first GET /containers/json "
          f"(label+name filter, every {POLL_S * 1000:.0f} ms) showing State running.\n"
          f"    Right before each, the floor: the same create body (floor's owner label) POSTed and started by "
          f"the raw API on a keep-alive connection, timed in-process. Median of {REPS_WATCH}.\n"
          f"    The phase split (debounce, create+start, seen) comes from the watch's log stamps (ms resolution, wall clock).")
    print(f"  heal: spec with replicas {HEAL_REPLICAS}; POST /containers/ID/kill (SIGKILL) of replica 1, 2, ... "
          f"{HEAL_REPLICAS}, each killed once; timed from the kill request to a container\n"
          f"    for that replica running again (a new Id or a new StartedAt), polled every {POLL_S * 1000:.0f} ms. "
          f"berth backs off a container that dies again within 60 s of a heal (1 s, 2 s, 4 s ...);\n"
          f"    a different replica is killed each time so that every kill is a first death. berth keys that "
          f"backoff by spec, not by replica, so the kills are\n"
          f"    also spaced 1.5, 2.5, 4.5, 8.5 s apart (past each wait) to keep it out of the figures."
          + (f" berth's action: \"{heal_actions[0]}\"." if heal_actions else ""))
    print(f"  idle: {IDLE_SPECS} specs x {IDLE_REPLICAS} replicas created by the watch itself, then 3 s without "
          f"a log line; CPU = utime+stime from /proc/PID/stat over {IDLE_S:g} s of wall time,\n"
          f"    as % of one core; RSS = VmRSS from /proc/PID/status at the end. A 60 s window holds about one "
          f"periodic resync.")
    print(f"  large context [8]: an app folder of {CTX_FILES} files ({CTX_MB:g} MB), built and run once; no-op "
          f"`berth plan --detailed-exitcode` with that state folder (digests cached there) and with a fresh one "
          f"(every file read); then `berth watch` idle for {IDLE_S:g} s.")
    print(f"  git [9]: `berth watch --git file://ORIGIN --interval 10m --listen 127.0.0.1:PORT --webhook-secret-file F`; "
          f"each rep commits a new spec in a clone, then is timed from `git push` (a process)\n"
          f"    through the GitHub-style signed POST /hooks/git to GET /containers/json showing it running; the floor is "
          f"the same create+start through the raw API. Median of {REPS_GIT}.")
    if release is not None:
        print(f"  release [11]: each binary stripped on a copy (`strip`, sizes in MiB); `berth plan --specs S --state ST "
              f"--owner O` of {N_SMALL} specs none of whose containers exist, whole process, median of {REPS_RELEASE_PLAN} after a warm-up;\n"
              f"    `berth watch` creates {IDLE_SPECS} specs x {IDLE_REPLICAS} replicas, then 3 s without a log line "
              f"and {RELEASE_IDLE_S:g} s idle; VmRSS then. The release file first, then the previous build.")
    print(f"  targets [12]: berth.json with docker targets {', '.join(TARGETS_NAMES)} (default engine, engine.sh "
          f"instances b, c) and the group {TARGETS_GROUP}; {N_TARGETS_SPECS} specs with target {TARGETS_GROUP} and "
          f"docker.HostConfig.Init; `berth apply --config F --parallel {PARALLEL} --allow-mass-create`,\n"
          f"    {REPS_TARGETS_APPLY} reps against the raw create+start of {N_TARGETS_SPECS} on each engine alone "
          f"({PARALLEL} threads) and on all three at once, then one apply with --parallel {PARALLEL * len(TARGETS_NAMES)}; no-op `berth plan --detailed-exitcode`, median of "
          f"{REPS_TARGETS_PLAN};\n    then {TARGETS_NAMES[TARGETS_SSH]} as ssh://root@127.0.0.1 through a loopback "
          f"sshd (its sessions reach that engine), alternating with the all-unix plan; requests counted by a proxy socket.")
    print("  for comparison: Argo CD and Flux poll Git every few minutes by default; docker-compose has no daemon that heals.")
    print(f"  all spec containers: {IMAGE} `{' '.join(COMMAND)}` (engine runs with --init, so stops are immediate).")
    print(f"  swarm: the engine is a one-node swarm manager; the docker-target containers of [1]-[6] are removed first. "
          f"{N_SWARM} specs svc-01.. with target swarm,\n"
          f"    the same image and command, env N, replicas {SWARM_REPLICAS}, swarm "
          f"{json.dumps(swarm_spec(1)['swarm'])} (tasks do not inherit\n"
          f"    dockerd's --init); the compose file (version 3.8) has the same {N_SWARM} services with init: true, "
          f"environment N, deploy.replicas {SWARM_REPLICAS}, nothing else.")
    print(f"    `berth apply --specs S --state FRESH --owner {owner_swarm} --parallel {PARALLEL}` vs. "
          f"`docker -H HOST stack deploy -c compose.yml --resolve-image never {stack}`\n"
          f"    (CLI {cli or '?'}, detached: it returns once the services exist), berth, stack, berth, ... "
          f"{REPS_SWARM} reps each, no warm-up; each timed from its process start\n"
          f"    until GET /tasks (desired-state running, every {SWARM_POLL_S * 1000:.0f} ms) shows {n_tasks} tasks "
          f"of the owner's/stack's services (GET /services, label filter) in state running.\n"
          f"    stack deploy also creates an overlay network {stack}_default and attaches its tasks to it; "
          f"berth's services have no network. Between runs: DELETE /services/ID of each,\n"
          f"    wait until GET /containers/json?all=1 shows no container of theirs (label {SWARM_SERVICE_LABEL}, name prefix; took {statistics.median(removal):.1f} s "
          f"median), delete the stack's network, pause {SETTLE_S:g} s.")
    print(f"    no-op plan: `berth plan ... --detailed-exitcode` over the {N_SWARM} converged services, whole process, "
          f"median of {REPS_PLAN}. changed service: env N of svc-01 flipped, `berth apply`,\n"
          f"    median of {REPS_CHANGE}: process wall time, and from its start until GET /tasks (service, desired-state "
          f"running) shows {SWARM_REPLICAS} running tasks whose Spec.ContainerSpec.Env has\n"
          f"    the new N (Swarm's default update config: one task at a time, stop-first). Each rep checks that "
          f"only svc-01's Version changed, waits (untimed) for its\n"
          f"    UpdateStatus completed (Swarm's 5 s monitor period), and that plan then exits 0.")
    print("  cleanup: done (watches stopped; berth's, the floor's containers, berth's swarm services, the stack and "
          "the temp dir removed).")
    return 0

# ---------------------------------------------------------------- [13] rollout of 10 replicas

REPS_ROLLOUT = int(os.environ.get("BENCH_REPS_ROLLOUT", "3"))
ROLLOUT_REPLICAS = 10
ROLLOUT_PARALLELISM = 2
ROLLOUT_HEALTH = {"Test": ["CMD", "true"], "Interval": 1_000_000_000, "Timeout": 5_000_000_000, "Retries": 3}


def rollout_spec(n):
    """The berth spec: 10 replicas with a health check, update 2 at a time, stop-first (Swarm's default order)."""
    return {"name": "ro", "image": IMAGE, "command": COMMAND, "replicas": ROLLOUT_REPLICAS, "env": {"N": str(n)},
            "docker": {"HostConfig": {"Init": True}},
            "health": {"cmd": ["true"], "interval": "1s", "timeout": "5s", "retries": 3},
            "update": {"parallelism": ROLLOUT_PARALLELISM, "order": "stop-first", "failureAction": "rollback"}}


def rollout_service(name, n, label):
    """The same 10 tasks as a Swarm service with Swarm's own rolling update (monitor 1 s)."""
    return {"Name": name, "Labels": {label.split("=")[0]: label.split("=")[1]},
            "TaskTemplate": {"ContainerSpec": {"Image": IMAGE, "Command": COMMAND, "Init": True, "Env": [f"N={n}"],
                                               "Healthcheck": ROLLOUT_HEALTH}},
            "Mode": {"Replicated": {"Replicas": ROLLOUT_REPLICAS}},
            "UpdateConfig": {"Parallelism": ROLLOUT_PARALLELISM, "Order": "stop-first", "FailureAction": "rollback",
                             "Monitor": 1_000_000_000}}


def healthy_replicas(engine, label, env):
    found = 0
    for c in engine.containers(label):
        if c.get("State") != "running" or "(healthy)" not in c.get("Status", ""):
            continue
        _, inspected = engine.request("GET", f"/containers/{c['Id']}/json")
        if env in (inspected.get("Config") or {}).get("Env", []):
            found += 1
    return found


def bench_rollout(binary, engine, work, results, tag, docker_host, pool):
    """[13] A rollout of 10 replicas, 2 at a time, each proven healthy before the next batch:
    berth's container rollout (`apply` of a changed env) against Swarm's own rolling update of
    the same 10 tasks (POST /services/ID/update). Alternating, REPS_ROLLOUT reps each."""
    owner = f"bench-{tag}-r"
    berth = Berth(binary, docker_host, owner)
    label = f"bench.rollout={tag}"
    service = f"bench-{tag}-rollout"
    specs, state = os.path.join(work, "specs-rollout"), os.path.join(work, "state-rollout")
    os.makedirs(specs, exist_ok=True)
    print(f"\n[13] rollout of {ROLLOUT_REPLICAS} replicas, parallelism {ROLLOUT_PARALLELISM}, stop-first, health check "
          f"every 1 s: berth apply vs. Swarm's rolling update, alternating, {REPS_ROLLOUT} reps each ...", flush=True)
    berth_s, swarm_s, swarm_done_s = [], [], []
    try:
        write_spec(specs, rollout_spec(0))
        berth.run("apply", specs, state)
        wait_until("berth's 10 replicas healthy", lambda: healthy_replicas(engine, f"berth.owner={owner}", "N=0") == ROLLOUT_REPLICAS, 240)
        _, created = engine.request("POST", "/services/create", rollout_service(service, 0, label), ok=(201,))
        sid = created["ID"]
        wait_until("the service's 10 tasks running", lambda: len(running_tasks(engine, {sid}, "N=0")) == ROLLOUT_REPLICAS, 240, 0.1)
        for rep in range(1, REPS_ROLLOUT + 1):
            time.sleep(SETTLE_S)
            write_spec(specs, rollout_spec(rep))
            elapsed, _ = berth.run("apply", specs, state)
            if healthy_replicas(engine, f"berth.owner={owner}", f"N={rep}") != ROLLOUT_REPLICAS:
                raise BenchFailure(f"[13] berth's apply returned before its {ROLLOUT_REPLICAS} replicas were healthy on N={rep}")
            berth_s.append(elapsed)
            time.sleep(SETTLE_S)
            _, found = engine.request("GET", f"/services/{sid}")
            spec = found["Spec"]
            spec["TaskTemplate"]["ContainerSpec"]["Env"] = [f"N={rep}"]
            t0 = time.perf_counter()
            engine.request("POST", f"/services/{sid}/update?version={found['Version']['Index']}", spec, ok=(200,))
            wait_until("the update's tasks running", lambda: len(running_tasks(engine, {sid}, f"N={rep}")) == ROLLOUT_REPLICAS, 600, 0.1)
            swarm_s.append(time.perf_counter() - t0)

            def completed():
                _, now = engine.request("GET", f"/services/{sid}")
                return (now.get("UpdateStatus") or {}).get("State") == "completed"
            wait_until("the update completed", completed, 600, 0.1)
            swarm_done_s.append(time.perf_counter() - t0)
    finally:
        engine.request("DELETE", f"/services/{service}", ok=(200, 404))
        # Its owner network (OWNER-default) goes with the containers (remove_labelled).
        engine.remove_labelled(f"berth.owner={owner}", pool)
    b, w = statistics.median(berth_s), statistics.median(swarm_s)
    results.append(["[13] rollout 10 replicas, 2 at a time (berth)", ms(b), runs(berth_s)])
    results.append(["[13] rollout 10 tasks, 2 at a time (Swarm, tasks running)", ms(w), runs(swarm_s)])
    results.append(["[13] rollout 10 tasks (Swarm, UpdateStatus completed)", ms(statistics.median(swarm_done_s)), runs(swarm_done_s)])
    print(f"[13] berth {ms(b)} vs. Swarm {ms(w)} ({b / w:.2f}x); load {os.getloadavg()[0]:.1f}")


def main_rollout_only():
    """`scripts/bench.py --rollout-only`: section [13] alone."""
    binary = os.path.abspath(os.environ.get("BERTH", os.path.join(REPO, ".build/release/berth")))
    if not os.access(binary, os.X_OK):
        raise BenchFailure(f"berth binary not found at {binary} (run `swift build -c release --product berth`)")
    docker_host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    factory, _ = parse_docker_host(docker_host)
    engine = Engine(factory)
    pool, work, results = ThreadPool(PARALLEL), tempfile.mkdtemp(prefix="berth-bench-"), []
    print(f"berth bench [13] only: {binary}; engine {docker_host}; temp dir {work}")
    try:
        bench_rollout(binary, engine, work, results, f"{os.getpid()}", docker_host, pool)
    finally:
        pool.close()
        shutil.rmtree(work, ignore_errors=True)
    for row in results:
        print("  ".join(row))
    return 0


if __name__ == "__main__":
    try:
        if "--context-only" in sys.argv[1:]:
            sys.exit(main_context_only())
        if "--ssh-only" in sys.argv[1:]:
            sys.exit(main_ssh_only())
        if "--release-only" in sys.argv[1:]:
            sys.exit(main_release_only())
        if "--targets-only" in sys.argv[1:]:
            sys.exit(main_targets_only())
        if "--rollout-only" in sys.argv[1:]:
            sys.exit(main_rollout_only())
        sys.exit(main_git_only() if "--git-only" in sys.argv[1:] else main())
    except BenchFailure as exc:
        print(f"bench: FAILED: {exc}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
