#!/usr/bin/env python3
"""Records a real Docker Engine's answers for BerthDockerTests' fixtures.

    python3 scripts/record-docker-answers.py unix:///path/to/docker.sock [OUT.json]

Run it against the private engine (`scripts/engine.sh up --swarm`, whose last line is the
address). It plays the conversations berth's Docker adapters have (image inspect, container
create, a name conflict, inspect, the `-next` rename refused while the final name is held,
removal, the rename again, the event stream, service create, update, and update with a stale
version) under the owner "rec", records every request and answer, and removes what it made.
The output (default Tests/BerthDockerTests/Fixtures/engine-answers.json) is what the unit
tests replay: re-record it when the engine changes, and the tests say what berth relies on.
"""
import http.client
import json
import os
import socket
import sys
import time

OWNER = "rec"
IMAGE = "berth-demo/busybox:1"


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost", timeout=60)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.path)


class Recorder:
    def __init__(self, socket_path):
        self.socket_path = socket_path
        self.version = None
        self.exchanges = {}

    def call(self, method, path, body=None, record=None):
        connection = UnixConnection(self.socket_path)
        prefix = "/v%s" % self.version if self.version else ""
        payload = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if payload is not None else {}
        connection.request(method, prefix + path, body=payload, headers=headers)
        response = connection.getresponse()
        raw = response.read().decode()
        connection.close()
        try:
            answer = json.loads(raw) if raw.strip() else None
        except json.JSONDecodeError:
            # The event stream: one JSON object per line.
            answer = [json.loads(line) for line in raw.splitlines() if line.strip()]
        if record:
            entry = {"method": method, "path": path, "status": response.status, "answer": answer}
            if body is not None:
                entry["body"] = body
            self.exchanges[record] = entry
        return response.status, answer


def labels(name, replica, config_hash):
    return {"berth.owner": OWNER, "berth.name": name, "berth.replica": str(replica), "berth.config-hash": config_hash}


def body(name, replica, config_hash, env):
    return {"Image": IMAGE, "Hostname": "%s-%d" % (name, replica), "Env": env, "Cmd": ["sleep", "3600"],
            "Labels": labels(name, replica, config_hash), "HostConfig": {"Init": True}}


