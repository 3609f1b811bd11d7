#!/usr/bin/env bash
# Stand-ins that already hold what the debian worker recipe (images/debian/Dockerfile)
# installs, for the example (scripts/example.sh): an image of standin-images.sh plus
# nodejs, libclang1-19 and libclang-common-19-dev with their dependencies. Populate still
# builds its worker image on them with the recipe, but the recipe's apt-get install finds
# everything installed: on linux/arm64, under QEMU, that step takes seconds instead of the
# minutes that dpkg unpacking and configuring two dozen packages there takes.
#
# Nothing of the target runs: apt on the host resolves the packages for the image's
# architecture against the image's own dpkg status and downloads them, dpkg-deb unpacks
# them, and their control fields are added to the image's status as installed (with their
# file lists). No maintainer script runs: these packages' scripts only call ldconfig, and
# Debian's loader searches the multiarch directories without its cache.
#
# The e2e tests keep the plain stand-ins (no node, no libclang): they test the recipe
# installing them.
#
#   worker-standins.sh PLATFORM=BASE ...   e.g. linux/arm64=headerkit-standin/bookworm:arm64-0123456789ab
#
# Each image is tagged by a hash of this script, standin-lib.sh, the base image's ID and
# the arch; when that tag exists nothing is built. Stdout gets one line per image,
# "<platform> <tag>"; the rest goes to stderr. Needs a Docker Engine and, to build, root.
set -euo pipefail

SELF=$(readlink -f "$0")
REPO=headerkit-standin/bookworm-worker
MIRROR=http://deb.debian.org/debian
SUITE=bookworm
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
PACKAGES=(nodejs libclang1-19 libclang-common-19-dev)

# shellcheck source=standin-lib.sh
source "$(dirname "$SELF")/standin-lib.sh"

# The image's tag: its recipe (this script and standin-lib.sh), its base image's ID, its arch.
worker_tag_of() { echo "$REPO:$1-$({ cat "$SELF" "$STANDIN_LIB"; echo "arch=$1 base=$2"; } | sha256sum | cut -c1-12)"; }

