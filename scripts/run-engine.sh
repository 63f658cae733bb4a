#!/usr/bin/env bash
# For `make run`: print the address of a Docker Engine that answers, with the demo image
# loaded. An engine at $DOCKER_HOST or /var/run/docker.sock is used as it is; otherwise
# berth's private engine under state/ is installed and started (scripts/engine.sh says so).
set -euo pipefail
cd "$(dirname "$0")/.."

answers() { command -v docker >/dev/null 2>&1 && timeout 10 docker -H "$1" version >/dev/null 2>&1; }

for candidate in "${DOCKER_HOST:-}" unix:///var/run/docker.sock; do
    [[ -n $candidate ]] || continue
    if answers "$candidate"; then
        scripts/engine.sh image-at "$candidate" berth-demo/busybox:1 >&2
        printf '%s\n' "$candidate"
        exit 0
    fi
done
scripts/engine.sh up
