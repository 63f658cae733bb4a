#!/usr/bin/env bash
# Proves a release file is self-contained (issue 16): runs `berth version` and `berth plan`
# in a private mount namespace where the Swift toolchain's folder is hidden under an empty
# folder, so that nothing of the toolchain (libswiftCore.so, libFoundation*.so, ICU) can be
# loaded. Needs root (unshare -m) and an engine for `plan` at DOCKER_HOST (`make
# release-check` starts the private one). Usage: scripts/release-check.sh dist/berth-V-linux-ARCH
set -euo pipefail
file=$(readlink -f "${1:?usage: $0 dist/berth-VERSION-linux-ARCH}")
[ -x "$file" ] || { echo "release-check: $file is not an executable file; run make release" >&2; exit 1; }
: "${DOCKER_HOST:?release-check: set DOCKER_HOST to an engine (make release-check starts the private one)}"

# The toolchain: the folder above usr/bin/swift (/opt/swift here), wherever it is installed.
swift=$(command -v swift || true)
[ -n "$swift" ] || { echo "release-check: no swift on PATH, so there is no toolchain to hide" >&2; exit 1; }
toolchain=$(dirname "$(dirname "$(dirname "$(readlink -f "$swift")")")")
[ "$toolchain" != / ] || { echo "release-check: the toolchain is under / itself ($swift); cannot hide it" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/berth-release-check.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/empty" "$work/specs" "$work/state"
cat > "$work/specs/check.json" <<'SPEC'
{"name": "release-check", "image": "berth-demo/busybox:1", "command": ["sleep", "3600"]}
SPEC

# What the dynamic loader would load: libc, libssl3/libcrypto and libstdc++ only.
needed=$(readelf -d "$file" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
case " $needed " in
    *libswift*|*Foundation*|*icu*|*dispatch*|*BlocksRuntime*)
        echo "release-check: $file still needs toolchain libraries: $needed" >&2; exit 1 ;;
esac

export file toolchain work
# unshare -m makes the mounts private (util-linux's default), so the bind mount is seen by
# this one command only and vanishes with it.
unshare -m bash -euo pipefail -c '
    mount --bind "$work/empty" "$toolchain"
    if [ -e "$toolchain/usr/bin/swift" ]; then echo "release-check: $toolchain is still visible" >&2; exit 1; fi
    version=$("$file" version)
    plan=$("$file" plan --specs "$work/specs" --state "$work/state" --owner "berth-check-$$")
    printf "%s\n" "$version" | grep -q "^berth " || { echo "release-check: unexpected version output: $version" >&2; exit 1; }
    printf "%s\n" "$plan" | grep -q "^+ create docker container release-check #1" || { echo "release-check: the plan does not create the spec: $plan" >&2; exit 1; }
    echo "release-check: $(basename "$file") runs with $toolchain hidden: $(printf "%s\n" "$version" | head -1); plan: $(printf "%s\n" "$plan" | tail -1)"
'
echo "release-check: it loads $needed"
