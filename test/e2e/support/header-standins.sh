#!/usr/bin/env bash
# Header-only stand-ins for the images of the architectures the in-container worker cannot
# serve (i686, armv7l, ppc64le, s390x, riscv64), for the sysroot engine's tests. Only
# debootstrap's first stage runs (--foreign): it downloads and unpacks the packages, libc6-dev
# included, without executing anything of the target, so no emulation is needed. The
# images are never started: the sysroot engine only copies headers out of them.
#
# Each image is tagged by a hash of this script, standin-lib.sh and its arch; when that tag exists nothing
# is built. Stdout gets one line per image, "<docker platform> <tag>"; the rest goes to
# stderr. Needs a Docker Engine and, to build, root.
#
#   header-standins.sh [PLATFORM...]   only these (Docker platforms, e.g. linux/ppc64le, or
#                                      Debian archs, e.g. ppc64el); all five without one.
# The example (scripts/example.sh) builds only those its matrix needs; the tags are the same.
set -euo pipefail

SELF=$(readlink -f "$0")
REPO=headerkit-standin/headers
MIRROR=http://deb.debian.org/debian
# Debian arch, Docker platform, suite (riscv64 is an official port from trixie on).
SPECS=("i386 linux/386 bookworm" "armhf linux/arm/v7 bookworm" "ppc64el linux/ppc64le bookworm" "s390x linux/s390x bookworm" "riscv64 linux/riscv64 trixie")

# shellcheck source=standin-lib.sh
source "$(dirname "$SELF")/standin-lib.sh"

# The specs asked for, in the order given.
if (($#)); then
  chosen=()
  for want in "$@"; do
    found=""
    for spec in "${SPECS[@]}"; do
      read -r arch platform suite <<<"$spec"
      if [ "$want" = "$arch" ] || [ "$want" = "$platform" ]; then found=$spec; fi
    done
    [ -n "$found" ] || { echo "header-standins: no stand-in for $want (one of: $(printf '%s\n' "${SPECS[@]}" | awk '{print $2}' | paste -sd ' '))" >&2; exit 2; }
    chosen+=("$found")
  done
  SPECS=("${chosen[@]}")
fi

build() {
  local arch=$1 platform=$2 suite=$3 tag=$4 work=$5 t0=$SECONDS
  mkdir -p "$work/root" "$work/ctx"
  debootstrap --foreign --variant=minbase --include=libc6-dev --arch="$arch" "$suite" "$work/root" "$MIRROR"
  # The first stage unpacks only the required packages; libc6-dev and the rest it
  # downloaded are unpacked here, on the host (dpkg-deb -x runs nothing of the target).
  local deb
  for deb in "$work/root"/var/cache/apt/archives/*.deb; do dpkg-deb -x "$deb" "$work/root"; done
  rm -rf "$work/root"/var/cache/apt/archives/*.deb "$work/root"/debootstrap
  [ -f "$work/root/usr/include/stdio.h" ] || { echo "no /usr/include/stdio.h in the $arch root" >&2; return 1; }
  image_from_root "$work/root" "$work/ctx" "$platform" "$tag" /bin/sh
  echo "built $tag in $((SECONDS - t0)) s"
}

require_docker header-standins
exec 8>/var/tmp/headerkit-header-standins.lock
flock 8
work=$(mktemp -d /var/tmp/headerkit-header-standins.XXXXXX)
trap 'rm -rf --one-file-system "$work"' EXIT
declare -A pids
for spec in "${SPECS[@]}"; do
  read -r arch platform suite <<<"$spec"
  tag=$(tag_of "$arch")
  have "$tag" && continue
  [ "$(id -u)" = 0 ] || { echo "header-standins: $tag to build and debootstrap needs root; run: sudo bash $SELF" >&2; exit 1; }
  echo "header-standins: building $platform (debootstrap --foreign $suite)" >&2
  build "$arch" "$platform" "$suite" "$tag" "$work/$arch" >"$work/$arch.log" 2>&1 &
  pids[$arch]=$!
done
failed=0
for arch in "${!pids[@]}"; do
  if wait "${pids[$arch]}"; then
    tail -n 1 "$work/$arch.log" | sed 's/^/header-standins: /' >&2
  else
    failed=1
    echo "header-standins: building $arch failed; last lines of its log:" >&2
    tail -n 15 "$work/$arch.log" >&2
  fi
done
((failed == 0)) || exit 1
for spec in "${SPECS[@]}"; do
  read -r arch platform suite <<<"$spec"
  echo "$platform $(tag_of "$arch")"
done
