#!/usr/bin/env bash
# scripts/engine.sh - a private Docker Engine for berth's `make run` / `make test`.
#
#   scripts/engine.sh up [--swarm]   start it (idempotent); last stdout line is unix://SOCK
#   scripts/engine.sh host           print unix://SOCK (whether or not it runs)
#   scripts/engine.sh down           stop it (SIGTERM, 30 s, then SIGKILL); keeps its data
#   scripts/engine.sh image NAME:TAG import the busybox demo image under another name
#   scripts/engine.sh status         say whether it runs (exit 0 if it does, 3 if not)
#
# Usage from make:  DOCKER_HOST=$(scripts/engine.sh up)
#
# More engines side by side (tests of many targets): BERTH_ENGINE_INSTANCE=b (one lower-case
# letter or digit) makes every command above act on another engine, with its own data root
# (state/engine-b), sockets, pidfile, bridge berth-<hash>b, subnet, address pool and containerd namespace.
# Without the variable it is the one engine under state/engine, as always.
# BERTH_ENGINE_IPTABLES=false starts it with --iptables=false (for engines started while
# others are in use: see start_engine).
#
# Everything lives under <repo>/state/engine (git-ignored): data-root, dockerd.log.
# The sockets, exec-root and pidfile go to a short directory because a Unix socket
# path must stay under 108 bytes: state/engine itself when the repo path is short,
# else /run/berth-<first 8 hex of sha256(repo path)>.
#
# Needs root. Only Debian's package repositories are needed: docker.io and
# busybox-static are installed with apt-get when missing; images are made locally.
#
# The engine is kept apart from a system Docker that may run on the same host:
#   - its own bridge "berth-<hash>" on a free 172.29.N.0/24 (or BERTH_ENGINE_BIP) instead of docker0,
#   - its own containerd namespaces (in case it shares the system containerd).
# Never send traffic to container addresses; publish ports on 127.0.0.1.
set -euo pipefail

readonly DEMO_IMAGE="berth-demo/busybox:1"
readonly START_TIMEOUT=60
readonly STOP_TIMEOUT=30

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
readonly ROOT
REPO_HASH="$(printf '%s' "$ROOT" | sha256sum | cut -c1-8)"
readonly REPO_HASH
INSTANCE="${BERTH_ENGINE_INSTANCE:-}"
[[ -z $INSTANCE || $INSTANCE =~ ^[a-z0-9]$ ]] ||
  { printf 'berth: error: BERTH_ENGINE_INSTANCE=%s: give one lower-case letter or digit\n' "$INSTANCE" >&2; exit 2; }
readonly INSTANCE
# One bridge per checkout and instance (name <= 15 bytes), so that two engines, or a
# system Docker's docker0, never hand out the same container addresses.
readonly BRIDGE="berth-$REPO_HASH$INSTANCE"
readonly STATE_DIR="$ROOT/state/engine${INSTANCE:+-$INSTANCE}"
readonly STATE_NAME="state/engine${INSTANCE:+-$INSTANCE}"
readonly DATA_DIR="$STATE_DIR/data"
readonly LOG_FILE="$STATE_DIR/dockerd.log"
readonly LOCK_FILE="$STATE_DIR/lock"