build() {
  local platform=$1 base=$2 arch=$3 tag=$4 work=$5 t0=$SECONDS
  local apt=$work/apt layer=$work/layer
  mkdir -p "$apt"/etc/apt/{apt.conf.d,preferences.d,sources.list.d} "$apt"/var/lib/apt/lists/partial \
    "$apt"/var/cache/apt/archives/partial "$apt"/var/lib/dpkg "$layer"/var/lib/dpkg/info "$work/ctx"
  # What the base has installed, so that apt downloads only what it lacks.
  local cid
  cid=$(docker create --platform "$platform" "$base" /bin/true)
  docker cp "$cid:/var/lib/dpkg/status" - | tar -xO >"$apt/var/lib/dpkg/status"
  docker rm "$cid" >/dev/null
  # An apt of its own: the target's architecture, the base's status, no host configuration.
  cat >"$work/apt.conf" <<EOF
Dir "$apt/";
Dir::State::status "$apt/var/lib/dpkg/status";
APT::Architecture "$arch";
APT::Architectures { "$arch"; };
APT::Install-Recommends "false";
EOF
  echo "deb [signed-by=$KEYRING] $MIRROR $SUITE main" >"$apt/etc/apt/sources.list"
  APT_CONFIG=$work/apt.conf apt-get -qq update
  APT_CONFIG=$work/apt.conf apt-get -qq -y --download-only install "${PACKAGES[@]}" >/dev/null
  cp "$apt/var/lib/dpkg/status" "$layer/var/lib/dpkg/status"
  [ -z "$(tail -c 1 "$layer/var/lib/dpkg/status")" ] || echo >>"$layer/var/lib/dpkg/status"
  local deb pkg name
  for deb in "$apt"/var/cache/apt/archives/*.deb; do
    pkg=$(dpkg-deb -f "$deb" Package)
    name=$pkg
    [ "$(dpkg-deb -f "$deb" Multi-Arch)" = same ] && name=$pkg:$(dpkg-deb -f "$deb" Architecture)
    # Unpacked once; what tar writes is dpkg's list of the package's files.
    dpkg-deb --fsys-tarfile "$deb" | tar -x -v -C "$layer" |
      sed -e 's|^\./|/|' -e 's|/$||' -e 's|^$|/.|' >"$layer/var/lib/dpkg/info/$name.list"
    # Its checksums too, as dpkg keeps them (dpkg --audit asks for them).
    dpkg-deb --ctrl-tarfile "$deb" | tar -x -O ./md5sums >"$layer/var/lib/dpkg/info/$name.md5sums" 2>/dev/null ||
      rm -f "$layer/var/lib/dpkg/info/$name.md5sums"
    { dpkg-deb -f "$deb" | sed '1a Status: install ok installed'; echo; } >>"$layer/var/lib/dpkg/status"
    echo "$name"
  done
  # /bin, /lib and /sbin are symlinks into /usr in the base: a directory in the layer would replace them.
  local d
  for d in bin sbin lib lib32 lib64; do
    [ ! -e "$layer/$d" ] || { echo "a package unpacks into /$d, which is a symlink into /usr in the base" >&2; return 1; }
  done
  tar --numeric-owner -C "$layer" -cf "$work/ctx/layer.tar" .
  printf '%s\n' "FROM $base" 'ADD layer.tar /' >"$work/ctx/Dockerfile"
  DOCKER_BUILDKIT=0 docker build --platform "$platform" -t "$tag" "$work/ctx"
  echo "built $tag in $((SECONDS - t0)) s"
}

(($#)) || { echo "worker-standins: usage: worker-standins.sh PLATFORM=BASE_IMAGE ..." >&2; exit 2; }
require_docker worker-standins
exec 8>/var/tmp/headerkit-worker-standins.lock
flock 8
work=$(mktemp -d /var/tmp/headerkit-worker-standins.XXXXXX)
trap 'rm -rf --one-file-system "$work"' EXIT
declare -A pids tags
for spec in "$@"; do
  platform=${spec%%=*} base=${spec#*=}
  [ "$platform" != "$spec" ] && [ -n "$base" ] || { echo "worker-standins: $spec is not PLATFORM=BASE_IMAGE" >&2; exit 2; }
  read -r base_id os arch < <(docker image inspect "$base" --format '{{.Id}} {{.Os}} {{.Architecture}}' 2>/dev/null) ||
    { echo "worker-standins: no image $base here; build it first (standin-images.sh)" >&2; exit 1; }
  [ "$os/$arch" = "$platform" ] || { echo "worker-standins: $base is $os/$arch, not $platform" >&2; exit 1; }
  tag=$(worker_tag_of "$arch" "$base_id")
  tags[$platform]=$tag
  have "$tag" && continue
  [ "$(id -u)" = 0 ] || { echo "worker-standins: $tag to build and that needs root; run: sudo bash $SELF $*" >&2; exit 1; }
  echo "worker-standins: building $platform ($base with ${PACKAGES[*]}, unpacked on the host)" >&2
  build "$platform" "$base" "$arch" "$tag" "$work/$arch" >"$work/${platform//\//_}.log" 2>&1 &
  pids[$platform]=$!
done
failed=0
for platform in "${!pids[@]}"; do
  if wait "${pids[$platform]}"; then
    tail -n 1 "$work/${platform//\//_}.log" | sed 's/^/worker-standins: /' >&2
  else
    failed=1
    echo "worker-standins: building $platform failed; last lines of its log:" >&2
    tail -n 15 "$work/${platform//\//_}.log" >&2
  fi
done
((failed == 0)) || exit 1
# Earlier recipes' (or earlier bases') images of an arch just built are dead weight now.
for platform in "${!pids[@]}"; do
  current=${tags[$platform]}
  docker image ls "$REPO" --format '{{.Repository}}:{{.Tag}}' | awk -v p="$REPO:${platform#*/}-" -v c="$current" 'index($0, p) == 1 && $0 != c' |
    while read -r old; do docker image rm "$old" >/dev/null 2>&1 || true; done
done
for spec in "$@"; do
  platform=${spec%%=*}
  echo "$platform ${tags[$platform]}"
done
