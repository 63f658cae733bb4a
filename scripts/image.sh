#!/usr/bin/env bash
# Builds the Docker image of berth (issue 16) from a release file, with no registry: a root
# file system made of the release file and the few files of Debian 12's packages it needs,
# imported with `docker import`. `make image` runs it after `make release`.
#
#   scripts/image.sh dist/berth-VERSION-linux-ARCH     tags berth:VERSION and berth:latest
#
# The engine is DOCKER_HOST (make image: yours if set, else the private one of
# scripts/engine.sh). What goes in, and from which package (the image's labels name them):
#   /usr/local/bin/berth          the release file (static Swift runtime, README "Installing a release")
#   /usr/lib/<triplet>/...        the libraries `ldd` says it loads: libc6, libstdc++6, libgcc-s1,
#                                 libssl3 (libssl, libcrypto), with ld-linux at its usual path
#   /etc/ssl/certs/ca-certificates.crt and OpenSSL's /usr/lib/ssl links to it (ca-certificates)
#   /etc/passwd, /etc/group       root, a `berth` user (uid 1000) for those who run it without the
#                                 Docker socket (`--user berth`), nobody
#   /tmp, /specs, /state          /specs and /state are where the default command looks
# It runs as root by default: the Docker socket it is given is root-only on a normal host.
set -euo pipefail

file=$(readlink -f "${1:?usage: $0 dist/berth-VERSION-linux-ARCH}")
[ -x "$file" ] || { echo "image: $file is not an executable file; run make release" >&2; exit 1; }
: "${DOCKER_HOST:?image: set DOCKER_HOST to the engine to import into (make image picks one)}"
name=$(basename "$file")
version=${name#berth-}
version=${version%-linux-*}
[[ $version =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] ||
  { echo "image: $name: version \"$version\" is not a valid image tag" >&2; exit 1; }
repository=${BERTH_IMAGE_REPOSITORY:-berth}

command -v docker >/dev/null || { echo "image: no docker command (package docker.io; scripts/engine.sh up installs it)" >&2; exit 1; }
if [ ! -s /etc/ssl/certs/ca-certificates.crt ]; then
  echo "image: installing ca-certificates (the image's TLS roots)" >&2
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ca-certificates; } >&2
fi

root=$(mktemp -d "${TMPDIR:-/tmp}/berth-image.XXXXXX")
trap 'rm -rf "$root"' EXIT

# Debian 12's merged /usr: /lib, /lib64 and /bin are links into /usr.
mkdir -p "$root"/usr/{bin,lib,lib64,local/bin} "$root"/etc/ssl/certs "$root"/usr/lib/ssl "$root"/{tmp,specs,state,root,proc,sys,dev}
ln -s usr/lib "$root/lib"
ln -s usr/lib64 "$root/lib64"
ln -s usr/bin "$root/bin"
chmod 1777 "$root/tmp"
install -m 0755 "$file" "$root/usr/local/bin/berth"

# Each library at the path the loader found it (under /usr), as a file, not a link.
packages=()
libraries=$(ldd "$file" | awk '/=>/ { print $3 } !/=>/ && $1 ~ /^\// { print $1 }')
[ -n "$libraries" ] || { echo "image: ldd lists no libraries for $file" >&2; exit 1; }
for library in $libraries; do
  case "$library" in
    /usr/*) inside=$library ;;
    *) inside=/usr$library ;;
  esac
  mkdir -p "$root$(dirname "$inside")"
  cp -L "$library" "$root$inside"
  # dpkg knows a file by the path its package ships it at (/lib/... or /usr/lib/...).
  owner=""
  real=$(readlink -f "$library")
  for known in "$library" "$real" "${library#/usr}" "${real#/usr}"; do
    owner=$(dpkg -S "$known" 2>/dev/null | head -1 | cut -d: -f1) && break || owner=""
  done
  [ -z "$owner" ] || packages+=("$owner=$(dpkg-query -W -f='${Version}' "$owner" 2>/dev/null)")
done
case " ${libraries//$'\n'/ } " in
  *libssl.so.3*) ;;
  *) echo "image: ldd does not list libssl.so.3 for $file; expected it (BerthHTTP's TLS)" >&2; exit 1 ;;
esac

# TLS roots where OpenSSL (OPENSSLDIR /usr/lib/ssl) looks for them, as Debian links them.
cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
ln -s /etc/ssl/certs "$root/usr/lib/ssl/certs"
ln -s /etc/ssl/certs/ca-certificates.crt "$root/usr/lib/ssl/cert.pem"
packages+=("ca-certificates=$(dpkg-query -W -f='${Version}' ca-certificates 2>/dev/null)")

printf '%s\n' 'root:x:0:0:root:/root:/usr/sbin/nologin' 'berth:x:1000:1000:berth:/state:/usr/sbin/nologin' \
  'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin' >"$root/etc/passwd"
printf '%s\n' 'root:x:0:' 'berth:x:1000:' 'nogroup:x:65534:' >"$root/etc/group"
printf '%s\n' 'passwd: files' 'group: files' 'hosts: files dns' >"$root/etc/nsswitch.conf"

# Everything else it needs is mounted at run time: /specs (or --git), /state, the socket.
mapfile -t packages < <(printf '%s\n' "${packages[@]}" | sort -u)
# The images these tags name now: one left with no tag by this import is removed below.
previous=$(docker -H "$DOCKER_HOST" image inspect --format '{{.Id}}' "$repository:$version" "$repository:latest" 2>/dev/null | sort -u || true)
tar -C "$root" --numeric-owner --owner=0 --group=0 -c . | docker -H "$DOCKER_HOST" import \
  --change 'ENTRYPOINT ["/usr/local/bin/berth"]' \
  --change 'CMD ["watch","--specs","/specs","--state","/state"]' \
  --change 'ENV PATH=/usr/local/bin:/usr/bin' \
  --change "LABEL org.opencontainers.image.title=berth org.opencontainers.image.version=$version" \
  --change "LABEL berth.debian-packages=\"${packages[*]}\"" \
  --message "berth $version: the release file on Debian 12's ${packages[*]}" \
  - "$repository:$version" >/dev/null
docker -H "$DOCKER_HOST" tag "$repository:$version" "$repository:latest"
for id in $previous; do
  [ "$(docker -H "$DOCKER_HOST" image inspect --format '{{len .RepoTags}}' "$id" 2>/dev/null)" != 0 ] ||
    docker -H "$DOCKER_HOST" image rm "$id" >/dev/null 2>&1 || true   # kept while a container uses it
done
size=$(docker -H "$DOCKER_HOST" image inspect --format '{{.Size}}' "$repository:$version")
echo "image: $repository:$version and $repository:latest ($((size / 1024 / 1024)) MiB) at $DOCKER_HOST, from $name and ${packages[*]}"