# The longest socket path the engine creates is its supervised containerd's
# <exec-root>/containerd/containerd.sock.ttrpc; keep that one under 100 bytes.
run_dir() {
  local longest="$STATE_DIR/exec/containerd/containerd.sock.ttrpc"
  if ((${#longest} < 100)); then
    printf '%s\n' "$STATE_DIR"
  else
    printf '/run/berth-%s%s\n' "$REPO_HASH" "${INSTANCE:+-$INSTANCE}"
  fi
}
RUN_DIR="$(run_dir)"
readonly RUN_DIR
readonly SOCK="$RUN_DIR/docker.sock"
HOST="unix://$SOCK"
readonly EXEC_DIR="$RUN_DIR/exec"
readonly PID_FILE="$RUN_DIR/dockerd.pid"

TMP_ROOTFS=""

say() { printf 'berth: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

dk() { docker -H "$HOST" "$@"; }

need_root() {
  [[ $(id -u) -eq 0 ]] || die "the private Docker Engine needs root (run as root or with sudo)"
}

# --- probing ---------------------------------------------------------------

engine_answers() {
  [[ -S $SOCK ]] || return 1
  if command -v curl >/dev/null 2>&1; then
    [[ $(curl -fsS --max-time 3 --unix-socket "$SOCK" http://x/_ping 2>/dev/null) == OK ]]
  elif command -v docker >/dev/null 2>&1; then
    timeout 5 docker -H "$HOST" version >/dev/null 2>&1
  else
    return 1
  fi
}

# pid_alive FILE COMM: prints the pid in FILE if it is a live (not zombie) COMM process.
# (Zombies count as dead: a killed daemon may stay a zombie for a while when
# PID 1 is slow to reap, and kill -0 still "sees" it.)
pid_alive() {
  [[ -f $1 ]] || return 1
  local pid state comm
  pid="$(tr -dc '0-9' <"$1")"
  [[ -n $pid && -r /proc/$pid/stat ]] || return 1
  comm="$(cat "/proc/$pid/comm" 2>/dev/null || true)"
  [[ $comm == "$2" ]] || return 1
  state="$(sed -E 's/^[0-9]+ \(.*\) ([A-Za-z]).*/\1/' "/proc/$pid/stat" 2>/dev/null || true)"
  [[ -n $state && $state != Z && $state != X ]] || return 1
  printf '%s\n' "$pid"
}

live_pid() { pid_alive "$PID_FILE" dockerd; }

# --- installation ------------------------------------------------------------

pkg_installed() {
  [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true) == "install ok installed" ]]
}

apparmor_enabled() {
  [[ $(cat /sys/module/apparmor/parameters/enabled 2>/dev/null || true) == Y ]]
}

install_packages() {
  local -a pkgs=()
  command -v dockerd >/dev/null 2>&1 || pkgs+=(docker.io)
  command -v docker >/dev/null 2>&1 || pkgs+=(docker.io)
  pkg_installed busybox-static || pkgs+=(busybox-static)
  command -v ip >/dev/null 2>&1 || pkgs+=(iproute2)
  # dockerd loads its docker-default AppArmor profile when the kernel has AppArmor on.
  if apparmor_enabled && ! command -v apparmor_parser >/dev/null 2>&1; then
    pkgs+=(apparmor)
  fi
  ((${#pkgs[@]} > 0)) || return 0
  mapfile -t pkgs < <(printf '%s\n' "${pkgs[@]}" | sort -u)
  command -v apt-get >/dev/null 2>&1 || die "missing ${pkgs[*]} and no apt-get to install them"
  say "installing ${pkgs[*]} with apt-get"
  # Keep the packages' own services (system docker.service, containerd.service)
  # from starting during the install: we only want the binaries, and a system
  # Docker would share iptables chains with ours. Done with a temporary
  # policy-rc.d, only if the host has none.
  local policy=/usr/sbin/policy-rc.d made_policy=""
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    made_policy=1
  fi
  local rc=0
  {
    DEBIAN_FRONTEND=noninteractive apt-get update -q &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${pkgs[@]}"
  } >&2 || rc=$?
  [[ -z $made_policy ]] || rm -f "$policy"
  ((rc == 0)) || die "apt-get failed (exit $rc)"
}

# dockerd needs cgroups. A normal Debian 12 host mounts cgroup2 at /sys/fs/cgroup;
# some sandboxes mount nothing there, which cgroupfs-mount fixes.
ensure_cgroups() {
  if mountpoint -q /sys/fs/cgroup 2>/dev/null && [[ -n $(ls -A /sys/fs/cgroup 2>/dev/null) ]]; then
    return 0
  fi
  say "no cgroup filesystem at /sys/fs/cgroup; mounting it with cgroupfs-mount"
  if ! command -v cgroupfs-mount >/dev/null 2>&1; then
    {
      DEBIAN_FRONTEND=noninteractive apt-get update -q &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends cgroupfs-mount
    } >&2 || die "could not install cgroupfs-mount"
  fi
  cgroupfs-mount >&2 || die "cgroupfs-mount failed"
}

# Our own bridge (dockerd --bridge needs it to exist). Its address is chosen once,
# when it is created: BERTH_ENGINE_BIP (a.b.c.1/24) if set, else the first
# 172.29.N.1/24 no route of this host overlaps, N starting from the repo hash.
route_clash() {
  ip -4 route show match "${1%/*}" | grep -v '^default' || true
}

ensure_bridge() {
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    local cidr="" n i
    if [[ -n ${BERTH_ENGINE_BIP:-} ]]; then
      cidr="$BERTH_ENGINE_BIP"
      [[ -z $(route_clash "$cidr") ]] || die "BERTH_ENGINE_BIP=$cidr overlaps a route of this host"
    else
      # Another instance starts its search further on, so two rarely race for one subnet.
      local offset=0
      [[ -z $INSTANCE ]] || offset=$(($(printf '%d' "'$INSTANCE") * 7))
      n=$(((16#${REPO_HASH:0:2} + offset) % 256))
      for ((i = 0; i < 256; i++)); do
        if [[ -z $(route_clash "172.29.$(((n + i) % 256)).1/24") ]]; then
          cidr="172.29.$(((n + i) % 256)).1/24"
          break
        fi
      done
      [[ -n $cidr ]] || die "no free 172.29.N.0/24 for bridge $BRIDGE; set BERTH_ENGINE_BIP=a.b.c.1/24"
    fi
    ip link add "$BRIDGE" type bridge
    ip addr add "$cidr" dev "$BRIDGE"
    say "created bridge $BRIDGE ($cidr) for the engine's containers"
  fi
  ip -4 addr show dev "$BRIDGE" | grep -q 'inet ' ||
    die "bridge $BRIDGE has no IPv4 address; delete it (ip link del $BRIDGE) and retry"
  ip link set "$BRIDGE" up
}

# The engine's own pool for the networks it makes (berth makes one per owner): Docker's
# default pools hold about 30 networks, which a test suite of many owners runs out of
# ("could not find an available, non-overlapping IPv4 address pool"). Each engine gets a
# 10.N.0.0/16 of /24s (256 networks), N from the repo hash and instance, the first N no
# route of this host touches; chosen once and kept in the state folder so it stays the
# same across restarts (BERTH_ENGINE_POOL=a.b.0.0/16 sets it). 10.0.0.0/16 is left to
# Swarm's overlays.
pool_clash() {
  { ip -4 route show match "${1%/*}"; ip -4 route show root "$1"; } | grep -v '^default' || true
}

address_pool() {
  local file="$STATE_DIR/address-pool" pool="" n i
  if [[ -n ${BERTH_ENGINE_POOL:-} ]]; then
    printf '%s\n' "$BERTH_ENGINE_POOL"
    return 0
  fi
  if [[ -s $file ]]; then
    pool="$(cat "$file")"
    if [[ -z $(pool_clash "$pool") ]] || live_pid >/dev/null; then
      printf '%s\n' "$pool"
      return 0
    fi
  fi
  local offset=0
  [[ -z $INSTANCE ]] || offset=$(($(printf '%d' "'$INSTANCE") * 13))
  n=$(((16#${REPO_HASH:2:2} + offset) % 200))
  for ((i = 0; i < 200; i++)); do
    # 10.20-219: clear of 10.0 (Swarm) and of the low blocks other tools like.
    pool="10.$((20 + (n + i) % 200)).0.0/16"
    if [[ -z $(pool_clash "$pool") ]]; then
      printf '%s\n' "$pool" >"$file"
      printf '%s\n' "$pool"
      return 0
    fi
  done
  die "no free 10.N.0.0/16 for the engine's networks; set BERTH_ENGINE_POOL=a.b.0.0/16"
}

# --- start / stop --------------------------------------------------------------

clear_stale() {
  if [[ -e $PID_FILE ]] && ! live_pid >/dev/null; then
    say "removing stale pidfile $PID_FILE (its dockerd is gone)"
    rm -f "$PID_FILE"
  fi
  if [[ -e $SOCK ]] && ! live_pid >/dev/null; then
    rm -f "$SOCK"
  fi
  # dockerd's own containerd: after a kill -9 of dockerd its pidfile can name a
  # dead (or zombie) containerd, and dockerd would then wait for it forever
  # ("failed to start containerd: timeout waiting for containerd to start").
  local cdir="$EXEC_DIR/containerd"
  if [[ -e $cdir/containerd.pid ]] && ! pid_alive "$cdir/containerd.pid" containerd >/dev/null; then
    say "removing stale containerd pidfile/sockets in $cdir"
    rm -f "$cdir/containerd.pid" "$cdir/containerd.sock" "$cdir/containerd.sock.ttrpc" "$cdir/containerd-debug.sock"
  fi
}

# start_dockerd EXTRA-ARGS...: returns 0 once _ping answers, 1 if dockerd died.
start_dockerd() {
  local pool
  pool="$(address_pool)"
  local -a args=(
    --data-root "$DATA_DIR"
    --exec-root "$EXEC_DIR"
    --host "$HOST"
    --pidfile "$PID_FILE"
    --bridge "$BRIDGE"
    --containerd-namespace "berth${INSTANCE:+-$INSTANCE}"
    --containerd-plugins-namespace "berth${INSTANCE:+-$INSTANCE}-plugins"
    --init
    --default-address-pool "base=$pool,size=24"
    "$@"
  )
  printf '\n=== %s: dockerd %s\n' "$(date -u +%FT%TZ)" "${args[*]}" >>"$LOG_FILE"
  # New session, no terminal, no inherited lock fd: it must outlive this script and make.
  setsid dockerd "${args[@]}" </dev/null >>"$LOG_FILE" 2>&1 9>&- &
  local pid=$! i
  for ((i = 0; i < START_TIMEOUT * 4; i++)); do
    engine_answers && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.25
  done
  say "dockerd did not answer within ${START_TIMEOUT}s; stopping it (log: $LOG_FILE)"
  kill -TERM "$pid" 2>/dev/null || true
  return 1
}

log_since_last_start() {
  awk '/^=== /{buf=""} {buf = buf $0 "\n"} END{printf "%s", buf}' "$LOG_FILE"
}

start_engine() {
  need_root
  install_packages
  ensure_cgroups
  ensure_bridge
  mkdir -p "$RUN_DIR" "$DATA_DIR"
  clear_stale
  # BERTH_ENGINE_IPTABLES=false: an engine started while others run (the tests' engine d).
  # A dockerd with iptables on removes and remakes the host's shared DOCKER chains as it
  # starts; a network created meanwhile on another engine fails with "Chain 'DOCKER' does
  # not exist". Ports published on 127.0.0.1 still work through docker-proxy.
  local -a extra=()
  [[ ${BERTH_ENGINE_IPTABLES:-true} != false ]] || extra=(--iptables=false)
  if start_dockerd "${extra[@]}"; then
    :
  elif log_since_last_start | grep -qiE 'iptables|nat chain|failed to create NAT'; then
    say "dockerd could not set up iptables here; retrying with --iptables=false" \
      "(ports published on 127.0.0.1 still work through docker-proxy)"
    clear_stale
    start_dockerd --iptables=false || {
      log_since_last_start | tail -n 20 >&2
      die "dockerd failed to start (log: $LOG_FILE)"
    }
  else
    log_since_last_start | tail -n 20 >&2
    die "dockerd failed to start (log: $LOG_FILE)"
  fi
  say "started a private Docker Engine at $HOST ($STATE_NAME)"
}

# dockerd bind-mounts its data-root onto itself; a killed dockerd leaves that
# mount behind (then `rm -rf state` fails with "Device or resource busy").
# Drop it once no dockerd runs; the data itself stays.
unmount_data_bind() {
  live_pid >/dev/null && return 0
  local root mnt
  while read -r _ _ _ root mnt _; do
    if [[ $mnt == "$DATA_DIR" && $root != / && $DATA_DIR == *"$root" ]]; then
      umount "$DATA_DIR" 2>/dev/null || umount -l "$DATA_DIR" || true
    fi
  done </proc/self/mountinfo
}

stop_engine() {
  local pid i
  if ! pid="$(live_pid)"; then
    clear_stale
    unmount_data_bind
    say "the private Docker Engine is not running ($HOST)"
    return 0
  fi
  kill -TERM "$pid"
  for ((i = 0; i < STOP_TIMEOUT * 4; i++)); do
    live_pid >/dev/null || break
    sleep 0.25
  done
  if live_pid >/dev/null; then
    say "dockerd $pid still running after ${STOP_TIMEOUT}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 1
  fi
  clear_stale
  unmount_data_bind
  say "stopped the private Docker Engine ($HOST); its data stays in $STATE_NAME"
}

# --- swarm and images ------------------------------------------------------------

ensure_swarm() {
  local state manager i
  for ((i = 0; i < 60; i++)); do
    state="$(dk info --format '{{.Swarm.LocalNodeState}}')"
    [[ $state == pending ]] || break
    sleep 0.5
  done
  manager="$(dk info --format '{{.Swarm.ControlAvailable}}')"
  if [[ $state == active && $manager == true ]]; then
    return 0
  fi
  [[ $state == inactive ]] ||
    die "swarm state is '$state' (manager: $manager); fix it with: docker -H $HOST swarm leave --force"
  # 2377 is Swarm's own port; another checkout's engine may hold it, so take the first free
  # one from there (the swarm is one node on loopback: nobody needs to find it).
  local port=2377
  while (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null; do port=$((port + 1)); done
  # Overlay traffic (VXLAN) goes to a UDP port of its own per engine, moved with the swarm
  # port: two swarms on one host with one VXLAN port collide ("error creating vxlan
  # interface: file exists") and their tasks never start.
  dk swarm init --advertise-addr "127.0.0.1:$port" --listen-addr "127.0.0.1:$port" \
    --data-path-port $((4789 + port - 2377)) >/dev/null
  say "made the private engine a one-node swarm manager (127.0.0.1:$port)"
}

# import_image NAME:TAG: a scratch image of Debian's static busybox with its applet
# links; CMD sh, WORKDIR /www holding an index.html that names the image (so
# `httpd -f -p 80` answers 200 and two imported names never share an image ID).
import_image() {
  local ref="$1"
  if dk image inspect "$ref" >/dev/null 2>&1; then
    return 0
  fi
  local busybox=/bin/busybox
  [[ -x $busybox ]] || die "$busybox missing (package busybox-static)"
  local dir
  dir="$(mktemp -d "$STATE_DIR/rootfs.XXXXXX")"
  TMP_ROOTFS="$dir"
  trap 'rm -rf "$TMP_ROOTFS"' EXIT
  mkdir -p "$dir/bin" "$dir/etc" "$dir/tmp" "$dir/root" "$dir/www" "$dir/proc" "$dir/sys" "$dir/dev"
  chmod 1777 "$dir/tmp"
  cp "$busybox" "$dir/bin/busybox"
  local applet
  while read -r applet; do
    [[ -n $applet && $applet != busybox && ! -e $dir/bin/$applet ]] || continue
    ln -s busybox "$dir/bin/$applet"
  done < <("$busybox" --list)
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$dir/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$dir/etc/group"
  printf 'berth demo image %s\n' "$ref" >"$dir/www/index.html"
  tar -C "$dir" -c . | dk import \
    -c 'ENV PATH=/bin' -c 'WORKDIR /www' -c 'CMD ["sh"]' \
    -m "berth: Debian busybox-static $(dpkg-query -W -f='${Version}' busybox-static 2>/dev/null || true)" \
    - "$ref" >/dev/null
  rm -rf "$dir"
  say "imported image $ref (busybox)"
}

# --- commands ----------------------------------------------------------------------

lock() {
  mkdir -p "$STATE_DIR"
  exec 9>"$LOCK_FILE"
  flock -w 120 9 || die "another scripts/engine.sh holds $LOCK_FILE"
}

cmd_up() {
  local swarm=""
  while (($# > 0)); do
    case "$1" in
      --swarm) swarm=1 ;;
      *) die "up: unknown option $1" ;;
    esac
    shift
  done
  lock
  if ! engine_answers; then
    start_engine
  fi
  [[ -z $swarm ]] || ensure_swarm
  import_image "$DEMO_IMAGE"
  printf '%s\n' "$HOST"
}

cmd_image() {
  (($# == 1)) || die "usage: scripts/engine.sh image NAME:TAG"
  [[ $1 == *:* ]] || die "image: give NAME:TAG, got '$1'"
  lock
  engine_answers || die "the private Docker Engine is not running; run: scripts/engine.sh up"
  import_image "$1"
}

# image-at HOST NAME:TAG: the demo image on an engine that is not ours (make run on a
# machine that already has Docker running).
cmd_image_at() {
  (($# == 2)) || die "usage: scripts/engine.sh image-at unix:///path|tcp://host:port NAME:TAG"
  HOST="$1"
  mkdir -p "$STATE_DIR"
  timeout 10 docker -H "$HOST" version >/dev/null 2>&1 || die "no Docker Engine answers at $HOST"
  import_image "$2"
}

cmd_status() {
  local pid
  if engine_answers; then
    pid="$(live_pid || echo '?')"
    printf 'running: %s (dockerd pid %s, swarm %s)\n' "$HOST" "$pid" \
      "$(dk info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null || echo '?')"
  elif pid="$(live_pid)"; then
    printf 'starting or stuck: dockerd pid %s does not answer at %s\n' "$pid" "$HOST"
    return 3
  else
    printf 'stopped: %s\n' "$HOST"
    return 3
  fi
}

main() {
  local cmd="${1:-}"
  (($# == 0)) || shift
  case "$cmd" in
    up) cmd_up "$@" ;;
    host) printf '%s\n' "$HOST" ;;
    down) lock && stop_engine ;;
    image) cmd_image "$@" ;;
    image-at) cmd_image_at "$@" ;;
    status) cmd_status ;;
    *)
      sed -n '2,9s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
      exit 2
      ;;
  esac
}

main "$@"