def main():
    host = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("DOCKER_HOST", "")
    if not host.startswith("unix://"):
        sys.exit("usage: record-docker-answers.py unix:///path/to/docker.sock [OUT.json]")
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
        os.path.dirname(__file__), "..", "Tests", "BerthDockerTests", "Fixtures", "engine-answers.json")
    r = Recorder(host[len("unix://"):])
    _, version = r.call("GET", "/version", record="version")
    r.version = min(version["ApiVersion"], "1.43", key=lambda v: [int(p) for p in v.split(".")])
    started = int(time.time())
    made_containers, made_services = [], []
    try:
        r.call("GET", "/images/%s/json" % IMAGE.replace("/", "%2F"), record="image-inspect")
        r.call("GET", "/images/berth-demo%2Fno-such:1/json", record="image-inspect-missing")
        # An outdated duplicate holds the final name (config "old"), as a crash mid-replace leaves it.
        status, old = r.call("POST", "/containers/create?name=rec-web-1", body("web", 1, "old", ["MODE=old"]),
                             record="create-old")
        made_containers.append(old["Id"])
        r.call("POST", "/containers/create?name=rec-web-1", body("web", 1, "new", ["MODE=new"]), record="create-conflict")
        r.call("GET", "/containers/rec-web-1/json", record="inspect-old")
        r.call("GET", "/containers/rec-none-1/json", record="inspect-missing")
        r.call("POST", "/containers/%s/start" % old["Id"], record="start-old")
        r.call("POST", "/containers/%s/start" % old["Id"], record="start-again")
        # The replacement under the temporary name, then the rename refused while the name is held.
        _, new = r.call("POST", "/containers/create?name=rec-web-1-next", body("web", 1, "new", ["MODE=new"]),
                        record="create-next")
        made_containers.append(new["Id"])
        r.call("GET", "/containers/rec-web-1-next/json", record="inspect-next")
        r.call("POST", "/containers/rec-web-1-next/rename?name=rec-web-1", record="rename-conflict")
        r.call("DELETE", "/containers/%s?force=true" % old["Id"], record="remove-old")
        r.call("DELETE", "/containers/%s?force=true" % old["Id"], record="remove-gone")
        r.call("POST", "/containers/rec-web-1-next/rename?name=rec-web-1", record="rename")
        r.call("GET", "/containers/rec-web-1/json", record="inspect-renamed")
        # A container berth did not make, holding a name berth wants.
        _, foreign = r.call("POST", "/containers/create?name=rec-api-1", {"Image": IMAGE, "Cmd": ["sleep", "3600"]},
                            record="create-foreign")
        made_containers.append(foreign["Id"])
        r.call("GET", "/containers/rec-api-1/json", record="inspect-foreign")
        r.call("GET", "/containers/json?all=1&filters=%s" % json.dumps({"label": ["berth.owner=rec"]}).replace(" ", ""),
               record="list")
        # Services: create, update with the version read, then again with that (now stale) version.
        service = {"Name": "rec-svc", "Labels": {"berth.owner": OWNER, "berth.name": "svc", "berth.config-hash": "s1"},
                   "TaskTemplate": {"ContainerSpec": {"Image": IMAGE, "Args": ["sleep", "3600"], "Init": True}},
                   "Mode": {"Replicated": {"Replicas": 1}}}
        _, created = r.call("POST", "/services/create", service, record="service-create")
        made_services.append(created["ID"])
        _, current = r.call("GET", "/services/%s" % created["ID"], record="service-inspect")
        stale = current["Version"]["Index"]
        service["Labels"]["berth.config-hash"] = "s2"
        r.call("POST", "/services/%s/update?version=%d" % (created["ID"], stale), service, record="service-update")
        r.call("GET", "/services/%s" % created["ID"], record="service-inspect-updated")
        service["Labels"]["berth.config-hash"] = "s3"
        r.call("POST", "/services/%s/update?version=%d" % (created["ID"], stale), service, record="service-update-stale")
        # What observe reads: the owner's services, and the running tasks (once the task runs).
        for _ in range(120):
            _, tasks = r.call("GET", "/tasks?filters=%s" % json.dumps({"desired-state": ["running"]}).replace(" ", ""))
            if any(t.get("ServiceID") == created["ID"] and t.get("Status", {}).get("State") == "running" for t in tasks):
                break
            time.sleep(0.5)
        r.call("GET", "/services?filters=%s" % json.dumps({"label": ["berth.owner=rec"]}).replace(" ", ""), record="service-list")
        r.call("GET", "/tasks?filters=%s" % json.dumps({"desired-state": ["running"]}).replace(" ", ""), record="task-list")
        r.call("DELETE", "/services/%s" % created["ID"], record="service-remove")
        made_services.remove(created["ID"])
        r.call("DELETE", "/services/%s" % created["ID"], record="service-remove-gone")
    finally:
        for cid in made_containers:
            r.call("DELETE", "/containers/%s?force=true" % cid)
        for sid in made_services:
            r.call("DELETE", "/services/%s" % sid)
    until = int(time.time()) + 1
    r.call("GET", "/events?since=%d&until=%d&filters=%s" % (
        started, until, json.dumps({"type": ["container"], "label": ["berth.owner=rec"]}).replace(" ", "")), record="events")
    with open(out, "w") as f:
        json.dump({"recorded": "Docker Engine %s, API %s (berth asks for %s)" % (
            version.get("Version"), version.get("ApiVersion"), r.version), "exchanges": r.exchanges}, f, indent=1, sort_keys=True)
        f.write("\n")
    print("recorded %d exchanges into %s" % (len(r.exchanges), out))


if __name__ == "__main__":
    main()
