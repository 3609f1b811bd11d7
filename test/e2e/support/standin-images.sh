#!/usr/bin/env bash
# Stand-ins for the manylinux base images, which cannot be pulled here (no registry is
# reachable): Debian bookworm minbase roots with the C headers (libc6-dev) and nothing
# else, in particular no node and no libclang, so the engine must build its worker image
# on them as it would on a real manylinux image. One per architecture, arm64 as a foreign
# root whose second stage runs under QEMU through binfmt_misc.
#
# Each image is tagged by a hash of this script, standin-lib.sh and its arch; when that tag exists nothing
# is built. Stdout gets one line per image, "linux/<arch> <tag>"; everything else goes to
# stderr. Needs a Docker Engine (scripts/docker-setup.sh) and, to build, root.
set -euo pipefail

SELF=$(readlink -f "$0")
REPO=headerkit-standin/bookworm
MIRROR=http://deb.debian.org/debian
ARCHES=(amd64 arm64)
BINFMT=/proc/sys/fs/binfmt_misc/qemu-aarch64

# shellcheck source=standin-lib.sh
source "$(dirname "$SELF")/standin-lib.sh"
missing() { local a; for a in "${ARCHES[@]}"; do have "$(tag_of "$a")" || echo "$a"; done; }

# Unmount whatever a failed debootstrap left mounted in its root (proc, sys, dev/pts),
# deepest first, then remove the tree without ever crossing into a mount.
cleanup_dir() {
  local dir=$1 m
  [ -d "$dir" ] || return 0
  while read -r m; do umount -l "$m" 2>/dev/null || true; done < <(awk -v d="$dir/" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo | sort -r)
  rm -rf --one-file-system "$dir"
}

build() {
  local arch=$1 tag=$2 work=$3 t0=$SECONDS
  mkdir -p "$work/root" "$work/ctx"
  # Through binfmt (F flag: the host's static qemu serves the chroot), so debootstrap runs
  # both stages itself: no --foreign, no qemu binary copied into the root.
  debootstrap --variant=minbase --include=libc6-dev --arch="$arch" bookworm "$work/root" "$MIRROR"
  # What apt downloaded and indexed is of no use in the image.
  rm -rf "$work/root"/var/lib/apt/lists/* "$work/root"/var/cache/apt/* "$work/root"/var/log/*
  [ -f "$work/root/usr/include/stdio.h" ] || { echo "no /usr/include/stdio.h in the $arch root" >&2; return 1; }
  image_from_root "$work/root" "$work/ctx" "linux/$arch" "$tag" /bin/bash
  echo "built $tag in $((SECONDS - t0)) s"
}

require_docker standin-images
todo=$(missing)
if [ -n "$todo" ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "standin-images: images to build ($(echo $todo)) and debootstrap needs root; run: sudo bash $SELF" >&2
    exit 1
  fi
  if [[ " $todo " == *" arm64 "* ]] && ! { [ -r "$BINFMT" ] && grep -qx enabled "$BINFMT"; }; then
    echo "standin-images: qemu-aarch64 is not registered with binfmt_misc; run: bash scripts/docker-setup.sh" >&2
    exit 1
  fi
  # Two test runs at once build each image once: the second waits, then finds the tags.
  exec 8>/var/tmp/headerkit-standin.lock
  flock 8
  todo=$(missing)
fi
if [ -n "$todo" ]; then
  work=$(mktemp -d /var/tmp/headerkit-standin.XXXXXX)
  trap 'cleanup_dir "$work"' EXIT
  # Both at once: amd64 mostly waits on the mirror and dpkg, arm64 mostly on QEMU.
  declare -A pids
  for arch in $todo; do
    echo "standin-images: building linux/$arch (debootstrap bookworm minbase; arm64 takes ~2 min under QEMU)" >&2
    build "$arch" "$(tag_of "$arch")" "$work/$arch" >"$work/$arch.log" 2>&1 &
    pids[$arch]=$!
  done
  failed=()
  for arch in $todo; do
    if wait "${pids[$arch]}"; then
      tail -n 1 "$work/$arch.log" | sed 's/^/standin-images: /' >&2
    else
      failed+=("$arch")
      echo "standin-images: building linux/$arch failed; last lines of its log:" >&2
      tail -n 15 "$work/$arch.log" >&2
      # debootstrap's own log explains a failed package step better than its summary.
      [ -f "$work/$arch/root/debootstrap/debootstrap.log" ] && tail -n 15 "$work/$arch/root/debootstrap/debootstrap.log" >&2
    fi
  done
  ((${#failed[@]} == 0)) || exit 1
  # Earlier recipes' images of the same repository are dead weight now.
  for arch in $todo; do
    current=$(tag_of "$arch")
    docker image ls "$REPO" --format '{{.Repository}}:{{.Tag}}' | awk -v p="$REPO:$arch-" -v c="$current" 'index($0, p) == 1 && $0 != c' |
      while read -r old; do docker image rm "$old" >/dev/null 2>&1 || true; done
  done
fi

for arch in "${ARCHES[@]}"; do
  tag=$(tag_of "$arch")
  platform=$(docker image inspect "$tag" --format '{{.Os}}/{{.Architecture}}')
  if [ "$platform" != "linux/$arch" ]; then
    echo "standin-images: $tag is $platform, not linux/$arch" >&2
    exit 1
  fi
  echo "linux/$arch $tag"
done
